/* Invariant checkers (see invariants.h for the list and why each exists). */
#include "invariants.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringca/error.h"

#define REQ_MAX (1u << 22)       /* requests tracked per run */
#define INJ_MAX 4096u            /* outstanding injections */

struct elem {
  bool usable;
  uint64_t changed_ns;  /* last time `usable` changed (0: from the start) */
};

struct req {
  uint8_t id[16];
  uint8_t digest[32];
  uint32_t fe;
  bool honest;
  bool resolved;
  uint64_t submit_ns, deadline_ns;
};

struct inj {
  uint32_t target;
  int link;
  int from;  /* the request's front-end, or -1 */
  uint64_t at_ns, due_ns;
  bool open;
  char what[160];
};

struct ring_pos {
  bool any;
  uint64_t epoch, seq;
};

/* The last seq accepted in each of a ring's recent epochs: an orphaned
 * token outlives its epoch by a hop or two, never by several epochs. */
#define RING_EPOCHS 8
struct ring_epochs {
  struct ring_pos e[RING_EPOCHS];
};

struct rc_inv {
  struct rc_inv_config cfg;
  const struct rc_topology *t;
  struct elem *nodes, *cables;
  bool *compromised;
  struct req *reqs;
  size_t nreqs, capreqs, next_due;
  uint32_t *hash;  /* open addressing: index+1 into reqs, 0 = empty */
  size_t hashcap;
  struct inj inj[INJ_MAX];
  size_t ninj;
  struct ring_epochs *rings;   /* by ring */
  struct ring_pos *node_pos;   /* by ring x node */
  bool root_reachable;
  uint64_t root_unreachable_since;
  uint32_t *queue;  /* BFS scratch */
  bool *seen;
};

static void fail(struct rc_inv *v, uint64_t now, const char *inv,
                 const char *fmt, ...) RC_PRINTF(4, 5);

static void fail(struct rc_inv *v, uint64_t now, const char *inv,
                 const char *fmt, ...) {
  char text[RC_REC_TEXT];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  rc_record_failure(v->cfg.rec, now, inv, "%s", text);
}

static const char *nname(const struct rc_inv *v, uint32_t n) {
  return n < v->t->nnodes ? v->t->nodes[n].name : "?";
}

static void hex8(const uint8_t id[16], char out[17]) {
  static const char hx[] = "0123456789abcdef";
  for (int i = 0; i < 8; i++) {
    out[2 * i] = hx[id[i] >> 4];
    out[2 * i + 1] = hx[id[i] & 15];
  }
  out[16] = '\0';
}

int rc_inv_new(const struct rc_inv_config *cfg, struct rc_inv **out) {
  struct rc_inv *v = calloc(1, sizeof *v);
  if (!v)
    return RC_ENOMEM;
  v->cfg = *cfg;
  v->t = cfg->topo;
  size_t nn = v->t->nnodes + 1, nl = v->t->nlinks + 1, nr = v->t->nrings + 1;
  v->nodes = calloc(nn, sizeof *v->nodes);
  v->cables = calloc(nl, sizeof *v->cables);
  v->compromised = calloc(nn, sizeof *v->compromised);
  v->rings = calloc(nr, sizeof *v->rings);
  v->node_pos = calloc(nr * nn, sizeof *v->node_pos);
  v->queue = calloc(nn, sizeof *v->queue);
  v->seen = calloc(nn, sizeof *v->seen);
  v->hashcap = 1024;
  v->hash = calloc(v->hashcap, sizeof *v->hash);
  if (!v->nodes || !v->cables || !v->compromised || !v->rings ||
      !v->node_pos || !v->queue ||
      !v->seen || !v->hash) {
    rc_inv_free(v);
    return RC_ENOMEM;
  }
  for (size_t i = 0; i < v->t->nnodes; i++)
    v->nodes[i].usable = true;
  for (size_t i = 0; i < v->t->nlinks; i++)
    v->cables[i].usable = true;
  v->root_reachable = true;
  *out = v;
  return 0;
}

void rc_inv_free(struct rc_inv *v) {
  if (!v)
    return;
  free(v->nodes);
  free(v->cables);
  free(v->compromised);
  free(v->reqs);
  free(v->hash);
  free(v->rings);
  free(v->node_pos);
  free(v->queue);
  free(v->seen);
  free(v);
}

/* ------------------------------------------------------------- paths */

static bool node_ok(const struct rc_inv *v, uint32_t n, uint64_t since) {
  return v->nodes[n].usable && v->nodes[n].changed_ns <= since;
}

