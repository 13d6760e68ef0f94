/* The root signer as a library: CA material, issuance, and the one call that
 * turns a CertRequest into a CertReply or a CertRefusal.
 *
 * rc_signer_handle is a function of (policy, CA, request, now, rng) only: no
 * files, no clock. ringca-signer drives it from the spool; the simulator
 * calls it in-process with throwaway keys. (ECDSA signatures themselves use
 * OpenSSL's nonce generation, so only RSA/Ed25519 outputs are bit-identical
 * across runs.) */
#ifndef RINGCA_SIGNER_H
#define RINGCA_SIGNER_H
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ringca.pb-c.h"
#include "ringca/policy.h"
#include "ringca/rng.h"

/* Certificates never start before the signer's clock minus this much, to
 * tolerate clock skew between the subscriber and the root. */
#define RC_ISSUE_BACKDATE_S 300

struct rc_ca_issuer {
  char profile[RC_NAME_MAX + 1]; /* the profile this sub-root signs for */
  X509 *cert;
  EVP_PKEY *key;
  uint8_t *cert_der;
  size_t cert_der_len;
  /* Prepared once by rc_ca_add_issuer (signer/issuer_prep.c) because they
   * are the same for every certificate this sub-root signs. */
  EVP_MD_CTX *sign_tmpl;     /* DigestSign initialised with key and digest */
  EVP_MD *fp_md;             /* SHA-256, for fingerprints */
  EVP_MD *ski_md;            /* SHA-1, for subjectKeyIdentifier (RFC 5280) */
  X509_EXTENSION *ext_bc;    /* critical, CA:FALSE */
  X509_EXTENSION *ext_aki;   /* keyid of this sub-root */
  X509_EXTENSION *ext_ku_sign, *ext_ku_sign_encipher; /* critical keyUsage */
  ASN1_INTEGER *version;            /* v3 */
  X509_ALGOR *signature_algorithm;  /* of key + digest, from the provider */
};

struct rc_ca {
  X509 *root;
  uint8_t *root_der;
  size_t root_der_len;
  size_t nissuers;
  struct rc_ca_issuer issuers[RC_POLICY_MAX_PROFILES];
};

/* Builds a CA in memory (the simulator, tests): takes its own references.
 * The issuer must be a CA certificate signed by root, matching key. */
int rc_ca_set_root(struct rc_ca *ca, X509 *root);
int rc_ca_add_issuer(struct rc_ca *ca, const char *profile, X509 *cert,
                     EVP_PKEY *key);
const struct rc_ca_issuer *rc_ca_find(const struct rc_ca *ca,
                                      const char *profile);
void rc_ca_free(struct rc_ca *ca);

/* Loads DIR/root.pem and, for every profile P of the policy, DIR/P.pem and
 * the encrypted PKCS#8 key DIR/P.key (mode 0600). Returns 0, or an RC_E*
 * with one sentence in err naming the file at fault. */
int rc_ca_load(struct rc_ca *ca, const char *dir, const struct rc_policy *pol,
               const char *passphrase, char *err, size_t errlen);

/* Creates a throwaway root and one sub-root per name in DIR (EC P-256),
 * subjects labelled "NOT FOR PRODUCTION", keys encrypted with passphrase. */
int rc_ca_create_dev(const char *dir, const char *const *profiles,
                     size_t nprofiles, const char *passphrase,
                     uint64_t now_unix_s, const struct rc_rng *rng);

/* The same hierarchy in memory only, Ed25519 keys drawn from rng: for the
 * simulator and tests, a pure function of (profiles, now, rng) down to the
 * last byte of every certificate it later signs. */
int rc_ca_create_mem(struct rc_ca *ca, const char *const *profiles,
                     size_t nprofiles, uint64_t now_unix_s,
                     const struct rc_rng *rng);

/* signer/issuer_prep.c, internal to signer/: fill and free the prepared
 * fields of an issuer whose cert and key are set. 0 or RC_ECRYPTO. */
int rc__issuer_prepare(struct rc_ca_issuer *iss);
void rc__issuer_release(struct rc_ca_issuer *iss);

/* signer/cert_der.c, internal to signer/. The parts of one certificate
 * that vary; they are borrowed, not copied or freed. */
struct rc__tbs {
  const ASN1_INTEGER *serial;
  const ASN1_TIME *not_before, *not_after;
  const X509_NAME *subject;
  const X509_PUBKEY *key;
  const STACK_OF(X509_EXTENSION) *extensions;
};
/* Encodes the TBSCertificate once, signs exactly those bytes with a copy of
 * the issuer's prepared context and returns the certificate's DER in *der
 * (free()). 0, RC_ENOMEM or RC_ECRYPTO. */
int rc__cert_sign(const struct rc_ca_issuer *iss, const struct rc__tbs *parts,
                  uint8_t **der, size_t *der_len);
/* The AlgorithmIdentifier a DigestSign context's signatures carry. */
int rc__signature_algorithm(EVP_MD_CTX *sign_ctx, X509_ALGOR **out);

/* Signs a checked CSR with the profile's sub-root: the certificate's DER in
 * *der (free()) and its serial in hex. 0, RC_ENOMEM or RC_ECRYPTO. */
int rc_issue_cert(const struct rc_ca_issuer *iss,
                  const struct rc_csr_checked *csr, uint64_t now_unix_s,
                  const struct rc_rng *rng, uint8_t **der, size_t *der_len,
                  char serial_hex[41]);

struct rc_sign_result {
  bool refused;
  struct rc_refusal refusal;    /* when refused */
  Ringca__CertReply reply;      /* when issued: points into this struct */
  Ringca__CertRefusal refusal_msg;
  uint8_t *cert_der;
  size_t cert_der_len;
  ProtobufCBinaryData chain[2];
  char serial_hex[41];
  char fingerprint[65];         /* SHA-256 of the certificate */
  char subject[256];            /* one-line RFC 2253 subject */
};

/* Policy check + issuance. Returns 0 with the result filled (issued or
 * refused), or RC_ENOMEM/RC_ECRYPTO for an internal failure (reported to
 * the requester as REFUSAL_INTERNAL by the caller). */
int rc_signer_handle(const struct rc_policy *pol, const struct rc_ca *ca,
                     const Ringca__CertRequest *req, uint64_t now_unix_s,
                     const struct rc_rng *rng, struct rc_sign_result *out);
/* Packs the CertReply or CertRefusal (what an Envelope payload carries). */
int rc_sign_result_pack(const struct rc_sign_result *r, uint8_t **out,
                        size_t *out_len);
void rc_sign_result_free(struct rc_sign_result *r);
/* Fills a refusal result (deadline, internal error) without a CSR. */
void rc_sign_result_refuse(struct rc_sign_result *r, Ringca__RefusalReason why,
                           const char *message);

/* Reads a passphrase: from `file` when given (first line, file must be
 * 0600), else from the controlling terminal with echo off, else through
 * systemd-ask-password. Returns 0, or RC_EIO/RC_EPERM/RC_EINVAL. The caller
 * wipes buf with OPENSSL_cleanse. */
int rc_passphrase_read(const char *file, const char *prompt, char *buf,
                       size_t cap);

#endif
