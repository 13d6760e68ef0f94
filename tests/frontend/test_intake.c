/* Front-end intake: the library the node will reuse, and ringca-submit's
 * exit codes against a real ringca-signer --watch over a spool. */
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

#include "ringca/error.h"
#include "ringca/intake.h"
#include "ringca/pb.h"
#include "ringca/spool.h"
#include "testkit.h"

#define SIGNER RINGCA_BINARY_DIR "/signer/ringca-signer"
#define SUBMIT RINGCA_BINARY_DIR "/frontend/ringca-submit"

static char dir[4096];
static struct rc_policy pol;

static int setup(void **state) {
  (void)state;
  tk_tmpdir(dir);
  rc_policy_default(&pol);
  return tk_run(SIGNER " init-dev-ca %s/ca >/dev/null", dir);
}

static int teardown(void **state) {
  (void)state;
  tk_rmrf(dir);
  return 0;
}

static void test_build_request(void **state) {
  (void)state;
  struct rc_prng p;
  rc_prng_seed(&p, 3);
  struct rc_rng rng = rc_prng_as_rng(&p);
  struct tk_csr o = {.subject = "/CN=Bob", .san = "email:bob@example.org"};
  size_t pem_len, der_len;
  char *pem = tk_csr_pem(tk_key("ed25519"), &o, &pem_len);
  struct rc_intake_request a, b;
  struct rc_refusal why;
  assert_int_equal(rc_intake_build(&pol, "client", (uint8_t *)pem, pem_len, 30,
                                   "fe2", 1000, 61000, &rng, &a, &why), 0);
  assert_int_equal(rc_intake_build(&pol, "client", (uint8_t *)pem, pem_len, 30,
                                   "fe2", 1000, 61000, &rng, &b, &why), 0);
  assert_memory_not_equal(a.request_id, b.request_id, 16);
  /* PEM in, canonical DER out, and the packed request decodes as a spool
   * file with the bounded decoder the signer uses. */
  assert_int_equal(a.csr_der[0], 0x30);
  uint8_t *buf;
  size_t len;
  assert_int_equal(rc_pb_pack(&a.spool.base, &buf, &len), 0);
  Ringca__SpoolRequest *dec;
  assert_int_equal(rc_spool_decode_request(buf, len, &dec, NULL), 0);
  assert_string_equal(dec->origin, "fe2");
  assert_string_equal(dec->request->profile, "client");
  assert_int_equal(dec->request->validity_days, 30);
  assert_int_equal(dec->deadline_unix_ms, 61000);
  der_len = dec->request->csr_der.len;
  assert_int_equal(der_len, a.csr_der_len);
  rc_pb_free(&dec->base);
  free(buf);
  rc_intake_free(&a);
  rc_intake_free(&b);
  /* The shared policy refuses before anything is queued. */
  assert_int_equal(rc_intake_build(&pol, "server", (uint8_t *)pem, pem_len, 0,
                                   "fe2", 0, 0, &rng, &a, &why), RC_EPOLICY);
  assert_int_equal(why.reason, RINGCA__REFUSAL_REASON__REFUSAL_SAN);
  assert_int_equal(rc_intake_build(&pol, "client", (uint8_t *)pem, pem_len, 0,
                                   "", 0, 0, &rng, &a, &why), RC_EINVAL);
  free(pem);
}

static void test_classify(void **state) {
  (void)state;
  Ringca__SpoolReply r = RINGCA__SPOOL_REPLY__INIT;
  Ringca__CertRefusal f = RINGCA__CERT_REFUSAL__INIT;
  r.outcome_case = RINGCA__SPOOL_REPLY__OUTCOME_REFUSAL;
  r.refusal = &f;
  f.reason = RINGCA__REFUSAL_REASON__REFUSAL_SAN;
  assert_int_equal(rc_intake_classify(&r), RC_INTAKE_REFUSED);
  f.reason = RINGCA__REFUSAL_REASON__REFUSAL_DEADLINE;
  assert_int_equal(rc_intake_classify(&r), RC_INTAKE_TIMEOUT);
  f.reason = RINGCA__REFUSAL_REASON__REFUSAL_NO_ROUTE;
  assert_int_equal(rc_intake_classify(&r), RC_INTAKE_MESH_DOWN);
  f.reason = RINGCA__REFUSAL_REASON__REFUSAL_INTERNAL;
  assert_int_equal(rc_intake_classify(&r), RC_INTAKE_INTERNAL);
}

static pid_t start_watcher(const char *spool) {
  char ca[4200], log[4200], pass[4200];
  snprintf(ca, sizeof ca, "%s/ca", dir);
  snprintf(log, sizeof log, "%s/audit.log", dir);
  snprintf(pass, sizeof pass, "%s/ca/passphrase", dir);
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    execl(SIGNER, SIGNER, "--watch", "--spool", spool, "--ca", ca, "--audit",
          log, "--passphrase-file", pass, (char *)NULL);
    _exit(127);
  }
  return pid;
}

