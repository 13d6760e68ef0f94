#include "ringca/ctl.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ringca/error.h"
#include "ringca/limits.h"
#include "ringca/pb.h"
#include "ringca/topology.h"

int rc_ctl_frame_parse(const uint8_t *buf, size_t len, size_t max,
                       size_t *body_off, size_t *body_len) {
  if (len < RC_CTL_HEADER_LEN)
    return 0;
  uint32_t n = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 |
               (uint32_t)buf[2] << 8 | buf[3];
  if (n == 0)
    return RC_EMALFORMED;
  if (n > max)
    return RC_ETOOBIG;
  if (len - RC_CTL_HEADER_LEN < n)
    return 0;
  *body_off = RC_CTL_HEADER_LEN;
  *body_len = n;
  return 1;
}

int rc_ctl_frame_pack(const ProtobufCMessage *msg, size_t max, uint8_t **out,
                      size_t *out_len) {
  size_t n = protobuf_c_message_get_packed_size(msg);
  if (n == 0 || n > max)
    return n == 0 ? RC_EINVAL : RC_ETOOBIG;
  uint8_t *buf = malloc(RC_CTL_HEADER_LEN + n);
  if (!buf)
    return RC_ENOMEM;
  buf[0] = (uint8_t)(n >> 24);
  buf[1] = (uint8_t)(n >> 16);
  buf[2] = (uint8_t)(n >> 8);
  buf[3] = (uint8_t)n;
  protobuf_c_message_pack(msg, buf + RC_CTL_HEADER_LEN);
  *out = buf;
  *out_len = RC_CTL_HEADER_LEN + n;
  return 0;
}

static int fail(struct rc_wire_error *err, int code, const char *field) {
  if (err) {
    err->code = code;
    err->field = field;
  }
  return code;
}

static int bounded_unpack(const ProtobufCMessageDescriptor *desc,
                          const struct rc_pb_limits *lim, const uint8_t *buf,
                          size_t len, ProtobufCMessage **out,
                          const char *const *names, size_t nnames,
                          const char *what, struct rc_wire_error *err) {
  uint32_t bad = 0;
  int rc = rc_pb_prescan(lim, buf, len, &bad);
  if (rc)
    return fail(err, rc, bad > 0 && bad < nnames && names[bad] ? names[bad]
                                                               : what);
  rc = rc_pb_unpack(desc, lim, buf, len, out);
  return rc ? fail(err, rc, what) : 0;
}

static bool name_ok(const char *s) { return s && strlen(s) <= RC_NAME_MAX; }

int rc_ctl_decode_request(const uint8_t *buf, size_t len,
                          Ringca__CtlRequest **out,
                          struct rc_wire_error *err) {
  static const struct rc_pb_field_limit caps[] = {{1, 1}, {2, 1}, {3, 1},
                                                  {4, 1}};
  static const char *const names[] = {NULL, "CtlRequest.version",
                                      "CtlRequest.submit", "CtlRequest.status",
                                      "CtlRequest.inject"};
  struct rc_pb_limits lim = {RC_CTL_REQUEST_MAX, caps, 4, 0};
  *out = NULL;
  int rc = bounded_unpack(&ringca__ctl_request__descriptor, &lim, buf, len,
                          (ProtobufCMessage **)out, names, 5, "CtlRequest",
                          err);
  if (rc)
    return rc;
  Ringca__CtlRequest *r = *out;
  if (r->version != RC_CTL_VERSION)
    rc = fail(err, RC_EVERSION, "CtlRequest.version");
  else if (r->op_case == RINGCA__CTL_REQUEST__OP__NOT_SET)
    rc = fail(err, RC_EMALFORMED, "CtlRequest.op");
  else if (r->op_case == RINGCA__CTL_REQUEST__OP_SUBMIT &&
           (!name_ok(r->submit->profile) || r->submit->profile[0] == '\0'))
    rc = fail(err, RC_EMALFORMED, "CtlSubmit.profile");
  else if (r->op_case == RINGCA__CTL_REQUEST__OP_SUBMIT &&
           (r->submit->csr_der.len == 0 ||
            r->submit->csr_der.len > RC_CERT_MESSAGE_MAX))
    rc = fail(err, r->submit->csr_der.len ? RC_ETOOBIG : RC_EMALFORMED,
              "CtlSubmit.csr_der");
  else if (r->op_case == RINGCA__CTL_REQUEST__OP_INJECT &&
           !name_ok(r->inject->ring))
    rc = fail(err, RC_EMALFORMED, "CtlInject.ring");
  if (rc) {
    rc_pb_free(&r->base);
    *out = NULL;
    return rc;
  }
  return fail(err, 0, NULL);
}

