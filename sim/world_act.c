/* What happens to the world: scenario steps, the attacker's moves, the
 * webservers' certificate requests, and the root store's runtime around
 * the real signer library (policy check, issuance, idempotent replies,
 * and the trip on a request that fails policy). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "ringca/error.h"
#include "ringca/pb.h"
#include "ringca/wire.h"
#include "world_int.h"

static int step_error(struct world *w, const struct rc_scn_step *st,
                      const char *fmt, ...) RC_PRINTF(3, 4);
static int step_error(struct world *w, const struct rc_scn_step *st,
                      const char *fmt, ...) {
  char msg[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  snprintf(w->err, w->errlen, "%s:%u:%u: %s", w->s->source, st->pos.line,
           st->pos.col, msg);
  return RC_EINVAL;
}

static int find_cable(const struct world *w, const struct rc_scn_step *st) {
  int a = rc_topology_find_node(w->t, st->cable[0]);
  int b = rc_topology_find_node(w->t, st->cable[1]);
  if (a < 0 || b < 0)
    return -1;
  return rc_topology_link_between(w->t, (uint32_t)a, (uint32_t)b);
}

static bool ring_level(enum rc_scn_behaviour b) {
  return b == RC_SCN_BEH_OUT_OF_TURN || b == RC_SCN_BEH_WRONG_EPOCH ||
         b == RC_SCN_BEH_MALFORMED || b == RC_SCN_BEH_FORGED_ORIGIN;
}

/* Every name in the scenario must exist in this topology; checked before
 * the run so a typo is an input error at its line, not a strange result. */
int w_resolve_steps(struct world *w) {
  for (size_t i = 0; i < w->s->nsteps; i++) {
    const struct rc_scn_step *st = &w->s->steps[i];
    if (st->node[0] && rc_topology_find_node(w->t, st->node) < 0)
      return step_error(w, st, "no node '%s' in the topology", st->node);
    if (st->has_cable && find_cable(w, st) < 0)
      return step_error(w, st, "no cable between %s and %s in the topology",
                        st->cable[0], st->cable[1]);
    if (st->action == RC_SCN_COMPROMISE) {
      int n = rc_topology_find_node(w->t, st->node);
      if (st->has_cable && strcmp(st->cable[0], st->node) != 0)
        return step_error(w, st, "a compromised node attacks on its own "
                          "cables: write cable: [%s, %s]", st->node,
                          st->cable[0]);
      if (st->behaviour == RC_SCN_BEH_BAD_CSR &&
          w->t->nodes[n].role != RC_ROLE_FRONTEND)
        return step_error(w, st, "bad-csr needs a front-end; %s is not one",
                          st->node);
      if (ring_level(st->behaviour) && !rc_world_has_ring_hook())
        return step_error(w, st, "behaviour %s lies at ring level and needs "
                          "a build with -DRINGCA_LAB=ON",
                          rc_scn_behaviour_name(st->behaviour));
    }
    if (st->action == RC_SCN_LOAD && !st->load.all)
      for (size_t k = 0; k < st->load.nnodes; k++) {
        int n = rc_topology_find_node(w->t, st->load.nodes[k]);
        if (n < 0 || w->t->nodes[n].role != RC_ROLE_FRONTEND)
          return step_error(w, st, "load names '%s', which is not a "
                            "front-end of the topology", st->load.nodes[k]);
      }
  }
  return 0;
}

/* ------------------------------------------------------------- requests */

