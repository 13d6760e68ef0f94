/* Bounded decoders for spool files. The signer runs under another user than
 * the node that writes incoming/, so these bytes are hostile input. */
#include <string.h>

#include "ringca/error.h"
#include "ringca/limits.h"
#include "ringca/pb.h"
#include "ringca/spool.h"

static int fail(struct rc_wire_error *err, int code, const char *field) {
  if (err) {
    err->code = code;
    err->field = field;
  }
  return code;
}

static bool bad_name(const char *s) {
  size_t n = s ? strlen(s) : 0;
  return n == 0 || n > RC_NAME_MAX;
}

static int check_request(const Ringca__SpoolRequest *m,
                         struct rc_wire_error *err) {
  if (m->version != RC_WIRE_VERSION)
    return fail(err, RC_EVERSION, "SpoolRequest.version");
  if (m->request_id.len != RC_REQUEST_ID_LEN)
    return fail(err, RC_EMALFORMED, "SpoolRequest.request_id");
  if (bad_name(m->origin))
    return fail(err, RC_EMALFORMED, "SpoolRequest.origin");
  const Ringca__CertRequest *r = m->request;
  if (!r)
    return fail(err, RC_EMALFORMED, "SpoolRequest.request");
  if (r->version != RC_WIRE_VERSION)
    return fail(err, RC_EVERSION, "CertRequest.version");
  if (bad_name(r->profile))
    return fail(err, RC_EMALFORMED, "CertRequest.profile");
  if (r->csr_der.len == 0)
    return fail(err, RC_EMALFORMED, "CertRequest.csr_der");
  return 0;
}

int rc_spool_decode_request(const uint8_t *buf, size_t len,
                            Ringca__SpoolRequest **out,
                            struct rc_wire_error *err) {
  static const struct rc_pb_field_limit caps[] = {{1, 1}, {2, 1}, {3, 1},
                                                  {4, 1}, {5, 1}, {6, 1}};
  static const struct rc_pb_field_limit req_caps[] = {{1, 1}, {2, 1}, {3, 1},
                                                      {4, 1}};
  static const char *const names[] = {
      "SpoolRequest",         "SpoolRequest.version",
      "SpoolRequest.request_id", "SpoolRequest.origin",
      "SpoolRequest.received_unix_ms", "SpoolRequest.deadline_unix_ms",
      "SpoolRequest.request"};
  struct rc_pb_limits lim = {RC_SPOOL_FILE_MAX, caps, 6, 0};
  struct rc_pb_limits req_lim = {RC_CERT_MESSAGE_MAX, req_caps, 4, 0};
  uint32_t bad = 0;
  const uint8_t *sub;
  size_t sublen;
  *out = NULL;
  int rc = rc_pb_prescan(&lim, buf, len, &bad);
  if (rc)
    return fail(err, rc, names[bad <= 6 ? bad : 0]);
  if (rc_pb_find_len_field(buf, len, 6, &sub, &sublen) != 0)
    return fail(err, RC_EMALFORMED, "SpoolRequest.request");
  if (sub && (rc = rc_pb_prescan(&req_lim, sub, sublen, &bad)) != 0)
    return fail(err, rc, "SpoolRequest.request");
  rc = rc_pb_unpack(&ringca__spool_request__descriptor, &lim, buf, len,
                    (ProtobufCMessage **)out);
  if (rc)
    return fail(err, rc, "SpoolRequest");
  if ((rc = check_request(*out, err)) != 0) {
    rc_pb_free(&(*out)->base);
    *out = NULL;
    return rc;
  }
  return fail(err, 0, NULL);
}

static int check_reply(const Ringca__SpoolReply *m, struct rc_wire_error *err) {
  if (m->version != RC_WIRE_VERSION)
    return fail(err, RC_EVERSION, "SpoolReply.version");
  if (m->request_id.len != RC_REQUEST_ID_LEN)
    return fail(err, RC_EMALFORMED, "SpoolReply.request_id");
  if (m->request_sha256.len != 0 && m->request_sha256.len != 32)
    return fail(err, RC_EMALFORMED, "SpoolReply.request_sha256");
  if (m->outcome_case == RINGCA__SPOOL_REPLY__OUTCOME_REPLY) {
    const Ringca__CertReply *r = m->reply;
    if (r->version != RC_WIRE_VERSION)
      return fail(err, RC_EVERSION, "CertReply.version");
    if (r->certificate_der.len == 0)
      return fail(err, RC_EMALFORMED, "CertReply.certificate_der");
    return 0;
  }
  if (m->outcome_case == RINGCA__SPOOL_REPLY__OUTCOME_REFUSAL) {
    if (m->refusal->version != RC_WIRE_VERSION)
      return fail(err, RC_EVERSION, "CertRefusal.version");
    return 0;
  }
  return fail(err, RC_EMALFORMED, "SpoolReply.outcome");
}

int rc_spool_decode_reply(const uint8_t *buf, size_t len,
                          Ringca__SpoolReply **out, struct rc_wire_error *err) {
  static const struct rc_pb_field_limit caps[] = {{1, 1}, {2, 1}, {3, 1},
                                                  {4, 1}, {5, 1}};
  static const struct rc_pb_field_limit reply_caps[] = {
      {1, 1}, {2, 1}, {3, RC_REPLY_MAX_CHAIN}};
  static const struct rc_pb_field_limit refusal_caps[] = {{1, 1}, {2, 1},
                                                          {3, 1}};
  struct rc_pb_limits lim = {RC_SPOOL_REPLY_MAX, caps, 5, 0};
  struct rc_pb_limits reply_lim = {RC_CERT_MESSAGE_MAX, reply_caps, 3, 0};
  struct rc_pb_limits refusal_lim = {4096, refusal_caps, 3, 0};
  uint32_t bad = 0;
  const uint8_t *sub;
  size_t sublen;
  *out = NULL;
  int rc = rc_pb_prescan(&lim, buf, len, &bad);
  if (rc)
    return fail(err, rc, "SpoolReply");
  if (rc_pb_find_len_field(buf, len, 3, &sub, &sublen) != 0 ||
      (sub && rc_pb_prescan(&reply_lim, sub, sublen, &bad) != 0))
    return fail(err, RC_EMALFORMED, "SpoolReply.reply");
  if (rc_pb_find_len_field(buf, len, 4, &sub, &sublen) != 0 ||
      (sub && rc_pb_prescan(&refusal_lim, sub, sublen, &bad) != 0))
    return fail(err, RC_EMALFORMED, "SpoolReply.refusal");
  rc = rc_pb_unpack(&ringca__spool_reply__descriptor, &lim, buf, len,
                    (ProtobufCMessage **)out);
  if (rc)
    return fail(err, rc, "SpoolReply");
  if ((rc = check_reply(*out, err)) != 0) {
    rc_pb_free(&(*out)->base);
    *out = NULL;
    return rc;
  }
  return fail(err, 0, NULL);
}

void rc_request_id_hex(const uint8_t *id, char out[33]) {
  static const char hex[] = "0123456789abcdef";
  for (size_t i = 0; i < RC_REQUEST_ID_LEN; i++) {
    out[2 * i] = hex[id[i] >> 4];
    out[2 * i + 1] = hex[id[i] & 15];
  }
  out[32] = 0;
}
