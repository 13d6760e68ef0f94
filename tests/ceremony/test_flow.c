/* Whole ceremonies through the real ringca-ceremony binary: top-level roots
 * and sub-roots with 3 and 5 participants, checked independently with
 * `openssl verify`, `openssl x509` and GnuTLS `certtool -i`; then every
 * refusal the seed cares about, asserting the exact message. */
#include <setjmp.h>
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
#include <openssl/rand.h>

static char tmp[64];
static char out[1 << 16];

/* Runs a shell command inside tmp, output (stdout+stderr) into out. */
static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...) {
  char cmd[4096];
  int n = snprintf(cmd, sizeof cmd, "cd '%s' && ( ", tmp);
  va_list ap;
  va_start(ap, fmt);
  n += vsnprintf(cmd + n, sizeof cmd - (size_t)n, fmt, ap);
  va_end(ap);
  snprintf(cmd + n, sizeof cmd - (size_t)n, " ) 2>&1");
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  size_t len = fread(out, 1, sizeof out - 1, p);
  out[len] = 0;
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

#define B CEREMONY_BIN

static void expect(int status, const char *needle, int got) {
  if (got != status || (needle && !strstr(out, needle)))
    fail_msg("expected exit %d and \"%s\"; got exit %d:\n%s", status,
             needle ? needle : "", got, out);
}

static const char *const names[] = {"alice", "bob", "carol", "dave", "erin"};

static void write_block(const char *path) {
  uint8_t b[64];
  char full[256];
  assert_int_equal(RAND_bytes(b, sizeof b), 1);
  snprintf(full, sizeof full, "%s/%s", tmp, path);
  FILE *f = fopen(full, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(b, 1, sizeof b, f), sizeof b);
  fclose(f);
}

static void write_plan(const char *c, const char *kind, const char *key,
                       unsigned n, unsigned k) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s.yaml", tmp, c);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  /* A sub-root must not outlive the top-level root. */
  int days = strstr(kind, "subroot") && strcmp(c, "long") ? 1825 : 3650;
  fprintf(f, "id: %s-id\n%s\nkey: %s\nsubject: \"/C=AU/O=CAcert Inc./CN=%s\"\n"
             "days: %d\nescrow_threshold: %u\nparticipants:\n",
          c, kind, key, c, days, k);
  static const char *const roles[] = {"board", "sysadmin", "observer",
                                      "board", "sysadmin"};
  for (unsigned i = 0; i < n; i++)
    fprintf(f, "  - name: %s\n    role: %s\n", names[i], roles[i]);
  fclose(f);
}

/* plan, commit (half of them via `commitment` on their "own laptop"),
 * reveal, but no generate. */
static void prepare(const char *c, const char *kind, const char *key,
                    unsigned n, unsigned k) {
  write_plan(c, kind, key, n, k);
  expect(0, "each participant: compare this hash", run(B " plan %s %s.yaml", c, c));
  for (unsigned i = 0; i < n; i++) {
    char blk[64];
    snprintf(blk, sizeof blk, "%s-%s.bin", c, names[i]);
    write_block(blk);
    if (i % 2)
      expect(0, "committed",
             run(B " commit %s %s --hash $(" B " commitment %s-id %s %s)", c,
                 names[i], c, names[i], blk));
    else
      expect(0, "committed", run(B " commit %s %s %s", c, names[i], blk));
  }
  for (unsigned i = 0; i < n; i++)
    expect(0, "matching commitment",
           run(B " reveal %s %s %s-%s.bin", c, names[i], c, names[i]));
}

/* Independent checks of a finished ceremony: OpenSSL and GnuTLS accept the
 * chain, the recovered key is the certificate's. */
