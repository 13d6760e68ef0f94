#include "ringca/error.h"

const char *rc_strerror(int err) {
  switch (err) {
  case RC_OK:
    return "success";
#define RC_STRERROR_CASE_(name, msg)                                           \
  case RC_E##name:                                                           \
    return msg;
    RC_ERRNO_MAP(RC_STRERROR_CASE_)
#undef RC_STRERROR_CASE_
  default:
    return "unknown error";
  }
}

const char *rc_err_name(int err) {
  switch (err) {
  case RC_OK:
    return "RC_OK";
#define RC_ERRNAME_CASE_(name, msg)                                            \
  case RC_E##name:                                                           \
    return "RC_E" #name;
    RC_ERRNO_MAP(RC_ERRNAME_CASE_)
#undef RC_ERRNAME_CASE_
  default:
    return "RC_UNKNOWN";
  }
}
