/* The CSR policy check shared by the front-end and the root signer.
 * Input is hostile: bounded before parsing, every field checked against a
 * closed list, and each refusal names the field at fault. */
#include "ringca/policy.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/pem.h>

#include "ringca/error.h"

#define SUBJECT_VALUE_MAX 64u
#define EMAIL_MAX 254u
#define LOCAL_PART_MAX 64u

int rc_refuse(struct rc_refusal *why, Ringca__RefusalReason r,
              const char *fmt, ...) {
  why->reason = r;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why->message, sizeof why->message, fmt, ap);
  va_end(ap);
  return RC_EPOLICY;
}

/* Quotes attacker-chosen text for a message: printable ASCII only, cut. */
static const char *safe(const unsigned char *s, size_t n, char out[72]) {
  size_t j = 0;
  for (size_t i = 0; i < n && j < 64; i++)
    out[j++] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
  if (n > 64) {
    memcpy(out + j, "...", 3);
    j += 3;
  }
  out[j] = 0;
  return out;
}

const char *rc_refusal_name(Ringca__RefusalReason r) {
  const ProtobufCEnumValue *v =
      protobuf_c_enum_descriptor_get_value(&ringca__refusal_reason__descriptor,
                                           (int)r);
  return v ? v->name : "REFUSAL_UNKNOWN";
}

bool rc_refusal_is_policy(Ringca__RefusalReason r) {
  switch (r) {
  case RINGCA__REFUSAL_REASON__REFUSAL_DEADLINE:
  case RINGCA__REFUSAL_REASON__REFUSAL_NO_ROUTE:
  case RINGCA__REFUSAL_REASON__REFUSAL_INTERNAL:
  case RINGCA__REFUSAL_REASON__REFUSAL_UNSPECIFIED:
    return false;
  default:
    return true;
  }
}

/* DER as it is; PEM ("CERTIFICATE REQUEST" or the older "NEW CERTIFICATE
 * REQUEST") unwrapped to DER first, so both take the same decoder. */
static int parse_csr(const uint8_t *csr, size_t len, X509_REQ **req,
                     EVP_PKEY **key, struct rc_refusal *why) {
  static const char pem[] = "-----BEGIN";
  if (len >= sizeof pem - 1 && memcmp(csr, pem, sizeof pem - 1) == 0) {
    BIO *bio = BIO_new_mem_buf(csr, (int)len);
    unsigned char *der = NULL;
    long der_len = 0;
    int ok = bio && PEM_bytes_read_bio(&der, &der_len, NULL,
                                       PEM_STRING_X509_REQ, bio, NULL, NULL);
    BIO_free(bio);
    int rc = ok ? rc_csr_decode(der, (size_t)der_len, req, key, why)
                : RC_EMALFORMED;
    OPENSSL_free(der);
    return rc;
  }
  return rc_csr_decode(csr, len, req, key, why);
}

static bool str_ieq_suffix(const char *name, const char *suffix) {
  size_t n = strlen(name), s = strlen(suffix);
  if (n < s || strcasecmp(name + n - s, suffix) != 0)
    return false;
  return n == s || name[n - s - 1] == '.';
}

static bool suffix_ok(const struct rc_profile *p, const char *name) {
  if (p->nsuffixes == 0)
    return true;
  for (size_t i = 0; i < p->nsuffixes; i++)
    if (str_ieq_suffix(name, p->suffixes[i]))
      return true;
  return false;
}

