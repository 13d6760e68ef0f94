/* The world's clock and plumbing: builds one real rc_node per topology node
 * on netsim lines, then repeatedly jumps virtual time to the earliest of
 * (scenario step, attack, load, node deadline, byte arrival, transmitter
 * idle), feeds each node what is due and drains what it says. Iteration is
 * always in topology order, so a run is a pure function of its inputs. */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "expect.h"
#include "ringca/error.h"
#include "world_int.h"

uint64_t w_ns(uint64_t ms) { return ms * 1000000u; }

int w_link_end(const struct world *w, int link, uint32_t node) {
  const struct rc_topo_link *l = &w->t->links[link];
  return l->a_node == node ? 0 : l->b_node == node ? 1 : -1;
}

static uint32_t end_node(const struct world *w, int link, int end) {
  const struct rc_topo_link *l = &w->t->links[link];
  return end == 0 ? l->a_node : l->b_node;
}

static void rekey_node(struct world *w, uint32_t n);
static void rekey_arrival(struct world *w, size_t sending_end);

/* A cable counts toward a path when it is whole, quiet and untapped. */
void w_cable_changed(struct world *w, int link) {
  rc_inv_cable_usable(w->inv, (uint32_t)link,
                      !w->cut[link] && !w->tapped[link] && w->ber[link] == 0,
                      w->now);
}

/* ------------------------------------------------------------ lines */

static int wake_push(struct wwake *q, uint64_t t) {
  if (q->head == q->tail)
    q->head = q->tail = 0;
  if (q->tail == q->cap) {
    if (q->head > 0) {
      memmove(q->t, q->t + q->head, (q->tail - q->head) * sizeof *q->t);
      q->tail -= q->head;
      q->head = 0;
    } else {
      size_t cap = q->cap ? q->cap * 2 : 64;
      uint64_t *n = realloc(q->t, cap * sizeof *n);
      if (!n)
        return RC_ENOMEM;
      q->t = n;
      q->cap = cap;
    }
  }
  q->t[q->tail++] = t;
  return 0;
}

/* Writes to a line and notes when each delimiter will arrive, by netsim's
 * documented timing: bytes leave back to back from when the transmitter is
 * free, ten bit times each, then the line's latency. */
void w_line_write(struct world *w, int link, int end, const uint8_t *buf,
                  size_t len) {
  if (!w->cut[link]) {
    uint64_t baud = w->t->links[link].baud ? w->t->links[link].baud : 115200;
    uint64_t byte_ns = (uint64_t)RC_NETSIM_BITS_PER_BYTE * 1000000000ull / baud;
    uint64_t start = rc_netsim_tx_idle_at(w->net, link, end);
    uint64_t lat = w_ns(w->s->latency_ms);
    struct wwake *q = &w->wake[(size_t)link * 2 + (size_t)end];
    for (size_t i = 0; i < len; i++)
      if (buf[i] == 0)
        wake_push(q, start + (i + 1) * byte_ns + lat);
    if (len && buf[len - 1] != 0)  /* a trailing piece: read it too */
      wake_push(q, start + len * byte_ns + lat);
  }
  rc_netsim_write(w->net, link, end, buf, len);
  rekey_arrival(w, (size_t)link * 2 + (size_t)end);
  rekey_node(w, end_node(w, link, end));  /* its transmitter moved */
}

void w_line_cut(struct world *w, int link, bool cut) {
  rc_netsim_cut(w->net, link, cut);
  rekey_node(w, end_node(w, link, 0));
  rekey_node(w, end_node(w, link, 1));
  for (int e = 0; e < 2; e++) { /* what was on the wire is gone */
    w->wake[(size_t)link * 2 + (size_t)e].head =
        w->wake[(size_t)link * 2 + (size_t)e].tail = 0;
    rekey_arrival(w, (size_t)link * 2 + (size_t)e);
  }
}

/* ------------------------------------------------------------ keys, nodes */