static bool cable_ok(const struct rc_inv *v, uint32_t a, uint32_t b,
                     uint64_t since) {
  int l = rc_topology_link_between(v->t, a, b);
  return l >= 0 && v->cables[l].usable && v->cables[l].changed_ns <= since;
}

/* A loop ring carries traffic only when every member and hop works. */
static bool loop_ok(const struct rc_inv *v, const struct rc_topo_ring *r,
                    uint64_t since) {
  for (size_t i = 0; i < r->norder; i++) {
    uint32_t a = r->order[i], b = r->order[(i + 1) % r->norder];
    if (!node_ok(v, a, since) || (a != b && !cable_ok(v, a, b, since)))
      return false;
  }
  return true;
}

static bool ring_has(const struct rc_topo_ring *r, uint32_t n) {
  for (size_t i = 0; i < r->norder; i++)
    if (r->order[i] == n)
      return true;
  return false;
}

/* Breadth-first over rings: a hub ring joins its hub with each member whose
 * cable and node work (the master bypasses the others); a loop ring joins
 * all its members when it works as a whole. */
static bool reach_root(const struct rc_inv *v, uint32_t from,
                       uint64_t since) {
  struct rc_inv *w = (struct rc_inv *)v;  /* scratch only */
  const struct rc_topology *t = v->t;
  if (!node_ok(v, from, since))
    return false;
  memset(w->seen, 0, t->nnodes * sizeof *w->seen);
  size_t head = 0, tail = 0;
  w->queue[tail++] = from;
  w->seen[from] = true;
  while (head < tail) {
    uint32_t u = w->queue[head++];
    if (t->nodes[u].role == RC_ROLE_ROOT)
      return true;
    for (size_t ri = 0; ri < t->nrings; ri++) {
      const struct rc_topo_ring *r = &t->rings[ri];
      if (!ring_has(r, u))
        continue;
      for (size_t i = 0; i < r->norder; i++) {
        uint32_t m = r->order[i];
        if (w->seen[m])
          continue;
        bool ok;
        if (r->hub) {
          uint32_t hub = r->order[0];
          ok = node_ok(v, m, since) && node_ok(v, hub, since) &&
               (u == hub ? cable_ok(v, hub, m, since)
                         : m == hub && cable_ok(v, u, hub, since));
        } else {
          ok = loop_ok(v, r, since);
        }
        if (ok) {
          w->seen[m] = true;
          w->queue[tail++] = m;
        }
      }
    }
  }
  return false;
}

bool rc_inv_path_exists(const struct rc_inv *v, uint32_t fe,
                        uint64_t stable_since_ns) {
  return reach_root(v, fe, stable_since_ns);
}

/* The root is cut off when no ring it belongs to works right now. */
static bool root_has_ring(const struct rc_inv *v) {
  const struct rc_topology *t = v->t;
  for (size_t n = 0; n < t->nnodes; n++) {
    if (t->nodes[n].role != RC_ROLE_ROOT || !v->nodes[n].usable)
      continue;
    for (size_t ri = 0; ri < t->nrings; ri++) {
      const struct rc_topo_ring *r = &t->rings[ri];
      if (!ring_has(r, (uint32_t)n))
        continue;
      if (!r->hub && loop_ok(v, r, UINT64_MAX))
        return true;
      if (r->hub) {
        uint32_t hub = r->order[0];
        for (size_t i = 1; i < r->norder; i++) {
          uint32_t m = r->order[i];
          if (m != hub && v->nodes[hub].usable && v->nodes[m].usable &&
              cable_ok(v, hub, m, UINT64_MAX) && (hub == n || m == n))
            return true;
        }
      }
    }
  }
  return false;
}

static void update_root(struct rc_inv *v, uint64_t now) {
  bool r = root_has_ring(v);
  if (v->root_reachable && !r)
    v->root_unreachable_since = now;
  v->root_reachable = r;
}

void rc_inv_node_usable(struct rc_inv *v, uint32_t n, bool usable,
                        uint64_t now) {
  if (n >= v->t->nnodes || v->nodes[n].usable == usable)
    return;
  v->nodes[n].usable = usable;
  v->nodes[n].changed_ns = now;
  update_root(v, now);
  if (usable)
    return;
  /* A front-end that crashes or trips takes its outstanding requests with
   * it (nothing more happens in a stopped node): its webserver sees the
   * intake fail, which is an answer, not a loss by the relays. */
  for (size_t i = v->next_due; i < v->nreqs; i++)
    if (v->reqs[i].fe == n)
      v->reqs[i].resolved = true;
}

