/* How fast the signer pipeline issues certificates, against two references
 * measured in the same run on the same machine:
 *   1. `openssl speed` sign rate for the same key type (the floor a signer
 *      cannot beat: one private-key operation per certificate); goal >= 0.8
 *      for RSA-2048;
 *   2. a CAcert-style loop forking `openssl x509 -req` per request (the
 *      seed's signer design); goal >= 50x.
 * The pipeline is rc_signer_handle + rc_sign_result_pack, in process, no
 * disk, one thread: CSR parse, self-signature check, policy, build, sign,
 * encode the reply. Each of `rounds` rounds runs the pipeline and `openssl
 * speed` (one core, user CPU time) for one CPU second each, in an order
 * that alternates between rounds, plus an in-process loop of raw signatures
 * with the sub-root key (the same key, not speed's built-in one); the best
 * round of each counts, so a busy machine disturbs both sides alike, and
 * the spread of the per-round ratios is printed to show how busy it was.
 * Where the time goes is printed per stage (INFO lines), and the spool rate
 * (three fsynced files and an audit record per request) separately: it
 * measures the disk.
 *
 * usage: signer_bench [--quick | --loop N] [rsa2048|p256]   (default: both)
 * --loop N: only N certificates through the pipeline, for a profiler. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "goal.h"
#include "ringca/audit.h"
#include "ringca/error.h"
#include "ringca/fileio.h"
#include "ringca/intake.h"
#include "ringca/signer.h"
#include "ringca/spool_signer.h"
#include "ringca/x509util.h"

static int cacert_runs = 30, spool_runs = 50, rounds = 7;
/* --loop N: only N certificates through the pipeline, nothing else, so a
 * profiler (perf record, valgrind --tool=callgrind) sees the pipeline alone. */
static long loop_only;
static double slice_s = 1.0;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds (user + system) used by this process, or (children) by its
 * waited-for children: the fork-per-request loop is mostly system time. */
static double cpu_s(bool children) {
  if (!children) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
  }
  struct rusage ru;
  getrusage(RUSAGE_CHILDREN, &ru);
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
         (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static EVP_PKEY *keygen(const char *kind) {
  return !strcmp(kind, "rsa2048")
             ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048)
             : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

static X509 *make_ca(const char *cn, EVP_PKEY *key, X509 *issuer,
                     EVP_PKEY *issuer_key, const struct rc_rng *rng) {
  X509 *x = X509_new();
  X509_NAME *name = X509_NAME_new();
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             (const unsigned char *)cn, -1, -1, 0);
  X509_set_version(x, X509_VERSION_3);
  rc_x509_set_random_serial(x, rng);
  X509_set_subject_name(x, name);
  X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
  X509_set_pubkey(x, key);
  rc_x509_set_validity_at(x, (uint64_t)time(NULL), 300, 365);
  rc_x509_add_ext(x, issuer, NID_basic_constraints, "critical,CA:TRUE");
  rc_x509_add_ext(x, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
  rc_x509_add_ext(x, issuer, NID_subject_key_identifier, "hash");
  X509_sign(x, issuer_key, EVP_sha256());
  X509_NAME_free(name);
  return x;
}

static uint8_t *make_csr(EVP_PKEY *key, size_t *len) {
  X509_REQ *req = X509_REQ_new();
  X509_NAME *name = X509_NAME_new();
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             (const unsigned char *)"www.example.org", -1, -1,
                             0);
  X509_REQ_set_subject_name(req, name);
  X509_NAME_free(name);
  X509_REQ_set_pubkey(req, key);
  STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
  sk_X509_EXTENSION_push(exts, X509V3_EXT_conf_nid(NULL, NULL,
                                                   NID_subject_alt_name,
                                                   "DNS:www.example.org"));
  X509_REQ_add_extensions(req, exts);
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  X509_REQ_sign(req, key, EVP_sha256());
  uint8_t *der = NULL;
  int n = i2d_X509_REQ(req, &der);
  X509_REQ_free(req);
  *len = (size_t)n;
  return der;
}

