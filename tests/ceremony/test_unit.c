/* Unit tests of the ceremony's building blocks: GF(2^256) arithmetic and
 * Shamir over every subset (checked against shares made by Debian's ssss),
 * the share text format and its checksum, the journal chain, and the
 * plan's refusals (with their file:line:col messages). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ceremony.h"
#include "ringca/error.h"
#include "ringca/rng.h"

static void hex32(const char *h, uint8_t out[CER_SECRET_LEN]) {
  assert_int_equal(cer_unhex(h, out, CER_SECRET_LEN), 0);
}

/* GF(2^256) of ssss: identities, inverses, and the reduction
 * x^255 * x = x^10 + x^5 + x^2 + 1. */
static void test_gf2n(void **state) {
  (void)state;
  struct rc_prng prng;
  rc_prng_seed(&prng, 7);
  struct rc_rng rng = rc_prng_as_rng(&prng);
  uint8_t one[32] = {0}, a[32], b[32], c[32], t[32];
  one[31] = 1;
  for (int i = 0; i < 50; i++) {
    rc_rng_fill(&rng, a, sizeof a);
    rc_rng_fill(&rng, b, sizeof b);
    cer_gf2n_mul(c, a, one);
    assert_memory_equal(c, a, 32);
    cer_gf2n_inv(t, a);
    cer_gf2n_mul(c, a, t);
    assert_memory_equal(c, one, 32);
    cer_gf2n_mul(c, a, b);
    cer_gf2n_mul(t, b, a);
    assert_memory_equal(c, t, 32);
  }
  uint8_t x255[32] = {0x80}, x[32] = {0}, want[32] = {0};
  x[31] = 2;
  want[30] = 0x04, want[31] = 0x25;
  cer_gf2n_mul(c, x255, x);
  assert_memory_equal(c, want, 32);
}

/* Shares made by Debian's `ssss-split -t 2 -n 3 -x -D -s 256` for the
 * secret 0011..eeff 0011..eeff: every pair combines to it. */
static void test_shamir_ssss_vector(void **state) {
  (void)state;
  uint8_t ys[3 * 32], secret[32], want[32], pair[64];
  hex32("10c46aefa3fe344122f61a8ca0e99b7aa3edc526ba4df22f17ffbbee49c42af9", ys);
  hex32("21bbb38a8b03c21adc46cad514b505f447e8ec18b8644ec6b6558810c6ee66f5",
        ys + 32);
  hex32("316efb566ca8902c76297ae278817071e4140b0d467cda9e2933994543f7a2f3",
        ys + 64);
  hex32("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
        want);
  static const uint8_t pairs[3][2] = {{1, 2}, {1, 3}, {2, 3}};
  for (int p = 0; p < 3; p++) {
    memcpy(pair, ys + 32 * (pairs[p][0] - 1), 32);
    memcpy(pair + 32, ys + 32 * (pairs[p][1] - 1), 32);
    assert_int_equal(cer_shamir_combine(2, 2, pairs[p], pair, secret), 0);
    assert_memory_equal(secret, want, 32);
  }
}

/* Every subset of every k-of-n split for n <= 6: at least k shares give the
 * secret back, k - 1 never do. */
static void test_shamir_subsets(void **state) {
  (void)state;
  struct rc_prng prng;
  rc_prng_seed(&prng, 42);
  struct rc_rng rng = rc_prng_as_rng(&prng);
  uint8_t secret[CER_SECRET_LEN], out[CER_SECRET_LEN];
  uint8_t ys[6 * CER_SECRET_LEN], xs[6], sub[6 * CER_SECRET_LEN];
  unsigned checked = 0;
  for (unsigned n = 1; n <= 6; n++)
    for (unsigned k = 1; k <= n; k++) {
      rc_rng_fill(&rng, secret, sizeof secret);
      assert_int_equal(cer_shamir_split(secret, k, n, ys, &rng), 0);
      for (unsigned mask = 1; mask < (1u << n); mask++) {
        unsigned m = 0;
        for (unsigned i = 0; i < n; i++)
          if (mask & (1u << i)) {
            xs[m] = (uint8_t)(i + 1);
            memcpy(sub + m * CER_SECRET_LEN, ys + i * CER_SECRET_LEN,
                   CER_SECRET_LEN);
            m++;
          }
        assert_int_equal(cer_shamir_combine(m, k, xs, sub, out), 0);
        if (m >= k)
          assert_memory_equal(out, secret, sizeof secret);
        else
          assert_memory_not_equal(out, secret, sizeof secret);
        checked++;
      }
    }
  assert_int_equal(checked, 1 + 2 * 3 + 3 * 7 + 4 * 15 + 5 * 31 + 6 * 63);
}

