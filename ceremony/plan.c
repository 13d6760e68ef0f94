/* The plan: who takes part, in which role, and what root comes out.
 * The team leader writes plan.yaml; `plan` checks it against the seed's
 * minimums (3 people, a board member, a sysadmin), copies it into the
 * ceremony directory and records the exact software in use. */
#include "ceremony.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <yaml.h>

#include "ringca/error.h"
#include "ringca/fileio.h"
#include "ringca/yamlscan.h"

struct ctx {
  const char *fname;
  yaml_document_t *doc;
  char *err;
};

static int fail(struct ctx *c, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct ctx *c, const yaml_node_t *n, const char *fmt, ...) {
  char msg[CER_ERR_MAX - 64];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  cer_errf(c->err, "%s:%zu:%zu: %s", c->fname, n->start_mark.line + 1,
           n->start_mark.column + 1, msg);
  return RC_EMALFORMED;
}

static const char *scalar(const yaml_node_t *n) {
  return n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value
                                     : NULL;
}

static int get_string(struct ctx *c, const char *key, const yaml_node_t *v,
                      char *out, size_t cap) {
  const char *s = scalar(v);
  if (!s)
    return fail(c, v, "%s: expected a string", key);
  if (strlen(s) >= cap)
    return fail(c, v, "%s: longer than %zu characters", key, cap - 1);
  memcpy(out, s, strlen(s) + 1);
  return 0;
}

static int get_long(struct ctx *c, const char *key, const yaml_node_t *v,
                    long lo, long hi, long *out) {
  const char *s = scalar(v);
  char *end;
  if (!s || !*s)
    return fail(c, v, "%s: expected a number", key);
  errno = 0;
  long x = strtol(s, &end, 10);
  if (*end || errno || x < lo || x > hi)
    return fail(c, v, "%s: expected a number from %ld to %ld, got '%s'", key,
                lo, hi, s);
  *out = x;
  return 0;
}

static int get_bool(struct ctx *c, const char *key, const yaml_node_t *v,
                    int *out) {
  const char *s = scalar(v);
  if (s && (!strcmp(s, "true") || !strcmp(s, "yes")))
    *out = 1;
  else if (s && (!strcmp(s, "false") || !strcmp(s, "no")))
    *out = 0;
  else
    return fail(c, v, "%s: expected true or false", key);
  return 0;
}

static int parse_participant(struct ctx *c, const yaml_node_t *m,
                             struct cer_participant *p) {
  if (m->type != YAML_MAPPING_NODE)
    return fail(c, m, "participants: each entry must be a mapping with name "
                      "and role");
  int have_name = 0, have_role = 0, rc;
  p->escrow = 1;
  for (yaml_node_pair_t *pr = m->data.mapping.pairs.start;
       pr < m->data.mapping.pairs.top; pr++) {
    yaml_node_t *k = yaml_document_get_node(c->doc, pr->key);
    yaml_node_t *v = yaml_document_get_node(c->doc, pr->value);
    const char *key = scalar(k);
    if (!key)
      return fail(c, k, "participant keys must be plain names");
    if (!strcmp(key, "name")) {
      if ((rc = get_string(c, "name", v, p->name, sizeof p->name)))
        return rc;
      if (!cer_valid_token(p->name, CER_NAME_MAX))
        return fail(c, v, "name: '%s' must be 1-%d of A-Z a-z 0-9 . _ - "
                          "(it names files on the USB sticks)",
                    p->name, CER_NAME_MAX);
      have_name = 1;
    } else if (!strcmp(key, "role")) {
      const char *r = scalar(v);
      if (r && !strcmp(r, "board"))
        p->role = CER_ROLE_BOARD;
      else if (r && !strcmp(r, "sysadmin"))
        p->role = CER_ROLE_SYSADMIN;
      else if (r && !strcmp(r, "observer"))
        p->role = CER_ROLE_OBSERVER;
      else
        return fail(c, v, "role: expected board, sysadmin or observer");
      have_role = 1;
    } else if (!strcmp(key, "escrow")) {
      if ((rc = get_bool(c, "escrow", v, &p->escrow)))
        return rc;
    } else {
      return fail(c, k, "unknown participant key '%s' (name, role, escrow)",
                  key);
    }
  }
  if (!have_name)
    return fail(c, m, "participant without a name");
  if (!have_role)
    return fail(c, m, "participant '%s' has no role", p->name);
  return 0;
}

