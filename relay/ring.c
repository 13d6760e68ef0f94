/* The per-ring token state machine (include/ringca/ring.h). */
#include "ringca/ring.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ringca/error.h"

static const char *name_of(const struct rc_ring *r, uint32_t node) {
  return node < r->topo->nnodes ? r->topo->nodes[node].name : "?";
}

static void push_event(struct rc_ring *r, enum rc_ring_event_type type,
                       uint32_t node) {
  if (r->ev_count == RC_RING_EVENTS_MAX) /* the node drains after each call */
    return;
  struct rc_ring_event *ev =
      &r->events[(r->ev_head + r->ev_count++) % RC_RING_EVENTS_MAX];
  ev->type = type;
  ev->node = node;
  ev->epoch = r->epoch;
}

bool rc_ring_next_event(struct rc_ring *r, struct rc_ring_event *ev) {
  if (r->ev_count == 0)
    return false;
  *ev = r->events[r->ev_head];
  r->ev_head = (r->ev_head + 1) % RC_RING_EVENTS_MAX;
  r->ev_count--;
  return true;
}

int rc_ring_init(struct rc_ring *r, const struct rc_topology *topo,
                 uint32_t ring, uint32_t self,
                 const struct rc_ring_timing *tm) {
  memset(r, 0, sizeof *r);
  if (ring >= topo->nrings)
    return RC_EINVAL;
  r->topo = topo;
  r->def = &topo->rings[ring];
  r->index = ring;
  r->self = self;
  r->tm = *tm;
  r->hub = r->def->hub;
  r->master = r->def->order[0] == self;
  r->loss_at = r->restart_at = r->hold_until = UINT64_MAX;
  bool member = false;
  for (size_t k = 0; k < r->def->norder; k++)
    member |= r->def->order[k] == self;
  return member ? 0 : RC_EINVAL;
}

static bool peer_is_up(const struct rc_ring *r, uint32_t node) {
  for (size_t k = 0; k < r->def->norder; k++)
    if (r->def->order[k] == node)
      return r->peer_up[k];
  return false;
}

static void set_down(struct rc_ring *r) {
  if (r->up)
    push_event(r, RC_RING_EV_DOWN, r->self);
  r->up = false;
  r->want_sent = false;  /* a want may have died with a link */
}

static void set_up(struct rc_ring *r) {
  if (!r->up)
    push_event(r, RC_RING_EV_UP, r->self);
  r->up = true;
}

/* The visit order the master would use now: a loop ring always runs whole;
 * a hub ring leaves out members whose link is down or who are held off
 * after failing to return the token (an 802.5 MAU's bypass relay). */
static size_t desired_active(const struct rc_ring *r, uint64_t now,
                             uint32_t *out) {
  const struct rc_topo_ring *d = r->def;
  if (!r->hub) {
    memcpy(out, d->order, d->norder * sizeof *out);
    return d->norder;
  }
  size_t n = 0;
  for (size_t k = 1; k < d->norder; k += 2)
    if (r->peer_up[k] && now >= r->holdoff_until[k]) {
      out[n++] = d->order[0];
      out[n++] = d->order[k];
    }
  return n;
}

static bool master_gate(const struct rc_ring *r, size_t ndesired) {
  if (r->hub)
    return ndesired >= 2;
  size_t n = r->def->norder;
  return r->peer_up[1] && r->peer_up[n - 1];
}

/* No token exists and the master waits for its links. */
static void go_waiting(struct rc_ring *r) {
  r->holding = r->have_expect = false;
  r->loss_at = r->restart_at = r->hold_until = UINT64_MAX;
  r->waiting = true;
  set_down(r);
}

/* Master: a fresh token, epoch + 1, from position 0. Returns false (and
 * waits) when the links do not allow a ring yet. */