/* Returns NULL when `s` is a valid host name, else what is wrong with it. */
static const char *dns_problem(const char *s, size_t n, bool wildcard_ok) {
  if (n == 0)
    return "is empty";
  if (n > RC_DNS_NAME_MAX)
    return "is longer than 253 characters";
  if (strlen(s) != n)
    return "contains a NUL byte";
  if (n >= 2 && s[0] == '*' && s[1] == '.') {
    if (!wildcard_ok)
      return "is a wildcard, which this profile does not allow";
    s += 2;
    n -= 2;
  }
  size_t labels = 0, label_len = 0;
  bool all_digits = true;
  for (size_t i = 0; i <= n; i++) {
    char c = i < n ? s[i] : '.';
    if (c == '.') {
      if (label_len == 0)
        return "has an empty label";
      if (s[i - 1] == '-' || s[i - label_len] == '-')
        return "has a label starting or ending with '-'";
      labels++;
      label_len = 0;
      if (i < n)
        all_digits = true;
      continue;
    }
    if (!isalnum((unsigned char)c) && c != '-')
      return "has a character outside letters, digits, '-' and '.'";
    if (!isdigit((unsigned char)c))
      all_digits = false;
    if (++label_len > 63)
      return "has a label longer than 63 characters";
  }
  if (labels < 2)
    return "is not a fully qualified domain name";
  if (all_digits)
    return "has a numeric top-level label (an IP address belongs in an IP SAN)";
  return NULL;
}

static const char *email_problem(const char *s, size_t n) {
  if (n == 0 || n > EMAIL_MAX || strlen(s) != n)
    return "is empty, too long or contains a NUL byte";
  const char *at = memchr(s, '@', n);
  if (!at || memchr(at + 1, '@', n - (size_t)(at - s) - 1))
    return "does not contain exactly one '@'";
  size_t local = (size_t)(at - s);
  if (local == 0 || local > LOCAL_PART_MAX)
    return "has an empty or overlong local part";
  for (size_t i = 0; i < local; i++)
    if (s[i] <= 0x20 || s[i] >= 0x7f || strchr("\"(),:;<>[\\]", s[i]))
      return "has a character not allowed in the local part";
  return dns_problem(at + 1, n - local - 1, false);
}

struct san_ctx {
  const struct rc_profile *p;
  struct rc_refusal *why;
  char buf[72];
};

static int check_one_san(struct san_ctx *c, const GENERAL_NAME *gn) {
  const struct rc_profile *p = c->p;
  int type;
  const void *v = GENERAL_NAME_get0_value(gn, &type);
  /* Only these three hold an ASN1_STRING; otherName, dirName etc. do not. */
  bool str = v && (type == GEN_DNS || type == GEN_EMAIL || type == GEN_IPADD);
  const char *s = str ? (const char *)ASN1_STRING_get0_data(v) : NULL;
  size_t n = str ? (size_t)ASN1_STRING_length(v) : 0;
  const char *bad;
  switch (type) {
  case GEN_DNS:
    if (!(p->san_kinds & RC_SAN_DNS))
      return rc_refuse(c->why, RINGCA__REFUSAL_REASON__REFUSAL_SAN,
                    "subjectAltName: profile %s does not allow DNS names",
                    p->name);
    if ((bad = dns_problem(s, n, p->allow_wildcard)) != NULL)
      return rc_refuse(c->why, RINGCA__REFUSAL_REASON__REFUSAL_SAN,
                    "subjectAltName: DNS name \"%s\" %s",
                    safe((const unsigned char *)s, n, c->buf), bad);
    if (!suffix_ok(p, s))
      return rc_refuse(c->why, RINGCA__REFUSAL_REASON__REFUSAL_SAN,
                    "subjectAltName: DNS name \"%s\" is outside the domains "
                    "of profile %s", safe((const unsigned char *)s, n, c->buf),
                    p->name);
    return 0;
  case GEN_EMAIL:
    if (!(p->san_kinds & RC_SAN_EMAIL))
      return rc_refuse(c->why, RINGCA__REFUSAL_REASON__REFUSAL_SAN,
                    "subjectAltName: profile %s does not allow e-mail "
                    "addresses", p->name);
    if ((bad = email_problem(s, n)) != NULL)
      return rc_refuse(c->why, RINGCA__REFUSAL_REASON__REFUSAL_SAN,
                    "subjectAltName: e-mail address \"%s\" %s",
                    safe((const unsigned char *)s, n, c->buf), bad);
    if (!suffix_ok(p, strchr(s, '@') + 1))
      return rc_refuse(c->why, RINGCA__REFUSAL_REASON__REFUSAL_SAN,
                    "subjectAltName: e-mail address \"%s\" is outside the "
                    "domains of profile %s",
                    safe((const unsigned char *)s, n, c->buf), p->name);
    return 0;
  case GEN_IPADD:
    if (!(p->san_kinds & RC_SAN_IP))
      return rc_refuse(c->why, RINGCA__REFUSAL_REASON__REFUSAL_SAN,
                    "subjectAltName: profile %s does not allow IP addresses",
                    p->name);
    if (n != 4 && n != 16)
      return rc_refuse(c->why, RINGCA__REFUSAL_REASON__REFUSAL_SAN,
                    "subjectAltName: IP address is %zu bytes, not 4 or 16", n);
    return 0;
  default:
    return rc_refuse(c->why, RINGCA__REFUSAL_REASON__REFUSAL_SAN,
                  "subjectAltName: name type %d is not allowed (only DNS, "
                  "e-mail and IP)", type);
  }
}

