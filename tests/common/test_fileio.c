/* Durable and secret file helpers: what survives, what is refused. */
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

#include "ringca/fileio.h"

static char dir[64];

static int setup(void **state) {
  (void)state;
  strcpy(dir, "/tmp/ringca-fileio-XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

static void path_in(char *out, size_t cap, const char *name) {
  snprintf(out, cap, "%s/%s", dir, name);
}

static void test_atomic_write_creates_and_replaces_with_mode(void **state) {
  (void)state;
  char p[128];
  path_in(p, sizeof p, "f");
  assert_int_equal(rc_file_write_atomic(p, "one", 3, 0600), 0);
  struct stat st;
  assert_int_equal(stat(p, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  assert_int_equal(rc_file_write_atomic(p, "second", 6, 0644), 0);
  uint8_t *buf;
  size_t len;
  assert_int_equal(rc_file_read(p, 100, &buf, &len), 0);
  assert_int_equal(len, 6);
  assert_memory_equal(buf, "second", 6);
  free(buf);
  assert_int_equal(stat(p, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0644);
}

static void test_atomic_write_never_replaces_non_regular_files(void **state) {
  (void)state;
  char fifo[128], link[128], sub[128], target[128];
  path_in(fifo, sizeof fifo, "fifo");
  path_in(link, sizeof link, "link");
  path_in(sub, sizeof sub, "sub");
  path_in(target, sizeof target, "target");
  assert_int_equal(mkfifo(fifo, 0600), 0);
  assert_int_equal(rc_file_write_atomic(target, "t", 1, 0600), 0);
  assert_int_equal(symlink(target, link), 0);
  assert_int_equal(mkdir(sub, 0700), 0);
  assert_int_equal(rc_file_write_atomic(fifo, "x", 1, 0600), -EEXIST);
  assert_int_equal(rc_file_write_atomic(link, "x", 1, 0600), -EEXIST);
  assert_int_equal(rc_file_write_atomic(sub, "x", 1, 0600), -EEXIST);
  struct stat st;
  assert_int_equal(lstat(fifo, &st), 0);
  assert_true(S_ISFIFO(st.st_mode));
  assert_int_equal(lstat(link, &st), 0);
  assert_true(S_ISLNK(st.st_mode));
  /* Nothing half-written left next to them. */
  char cmd[160];
  snprintf(cmd, sizeof cmd, "ls '%s' | grep -q tmp", dir);
  assert_int_not_equal(system(cmd), 0);
}

static void test_read_limits_and_secret_modes(void **state) {
  (void)state;
  char p[128];
  path_in(p, sizeof p, "secret");
  assert_int_equal(rc_file_write_atomic(p, "0123456789", 10, 0600), 0);
  uint8_t *buf;
  size_t len;
  assert_int_equal(rc_file_read(p, 9, &buf, &len), -EFBIG);
  assert_int_equal(rc_file_read_secret(p, 10, &buf, &len), 0);
  free(buf);
  assert_int_equal(chmod(p, 0640), 0);
  assert_int_equal(rc_file_read_secret(p, 10, &buf, &len), -EPERM);
  assert_int_equal(rc_file_read(dir, 10, &buf, &len), -EINVAL);
  path_in(p, sizeof p, "missing");
  assert_int_equal(rc_file_read(p, 10, &buf, &len), -ENOENT);
}

static void test_mkdir_p(void **state) {
  (void)state;
  char p[128];
  path_in(p, sizeof p, "a/b/c");
  assert_int_equal(rc_mkdir_p(p, 0700), 0);
  assert_int_equal(rc_mkdir_p(p, 0700), 0);
  struct stat st;
  assert_int_equal(stat(p, &st), 0);
  assert_true(S_ISDIR(st.st_mode));
  assert_int_equal(rc_dir_sync(p), 0);
}

/* The spool's shared directories: under the signer unit's UMask=0027 a
 * 0770 directory came out 0750 and the node could not write into it. */
static void test_mkdir_p_mode_ignores_umask(void **state) {
  (void)state;
  char p[128];
  path_in(p, sizeof p, "shared");
  mode_t old = umask(027);
  int rc = rc_mkdir_p(p, 0770);
  umask(old);
  assert_int_equal(rc, 0);
  struct stat st;
  assert_int_equal(stat(p, &st), 0);
  assert_int_equal(st.st_mode & 07777, 0770);
  /* Under a setgid parent (the spool, 2770) the bit that gives new files
   * the shared group is kept. */
  assert_int_equal(chmod(p, 02770), 0);
  char child[160];
  snprintf(child, sizeof child, "%s/incoming", p);
  old = umask(077);
  rc = rc_mkdir_p(child, 0770);
  umask(old);
  assert_int_equal(rc, 0);
  assert_int_equal(stat(child, &st), 0);
  assert_int_equal(st.st_mode & 07777, 02770);
  /* An existing directory keeps the mode it has. */
  assert_int_equal(chmod(p, 0700), 0);
  assert_int_equal(rc_mkdir_p(p, 0770), 0);
  assert_int_equal(stat(p, &st), 0);
  assert_int_equal(st.st_mode & 07777, 0700);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_atomic_write_creates_and_replaces_with_mode, setup, teardown),
      cmocka_unit_test_setup_teardown(test_atomic_write_never_replaces_non_regular_files, setup, teardown),
      cmocka_unit_test_setup_teardown(test_read_limits_and_secret_modes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_mkdir_p, setup, teardown),
      cmocka_unit_test_setup_teardown(test_mkdir_p_mode_ignores_umask, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
