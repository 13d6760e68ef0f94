/* generate: the seed's steps 4.3 to 7 in one process, so the new private
 * key exists only in this process's memory: mix the revealed blocks into
 * OpenSSL's RNG, generate the key, make the certificate (self-signed, or
 * signed by the top-level key de-escrowed from its holders' shares, which is
 * wiped right after), then escrow the new key (escrow.c). */
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

struct top {
  struct cer_plan plan;
  struct cer_journal j;
  X509 *cert;
  EVP_PKEY *key;
};

/* De-escrow the top-level root: its own ceremony directory must hold a
 * verified journal whose generate record names exactly this certificate. */
static int load_top(const char *top_dir, int nshares, char **shares,
                    struct top *t, char *err) {
  char path[PATH_MAX], fp[65];
  int rc;
  if ((rc = cer_plan_open(top_dir, &t->plan, &t->j, 0, err)))
    return rc;
  if (t->plan.kind != CER_KIND_ROOT) {
    cer_errf(err, "%s: ceremony %s made a subroot; a subroot is signed by a "
                  "top-level root",
             top_dir, t->plan.id);
    return RC_EINVAL;
  }
  const struct cer_record *g = cer_journal_find(&t->j, "generate", NULL);
  if ((rc = cer_path(path, sizeof path, top_dir, CER_F_CERT)))
    return rc;
  if (!g || rc_x509_read_pem(path, &t->cert) ||
      rc_x509_fingerprint(t->cert, fp) || strcmp(fp, cer_rec_str(g, "cert"))) {
    cer_errf(err, "%s: missing, or not the certificate the top-level "
                  "ceremony's journal recorded",
             path);
    return RC_EAUTH;
  }
  if ((rc = cer_escrow_recover(top_dir, &t->plan, nshares, shares, &t->key,
                               err)))
    return rc;
  if (!cer_key_matches_cert(t->key, t->cert)) {
    cer_errf(err, "the de-escrowed key does not match %s", path);
    return RC_EAUTH;
  }
  return 0;
}

static int write_pubkey(const char *dir, EVP_PKEY *key, char *err) {
  char path[PATH_MAX], *data;
  BIO *bio = BIO_new(BIO_s_mem());
  int rc = RC_ECRYPTO;
  if (bio && PEM_write_bio_PUBKEY(bio, key) == 1 &&
      (rc = cer_path(path, sizeof path, dir, CER_F_PUBKEY)) == 0) {
    long len = BIO_get_mem_data(bio, &data);
    int e = rc_file_write_atomic(path, data, (size_t)len, 0644);
    if (e) {
      cer_errf(err, "%s: %s", path, strerror(-e));
      rc = RC_EIO;
    }
  }
  BIO_free(bio);
  return rc;
}

static int write_cert(const char *dir, const char *name, X509 *cert,
                      char *err) {
  char path[PATH_MAX];
  int rc = cer_path(path, sizeof path, dir, name);
  if (rc == 0 && (rc = rc_x509_write_pem(path, cert)))
    cer_errf(err, "%s: %s", path, rc_strerror(rc));
  return rc;
}

static int preconditions(const char *dir, const struct cer_plan *plan,
                         const struct cer_journal *j, const char *top_dir,
                         char *err) {
  if (cer_journal_find(j, "generate", NULL)) {
    cer_errf(err, "ceremony %s already generated its key; start a new "
                  "ceremony for another",
             plan->id);
    return RC_EEXIST;
  }
  if (plan->kind == CER_KIND_SUBROOT && !top_dir) {
    cer_errf(err, "ceremony %s makes a subroot: give --top DIR and the "
                  "top-level root's escrow shares",
             plan->id);
    return RC_EINVAL;
  }
  if (plan->kind == CER_KIND_ROOT && top_dir) {
    cer_errf(err, "ceremony %s makes a self-signed top-level root; --top "
                  "does not apply",
             plan->id);
    return RC_EINVAL;
  }
  return cer_check_reveals(dir, plan, j, err);
}

int cer_cmd_generate(const char *dir, const char *top_dir, int nshares,
                     char **shares, char *err) {
  struct cer_plan *plan = malloc(sizeof *plan);
  struct cer_journal *j = malloc(sizeof *j);
  struct top *t = calloc(1, sizeof *t);
  EVP_PKEY *key = NULL;
  X509 *cert = NULL;
  char mix[65], fp[65], pk[65], esc[65], path[PATH_MAX], fields[CER_LINE_MAX];
  char ifp[65] = "";
  int rc = RC_ENOMEM;
  if (!plan || !j || !t)
    goto out;
  if ((rc = cer_plan_open(dir, plan, j, 1, err)) ||
      (rc = preconditions(dir, plan, j, top_dir, err)))
    goto out;
  if (top_dir && ((rc = load_top(top_dir, nshares, shares, t, err)) ||
                  (rc = rc_x509_fingerprint(t->cert, ifp))))
    goto out;
  if ((rc = cer_mix_into_rand(dir, plan, mix, err)) ||
      (rc = cer_keygen(plan->key_type, &key, err)) ||
      (rc = cer_cert_build(plan, key, t->cert, t->key, &cert, err)))
    goto out;
  /* The seed's 6.1.3: destroy the copy of the top-level root at once. */
  EVP_PKEY_free(t->key);
  t->key = NULL;
  if ((rc = write_cert(dir, CER_F_CERT, cert, err)) ||
      (top_dir && (rc = write_cert(dir, CER_F_ISSUER, t->cert, err))) ||
      (rc = write_pubkey(dir, key, err)) ||
      (rc = cer_escrow_create(dir, plan, key, err)) ||
      (rc = rc_x509_fingerprint(cert, fp)) ||
      (rc = cer_pubkey_sha256(key, pk)) ||
      (rc = cer_path(path, sizeof path, dir, CER_F_ESCROW)) ||
      (rc = cer_sha256_file(path, esc, err)))
    goto out;
  int n = snprintf(fields, sizeof fields,
                   "step=generate key=%s cert=%s pubkey=%s mix=%s escrow=%s "
                   "threshold=%u",
                   plan->key_type, fp, pk, mix, esc, plan->threshold);
  if (top_dir)
    snprintf(fields + n, sizeof fields - (size_t)n, " issuer=%s", ifp);
  if ((rc = cer_journal_append(dir, fields, err)))
    goto out;
  printf("generated %s %s for ceremony %s\n"
         "certificate sha256 fingerprint: %s\n"
         "escrow: %s/%s and one share per holder in %s/%s/ (threshold %u)\n",
         plan->key_type, cer_kind_name(plan->kind), plan->id, fp, dir,
         CER_F_ESCROW, dir, CER_D_SHARES, plan->threshold);
out:
  EVP_PKEY_free(key);
  X509_free(cert);
  if (t) {
    EVP_PKEY_free(t->key);
    X509_free(t->cert);
    free(t);
  }
  free(plan);
  free(j);
  return rc;
}
