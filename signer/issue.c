/* What goes into a subscriber certificate. Everything it carries comes from
 * the profile or from CSR fields the policy has already accepted; nothing
 * else in the CSR is copied. Encoding and signing: signer/cert_der.c. */
#include "ringca/signer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "ringca/error.h"
#include "ringca/limits.h"
#include "ringca/pb.h"
#include "ringca/x509util.h"

/* RSA TLS servers may still do key transport; every other use signs. */
static X509_EXTENSION *key_usage_for(const struct rc_ca_issuer *iss,
                                     EVP_PKEY *subject_key, uint32_t eku) {
  if (EVP_PKEY_get_base_id(subject_key) == EVP_PKEY_RSA &&
      (eku & RC_EKU_SERVER_AUTH))
    return iss->ext_ku_sign_encipher;
  return iss->ext_ku_sign;
}

/* extendedKeyUsage from the profile's bits, built from OpenSSL's static
 * OIDs rather than parsed from a configuration string per certificate. */
static X509_EXTENSION *eku_ext(uint32_t eku) {
  static const struct {
    uint32_t bit;
    int nid;
  } map[] = {{RC_EKU_SERVER_AUTH, NID_server_auth},
             {RC_EKU_CLIENT_AUTH, NID_client_auth},
             {RC_EKU_EMAIL_PROTECTION, NID_email_protect}};
  EXTENDED_KEY_USAGE *usages = sk_ASN1_OBJECT_new_null();
  int ok = usages != NULL;
  for (size_t i = 0; ok && i < sizeof map / sizeof map[0]; i++)
    if (eku & map[i].bit)
      ok = sk_ASN1_OBJECT_push(usages, OBJ_nid2obj(map[i].nid)) > 0;
  /* No usage at all would mean any usage: never issue that (the profile
   * loader already refuses a profile without one). */
  X509_EXTENSION *ext = ok && sk_ASN1_OBJECT_num(usages) > 0
                            ? X509V3_EXT_i2d(NID_ext_key_usage, 0, usages)
                            : NULL;
  sk_ASN1_OBJECT_pop_free(usages, ASN1_OBJECT_free);
  return ext;
}

/* subjectKeyIdentifier by RFC 5280 4.2.1.2 method 1, the SHA-1 of the
 * subjectPublicKey bits: what OpenSSL's "hash" computes, with the digest
 * fetched once per issuer instead of per certificate. */
static X509_EXTENSION *ski_ext(const struct rc_ca_issuer *iss,
                               const X509_PUBKEY *key) {
  const unsigned char *pk;
  int pklen;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  if (!X509_PUBKEY_get0_param(NULL, &pk, &pklen, NULL, key) ||
      EVP_Digest(pk, (size_t)pklen, md, &mdlen, iss->ski_md, NULL) != 1)
    return NULL;
  ASN1_OCTET_STRING *id = ASN1_OCTET_STRING_new();
  X509_EXTENSION *ext =
      id && ASN1_OCTET_STRING_set(id, md, (int)mdlen) == 1
          ? X509V3_EXT_i2d(NID_subject_key_identifier, 0, id)
          : NULL;
  ASN1_OCTET_STRING_free(id);
  return ext;
}

/* The CSR's SubjectPublicKeyInfo as it is (rc_csr_decode accepted only its
 * one DER form), whole octets. X509_PUBKEY_set would re-encode the key
 * through OpenSSL 3.0's encoder framework, which costs more than an ECDSA
 * signature. */
static X509_PUBKEY *copy_pubkey(X509_REQ *req) {
  ASN1_OBJECT *alg_obj, *obj;
  const unsigned char *pk;
  int pklen, ptype;
  X509_ALGOR *alg;
  const void *pval;
  if (!X509_PUBKEY_get0_param(&alg_obj, &pk, &pklen, &alg,
                              X509_REQ_get_X509_PUBKEY(req)))
    return NULL;
  X509_ALGOR_get0((const ASN1_OBJECT **)&obj, &ptype, &pval, alg);
  void *dup = NULL;
  if (ptype == V_ASN1_OBJECT)
    dup = OBJ_dup(pval);
  else if (ptype == V_ASN1_SEQUENCE)
    dup = ASN1_STRING_dup(pval);
  else if (ptype != V_ASN1_UNDEF && ptype != V_ASN1_NULL)
    return NULL;
  X509_PUBKEY *key = X509_PUBKEY_new();
  unsigned char *enc = OPENSSL_memdup(pk, (size_t)pklen);
  ASN1_OBJECT *oid = OBJ_dup(obj);
  if (!key || !enc || !oid || (ptype > V_ASN1_NULL && !dup) ||
      !X509_PUBKEY_set0_param(key, oid, ptype, dup, enc, pklen)) {
    X509_PUBKEY_free(key);
    OPENSSL_free(enc);
    ASN1_OBJECT_free(oid);
    if (ptype == V_ASN1_OBJECT)
      ASN1_OBJECT_free(dup);
    else
      ASN1_STRING_free(dup);
    return NULL;
  }
  return key;
}

