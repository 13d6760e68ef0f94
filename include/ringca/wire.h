/* Typed, bounded decoders for every message in proto/ringca.proto.
 *
 * Each decoder applies that message's limits (total size, repeated-field
 * counts) before protobuf-c allocates anything, then refuses an unknown
 * `version`. Callers free with rc_pb_free(&msg->base). */
#ifndef RINGCA_WIRE_H
#define RINGCA_WIRE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringca.pb-c.h"
#include "ringca/limits.h"

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
/* LinkFrame and LinkPayload read in place, for the per-frame path of the
 * link: no allocation, no copy; body/data point into the input buffer and
 * stay valid as long as it does. Same limits, same checks, same errors
 * (code and field) as rc_wire_decode_link_frame/_payload: both accept
 * exactly the same bytes (tests/fuzz/wire.c checks that they agree). */
struct rc_wire_link_frame {
  uint32_t version;
  Ringca__LinkFrameType type;
  uint32_t session_id;
  uint64_t counter;
  const uint8_t *body;
  size_t body_len;
};
int rc_wire_view_link_frame(const uint8_t *buf, size_t len,
                            struct rc_wire_link_frame *out,
                            struct rc_wire_error *err);

struct rc_wire_link_payload {
  Ringca__LinkPayloadKind kind;
  uint64_t seq;
  uint64_t ack;
  const uint8_t *data;
  size_t data_len;
};
int rc_wire_view_link_payload(const uint8_t *buf, size_t len,
                              size_t max_bytes,
                              struct rc_wire_link_payload *out,
                              struct rc_wire_error *err);

/* The same messages encoded by hand, byte for byte what protobuf-c packs
 * (proto3: field order, zero values left out). `out` must hold the fields
 * plus RC_WIRE_LINK_HEADER_MAX bytes. Returns the encoded length. */
#define RC_WIRE_LINK_HEADER_MAX 48u
size_t rc_wire_encode_link_frame(const struct rc_wire_link_frame *f,
                                 uint8_t *out);
size_t rc_wire_encode_link_payload(const struct rc_wire_link_payload *p,
                                   uint8_t *out);

int rc_wire_decode_handshake_payload(const uint8_t *buf, size_t len,
                                     Ringca__HandshakePayload **out,
                                     struct rc_wire_error *err);
int rc_wire_decode_ring_message(const uint8_t *buf, size_t len,
                                size_t max_bytes, Ringca__RingMessage **out,
                                struct rc_wire_error *err);
/* RingMessage and its Token read in place, for the per-hop path of a ring:
 * names are views into the input buffer (never NUL-terminated there), and a
 * token without envelopes costs no allocation at all. Envelopes, when
 * present, are unpacked with protobuf-c (their checks and the Ed25519
 * verification work on the struct). Same limits, same checks, same errors
 * (code and field) as rc_wire_decode_ring_message: both accept exactly the
 * same bytes (tests/fuzz/wire.c checks that they agree).
 *
 * A name is 1..RC_NAME_MAX bytes with no NUL: protobuf-c's strings are C
 * strings, so a NUL inside one would make the name the node acts on differ
 * from the bytes on the wire; both decoders refuse it. */
struct rc_wire_name {
  const char *data;
  size_t len;
};

/* Whether the C string `name` is exactly the viewed name: length-aware, as
 * the view is not NUL-terminated (and holds no NUL, so this is strcmp on
 * the string protobuf-c would have made). */
bool rc_wire_name_is(const char *name, struct rc_wire_name v);

struct rc_wire_token {
  struct rc_wire_name ring;
  uint64_t epoch;
  uint64_t seq;
  const struct rc_wire_name *active_order;
  size_t n_active_order;
  Ringca__Envelope *const *envelopes;
  size_t n_envelopes;
};

struct rc_wire_ring_message {
  uint32_t version;
  bool has_token;            /* else want.len > 0 */
  struct rc_wire_name want;
  struct rc_wire_token token; /* points into the storage below */
  struct rc_wire_name order_[RC_TOKEN_MAX_ORDER];
  Ringca__Envelope *envelopes_[RC_TOKEN_MAX_ENVELOPES];
};

/* On success the caller releases with rc_wire_ring_message_release (frees
 * the unpacked envelopes, if any); on error there is nothing to release. */
int rc_wire_view_ring_message(const uint8_t *buf, size_t len,
                              size_t max_bytes,
                              struct rc_wire_ring_message *out,
                              struct rc_wire_error *err);
void rc_wire_ring_message_release(struct rc_wire_ring_message *m);

/* A Token's header (ring, epoch, seq, active_order; its envelopes are
 * appended by the caller as field 5) encoded by hand, byte for byte what
 * protobuf-c packs for the same Token without envelopes. Names must not
 * contain NUL (protobuf-c would stop there). */
size_t rc_wire_token_header_size(const struct rc_wire_token *t);
size_t rc_wire_encode_token_header(const struct rc_wire_token *t,
                                   uint8_t *out);

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
