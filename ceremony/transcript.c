/* transcript: the record every participant reads and signs (the seed's step
 * 10), rendered from the plan, the software record and the hash-chained
 * journal, as Markdown for paper and JSON for machines.  Rendering is
 * deterministic, so `verify` can re-render and compare; the journal head
 * printed on the signed paper pins the whole chain. */
#include "ceremony.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/x509.h>

#include "ringca/error.h"
#include "ringca/fileio.h"
#include "ringca/x509util.h"

static const char *const attestations[] = {
    "I supervised each step.",
    "To best knowledge, each step followed faithfully.",
    "My supplied parts and randoms were clean.",
    "Result is a good root.",
    "Root was securely installed on signing machine.",
};
#define N_ATTEST (sizeof attestations / sizeof *attestations)

struct sb {
  char *p;
  size_t len, cap;
  int oom;
};

static void sb_printf(struct sb *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sb *b, const char *fmt, ...) {
  va_list ap;
  for (;;) {
    if (b->oom)
      return;
    va_start(ap, fmt);
    int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0,
                      fmt, ap);
    va_end(ap);
    if (n < 0) {
      b->oom = 1;
      return;
    }
    if (b->p && (size_t)n < b->cap - b->len) {
      b->len += (size_t)n;
      return;
    }
    size_t cap = (b->cap ? b->cap * 2 : 4096) + (size_t)n;
    char *q = realloc(b->p, cap);
    if (!q) {
      b->oom = 1;
      return;
    }
    b->p = q;
    b->cap = cap;
  }
}

static void json_str(struct sb *b, const char *s) {
  sb_printf(b, "\"");
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      sb_printf(b, "\\%c", c);
    else if (c < 0x20)
      sb_printf(b, "\\u%04x", c);
    else
      sb_printf(b, "%c", c);
  }
  sb_printf(b, "\"");
}

/* software.txt lines "key: value"; at most 8 of them. */
struct software {
  unsigned n;
  char key[8][64], val[8][256];
};

static int load_software(const char *dir, struct software *sw, char *err) {
  char path[PATH_MAX];
  uint8_t *buf;
  size_t len;
  sw->n = 0;
  if (cer_path(path, sizeof path, dir, CER_F_SOFTWARE))
    return RC_ETOOBIG;
  int e = rc_file_read(path, 4096, &buf, &len);
  if (e) {
    cer_errf(err, "%s: %s", path, strerror(-e));
    return RC_EIO;
  }
  char *save, *line = strtok_r((char *)buf, "\n", &save);
  for (; line && sw->n < 8; line = strtok_r(NULL, "\n", &save)) {
    char *colon = strstr(line, ": ");
    if (!colon || (size_t)(colon - line) >= 64 || strlen(colon + 2) >= 256)
      continue;
    *colon = 0;
    strcpy(sw->key[sw->n], line);
    strcpy(sw->val[sw->n], colon + 2);
    sw->n++;
  }
  free(buf);
  return 0;
}

/* What the participants attest to ("Result is a good root"): the
 * certificate's own fields, as OpenSSL prints them. */
static void cert_fields(struct sb *b, const char *dir) {
  char path[PATH_MAX], *p;
  X509 *cert = NULL;
  BIO *bio = BIO_new(BIO_s_mem());
  if (!bio || cer_path(path, sizeof path, dir, CER_F_CERT) ||
      rc_x509_read_pem(path, &cert)) {
    sb_printf(b, "- certificate: %s cannot be read\n", CER_F_CERT);
    BIO_free(bio);
    return;
  }
  BIO_printf(bio, "- subject: `");
  X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_ONELINE);
  BIO_printf(bio, "`\n- issuer: `");
  X509_NAME_print_ex(bio, X509_get_issuer_name(cert), 0, XN_FLAG_ONELINE);
  BIO_printf(bio, "`\n- serial: `");
  i2a_ASN1_INTEGER(bio, X509_get0_serialNumber(cert));
  BIO_printf(bio, "`\n- valid from: ");
  ASN1_TIME_print(bio, X509_get0_notBefore(cert));
  BIO_printf(bio, "\n- valid until: ");
  ASN1_TIME_print(bio, X509_get0_notAfter(cert));
  BIO_printf(bio, "\n");
  long n = BIO_get_mem_data(bio, &p);
  sb_printf(b, "%.*s", (int)n, p);
  BIO_free(bio);
  X509_free(cert);
}