static int parse_participants(struct ctx *c, const yaml_node_t *seq,
                              struct cer_plan *plan) {
  if (seq->type != YAML_SEQUENCE_NODE)
    return fail(c, seq, "participants: expected a list");
  for (yaml_node_item_t *it = seq->data.sequence.items.start;
       it < seq->data.sequence.items.top; it++) {
    yaml_node_t *m = yaml_document_get_node(c->doc, *it);
    if (plan->n == CER_PARTICIPANTS_MAX)
      return fail(c, m, "participants: more than %d", CER_PARTICIPANTS_MAX);
    struct cer_participant *p = &plan->p[plan->n];
    int rc = parse_participant(c, m, p);
    if (rc)
      return rc;
    if (cer_plan_find(plan, p->name) >= 0)
      return fail(c, m, "participant '%s' is listed twice", p->name);
    plan->n++;
  }
  return 0;
}

static const char *const key_types[] = {"ec-p256", "ec-p384", "ec-p521",
                                        "rsa-3072", "rsa-4096", "ed25519"};

static int parse_field(struct ctx *c, const char *key, const yaml_node_t *k,
                       const yaml_node_t *v, struct cer_plan *plan,
                       const yaml_node_t **parts, const yaml_node_t **thr) {
  int rc = 0;
  char buf[32];
  if (!strcmp(key, "id")) {
    if ((rc = get_string(c, key, v, plan->id, sizeof plan->id)))
      return rc;
    if (!cer_valid_token(plan->id, CER_ID_MAX))
      return fail(c, v, "id: '%s' must be 1-%d of A-Z a-z 0-9 . _ -",
                  plan->id, CER_ID_MAX);
  } else if (!strcmp(key, "kind")) {
    if ((rc = get_string(c, key, v, buf, sizeof buf)))
      return rc;
    if (!strcmp(buf, "root"))
      plan->kind = CER_KIND_ROOT;
    else if (!strcmp(buf, "subroot"))
      plan->kind = CER_KIND_SUBROOT;
    else
      return fail(c, v, "kind: expected root or subroot, got '%s'", buf);
  } else if (!strcmp(key, "profile")) {
    if ((rc = get_string(c, key, v, buf, sizeof buf)))
      return rc;
    if (!strcmp(buf, "client"))
      plan->profile = CER_PROFILE_CLIENT;
    else if (!strcmp(buf, "server"))
      plan->profile = CER_PROFILE_SERVER;
    else
      return fail(c, v, "profile: expected client or server, got '%s'", buf);
  } else if (!strcmp(key, "key")) {
    if ((rc = get_string(c, key, v, plan->key_type, sizeof plan->key_type)))
      return fail(c, v, "key: expected one of ec-p256, ec-p384, ec-p521, "
                        "rsa-3072, rsa-4096, ed25519");
    for (size_t i = 0; i < sizeof key_types / sizeof *key_types; i++)
      if (!strcmp(plan->key_type, key_types[i]))
        return 0;
    return fail(c, v, "key: '%s' is not one of ec-p256, ec-p384, ec-p521, "
                      "rsa-3072, rsa-4096, ed25519",
                plan->key_type);
  } else if (!strcmp(key, "subject")) {
    if ((rc = get_string(c, key, v, plan->subject, sizeof plan->subject)))
      return rc;
    X509_NAME *nm = cer_subject_parse(plan->subject);
    if (!nm)
      return fail(c, v, "subject: '%s' is not of the form /C=AU/O=.../CN=...",
                  plan->subject);
    X509_NAME_free(nm);
  } else if (!strcmp(key, "days")) {
    return get_long(c, key, v, 1, CER_DAYS_MAX, &plan->days);
  } else if (!strcmp(key, "escrow_threshold")) {
    long t;
    if ((rc = get_long(c, key, v, 2, CER_PARTICIPANTS_MAX, &t)))
      return rc;
    plan->threshold = (unsigned)t;
    *thr = v;
  } else if (!strcmp(key, "participants")) {
    *parts = v;
    return parse_participants(c, v, plan);
  } else {
    return fail(c, k, "unknown key '%s' (id, kind, profile, key, subject, "
                      "days, escrow_threshold, participants)",
                key);
  }
  return rc;
}