static int derive_keys(struct world *w) {
  for (size_t n = 0; n < w->t->nnodes; n++) {
    struct wnode *wn = &w->nodes[n];
    rc_prng_seed(&wn->prng, w->seed ^ (0x9e3779b97f4a7c15ull * (n + 1)));
    struct rc_rng rng = rc_prng_as_rng(&wn->prng);
    rc_rng_fill(&rng, wn->link_priv, 32);
    rc_rng_fill(&rng, wn->origin_priv, 32);
    if (rc_sim_x25519_public(wn->link_priv, w->t->nodes[n].link_pub) != 0 ||
        rc_sim_ed25519_public(wn->origin_priv, w->t->nodes[n].origin_pub) != 0)
      return RC_ECRYPTO;
    wn->ring_seq = calloc(w->t->nrings + 1, sizeof *wn->ring_seq);
    wn->ring_epoch = calloc(w->t->nrings + 1, sizeof *wn->ring_epoch);
    wn->ring_up = calloc(w->t->nrings + 1, sizeof *wn->ring_up);
    if (!wn->ring_seq || !wn->ring_epoch || !wn->ring_up)
      return RC_ENOMEM;
    wn->next_submit_ns = UINT64_MAX;
    wn->served_at = UINT64_MAX;
  }
  /* each node's own cables, so per-node work never scans every link */
  for (size_t l = 0; l < w->t->nlinks; l++)
    for (int end = 0; end < 2; end++) {
      struct wnode *wn = &w->nodes[end_node(w, (int)l, end)];
      if (wn->ncables == RC_TOPO_MAX_PORTS)
        return RC_ELIMIT;
      wn->cables[wn->ncables] = (uint32_t)l;
      wn->cable_end[wn->ncables++] = (uint8_t)end;
    }
  return 0;
}

/* Reads where a fresh core stands on each ring without reporting it. */
static void ring_baseline(struct world *w, uint32_t n) {
  struct wnode *wn = &w->nodes[n];
  wn->tokens_seen = UINT64_MAX;  /* a fresh core: read its rings next time */
  size_t nr = rc_node_ring_count(wn->core);
  for (size_t i = 0; i < nr; i++) {
    struct rc_node_ring_status st;
    rc_node_ring_status(wn->core, i, &st);
    if (st.ring >= 0 && (size_t)st.ring < w->t->nrings) {
      wn->ring_seq[st.ring] = st.last_seq;
      wn->ring_epoch[st.ring] = st.epoch;
    }
  }
}

void w_node_start(struct world *w, uint32_t n) {
  struct wnode *wn = &w->nodes[n];
  struct rc_node_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.topo = w->t;
  cfg.self = n;
  memcpy(cfg.link_priv, wn->link_priv, 32);
  memcpy(cfg.origin_priv, wn->origin_priv, 32);
  cfg.rng = rc_prng_as_rng(&wn->prng);
  /* A restarted master must open its rings above its old epochs; the
   * runtime uses the wall clock in ms, the world its virtual clock. */
  cfg.epoch_base = w->now / 1000000u + 1;
  char err[256];
  int rc = rc_node_new(&cfg, &wn->core, err, sizeof err);
  OPENSSL_cleanse(cfg.link_priv, 32);
  OPENSSL_cleanse(cfg.origin_priv, 32);
  if (rc != 0) {
    wn->core = NULL;
    if (w->err[0] == '\0')
      snprintf(w->err, w->errlen, "%s: the relay core refuses node %s: %s",
               w->rec->topology_file, w->t->nodes[n].name, err);
    return;
  }
  wn->crashed = false;
  rc_node_start(wn->core, w->now);
  ring_baseline(w, n);
  w_drain(w, n);
}

static void add_link_stats(struct world *w, uint32_t n) {
  struct rc_node *c = w->nodes[n].core;
  size_t nl = rc_node_link_count(c);
  for (size_t i = 0; i < nl; i++) {
    struct rc_node_link_status st;
    rc_node_link_status(c, i, &st);
    w->rec->retransmits += st.stats.retransmits;
    w->rec->bad_frames += st.stats.bad_crc + st.stats.bad_cobs +
                          st.stats.too_long;
  }
}

