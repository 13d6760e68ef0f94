/* Deployment checks: what rc_topology_validate() does not cover but an
 * operator must not deploy (docs/topology.md lists each rule and why). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringca/log.h"
#include "ringca/topoyaml.h"

/* Bytes a link adds around a token inside a frame payload: LinkFrame header,
 * AEAD tag, LinkPayload and RingMessage framing, with room to spare. */
#define LINK_OVERHEAD 64u
/* An ACK frame's payload is a LinkFrame with an empty sealed body. */
#define ACK_PAYLOAD 64u

struct chk {
  const struct rc_topology *t;
  const struct rc_topo_src *src;
  rc_topology_report_fn report;
  void *ctx;
  size_t count;
};

static void fail(struct chk *c, struct rc_src_pos pos, const char *fmt, ...)
    RC_PRINTF(3, 4);
static void fail(struct chk *c, struct rc_src_pos pos, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  c->count++;
  if (c->report)
    c->report(c->ctx, pos, msg);
}

static const char *const SETTING_KEYS[RC_TOPO_SET_COUNT] = {
#define KEY_(id, sec, key) key,
    RC_TOPO_SETTING_MAP(KEY_)
#undef KEY_
};

/* Reports "KEY VALUE[ (default)] REST" at the setting's line, or at
 * `fallback` when the value is the built-in default. */
static void blame(struct chk *c, enum rc_topo_setting s, struct rc_src_pos fallback,
                  unsigned long long value, const char *fmt, ...) RC_PRINTF(5, 6);