/* The seed: "for any root, 3 is minimum", "always need one board member to
 * oversee and report", "always need at least one sysadm to drive the
 * software". */
static int check_minimums(struct ctx *c, const yaml_node_t *parts,
                          const yaml_node_t *thr, struct cer_plan *plan) {
  unsigned board = 0, sysadmin = 0, holders = 0;
  for (unsigned i = 0; i < plan->n; i++) {
    board += plan->p[i].role == CER_ROLE_BOARD;
    sysadmin += plan->p[i].role == CER_ROLE_SYSADMIN;
    holders += plan->p[i].escrow != 0;
  }
  if (plan->n < CER_MIN_PARTICIPANTS)
    return fail(c, parts, "participants: %u listed, a ceremony needs at "
                          "least %d people",
                plan->n, CER_MIN_PARTICIPANTS);
  if (!board)
    return fail(c, parts, "participants: no board member (role: board); one "
                          "must oversee and report");
  if (!sysadmin)
    return fail(c, parts, "participants: no sysadmin (role: sysadmin); one "
                          "must drive the software");
  if (plan->threshold > holders)
    return fail(c, thr, "escrow_threshold: %u is more than the %u escrow "
                        "holders",
                plan->threshold, holders);
  return 0;
}

static int parse_root(struct ctx *c, const yaml_node_t *root,
                      struct cer_plan *plan) {
  const yaml_node_t *parts = NULL, *thr = NULL;
  static const char *const required[] = {"id", "kind", "key", "subject",
                                         "days", "escrow_threshold",
                                         "participants"};
  unsigned seen = 0;
  int rc;
  if (root->type != YAML_MAPPING_NODE)
    return fail(c, root, "the plan must be a mapping (id: ..., kind: ...)");
  for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
       pr < root->data.mapping.pairs.top; pr++) {
    yaml_node_t *k = yaml_document_get_node(c->doc, pr->key);
    yaml_node_t *v = yaml_document_get_node(c->doc, pr->value);
    const char *key = scalar(k);
    if (!key)
      return fail(c, k, "keys must be plain names");
    for (unsigned i = 0; i < 7; i++)
      if (!strcmp(key, required[i])) {
        if (seen & (1u << i))
          return fail(c, k, "'%s' given twice", key);
        seen |= 1u << i;
      }
    if ((rc = parse_field(c, key, k, v, plan, &parts, &thr)))
      return rc;
  }
  for (unsigned i = 0; i < 7; i++)
    if (!(seen & (1u << i)))
      return fail(c, root, "missing required key '%s'", required[i]);
  if (plan->kind == CER_KIND_SUBROOT && plan->profile == CER_PROFILE_NONE)
    return fail(c, root, "profile: a subroot needs profile client or server");
  if (plan->kind == CER_KIND_ROOT && plan->profile != CER_PROFILE_NONE)
    return fail(c, root, "profile: only a subroot has a profile");
  return check_minimums(c, parts, thr, plan);
}