void rc_inv_node_compromised(struct rc_inv *v, uint32_t n) {
  if (n < v->t->nnodes)
    v->compromised[n] = true;
}

void rc_inv_cable_usable(struct rc_inv *v, uint32_t l, bool usable,
                         uint64_t now) {
  if (l >= v->t->nlinks || v->cables[l].usable == usable)
    return;
  v->cables[l].usable = usable;
  v->cables[l].changed_ns = now;
  update_root(v, now);
}

/* ---------------------------------------------------------- requests */

static size_t hslot(const uint8_t id[16], size_t cap) {
  uint64_t h;
  memcpy(&h, id, 8);
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ull;
  return (size_t)(h ^ (h >> 32)) & (cap - 1);
}

static struct req *find(struct rc_inv *v, const uint8_t id[16]) {
  for (size_t s = hslot(id, v->hashcap);; s = (s + 1) & (v->hashcap - 1)) {
    uint32_t i = v->hash[s];
    if (i == 0)
      return NULL;
    if (memcmp(v->reqs[i - 1].id, id, 16) == 0)
      return &v->reqs[i - 1];
  }
}

static int rehash(struct rc_inv *v, size_t cap) {
  uint32_t *h = calloc(cap, sizeof *h);
  if (!h)
    return RC_ENOMEM;
  free(v->hash);
  v->hash = h;
  v->hashcap = cap;
  for (size_t i = 0; i < v->nreqs; i++) {
    size_t s = hslot(v->reqs[i].id, cap);
    while (h[s])
      s = (s + 1) & (cap - 1);
    h[s] = (uint32_t)i + 1;
  }
  return 0;
}

void rc_inv_submit(struct rc_inv *v, uint32_t fe, const uint8_t id[16],
                   const uint8_t digest[32], uint64_t deadline_ns, bool honest,
                   uint64_t now) {
  if (find(v, id)) {
    char h[17];
    hex8(id, h);
    fail(v, now, "forged-issue", "request id %s submitted twice", h);
    return;
  }
  if (v->nreqs == REQ_MAX)
    return;  /* past the tracking cap: the run is far beyond any scenario */
  if (v->nreqs == v->capreqs) {
    size_t cap = v->capreqs ? v->capreqs * 2 : 1024;
    struct req *n = realloc(v->reqs, cap * sizeof *n);
    if (!n)
      return;
    v->reqs = n;
    v->capreqs = cap;
  }
  if ((v->nreqs + 1) * 2 > v->hashcap && rehash(v, v->hashcap * 2) != 0)
    return;
  struct req *r = &v->reqs[v->nreqs];
  memcpy(r->id, id, 16);
  memcpy(r->digest, digest, 32);
  r->fe = fe;
  r->honest = honest;
  r->resolved = false;
  r->submit_ns = now;
  r->deadline_ns = deadline_ns;
  size_t s = hslot(id, v->hashcap);
  while (v->hash[s])
    s = (s + 1) & (v->hashcap - 1);
  v->hash[s] = (uint32_t)++v->nreqs;
}

void rc_inv_issue(struct rc_inv *v, const char *origin, const uint8_t id[16],
                  const uint8_t digest[32], uint64_t now) {
  struct req *r = find(v, id);
  char h[17];
  hex8(id, h);
  if (!r) {
    v->cfg.rec->forged_issued++;
    fail(v, now, "forged-issue", "certificate issued for request %s that %s "
         "never submitted", h, origin);
  } else if (strcmp(nname(v, r->fe), origin) != 0) {
    v->cfg.rec->forged_issued++;
    fail(v, now, "forged-issue", "certificate issued for request %s of %s "
         "claimed by %s", h, nname(v, r->fe), origin);
  } else if (memcmp(r->digest, digest, 32) != 0) {
    v->cfg.rec->forged_issued++;
    fail(v, now, "forged-issue", "certificate issued for an altered payload "
         "of request %s from %s", h, origin);
  }
}

/* A request that failed to arrive although a path was up and stable from
 * heal_ns before it was made until now was lost by the relays. */
static void check_lost(struct rc_inv *v, const struct req *r, const char *how,
                       uint64_t now) {
  uint64_t since = r->submit_ns > v->cfg.heal_ns ? r->submit_ns - v->cfg.heal_ns
                                                 : 0;
  if (r->submit_ns < v->cfg.heal_ns)
    since = 0;  /* from the start: everything boots together */
  if (reach_root(v, r->fe, since)) {
    char h[17];
    hex8(r->id, h);
    fail(v, now, "lost", "request %s of %s %s although a path to the root "
         "was up the whole time", h, nname(v, r->fe), how);
  }
}

