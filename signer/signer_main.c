/* ringca-signer: the only process that opens CA keys. It reads requests from
 * the spool, signs or refuses them, and writes replies and the audit log. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "ringca/audit.h"
#include "ringca/error.h"
#include "ringca/fileio.h"
#include "ringca/log.h"
#include "ringca/policy.h"
#include "ringca/signer.h"
#include "ringca/spool_signer.h"

enum {
  EXIT_OK = 0,
  EXIT_BAD = 1,     /* verify-log found damage, bad profiles file */
  EXIT_USAGE = 2,
  EXIT_CA = 3,      /* CA keys or passphrase */
  EXIT_IO = 4,      /* spool or audit log unusable */
};

#define DEFAULT_SPOOL "/var/spool/ringca"
#define DEFAULT_CA "/etc/ringca/ca"
#define DEFAULT_AUDIT "/var/lib/ringca-signer/audit.log"
#define WATCH_RESCAN_MS 30000
#define PASSPHRASE_MAX 1024

static void usage(FILE *f) {
  fprintf(f,
"usage: ringca-signer --once|--watch [--spool DIR] [--ca DIR]\n"
"                     [--profiles FILE] [--audit FILE] [--passphrase-file F]\n"
"       ringca-signer init-dev-ca DIR [--profiles FILE] [--passphrase-file F]\n"
"       ringca-signer verify-log FILE [--head HEADFILE]\n"
"       ringca-signer check-profiles FILE\n"
"\n"
"  --once             answer every request in the spool, then exit (timer)\n"
"  --watch            keep answering as requests arrive (inotify)\n"
"  --spool DIR        spool directory (default " DEFAULT_SPOOL ")\n"
"  --ca DIR           root.pem, PROFILE.pem, PROFILE.key (default " DEFAULT_CA ")\n"
"  --profiles FILE    profiles (YAML); default: built-in server and client\n"
"  --audit FILE       audit log (default " DEFAULT_AUDIT ")\n"
"  --passphrase-file  read the key passphrase from a 0600 file (tests, labs);\n"
"                     otherwise it is asked on the terminal or through\n"
"                     systemd-ask-password\n"
"  -v                 verbose\n"
"\n"
"example (a lab in /tmp/lab):\n"
"  ringca-signer init-dev-ca /tmp/lab/ca\n"
"  ringca-signer --once --spool /tmp/lab/spool --ca /tmp/lab/ca \\\n"
"      --audit /tmp/lab/audit.log --passphrase-file /tmp/lab/ca/passphrase\n"
"  ringca-signer verify-log /tmp/lab/audit.log\n"
"\n"
"exit status: 0 done, 1 verify-log or check-profiles found a problem,\n"
"2 usage, 3 CA keys or passphrase unusable, 4 spool or audit log unusable\n");
}

static volatile sig_atomic_t stop_flag;
static void on_signal(int sig) {
  (void)sig;
  stop_flag = 1;
}