int cer_plan_parse(const char *fname, const uint8_t *buf, size_t len,
                   struct cer_plan *out, char *err) {
  yaml_parser_t parser;
  yaml_document_t doc;
  struct ctx c = {fname, &doc, err};
  int rc;
  memset(out, 0, sizeof *out);
  if (len > CER_PLAN_FILE_MAX) {
    cer_errf(err, "%s: larger than %u bytes", fname, CER_PLAN_FILE_MAX);
    return RC_ETOOBIG;
  }
  if (!yaml_parser_initialize(&parser))
    return RC_ENOMEM;
  yaml_parser_set_input_string(&parser, buf, len);
  if (!yaml_parser_load(&parser, &doc)) {
    cer_errf(err, "%s:%zu:%zu: %s", fname, parser.problem_mark.line + 1,
             parser.problem_mark.column + 1,
             parser.problem ? parser.problem : "YAML syntax error");
    yaml_parser_delete(&parser);
    return RC_EMALFORMED;
  }
  yaml_node_t *root = yaml_document_get_root_node(&doc);
  const yaml_node_t *nul = rc_yaml_first_nul(&doc);
  if (!root) {
    cer_errf(err, "%s:1:1: the plan is empty", fname);
    rc = RC_EMALFORMED;
  } else if (nul) {
    rc = fail(&c, nul, "a value holds a NUL byte");
  } else {
    rc = parse_root(&c, root, out);
  }
  yaml_document_delete(&doc);
  yaml_parser_delete(&parser);
  return rc;
}

int cer_plan_find(const struct cer_plan *plan, const char *name) {
  for (unsigned i = 0; i < plan->n; i++)
    if (!strcmp(plan->p[i].name, name))
      return (int)i;
  return -1;
}

static int load_file(const char *path, struct cer_plan *out, char *err) {
  uint8_t *buf;
  size_t len;
  int e = rc_file_read(path, CER_PLAN_FILE_MAX, &buf, &len);
  if (e) {
    cer_errf(err, "%s: %s", path,
             e == -EFBIG ? "larger than the plan limit" : strerror(-e));
    return e == -ENOENT ? RC_ENOTFOUND : RC_EIO;
  }
  int rc = cer_plan_parse(path, buf, len, out, err);
  free(buf);
  return rc;
}

int cer_plan_load(const char *dir, struct cer_plan *out, char *err) {
  char path[PATH_MAX];
  if (cer_path(path, sizeof path, dir, CER_F_PLAN)) {
    cer_errf(err, "%s: path too long", dir);
    return RC_ETOOBIG;
  }
  return load_file(path, out, err);
}

/* software.txt: what every participant compares with the software they
 * approved (their own laptops hashed the CD and the binary). */
static int write_software(const char *dir, char *err) {
  char self[65], path[PATH_MAX], text[1024];
  int rc = cer_self_sha256(self, err);
  if (rc)
    return rc;
  int n = snprintf(text, sizeof text,
                   "ringca-version: %s\n"
                   "ringca-ceremony-sha256: %s\n"
                   "openssl-build: %s\n"
                   "openssl-runtime: %s\n",
                   RINGCA_VERSION, self, OPENSSL_VERSION_TEXT,
                   OpenSSL_version(OPENSSL_VERSION));
  if (n < 0 || (size_t)n >= sizeof text ||
      cer_path(path, sizeof path, dir, CER_F_SOFTWARE))
    return RC_ETOOBIG;
  int e = rc_file_write_atomic(path, text, (size_t)n, 0644);
  if (e) {
    cer_errf(err, "%s: %s", path, strerror(-e));
    return RC_EIO;
  }
  return 0;
}

/* A ceremony starts in an empty directory, so no block, share or key of an
 * earlier attempt can be mistaken for this one's. */
static int dir_is_empty(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  int empty = 1;
  if (!d)
    return errno == ENOENT;
  while (empty && (e = readdir(d)) != NULL)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
      empty = 0;
  closedir(d);
  return empty;
}