int rc_ctl_decode_response(const uint8_t *buf, size_t len,
                           Ringca__CtlResponse **out,
                           struct rc_wire_error *err) {
  static const struct rc_pb_field_limit caps[] = {{1, 1}, {2, 1}, {3, 1},
                                                  {4, 1}, {5, 1}};
  static const char *const names[] = {NULL,
                                      "CtlResponse.version",
                                      "CtlResponse.submit",
                                      "CtlResponse.status",
                                      "CtlResponse.error",
                                      "CtlResponse.done"};
  static const struct rc_pb_field_limit status_caps[] = {
      {5, RC_TOPO_MAX_PORTS}, {6, RC_TOPO_MAX_RINGS}};
  struct rc_pb_limits lim = {RC_CTL_RESPONSE_MAX, caps, 5, 0};
  *out = NULL;
  /* The status carries the only repeated fields: cap them before the
   * unpack allocates what a hostile count would ask for. */
  const uint8_t *sub = NULL;
  size_t sublen = 0;
  if (rc_pb_find_len_field(buf, len, 3, &sub, &sublen) != 0)
    return fail(err, RC_EMALFORMED, "CtlResponse");
  if (sub) {
    struct rc_pb_limits slim = {RC_CTL_RESPONSE_MAX, status_caps, 2, 0};
    uint32_t bad = 0;
    int rc = rc_pb_prescan(&slim, sub, sublen, &bad);
    if (rc)
      return fail(err, rc, bad == 5 ? "CtlStatus.links"
                           : bad == 6 ? "CtlStatus.rings" : "CtlStatus");
  }
  int rc = bounded_unpack(&ringca__ctl_response__descriptor, &lim, buf, len,
                          (ProtobufCMessage **)out, names, 6, "CtlResponse",
                          err);
  if (rc)
    return rc;
  if ((*out)->version != RC_CTL_VERSION)
    rc = fail(err, RC_EVERSION, "CtlResponse.version");
  else if ((*out)->result_case == RINGCA__CTL_RESPONSE__RESULT__NOT_SET)
    rc = fail(err, RC_EMALFORMED, "CtlResponse.result");
  if (rc) {
    rc_pb_free(&(*out)->base);
    *out = NULL;
    return rc;
  }
  return fail(err, 0, NULL);
}

int rc_ctl_socket_path(const char *state_dir, char *out, size_t cap) {
  struct sockaddr_un sun;
  int n = snprintf(out, cap, "%s/%s", state_dir, RC_CTL_SOCKET_NAME);
  if (n < 0 || (size_t)n >= cap || (size_t)n >= sizeof sun.sun_path)
    return RC_EINVAL;
  return 0;
}

const char *rc_ctl_outcome_name(Ringca__CtlSubmitOutcome o) {
  switch (o) {
  case RINGCA__CTL_SUBMIT_OUTCOME__CTL_SUBMIT_ISSUED: return "issued";
  case RINGCA__CTL_SUBMIT_OUTCOME__CTL_SUBMIT_REFUSED: return "refused";
  case RINGCA__CTL_SUBMIT_OUTCOME__CTL_SUBMIT_EXPIRED: return "expired";
  case RINGCA__CTL_SUBMIT_OUTCOME__CTL_SUBMIT_NO_ROUTE: return "no-route";
  case RINGCA__CTL_SUBMIT_OUTCOME__CTL_SUBMIT_BUSY: return "busy";
  default: return "unspecified";
  }
}