/* What one certificate owns while it is built; the issuer's prepared
 * extensions sit in `extensions` too but are not freed here. */
struct issue_parts {
  struct rc__tbs tbs;
  ASN1_INTEGER *serial;
  ASN1_TIME *not_before, *not_after;
  X509_PUBKEY *key;
  STACK_OF(X509_EXTENSION) *extensions;
  X509_EXTENSION *eku, *ski, *san;
};

static void parts_free(struct issue_parts *p) {
  ASN1_INTEGER_free(p->serial);
  ASN1_TIME_free(p->not_before);
  ASN1_TIME_free(p->not_after);
  X509_PUBKEY_free(p->key);
  sk_X509_EXTENSION_free(p->extensions);
  X509_EXTENSION_free(p->eku);
  X509_EXTENSION_free(p->ski);
  X509_EXTENSION_free(p->san);
}

/* notBefore a little in the past for clock skew; notAfter never after the
 * issuer's. */
static int validity(struct issue_parts *p, const struct rc_ca_issuer *iss,
                    uint64_t now_unix_s, uint32_t days) {
  time_t now = (time_t)now_unix_s;
  const ASN1_TIME *limit = X509_get0_notAfter(iss->cert);
  p->not_before = ASN1_TIME_adj(NULL, now, 0, -RC_ISSUE_BACKDATE_S);
  p->not_after = ASN1_TIME_adj(NULL, now, (int)days, 0);
  if (p->not_after && ASN1_TIME_compare(p->not_after, limit) > 0) {
    ASN1_TIME_free(p->not_after);
    p->not_after = ASN1_STRING_dup(limit);
  }
  return p->not_before && p->not_after ? 0 : RC_ECRYPTO;
}

/* Extensions in the order certificates always had them: BC, KU, EKU, SKI,
 * AKI, SAN. */
static int extensions(struct issue_parts *p, const struct rc_ca_issuer *iss,
                      const struct rc_csr_checked *csr) {
  const struct rc_profile *prof = csr->profile;
  p->eku = eku_ext(prof->eku);
  p->ski = ski_ext(iss, p->key);
  /* An empty subject makes the SAN the only name, so it must be critical
   * (RFC 5280 4.2.1.6). */
  int san_crit = X509_NAME_entry_count(X509_REQ_get_subject_name(csr->req)) ==
                 0;
  if (csr->sans && sk_GENERAL_NAME_num(csr->sans) > 0 &&
      !(p->san = X509V3_EXT_i2d(NID_subject_alt_name, san_crit, csr->sans)))
    return RC_ECRYPTO;
  p->extensions = sk_X509_EXTENSION_new_reserve(NULL, 6);
  X509_EXTENSION *ku = key_usage_for(iss, csr->key, prof->eku);
  X509_EXTENSION *const order[] = {iss->ext_bc, ku, p->eku, p->ski,
                                   iss->ext_aki, p->san};
  if (!p->extensions || !p->eku || !p->ski)
    return RC_ECRYPTO;
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
    if (order[i])
      sk_X509_EXTENSION_push(p->extensions, order[i]);
  return 0;
}

