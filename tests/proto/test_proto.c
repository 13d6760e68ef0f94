/* The wire schema: our protobuf-c encoding is standard protobuf (checked by
 * Google's own `protoc --decode`), and decoding hostile input is bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ringca/error.h"
#include "ringca/limits.h"
#include "ringca/pb.h"
#include "ringca/wire.h"

#ifndef PROTOC_PATH
#define PROTOC_PATH "protoc"
#endif

/* Runs protoc --decode=TYPE on the bytes and returns its text output. */
static char *protoc_decode(const char *type, const uint8_t *buf, size_t len) {
  char in[] = "/tmp/ringca-proto-XXXXXX";
  int fd = mkstemp(in);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, buf, len), (ssize_t)len);
  close(fd);
  char cmd[1024];
  snprintf(cmd, sizeof cmd,
           "%s --proto_path=%s/proto --decode=ringca.%s ringca.proto < %s",
           PROTOC_PATH, RINGCA_SOURCE_DIR, type, in);
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  static char out[65536];
  size_t n = fread(out, 1, sizeof out - 1, p);
  out[n] = 0;
  int status = pclose(p);
  unlink(in);
  if (status != 0)
    fail_msg("protoc failed (%d) on %s:\n%s", status, type, out);
  return out;
}

static void assert_contains(const char *hay, const char *needle) {
  if (!strstr(hay, needle))
    fail_msg("expected '%s' in protoc output:\n%s", needle, hay);
}

static Ringca__Envelope *sample_envelope(uint8_t *id, uint8_t *sig) {
  static Ringca__Envelope env;
  ringca__envelope__init(&env);
  for (int i = 0; i < 16; i++)
    id[i] = (uint8_t)(0xA0 + i);
  memset(sig, 0x5C, 64);
  env.version = RC_WIRE_VERSION;
  env.request_id.data = id;
  env.request_id.len = 16;
  env.origin = "fe1";
  env.destination = "root";
  env.kind = RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REQUEST;
  env.payload.data = (uint8_t *)"csr";
  env.payload.len = 3;
  env.ttl = 6;
  env.deadline_unix_ms = 1795000000123ull;
  env.signature.data = sig;
  env.signature.len = 64;
  return &env;
}

static void test_ring_message_is_standard_protobuf(void **state) {
  (void)state;
  uint8_t id[16], sig[64];
  Ringca__Envelope *envs[1] = {sample_envelope(id, sig)};
  char *order[] = {"im1", "fe1", "im1", "fe3"};
  Ringca__Token tok;
  ringca__token__init(&tok);
  tok.ring = "hub-im1";
  tok.epoch = 7;
  tok.seq = 12345678901ull;
  tok.n_active_order = 4;
  tok.active_order = order;
  tok.n_envelopes = 1;
  tok.envelopes = envs;
  Ringca__RingMessage msg;
  ringca__ring_message__init(&msg);
  msg.version = RC_WIRE_VERSION;
  msg.token = &tok;
  uint8_t *buf;
  size_t len;
  assert_int_equal(rc_pb_pack(&msg.base, &buf, &len), 0);
  char *text = protoc_decode("RingMessage", buf, len);
  assert_contains(text, "version: 1");
  assert_contains(text, "ring: \"hub-im1\"");
  assert_contains(text, "epoch: 7");
  assert_contains(text, "seq: 12345678901");
  assert_contains(text, "active_order: \"fe3\"");
  assert_contains(text, "origin: \"fe1\"");
  assert_contains(text, "destination: \"root\"");
  assert_contains(text, "kind: ENVELOPE_CERT_REQUEST");
  assert_contains(text, "ttl: 6");
  assert_contains(text, "deadline_unix_ms: 1795000000123");
  assert_contains(text, "request_id: \"\\240\\241\\242");

  /* And our own bounded decoder reads it back. */
  Ringca__RingMessage *back;
  struct rc_wire_error err;
  assert_int_equal(rc_wire_decode_ring_message(buf, len, 65536, &back, &err), 0);
  assert_int_equal(back->token->epoch, 7);
  assert_int_equal(back->token->n_envelopes, 1);
  assert_string_equal(back->token->envelopes[0]->origin, "fe1");
  rc_pb_free(&back->base);
  free(buf);
}

