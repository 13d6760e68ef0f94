/* A certificate's DER from its parts: the TBSCertificate is encoded once,
 * those very bytes are signed, and the same bytes become the certificate.
 *
 * Why not X509_sign_ctx and i2d_X509: that path encodes the TBSCertificate
 * twice (once to sign, once to emit) and trusts both encodings to agree; it
 * also needs a mutable X509 into which every part is copied, each name by
 * an encode/decode round trip and each ready extension by another. Here the
 * structures of RFC 5280 4.1 are declared with OpenSSL's ASN.1 template
 * macros, as OpenSSL declares its own X509_CINF, and OpenSSL's encoder
 * writes them; the members point at the objects the parts already live in
 * (the request's subject, the issuer's name, the prepared extensions), so
 * nothing is copied. On OpenSSL 3.0 this is ~10 us per certificate, a
 * twentieth of an RSA-2048 signature (docs/performance.md).
 *
 * test_issue checks every certificate against OpenSSL's own reading of it:
 * d2i_X509 then i2d_X509 gives the same bytes, i2d_re_X509_tbs re-encodes
 * the same TBSCertificate from the parsed fields, X509_verify accepts it. */
#include "ringca/signer.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/core_names.h>
#include <openssl/err.h>

#include "ringca/error.h"

/* TBSCertificate without the unique identifiers, which RFC 5280 4.1.2.8
 * says conforming CAs must not generate; version is always v3. */
typedef struct {
  ASN1_INTEGER *version;
  ASN1_INTEGER *serial;
  X509_ALGOR *signature;
  X509_NAME *issuer;
  X509_VAL *validity;
  X509_NAME *subject;
  X509_PUBKEY *key;
  STACK_OF(X509_EXTENSION) *extensions;
} RC_TBS_CERTIFICATE;

ASN1_SEQUENCE(RC_TBS_CERTIFICATE) = {
    ASN1_EXP(RC_TBS_CERTIFICATE, version, ASN1_INTEGER, 0),
    ASN1_SIMPLE(RC_TBS_CERTIFICATE, serial, ASN1_INTEGER),
    ASN1_SIMPLE(RC_TBS_CERTIFICATE, signature, X509_ALGOR),
    ASN1_SIMPLE(RC_TBS_CERTIFICATE, issuer, X509_NAME),
    ASN1_SIMPLE(RC_TBS_CERTIFICATE, validity, X509_VAL),
    ASN1_SIMPLE(RC_TBS_CERTIFICATE, subject, X509_NAME),
    ASN1_SIMPLE(RC_TBS_CERTIFICATE, key, X509_PUBKEY),
    ASN1_EXP_SEQUENCE_OF(RC_TBS_CERTIFICATE, extensions, X509_EXTENSION, 3),
} static_ASN1_SEQUENCE_END(RC_TBS_CERTIFICATE)

/* Certificate, with the TBSCertificate as the finished DER that was
 * signed: an ANY holding a SEQUENCE is written out as it is. */
typedef struct {
  ASN1_TYPE *tbs;
  X509_ALGOR *signature_algorithm;
  ASN1_BIT_STRING *signature;
} RC_CERTIFICATE;

ASN1_SEQUENCE(RC_CERTIFICATE) = {
    ASN1_SIMPLE(RC_CERTIFICATE, tbs, ASN1_ANY),
    ASN1_SIMPLE(RC_CERTIFICATE, signature_algorithm, X509_ALGOR),
    ASN1_SIMPLE(RC_CERTIFICATE, signature, ASN1_BIT_STRING),
} static_ASN1_SEQUENCE_END(RC_CERTIFICATE)

int rc__signature_algorithm(EVP_MD_CTX *sign_ctx, X509_ALGOR **out) {
  /* What ASN1_item_sign_ctx asks a provider for: the AlgorithmIdentifier
   * of this key with this digest, as DER. */
  unsigned char aid[128];
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID,
                                        aid, sizeof aid),
      OSSL_PARAM_construct_end()};
  const unsigned char *p = aid;
  *out = NULL;
  if (EVP_PKEY_CTX_get_params(EVP_MD_CTX_get_pkey_ctx(sign_ctx), params) != 1 ||
      params[0].return_size == 0 ||
      !(*out = d2i_X509_ALGOR(NULL, &p, (long)params[0].return_size)) ||
      p != aid + params[0].return_size) {
    X509_ALGOR_free(*out);
    *out = NULL;
    ERR_clear_error();
    return RC_ECRYPTO;
  }
  return 0;
}