static bool begin_epoch(struct rc_ring *r, uint64_t now) {
  uint32_t desired[RC_TOKEN_MAX_ORDER];
  size_t nd = desired_active(r, now, desired);
  if (!master_gate(r, nd)) {
    go_waiting(r);
    return false;
  }
  r->epoch = r->epoch + 1 > r->tm.epoch_base ? r->epoch + 1 : r->tm.epoch_base;
  memcpy(r->active, desired, nd * sizeof *desired);
  r->nactive = nd;
  if (r->hub) {
    for (size_t k = 1; k < r->def->norder; k += 2) {
      bool in = false;
      for (size_t i = 1; i < nd; i += 2)
        in |= desired[i] == r->def->order[k];
      if (in && r->bypassed[k])
        push_event(r, RC_RING_EV_REJOIN, r->def->order[k]);
      else if (!in && !r->bypassed[k])
        push_event(r, RC_RING_EV_BYPASS, r->def->order[k]);
      r->bypassed[k] = !in;
    }
  }
  r->holding = true;
  r->hold_pos = 0;
  r->next_seq = 0;
  r->hold_until = now;
  r->rotation_end = false;
  r->have_expect = false;
  r->waiting = false;
  r->loss_at = r->restart_at = UINT64_MAX;
  return true;
}

void rc_ring_start(struct rc_ring *r, uint64_t now_ns) {
  if (!r->master || r->started)
    return;
  r->started = true;
  begin_epoch(r, now_ns);
}

