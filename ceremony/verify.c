/* verify: re-checks a finished ceremony directory from scratch, so anyone
 * (an observer, an auditor years later) can confirm what the transcript
 * says: the journal chain holds (and ends in the head on the signed paper),
 * the plan and software are those recorded, every commitment came before
 * any reveal and matches its block, the certificate is the one recorded and
 * belongs to the recorded public key (and, given shares, to the escrowed
 * private key), and the transcript files were not edited. */
#include "ceremony.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "ringca/error.h"
#include "ringca/fileio.h"
#include "ringca/x509util.h"

static int same_hash(const char *dir, const char *name, const char *want,
                     const char *what, char *err) {
  char path[PATH_MAX], h[65];
  int rc = cer_path(path, sizeof path, dir, name);
  if (rc || (rc = cer_sha256_file(path, h, err)))
    return rc;
  if (!want || strcmp(h, want)) {
    cer_errf(err, "%s: SHA-256 %s differs from the %s recorded in the "
                  "journal (%s)",
             path, h, what, want ? want : "none");
    return RC_EAUTH;
  }
  return 0;
}

/* Order as the protocol demands: plan first, all commits before the first
 * reveal, each participant once, generate last. */
static int check_order(const struct cer_plan *plan,
                       const struct cer_journal *j, const char *jpath,
                       char *err) {
  unsigned commits = 0, reveals = 0, generated = 0;
  if (j->n == 0 || strcmp(cer_rec_get(&j->rec[0], "step"), "plan")) {
    cer_errf(err, "%s:1: the journal must start with the plan", jpath);
    return RC_EMALFORMED;
  }
  for (unsigned i = 1; i < j->n; i++) {
    const struct cer_record *r = &j->rec[i];
    const char *step = cer_rec_get(r, "step"), *name = cer_rec_get(r, "name");
    int is_commit = !strcmp(step, "commit"), is_reveal = !strcmp(step, "reveal");
    if (generated || (!is_commit && !is_reveal && strcmp(step, "generate"))) {
      cer_errf(err, "%s:%u: unexpected step '%s'", jpath, r->lineno, step);
      return RC_EMALFORMED;
    }
    if (!strcmp(step, "generate")) {
      if (reveals < plan->n) {
        cer_errf(err, "%s:%u: key generated before every participant "
                      "revealed",
                 jpath, r->lineno);
        return RC_EAUTH;
      }
      generated = 1;
      continue;
    }
    if (!name || cer_plan_find(plan, name) < 0) {
      cer_errf(err, "%s:%u: '%s' is not a participant", jpath, r->lineno,
               name ? name : "(none)");
      return RC_EMALFORMED;
    }
    if (cer_journal_find(j, step, name) != r) {
      cer_errf(err, "%s:%u: second %s by '%s'", jpath, r->lineno, step, name);
      return RC_EMALFORMED;
    }
    if (is_commit && reveals) {
      cer_errf(err, "%s:%u: late commit by '%s' after a reveal", jpath,
               r->lineno, name);
      return RC_EAUTH;
    }
    if (is_reveal && commits < plan->n) {
      cer_errf(err, "%s:%u: '%s' revealed before every commitment was in",
               jpath, r->lineno, name);
      return RC_EAUTH;
    }
    commits += is_commit;
    reveals += is_reveal;
  }
  return 0;
}

static int check_cert(const char *dir, const struct cer_plan *plan,
                      const struct cer_record *g, X509 **cert, char *err) {
  char path[PATH_MAX], fp[65], pk[65];
  X509 *issuer = NULL;
  EVP_PKEY *pub = NULL;
  int rc = cer_path(path, sizeof path, dir, CER_F_CERT);
  if (rc || (rc = rc_x509_read_pem(path, cert))) {
    cer_errf(err, "%s: cannot read the certificate", path);
    return rc ? rc : RC_EIO;
  }
  if (rc_x509_fingerprint(*cert, fp) || strcmp(fp, cer_rec_str(g, "cert"))) {
    cer_errf(err, "%s: fingerprint %s is not the certificate recorded in the "
                  "journal (%s)",
             path, fp, cer_rec_str(g, "cert"));
    return RC_EAUTH;
  }
  EVP_PKEY *certkey = X509_get0_pubkey(*cert);
  if (!certkey || cer_pubkey_sha256(certkey, pk) ||
      strcmp(pk, cer_rec_str(g, "pubkey"))) {
    cer_errf(err, "%s: public key does not match the one recorded", path);
    return RC_EAUTH;
  }
  const char *ifp = cer_rec_get(g, "issuer");
  if (plan->kind == CER_KIND_SUBROOT) {
    if (!ifp || (rc = cer_path(path, sizeof path, dir, CER_F_ISSUER)) ||
        rc_x509_read_pem(path, &issuer) || rc_x509_fingerprint(issuer, fp) ||
        strcmp(fp, ifp)) {
      cer_errf(err, "%s: missing or not the top-level root recorded", path);
      X509_free(issuer);
      return RC_EAUTH;
    }
    pub = X509_get0_pubkey(issuer);
  } else {
    pub = certkey;
  }
  rc = pub && X509_verify(*cert, pub) == 1 ? 0 : RC_EAUTH;
  if (rc)
    cer_errf(err, "%s: signature does not verify with the %s", CER_F_CERT,
             issuer ? "top-level root's key" : "certificate's own key");
  X509_free(issuer);
  return rc;
}