static int check_sans(const struct rc_profile *p, const GENERAL_NAMES *sans,
                      struct rc_refusal *why) {
  int n = sans ? sk_GENERAL_NAME_num(sans) : 0;
  if (n == 0 && p->require_san)
    return rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_SAN,
                  "subjectAltName: profile %s requires at least one name",
                  p->name);
  if (n > (int)RC_CSR_MAX_SANS)
    return rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_SAN,
                  "subjectAltName: %d names, more than %u", n,
                  RC_CSR_MAX_SANS);
  struct san_ctx c = {.p = p, .why = why};
  for (int i = 0; i < n; i++) {
    int rc = check_one_san(&c, sk_GENERAL_NAME_value(sans, i));
    if (rc)
      return rc;
  }
  return 0;
}

static bool san_has(const GENERAL_NAMES *sans, const char *cn) {
  for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans); i++) {
    int type;
    const ASN1_STRING *v =
        GENERAL_NAME_get0_value(sk_GENERAL_NAME_value(sans, i), &type);
    if (type != GEN_DNS && type != GEN_EMAIL && type != GEN_IPADD)
      continue;
    const unsigned char *d = ASN1_STRING_get0_data(v);
    int len = ASN1_STRING_length(v);
    if ((type == GEN_DNS || type == GEN_EMAIL) &&
        (size_t)len == strlen(cn) &&
        strncasecmp((const char *)d, cn, (size_t)len) == 0)
      return true;
    if (type == GEN_IPADD && len == 4) {
      char txt[16];
      snprintf(txt, sizeof txt, "%u.%u.%u.%u", d[0], d[1], d[2], d[3]);
      if (strcmp(txt, cn) == 0)
        return true;
    }
  }
  return false;
}

static uint32_t subject_bit(int nid) {
  switch (nid) {
  case NID_commonName: return RC_SUBJ_CN;
  case NID_organizationName: return RC_SUBJ_O;
  case NID_organizationalUnitName: return RC_SUBJ_OU;
  case NID_countryName: return RC_SUBJ_C;
  case NID_stateOrProvinceName: return RC_SUBJ_ST;
  case NID_localityName: return RC_SUBJ_L;
  case NID_pkcs9_emailAddress: return RC_SUBJ_EMAIL;
  default: return 0;
  }
}

