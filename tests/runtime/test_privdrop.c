/* Dropping root: in a child process (the drop is for good), as the node
 * does after opening its ports. Skipped when the test does not run as
 * root, since only root can switch users. */
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "node_runtime.h"
#include "ringca/error.h"

static void drops_for_good(void **state) {
  (void)state;
  if (geteuid() != 0) {
    print_message("skipping: not running as root\n");
    skip();
  }
  struct passwd *pw = getpwnam("nobody");
  if (!pw) {
    print_message("skipping: no user nobody\n");
    skip();
  }
  uid_t want = pw->pw_uid;
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    char err[256];
    if (rc_privdrop("nobody", err, sizeof err) != 0)
      _exit(10);
    if (getuid() != want || geteuid() != want)
      _exit(11);
    if (setuid(0) == 0 || seteuid(0) == 0)
      _exit(12);
    if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
      _exit(13);
    _exit(0);
  }
  int st;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  assert_true(WIFEXITED(st));
  assert_int_equal(WEXITSTATUS(st), 0);
}

static void unknown_user_and_no_privilege(void **state) {
  (void)state;
  char err[256];
  assert_int_equal(rc_privdrop("no-such-user-ringca", err, sizeof err),
                   RC_ENOTFOUND);
  assert_non_null(strstr(err, "no-such-user-ringca"));
  if (geteuid() != 0)
    return;
  /* As nobody, switching to another user must be refused by name. */
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    if (rc_privdrop("nobody", err, sizeof err) != 0)
      _exit(10);
    _exit(rc_privdrop("root", err, sizeof err) == RC_EPERM &&
                   strstr(err, "must start as root")
               ? 0
               : 11);
  }
  int st;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(drops_for_good),
      cmocka_unit_test(unknown_user_and_no_privilege),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