static const char *rec_or(const struct cer_record *r, const char *k) {
  const char *v = r ? cer_rec_get(r, k) : NULL;
  return v ? v : "-";
}

static void render_md(struct sb *b, const char *dir,
                      const struct cer_plan *plan, const struct software *sw,
                      const struct cer_journal *j) {
  const struct cer_record *g = cer_journal_find(j, "generate", NULL);
  sb_printf(b, "# Root creation ceremony %s\n\n", plan->id);
  sb_printf(b, "| | |\n|---|---|\n| kind | %s |\n", cer_kind_name(plan->kind));
  if (plan->kind == CER_KIND_SUBROOT)
    sb_printf(b, "| profile | %s (pathlen 0) |\n",
              cer_profile_name(plan->profile));
  sb_printf(b, "| key | %s |\n| subject | `%s` |\n| validity | %ld days |\n"
               "| escrow | %u of the holders below |\n\n",
            plan->key_type, plan->subject, plan->days, plan->threshold);
  sb_printf(b, "## Software\n\n");
  for (unsigned i = 0; i < sw->n; i++)
    sb_printf(b, "- %s: `%s`\n", sw->key[i], sw->val[i]);
  sb_printf(b, "\n## Participants\n\n| name | role | escrow holder | "
               "commitment | revealed |\n|---|---|---|---|---|\n");
  for (unsigned i = 0; i < plan->n; i++) {
    const struct cer_participant *p = &plan->p[i];
    const struct cer_record *c = cer_journal_find(j, "commit", p->name);
    const struct cer_record *r = cer_journal_find(j, "reveal", p->name);
    sb_printf(b, "| %s | %s | %s | `%s` | %s%s |\n", p->name,
              cer_role_name(p->role), p->escrow ? "yes" : "no",
              rec_or(c, "commitment"), r ? rec_or(r, "bytes") : "no",
              r ? " bytes" : "");
  }
  sb_printf(b, "\n## Result\n\n");
  if (!g) {
    sb_printf(b, "No key generated yet.\n");
  } else {
    cert_fields(b, dir);
    sb_printf(b, "- certificate SHA-256: `%s`\n- public key SHA-256: `%s`\n"
                 "- escrow file SHA-256: `%s`\n- entropy mix SHA-256: `%s`\n",
              rec_or(g, "cert"), rec_or(g, "pubkey"), rec_or(g, "escrow"),
              rec_or(g, "mix"));
    if (cer_rec_get(g, "issuer"))
      sb_printf(b, "- signed by top-level root SHA-256: `%s`\n",
                rec_or(g, "issuer"));
  }
  sb_printf(b, "\n## Journal\n\n| seq | step | record hash |\n|---|---|---|\n");
  for (unsigned i = 0; i < j->n; i++) {
    const struct cer_record *r = &j->rec[i];
    const char *nm = cer_rec_get(r, "name");
    sb_printf(b, "| %s | %s%s%s | `%s` |\n", rec_or(r, "seq"),
              rec_or(r, "step"), nm ? " " : "", nm ? nm : "",
              rec_or(r, "hash"));
  }
  sb_printf(b, "\nJournal head: **`%s`**\n\n", j->head);
  sb_printf(b, "## Attestations\n\nEach participant ticks every statement "
               "they can make, signs, and dates. Write the first 16 digits "
               "of the journal head by hand next to the signature.\n");
  for (unsigned i = 0; i < plan->n; i++) {
    sb_printf(b, "\n### %s (%s)\n\n", plan->p[i].name,
              cer_role_name(plan->p[i].role));
    for (size_t a = 0; a < N_ATTEST; a++)
      sb_printf(b, "- [ ] %s\n", attestations[a]);
    sb_printf(b, "\nJournal head (first 16): ________________   Signature: "
                 "______________________   Date: __________\n");
  }
}

