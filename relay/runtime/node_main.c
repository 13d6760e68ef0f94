/* ringca-node: one relay node (front-end, intermediate or root) of the
 * mesh, driving the sans-I/O core on a libuv loop. Start-up order matters
 * (OpenBSD privsep): read the topology and keys, refuse to start over a
 * trip marker, open the ports and the control socket, drop to the
 * configured user, check the state directory is writable as that user, run. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "node_runtime.h"
#include "ringca/error.h"
#include "ringca/fileio.h"
#include "ringca/log.h"
#include "ringca/nodekeys.h"
#include "ringca/policy.h"
#include "ringca/topoyaml.h"
#include "trip_record.h"

extern char **environ;

static void usage(FILE *f) {
  fprintf(f,
"usage: ringca-node --topology FILE --node NAME [--key FILE]\n"
"                   [--state-dir DIR] [--spool DIR] [--profiles FILE]\n"
"                   [--user USER] [--verbose]\n"
"\n"
"  --topology FILE  the mesh (YAML, the same file on every node)\n"
"  --node NAME      which node of the topology this process is\n"
"  --key FILE       the node's key file (default: its key_file)\n"
"  --state-dir DIR  control socket, trip marker, audit log (default: the\n"
"                   node's state_dir)\n"
"  --spool DIR      root only: the signer's spool (default: spool_dir)\n"
"  --profiles FILE  front-end only: the signer's profiles, for intake\n"
"                   (default: the built-in server and client profiles)\n"
"  --user USER      drop to USER after opening ports (default: the node's\n"
"                   user; \"-\" keeps the current user)\n"
"\n"
"example:\n"
"  ringca-node --topology /etc/ringca/mesh.yaml --node im1\n"
"\n"
"signals: SIGTERM/SIGINT stop cleanly; SIGHUP re-reads nothing (logged).\n"
"exit status: 0 stopped by a signal; 1 runtime error; 2 usage or\n"
"configuration error; 3 tripped (marker and audit record written);\n"
"4 refused to start: a trip marker exists (ringca-ctl clear-trip)\n");
}

struct opts {
  const char *topology, *node, *key, *state_dir, *spool, *profiles, *user;
  int verbose;
};

static int parse(int argc, char **argv, struct opts *o) {
  static const struct option longopts[] = {
      {"topology", required_argument, NULL, 't'},
      {"node", required_argument, NULL, 'n'},
      {"key", required_argument, NULL, 'k'},
      {"state-dir", required_argument, NULL, 'd'},
      {"spool", required_argument, NULL, 's'},
      {"profiles", required_argument, NULL, 'p'},
      {"user", required_argument, NULL, 'u'},
      {"verbose", no_argument, NULL, 'v'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
    switch (c) {
    case 't': o->topology = optarg; break;
    case 'n': o->node = optarg; break;
    case 'k': o->key = optarg; break;
    case 'd': o->state_dir = optarg; break;
    case 's': o->spool = optarg; break;
    case 'p': o->profiles = optarg; break;
    case 'u': o->user = optarg; break;
    case 'v': o->verbose = 1; break;
    case 'h': usage(stdout); exit(RC_NODE_EXIT_OK);
    default: return -1;
    }
  }
  if (optind != argc || !o->topology || !o->node) {
    usage(stderr);
    return -1;
  }
  return 0;
}

static void report(void *ctx, struct rc_src_pos pos, const char *msg) {
  const char *file = ctx;
  fprintf(stderr, "%s:%u:%u: %s\n", file, pos.line, pos.col, msg);
}

/* The trip action runs after every port and socket is closed, as the
 * unprivileged user, with the trip in its environment. */