static void test_shamir_refuses(void **state) {
  (void)state;
  uint8_t s[32] = {1, 2, 3, 4}, ys[4 * 32], out[32];
  uint8_t dup[2] = {1, 1}, zero[2] = {0, 1};
  assert_int_equal(cer_shamir_split(s, 3, 2, ys, &rc_rng_system), RC_EINVAL);
  assert_int_equal(cer_shamir_split(s, 0, 2, ys, &rc_rng_system), RC_EINVAL);
  assert_int_equal(cer_shamir_combine(2, 2, dup, ys, out), RC_EINVAL);
  assert_int_equal(cer_shamir_combine(2, 2, zero, ys, out), RC_EINVAL);
}

static struct cer_share sample_share(void) {
  struct cer_share s = {.x = 2, .n = 5, .k = 3};
  strcpy(s.id, "cacert-root-2026");
  strcpy(s.holder, "bob");
  for (unsigned i = 0; i < CER_SECRET_LEN; i++)
    s.y[i] = (uint8_t)(i * 37 + 5);
  return s;
}

static void test_share_roundtrip(void **state) {
  (void)state;
  struct cer_share s = sample_share(), t;
  char text[512], crlf[1024], err[CER_ERR_MAX];
  int n = cer_share_format(&s, text, sizeof text);
  assert_true(n > 0);
  assert_int_equal(cer_share_parse("s", (uint8_t *)text, (size_t)n, &t, err),
                   0);
  assert_string_equal(t.id, s.id);
  assert_string_equal(t.holder, s.holder);
  assert_int_equal(t.x, 2);
  assert_int_equal(t.n, 5);
  assert_int_equal(t.k, 3);
  assert_memory_equal(t.y, s.y, sizeof s.y);
  /* What comes back from a scanner or a Windows editor: CRLF, a note,
   * blank lines, uppercase hex. */
  char up[512];
  memcpy(up, text, (size_t)n);
  for (char *d = up; (d = strstr(d, "data: ")) != NULL; d += 6)
    for (char *c = d + 6; *c != '\n'; c++)
      if (*c >= 'a' && *c <= 'f')
        *c = (char)(*c - 32);
  size_t o = (size_t)snprintf(crlf, sizeof crlf, "# typed in by bob\r\n\r\n");
  for (int i = 0; i < n; i++) {
    if (up[i] == '\n')
      crlf[o++] = '\r';
    crlf[o++] = up[i];
  }
  assert_int_equal(cer_share_parse("s", (uint8_t *)crlf, o, &t, err), 0);
  assert_memory_equal(t.y, s.y, sizeof s.y);
}

