/* The in-memory topology: defaults, builders, lookups, structural checks. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringca/error.h"
#include "ringca/topology.h"

void rc_topology_init(struct rc_topology *t) {
  memset(t, 0, sizeof *t);
  /* At 115200 baud a full 4 KiB frame needs ~0.37 s on the wire; every
   * timer below leaves room for that (docs/topology.md). */
  t->timeouts.heartbeat_ms = 1000;
  t->timeouts.dead_link_ms = 5000;
  t->timeouts.retransmit_ms = 1000;
  t->timeouts.handshake_retry_ms = 1000;
  t->timeouts.token_loss_ms = 10000;
  t->timeouts.ring_restart_ms = 2000;
  t->timeouts.rotation_pause_ms = 50;
  t->timeouts.idle_pause_ms = 1000;
  t->timeouts.isolation_ms = 60000;
  t->timeouts.request_deadline_ms = 60000;
  t->limits.frame_size = RC_FRAME_PAYLOAD_DEFAULT;
  t->limits.token_size = RC_FRAME_PAYLOAD_DEFAULT - 128u;
  t->limits.send_queue = 16;
  t->limits.route_queue = 256;
  t->limits.envelope_ttl = 8;
  for (int r = 0; r < RC_ROLE_COUNT; r++)
    t->policy.on_violation[r] = RC_ON_VIOLATION_TRIP;
  t->policy.noise_window = 64;
  t->policy.noise_max_bad = 16;
  t->policy.rehandshake_min_ms = 1000;
}

void rc_topology_free(struct rc_topology *t) {
  free(t->nodes);
  free(t->links);
  free(t->rings);
  t->nodes = NULL;
  t->links = NULL;
  t->rings = NULL;
  t->nnodes = t->nlinks = t->nrings = 0;
}

static int copy_name(char *dst, size_t cap, const char *src) {
  size_t n = strlen(src);
  if (n == 0 || n >= cap)
    return RC_EINVAL;
  memcpy(dst, src, n + 1);
  return 0;
}

/* Makes room for element n (zeroed). The capacity is implicit, the next
 * power of two at or above n, so a loader adding 1024 nodes of ~6 KiB
 * each reallocates 11 times instead of copying O(n^2) bytes. */
static void *grow(void *arr, size_t n, size_t elem) {
  void *p = arr;
  if (n == 0 || (n & (n - 1)) == 0) {
    p = realloc(arr, (n ? 2 * n : 1) * elem);
    if (!p)
      return NULL;
  }
  memset((char *)p + n * elem, 0, elem);
  return p;
}

int rc_topology_find_node(const struct rc_topology *t, const char *name) {
  for (size_t i = 0; i < t->nnodes; i++)
    if (!strcmp(t->nodes[i].name, name))
      return (int)i;
  return -1;
}

int rc_topology_find_port(const struct rc_topology *t, uint32_t node,
                          const char *port) {
  if (node >= t->nnodes)
    return -1;
  const struct rc_topo_node *n = &t->nodes[node];
  for (size_t i = 0; i < n->nports; i++)
    if (!strcmp(n->ports[i].name, port))
      return (int)i;
  return -1;
}

int rc_topology_find_ring(const struct rc_topology *t, const char *name) {
  for (size_t i = 0; i < t->nrings; i++)
    if (!strcmp(t->rings[i].name, name))
      return (int)i;
  return -1;
}

int rc_topology_link_between(const struct rc_topology *t, uint32_t a,
                             uint32_t b) {
  for (size_t i = 0; i < t->nlinks; i++) {
    const struct rc_topo_link *l = &t->links[i];
    if ((l->a_node == a && l->b_node == b) || (l->a_node == b && l->b_node == a))
      return (int)i;
  }
  return -1;
}

const char *rc_role_name(enum rc_role r) {
  switch (r) {
  case RC_ROLE_FRONTEND:
    return "frontend";
  case RC_ROLE_INTERMEDIATE:
    return "intermediate";
  case RC_ROLE_ROOT:
    return "root";
  }
  return "?";
}

