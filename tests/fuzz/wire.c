/* Fuzz target: every bounded wire decoder on the same hostile bytes, and
 * the in-place views of LinkFrame, LinkPayload and RingMessage against
 * protobuf-c: both must accept exactly the same bytes, refuse them with the
 * same code and field, and read the same values; re-encoded by hand, what
 * they read must be the bytes protobuf-c packs (for a Token, its header:
 * everything but the envelopes, which the node copies as received). */
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
  /* Re-encoded by hand: the bytes protobuf-c packs for what was read (its
   * unknown fields, which protobuf-c would pack back, left out). */
  size_t n_unknown = lf->base.n_unknown_fields;
  lf->base.n_unknown_fields = 0;
  size_t n = ringca__link_frame__get_packed_size(lf);
  uint8_t *a_out = malloc(n + 1);
  uint8_t *b_out = malloc(size + RC_WIRE_LINK_HEADER_MAX);
  AGREE(a_out && b_out);
  ringca__link_frame__pack(lf, a_out);
  AGREE(same_bytes(a_out, n, b_out, rc_wire_encode_link_frame(&v, b_out)));
  free(a_out);
  free(b_out);
  lf->base.n_unknown_fields = n_unknown; /* freed with the message */
  rc_pb_free(&lf->base);
}

static void link_payload_agrees(const uint8_t *data, size_t size,
                                size_t max_bytes) {
  Ringca__LinkPayload *lp = NULL;
  struct rc_wire_link_payload v;
  struct rc_wire_error ea = {0}, eb = {0};
  int a = rc_wire_decode_link_payload(data, size, max_bytes, &lp, &ea);
  int b = rc_wire_view_link_payload(data, size, max_bytes, &v, &eb);
  same_error(a, &ea, b, &eb);
  if (a != 0)
    return;
  AGREE(lp->kind == v.kind && lp->seq == v.seq && lp->ack == v.ack &&
        same_bytes(lp->data.data, lp->data.len, v.data, v.data_len));
  size_t n_unknown = lp->base.n_unknown_fields;
  lp->base.n_unknown_fields = 0; /* as for LinkFrame */
  size_t n = ringca__link_payload__get_packed_size(lp);
  uint8_t *a_out = malloc(n + 1);
  uint8_t *b_out = malloc(size + RC_WIRE_LINK_HEADER_MAX);
  AGREE(a_out && b_out);
  ringca__link_payload__pack(lp, a_out);
  AGREE(same_bytes(a_out, n, b_out, rc_wire_encode_link_payload(&v, b_out)));
  free(a_out);
  free(b_out);
  lp->base.n_unknown_fields = n_unknown;
  rc_pb_free(&lp->base);
}

static bool same_name(const char *s, struct rc_wire_name v) {
  return strlen(s) == v.len && (v.len == 0 || memcmp(s, v.data, v.len) == 0);
}

static bool same_packed(const ProtobufCMessage *a, const ProtobufCMessage *b) {
  size_t na = protobuf_c_message_get_packed_size(a);
  size_t nb = protobuf_c_message_get_packed_size(b);
  uint8_t *pa = malloc(na + 1), *pb = malloc(nb + 1);
  AGREE(pa && pb);
  protobuf_c_message_pack(a, pa);
  protobuf_c_message_pack(b, pb);
  bool same = same_bytes(pa, na, pb, nb);
  free(pa);
  free(pb);
  return same;
}

/* The view is large (it holds up to 128 names and 256 envelopes): static,
 * as the fuzzer runs one input at a time. */
static struct rc_wire_ring_message ring_view;

static void ring_message_agrees(const uint8_t *data, size_t size,
                                size_t max_bytes) {
  Ringca__RingMessage *rm = NULL;
  struct rc_wire_ring_message *v = &ring_view;
  struct rc_wire_error ea = {0}, eb = {0};
  int a = rc_wire_decode_ring_message(data, size, max_bytes, &rm, &ea);
  int b = rc_wire_view_ring_message(data, size, max_bytes, v, &eb);
  same_error(a, &ea, b, &eb);
  if (a != 0)
    return;
  AGREE(rm->version == v->version && (rm->token != NULL) == v->has_token);
  if (!rm->token) {
    AGREE(same_name(rm->want, v->want));
  } else {
    const Ringca__Token *t = rm->token;
    const struct rc_wire_token *tv = &v->token;
    AGREE(v->want.len == 0 && same_name(t->ring, tv->ring) &&
          t->epoch == tv->epoch && t->seq == tv->seq &&
          t->n_active_order == tv->n_active_order &&
          t->n_envelopes == tv->n_envelopes);
    for (size_t i = 0; i < t->n_active_order; i++)
      AGREE(same_name(t->active_order[i], tv->active_order[i]));
    for (size_t i = 0; i < t->n_envelopes; i++)
      AGREE(same_packed(&t->envelopes[i]->base, &tv->envelopes[i]->base));
    /* The header by hand is protobuf-c's Token without its envelopes (and
     * without unknown fields, which protobuf-c would pack back). */
    Ringca__Token hdr = *t;
    hdr.base.n_unknown_fields = 0;
    hdr.base.unknown_fields = NULL;
    hdr.n_envelopes = 0;
    hdr.envelopes = NULL;
    size_t n = ringca__token__get_packed_size(&hdr);
    uint8_t *a_out = malloc(n + 1), *b_out = malloc(size + 1);
    AGREE(a_out && b_out);
    ringca__token__pack(&hdr, a_out);
    AGREE(rc_wire_token_header_size(tv) == n);
    AGREE(same_bytes(a_out, n, b_out, rc_wire_encode_token_header(tv, b_out)));
    free(a_out);
    free(b_out);
  }
  rc_wire_ring_message_release(v);
  rc_pb_free(&rm->base);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Ringca__HandshakePayload *hp;
  Ringca__RingMessage *rm;
  Ringca__CertRequest *rq;
  Ringca__CertReply *rp;
  Ringca__CertRefusal *rf;
  link_frame_agrees(data, size);
  /* Large, and small enough that many tiny unknown fields exhaust the
   * allocation budget (8 x 256 + 4096) before the size limit. */
  link_payload_agrees(data, size, 8192);
  link_payload_agrees(data, size, 256);
  TRY(rc_wire_decode_handshake_payload(data, size, &hp, NULL), hp);
  TRY(rc_wire_decode_ring_message(data, size, 8192, &rm, NULL), rm);
  /* A node's default token_size, and a small one whose allocation budget
   * (8 x 512 + 4096) short inputs can exhaust. */
  ring_message_agrees(data, size, 8192);
  ring_message_agrees(data, size, 3968);
  ring_message_agrees(data, size, 512);
  TRY(rc_wire_decode_cert_request(data, size, &rq, NULL), rq);
  TRY(rc_wire_decode_cert_reply(data, size, &rp, NULL), rp);
  TRY(rc_wire_decode_cert_refusal(data, size, &rf, NULL), rf);
  return 0;
}