void w_node_stop(struct world *w, uint32_t n) {
  struct wnode *wn = &w->nodes[n];
  if (!wn->core)
    return;
  add_link_stats(w, n);
  rc_node_free(wn->core);
  wn->core = NULL;
  rekey_node(w, n);
}

/* --------------------------------------------------------------- events */

static void on_trip(struct world *w, uint32_t n, const struct rc_node_trip *tr) {
  struct wnode *wn = &w->nodes[n];
  if (wn->tripped)
    return;
  wn->tripped = true;
  struct rc_rec_trip *rt = &w->rec->trips[n];
  rt->tripped = true;
  rt->t_ns = w->now;
  snprintf(rt->cause, sizeof rt->cause, "%s", rc_trip_cause_name(tr->cause));
  snprintf(rt->detail, sizeof rt->detail, "%.150s%s%.64s", tr->detail,
           tr->neighbour[0] ? " from " : "", tr->neighbour);
  rc_record_event(w->rec, w->now, RC_REC_TRIP, (int)n, tr->link, tr->ring,
                  "%s: %s", rt->cause, rt->detail);
  bool isolation = tr->cause == RC_TRIP_ISOLATION;
  bool violation = !isolation && tr->cause != RC_TRIP_EXTERNAL;
  rc_inv_trip(w->inv, n, rt->cause, violation, isolation, w->now);
  if (!wn->compromised) {
    rc_inv_node_usable(w->inv, n, false, w->now);
    w->faults_active++;
  }
}

static void on_ring_event(struct world *w, uint32_t n,
                          const struct rc_node_event *ev) {
  const char *ring = ev->ring >= 0 && (size_t)ev->ring < w->t->nrings
                         ? w->t->rings[ev->ring].name
                         : "?";
  bool *up = ev->ring >= 0 && (size_t)ev->ring < w->t->nrings
                 ? &w->nodes[n].ring_up[ev->ring]
                 : NULL;
  switch (ev->type) {
  case RC_NODE_EV_RING_UP:
    /* every rotation says "up": only the change goes on the timeline */
    if (up && !*up)
      rc_record_event(w->rec, w->now, RC_REC_RING_UP, (int)n, -1, ev->ring,
                      "ring %s up, epoch %" PRIu64, ring, ev->epoch);
    if (up)
      *up = true;
    break;
  case RC_NODE_EV_RING_DOWN:
    if (up)
      *up = false;
    rc_record_event(w->rec, w->now, RC_REC_RING_DOWN, (int)n, -1, ev->ring,
                    "ring %s down (token lost)", ring);
    break;
  case RC_NODE_EV_BYPASS:
    w->rec->bypasses++;
    rc_record_event(w->rec, w->now, RC_REC_BYPASS, (int)n, -1, ev->ring,
                    "ring %s bypasses %s", ring, ev->neighbour);
    break;
  default: /* REJOIN */
    w->rec->rejoins++;
    rc_record_event(w->rec, w->now, RC_REC_REJOIN, (int)n, -1, ev->ring,
                    "ring %s takes %s back", ring, ev->neighbour);
    break;
  }
}

static void poll_rings(struct world *w, uint32_t n) {
  struct wnode *wn = &w->nodes[n];
  struct rc_node_stats ns;
  rc_node_stats(wn->core, &ns);
  if (ns.tokens_in + ns.tokens_out == wn->tokens_seen)
    return;
  wn->tokens_seen = ns.tokens_in + ns.tokens_out;
  size_t nr = rc_node_ring_count(wn->core);
  for (size_t i = 0; i < nr; i++) {
    struct rc_node_ring_status st;
    rc_node_ring_status(wn->core, i, &st);
    if (st.ring < 0 || (size_t)st.ring >= w->t->nrings)
      continue;
    uint64_t old_epoch = wn->ring_epoch[st.ring];
    wn->ring_epoch[st.ring] = st.epoch;
    if (st.last_seq == wn->ring_seq[st.ring])
      continue;
    wn->ring_seq[st.ring] = st.last_seq;
    /* A member's epoch moves when it accepts a higher-epoch token, so the
     * pair belongs together; a master accepts a rotation's end and may
     * open the next epoch in the same call: its accept was in the old one. */
    uint64_t epoch = st.master && st.epoch != old_epoch ? old_epoch : st.epoch;
    rc_inv_token(w->inv, (uint32_t)st.ring, n, epoch, st.last_seq, w->now);
  }
}

