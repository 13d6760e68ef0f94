/* The ring state machine alone: every member of a hub and a loop ring in
 * one process, tokens passed by hand, time by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ringca/error.h"
#include "ringca/ring.h"
#include "ringca/topology.h"

#define MS 1000000ull

struct fixture {
  struct rc_topology topo;
  int hub, loop, loop4;
  struct rc_ring ring[8];  /* by node index, for the ring under test */
  size_t nnodes;
};

static const struct rc_ring_timing timing = {
    .token_loss_ns = 1000 * MS,
    .restart_ns = 200 * MS,
    .pause_ns = 50 * MS,
    .holdoff_ns = 300 * MS,
    .epoch_base = 0,
};

/* Nodes: im1 fe1 fe2 fe3 a b c d, each pair of ring neighbours on a
 * cable. */
static void build(struct fixture *f) {
  memset(f, 0, sizeof *f);
  rc_topology_init(&f->topo);
  const char *names[] = {"im1", "fe1", "fe2", "fe3", "a", "b", "c", "d"};
  for (size_t i = 0; i < 8; i++) {
    assert_int_equal(rc_topology_add_node(&f->topo, names[i], RC_ROLE_FRONTEND),
                     (int)i);
    for (int p = 0; p < 4; p++) {
      char port[8];
      snprintf(port, sizeof port, "p%d", p);
      assert_true(rc_topology_add_port(&f->topo, (uint32_t)i, port, "/dev/x",
                                       115200) >= 0);
    }
  }
  const char *links[][4] = {{"im1", "p0", "fe1", "p0"}, {"im1", "p1", "fe2", "p0"},
                            {"im1", "p2", "fe3", "p0"}, {"a", "p0", "b", "p0"},
                            {"b", "p1", "c", "p0"},     {"c", "p1", "a", "p1"},
                            {"c", "p2", "d", "p0"},     {"d", "p1", "a", "p2"}};
  for (size_t i = 0; i < 8; i++)
    assert_true(rc_topology_add_link(&f->topo, links[i][0], links[i][1],
                                     links[i][2], links[i][3]) >= 0);
  const char *members[] = {"fe1", "fe2", "fe3"};
  f->hub = rc_topology_add_hub_ring(&f->topo, "hub", "im1", members, 3);
  const char *order[] = {"a", "b", "c"};
  f->loop = rc_topology_add_ring(&f->topo, "loop", order, 3, false);
  const char *order4[] = {"a", "b", "c", "d"};
  f->loop4 = rc_topology_add_ring(&f->topo, "loop4", order4, 4, false);
  assert_int_equal(rc_topology_validate(&f->topo, NULL, NULL), 0);
  f->nnodes = 8;
}

static void init_ring(struct fixture *f, int ring) {
  const struct rc_topo_ring *d = &f->topo.rings[ring];
  for (size_t k = 0; k < d->norder; k++) {
    uint32_t n = d->order[k];
    if (f->ring[n].def)
      continue;
    assert_int_equal(rc_ring_init(&f->ring[n], &f->topo, (uint32_t)ring, n,
                                  &timing), 0);
  }
  /* Every cable of the ring is up at both ends. */
  for (size_t k = 0; k < d->norder; k++) {
    uint32_t a = d->order[k], b = d->order[(k + 1) % d->norder];
    rc_ring_link_change(&f->ring[a], b, true, 0);
    rc_ring_link_change(&f->ring[b], a, true, 0);
  }
}

static int setup(void **state) {
  struct fixture *f = calloc(1, sizeof *f);
  build(f);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  struct fixture *f = *state;
  rc_topology_free(&f->topo);
  free(f);
  return 0;
}

/* A Token as the wire would carry it, built from a hop. */
struct tok {
  Ringca__Token t;
  char *names[RC_TOKEN_MAX_ORDER];
};

static void make_token(struct fixture *f, const struct rc_ring_hop *hop,
                       int ring, struct tok *out) {
  ringca__token__init(&out->t);
  out->t.ring = f->topo.rings[ring].name;
  out->t.epoch = hop->epoch;
  out->t.seq = hop->seq;
  for (size_t i = 0; i < hop->nactive; i++)
    out->names[i] = f->topo.nodes[hop->active[i]].name;
  out->t.active_order = out->names;
  out->t.n_active_order = hop->nactive;
}