/* Checks every RDN; *cn receives the (validated) common name or "". */
static int check_subject(const struct rc_profile *p, X509_REQ *req,
                         char cn[SUBJECT_VALUE_MAX + 1],
                         struct rc_refusal *why) {
  const X509_NAME *name = X509_REQ_get_subject_name(req);
  int n = X509_NAME_entry_count(name);
  uint32_t seen = 0;
  char buf[72];
  cn[0] = 0;
  if (n > 16)
    return rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_SUBJECT,
                  "subject: %d attributes, more than 16", n);
  for (int i = 0; i < n; i++) {
    const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
    int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
    uint32_t bit = subject_bit(nid);
    const char *sn = nid != NID_undef ? OBJ_nid2sn(nid) : "unknown OID";
    if (!bit || !(p->subject_attrs & bit))
      return rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_SUBJECT,
                    "subject: attribute %s is not allowed by profile %s", sn,
                    p->name);
    if (seen & bit)
      return rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_SUBJECT,
                    "subject: attribute %s appears twice", sn);
    seen |= bit;
    unsigned char *utf8 = NULL;
    int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
    if (len < 0)
      return rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_SUBJECT,
                    "subject: attribute %s is not a valid string", sn);
    int rc = 0;
    if (len == 0 || (size_t)len > SUBJECT_VALUE_MAX)
      rc = rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_SUBJECT,
                  "subject: attribute %s must be 1..%u characters", sn,
                  SUBJECT_VALUE_MAX);
    for (int j = 0; rc == 0 && j < len; j++)
      if (utf8[j] < 0x20 || utf8[j] == 0x7f)
        rc = rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_SUBJECT,
                    "subject: attribute %s \"%s\" contains a control "
                    "character", sn, safe(utf8, (size_t)len, buf));
    if (rc == 0 && bit == RC_SUBJ_C &&
        (len != 2 || !isupper(utf8[0]) || !isupper(utf8[1])))
      rc = rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_SUBJECT,
                  "subject: C must be a two-letter country code");
    if (rc == 0 && bit == RC_SUBJ_EMAIL &&
        email_problem((const char *)utf8, (size_t)len))
      rc = rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_SUBJECT,
                  "subject: emailAddress \"%s\" is not an e-mail address",
                  safe(utf8, (size_t)len, buf));
    if (rc == 0 && bit == RC_SUBJ_CN)
      memcpy(cn, utf8, (size_t)len + 1);
    OPENSSL_free(utf8);
    if (rc)
      return rc;
  }
  if (p->require_cn && !(seen & RC_SUBJ_CN))
    return rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_SUBJECT,
                  "subject: profile %s requires a CN", p->name);
  return 0;
}

/* The RSA public exponent, or NULL. Asks the size first and fetches into a
 * buffer of exactly that size: EVP_PKEY_get_bn_param on OpenSSL 3.0 always
 * zero-fills and converts a 2 KiB buffer, 4-6 us per request. */
static BIGNUM *rsa_exponent(EVP_PKEY *key) {
  unsigned char buf[2048]; /* e < n, and rsa_max_bits is at most 16384 */
  OSSL_PARAM prm[2] = {OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, NULL, 0),
                       OSSL_PARAM_END};
  if (!EVP_PKEY_get_params(key, prm) || prm[0].return_size == 0 ||
      prm[0].return_size > sizeof buf)
    return NULL;
  prm[0].data = buf;
  prm[0].data_size = prm[0].return_size;
  if (!EVP_PKEY_get_params(key, prm))
    return NULL;
  return BN_native2bn(buf, (int)prm[0].return_size, NULL);
}

static int check_key(const struct rc_profile *p, EVP_PKEY *key,
                     struct rc_refusal *why) {
  int id = EVP_PKEY_get_base_id(key);
  uint32_t kind = 0;
  char group[64] = "";
  size_t glen = 0;
  if (id == EVP_PKEY_RSA) {
    kind = RC_KEY_RSA;
  } else if (id == EVP_PKEY_EC) {
    if (!EVP_PKEY_get_group_name(key, group, sizeof group, &glen))
      return rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_KEY_TYPE,
                    "public key: EC key without a named curve");
    if (!strcmp(group, "prime256v1") || !strcmp(group, "P-256"))
      kind = RC_KEY_EC_P256;
    else if (!strcmp(group, "secp384r1") || !strcmp(group, "P-384"))
      kind = RC_KEY_EC_P384;
    else
      return rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_KEY_SIZE,
                    "public key: EC curve %s is not allowed (P-256 or P-384)",
                    group);
  } else if (id == EVP_PKEY_ED25519) {
    kind = RC_KEY_ED25519;
  } else {
    const char *n = OBJ_nid2sn(id);
    return rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_KEY_TYPE,
                  "public key: algorithm %s is not allowed (RSA, EC P-256, "
                  "EC P-384 or Ed25519)", n ? n : "unknown");
  }
  if (!(p->key_kinds & kind))
    return rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_KEY_TYPE,
                  "public key: profile %s does not allow %s keys", p->name,
                  kind == RC_KEY_RSA       ? "RSA"
                  : kind == RC_KEY_EC_P256 ? "EC P-256"
                  : kind == RC_KEY_EC_P384 ? "EC P-384"
                                           : "Ed25519");
  if (kind == RC_KEY_RSA) {
    int bits = EVP_PKEY_get_bits(key);
    uint32_t min = p->rsa_min_bits < 2048 ? 2048 : p->rsa_min_bits;
    if (bits < (int)min || bits > (int)p->rsa_max_bits)
      return rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_KEY_SIZE,
                    "public key: RSA modulus of %d bits is outside %u..%u",
                    bits, min, p->rsa_max_bits);
    BIGNUM *e = rsa_exponent(key);
    int odd_big = e && BN_is_odd(e) && BN_num_bits(e) >= 17;
    BN_free(e);
    if (!odd_big)
      return rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_KEY_SIZE,
                    "public key: RSA public exponent must be odd and at "
                    "least 65537");
  }
  return 0;
}