static bool drain_events(struct world *w, uint32_t n) {
  struct wnode *wn = &w->nodes[n];
  struct rc_node_event ev;
  bool any = false;
  while (wn->core && rc_node_next_event(wn->core, &ev)) {
    any = true;
    switch (ev.type) {
    case RC_NODE_EV_LINK_UP:
      rc_record_event(w->rec, w->now, RC_REC_LINK_UP, (int)n, ev.link, -1,
                      "link to %s up", ev.neighbour);
      break;
    case RC_NODE_EV_LINK_DOWN:
      w->rec->links_down++;
      rc_inv_link_down(w->inv, ev.link, w->now);
      rc_record_event(w->rec, w->now, RC_REC_LINK_DOWN, (int)n, ev.link, -1,
                      "link to %s down (%s)", ev.neighbour,
                      rc_link_down_reason_name(ev.down_reason));
      break;
    case RC_NODE_EV_RING_UP:
    case RC_NODE_EV_RING_DOWN:
    case RC_NODE_EV_BYPASS:
    case RC_NODE_EV_REJOIN:
      on_ring_event(w, n, &ev);
      break;
    case RC_NODE_EV_DELIVER:
      w_deliver(w, n, ev.envelope);
      break;
    case RC_NODE_EV_EXPIRED:
      w_expired(w, n, ev.request_id);
      break;
    case RC_NODE_EV_TRIP:
      on_trip(w, n, &ev.trip);
      break;
    case RC_NODE_EV_VIOLATION:
      /* on_violation: log — detected and dropped, the node runs on */
      rc_record_event(w->rec, w->now, RC_REC_TRIP, (int)n, ev.trip.link,
                      ev.trip.ring, "violation logged (policy: log): %s: %s",
                      rc_trip_cause_name(ev.trip.cause), ev.trip.detail);
      rc_inv_violation_logged(w->inv, n, rc_trip_cause_name(ev.trip.cause),
                              w->now);
      break;
    case RC_NODE_EV_NONE:
      break;
    }
  }
  /* The heaps are rekeyed by the caller once its own changes are done
   * (w_drain, pump_tx). */
  wn->deadline = wn->core && !wn->tripped ? rc_node_next_deadline(wn->core)
                                          : UINT64_MAX;
  return any;
}

static void ask_every_cable(struct world *w, uint32_t n) {
  struct wnode *wn = &w->nodes[n];
  for (size_t c = 0; c < wn->ncables; c++)
    w->tx_ask[(size_t)wn->cables[c] * 2 + wn->cable_end[c]] = true;
  wn->tx_dirty = true;
}

/* After every call into node n: its events, its new deadline, where it
 * stands on its rings, and its place in the event heaps. */
void w_drain(struct world *w, uint32_t n) {
  struct wnode *wn = &w->nodes[n];
  drain_events(w, n);
  ask_every_cable(w, n);
  rekey_node(w, n);
  if (wn->core && !wn->tripped)
    poll_rings(w, n);
}

static bool alive(const struct world *w, uint32_t n) {
  return w->nodes[n].core && !w->nodes[n].tripped;
}

/* ----------------------------------------------------------------- bytes */

/* Hands each node what arrived on its cables (a dead node's bytes fall on
 * the floor, as on a powered-off UART), cable by cable in topology order. */
