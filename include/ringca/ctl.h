/* The control socket of ringca-node (CtlRequest/CtlResponse in
 * proto/ringca.proto): how ringca-ctl and ringca-submit talk to a node.
 *
 * Framing: a 4-byte big-endian length, then the encoded message. Both sides
 * treat the other as hostile: the length is checked against the limit
 * before anything is allocated, and decoding is bounded (pb.h). Runtime
 * code: linked from the ringca_runtime library, not the sans-I/O core. */
#ifndef RINGCA_CTL_H
#define RINGCA_CTL_H
#include <stddef.h>
#include <stdint.h>

#include "ringca/wire.h"
#include "ringca.pb-c.h"

#define RC_CTL_VERSION 1u
#define RC_CTL_HEADER_LEN 4u
#define RC_CTL_REQUEST_MAX 65536u   /* a CSR is at most RC_CERT_MESSAGE_MAX */
#define RC_CTL_RESPONSE_MAX 262144u /* status of a large mesh, a cert chain */
#define RC_CTL_SOCKET_NAME "ctl.sock"

/* Looks for one complete framed message at the start of buf. Returns 1 and
 * the body's offset/length when complete, 0 when more bytes are needed,
 * RC_ETOOBIG when the announced length exceeds max, RC_EMALFORMED for a
 * zero length. */
int rc_ctl_frame_parse(const uint8_t *buf, size_t len, size_t max,
                       size_t *body_off, size_t *body_len);

/* Encodes msg with its 4-byte header into a malloc'd buffer. */
int rc_ctl_frame_pack(const ProtobufCMessage *msg, size_t max, uint8_t **out,
                      size_t *out_len);

/* Bounded decoders; refuse an unknown version and a message whose oneof is
 * not set. Free with rc_pb_free(&msg->base). */
int rc_ctl_decode_request(const uint8_t *buf, size_t len,
                          Ringca__CtlRequest **out, struct rc_wire_error *err);
int rc_ctl_decode_response(const uint8_t *buf, size_t len,
                           Ringca__CtlResponse **out,
                           struct rc_wire_error *err);

/* The socket path of a node's state directory into out (cap bytes). */
int rc_ctl_socket_path(const char *state_dir, char *out, size_t cap);

/* Client: connects, sends req, waits up to timeout_ms for one response.
 * Returns 0, or a negative RC_E* with one sentence in err (RC_ENOTFOUND:
 * no node listening at path; RC_ETIMEOUT; RC_EMALFORMED: bad response). */
int rc_ctl_call(const char *socket_path, const Ringca__CtlRequest *req,
                Ringca__CtlResponse **resp, int timeout_ms, char *err,
                size_t errlen);

const char *rc_ctl_outcome_name(Ringca__CtlSubmitOutcome o);

#endif
