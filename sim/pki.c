/* Deterministic throwaway keys, CSRs and CA for the simulator (pki.h). */
#include "pki.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/x509v3.h>

#include "ringca/error.h"

static int raw_public(int type, const uint8_t priv[32], uint8_t pub[32]) {
  EVP_PKEY *k = EVP_PKEY_new_raw_private_key(type, NULL, priv, 32);
  if (!k)
    return RC_ECRYPTO;
  size_t len = 32;
  int ok = EVP_PKEY_get_raw_public_key(k, pub, &len) == 1 && len == 32;
  EVP_PKEY_free(k);
  return ok ? 0 : RC_ECRYPTO;
}

int rc_sim_x25519_public(const uint8_t priv[32], uint8_t pub[32]) {
  return raw_public(EVP_PKEY_X25519, priv, pub);
}

int rc_sim_ed25519_public(const uint8_t priv[32], uint8_t pub[32]) {
  return raw_public(EVP_PKEY_ED25519, priv, pub);
}

static int set_cn(X509_NAME *n, const char *cn) {
  return X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
                                    (const unsigned char *)cn, -1, -1, 0);
}

int rc_sim_csr(const uint8_t seed[32], const char *cn, const char *san_dns,
               uint8_t **der, size_t *len) {
  EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed,
                                               32);
  X509_REQ *req = X509_REQ_new();
  STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
  int rc = RC_ECRYPTO;
  char san[300];
  snprintf(san, sizeof san, "DNS:%s", san_dns);
  if (!key || !req || !exts)
    goto out;
  X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name,
                                            san);
  if (!ext || !sk_X509_EXTENSION_push(exts, ext)) {
    X509_EXTENSION_free(ext);
    goto out;
  }
  if (X509_REQ_set_version(req, 0) != 1 ||
      set_cn(X509_REQ_get_subject_name(req), cn) != 1 ||
      X509_REQ_set_pubkey(req, key) != 1 ||
      X509_REQ_add_extensions(req, exts) != 1 ||
      X509_REQ_sign(req, key, NULL) <= 0)
    goto out;
  unsigned char *p = NULL;
  int n = i2d_X509_REQ(req, &p);
  if (n <= 0)
    goto out;
  *der = p;
  *len = (size_t)n;
  rc = 0;
out:
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  X509_REQ_free(req);
  EVP_PKEY_free(key);
  return rc;
}

static EVP_PKEY *seeded_key(struct rc_prng *p) {
  uint8_t seed[32];
  struct rc_rng rng = rc_prng_as_rng(p);
  rc_rng_fill(&rng, seed, sizeof seed);
  EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
  OPENSSL_cleanse(seed, sizeof seed);
  return k;
}

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
  X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
  if (!e)
    return 0;
  int ok = X509_add_ext(x, e, -1);
  X509_EXTENSION_free(e);
  return ok;
}

static X509 *ca_cert(struct rc_prng *p, const char *cn, EVP_PKEY *key,
                     X509 *issuer, EVP_PKEY *issuer_key, bool root) {
  X509 *x = X509_new();
  if (!x)
    return NULL;
  uint8_t serial[16];
  struct rc_rng rng = rc_prng_as_rng(p);
  rc_rng_fill(&rng, serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM *bn = BN_bin2bn(serial, sizeof serial, NULL);
  bool ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) &&
            X509_set_version(x, 2) &&
            ASN1_TIME_set(X509_getm_notBefore(x),
                          (time_t)RC_SIM_UNIX_EPOCH_S) &&
            ASN1_TIME_set(X509_getm_notAfter(x),
                          (time_t)(RC_SIM_UNIX_EPOCH_S + 3650ull * 86400)) &&
            set_cn(X509_get_subject_name(x), cn) == 1 &&
            X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "O",
                                       MBSTRING_UTF8,
                                       (const unsigned char *)
                                           "NOT FOR PRODUCTION",
                                       -1, -1, 0) == 1 &&
            X509_set_issuer_name(x, X509_get_subject_name(root ? x : issuer)) &&
            X509_set_pubkey(x, key) &&
            add_ext(x, root ? x : issuer, NID_basic_constraints,
                    root ? "critical,CA:TRUE" : "critical,CA:TRUE,pathlen:0") &&
            add_ext(x, root ? x : issuer, NID_key_usage,
                    "critical,keyCertSign,cRLSign") &&
            add_ext(x, root ? x : issuer, NID_subject_key_identifier,
                    "hash") &&
            X509_sign(x, issuer_key, NULL) > 0;
  BN_free(bn);
  if (!ok) {
    X509_free(x);
    return NULL;
  }
  return x;
}

int rc_sim_ca_make(struct rc_prng *p, struct rc_sim_ca *out) {
  memset(out, 0, sizeof *out);
  out->root_key = seeded_key(p);
  if (!out->root_key)
    return RC_ECRYPTO;
  out->root = ca_cert(p, "ringca-sim root", out->root_key, NULL,
                      out->root_key, true);
  if (!out->root)
    goto fail;
  static const char *const profiles[] = {"server", "client"};
  for (size_t i = 0; i < RC_SIM_CA_MAX_SUBS; i++) {
    char cn[64];
    snprintf(cn, sizeof cn, "ringca-sim %s sub-root", profiles[i]);
    out->sub_key[i] = seeded_key(p);
    if (!out->sub_key[i])
      goto fail;
    out->sub[i] = ca_cert(p, cn, out->sub_key[i], out->root, out->root_key,
                          false);
    if (!out->sub[i])
      goto fail;
    snprintf(out->profile[i], sizeof out->profile[i], "%s", profiles[i]);
    out->nsubs = i + 1;
  }
  return 0;
fail:
  rc_sim_ca_free(out);
  return RC_ECRYPTO;
}

void rc_sim_ca_free(struct rc_sim_ca *ca) {
  X509_free(ca->root);
  EVP_PKEY_free(ca->root_key);
  for (size_t i = 0; i < RC_SIM_CA_MAX_SUBS; i++) {
    X509_free(ca->sub[i]);
    EVP_PKEY_free(ca->sub_key[i]);
  }
  memset(ca, 0, sizeof *ca);
}
