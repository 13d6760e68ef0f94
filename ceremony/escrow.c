/* Escrow of the new root key (the seed's step 7) and its recovery (step 9,
 * and the de-escrow of a top-level root before signing a sub-root).
 *
 * The private key, as PKCS#8 DER, is sealed with AES-256-GCM under a fresh
 * random 256-bit key (the KEK); the ceremony id is part of the additional
 * data, so an escrow file cannot be passed off as another ceremony's:
 *
 *   escrow.enc = "RCESCRW1" || nonce[12] || u32be(|ct|) || ct || tag[16]
 *   AAD        = "ringca-ceremony escrow v1\0" || id
 *
 * The KEK is split k-of-n with Shamir (shamir.c) among the participants
 * marked as escrow holders, in plan order (holder i gets x = i + 1).  Each
 * share is a short text (share.c) for paper; escrow.enc goes onto every
 * holder's USB stick.  The KEK and the DER never touch the disk. */
#include "ceremony.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "ringca/error.h"
#include "ringca/fileio.h"
#include "ringca/x509util.h"

#define ESCROW_MAGIC "RCESCRW1"
#define ESCROW_HDR (8 + 12 + 4)
#define ESCROW_TAG 16
#define ESCROW_DER_MAX (16u * 1024u)

static int gcm(int enc, const uint8_t key[32], const uint8_t nonce[12],
               const char *id, const uint8_t *in, size_t len, uint8_t *out,
               uint8_t tag[16]) {
  static const char domain[] = "ringca-ceremony escrow v1";
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  int n, ok = ctx &&
              EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce,
                                enc) == 1 &&
              EVP_CipherUpdate(ctx, NULL, &n, (const uint8_t *)domain,
                               sizeof domain) == 1 &&
              EVP_CipherUpdate(ctx, NULL, &n, (const uint8_t *)id,
                               (int)strlen(id)) == 1 &&
              EVP_CipherUpdate(ctx, out, &n, in, (int)len) == 1;
  if (ok && !enc)
    ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag) == 1;
  ok = ok && EVP_CipherFinal_ex(ctx, out + len, &n) == 1;
  if (ok && enc)
    ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
  EVP_CIPHER_CTX_free(ctx);
  return ok ? 0 : RC_EAUTH;
}

static int key_to_der(EVP_PKEY *key, uint8_t **der, int *len) {
  PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(key);
  *der = NULL;
  *len = p8 ? i2d_PKCS8_PRIV_KEY_INFO(p8, der) : -1;
  PKCS8_PRIV_KEY_INFO_free(p8);
  return *len > 0 ? 0 : RC_ECRYPTO;
}

static unsigned holders(const struct cer_plan *plan, unsigned *idx) {
  unsigned n = 0;
  for (unsigned i = 0; i < plan->n; i++)
    if (plan->p[i].escrow)
      idx[n++] = i;
  return n;
}

static int write_file(const char *dir, const char *rel, const void *data,
                      size_t len, char *err) {
  char path[PATH_MAX];
  int e;
  if (cer_path(path, sizeof path, dir, rel))
    return RC_ETOOBIG;
  if ((e = rc_file_write_atomic(path, data, len, 0600))) {
    cer_errf(err, "%s: %s", path, strerror(-e));
    return RC_EIO;
  }
  return 0;
}

static int write_shares(const char *dir, const struct cer_plan *plan,
                        const uint8_t kek[32], char *err) {
  unsigned idx[CER_PARTICIPANTS_MAX], n = holders(plan, idx);
  uint8_t ys[CER_PARTICIPANTS_MAX * CER_SECRET_LEN];
  char path[PATH_MAX], text[512], rel[64 + CER_NAME_MAX];
  int rc = cer_shamir_split(kek, plan->threshold, n, ys, &rc_rng_system);
  if (rc == 0 && (rc = cer_path(path, sizeof path, dir, CER_D_SHARES)) == 0 &&
      rc_mkdir_p(path, 0700) != 0) {
    cer_errf(err, "%s: cannot create", path);
    rc = RC_EIO;
  }
  for (unsigned i = 0; i < n && rc == 0; i++) {
    struct cer_share s = {.x = i + 1, .n = n, .k = plan->threshold};
    memcpy(s.id, plan->id, sizeof s.id);
    memcpy(s.holder, plan->p[idx[i]].name, sizeof s.holder);
    memcpy(s.y, ys + i * CER_SECRET_LEN, CER_SECRET_LEN);
    int len = cer_share_format(&s, text, sizeof text);
    snprintf(rel, sizeof rel, "%s/%s.share", CER_D_SHARES, s.holder);
    rc = len < 0 ? len : write_file(dir, rel, text, (size_t)len, err);
    OPENSSL_cleanse(&s, sizeof s);
    OPENSSL_cleanse(text, sizeof text);
  }
  OPENSSL_cleanse(ys, sizeof ys);
  return rc;
}

