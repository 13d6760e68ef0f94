/* Certificate profiles and the CSR policy check.
 *
 * One library for both ends: the front-end pre-validates with exactly the
 * code the root signer runs, so a request that fails policy at the root can
 * only come from someone past the front-end (the root trips on it). Pure: no
 * files except rc_policy_load, no clock, no randomness. */
#ifndef RINGCA_POLICY_H
#define RINGCA_POLICY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ringca.pb-c.h"
#include "ringca/limits.h"

#define RC_POLICY_MAX_PROFILES 8u
#define RC_POLICY_MAX_SUFFIXES 16u
#define RC_DNS_NAME_MAX 253u
/* Largest CSR accepted (PEM or DER); real ones are 0.5-3 KiB. */
#define RC_CSR_MAX 16384u
#define RC_CSR_MAX_SANS 100u
#define RC_CSR_MAX_EXTENSIONS 16u

/* Key algorithms a profile may allow (bit mask). */
enum rc_key_kind {
  RC_KEY_RSA = 1u << 0,
  RC_KEY_EC_P256 = 1u << 1,
  RC_KEY_EC_P384 = 1u << 2,
  RC_KEY_ED25519 = 1u << 3,
};

/* Extended key usages (bit mask). */
enum rc_eku {
  RC_EKU_SERVER_AUTH = 1u << 0,
  RC_EKU_CLIENT_AUTH = 1u << 1,
  RC_EKU_EMAIL_PROTECTION = 1u << 2,
};

/* Subject alternative name types (bit mask). */
enum rc_san_kind {
  RC_SAN_DNS = 1u << 0,
  RC_SAN_EMAIL = 1u << 1,
  RC_SAN_IP = 1u << 2,
};

/* Subject attributes (bit mask). */
enum rc_subject_attr {
  RC_SUBJ_CN = 1u << 0,
  RC_SUBJ_O = 1u << 1,
  RC_SUBJ_OU = 1u << 2,
  RC_SUBJ_C = 1u << 3,
  RC_SUBJ_ST = 1u << 4,
  RC_SUBJ_L = 1u << 5,
  RC_SUBJ_EMAIL = 1u << 6,
};

struct rc_profile {
  char name[RC_NAME_MAX + 1];
  uint32_t key_kinds;      /* rc_key_kind */
  uint32_t rsa_min_bits;   /* never below 2048 */
  uint32_t rsa_max_bits;
  uint32_t default_days;
  uint32_t max_days;
  uint32_t eku;            /* rc_eku: what the certificate gets */
  uint32_t san_kinds;      /* rc_san_kind allowed */
  bool require_san;
  bool allow_wildcard;
  uint32_t subject_attrs;  /* rc_subject_attr allowed */
  bool require_cn;
  /* DNS names and e-mail domains must end in one of these (empty: any). */
  size_t nsuffixes;
  char suffixes[RC_POLICY_MAX_SUFFIXES][RC_DNS_NAME_MAX + 1];
};

struct rc_policy {
  size_t nprofiles;
  struct rc_profile profiles[RC_POLICY_MAX_PROFILES];
};

/* The built-in profiles `server` and `client` (docs/operations.md). */
void rc_policy_default(struct rc_policy *out);

/* Parses a profiles file (YAML, see deploy/signer/profiles.yaml). On error
 * returns RC_EMALFORMED/RC_EIO/RC_ETOOBIG and writes "file:line:col: message"
 * into err. `name` is only used in messages. */
int rc_policy_parse(const char *name, const uint8_t *buf, size_t len,
                    struct rc_policy *out, char *err, size_t errlen);
int rc_policy_load(const char *path, struct rc_policy *out, char *err,
                   size_t errlen);

const struct rc_profile *rc_policy_find(const struct rc_policy *p,
                                        const char *name);

/* Why a CSR was refused: the wire reason plus one sentence naming the
 * field at fault ("subjectAltName: DNS name \"a..b\" has an empty label"). */
struct rc_refusal {
  Ringca__RefusalReason reason;
  char message[256];
};

/* Fills *why, the message formatted from fmt; returns RC_EPOLICY. */
int rc_refuse(struct rc_refusal *why, Ringca__RefusalReason reason,
              const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A CSR that passed the policy: the parsed request (owned, free with
 * rc_csr_checked_free) and what the certificate will carry. */
struct rc_csr_checked {
  X509_REQ *req;
  /* The request's public key, decoded once by rc_csr_decode. Use this, not
   * X509_REQ_get0_pubkey(req), which is NULL for a request so parsed. */
  EVP_PKEY *key;
  const struct rc_profile *profile;
  uint32_t days;
  GENERAL_NAMES *sans; /* validated copy from the CSR, may be NULL */
};

/* Parses `csr` (DER, or PEM when it starts with "-----BEGIN"), verifies its
 * self-signature and checks it against `profile_name`. Returns 0 and fills
 * *out, RC_EPOLICY and fills *why, or RC_ENOMEM/RC_ECRYPTO (internal). */
int rc_policy_check(const struct rc_policy *policy, const char *profile_name,
                    const uint8_t *csr, size_t csr_len, uint32_t validity_days,
                    struct rc_csr_checked *out, struct rc_refusal *why);
/* Same for a decoded CertRequest (profile, csr_der, validity_days). */
int rc_policy_check_request(const struct rc_policy *policy,
                            const Ringca__CertRequest *req,
                            struct rc_csr_checked *out,
                            struct rc_refusal *why);
void rc_csr_checked_free(struct rc_csr_checked *c);

/* Parses one DER PKCS#10 request (no trailing bytes) with OpenSSL's own
 * X509_REQ template and imports its public key, without the per-call
 * decoder set-up of d2i_X509_REQ on OpenSSL 3.0 (see request/csr_decode.c).
 * Returns 0 with *req set and either *key or, when there is no key a
 * profile could accept in the one encoding a certificate may carry, the
 * refusal in *why; or RC_EMALFORMED, or RC_ECRYPTO. Thread-safe. The
 * signature is not checked here. */
int rc_csr_decode(const uint8_t *der, size_t len, X509_REQ **req,
                  EVP_PKEY **key, struct rc_refusal *why);

/* True for the reasons only a CSR's content can cause (key, names, EKU,
 * validity, malformed...): since the front-end checked the same policy, the
 * root seeing one means the request was altered past the front-end, and the
 * root node trips (rc_node_trip, RC_TRIP_EXTERNAL). False for DEADLINE,
 * NO_ROUTE, INTERNAL and UNSPECIFIED. */
bool rc_refusal_is_policy(Ringca__RefusalReason r);

/* "REFUSAL_KEY_SIZE" for logs and the audit trail. */
const char *rc_refusal_name(Ringca__RefusalReason r);

#endif
