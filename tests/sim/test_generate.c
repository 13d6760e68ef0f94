/* Sweep scenarios: a pure function of the seed, valid, repaired in time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "generate.h"

static void small(struct rc_topology *t) {
  rc_topology_init(t);
  rc_topology_add_node(t, "fe1", RC_ROLE_FRONTEND);
  rc_topology_add_node(t, "im1", RC_ROLE_INTERMEDIATE);
  rc_topology_add_node(t, "root", RC_ROLE_ROOT);
  rc_topology_add_port(t, 0, "a", "/dev/a", 115200);
  rc_topology_add_port(t, 1, "a", "/dev/a", 115200);
  rc_topology_add_port(t, 1, "b", "/dev/b", 115200);
  rc_topology_add_port(t, 2, "a", "/dev/a", 115200);
  assert_true(rc_topology_add_link(t, "fe1", "a", "im1", "a") >= 0);
  assert_true(rc_topology_add_link(t, "im1", "b", "root", "a") >= 0);
}

static void test_generate(void **state) {
  (void)state;
  struct rc_topology t;
  small(&t);
  size_t with_faults = 0;
  for (uint64_t seed = 0; seed < 300; seed++) {
    struct rc_scenario a, b, c;
    assert_int_equal(rc_generate_scenario(&t, seed, 120000, seed & 1, &a), 0);
    assert_int_equal(rc_generate_scenario(&t, seed, 120000, seed & 1, &b), 0);
    char *ya, *yb;
    size_t la, lb;
    assert_int_equal(rc_scenario_write_yaml(&a, &ya, &la), 0);
    assert_int_equal(rc_scenario_write_yaml(&b, &yb, &lb), 0);
    assert_int_equal(la, lb);
    assert_memory_equal(ya, yb, la);
    char err[256];
    if (rc_scenario_parse("gen", (const uint8_t *)ya, la, &c, err,
                          sizeof err) != 0) {
      print_error("seed %llu: %s\n%s", (unsigned long long)seed, err, ya);
      fail();
    }
    assert_int_equal(c.nsteps, a.nsteps);
    with_faults += a.nsteps > 1;
    for (size_t i = 0; i < a.nsteps; i++) {
      assert_true(a.steps[i].at_ms <= 72000);  /* healed by 60% */
      if (i)
        assert_true(a.steps[i].at_ms >= a.steps[i - 1].at_ms);
    }
    free(ya);
    free(yb);
    rc_scenario_free(&a);
    rc_scenario_free(&b);
    rc_scenario_free(&c);
  }
  assert_true(with_faults > 150);
  rc_topology_free(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_generate)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
