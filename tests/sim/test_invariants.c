/* The invariant checkers on their own: each invariant fires on the
 * observation sequence that breaks it and stays quiet on the legitimate one,
 * so a sweep with 0 failures means something. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "invariants.h"
#include "record.h"
#include "ringca/topology.h"

#define S 1000000000ull

/* The canonical mesh of docs/architecture.md, built in memory. */
static void canonical(struct rc_topology *t) {
  rc_topology_init(t);
  const char *fes[] = {"fe1", "fe2", "fe3", "fe4"};
  for (int i = 0; i < 4; i++) {
    int n = rc_topology_add_node(t, fes[i], RC_ROLE_FRONTEND);
    rc_topology_add_port(t, (uint32_t)n, "a", "/dev/a", 115200);
    rc_topology_add_port(t, (uint32_t)n, "b", "/dev/b", 115200);
  }
  const char *ims[] = {"im1", "im2"};
  for (int i = 0; i < 2; i++) {
    int n = rc_topology_add_node(t, ims[i], RC_ROLE_INTERMEDIATE);
    for (int p = 0; p < 5; p++) {
      char port[8];
      snprintf(port, sizeof port, "p%d", p);
      rc_topology_add_port(t, (uint32_t)n, port, "/dev/x", 115200);
    }
  }
  int root = rc_topology_add_node(t, "root", RC_ROLE_ROOT);
  rc_topology_add_port(t, (uint32_t)root, "p0", "/dev/x", 115200);
  rc_topology_add_port(t, (uint32_t)root, "p1", "/dev/x", 115200);
  for (int i = 0; i < 4; i++) {
    char p[8];
    snprintf(p, sizeof p, "p%d", i);
    assert_true(rc_topology_add_link(t, fes[i], "a", "im1", p) >= 0);
    assert_true(rc_topology_add_link(t, fes[i], "b", "im2", p) >= 0);
  }
  assert_true(rc_topology_add_link(t, "im1", "p4", "root", "p0") >= 0);
  assert_true(rc_topology_add_link(t, "im2", "p4", "root", "p1") >= 0);
  assert_true(rc_topology_add_hub_ring(t, "hub1", "im1", fes, 4) >= 0);
  assert_true(rc_topology_add_hub_ring(t, "hub2", "im2", fes, 4) >= 0);
  const char *r1[] = {"im1", "root"}, *r2[] = {"im2", "root"};
  assert_true(rc_topology_add_ring(t, "up1", r1, 2, false) >= 0);
  assert_true(rc_topology_add_ring(t, "up2", r2, 2, false) >= 0);
  assert_int_equal(rc_topology_validate(t, NULL, NULL), 0);
}

struct fx {
  struct rc_topology t;
  struct rc_record rec;
  struct rc_inv *inv;
};

static int setup(void **state) {
  static struct fx f;
  canonical(&f.t);
  assert_int_equal(rc_record_init(&f.rec, &f.t), 0);
  struct rc_inv_config c = {.topo = &f.t, .rec = &f.rec, .heal_ns = 20 * S,
                            .trip_bound_ns = 5 * S, .grace_ns = 1000000,
                            .isolation_ns = 60 * S};
  assert_int_equal(rc_inv_new(&c, &f.inv), 0);
  *state = &f;
  return 0;
}

static int teardown(void **state) {
  struct fx *f = *state;
  rc_inv_free(f->inv);
  rc_record_free(&f->rec);
  rc_topology_free(&f->t);
  return 0;
}

static uint32_t node(struct fx *f, const char *n) {
  return (uint32_t)rc_topology_find_node(&f->t, n);
}
static uint32_t cable(struct fx *f, const char *a, const char *b) {
  return (uint32_t)rc_topology_link_between(&f->t, node(f, a), node(f, b));
}

static void id_of(uint8_t id[16], int n) {
  memset(id, 0, 16);
  id[0] = (uint8_t)n;
  id[15] = 0xAB;
}

static void test_forged_issue(void **state) {
  struct fx *f = *state;
  uint8_t id[16], other[16], d[32] = {1}, d2[32] = {2};
  id_of(id, 1);
  id_of(other, 2);
  rc_inv_submit(f->inv, node(f, "fe1"), id, d, 60 * S, true, 1 * S);
  rc_inv_issue(f->inv, "fe1", id, d, 2 * S);  /* legitimate */
  assert_int_equal(f->rec.failures_total, 0);
  rc_inv_issue(f->inv, "fe2", id, d, 2 * S);  /* wrong origin */
  rc_inv_issue(f->inv, "fe1", id, d2, 2 * S); /* altered payload */
  rc_inv_issue(f->inv, "fe1", other, d, 2 * S); /* never submitted */
  assert_int_equal(f->rec.failures_total, 3);
  assert_int_equal(f->rec.forged_issued, 3);
  assert_string_equal(f->rec.failures[0].invariant, "forged-issue");
}

