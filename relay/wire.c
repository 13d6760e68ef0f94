#include "ringca/wire.h"

#include <stdbool.h>
#include <string.h>

#include "ringca/error.h"
#include "ringca/limits.h"
#include "ringca/pb.h"

/* Handshake and header fields are tiny; a frame is bounded by the framer. */
#define LINK_FRAME_MAX (RC_FRAME_PAYLOAD_LIMIT)
#define RC_PB_WIRE_LEN PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED
#define HANDSHAKE_PAYLOAD_MAX 512u

static int fail(struct rc_wire_error *err, int code, const char *field) {
  if (err) {
    err->code = code;
    err->field = field;
  }
  return code;
}

static int ok(struct rc_wire_error *err) { return fail(err, 0, NULL); }

/* The field a prescan error names: field_names[bad], else the message. */
static int scan_fail(struct rc_wire_error *err, int rc, uint32_t bad,
                     const char *what, const char *const *field_names,
                     size_t nnames) {
  const char *field = what;
  if (bad > 0 && bad < nnames && field_names[bad])
    field = field_names[bad];
  return fail(err, rc, field);
}

/* Unpacks after one prescan; names `what` when the prescan or unpack fails. */
static int unpack(const ProtobufCMessageDescriptor *desc,
                  const struct rc_pb_limits *lim, const uint8_t *buf,
                  size_t len, ProtobufCMessage **out, const char *what,
                  const char *const *field_names, size_t nnames,
                  struct rc_wire_error *err) {
  uint32_t bad = 0;
  int rc = rc_pb_prescan(lim, buf, len, &bad);
  if (rc != 0)
    return scan_fail(err, rc, bad, what, field_names, nnames);
  rc = rc_pb_unpack_scanned(desc, lim, buf, len, out);
  return rc ? fail(err, rc, what) : 0;
}

static int check_name(const char *name, bool required) {
  size_t n = name ? strlen(name) : 0;
  if (n > RC_NAME_MAX || (required && n == 0))
    return RC_EMALFORMED;
  return 0;
}

static const struct rc_pb_field_limit link_frame_caps[] = {
    {1, 1}, {2, 1}, {3, 1}, {4, 1}, {5, 1}};
static const char *const link_frame_names[] = {
    NULL,        "LinkFrame.version", "LinkFrame.type", "LinkFrame.session_id",
    "LinkFrame.counter", "LinkFrame.body"};

/* protobuf-c's unpack of a bytes field: a copy of a non-empty value. */
static size_t bytes_cost(const struct rc_pb_view_field *f) {
  return f->present ? f->len : 0;
}

/* What the decoder's unpack of one flat message would allocate, charged to
 * the same budget, so the view refuses what the decoder refuses (many
 * small unknown fields cost protobuf-c far more than their bytes). */
static bool within_budget(const struct rc_pb_limits *lim, size_t sizeof_msg,
                          const struct rc_pb_view_stats *st, size_t bytes) {
  struct rc_pb_budget b;
  rc_pb_budget_init(&b, lim);
  return rc_pb_budget_take(&b, rc_pb_level_cost(sizeof_msg, st) + bytes);
}

/* The walk shared by the link views: a flat message whose last field is
 * its one bytes field, refused exactly where the decoder's unpack would
 * refuse it. */
static int view_flat(const struct rc_pb_limits *lim, const uint8_t *buf,
                     size_t len, struct rc_pb_view_field *f, size_t nf,
                     size_t sizeof_msg, const char *what,
                     const char *const *names, struct rc_wire_error *err) {
  uint32_t bad = 0;
  bool unpackable;
  struct rc_pb_view_stats st;
  int rc = rc_pb_view_stats(lim, buf, len, f, nf, &st, &bad, &unpackable);
  if (rc)
    return scan_fail(err, rc, bad, what, names, nf + 1);
  if (!unpackable ||
      !within_budget(lim, sizeof_msg, &st, bytes_cost(&f[nf - 1])))
    return fail(err, RC_EMALFORMED, what);
  return 0;
}

/* The checks past the wire format, shared by the view and the decoder. */
static int check_link_frame(uint32_t version, int type,
                            struct rc_wire_error *err) {
  if (version != RC_WIRE_VERSION)
    return fail(err, RC_EVERSION, "LinkFrame.version");
  if (type < RINGCA__LINK_FRAME_TYPE__LINK_FRAME_HANDSHAKE_INIT ||
      type > RINGCA__LINK_FRAME_TYPE__LINK_FRAME_TRANSPORT)
    return fail(err, RC_EMALFORMED, "LinkFrame.type");
  return 0;
}