int w_fe_prepare(struct world *w, uint32_t n) {
  struct wnode *wn = &w->nodes[n];
  uint8_t seed[32];
  struct rc_rng rng = rc_prng_as_rng(&w->prng);
  rc_rng_fill(&rng, seed, sizeof seed);
  char san[RC_NAME_MAX + 32], bad[RC_NAME_MAX + 32];
  snprintf(san, sizeof san, "%s.sim.example", w->t->nodes[n].name);
  /* A wildcard: no profile allows one, so the root refuses it. */
  snprintf(bad, sizeof bad, "*.%s.sim.example", w->t->nodes[n].name);
  for (char *p = san; *p; p++)
    if (*p == '_')
      *p = '-';
  for (char *p = bad; *p; p++)
    if (*p == '_')
      *p = '-';
  /* The CN is repeated in the subjectAltName, as the profiles require. */
  int rc = rc_sim_csr(seed, san, san, &wn->csr, &wn->csr_len);
  if (rc == 0)
    rc = rc_sim_csr(seed, san, bad, &wn->bad_csr, &wn->bad_csr_len);
  OPENSSL_cleanse(seed, sizeof seed);
  strcpy(wn->profile, "server");
  /* An honest front-end's intake runs the signer's policy before sending
   * (frontend/): its CSR must pass both profiles, or the world is wrong. */
  static const char *const profiles[] = {"server", "client"};
  for (size_t i = 0; rc == 0 && i < 2; i++) {
    struct rc_csr_checked ok;
    struct rc_refusal why;
    rc = rc_policy_check(&w->policy, profiles[i], wn->csr, wn->csr_len, 0,
                         &ok, &why);
    if (rc == 0) {
      rc_csr_checked_free(&ok);
    } else {
      snprintf(w->err, w->errlen, "simulated CSR of %s fails the %s "
               "policy: %s", w->t->nodes[n].name, profiles[i], why.message);
      rc = RC_EINVAL;
    }
  }
  return rc;
}

static struct wreq *new_req(struct world *w, uint8_t id[16]) {
  if (w->nreqs == W_MAX_REQUESTS)
    return NULL;
  if (w->nreqs == w->capreqs) {
    size_t cap = w->capreqs ? w->capreqs * 2 : 1024;
    struct wreq *r = realloc(w->reqs, cap * sizeof *r);
    if (!r)
      return NULL;
    w->reqs = r;
    w->capreqs = cap;
  }
  /* random half for the hash, index half to find our bookkeeping */
  struct rc_rng rng = rc_prng_as_rng(&w->prng);
  rc_rng_fill(&rng, id, 8);
  uint64_t idx = w->nreqs;
  memcpy(id + 8, &idx, 8);
  struct wreq *r = &w->reqs[w->nreqs++];
  memset(r, 0, sizeof *r);
  return r;
}

static struct wreq *req_of(struct world *w, uint32_t fe, const uint8_t id[16]) {
  uint64_t idx;
  memcpy(&idx, id + 8, 8);
  if (idx >= w->nreqs || w->reqs[idx].fe != fe)
    return NULL;
  return &w->reqs[idx];
}

/* One certificate request from front-end n. bad: the attacker's CSR that
 * fails policy (an honest front-end checks policy first and never sends
 * one). */
static void submit(struct world *w, uint32_t n, bool bad) {
  struct wnode *wn = &w->nodes[n];
  uint8_t id[16];
  struct wreq *r = new_req(w, id);
  if (!r || !wn->core || wn->tripped)
    return;
  Ringca__CertRequest cr = RINGCA__CERT_REQUEST__INIT;
  cr.version = RC_WIRE_VERSION;
  cr.profile = wn->profile;
  cr.csr_der.data = bad ? wn->bad_csr : wn->csr;
  cr.csr_der.len = bad ? wn->bad_csr_len : wn->csr_len;
  uint8_t buf[2048];
  size_t len = ringca__cert_request__get_packed_size(&cr);
  if (len > sizeof buf)
    return;
  ringca__cert_request__pack(&cr, buf);
  uint8_t digest[32];
  SHA256(buf, len, digest);
  uint64_t dl_ms = w->t->timeouts.request_deadline_ms;
  uint64_t deadline = w->now + w_ns(dl_ms);
  r->fe = n;
  r->during_fault = w->faults_active > 0;
  int rc = rc_node_submit(wn->core, w->t->nodes[w->root].name,
                          RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REQUEST, id,
                          buf, len, deadline,
                          RC_SIM_UNIX_EPOCH_S * 1000 + (deadline / 1000000),
                          w->now);
  w_drain(w, n);
  struct rc_rec_frontend *fe = &w->rec->fe[n];
  if (rc != 0 && rc != RC_EAGAIN && rc != RC_ENOROUTE)
    return;  /* tripped or invalid: nothing was accepted */
  fe->submitted++;
  fe->submitted_during_faults += r->during_fault;
  rc_inv_submit(w->inv, n, id, digest, deadline, !wn->compromised, w->now);
  if (rc != 0) {
    /* the front-end refuses at once: queue full or no ring toward root */
    r->resolved = true;
    fe->refused++;
    rc_inv_answer(w->inv, n, id, true, rc == RC_ENOROUTE, w->now);
  }
}

