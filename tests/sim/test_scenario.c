/* Scenario parser: the format, every refusal with its position, the YAML
 * round trip sweep relies on, and every library scenario parsing. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ringca/error.h"
#include "scenario.h"

static int parse(const char *text, struct rc_scenario *s, char *err,
                 size_t errlen) {
  return rc_scenario_parse("t.yaml", (const uint8_t *)text, strlen(text), s,
                           err, errlen);
}

static const char *full =
    "name: demo\n"
    "description: two faults\n"
    "duration: 5m\n"
    "cables: {latency: 2ms, ber: 1e-7}\n"
    "steps:\n"
    "  - {at: 90s, do: crash, node: im1}\n"
    "  - {at: 0s, do: load, rate: 6, frontends: [fe1, fe2], profile: client}\n"
    "  - {at: 30s, do: noise, cable: [fe1, im1], ber: 0.001}\n"
    "  - {at: 30s, do: compromise, node: fe2, behaviour: forge, count: 3, "
    "every: 500ms}\n"
    "  - {at: 60s, do: tap, cable: [fe3, im2], behaviour: replay}\n"
    "  - at: 2m\n"
    "    do: cut\n"
    "    cable: [im1, root]\n"
    "expect:\n"
    "  trips: {im1: link-violation, im2: any}\n"
    "  issued_min: 3\n"
    "  expired_max: 0\n";

static void test_parse_full(void **state) {
  (void)state;
  struct rc_scenario s;
  char err[256];
  assert_int_equal(parse(full, &s, err, sizeof err), 0);
  assert_string_equal(s.name, "demo");
  assert_int_equal(s.duration_ms, 300000);
  assert_int_equal(s.latency_ms, 2);
  assert_true(s.ber == 1e-7);
  assert_int_equal(s.nsteps, 6);
  /* sorted by time; the two steps at 30 s keep their file order */
  assert_int_equal(s.steps[0].action, RC_SCN_LOAD);
  assert_int_equal(s.steps[0].load.rate_per_hour, 360);
  assert_false(s.steps[0].load.all);
  assert_int_equal(s.steps[0].load.nnodes, 2);
  assert_string_equal(s.steps[0].load.nodes[1], "fe2");
  assert_string_equal(s.steps[0].load.profile, "client");
  assert_int_equal(s.steps[1].action, RC_SCN_NOISE);
  assert_true(s.steps[1].ber == 0.001);
  assert_int_equal(s.steps[2].action, RC_SCN_COMPROMISE);
  assert_int_equal(s.steps[2].behaviour, RC_SCN_BEH_FORGE);
  assert_int_equal(s.steps[2].count, 3);
  assert_int_equal(s.steps[2].every_ms, 500);
  assert_false(s.steps[2].has_cable);
  assert_int_equal(s.steps[3].action, RC_SCN_TAP);
  assert_string_equal(s.steps[3].cable[1], "im2");
  assert_int_equal(s.steps[4].action, RC_SCN_CRASH);
  assert_int_equal(s.steps[5].action, RC_SCN_CUT);
  assert_int_equal(s.steps[5].pos.line, 11);
  assert_int_equal(s.steps[5].pos.col, 5);
  assert_true(s.expect.has_trips);
  assert_int_equal(s.expect.ntrips, 2);
  assert_string_equal(s.expect.trips[0].cause, "link-violation");
  assert_int_equal(s.expect.issued_min, 3);
  assert_int_equal(s.expect.expired_max, 0);
  assert_int_equal(s.expect.refused_max, UINT64_MAX);
  rc_scenario_free(&s);
}

static void test_roundtrip(void **state) {
  (void)state;
  struct rc_scenario s, t;
  char err[256];
  assert_int_equal(parse(full, &s, err, sizeof err), 0);
  char *yaml, *yaml2;
  size_t len, len2;
  assert_int_equal(rc_scenario_write_yaml(&s, &yaml, &len), 0);
  assert_int_equal(rc_scenario_parse("w.yaml", (const uint8_t *)yaml, len, &t,
                                     err, sizeof err),
                   0);
  assert_int_equal(rc_scenario_write_yaml(&t, &yaml2, &len2), 0);
  assert_int_equal(len, len2);
  assert_memory_equal(yaml, yaml2, len);
  assert_int_equal(t.nsteps, s.nsteps);
  assert_true(t.steps[1].ber == s.steps[1].ber);
  assert_true(t.ber == s.ber);
  free(yaml);
  free(yaml2);
  rc_scenario_free(&s);
  rc_scenario_free(&t);
}

