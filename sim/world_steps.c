/* Scenario steps and the attacker's schedule. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringca/error.h"
#include "world_int.h"

static int cable_of(const struct world *w, const struct rc_scn_step *st) {
  int a = rc_topology_find_node(w->t, st->cable[0]);
  int b = rc_topology_find_node(w->t, st->cable[1]);
  return rc_topology_link_between(w->t, (uint32_t)a, (uint32_t)b);
}

static void fault(struct world *w, bool on) {
  if (on)
    w->faults_active++;
  else if (w->faults_active > 0)
    w->faults_active--;
}

static struct rc_tamper *tamper_at(struct world *w, int link, int end) {
  struct rc_tamper **slot = &w->tamper[(size_t)link * 2 + (size_t)end];
  if (!*slot) {
    struct rc_tamper *t = malloc(sizeof *t);
    if (!t || rc_tamper_init(t, w->t->limits.frame_size) != 0) {
      free(t);
      return NULL;
    }
    *slot = t;
  }
  return *slot;
}

static void add_attack(struct world *w, enum rc_scn_behaviour beh,
                       uint32_t attacker, bool tap, int link, int end,
                       const struct rc_scn_step *st) {
  if (w->nattacks == W_MAX_ATTACKS)
    return;
  if (link >= 0 && !tamper_at(w, link, end))
    return;
  struct wattack *a = &w->attacks[w->nattacks++];
  memset(a, 0, sizeof *a);
  a->beh = beh;
  a->attacker = attacker;
  a->tap = tap;
  a->link = link;
  a->end = end;
  a->remaining = st->count;
  a->every_ns = w_ns(st->every_ms);
  a->next_ns = w->now;
  if (beh == RC_SCN_BEH_DROP && link >= 0) {
    w->tamper[(size_t)link * 2 + (size_t)end]->drop = true;
    a->remaining = 0;  /* a state, not a series of moves */
  }
}

static void compromise(struct world *w, const struct rc_scn_step *st) {
  uint32_t n = (uint32_t)rc_topology_find_node(w->t, st->node);
  struct wnode *wn = &w->nodes[n];
  if (!wn->compromised) {
    wn->compromised = true;
    w->rec->trips[n].compromised = true;
    rc_inv_node_compromised(w->inv, n);
    rc_inv_node_usable(w->inv, n, false, w->now);
    fault(w, true);
  }
  if (st->behaviour == RC_SCN_BEH_BAD_CSR) {
    add_attack(w, st->behaviour, n, false, -1, 0, st);
    return;
  }
  for (size_t l = 0; l < w->t->nlinks; l++) {
    int end = w_link_end(w, (int)l, n);
    if (end < 0)
      continue;
    if (st->has_cable && (int)l != cable_of(w, st))
      continue;
    add_attack(w, st->behaviour, n, false, (int)l, end, st);
  }
}

