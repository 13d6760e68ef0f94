/* CA material: the root certificate and one sub-root (certificate and
 * decrypted key) per profile. Keys live only in this struct (and in the
 * signing context prepared from them, which holds a reference, not a copy)
 * and are freed (OpenSSL wipes them) by rc_ca_free. */
#include "ringca/signer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "ringca/error.h"
#include "ringca/x509util.h"

int rc_ca_set_root(struct rc_ca *ca, X509 *root) {
  uint8_t *der;
  size_t len;
  int rc = rc_x509_to_der(root, &der, &len);
  if (rc)
    return rc;
  X509_up_ref(root);
  X509_free(ca->root);
  free(ca->root_der);
  ca->root = root;
  ca->root_der = der;
  ca->root_der_len = len;
  return 0;
}

int rc_ca_add_issuer(struct rc_ca *ca, const char *profile, X509 *cert,
                     EVP_PKEY *key) {
  if (ca->nissuers == RC_POLICY_MAX_PROFILES ||
      strlen(profile) > RC_NAME_MAX || rc_ca_find(ca, profile))
    return RC_EINVAL;
  if (X509_check_private_key(cert, key) != 1 || X509_check_ca(cert) == 0 ||
      (ca->root && X509_verify(cert, X509_get0_pubkey(ca->root)) != 1)) {
    ERR_clear_error();
    return RC_ECRYPTO;
  }
  struct rc_ca_issuer *iss = &ca->issuers[ca->nissuers];
  memset(iss, 0, sizeof *iss);
  iss->cert = cert;
  iss->key = key;
  int rc = rc_x509_to_der(cert, &iss->cert_der, &iss->cert_der_len);
  if (rc == 0 && (rc = rc__issuer_prepare(iss)) != 0) {
    free(iss->cert_der);
    iss->cert_der = NULL;
  }
  if (rc) {
    memset(iss, 0, sizeof *iss);
    return rc;
  }
  strcpy(iss->profile, profile);
  X509_up_ref(cert);
  EVP_PKEY_up_ref(key);
  ca->nissuers++;
  return 0;
}

const struct rc_ca_issuer *rc_ca_find(const struct rc_ca *ca,
                                      const char *profile) {
  for (size_t i = 0; i < ca->nissuers; i++)
    if (!strcmp(ca->issuers[i].profile, profile))
      return &ca->issuers[i];
  return NULL;
}

void rc_ca_free(struct rc_ca *ca) {
  for (size_t i = 0; i < ca->nissuers; i++) {
    rc__issuer_release(&ca->issuers[i]);
    X509_free(ca->issuers[i].cert);
    EVP_PKEY_free(ca->issuers[i].key);
    free(ca->issuers[i].cert_der);
  }
  X509_free(ca->root);
  free(ca->root_der);
  memset(ca, 0, sizeof *ca);
}

static int load_issuer(struct rc_ca *ca, const char *dir, const char *profile,
                       const char *passphrase, char *err, size_t errlen) {
  char cpath[4096], kpath[4096];
  snprintf(cpath, sizeof cpath, "%s/%s.pem", dir, profile);
  snprintf(kpath, sizeof kpath, "%s/%s.key", dir, profile);
  X509 *cert = NULL;
  EVP_PKEY *key = NULL;
  int rc = rc_x509_read_pem(cpath, &cert);
  if (rc) {
    snprintf(err, errlen, "%s: cannot read the sub-root certificate (%s)",
             cpath, rc_strerror(rc));
    return rc;
  }
  rc = rc_pkey_read_encrypted(kpath, passphrase, &key);
  if (rc) {
    snprintf(err, errlen, "%s: %s", kpath,
             rc == RC_EAUTH   ? "wrong passphrase"
             : rc == RC_EPERM ? "key file must be mode 0600 (no group or "
                                "other access)"
                              : rc_strerror(rc));
  } else if ((rc = rc_ca_add_issuer(ca, profile, cert, key)) != 0) {
    snprintf(err, errlen, "%s: not a CA certificate signed by root.pem, or "
             "it does not match %s.key", cpath, profile);
  }
  X509_free(cert);
  EVP_PKEY_free(key);
  return rc;
}

int rc_ca_load(struct rc_ca *ca, const char *dir, const struct rc_policy *pol,
               const char *passphrase, char *err, size_t errlen) {
  char path[4096];
  X509 *root = NULL;
  memset(ca, 0, sizeof *ca);
  snprintf(path, sizeof path, "%s/root.pem", dir);
  int rc = rc_x509_read_pem(path, &root);
  if (rc) {
    snprintf(err, errlen, "%s: cannot read the root certificate (%s)", path,
             rc_strerror(rc));
    return rc;
  }
  rc = rc_ca_set_root(ca, root);
  X509_free(root);
  for (size_t i = 0; rc == 0 && i < pol->nprofiles; i++)
    rc = load_issuer(ca, dir, pol->profiles[i].name, passphrase, err, errlen);
  if (rc)
    rc_ca_free(ca);
  return rc;
}