static void pump_rx(struct world *w) {
  size_t due = wheap_due(&w->arrival_h, w->now, w->due);
  /* Heap ids are sending ends; serve by (link, receiving end) as a scan of
   * the cables would. */
  for (size_t i = 0; i < due; i++)
    w->due[i] ^= 1u;
  qsort(w->due, due, sizeof *w->due, wheap_cmp_id);
  for (size_t i = 0; i < due; i++) {
    size_t l = w->due[i] / 2;
    int end = (int)(w->due[i] % 2);
    /* bytes for `end` were sent by the other end */
    struct wwake *q = &w->wake[l * 2 + (size_t)(1 - end)];
    while (q->head < q->tail && q->t[q->head] <= w->now)
      q->head++;
    rekey_arrival(w, l * 2 + (size_t)(1 - end));
    uint32_t n = end_node(w, (int)l, end);
    size_t got;
    while ((got = rc_netsim_read(w->net, (int)l, end, w->io, W_IO_CHUNK)) >
           0) {
      if (!alive(w, n))
        continue;
      w->rec->wall_events++;
      rc_node_recv(w->nodes[n].core, (uint32_t)l, w->io, got, w->now);
      w_drain(w, n);
    }
  }
}

/* Takes what each node wants to send, one UART's worth at a time: the core
 * is only asked when its transmitter has drained, as a serial driver with a
 * small FIFO would. Attacked directions go through their tamper. */
static void pump_tx(struct world *w) {
  struct rc_bytes out = {0};
  for (size_t n = 0; n < w->t->nnodes; n++) {
    struct wnode *wn = &w->nodes[n];
    if (!wn->tx_dirty || !alive(w, (uint32_t)n))
      continue;
    bool more = false;
    for (size_t c = 0; c < wn->ncables; c++) {
      size_t l = wn->cables[c];
      int end = wn->cable_end[c];
      bool *ask = &w->tx_ask[l * 2 + (size_t)end];
      if (!*ask)
        continue;
      if (rc_netsim_tx_idle_at(w->net, (int)l, end) > w->now) {
        more = true;  /* ask again when the transmitter drains */
        continue;
      }
      size_t len = rc_node_pending_tx(wn->core, (uint32_t)l, w->io,
                                      W_IO_CHUNK, w->now);
      w->rec->wall_events++;
      /* What the core reported may have queued bytes for other cables. */
      if (drain_events(w, (uint32_t)n)) {
        ask_every_cable(w, (uint32_t)n);
        more = true;
        c = (size_t)-1;  /* look at the earlier cables again too */
        if (len == 0)
          continue;
      }
      if (len == 0) {
        *ask = false;
        continue;
      }
      more = true;
      struct rc_tamper *tp = w->tamper[l * 2 + (size_t)end];
      if (tp) {
        out.len = 0;
        uint64_t before = tp->reordered;
        if (rc_tamper_pass(tp, w->io, len, &out) == 0 && out.len)
          w_line_write(w, (int)l, end, out.p, out.len);
        if (tp->reordered != before)  /* the lie is on the line only now */
          w_reorder_sent(w, (int)l, end, out.len);
      } else {
        w_line_write(w, (int)l, end, w->io, len);
      }
    }
    wn->tx_dirty = more;
    rekey_node(w, (uint32_t)n);
  }
  rc_bytes_free(&out);
}

/* When a node was served at this instant and still says "now", it may be
 * waiting to send: a real runtime is woken by the port turning writable,
 * so the world waits for the earliest of its busy transmitters. (The link
 * no longer does this for a due heartbeat; the wait stays so that any
 * timer that does is seen as waiting, not as a livelock.) UINT64_MAX: not
 * waiting on one. */
static uint64_t tx_wait(const struct world *w, uint32_t n) {
  const struct wnode *wn = &w->nodes[n];
  if (wn->served_at != w->now || wn->deadline > w->now)
    return UINT64_MAX;
  uint64_t t = UINT64_MAX;
  for (size_t c = 0; c < wn->ncables; c++) {
    uint64_t idle = rc_netsim_tx_idle_at(w->net, (int)wn->cables[c],
                                         wn->cable_end[c]);
    if (idle > w->now && idle < t)
      t = idle;
  }
  return t;
}

static uint64_t node_wake(const struct world *w, uint32_t n) {
  uint64_t wait = tx_wait(w, n);
  return wait != UINT64_MAX ? wait : w->nodes[n].deadline;
}

/* ------------------------------------------------------ event index */

/* When node n next needs the world, and when each of its busy, asked
 * transmitters drains: the world keeps both in heaps so that finding the
 * next instant costs O(log nodes), not a scan of the mesh. A node whose
 * wake came from tx_wait is listed: that value holds only at this instant. */
