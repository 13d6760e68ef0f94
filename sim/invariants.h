/* The simulator's invariant checkers, kept apart from the code under test
 * (TigerBeetle's VOPR habit): they see only what an outside observer sees —
 * which elements the scenario broke, what each front-end submitted, what the
 * root's signer issued, which node tripped and why, and the ring positions
 * the nodes report — and hold the relay core to the promises of
 * docs/architecture.md:
 *
 *   forged-issue  no certificate is issued for a request its origin did not
 *                 sign (same origin, request id and payload as submitted);
 *   honest-trip   every violation makes the node that received it trip
 *                 within one hop (inject -> trip of that node in time), and
 *                 no honest node trips for any other reason (the root's
 *                 isolation trip only while it really was cut off);
 *   lost          no request expires or is refused for want of a route
 *                 while a path to the root existed and was stable;
 *   deadline      every request is answered or refused before its deadline;
 *   token-order   each node accepts a ring's tokens in strictly increasing
 *                 (epoch, seq), and within one epoch the whole ring does
 *                 (one token per epoch). A member a hub master has just
 *                 bypassed may still accept the old epoch's last token
 *                 after the new epoch began elsewhere: that token is the
 *                 old epoch's, not a second one.
 *
 * Failures go into the run record with the virtual time. */
#ifndef RINGCA_SIM_INVARIANTS_H
#define RINGCA_SIM_INVARIANTS_H
#include <stdbool.h>
#include <stdint.h>

#include "record.h"
#include "ringca/topology.h"

struct rc_inv_config {
  const struct rc_topology *topo;
  struct rc_record *rec;
  /* A repaired element counts toward a path only after this long: links
   * re-handshake, rings restart, routes settle (dead-link + token-loss +
   * restart timeouts and some rotations). */
  uint64_t heal_ns;
  uint64_t trip_bound_ns;   /* injection reaching a node -> its trip */
  uint64_t grace_ns;        /* timer granularity past a deadline */
  uint64_t isolation_ns;    /* the topology's isolation timeout */
};

struct rc_inv;

int rc_inv_new(const struct rc_inv_config *cfg, struct rc_inv **out);
void rc_inv_free(struct rc_inv *inv);

/* Element state as the scenario set it. A node is usable when running,
 * untripped and not held by an attacker; a cable when not cut, noiseless
 * and not tapped. */
void rc_inv_node_usable(struct rc_inv *inv, uint32_t node, bool usable,
                        uint64_t now_ns);
void rc_inv_node_compromised(struct rc_inv *inv, uint32_t node);
void rc_inv_cable_usable(struct rc_inv *inv, uint32_t link, bool usable,
                         uint64_t now_ns);

/* A front-end submitted a request (digest: SHA-256 of the payload). Only
 * honest front-ends' requests are held to `lost` and `deadline`. */
void rc_inv_submit(struct rc_inv *inv, uint32_t fe, const uint8_t id[16],
                   const uint8_t digest[32], uint64_t deadline_ns, bool honest,
                   uint64_t now_ns);
/* The root's signer issued a certificate for (origin, id, digest). */
void rc_inv_issue(struct rc_inv *inv, const char *origin, const uint8_t id[16],
                  const uint8_t digest[32], uint64_t now_ns);
/* The front-end received its reply (refused=false) or a refusal; no_route
 * says the refusal was for want of a path (REFUSAL_NO_ROUTE/DEADLINE). */
void rc_inv_answer(struct rc_inv *inv, uint32_t fe, const uint8_t id[16],
                   bool refused, bool no_route, uint64_t now_ns);
void rc_inv_expired(struct rc_inv *inv, uint32_t fe, const uint8_t id[16],
                    uint64_t now_ns);

/* An attacker put a violation on the line toward `target` (link -1: it
 * arrives inside a request, e.g. a CSR failing policy). It must trip within
 * bound_ns unless the target is already gone or the path broke. */
void rc_inv_inject(struct rc_inv *inv, uint32_t target, int link,
                   uint64_t bound_ns, const char *what, uint64_t now_ns);
/* A link went down at one of its ends: a lie injected on it and not yet
 * judged died in the link's send queue (a link reset drops what it held),
 * so its target is no longer expected to trip for it. */
void rc_inv_link_down(struct rc_inv *inv, int link, uint64_t now_ns);
/* The same for a lie inside a request front-end `from` sends to the root:
 * also excused when no path from `from` to the root stayed up from the
 * injection on (the request may never have arrived). */
void rc_inv_inject_request(struct rc_inv *inv, uint32_t from, uint32_t target,
                           uint64_t bound_ns, const char *what,
                           uint64_t now_ns);
/* A node tripped. violation: the cause is a violation received from a
 * neighbour; isolation: the root's isolation timeout. */
void rc_inv_trip(struct rc_inv *inv, uint32_t node, const char *cause,
                 bool violation, bool isolation, uint64_t now_ns);
/* Under policy on_violation: log the node reports a violation and runs on:
 * it detected the attack (closes its injections) without tripping. */
void rc_inv_violation_logged(struct rc_inv *inv, uint32_t node,
                             const char *cause, uint64_t now_ns);
/* A node accepted a token on a ring (its reported position changed). */
void rc_inv_token(struct rc_inv *inv, uint32_t ring, uint32_t node,
                  uint64_t epoch, uint64_t seq, uint64_t now_ns);

/* Checks whatever is due by now (overdue answers and trips). */
void rc_inv_tick(struct rc_inv *inv, uint64_t now_ns);
/* End of run: everything still due by now_ns is checked. */
void rc_inv_finish(struct rc_inv *inv, uint64_t now_ns);

/* True when a usable, stable path from fe to a root exists now (tests). */
bool rc_inv_path_exists(const struct rc_inv *inv, uint32_t fe,
                        uint64_t stable_since_ns);

#endif