static void test_durations(void **state) {
  (void)state;
  static const struct {
    const char *in;
    int rc;
    uint64_t ms;
  } cases[] = {
      {"0", 0, 0},          {"1500", 0, 1500},   {"250ms", 0, 250},
      {"3s", 0, 3000},      {"2m", 0, 120000},   {"1h", 0, 3600000},
      {"168h", 0, 604800000},
      {"169h", RC_EMALFORMED, 0},                {"", RC_EMALFORMED, 0},
      {"s", RC_EMALFORMED, 0},                   {"-1s", RC_EMALFORMED, 0},
      {"1.5s", RC_EMALFORMED, 0},                {"10 s", RC_EMALFORMED, 0},
      {"99999999999999999999999", RC_EMALFORMED, 0},
      {"3d", RC_EMALFORMED, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    uint64_t ms = 0;
    assert_int_equal(rc_scn_parse_duration(cases[i].in, &ms), cases[i].rc);
    if (cases[i].rc == 0)
      assert_int_equal(ms, cases[i].ms);
  }
}

/* Each refusal names the position and says what is wrong. */
/* A root store sees a few requests an hour: rates per hour as well as per
 * minute, written back in the unit that says it exactly. */
static void test_rate_units(void **state) {
  (void)state;
  static const struct {
    const char *rate;
    uint32_t per_hour;
    const char *written;
  } cases[] = {{"6", 360, "rate: 6,"},
               {"6/min", 360, "rate: 6,"},
               {"6/h", 6, "rate: 6/h,"},
               {"120/h", 120, "rate: 2,"},
               {"0", 0, "rate: 0,"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char yaml[160], err[256];
    snprintf(yaml, sizeof yaml,
             "duration: 1h\nsteps:\n  - {at: 0s, do: load, rate: %s, "
             "frontends: all}\n", cases[i].rate);
    struct rc_scenario sc;
    assert_int_equal(parse(yaml, &sc, err, sizeof err), 0);
    assert_int_equal(sc.steps[0].load.rate_per_hour, cases[i].per_hour);
    char *out;
    size_t len;
    assert_int_equal(rc_scenario_write_yaml(&sc, &out, &len), 0);
    if (!strstr(out, cases[i].written))
      fail_msg("rate %s written as:\n%s", cases[i].rate, out);
    free(out);
    rc_scenario_free(&sc);
  }
  static const char *const bad[][2] = {
      {"6/day", "must be requests per minute per front-end (6, 6/min) or per "
                "hour (6/h)"},
      {"/h", "must start with a whole number"},
      {"x/h", "must start with a whole number"},
      {"60001", "is too large (at most 60000 per minute"},
      {"3600001/h", "is too large"}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char yaml[160], err[256];
    snprintf(yaml, sizeof yaml,
             "duration: 1h\nsteps:\n  - {at: 0s, do: load, rate: %s}\n",
             bad[i][0]);
    struct rc_scenario sc;
    assert_int_not_equal(parse(yaml, &sc, err, sizeof err), 0);
    if (!strstr(err, bad[i][1]) || strncmp(err, "t.yaml:3:", 9) != 0)
      fail_msg("rate %s: \"%s\"", bad[i][0], err);
  }
}

static void test_errors(void **state) {
  (void)state;
  static const struct {
    const char *yaml;
    const char *msg;
  } cases[] = {
      {"", "t.yaml:0:0: empty scenario"},
      {"- a\n", "t.yaml:1:1: a scenario must be a mapping"},
      {"steps: []\n", "t.yaml:1:1: scenario has no 'duration'"},
      {"duration: 10x\n", "t.yaml:1:11: duration \"10x\" is not a duration"},
      {"duration: 0\n", "t.yaml:1:11: duration must be longer than 0"},
      {"duration: 1m\nfoo: 1\n", "t.yaml:2:1: unknown key 'foo'"},
      {"duration: 1m\nduration: 2m\n", "t.yaml:2:1: duplicate key 'duration'"},
      {"duration: 1m\nsteps: {a: 1}\n", "t.yaml:2:8: steps must be a list"},
      {"duration: 1m\nsteps:\n  - {do: cut}\n",
       "t.yaml:3:5: step has no 'at'"},
      {"duration: 1m\nsteps:\n  - {at: 2m, do: cut, cable: [a, b]}\n",
       "t.yaml:3:10: step at 120000 ms is after the end"},
      {"duration: 1m\nsteps:\n  - {at: 1s, do: explode}\n",
       "t.yaml:3:18: unknown action \"explode\""},
      {"duration: 1m\nsteps:\n  - {at: 1s, do: cut}\n",
       "t.yaml:3:5: 'cut' needs a cable"},
      {"duration: 1m\nsteps:\n  - {at: 1s, do: cut, cable: [a]}\n",
       "t.yaml:3:30: cable must name its two ends"},
      {"duration: 1m\nsteps:\n  - {at: 1s, do: cut, cable: [a, a]}\n",
       "t.yaml:3:30: cable joins 'a' to itself"},
      {"duration: 1m\nsteps:\n  - {at: 1s, do: cut, cable: [a, b], ber: 1}\n",
       "t.yaml:3:38: key 'ber' is not valid for 'cut'"},
      {"duration: 1m\nsteps:\n  - {at: 1s, do: noise, cable: [a, b], "
       "ber: 0.9}\n",
       "t.yaml:3:45: ber \"0.9\" must be a bit-error rate"},
      {"duration: 1m\nsteps:\n  - {at: 1s, do: noise, cable: [a, b]}\n",
       "t.yaml:3:5: 'noise' needs a ber"},
      {"duration: 1m\nsteps:\n  - {at: 1s, do: crash, node: \"a b\"}\n",
       "t.yaml:3:31: node \"a b\" may only hold"},
      {"duration: 1m\nsteps:\n  - {at: 1s, do: compromise, node: fe1}\n",
       "t.yaml:3:5: 'compromise' needs a behaviour"},
      {"duration: 1m\nsteps:\n  - {at: 1s, do: compromise, node: fe1, "
       "behaviour: nap}\n",
       "t.yaml:3:52: unknown behaviour \"nap\""},
      {"duration: 1m\nsteps:\n  - {at: 1s, do: tap, cable: [a, b], "
       "behaviour: wrong-epoch}\n",
       "t.yaml:3:5: a tap holds no keys"},
      {"duration: 1m\nsteps:\n  - {at: 1s, do: compromise, node: fe1, "
       "behaviour: forge, count: 0}\n",
       "t.yaml:3:66: count must be at least 1"},
      {"duration: 1m\nsteps:\n  - {at: 1s, do: load, rate: -1}\n",
       "t.yaml:3:30: rate \"-1\" must start with a whole number of requests"},
      {"duration: 1m\nsteps:\n  - {at: 1s, do: load, rate: 1, profile: x}\n",
       "t.yaml:3:5: profile \"x\" must be server or client"},
      {"duration: 1m\nsteps:\n  - {at: 1s, do: load, frontends: some}\n",
       "t.yaml:3:35: frontends must be 'all' or a list"},
      {"duration: 1m\nexpect: {trips: {im1: }}\n",
       "t.yaml:2:23: trip cause must be 1..31 characters"},
      {"duration: 1m\nexpect: {issued_min: lots}\n",
       "t.yaml:2:22: issued_min must be a whole number"},
      {"duration: 1m\nexpect: {forged: 0}\n",
       "t.yaml:2:10: unknown expectation 'forged'"},
      {"duration: 1m\nsteps: [\n", "t.yaml:3:1: did not find expected node"},
      {"duration: 1m\nname: [a]\n", "t.yaml:2:7: name must be a single value"},
  };
  size_t bad = 0;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct rc_scenario s;
    char err[256];
    int rc = parse(cases[i].yaml, &s, err, sizeof err);
    if (rc == 0 || strncmp(err, cases[i].msg, strlen(cases[i].msg)) != 0) {
      print_error("case %zu: got rc %d, \"%s\"\nwanted \"%s\"\n", i, rc, err,
                  cases[i].msg);
      bad++;
    }
  }
  assert_int_equal(bad, 0);
}

static void test_limits(void **state) {
  (void)state;
  /* One step more than the cap is refused before the steps are built. */
  size_t cap = 32 + (RC_SCN_MAX_STEPS + 1) * 40;
  char *y = malloc(cap);
  assert_non_null(y);
  size_t n = (size_t)snprintf(y, cap, "duration: 1m\nsteps:\n");
  for (unsigned i = 0; i <= RC_SCN_MAX_STEPS; i++)
    n += (size_t)snprintf(y + n, cap - n, "  - {at: 1s, do: crash, node: a}\n");
  struct rc_scenario s;
  char err[256];
  assert_int_equal(parse(y, &s, err, sizeof err), RC_ELIMIT);
  assert_non_null(strstr(err, "more than 4096 steps"));
  free(y);
  uint8_t big[16];
  memset(big, ' ', sizeof big);
  assert_int_equal(rc_scenario_parse("big", big, RC_SCN_FILE_MAX + 1u, &s, err,
                                     sizeof err),
                   RC_ETOOBIG);
}

/* Every scenario of the library parses (the world tests run them). */
static void test_library_parses(void **state) {
  (void)state;
  const char *dir = RINGCA_SOURCE_DIR "/sim/scenarios";
  DIR *d = opendir(dir);
  assert_non_null(d);
  struct dirent *e;
  size_t count = 0;
  while ((e = readdir(d)) != NULL) {
    size_t len = strlen(e->d_name);
    if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0)
      continue;
    char path[1024], err[512];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    struct rc_scenario s;
    int rc = rc_scenario_load(path, &s, err, sizeof err);
    if (rc != 0) {
      print_error("%s\n", err);
      fail();
    }
    assert_true(s.expect.has_trips);  /* every story says who trips */
    rc_scenario_free(&s);
    count++;
  }
  closedir(d);
  assert_true(count >= 7);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_full),  cmocka_unit_test(test_roundtrip),
      cmocka_unit_test(test_durations),   cmocka_unit_test(test_rate_units),
      cmocka_unit_test(test_errors),
      cmocka_unit_test(test_limits),      cmocka_unit_test(test_library_parses),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
