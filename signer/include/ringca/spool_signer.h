/* The signer's side of the spool: the state machine that claims requests,
 * signs or refuses them with the CA keys, and records each answer in the
 * audit log (signer/spool.c). Only ringca-signer and the simulator link it;
 * the spool's format and the requester's side are in ringca/spool.h. */
#ifndef RINGCA_SPOOL_SIGNER_H
#define RINGCA_SPOOL_SIGNER_H
#include <stddef.h>
#include <stdint.h>

#include "ringca/audit.h"
#include "ringca/policy.h"
#include "ringca/rng.h"
#include "ringca/signer.h"
#include "ringca/spool.h"

/* Signer side. The crash hook is for tests: it is called after each durable
 * step with the step's name ("claimed", "signed", "done-written",
 * "audited", "outgoing-written", "finished"). */
struct rc_spool_signer {
  const char *dir;
  const struct rc_policy *policy;
  const struct rc_ca *ca;
  struct rc_audit *audit;
  const struct rc_rng *rng;
  uint64_t (*now_ms)(void *ctx);
  void *clock_ctx;
  void (*crash_point)(const char *step, void *ctx);
  void *crash_ctx;
};

struct rc_spool_stats {
  size_t issued, refused, replayed, errors;
};

/* Finishes whatever a crash left in processing/, then handles every
 * request in incoming/. Returns 0, or RC_EIO when the spool or the audit
 * log cannot be written (the signer then stops: nothing is half-done). */
int rc_spool_run_once(const struct rc_spool_signer *s,
                      struct rc_spool_stats *st);

#endif