static uint32_t eku_bit(int nid) {
  switch (nid) {
  case NID_server_auth: return RC_EKU_SERVER_AUTH;
  case NID_client_auth: return RC_EKU_CLIENT_AUTH;
  case NID_email_protect: return RC_EKU_EMAIL_PROTECTION;
  default: return 0;
  }
}

static int check_eku(const struct rc_profile *p, X509_EXTENSION *ext,
                     struct rc_refusal *why) {
  EXTENDED_KEY_USAGE *eku = X509V3_EXT_d2i(ext);
  if (!eku)
    return rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_MALFORMED_CSR,
                  "extendedKeyUsage: cannot be decoded");
  int rc = 0;
  for (int i = 0; rc == 0 && i < sk_ASN1_OBJECT_num(eku); i++) {
    int nid = OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i));
    if (!(eku_bit(nid) & p->eku))
      rc = rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_EKU,
                  "extendedKeyUsage: %s is not allowed by profile %s",
                  nid != NID_undef ? OBJ_nid2sn(nid) : "unknown OID", p->name);
  }
  EXTENDED_KEY_USAGE_free(eku);
  return rc;
}

static int check_ext(const struct rc_profile *p, X509_EXTENSION *ext,
                     struct rc_csr_checked *out, struct rc_refusal *why) {
  int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
  switch (nid) {
  case NID_subject_alt_name:
    if (out->sans)
      return rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_SAN,
                    "subjectAltName: appears twice");
    out->sans = X509V3_EXT_d2i(ext);
    if (!out->sans)
      return rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_MALFORMED_CSR,
                    "subjectAltName: cannot be decoded");
    return 0;
  case NID_ext_key_usage:
    return check_eku(p, ext, why);
  case NID_basic_constraints: {
    BASIC_CONSTRAINTS *bc = X509V3_EXT_d2i(ext);
    int ca = bc ? bc->ca : 1;
    BASIC_CONSTRAINTS_free(bc);
    return ca ? rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_EXTENSION,
                       "basicConstraints: CA:TRUE is never issued to a "
                       "subscriber")
              : 0;
  }
  case NID_key_usage: {
    ASN1_BIT_STRING *ku = X509V3_EXT_d2i(ext);
    int ca_bits = !ku || ASN1_BIT_STRING_get_bit(ku, 5) ||
                  ASN1_BIT_STRING_get_bit(ku, 6);
    ASN1_BIT_STRING_free(ku);
    return ca_bits ? rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_EXTENSION,
                            "keyUsage: keyCertSign and cRLSign are never "
                            "issued to a subscriber")
                   : 0;
  }
  case NID_subject_key_identifier:
    return 0; /* the signer computes its own */
  default: {
    char oid[80];
    OBJ_obj2txt(oid, sizeof oid, X509_EXTENSION_get_object(ext), 1);
    return rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_EXTENSION,
                  "extensions: %s is not allowed in a request", oid);
  }
  }
}