/* The ring reads a token as the wire view gives it: names as (pointer,
 * length). The tests build protobuf-c Tokens, easy to tamper with, and
 * hand the ring their view. */
static int on_token(struct rc_ring *r, uint32_t from, const Ringca__Token *t,
                    uint64_t now, struct rc_ring_violation *v) {
  struct rc_wire_name names[RC_TOKEN_MAX_ORDER];
  struct rc_wire_token w;
  memset(&w, 0, sizeof w);
  w.ring.data = t->ring;
  w.ring.len = strlen(t->ring);
  w.epoch = t->epoch;
  w.seq = t->seq;
  assert_true(t->n_active_order <= RC_TOKEN_MAX_ORDER);
  for (size_t i = 0; i < t->n_active_order; i++) {
    names[i].data = t->active_order[i];
    names[i].len = strlen(t->active_order[i]);
  }
  w.active_order = names;
  w.n_active_order = t->n_active_order;
  w.envelopes = t->envelopes;
  w.n_envelopes = t->n_envelopes;
  return rc_ring_on_token(r, from, &w, now, v);
}

static uint32_t node(struct fixture *f, const char *name) {
  return (uint32_t)rc_topology_find_node(&f->topo, name);
}

/* Forwards the token held by `holder` and delivers it; returns the new
 * holder. Asserts acceptance. */
static uint32_t step(struct fixture *f, int ring, uint32_t holder,
                     uint64_t now, struct rc_ring_hop *hop_out) {
  struct rc_ring_hop hop;
  assert_true(rc_ring_due(&f->ring[holder], now));
  assert_int_equal(rc_ring_forward(&f->ring[holder], now, &hop), 0);
  struct tok tk;
  make_token(f, &hop, ring, &tk);
  struct rc_ring_violation v;
  int rc = on_token(&f->ring[hop.to], holder, &tk.t, now, &v);
  if (rc)
    fail_msg("unexpected violation: %s", v.detail);
  if (hop_out)
    *hop_out = hop;
  return hop.to;
}

static void drain(struct rc_ring *r) {
  struct rc_ring_event ev;
  while (rc_ring_next_event(r, &ev))
    ;
}

static bool has_event(struct rc_ring *r, enum rc_ring_event_type type,
                      uint32_t node_idx) {
  struct rc_ring_event ev;
  bool found = false;
  while (rc_ring_next_event(r, &ev))
    if (ev.type == type && ev.node == node_idx)
      found = true;
  return found;
}

static void test_hub_rotation_seqs(void **state) {
  struct fixture *f = *state;
  init_ring(f, f->hub);
  uint32_t im1 = node(f, "im1");
  rc_ring_start(&f->ring[im1], 0);
  uint32_t holder = im1;
  uint64_t now = 0;
  for (uint64_t hop = 0; hop < 6000; hop++) {
    struct rc_ring_hop h;
    if (!rc_ring_due(&f->ring[holder], now)) {
      now = rc_ring_next_deadline(&f->ring[holder]);
      rc_ring_on_deadline(&f->ring[holder], now);
    }
    holder = step(f, f->hub, holder, now, &h);
    assert_int_equal(h.seq, hop);  /* one epoch: seq counts every hop */
    assert_int_equal(h.epoch, 1);
    assert_int_equal(h.nactive, 6);
    now += MS;
  }
  for (size_t i = 0; i < 4; i++) {
    assert_true(f->ring[i].up);
    assert_true(has_event(&f->ring[i], RC_RING_EV_UP, (uint32_t)i));
  }
  /* 6000 hops = 1000 rotations, each with one master pause. */
  assert_true(now >= 999 * 50 * MS);
}

static void test_loop_rotation_and_pause(void **state) {
  struct fixture *f = *state;
  init_ring(f, f->loop);
  uint32_t a = node(f, "a");
  rc_ring_start(&f->ring[a], 0);
  uint32_t holder = a;
  uint64_t now = 0;
  for (uint64_t hop = 0; hop < 300; hop++) {
    struct rc_ring_hop h;
    if (holder == a && hop > 0) {
      assert_false(rc_ring_due(&f->ring[a], now));  /* rotation pause */
      assert_int_equal(rc_ring_next_deadline(&f->ring[a]), now + 50 * MS);
      if (hop % 2) {
        rc_ring_hurry(&f->ring[a], now);
      } else {
        now += 50 * MS;
        rc_ring_on_deadline(&f->ring[a], now);
      }
    }
    holder = step(f, f->loop, holder, now, &h);
    assert_int_equal(h.seq, hop);
  }
}

