/* Routing over rings that are up, split horizon, fairness, bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "canon.h"
#include "ringca/error.h"
#include "ringca/router.h"

enum { ROOT, IM1, IM2, FE1, FE2, FE3, FE4 };
enum { HUB1, HUB2, ROOT1, ROOT2 };

struct fx {
  struct rc_topology topo;
  struct rc_ring rings[4];
  size_t nrings;
  struct rc_router rt;
};

static const struct rc_ring_timing timing = {
    .token_loss_ns = 1000, .restart_ns = 100, .pause_ns = 10, .holdoff_ns = 100};

/* Rings of `self`, all up with every link up and full active orders. */
static void make(struct fx *f, uint32_t self, size_t cap) {
  memset(f, 0, sizeof *f);
  assert_int_equal(canon_build(&f->topo), 0);
  for (uint32_t r = 0; r < f->topo.nrings; r++) {
    struct rc_ring *ring = &f->rings[f->nrings];
    if (rc_ring_init(ring, &f->topo, r, self, &timing) != 0)
      continue;
    const struct rc_topo_ring *d = &f->topo.rings[r];
    memcpy(ring->active, d->order, d->norder * sizeof *d->order);
    ring->nactive = d->norder;
    ring->epoch = 1;
    ring->up = true;
    for (size_t k = 0; k < d->norder; k++)
      ring->peer_up[k] = true;
    f->nrings++;
  }
  assert_int_equal(rc_router_init(&f->rt, &f->topo, self, f->rings, f->nrings,
                                  cap), 0);
}

static void unmake(struct fx *f) {
  rc_router_free(&f->rt);
  rc_topology_free(&f->topo);
}

static struct rc_ring *ring_of(struct fx *f, uint32_t index) {
  for (size_t i = 0; i < f->nrings; i++)
    if (f->rings[i].index == index)
      return &f->rings[i];
  fail();
  abort(); /* not reached (fail() jumps out); at -O2 GCC otherwise warns
              that the caller's memcpy may write through NULL */
}

static void test_shortest_and_failover(void **state) {
  (void)state;
  struct fx f;
  make(&f, FE1, 8);
  int ring;
  uint32_t next;
  assert_int_equal(rc_router_next_hop(&f.rt, ROOT, UINT32_MAX, &ring, &next), 0);
  assert_int_equal(ring, HUB1);
  assert_int_equal(next, IM1);
  assert_int_equal(rc_router_next_hop(&f.rt, FE3, UINT32_MAX, &ring, &next), 0);
  assert_int_equal(next, IM1);
  ring_of(&f, HUB1)->up = false;
  assert_int_equal(rc_router_next_hop(&f.rt, ROOT, UINT32_MAX, &ring, &next), 0);
  assert_int_equal(ring, HUB2);
  assert_int_equal(next, IM2);
  ring_of(&f, HUB2)->up = false;
  assert_int_equal(rc_router_next_hop(&f.rt, ROOT, UINT32_MAX, &ring, &next),
                   RC_ENOROUTE);
  assert_true(rc_router_reachable(&f.rt, ROOT));
  assert_int_equal(rc_router_next_hop(&f.rt, FE1, UINT32_MAX, &ring, &next),
                   RC_ENOROUTE);
  unmake(&f);
}

static void test_hub_reroutes_without_bouncing(void **state) {
  (void)state;
  struct fx f;
  make(&f, IM1, 8);
  int ring;
  uint32_t next;
  assert_int_equal(rc_router_next_hop(&f.rt, ROOT, FE1, &ring, &next), 0);
  assert_int_equal(ring, ROOT1);
  assert_int_equal(next, ROOT);
  assert_int_equal(rc_router_next_hop(&f.rt, FE3, ROOT, &ring, &next), 0);
  assert_int_equal(ring, HUB1);
  assert_int_equal(next, FE3);
  /* im1's ring to the root is down: through another front-end to im2, never
   * back to the front-end it came from. */
  ring_of(&f, ROOT1)->up = false;
  assert_int_equal(rc_router_next_hop(&f.rt, ROOT, FE1, &ring, &next), 0);
  assert_int_equal(ring, HUB1);
  assert_true(next == FE2 || next == FE3 || next == FE4);
  /* A bypassed member is not a next hop: fe3 is reached through another
   * front-end and im2. */
  struct rc_ring *h1 = ring_of(&f, HUB1);
  uint32_t act[6] = {IM1, FE1, IM1, FE2, IM1, FE4};
  memcpy(h1->active, act, sizeof act);
  h1->nactive = 6;
  assert_int_equal(rc_router_next_hop(&f.rt, FE3, UINT32_MAX, &ring, &next), 0);
  assert_int_equal(ring, HUB1);
  assert_int_equal(next, FE1);
  h1->up = false;
  ring_of(&f, ROOT1)->up = true;
  assert_int_equal(rc_router_next_hop(&f.rt, FE3, UINT32_MAX, &ring, &next), 0);
  assert_int_equal(ring, ROOT1);
  assert_int_equal(next, ROOT);
  unmake(&f);
}