static int check_extensions(const struct rc_profile *p, X509_REQ *req,
                            struct rc_csr_checked *out,
                            struct rc_refusal *why) {
  STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
  int n = exts ? sk_X509_EXTENSION_num(exts) : 0;
  int rc = 0;
  if (n > (int)RC_CSR_MAX_EXTENSIONS)
    rc = rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_EXTENSION,
                "extensions: %d requested, more than %u", n,
                RC_CSR_MAX_EXTENSIONS);
  for (int i = 0; rc == 0 && i < n; i++)
    rc = check_ext(p, sk_X509_EXTENSION_value(exts, i), out, why);
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  return rc;
}

static int check_parsed(const struct rc_profile *p, X509_REQ *req,
                        EVP_PKEY *key, struct rc_csr_checked *out,
                        struct rc_refusal *why) {
  if (X509_REQ_get_version(req) != X509_REQ_VERSION_1)
    return rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_MALFORMED_CSR,
                  "version: only PKCS#10 version 1 is accepted");
  if (!key) /* rc_csr_decode said why */
    return RC_EPOLICY;
  int rc = check_key(p, key, why);
  if (rc)
    return rc;
  ERR_clear_error();
  /* Default library context: the request was parsed in a keyless one. */
  if (X509_REQ_verify_ex(req, key, NULL, NULL) != 1)
    return rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_BAD_CSR_SIGNATURE,
                  "signature: the request is not signed by its own key");
  char cn[SUBJECT_VALUE_MAX + 1];
  if ((rc = check_subject(p, req, cn, why)) != 0 ||
      (rc = check_extensions(p, req, out, why)) != 0 ||
      (rc = check_sans(p, out->sans, why)) != 0)
    return rc;
  if ((p->eku & RC_EKU_SERVER_AUTH) && cn[0] && !san_has(out->sans, cn)) {
    char buf[72];
    return rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_SUBJECT,
                  "subject: CN \"%s\" must also appear in subjectAltName",
                  safe((const unsigned char *)cn, strlen(cn), buf));
  }
  return 0;
}

int rc_policy_check(const struct rc_policy *policy, const char *profile_name,
                    const uint8_t *csr, size_t csr_len, uint32_t validity_days,
                    struct rc_csr_checked *out, struct rc_refusal *why) {
  memset(out, 0, sizeof *out);
  memset(why, 0, sizeof *why);
  if (csr_len > RC_CSR_MAX)
    return rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_TOO_LARGE,
                  "csr: %zu bytes, more than the %u allowed", csr_len,
                  RC_CSR_MAX);
  const struct rc_profile *p = rc_policy_find(policy, profile_name);
  char buf[72];
  if (!p)
    return rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_UNKNOWN_PROFILE,
                  "profile: \"%s\" is not a configured profile",
                  profile_name ? safe((const unsigned char *)profile_name,
                                      strlen(profile_name), buf)
                               : "");
  uint32_t days = validity_days ? validity_days : p->default_days;
  if (days > p->max_days)
    return rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_VALIDITY,
                  "validity_days: %u days exceeds the %u allowed by profile "
                  "%s", days, p->max_days, p->name);
  if (csr_len == 0)
    return rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_MALFORMED_CSR,
                  "csr: empty");
  X509_REQ *req;
  EVP_PKEY *key;
  int rc = parse_csr(csr, csr_len, &req, &key, why);
  ERR_clear_error();
  if (rc == RC_ECRYPTO)
    return rc;
  if (rc)
    return rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_MALFORMED_CSR,
                  "csr: not a PKCS#10 request in DER or PEM (truncated or "
                  "corrupt)");
  out->req = req;
  out->key = key;
  out->profile = p;
  out->days = days;
  rc = check_parsed(p, req, key, out, why);
  ERR_clear_error();
  if (rc)
    rc_csr_checked_free(out);
  return rc;
}

int rc_policy_check_request(const struct rc_policy *policy,
                            const Ringca__CertRequest *req,
                            struct rc_csr_checked *out,
                            struct rc_refusal *why) {
  return rc_policy_check(policy, req->profile, req->csr_der.data,
                         req->csr_der.len, req->validity_days, out, why);
}

void rc_csr_checked_free(struct rc_csr_checked *c) {
  X509_REQ_free(c->req);
  EVP_PKEY_free(c->key);
  GENERAL_NAMES_free(c->sans);
  memset(c, 0, sizeof *c);
}