/* Like init_ring, with a 2 s idle pause beside the 50 ms busy one. */
static void init_parking_ring(struct fixture *f, int ring) {
  const struct rc_ring_timing parking = {.token_loss_ns = 5000 * MS,
                                         .restart_ns = 200 * MS,
                                         .pause_ns = 50 * MS,
                                         .holdoff_ns = 300 * MS,
                                         .idle_pause_ns = 2000 * MS};
  const struct rc_topo_ring *d = &f->topo.rings[ring];
  for (size_t k = 0; k < d->norder; k++)
    assert_int_equal(rc_ring_init(&f->ring[d->order[k]], &f->topo,
                                  (uint32_t)ring, d->order[k], &parking), 0);
  init_ring(f, ring);  /* links up; the rings are initialised already */
}

/* An idle hub ring parks its token at the master for the idle pause; a
 * busy rotation keeps the short pause; a member's want releases a parked
 * token at once, and each member asks at most once per token visit. */
static void test_idle_park_and_want(void **state) {
  struct fixture *f = *state;
  init_parking_ring(f, f->hub);
  uint32_t im1 = node(f, "im1"), fe1 = node(f, "fe1"), fe2 = node(f, "fe2");
  struct rc_ring *master = &f->ring[im1];
  rc_ring_start(master, 0);
  uint64_t now = 0;
  uint32_t holder = im1;
  for (int hop = 0; hop < 6; hop++)  /* one empty rotation */
    holder = step(f, f->hub, holder, now, NULL);
  assert_int_equal(holder, im1);
  assert_false(rc_ring_due(master, now));
  assert_int_equal(rc_ring_next_deadline(master), now + 2000 * MS);

  /* Members may ask; the master is their neighbour on a hub ring. */
  assert_int_equal(rc_ring_want_target(&f->ring[fe2]), im1);
  rc_ring_want_sent(&f->ring[fe2]);
  assert_int_equal(rc_ring_want_target(&f->ring[fe2]), UINT32_MAX);
  struct rc_ring_violation v;
  now += 10 * MS;
  assert_int_equal(rc_ring_on_want(master, fe2, now, &v), 0);
  assert_true(rc_ring_due(master, now));  /* released at once */
  holder = step(f, f->hub, holder, now, NULL);   /* im1 -> fe1 */
  holder = step(f, f->hub, holder, now, NULL);   /* fe1 -> im1 */
  holder = step(f, f->hub, holder, now, NULL);   /* im1 -> fe2 */
  assert_int_equal(holder, fe2);
  assert_int_equal(rc_ring_want_target(&f->ring[fe2]), UINT32_MAX); /* holds */
  for (int hop = 0; hop < 3; hop++)
    holder = step(f, f->hub, holder, now, NULL);
  assert_int_equal(rc_ring_want_target(&f->ring[fe2]), im1);  /* visited */
  /* Every hub member can ask, so even a busy rotation parks the token. */
  assert_int_equal(rc_ring_next_deadline(master), now + 2000 * MS);
  now += 2000 * MS;
  rc_ring_on_deadline(master, now);
  holder = step(f, f->hub, holder, now, NULL);
  rc_ring_note_carried(master);
  for (int hop = 0; hop < 5; hop++)
    holder = step(f, f->hub, holder, now, NULL);
  assert_int_equal(rc_ring_next_deadline(master), now + 2000 * MS);

  /* A want that reaches the master mid-rotation: no pause at its end. */
  now += 2000 * MS;
  rc_ring_on_deadline(master, now);
  holder = step(f, f->hub, holder, now, NULL);
  assert_int_equal(rc_ring_on_want(master, fe1, now, &v), 0);
  for (int hop = 0; hop < 5; hop++)
    holder = step(f, f->hub, holder, now, NULL);
  assert_true(rc_ring_due(master, now));

  /* Only members ask, and only the master is asked. */
  memset(&v, 0, sizeof v);
  assert_int_equal(rc_ring_on_want(&f->ring[fe1], fe2, now, &v), 1);
  assert_int_equal(v.cause, RC_TRIP_OUT_OF_TURN);
  assert_non_null(strstr(v.detail, "not the ring's master"));
  assert_int_equal(rc_ring_on_want(master, node(f, "a"), now, &v), 1);
  assert_non_null(strstr(v.detail, "not a member"));
  assert_int_equal(rc_ring_want_target(master), UINT32_MAX);
}