static void check_finished(const char *c, const char *ca, const char *shares) {
  expect(0, "wrote", run(B " transcript %s", c));
  expect(0, "escrowed key matches the certificate",
         run(B " verify %s %s", c, shares));
  if (ca)
    expect(0, ": OK", run("openssl verify -x509_strict -CAfile %s/cert.pem "
                          "%s/cert.pem",
                          ca, c));
  else
    expect(0, ": OK", run("openssl verify -x509_strict -CAfile %s/cert.pem "
                          "%s/cert.pem",
                          c, c));
  expect(0, "Certificate signing.", run("certtool -i --infile %s/cert.pem", c));
  expect(0, "recovered the key",
         run("printf 'correct horse battery\\n' > %s.pass && chmod 600 %s.pass "
             "&& " B " recover %s %s --out %s.key --passphrase-file %s.pass",
             c, c, c, shares, c, c));
  expect(0, NULL,
         run("test \"$(stat -c %%a %s.key)\" = 600 && "
             "openssl pkey -in %s.key -passin file:%s.pass -pubout > %s.k.pub "
             "&& openssl x509 -in %s/cert.pem -noout -pubkey > %s.c.pub && "
             "cmp %s.k.pub %s.c.pub",
             c, c, c, c, c, c, c, c));
  expect(0, NULL, run("test \"$(stat -c %%a %s/escrow.enc)\" = 600 && "
                      "test \"$(stat -c %%a %s/shares/alice.share)\" = 600 && "
                      "test \"$(stat -c %%a %s/reveal/alice.block)\" = 600",
                      c, c, c));
}

static int setup(void **state) {
  (void)state;
  strcpy(tmp, "/tmp/ringca-cer-flow-XXXXXX");
  if (!mkdtemp(tmp))
    return -1;
  /* The top-level root every sub-root test signs with. */
  prepare("top", "kind: root", "ec-p384", 3, 2);
  expect(0, "generated ec-p384 root", run(B " generate top"));
  return 0;
}

static int teardown(void **state) {
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
  return system(cmd) == 0 ? 0 : -1;
}

static void test_root_3(void **state) {
  (void)state;
  check_finished("top", NULL, "--share top/shares/alice.share --share "
                              "top/shares/carol.share");
  expect(0, "CA:TRUE", run("openssl x509 -in top/cert.pem -noout -text"));
  assert_non_null(strstr(out, "Certificate Sign, CRL Sign"));
  assert_non_null(strstr(out, "ecdsa-with-SHA384"));
  assert_null(strstr(out, "pathlen"));
  /* Any 2 of 3 shares; also all 3. */
  expect(0, "verified", run(B " verify top --share top/shares/bob.share "
                              "--share top/shares/carol.share"));
  expect(0, "verified", run(B " verify top --share top/shares/bob.share "
                              "--share top/shares/alice.share --share "
                              "top/shares/carol.share"));
  expect(0, "ok: ceremony top-id, holder bob, share 2 of 3, threshold 2",
         run(B " share-check top/shares/bob.share"));
}

static void test_subroot_5_server(void **state) {
  (void)state;
  prepare("srv", "kind: subroot\nprofile: server", "ec-p256", 5, 3);
  expect(0, "generated ec-p256 subroot",
         run(B " generate srv --top top --share top/shares/bob.share --share "
               "top/shares/carol.share"));
  check_finished("srv", "top", "--share srv/shares/alice.share --share "
                               "srv/shares/dave.share --share "
                               "srv/shares/erin.share");
  expect(0, "CA:TRUE, pathlen:0",
         run("openssl x509 -in srv/cert.pem -noout -text"));
  assert_non_null(strstr(out, "TLS Web Server Authentication"));
  assert_null(strstr(out, "TLS Web Client Authentication"));
  expect(0, "Issuer: CN=top", run("certtool -i --infile srv/cert.pem"));
}

static void test_root_5_and_client_subroot_3(void **state) {
  (void)state;
  prepare("ed", "kind: root", "ed25519", 5, 3);
  expect(0, "generated ed25519 root", run(B " generate ed"));
  check_finished("ed", NULL, "--share ed/shares/erin.share --share "
                             "ed/shares/bob.share --share "
                             "ed/shares/alice.share");
  prepare("cli", "kind: subroot\nprofile: client", "ec-p521", 3, 2);
  expect(0, "generated ec-p521 subroot",
         run(B " generate cli --top ed --share ed/shares/alice.share --share "
               "ed/shares/carol.share --share ed/shares/dave.share"));
  check_finished("cli", "ed", "--share cli/shares/alice.share --share "
                              "cli/shares/bob.share");
  expect(0, "TLS Web Client Authentication",
         run("openssl x509 -in cli/cert.pem -noout -text"));
  assert_null(strstr(out, "TLS Web Server Authentication"));
}