/* Second-to-last number on the `openssl speed` result line = sign/s. */
static double openssl_speed(const char *kind, int seconds) {
  char cmd[256], line[512];
  snprintf(cmd, sizeof cmd, "openssl speed -seconds %d %s 2>/dev/null",
           seconds, !strcmp(kind, "rsa2048") ? "rsa2048" : "ecdsap256");
  FILE *p = popen(cmd, "r");
  double sign = 0;
  const char *tag = !strcmp(kind, "rsa2048") ? "rsa 2048 bits" : "(nistp256)";
  while (p && fgets(line, sizeof line, p)) {
    if (!strstr(line, tag))
      continue;
    double v[8];
    int n = 0;
    for (char *t = strtok(line, " \t\n"); t && n < 8; t = strtok(NULL, " \t\n")) {
      char *end;
      double d = strtod(t, &end);
      if (end != t && *end == 0)
        v[n++] = d;
    }
    if (n >= 2)
      sign = v[n - 2];
  }
  if (p)
    pclose(p);
  return sign;
}

static double cacert_loop(const char *dir) {
  char csr[4200], ca[4200], key[4200], ext[4200];
  snprintf(csr, sizeof csr, "%s/req.pem", dir);
  snprintf(ca, sizeof ca, "%s/sub.pem", dir);
  snprintf(key, sizeof key, "%s/sub.key", dir);
  snprintf(ext, sizeof ext, "%s/ext.cnf", dir);
  double t0 = cpu_s(false) + cpu_s(true);
  for (int i = 0; i < cacert_runs; i++) {
    char serial[32];
    snprintf(serial, sizeof serial, "%d", 1000 + i);
    pid_t pid = fork();
    if (pid == 0) {
      int null = open("/dev/null", O_WRONLY);
      dup2(null, STDOUT_FILENO);
      dup2(null, STDERR_FILENO);
      execlp("openssl", "openssl", "x509", "-req", "-in", csr, "-CA", ca,
             "-CAkey", key, "-set_serial", serial, "-days", "90", "-sha256",
             "-extfile", ext, "-extensions", "v3", "-out", "/dev/null",
             (char *)NULL);
      _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
      fprintf(stderr, "bench: openssl x509 -req failed\n");
      return 0;
    }
  }
  return cacert_runs / (cpu_s(false) + cpu_s(true) - t0);
}

static uint64_t wall_ms(void *ctx) {
  (void)ctx;
  return (uint64_t)time(NULL) * 1000u;
}

static double spool_rate(const char *dir, const struct rc_policy *pol,
                         const struct rc_ca *ca, const uint8_t *csr,
                         size_t csr_len, struct rc_rng *rng) {
  char spool[4200], log[4200], err[256];
  snprintf(spool, sizeof spool, "%s/spool", dir);
  snprintf(log, sizeof log, "%s/audit.log", dir);
  if (rc_spool_init(spool) != 0)
    return 0;
  for (int i = 0; i < spool_runs; i++) {
    struct rc_intake_request req;
    struct rc_refusal why;
    if (rc_intake_build(pol, "server", csr, csr_len, 0, "bench", 0, 0, rng,
                        &req, &why) != 0 ||
        rc_spool_submit(spool, &req.spool) != 0)
      return 0;
    rc_intake_free(&req);
  }
  struct rc_audit *audit;
  size_t repaired;
  if (rc_audit_open(log, &audit, &repaired, err, sizeof err) != 0)
    return 0;
  struct rc_spool_signer s = {.dir = spool, .policy = pol, .ca = ca,
                              .audit = audit, .rng = rng, .now_ms = wall_ms};
  struct rc_spool_stats st;
  /* The signer logs one line per request; keep the report readable. */
  fflush(stderr);
  int saved = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY);
  dup2(null, STDERR_FILENO);
  double t0 = now_s();
  int rc = rc_spool_run_once(&s, &st);
  double dt = now_s() - t0;
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(null);
  rc_audit_close(audit);
  return rc == 0 && st.issued == (size_t)spool_runs ? spool_runs / dt : 0;
}