static void test_deadline(void **state) {
  struct fx *f = *state;
  uint8_t a[16], b[16], c[16], d[32] = {0};
  id_of(a, 1);
  id_of(b, 2);
  id_of(c, 3);
  rc_inv_submit(f->inv, node(f, "fe1"), a, d, 61 * S, true, 1 * S);
  rc_inv_submit(f->inv, node(f, "fe2"), b, d, 62 * S, true, 2 * S);
  rc_inv_submit(f->inv, node(f, "fe3"), c, d, 63 * S, false, 3 * S);
  rc_inv_answer(f->inv, node(f, "fe1"), a, false, false, 10 * S);
  rc_inv_tick(f->inv, 62 * S);  /* b due at 62 s + grace: not yet */
  assert_int_equal(f->rec.failures_total, 0);
  rc_inv_tick(f->inv, 63 * S);
  assert_int_equal(f->rec.failures_total, 1); /* b; c is the attacker's */
  assert_string_equal(f->rec.failures[0].invariant, "deadline");
  /* a reply after the deadline is late too */
  uint8_t e[16];
  id_of(e, 4);
  rc_inv_submit(f->inv, node(f, "fe1"), e, d, 70 * S, true, 10 * S);
  rc_inv_answer(f->inv, node(f, "fe1"), e, false, false, 71 * S);
  assert_int_equal(f->rec.failures_total, 2);
}

static void test_lost_only_with_a_path(void **state) {
  struct fx *f = *state;
  uint8_t a[16], b[16], d[32] = {0};
  id_of(a, 1);
  id_of(b, 2);
  /* fe1 expires with both its cables cut: no path, no failure */
  rc_inv_cable_usable(f->inv, cable(f, "fe1", "im1"), false, 1 * S);
  rc_inv_cable_usable(f->inv, cable(f, "fe1", "im2"), false, 1 * S);
  rc_inv_submit(f->inv, node(f, "fe1"), a, d, 70 * S, true, 10 * S);
  assert_false(rc_inv_path_exists(f->inv, node(f, "fe1"), UINT64_MAX));
  rc_inv_expired(f->inv, node(f, "fe1"), a, 70 * S);
  assert_int_equal(f->rec.failures_total, 0);
  /* fe2 has im2 intact the whole time: expiry means the relays lost it */
  rc_inv_node_usable(f->inv, node(f, "im1"), false, 30 * S);
  rc_inv_submit(f->inv, node(f, "fe2"), b, d, 100 * S, true, 40 * S);
  rc_inv_expired(f->inv, node(f, "fe2"), b, 100 * S);
  assert_int_equal(f->rec.failures_total, 1);
  assert_string_equal(f->rec.failures[0].invariant, "lost");
}

static void test_lost_waits_for_healing(void **state) {
  struct fx *f = *state;
  uint8_t a[16], d[32] = {0};
  id_of(a, 1);
  rc_inv_node_usable(f->inv, node(f, "im2"), false, 1 * S);
  rc_inv_cable_usable(f->inv, cable(f, "fe1", "im1"), false, 1 * S);
  rc_inv_cable_usable(f->inv, cable(f, "fe1", "im1"), true, 30 * S);
  /* submitted 5 s after the repair: heal_ns (20 s) had not passed */
  rc_inv_submit(f->inv, node(f, "fe1"), a, d, 95 * S, true, 35 * S);
  rc_inv_expired(f->inv, node(f, "fe1"), a, 95 * S);
  assert_int_equal(f->rec.failures_total, 0);
  assert_true(rc_inv_path_exists(f->inv, node(f, "fe1"), 50 * S));
  assert_false(rc_inv_path_exists(f->inv, node(f, "fe1"), 15 * S));
}