static void test_subroot_outliving_top(void **state) {
  (void)state;
  prepare("long", "kind: subroot\nprofile: server", "ec-p256", 3, 2);
  expect(1, "days: a subroot valid for 3650 days would outlive the top-level "
            "root that signs it; shorten days in the plan",
         run(B " generate long --top top --share top/shares/alice.share "
               "--share top/shares/bob.share"));
  expect(1, NULL, run("test -e long/cert.pem"));
}

static void test_plan_minimums(void **state) {
  (void)state;
  write_plan("two", "kind: root", "ec-p256", 2, 2);
  expect(1, "two.yaml:8:3: participants: 2 listed, a ceremony needs at least "
            "3 people",
         run(B " plan two two.yaml"));
  expect(0, "none-written",
         run("test ! -e two/journal.txt && echo none-written"));
  expect(2, "wrong number of arguments", run(B " plan onlyone"));
  expect(1, "top: not empty; a ceremony starts in a fresh directory",
         run(B " plan top top.yaml"));
}

static void test_commit_reveal_refusals(void **state) {
  (void)state;
  write_plan("bad", "kind: root", "ec-p256", 3, 2);
  expect(0, NULL, run(B " plan bad bad.yaml"));
  for (unsigned i = 0; i < 3; i++) {
    char blk[64];
    snprintf(blk, sizeof blk, "bad-%s.bin", names[i]);
    write_block(blk);
  }
  expect(0, NULL, run(B " commit bad alice bad-alice.bin"));
  expect(0, NULL, run(B " commit bad bob bad-bob.bin"));
  /* Missing participant: carol has not committed. */
  expect(1, "reveal refused: 'carol' has not committed yet; every commitment "
            "must be in before anyone reveals",
         run(B " reveal bad alice bad-alice.bin"));
  expect(1, "'alice' has already committed; a commitment cannot be changed",
         run(B " commit bad alice bad-bob.bin"));
  expect(1, "'mallory' is not a participant of ceremony bad-id",
         run(B " commit bad mallory bad-bob.bin"));
  expect(0, NULL, run(B " commit bad carol bad-carol.bin"));
  /* Mismatch: bob hands over alice's block (an injection attempt). */
  expect(1, "reveal mismatch: the block from 'bob' (bad-alice.bin) does not "
            "match their commitment",
         run(B " reveal bad bob bad-alice.bin"));
  expect(0, NULL, run(B " reveal bad alice bad-alice.bin"));
  /* Late commit: a new block after a reveal is refused. */
  expect(1, "late commit: 'carol' commits after reveals have begun",
         run("rm -f bad/x; " B " commit bad carol bad-alice.bin"));
  expect(0, NULL, run(B " reveal bad bob bad-bob.bin"));
  expect(1, "generate: participant 'carol' has not revealed their block",
         run(B " generate bad"));
  expect(0, NULL, run(B " reveal bad carol bad-carol.bin"));
  expect(1, "ceremony bad-id makes a self-signed top-level root; --top does "
            "not apply",
         run(B " generate bad --top top"));
  expect(1, "not finished: no key was generated", run(B " verify bad"));
  expect(0, "generated", run(B " generate bad"));
  expect(1, "already generated its key", run(B " generate bad"));
  expect(0, "verified", run(B " verify bad"));
}