/* The signature over tbs with a copy of the issuer's prepared context,
 * finalised in place: without EVP_MD_CTX_FLAG_FINALISE OpenSSL 3.0 would
 * duplicate the key context once more to keep the copy reusable. */
static ASN1_BIT_STRING *sign(const struct rc_ca_issuer *iss,
                             const unsigned char *tbs, size_t tbs_len) {
  size_t len = (size_t)EVP_PKEY_get_size(iss->key);
  unsigned char *sig = OPENSSL_malloc(len);
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  ASN1_BIT_STRING *out = NULL;
  if (sig && ctx && EVP_MD_CTX_copy_ex(ctx, iss->sign_tmpl) == 1) {
    EVP_MD_CTX_set_flags(ctx, EVP_MD_CTX_FLAG_FINALISE);
    if (EVP_DigestSign(ctx, sig, &len, tbs, tbs_len) == 1 &&
        (out = ASN1_BIT_STRING_new()) != NULL) {
      ASN1_STRING_set0(out, sig, (int)len);
      sig = NULL;
      /* Whole octets: without this flag the encoder would take trailing
       * zero bits of the signature for padding and drop them. */
      out->flags = ASN1_STRING_FLAG_BITS_LEFT;
    }
  }
  EVP_MD_CTX_free(ctx);
  OPENSSL_free(sig);
  return out;
}

int rc__cert_sign(const struct rc_ca_issuer *iss, const struct rc__tbs *parts,
                  uint8_t **der, size_t *der_len) {
  *der = NULL;
  *der_len = 0;
  X509_VAL validity = {(ASN1_TIME *)parts->not_before,
                       (ASN1_TIME *)parts->not_after};
  RC_TBS_CERTIFICATE tbs = {
      .version = iss->version,
      .serial = (ASN1_INTEGER *)parts->serial,
      .signature = iss->signature_algorithm,
      .issuer = X509_get_subject_name(iss->cert),
      .validity = &validity,
      .subject = (X509_NAME *)parts->subject,
      .key = (X509_PUBKEY *)parts->key,
      .extensions = (STACK_OF(X509_EXTENSION) *)parts->extensions};
  unsigned char *tbs_der = NULL;
  int tbs_len = ASN1_item_i2d((ASN1_VALUE *)&tbs, &tbs_der,
                              ASN1_ITEM_rptr(RC_TBS_CERTIFICATE));
  ASN1_STRING *tbs_str = tbs_len > 0 ? ASN1_STRING_type_new(V_ASN1_SEQUENCE)
                                     : NULL;
  ASN1_TYPE *tbs_any = tbs_str ? ASN1_TYPE_new() : NULL;
  RC_CERTIFICATE cert = {.signature_algorithm = iss->signature_algorithm};
  int rc = RC_ECRYPTO;
  if (tbs_any) {
    ASN1_STRING_set0(tbs_str, tbs_der, tbs_len);
    ASN1_TYPE_set(tbs_any, V_ASN1_SEQUENCE, tbs_str);
    tbs_der = NULL; /* owned by tbs_any from here */
    tbs_str = NULL;
    cert.tbs = tbs_any;
    cert.signature = sign(iss, ASN1_STRING_get0_data(tbs_any->value.sequence),
                          (size_t)ASN1_STRING_length(tbs_any->value.sequence));
  }
  unsigned char *out = NULL;
  int n = cert.signature ? ASN1_item_i2d((ASN1_VALUE *)&cert, &out,
                                         ASN1_ITEM_rptr(RC_CERTIFICATE))
                         : -1;
  if (n > 0) {
    /* The caller frees with free(), OpenSSL's buffer with OPENSSL_free. */
    *der = malloc((size_t)n);
    if (*der) {
      memcpy(*der, out, (size_t)n);
      *der_len = (size_t)n;
      rc = 0;
    } else {
      rc = RC_ENOMEM;
    }
  }
  OPENSSL_free(out);
  ASN1_BIT_STRING_free(cert.signature);
  ASN1_TYPE_free(tbs_any);
  ASN1_STRING_free(tbs_str);
  OPENSSL_free(tbs_der);
  ERR_clear_error();
  return rc;
}
