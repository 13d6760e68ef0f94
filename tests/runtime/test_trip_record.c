/* Trip marker and audit log: what an operator reads after a trip. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ringca/error.h"
#include "ringca/fileio.h"
#include "trip_record.h"

static char dir[64];

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/ringca-trip.XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  return system(cmd);
}

static void marker_round_trip(void **state) {
  (void)state;
  struct rc_trip_record r, got;
  memset(&r, 0, sizeof r);
  strcpy(r.node, "im1");
  strcpy(r.cause, "out-of-turn");
  strcpy(r.ring, "hub-im1");
  strcpy(r.neighbour, "fe2");
  strcpy(r.evidence, "ab12");
  /* A detail that tries to forge a second key must stay one line. */
  strcpy(r.detail, "token from fe2\ncause=isolation");
  r.unix_ms = 1795000000123ull;
  assert_int_equal(rc_trip_marker_read(dir, &got), RC_ENOTFOUND);
  assert_int_equal(rc_trip_marker_write(dir, &r), 0);
  assert_string_equal(r.time, "2026-11-18T11:06:40.123Z");
  char path[128];
  assert_int_equal(rc_trip_marker_path(dir, path, sizeof path), 0);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  assert_int_equal(rc_trip_marker_read(dir, &got), 0);
  assert_string_equal(got.node, "im1");
  assert_string_equal(got.cause, "out-of-turn");
  assert_string_equal(got.ring, "hub-im1");
  assert_string_equal(got.neighbour, "fe2");
  assert_string_equal(got.detail, "token from fe2?cause=isolation");
  assert_int_equal(got.unix_ms, r.unix_ms);
  assert_int_equal(rc_trip_marker_remove(dir), 0);
  assert_int_equal(rc_trip_marker_read(dir, &got), RC_ENOTFOUND);
}

static void unreadable_marker_still_refuses(void **state) {
  (void)state;
  char path[128];
  assert_int_equal(rc_trip_marker_path(dir, path, sizeof path), 0);
  assert_int_equal(rc_file_write_atomic(path, "garbage\n", 8, 0600), 0);
  struct rc_trip_record got;
  assert_int_equal(rc_trip_marker_read(dir, &got), RC_EMALFORMED);
  uint8_t big[RC_TRIP_MARKER_MAX + 1];
  memset(big, 'x', sizeof big);
  assert_int_equal(rc_file_write_atomic(path, big, sizeof big, 0600), 0);
  assert_int_equal(rc_trip_marker_read(dir, &got), -EFBIG);
  assert_int_equal(rc_trip_marker_remove(dir), 0);
}

static void audit_lines_are_escaped_json(void **state) {
  (void)state;
  const char *kv[] = {"who", "alice", "note", "say \"hi\"\n\\\x01"};
  assert_int_equal(rc_node_audit_append(dir, "trip-cleared", kv, 2), 0);
  assert_int_equal(rc_node_audit_append(dir, "start", NULL, 0), 0);
  char path[128];
  snprintf(path, sizeof path, "%s/%s", dir, RC_AUDIT_LOG_NAME);
  uint8_t *buf;
  size_t len;
  assert_int_equal(rc_file_read(path, 4096, &buf, &len), 0);
  char *second = strchr((char *)buf, '\n');
  assert_non_null(second);
  *second++ = '\0';
  assert_non_null(strstr((char *)buf, "\"event\":\"trip-cleared\",\"who\":"
                                      "\"alice\",\"note\":\"say \\\"hi\\\"\\n"
                                      "\\\\\\u0001\"}"));
  assert_non_null(strstr(second, "\"event\":\"start\"}\n"));
  assert_int_equal(strncmp((char *)buf, "{\"time\":\"20", 11), 0);
  free(buf);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(marker_round_trip),
      cmocka_unit_test(unreadable_marker_still_refuses),
      cmocka_unit_test(audit_lines_are_escaped_json),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
