/* Dropping root after the ports and the control socket are open (OpenBSD
 * privsep order): supplementary groups from the user's entry (dialout for
 * the serial ports after a reopen), then gid, then uid, then a check that
 * root cannot be regained, then no_new_privs so nothing we exec (the trip
 * command) can gain privileges either. */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <unistd.h>

#include "node_runtime.h"
#include "ringca/error.h"

int rc_privdrop_lookup(const char *user, uid_t *uid, gid_t *gid, char *err,
                       size_t errlen) {
  struct passwd *pw = getpwnam(user);
  if (!pw) {
    snprintf(err, errlen, "user %s: no such user", user);
    return RC_ENOTFOUND;
  }
  *uid = pw->pw_uid;
  *gid = pw->pw_gid;
  return 0;
}

int rc_privdrop(const char *user, char *err, size_t errlen) {
  uid_t uid;
  gid_t gid;
  int rc = rc_privdrop_lookup(user, &uid, &gid, err, errlen);
  if (rc)
    return rc;
  if (geteuid() != 0) {
    if (geteuid() == uid)
      return 0; /* started as that user already (a unit's User=) */
    snprintf(err, errlen, "must start as root (or as %s) to run as %s", user,
             user);
    return RC_EPERM;
  }
  if (initgroups(user, gid) != 0 || setresgid(gid, gid, gid) != 0 ||
      setresuid(uid, uid, uid) != 0) {
    snprintf(err, errlen, "cannot switch to user %s: %s", user,
             strerror(errno));
    return RC_EPERM;
  }
  if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
    snprintf(err, errlen, "switched to %s but could regain root", user);
    return RC_EPERM;
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    snprintf(err, errlen, "cannot set no_new_privs: %s", strerror(errno));
    return RC_EPERM;
  }
  return 0;
}