static void test_link_and_cert_messages_are_standard(void **state) {
  (void)state;
  uint8_t body[40];
  memset(body, 0xEE, sizeof body);
  Ringca__LinkFrame lf;
  ringca__link_frame__init(&lf);
  lf.version = RC_WIRE_VERSION;
  lf.type = RINGCA__LINK_FRAME_TYPE__LINK_FRAME_TRANSPORT;
  lf.session_id = 0xDEADBEEFu;
  lf.counter = 42;
  lf.body.data = body;
  lf.body.len = sizeof body;
  uint8_t *buf;
  size_t len;
  assert_int_equal(rc_pb_pack(&lf.base, &buf, &len), 0);
  char *text = protoc_decode("LinkFrame", buf, len);
  assert_contains(text, "type: LINK_FRAME_TRANSPORT");
  assert_contains(text, "session_id: 3735928559");
  assert_contains(text, "counter: 42");
  free(buf);

  Ringca__CertRefusal ref;
  ringca__cert_refusal__init(&ref);
  ref.version = RC_WIRE_VERSION;
  ref.reason = RINGCA__REFUSAL_REASON__REFUSAL_KEY_SIZE;
  ref.message = "CSR key: RSA 1024 bits is below the profile minimum of 2048";
  assert_int_equal(rc_pb_pack(&ref.base, &buf, &len), 0);
  text = protoc_decode("CertRefusal", buf, len);
  assert_contains(text, "reason: REFUSAL_KEY_SIZE");
  assert_contains(text, "below the profile minimum");
  free(buf);

  uint8_t der[3] = {0x30, 0x01, 0x00};
  ProtobufCBinaryData chain[2] = {{3, der}, {3, der}};
  Ringca__CertReply rep;
  ringca__cert_reply__init(&rep);
  rep.version = RC_WIRE_VERSION;
  rep.certificate_der.data = der;
  rep.certificate_der.len = 3;
  rep.n_chain_der = 2;
  rep.chain_der = chain;
  assert_int_equal(rc_pb_pack(&rep.base, &buf, &len), 0);
  text = protoc_decode("CertReply", buf, len);
  assert_contains(text, "certificate_der: \"0\\001\\000\"");
  free(buf);

  Ringca__CertRequest req;
  ringca__cert_request__init(&req);
  req.version = RC_WIRE_VERSION;
  req.profile = "server";
  req.csr_der.data = der;
  req.csr_der.len = 3;
  req.validity_days = 90;
  assert_int_equal(rc_pb_pack(&req.base, &buf, &len), 0);
  text = protoc_decode("CertRequest", buf, len);
  assert_contains(text, "profile: \"server\"");
  assert_contains(text, "validity_days: 90");
  free(buf);
}

static void test_unknown_version_refused(void **state) {
  (void)state;
  Ringca__LinkFrame lf;
  ringca__link_frame__init(&lf);
  lf.version = 2;
  lf.type = RINGCA__LINK_FRAME_TYPE__LINK_FRAME_TRANSPORT;
  uint8_t *buf;
  size_t len;
  assert_int_equal(rc_pb_pack(&lf.base, &buf, &len), 0);
  Ringca__LinkFrame *out;
  struct rc_wire_error err;
  assert_int_equal(rc_wire_decode_link_frame(buf, len, &out, &err),
                   RC_EVERSION);
  assert_string_equal(err.field, "LinkFrame.version");
  assert_null(out);
  free(buf);
}

static void test_repeated_field_limits_before_allocation(void **state) {
  (void)state;
  uint8_t id[16], sig[64];
  Ringca__Envelope *one = sample_envelope(id, sig);
  size_t n = RC_TOKEN_MAX_ENVELOPES + 1;
  Ringca__Envelope **envs = calloc(n, sizeof *envs);
  for (size_t i = 0; i < n; i++)
    envs[i] = one;
  Ringca__Token tok;
  ringca__token__init(&tok);
  tok.ring = "r";
  tok.n_envelopes = n;
  tok.envelopes = envs;
  Ringca__RingMessage msg;
  ringca__ring_message__init(&msg);
  msg.version = RC_WIRE_VERSION;
  msg.token = &tok;
  uint8_t *buf;
  size_t len;
  assert_int_equal(rc_pb_pack(&msg.base, &buf, &len), 0);
  Ringca__RingMessage *out;
  struct rc_wire_error err;
  assert_int_equal(rc_wire_decode_ring_message(buf, len, 1u << 20, &out, &err),
                   RC_ELIMIT);
  assert_string_equal(err.field, "Token.envelopes");
  /* The same bytes over the size limit are refused by size first. */
  assert_int_equal(rc_wire_decode_ring_message(buf, len, 1024, &out, &err),
                   RC_ETOOBIG);
  free(buf);
  free(envs);
}