int rc_issue_cert(const struct rc_ca_issuer *iss,
                  const struct rc_csr_checked *csr, uint64_t now_unix_s,
                  const struct rc_rng *rng, uint8_t **der, size_t *der_len,
                  char serial_hex[41]) {
  struct issue_parts p = {0};
  *der = NULL;
  *der_len = 0;
  int rc = RC_ECRYPTO;
  if (csr->key && (p.serial = rc_x509_random_serial(rng)) != NULL &&
      (p.key = copy_pubkey(csr->req)) != NULL &&
      validity(&p, iss, now_unix_s, csr->days) == 0 &&
      extensions(&p, iss, csr) == 0) {
    p.tbs = (struct rc__tbs){
        .serial = p.serial,
        .not_before = p.not_before,
        .not_after = p.not_after,
        .subject = X509_REQ_get_subject_name(csr->req),
        .key = p.key,
        .extensions = p.extensions};
    rc = rc__cert_sign(iss, &p.tbs, der, der_len);
    if (rc == 0 && (rc = rc_x509_serial_hex(p.serial, serial_hex)) != 0) {
      free(*der);
      *der = NULL;
      *der_len = 0;
    }
  }
  parts_free(&p);
  ERR_clear_error();
  return rc;
}

void rc_sign_result_refuse(struct rc_sign_result *r, Ringca__RefusalReason why,
                           const char *message) {
  r->refused = true;
  r->refusal.reason = why;
  snprintf(r->refusal.message, sizeof r->refusal.message, "%s", message);
  ringca__cert_refusal__init(&r->refusal_msg);
  r->refusal_msg.version = RC_WIRE_VERSION;
  r->refusal_msg.reason = why;
  r->refusal_msg.message = r->refusal.message;
}

/* The fingerprint of the DER the reply carries, written with a table: 32
 * snprintf format parses cost more than the hash. */
static int fingerprint(struct rc_sign_result *r,
                       const struct rc_ca_issuer *iss) {
  static const char hex[] = "0123456789abcdef";
  unsigned char md[32];
  unsigned int n = 0;
  if (EVP_Digest(r->cert_der, r->cert_der_len, md, &n, iss->fp_md, NULL) != 1 ||
      n != 32)
    return RC_ECRYPTO;
  for (unsigned i = 0; i < 32; i++) {
    r->fingerprint[2 * i] = hex[md[i] >> 4];
    r->fingerprint[2 * i + 1] = hex[md[i] & 15];
  }
  r->fingerprint[64] = 0;
  return 0;
}

int rc_signer_handle(const struct rc_policy *pol, const struct rc_ca *ca,
                     const Ringca__CertRequest *req, uint64_t now_unix_s,
                     const struct rc_rng *rng, struct rc_sign_result *out) {
  struct rc_csr_checked csr;
  struct rc_refusal why;
  memset(out, 0, sizeof *out);
  int rc = rc_policy_check_request(pol, req, &csr, &why);
  if (rc == RC_EPOLICY) {
    rc_sign_result_refuse(out, why.reason, why.message);
    return 0;
  }
  if (rc)
    return rc;
  const struct rc_ca_issuer *iss = rc_ca_find(ca, csr.profile->name);
  if (!iss) {
    rc_csr_checked_free(&csr);
    rc_sign_result_refuse(out, RINGCA__REFUSAL_REASON__REFUSAL_UNKNOWN_PROFILE,
                          "profile: this signer holds no sub-root for it");
    return 0;
  }
  /* The certificate's subject is the request's, byte for byte. */
  rc = rc_issue_cert(iss, &csr, now_unix_s, rng, &out->cert_der,
                     &out->cert_der_len, out->serial_hex);
  if (rc == 0)
    rc = rc_x509_name_line(X509_REQ_get_subject_name(csr.req), out->subject);
  rc_csr_checked_free(&csr);
  if (rc == 0)
    rc = fingerprint(out, iss);
  if (rc) {
    rc_sign_result_free(out);
    return rc;
  }
  ringca__cert_reply__init(&out->reply);
  out->reply.version = RC_WIRE_VERSION;
  out->reply.certificate_der.data = out->cert_der;
  out->reply.certificate_der.len = out->cert_der_len;
  out->chain[0].data = iss->cert_der;
  out->chain[0].len = iss->cert_der_len;
  out->chain[1].data = ca->root_der;
  out->chain[1].len = ca->root_der_len;
  out->reply.chain_der = out->chain;
  out->reply.n_chain_der = ca->root_der ? 2 : 1;
  return 0;
}

int rc_sign_result_pack(const struct rc_sign_result *r, uint8_t **out,
                        size_t *out_len) {
  return rc_pb_pack(r->refused ? &r->refusal_msg.base : &r->reply.base, out,
                    out_len);
}

void rc_sign_result_free(struct rc_sign_result *r) {
  free(r->cert_der);
  memset(r, 0, sizeof *r);
}
