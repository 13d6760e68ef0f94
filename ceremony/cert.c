/* The key and certificate of the new root.  A top-level root is
 * self-signed; a sub-root is signed by the recovered top-level key, with
 * pathlen 0 and the EKU of its profile so it can only issue end-entity
 * certificates of one kind. */
#include "ceremony.h"

#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "ringca/error.h"
#include "ringca/x509util.h"

/* "/C=AU/O=CAcert Inc./CN=Root"; "\/" escapes a slash inside a value. */
X509_NAME *cer_subject_parse(const char *s) {
  char buf[CER_SUBJECT_MAX + 1];
  X509_NAME *nm;
  if (s[0] != '/' || strlen(s) > CER_SUBJECT_MAX || !(nm = X509_NAME_new()))
    return NULL;
  const char *p = s + 1;
  while (*p) {
    size_t n = 0;
    while (*p && *p != '/') {
      if (*p == '\\' && p[1])
        p++;
      buf[n++] = *p++;
    }
    buf[n] = 0;
    if (*p == '/')
      p++;
    char *eq = strchr(buf, '=');
    if (!eq || eq == buf || !eq[1])
      goto bad;
    *eq = 0;
    if (OBJ_txt2nid(buf) == NID_undef ||
        X509_NAME_add_entry_by_txt(nm, buf, MBSTRING_UTF8,
                                   (const unsigned char *)eq + 1, -1, -1,
                                   0) != 1)
      goto bad;
  }
  if (X509_NAME_entry_count(nm) > 0)
    return nm;
bad:
  X509_NAME_free(nm);
  return NULL;
}

int cer_keygen(const char *t, EVP_PKEY **out, char *err) {
  if (!strcmp(t, "ec-p256"))
    *out = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
  else if (!strcmp(t, "ec-p384"))
    *out = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
  else if (!strcmp(t, "ec-p521"))
    *out = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
  else if (!strcmp(t, "rsa-3072"))
    *out = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
  else if (!strcmp(t, "rsa-4096"))
    *out = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)4096);
  else if (!strcmp(t, "ed25519"))
    *out = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
  else
    *out = NULL;
  if (!*out) {
    cer_errf(err, "key generation (%s) failed", t);
    return RC_ECRYPTO;
  }
  return 0;
}

/* The digest a signature by key uses (none for Ed25519). */
static const EVP_MD *sig_md(EVP_PKEY *key) {
  if (EVP_PKEY_is_a(key, "ED25519") || EVP_PKEY_is_a(key, "ED448"))
    return NULL;
  int bits = EVP_PKEY_get_bits(key);
  if (EVP_PKEY_is_a(key, "EC"))
    return bits > 384 ? EVP_sha512() : bits > 256 ? EVP_sha384()
                                                  : EVP_sha256();
  return EVP_sha256();
}

static int add_extensions(const struct cer_plan *plan, X509 *cert,
                          X509 *issuer) {
  X509 *iss = issuer ? issuer : cert;
  const char *eku = plan->profile == CER_PROFILE_CLIENT
                        ? "clientAuth,emailProtection"
                        : "serverAuth";
  int rc = rc_x509_add_ext(cert, iss, NID_basic_constraints,
                           issuer ? "critical,CA:TRUE,pathlen:0"
                                  : "critical,CA:TRUE");
  if (!rc)
    rc = rc_x509_add_ext(cert, iss, NID_key_usage,
                         "critical,keyCertSign,cRLSign");
  if (!rc)
    rc = rc_x509_add_ext(cert, iss, NID_subject_key_identifier, "hash");
  if (!rc)
    rc = rc_x509_add_ext(cert, iss, NID_authority_key_identifier,
                         "keyid:always");
  if (!rc && issuer)
    rc = rc_x509_add_ext(cert, iss, NID_ext_key_usage, eku);
  return rc;
}

int cer_cert_build(const struct cer_plan *plan, EVP_PKEY *key, X509 *issuer,
                   EVP_PKEY *issuer_key, X509 **out, char *err) {
  X509 *cert = X509_new();
  X509_NAME *subj = cer_subject_parse(plan->subject);
  EVP_PKEY *signer = issuer ? issuer_key : key;
  int rc = RC_ECRYPTO;
  *out = NULL;
  if (!cert || !subj || X509_set_version(cert, 2) != 1 ||
      X509_set_subject_name(cert, subj) != 1 ||
      X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer)
                                        : subj) != 1 ||
      X509_set_pubkey(cert, key) != 1 ||
      rc_x509_set_random_serial(cert, &rc_rng_system) ||
      rc_x509_set_validity(cert, 0, plan->days) ||
      add_extensions(plan, cert, issuer)) {
    cer_errf(err, "cannot assemble the certificate");
    goto out;
  }
  /* A sub-root that outlives its issuer would be a dead chain at the end;
   * the board should choose its validity knowingly. */
  if (issuer && ASN1_TIME_compare(X509_get0_notAfter(cert),
                                  X509_get0_notAfter(issuer)) > 0) {
    cer_errf(err, "days: a subroot valid for %ld days would outlive the "
                  "top-level root that signs it; shorten days in the plan",
             plan->days);
    rc = RC_EPOLICY;
    goto out;
  }
  if (X509_sign(cert, signer, sig_md(signer)) <= 0) {
    cer_errf(err, "signing the certificate failed");
    goto out;
  }
  *out = cert;
  cert = NULL;
  rc = 0;
out:
  X509_free(cert);
  X509_NAME_free(subj);
  return rc;
}

int cer_key_matches_cert(EVP_PKEY *key, X509 *cert) {
  return X509_check_private_key(cert, key) == 1;
}

int cer_pubkey_sha256(EVP_PKEY *key, char out[65]) {
  uint8_t *der = NULL, md[32];
  int len = i2d_PUBKEY(key, &der);
  if (len <= 0)
    return RC_ECRYPTO;
  int ok = EVP_Digest(der, (size_t)len, md, NULL, EVP_sha256(), NULL) == 1;
  OPENSSL_free(der);
  if (!ok)
    return RC_ECRYPTO;
  cer_hex(md, 32, out);
  return 0;
}