static void rekey_node(struct world *w, uint32_t n) {
  struct wnode *wn = &w->nodes[n];
  uint64_t k = UINT64_MAX;
  bool live = alive(w, n);
  if (live) {
    uint64_t wait = tx_wait(w, n);
    k = wait != UINT64_MAX ? wait : wn->deadline;
    if (wait != UINT64_MAX && !wn->in_txwait) {
      wn->in_txwait = true;
      w->txwait[w->ntxwait++] = n;
    }
  }
  wheap_set(&w->wake_h, n, k);
  for (size_t c = 0; c < wn->ncables; c++) {
    size_t le = (size_t)wn->cables[c] * 2 + wn->cable_end[c];
    uint64_t idle = UINT64_MAX;
    if (live && w->tx_ask[le]) {
      idle = rc_netsim_tx_idle_at(w->net, (int)wn->cables[c],
                                  wn->cable_end[c]);
      if (idle <= w->now)
        idle = UINT64_MAX;  /* pump_tx asks it at this instant */
    }
    wheap_set(&w->txidle_h, (uint32_t)le, idle);
  }
}

static void rekey_arrival(struct world *w, size_t sending_end) {
  const struct wwake *q = &w->wake[sending_end];
  wheap_set(&w->arrival_h, (uint32_t)sending_end,
            q->head < q->tail ? q->t[q->head] : UINT64_MAX);
}

void w_load_rekey(struct world *w, uint32_t n) {
  wheap_set(&w->load_h, n, w->nodes[n].next_submit_ns);
}

/* Time moved on: a wake that waited on a transmitter at the old instant
 * falls back to the node's deadline. */
static void time_moved(struct world *w) {
  size_t k = w->ntxwait;
  w->ntxwait = 0;
  for (size_t i = 0; i < k; i++) {
    uint32_t n = w->txwait[i];
    w->nodes[n].in_txwait = false;
    rekey_node(w, n);
  }
}

static void fire_deadlines(struct world *w) {
  size_t due = wheap_due(&w->wake_h, w->now, w->due);
  for (size_t i = 0; i < due; i++) {
    uint32_t n = w->due[i];
    if (!alive(w, n) || node_wake(w, n) > w->now)
      continue;
    w->rec->wall_events++;
    w->nodes[n].served_at = w->now;
    rc_node_on_deadline(w->nodes[n].core, w->now);
    w_drain(w, n);
  }
}

static uint64_t next_time(const struct world *w) {
  uint64_t t = w->end_ns;
  if (w->next_step < w->s->nsteps) {
    uint64_t st = w_ns(w->s->steps[w->next_step].at_ms);
    if (st < t)
      t = st;
  }
  uint64_t c[5] = {w_next_attack(w), wheap_min(&w->load_h),
                   wheap_min(&w->wake_h), wheap_min(&w->arrival_h),
                   wheap_min(&w->txidle_h)};
  for (int i = 0; i < 5; i++)
    if (c[i] < t)
      t = c[i];
  return t < w->now ? w->now : t;
}

static void run_loop(struct world *w) {
  uint64_t spins = 0, last = UINT64_MAX;
  for (;;) {
    uint64_t t = next_time(w);
    if (t >= w->end_ns && w->next_step >= w->s->nsteps)
      t = w->end_ns;
    spins = t == last ? spins + 1 : 0;
    last = t;
    if (spins > W_SPIN_LIMIT) {
      char who[160] = "a line, an attack or a request";
      for (size_t n = 0; n < w->t->nnodes; n++)
        if (alive(w, (uint32_t)n) && node_wake(w, (uint32_t)n) <= t) {
          snprintf(who, sizeof who, "node %s (its next deadline stays at "
                   "now after rc_node_on_deadline)", w->t->nodes[n].name);
          break;
        }
      rc_record_failure(w->rec, t, "liveness", "the simulation made no "
                        "progress past this instant: %s keeps asking to be "
                        "served now", who);
      w->livelock = true;
      break;
    }
    if (t != w->now) {
      w->now = t;
      time_moved(w);
    }
    rc_netsim_advance(w->net, t);
    while (w->next_step < w->s->nsteps &&
           w_ns(w->s->steps[w->next_step].at_ms) <= t)
      w_apply_step(w, &w->s->steps[w->next_step++]);
    w_fire_attacks(w);
    w_fire_load(w);
    fire_deadlines(w);
    pump_rx(w);
    pump_tx(w);
    rc_inv_tick(w->inv, t);
    if (t >= w->end_ns)
      break;
  }
}