/* In a loop of four, c is next to neither side of the master a: it cannot
 * ask, so a busy rotation keeps the short pause (answers follow requests)
 * and only an empty one parks. */
static void test_long_loop_busy_rotation_keeps_short_pause(void **state) {
  struct fixture *f = *state;
  init_parking_ring(f, f->loop4);
  uint32_t a = node(f, "a"), b = node(f, "b"), c = node(f, "c");
  rc_ring_start(&f->ring[a], 0);
  uint64_t now = 0;
  uint32_t holder = a;
  for (int hop = 0; hop < 4; hop++)
    holder = step(f, f->loop4, holder, now, NULL);
  assert_int_equal(rc_ring_next_deadline(&f->ring[a]), now + 2000 * MS);
  assert_int_equal(rc_ring_want_target(&f->ring[b]), a);
  assert_int_equal(rc_ring_want_target(&f->ring[c]), UINT32_MAX);
  now += 2000 * MS;
  rc_ring_on_deadline(&f->ring[a], now);
  holder = step(f, f->loop4, holder, now, NULL);
  rc_ring_note_carried(&f->ring[a]);
  for (int hop = 0; hop < 3; hop++)
    holder = step(f, f->loop4, holder, now, NULL);
  assert_int_equal(rc_ring_next_deadline(&f->ring[a]), now + 50 * MS);
}

/* Runs the hub ring to a state where fe2 expects the token from im1. */
static uint32_t run_hub_some(struct fixture *f, uint64_t *now, size_t hops) {
  init_ring(f, f->hub);
  uint32_t im1 = node(f, "im1");
  rc_ring_start(&f->ring[im1], *now);
  uint32_t holder = im1;
  for (size_t i = 0; i < hops; i++) {
    rc_ring_hurry(&f->ring[holder], *now);
    holder = step(f, f->hub, holder, *now, NULL);
    *now += MS;
  }
  for (size_t i = 0; i < 4; i++)
    drain(&f->ring[i]);
  return holder;
}

static void expect_violation(struct fixture *f, uint32_t at, uint32_t from,
                             Ringca__Token *t, enum rc_trip_cause cause,
                             const char *detail_part) {
  struct rc_ring_violation v;
  memset(&v, 0, sizeof v);
  assert_int_equal(on_token(&f->ring[at], from, t, 0, &v), 1);
  assert_int_equal(v.cause, cause);
  if (!strstr(v.detail, detail_part))
    fail_msg("detail \"%s\" lacks \"%s\"", v.detail, detail_part);
}

