/* init-dev-ca: a throwaway hierarchy for labs and tests. Every subject says
 * NOT FOR PRODUCTION so such a certificate can never pass for a real one;
 * production keys come from ringca-ceremony. */
#include "ringca/signer.h"

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "ringca/error.h"
#include "ringca/fileio.h"
#include "ringca/x509util.h"

#define DEV_ROOT_DAYS 3650
#define DEV_SUB_DAYS 1825
#define DEV_ORG "ringca lab - NOT FOR PRODUCTION"

static X509 *make_ca_cert(const char *cn, EVP_PKEY *key, X509 *issuer,
                          EVP_PKEY *issuer_key, long days, uint64_t now,
                          const struct rc_rng *rng) {
  X509 *x = X509_new();
  X509_NAME *name = X509_NAME_new();
  int ok = x && name &&
           X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                      (const unsigned char *)DEV_ORG, -1, -1,
                                      0) &&
           X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                      (const unsigned char *)cn, -1, -1, 0) &&
           X509_set_version(x, X509_VERSION_3) &&
           rc_x509_set_random_serial(x, rng) == 0 &&
           X509_set_subject_name(x, name) &&
           X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer)
                                          : name) &&
           X509_set_pubkey(x, key) &&
           rc_x509_set_validity_at(x, now, RC_ISSUE_BACKDATE_S, days) == 0;
  /* The root may sign sub-roots; a sub-root only end-entity certificates. */
  ok = ok && rc_x509_add_ext(x, issuer, NID_basic_constraints,
                             issuer ? "critical,CA:TRUE,pathlen:0"
                                    : "critical,CA:TRUE") == 0;
  ok = ok && rc_x509_add_ext(x, issuer, NID_key_usage,
                             "critical,keyCertSign,cRLSign") == 0 &&
       rc_x509_add_ext(x, issuer, NID_subject_key_identifier, "hash") == 0 &&
       rc_x509_add_ext(x, issuer, NID_authority_key_identifier,
                       "keyid:always") == 0 &&
       X509_sign(x, issuer_key,
                 EVP_PKEY_get_base_id(issuer_key) == EVP_PKEY_ED25519
                     ? NULL
                     : EVP_sha256()) > 0;
  X509_NAME_free(name);
  if (!ok) {
    X509_free(x);
    ERR_clear_error();
    return NULL;
  }
  return x;
}

static int write_pair(const char *dir, const char *stem, X509 *cert,
                      EVP_PKEY *key, const char *passphrase) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.key", dir, stem);
  int rc = rc_pkey_write_encrypted(path, key, passphrase);
  if (rc)
    return rc;
  snprintf(path, sizeof path, "%s/%s.pem", dir, stem);
  return rc_x509_write_pem(path, cert);
}

int rc_ca_create_dev(const char *dir, const char *const *profiles,
                     size_t nprofiles, const char *passphrase,
                     uint64_t now_unix_s, const struct rc_rng *rng) {
  if (rc_mkdir_p(dir, 0700) != 0)
    return RC_EIO;
  EVP_PKEY *root_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
  X509 *root = root_key ? make_ca_cert("ringca DEV root - NOT FOR PRODUCTION",
                                       root_key, NULL, root_key,
                                       DEV_ROOT_DAYS, now_unix_s, rng)
                        : NULL;
  int rc = root ? write_pair(dir, "root", root, root_key, passphrase)
                : RC_ECRYPTO;
  for (size_t i = 0; rc == 0 && i < nprofiles; i++) {
    char cn[128];
    snprintf(cn, sizeof cn, "ringca DEV %s sub-root - NOT FOR PRODUCTION",
             profiles[i]);
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *sub = key ? make_ca_cert(cn, key, root, root_key, DEV_SUB_DAYS,
                                   now_unix_s, rng)
                    : NULL;
    rc = sub ? write_pair(dir, profiles[i], sub, key, passphrase) : RC_ECRYPTO;
    X509_free(sub);
    EVP_PKEY_free(key);
  }
  X509_free(root);
  EVP_PKEY_free(root_key);
  return rc;
}

/* Ed25519 from the injected RNG: the key, and with EdDSA's deterministic
 * signatures every certificate, is a function of the seed. */
static EVP_PKEY *seeded_key(const struct rc_rng *rng) {
  uint8_t seed[32];
  rc_rng_fill(rng, seed, sizeof seed);
  EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed,
                                             sizeof seed);
  OPENSSL_cleanse(seed, sizeof seed);
  return k;
}

int rc_ca_create_mem(struct rc_ca *ca, const char *const *profiles,
                     size_t nprofiles, uint64_t now_unix_s,
                     const struct rc_rng *rng) {
  memset(ca, 0, sizeof *ca);
  EVP_PKEY *root_key = seeded_key(rng);
  X509 *root = root_key ? make_ca_cert("ringca DEV root - NOT FOR PRODUCTION",
                                       root_key, NULL, root_key,
                                       DEV_ROOT_DAYS, now_unix_s, rng)
                        : NULL;
  int rc = root ? rc_ca_set_root(ca, root) : RC_ECRYPTO;
  for (size_t i = 0; rc == 0 && i < nprofiles; i++) {
    char cn[128];
    snprintf(cn, sizeof cn, "ringca DEV %s sub-root - NOT FOR PRODUCTION",
             profiles[i]);
    EVP_PKEY *key = seeded_key(rng);
    X509 *sub = key ? make_ca_cert(cn, key, root, root_key, DEV_SUB_DAYS,
                                   now_unix_s, rng)
                    : NULL;
    rc = sub ? rc_ca_add_issuer(ca, profiles[i], sub, key) : RC_ECRYPTO;
    X509_free(sub);
    EVP_PKEY_free(key);
  }
  X509_free(root);
  EVP_PKEY_free(root_key);
  if (rc)
    rc_ca_free(ca);
  return rc;
}