int cer_escrow_create(const char *dir, const struct cer_plan *plan,
                      EVP_PKEY *key, char *err) {
  uint8_t kek[32], *der = NULL, *blob = NULL;
  int derlen = 0, rc;
  if ((rc = key_to_der(key, &der, &derlen))) {
    cer_errf(err, "cannot encode the new key as PKCS#8");
    return rc;
  }
  size_t bloblen = ESCROW_HDR + (size_t)derlen + ESCROW_TAG;
  blob = malloc(bloblen);
  rc = RC_ENOMEM;
  if (blob && RAND_priv_bytes(kek, sizeof kek) == 1 &&
      RAND_bytes(blob + 8, 12) == 1) {
    memcpy(blob, ESCROW_MAGIC, 8);
    blob[20] = (uint8_t)(derlen >> 24), blob[21] = (uint8_t)(derlen >> 16);
    blob[22] = (uint8_t)(derlen >> 8), blob[23] = (uint8_t)derlen;
    rc = gcm(1, kek, blob + 8, plan->id, der, (size_t)derlen,
             blob + ESCROW_HDR, blob + ESCROW_HDR + derlen);
    if (rc == 0)
      rc = write_shares(dir, plan, kek, err);
    if (rc == 0)
      rc = write_file(dir, CER_F_ESCROW, blob, bloblen, err);
  }
  OPENSSL_cleanse(kek, sizeof kek);
  OPENSSL_clear_free(der, (size_t)derlen);
  free(blob);
  return rc;
}

/* Every share must belong to this ceremony and to the holder the plan gives
 * its x; the same share twice counts once and is refused. */
static int check_share(const struct cer_plan *plan, const char *file,
                       const struct cer_share *s, const uint8_t *xs,
                       unsigned m, char *err) {
  unsigned idx[CER_PARTICIPANTS_MAX], n = holders(plan, idx);
  if (strcmp(s->id, plan->id)) {
    cer_errf(err, "%s: share is for ceremony %s, not %s", file, s->id,
             plan->id);
    return RC_EINVAL;
  }
  if (s->n != n || s->k != plan->threshold) {
    cer_errf(err, "%s: share says %u of %u, threshold %u; the plan has %u "
                  "holders, threshold %u",
             file, s->x, s->n, s->k, n, plan->threshold);
    return RC_EINVAL;
  }
  if (strcmp(plan->p[idx[s->x - 1]].name, s->holder)) {
    cer_errf(err, "%s: share %u belongs to '%s', not '%s'", file, s->x,
             plan->p[idx[s->x - 1]].name, s->holder);
    return RC_EINVAL;
  }
  for (unsigned i = 0; i < m; i++)
    if (xs[i] == s->x) {
      cer_errf(err, "%s: share %u ('%s') was given twice", file, s->x,
               s->holder);
      return RC_EINVAL;
    }
  return 0;
}

static int open_escrow(const char *dir, const struct cer_plan *plan,
                       const uint8_t kek[32], EVP_PKEY **out, char *err) {
  char path[PATH_MAX];
  uint8_t *blob = NULL, *der = NULL;
  size_t len = 0;
  int rc;
  if ((rc = cer_path(path, sizeof path, dir, CER_F_ESCROW)))
    return rc;
  int e = rc_file_read(path, ESCROW_HDR + ESCROW_DER_MAX + ESCROW_TAG, &blob,
                       &len);
  if (e) {
    cer_errf(err, "%s: %s", path, strerror(-e));
    return RC_EIO;
  }
  size_t ctlen = len >= ESCROW_HDR
                     ? (size_t)blob[20] << 24 | (size_t)blob[21] << 16 |
                           (size_t)blob[22] << 8 | blob[23]
                     : 0;
  if (len < ESCROW_HDR + ESCROW_TAG || memcmp(blob, ESCROW_MAGIC, 8) ||
      ctlen != len - ESCROW_HDR - ESCROW_TAG) {
    cer_errf(err, "%s: not a ringca escrow file (bad magic or length)", path);
    free(blob);
    return RC_EMALFORMED;
  }
  der = malloc(ctlen + 16);
  rc = der ? gcm(0, kek, blob + 8, plan->id, blob + ESCROW_HDR, ctlen, der,
                 blob + ESCROW_HDR + ctlen)
           : RC_ENOMEM;
  if (rc == RC_EAUTH)
    cer_errf(err, "%s: the shares do not open the escrow (authentication "
                  "failed): a share is wrong although its checksum holds, or "
                  "the file was altered",
             path);
  if (rc == 0) {
    const uint8_t *p = der;
    PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)ctlen);
    *out = p8 ? EVP_PKCS82PKEY(p8) : NULL;
    PKCS8_PRIV_KEY_INFO_free(p8);
    if (!*out) {
      cer_errf(err, "%s: escrowed key does not decode", path);
      rc = RC_ECRYPTO;
    }
  }
  if (der)
    OPENSSL_clear_free(der, ctlen + 16);
  free(blob);
  return rc;
}