static int violation(struct rc_ring_violation *v, enum rc_trip_cause cause,
                     const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int violation(struct rc_ring_violation *v, enum rc_trip_cause cause,
                     const char *fmt, ...) {
  va_list ap;
  v->cause = cause;
  va_start(ap, fmt);
  vsnprintf(v->detail, sizeof v->detail, fmt, ap);
  va_end(ap);
  return 1;
}

/* An active order is the topology order with (hub, member) pairs removed:
 * same master, same hub, members distinct and in topology order. A loop
 * ring cannot bypass, so its active order is the whole order. */
static const char *parse_active(const struct rc_ring *r,
                                const struct rc_wire_token *t, uint32_t *out,
                                size_t *n) {
  const struct rc_topo_ring *d = r->def;
  if (t->n_active_order < 2 || t->n_active_order > d->norder)
    return "active order length out of range";
  /* Names resolve against this ring's own order (at most 128 entries), not
   * the whole topology: per-token cost must not grow with the mesh. A name
   * that is not on this ring is as unknown here as one not in the file. */
  for (size_t i = 0; i < t->n_active_order; i++) {
    size_t k = 0;
    while (k < d->norder &&
           !rc_wire_name_is(r->topo->nodes[d->order[k]].name,
                            t->active_order[i]))
      k++;
    if (k == d->norder)
      return "active order names an unknown node (not on this ring)";
    out[i] = d->order[k];
  }
  *n = t->n_active_order;
  if (!d->hub) {
    for (size_t i = 0; i < *n; i++)
      if (*n != d->norder || out[i] != d->order[i])
        return "loop ring active order differs from the topology order";
    return NULL;
  }
  if (*n % 2)
    return "hub ring active order has odd length";
  size_t k = 1;
  for (size_t i = 0; i < *n; i += 2) {
    if (out[i] != d->order[0])
      return "hub ring active order does not alternate with its hub";
    while (k < d->norder && d->order[k] != out[i + 1])
      k += 2;
    if (k >= d->norder)
      return "hub ring active order names a non-member or breaks member "
             "order";
    k += 2;
  }
  return NULL;
}

static int check_higher_epoch(struct rc_ring *r, uint32_t from,
                              const struct rc_wire_token *t,
                              const uint32_t *act,
                              size_t n, size_t *pos,
                              struct rc_ring_violation *v) {
  if (r->master)
    return violation(v, RC_TRIP_WRONG_EPOCH,
                     "ring %s: token epoch %llu from %s, above our own epoch "
                     "%llu, and only we (the master) raise epochs",
                     r->def->name, (unsigned long long)t->epoch,
                     name_of(r, from), (unsigned long long)r->epoch);
  /* A member appears once in its active order (hub members and loop
   * nodes), so position and predecessor are unique. */
  size_t k = 1;
  while (k < n && act[k] != r->self)
    k++;
  if (act[k - 1] != from)
    return violation(v, RC_TRIP_WRONG_EPOCH,
                     "ring %s: new epoch %llu from %s, which does not precede "
                     "us in its active order (%s does)",
                     r->def->name, (unsigned long long)t->epoch,
                     name_of(r, from), name_of(r, act[k - 1]));
  /* Any rotation of the new epoch: a member that restarted meets the ring
   * wherever the token is. */
  if (t->seq % n != k - 1)
    return violation(v, RC_TRIP_WRONG_SEQ,
                     "ring %s: token seq %llu in new epoch %llu, expected "
                     "%zu modulo %zu from %s",
                     r->def->name, (unsigned long long)t->seq,
                     (unsigned long long)t->epoch, k - 1, n, name_of(r, from));
  *pos = k;
  return 0;
}

/* Every member of the active order is next to the master (a hub ring, a
 * loop of two or three), so each can ask for a parked token: the master
 * parks after any rotation, busy or not, and no member waits for it. In a
 * longer loop the middle members cannot ask, so a busy rotation is
 * followed by the short pause, as answers follow requests. */
static bool all_can_ask(const struct rc_ring *r) {
  return r->hub || r->nactive <= 3;
}

int rc_ring_on_token(struct rc_ring *r, uint32_t from,
                     const struct rc_wire_token *t, uint64_t now_ns,
                     struct rc_ring_violation *v) {
  const char *nm = r->def->name, *fn = name_of(r, from);
  /* Epoch first: a stale or replayed token is named as such even when it
   * arrives while we hold the current one. */
  if (t->epoch == 0)
    return violation(v, RC_TRIP_WRONG_EPOCH,
                     "ring %s: token epoch 0 from %s (epochs start at 1)", nm,
                     fn);
  if (t->epoch < r->epoch)
    return violation(v, RC_TRIP_WRONG_EPOCH,
                     "ring %s: token epoch %llu from %s, below current epoch "
                     "%llu",
                     nm, (unsigned long long)t->epoch, fn,
                     (unsigned long long)r->epoch);
  if (r->holding)
    return violation(v, RC_TRIP_SECOND_TOKEN,
                     "ring %s: token epoch %llu seq %llu from %s while we hold "
                     "epoch %llu seq %llu",
                     nm, (unsigned long long)t->epoch,
                     (unsigned long long)t->seq, fn,
                     (unsigned long long)r->epoch,
                     (unsigned long long)r->next_seq);
  uint32_t act[RC_TOKEN_MAX_ORDER];
  size_t n = 0, pos = 0;
  const char *why = parse_active(r, t, act, &n);
  if (why)
    return violation(v, RC_TRIP_MALFORMED_TOKEN, "ring %s: token from %s: %s",
                     nm, fn, why);
  bool member = false;
  for (size_t i = 0; i < n; i++)
    member |= act[i] == r->self;
  if (!member)
    return violation(v, RC_TRIP_OUT_OF_TURN,
                     "ring %s: token epoch %llu from %s, whose active order "
                     "leaves us out",
                     nm, (unsigned long long)t->epoch, fn);
  if (t->epoch > r->epoch) {
    if (check_higher_epoch(r, from, t, act, n, &pos, v))
      return 1;
    r->epoch = t->epoch;
    memcpy(r->active, act, n * sizeof *act);
    r->nactive = n;
  } else {
    if (n != r->nactive || memcmp(act, r->active, n * sizeof *act))
      return violation(v, RC_TRIP_MALFORMED_TOKEN,
                       "ring %s: token from %s changes the active order "
                       "within epoch %llu",
                       nm, fn, (unsigned long long)t->epoch);
    if (!r->have_expect)
      return violation(v, RC_TRIP_OUT_OF_TURN,
                       "ring %s: token epoch %llu seq %llu from %s while no "
                       "token is due",
                       nm, (unsigned long long)t->epoch,
                       (unsigned long long)t->seq, fn);
    if (from != r->expect_from)
      return violation(v, RC_TRIP_OUT_OF_TURN,
                       "ring %s: token seq %llu from %s, expected from %s", nm,
                       (unsigned long long)t->seq, fn,
                       name_of(r, r->expect_from));
    if (t->seq != r->expect_seq)
      return violation(v, RC_TRIP_WRONG_SEQ,
                       "ring %s: token seq %llu, expected %llu from %s", nm,
                       (unsigned long long)t->seq,
                       (unsigned long long)r->expect_seq, fn);
    pos = r->expect_pos;
  }
  r->holding = true;
  r->hold_pos = pos % n;
  r->next_seq = t->seq + 1;
  r->last_seq = t->seq;
  r->have_expect = false;
  r->loss_at = UINT64_MAX;
  r->rotation_end = r->master && r->hold_pos == 0;
  r->want_sent = false;
  r->rotation_busy |= t->n_envelopes > 0;
  r->hold_until = now_ns;
  if (r->rotation_end) {
    /* An idle ring parks its token at the master instead of spinning it at
     * line rate; a busy one keeps rotating briskly, since answers follow
     * requests. Work at the master (rc_ring_hurry) or a member's want
     * releases a parked token at once. */
    uint64_t idle = r->tm.idle_pause_ns > r->tm.pause_ns ? r->tm.idle_pause_ns
                                                         : r->tm.pause_ns;
    bool short_pause = r->rotation_busy && !all_can_ask(r);
    if (!r->wanted)
      r->hold_until = now_ns + (short_pause ? r->tm.pause_ns : idle);
    r->rotation_busy = r->wanted = false;
  }
  if (!r->master || r->rotation_end)
    set_up(r);
  return 0;
}

bool rc_ring_due(const struct rc_ring *r, uint64_t now_ns) {
  return r->holding && now_ns >= r->hold_until;
}

void rc_ring_hurry(struct rc_ring *r, uint64_t now_ns) {
  if (r->holding && r->hold_until > now_ns)
    r->hold_until = now_ns;
}

void rc_ring_note_carried(struct rc_ring *r) { r->rotation_busy = true; }

static bool in_active(const struct rc_ring *r, uint32_t node) {
  for (size_t i = 0; i < r->nactive; i++)
    if (r->active[i] == node)
      return true;
  return false;
}

int rc_ring_on_want(struct rc_ring *r, uint32_t from, uint64_t now_ns,
                    struct rc_ring_violation *v) {
  bool on_ring = false;
  for (size_t k = 1; k < r->def->norder; k++)
    on_ring |= r->def->order[k] == from;
  if (!r->master || !on_ring)
    return violation(v, RC_TRIP_OUT_OF_TURN,
                     "ring %s: want from %s, but %s", r->def->name,
                     name_of(r, from),
                     !r->master ? "we are not the ring's master"
                                : "it is not a member of the ring");
  if (!r->up || !in_active(r, from))
    return 0;
  if (r->holding) {
    if (r->hold_until > now_ns)
      r->hold_until = now_ns;  /* parked: it leaves now */
    r->rotation_busy = true;
  } else {
    r->wanted = true;  /* in flight: no pause when it comes back */
  }
  return 0;
}


static bool same_active(const struct rc_ring *r, const uint32_t *a, size_t n) {
  return n == r->nactive && !memcmp(a, r->active, n * sizeof *a);
}

/* The token is gone here (link to the next hop down). */
static void lose_token(struct rc_ring *r, uint64_t now) {
  r->holding = r->have_expect = false;
  r->loss_at = r->hold_until = UINT64_MAX;
  set_down(r);
  if (r->master)
    r->restart_at = now + r->tm.restart_ns;
}

int rc_ring_forward(struct rc_ring *r, uint64_t now_ns,
                    struct rc_ring_hop *hop) {
  if (!r->holding)
    return RC_ESTATE;
  if (r->master && r->hub) {
    uint32_t desired[RC_TOKEN_MAX_ORDER];
    size_t nd = desired_active(r, now_ns, desired);
    if (!same_active(r, desired, nd) && !begin_epoch(r, now_ns))
      return RC_EAGAIN;
  }
  size_t n = r->nactive;
  uint32_t to = r->active[(r->hold_pos + 1) % n];
  if (!peer_is_up(r, to)) {
    lose_token(r, now_ns);
    return RC_EAGAIN;
  }
  hop->to = to;
  hop->epoch = r->epoch;
  hop->seq = r->next_seq;
  hop->active = r->active;
  hop->nactive = n;
  size_t d = 1;
  while (d < n && r->active[(r->hold_pos + d) % n] != r->self)
    d++;
  r->expect_seq = r->next_seq + d - 1;
  r->expect_from = r->active[(r->hold_pos + d - 1) % n];
  r->expect_pos = (r->hold_pos + d) % n;
  r->have_expect = true;
  r->holding = false;
  r->hold_until = UINT64_MAX;
  r->loss_at = now_ns + r->tm.token_loss_ns;
  return 0;
}

void rc_ring_send_failed(struct rc_ring *r, uint64_t now_ns) {
  lose_token(r, now_ns);
}

static size_t def_pos(const struct rc_ring *r, uint32_t node) {
  for (size_t k = 0; k < r->def->norder; k++)
    if (r->def->order[k] == node)
      return k;
  return 0;
}

static bool adjacent_in_active(const struct rc_ring *r, uint32_t peer) {
  size_t n = r->nactive;
  for (size_t i = 0; i < n; i++)
    if (r->active[i] == r->self &&
        (r->active[(i + 1) % n] == peer || r->active[(i + n - 1) % n] == peer))
      return true;
  return false;
}

void rc_ring_link_change(struct rc_ring *r, uint32_t peer, bool up,
                         uint64_t now_ns) {
  bool neighbour = false;
  for (size_t k = 0; k < r->def->norder; k++)
    if (r->def->order[k] == peer) {
      r->peer_up[k] = up;
      neighbour = true;
    }
  if (!neighbour)
    return;
  if (!r->master) {
    if (!up && adjacent_in_active(r, peer))
      set_down(r);
    return;
  }
  if (up) {
    if (r->started && r->waiting && r->restart_at == UINT64_MAX)
      begin_epoch(r, now_ns);
    return;
  }
  if (r->hub) {
    /* The token is with (or on its way to) that member: it died with the
     * link, and the master knows exactly where, so it bypasses at once. */
    if (r->have_expect && r->expect_from == peer)
      begin_epoch(r, now_ns);
    return;
  }
  if ((r->holding || r->have_expect) && adjacent_in_active(r, peer))
    lose_token(r, now_ns);
}

uint64_t rc_ring_next_deadline(const struct rc_ring *r) {
  uint64_t t = r->loss_at < r->restart_at ? r->loss_at : r->restart_at;
  if (r->holding && r->hold_until < t)
    t = r->hold_until;
  /* A hub master whose every member is held off wakes when one may
   * rejoin. */
  for (size_t k = 1; r->waiting && r->hub && k < r->def->norder; k += 2)
    if (r->peer_up[k] && r->holdoff_until[k] && r->holdoff_until[k] < t)
      t = r->holdoff_until[k];
  return t;
}

static void on_loss(struct rc_ring *r, uint64_t now) {
  if (!r->master) {
    set_down(r); /* a late but exact token may still bring it back */
    return;
  }
  uint32_t culprit = r->expect_from;
  /* Reset the link the token should have come back on, so nothing late
   * from the old epoch can arrive over the old session. */
  push_event(r, RC_RING_EV_RESET_LINK, culprit);
  r->have_expect = false;
  if (r->hub) {
    r->holdoff_until[def_pos(r, culprit)] = now + r->tm.holdoff_ns;
    begin_epoch(r, now);
    return;
  }
  set_down(r);
  r->restart_at = now + r->tm.restart_ns;
}

void rc_ring_on_deadline(struct rc_ring *r, uint64_t now_ns) {
  if (r->loss_at <= now_ns) {
    r->loss_at = UINT64_MAX;
    on_loss(r, now_ns);
  }
  bool holdoff_ended = false;
  for (size_t k = 1; r->hub && k < r->def->norder; k += 2)
    if (r->holdoff_until[k] && r->holdoff_until[k] <= now_ns) {
      r->holdoff_until[k] = 0;
      holdoff_ended = true;
    }
  if (r->master && r->restart_at <= now_ns) {
    r->restart_at = UINT64_MAX;
    begin_epoch(r, now_ns);
  } else if (r->master && r->started && r->waiting && holdoff_ended &&
             r->restart_at == UINT64_MAX) {
    begin_epoch(r, now_ns);
  }
}

bool rc_ring_can_reach(const struct rc_ring *r, uint32_t next) {
  if (!r->up)
    return false;
  size_t n = r->nactive;
  for (size_t i = 0; i < n; i++)
    if (r->active[i] == r->self && r->active[(i + 1) % n] == next)
      return peer_is_up(r, next);
  return false;
}

uint32_t rc_ring_want_target(const struct rc_ring *r) {
  if (r->master || !r->up || r->holding || r->want_sent)
    return UINT32_MAX;
  uint32_t master = r->def->order[0];
  return adjacent_in_active(r, master) ? master : UINT32_MAX;
}

void rc_ring_want_sent(struct rc_ring *r) { r->want_sent = true; }
