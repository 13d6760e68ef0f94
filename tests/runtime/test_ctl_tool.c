/* ringca-ctl as an operator uses it on a tripped node (no daemon running):
 * status reports the trip, clear-trip insists on the typed node name,
 * records who cleared it, and only then removes the marker. */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ringca/error.h"
#include "ringca/fileio.h"
#include "trip_record.h"

#define CTL RINGCA_BINARY_DIR "/relay/runtime/ringca-ctl"

static char dir[64];

static int run(const char *args, const char *input, char *out, size_t cap) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "printf '%s' | %s --state-dir %s %s 2>&1",
           input ? input : "", CTL, dir, args);
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  size_t n = fread(out, 1, cap - 1, p);
  out[n] = '\0';
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void write_marker(void) {
  struct rc_trip_record r;
  memset(&r, 0, sizeof r);
  strcpy(r.node, "im1");
  strcpy(r.cause, "out-of-turn");
  strcpy(r.ring, "im1-fe");
  strcpy(r.neighbour, "fe2");
  strcpy(r.detail, "token epoch 3 seq 9 from fe2 while fe1 was due");
  r.unix_ms = 1795000000000ull;
  assert_int_equal(rc_trip_marker_write(dir, &r), 0);
}

static bool marker_exists(void) {
  struct rc_trip_record r;
  return rc_trip_marker_read(dir, &r) == 0;
}

static void status_of_tripped_node(void **state) {
  (void)state;
  char out[4096];
  assert_int_equal(run("status", NULL, out, sizeof out), 1); /* no marker */
  assert_non_null(strstr(out, "no node listening"));
  write_marker();
  assert_int_equal(run("status", NULL, out, sizeof out), 3);
  assert_non_null(strstr(out, "TRIPPED"));
  assert_non_null(strstr(out, "out-of-turn"));
  assert_non_null(strstr(out, "fe2"));
  assert_non_null(strstr(out, "clear-trip"));
  for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"))
    assert_true(strlen(line) <= 80);
  assert_int_equal(run("--json status", NULL, out, sizeof out), 3);
  assert_non_null(strstr(out, "\"tripped\":true"));
  assert_non_null(strstr(out, "\"cause\":\"out-of-turn\""));
}

static void clear_trip_needs_the_name(void **state) {
  (void)state;
  char out[4096];
  assert_int_equal(run("clear-trip", "im2\\n", out, sizeof out), 3);
  assert_non_null(strstr(out, "not confirmed"));
  assert_true(marker_exists());
  assert_int_equal(run("clear-trip", "", out, sizeof out), 3);
  assert_true(marker_exists());
  assert_int_equal(run("clear-trip", "im1\\n", out, sizeof out), 0);
  assert_non_null(strstr(out, "trip cleared by"));
  assert_false(marker_exists());
  char path[128];
  snprintf(path, sizeof path, "%s/%s", dir, RC_AUDIT_LOG_NAME);
  uint8_t *buf;
  size_t len;
  assert_int_equal(rc_file_read(path, 1 << 16, &buf, &len), 0);
  assert_non_null(strstr((char *)buf, "\"event\":\"trip-cleared\""));
  assert_non_null(strstr((char *)buf, "\"cleared_by\":"));
  assert_non_null(strstr((char *)buf, "\"cause\":\"out-of-turn\""));
  free(buf);
  /* Nothing left to clear. */
  assert_int_equal(run("clear-trip", "im1\\n", out, sizeof out), 1);
  assert_non_null(strstr(out, "nothing to clear"));
  /* Scripts confirm on the command line. */
  write_marker();
  assert_int_equal(run("clear-trip --confirm im1", NULL, out, sizeof out), 0);
  assert_false(marker_exists());
}

static void usage_errors(void **state) {
  (void)state;
  char out[4096];
  assert_int_equal(run("frobnicate", NULL, out, sizeof out), 2);
  assert_int_equal(run("inject", NULL, out, sizeof out), 2);
  assert_int_equal(run("inject melt-down", NULL, out, sizeof out), 2);
  assert_non_null(strstr(out, "unknown fault"));
  assert_int_equal(system(CTL " status >/dev/null 2>&1") >> 8, 2);
  assert_int_equal(system(CTL " --help | grep -q example") >> 8, 0);
}

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/ringca-ctl.XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  return system(cmd);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(status_of_tripped_node),
      cmocka_unit_test(clear_trip_needs_the_name),
      cmocka_unit_test(usage_errors),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