static int decode_ring(const Ringca__RingMessage *msg,
                       struct rc_wire_error *err) {
  uint8_t *buf;
  size_t len;
  assert_int_equal(rc_pb_pack(&msg->base, &buf, &len), 0);
  Ringca__RingMessage *out = NULL;
  int rc = rc_wire_decode_ring_message(buf, len, 4096, &out, err);
  if (rc == 0) {
    assert_non_null(out);
    rc_pb_free(&out->base);
  }
  free(buf);
  return rc;
}

/* A RingMessage is a token or a want, never both, never neither; the want
 * names a ring like any other name field. */
static void test_ring_message_token_xor_want(void **state) {
  (void)state;
  struct rc_wire_error err;
  Ringca__RingMessage msg;
  ringca__ring_message__init(&msg);
  msg.version = RC_WIRE_VERSION;
  msg.want = "im1-fe";
  assert_int_equal(decode_ring(&msg, &err), 0);
  Ringca__Token tok;
  ringca__token__init(&tok);
  tok.ring = "im1-fe";
  tok.epoch = 1;
  msg.token = &tok;
  assert_int_equal(decode_ring(&msg, &err), RC_EMALFORMED);
  assert_string_equal(err.field, "RingMessage.want");
  msg.token = NULL;
  msg.want = "";
  assert_int_equal(decode_ring(&msg, &err), RC_EMALFORMED);
  assert_string_equal(err.field, "RingMessage.token");
  char longname[RC_NAME_MAX + 2];
  memset(longname, 'x', sizeof longname - 1);
  longname[sizeof longname - 1] = '\0';
  msg.want = longname;
  assert_int_equal(decode_ring(&msg, &err), RC_EMALFORMED);
  assert_string_equal(err.field, "RingMessage.want");
}

static void test_malformed_inputs(void **state) {
  (void)state;
  Ringca__LinkFrame *lf;
  struct rc_wire_error err;
  /* Truncated varint, length past the end, group wire type. */
  const uint8_t trunc[] = {0x08, 0x80};
  const uint8_t past[] = {0x2A, 0x10, 0x01};
  const uint8_t group[] = {0x0B};
  assert_int_equal(rc_wire_decode_link_frame(trunc, sizeof trunc, &lf, &err),
                   RC_EMALFORMED);
  assert_int_equal(rc_wire_decode_link_frame(past, sizeof past, &lf, &err),
                   RC_EMALFORMED);
  assert_int_equal(rc_wire_decode_link_frame(group, sizeof group, &lf, &err),
                   RC_EMALFORMED);
  /* A field repeated where the schema has one. */
  const uint8_t twice[] = {0x08, 0x01, 0x08, 0x01};
  assert_int_equal(rc_wire_decode_link_frame(twice, sizeof twice, &lf, &err),
                   RC_ELIMIT);
  assert_string_equal(err.field, "LinkFrame.version");
  /* Envelope with a short request id names the field. */
  uint8_t id[16], sig[64];
  Ringca__Envelope *env = sample_envelope(id, sig);
  env->request_id.len = 5;
  Ringca__Token tok;
  ringca__token__init(&tok);
  tok.ring = "r";
  tok.n_envelopes = 1;
  tok.envelopes = &env;
  Ringca__RingMessage msg;
  ringca__ring_message__init(&msg);
  msg.version = RC_WIRE_VERSION;
  msg.token = &tok;
  uint8_t *buf;
  size_t len;
  assert_int_equal(rc_pb_pack(&msg.base, &buf, &len), 0);
  Ringca__RingMessage *out;
  assert_int_equal(rc_wire_decode_ring_message(buf, len, 65536, &out, &err),
                   RC_EMALFORMED);
  assert_string_equal(err.field, "Envelope.request_id");
  free(buf);
}

/* The in-place views refuse and accept exactly what protobuf-c does, also
 * where protobuf-c is stricter than the prescan. */