static void blame(struct chk *c, enum rc_topo_setting s, struct rc_src_pos fallback,
                  unsigned long long value, const char *fmt, ...) {
  bool set = c->src && c->src->setting[s].line;
  char rest[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(rest, sizeof rest, fmt, ap);
  va_end(ap);
  fail(c, set ? c->src->setting[s] : fallback, "%s %llu%s %s", SETTING_KEYS[s],
       value, set ? "" : " (default)", rest);
}

static struct rc_src_pos nodes_pos(const struct chk *c) {
  return c->src ? c->src->nodes : (struct rc_src_pos){0, 0};
}

static void check_roles(struct chk *c) {
  const struct rc_topology *t = c->t;
  int root = -1;
  for (size_t i = 0; i < t->nnodes; i++) {
    const struct rc_topo_node *n = &t->nodes[i];
    if (n->role != RC_ROLE_ROOT)
      continue;
    if (root >= 0)
      fail(c, n->pos, "second root '%s' (the first is '%s'): a mesh has exactly one root",
           n->name, t->nodes[root].name);
    else
      root = (int)i;
  }
  if (root < 0)
    fail(c, nodes_pos(c), "no node has role root: a mesh has exactly one root");
  for (size_t r = 0; r < t->nrings; r++) {
    const struct rc_topo_ring *g = &t->rings[r];
    if (g->hub && g->norder > 0 && g->order[0] < t->nnodes &&
        t->nodes[g->order[0]].role == RC_ROLE_FRONTEND)
      fail(c, g->pos, "ring '%s': front-end '%s' cannot be a hub (it would relay "
           "every member's traffic)", g->name, t->nodes[g->order[0]].name);
  }
}

static bool on_ring(const struct rc_topology *t, size_t node) {
  for (size_t r = 0; r < t->nrings; r++)
    for (size_t k = 0; k < t->rings[r].norder; k++)
      if (t->rings[r].order[k] == node)
        return true;
  return false;
}

static void check_nodes(struct chk *c) {
  const struct rc_topology *t = c->t;
  static const uint8_t zero[RC_KEY_LEN];
  for (size_t i = 0; i < t->nnodes; i++) {
    const struct rc_topo_node *n = &t->nodes[i];
    if (!memcmp(n->link_pub, zero, RC_KEY_LEN))
      fail(c, n->pos, "node '%s' has an all-zero link_key", n->name);
    if (!memcmp(n->origin_pub, zero, RC_KEY_LEN))
      fail(c, n->pos, "node '%s' has an all-zero origin_key", n->name);
    for (size_t j = 0; j < i; j++) {
      if (!memcmp(n->link_pub, t->nodes[j].link_pub, RC_KEY_LEN) &&
          memcmp(n->link_pub, zero, RC_KEY_LEN))
        fail(c, n->pos, "node '%s' has the same link_key as node '%s'", n->name,
             t->nodes[j].name);
      if (!memcmp(n->origin_pub, t->nodes[j].origin_pub, RC_KEY_LEN) &&
          memcmp(n->origin_pub, zero, RC_KEY_LEN))
        fail(c, n->pos, "node '%s' has the same origin_key as node '%s'",
             n->name, t->nodes[j].name);
    }
    for (size_t p = 0; p < n->nports; p++)
      for (size_t q = 0; q < p; q++)
        if (!strcmp(n->ports[p].device, n->ports[q].device))
          fail(c, n->ports[p].pos, "ports '%s' and '%s' of node '%s' both use %s",
               n->ports[q].name, n->ports[p].name, n->name, n->ports[p].device);
    if (!on_ring(t, i))
      fail(c, n->pos, "node '%s' is on no ring", n->name);
  }
  for (size_t l = 0; l < t->nlinks; l++) {
    const struct rc_topo_link *k = &t->links[l];
    if (k->a_node >= t->nnodes || k->b_node >= t->nnodes ||
        k->a_port >= t->nodes[k->a_node].nports ||
        k->b_port >= t->nodes[k->b_node].nports)
      continue; /* validate reported it */
    const struct rc_topo_port *a = &t->nodes[k->a_node].ports[k->a_port];
    const struct rc_topo_port *b = &t->nodes[k->b_node].ports[k->b_port];
    if (a->baud != b->baud)
      fail(c, k->pos, "link %s:%s - %s:%s: the ports disagree on baud (%u and %u)",
           t->nodes[k->a_node].name, a->name, t->nodes[k->b_node].name, b->name,
           a->baud, b->baud);
  }
}

/* A node on no ring is reported once, as such, not again as cut off. */
static void check_paths(struct chk *c) {
  const struct rc_topology *t = c->t;
  bool *reach = calloc(t->nnodes + 1, sizeof *reach);
  if (!reach) {
    fail(c, (struct rc_src_pos){0, 0}, "out of memory");
    return;
  }
  if (rc_topology_reach_root(t, -1, -1, reach))
    for (size_t i = 0; i < t->nnodes; i++)
      if (t->nodes[i].role == RC_ROLE_FRONTEND && !reach[i] && on_ring(t, i))
        fail(c, t->nodes[i].pos, "front-end '%s' has no path to the root over rings",
             t->nodes[i].name);
  free(reach);
}

static void check_rotation(struct chk *c) {
  const struct rc_topology *t = c->t;
  for (size_t r = 0; r < t->nrings; r++) {
    uint64_t rot = rc_topology_rotation_ms(t, r);
    if (t->timeouts.token_loss_ms <= rot)
      blame(c, RC_TOPO_SET_TOKEN_LOSS, t->rings[r].pos, t->timeouts.token_loss_ms,
            "cannot hold: one rotation of ring '%s' (%zu hops) with full "
            "%u-byte frames and the master's pause takes %llu ms",
            t->rings[r].name, t->rings[r].norder, t->limits.frame_size,
            (unsigned long long)rot);
  }
}

/* Timers against the time one full frame needs on the slowest cable. */
static void check_link_timers(struct chk *c, struct rc_src_pos top) {
  const struct rc_topology *t = c->t;
  const struct rc_topo_timeouts *to = &t->timeouts;
  uint32_t slowest = 0;
  for (size_t l = 0; l < t->nlinks; l++)
    if (t->links[l].baud && (!slowest || t->links[l].baud < slowest))
      slowest = t->links[l].baud;
  if (!slowest)
    return;
  uint64_t frame = rc_topology_frame_ms(t->limits.frame_size, slowest);
  uint64_t ack = rc_topology_frame_ms(ACK_PAYLOAD, slowest);
  if (to->dead_link_ms <= 2 * to->heartbeat_ms + frame)
    blame(c, RC_TOPO_SET_DEAD_LINK, top, to->dead_link_ms,
          "cannot hold: it must exceed two heartbeats (2 x %llu ms) plus one "
          "full frame at %u baud (%llu ms)",
          (unsigned long long)to->heartbeat_ms, slowest, (unsigned long long)frame);
  if (to->retransmit_ms <= frame + ack)
    blame(c, RC_TOPO_SET_RETRANSMIT, top, to->retransmit_ms,
          "cannot hold: a full frame and its ACK take %llu ms at %u baud",
          (unsigned long long)(frame + ack), slowest);
}

static void check_timeouts(struct chk *c) {
  const struct rc_topology *t = c->t;
  const struct rc_topo_timeouts *to = &t->timeouts;
  struct rc_src_pos top = {1, 1};
  check_link_timers(c, top);
  check_rotation(c);
  unsigned long long failover = to->token_loss_ms + to->ring_restart_ms;
  if (to->isolation_ms <= failover)
    blame(c, RC_TOPO_SET_ISOLATION, top, to->isolation_ms,
          "cannot hold: the root would trip before a ring restarts "
          "(token_loss_ms + ring_restart_ms = %llu ms)", failover);
  if (to->request_deadline_ms <= failover)
    blame(c, RC_TOPO_SET_REQUEST_DEADLINE, top, to->request_deadline_ms,
          "cannot survive one failover (token_loss_ms + ring_restart_ms = "
          "%llu ms)", failover);
  if (t->limits.token_size + LINK_OVERHEAD > t->limits.frame_size)
    blame(c, RC_TOPO_SET_TOKEN_SIZE, top, t->limits.token_size,
          "does not fit a frame: it must be at most frame_size - %u = %u",
          LINK_OVERHEAD,
          t->limits.frame_size > LINK_OVERHEAD ? t->limits.frame_size - LINK_OVERHEAD : 0);
  if (t->policy.noise_max_bad > t->policy.noise_window)
    blame(c, RC_TOPO_SET_NOISE_MAX_BAD, top, t->policy.noise_max_bad,
          "exceeds noise_window %u", t->policy.noise_window);
}

size_t rc_topology_check(const struct rc_topology *t,
                         const struct rc_topo_src *src,
                         rc_topology_report_fn report, void *ctx) {
  struct chk c = {.t = t, .src = src, .report = report, .ctx = ctx};
  c.count = rc_topology_validate(t, report, ctx);
  check_roles(&c);
  check_nodes(&c);
  check_paths(&c);
  check_timeouts(&c);
  return c.count;
}