/* The compromised front-end's move: a request it signed itself, which the
 * root can only catch by policy (docs/threat-model.md). */
void w_submit_bad(struct world *w, uint32_t n) {
  if (!w->nodes[n].core || w->nodes[n].tripped)
    return;
  char what[96];
  snprintf(what, sizeof what, "a CSR failing policy from %s",
           w->t->nodes[n].name);
  rc_inv_inject_request(w->inv, n, (uint32_t)w->root,
                        w_ns(w->t->timeouts.request_deadline_ms), what, w->now);
  w->rec->injections++;
  rc_record_event(w->rec, w->now, RC_REC_INJECT, (int)n, -1, -1,
                  "%s submits a CSR that fails policy", w->t->nodes[n].name);
  submit(w, n, true);
}

static uint64_t jitter(struct world *w, uint32_t rate_per_hour) {
  uint64_t iv = 3600000000000ull / rate_per_hour;
  return iv / 2 + rc_prng_below(&w->prng, iv);
}

void w_fire_load(struct world *w) {
  size_t due = wheap_due(&w->load_h, w->now, w->due);
  for (size_t i = 0; i < due; i++) {
    uint32_t n = w->due[i];
    struct wnode *wn = &w->nodes[n];
    if (wn->rate_per_hour == 0) {
      wn->next_submit_ns = UINT64_MAX;
    } else {
      submit(w, n, false);
      wn->next_submit_ns = w->now + jitter(w, wn->rate_per_hour);
    }
    w_load_rekey(w, n);
  }
}

uint64_t w_next_load(const struct world *w) { return wheap_min(&w->load_h); }

/* ----------------------------------------------------------- the root */

static struct wanswer *answered(struct world *w, const uint8_t id[16]) {
  for (size_t i = w->nanswers; i-- > 0;)
    if (memcmp(w->answers[i].id, id, 16) == 0)
      return &w->answers[i];
  return NULL;
}

static struct wanswer *remember(struct world *w, const uint8_t id[16]) {
  if (w->nanswers == w->capanswers) {
    size_t cap = w->capanswers ? w->capanswers * 2 : 256;
    struct wanswer *a = realloc(w->answers, cap * sizeof *a);
    if (!a)
      return NULL;
    w->answers = a;
    w->capanswers = cap;
  }
  struct wanswer *a = &w->answers[w->nanswers++];
  memset(a, 0, sizeof *a);
  memcpy(a->id, id, 16);
  return a;
}

void w_answers_free(struct world *w) {
  for (size_t i = 0; i < w->nanswers; i++)
    free(w->answers[i].payload);
  free(w->answers);
  w->answers = NULL;
  w->nanswers = w->capanswers = 0;
}

static void root_reply(struct world *w, uint32_t n, const Ringca__Envelope *env,
                       const struct wanswer *a) {
  int rc = rc_node_submit(w->nodes[n].core, env->origin, a->kind,
                          env->request_id.data, a->payload, a->len,
                          w->now + w_ns(w->t->timeouts.request_deadline_ms),
                          env->deadline_unix_ms, w->now);
  (void)rc;  /* no route back: the front-end's deadline reports it */
}