static struct req *resolve(struct rc_inv *v, uint32_t fe, const uint8_t id[16],
                           const char *what, uint64_t now) {
  struct req *r = find(v, id);
  char h[17];
  hex8(id, h);
  if (!r || r->fe != fe) {
    fail(v, now, "forged-issue", "%s delivered to %s for request %s it never "
         "made", what, nname(v, fe), h);
    return NULL;
  }
  if (r->resolved)
    return NULL;  /* a duplicate reply: the front-end drops it */
  r->resolved = true;
  if (r->honest && now > r->deadline_ns + v->cfg.grace_ns) {
    char late[32];
    rc_record_fmt_time(now - r->deadline_ns, late, sizeof late);
    fail(v, now, "deadline", "%s of request %s from %s came %s after its "
         "deadline", what, h, nname(v, fe), late);
  }
  return r->honest ? r : NULL;
}

void rc_inv_answer(struct rc_inv *v, uint32_t fe, const uint8_t id[16],
                   bool refused, bool no_route, uint64_t now) {
  struct req *r = resolve(v, fe, id, refused ? "refusal" : "certificate", now);
  if (r && refused && no_route)
    check_lost(v, r, "was refused for want of a route", now);
}

void rc_inv_expired(struct rc_inv *v, uint32_t fe, const uint8_t id[16],
                    uint64_t now) {
  struct req *r = resolve(v, fe, id, "expiry", now);
  if (r)
    check_lost(v, r, "expired", now);
}

/* ------------------------------------------------------------- trips */

static struct inj *add_inj(struct rc_inv *v, uint32_t target, int link,
                           uint64_t bound_ns, const char *what, uint64_t now) {
  /* Nobody there to trip, unless the lie travels inside a request: those
   * are retried end to end and reach the target when it is back. */
  if (target >= v->t->nnodes || (link >= 0 && !v->nodes[target].usable))
    return NULL;
  if (v->ninj == INJ_MAX) {
    /* compact: drop closed entries */
    size_t k = 0;
    for (size_t i = 0; i < v->ninj; i++)
      if (v->inj[i].open)
        v->inj[k++] = v->inj[i];
    v->ninj = k;
    if (k == INJ_MAX)
      return NULL;
  }
  struct inj *j = &v->inj[v->ninj++];
  j->target = target;
  j->link = link;
  j->from = -1;
  j->at_ns = now;
  j->due_ns = now + bound_ns;
  j->open = true;
  snprintf(j->what, sizeof j->what, "%s", what);
  return j;
}

void rc_inv_inject(struct rc_inv *v, uint32_t target, int link,
                   uint64_t bound_ns, const char *what, uint64_t now) {
  add_inj(v, target, link, bound_ns, what, now);
}

void rc_inv_link_down(struct rc_inv *v, int link, uint64_t now) {
  for (size_t i = 0; i < v->ninj; i++)
    if (v->inj[i].open && v->inj[i].link == link && v->inj[i].at_ns <= now)
      v->inj[i].open = false;
}

void rc_inv_inject_request(struct rc_inv *v, uint32_t from, uint32_t target,
                           uint64_t bound_ns, const char *what, uint64_t now) {
  struct inj *j = add_inj(v, target, -1, bound_ns, what, now);
  if (j)
    j->from = (int)from;
}

void rc_inv_trip(struct rc_inv *v, uint32_t node, const char *cause,
                 bool violation, bool isolation, uint64_t now) {
  bool matched = false;
  for (size_t i = 0; i < v->ninj; i++)
    if (v->inj[i].open && v->inj[i].target == node) {
      v->inj[i].open = false;
      matched = true;
    }
  if (node < v->t->nnodes && v->compromised[node])
    return;  /* the attacker's own machine: whatever it does */
  if (isolation) {
    bool root = node < v->t->nnodes && v->t->nodes[node].role == RC_ROLE_ROOT;
    if (!root || v->root_reachable ||
        now - v->root_unreachable_since < v->cfg.isolation_ns / 2)
      fail(v, now, "honest-trip", "%s tripped on isolation although a ring "
           "to the root %s", nname(v, node),
           v->root_reachable ? "was working" : "broke only just now");
    return;
  }
  if (!matched)
    fail(v, now, "honest-trip", "honest node %s tripped (%s%s) with no "
         "attacker traffic sent to it", nname(v, node), cause,
         violation ? "" : ", not a violation");
}