static uint64_t wall_ms(void *ctx) {
  (void)ctx;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int load_policy(const char *file, struct rc_policy *pol) {
  char err[512];
  if (!file) {
    rc_policy_default(pol);
    return 0;
  }
  if (rc_policy_load(file, pol, err, sizeof err) != 0) {
    rc_log_warnx("%s", err);
    return -1;
  }
  return 0;
}

static int cmd_verify_log(int argc, char **argv) {
  const char *head = NULL;
  if (argc == 4 && !strcmp(argv[2], "--head"))
    head = argv[3];
  else if (argc != 2) {
    usage(stderr);
    return EXIT_USAGE;
  }
  char err[1024];
  size_t lines = 0;
  int rc = rc_audit_verify(argv[1], head, &lines, err, sizeof err);
  if (rc) {
    fprintf(stderr, "ringca-signer: %s\n", err);
    return rc == RC_EIO ? EXIT_IO : EXIT_BAD;
  }
  printf("%s: %zu records, chain intact\n", argv[1], lines);
  return EXIT_OK;
}

static int cmd_check_profiles(int argc, char **argv) {
  struct rc_policy pol;
  if (argc != 2) {
    usage(stderr);
    return EXIT_USAGE;
  }
  if (load_policy(argv[1], &pol))
    return EXIT_BAD;
  for (size_t i = 0; i < pol.nprofiles; i++)
    printf("profile %s: max %u days\n", pol.profiles[i].name,
           pol.profiles[i].max_days);
  return EXIT_OK;
}

static int cmd_init_dev_ca(int argc, char **argv) {
  const char *dir = NULL, *pfile = NULL, *profiles = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--passphrase-file") && i + 1 < argc)
      pfile = argv[++i];
    else if (!strcmp(argv[i], "--profiles") && i + 1 < argc)
      profiles = argv[++i];
    else if (argv[i][0] != '-' && !dir)
      dir = argv[i];
    else {
      usage(stderr);
      return EXIT_USAGE;
    }
  }
  struct rc_policy pol;
  if (!dir) {
    usage(stderr);
    return EXIT_USAGE;
  }
  if (load_policy(profiles, &pol))
    return EXIT_BAD;
  char pass[PASSPHRASE_MAX], path[4096];
  int rc;
  if (pfile) {
    rc = rc_passphrase_read(pfile, "", pass, sizeof pass);
  } else {
    /* A lab CA gets a random passphrase stored next to it (0600). */
    unsigned char raw[24];
    rc = RAND_priv_bytes(raw, sizeof raw) == 1 ? 0 : RC_ECRYPTO;
    for (size_t i = 0; rc == 0 && i < sizeof raw; i++)
      snprintf(pass + 2 * i, 3, "%02x", raw[i]);
    OPENSSL_cleanse(raw, sizeof raw);
    snprintf(path, sizeof path, "%s/passphrase", dir);
    if (rc == 0 && (rc_mkdir_p(dir, 0700) != 0 ||
                    rc_file_write_atomic(path, pass, strlen(pass), 0600) != 0))
      rc = RC_EIO;
  }
  if (rc) {
    rc_log_warnx("passphrase: %s", rc_strerror(rc));
    return EXIT_CA;
  }
  const char *names[RC_POLICY_MAX_PROFILES];
  for (size_t i = 0; i < pol.nprofiles; i++)
    names[i] = pol.profiles[i].name;
  rc = rc_ca_create_dev(dir, names, pol.nprofiles, pass,
                        wall_ms(NULL) / 1000, &rc_rng_system);
  OPENSSL_cleanse(pass, sizeof pass);
  if (rc) {
    rc_log_warnx("%s: cannot create the development CA: %s", dir,
                 rc_strerror(rc));
    return EXIT_IO;
  }
  printf("*** NOT FOR PRODUCTION ***\n"
         "%s: throwaway root and %zu sub-roots for labs and tests.\n"
         "Production CA keys come from ringca-ceremony.\n", dir,
         pol.nprofiles);
  if (!pfile)
    printf("key passphrase: %s/passphrase (mode 0600)\n", dir);
  return EXIT_OK;
}

struct serve_opts {
  const char *spool, *ca_dir, *profiles, *audit, *pfile;
  bool once, watch;
};

static int run_pass(const struct rc_spool_signer *s) {
  struct rc_spool_stats st;
  int rc = rc_spool_run_once(s, &st);
  int64_t seq;
  char head[65];
  rc_audit_head(s->audit, &seq, head);
  if (st.issued + st.refused + st.replayed)
    rc_log_info("pass: %zu issued, %zu refused, %zu answered again; audit "
                "head seq %" PRId64 " sha256 %s", st.issued, st.refused,
                st.replayed, seq, head);
  if (rc)
    rc_log_warnx("spool %s: %s; stopping with nothing half-done", s->dir,
                 rc_strerror(rc));
  return rc;
}

static int watch_loop(const struct rc_spool_signer *s) {
  char incoming[4096];
  snprintf(incoming, sizeof incoming, "%s/incoming", s->dir);
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0 || inotify_add_watch(fd, incoming, IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
    rc_log_warn("inotify on %s", incoming);
    return RC_EIO;
  }
  int rc = 0;
  while (!stop_flag && rc == 0) {
    rc = run_pass(s);
    struct pollfd p = {fd, POLLIN, 0};
    /* Rescan now and then as well: a rename from another file system, or
     * an overflowed event queue, must not strand a request. */
    if (poll(&p, 1, WATCH_RESCAN_MS) > 0) {
      char buf[4096];
      while (read(fd, buf, sizeof buf) > 0)
        ;
    }
  }
  close(fd);
  return rc;
}

