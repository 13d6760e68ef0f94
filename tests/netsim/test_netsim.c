/* The in-memory serial line: timing, noise, cuts, determinism. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ringca/netsim.h"

static void test_line_rate_and_latency(void **state) {
  (void)state;
  struct rc_netsim *sim = rc_netsim_new(1);
  struct rc_netsim_line_config cfg = {115200, 2000000, 0.0};
  int l = rc_netsim_add_line(sim, &cfg);
  assert_int_equal(l, 0);
  uint8_t msg[1152];
  memset(msg, 0xA5, sizeof msg);
  assert_int_equal(rc_netsim_write(sim, l, 0, msg, sizeof msg), 0);
  /* 1152 bytes x 10 bits at 115200 baud = 100 ms, plus 2 ms latency. */
  uint64_t byte_ns = 10ull * 1000000000ull / 115200;
  assert_int_equal(rc_netsim_next_arrival(sim), byte_ns + 2000000);
  assert_int_equal(rc_netsim_tx_idle_at(sim, l, 0), 1152 * byte_ns);
  assert_int_equal(rc_netsim_next_write_end(sim), 1152 * byte_ns + 2000000);
  uint8_t out[2048];
  assert_int_equal(rc_netsim_read(sim, l, 1, out, sizeof out), 0);
  rc_netsim_advance(sim, 2000000 + 10 * byte_ns);
  assert_int_equal(rc_netsim_read(sim, l, 1, out, sizeof out), 10);
  assert_int_equal(rc_netsim_read(sim, l, 0, out, sizeof out), 0);
  rc_netsim_advance(sim, 2000000 + 1152 * byte_ns);
  assert_int_equal(rc_netsim_read(sim, l, 1, out, sizeof out), 1142);
  assert_int_equal(rc_netsim_next_arrival(sim), UINT64_MAX);
  /* Back-to-back writes queue behind each other. */
  rc_netsim_write(sim, l, 1, msg, 10);
  rc_netsim_write(sim, l, 1, msg, 10);
  assert_int_equal(rc_netsim_next_write_end(sim),
                   rc_netsim_now(sim) + 10 * byte_ns + 2000000);
  assert_int_equal(rc_netsim_tx_idle_at(sim, l, 1),
                   rc_netsim_now(sim) + 20 * byte_ns);
  rc_netsim_free(sim);
}

static uint64_t noisy_run(uint64_t seed, uint8_t *out, size_t n) {
  struct rc_netsim *sim = rc_netsim_new(seed);
  struct rc_netsim_line_config cfg = {9600, 0, 1e-3};
  int l = rc_netsim_add_line(sim, &cfg);
  uint8_t zeros[4096] = {0};
  rc_netsim_write(sim, l, 0, zeros, n);
  rc_netsim_advance(sim, UINT64_MAX / 2);
  assert_int_equal(rc_netsim_read(sim, l, 1, out, n), n);
  struct rc_netsim_line_stats st;
  rc_netsim_line_stats(sim, l, &st);
  rc_netsim_free(sim);
  uint64_t ones = 0;
  for (size_t i = 0; i < n; i++)
    ones += (uint64_t)__builtin_popcount(out[i]);
  assert_int_equal(ones, st.bits_flipped);
  return ones;
}

static void test_noise_is_seeded_and_near_rate(void **state) {
  (void)state;
  uint8_t a[4096], b[4096], c[4096];
  uint64_t flips = noisy_run(7, a, sizeof a);
  /* 32768 bits at 1e-3: about 33 flips. */
  assert_true(flips > 10 && flips < 70);
  noisy_run(7, b, sizeof b);
  assert_memory_equal(a, b, sizeof a);
  noisy_run(8, c, sizeof c);
  assert_memory_not_equal(a, c, sizeof a);
}

static void test_cut_loses_in_flight(void **state) {
  (void)state;
  struct rc_netsim *sim = rc_netsim_new(3);
  struct rc_netsim_line_config cfg = {1000, 0, 0.0}; /* 10 ms per byte */
  int l = rc_netsim_add_line(sim, &cfg);
  uint8_t msg[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, out[16];
  rc_netsim_write(sim, l, 0, msg, sizeof msg);
  rc_netsim_advance(sim, 35000000); /* three bytes arrived */
  rc_netsim_cut(sim, l, true);
  assert_true(rc_netsim_is_cut(sim, l));
  rc_netsim_write(sim, l, 1, msg, 4);
  rc_netsim_advance(sim, 1000000000);
  assert_int_equal(rc_netsim_read(sim, l, 1, out, sizeof out), 3);
  assert_int_equal(rc_netsim_read(sim, l, 0, out, sizeof out), 0);
  struct rc_netsim_line_stats st;
  rc_netsim_line_stats(sim, l, &st);
  assert_int_equal(st.bytes_lost, 7 + 4);
  rc_netsim_cut(sim, l, false);
  rc_netsim_write(sim, l, 1, msg, 2);
  rc_netsim_advance(sim, 2000000000);
  assert_int_equal(rc_netsim_read(sim, l, 0, out, sizeof out), 2);
  rc_netsim_free(sim);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_line_rate_and_latency),
      cmocka_unit_test(test_noise_is_seeded_and_near_rate),
      cmocka_unit_test(test_cut_loses_in_flight),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
