/* The spool under crashes and hostile files: kill -9 at every step, restart,
 * and nothing is lost, nothing is issued twice, a repeat gets the same
 * certificate. Also the audit log's tamper detection. */
#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ringca/audit.h"
#include "ringca/error.h"
#include "ringca/fileio.h"
#include "ringca/intake.h"
#include "ringca/pb.h"
#include "ringca/spool_signer.h"
#include "testkit.h"

static char dir[4096], cadir[4200];
static struct rc_policy pol;
static struct rc_ca ca;
static struct rc_prng prng;
static struct rc_rng rng;
static uint64_t now_ms;

static uint64_t test_clock(void *ctx) {
  (void)ctx;
  return now_ms;
}

static int setup(void **state) {
  (void)state;
  tk_tmpdir(dir);
  now_ms = (uint64_t)time(NULL) * 1000u;
  rc_policy_default(&pol);
  rc_prng_seed(&prng, 11);
  rng = rc_prng_as_rng(&prng);
  static const char *const names[] = {"server", "client"};
  char err[256];
  snprintf(cadir, sizeof cadir, "%s/ca", dir);
  if (rc_ca_create_dev(cadir, names, 2, "pw", now_ms / 1000, &rng) ||
      rc_ca_load(&ca, cadir, &pol, "pw", err, sizeof err))
    return -1;
  return 0;
}

static int teardown(void **state) {
  (void)state;
  rc_ca_free(&ca);
  tk_rmrf(dir);
  return 0;
}

/* A fresh spool + audit log under dir/name. */
static void fresh(const char *name, char *spool, char *log) {
  snprintf(spool, 4200, "%s/%s/spool", dir, name);
  snprintf(log, 4200, "%s/%s/audit.log", dir, name);
  assert_int_equal(rc_spool_init(spool), 0);
}

static void submit(const char *spool, const char *host, uint8_t id[16],
                   uint64_t deadline) {
  char san[128];
  snprintf(san, sizeof san, "DNS:%s", host);
  struct tk_csr o = {.san = san};
  size_t len;
  uint8_t *der = tk_csr_der(tk_key("p256"), &o, &len);
  struct rc_intake_request req;
  struct rc_refusal why;
  assert_int_equal(rc_intake_build(&pol, "server", der, len, 0, "fe1", now_ms,
                                   deadline, &rng, &req, &why), 0);
  assert_int_equal(rc_spool_submit(spool, &req.spool), 0);
  memcpy(id, req.request_id, 16);
  rc_intake_free(&req);
  free(der);
}

struct crash_at {
  const char *step;
  int nth; /* crash at the nth time this step is reached */
};

static void crash_hook(const char *step, void *ctx) {
  struct crash_at *c = ctx;
  if (c && !strcmp(step, c->step) && --c->nth == 0)
    raise(SIGKILL);
}

static int run(const char *spool, const char *log, struct crash_at *crash,
               struct rc_spool_stats *st) {
  struct rc_audit *audit;
  size_t repaired;
  char err[512];
  int rc = rc_audit_open(log, &audit, &repaired, err, sizeof err);
  if (rc) {
    fprintf(stderr, "%s\n", err);
    return rc;
  }
  struct rc_spool_signer s = {.dir = spool, .policy = &pol, .ca = &ca,
                              .audit = audit, .rng = &rng,
                              .now_ms = test_clock,
                              .crash_point = crash ? crash_hook : NULL,
                              .crash_ctx = crash};
  struct rc_spool_stats local;
  rc = rc_spool_run_once(&s, st ? st : &local);
  rc_audit_close(audit);
  return rc;
}

/* Runs the signer in a child that SIGKILLs itself at the crash point. */
static void run_and_crash(const char *spool, const char *log,
                          struct crash_at crash) {
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    run(spool, log, &crash, NULL);
    _exit(0);
  }
  int status;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
    fail_msg("child did not reach crash point %s", crash.step);
}

static size_t count(const char *spool, const char *sub) {
  char path[4300];
  snprintf(path, sizeof path, "%s/%s", spool, sub);
  DIR *d = opendir(path);
  size_t n = 0;
  struct dirent *e;
  while (d && (e = readdir(d)) != NULL)
    if (e->d_name[0] != '.' && !strstr(e->d_name, ".tmp."))
      n++;
  if (d)
    closedir(d);
  return n;
}

static Ringca__SpoolReply *take(const char *spool, const uint8_t *id) {
  Ringca__SpoolReply *rep = NULL;
  assert_int_equal(rc_spool_take_reply(spool, id, &rep), 0);
  return rep;
}