int rc_wire_view_link_frame(const uint8_t *buf, size_t len,
                            struct rc_wire_link_frame *out,
                            struct rc_wire_error *err) {
  struct rc_pb_limits lim = {LINK_FRAME_MAX, link_frame_caps, 5, 0};
  struct rc_pb_view_field f[5] = {{.wire = PROTOBUF_C_WIRE_TYPE_VARINT},
                                  {.wire = PROTOBUF_C_WIRE_TYPE_VARINT},
                                  {.wire = PROTOBUF_C_WIRE_TYPE_32BIT},
                                  {.wire = PROTOBUF_C_WIRE_TYPE_64BIT},
                                  {.wire = RC_PB_WIRE_LEN}};
  memset(out, 0, sizeof *out);
  int rc = view_flat(&lim, buf, len, f, 5, sizeof(Ringca__LinkFrame),
                     "LinkFrame", link_frame_names, err);
  if (rc)
    return rc;
  /* Truncation to 32 bits as protobuf-c does for uint32 and enum fields. */
  uint32_t version = (uint32_t)f[0].u;
  int type = (int)(int32_t)(uint32_t)f[1].u;
  if ((rc = check_link_frame(version, type, err)) != 0)
    return rc;
  out->version = version;
  out->type = (Ringca__LinkFrameType)type;
  out->session_id = (uint32_t)f[2].u;
  out->counter = f[3].u;
  out->body = f[4].data;
  out->body_len = f[4].len;
  return ok(err);
}

int rc_wire_decode_link_frame(const uint8_t *buf, size_t len,
                              Ringca__LinkFrame **out,
                              struct rc_wire_error *err) {
  struct rc_pb_limits lim = {LINK_FRAME_MAX, link_frame_caps, 5, 0};
  *out = NULL;
  int rc = unpack(&ringca__link_frame__descriptor, &lim, buf, len,
                  (ProtobufCMessage **)out, "LinkFrame", link_frame_names, 6,
                  err);
  if (rc)
    return rc;
  rc = check_link_frame((*out)->version, (int)(*out)->type, err);
  if (rc) {
    rc_pb_free(&(*out)->base);
    *out = NULL;
    return rc;
  }
  return ok(err);
}

static const struct rc_pb_field_limit link_payload_caps[] = {
    {1, 1}, {2, 1}, {3, 1}, {4, 1}};
static const char *const link_payload_names[] = {
    NULL, "LinkPayload.kind", "LinkPayload.seq", "LinkPayload.ack",
    "LinkPayload.data"};

static bool link_payload_kind_ok(int kind) {
  return kind >= RINGCA__LINK_PAYLOAD_KIND__LINK_PAYLOAD_DATA &&
         kind <= RINGCA__LINK_PAYLOAD_KIND__LINK_PAYLOAD_HEARTBEAT;
}

int rc_wire_view_link_payload(const uint8_t *buf, size_t len,
                              size_t max_bytes,
                              struct rc_wire_link_payload *out,
                              struct rc_wire_error *err) {
  struct rc_pb_limits lim = {max_bytes, link_payload_caps, 4, 0};
  struct rc_pb_view_field f[4] = {{.wire = PROTOBUF_C_WIRE_TYPE_VARINT},
                                  {.wire = PROTOBUF_C_WIRE_TYPE_VARINT},
                                  {.wire = PROTOBUF_C_WIRE_TYPE_VARINT},
                                  {.wire = RC_PB_WIRE_LEN}};
  memset(out, 0, sizeof *out);
  int rc = view_flat(&lim, buf, len, f, 4, sizeof(Ringca__LinkPayload),
                     "LinkPayload", link_payload_names, err);
  if (rc)
    return rc;
  int kind = (int)(int32_t)(uint32_t)f[0].u;
  if (!link_payload_kind_ok(kind))
    return fail(err, RC_EMALFORMED, "LinkPayload.kind");
  out->kind = (Ringca__LinkPayloadKind)kind;
  out->seq = f[1].u;
  out->ack = f[2].u;
  out->data = f[3].data;
  out->data_len = f[3].len;
  return ok(err);
}