static void render_json(struct sb *b, const struct cer_plan *plan,
                        const struct software *sw,
                        const struct cer_journal *j) {
  sb_printf(b, "{\n  \"ceremony\": ");
  json_str(b, plan->id);
  sb_printf(b, ",\n  \"kind\": \"%s\",\n  \"profile\": \"%s\",\n"
               "  \"key\": \"%s\",\n  \"subject\": ",
            cer_kind_name(plan->kind), cer_profile_name(plan->profile),
            plan->key_type);
  json_str(b, plan->subject);
  sb_printf(b, ",\n  \"days\": %ld,\n  \"escrow_threshold\": %u,\n"
               "  \"software\": {",
            plan->days, plan->threshold);
  for (unsigned i = 0; i < sw->n; i++) {
    sb_printf(b, "%s\n    ", i ? "," : "");
    json_str(b, sw->key[i]);
    sb_printf(b, ": ");
    json_str(b, sw->val[i]);
  }
  sb_printf(b, "\n  },\n  \"participants\": [");
  for (unsigned i = 0; i < plan->n; i++) {
    const struct cer_participant *p = &plan->p[i];
    const struct cer_record *c = cer_journal_find(j, "commit", p->name);
    sb_printf(b, "%s\n    {\"name\": \"%s\", \"role\": \"%s\", \"escrow\": "
                 "%s, \"commitment\": \"%s\", \"revealed\": %s, "
                 "\"attestations\": [",
              i ? "," : "", p->name, cer_role_name(p->role),
              p->escrow ? "true" : "false", rec_or(c, "commitment"),
              cer_journal_find(j, "reveal", p->name) ? "true" : "false");
    for (size_t a = 0; a < N_ATTEST; a++)
      sb_printf(b, "%s\"%s\"", a ? ", " : "", attestations[a]);
    sb_printf(b, "]}");
  }
  sb_printf(b, "\n  ],\n  \"journal\": [");
  for (unsigned i = 0; i < j->n; i++) {
    const struct cer_record *r = &j->rec[i];
    sb_printf(b, "%s\n    {", i ? "," : "");
    for (unsigned f = 0; f < r->nf; f++)
      sb_printf(b, "%s\"%s\": \"%s\"", f ? ", " : "", r->line + r->key[f],
                r->line + r->val[f]);
    sb_printf(b, "}");
  }
  sb_printf(b, "\n  ],\n  \"journal_head\": \"%s\"\n}\n", j->head);
}

int cer_transcript_render(const char *dir, char **md, char **json,
                          char *err) {
  struct cer_plan *plan = malloc(sizeof *plan);
  struct cer_journal *j = malloc(sizeof *j);
  struct software *sw = malloc(sizeof *sw);
  struct sb a = {0}, b = {0};
  int rc = RC_ENOMEM;
  *md = *json = NULL;
  if (!plan || !j || !sw)
    goto out;
  if ((rc = cer_plan_open(dir, plan, j, 0, err)) ||
      (rc = load_software(dir, sw, err)))
    goto out;
  render_md(&a, dir, plan, sw, j);
  render_json(&b, plan, sw, j);
  if (a.oom || b.oom) {
    rc = RC_ENOMEM;
    goto out;
  }
  *md = a.p;
  *json = b.p;
  a.p = b.p = NULL;
out:
  free(a.p);
  free(b.p);
  free(plan);
  free(j);
  free(sw);
  return rc;
}

int cer_cmd_transcript(const char *dir, char *err) {
  char *md, *json, path[PATH_MAX];
  int rc = cer_transcript_render(dir, &md, &json, err), e = 0;
  if (rc)
    return rc;
  if ((rc = cer_path(path, sizeof path, dir, CER_F_TRANSCRIPT_MD)) == 0 &&
      (e = rc_file_write_atomic(path, md, strlen(md), 0644)) == 0 &&
      (rc = cer_path(path, sizeof path, dir, CER_F_TRANSCRIPT_JSON)) == 0)
    e = rc_file_write_atomic(path, json, strlen(json), 0644);
  if (e) {
    cer_errf(err, "%s: %s", path, strerror(-e));
    rc = RC_EIO;
  }
  if (rc == 0)
    printf("wrote %s/%s and %s/%s; print the Markdown for every participant "
           "to sign\n",
           dir, CER_F_TRANSCRIPT_MD, dir, CER_F_TRANSCRIPT_JSON);
  free(md);
  free(json);
  return rc;
}
