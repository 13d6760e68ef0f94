/* Names of trip causes (node.h), for events, audit records and logs. */
#include "ringca/node.h"

const char *rc_trip_cause_name(enum rc_trip_cause c) {
  switch (c) {
#define RC_TRIP_CAUSE_NAME_(name, str)                                        \
  case RC_TRIP_##name:                                                        \
    return str;
    RC_TRIP_CAUSE_MAP(RC_TRIP_CAUSE_NAME_)
#undef RC_TRIP_CAUSE_NAME_
  }
  return "unknown";
}
