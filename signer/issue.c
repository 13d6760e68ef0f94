/* Building and signing a subscriber certificate. Everything a certificate
 * carries comes from the profile or from CSR fields the policy has already
 * accepted; nothing else in the CSR is copied. */
#include "ringca/signer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
static int add_eku(X509 *x, uint32_t eku) {
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
  ok = ok && sk_ASN1_OBJECT_num(usages) > 0 &&
       X509_add1_ext_i2d(x, NID_ext_key_usage, usages, 0,
                         X509V3_ADD_DEFAULT) == 1;
  sk_ASN1_OBJECT_pop_free(usages, ASN1_OBJECT_free);
  return ok ? 0 : RC_ECRYPTO;
}

/* subjectKeyIdentifier by RFC 5280 4.2.1.2 method 1, the SHA-1 of the
 * subjectPublicKey bits: what OpenSSL's "hash" computes, with the digest
 * fetched once per issuer instead of per certificate. */
static int add_ski(X509 *x, const struct rc_ca_issuer *iss) {
  const unsigned char *pk;
  int pklen;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  if (!X509_PUBKEY_get0_param(NULL, &pk, &pklen, NULL,
                              X509_get_X509_PUBKEY(x)) ||
      EVP_Digest(pk, (size_t)pklen, md, &mdlen, iss->ski_md, NULL) != 1)
    return RC_ECRYPTO;
  ASN1_OCTET_STRING *id = ASN1_OCTET_STRING_new();
  int ok = id && ASN1_OCTET_STRING_set(id, md, (int)mdlen) == 1 &&
           X509_add1_ext_i2d(x, NID_subject_key_identifier, id, 0,
                             X509V3_ADD_DEFAULT) == 1;
  ASN1_OCTET_STRING_free(id);
  return ok ? 0 : RC_ECRYPTO;
}

/* Copies the CSR's SubjectPublicKeyInfo as it is. X509_set_pubkey would
 * re-encode the key through OpenSSL 3.0's encoder framework, which costs
 * more than an ECDSA signature; the bytes are already checked and signed. */
static int copy_pubkey(X509 *x, X509_REQ *req) {
  ASN1_OBJECT *alg_obj, *obj;
  const unsigned char *pk;
  int pklen, ptype;
  X509_ALGOR *alg;
  const void *pval;
  if (!X509_PUBKEY_get0_param(&alg_obj, &pk, &pklen, &alg,
                              X509_REQ_get_X509_PUBKEY(req)))
    return RC_ECRYPTO;
  X509_ALGOR_get0((const ASN1_OBJECT **)&obj, &ptype, &pval, alg);
  void *dup = NULL;
  if (ptype == V_ASN1_OBJECT)
    dup = OBJ_dup(pval);
  else if (ptype == V_ASN1_SEQUENCE)
    dup = ASN1_STRING_dup(pval);
  else if (ptype != V_ASN1_UNDEF && ptype != V_ASN1_NULL)
    return RC_ECRYPTO;
  unsigned char *enc = OPENSSL_memdup(pk, (size_t)pklen);
  ASN1_OBJECT *oid = OBJ_dup(obj);
  if (!enc || !oid || (ptype > V_ASN1_NULL && !dup) ||
      !X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(x), oid, ptype, dup, enc,
                              pklen)) {
    OPENSSL_free(enc);
    ASN1_OBJECT_free(oid);
    if (ptype == V_ASN1_OBJECT)
      ASN1_OBJECT_free(dup);
    else
      ASN1_STRING_free(dup);
    return RC_ECRYPTO;
  }
  return 0;
}

/* A certificate never outlives its issuer. */
static int clip_to_issuer(X509 *cert, X509 *issuer) {
  const ASN1_TIME *limit = X509_get0_notAfter(issuer);
  if (ASN1_TIME_compare(X509_get0_notAfter(cert), limit) > 0 &&
      !X509_set1_notAfter(cert, limit))
    return RC_ECRYPTO;
  return 0;
}

int rc_issue_cert(const struct rc_ca_issuer *iss,
                  const struct rc_csr_checked *csr, uint64_t now_unix_s,
                  const struct rc_rng *rng, X509 **out) {
  const struct rc_profile *p = csr->profile;
  EVP_PKEY *pub = csr->key;
  X509 *x = X509_new();
  *out = NULL;
  if (!x || !pub)
    goto fail;
  /* Extensions in the order certificates always had them: BC, KU, EKU,
   * SKI, AKI, SAN. */
  if (X509_set_version(x, X509_VERSION_3) != 1 ||
      rc_x509_set_random_serial(x, rng) != 0 ||
      X509_set_issuer_name(x, X509_get_subject_name(iss->cert)) != 1 ||
      X509_set_subject_name(x, X509_REQ_get_subject_name(csr->req)) != 1 ||
      copy_pubkey(x, csr->req) != 0 ||
      rc_x509_set_validity_at(x, now_unix_s, RC_ISSUE_BACKDATE_S,
                              (long)csr->days) != 0 ||
      clip_to_issuer(x, iss->cert) != 0 ||
      X509_add_ext(x, iss->ext_bc, -1) != 1 ||
      X509_add_ext(x, key_usage_for(iss, pub, p->eku), -1) != 1 ||
      add_eku(x, p->eku) != 0 || add_ski(x, iss) != 0 ||
      X509_add_ext(x, iss->ext_aki, -1) != 1)
    goto fail;
  /* An empty subject makes the SAN the only name, so it must be critical
   * (RFC 5280 4.2.1.6). */
  int san_crit = X509_NAME_entry_count(X509_get_subject_name(x)) == 0;
  if (csr->sans && sk_GENERAL_NAME_num(csr->sans) > 0 &&
      X509_add1_ext_i2d(x, NID_subject_alt_name, csr->sans, san_crit,
                    X509V3_ADD_DEFAULT) != 1)
    goto fail;
  if (rc__issuer_sign(iss, x) != 0)
    goto fail;
  *out = x;
  return 0;
fail:
  X509_free(x);
  ERR_clear_error();
  return RC_ECRYPTO;
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

/* The fingerprint hashes the DER already produced for the reply rather
 * than letting X509_digest encode the certificate a second time. */
static int describe(struct rc_sign_result *r, const struct rc_ca_issuer *iss,
                    X509 *cert) {
  int rc = rc_x509_describe(cert, r->serial_hex, r->subject);
  if (rc == 0)
    rc = rc_x509_to_der(cert, &r->cert_der, &r->cert_der_len);
  unsigned char md[32];
  unsigned int n = 0;
  if (rc == 0 && (EVP_Digest(r->cert_der, r->cert_der_len, md, &n,
                             iss->fp_md, NULL) != 1 || n != 32))
    rc = RC_ECRYPTO;
  /* Not snprintf per byte: 32 format parses cost more than the hash. */
  static const char hex[] = "0123456789abcdef";
  for (unsigned i = 0; rc == 0 && i < 32; i++) {
    r->fingerprint[2 * i] = hex[md[i] >> 4];
    r->fingerprint[2 * i + 1] = hex[md[i] & 15];
  }
  r->fingerprint[64] = 0;
  return rc;
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
  X509 *cert = NULL;
  rc = rc_issue_cert(iss, &csr, now_unix_s, rng, &cert);
  rc_csr_checked_free(&csr);
  if (rc == 0)
    rc = describe(out, iss, cert);
  X509_free(cert);
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