static void test_violations(void **state) {
  struct fixture *f = *state;
  uint64_t now = 0;
  /* After 7 hops the token sits at fe1 (hop 6 went im1 -> fe1, seq 6). */
  uint32_t holder = run_hub_some(f, &now, 7);
  uint32_t im1 = node(f, "im1"), fe1 = node(f, "fe1"), fe2 = node(f, "fe2"),
           fe3 = node(f, "fe3");
  assert_int_equal(holder, fe1);
  struct rc_ring_hop hop = {.to = fe1, .epoch = 1, .seq = 6,
                            .active = f->ring[im1].active, .nactive = 6};
  struct tok tk;
  make_token(f, &hop, f->hub, &tk);

  /* fe1 holds the token: anything more is a second token. */
  expect_violation(f, fe1, im1, &tk.t, RC_TRIP_SECOND_TOKEN, "while we hold");
  /* im1 expects seq 7 from fe1. */
  tk.t.seq = 9;
  expect_violation(f, im1, fe1, &tk.t, RC_TRIP_WRONG_SEQ,
                   "token seq 9, expected 7 from fe1");
  tk.t.seq = 7;
  expect_violation(f, im1, fe2, &tk.t, RC_TRIP_OUT_OF_TURN,
                   "token seq 7 from fe2, expected from fe1");
  /* fe2 expects epoch 1 seq 8 from im1 later; a higher epoch from im1 is
   * legitimate only from its predecessor, and never at the master. */
  tk.t.epoch = 2;
  tk.t.seq = 8;
  expect_violation(f, im1, fe1, &tk.t, RC_TRIP_WRONG_EPOCH,
                   "only we (the master) raise epochs");
  expect_violation(f, fe2, fe3, &tk.t, RC_TRIP_WRONG_EPOCH,
                   "does not precede us");
  tk.t.seq = 9;
  expect_violation(f, fe2, im1, &tk.t, RC_TRIP_WRONG_SEQ,
                   "expected 2 modulo 6");
  tk.t.epoch = 0;
  expect_violation(f, fe2, im1, &tk.t, RC_TRIP_WRONG_EPOCH, "epoch 0");
  /* A malformed active order. */
  tk.t.epoch = 1;
  tk.t.seq = 7;
  char *swapped[6] = {"im1", "fe2", "im1", "fe1", "im1", "fe3"};
  tk.t.active_order = swapped;
  expect_violation(f, im1, fe1, &tk.t, RC_TRIP_MALFORMED_TOKEN,
                   "breaks member order");
  char *nohub[6] = {"fe1", "im1", "im1", "fe2", "im1", "fe3"};
  tk.t.active_order = nohub;
  expect_violation(f, im1, fe1, &tk.t, RC_TRIP_MALFORMED_TOKEN,
                   "does not alternate");
  char *unknown[2] = {"im1", "zz9"};
  tk.t.active_order = unknown;
  tk.t.n_active_order = 2;
  expect_violation(f, im1, fe1, &tk.t, RC_TRIP_MALFORMED_TOKEN, "unknown node");
  /* Same epoch, different order: leaves fe3 out. */
  char *short_order[4] = {"im1", "fe1", "im1", "fe2"};
  tk.t.active_order = short_order;
  tk.t.n_active_order = 4;
  expect_violation(f, im1, fe1, &tk.t, RC_TRIP_MALFORMED_TOKEN,
                   "changes the active order");
  expect_violation(f, fe3, im1, &tk.t, RC_TRIP_OUT_OF_TURN, "leaves us out");
  /* Nothing above changed state: the honest token still goes round. */
  tk.t.active_order = tk.names;
  tk.t.n_active_order = 6;
  for (int i = 0; i < 12; i++) {
    rc_ring_hurry(&f->ring[holder], now);
    holder = step(f, f->hub, holder, now, NULL);
  }
}

static void test_lower_epoch_refused(void **state) {
  struct fixture *f = *state;
  init_ring(f, f->loop);
  uint32_t a = node(f, "a"), b = node(f, "b"), c = node(f, "c");
  f->ring[a].tm.epoch_base = 5;
  rc_ring_start(&f->ring[a], 0);
  struct rc_ring_hop hop;
  uint32_t holder = step(f, f->loop, a, 0, &hop);
  assert_int_equal(hop.epoch, 5);
  holder = step(f, f->loop, holder, 0, &hop);
  assert_int_equal(holder, c);
  hop.epoch = 4;
  hop.seq = 2;
  struct tok tk;
  make_token(f, &hop, f->loop, &tk);
  /* a expects epoch 5 seq 2 from c. */
  expect_violation(f, a, c, &tk.t, RC_TRIP_WRONG_EPOCH,
                   "epoch 4 from c, below current epoch 5");
  (void)b;
}