static int serve(const struct serve_opts *o) {
  struct rc_policy pol;
  if (load_policy(o->profiles, &pol))
    return EXIT_BAD;
  if (rc_spool_init(o->spool) != 0) {
    rc_log_warn("spool %s", o->spool);
    return EXIT_IO;
  }
  char err[1024];
  size_t repaired = 0;
  struct rc_audit *audit;
  if (rc_audit_open(o->audit, &audit, &repaired, err, sizeof err) != 0) {
    rc_log_warnx("audit log: %s; refusing to sign (run verify-log)", err);
    return EXIT_IO;
  }
  if (repaired)
    rc_log_warnx("%s: cut a torn last record of %zu bytes (crash during an "
                 "append); its request is recorded again", o->audit, repaired);
  char pass[PASSPHRASE_MAX];
  int rc = rc_passphrase_read(o->pfile, "ringca-signer CA key passphrase: ",
                              pass, sizeof pass);
  struct rc_ca ca;
  if (rc == 0) {
    rc = rc_ca_load(&ca, o->ca_dir, &pol, pass, err, sizeof err);
    if (rc)
      rc_log_warnx("%s", err);
  } else {
    rc_log_warnx("passphrase: %s", rc_strerror(rc));
  }
  OPENSSL_cleanse(pass, sizeof pass);
  if (rc) {
    rc_audit_close(audit);
    return EXIT_CA;
  }
  struct rc_spool_signer s = {.dir = o->spool, .policy = &pol, .ca = &ca,
                              .audit = audit, .rng = &rc_rng_system,
                              .now_ms = wall_ms};
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns at once */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  rc = o->watch ? watch_loop(&s) : run_pass(&s);
  rc_ca_free(&ca);
  rc_audit_close(audit);
  return rc ? EXIT_IO : EXIT_OK;
}

int main(int argc, char **argv) {
  rc_log_init("ringca-signer", 0);
  if (argc >= 2 && !strcmp(argv[1], "verify-log"))
    return cmd_verify_log(argc - 1, argv + 1);
  if (argc >= 2 && !strcmp(argv[1], "init-dev-ca"))
    return cmd_init_dev_ca(argc - 1, argv + 1);
  if (argc >= 2 && !strcmp(argv[1], "check-profiles"))
    return cmd_check_profiles(argc - 1, argv + 1);
  struct serve_opts o = {DEFAULT_SPOOL, DEFAULT_CA, NULL, DEFAULT_AUDIT, NULL,
                         false, false};
  static const struct option longopts[] = {
      {"once", no_argument, NULL, 'o'},
      {"watch", no_argument, NULL, 'w'},
      {"spool", required_argument, NULL, 's'},
      {"ca", required_argument, NULL, 'c'},
      {"profiles", required_argument, NULL, 'p'},
      {"audit", required_argument, NULL, 'a'},
      {"passphrase-file", required_argument, NULL, 'P'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  int c, verbose = 0;
  while ((c = getopt_long(argc, argv, "hv", longopts, NULL)) != -1) {
    switch (c) {
    case 'o': o.once = true; break;
    case 'w': o.watch = true; break;
    case 's': o.spool = optarg; break;
    case 'c': o.ca_dir = optarg; break;
    case 'p': o.profiles = optarg; break;
    case 'a': o.audit = optarg; break;
    case 'P': o.pfile = optarg; break;
    case 'v': verbose = 1; break;
    case 'h': usage(stdout); return EXIT_OK;
    default: usage(stderr); return EXIT_USAGE;
    }
  }
  if (optind != argc || o.once == o.watch) {
    usage(stderr);
    return EXIT_USAGE;
  }
  rc_log_init("ringca-signer", verbose);
  return serve(&o);
}