int cer_cmd_plan(const char *dir, const char *plan_path, char *err) {
  struct cer_plan *plan = calloc(1, sizeof *plan);
  char path[PATH_MAX], hp[65], hs[65], self[65], fields[CER_LINE_MAX];
  uint8_t *buf = NULL;
  size_t len;
  int rc, e;
  if (!plan)
    return RC_ENOMEM;
  if ((rc = load_file(plan_path, plan, err)))
    goto out;
  if (!dir_is_empty(dir)) {
    cer_errf(err, "%s: not empty; a ceremony starts in a fresh directory",
             dir);
    rc = RC_EEXIST;
    goto out;
  }
  if ((e = rc_mkdir_p(dir, 0700))) {
    cer_errf(err, "%s: %s", dir, strerror(-e));
    rc = RC_EIO;
    goto out;
  }
  if ((e = rc_file_read(plan_path, CER_PLAN_FILE_MAX, &buf, &len)) ||
      cer_path(path, sizeof path, dir, CER_F_PLAN) ||
      (e = rc_file_write_atomic(path, buf, len, 0644))) {
    cer_errf(err, "%s: %s", path, strerror(e ? -e : ENAMETOOLONG));
    rc = RC_EIO;
    goto out;
  }
  if ((rc = write_software(dir, err)) ||
      (rc = cer_sha256_file(path, hp, err)) ||
      (rc = cer_path(path, sizeof path, dir, CER_F_SOFTWARE)) ||
      (rc = cer_sha256_file(path, hs, err)) || (rc = cer_self_sha256(self, err)))
    goto out;
  snprintf(fields, sizeof fields,
           "step=plan id=%s kind=%s participants=%u plan=%s software=%s "
           "binary=%s",
           plan->id, cer_kind_name(plan->kind), plan->n, hp, hs, self);
  rc = cer_journal_append(dir, fields, err);
  if (rc == 0)
    printf("planned ceremony %s (%s, %s, %u participants)\n"
           "ringca-ceremony sha256: %s\n"
           "each participant: compare this hash with the approved build\n",
           plan->id, cer_kind_name(plan->kind), plan->key_type, plan->n,
           self);
out:
  free(buf);
  free(plan);
  return rc;
}

/* Every step after `plan` works on the plan the journal recorded, so a
 * plan.yaml edited mid-ceremony (a participant swapped in, a threshold
 * lowered) stops the ceremony. Steps that run on the ceremony machine also
 * insist on the very binary that `plan` recorded and everyone checked. */
int cer_plan_open(const char *dir, struct cer_plan *plan,
                  struct cer_journal *j, int same_binary, char *err) {
  char path[PATH_MAX], h[65], self[65];
  int rc;
  if ((rc = cer_plan_load(dir, plan, err)) ||
      (rc = cer_journal_load(dir, j, err)))
    return rc;
  const struct cer_record *r = j->n ? &j->rec[0] : NULL;
  if (!r || strcmp(cer_rec_get(r, "step"), "plan")) {
    cer_errf(err, "%s/%s: does not start with the plan record", dir,
             CER_F_JOURNAL);
    return RC_EMALFORMED;
  }
  if ((rc = cer_path(path, sizeof path, dir, CER_F_PLAN)) ||
      (rc = cer_sha256_file(path, h, err)))
    return rc;
  if (strcmp(h, cer_rec_str(r, "plan"))) {
    cer_errf(err, "%s: changed since `plan` recorded it (SHA-256 %s, "
                  "recorded %s)",
             path, h, cer_rec_str(r, "plan"));
    return RC_EAUTH;
  }
  if (!same_binary)
    return 0;
  if ((rc = cer_self_sha256(self, err)))
    return rc;
  if (strcmp(self, cer_rec_str(r, "binary"))) {
    cer_errf(err, "this ringca-ceremony (SHA-256 %s) is not the binary "
                  "recorded and checked at plan time (%s)",
             self, cer_rec_str(r, "binary"));
    return RC_EAUTH;
  }
  return 0;
}