static void test_link_views_match_protobuf_c(void **state) {
  (void)state;
  static const struct {
    const char *what;
    uint8_t bytes[12];
    size_t len;
    int rc;
  } cases[] = {
      {"tag padded to 6 bytes", {0x88, 0x80, 0x80, 0x80, 0x80, 0x00, 0x01}, 7,
       RC_EMALFORMED},
      {"length prefix padded to 6 bytes",
       {0x08, 0x01, 0x2a, 0x81, 0x80, 0x80, 0x80, 0x80, 0x00, 0x41}, 10,
       RC_EMALFORMED},
      {"session_id sent length-delimited",
       {0x08, 0x01, 0x10, 0x03, 0x1a, 0x00}, 6, RC_EMALFORMED},
      {"version 2^32 + 1 read as 1", {0x08, 0x81, 0x80, 0x80, 0x80, 0x10, 0x10,
                                      0x03}, 8, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    Ringca__LinkFrame *lf = NULL;
    struct rc_wire_link_frame v;
    struct rc_wire_error ea = {0}, eb = {0};
    int a = rc_wire_decode_link_frame(cases[i].bytes, cases[i].len, &lf, &ea);
    int b = rc_wire_view_link_frame(cases[i].bytes, cases[i].len, &v, &eb);
    if (a != cases[i].rc || b != cases[i].rc)
      fail_msg("%s: decode %d, view %d, expected %d", cases[i].what, a, b,
               cases[i].rc);
    if (a == 0) {
      assert_int_equal(v.version, lf->version);
      assert_int_equal(v.type, lf->type);
      rc_pb_free(&lf->base);
    } else {
      assert_string_equal(ea.field, "LinkFrame");
      assert_string_equal(eb.field, "LinkFrame");
    }
  }
  /* A sealed transport frame and its payload read the same both ways. */
  uint8_t body[40];
  memset(body, 0xA5, sizeof body);
  Ringca__LinkFrame lf;
  ringca__link_frame__init(&lf);
  lf.version = RC_WIRE_VERSION;
  lf.type = RINGCA__LINK_FRAME_TYPE__LINK_FRAME_TRANSPORT;
  lf.session_id = 0xdeadbeef;
  lf.counter = 1ull << 40;
  lf.body.data = body;
  lf.body.len = sizeof body;
  uint8_t *buf;
  size_t len;
  assert_int_equal(rc_pb_pack(&lf.base, &buf, &len), 0);
  struct rc_wire_link_frame v;
  assert_int_equal(rc_wire_view_link_frame(buf, len, &v, NULL), 0);
  assert_int_equal(v.session_id, 0xdeadbeef);
  assert_true(v.counter == 1ull << 40);
  assert_int_equal(v.body_len, sizeof body);
  assert_memory_equal(v.body, body, sizeof body);
  assert_true(v.body >= buf && v.body + v.body_len <= buf + len);
  free(buf);
  Ringca__LinkPayload lp;
  ringca__link_payload__init(&lp);
  lp.kind = RINGCA__LINK_PAYLOAD_KIND__LINK_PAYLOAD_DATA;
  lp.seq = 7;
  lp.ack = 6;
  lp.data.data = body;
  lp.data.len = 3;
  assert_int_equal(rc_pb_pack(&lp.base, &buf, &len), 0);
  struct rc_wire_link_payload p;
  assert_int_equal(rc_wire_view_link_payload(buf, len, 64, &p, NULL), 0);
  assert_int_equal(p.kind, RINGCA__LINK_PAYLOAD_KIND__LINK_PAYLOAD_DATA);
  assert_true(p.seq == 7 && p.ack == 6 && p.data_len == 3);
  struct rc_wire_error err;
  assert_int_equal(rc_wire_view_link_payload(buf, len, len - 1, &p, &err),
                   RC_ETOOBIG);
  assert_string_equal(err.field, "LinkPayload");
  free(buf);
}

/* The hand encoders write what protobuf-c packs, zero fields left out. */
static void test_link_encoders_match_protobuf_c(void **state) {
  (void)state;
  static const uint64_t values[] = {0, 1, 127, 128, 0xffffffffu,
                                    1ull << 35, UINT64_MAX};
  uint8_t body[200], a[300], b[300];
  memset(body, 0x5A, sizeof body);
  for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
    size_t blen = (size_t)(values[i] % sizeof body);
    Ringca__LinkFrame lf;
    ringca__link_frame__init(&lf);
    lf.version = (uint32_t)values[i];
    lf.type = (Ringca__LinkFrameType)(i % 4);
    lf.session_id = (uint32_t)values[i];
    lf.counter = values[i];
    lf.body.data = body;
    lf.body.len = blen;
    struct rc_wire_link_frame f = {lf.version, lf.type, lf.session_id,
                                   lf.counter, body, blen};
    size_t n = ringca__link_frame__pack(&lf, a);
    assert_int_equal(rc_wire_encode_link_frame(&f, b), n);
    assert_memory_equal(a, b, n);
    Ringca__LinkPayload lp;
    ringca__link_payload__init(&lp);
    lp.kind = (Ringca__LinkPayloadKind)(i % 4);
    lp.seq = values[i];
    lp.ack = values[sizeof values / sizeof values[0] - 1 - i];
    lp.data.data = body;
    lp.data.len = blen;
    struct rc_wire_link_payload p = {lp.kind, lp.seq, lp.ack, body, blen};
    n = ringca__link_payload__pack(&lp, a);
    assert_int_equal(rc_wire_encode_link_payload(&p, b), n);
    assert_memory_equal(a, b, n);
  }
}


