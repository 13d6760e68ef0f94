/* Error codes shared by every ringca module.
 *
 * Like libuv's uv/errno.h: functions return 0 or a negative RC_E* value, one
 * X-macro table gives both the symbolic name and the human sentence, so every
 * refusal has a name a test can assert on. Caller misuse is an assert(), never
 * an error code. */
#ifndef RINGCA_ERROR_H
#define RINGCA_ERROR_H

#define RC_ERRNO_MAP(XX)                                                     \
  XX(NOMEM, "out of memory")                                                 \
  XX(INVAL, "invalid argument")                                              \
  XX(TOOBIG, "input exceeds its size limit")                                 \
  XX(MALFORMED, "malformed input")                                           \
  XX(VERSION, "unknown protocol version")                                    \
  XX(LIMIT, "a count limit was exceeded")                                    \
  XX(NOBUFS, "output buffer too small")                                      \
  XX(AGAIN, "resource temporarily unavailable, try again later")            \
  XX(CRYPTO, "cryptographic operation failed")                               \
  XX(AUTH, "authentication failed")                                          \
  XX(STATE, "operation not valid in the current state")                      \
  XX(NOTFOUND, "no such object")                                             \
  XX(EXIST, "object already exists")                                         \
  XX(IO, "input/output error")                                               \
  XX(PERM, "permission or ownership check failed")                           \
  XX(POLICY, "refused by policy")                                            \
  XX(TIMEOUT, "deadline passed")                                             \
  XX(NOROUTE, "no route to destination")                                     \
  XX(TRIPPED, "node has tripped and accepts nothing")

enum rc_error {
  RC_OK = 0,
#define RC_ERR_ENUM_(name, msg) RC_E##name,
  RC__ERR_FIRST = -1000,
  RC_ERRNO_MAP(RC_ERR_ENUM_)
#undef RC_ERR_ENUM_
  RC__ERR_END
};

/* A sentence for the error ("input exceeds its size limit"). */
const char *rc_strerror(int err);
/* The symbolic name ("RC_ETOOBIG"). */
const char *rc_err_name(int err);

#endif