/* ---------------------------------------------------------------- set-up */

static int make_lines(struct world *w) {
  for (size_t l = 0; l < w->t->nlinks; l++) {
    struct rc_netsim_line_config c = {
        .baud = w->t->links[l].baud ? w->t->links[l].baud : 115200,
        .latency_ns = w_ns(w->s->latency_ms),
        .bit_error_rate = w->s->ber};
    int id = rc_netsim_add_line(w->net, &c);
    if (id < 0)
      return id;
    assert((size_t)id == l);  /* lines are numbered like topology links */
    w->ber[l] = w->s->ber;
  }
  return 0;
}

static int make_ca(struct world *w) {
  rc_policy_default(&w->policy);
  memset(&w->ca, 0, sizeof w->ca);
  int rc = rc_sim_ca_make(&w->prng, &w->simca);
  if (rc)
    return rc;
  if ((rc = rc_ca_set_root(&w->ca, w->simca.root)) != 0)
    return rc;
  for (size_t i = 0; i < w->simca.nsubs; i++)
    if ((rc = rc_ca_add_issuer(&w->ca, w->simca.profile[i], w->simca.sub[i],
                               w->simca.sub_key[i])) != 0)
      return rc;
  return 0;
}

static int setup(struct world *w, const struct rc_world_input *in) {
  struct rc_topology *t = in->topo;
  size_t nn = t->nnodes, nl = t->nlinks;
  w->nodes = calloc(nn + 1, sizeof *w->nodes);
  w->tamper = calloc(nl * 2 + 1, sizeof *w->tamper);
  w->cut = calloc(nl + 1, sizeof *w->cut);
  w->tapped = calloc(nl + 1, sizeof *w->tapped);
  w->wake = calloc(nl * 2 + 1, sizeof *w->wake);
  w->tx_ask = calloc(nl * 2 + 1, sizeof *w->tx_ask);
  size_t scratch = nn > nl * 2 ? nn : nl * 2;
  w->due = calloc(scratch + 1, sizeof *w->due);
  w->txwait = calloc(nn + 1, sizeof *w->txwait);
  if (wheap_init(&w->wake_h, nn) || wheap_init(&w->arrival_h, nl * 2) ||
      wheap_init(&w->txidle_h, nl * 2) || wheap_init(&w->load_h, nn))
    return RC_ENOMEM;
  w->ber = calloc(nl + 1, sizeof *w->ber);
  w->io = malloc(W_IO_CHUNK);
  w->net = rc_netsim_new(in->seed);
  if (!w->nodes || !w->tamper || !w->cut || !w->tapped || !w->wake ||
      !w->tx_ask || !w->due || !w->txwait || !w->ber || !w->io ||
      !w->net)
    return RC_ENOMEM;
  w->root = -1;
  for (size_t n = 0; n < nn && w->root < 0; n++)
    if (t->nodes[n].role == RC_ROLE_ROOT)
      w->root = (int)n;
  if (w->root < 0) {
    snprintf(w->err, w->errlen, "%s: the topology has no root node",
             w->rec->topology_file);
    return RC_EINVAL;
  }
  int rc = derive_keys(w);
  if (rc == 0)
    rc = w_resolve_steps(w);
  if (rc == 0)
    rc = make_lines(w);
  if (rc == 0)
    rc = make_ca(w);
  for (size_t n = 0; rc == 0 && n < nn; n++)
    if (t->nodes[n].role == RC_ROLE_FRONTEND)
      rc = w_fe_prepare(w, (uint32_t)n);
  if (rc)
    return rc;
  uint64_t tl = t->timeouts.dead_link_ms + t->timeouts.handshake_retry_ms +
                t->timeouts.token_loss_ms + t->timeouts.ring_restart_ms;
  struct rc_inv_config ic = {
      .topo = t, .rec = w->rec, .heal_ns = w_ns(2 * tl + 10000),
      .trip_bound_ns = w_ns(2 * t->timeouts.retransmit_ms + 2000),
      .grace_ns = w_ns(1), .isolation_ns = w_ns(t->timeouts.isolation_ms)};
  return rc_inv_new(&ic, &w->inv);
}