static size_t unit_cost(size_t len) { return len; }

static void push(struct fx *f, uint32_t origin, uint32_t dest, uint8_t tag,
                 uint64_t t) {
  struct rc_route_entry e = {0};
  e.env = malloc(10);
  e.env[0] = tag;
  e.len = 10;
  e.origin = origin;
  e.dest = dest;
  e.from = origin == f->rt.self ? f->rt.self : origin;
  e.queued_ns = t;
  assert_int_equal(rc_router_push(&f->rt, &e), 0);
}

static void test_fair_take_and_bounds(void **state) {
  (void)state;
  struct fx f;
  make(&f, IM1, 8);
  for (int i = 0; i < 5; i++)
    push(&f, FE1, ROOT, (uint8_t)i, 1);
  push(&f, FE2, ROOT, 20, 2);
  push(&f, FE3, ROOT, 30, 3);
  assert_true(rc_router_has(&f.rt, ROOT1, ROOT));
  assert_false(rc_router_has(&f.rt, HUB1, FE1));
  /* Full: the caller keeps its envelope. */
  push(&f, FE4, ROOT, 40, 4);
  struct rc_route_entry e = {.env = NULL, .len = 1, .origin = FE4, .dest = ROOT};
  assert_int_equal(rc_router_push(&f.rt, &e), RC_EAGAIN);
  /* Room for three: one of each origin, not three of fe1's. */
  struct rc_route_entry out[8];
  size_t n = rc_router_take(&f.rt, ROOT1, ROOT, 30, unit_cost, out, 8);
  assert_int_equal(n, 3);
  bool saw[7] = {false};
  for (size_t i = 0; i < n; i++) {
    saw[out[i].origin] = true;
    free(out[i].env);
  }
  assert_int_equal(saw[FE1] + saw[FE2] + saw[FE3] + saw[FE4], 3);
  assert_int_equal(f.rt.n, 5);
  /* fe1's envelopes leave in their order. */
  n = rc_router_take(&f.rt, ROOT1, ROOT, 1000, unit_cost, out, 8);
  assert_int_equal(n, 5);
  int last = -1;
  for (size_t i = 0; i < n; i++) {
    if (out[i].origin == FE1) {
      assert_true(out[i].env[0] > last);
      last = out[i].env[0];
    }
    free(out[i].env);
  }
  assert_int_equal(f.rt.n, 0);
  unmake(&f);
}

static void test_reroute_and_expire(void **state) {
  (void)state;
  struct fx f;
  make(&f, FE2, 8);
  push(&f, FE2, ROOT, 1, 100);
  push(&f, FE2, ROOT, 2, 200);
  assert_true(rc_router_has(&f.rt, HUB1, IM1));
  ring_of(&f, HUB1)->up = false;
  rc_router_reroute(&f.rt);
  assert_false(rc_router_has(&f.rt, HUB1, IM1));
  assert_true(rc_router_has(&f.rt, HUB2, IM2));
  ring_of(&f, HUB2)->up = false;
  rc_router_reroute(&f.rt);
  assert_int_equal(f.rt.q[0].ring, RC_ROUTE_NONE);
  assert_int_equal(rc_router_expire(&f.rt, 150), 1);
  assert_int_equal(f.rt.n, 1);
  assert_int_equal(f.rt.q[0].env[0], 2);
  unmake(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_shortest_and_failover),
      cmocka_unit_test(test_hub_reroutes_without_bouncing),
      cmocka_unit_test(test_fair_take_and_bounds),
      cmocka_unit_test(test_reroute_and_expire),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