/* Any single mistyped hex digit in the data or the check is caught. */
static void test_share_every_typo(void **state) {
  (void)state;
  struct cer_share s = sample_share(), t;
  char text[512], bad[512], err[CER_ERR_MAX];
  int n = cer_share_format(&s, text, sizeof text);
  unsigned typos = 0;
  int first = (int)(strstr(text, "data: ") - text);
  for (int i = first; i < n; i++) {
    char c = text[i];
    int start = i;
    while (start > 0 && text[start - 1] != '\n')
      start--;
    int value = (!strncmp(text + start, "data: ", 6) && i - start >= 6) ||
                (!strncmp(text + start, "check: ", 7) && i - start >= 7);
    if (!value || !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      continue;
    memcpy(bad, text, (size_t)n);
    bad[i] = c == '0' ? '1' : '0';
    assert_int_equal(cer_share_parse("bob.share", (uint8_t *)bad, (size_t)n,
                                     &t, err),
                     RC_EAUTH);
    assert_string_equal(err, "bob.share: checksum mismatch: share 2 of 'bob' "
                             "was mistyped or corrupted; compare it with the "
                             "paper copy");
    typos++;
  }
  assert_int_equal(typos, 64 + 8);
  /* Another holder's name on the same numbers is not that holder's share. */
  char *h = strstr(text, "holder: bob");
  memcpy(h + 8, "bab", 3);
  assert_int_equal(cer_share_parse("x", (uint8_t *)text, (size_t)n, &t, err),
                   RC_EAUTH);
}

static void expect_share_error(const char *text, const char *msg) {
  struct cer_share t;
  char err[CER_ERR_MAX];
  assert_int_not_equal(
      cer_share_parse("f", (const uint8_t *)text, strlen(text), &t, err), 0);
  assert_string_equal(err, msg);
}

static void test_share_malformed(void **state) {
  (void)state;
  expect_share_error("hello\n", "f:1: expected the first line "
                                "'ringca-ceremony escrow share v1'");
  expect_share_error("ringca-ceremony escrow share v1\nceremony: a\n",
                     "f: share is cut off: expected 'holder: <name>'");
  expect_share_error("ringca-ceremony escrow share v1\nceremony: a\nholder: "
                     "b\nshare: 6 of 5, threshold 3\n",
                     "f:4: expected 'share: X of N, threshold K' (1 <= X <= "
                     "N, 2 <= K <= N)");
  expect_share_error("ringca-ceremony escrow share v1\nceremony: a\nholder: "
                     "b\nshare: 1 of 5, threshold 3\ndata: 00\n",
                     "f:5: expected 'data: ' and 32 hex digits (first half "
                     "of the share)");
  expect_share_error("ringca-ceremony escrow share v1\nceremony: ../x\n",
                     "f:2: expected 'ceremony: <id>'");
}

static char tmpdir[64];

static int make_tmp(void **state) {
  (void)state;
  strcpy(tmpdir, "/tmp/ringca-cer-unit-XXXXXX");
  return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmp(void **state) {
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  return system(cmd) == 0 ? 0 : -1;
}

static void test_journal_chain(void **state) {
  (void)state;
  char err[CER_ERR_MAX], path[256];
  static struct cer_journal j;
  assert_int_equal(cer_journal_append(tmpdir, "step=plan id=x", err), 0);
  assert_int_equal(cer_journal_append(tmpdir, "step=commit name=a "
                                              "commitment=00ff",
                                      err),
                   0);
  assert_int_equal(cer_journal_load(tmpdir, &j, err), 0);
  assert_int_equal(j.n, 2);
  assert_string_equal(cer_rec_get(&j.rec[1], "name"), "a");
  assert_string_equal(j.head, cer_rec_get(&j.rec[1], "hash"));
  snprintf(path, sizeof path, "%s/journal.txt", tmpdir);
  FILE *f = fopen(path, "r");
  char text[2048];
  size_t n = fread(text, 1, sizeof text, f);
  fclose(f);
  /* Edit the commitment of record 2. */
  char *c = strstr(text, "commitment=00ff");
  c[11] = '1';
  assert_int_equal(cer_journal_parse("journal.txt", (uint8_t *)text, n, &j,
                                     err),
                   RC_EAUTH);
  assert_string_equal(err, "journal.txt:2: record hash does not match its "
                           "contents: the journal was tampered with");
  c[11] = '0';
  /* Drop record 1: record 2's prev no longer chains. */
  char *second = strchr(text, '\n') + 1;
  assert_int_equal(cer_journal_parse("journal.txt", (uint8_t *)second,
                                     n - (size_t)(second - text), &j, err),
                   RC_EMALFORMED);
  assert_string_equal(err, "journal.txt:1: expected seq=1 first");
  /* A cut-off last record. */
  assert_int_equal(cer_journal_parse("journal.txt", (uint8_t *)text, n - 1,
                                     &j, err),
                   RC_EMALFORMED);
  assert_string_equal(err, "journal.txt:2: last record is cut off (no "
                           "newline)");
}

#define PLAN_HEAD                                                          \
  "id: test-root\n"                                                        \
  "kind: root\n"                                                           \
  "key: ec-p256\n"                                                         \
  "subject: \"/C=AU/O=CAcert Inc./CN=Test Root\"\n"                        \
  "days: 3650\n"                                                           \
  "escrow_threshold: 2\n"                                                  \
  "participants:\n"
#define ALICE "  - {name: alice, role: board}\n"
#define BOB "  - {name: bob, role: sysadmin}\n"
#define CAROL "  - {name: carol, role: observer, escrow: false}\n"

static const char plan_ok[] = PLAN_HEAD ALICE BOB CAROL;

static void expect_plan(const char *text, int rc, const char *msg) {
  static struct cer_plan p;
  char err[CER_ERR_MAX] = "";
  assert_int_equal(
      cer_plan_parse("plan.yaml", (const uint8_t *)text, strlen(text), &p, err),
      rc);
  if (msg)
    assert_string_equal(err, msg);
}

/* Replaces the first `from` in plan_ok by `to`. */
static void expect_edit(const char *from, const char *to, const char *msg) {
  char buf[1024];
  const char *at = strstr(plan_ok, from);
  assert_non_null(at);
  snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - plan_ok), plan_ok, to,
           at + strlen(from));
  expect_plan(buf, RC_EMALFORMED, msg);
}