static void test_happy_and_idempotent(void **state) {
  (void)state;
  char spool[4200], log[4200];
  fresh("happy", spool, log);
  uint8_t ids[3][16];
  for (int i = 0; i < 3; i++) {
    char host[64];
    snprintf(host, sizeof host, "h%d.example.org", i);
    submit(spool, host, ids[i], 0);
  }
  struct rc_spool_stats st;
  assert_int_equal(run(spool, log, NULL, &st), 0);
  assert_int_equal(st.issued, 3);
  assert_int_equal(count(spool, "processing"), 0);
  assert_int_equal(count(spool, "done"), 3);
  Ringca__SpoolReply *first = take(spool, ids[1]);
  assert_int_equal(first->outcome_case, RINGCA__SPOOL_REPLY__OUTCOME_REPLY);
  assert_int_equal(rc_spool_take_reply(spool, ids[1], &(Ringca__SpoolReply *){NULL}),
                   RC_EAGAIN);
  /* The same request again (same id): the same certificate, no new record.
   * Another request drains first so the repeat is not in the same pass. */
  submit(spool, "other.example.org", (uint8_t[16]){0}, 0);
  assert_int_equal(run(spool, log, NULL, &st), 0);
  /* Rebuild the identical request bytes from the intake library. */
  struct rc_intake_request req;
  struct rc_refusal why;
  struct tk_csr o = {.san = "DNS:h1.example.org"};
  size_t len;
  uint8_t *der = tk_csr_der(tk_key("p256"), &o, &len);
  assert_int_equal(rc_intake_build(&pol, "server", der, len, 0, "fe1", now_ms,
                                   0, &rng, &req, &why), 0);
  memcpy(req.request_id, ids[1], 16);
  assert_int_equal(rc_spool_submit(spool, &req.spool), 0);
  rc_intake_free(&req);
  free(der);
  assert_int_equal(run(spool, log, NULL, &st), 0);
  assert_int_equal(st.issued, 0);
  assert_int_equal(st.replayed, 1);
  Ringca__SpoolReply *second = take(spool, ids[1]);
  assert_int_equal(second->reply->certificate_der.len,
                   first->reply->certificate_der.len);
  assert_memory_equal(second->reply->certificate_der.data,
                      first->reply->certificate_der.data,
                      first->reply->certificate_der.len);
  rc_pb_free(&first->base);
  rc_pb_free(&second->base);
  size_t lines;
  char err[512];
  assert_int_equal(rc_audit_verify(log, NULL, &lines, err, sizeof err), 0);
  assert_int_equal(lines, 4);
}

static void test_kill9_at_every_step(void **state) {
  (void)state;
  static const char *const steps[] = {"claimed", "signed", "done-written",
                                      "audited", "outgoing-written",
                                      "finished"};
  for (size_t s = 0; s < 6; s++) {
    for (int nth = 1; nth <= 2; nth++) {
      char spool[4200], log[4200], name[64];
      snprintf(name, sizeof name, "crash-%s-%d", steps[s], nth);
      fresh(name, spool, log);
      uint8_t ids[3][16];
      for (int i = 0; i < 3; i++) {
        char host[64];
        snprintf(host, sizeof host, "c%d.example.org", i);
        submit(spool, host, ids[i], 0);
      }
      run_and_crash(spool, log, (struct crash_at){steps[s], nth});
      /* What the crashed run made durable must survive the restart. */
      char idhex[33], path[4400];
      uint8_t *before = NULL;
      size_t before_len = 0;
      rc_request_id_hex(ids[nth - 1], idhex);
      snprintf(path, sizeof path, "%s/done/%s.reply", spool, idhex);
      rc_file_read(path, RC_SPOOL_REPLY_MAX, &before, &before_len);
      assert_int_equal(run(spool, log, NULL, NULL), 0);
      assert_int_equal(count(spool, "incoming"), 0);
      assert_int_equal(count(spool, "processing"), 0);
      assert_int_equal(count(spool, "done"), 3);
      for (int i = 0; i < 3; i++) {
        Ringca__SpoolReply *rep = take(spool, ids[i]);
        assert_int_equal(rep->outcome_case,
                         RINGCA__SPOOL_REPLY__OUTCOME_REPLY);
        rc_pb_free(&rep->base);
      }
      if (before) {
        uint8_t *after;
        size_t after_len;
        assert_int_equal(rc_file_read(path, RC_SPOOL_REPLY_MAX, &after,
                                      &after_len), 0);
        assert_int_equal(after_len, before_len);
        assert_memory_equal(after, before, before_len);
        free(after);
        free(before);
      }
      /* Exactly one audit record per request: never issued twice. */
      size_t lines;
      char err[512];
      assert_int_equal(rc_audit_verify(log, NULL, &lines, err, sizeof err),
                       0);
      assert_int_equal(lines, 3);
    }
  }
}

