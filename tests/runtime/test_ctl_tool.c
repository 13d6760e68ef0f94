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
#include <sys/stat.h>
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

/* Operators keep state wherever their site puts it: a long state directory
 * must neither push the report past 80 columns nor break the command it
 * suggests, which the operator pastes into a shell as printed. */
static void long_state_dir_keeps_80_columns(void **state) {
  (void)state;
  char longdir[160], cmd[512], out[4096];
  snprintf(longdir, sizeof longdir,
           "%s/var-lib-ringca-intermediate-node-number-one", dir);
  assert_true(strlen(longdir) > 60);
  assert_int_equal(mkdir(longdir, 0700), 0);

  struct rc_trip_record r;
  memset(&r, 0, sizeof r);
  strcpy(r.node, "im1");
  strcpy(r.cause, "second-token");
  r.unix_ms = 1795000000000ull;
  assert_int_equal(rc_trip_marker_write(longdir, &r), 0);

  snprintf(cmd, sizeof cmd, "%s --state-dir %s status 2>&1", CTL, longdir);
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  size_t n = fread(out, 1, sizeof out - 1, p);
  out[n] = '\0';
  assert_int_equal(WEXITSTATUS(pclose(p)), 3);
  char *suggested = strstr(out, "  ringca-ctl ");
  assert_non_null(suggested);
  char *copy = strdup(out);
  for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n"))
    assert_true(strlen(line) <= 80);
  free(copy);

  /* Paste the suggestion into a shell, confirming on the command line. */
  char script[1024];
  snprintf(script, sizeof script, "PATH=%s/relay/runtime:$PATH\n%s",
           RINGCA_BINARY_DIR, suggested);
  char *end = script + strlen(script);
  while (end > script && end[-1] == '\n')
    *--end = '\0';
  strncat(script, " --confirm im1 >/dev/null\n",
          sizeof script - strlen(script) - 1);
  FILE *sh = popen("sh", "w");
  assert_non_null(sh);
  fputs(script, sh);
  assert_int_equal(WEXITSTATUS(pclose(sh)), 0);
  assert_int_not_equal(rc_trip_marker_read(longdir, &r), 0);
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
      cmocka_unit_test(long_state_dir_keeps_80_columns),
      cmocka_unit_test(usage_errors),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
