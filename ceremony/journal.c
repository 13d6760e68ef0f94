/* The journal: one line per ceremony step, each carrying the hash of the
 * one before, so any later edit breaks the chain.  The hash of the last
 * line (the head) is printed in the transcript that every participant signs
 * on paper; `verify --head` compares against that paper copy.
 *
 *   seq=3 step=commit name=alice commitment=<hex> prev=<hex> hash=<hex>
 *   hash = SHA-256("ringca-ceremony journal v1\n" || line up to " hash=")
 */
#include "ceremony.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "ringca/error.h"
#include "ringca/fileio.h"

#define JOURNAL_DOMAIN "ringca-ceremony journal v1\n"
#define JOURNAL_FILE_MAX ((size_t)CER_JOURNAL_MAX * CER_LINE_MAX)

static const char zero_hash[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

static void line_hash(const char *line, size_t len, char out[65]) {
  uint8_t md[32];
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
      EVP_DigestUpdate(ctx, JOURNAL_DOMAIN, strlen(JOURNAL_DOMAIN)) != 1 ||
      EVP_DigestUpdate(ctx, line, len) != 1 ||
      EVP_DigestFinal_ex(ctx, md, NULL) != 1)
    abort(); /* a broken digest must never yield a plausible chain */
  EVP_MD_CTX_free(ctx);
  cer_hex(md, 32, out);
}

const char *cer_rec_get(const struct cer_record *r, const char *key) {
  for (unsigned i = 0; i < r->nf; i++)
    if (!strcmp(r->line + r->key[i], key))
      return r->line + r->val[i];
  return NULL;
}

const char *cer_rec_str(const struct cer_record *r, const char *key) {
  const char *v = r ? cer_rec_get(r, key) : NULL;
  return v ? v : "";
}

static int is_value_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
         c == ':';
}

/* Splits a line into key=value fields in place (the line keeps NULs). */
static int split_fields(struct cer_record *r) {
  char *p = r->line;
  r->nf = 0;
  while (*p) {
    if (r->nf == CER_FIELDS_MAX)
      return -1;
    char *eq = p;
    while (*eq >= 'a' && *eq <= 'z')
      eq++;
    if (eq == p || *eq != '=')
      return -1;
    *eq = 0;
    char *v = eq + 1, *e = v;
    while (is_value_char(*e))
      e++;
    if (e == v || (*e != ' ' && *e != 0))
      return -1;
    r->key[r->nf] = (uint16_t)(p - r->line);
    r->val[r->nf] = (uint16_t)(v - r->line);
    r->nf++;
    p = *e ? e + 1 : e;
    *e = 0;
    if (p != e && !*p)
      return -1; /* trailing space */
  }
  return 0;
}

static int parse_line(const char *fname, unsigned lineno, const char *line,
                      size_t len, const char *prev, unsigned seq,
                      struct cer_record *r, char *err) {
  static const char tag[] = " hash=";
  if (len >= CER_LINE_MAX || len < sizeof tag + 64) {
    cer_errf(err, "%s:%u: malformed record (length %zu)", fname, lineno, len);
    return RC_EMALFORMED;
  }
  size_t body = len - 64 - (sizeof tag - 1);
  if (memcmp(line + body, tag, sizeof tag - 1) != 0) {
    cer_errf(err, "%s:%u: record does not end in hash=<64 hex digits>", fname,
             lineno);
    return RC_EMALFORMED;
  }
  char want[65];
  line_hash(line, body, want);
  memcpy(r->line, line, len);
  r->line[len] = 0;
  r->lineno = lineno;
  if (memchr(line, 0, len) || split_fields(r) != 0) {
    cer_errf(err, "%s:%u: malformed record (expected key=value fields)",
             fname, lineno);
    return RC_EMALFORMED;
  }
  const char *s = cer_rec_get(r, "seq"), *st = cer_rec_get(r, "step"),
             *pv = cer_rec_get(r, "prev"), *h = cer_rec_get(r, "hash");
  char seqbuf[16];
  snprintf(seqbuf, sizeof seqbuf, "%u", seq);
  if (!s || strcmp(s, seqbuf) || r->key[0] != 0) {
    cer_errf(err, "%s:%u: expected seq=%u first", fname, lineno, seq);
    return RC_EMALFORMED;
  }
  if (!st) {
    cer_errf(err, "%s:%u: record has no step", fname, lineno);
    return RC_EMALFORMED;
  }
  if (!pv || strcmp(pv, prev)) {
    cer_errf(err, "%s:%u: prev does not match the hash of the record before "
                  "it: the journal was tampered with",
             fname, lineno);
    return RC_EAUTH;
  }
  if (!h || strcmp(h, want)) {
    cer_errf(err, "%s:%u: record hash does not match its contents: the "
                  "journal was tampered with",
             fname, lineno);
    return RC_EAUTH;
  }
  return 0;
}

