/* The world's event index against a plain array under random updates: the
 * minimum and the due set (in id order) must always agree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "ringca/rng.h"
#include "wheap.h"

#define IDS 97

static void test_matches_a_scan(void **state) {
  (void)state;
  struct wheap h;
  assert_int_equal(wheap_init(&h, IDS), 0);
  uint64_t ref[IDS];
  for (size_t i = 0; i < IDS; i++)
    ref[i] = UINT64_MAX;
  struct rc_prng p;
  rc_prng_seed(&p, 7);
  uint32_t due[IDS];
  for (int step = 0; step < 200000; step++) {
    uint32_t id = (uint32_t)rc_prng_below(&p, IDS);
    /* Few distinct times, so ties and removals are common. */
    uint64_t k = rc_prng_below(&p, 5) == 0 ? UINT64_MAX : rc_prng_below(&p, 50);
    wheap_set(&h, id, k);
    ref[id] = k;
    uint64_t min = UINT64_MAX;
    for (size_t i = 0; i < IDS; i++)
      if (ref[i] < min)
        min = ref[i];
    assert_true(wheap_min(&h) == min);
    if (step % 97 == 0) {
      uint64_t t = rc_prng_below(&p, 60);
      size_t n = wheap_due(&h, t, due), want = 0;
      for (uint32_t i = 0; i < IDS; i++)
        if (ref[i] <= t) {
          assert_true(want < n);
          assert_int_equal(due[want], i);
          want++;
        }
      assert_int_equal(n, want);
    }
  }
  wheap_free(&h);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_matches_a_scan)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
