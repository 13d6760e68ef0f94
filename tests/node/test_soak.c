/* Soak: an idle canonical mesh for two hours of virtual time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mesh.h"
#include "ringca/error.h"

static uint64_t ring_epoch(struct mesh *m, uint32_t node, int ring) {
  struct rc_node *n = m->n[node].node;
  for (size_t i = 0; i < rc_node_ring_count(n); i++) {
    struct rc_node_ring_status st;
    rc_node_ring_status(n, i, &st);
    if (st.ring == ring)
      return st.epoch;
  }
  fail();
  return 0;
}

static uint64_t ring_last_seq(struct mesh *m, uint32_t node, int ring) {
  struct rc_node *n = m->n[node].node;
  for (size_t i = 0; i < rc_node_ring_count(n); i++) {
    struct rc_node_ring_status st;
    rc_node_ring_status(n, i, &st);
    if (st.ring == ring)
      return st.last_seq;
  }
  fail();
  return 0;
}


static void test_tokens_circulate_for_hours(void **state) {
  struct mesh *m = *state;
  /* An idle mesh at a one-second rotation pause: cheap to simulate. */
  m->topo.timeouts.rotation_pause_ms = 1000;
  mesh_start(m);
  mesh_run_until(m, 20 * SEC);
  mesh_assert_all_rings_up(m);
  uint64_t epochs[4], seqs[4];
  uint32_t masters[4] = {IM1, IM2, ROOT, ROOT};
  for (int r = 0; r < 4; r++) {
    epochs[r] = ring_epoch(m, masters[r], r);
    seqs[r] = ring_last_seq(m, masters[r], r);
  }
  unsigned downs[MESH_NODES];
  for (int i = 0; i < MESH_NODES; i++)
    downs[i] = m->n[i].ring_down;
  mesh_run_until(m, 2 * 3600 * SEC + 20 * SEC);
  assert_int_equal(mesh_tripped_count(m), 0);
  mesh_assert_all_rings_up(m);
  for (int r = 0; r < 4; r++) {
    /* Same epoch the whole time: never lost, never restarted. */
    assert_int_equal(ring_epoch(m, masters[r], r), epochs[r]);
    size_t n = m->topo.rings[r].norder;
    uint64_t hops = ring_last_seq(m, masters[r], r) - seqs[r];
    /* One rotation per ~1 s pause plus line time, for two hours. */
    assert_int_equal(hops % n, 0);
    assert_true(hops / n > 6000 && hops / n <= 7200);
    /* Every member agrees on the epoch. */
    for (size_t k = 0; k < n; k++)
      assert_int_equal(ring_epoch(m, m->topo.rings[r].order[k], r), epochs[r]);
  }
  for (int i = 0; i < MESH_NODES; i++)
    assert_int_equal(m->n[i].ring_down, downs[i]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      MESH_TEST(test_tokens_circulate_for_hours),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