int cer_escrow_recover(const char *dir, const struct cer_plan *plan,
                       int nshares, char **shares, EVP_PKEY **out,
                       char *err) {
  uint8_t xs[CER_PARTICIPANTS_MAX], kek[32];
  uint8_t ys[CER_PARTICIPANTS_MAX * CER_SECRET_LEN];
  unsigned m = 0;
  int rc = 0;
  *out = NULL;
  if (nshares > CER_PARTICIPANTS_MAX) {
    cer_errf(err, "more than %d shares given", CER_PARTICIPANTS_MAX);
    return RC_ELIMIT;
  }
  for (int i = 0; i < nshares && rc == 0; i++) {
    struct cer_share s;
    rc = cer_share_load(shares[i], &s, err);
    if (rc == 0)
      rc = check_share(plan, shares[i], &s, xs, m, err);
    if (rc == 0) {
      xs[m] = (uint8_t)s.x;
      memcpy(ys + m * CER_SECRET_LEN, s.y, CER_SECRET_LEN);
      m++;
    }
    OPENSSL_cleanse(&s, sizeof s);
  }
  if (rc == 0 && m < plan->threshold) {
    cer_errf(err, "too few shares: %u given, ceremony %s needs %u; the key "
                  "stays locked",
             m, plan->id, plan->threshold);
    rc = RC_EPOLICY;
  }
  if (rc == 0 && (rc = cer_shamir_combine(m, plan->threshold, xs, ys, kek)))
    cer_errf(err, "shares do not combine");
  if (rc == 0)
    rc = open_escrow(dir, plan, kek, out, err);
  OPENSSL_cleanse(kek, sizeof kek);
  OPENSSL_cleanse(ys, sizeof ys);
  return rc;
}

static int read_passphrase(const char *path, char **out, char *err) {
  uint8_t *buf;
  size_t len;
  int e = rc_file_read_secret(path, 1024, &buf, &len);
  if (e) {
    cer_errf(err, "%s: %s", path,
             e == -EPERM ? "passphrase file must not be readable by group or "
                           "others (chmod 600)"
                         : strerror(-e));
    return e == -EPERM ? RC_EPERM : RC_EIO;
  }
  while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
    buf[--len] = 0;
  if (len < 12 || memchr(buf, 0, len)) {
    cer_errf(err, "%s: passphrase must be at least 12 characters", path);
    OPENSSL_clear_free(buf, len);
    return RC_EINVAL;
  }
  *out = (char *)buf;
  return 0;
}

/* The sysadmin at the signing machine combines the shares and stores the
 * key the way ringca-signer reads it: encrypted PKCS#8, mode 0600. */
int cer_cmd_recover(const char *dir, int nshares, char **shares,
                    const char *out, const char *passfile, char *err) {
  struct cer_plan *plan = malloc(sizeof *plan);
  struct cer_journal *j = malloc(sizeof *j);
  EVP_PKEY *key = NULL;
  X509 *cert = NULL;
  char path[PATH_MAX], *pass = NULL;
  int rc = plan && j ? 0 : RC_ENOMEM;
  if (rc == 0)
    rc = cer_plan_open(dir, plan, j, 0, err);
  if (rc == 0)
    rc = read_passphrase(passfile, &pass, err);
  if (rc == 0)
    rc = cer_escrow_recover(dir, plan, nshares, shares, &key, err);
  if (rc == 0 && (rc = cer_path(path, sizeof path, dir, CER_F_CERT)) == 0 &&
      (rc = rc_x509_read_pem(path, &cert)))
    cer_errf(err, "%s: cannot read the certificate", path);
  if (rc == 0 && !cer_key_matches_cert(key, cert)) {
    cer_errf(err, "recovered key does not match %s", path);
    rc = RC_EAUTH;
  }
  if (rc == 0 && (rc = rc_pkey_write_encrypted(out, key, pass)))
    cer_errf(err, "%s: cannot write the key: %s", out, rc_strerror(rc));
  if (rc == 0)
    printf("recovered the key of ceremony %s into %s (encrypted PKCS#8, "
           "0600); it matches %s\n",
           plan->id, out, path);
  if (pass)
    OPENSSL_clear_free(pass, strlen(pass));
  EVP_PKEY_free(key);
  X509_free(cert);
  free(plan);
  free(j);
  return rc;
}
