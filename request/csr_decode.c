/* Decoding a PKCS#10 request without OpenSSL 3.0's decoder framework.
 *
 * Why: on OpenSSL 3.0, d2i_X509_REQ decodes the embedded public key through
 * OSSL_DECODER_CTX_new_for_pkey, which enumerates every key manager and
 * every decoder of every loaded provider and builds the decoder chains
 * again on each call (openssl/openssl#15199, #17950, #19119; cached only
 * from 3.2 by openssl/openssl#21426). Measured here: 120-230 us per CSR,
 * as much as half an RSA-2048 signature. Even a decoder context built once
 * and reused costs 8-12 us per key (a BIO, the chain walk and key-manager
 * look-ups around a parse of about one microsecond).
 *
 * So:
 *  1. the request structure is parsed by OpenSSL's own X509_REQ template
 *     (ASN1_item_d2i_ex) in a library context holding only the "null"
 *     provider: there the opportunistic key decode finds no decoder and
 *     stops at once, leaving the SubjectPublicKeyInfo as parsed algorithm
 *     and bits;
 *  2. for the algorithms a profile can allow (RSA, EC on a named curve,
 *     Ed25519) the key is imported from those parts with EVP_PKEY_fromdata
 *     or EVP_PKEY_new_raw_public_key_ex, the key-manager import OpenSSL's
 *     own SubjectPublicKeyInfo decoders end in (with its checks: the point
 *     is on the curve, the Ed25519 key has 32 bytes). Any other algorithm
 *     is not decoded at all: the refusal names it.
 *
 * The certificate carries these bytes unchanged (copy_pubkey in issue.c),
 * so each key must also be in the one encoding RFC 3279, RFC 5480 and
 * RFC 8410 define and the CA/Browser Forum Baseline Requirements (7.1.3.1)
 * demand: rsaEncryption with NULL parameters over a DER RSAPublicKey,
 * id-ecPublicKey with a named curve and an uncompressed point, Ed25519
 * without parameters. OpenSSL's decoders accept more than that. */
#include "ringca/policy.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/provider.h>

#include "ringca/error.h"

/* RSAPublicKey (RFC 8017 A.1.1), declared with OpenSSL's template macros
 * exactly as OpenSSL declares its own. */
typedef struct {
  BIGNUM *n;
  BIGNUM *e;
} RC_RSA_PUBLIC_KEY;

ASN1_SEQUENCE(RC_RSA_PUBLIC_KEY) = {
    ASN1_SIMPLE(RC_RSA_PUBLIC_KEY, n, BIGNUM),
    ASN1_SIMPLE(RC_RSA_PUBLIC_KEY, e, BIGNUM),
} static_ASN1_SEQUENCE_END(RC_RSA_PUBLIC_KEY)

static struct {
  pthread_mutex_t mu; /* EVP_PKEY_CTX is not shared between threads */
  OSSL_LIB_CTX *shell; /* null provider only: structure without key */
  OSSL_PROVIDER *null_prov;
  EVP_PKEY_CTX *rsa, *ec; /* fromdata contexts, default library context */
} cache = {.mu = PTHREAD_MUTEX_INITIALIZER};
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

/* Freed before OpenSSL's own atexit clean-up, which was registered first
 * (creating the library context initialised libcrypto). */
static void cache_free(void) {
  EVP_PKEY_CTX_free(cache.rsa);
  EVP_PKEY_CTX_free(cache.ec);
  cache.rsa = cache.ec = NULL;
  OSSL_PROVIDER_unload(cache.null_prov);
  cache.null_prov = NULL;
  OSSL_LIB_CTX_free(cache.shell);
  cache.shell = NULL;
}

static EVP_PKEY_CTX *fromdata_ctx(const char *type) {
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
  if (ctx && EVP_PKEY_fromdata_init(ctx) != 1) {
    EVP_PKEY_CTX_free(ctx);
    ctx = NULL;
  }
  return ctx;
}

static void cache_init(void) {
  OSSL_LIB_CTX *shell = OSSL_LIB_CTX_new();
  /* Loading a provider explicitly stops the context from auto-loading the
   * default one on first fetch. */
  OSSL_PROVIDER *prov = shell ? OSSL_PROVIDER_load(shell, "null") : NULL;
  EVP_PKEY_CTX *rsa = fromdata_ctx("RSA"), *ec = fromdata_ctx("EC");
  if (prov && rsa && ec) {
    cache.shell = shell;
    cache.null_prov = prov;
    cache.rsa = rsa;
    cache.ec = ec;
    atexit(cache_free);
  } else {
    EVP_PKEY_CTX_free(rsa);
    EVP_PKEY_CTX_free(ec);
    OSSL_PROVIDER_unload(prov);
    OSSL_LIB_CTX_free(shell);
  }
}

#define MALFORMED RINGCA__REFUSAL_REASON__REFUSAL_MALFORMED_CSR

