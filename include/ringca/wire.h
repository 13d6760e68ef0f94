/* Typed, bounded decoders for every message in proto/ringca.proto.
 *
 * Each decoder applies that message's limits (total size, repeated-field
 * counts) before protobuf-c allocates anything, then refuses an unknown
 * `version`. Callers free with rc_pb_free(&msg->base). */
#ifndef RINGCA_WIRE_H
#define RINGCA_WIRE_H
#include <stddef.h>
#include <stdint.h>

#include "ringca.pb-c.h"

/* Names the field at fault for error messages ("Token.envelopes"), or NULL. */
struct rc_wire_error {
  int code;           /* RC_E* */
  const char *field;  /* static string */
};

int rc_wire_decode_link_frame(const uint8_t *buf, size_t len,
                              Ringca__LinkFrame **out,
                              struct rc_wire_error *err);
int rc_wire_decode_link_payload(const uint8_t *buf, size_t len,
                                size_t max_bytes, Ringca__LinkPayload **out,
                                struct rc_wire_error *err);
int rc_wire_decode_handshake_payload(const uint8_t *buf, size_t len,
                                     Ringca__HandshakePayload **out,
                                     struct rc_wire_error *err);
int rc_wire_decode_ring_message(const uint8_t *buf, size_t len,
                                size_t max_bytes, Ringca__RingMessage **out,
                                struct rc_wire_error *err);
int rc_wire_decode_cert_request(const uint8_t *buf, size_t len,
                                Ringca__CertRequest **out,
                                struct rc_wire_error *err);
int rc_wire_decode_cert_reply(const uint8_t *buf, size_t len,
                              Ringca__CertReply **out,
                              struct rc_wire_error *err);
int rc_wire_decode_cert_refusal(const uint8_t *buf, size_t len,
                                Ringca__CertRefusal **out,
                                struct rc_wire_error *err);

/* Largest CertRequest/CertReply: a CSR or a certificate chain. */
#define RC_CERT_MESSAGE_MAX 32768u

const char *rc_link_frame_type_name(Ringca__LinkFrameType t);

#endif
