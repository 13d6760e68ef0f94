/* The scenario library on the real core: every story holds its invariants
 * and meets its own expect: section (one ctest per story, see
 * CMakeLists.txt); a run is byte-for-byte reproducible; scenario names that
 * do not fit the topology are input errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "record.h"
#include "report.h"
#include "ringca/error.h"
#include "ringca/topoyaml.h"
#include "scenario.h"
#include "world.h"

static void load_topo(const char *rel, struct rc_topology *t, char *path,
                      size_t cap) {
  snprintf(path, cap, "%s/%s", RINGCA_SOURCE_DIR, rel);
  size_t problems = rc_topology_load(t, NULL, path, NULL, NULL);
  if (problems) {
    print_error("%s: %zu problems\n", path, problems);
    fail();
  }
}

static char *render_all(const struct rc_record *r) {
  char *buf;
  size_t len;
  FILE *f = open_memstream(&buf, &len);
  assert_non_null(f);
  rc_report_markdown(r, f);
  rc_report_json(r, f);
  rc_report_svg(r, f);
  rc_record_write_trace(r, f);
  fclose(f);
  return buf;
}

/* Runs one library scenario; returns the rendered reports (caller frees). */
static char *run_story(const char *file, uint64_t seed, bool must_pass) {
  char spath[1024], tpath[1024], err[512];
  snprintf(spath, sizeof spath, "%s/sim/scenarios/%s", RINGCA_SOURCE_DIR,
           file);
  struct rc_scenario s;
  if (rc_scenario_load(spath, &s, err, sizeof err) != 0) {
    print_error("%s\n", err);
    fail();
  }
  assert_true(s.topology[0] != '\0');
  struct rc_topology t;
  load_topo(s.topology, &t, tpath, sizeof tpath);
  struct rc_record rec;
  struct rc_world_input in = {.topo = &t, .scn = &s, .seed = seed,
                              .topology_file = s.topology,
                              .scenario_file = file};
  int rc = rc_world_run(&in, &rec, err, sizeof err);
  if (rc != 0) {
    print_error("%s: %s\n", file, err);
    fail();
  }
  char *out = render_all(&rec);
  if (must_pass && (rec.failures_total || rec.nexpect_failures)) {
    /* the whole report says what happened and how to replay it */
    print_error("%s (seed %llu) failed:\n", file, (unsigned long long)seed);
    FILE *f = stderr;
    rc_report_markdown(&rec, f);
    free(out);
    fail();
  }
  rc_record_free(&rec);
  rc_topology_free(&t);
  rc_scenario_free(&s);
  return out;
}

/* ctest runs one test per library scenario: test_sim_world NAME.yaml */
static const char *one_story;

static void test_story(void **state) {
  (void)state;
  free(run_story(one_story, 1, true));
}

static void test_reproducible(void **state) {
  (void)state;
  char *a = run_story("webserver-compromised.yaml", 7, false);
  char *b = run_story("webserver-compromised.yaml", 7, false);
  char *c = run_story("webserver-compromised.yaml", 8, false);
  assert_string_equal(a, b);
  assert_string_not_equal(a, c);
  free(a);
  free(b);
  free(c);
}

static void test_names_checked(void **state) {
  (void)state;
  static const struct {
    const char *yaml, *msg;
  } cases[] = {
      {"duration: 1m\nsteps:\n  - {at: 1s, do: crash, node: im9}\n",
       "bad.yaml:3:5: no node 'im9' in the topology"},
      {"duration: 1m\nsteps:\n  - {at: 1s, do: cut, cable: [fe1, fe2]}\n",
       "bad.yaml:3:5: no cable between fe1 and fe2 in the topology"},
      {"duration: 1m\nsteps:\n  - {at: 1s, do: compromise, node: im1, "
       "behaviour: bad-csr}\n",
       "bad.yaml:3:5: bad-csr needs a front-end; im1 is not one"},
      {"duration: 1m\nsteps:\n  - {at: 1s, do: load, rate: 1, "
       "frontends: [root]}\n",
       "bad.yaml:3:5: load names 'root', which is not a front-end"},
  };
  char tpath[1024];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct rc_topology t;
    load_topo("topology/examples/canonical.yaml", &t, tpath, sizeof tpath);
    struct rc_scenario s;
    char err[512];
    assert_int_equal(rc_scenario_parse("bad.yaml",
                                       (const uint8_t *)cases[i].yaml,
                                       strlen(cases[i].yaml), &s, err,
                                       sizeof err),
                     0);
    struct rc_record rec;
    struct rc_world_input in = {.topo = &t, .scn = &s, .seed = 1};
    assert_int_equal(rc_world_run(&in, &rec, err, sizeof err), RC_EINVAL);
    if (strncmp(err, cases[i].msg, strlen(cases[i].msg)) != 0) {
      print_error("got \"%s\"\nwanted \"%s\"\n", err, cases[i].msg);
      fail();
    }
    rc_record_free(&rec);
    rc_scenario_free(&s);
    rc_topology_free(&t);
  }
}

int main(int argc, char **argv) {
  if (argc == 2) {
    one_story = argv[1];
    const struct CMUnitTest story[] = {cmocka_unit_test(test_story)};
    return cmocka_run_group_tests(story, NULL, NULL);
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_names_checked),
      cmocka_unit_test(test_reproducible),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