static EVP_PKEY *fromdata(EVP_PKEY_CTX *ctx, OSSL_PARAM *params) {
  EVP_PKEY *key = NULL;
  pthread_mutex_lock(&cache.mu);
  if (EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
    key = NULL;
  pthread_mutex_unlock(&cache.mu);
  return key;
}

/* The RSAPublicKey must be the DER of its own two integers: a second
 * encoding of the same key (leading zeros, a negative modulus read as
 * positive) would reach the certificate as it came. */
static EVP_PKEY *import_rsa(int ptype, const unsigned char *pk, int pklen,
                            struct rc_refusal *why) {
  if (ptype != V_ASN1_NULL) {
    rc_refuse(why, MALFORMED, "subjectPKInfo: rsaEncryption parameters "
              "must be NULL (RFC 3279 2.3.1)");
    return NULL;
  }
  const unsigned char *p = pk;
  RC_RSA_PUBLIC_KEY *rsa = (RC_RSA_PUBLIC_KEY *)ASN1_item_d2i(
      NULL, &p, pklen, ASN1_ITEM_rptr(RC_RSA_PUBLIC_KEY));
  unsigned char *again = NULL;
  int again_len = rsa ? ASN1_item_i2d((ASN1_VALUE *)rsa, &again,
                                      ASN1_ITEM_rptr(RC_RSA_PUBLIC_KEY))
                      : -1;
  EVP_PKEY *key = NULL;
  if (p != pk + pklen || again_len != pklen || memcmp(again, pk, pklen)) {
    rc_refuse(why, MALFORMED, "subjectPKInfo: the RSA public key is not one "
              "DER RSAPublicKey (RFC 8017 A.1.1)");
  } else {
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    if (bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, rsa->n) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, rsa->e))
      params = OSSL_PARAM_BLD_to_param(bld);
    key = params ? fromdata(cache.rsa, params) : NULL;
    if (!key)
      rc_refuse(why, MALFORMED, "subjectPKInfo: the RSA public key cannot "
                "be imported");
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
  }
  OPENSSL_free(again);
  ASN1_item_free((ASN1_VALUE *)rsa, ASN1_ITEM_rptr(RC_RSA_PUBLIC_KEY));
  return key;
}

static EVP_PKEY *import_ec(int ptype, const void *pval, const unsigned char *pk,
                           int pklen, struct rc_refusal *why) {
  if (ptype != V_ASN1_OBJECT) {
    rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_KEY_TYPE,
              "public key: EC key without a named curve");
    return NULL;
  }
  int nid = OBJ_obj2nid(pval);
  const char *curve = nid != NID_undef ? OSSL_EC_curve_nid2name(nid) : NULL;
  if (!curve) {
    char oid[64];
    if (OBJ_obj2txt(oid, sizeof oid, pval, 1) <= 0)
      strcpy(oid, "?");
    rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_KEY_SIZE,
              "public key: EC curve %s is not allowed (P-256 or P-384)", oid);
    return NULL;
  }
  if (pklen < 1 || pk[0] != POINT_CONVERSION_UNCOMPRESSED) {
    rc_refuse(why, MALFORMED, "subjectPKInfo: the EC point must be "
              "uncompressed (RFC 5480 2.2)");
    return NULL;
  }
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
                                       (char *)curve, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)pk,
                                        (size_t)pklen),
      OSSL_PARAM_construct_end()};
  EVP_PKEY *key = fromdata(cache.ec, params);
  if (!key)
    rc_refuse(why, MALFORMED, "subjectPKInfo: the EC point is not on curve "
              "%s", curve);
  return key;
}

static EVP_PKEY *import_ed25519(int ptype, const unsigned char *pk, int pklen,
                                struct rc_refusal *why) {
  if (ptype != V_ASN1_UNDEF) {
    rc_refuse(why, MALFORMED, "subjectPKInfo: Ed25519 takes no parameters "
              "(RFC 8410 3)");
    return NULL;
  }
  EVP_PKEY *key = EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519", NULL, pk,
                                                 (size_t)pklen);
  if (!key)
    rc_refuse(why, MALFORMED, "subjectPKInfo: an Ed25519 key has 32 bytes, "
              "not %d", pklen);
  return key;
}

static EVP_PKEY *import_key(X509_PUBKEY *spki, struct rc_refusal *why) {
  ASN1_OBJECT *alg;
  const unsigned char *pk;
  int pklen, ptype;
  X509_ALGOR *algor;
  const void *pval;
  if (!X509_PUBKEY_get0_param(&alg, &pk, &pklen, &algor, spki) || !pk) {
    rc_refuse(why, MALFORMED, "subjectPKInfo: no public key");
    return NULL;
  }
  X509_ALGOR_get0(NULL, &ptype, &pval, algor);
  switch (OBJ_obj2nid(alg)) {
  case NID_rsaEncryption:
    return import_rsa(ptype, pk, pklen, why);
  case NID_X9_62_id_ecPublicKey:
    return import_ec(ptype, pval, pk, pklen, why);
  case NID_ED25519:
    return import_ed25519(ptype, pk, pklen, why);
  default: {
    char name[64];
    int nid = OBJ_obj2nid(alg);
    if (nid != NID_undef && OBJ_nid2sn(nid))
      snprintf(name, sizeof name, "%s", OBJ_nid2sn(nid));
    else if (OBJ_obj2txt(name, sizeof name, alg, 1) <= 0)
      strcpy(name, "?");
    rc_refuse(why, RINGCA__REFUSAL_REASON__REFUSAL_KEY_TYPE,
              "public key: algorithm %s is not allowed (RSA, EC P-256, EC "
              "P-384 or Ed25519)", name);
    return NULL;
  }
  }
}

int rc_csr_decode(const uint8_t *der, size_t len, X509_REQ **req_out,
                  EVP_PKEY **key_out, struct rc_refusal *why) {
  *req_out = NULL;
  *key_out = NULL;
  memset(why, 0, sizeof *why);
  if (pthread_once(&cache_once, cache_init) != 0 || !cache.shell)
    return RC_ECRYPTO;
  const unsigned char *p = der;
  X509_REQ *req = (X509_REQ *)ASN1_item_d2i_ex(
      NULL, &p, (long)len, ASN1_ITEM_rptr(X509_REQ), cache.shell, NULL);
  if (!req || p != der + len) { /* trailing bytes: not one DER object */
    X509_REQ_free(req);
    ERR_clear_error();
    return RC_EMALFORMED;
  }
  *req_out = req;
  *key_out = import_key(X509_REQ_get_X509_PUBKEY(req), why);
  ERR_clear_error();
  return 0;
}