static void test_torn_audit_append(void **state) {
  (void)state;
  char spool[4200], log[4200];
  fresh("torn", spool, log);
  uint8_t id[16];
  submit(spool, "t.example.org", id, 0);
  /* Crash right after done/ is written, then tear the log as a crash in
   * the middle of the append would. */
  run_and_crash(spool, log, (struct crash_at){"done-written", 1});
  FILE *f = fopen(log, "a");
  fputs("{\"seq\":0,\"prev\":\"00", f);
  fclose(f);
  char err[512];
  size_t lines;
  assert_int_equal(rc_audit_verify(log, NULL, &lines, err, sizeof err),
                   RC_EMALFORMED);
  assert_non_null(strstr(err, "incomplete"));
  assert_int_equal(run(spool, log, NULL, NULL), 0);
  assert_int_equal(rc_audit_verify(log, NULL, &lines, err, sizeof err), 0);
  assert_int_equal(lines, 1);
  Ringca__SpoolReply *rep = take(spool, id);
  rc_pb_free(&rep->base);
}

static void test_hostile_files(void **state) {
  (void)state;
  char spool[4200], log[4200], path[4400];
  fresh("hostile", spool, log);
  uint8_t junk_id[16], big_id[16], dead_id[16], wrong_id[16];
  memset(junk_id, 0x11, 16);
  memset(big_id, 0x22, 16);
  memset(wrong_id, 0x33, 16);
  char hex[33];
  rc_request_id_hex(junk_id, hex);
  snprintf(path, sizeof path, "%s/incoming/%s.req", spool, hex);
  tk_write(path, "\x0a\xff\xff\xff\xff\x0f garbage", 15);
  rc_request_id_hex(big_id, hex);
  snprintf(path, sizeof path, "%s/incoming/%s.req", spool, hex);
  uint8_t *big = calloc(1, RC_SPOOL_FILE_MAX + 10);
  tk_write(path, big, RC_SPOOL_FILE_MAX + 10);
  free(big);
  snprintf(path, sizeof path, "%s/incoming/not-a-request", spool);
  tk_write(path, "x", 1);
  submit(spool, "late.example.org", dead_id, now_ms - 1);
  /* A valid request filed under another id. */
  uint8_t real_id[16];
  submit(spool, "w.example.org", real_id, 0);
  char from[4400];
  rc_request_id_hex(real_id, hex);
  snprintf(from, sizeof from, "%s/incoming/%s.req", spool, hex);
  rc_request_id_hex(wrong_id, hex);
  snprintf(path, sizeof path, "%s/incoming/%s.req", spool, hex);
  assert_int_equal(rename(from, path), 0);

  /* A symbolic link to the CA key and a hard link to a readable file: both
   * refused unread (nothing copied to failed/). */
  uint8_t sym_id[16], hard_id[16];
  memset(sym_id, 0x44, 16);
  memset(hard_id, 0x55, 16);
  char target[4400];
  snprintf(target, sizeof target, "%s/server.key", cadir);
  rc_request_id_hex(sym_id, hex);
  snprintf(path, sizeof path, "%s/incoming/%s.req", spool, hex);
  assert_int_equal(symlink(target, path), 0);
  snprintf(target, sizeof target, "%s/hardlink-target", dir);
  tk_write(target, "secret", 6);
  rc_request_id_hex(hard_id, hex);
  snprintf(path, sizeof path, "%s/incoming/%s.req", spool, hex);
  assert_int_equal(link(target, path), 0);

  /* A directory under a request's name. */
  uint8_t dir_id[16];
  memset(dir_id, 0x66, 16);
  rc_request_id_hex(dir_id, hex);
  snprintf(path, sizeof path, "%s/incoming/%s.req", spool, hex);
  assert_int_equal(mkdir(path, 0700), 0);

  struct rc_spool_stats st;
  assert_int_equal(run(spool, log, NULL, &st), 0);
  assert_int_equal(st.refused, 7);
  assert_int_equal(count(spool, "processing"), 0);
  for (int i = 0; i < 2; i++) {
    Ringca__SpoolReply *rep = take(spool, i ? hard_id : sym_id);
    assert_int_equal(rep->outcome_case, RINGCA__SPOOL_REPLY__OUTCOME_REFUSAL);
    assert_non_null(strstr(rep->refusal->message, "single link"));
    rc_pb_free(&rep->base);
  }
  assert_int_equal(st.issued, 0);
  const struct {
    uint8_t *id;
    Ringca__RefusalReason reason;
    const char *needle;
  } want[] = {
      {junk_id, RINGCA__REFUSAL_REASON__REFUSAL_MALFORMED_CSR, "SpoolRequest"},
      {big_id, RINGCA__REFUSAL_REASON__REFUSAL_TOO_LARGE, "larger"},
      {dead_id, RINGCA__REFUSAL_REASON__REFUSAL_DEADLINE, "deadline"},
      {wrong_id, RINGCA__REFUSAL_REASON__REFUSAL_MALFORMED_CSR, "request_id"},
  };
  for (size_t i = 0; i < 4; i++) {
    Ringca__SpoolReply *rep = take(spool, want[i].id);
    assert_int_equal(rep->outcome_case, RINGCA__SPOOL_REPLY__OUTCOME_REFUSAL);
    assert_int_equal(rep->refusal->reason, want[i].reason);
    if (!strstr(rep->refusal->message, want[i].needle))
      fail_msg("%zu: \"%s\"", i, rep->refusal->message);
    assert_int_equal(rc_intake_classify(rep),
                     i == 2 ? RC_INTAKE_TIMEOUT : RC_INTAKE_REFUSED);
    rc_pb_free(&rep->base);
  }
  /* junk bytes, bad name, the directory */
  assert_int_equal(count(spool, "failed"), 3);
}