int rc_topology_add_node(struct rc_topology *t, const char *name,
                         enum rc_role role) {
  if (rc_topology_find_node(t, name) >= 0)
    return RC_EEXIST;
  if (t->nnodes >= RC_TOPO_MAX_NODES)
    return RC_ELIMIT;
  struct rc_topo_node *nodes = grow(t->nodes, t->nnodes, sizeof *nodes);
  if (!nodes)
    return RC_ENOMEM;
  t->nodes = nodes;
  struct rc_topo_node *n = &nodes[t->nnodes];
  if (copy_name(n->name, sizeof n->name, name) != 0)
    return RC_EINVAL;
  n->role = role;
  return (int)t->nnodes++;
}

int rc_topology_add_port(struct rc_topology *t, uint32_t node,
                         const char *port, const char *device, uint32_t baud) {
  if (node >= t->nnodes)
    return RC_ENOTFOUND;
  struct rc_topo_node *n = &t->nodes[node];
  if (rc_topology_find_port(t, node, port) >= 0)
    return RC_EEXIST;
  if (n->nports >= RC_TOPO_MAX_PORTS)
    return RC_ELIMIT;
  struct rc_topo_port *p = &n->ports[n->nports];
  memset(p, 0, sizeof *p);
  if (copy_name(p->name, sizeof p->name, port) != 0 ||
      copy_name(p->device, sizeof p->device, device) != 0)
    return RC_EINVAL;
  p->baud = baud;
  return (int)n->nports++;
}

int rc_topology_add_link(struct rc_topology *t, const char *a_node,
                         const char *a_port, const char *b_node,
                         const char *b_port) {
  int a = rc_topology_find_node(t, a_node), b = rc_topology_find_node(t, b_node);
  if (a < 0 || b < 0)
    return RC_ENOTFOUND;
  int ap = rc_topology_find_port(t, (uint32_t)a, a_port);
  int bp = rc_topology_find_port(t, (uint32_t)b, b_port);
  if (ap < 0 || bp < 0)
    return RC_ENOTFOUND;
  struct rc_topo_link *links = grow(t->links, t->nlinks, sizeof *links);
  if (!links)
    return RC_ENOMEM;
  t->links = links;
  struct rc_topo_link *l = &links[t->nlinks];
  l->a_node = (uint32_t)a;
  l->a_port = (uint32_t)ap;
  l->b_node = (uint32_t)b;
  l->b_port = (uint32_t)bp;
  uint32_t abaud = t->nodes[a].ports[ap].baud, bbaud = t->nodes[b].ports[bp].baud;
  l->baud = abaud < bbaud ? abaud : bbaud;
  return (int)t->nlinks++;
}

int rc_topology_add_ring(struct rc_topology *t, const char *name,
                         const char *const *order, size_t norder, bool hub) {
  if (rc_topology_find_ring(t, name) >= 0)
    return RC_EEXIST;
  if (t->nrings >= RC_TOPO_MAX_RINGS || norder > RC_TOKEN_MAX_ORDER)
    return RC_ELIMIT;
  struct rc_topo_ring *rings = grow(t->rings, t->nrings, sizeof *rings);
  if (!rings)
    return RC_ENOMEM;
  t->rings = rings;
  struct rc_topo_ring *r = &rings[t->nrings];
  if (copy_name(r->name, sizeof r->name, name) != 0)
    return RC_EINVAL;
  for (size_t i = 0; i < norder; i++) {
    int n = rc_topology_find_node(t, order[i]);
    if (n < 0)
      return RC_ENOTFOUND;
    r->order[i] = (uint32_t)n;
  }
  r->norder = norder;
  r->hub = hub;
  return (int)t->nrings++;
}

int rc_topology_add_hub_ring(struct rc_topology *t, const char *name,
                             const char *hub, const char *const *members,
                             size_t nmembers) {
  const char *order[RC_TOKEN_MAX_ORDER];
  if (2 * nmembers > RC_TOKEN_MAX_ORDER)
    return RC_ELIMIT;
  for (size_t i = 0; i < nmembers; i++) {
    order[2 * i] = hub;
    order[2 * i + 1] = members[i];
  }
  return rc_topology_add_ring(t, name, order, 2 * nmembers, true);
}

static void reportf(rc_topology_report_fn report, void *ctx,
                    struct rc_src_pos pos, size_t *count, const char *fmt,
                    ...) __attribute__((format(printf, 5, 6)));