static void test_share_refusals(void **state) {
  (void)state;
  expect(1, "too few shares: 1 given, ceremony top-id needs 2; the key stays "
            "locked",
         run(B " verify top --share top/shares/alice.share"));
  expect(1, "share 1 ('alice') was given twice",
         run(B " verify top --share top/shares/alice.share --share "
               "top/shares/alice.share"));
  /* One mistyped digit. */
  expect(1, "bad.share: checksum mismatch: share 3 of 'carol' was mistyped "
            "or corrupted; compare it with the paper copy",
         run("printf 'correct horse battery' > top.pass && chmod 600 top.pass "
             "&& sed '5s/data: 0/data: 1/;t;5s/data: ./data: 0/' "
             "top/shares/carol.share > bad.share && ! cmp -s bad.share "
             "top/shares/carol.share && " B " recover top --share "
             "top/shares/alice.share --share bad.share --out x.key "
             "--passphrase-file top.pass"));
  expect(1, NULL, run("test -e x.key"));
  expect(1, "share is for ceremony srv-id, not top-id",
         run(B " verify top --share srv/shares/alice.share --share "
               "top/shares/bob.share"));
  /* The sub-root ceremony again, just before generate. */
  expect(0, NULL, run("rm -rf s3 && cp -r srv s3 && head -n 11 srv/journal.txt "
                      "> s3/journal.txt"));
  expect(1, "ceremony srv-id makes a subroot: give --top DIR and the "
            "top-level root's escrow shares",
         run(B " generate s3"));
  expect(1, "too few shares: 1 given, ceremony top-id needs 2",
         run(B " generate s3 --top top --share top/shares/bob.share"));
  expect(1, "t2/cert.pem: missing, or not the certificate the top-level "
            "ceremony's journal recorded",
         run("rm -rf t2 && cp -r top t2 && cp srv/cert.pem t2/cert.pem && " B
             " generate s3 --top t2 --share top/shares/bob.share --share "
             "top/shares/alice.share"));
  expect(1, "passphrase file must not be readable by group or others",
         run("printf 'long enough passphrase' > loose.pass && chmod 644 "
             "loose.pass && " B " recover top --share top/shares/alice.share "
             "--share top/shares/bob.share --out y.key --passphrase-file "
             "loose.pass"));
}

static void test_tampering(void **state) {
  (void)state;
  expect(0, NULL, run("rm -rf t && cp -r top t && " B " transcript t"));
  expect(0, "Journal head", run("cat t/transcript.md"));
  assert_non_null(strstr(out, "- [ ] Root was securely installed on signing "
                              "machine."));
  expect(0, "\"journal_head\"", run("cat t/transcript.json"));
  /* An edited transcript. */
  expect(1, "t/transcript.md: does not match the journal: edited after "
            "`transcript` wrote it",
         run("sed -i 's/| alice | board/| alice | observer/' "
             "t/transcript.md && " B " verify t"));
  /* An edited commitment in the journal. */
  expect(1, "t/journal.txt:2: record hash does not match its contents: the "
            "journal was tampered with",
         run(B " transcript t >/dev/null; sed -i '2s/commitment=\\(.\\)./"
               "commitment=\\1x/' t/journal.txt; " B " verify t"));
  /* The same edit makes every step refuse to extend the journal. */
  expect(1, "record hash does not match", run(B " transcript t"));
  /* A replaced block. */
  expect(1, "t/reveal/bob.block: block of 'bob' no longer matches their "
            "commitment",
         run("rm -rf t && cp -r top t && cp top-alice.bin t/reveal/bob.block "
             "&& " B " verify t"));
  /* A replaced certificate. */
  expect(1, "t/cert.pem: fingerprint",
         run("rm -rf t && cp -r top t && cp ed/cert.pem t/cert.pem && " B
             " verify t"));
  /* A swapped plan. */
  expect(1, "t/plan.yaml: SHA-256",
         run("rm -rf t && cp -r top t && sed -i 's/days: 3650/days: 3651/' "
             "t/plan.yaml && " B " verify t"));
  /* The record copy an auditor keeps: blocks and shares destroyed. */
  expect(0, "commitments before reveals (blocks scrubbed, not re-hashed)",
         run("rm -rf t && mkdir t && cp top/plan.yaml top/software.txt "
             "top/journal.txt top/cert.pem top/pubkey.pem top/escrow.enc t/ "
             "&& " B " verify t --scrubbed"));
  expect(1, "t/reveal/alice.block: No such file or directory",
         run(B " verify t"));
  /* A plan edited mid-ceremony stops every later step. */
  expect(1, "t/plan.yaml: changed since `plan` recorded it",
         run("rm -rf t && cp -r bad t && sed -i 's/role: observer/role: "
             "board/' t/plan.yaml && " B " transcript t"));
  /* Only the binary everyone checked at plan time runs the steps. */
  expect(1, "is not the binary recorded and checked at plan time",
         run("rm -rf t && cp -r srv t && head -n 11 srv/journal.txt > "
             "t/journal.txt && cp " B " other-build && printf x >> "
             "other-build && ./other-build generate t --top top --share "
             "top/shares/alice.share --share top/shares/bob.share"));
  /* The head written on the signed paper. */
  expect(1, "differs from the one on paper",
         run("rm -rf t && cp -r top t && " B " verify t --head "
             "00000000000000000000000000000000000000000000000000000000000000"
             "00"));
}