/* Both RingMessage decoders on the same bytes: the same answer, code and
 * field; on success the same values. Returns the code. */
static int ring_both(const uint8_t *buf, size_t len, size_t max_bytes,
                     const char *field) {
  static struct rc_wire_ring_message v;
  Ringca__RingMessage *m = NULL;
  struct rc_wire_error ea = {0, NULL}, eb = {0, NULL};
  int a = rc_wire_decode_ring_message(buf, len, max_bytes, &m, &ea);
  int b = rc_wire_view_ring_message(buf, len, max_bytes, &v, &eb);
  assert_int_equal(a, b);
  assert_int_equal(ea.code, eb.code);
  if (a) {
    assert_non_null(ea.field);
    assert_string_equal(ea.field, eb.field);
    if (field)
      assert_string_equal(ea.field, field);
    return a;
  }
  assert_int_equal(v.has_token, m->token != NULL);
  if (m->token) {
    assert_int_equal(v.token.ring.len, strlen(m->token->ring));
    assert_memory_equal(v.token.ring.data, m->token->ring, v.token.ring.len);
    assert_int_equal(v.token.epoch, m->token->epoch);
    assert_int_equal(v.token.seq, m->token->seq);
    assert_int_equal(v.token.n_active_order, m->token->n_active_order);
    assert_int_equal(v.token.n_envelopes, m->token->n_envelopes);
  } else {
    assert_int_equal(v.want.len, strlen(m->want));
  }
  rc_wire_ring_message_release(&v);
  rc_pb_free(&m->base);
  return 0;
}