/* Everything one measured operation may need. */
struct op {
  const struct rc_policy *pol;
  const struct rc_ca *ca;
  const Ringca__CertRequest *req;
  const struct rc_rng *rng;
  EVP_PKEY_CTX *sign_ctx;
  X509_REQ *csr_req;
  EVP_PKEY *csr_key;
};

static int pipeline_once(const struct op *o) {
  struct rc_sign_result res;
  uint8_t *out;
  size_t out_len;
  if (rc_signer_handle(o->pol, o->ca, o->req, (uint64_t)time(NULL), o->rng,
                       &res) ||
      res.refused || rc_sign_result_pack(&res, &out, &out_len)) {
    fprintf(stderr, "signer_bench: signing failed%s%s\n",
            res.refused ? ": " : "", res.refused ? res.refusal.message : "");
    return -1;
  }
  free(out);
  rc_sign_result_free(&res);
  return 0;
}

/* The in-process equivalent of `openssl speed`: one raw private-key
 * operation over a digest-sized buffer with a reused context. */
static int sign_once(const struct op *o) {
  static const unsigned char tbs[32] = {1};
  unsigned char sig[512];
  size_t len = sizeof sig;
  return EVP_PKEY_sign(o->sign_ctx, sig, &len, tbs, sizeof tbs) == 1 ? 0 : -1;
}

static int decode_once(const struct op *o) {
  X509_REQ *r;
  EVP_PKEY *k;
  struct rc_refusal why;
  int rc = rc_csr_decode(o->req->csr_der.data, o->req->csr_der.len, &r, &k,
                         &why);
  X509_REQ_free(r);
  EVP_PKEY_free(k);
  return rc || !k ? -1 : 0;
}

static int d2i_once(const struct op *o) {
  const unsigned char *q = o->req->csr_der.data;
  X509_REQ *r = d2i_X509_REQ(NULL, &q, (long)o->req->csr_der.len);
  X509_REQ_free(r);
  return r ? 0 : -1;
}

static int verify_once(const struct op *o) {
  return X509_REQ_verify_ex(o->csr_req, o->csr_key, NULL, NULL) == 1 ? 0 : -1;
}

/* User CPU seconds of this process: what `openssl speed` divides by
 * (without -elapsed), so both sides of the ratio are the same measure. */
static double user_s(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
}

/* Calls per user CPU second of fn over about `secs`; 0 when an operation
 * failed. The clock is read between batches of up to 64 calls, because
 * reading a CPU clock is a system call that `openssl speed` (an alarm ends
 * its loop) does not pay per operation. */
static double rate(double secs, int (*fn)(const struct op *),
                   const struct op *o) {
  long n = 0, batch = 1;
  double t0 = user_s(), dt;
  do {
    for (long i = 0; i < batch; i++)
      if (fn(o) != 0)
        return 0;
    n += batch;
    if (batch < 64)
      batch *= 2;
  } while ((dt = user_s() - t0) < secs);
  return n / dt;
}

static double max2(double a, double b) { return a > b ? a : b; }

/* What the pipeline really pays for the self-signature check: the
 * request's key is decoded anew for every request, so its Montgomery
 * set-up is never cached (verify_once reuses one key and understates it). */
static int decode_verify_once(const struct op *o) {
  X509_REQ *r;
  EVP_PKEY *k;
  struct rc_refusal why;
  int rc = rc_csr_decode(o->req->csr_der.data, o->req->csr_der.len, &r, &k,
                         &why);
  if (rc == 0 && k)
    rc = X509_REQ_verify_ex(r, k, NULL, NULL) == 1 ? 0 : -1;
  X509_REQ_free(r);
  EVP_PKEY_free(k);
  return rc || !k ? -1 : 0;
}

static int loop(const char *kind, const struct op *o) {
  int rc = 0;
  for (long i = 0; rc == 0 && i < loop_only; i++)
    rc = pipeline_once(o);
  printf("%s: %ld certificates through the pipeline%s\n", kind, loop_only,
         rc ? ": FAILED" : "");
  return rc ? 2 : 0;
}