/* The bonus of the issue: Debian's ssss-combine restores the escrow key
 * from our paper shares (the 64 digits of the two data lines), and the
 * escrow format opens with an independent implementation. */
static void test_ssss_interop(void **state) {
  (void)state;
  if (run("command -v ssss-combine && python3 -c 'import cryptography'") != 0)
    skip();
  static const char *const pairs[][2] = {{"alice", "carol"}, {"bob", "carol"},
                                         {"alice", "bob"}};
  for (int p = 0; p < 3; p++) {
    expect(0, NULL,
           run("for h in %s %s; do x=$(sed -n 's/^share: \\([0-9]*\\) .*/\\1/p' "
               "top/shares/$h.share); d=$(sed -n 's/^data: //p' "
               "top/shares/$h.share | tr -d ' \\n'); echo \"$x-$d\"; done "
               "| ssss-combine -t 2 -x -D -Q 2>&1 | grep -o "
               "'[0-9a-f]\\{64\\}' | tail -n 1 > kek.hex && test -s kek.hex && "
               "python3 " RINGCA_SOURCE_DIR "/ceremony/open_escrow.py "
               "top/escrow.enc top-id kek.hex > ssss.key && "
               "openssl pkey -in ssss.key -pubout > ssss.pub && "
               "openssl x509 -in top/cert.pem -noout -pubkey | cmp - ssss.pub",
               pairs[p][0], pairs[p][1]));
  }
  /* One share alone gives ssss a different key, which does not open it. */
  expect(1, "InvalidTag",
         run("x=$(sed -n 's/^data: //p' top/shares/bob.share | tr -d ' \\n'); "
             "printf '2-%%s\\n3-%%s\\n' $x $x | ssss-combine -t 2 -x -D -Q "
             "2>&1 | grep -o '[0-9a-f]\\{64\\}' | tail -n 1 > bad.hex; python3 "
             RINGCA_SOURCE_DIR "/ceremony/open_escrow.py top/escrow.enc "
             "top-id bad.hex"));
}

static void test_help_and_checklist(void **state) {
  (void)state;
  expect(0, "exit status: 0 done; 1 refused", run(B " --help"));
  expect(2, "unknown command", run(B " frobnicate"));
  expect(0, "[ ] Memories of the machine and of every USB stick scrubbed",
         run(B " checklist top"));
  assert_non_null(strstr(out, "  alice (board)\n    [ ] own laptop hash of "
                              "the OS CD matches the approved one"));
  assert_null(strstr(out, "De-escrow"));
  expect(0, "De-escrow of the top-level root\n  [ ] Top-level root's escrow "
            "holders present",
         run(B " checklist srv"));
  assert_non_null(strstr(out, "  erin (sysadmin)\n"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_root_3),
      cmocka_unit_test(test_subroot_5_server),
      cmocka_unit_test(test_root_5_and_client_subroot_3),
      cmocka_unit_test(test_subroot_outliving_top),
      cmocka_unit_test(test_plan_minimums),
      cmocka_unit_test(test_commit_reveal_refusals),
      cmocka_unit_test(test_share_refusals),
      cmocka_unit_test(test_tampering),
      cmocka_unit_test(test_ssss_interop),
      cmocka_unit_test(test_help_and_checklist),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