static void reportf(rc_topology_report_fn report, void *ctx,
                    struct rc_src_pos pos, size_t *count, const char *fmt,
                    ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  (*count)++;
  if (report)
    report(ctx, pos, msg);
}

static void validate_links(const struct rc_topology *t,
                           rc_topology_report_fn report, void *ctx,
                           size_t *count) {
  for (size_t i = 0; i < t->nlinks; i++) {
    const struct rc_topo_link *l = &t->links[i];
    if (l->a_node >= t->nnodes || l->b_node >= t->nnodes ||
        l->a_port >= t->nodes[l->a_node].nports ||
        l->b_port >= t->nodes[l->b_node].nports) {
      reportf(report, ctx, l->pos, count, "link %zu names a missing node or port", i);
      continue;
    }
    if (l->a_node == l->b_node)
      reportf(report, ctx, l->pos, count, "link joins node '%s' to itself",
              t->nodes[l->a_node].name);
    for (size_t j = 0; j < i; j++) {
      const struct rc_topo_link *m = &t->links[j];
      uint32_t ends[2][2] = {{l->a_node, l->a_port}, {l->b_node, l->b_port}};
      for (int e = 0; e < 2; e++) {
        if ((m->a_node == ends[e][0] && m->a_port == ends[e][1]) ||
            (m->b_node == ends[e][0] && m->b_port == ends[e][1]))
          reportf(report, ctx, l->pos, count,
                  "port %s:%s is used by more than one link",
                  t->nodes[ends[e][0]].name,
                  t->nodes[ends[e][0]].ports[ends[e][1]].name);
      }
    }
  }
}

static void validate_rings(const struct rc_topology *t,
                           rc_topology_report_fn report, void *ctx,
                           size_t *count) {
  for (size_t i = 0; i < t->nrings; i++) {
    const struct rc_topo_ring *r = &t->rings[i];
    if (r->norder < 2) {
      reportf(report, ctx, r->pos, count,
              "ring '%s' has fewer than two nodes", r->name);
      continue;
    }
    bool indexes_ok = true;
    for (size_t k = 0; k < r->norder; k++)
      if (r->order[k] >= t->nnodes)
        indexes_ok = false;
    if (!indexes_ok) {
      reportf(report, ctx, r->pos, count, "ring '%s' names a missing node",
              r->name);
      continue;
    }
    for (size_t k = 0; k < r->norder; k++) {
      uint32_t a = r->order[k], b = r->order[(k + 1) % r->norder];
      if (a == b)
        reportf(report, ctx, r->pos, count,
                "ring '%s' visits '%s' twice in a row", r->name,
                t->nodes[a].name);
      else if (rc_topology_link_between(t, a, b) < 0)
        reportf(report, ctx, r->pos, count,
                "ring '%s' hop %s -> %s has no link", r->name,
                t->nodes[a].name, t->nodes[b].name);
    }
    if (r->hub) {
      bool alternates = r->norder % 2 == 0;
      for (size_t k = 0; alternates && k < r->norder; k++) {
        bool is_hub = r->order[k] == r->order[0];
        if (is_hub != (k % 2 == 0))
          alternates = false;
        for (size_t m = 1; m < k && !is_hub; m += 2)
          if (r->order[m] == r->order[k])
            alternates = false;
      }
      if (!alternates)
        reportf(report, ctx, r->pos, count,
                "hub ring '%s' must alternate its hub with distinct members",
                r->name);
    } else {
      for (size_t k = 0; k < r->norder; k++)
        for (size_t m = 0; m < k; m++)
          if (r->order[k] == r->order[m]) {
            reportf(report, ctx, r->pos, count,
                    "loop ring '%s' visits '%s' more than once (use hub: for "
                    "a star)",
                    r->name, t->nodes[r->order[k]].name);
            m = k;
          }
    }
  }
}

size_t rc_topology_validate(const struct rc_topology *t,
                            rc_topology_report_fn report, void *ctx) {
  size_t count = 0;
  for (size_t i = 0; i < t->nnodes; i++)
    for (size_t j = 0; j < i; j++)
      if (!strcmp(t->nodes[i].name, t->nodes[j].name))
        reportf(report, ctx, t->nodes[i].pos, &count,
                "duplicate node name '%s'", t->nodes[i].name);
  validate_links(t, report, ctx, &count);
  validate_rings(t, report, ctx, &count);
  return count;
}