/* RingMessage{version 1, token{bytes}} around raw token bytes. */
static size_t wrap_token(const uint8_t *tok, size_t n, uint8_t *out) {
  size_t k = 0;
  out[k++] = 0x08;
  out[k++] = 0x01;
  out[k++] = 0x12;
  size_t v = n;
  while (v >= 0x80) {
    out[k++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  out[k++] = (uint8_t)v;
  memcpy(out + k, tok, n);
  return k + n;
}

static void test_ring_view_matches_decoder(void **state) {
  (void)state;
  uint8_t buf[8192];
  size_t n;
  /* A well-formed token with an envelope, and a want. */
  uint8_t id[16], sig[64];
  Ringca__Envelope *env = sample_envelope(id, sig);
  char *order[] = {"im1", "fe1"};
  Ringca__Token tok;
  ringca__token__init(&tok);
  tok.ring = "im1-fe";
  tok.epoch = 7;
  tok.seq = 300;
  tok.active_order = order;
  tok.n_active_order = 2;
  tok.envelopes = &env;
  tok.n_envelopes = 1;
  Ringca__RingMessage msg;
  ringca__ring_message__init(&msg);
  msg.version = RC_WIRE_VERSION;
  msg.token = &tok;
  n = ringca__ring_message__pack(&msg, buf);
  assert_int_equal(ring_both(buf, n, 4096, NULL), 0);
  msg.version = 2;
  n = ringca__ring_message__pack(&msg, buf);
  assert_int_equal(ring_both(buf, n, 4096, "RingMessage.version"),
                   RC_EVERSION);
  const uint8_t want[] = {0x08, 0x01, 0x1A, 0x03, 'i', 'm', '1'};
  assert_int_equal(ring_both(want, sizeof want, 4096, NULL), 0);

  /* Names: a NUL anywhere in one is refused by both (protobuf-c's C string
   * would silently end there), a want starting with NUL is a bad want, not
   * none, and an empty active_order entry is refused. */
  const uint8_t ring_nul[] = {0x0A, 0x03, 'r', 0x00, 'x', 0x10, 0x01};
  n = wrap_token(ring_nul, sizeof ring_nul, buf);
  assert_int_equal(ring_both(buf, n, 4096, "Token.ring"), RC_EMALFORMED);
  const uint8_t order_nul[] = {0x0A, 0x01, 'r', 0x22, 0x02, 'a', 0x00};
  n = wrap_token(order_nul, sizeof order_nul, buf);
  assert_int_equal(ring_both(buf, n, 4096, "Token.active_order"),
                   RC_EMALFORMED);
  const uint8_t order_empty[] = {0x0A, 0x01, 'r', 0x22, 0x00};
  n = wrap_token(order_empty, sizeof order_empty, buf);
  assert_int_equal(ring_both(buf, n, 4096, "Token.active_order"),
                   RC_EMALFORMED);
  const uint8_t want_nul[] = {0x08, 0x01, 0x1A, 0x02, 0x00, 'x'};
  assert_int_equal(ring_both(want_nul, sizeof want_nul, 4096,
                             "RingMessage.want"),
                   RC_EMALFORMED);
  const uint8_t want_empty[] = {0x08, 0x01, 0x1A, 0x00};
  assert_int_equal(ring_both(want_empty, sizeof want_empty, 4096,
                             "RingMessage.token"),
                   RC_EMALFORMED);
  uint8_t both[64];
  const uint8_t ring_r[] = {0x0A, 0x01, 'r'};
  size_t m = wrap_token(ring_r, sizeof ring_r, both);
  both[m++] = 0x1A;
  both[m++] = 0x01;
  both[m++] = 0x00; /* want "\0" beside a token */
  assert_int_equal(ring_both(both, m, 4096, "RingMessage.want"),
                   RC_EMALFORMED);

  /* What protobuf-c refuses and the prescan lets through: a 6-byte tag, a
   * 6-byte length prefix, a field with the wrong wire type, inside the
   * token. The decoder names these "RingMessage" (its unpack failed). */
  const uint8_t long_tag[] = {0x0A, 0x01, 'r', 0x90, 0x80, 0x80,
                              0x80, 0x80, 0x00, 0x01};
  n = wrap_token(long_tag, sizeof long_tag, buf);
  assert_int_equal(ring_both(buf, n, 4096, "RingMessage"), RC_EMALFORMED);
  const uint8_t long_len[] = {0x0A, 0x81, 0x80, 0x80, 0x80, 0x80, 0x00, 'r'};
  n = wrap_token(long_len, sizeof long_len, buf);
  assert_int_equal(ring_both(buf, n, 4096, "RingMessage"), RC_EMALFORMED);
  const uint8_t order_varint[] = {0x0A, 0x01, 'r', 0x20, 0x01};
  n = wrap_token(order_varint, sizeof order_varint, buf);
  assert_int_equal(ring_both(buf, n, 4096, "RingMessage"), RC_EMALFORMED);
  const uint8_t token_varint[] = {0x08, 0x01, 0x10, 0x01};
  assert_int_equal(ring_both(token_varint, sizeof token_varint, 4096,
                             "RingMessage"),
                   RC_EMALFORMED);
  /* An envelope protobuf-c cannot unpack (its own tag over 5 bytes). */
  const uint8_t bad_env[] = {0x0A, 0x01, 'r', 0x2A, 0x07, 0x88, 0x80,
                             0x80, 0x80, 0x80, 0x00, 0x01};
  n = wrap_token(bad_env, sizeof bad_env, buf);
  assert_int_equal(ring_both(buf, n, 4096, "RingMessage"), RC_EMALFORMED);

  /* Caps: 129 active_order entries. */
  uint8_t many[1024];
  size_t k = 0;
  many[k++] = 0x0A;
  many[k++] = 0x01;
  many[k++] = 'r';
  for (size_t i = 0; i <= RC_TOKEN_MAX_ORDER; i++) {
    many[k++] = 0x22;
    many[k++] = 0x01;
    many[k++] = 'a';
  }
  n = wrap_token(many, k, buf);
  assert_int_equal(ring_both(buf, n, 4096, "Token.active_order"), RC_ELIMIT);
}

/* protobuf-c's allocation budget (8 x max_bytes + 4 KiB) binds before the
 * field caps on many small unknown fields or empty envelopes: the view
 * must refuse at exactly the same count, at both levels. */
static void test_ring_view_allocation_budget(void **state) {
  (void)state;
  static const struct {
    size_t max_bytes;
    uint8_t field[2]; /* repeated k times */
    bool in_token;
  } cases[] = {
      {512, {0x78, 0x00}, true},   /* Token field 15, varint 0 */
      {512, {0x2A, 0x00}, true},   /* empty envelopes */
      {512, {0x78, 0x00}, false},  /* RingMessage field 15 */
      {3968, {0x78, 0x00}, true},
      {3968, {0x2A, 0x00}, true},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    bool accepted = false, refused = false;
    for (size_t k = 0; k < 1900; k++) {
      uint8_t tok[4096], buf[4200];
      size_t t = 0, n;
      tok[t++] = 0x0A;
      tok[t++] = 0x01;
      tok[t++] = 'r';
      for (size_t i = 0; cases[c].in_token && i < k; i++) {
        tok[t++] = cases[c].field[0];
        tok[t++] = cases[c].field[1];
      }
      n = wrap_token(tok, t, buf);
      for (size_t i = 0; !cases[c].in_token && i < k; i++) {
        buf[n++] = cases[c].field[0];
        buf[n++] = cases[c].field[1];
      }
      if (n > cases[c].max_bytes)
        break;
      int rc = ring_both(buf, n, cases[c].max_bytes, NULL);
      if (rc == 0)
        accepted = true;
      else if (rc == RC_EMALFORMED)
        refused = true;
      /* Empty envelopes fail their own checks once unpacked. */
    }
    assert_true(accepted || cases[c].field[0] == 0x2A);
    assert_true(refused);
  }
}

/* The token header by hand is byte for byte protobuf-c's pack. */
static void test_token_header_matches_protobuf_c(void **state) {
  (void)state;
  static char names[RC_TOKEN_MAX_ORDER][RC_NAME_MAX + 1];
  char *ptrs[RC_TOKEN_MAX_ORDER];
  struct rc_wire_name views[RC_TOKEN_MAX_ORDER];
  for (size_t i = 0; i < RC_TOKEN_MAX_ORDER; i++) {
    size_t len = 1 + (i * 7) % RC_NAME_MAX;
    memset(names[i], 'a' + (int)(i % 26), len);
    names[i][len] = '\0';
    ptrs[i] = names[i];
    views[i].data = names[i];
    views[i].len = len;
  }
  static const uint64_t values[] = {0, 1, 127, 128, 300, 1ull << 35,
                                    UINT64_MAX};
  static const char *rings[] = {"", "r", "im1-fe"};
  static const size_t counts[] = {0, 1, 2, 6, RC_TOKEN_MAX_ORDER};
  static uint8_t a[16384], b[16384];
  for (size_t r = 0; r < 3; r++)
    for (size_t e = 0; e < 7; e++)
      for (size_t s = 0; s < 7; s++)
        for (size_t c = 0; c < 5; c++) {
          Ringca__Token tok;
          ringca__token__init(&tok);
          tok.ring = (char *)rings[r];
          tok.epoch = values[e];
          tok.seq = values[(s + 3) % 7];
          tok.active_order = ptrs;
          tok.n_active_order = counts[c];
          struct rc_wire_token w = {{rings[r], strlen(rings[r])},
                                    tok.epoch,
                                    tok.seq,
                                    views,
                                    counts[c],
                                    NULL,
                                    0};
          size_t n = ringca__token__pack(&tok, a);
          assert_int_equal(rc_wire_token_header_size(&w), n);
          assert_int_equal(rc_wire_encode_token_header(&w, b), n);
          assert_memory_equal(a, b, n);
        }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ring_message_is_standard_protobuf),
      cmocka_unit_test(test_link_and_cert_messages_are_standard),
      cmocka_unit_test(test_unknown_version_refused),
      cmocka_unit_test(test_repeated_field_limits_before_allocation),
      cmocka_unit_test(test_ring_message_token_xor_want),
      cmocka_unit_test(test_malformed_inputs),
      cmocka_unit_test(test_link_views_match_protobuf_c),
      cmocka_unit_test(test_link_encoders_match_protobuf_c),
      cmocka_unit_test(test_ring_view_matches_decoder),
      cmocka_unit_test(test_ring_view_allocation_budget),
      cmocka_unit_test(test_token_header_matches_protobuf_c),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