static int check_shares(const char *dir, const struct cer_plan *plan,
                        X509 *cert, int nshares, char **shares, char *err) {
  EVP_PKEY *key = NULL;
  int rc = cer_escrow_recover(dir, plan, nshares, shares, &key, err);
  if (rc == 0 && !cer_key_matches_cert(key, cert)) {
    cer_errf(err, "the escrowed private key does not match %s", CER_F_CERT);
    rc = RC_EAUTH;
  }
  EVP_PKEY_free(key);
  return rc;
}

static int check_transcript_file(const char *dir, const char *name,
                                 const char *want, char *err) {
  char path[PATH_MAX];
  uint8_t *buf;
  size_t len;
  int rc = cer_path(path, sizeof path, dir, name);
  if (rc || !cer_exists(path))
    return rc;
  int e = rc_file_read(path, 1u << 20, &buf, &len);
  if (e) {
    cer_errf(err, "%s: %s", path, strerror(-e));
    return RC_EIO;
  }
  rc = len == strlen(want) && memcmp(buf, want, len) == 0 ? 0 : RC_EAUTH;
  free(buf);
  if (rc)
    cer_errf(err, "%s: does not match the journal: edited after `transcript` "
                  "wrote it",
             path);
  return rc;
}

static int check_all(const char *dir, const struct cer_plan *plan,
                     const struct cer_journal *j, int nshares, char **shares,
                     const char *head, int scrubbed, char *err) {
  char jpath[PATH_MAX], *md = NULL, *json = NULL;
  X509 *cert = NULL;
  int rc = cer_path(jpath, sizeof jpath, dir, CER_F_JOURNAL);
  if (rc || (rc = check_order(plan, j, jpath, err)) ||
      (rc = same_hash(dir, CER_F_PLAN, cer_rec_get(&j->rec[0], "plan"),
                      "plan", err)) ||
      (rc = same_hash(dir, CER_F_SOFTWARE,
                      cer_rec_get(&j->rec[0], "software"), "software record",
                      err)) ||
      (!scrubbed && (rc = cer_check_reveals(dir, plan, j, err))))
    return rc;
  const struct cer_record *g = cer_journal_find(j, "generate", NULL);
  if (!g) {
    cer_errf(err, "ceremony %s is not finished: no key was generated",
             plan->id);
    return RC_ESTATE;
  }
  if ((rc = check_cert(dir, plan, g, &cert, err)) ||
      (rc = same_hash(dir, CER_F_ESCROW, cer_rec_get(g, "escrow"),
                      "escrow file", err)) ||
      (nshares > 0 &&
       (rc = check_shares(dir, plan, cert, nshares, shares, err))))
    goto out;
  if (head && strcmp(head, j->head)) {
    cer_errf(err, "journal head %s differs from the one on paper (%s): the "
                  "journal was rewritten",
             j->head, head);
    rc = RC_EAUTH;
    goto out;
  }
  if ((rc = cer_transcript_render(dir, &md, &json, err)) ||
      (rc = check_transcript_file(dir, CER_F_TRANSCRIPT_MD, md, err)) ||
      (rc = check_transcript_file(dir, CER_F_TRANSCRIPT_JSON, json, err)))
    goto out;
out:
  free(md);
  free(json);
  X509_free(cert);
  return rc;
}

int cer_cmd_verify(const char *dir, int nshares, char **shares,
                   const char *head, int scrubbed, char *err) {
  struct cer_plan *plan = malloc(sizeof *plan);
  struct cer_journal *j = malloc(sizeof *j);
  int rc = RC_ENOMEM;
  if (plan && j && (rc = cer_plan_load(dir, plan, err)) == 0 &&
      (rc = cer_journal_load(dir, j, err)) == 0 &&
      (rc = check_all(dir, plan, j, nshares, shares, head, scrubbed, err)) ==
          0)
    printf("ceremony %s verified: journal chain (%u records, head %s), plan "
           "and software, %u commitments %s, certificate %s%s\n",
           plan->id, j->n, j->head, plan->n,
           scrubbed ? "before reveals (blocks scrubbed, not re-hashed)"
                    : "and reveals",
           cer_rec_get(cer_journal_find(j, "generate", NULL), "cert"),
           nshares ? ", escrowed key matches the certificate" : "");
  free(plan);
  free(j);
  return rc;
}
