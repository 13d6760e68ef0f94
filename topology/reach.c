/* Which nodes can still exchange envelopes with the root after a failure:
 * a breadth-first search over the bipartite graph of nodes and live rings. */
#include <stdlib.h>
#include <string.h>

#include "ringca/frame.h"
#include "ringca/topoyaml.h"

uint64_t rc_topology_frame_ms(size_t payload, uint32_t baud) {
  if (baud == 0)
    return UINT64_MAX;
  uint64_t bits = (uint64_t)rc_frame_wire_max(payload) * 10u; /* 8N1 */
  return (bits * 1000u + baud - 1u) / baud;
}

static bool ring_indexes_ok(const struct rc_topology *t,
                            const struct rc_topo_ring *r) {
  for (size_t k = 0; k < r->norder; k++)
    if (r->order[k] >= t->nnodes)
      return false;
  return true;
}

uint64_t rc_topology_rotation_ms(const struct rc_topology *t, size_t ring) {
  const struct rc_topo_ring *r = &t->rings[ring];
  /* A member waits one rotation plus at most one master pause, the longer
   * of the busy and the idle one (a loop master cannot always tell). */
  uint64_t total = t->timeouts.rotation_pause_ms > t->timeouts.idle_pause_ms
                       ? t->timeouts.rotation_pause_ms
                       : t->timeouts.idle_pause_ms;
  if (!ring_indexes_ok(t, r) || r->norder < 2)
    return total;
  for (size_t k = 0; k < r->norder; k++) {
    int l = rc_topology_link_between(t, r->order[k], r->order[(k + 1) % r->norder]);
    if (l >= 0)
      total += rc_topology_frame_ms(t->limits.frame_size, t->links[l].baud);
  }
  return total;
}

/* Marks in active[] (one flag per order slot) who still takes part in ring
 * r; returns whether the ring circulates at all. */
static bool ring_active(const struct rc_topology *t, const struct rc_topo_ring *r,
                        int dead_node, int dead_link, bool *active) {
  memset(active, 0, r->norder * sizeof *active);
  if (r->norder < 2 || !ring_indexes_ok(t, r))
    return false;
  if (r->hub) {
    uint32_t hub = r->order[0];
    if ((int)hub == dead_node)
      return false;
    bool any = false;
    for (size_t k = 1; k < r->norder; k += 2) {
      int l = rc_topology_link_between(t, hub, r->order[k]);
      active[k] = (int)r->order[k] != dead_node && l >= 0 && l != dead_link;
      any |= active[k];
    }
    for (size_t k = 0; k < r->norder; k += 2)
      active[k] = any;
    return any;
  }
  for (size_t k = 0; k < r->norder; k++) {
    int l = rc_topology_link_between(t, r->order[k], r->order[(k + 1) % r->norder]);
    if ((int)r->order[k] == dead_node || l < 0 || l == dead_link)
      return false;
  }
  for (size_t k = 0; k < r->norder; k++)
    active[k] = true;
  return true;
}

bool rc_topology_reach_root(const struct rc_topology *t, int dead_node,
                            int dead_link, bool *reach) {
  memset(reach, 0, t->nnodes * sizeof *reach);
  int root = -1;
  for (size_t i = 0; i < t->nnodes && root < 0; i++)
    if (t->nodes[i].role == RC_ROLE_ROOT)
      root = (int)i;
  if (root < 0 || root == dead_node)
    return false;
  size_t slots = 0;
  for (size_t r = 0; r < t->nrings; r++)
    slots += t->rings[r].norder;
  /* active: per slot; start: first slot of each ring; byring: membership
   * lists per node (CSR) so each ring is expanded once. */
  bool *active = calloc(slots + 1, sizeof *active);
  bool *ring_done = calloc(t->nrings + 1, sizeof *ring_done);
  size_t *start = calloc(t->nrings + 1, sizeof *start);
  size_t *off = calloc(t->nnodes + 1, sizeof *off);
  size_t *mem = calloc(slots + 1, sizeof *mem);
  uint32_t *queue = calloc(t->nnodes + 1, sizeof *queue);
  bool ok = active && ring_done && start && off && mem && queue;
  for (size_t r = 0, s = 0; ok && r < t->nrings; r++) {
    start[r] = s;
    if (!ring_active(t, &t->rings[r], dead_node, dead_link, active + s))
      ring_done[r] = true;
    s += t->rings[r].norder;
  }
  for (size_t r = 0; ok && r < t->nrings; r++)
    for (size_t k = 0; !ring_done[r] && k < t->rings[r].norder; k++)
      if (active[start[r] + k])
        off[t->rings[r].order[k] + 1]++;
  for (size_t i = 0; ok && i < t->nnodes; i++)
    off[i + 1] += off[i];
  size_t *fill = ok ? calloc(t->nnodes + 1, sizeof *fill) : NULL;
  ok = ok && fill;
  for (size_t r = 0; ok && r < t->nrings; r++)
    for (size_t k = 0; !ring_done[r] && k < t->rings[r].norder; k++)
      if (active[start[r] + k]) {
        uint32_t n = t->rings[r].order[k];
        mem[off[n] + fill[n]++] = r;
      }
  size_t head = 0, tail = 0;
  if (ok) {
    reach[root] = true;
    queue[tail++] = (uint32_t)root;
  }
  while (head < tail) {
    uint32_t n = queue[head++];
    for (size_t m = off[n]; m < off[n + 1]; m++) {
      size_t r = mem[m];
      if (ring_done[r])
        continue;
      ring_done[r] = true;
      for (size_t k = 0; k < t->rings[r].norder; k++) {
        uint32_t x = t->rings[r].order[k];
        if (active[start[r] + k] && !reach[x]) {
          reach[x] = true;
          queue[tail++] = x;
        }
      }
    }
  }
  free(fill);
  free(active);
  free(ring_done);
  free(start);
  free(off);
  free(mem);
  free(queue);
  return ok;
}