int rc_wire_decode_link_payload(const uint8_t *buf, size_t len,
                                size_t max_bytes, Ringca__LinkPayload **out,
                                struct rc_wire_error *err) {
  struct rc_pb_limits lim = {max_bytes, link_payload_caps, 4, 0};
  *out = NULL;
  int rc = unpack(&ringca__link_payload__descriptor, &lim, buf, len,
                  (ProtobufCMessage **)out, "LinkPayload", link_payload_names,
                  5, err);
  if (rc)
    return rc;
  if (!link_payload_kind_ok((int)(*out)->kind)) {
    rc_pb_free(&(*out)->base);
    *out = NULL;
    return fail(err, RC_EMALFORMED, "LinkPayload.kind");
  }
  return ok(err);
}

/* ------------------------------------------------- link encoders, by hand */

static size_t put_varint(uint8_t *out, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    out[n++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  out[n++] = (uint8_t)v;
  return n;
}

static size_t varint_size(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

static size_t put_fixed(uint8_t *out, uint64_t v, size_t width) {
  for (size_t b = 0; b < width; b++)
    out[b] = (uint8_t)(v >> (8 * b));
  return width;
}

/* As protobuf-c packs proto3: fields in number order, zero values left
 * out; an enum is an int32, so a negative one takes 10 bytes. */
static size_t put_varint_field(uint8_t *out, uint8_t tag, uint64_t v) {
  if (!v)
    return 0;
  out[0] = tag;
  return 1 + put_varint(out + 1, v);
}

static size_t put_fixed_field(uint8_t *out, uint8_t tag, uint64_t v,
                              size_t width) {
  if (!v)
    return 0;
  out[0] = tag;
  return 1 + put_fixed(out + 1, v, width);
}

static size_t put_bytes_field(uint8_t *out, uint8_t tag, const uint8_t *data,
                              size_t len) {
  if (!len)
    return 0;
  out[0] = tag;
  size_t n = 1 + put_varint(out + 1, len);
  memcpy(out + n, data, len);
  return n + len;
}

size_t rc_wire_encode_link_frame(const struct rc_wire_link_frame *f,
                                 uint8_t *out) {
  size_t n = put_varint_field(out, 0x08, f->version);
  n += put_varint_field(out + n, 0x10, (uint64_t)(int64_t)(int)f->type);
  n += put_fixed_field(out + n, 0x1D, f->session_id, 4);
  n += put_fixed_field(out + n, 0x21, f->counter, 8);
  return n + put_bytes_field(out + n, 0x2A, f->body, f->body_len);
}

size_t rc_wire_encode_link_payload(const struct rc_wire_link_payload *p,
                                   uint8_t *out) {
  size_t n = put_varint_field(out, 0x08, (uint64_t)(int64_t)(int)p->kind);
  n += put_varint_field(out + n, 0x10, p->seq);
  n += put_varint_field(out + n, 0x18, p->ack);
  return n + put_bytes_field(out + n, 0x22, p->data, p->data_len);
}

int rc_wire_decode_handshake_payload(const uint8_t *buf, size_t len,
                                     Ringca__HandshakePayload **out,
                                     struct rc_wire_error *err) {
  static const struct rc_pb_field_limit caps[] = {{1, 1}, {2, 1}};
  static const char *const names[] = {NULL, "HandshakePayload.version",
                                      "HandshakePayload.node"};
  struct rc_pb_limits lim = {HANDSHAKE_PAYLOAD_MAX, caps, 2, 0};
  *out = NULL;
  int rc = unpack(&ringca__handshake_payload__descriptor, &lim, buf, len,
                  (ProtobufCMessage **)out, "HandshakePayload", names, 3, err);
  if (rc)
    return rc;
  if ((*out)->version != RC_WIRE_VERSION)
    rc = fail(err, RC_EVERSION, "HandshakePayload.version");
  else if (check_name((*out)->node, true))
    rc = fail(err, RC_EMALFORMED, "HandshakePayload.node");
  if (rc) {
    rc_pb_free(&(*out)->base);
    *out = NULL;
    return rc;
  }
  return ok(err);
}

static int check_envelope(const Ringca__Envelope *env,
                          struct rc_wire_error *err) {
  if (env->version != RC_WIRE_VERSION)
    return fail(err, RC_EVERSION, "Envelope.version");
  if (env->request_id.len != RC_REQUEST_ID_LEN)
    return fail(err, RC_EMALFORMED, "Envelope.request_id");
  if (check_name(env->origin, true))
    return fail(err, RC_EMALFORMED, "Envelope.origin");
  if (check_name(env->destination, true))
    return fail(err, RC_EMALFORMED, "Envelope.destination");
  if (env->kind < RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REQUEST ||
      env->kind > RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REFUSAL)
    return fail(err, RC_EMALFORMED, "Envelope.kind");
  if (env->payload.len > RC_CERT_MESSAGE_MAX)
    return fail(err, RC_ETOOBIG, "Envelope.payload");
  if (env->signature.len != RC_SIGNATURE_LEN)
    return fail(err, RC_EMALFORMED, "Envelope.signature");
  return 0;
}

static const struct rc_pb_field_limit ring_caps[] = {{1, 1}, {2, 1}, {3, 1}};
static const struct rc_pb_field_limit token_caps[] = {
    {1, 1}, {2, 1}, {3, 1}, {4, RC_TOKEN_MAX_ORDER}, {5, RC_TOKEN_MAX_ENVELOPES}};
static const char *const token_names[] = {
    NULL,         "Token.ring",         "Token.epoch",
    "Token.seq",  "Token.active_order", "Token.envelopes"};

static const char *ring_scan_field(uint32_t bad) {
  return bad == 2 ? "RingMessage.token" : bad == 3 ? "RingMessage.want"
                                                   : "RingMessage";
}

static const char *token_scan_field(uint32_t bad) {
  return bad > 0 && bad < 6 ? token_names[bad] : "RingMessage.token";
}

/* A ring or node name as protobuf-c unpacked it, with its wire bytes: a
 * NUL inside shortens the C string, so its length gives it away. */
static int check_wire_name(const char *name, size_t wire_len) {
  if (check_name(name, true) || strlen(name) != wire_len)
    return RC_EMALFORMED;
  return 0;
}

int rc_wire_decode_ring_message(const uint8_t *buf, size_t len,
                                size_t max_bytes, Ringca__RingMessage **out,
                                struct rc_wire_error *err) {
  struct rc_pb_limits lim = {max_bytes, ring_caps, 3, 0};
  struct rc_pb_limits token_lim = {max_bytes, token_caps, 5, 0};
  struct rc_pb_view_field f[3] = {{.wire = PROTOBUF_C_WIRE_TYPE_VARINT},
                                  {.wire = RC_PB_WIRE_LEN},
                                  {.wire = RC_PB_WIRE_LEN}};
  struct rc_pb_span order[RC_TOKEN_MAX_ORDER];
  struct rc_pb_view_field tf[4] = {
      {.wire = RC_PB_WIRE_LEN},
      {.wire = PROTOBUF_C_WIRE_TYPE_VARINT},
      {.wire = PROTOBUF_C_WIRE_TYPE_VARINT},
      {.wire = RC_PB_WIRE_LEN, .items = order, .max_items = RC_TOKEN_MAX_ORDER}};
  uint32_t bad = 0;
  bool unpackable;
  *out = NULL;

  /* The prescan of the outer message finds the token in the same walk;
   * a token with another wire type is left to the unpack to refuse. The
   * views keep the names' wire lengths, to refuse a NUL inside one. */
  int rc = rc_pb_view(&lim, buf, len, f, 3, &bad, &unpackable);
  if (rc)
    return fail(err, rc, ring_scan_field(bad));
  const uint8_t *tok = f[1].data;
  size_t tok_len = f[1].len;
  if (tok && (rc = rc_pb_view(&token_lim, tok, tok_len, tf, 4, &bad,
                              &unpackable)) != 0)
    return fail(err, rc, token_scan_field(bad));
  /* Both levels are prescanned: unpack without walking them again. */
  rc = rc_pb_unpack_scanned(&ringca__ring_message__descriptor, &lim, buf, len,
                            (ProtobufCMessage **)out);
  if (rc)
    return fail(err, rc, "RingMessage");
  Ringca__RingMessage *m = *out;
  Ringca__Token *t = m->token;
  /* A want is there when its bytes are: one that starts with a NUL is a
   * bad want, not none. */
  bool want = f[2].len > 0;
  if (m->version != RC_WIRE_VERSION)
    rc = fail(err, RC_EVERSION, "RingMessage.version");
  else if (t && want)
    rc = fail(err, RC_EMALFORMED, "RingMessage.want");
  else if (want && check_wire_name(m->want, f[2].len))
    rc = fail(err, RC_EMALFORMED, "RingMessage.want");
  else if (!t && !want)
    rc = fail(err, RC_EMALFORMED, "RingMessage.token");
  else if (t && check_wire_name(t->ring, tf[0].len))
    rc = fail(err, RC_EMALFORMED, "Token.ring");
  /* A successful unpack saw every active_order with its wire type, so the
   * view holds them all, in the same order. */
  for (size_t i = 0; rc == 0 && t && i < t->n_active_order; i++)
    if (check_wire_name(t->active_order[i], order[i].len))
      rc = fail(err, RC_EMALFORMED, "Token.active_order");
  for (size_t i = 0; rc == 0 && t && i < t->n_envelopes; i++)
    rc = check_envelope(t->envelopes[i], err);
  if (rc) {
    rc_pb_free(&m->base);
    *out = NULL;
    return rc;
  }
  return ok(err);
}

static bool wire_name_ok(const uint8_t *p, size_t n) {
  return n > 0 && n <= RC_NAME_MAX && !memchr(p, 0, n);
}

bool rc_wire_name_is(const char *name, struct rc_wire_name v) {
  return strncmp(name, v.data, v.len) == 0 && name[v.len] == '\0';
}

static struct rc_wire_name name_view(const struct rc_pb_view_field *f) {
  struct rc_wire_name v = {(const char *)f->data, f->len};
  return v;
}

static void drop_envelopes(struct rc_wire_ring_message *m) {
  for (size_t i = 0; i < m->token.n_envelopes; i++)
    rc_pb_free(&m->envelopes_[i]->base);
  m->token.n_envelopes = 0;
}

void rc_wire_ring_message_release(struct rc_wire_ring_message *m) {
  drop_envelopes(m);
}

/* protobuf-c's unpack of a string field: a copy with a NUL after it. */
static size_t string_cost(const struct rc_pb_view_field *f) {
  return f->present ? f->len + 1 : 0;
}

int rc_wire_view_ring_message(const uint8_t *buf, size_t len,
                              size_t max_bytes,
                              struct rc_wire_ring_message *out,
                              struct rc_wire_error *err) {
  struct rc_pb_limits lim = {max_bytes, ring_caps, 3, 0};
  struct rc_pb_limits token_lim = {max_bytes, token_caps, 5, 0};
  struct rc_pb_view_field f[3] = {{.wire = PROTOBUF_C_WIRE_TYPE_VARINT},
                                  {.wire = RC_PB_WIRE_LEN},
                                  {.wire = RC_PB_WIRE_LEN}};
  struct rc_pb_span order[RC_TOKEN_MAX_ORDER], envs[RC_TOKEN_MAX_ENVELOPES];
  struct rc_pb_view_field tf[5] = {
      {.wire = RC_PB_WIRE_LEN},
      {.wire = PROTOBUF_C_WIRE_TYPE_VARINT},
      {.wire = PROTOBUF_C_WIRE_TYPE_VARINT},
      {.wire = RC_PB_WIRE_LEN, .items = order, .max_items = RC_TOKEN_MAX_ORDER},
      {.wire = RC_PB_WIRE_LEN, .items = envs,
       .max_items = RC_TOKEN_MAX_ENVELOPES}};
  struct rc_pb_view_stats ring_st, tok_st;
  uint32_t bad = 0;
  bool ring_ok, tok_ok = true;
  struct rc_wire_token *t = &out->token;
  out->has_token = false;
  t->n_envelopes = 0;

  /* The same walks, in the same order, as rc_wire_decode_ring_message's
   * prescans: a limit broken is named the same way. */
  int rc = rc_pb_view_stats(&lim, buf, len, f, 3, &ring_st, &bad, &ring_ok);
  if (rc)
    return fail(err, rc, ring_scan_field(bad));
  bool has_token = f[1].present;
  if (has_token && (rc = rc_pb_view_stats(&token_lim, f[1].data, f[1].len, tf,
                                          5, &tok_st, &bad, &tok_ok)) != 0)
    return fail(err, rc, token_scan_field(bad));
  /* What protobuf-c's unpack would refuse, the decoder names "RingMessage":
   * a tag or length over 5 bytes or a field with the wrong wire type at
   * either level, and more allocation than the budget allows. protobuf-c
   * does not check UTF-8 (1.4), so neither does this. */
  if (!ring_ok || !tok_ok)
    return fail(err, RC_EMALFORMED, "RingMessage");
  struct rc_pb_budget budget;
  rc_pb_budget_init(&budget, &lim);
  size_t cost = rc_pb_level_cost(sizeof(Ringca__RingMessage), &ring_st) +
                string_cost(&f[2]);
  if (has_token) {
    cost += rc_pb_level_cost(sizeof(Ringca__Token), &tok_st) +
            string_cost(&tf[0]);
    if (tf[3].n)
      cost += tf[3].n * sizeof(char *);
    for (size_t i = 0; i < tf[3].n; i++)
      cost += order[i].len + 1;
    if (tf[4].n)
      cost += tf[4].n * sizeof(Ringca__Envelope *);
  }
  if (!rc_pb_budget_take(&budget, cost))
    return fail(err, RC_EMALFORMED, "RingMessage");
  for (size_t i = 0; has_token && i < tf[4].n; i++) {
    ProtobufCMessage *e;
    if (rc_pb_unpack_budget(&ringca__envelope__descriptor, &budget,
                            envs[i].data, envs[i].len, &e) != 0) {
      drop_envelopes(out);
      return fail(err, RC_EMALFORMED, "RingMessage");
    }
    out->envelopes_[t->n_envelopes++] = (Ringca__Envelope *)e;
  }

  /* The checks past the wire format, in rc_wire_decode_ring_message's
   * order. */
  uint32_t version = (uint32_t)f[0].u;
  bool want = f[2].len > 0;
  if (version != RC_WIRE_VERSION)
    rc = fail(err, RC_EVERSION, "RingMessage.version");
  else if (has_token && want)
    rc = fail(err, RC_EMALFORMED, "RingMessage.want");
  else if (want && !wire_name_ok(f[2].data, f[2].len))
    rc = fail(err, RC_EMALFORMED, "RingMessage.want");
  else if (!has_token && !want)
    rc = fail(err, RC_EMALFORMED, "RingMessage.token");
  else if (has_token && !wire_name_ok(tf[0].data, tf[0].len))
    rc = fail(err, RC_EMALFORMED, "Token.ring");
  for (size_t i = 0; rc == 0 && has_token && i < tf[3].n; i++)
    if (!wire_name_ok(order[i].data, order[i].len))
      rc = fail(err, RC_EMALFORMED, "Token.active_order");
  for (size_t i = 0; rc == 0 && i < t->n_envelopes; i++)
    rc = check_envelope(out->envelopes_[i], err);
  if (rc) {
    drop_envelopes(out);
    return rc;
  }

  out->version = version;
  out->has_token = has_token;
  out->want = name_view(&f[2]);
  t->envelopes = out->envelopes_;
  if (!has_token) {
    t->ring.data = NULL;
    t->ring.len = 0;
    t->epoch = t->seq = 0;
    t->active_order = out->order_;
    t->n_active_order = 0;
    return ok(err);
  }
  t->ring = name_view(&tf[0]);
  t->epoch = tf[1].u;
  t->seq = tf[2].u;
  for (size_t i = 0; i < tf[3].n; i++) {
    out->order_[i].data = (const char *)order[i].data;
    out->order_[i].len = order[i].len;
  }
  t->active_order = out->order_;
  t->n_active_order = tf[3].n;
  return ok(err);
}

/* As protobuf-c packs a proto3 Token: ring unless empty, epoch and seq
 * unless 0, then every active_order entry (repeated strings are packed
 * even when empty). */
size_t rc_wire_token_header_size(const struct rc_wire_token *t) {
  size_t n = 0;
  if (t->ring.len)
    n += 1 + varint_size(t->ring.len) + t->ring.len;
  if (t->epoch)
    n += 1 + varint_size(t->epoch);
  if (t->seq)
    n += 1 + varint_size(t->seq);
  for (size_t i = 0; i < t->n_active_order; i++)
    n += 1 + varint_size(t->active_order[i].len) + t->active_order[i].len;
  return n;
}

size_t rc_wire_encode_token_header(const struct rc_wire_token *t,
                                   uint8_t *out) {
  size_t n = put_bytes_field(out, 0x0A, (const uint8_t *)t->ring.data,
                             t->ring.len);
  n += put_varint_field(out + n, 0x10, t->epoch);
  n += put_varint_field(out + n, 0x18, t->seq);
  for (size_t i = 0; i < t->n_active_order; i++) {
    out[n++] = 0x22;
    n += put_varint(out + n, t->active_order[i].len);
    if (t->active_order[i].len)
      memcpy(out + n, t->active_order[i].data, t->active_order[i].len);
    n += t->active_order[i].len;
  }
  return n;
}

int rc_wire_decode_cert_request(const uint8_t *buf, size_t len,
                                Ringca__CertRequest **out,
                                struct rc_wire_error *err) {
  static const struct rc_pb_field_limit caps[] = {{1, 1}, {2, 1}, {3, 1},
                                                  {4, 1}};
  static const char *const names[] = {NULL, "CertRequest.version",
                                      "CertRequest.profile",
                                      "CertRequest.csr_der",
                                      "CertRequest.validity_days"};
  struct rc_pb_limits lim = {RC_CERT_MESSAGE_MAX, caps, 4, 0};
  *out = NULL;
  int rc = unpack(&ringca__cert_request__descriptor, &lim, buf, len,
                  (ProtobufCMessage **)out, "CertRequest", names, 5, err);
  if (rc)
    return rc;
  if ((*out)->version != RC_WIRE_VERSION)
    rc = fail(err, RC_EVERSION, "CertRequest.version");
  else if (check_name((*out)->profile, true))
    rc = fail(err, RC_EMALFORMED, "CertRequest.profile");
  else if ((*out)->csr_der.len == 0)
    rc = fail(err, RC_EMALFORMED, "CertRequest.csr_der");
  if (rc) {
    rc_pb_free(&(*out)->base);
    *out = NULL;
    return rc;
  }
  return ok(err);
}

int rc_wire_decode_cert_reply(const uint8_t *buf, size_t len,
                              Ringca__CertReply **out,
                              struct rc_wire_error *err) {
  static const struct rc_pb_field_limit caps[] = {{1, 1}, {2, 1},
                                                  {3, RC_REPLY_MAX_CHAIN}};
  static const char *const names[] = {NULL, "CertReply.version",
                                      "CertReply.certificate_der",
                                      "CertReply.chain_der"};
  struct rc_pb_limits lim = {RC_CERT_MESSAGE_MAX, caps, 3, 0};
  *out = NULL;
  int rc = unpack(&ringca__cert_reply__descriptor, &lim, buf, len,
                  (ProtobufCMessage **)out, "CertReply", names, 4, err);
  if (rc)
    return rc;
  if ((*out)->version != RC_WIRE_VERSION)
    rc = fail(err, RC_EVERSION, "CertReply.version");
  else if ((*out)->certificate_der.len == 0)
    rc = fail(err, RC_EMALFORMED, "CertReply.certificate_der");
  if (rc) {
    rc_pb_free(&(*out)->base);
    *out = NULL;
    return rc;
  }
  return ok(err);
}

int rc_wire_decode_cert_refusal(const uint8_t *buf, size_t len,
                                Ringca__CertRefusal **out,
                                struct rc_wire_error *err) {
  static const struct rc_pb_field_limit caps[] = {{1, 1}, {2, 1}, {3, 1}};
  static const char *const names[] = {NULL, "CertRefusal.version",
                                      "CertRefusal.reason",
                                      "CertRefusal.message"};
  struct rc_pb_limits lim = {4096, caps, 3, 0};
  *out = NULL;
  int rc = unpack(&ringca__cert_refusal__descriptor, &lim, buf, len,
                  (ProtobufCMessage **)out, "CertRefusal", names, 4, err);
  if (rc)
    return rc;
  if ((*out)->version != RC_WIRE_VERSION) {
    rc_pb_free(&(*out)->base);
    *out = NULL;
    return fail(err, RC_EVERSION, "CertRefusal.version");
  }
  return ok(err);
}

const char *rc_link_frame_type_name(Ringca__LinkFrameType t) {
  switch (t) {
  case RINGCA__LINK_FRAME_TYPE__LINK_FRAME_HANDSHAKE_INIT:
    return "handshake-init";
  case RINGCA__LINK_FRAME_TYPE__LINK_FRAME_HANDSHAKE_RESP:
    return "handshake-resp";
  case RINGCA__LINK_FRAME_TYPE__LINK_FRAME_TRANSPORT:
    return "transport";
  default:
    return "unknown";
  }
}
