/* Random scenarios for sweeps, VOPR-style: the seed picks the load and a few
 * faults during a safety phase (the first 60% of the run); then everything
 * is repaired and the liveness phase must deliver again. Only invariants are
 * checked: a generated scenario makes no claim about who trips. */
#include "generate.h"

#include <stdio.h>
#include <string.h>

#include "ringca/error.h"
#include "ringca/rng.h"

static uint64_t below(struct rc_prng *p, uint64_t n) {
  return n ? rc_prng_below(p, n) : 0;
}

static void cable_names(const struct rc_topology *t, size_t l,
                        struct rc_scn_step *st) {
  snprintf(st->cable[0], sizeof st->cable[0], "%s",
           t->nodes[t->links[l].a_node].name);
  snprintf(st->cable[1], sizeof st->cable[1], "%s",
           t->nodes[t->links[l].b_node].name);
  st->has_cable = true;
}

static int add(struct rc_scenario *s, struct rc_scn_step *st) {
  return rc_scenario_add_step(s, st);
}

/* Behaviours by who can do them: the ring-level ones need the core's lab
 * injection hook (sim_hook.h says whether this build has it). */
static enum rc_scn_behaviour pick_behaviour(struct rc_prng *p, bool tap,
                                            bool hook) {
  static const enum rc_scn_behaviour frame[] = {
      RC_SCN_BEH_REPLAY, RC_SCN_BEH_REORDER, RC_SCN_BEH_DROP,
      RC_SCN_BEH_FORGE, RC_SCN_BEH_FLOOD};
  static const enum rc_scn_behaviour ring[] = {
      RC_SCN_BEH_OUT_OF_TURN, RC_SCN_BEH_WRONG_EPOCH, RC_SCN_BEH_MALFORMED,
      RC_SCN_BEH_FORGED_ORIGIN};
  if (!tap && hook && below(p, 2) == 0)
    return ring[below(p, sizeof ring / sizeof ring[0])];
  if (!tap && below(p, 6) == 0)
    return RC_SCN_BEH_BAD_CSR;
  return frame[below(p, sizeof frame / sizeof frame[0])];
}

static int one_fault(const struct rc_topology *t, struct rc_prng *p,
                     uint64_t at, uint64_t repair, bool hook,
                     struct rc_scenario *s) {
  struct rc_scn_step st;
  memset(&st, 0, sizeof st);
  st.count = 1;
  st.every_ms = 1000;
  st.at_ms = at;
  int rc;
  switch (below(p, 5)) {
  case 0: /* cut, then restore */
    st.action = RC_SCN_CUT;
    cable_names(t, below(p, t->nlinks), &st);
    if ((rc = add(s, &st)) != 0)
      return rc;
    st.action = RC_SCN_RESTORE;
    st.at_ms = repair;
    return add(s, &st);
  case 1: { /* crash, then restart */
    st.action = RC_SCN_CRASH;
    snprintf(st.node, sizeof st.node, "%s",
             t->nodes[below(p, t->nnodes)].name);
    if ((rc = add(s, &st)) != 0)
      return rc;
    st.action = RC_SCN_RESTART;
    st.at_ms = repair;
    return add(s, &st);
  }
  case 2: { /* noise, then quiet */
    static const double bers[] = {1e-6, 1e-5, 5e-5, 1e-4, 1e-3};
    st.action = RC_SCN_NOISE;
    cable_names(t, below(p, t->nlinks), &st);
    st.ber = bers[below(p, sizeof bers / sizeof bers[0])];
    if ((rc = add(s, &st)) != 0)
      return rc;
    st.ber = 0;
    st.at_ms = repair;
    return add(s, &st);
  }
  case 3: /* a tap */
    st.action = RC_SCN_TAP;
    cable_names(t, below(p, t->nlinks), &st);
    if (below(p, 2)) { /* inject toward the other end */
      char end[RC_NAME_MAX + 1];
      memcpy(end, st.cable[0], sizeof end);
      memcpy(st.cable[0], st.cable[1], sizeof end);
      memcpy(st.cable[1], end, sizeof end);
    }
    st.behaviour = pick_behaviour(p, true, hook);
    st.count = 1 + (uint32_t)below(p, 3);
    return add(s, &st);
  default: { /* a compromised node */
    size_t n = below(p, t->nnodes);
    st.action = RC_SCN_COMPROMISE;
    snprintf(st.node, sizeof st.node, "%s", t->nodes[n].name);
    st.behaviour = pick_behaviour(p, false, hook);
    if (st.behaviour == RC_SCN_BEH_BAD_CSR &&
        t->nodes[n].role != RC_ROLE_FRONTEND)
      st.behaviour = RC_SCN_BEH_FORGE;
    st.count = 1 + (uint32_t)below(p, 3);
    return add(s, &st);
  }
  }
}

int rc_generate_scenario(const struct rc_topology *t, uint64_t seed,
                         uint64_t duration_ms, bool hook,
                         struct rc_scenario *s) {
  rc_scenario_init(s);
  if (t->nnodes == 0 || t->nlinks == 0)
    return RC_EINVAL;
  struct rc_prng p;
  rc_prng_seed(&p, seed ^ 0x5ce4a210c0ffee11ull);
  snprintf(s->name, sizeof s->name, "sweep-%llu", (unsigned long long)seed);
  snprintf(s->description, sizeof s->description,
           "generated from seed %llu", (unsigned long long)seed);
  s->duration_ms = duration_ms;
  s->latency_ms = below(&p, 3);
  struct rc_scn_step load;
  memset(&load, 0, sizeof load);
  load.action = RC_SCN_LOAD;
  load.load.all = true;
  load.load.rate_per_hour = 60 * (2 + (uint32_t)below(&p, 11));
  strcpy(load.load.profile, below(&p, 2) ? "server" : "client");
  int rc = add(s, &load);
  /* Safety phase: faults between 10% and 50% of the run, each repaired
   * before 60%; the last 40% is the healed liveness phase. */
  uint64_t nfaults = below(&p, 4);
  for (uint64_t i = 0; rc == 0 && i < nfaults; i++) {
    uint64_t at = duration_ms / 10 + below(&p, duration_ms * 4 / 10);
    uint64_t repair = at + 1 + below(&p, duration_ms * 6 / 10 - at);
    rc = one_fault(t, &p, at, repair, hook, s);
  }
  if (rc != 0)
    rc_scenario_free(s);
  return rc;
}