static void test_hub_bypass_on_link_down_and_rejoin(void **state) {
  struct fixture *f = *state;
  uint64_t now = 0;
  uint32_t holder = run_hub_some(f, &now, 2); /* token at im1, pos 2 */
  uint32_t im1 = node(f, "im1"), fe2 = node(f, "fe2");
  assert_int_equal(holder, im1);
  /* fe2's cable fails while im1 holds the token before sending to fe2. */
  rc_ring_link_change(&f->ring[im1], fe2, false, now);
  rc_ring_link_change(&f->ring[fe2], im1, false, now);
  struct rc_ring_hop hop;
  assert_int_equal(rc_ring_forward(&f->ring[im1], now, &hop), 0);
  assert_int_equal(hop.epoch, 2);
  assert_int_equal(hop.seq, 0);
  assert_int_equal(hop.nactive, 4);
  assert_true(has_event(&f->ring[im1], RC_RING_EV_BYPASS, fe2));
  struct tok tk;
  make_token(f, &hop, f->hub, &tk);
  struct rc_ring_violation v;
  assert_int_equal(on_token(&f->ring[hop.to], im1, &tk.t, now, &v), 0);
  holder = hop.to;
  /* Others keep circulating without fe2. */
  for (int i = 0; i < 20; i++) {
    rc_ring_hurry(&f->ring[holder], now);
    holder = step(f, f->hub, holder, now, &hop);
    assert_int_equal(hop.epoch, 2);
    assert_true(hop.to != fe2);
  }
  /* fe2 comes back: taken back at the next epoch the master starts. */
  rc_ring_link_change(&f->ring[im1], fe2, true, now);
  rc_ring_link_change(&f->ring[fe2], im1, true, now);
  bool saw_fe2 = false;
  for (int i = 0; i < 12; i++) {
    rc_ring_hurry(&f->ring[holder], now);
    holder = step(f, f->hub, holder, now, &hop);
    saw_fe2 |= hop.to == fe2;
  }
  assert_true(saw_fe2);
  assert_int_equal(hop.epoch, 3);
  assert_true(has_event(&f->ring[im1], RC_RING_EV_REJOIN, fe2));
}

static void test_hub_bypass_on_token_loss(void **state) {
  struct fixture *f = *state;
  uint64_t now = 0;
  uint32_t holder = run_hub_some(f, &now, 2);
  uint32_t im1 = node(f, "im1"), fe2 = node(f, "fe2"), fe1 = node(f, "fe1");
  struct rc_ring_hop hop;
  /* im1 sends to fe2, which swallows it. */
  assert_int_equal(rc_ring_forward(&f->ring[holder], now, &hop), 0);
  assert_int_equal(hop.to, fe2);
  uint64_t t = rc_ring_next_deadline(&f->ring[im1]);
  assert_int_equal(t, now + timing.token_loss_ns);
  rc_ring_on_deadline(&f->ring[im1], t);
  assert_true(has_event(&f->ring[im1], RC_RING_EV_RESET_LINK, fe2));
  assert_true(rc_ring_due(&f->ring[im1], t));
  assert_int_equal(rc_ring_forward(&f->ring[im1], t, &hop), 0);
  assert_int_equal(hop.epoch, 2);
  assert_int_equal(hop.nactive, 4);
  assert_int_equal(hop.to, fe1);
  /* fe1 (whose own timer may have fired meanwhile) accepts the new epoch
   * from its predecessor. */
  rc_ring_on_deadline(&f->ring[fe1], t);
  struct tok tk;
  make_token(f, &hop, f->hub, &tk);
  struct rc_ring_violation v;
  assert_int_equal(on_token(&f->ring[fe1], im1, &tk.t, t, &v), 0);
  /* Held off for holdoff_ns, then taken back. */
  holder = fe1;
  uint64_t now2 = t;
  for (int i = 0; i < 8; i++) {
    rc_ring_hurry(&f->ring[holder], now2);
    holder = step(f, f->hub, holder, now2, &hop);
    assert_true(hop.to != fe2);
  }
  now2 = t + timing.holdoff_ns;
  bool saw_fe2 = false;
  for (int i = 0; i < 8; i++) {
    rc_ring_hurry(&f->ring[holder], now2);
    holder = step(f, f->hub, holder, now2, &hop);
    saw_fe2 |= hop.to == fe2;
  }
  assert_true(saw_fe2);
  assert_int_equal(hop.epoch, 3);
}

