/* Routing: which ring and neighbour each envelope leaves on, and the bounded
 * queue of envelopes waiting for that ring's token.
 *
 * Every node takes every envelope off a token it receives and routes it
 * again (hop-by-hop routing; relays verify each envelope first). Routes are
 * shortest paths in hops over the directed "next in some active order"
 * graph: this node's own rings count only while up (rc_ring_can_reach); the
 * rest of the mesh is assumed as the topology describes it, and a relay
 * that finds a ring down reroutes. An envelope is not sent back to the
 * neighbour it came from while another route exists (split horizon), which
 * keeps a hub from bouncing traffic between a front-end and itself. */
#ifndef RINGCA_ROUTER_H
#define RINGCA_ROUTER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringca/limits.h"
#include "ringca/ring.h"
#include "ringca/topology.h"

#define RC_ROUTE_NONE (-1)

struct rc_route_entry {
  uint8_t *env;        /* encoded Envelope as it will be sent (owned) */
  size_t len;
  uint32_t dest, origin;
  uint32_t from;       /* neighbour it came from; self when originated here */
  int ring;            /* topo ring index, or RC_ROUTE_NONE */
  uint32_t next;       /* neighbour after us on that ring */
  uint64_t queued_ns;
  uint8_t request_id[RC_REQUEST_ID_LEN];
};

struct rc_router {
  const struct rc_topology *topo;
  uint32_t self;
  const struct rc_ring *rings;  /* this node's rings (owned by the node) */
  size_t nrings;
  struct rc_route_entry *q;
  size_t n, cap;
  uint32_t rotor;       /* fairness: which origin goes first next time */
  uint32_t *dist;       /* scratch, one per topology node */
  uint32_t *seen;       /* scratch */
};

int rc_router_init(struct rc_router *rt, const struct rc_topology *topo,
                   uint32_t self, const struct rc_ring *rings, size_t nrings,
                   size_t cap);
void rc_router_free(struct rc_router *rt);

/* Shortest next hop toward dest avoiding `exclude` when possible.
 * 0 with *ring and *next, or RC_ENOROUTE when no ring of ours leads there now. */
int rc_router_next_hop(struct rc_router *rt, uint32_t dest, uint32_t exclude,
                       int *ring, uint32_t *next);
/* Whether dest can be reached at all with every ring up (static topology). */
bool rc_router_reachable(struct rc_router *rt, uint32_t dest);

/* Queues e (taking ownership of e->env on success) and routes it. RC_EAGAIN
 * when the queue is full (the caller keeps e->env). */
int rc_router_push(struct rc_router *rt, const struct rc_route_entry *e);
/* Routes every queued entry again (a ring went up or down). */
void rc_router_reroute(struct rc_router *rt);

/* Takes entries routed to (ring, next), fairly (round-robin over origins so
 * no origin starves another, oldest first within one), while the sum of
 * cost(len) stays within budget. Removed entries go to out (caller owns
 * their env). Returns how many. */
size_t rc_router_take(struct rc_router *rt, int ring, uint32_t next,
                      size_t budget, size_t (*cost)(size_t len),
                      struct rc_route_entry *out, size_t max_out);
/* Whether anything is queued for (ring, next). */
bool rc_router_has(const struct rc_router *rt, int ring, uint32_t next);
/* Drops entries queued before `older_than` (the origin retries them);
 * returns how many. */
size_t rc_router_expire(struct rc_router *rt, uint64_t older_than);

#endif