static void teardown(struct world *w) {
  if (w->nodes)
    for (size_t n = 0; n < w->t->nnodes; n++) {
      struct wnode *wn = &w->nodes[n];
      rc_node_free(wn->core);  /* stats were added at the end of the run */
      wn->core = NULL;
      OPENSSL_cleanse(wn->link_priv, 32);
      OPENSSL_cleanse(wn->origin_priv, 32);
      OPENSSL_free(wn->csr);
      OPENSSL_free(wn->bad_csr);
      free(wn->ring_seq);
      free(wn->ring_epoch);
      free(wn->ring_up);
    }
  if (w->tamper)
    for (size_t i = 0; i < w->t->nlinks * 2; i++)
      if (w->tamper[i]) {
        rc_tamper_free(w->tamper[i]);
        free(w->tamper[i]);
      }
  w_answers_free(w);
  rc_ca_free(&w->ca);
  rc_sim_ca_free(&w->simca);
  rc_inv_free(w->inv);
  rc_netsim_free(w->net);
  free(w->nodes);
  free(w->tamper);
  free(w->cut);
  free(w->tapped);
  free(w->tx_ask);
  free(w->due);
  free(w->txwait);
  wheap_free(&w->wake_h);
  wheap_free(&w->arrival_h);
  wheap_free(&w->txidle_h);
  wheap_free(&w->load_h);
  if (w->wake)
    for (size_t i = 0; i < w->t->nlinks * 2; i++)
      free(w->wake[i].t);
  free(w->wake);
  free(w->ber);
  free(w->io);
  free(w->reqs);
}

int rc_world_run(const struct rc_world_input *in, struct rc_record *rec,
                 char *err, size_t errlen) {
  int rc = rc_record_init(rec, in->topo);
  if (rc)
    return rc;
  snprintf(rec->scenario, sizeof rec->scenario, "%s", in->scn->name);
  snprintf(rec->topology_file, sizeof rec->topology_file, "%s",
           in->topology_file ? in->topology_file : "");
  snprintf(rec->scenario_file, sizeof rec->scenario_file, "%s",
           in->scenario_file ? in->scenario_file : "--random");
  rec->seed = in->seed;
  rec->duration_ns = w_ns(in->scn->duration_ms);
  struct world *w = calloc(1, sizeof *w);
  if (!w)
    return RC_ENOMEM;
  w->t = in->topo;
  w->s = in->scn;
  w->rec = rec;
  w->seed = in->seed;
  w->end_ns = rec->duration_ns;
  w->err = err;
  w->errlen = errlen;
  err[0] = '\0';
  rc_prng_seed(&w->prng, in->seed);
  rc = setup(w, in);
  for (size_t n = 0; rc == 0 && n < w->t->nnodes; n++) {
    w_node_start(w, (uint32_t)n);
    if (!w->nodes[n].core)
      rc = RC_EINVAL;
  }
  if (rc == 0) {
    run_loop(w);
    rec->end_ns = w->now;
    rc_inv_finish(w->inv, w->now);
    for (size_t n = 0; n < w->t->nnodes; n++)
      if (w->nodes[n].core)
        add_link_stats(w, (uint32_t)n);
    if (rc_expect_check(in->scn, rec, err, errlen) != 0)
      rc = RC_EINVAL;
  } else if (err[0] == '\0') {
    snprintf(err, errlen, "cannot set up the simulation: %s",
             rc_strerror(rc));
  }
  teardown(w);
  free(w);
  return rc;
}