static uint64_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Waits for fd to become ready for `events` before the absolute deadline. */
static int wait_fd(int fd, short events, uint64_t deadline_ms) {
  for (;;) {
    uint64_t now = mono_ms();
    if (now >= deadline_ms)
      return RC_ETIMEOUT;
    struct pollfd pf = {.fd = fd, .events = events};
    int n = poll(&pf, 1, (int)(deadline_ms - now));
    if (n > 0)
      return 0;
    if (n < 0 && errno != EINTR)
      return RC_EIO;
  }
}

static int send_all(int fd, const uint8_t *p, size_t len, uint64_t deadline) {
  while (len > 0) {
    int rc = wait_fd(fd, POLLOUT, deadline);
    if (rc)
      return rc;
    ssize_t n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
      continue;
    if (n <= 0)
      return RC_EIO;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

static int recv_all(int fd, uint8_t *p, size_t len, uint64_t deadline) {
  while (len > 0) {
    int rc = wait_fd(fd, POLLIN, deadline);
    if (rc)
      return rc;
    ssize_t n = recv(fd, p, len, MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
      continue;
    if (n <= 0)
      return RC_EIO;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

static int connect_unix(const char *path, char *err, size_t errlen) {
  struct sockaddr_un sun = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof sun.sun_path) {
    snprintf(err, errlen, "%s: socket path too long", path);
    return RC_EINVAL;
  }
  memcpy(sun.sun_path, path, strlen(path) + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    snprintf(err, errlen, "socket: %s", strerror(errno));
    return RC_EIO;
  }
  if (connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
    int e = errno;
    close(fd);
    snprintf(err, errlen, "%s: no node listening (%s)", path, strerror(e));
    return e == ENOENT || e == ECONNREFUSED ? RC_ENOTFOUND
           : e == EACCES                    ? RC_EPERM
                                            : RC_EIO;
  }
  return fd;
}

int rc_ctl_call(const char *socket_path, const Ringca__CtlRequest *req,
                Ringca__CtlResponse **resp, int timeout_ms, char *err,
                size_t errlen) {
  *resp = NULL;
  uint8_t *out = NULL;
  size_t out_len = 0;
  int rc = rc_ctl_frame_pack(&req->base, RC_CTL_REQUEST_MAX, &out, &out_len);
  if (rc) {
    snprintf(err, errlen, "request does not fit the control protocol: %s",
             rc_strerror(rc));
    return rc;
  }
  int fd = connect_unix(socket_path, err, errlen);
  if (fd < 0) {
    free(out);
    return fd;
  }
  uint64_t deadline = mono_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 1);
  uint8_t hdr[RC_CTL_HEADER_LEN];
  uint8_t *body = NULL;
  uint32_t n = 0;
  rc = send_all(fd, out, out_len, deadline);
  free(out);
  if (rc == 0)
    rc = recv_all(fd, hdr, sizeof hdr, deadline);
  if (rc == 0) {
    n = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
        (uint32_t)hdr[2] << 8 | hdr[3];
    if (n == 0)
      rc = RC_EMALFORMED;
    else if (n > RC_CTL_RESPONSE_MAX)
      rc = RC_ETOOBIG;
    else if (!(body = malloc(n)))
      rc = RC_ENOMEM;
    else
      rc = recv_all(fd, body, n, deadline);
  }
  close(fd);
  struct rc_wire_error werr = {0, NULL};
  if (rc == 0)
    rc = rc_ctl_decode_response(body, n, resp, &werr);
  free(body);
  if (rc)
    snprintf(err, errlen, "%s: %s", socket_path,
             rc == RC_ETIMEOUT ? "no response in time"
             : rc == RC_ETOOBIG ? "response exceeds the size limit"
             : rc == RC_EIO     ? "connection closed by the node"
             : werr.field       ? "malformed response"
                                : rc_strerror(rc));
  if (rc && werr.field) {
    size_t used = strlen(err);
    snprintf(err + used, errlen - used, " (%s)", werr.field);
  }
  return rc;
}
