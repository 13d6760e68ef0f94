/* Lab-only fault injection for ringca-node-lab (never in ringca-node): the
 * control socket's `inject` makes this node misbehave over its real, keyed
 * cable, as a compromised node would, so the demo and the lab test can
 * watch its neighbour trip. Built only with RINGCA_LAB (libringca_lab). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_runtime.h"
#include "ringca/ctl.h"
#include "ringca/error.h"
#include "ringca/limits.h"
#include "ringca/log.h"
#include "ringca/pb.h"

#ifndef RINGCA_LAB
#error "lab_inject_uv.c is for ringca-node-lab only"
#endif

static int find_ring(const struct rc_runtime *rt, const char *name) {
  for (size_t i = 0; i < rt->topo->nrings; i++) {
    const struct rc_topo_ring *r = &rt->topo->rings[i];
    bool member = false;
    for (size_t k = 0; k < r->norder; k++)
      member |= r->order[k] == rt->self;
    if (member && (!name[0] || !strcmp(r->name, name)))
      return (int)i;
  }
  return -1;
}

/* A token for `ring` that this node has no right to send now: the epoch it
 * last saw and the next seq, sent to its successor on the ring. */
void rc_lab_inject(struct rc_runtime *rt, struct rc_ctl_client *c,
                   const Ringca__CtlInject *inj) {
  if (inj->fault != RINGCA__CTL_FAULT__CTL_FAULT_TOKEN_OUT_OF_TURN) {
    rc_ctl_client_error(rt, c, "unknown fault %d", (int)inj->fault);
    return;
  }
  int ring = find_ring(rt, inj->ring);
  if (ring < 0) {
    rc_ctl_client_error(rt, c, "%s is on no ring named \"%s\"", rt->me->name,
                        inj->ring);
    return;
  }
  const struct rc_topo_ring *r = &rt->topo->rings[ring];
  size_t pos = 0;
  while (r->order[pos] != rt->self)
    pos++;
  uint32_t next = r->order[(pos + 1) % r->norder];
  int link = rc_topology_link_between(rt->topo, rt->self, next);
  struct rc_node_ring_status rs = {0};
  for (size_t i = 0; i < rc_node_ring_count(rt->node); i++) {
    rc_node_ring_status(rt->node, i, &rs);
    if (rs.ring == ring)
      break;
  }
  char *order[RC_TOKEN_MAX_ORDER];
  for (size_t k = 0; k < r->norder; k++)
    order[k] = (char *)rt->topo->nodes[r->order[k]].name;
  Ringca__Token tok = RINGCA__TOKEN__INIT;
  tok.ring = (char *)r->name;
  tok.epoch = rs.epoch;
  tok.seq = rs.last_seq + 1;
  tok.active_order = order;
  tok.n_active_order = r->norder;
  Ringca__RingMessage msg = RINGCA__RING_MESSAGE__INIT;
  msg.version = RC_WIRE_VERSION;
  msg.token = &tok;
  uint8_t *buf = NULL;
  size_t len = 0;
  if (link < 0 || rc_pb_pack(&msg.base, &buf, &len) != 0) {
    rc_ctl_client_error(rt, c, "cannot build the token");
    return;
  }
  int rc = rc_node_inject_ring_message(rt->node, (uint32_t)link, buf, len,
                                       rc_runtime_now(rt));
  free(buf);
  if (rc) {
    rc_ctl_client_error(rt, c, "injection refused by the core: %s",
                        rc_strerror(rc));
    return;
  }
  rc_log_warnx("LAB FAULT INJECTED: token for ring %s (epoch %llu, seq %llu) "
               "sent out of turn to %s",
               r->name, (unsigned long long)tok.epoch,
               (unsigned long long)tok.seq, rt->topo->nodes[next].name);
  Ringca__CtlStatusQuery done = RINGCA__CTL_STATUS_QUERY__INIT;
  Ringca__CtlResponse resp = RINGCA__CTL_RESPONSE__INIT;
  resp.version = RC_CTL_VERSION;
  resp.result_case = RINGCA__CTL_RESPONSE__RESULT_DONE;
  resp.done = &done;
  rc_ctl_client_respond(rt, c, &resp);
}