static void test_plan(void **state) {
  (void)state;
  static struct cer_plan p;
  char err[CER_ERR_MAX];
  assert_int_equal(cer_plan_parse("plan.yaml", (const uint8_t *)plan_ok,
                                  strlen(plan_ok), &p, err),
                   0);
  assert_int_equal(p.n, 3);
  assert_int_equal(p.p[2].escrow, 0);
  assert_int_equal(p.threshold, 2);
  expect_plan(PLAN_HEAD ALICE BOB, RC_EMALFORMED,
              "plan.yaml:8:3: participants: 2 listed, a ceremony needs at "
              "least 3 people");
  expect_plan(PLAN_HEAD BOB CAROL "  - {name: dave, role: observer}\n",
              RC_EMALFORMED,
              "plan.yaml:8:3: participants: no board member (role: board); "
              "one must oversee and report");
  expect_edit("role: sysadmin", "role: observer",
              "plan.yaml:8:3: participants: no sysadmin (role: sysadmin); "
              "one must drive the software");
  expect_edit("escrow_threshold: 2", "escrow_threshold: 3",
              "plan.yaml:6:19: escrow_threshold: 3 is more than the 2 escrow "
              "holders");
  expect_plan(PLAN_HEAD ALICE BOB CAROL "  - {name: bob, role: board}\n",
              RC_EMALFORMED,
              "plan.yaml:11:5: participant 'bob' is listed twice");
  expect_plan(PLAN_HEAD ALICE BOB CAROL "colour: blue\n", RC_EMALFORMED,
              "plan.yaml:11:1: unknown key 'colour' (id, kind, profile, key, "
              "subject, days, escrow_threshold, participants)");
  /* "bob\0x" would read as "bob" to the code, not to the reviewer. */
  expect_edit("name: bob", "name: \"bob\\0x\"",
              "plan.yaml:9:12: a value holds a NUL byte");
  expect_edit("role: board", "role: king",
              "plan.yaml:8:25: role: expected board, sysadmin or observer");
  expect_edit("kind: root", "kind: subroot",
              "plan.yaml:1:1: profile: a subroot needs profile client or "
              "server");
  expect_edit("ec-p256", "dsa-512",
              "plan.yaml:3:6: key: 'dsa-512' is not one of ec-p256, ec-p384, "
              "ec-p521, rsa-3072, rsa-4096, ed25519");
  expect_edit("days: 3650", "days: 0",
              "plan.yaml:5:7: days: expected a number from 1 to 36525, got "
              "'0'");
  expect_edit("/C=AU", "C=AU",
              "plan.yaml:4:10: subject: 'C=AU/O=CAcert Inc./CN=Test Root' is "
              "not of the form /C=AU/O=.../CN=...");
  expect_edit("name: alice", "name: ../alice",
              "plan.yaml:8:12: name: '../alice' must be 1-32 of A-Z a-z 0-9 . "
              "_ - (it names files on the USB sticks)");
  expect_plan("kind: root\n", RC_EMALFORMED,
              "plan.yaml:1:1: missing required key 'id'");
  expect_plan("id: [\n", RC_EMALFORMED, NULL);
  expect_plan("", RC_EMALFORMED, "plan.yaml:1:1: the plan is empty");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_gf2n),
      cmocka_unit_test(test_shamir_ssss_vector),
      cmocka_unit_test(test_shamir_subsets),
      cmocka_unit_test(test_shamir_refuses),
      cmocka_unit_test(test_share_roundtrip),
      cmocka_unit_test(test_share_every_typo),
      cmocka_unit_test(test_share_malformed),
      cmocka_unit_test_setup_teardown(test_journal_chain, make_tmp,
                                      remove_tmp),
      cmocka_unit_test(test_plan),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
