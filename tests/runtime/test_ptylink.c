/* ringca-ptylink as the lab uses it: two published ends that carry bytes
 * both ways, and a cut (SIGTERM) that removes the ends and hangs up. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "port.h"

#define PTYLINK RINGCA_BINARY_DIR "/relay/runtime/ringca-ptylink"

static char dir[64], end_a[128], end_b[128];

static pid_t start_link(const char *baud) {
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    if (baud)
      execl(PTYLINK, PTYLINK, "--baud", baud, end_a, end_b, (char *)NULL);
    else
      execl(PTYLINK, PTYLINK, end_a, end_b, (char *)NULL);
    _exit(127);
  }
  for (int i = 0; i < 500; i++) {
    if (access(end_a, F_OK) == 0 && access(end_b, F_OK) == 0)
      return pid;
    usleep(10000);
  }
  fail_msg("ringca-ptylink did not publish %s and %s", end_a, end_b);
  return -1;
}

static void transfer(struct rc_port *from, struct rc_port *to, size_t n) {
  uint8_t out[2048], in[2048];
  assert_true(n <= sizeof out);
  for (size_t i = 0; i < n; i++)
    out[i] = (uint8_t)(i * 7);
  size_t sent = 0, have = 0;
  for (int tries = 0; have < n && tries < 5000; tries++) {
    if (sent < n) {
      ssize_t w = rc_port_write(from, out + sent, n - sent);
      assert_true(w >= 0);
      sent += (size_t)w;
    }
    ssize_t r = rc_port_read(to, in + have, sizeof in - have);
    assert_true(r >= 0);
    have += (size_t)r;
    if (r == 0)
      usleep(1000);
  }
  assert_int_equal(have, n);
  assert_memory_equal(in, out, n);
}

static void carries_both_ways_then_cuts(void **state) {
  (void)state;
  pid_t pid = start_link("115200");
  struct rc_port a, b;
  char err[256];
  assert_int_equal(rc_port_open(&a, end_a, 115200, RC_PORT_AUTO, err,
                                sizeof err), 0);
  assert_int_equal(a.kind, RC_PORT_PTY);
  assert_int_equal(rc_port_open(&b, end_b, 115200, RC_PORT_AUTO, err,
                                sizeof err), 0);
  transfer(&a, &b, 1000);
  transfer(&b, &a, 1000);
  assert_int_equal(kill(pid, SIGTERM), 0);
  int status;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  assert_int_equal(access(end_a, F_OK), -1);
  assert_int_equal(access(end_b, F_OK), -1);
  assert_int_equal(rc_port_read(&a, (uint8_t[8]){0}, 8), -EIO);
  rc_port_close(&a);
  rc_port_close(&b);
}

/* A node restarting on one end must find the cable still there. */
static void survives_an_end_reopening(void **state) {
  (void)state;
  pid_t pid = start_link(NULL);
  struct rc_port a, b;
  char err[256];
  assert_int_equal(rc_port_open(&a, end_a, 9600, RC_PORT_AUTO, err,
                                sizeof err), 0);
  assert_int_equal(rc_port_open(&b, end_b, 9600, RC_PORT_AUTO, err,
                                sizeof err), 0);
  transfer(&a, &b, 100);
  rc_port_close(&b);
  usleep(20000);
  assert_int_equal(rc_port_open(&b, end_b, 9600, RC_PORT_AUTO, err,
                                sizeof err), 0);
  transfer(&a, &b, 100);
  transfer(&b, &a, 100);
  rc_port_close(&a);
  rc_port_close(&b);
  kill(pid, SIGTERM);
  waitpid(pid, NULL, 0);
}

static void usage_errors(void **state) {
  (void)state;
  char cmd[512];
  snprintf(cmd, sizeof cmd, "%s --baud fast a b 2>/dev/null", PTYLINK);
  int st = system(cmd);
  assert_int_equal(WEXITSTATUS(st), 2);
  snprintf(cmd, sizeof cmd, "%s only-one 2>/dev/null", PTYLINK);
  st = system(cmd);
  assert_int_equal(WEXITSTATUS(st), 2);
  snprintf(cmd, sizeof cmd, "%s --help | grep -q example", PTYLINK);
  st = system(cmd);
  assert_int_equal(WEXITSTATUS(st), 0);
}

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/ringca-ptylink.XXXXXX");
  if (!mkdtemp(dir))
    return -1;
  snprintf(end_a, sizeof end_a, "%s/a", dir);
  snprintf(end_b, sizeof end_b, "%s/b", dir);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  unlink(end_a);
  unlink(end_b);
  return rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(carries_both_ways_then_cuts),
      cmocka_unit_test(survives_an_end_reopening),
      cmocka_unit_test(usage_errors),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