/* ---- audit log tampering ---- */

static void make_log(const char *log, int n) {
  struct rc_audit *a;
  size_t repaired;
  char err[256];
  assert_int_equal(rc_audit_open(log, &a, &repaired, err, sizeof err), 0);
  for (int i = 0; i < n; i++) {
    uint8_t id[16];
    memset(id, i + 1, 16);
    struct rc_audit_event ev = {.event = i % 2 ? "refuse" : "issue",
                                .request_id = id, .time_ms = 1000u + (uint64_t)i,
                                .origin = "fe1", .profile = "server",
                                .serial_hex = "AB", .subject = "CN=a\"b\\c\n",
                                .reason = "REFUSAL_SAN", .message = "m"};
    assert_int_equal(rc_audit_append(a, &ev), 0);
    assert_true(rc_audit_has(a, id));
  }
  rc_audit_close(a);
}

static char *slurp(const char *path, size_t *len) {
  uint8_t *b;
  assert_int_equal(rc_file_read(path, 1 << 20, &b, len), 0);
  return (char *)b;
}

/* Rewrites the log with line `a` and line `b` (0-based) handled by op. */
static void tamper(const char *log, const char *op, int a, int b) {
  size_t len;
  char *text = slurp(log, &len), *lines[16];
  int n = 0;
  for (char *p = strtok(text, "\n"); p && n < 16; p = strtok(NULL, "\n"))
    lines[n++] = p;
  FILE *f = fopen(log, "w");
  for (int i = 0; i < n; i++) {
    if (!strcmp(op, "delete") && i == a)
      continue;
    if (!strcmp(op, "swap") && (i == a || i == b)) {
      fprintf(f, "%s\n", lines[i == a ? b : a]);
      continue;
    }
    if (!strcmp(op, "edit") && i == a) {
      char *t = strstr(lines[i], "fe1");
      t[2] = '2';
    }
    if (!strcmp(op, "truncate") && i >= a)
      break;
    fprintf(f, "%s\n", lines[i]);
  }
  fclose(f);
  free(text);
}

static void test_audit_tamper(void **state) {
  (void)state;
  static const struct {
    const char *op;
    int a, b;
    const char *needle;
  } cases[] = {{"edit", 1, 0, "prev"},      {"edit", 4, 0, "head"},
               {"delete", 2, 0, "sequence"}, {"delete", 0, 0, "sequence"},
               {"swap", 1, 2, "sequence"},  {"truncate", 3, 0, "truncated"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char log[4300], err[512];
    size_t lines;
    snprintf(log, sizeof log, "%s/audit-%zu.log", dir, i);
    make_log(log, 5);
    assert_int_equal(rc_audit_verify(log, NULL, &lines, err, sizeof err), 0);
    assert_int_equal(lines, 5);
    tamper(log, cases[i].op, cases[i].a, cases[i].b);
    assert_int_equal(rc_audit_verify(log, NULL, &lines, err, sizeof err),
                     RC_EMALFORMED);
    if (!strstr(err, cases[i].needle))
      fail_msg("%s: \"%s\" lacks \"%s\"", cases[i].op, err, cases[i].needle);
    /* The signer refuses to work on a damaged log. */
    struct rc_audit *a;
    size_t repaired;
    assert_int_equal(rc_audit_open(log, &a, &repaired, err, sizeof err),
                     RC_EMALFORMED);
  }
  /* Hostile text is escaped: one record per line, whatever the subject. */
  char log[4300];
  snprintf(log, sizeof log, "%s/audit-escape.log", dir);
  make_log(log, 1);
  size_t len;
  char *text = slurp(log, &len);
  assert_non_null(strstr(text, "CN=a\\\"b\\\\c\\u000a"));
  assert_int_equal(strcspn(text, "\n"), len - 1);
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_happy_and_idempotent),
      cmocka_unit_test(test_kill9_at_every_step),
      cmocka_unit_test(test_torn_audit_append),
      cmocka_unit_test(test_hostile_files),
      cmocka_unit_test(test_audit_tamper),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