/* Best-of-rounds rates; each round runs the pipeline, `openssl speed` and
 * the in-process signature loop back to back, in an order that alternates
 * between rounds so that a change of machine load mid-run falls on both
 * sides. ratio_lo/hi: the spread of the per-round pipeline/speed ratios. */
struct rates {
  double ours, ref, inproc, ratio_lo, ratio_hi;
};

static void measure_rates(const char *kind, const struct op *o,
                          struct rates *r) {
  memset(r, 0, sizeof *r);
  r->ratio_lo = 1e9;
  for (int i = 0; i < rounds; i++) {
    double ours, ref;
    if (i % 2 == 0) {
      ours = rate(slice_s, pipeline_once, o);
      ref = openssl_speed(kind, 1);
    } else {
      ref = openssl_speed(kind, 1);
      ours = rate(slice_s, pipeline_once, o);
    }
    r->inproc = max2(r->inproc, rate(slice_s, sign_once, o));
    r->ours = max2(r->ours, ours);
    r->ref = max2(r->ref, ref);
    if (ref > 0 && ours / ref < r->ratio_lo)
      r->ratio_lo = ours / ref;
    if (ref > 0 && ours / ref > r->ratio_hi)
      r->ratio_hi = ours / ref;
  }
}

/* Where the time of one certificate goes, each stage alone (best of three
 * short runs), in microseconds. */
struct stages {
  double decode, d2i, verify_cached, decode_verify;
};

static int measure_stages(const struct op *o, struct stages *st) {
  double t = slice_s / 4, dec = 0, d2i = 0, ver = 0, dv = 0;
  for (int i = 0; i < 3; i++) {
    dec = max2(dec, rate(t, decode_once, o));
    d2i = max2(d2i, rate(t, d2i_once, o));
    ver = max2(ver, rate(t, verify_once, o));
    dv = max2(dv, rate(t, decode_verify_once, o));
  }
  if (dec <= 0 || d2i <= 0 || ver <= 0 || dv <= 0)
    return -1;
  *st = (struct stages){1e6 / dec, 1e6 / d2i, 1e6 / ver, 1e6 / dv};
  return 0;
}