static void run_trip_command(const struct rc_topology *t, const char *node,
                             const char *state_dir) {
  const char *cmd = t->policy.trip_command;
  if (!cmd[0])
    return;
  struct rc_trip_record r;
  rc_trip_marker_read(state_dir, &r);
  setenv("RINGCA_NODE", node, 1);
  setenv("RINGCA_STATE_DIR", state_dir, 1);
  setenv("RINGCA_TRIP_CAUSE", r.cause, 1);
  setenv("RINGCA_TRIP_DETAIL", r.detail, 1);
  char *argv[] = {(char *)"/bin/sh", (char *)"-c", (char *)cmd, NULL};
  pid_t pid;
  int rc = posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ);
  if (rc != 0) {
    rc_log_crit("trip command %s: cannot start: %s", cmd, strerror(rc));
    return;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    rc_log_crit("trip command %s: done", cmd);
  else
    rc_log_crit("trip command %s: failed (status %d)", cmd,
                WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static int refuse_if_tripped(const char *state_dir) {
  struct rc_trip_record r;
  int rc = rc_trip_marker_read(state_dir, &r);
  if (rc == RC_ENOTFOUND)
    return 0;
  if (rc == 0)
    rc_log_crit("refusing to start: trip marker %s/%s says this node "
                "tripped at %s: %s: %s. Read %s/%s, then run ringca-ctl "
                "--state-dir %s clear-trip",
                state_dir, RC_TRIP_MARKER_NAME, r.time, r.cause, r.detail,
                state_dir, RC_AUDIT_LOG_NAME, state_dir);
  else
    rc_log_crit("refusing to start: trip marker %s/%s exists but cannot be "
                "read (%s); inspect it, then run ringca-ctl --state-dir %s "
                "clear-trip",
                state_dir, RC_TRIP_MARKER_NAME,
                rc < 0 && rc > -4096 ? strerror(-rc) : rc_strerror(rc),
                state_dir);
  return RC_NODE_EXIT_MARKER;
}

static int drop_privileges(struct rc_runtime *rt, const char *user) {
  char err[256];
  uid_t uid;
  gid_t gid;
  if (rc_privdrop_lookup(user, &uid, &gid, err, sizeof err) != 0) {
    rc_log_warnx("%s", err);
    return RC_NODE_EXIT_USAGE;
  }
  /* The socket was made by root: hand it to the user who will serve it
   * (ringca-ctl run as that user must be able to connect). */
  if (geteuid() == 0 && chown(rt->ctl_path, uid, gid) != 0) {
    rc_log_warn("%s: chown to %s", rt->ctl_path, user);
    return RC_NODE_EXIT_ERROR;
  }
  if (rc_privdrop(user, err, sizeof err) != 0) {
    rc_log_warnx("%s", err);
    return RC_NODE_EXIT_ERROR;
  }
  rc_log_info("running as user %s", user);
  return 0;
}

/* Everything read before the ports open: the topology, which node we are,
 * where our state lives, the intake profiles. 0 or an exit status. */
struct setup {
  struct rc_topology topo;
  struct rc_policy policy;
  const struct rc_topo_node *me;
  uint32_t self;
  const char *state_dir, *key, *user;
};

static int load_setup(const struct opts *o, struct setup *s) {
  if (rc_topology_load(&s->topo, NULL, o->topology, report,
                       (void *)o->topology) != 0) {
    rc_log_warnx("%s: not a usable topology (problems above)", o->topology);
    return RC_NODE_EXIT_USAGE;
  }
  int self = rc_topology_find_node(&s->topo, o->node);
  if (self < 0) {
    rc_log_warnx("%s: no node named %s", o->topology, o->node);
    return RC_NODE_EXIT_USAGE;
  }
  s->self = (uint32_t)self;
  s->me = &s->topo.nodes[self];
  s->state_dir = o->state_dir ? o->state_dir : s->me->state_dir;
  s->key = o->key ? o->key : s->me->key_file;
  s->user = o->user ? o->user : s->me->user;
  if (!s->state_dir[0] || !s->key[0]) {
    rc_log_warnx("node %s: no %s (topology or --%s)", s->me->name,
                 !s->state_dir[0] ? "state_dir" : "key_file",
                 !s->state_dir[0] ? "state-dir" : "key");
    return RC_NODE_EXIT_USAGE;
  }
  int rc = rc_mkdir_p(s->state_dir, 0700);
  if (rc) {
    rc_log_warnx("state directory %s: %s", s->state_dir, strerror(-rc));
    return RC_NODE_EXIT_ERROR;
  }
  if ((rc = refuse_if_tripped(s->state_dir)) != 0)
    return rc;
  char err[512];
  if (!o->profiles)
    rc_policy_default(&s->policy);
  else if (rc_policy_load(o->profiles, &s->policy, err, sizeof err) != 0) {
    rc_log_warnx("%s", err);
    return RC_NODE_EXIT_USAGE;
  }
  return 0;
}

/* Keys are read last and wiped as soon as the core has its copy. */
static int start_runtime(const struct opts *o, struct setup *s,
                         struct rc_runtime *rt) {
  struct rc_node_keys keys;
  int rc = rc_node_keys_load(s->key, &keys);
  if (rc) {
    rc_log_warnx("key file %s: %s", s->key, rc_node_keys_strerror(rc));
    return RC_NODE_EXIT_USAGE;
  }
  struct rc_runtime_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.topo = &s->topo;
  cfg.policy = &s->policy;
  cfg.self = s->self;
  cfg.state_dir = s->state_dir;
  cfg.spool_dir = o->spool;
  memcpy(cfg.link_priv, keys.link_priv, sizeof cfg.link_priv);
  memcpy(cfg.origin_priv, keys.origin_priv, sizeof cfg.origin_priv);
  rc_node_keys_wipe(&keys);
  char err[512];
  rc = rc_runtime_init(rt, &cfg, err, sizeof err);
  OPENSSL_cleanse(&cfg, sizeof cfg);
  if (rc) {
    rc_log_warnx("node %s: %s", s->me->name, err);
    return rc == RC_EINVAL || rc == RC_ENOTFOUND ? RC_NODE_EXIT_USAGE
                                                 : RC_NODE_EXIT_ERROR;
  }
  const char *user = s->user;
  if (!user[0] && geteuid() == 0)
    rc_log_warnx("running as root: name a user in the topology (user:) or "
                 "with --user; --user - keeps the current user silently");
  if (user[0] && strcmp(user, "-") != 0 &&
      (rc = drop_privileges(rt, user)) != 0)
    return rc;
  /* Fail now, not at trip time, if the trip could not be recorded. */
  const char *kv[] = {"node", s->me->name, "version", RINGCA_VERSION};
  if ((rc = rc_node_audit_append(s->state_dir, "start", kv, 2)) != 0) {
    rc_log_warnx("%s/%s: cannot append: %s (the state directory must be "
                 "writable by the node's user)",
                 s->state_dir, RC_AUDIT_LOG_NAME, strerror(-rc));
    return RC_NODE_EXIT_ERROR;
  }
  return 0;
}

int main(int argc, char **argv) {
  struct opts o = {0};
  if (parse(argc, argv, &o))
    return RC_NODE_EXIT_USAGE;
  rc_log_init("ringca-node", o.verbose);
  signal(SIGPIPE, SIG_IGN);

  static struct setup s;
  static struct rc_runtime rt;
  int status = load_setup(&o, &s);
  if (status == 0 && (status = start_runtime(&o, &s, &rt)) == 0) {
    status = rc_runtime_run(&rt);
    rc_runtime_close(&rt);
    if (status == RC_NODE_EXIT_TRIPPED)
      run_trip_command(&s.topo, s.me->name, s.state_dir);
    else
      rc_log_info("stopped");
  } else {
    rc_runtime_close(&rt);
  }
  rc_topology_free(&s.topo);
  return status;
}
