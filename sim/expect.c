/* Holds a finished run to the outcome its scenario predicted (`expect:`),
 * so each library story checks itself. Unmet expectations are not invariant
 * failures: they say the story's claim about this topology was wrong. */
#include "expect.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void unmet(struct rc_record *r, const char *fmt, ...) RC_PRINTF(2, 3);
static void unmet(struct rc_record *r, const char *fmt, ...) {
  if (r->nexpect_failures == sizeof r->expect_failures /
                                 sizeof r->expect_failures[0])
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->expect_failures[r->nexpect_failures++], RC_REC_TEXT, fmt, ap);
  va_end(ap);
}

static void bound(struct rc_record *r, const char *what, uint64_t got,
                  uint64_t min, uint64_t max) {
  if (min != UINT64_MAX && got < min)
    unmet(r, "%s: %" PRIu64 ", expected at least %" PRIu64, what, got, min);
  if (max != UINT64_MAX && got > max)
    unmet(r, "%s: %" PRIu64 ", expected at most %" PRIu64, what, got, max);
}

int rc_expect_check(const struct rc_scenario *s, struct rc_record *r,
                    char *err, size_t errlen) {
  const struct rc_scn_expect *e = &s->expect;
  const struct rc_topology *t = r->topo;
  for (size_t i = 0; i < e->ntrips; i++)
    if (rc_topology_find_node(t, e->trips[i].node) < 0) {
      snprintf(err, errlen, "%s:%u:%u: expected trip of unknown node '%s'",
               s->source, e->trips[i].pos.line, e->trips[i].pos.col,
               e->trips[i].node);
      return -1;
    }
  if (e->has_trips) {
    for (size_t n = 0; n < t->nnodes; n++) {
      const struct rc_rec_trip *tr = &r->trips[n];
      const struct rc_scn_trip *want = NULL;
      for (size_t i = 0; i < e->ntrips; i++)
        if (strcmp(e->trips[i].node, t->nodes[n].name) == 0)
          want = &e->trips[i];
      if (want && !tr->tripped)
        unmet(r, "%s should have tripped (%s) and did not", want->node,
              want->cause);
      else if (want && strcmp(want->cause, "any") != 0 &&
               strcmp(want->cause, tr->cause) != 0)
        unmet(r, "%s tripped on %s, expected %s", want->node, tr->cause,
              want->cause);
      else if (!want && tr->tripped)
        unmet(r, "%s tripped (%s) but the scenario expects it not to",
              t->nodes[n].name, tr->cause);
    }
  }
  uint64_t issued = 0, refused = 0, expired = 0;
  for (size_t n = 0; n < t->nnodes; n++) {
    issued += r->fe[n].issued;
    refused += r->fe[n].refused;
    expired += r->fe[n].expired;
  }
  bound(r, "certificates issued", issued, e->issued_min, e->issued_max);
  bound(r, "requests refused", refused, e->refused_min, e->refused_max);
  bound(r, "requests expired", expired, UINT64_MAX, e->expired_max);
  bound(r, "retransmissions", r->retransmits, e->retransmits_min, UINT64_MAX);
  bound(r, "bypasses", r->bypasses, e->bypasses_min, UINT64_MAX);
  bound(r, "link-down events", r->links_down, e->links_down_min, UINT64_MAX);
  return 0;
}
