/* Hop-by-hop routing over the rings that are up, and the route queue. */
#include "ringca/router.h"

#include <stdlib.h>
#include <string.h>

#include "ringca/error.h"

#define INF UINT32_MAX

int rc_router_init(struct rc_router *rt, const struct rc_topology *topo,
                   uint32_t self, const struct rc_ring *rings, size_t nrings,
                   size_t cap) {
  memset(rt, 0, sizeof *rt);
  rt->topo = topo;
  rt->self = self;
  rt->rings = rings;
  rt->nrings = nrings;
  rt->cap = cap;
  rt->q = calloc(cap ? cap : 1, sizeof *rt->q);
  rt->dist = calloc(topo->nnodes ? topo->nnodes : 1, sizeof *rt->dist);
  rt->seen = calloc(topo->nnodes ? topo->nnodes : 1, sizeof *rt->seen);
  if (!rt->q || !rt->dist || !rt->seen) {
    rc_router_free(rt);
    return RC_ENOMEM;
  }
  return 0;
}

void rc_router_free(struct rc_router *rt) {
  for (size_t i = 0; rt->q && i < rt->n; i++)
    free(rt->q[i].env);
  free(rt->q);
  free(rt->dist);
  free(rt->seen);
  memset(rt, 0, sizeof *rt);
}

static const struct rc_ring *my_ring(const struct rc_router *rt, size_t ring) {
  for (size_t i = 0; i < rt->nrings; i++)
    if (rt->rings[i].index == ring)
      return &rt->rings[i];
  return NULL;
}

/* Hop distances to dest over edges u -> order[k+1] for u = order[k]. Our own
 * out-edges are left out: the caller adds them one by one. With all_up the
 * topology is taken as if every ring were up. */
static void distances(struct rc_router *rt, uint32_t dest, bool all_up) {
  const struct rc_topology *t = rt->topo;
  for (size_t i = 0; i < t->nnodes; i++)
    rt->dist[i] = INF;
  rt->dist[dest] = 0;
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t r = 0; r < t->nrings; r++) {
      const struct rc_topo_ring *d = &t->rings[r];
      const struct rc_ring *mine = all_up ? NULL : my_ring(rt, r);
      for (size_t k = 0; k < d->norder; k++) {
        uint32_t u = d->order[k], v = d->order[(k + 1) % d->norder];
        if (u == rt->self) {
          if (mine ? !rc_ring_can_reach(mine, v) : !all_up)
            continue;
        }
        if (rt->dist[v] != INF && rt->dist[v] + 1 < rt->dist[u]) {
          rt->dist[u] = rt->dist[v] + 1;
          changed = true;
        }
      }
    }
  }
}

bool rc_router_reachable(struct rc_router *rt, uint32_t dest) {
  if (dest >= rt->topo->nnodes)
    return false;
  distances(rt, dest, true);
  return rt->dist[rt->self] != INF;
}

static int best_hop(struct rc_router *rt, uint32_t exclude, int *ring,
                    uint32_t *next) {
  uint32_t best = INF;
  for (size_t i = 0; i < rt->nrings; i++) {
    const struct rc_ring *r = &rt->rings[i];
    const struct rc_topo_ring *d = r->def;
    for (size_t k = 0; k < d->norder; k++) {
      uint32_t v = d->order[(k + 1) % d->norder];
      if (d->order[k] != rt->self || v == exclude || rt->dist[v] == INF ||
          !rc_ring_can_reach(r, v))
        continue;
      /* Ties go to the lower ring index: deterministic, and it keeps a
       * request and its retries on one path while that path is up. */
      if (rt->dist[v] + 1 < best) {
        best = rt->dist[v] + 1;
        *ring = (int)r->index;
        *next = v;
      }
    }
  }
  return best == INF ? RC_ENOROUTE : 0;
}

int rc_router_next_hop(struct rc_router *rt, uint32_t dest, uint32_t exclude,
                       int *ring, uint32_t *next) {
  if (dest >= rt->topo->nnodes || dest == rt->self)
    return RC_ENOROUTE;
  distances(rt, dest, false);
  if (best_hop(rt, exclude, ring, next) == 0)
    return 0;
  /* Back where it came from beats no route at all. */
  return best_hop(rt, INF, ring, next);
}

static void route_entry(struct rc_router *rt, struct rc_route_entry *e) {
  if (rc_router_next_hop(rt, e->dest, e->from == rt->self ? INF : e->from,
                         &e->ring, &e->next) != 0) {
    e->ring = RC_ROUTE_NONE;
    e->next = INF;
  }
}

int rc_router_push(struct rc_router *rt, const struct rc_route_entry *e) {
  if (rt->n >= rt->cap)
    return RC_EAGAIN;
  rt->q[rt->n] = *e;
  route_entry(rt, &rt->q[rt->n]);
  rt->n++;
  return 0;
}

void rc_router_reroute(struct rc_router *rt) {
  for (size_t i = 0; i < rt->n; i++)
    route_entry(rt, &rt->q[i]);
}

bool rc_router_has(const struct rc_router *rt, int ring, uint32_t next) {
  for (size_t i = 0; i < rt->n; i++)
    if (rt->q[i].ring == ring && rt->q[i].next == next)
      return true;
  return false;
}

static void remove_at(struct rc_router *rt, size_t i) {
  memmove(&rt->q[i], &rt->q[i + 1], (rt->n - i - 1) * sizeof *rt->q);
  rt->n--;
}

size_t rc_router_take(struct rc_router *rt, int ring, uint32_t next,
                      size_t budget, size_t (*cost)(size_t len),
                      struct rc_route_entry *out, size_t max_out) {
  const struct rc_topology *t = rt->topo;
  size_t taken = 0, used = 0;
  /* seen[o] marks origins already served in this pass. */
  for (bool progress = true; progress && taken < max_out;) {
    progress = false;
    for (size_t o = 0; o < t->nnodes; o++)
      rt->seen[o] = 0;
    for (size_t step = 0; step < t->nnodes && taken < max_out; step++) {
      uint32_t origin = (uint32_t)((rt->rotor + step) % t->nnodes);
      for (size_t i = 0; i < rt->n; i++) {
        struct rc_route_entry *e = &rt->q[i];
        if (e->origin != origin || e->ring != ring || e->next != next)
          continue;
        size_t c = cost(e->len);
        if (used + c <= budget) {
          used += c;
          out[taken++] = *e;
          remove_at(rt, i);
          progress = true;
        }
        break; /* one per origin per pass; an oversize head waits */
      }
    }
  }
  rt->rotor = (rt->rotor + 1) % (t->nnodes ? (uint32_t)t->nnodes : 1);
  return taken;
}

size_t rc_router_expire(struct rc_router *rt, uint64_t older_than) {
  size_t dropped = 0;
  for (size_t i = 0; i < rt->n;) {
    if (rt->q[i].queued_ns < older_than) {
      free(rt->q[i].env);
      remove_at(rt, i);
      dropped++;
    } else {
      i++;
    }
  }
  return dropped;
}