static int measure_and_report(const char *kind, const char *dir,
                              const struct op *o) {
  struct rates r;
  struct stages st;
  measure_rates(kind, o, &r);
  if (r.ours <= 0 || r.inproc <= 0 || measure_stages(o, &st) != 0)
    return 2;
  double fork_rate = cacert_loop(dir);
  double spool = spool_rate(dir, o->pol, o->ca, o->req->csr_der.data,
                            o->req->csr_der.len, (struct rc_rng *)o->rng);
  bool is_rsa = !strcmp(kind, "rsa2048");
  double r1 = r.ref > 0 ? r.ours / r.ref : 0;
  double r2 = fork_rate > 0 ? r.ours / fork_rate : 0;
  double pipe_us = 1e6 / r.ours, sign_us = 1e6 / r.inproc;
  double verify_us = st.decode_verify - st.decode;
  printf("%s: signer pipeline %.0f certs/s; openssl speed %.0f sign/s; "
         "ratio %.2f (goal >= 0.8%s) %s; per-round ratios %.2f..%.2f\n",
         kind, r.ours, r.ref, r1,
         is_rsa ? "" : ", informational: CSR verify dominates",
         is_rsa ? (r1 >= 0.8 ? "PASS" : "FAIL") : "INFO", r.ratio_lo,
         r.ratio_hi);
  printf("%s: per certificate %.0f us = sign %.0f us (in-process, same key; "
         "openssl speed %.0f us) + CSR decode %.1f us + CSR self-signature "
         "check %.1f us (fresh key; %.1f us with a cached one) + the rest "
         "(policy, build, encode) %.0f us; plain d2i_X509_REQ would cost "
         "%.0f us (OpenSSL %s)\n",
         kind, pipe_us, sign_us, 1e6 / r.ref, st.decode, verify_us,
         st.verify_cached, pipe_us - sign_us - st.decode_verify, st.d2i,
         OpenSSL_version(OPENSSL_VERSION_STRING));
  printf("%s: fork-per-request openssl x509 -req %.1f certs/s; ratio %.0fx "
         "(goal >= 50x) %s\n", kind, fork_rate, r2, r2 >= 50 ? "PASS" : "FAIL");
  printf("%s: through the spool with fsync and audit %.0f certs/s "
         "(informational: disk bound)\n", kind, spool);
  char name[64], what[256];
  bool ok = true;
  snprintf(name, sizeof name, "signer_vs_openssl_speed_%s", kind);
  snprintf(what, sizeof what, "certificates/s through the in-process signer "
           "pipeline (%s sub-root, %s CSR) vs `openssl speed %s` sign/s",
           kind, kind, is_rsa ? "rsa2048" : "ecdsap256");
  if (is_rsa)
    ok &= bench_goal(name, r.ours, "certs/s", r.ref, "sign/s", true, 0.8, what);
  else
    bench_info(name, r1, "ratio", what);
  snprintf(name, sizeof name, "signer_vs_fork_x509_%s", kind);
  snprintf(what, sizeof what, "in-process signer pipeline vs a loop forking "
           "`openssl x509 -req` per request (%s)", kind);
  ok &= bench_goal(name, r.ours, "certs/s", fork_rate, "certs/s", true, 50,
                   what);
  struct {
    const char *stage, *unit;
    double value;
    const char *what;
  } info[] = {
      {"pipeline", "us", pipe_us, "one certificate through the whole pipeline"},
      {"sign", "us", sign_us, "one raw signature with the sub-root key, in process"},
      {"vs_inproc_sign", "ratio", sign_us / pipe_us, "pipeline rate vs that in-process signature rate (same key)"},
      {"round_ratio_min", "ratio", r.ratio_lo, "lowest pipeline/openssl-speed ratio of one round (load spread)"},
      {"round_ratio_max", "ratio", r.ratio_hi, "highest pipeline/openssl-speed ratio of one round"},
      {"csr_decode", "us", st.decode, "rc_csr_decode: CSR structure and public key"},
      {"d2i_x509_req", "us", st.d2i, "plain d2i_X509_REQ of the same CSR (not used)"},
      {"csr_verify", "us", verify_us, "the CSR self-signature check with a freshly decoded key, as in the pipeline"},
      {"csr_verify_cached", "us", st.verify_cached, "the same check reusing one decoded key (not what the pipeline pays)"},
      {"rest", "us", pipe_us - sign_us - st.decode_verify, "policy checks, certificate build, DER, fingerprint, reply"},
      {"ceiling", "ratio", sign_us / (sign_us + verify_us), "best ratio possible: sign / (sign + CSR verify with a fresh key)"},
      {"spool", "certs/s", spool, "certificates/s through the spool, fsync and audit"},
  };
  for (size_t i = 0; i < sizeof info / sizeof info[0]; i++) {
    snprintf(name, sizeof name, "signer_%s_%s", info[i].stage, kind);
    bench_info(name, info[i].value, info[i].unit, info[i].what);
  }
  return ok ? 0 : 1;
}