int cer_journal_parse(const char *fname, const uint8_t *buf, size_t len,
                      struct cer_journal *j, char *err) {
  const char *p = (const char *)buf, *end = p + len;
  const char *prev = zero_hash;
  j->n = 0;
  memcpy(j->head, zero_hash, sizeof zero_hash);
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl) {
      cer_errf(err, "%s:%u: last record is cut off (no newline)", fname,
               j->n + 1);
      return RC_EMALFORMED;
    }
    if (j->n == CER_JOURNAL_MAX) {
      cer_errf(err, "%s: more than %d records", fname, CER_JOURNAL_MAX);
      return RC_ELIMIT;
    }
    struct cer_record *r = &j->rec[j->n];
    int rc = parse_line(fname, j->n + 1, p, (size_t)(nl - p), prev, j->n + 1,
                        r, err);
    if (rc)
      return rc;
    prev = cer_rec_get(r, "hash");
    j->n++;
    p = nl + 1;
  }
  memcpy(j->head, prev, 65);
  return 0;
}

int cer_journal_load(const char *dir, struct cer_journal *j, char *err) {
  char path[PATH_MAX];
  uint8_t *buf;
  size_t len;
  if (cer_path(path, sizeof path, dir, CER_F_JOURNAL))
    return RC_ETOOBIG;
  int e = rc_file_read(path, JOURNAL_FILE_MAX, &buf, &len);
  if (e) {
    cer_errf(err, "%s: %s", path,
             e == -ENOENT ? "no journal: run `ringca-ceremony plan` first"
                          : strerror(-e));
    return e == -ENOENT ? RC_ENOTFOUND : RC_EIO;
  }
  int rc = cer_journal_parse(path, buf, len, j, err);
  free(buf);
  return rc;
}

const struct cer_record *cer_journal_find(const struct cer_journal *j,
                                          const char *step, const char *name) {
  for (unsigned i = 0; i < j->n; i++) {
    const struct cer_record *r = &j->rec[i];
    const char *nm = cer_rec_get(r, "name");
    if (!strcmp(cer_rec_get(r, "step"), step) &&
        (!name || (nm && !strcmp(nm, name))))
      return r;
  }
  return NULL;
}

/* Re-reads and re-checks the whole chain before adding to it, so a step
 * never extends a journal that was tampered with. */
int cer_journal_append(const char *dir, const char *fields, char *err) {
  struct cer_journal *j = malloc(sizeof *j);
  char path[PATH_MAX], line[CER_LINE_MAX], h[65];
  uint8_t *old = NULL;
  size_t oldlen = 0;
  int rc = RC_ENOMEM;
  if (!j)
    return rc;
  if (cer_path(path, sizeof path, dir, CER_F_JOURNAL)) {
    rc = RC_ETOOBIG;
    goto out;
  }
  int e = rc_file_read(path, JOURNAL_FILE_MAX, &old, &oldlen);
  if (e && e != -ENOENT) {
    cer_errf(err, "%s: %s", path, strerror(-e));
    rc = RC_EIO;
    goto out;
  }
  if ((rc = cer_journal_parse(path, old, oldlen, j, err)))
    goto out;
  int n = snprintf(line, sizeof line, "seq=%u %s prev=%s", j->n + 1, fields,
                   j->head);
  if (n < 0 || (size_t)n + 71 >= sizeof line) {
    cer_errf(err, "%s: record too long", path);
    rc = RC_ETOOBIG;
    goto out;
  }
  line_hash(line, (size_t)n, h);
  n += snprintf(line + n, sizeof line - (size_t)n, " hash=%s\n", h);
  uint8_t *all = malloc(oldlen + (size_t)n);
  if (!all) {
    rc = RC_ENOMEM;
    goto out;
  }
  if (oldlen)
    memcpy(all, old, oldlen);
  memcpy(all + oldlen, line, (size_t)n);
  e = rc_file_write_atomic(path, all, oldlen + (size_t)n, 0644);
  free(all);
  if (e) {
    cer_errf(err, "%s: %s", path, strerror(-e));
    rc = RC_EIO;
  }
out:
  free(old);
  free(j);
  return rc;
}