void w_apply_step(struct world *w, const struct rc_scn_step *st) {
  int l = st->has_cable ? cable_of(w, st) : -1;
  int n = st->node[0] ? rc_topology_find_node(w->t, st->node) : -1;
  switch (st->action) {
  case RC_SCN_LOAD:
    for (size_t i = 0; i < w->t->nnodes; i++) {
      if (w->t->nodes[i].role != RC_ROLE_FRONTEND)
        continue;
      bool named = st->load.all;
      for (size_t k = 0; !named && k < st->load.nnodes; k++)
        named = strcmp(st->load.nodes[k], w->t->nodes[i].name) == 0;
      if (!named)
        continue;
      struct wnode *wn = &w->nodes[i];
      wn->rate_per_hour = st->load.rate_per_hour;
      snprintf(wn->profile, sizeof wn->profile, "%s", st->load.profile);
      wn->next_submit_ns =
          st->load.rate_per_hour
              ? w->now + rc_prng_below(&w->prng, 3600000000000ull /
                                                     st->load.rate_per_hour)
              : UINT64_MAX;
      w_load_rekey(w, (uint32_t)i);
    }
    break;
  case RC_SCN_CUT:
  case RC_SCN_RESTORE: {
    bool cut = st->action == RC_SCN_CUT;
    if (w->cut[l] == cut)
      break;
    w->cut[l] = cut;
    w_line_cut(w, l, cut);
    fault(w, cut);
    w_cable_changed(w, l);
    break;
  }
  case RC_SCN_NOISE: {
    bool was = w->ber[l] > 0, is = st->ber > 0;
    w->ber[l] = st->ber;
    rc_netsim_set_bit_error_rate(w->net, l, st->ber);
    if (was != is)
      fault(w, is);
    w_cable_changed(w, l);
    break;
  }
  case RC_SCN_CRASH:
    if (w->nodes[n].crashed || w->nodes[n].tripped)
      break;
    w_node_stop(w, (uint32_t)n);
    w->nodes[n].crashed = true;
    fault(w, true);
    if (!w->nodes[n].compromised)
      rc_inv_node_usable(w->inv, (uint32_t)n, false, w->now);
    break;
  case RC_SCN_RESTART:
    /* a tripped node stays down until an operator clears its marker */
    if (!w->nodes[n].crashed || w->nodes[n].tripped)
      break;
    w_node_start(w, (uint32_t)n);
    fault(w, false);
    if (!w->nodes[n].compromised && w->nodes[n].core)
      rc_inv_node_usable(w->inv, (uint32_t)n, true, w->now);
    break;
  case RC_SCN_COMPROMISE:
    compromise(w, st);
    break;
  case RC_SCN_TAP: {
    if (!w->tapped[l]) {
      w->tapped[l] = true;
      fault(w, true);
      w_cable_changed(w, l);
    }
    uint32_t near = (uint32_t)rc_topology_find_node(w->t, st->cable[0]);
    add_attack(w, st->behaviour, near, true, l, w_link_end(w, l, near), st);
    break;
  }
  case RC_SCN__ACTION_COUNT:
    break;
  }
  char what[400];
  snprintf(what, sizeof what, "%s%s%s%s%s%s%s%s", rc_scn_action_name(st->action),
           n >= 0 ? " " : "", n >= 0 ? st->node : "", l >= 0 ? " " : "",
           l >= 0 ? st->cable[0] : "", l >= 0 ? "-" : "",
           l >= 0 ? st->cable[1] : "",
           st->action == RC_SCN_COMPROMISE || st->action == RC_SCN_TAP
               ? (st->behaviour == RC_SCN_BEH_DROP ? " (drop)" : " (attack)")
               : "");
  rc_record_event(w->rec, w->now, RC_REC_STEP, n, l, -1, "%.200s", what);
}

/* ------------------------------------------------------------- attacks */

uint64_t w_next_attack(const struct world *w) {
  uint64_t t = UINT64_MAX;
  for (size_t i = 0; i < w->nattacks; i++)
    if (w->attacks[i].remaining && w->attacks[i].next_ns < t)
      t = w->attacks[i].next_ns;
  return t;
}

static bool link_up_at(const struct world *w, uint32_t n, int link) {
  struct rc_node *c = w->nodes[n].core;
  if (!c || w->nodes[n].tripped)
    return false;
  size_t k = rc_node_link_count(c);
  for (size_t i = 0; i < k; i++) {
    struct rc_node_link_status st;
    rc_node_link_status(c, i, &st);
    if (st.link == link)
      return st.up;
  }
  return false;
}

/* How long a frame put on the line now may take to reach the far end and
 * trip it: what is queued ahead, its own bytes, latency, and the far end's
 * retransmission timer for a reorder (which needs one more frame). */
static uint64_t trip_bound(const struct world *w, int link, int end,
                           size_t len) {
  uint64_t baud = w->t->links[link].baud ? w->t->links[link].baud : 115200;
  uint64_t queued = rc_netsim_tx_idle_at(w->net, link, end);
  queued = queued > w->now ? queued - w->now : 0;
  return queued + (uint64_t)len * 10u * 1000000000u / baud +
         w_ns(w->s->latency_ms) + w_ns(3 * w->t->timeouts.heartbeat_ms) +
         w_ns(2 * w->t->timeouts.retransmit_ms) + w_ns(1000);
}

