/* Front-end intake: turning a subscriber's CSR into a request for the root.
 *
 * The CSR is pre-validated with the signer's own policy code (one library,
 * not a copy), so the root refusing a request that passed here means someone
 * between the front-end and the root altered it. ringca-submit uses this
 * with the spool today; the node daemon's control socket will use it too. */
#ifndef RINGCA_INTAKE_H
#define RINGCA_INTAKE_H
#include <stddef.h>
#include <stdint.h>

#include "ringca.pb-c.h"
#include "ringca/limits.h"
#include "ringca/policy.h"
#include "ringca/rng.h"

struct rc_intake_request {
  uint8_t request_id[RC_REQUEST_ID_LEN];
  Ringca__SpoolRequest spool;   /* points into this struct */
  Ringca__CertRequest cert;
  uint8_t *csr_der;             /* canonical DER (a PEM CSR is converted) */
  size_t csr_der_len;
  char origin[RC_NAME_MAX + 1];
  char profile[RC_NAME_MAX + 1];
};

/* Checks csr (PEM or DER) against profile and builds the request with a
 * fresh random id. Returns 0, RC_EPOLICY with *why filled, RC_EINVAL for a
 * bad origin name, or RC_ENOMEM. */
int rc_intake_build(const struct rc_policy *pol, const char *profile,
                    const uint8_t *csr, size_t csr_len, uint32_t validity_days,
                    const char *origin, uint64_t now_ms, uint64_t deadline_ms,
                    const struct rc_rng *rng, struct rc_intake_request *out,
                    struct rc_refusal *why);
void rc_intake_free(struct rc_intake_request *r);

/* What a requester does with an answer; ringca-submit's exit codes. */
enum rc_intake_status {
  RC_INTAKE_ISSUED = 0,
  RC_INTAKE_REFUSED = 1,   /* refused by policy: fix the CSR */
  RC_INTAKE_TIMEOUT = 2,   /* no answer before the deadline */
  RC_INTAKE_MESH_DOWN = 3, /* no path to the root */
  RC_INTAKE_INTERNAL = 4,  /* a bug or a broken installation */
};
enum rc_intake_status rc_intake_classify(const Ringca__SpoolReply *reply);

#endif