static void root_request(struct world *w, uint32_t n,
                         const Ringca__Envelope *env) {
  if (env->request_id.len != 16)
    return;
  struct wanswer *prev = answered(w, env->request_id.data);
  if (prev) {  /* a retry: the same answer, never a second certificate */
    root_reply(w, n, env, prev);
    return;
  }
  uint8_t digest[32];
  SHA256(env->payload.data, env->payload.len, digest);
  Ringca__CertRequest *req = NULL;
  struct rc_sign_result res;
  memset(&res, 0, sizeof res);
  bool decoded = rc_wire_decode_cert_request(env->payload.data,
                                             env->payload.len, &req,
                                             NULL) == 0;
  uint64_t unix_s = RC_SIM_UNIX_EPOCH_S + w->now / 1000000000u;
  struct rc_rng rng = rc_prng_as_rng(&w->nodes[n].prng);
  int rc = decoded ? rc_signer_handle(&w->policy, &w->ca, req, unix_s, &rng,
                                      &res)
                   : RC_EMALFORMED;
  if (req)
    rc_pb_free(&req->base);
  if (rc == 0 && res.refused) {
    /* Front-ends run this very policy before sending: a refusal here means
     * someone past a front-end is lying. The root trips (docs). */
    char detail[256];
    snprintf(detail, sizeof detail, "request from %.64s fails policy: %.160s",
             env->origin, res.refusal.message);
    rc_sign_result_free(&res);
    rc_node_trip(w->nodes[n].core, RC_TRIP_EXTERNAL, detail, w->now);
    return;
  }
  struct wanswer *a = remember(w, env->request_id.data);
  if (!a) {
    rc_sign_result_free(&res);
    return;
  }
  if (rc != 0) {
    rc_sign_result_refuse(&res, RINGCA__REFUSAL_REASON__REFUSAL_INTERNAL,
                          "the signer failed internally");
  } else {
    rc_inv_issue(w->inv, env->origin, env->request_id.data, digest, w->now);
    rc_record_event(w->rec, w->now, RC_REC_ISSUED, (int)n, -1, -1,
                    "certificate %s for %s", res.serial_hex, env->origin);
  }
  a->kind = res.refused ? RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REFUSAL
                        : RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REPLY;
  if (rc_sign_result_pack(&res, &a->payload, &a->len) == 0)
    root_reply(w, n, env, a);
  rc_sign_result_free(&res);
}

static void fe_answer(struct world *w, uint32_t n, const Ringca__Envelope *env) {
  if (env->request_id.len != 16)
    return;
  struct wreq *r = req_of(w, n, env->request_id.data);
  bool refused = env->kind == RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REFUSAL;
  bool no_route = false;
  if (refused) {
    Ringca__CertRefusal *cr;
    if (rc_wire_decode_cert_refusal(env->payload.data, env->payload.len, &cr,
                                    NULL) == 0) {
      no_route = cr->reason == RINGCA__REFUSAL_REASON__REFUSAL_NO_ROUTE ||
                 cr->reason == RINGCA__REFUSAL_REASON__REFUSAL_DEADLINE;
      rc_pb_free(&cr->base);
    }
  }
  rc_inv_answer(w->inv, n, env->request_id.data, refused, no_route, w->now);
  if (!r || r->resolved)
    return;
  r->resolved = true;
  struct rc_rec_frontend *fe = &w->rec->fe[n];
  if (refused) {
    fe->refused++;
  } else {
    fe->issued++;
    fe->issued_during_faults += r->during_fault;
  }
  rc_record_event(w->rec, w->now, RC_REC_ANSWER, (int)n, -1, -1, "%s",
                  refused ? "refusal" : "certificate");
}

void w_deliver(struct world *w, uint32_t n, const Ringca__Envelope *env) {
  if (env->kind == RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REQUEST &&
      w->t->nodes[n].role == RC_ROLE_ROOT)
    root_request(w, n, env);
  else if (env->kind != RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REQUEST &&
           w->t->nodes[n].role == RC_ROLE_FRONTEND)
    fe_answer(w, n, env);
}

void w_expired(struct world *w, uint32_t n, const uint8_t id[16]) {
  rc_inv_expired(w->inv, n, id, w->now);
  struct wreq *r = req_of(w, n, id);
  if (!r || r->resolved)
    return;
  r->resolved = true;
  w->rec->fe[n].expired++;
  rc_record_event(w->rec, w->now, RC_REC_EXPIRED, (int)n, -1, -1,
                  "request expired");
}
