/* Fuzz target: every bounded wire decoder on the same hostile bytes, and
 * the in-place views of LinkFrame and LinkPayload against protobuf-c: both
 * must accept exactly the same bytes, refuse them with the same code and
 * field, and read the same values; re-encoded by hand, what they read must
 * be the bytes protobuf-c packs. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ringca/pb.h"
#include "ringca/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TRY(call, var)                                                         \
  do {                                                                         \
    if ((call) == 0)                                                           \
      rc_pb_free(&(var)->base);                                                \
  } while (0)

#define AGREE(cond)                                                            \
  do {                                                                         \
    if (!(cond))                                                               \
      abort();                                                                 \
  } while (0)

static void same_error(int rc_a, const struct rc_wire_error *a, int rc_b,
                       const struct rc_wire_error *b) {
  AGREE(rc_a == rc_b && a->code == b->code);
  AGREE((a->field == NULL) == (b->field == NULL));
  AGREE(!a->field || strcmp(a->field, b->field) == 0);
}

static bool same_bytes(const uint8_t *a, size_t alen, const uint8_t *b,
                       size_t blen) {
  return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

static void link_frame_agrees(const uint8_t *data, size_t size) {
  Ringca__LinkFrame *lf = NULL;
  struct rc_wire_link_frame v;
  struct rc_wire_error ea = {0}, eb = {0};
  int a = rc_wire_decode_link_frame(data, size, &lf, &ea);
  int b = rc_wire_view_link_frame(data, size, &v, &eb);
  same_error(a, &ea, b, &eb);
  if (a != 0)
    return;
  AGREE(lf->version == v.version && lf->type == v.type &&
        lf->session_id == v.session_id && lf->counter == v.counter &&
        same_bytes(lf->body.data, lf->body.len, v.body, v.body_len));
  /* Re-encoded by hand: the bytes protobuf-c packs. */
  size_t n = ringca__link_frame__get_packed_size(lf);
  uint8_t *a_out = malloc(n + 1);
  uint8_t *b_out = malloc(size + RC_WIRE_LINK_HEADER_MAX);
  AGREE(a_out && b_out);
  ringca__link_frame__pack(lf, a_out);
  AGREE(same_bytes(a_out, n, b_out, rc_wire_encode_link_frame(&v, b_out)));
  free(a_out);
  free(b_out);
  rc_pb_free(&lf->base);
}

static void link_payload_agrees(const uint8_t *data, size_t size) {
  Ringca__LinkPayload *lp = NULL;
  struct rc_wire_link_payload v;
  struct rc_wire_error ea = {0}, eb = {0};
  int a = rc_wire_decode_link_payload(data, size, 8192, &lp, &ea);
  int b = rc_wire_view_link_payload(data, size, 8192, &v, &eb);
  same_error(a, &ea, b, &eb);
  if (a != 0)
    return;
  AGREE(lp->kind == v.kind && lp->seq == v.seq && lp->ack == v.ack &&
        same_bytes(lp->data.data, lp->data.len, v.data, v.data_len));
  size_t n = ringca__link_payload__get_packed_size(lp);
  uint8_t *a_out = malloc(n + 1);
  uint8_t *b_out = malloc(size + RC_WIRE_LINK_HEADER_MAX);
  AGREE(a_out && b_out);
  ringca__link_payload__pack(lp, a_out);
  AGREE(same_bytes(a_out, n, b_out, rc_wire_encode_link_payload(&v, b_out)));
  free(a_out);
  free(b_out);
  rc_pb_free(&lp->base);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Ringca__HandshakePayload *hp;
  Ringca__RingMessage *rm;
  Ringca__CertRequest *rq;
  Ringca__CertReply *rp;
  Ringca__CertRefusal *rf;
  link_frame_agrees(data, size);
  link_payload_agrees(data, size);
  TRY(rc_wire_decode_handshake_payload(data, size, &hp, NULL), hp);
  TRY(rc_wire_decode_ring_message(data, size, 8192, &rm, NULL), rm);
  TRY(rc_wire_decode_cert_request(data, size, &rq, NULL), rq);
  TRY(rc_wire_decode_cert_reply(data, size, &rp, NULL), rp);
  TRY(rc_wire_decode_cert_refusal(data, size, &rf, NULL), rf);
  return 0;
}
