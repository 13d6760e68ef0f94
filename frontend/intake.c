/* Building a root request from a CSR after the shared policy check. */
#include "ringca/intake.h"

#include <stdlib.h>
#include <string.h>

#include "ringca/error.h"

int rc_intake_build(const struct rc_policy *pol, const char *profile,
                    const uint8_t *csr, size_t csr_len, uint32_t validity_days,
                    const char *origin, uint64_t now_ms, uint64_t deadline_ms,
                    const struct rc_rng *rng, struct rc_intake_request *out,
                    struct rc_refusal *why) {
  memset(out, 0, sizeof *out);
  if (!origin || !*origin || strlen(origin) > RC_NAME_MAX)
    return RC_EINVAL;
  struct rc_csr_checked checked;
  int rc = rc_policy_check(pol, profile, csr, csr_len, validity_days, &checked,
                           why);
  if (rc)
    return rc;
  int n = i2d_X509_REQ(checked.req, &out->csr_der);
  rc_csr_checked_free(&checked);
  if (n <= 0) {
    out->csr_der = NULL;
    return RC_ENOMEM;
  }
  out->csr_der_len = (size_t)n;
  rc_rng_fill(rng, out->request_id, sizeof out->request_id);
  strcpy(out->origin, origin);
  strcpy(out->profile, profile);
  ringca__cert_request__init(&out->cert);
  out->cert.version = RC_WIRE_VERSION;
  out->cert.profile = out->profile;
  out->cert.csr_der.data = out->csr_der;
  out->cert.csr_der.len = out->csr_der_len;
  out->cert.validity_days = validity_days;
  ringca__spool_request__init(&out->spool);
  out->spool.version = RC_WIRE_VERSION;
  out->spool.request_id.data = out->request_id;
  out->spool.request_id.len = sizeof out->request_id;
  out->spool.origin = out->origin;
  out->spool.received_unix_ms = now_ms;
  out->spool.deadline_unix_ms = deadline_ms;
  out->spool.request = &out->cert;
  return 0;
}

void rc_intake_free(struct rc_intake_request *r) {
  OPENSSL_free(r->csr_der);
  memset(r, 0, sizeof *r);
}

enum rc_intake_status rc_intake_classify(const Ringca__SpoolReply *reply) {
  if (reply->outcome_case == RINGCA__SPOOL_REPLY__OUTCOME_REPLY)
    return RC_INTAKE_ISSUED;
  if (rc_refusal_is_policy(reply->refusal->reason))
    return RC_INTAKE_REFUSED;
  switch (reply->refusal->reason) {
  case RINGCA__REFUSAL_REASON__REFUSAL_DEADLINE:
    return RC_INTAKE_TIMEOUT;
  case RINGCA__REFUSAL_REASON__REFUSAL_NO_ROUTE:
    return RC_INTAKE_MESH_DOWN;
  default:
    return RC_INTAKE_INTERNAL;
  }
}
