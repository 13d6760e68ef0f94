/* Ring-level lies of a compromised node, sent through the core's lab
 * injection hook (rc_node_inject_ring_message, libringca_lab): the message
 * travels over the node's real, keyed link, so the neighbour judges it with
 * the code that ships. The attacker only uses what it knows: its own ring
 * position, its own origin key, names from the topology. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ringca/envelope.h"
#include "ringca/error.h"
#include "world_int.h"

/* ringca-sim always links libringca_lab: it is a lab tool by nature and
 * never holds production keys. */
bool rc_world_has_ring_hook(void) { return true; }

static bool in_ring(const struct rc_topo_ring *r, uint32_t n) {
  for (size_t i = 0; i < r->norder; i++)
    if (r->order[i] == n)
      return true;
  return false;
}

/* The attacker's view of a ring it shares with the target. */
static int shared_ring(const struct world *w, uint32_t attacker,
                       uint32_t target, struct rc_node_ring_status *st) {
  struct rc_node *c = w->nodes[attacker].core;
  size_t k = rc_node_ring_count(c);
  for (size_t i = 0; i < k; i++) {
    rc_node_ring_status(c, i, st);
    if (st->ring >= 0 && (size_t)st->ring < w->t->nrings &&
        in_ring(&w->t->rings[st->ring], target))
      return st->ring;
  }
  return -1;
}

/* The epoch `node` has seen on ring r (0: none, or it is down). */
static uint64_t known_epoch(const struct world *w, uint32_t node, int r) {
  struct rc_node *c = w->nodes[node].core;
  if (!c || w->nodes[node].tripped)
    return 0;
  size_t k = rc_node_ring_count(c);
  for (size_t i = 0; i < k; i++) {
    struct rc_node_ring_status st;
    rc_node_ring_status(c, i, &st);
    if (st.ring == r)
      return st.epoch;
  }
  return 0;
}

/* A request claiming to come from a front-end other than the attacker,
 * signed with the attacker's own key: relays and the root must refuse it. */
static int forged_envelope(struct world *w, uint32_t attacker,
                           Ringca__Envelope *env, uint8_t id[16],
                           uint8_t sig[64], uint8_t *payload, size_t cap,
                           size_t *plen) {
  int victim = -1;
  for (size_t n = 0; n < w->t->nnodes && victim < 0; n++)
    if (w->t->nodes[n].role == RC_ROLE_FRONTEND && n != attacker)
      victim = (int)n;
  if (victim < 0)
    victim = (int)attacker == w->root ? 0 : w->root;
  struct wnode *vn = &w->nodes[victim];
  Ringca__CertRequest cr = RINGCA__CERT_REQUEST__INIT;
  cr.version = RC_WIRE_VERSION;
  cr.profile = "server";
  cr.csr_der.data = vn->csr ? vn->csr : w->nodes[attacker].csr;
  cr.csr_der.len = vn->csr ? vn->csr_len : w->nodes[attacker].csr_len;
  if (!cr.csr_der.data || ringca__cert_request__get_packed_size(&cr) > cap)
    return RC_ESTATE;
  *plen = ringca__cert_request__pack(&cr, payload);
  struct rc_rng rng = rc_prng_as_rng(&w->prng);
  rc_rng_fill(&rng, id, 16);
  env->version = RC_WIRE_VERSION;
  env->request_id.data = id;
  env->request_id.len = 16;
  env->origin = w->t->nodes[victim].name;
  env->destination = w->t->nodes[w->root].name;
  env->kind = RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REQUEST;
  env->payload.data = payload;
  env->payload.len = *plen;
  env->ttl = w->t->limits.envelope_ttl;
  env->deadline_unix_ms = RC_SIM_UNIX_EPOCH_S * 1000 + w->now / 1000000 +
                          w->t->timeouts.request_deadline_ms;
  return rc_envelope_sign(env, w->nodes[attacker].origin_priv, sig);
}

int w_ring_lie(struct world *w, const struct wattack *a, uint32_t target,
               struct rc_bytes *sent) {
  struct wnode *an = &w->nodes[a->attacker];
  if (!an->core || an->tripped)
    return RC_ESTATE;
  uint8_t msg[4096];
  size_t len = 0;
  if (a->beh == RC_SCN_BEH_MALFORMED) {
    /* field 1 with a length no buffer holds: cannot decode */
    static const uint8_t junk[] = {0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01};
    memcpy(msg, junk, sizeof junk);
    len = sizeof junk;
  } else {
    struct rc_node_ring_status st;
    int r = shared_ring(w, a->attacker, target, &st);
    if (r < 0)
      return RC_ESTATE;
    /* While we hold the token, "our epoch, next seq" is exactly the token
     * the neighbour expects from us: that would be the truth, not a lie.
     * Wait until the token has moved on. */
    if (st.holding && a->beh == RC_SCN_BEH_OUT_OF_TURN)
      return RC_ESTATE;
    /* A member that lags behind our epoch (it just rejoined after a
     * bypass, or restarted) rightly takes a newer epoch from its
     * predecessor: to it, our token is the real thing, not a lie. */
    if (a->beh == RC_SCN_BEH_OUT_OF_TURN &&
        known_epoch(w, target, r) < st.epoch)
      return RC_ESTATE;
    Ringca__Token tok = RINGCA__TOKEN__INIT;
    tok.ring = w->t->rings[r].name;
    tok.epoch = st.epoch;
    tok.seq = st.last_seq + 1;
    if (a->beh == RC_SCN_BEH_WRONG_EPOCH) {
      tok.epoch = st.epoch > 0 ? st.epoch - 1 : 0;
      /* A stale epoch is only a lie to a node that has seen a newer one: a
       * member that just restarted remembers no epoch and rightly accepts
       * any from its predecessor. Wait until the target knows better. */
      if (known_epoch(w, target, r) <= tok.epoch)
        return RC_ESTATE;
    }
    /* The visit order as the topology writes it: what the attacker knows,
     * and what the token carries while nobody is bypassed. */
    const struct rc_topo_ring *ring = &w->t->rings[r];
    char *order[RC_TOKEN_MAX_ORDER];
    for (size_t i = 0; i < ring->norder; i++)
      order[i] = w->t->nodes[ring->order[i]].name;
    tok.n_active_order = ring->norder;
    tok.active_order = order;
    Ringca__Envelope env = RINGCA__ENVELOPE__INIT, *envs[1] = {&env};
    uint8_t id[16], sig[64], payload[2048];
    size_t plen;
    if (a->beh == RC_SCN_BEH_FORGED_ORIGIN) {
      if (forged_envelope(w, a->attacker, &env, id, sig, payload,
                          sizeof payload, &plen) != 0)
        return RC_ESTATE;
      tok.n_envelopes = 1;
      tok.envelopes = envs;
    }
    Ringca__RingMessage rm = RINGCA__RING_MESSAGE__INIT;
    rm.version = RC_WIRE_VERSION;
    rm.token = &tok;
    if (ringca__ring_message__get_packed_size(&rm) > sizeof msg)
      return RC_ESTATE;
    len = ringca__ring_message__pack(&rm, msg);
  }
  int rc = rc_node_inject_ring_message(an->core, (uint32_t)a->link, msg, len,
                                       w->now);
  w_drain(w, a->attacker);
  if (rc == 0)
    rc_bytes_append(sent, msg, len);
  return rc == 0 ? 0 : RC_ESTATE;
}