static void test_submit_exit_codes(void **state) {
  (void)state;
  char spool[4200], csr[4200], weak[4200], out[4200], lax[4200];
  snprintf(spool, sizeof spool, "%s/spool", dir);
  snprintf(csr, sizeof csr, "%s/www.csr", dir);
  snprintf(weak, sizeof weak, "%s/weak.csr", dir);
  snprintf(out, sizeof out, "%s/www.pem", dir);
  snprintf(lax, sizeof lax, "%s/lax.yaml", dir);
  struct tk_csr o = {.subject = "/CN=www.example.org",
                     .san = "DNS:www.example.org"};
  size_t len;
  char *pem = tk_csr_pem(tk_key("p256"), &o, &len);
  tk_write(csr, pem, len);
  free(pem);
  pem = tk_csr_pem(tk_key("rsa1024"), &o, &len);
  tk_write(weak, pem, len);
  free(pem);

  assert_int_equal(tk_run(SUBMIT " --bogus 2>/dev/null"), 64);
  assert_int_equal(tk_run(SUBMIT " --csr %s --profile server --spool %s/none "
                          "2>/dev/null", csr, dir), 3);
  assert_int_equal(rc_spool_init(spool), 0);
  assert_int_equal(tk_run(SUBMIT " --csr %s --profile server --spool %s "
                          "2>/dev/null", weak, spool), 1);
  assert_int_equal(tk_run(SUBMIT " --csr %s --profile server --spool %s "
                          "--timeout 1 2>/dev/null", csr, spool), 2);

  pid_t signer = start_watcher(spool);
  assert_true(signer > 0);
  assert_int_equal(tk_run(SUBMIT " --csr %s --profile server --spool %s "
                          "--timeout 20 --out %s --chain 2>/dev/null",
                          csr, spool, out), 0);
  assert_int_equal(tk_run("openssl verify -CAfile %s/ca/root.pem -untrusted "
                          "%s/ca/server.pem %s >/dev/null", dir, dir, out), 0);
  assert_int_equal(tk_run("test $(grep -c BEGIN %s) = 3", out), 0);
  /* A front-end whose profiles are laxer than the root's: the root refuses
   * (exit 1, with the root's reason). */
  static const char lax_yaml[] =
      "version: 1\nprofiles:\n  server:\n    key_types: [ec-p256]\n"
      "    eku: [server_auth]\n    san_types: [dns]\n    max_days: 3000\n";
  tk_write(lax, lax_yaml, sizeof lax_yaml - 1);
  assert_int_equal(tk_run(SUBMIT " --csr %s --profile server --spool %s "
                          "--profiles %s --days 1000 --timeout 20 "
                          "2>%s/err.txt >/dev/null", csr, spool, lax, dir), 1);
  assert_int_equal(tk_run("grep -q REFUSAL_VALIDITY %s/err.txt", dir), 0);
  kill(signer, SIGTERM);
  int status;
  assert_int_equal(waitpid(signer, &status, 0), signer);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  /* The timed-out request was answered as expired; the log holds all. */
  assert_int_equal(tk_run(SIGNER " verify-log %s/audit.log >/dev/null", dir),
                   0);
  assert_int_equal(tk_run("grep -c '\"event\"' %s/audit.log | grep -qx 3",
                          dir), 0);
  assert_int_equal(tk_run("sed -i 's/issue/issuE/' %s/audit.log", dir), 0);
  assert_int_equal(tk_run(SIGNER " verify-log %s/audit.log 2>/dev/null", dir),
                   1);
  /* Profiles errors come out as file:line:col, exit 1. */
  static const char bad_yaml[] = "version: 1\nprofiles:\n  s:\n    nope: 1\n";
  tk_write(lax, bad_yaml, sizeof bad_yaml - 1);
  assert_int_equal(tk_run(SIGNER " check-profiles %s 2>%s/err.txt", lax, dir),
                   1);
  assert_int_equal(tk_run("grep -q 'lax.yaml:4:5: unknown profile setting' "
                          "%s/err.txt", dir), 0);
  /* A wrong passphrase stops the signer before it touches the spool. */
  tk_write(lax, "wrong\n", 6);
  assert_int_equal(tk_run("chmod 600 %s && " SIGNER " --once --spool %s --ca "
                          "%s/ca --audit %s/audit2.log --passphrase-file %s "
                          "2>/dev/null", lax, spool, dir, dir, lax), 3);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_build_request),
      cmocka_unit_test(test_classify),
      cmocka_unit_test(test_submit_exit_codes),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
