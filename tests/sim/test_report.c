/* Reports from a hand-made run record: content, escaping, determinism. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "expect.h"
#include "record.h"
#include "report.h"
#include "ringca/error.h"

#define S 1000000000ull

static char *render(void (*fn)(const struct rc_record *, FILE *),
                    const struct rc_record *r) {
  char *buf;
  size_t len;
  FILE *f = open_memstream(&buf, &len);
  assert_non_null(f);
  fn(r, f);
  assert_int_equal(fclose(f), 0);
  return buf;
}

static void test_reports(void **state) {
  (void)state;
  struct rc_topology t;
  rc_topology_init(&t);
  assert_true(rc_topology_add_node(&t, "fe1", RC_ROLE_FRONTEND) == 0);
  assert_true(rc_topology_add_node(&t, "im1", RC_ROLE_INTERMEDIATE) == 1);
  struct rc_record r;
  assert_int_equal(rc_record_init(&r, &t), 0);
  snprintf(r.scenario, sizeof r.scenario, "demo");
  snprintf(r.topology_file, sizeof r.topology_file, "topo.yaml");
  snprintf(r.scenario_file, sizeof r.scenario_file, "s.yaml");
  r.seed = 42;
  r.end_ns = 100 * S;
  rc_record_event(&r, 10 * S, RC_REC_STEP, -1, -1, -1, "compromise fe1");
  rc_record_event(&r, 11 * S, RC_REC_TRIP, 1, 0, -1, "link-violation <auth>");
  rc_record_event(&r, 12 * S, RC_REC_ISSUED, 0, -1, -1, "cert for fe1");
  r.trips[1].tripped = true;
  r.trips[1].t_ns = 11 * S;
  snprintf(r.trips[1].cause, sizeof r.trips[1].cause, "link-violation");
  snprintf(r.trips[1].detail, sizeof r.trips[1].detail, "a \"quoted\" | x");
  r.fe[0].submitted = 10;
  r.fe[0].issued = 9;
  r.fe[0].submitted_during_faults = 4;
  r.fe[0].issued_during_faults = 3;
  char *md = render(rc_report_markdown, &r);
  assert_non_null(strstr(md, "## Verdict: PASS"));
  assert_non_null(strstr(md, "--seed 42"));
  assert_non_null(strstr(md, "| im1 | intermediate | 11.000000s | "
                             "link-violation | a \"quoted\" \\| x |"));
  assert_non_null(strstr(md, "| fe1 | 10 | 9 | 0 | 0 | 75.0% of 4 |"));
  assert_null(strstr(md, "cert for fe1"));  /* counted, not listed */
  rc_record_failure(&r, 20 * S, "lost", "request 00 of fe1 expired");
  char *md2 = render(rc_report_markdown, &r);
  assert_non_null(strstr(md2, "## Verdict: FAIL"));
  assert_non_null(strstr(md2, "**lost** at 20.000000s"));
  char *js = render(rc_report_json, &r);
  assert_non_null(strstr(js, "\"pass\": false"));
  assert_non_null(strstr(js, "\"detail\": \"a \\\"quoted\\\" | x\""));
  char *svg = render(rc_report_svg, &r);
  assert_non_null(strstr(svg, "link-violation &lt;auth&gt;"));
  assert_non_null(strstr(svg, "<circle"));
  char *svg2 = render(rc_report_svg, &r);
  assert_string_equal(svg, svg2);
  char path[] = "/tmp/ringca-report-XXXXXX.txt", err[256];
  assert_int_equal(rc_report_write(&r, path, err, sizeof err), RC_EINVAL);
  free(md);
  free(md2);
  free(js);
  free(svg);
  free(svg2);
  rc_record_free(&r);
  rc_topology_free(&t);
}

static void test_expect(void **state) {
  (void)state;
  struct rc_topology t;
  rc_topology_init(&t);
  rc_topology_add_node(&t, "fe1", RC_ROLE_FRONTEND);
  rc_topology_add_node(&t, "im1", RC_ROLE_INTERMEDIATE);
  rc_topology_add_node(&t, "root", RC_ROLE_ROOT);
  const char *y = "duration: 1m\nexpect:\n  trips: {im1: link-violation, "
                  "root: any}\n  issued_min: 5\n  expired_max: 0\n";
  struct rc_scenario s;
  char err[256];
  assert_int_equal(rc_scenario_parse("e.yaml", (const uint8_t *)y, strlen(y),
                                     &s, err, sizeof err), 0);
  struct rc_record r;
  assert_int_equal(rc_record_init(&r, &t), 0);
  r.trips[1].tripped = true;
  snprintf(r.trips[1].cause, sizeof r.trips[1].cause, "wrong-seq");
  r.trips[0].tripped = true;
  snprintf(r.trips[0].cause, sizeof r.trips[0].cause, "isolation");
  r.fe[0].issued = 4;
  r.fe[0].expired = 1;
  assert_int_equal(rc_expect_check(&s, &r, err, sizeof err), 0);
  assert_int_equal(r.nexpect_failures, 5);
  assert_string_equal(r.expect_failures[0],
                      "fe1 tripped (isolation) but the scenario expects it "
                      "not to");
  assert_string_equal(r.expect_failures[1],
                      "im1 tripped on wrong-seq, expected link-violation");
  assert_string_equal(r.expect_failures[2],
                      "root should have tripped (any) and did not");
  assert_string_equal(r.expect_failures[3],
                      "certificates issued: 4, expected at least 5");
  assert_string_equal(r.expect_failures[4],
                      "requests expired: 1, expected at most 0");
  rc_scenario_free(&s);
  const char *bad = "duration: 1m\nexpect:\n  trips: {im9: any}\n";
  assert_int_equal(rc_scenario_parse("b.yaml", (const uint8_t *)bad,
                                     strlen(bad), &s, err, sizeof err), 0);
  assert_int_equal(rc_expect_check(&s, &r, err, sizeof err), -1);
  assert_string_equal(err, "b.yaml:3:11: expected trip of unknown node 'im9'");
  rc_scenario_free(&s);
  rc_record_free(&r);
  rc_topology_free(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_reports),
                                     cmocka_unit_test(test_expect)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