static void test_loop_loss_and_restart(void **state) {
  struct fixture *f = *state;
  init_ring(f, f->loop);
  uint32_t a = node(f, "a"), b = node(f, "b"), c = node(f, "c");
  rc_ring_start(&f->ring[a], 0);
  uint32_t holder = a;
  for (int i = 0; i < 7; i++) {
    rc_ring_hurry(&f->ring[holder], 0);
    holder = step(f, f->loop, holder, 0, NULL);
  }
  assert_int_equal(holder, b);
  for (size_t i = 4; i < 7; i++)
    drain(&f->ring[i]);
  /* b forwards, c loses it. */
  struct rc_ring_hop hop;
  assert_int_equal(rc_ring_forward(&f->ring[b], 0, &hop), 0);
  uint64_t t = timing.token_loss_ns;
  for (uint32_t n = a; n <= c; n++)
    rc_ring_on_deadline(&f->ring[n], t);
  assert_false(f->ring[a].up);
  assert_false(f->ring[b].up);
  assert_true(has_event(&f->ring[b], RC_RING_EV_DOWN, b));
  assert_true(has_event(&f->ring[a], RC_RING_EV_RESET_LINK, c));
  assert_false(rc_ring_due(&f->ring[a], t));
  assert_int_equal(rc_ring_next_deadline(&f->ring[a]), t + timing.restart_ns);
  /* The link reset takes a-c down; the restart waits for it. */
  rc_ring_link_change(&f->ring[a], c, false, t);
  rc_ring_on_deadline(&f->ring[a], t + timing.restart_ns);
  assert_false(rc_ring_due(&f->ring[a], t + timing.restart_ns));
  rc_ring_link_change(&f->ring[a], c, true, t + timing.restart_ns + MS);
  assert_true(rc_ring_due(&f->ring[a], t + timing.restart_ns + MS));
  uint64_t now = t + timing.restart_ns + MS;
  holder = a;
  for (int i = 0; i < 6; i++) {
    rc_ring_hurry(&f->ring[holder], now);
    holder = step(f, f->loop, holder, now, &hop);
    assert_int_equal(hop.epoch, 2);
  }
  for (uint32_t n = a; n <= c; n++)
    assert_true(f->ring[n].up);
}

static void test_restarted_member_meets_ring_mid_epoch(void **state) {
  struct fixture *f = *state;
  init_ring(f, f->loop);
  uint32_t a = node(f, "a"), b = node(f, "b"), c = node(f, "c");
  rc_ring_start(&f->ring[a], 0);
  uint32_t holder = a;
  for (int i = 0; i < 10; i++) {
    rc_ring_hurry(&f->ring[holder], 0);
    holder = step(f, f->loop, holder, 0, NULL);
  }
  /* c restarts: fresh state, at epoch 0. */
  assert_int_equal(rc_ring_init(&f->ring[c], &f->topo, (uint32_t)f->loop, c,
                                &timing), 0);
  rc_ring_link_change(&f->ring[c], b, true, 0);
  rc_ring_link_change(&f->ring[c], a, true, 0);
  for (int i = 0; i < 10; i++) {
    rc_ring_hurry(&f->ring[holder], 0);
    holder = step(f, f->loop, holder, 0, NULL);
  }
  assert_true(f->ring[c].up);
}

static void test_member_link_down_is_ring_down(void **state) {
  struct fixture *f = *state;
  uint64_t now = 0;
  run_hub_some(f, &now, 8);
  uint32_t im1 = node(f, "im1"), fe3 = node(f, "fe3");
  assert_true(f->ring[fe3].up);
  rc_ring_link_change(&f->ring[fe3], im1, false, now);
  assert_false(f->ring[fe3].up);
  assert_false(rc_ring_can_reach(&f->ring[fe3], im1));
  assert_true(has_event(&f->ring[fe3], RC_RING_EV_DOWN, fe3));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_hub_rotation_seqs, setup, teardown),
      cmocka_unit_test_setup_teardown(test_loop_rotation_and_pause, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_idle_park_and_want, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(
          test_long_loop_busy_rotation_keeps_short_pause, setup, teardown),
      cmocka_unit_test_setup_teardown(test_violations, setup, teardown),
      cmocka_unit_test_setup_teardown(test_lower_epoch_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_hub_bypass_on_link_down_and_rejoin,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_hub_bypass_on_token_loss, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_loop_loss_and_restart, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_restarted_member_meets_ring_mid_epoch,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_member_link_down_is_ring_down, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