static int bench(const char *kind) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/ringca-bench.XXXXXX",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(dir))
    return 2;
  struct rc_prng prng;
  rc_prng_seed(&prng, 1);
  struct rc_rng rng = rc_prng_as_rng(&prng);
  EVP_PKEY *root_key = keygen(kind), *sub_key = keygen(kind),
           *leaf_key = keygen(kind);
  X509 *root = make_ca("bench root", root_key, NULL, root_key, &rng);
  X509 *sub = make_ca("bench sub-root", sub_key, root, root_key, &rng);
  struct rc_policy pol;
  rc_policy_default(&pol);
  struct rc_ca ca = {0};
  char path[4300];
  if (rc_ca_set_root(&ca, root) || rc_ca_add_issuer(&ca, "server", sub, sub_key))
    return 2;
  snprintf(path, sizeof path, "%s/sub.pem", dir);
  rc_x509_write_pem(path, sub);
  snprintf(path, sizeof path, "%s/sub.key", dir);
  rc_pkey_write_plain(path, sub_key);
  snprintf(path, sizeof path, "%s/ext.cnf", dir);
  static const char ext[] = "[v3]\nbasicConstraints=critical,CA:FALSE\n"
                            "keyUsage=critical,digitalSignature\n"
                            "extendedKeyUsage=serverAuth\n"
                            "subjectKeyIdentifier=hash\n"
                            "authorityKeyIdentifier=keyid:always\n"
                            "subjectAltName=DNS:www.example.org\n";
  rc_file_write_atomic(path, ext, sizeof ext - 1, 0644);
  size_t csr_len;
  uint8_t *csr = make_csr(leaf_key, &csr_len);
  X509_REQ *r;
  EVP_PKEY *leaf_pub;
  struct rc_refusal why;
  if (rc_csr_decode(csr, csr_len, &r, &leaf_pub, &why) || !leaf_pub)
    return 2;
  BIO *bio = BIO_new_file((snprintf(path, sizeof path, "%s/req.pem", dir), path), "w");
  PEM_write_bio_X509_REQ(bio, r);
  BIO_free(bio);

  Ringca__CertRequest req = RINGCA__CERT_REQUEST__INIT;
  req.version = 1;
  req.profile = "server";
  req.csr_der.data = csr;
  req.csr_der.len = csr_len;
  EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(sub_key, NULL);
  if (!pc || EVP_PKEY_sign_init(pc) != 1)
    return 2;
  struct op o = {.pol = &pol, .ca = &ca, .req = &req, .rng = &rng,
                 .sign_ctx = pc, .csr_req = r, .csr_key = leaf_pub};
  int rc = loop_only ? loop(kind, &o) : measure_and_report(kind, dir, &o);
  EVP_PKEY_CTX_free(pc);
  X509_REQ_free(r);
  EVP_PKEY_free(leaf_pub);
  OPENSSL_free(csr);
  rc_ca_free(&ca);
  X509_free(root);
  X509_free(sub);
  EVP_PKEY_free(root_key);
  EVP_PKEY_free(sub_key);
  EVP_PKEY_free(leaf_key);
  char cmd[4200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0)
    fprintf(stderr, "signer_bench: could not remove %s\n", dir);
  return rc;
}

int main(int argc, char **argv) {
  const char *kinds[2] = {"rsa2048", "p256"};
  size_t nkinds = 2;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--quick")) {
      cacert_runs = 3;
      spool_runs = 3;
      rounds = 1;
      slice_s = 0.1;
    } else if (!strcmp(argv[i], "--loop") && i + 1 < argc) {
      char *end;
      loop_only = strtol(argv[++i], &end, 10);
      if (*end || loop_only <= 0) {
        fprintf(stderr, "%s: --loop %s: not a positive count\n", argv[0],
                argv[i]);
        return 2;
      }
    } else if (!strcmp(argv[i], "rsa2048") || !strcmp(argv[i], "p256")) {
      kinds[0] = argv[i];
      nkinds = 1;
    } else {
      printf("usage: %s [--quick | --loop N] [rsa2048|p256]\n"
             "Signer pipeline throughput against `openssl speed` and a "
             "fork-per-request\n`openssl x509 -req` loop, per key type "
             "(default: both); prints PASS/FAIL\nand GOAL/INFO lines. "
             "--quick: tiny runs (smoke test). --loop N: only N certificates\n"
             "through the pipeline, nothing else (for perf or callgrind).\n"
             "Example: %s rsa2048\n"
             "Exit status: 0 all goals pass, 1 a goal failed, 2 setup "
             "error.\n", argv[0], argv[0]);
      return strcmp(argv[i], "--help") == 0 ? 0 : 2;
    }
  }
  int rc = 0;
  for (size_t i = 0; i < nkinds; i++) {
    int r = bench(kinds[i]);
    rc = r > rc ? r : rc;
  }
  return rc;
}