static void fire(struct world *w, struct wattack *a) {
  const char *beh = rc_scn_behaviour_name(a->beh);
  const char *who = w->t->nodes[a->attacker].name;
  if (a->beh == RC_SCN_BEH_BAD_CSR) {
    w_submit_bad(w, a->attacker);
    a->remaining--;
    a->next_ns = w->now + a->every_ns;
    return;
  }
  /* toward the far end of the direction the attack rides on */
  uint32_t target = a->end == 0 ? w->t->links[a->link].b_node
                                : w->t->links[a->link].a_node;
  struct rc_tamper *tp = w->tamper[(size_t)a->link * 2 + (size_t)a->end];
  struct rc_bytes out = {0}, lie = {0};
  int rc = RC_ESTATE;
  /* A frame-level lie only means something on a session both ends hold. */
  bool session = link_up_at(w, target, a->link) &&
                 (a->tap || link_up_at(w, a->attacker, a->link));
  struct rc_rng rng = rc_prng_as_rng(&w->prng);
  switch (a->beh) {
  case RC_SCN_BEH_FORGE:
    rc = session ? rc_tamper_forge(tp, &rng, &out) : RC_ESTATE;
    break;
  case RC_SCN_BEH_REPLAY:
    rc = session ? rc_tamper_replay(tp, &out) : RC_ESTATE;
    break;
  case RC_SCN_BEH_REORDER:
    if (session) {
      rc_tamper_reorder(tp);
      rc = 0;
    }
    break;
  case RC_SCN_BEH_FLOOD:
    rc = rc_tamper_flood(tp, &rng, &out);
    break;
  case RC_SCN_BEH_OUT_OF_TURN:
  case RC_SCN_BEH_WRONG_EPOCH:
  case RC_SCN_BEH_MALFORMED:
  case RC_SCN_BEH_FORGED_ORIGIN:
    /* sent by the attacker's own core over its keyed link, not spliced;
     * while the same attacker swallows everything on this cable (drop),
     * the lie would be swallowed too: it waits */
    rc = session && !tp->drop ? w_ring_lie(w, a, target, &lie) : RC_ESTATE;
    break;
  default:
    break;
  }
  if (rc == RC_ESTATE && ++a->retries < 30) {
    a->next_ns = w->now + w_ns(500);  /* wait for a session to work on */
    rc_bytes_free(&out);
    rc_bytes_free(&lie);
    return;
  }
  a->retries = 0;
  a->remaining--;
  a->next_ns = w->now + a->every_ns;
  if (rc != 0) {
    w->rec->injections_skipped++;
    rc_bytes_free(&out);
    rc_bytes_free(&lie);
    return;
  }
  w->rec->injections++;
  /* flood must not trip anyone; a reorder is judged when the held frame
   * is actually released (w_reorder_sent) */
  if (a->beh != RC_SCN_BEH_FLOOD && a->beh != RC_SCN_BEH_REORDER) {
    char what[160];
    snprintf(what, sizeof what, "%s (%s) from %s%s",
             a->beh == RC_SCN_BEH_FORGE || a->beh == RC_SCN_BEH_REPLAY
                 ? "a frame"
                 : "a ring message",
             beh, who,
             a->tap ? "'s cable tap" : "");
    rc_inv_inject(w->inv, target, a->link,
                  trip_bound(w, a->link, a->end, out.len + lie.len + 64), what,
                  w->now);
  }
  if (out.len)
    w_line_write(w, a->link, a->end, out.p, out.len);
  rc_record_event(w->rec, w->now, RC_REC_INJECT, (int)a->attacker, a->link,
                  -1, "%s%s sends %s toward %s", who, a->tap ? " tap" : "",
                  beh, w->t->nodes[target].name);
  rc_bytes_free(&out);
  rc_bytes_free(&lie);
}

void w_reorder_sent(struct world *w, int link, int end, size_t len) {
  uint32_t from = end == 0 ? w->t->links[link].a_node : w->t->links[link].b_node;
  uint32_t target = end == 0 ? w->t->links[link].b_node
                             : w->t->links[link].a_node;
  char what[160];
  snprintf(what, sizeof what, "frames out of order from %s's side of the "
           "cable", w->t->nodes[from].name);
  rc_inv_inject(w->inv, target, link, trip_bound(w, link, end, len), what,
                w->now);
  rc_record_event(w->rec, w->now, RC_REC_INJECT, (int)from, link, -1,
                  "frames reordered toward %s", w->t->nodes[target].name);
}

void w_fire_attacks(struct world *w) {
  for (size_t i = 0; i < w->nattacks; i++) {
    struct wattack *a = &w->attacks[i];
    if (a->remaining && a->next_ns <= w->now)
      fire(w, a);
  }
}