static void test_trips(void **state) {
  struct fx *f = *state;
  /* a violation injected toward im1 must trip im1 in time */
  rc_inv_inject(f->inv, node(f, "im1"), (int)cable(f, "fe1", "im1"), 5 * S,
                "a forged frame", 10 * S);
  rc_inv_trip(f->inv, node(f, "im1"), "link-violation", true, false, 11 * S);
  rc_inv_tick(f->inv, 20 * S);
  assert_int_equal(f->rec.failures_total, 0);
  /* an honest node tripping without attacker traffic */
  rc_inv_trip(f->inv, node(f, "fe2"), "wrong-seq", true, false, 21 * S);
  assert_int_equal(f->rec.failures_total, 1);
  /* an injection that never trips its target */
  rc_inv_inject(f->inv, node(f, "im2"), (int)cable(f, "fe3", "im2"), 5 * S,
                "a replayed frame", 30 * S);
  rc_inv_tick(f->inv, 36 * S);
  assert_int_equal(f->rec.failures_total, 2);
  assert_non_null(strstr(f->rec.failures[1].text,
                         "im2 received a replayed frame"));
  /* excused when the cable broke meanwhile */
  rc_inv_inject(f->inv, node(f, "im2"), (int)cable(f, "fe4", "im2"), 5 * S,
                "a forged frame", 40 * S);
  rc_inv_cable_usable(f->inv, cable(f, "fe4", "im2"), false, 41 * S);
  /* ... or when the link reset before the lie got through: its send queue
   * went with it (sweep seed 6867: a stalled link after a short cut) */
  rc_inv_inject(f->inv, node(f, "im1"), (int)cable(f, "fe2", "im1"), 5 * S,
                "a token out of turn", 42 * S);
  rc_inv_link_down(f->inv, (int)cable(f, "fe2", "im1"), 43 * S);
  rc_inv_finish(f->inv, 50 * S);
  assert_int_equal(f->rec.failures_total, 2);
  /* a lie inside a request (link -1) reaches a target that was down when
   * it was sent, once the target is back: it is still expected to trip */
  uint32_t root = node(f, "root");
  rc_inv_node_usable(f->inv, root, false, 52 * S);
  rc_inv_inject(f->inv, root, -1, 60 * S, "a CSR failing policy", 53 * S);
  rc_inv_node_usable(f->inv, root, true, 55 * S);
  rc_inv_trip(f->inv, root, "external", false, false, 56 * S);
  assert_int_equal(f->rec.failures_total, 2);
  /* the attacker's own node may trip for any reason */
  rc_inv_node_compromised(f->inv, node(f, "fe3"));
  rc_inv_trip(f->inv, node(f, "fe3"), "wrong-seq", true, false, 57 * S);
  assert_int_equal(f->rec.failures_total, 2);
}

static void test_isolation(void **state) {
  struct fx *f = *state;
  uint32_t root = node(f, "root");
  /* tripping on isolation while a ring works is a failure */
  rc_inv_trip(f->inv, root, "isolation", false, true, 10 * S);
  assert_int_equal(f->rec.failures_total, 1);
  /* both up-links cut at 60 s: an isolation trip at 120 s is right */
  rc_inv_cable_usable(f->inv, cable(f, "im1", "root"), false, 60 * S);
  rc_inv_trip(f->inv, root, "isolation", false, true, 70 * S);
  assert_int_equal(f->rec.failures_total, 2);  /* up2 still worked */
  rc_inv_cable_usable(f->inv, cable(f, "im2", "root"), false, 60 * S);
  rc_inv_trip(f->inv, root, "isolation", false, true, 75 * S);
  assert_int_equal(f->rec.failures_total, 3);  /* cut off only 15 s */
  rc_inv_trip(f->inv, root, "isolation", false, true, 120 * S);
  assert_int_equal(f->rec.failures_total, 3);
}

static void test_token_order(void **state) {
  struct fx *f = *state;
  uint32_t r = (uint32_t)rc_topology_find_ring(&f->t, "hub1");
  rc_inv_token(f->inv, r, node(f, "fe1"), 0, 1, 1 * S);
  rc_inv_token(f->inv, r, node(f, "im1"), 0, 2, 1 * S);
  rc_inv_token(f->inv, r, node(f, "fe2"), 0, 3, 1 * S);
  rc_inv_token(f->inv, r, node(f, "fe1"), 1, 1, 2 * S);  /* new epoch */
  /* fe4, just bypassed, still takes the old epoch's last token: allowed,
   * it is that epoch's one token, and fe4 has seen nothing newer. */
  rc_inv_token(f->inv, r, node(f, "fe4"), 0, 4, 2 * S);
  assert_int_equal(f->rec.failures_total, 0);
  /* Two tokens in one epoch, whoever accepts them. */
  rc_inv_token(f->inv, r, node(f, "fe3"), 1, 1, 3 * S);
  assert_int_equal(f->rec.failures_total, 1);
  assert_non_null(strstr(f->rec.failures[0].text, "two tokens in one epoch"));
  /* A node going back to an epoch it has left (and past that epoch's
   * token: orphaned or not, it cannot come back to fe1 after (1, 1)). */
  rc_inv_token(f->inv, r, node(f, "fe1"), 0, 5, 4 * S);
  assert_int_equal(f->rec.failures_total, 2);
  assert_string_equal(f->rec.failures[1].invariant, "token-order");
  assert_non_null(strstr(f->rec.failures[1].text, "fe1 accepted token"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_forged_issue, setup, teardown),
      cmocka_unit_test_setup_teardown(test_deadline, setup, teardown),
      cmocka_unit_test_setup_teardown(test_lost_only_with_a_path, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_lost_waits_for_healing, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_trips, setup, teardown),
      cmocka_unit_test_setup_teardown(test_isolation, setup, teardown),
      cmocka_unit_test_setup_teardown(test_token_order, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
