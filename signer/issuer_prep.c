/* What every certificate of one sub-root shares, prepared once when the
 * sub-root is added instead of once per certificate.
 *
 * Why: on OpenSSL 3.0 each EVP_DigestSignInit fetches the signature and
 * digest implementations from the provider store, creates a key context and
 * looks the key manager up by name; each extension given as an openssl.cnf
 * string is parsed, looked up and encoded again. For one issuer all of that
 * gives the same answer every time: the signing context (key + digest), the
 * AlgorithmIdentifier its signatures carry, and the extensions that depend
 * only on the issuer (basicConstraints, authorityKeyIdentifier, the two
 * keyUsage variants). Per certificate the signer copies the initialised
 * signing context and points at the rest (signer/cert_der.c). The key
 * itself is not copied: the context holds a reference to the same EVP_PKEY,
 * freed (and wiped by OpenSSL) with it. */
#include "ringca/signer.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "ringca/error.h"

/* ECDSA with a digest matching the curve, RSA with SHA-256, EdDSA none
 * (it hashes internally). */
static const char *digest_name_for(EVP_PKEY *key) {
  int id = EVP_PKEY_get_base_id(key);
  if (id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448)
    return NULL;
  if (id == EVP_PKEY_EC && EVP_PKEY_get_bits(key) > 256)
    return "SHA384";
  return "SHA256";
}

/* One extension from openssl.cnf syntax, resolved against the issuer. A
 * blank certificate stands in for the subject so that authorityKeyIdentifier
 * takes the issuer's key id exactly as it would for a real subscriber. */
static X509_EXTENSION *conf_ext(X509 *issuer, int nid, const char *value) {
  X509 *blank = X509_new();
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, blank, NULL, NULL, 0);
  X509_EXTENSION *ext = blank ? X509V3_EXT_conf_nid(NULL, &ctx, nid, value)
                              : NULL;
  X509_free(blank);
  return ext;
}

int rc__issuer_prepare(struct rc_ca_issuer *iss) {
  const char *md = digest_name_for(iss->key);
  iss->sign_tmpl = EVP_MD_CTX_new();
  iss->fp_md = EVP_MD_fetch(NULL, "SHA256", NULL);
  iss->ski_md = EVP_MD_fetch(NULL, "SHA1", NULL);
  iss->ext_bc = conf_ext(iss->cert, NID_basic_constraints, "critical,CA:FALSE");
  iss->ext_aki = conf_ext(iss->cert, NID_authority_key_identifier,
                          "keyid:always");
  iss->ext_ku_sign = conf_ext(iss->cert, NID_key_usage,
                              "critical,digitalSignature");
  iss->ext_ku_sign_encipher = conf_ext(
      iss->cert, NID_key_usage, "critical,digitalSignature,keyEncipherment");
  iss->version = ASN1_INTEGER_new();
  if (!iss->sign_tmpl || !iss->fp_md || !iss->ski_md || !iss->ext_bc ||
      !iss->ext_aki || !iss->ext_ku_sign || !iss->ext_ku_sign_encipher ||
      !iss->version || ASN1_INTEGER_set(iss->version, X509_VERSION_3) != 1 ||
      EVP_DigestSignInit_ex(iss->sign_tmpl, NULL, md, NULL, NULL, iss->key,
                            NULL) != 1 ||
      rc__signature_algorithm(iss->sign_tmpl, &iss->signature_algorithm)) {
    rc__issuer_release(iss);
    ERR_clear_error();
    return RC_ECRYPTO;
  }
  return 0;
}

void rc__issuer_release(struct rc_ca_issuer *iss) {
  EVP_MD_CTX_free(iss->sign_tmpl);
  EVP_MD_free(iss->fp_md);
  EVP_MD_free(iss->ski_md);
  X509_EXTENSION_free(iss->ext_bc);
  X509_EXTENSION_free(iss->ext_aki);
  X509_EXTENSION_free(iss->ext_ku_sign);
  X509_EXTENSION_free(iss->ext_ku_sign_encipher);
  ASN1_INTEGER_free(iss->version);
  X509_ALGOR_free(iss->signature_algorithm);
  iss->version = NULL;
  iss->signature_algorithm = NULL;
  iss->sign_tmpl = NULL;
  iss->fp_md = iss->ski_md = NULL;
  iss->ext_bc = iss->ext_aki = NULL;
  iss->ext_ku_sign = iss->ext_ku_sign_encipher = NULL;
}