void rc_inv_violation_logged(struct rc_inv *v, uint32_t node,
                             const char *cause, uint64_t now) {
  bool matched = false;
  for (size_t i = 0; i < v->ninj; i++)
    if (v->inj[i].open && v->inj[i].target == node) {
      v->inj[i].open = false;
      matched = true;
    }
  if (!matched && node < v->t->nnodes && !v->compromised[node])
    fail(v, now, "honest-trip", "honest node %s reported a violation (%s) "
         "with no attacker traffic sent to it", nname(v, node), cause);
}

static void check_injections(struct rc_inv *v, uint64_t now) {
  for (size_t i = 0; i < v->ninj; i++) {
    struct inj *j = &v->inj[i];
    if (!j->open || now <= j->due_ns)
      continue;
    j->open = false;
    /* Excused when the frame could not arrive: the target went down or the
     * cable broke after the injection. */
    if (!v->nodes[j->target].usable)
      continue;
    if (j->link >= 0 && (!v->cables[j->link].usable ||
                         v->cables[j->link].changed_ns > j->at_ns))
      continue;
    if (j->from >= 0 && !reach_root(v, (uint32_t)j->from, j->at_ns))
      continue;
    char t[32];
    rc_record_fmt_time(j->at_ns, t, sizeof t);
    fail(v, now, "honest-trip", "%s received %s at %s and did not trip",
         nname(v, j->target), j->what, t);
  }
}

static bool after(uint64_t e1, uint64_t s1, const struct ring_pos *p) {
  return e1 > p->epoch || (e1 == p->epoch && s1 > p->seq);
}

void rc_inv_token(struct rc_inv *v, uint32_t ring, uint32_t node,
                  uint64_t epoch, uint64_t seq, uint64_t now) {
  if (ring >= v->t->nrings || node >= v->t->nnodes || v->compromised[node])
    return;
  const char *rn = v->t->rings[ring].name;
  struct ring_pos *np = &v->node_pos[(size_t)ring * (v->t->nnodes + 1) + node];
  if (np->any && !after(epoch, seq, np))
    fail(v, now, "token-order", "ring %s: %s accepted token (epoch %" PRIu64
         ", seq %" PRIu64 ") after (epoch %" PRIu64 ", seq %" PRIu64 ")",
         rn, nname(v, node), epoch, seq, np->epoch, np->seq);
  if (!np->any || after(epoch, seq, np))
    *np = (struct ring_pos){true, epoch, seq};
  /* Within an epoch the ring has one token: its seqs rise across nodes. */
  struct ring_epochs *re = &v->rings[ring];
  struct ring_pos *slot = NULL, *oldest = &re->e[0];
  for (size_t i = 0; i < RING_EPOCHS && !slot; i++) {
    if (re->e[i].any && re->e[i].epoch == epoch)
      slot = &re->e[i];
    else if (!re->e[i].any ||
             (oldest->any && re->e[i].epoch < oldest->epoch))
      oldest = &re->e[i];
  }
  if (slot && seq <= slot->seq)
    fail(v, now, "token-order", "ring %s: %s accepted token (epoch %" PRIu64
         ", seq %" PRIu64 ") after seq %" PRIu64 " of that epoch was "
         "accepted: two tokens in one epoch",
         rn, nname(v, node), epoch, seq, slot->seq);
  if (!slot && (!oldest->any || epoch > oldest->epoch))
    slot = oldest;  /* a new epoch replaces the oldest remembered */
  if (slot && (!slot->any || slot->epoch != epoch || seq > slot->seq))
    *slot = (struct ring_pos){true, epoch, seq};
}

static void check_deadlines(struct rc_inv *v, uint64_t now, bool all) {
  while (v->next_due < v->nreqs) {
    struct req *r = &v->reqs[v->next_due];
    if (!all && r->deadline_ns + v->cfg.grace_ns >= now)
      break;
    v->next_due++;
    if (r->resolved || !r->honest)
      continue;
    if (r->deadline_ns + v->cfg.grace_ns >= now)
      continue;  /* end of run before its deadline: not yet due */
    r->resolved = true;
    char h[17];
    hex8(r->id, h);
    fail(v, now, "deadline", "request %s of %s was neither answered, refused "
         "nor reported expired by its deadline", h, nname(v, r->fe));
  }
}

void rc_inv_tick(struct rc_inv *v, uint64_t now) {
  check_deadlines(v, now, false);
  check_injections(v, now);
}

void rc_inv_finish(struct rc_inv *v, uint64_t now) {
  check_deadlines(v, now, true);
  check_injections(v, now);
}
