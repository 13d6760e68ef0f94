/* Decoding a PKCS#10 request without OpenSSL 3.0's per-call decoder set-up.
 *
 * Why: on OpenSSL 3.0, d2i_X509_REQ decodes the embedded public key through
 * OSSL_DECODER_CTX_new_for_pkey, which enumerates every key manager and
 * every decoder of every loaded provider and builds the decoder chains
 * again on each call (openssl/openssl#15199, #17950, #19119; cached only
 * from 3.2 by openssl/openssl#21426). Measured here: 120-230 us per CSR,
 * as much as half an RSA-2048 signature, for a public key whose actual
 * decoding takes a few microseconds.
 *
 * So the same two OpenSSL steps are run separately:
 *  1. the request structure is parsed by OpenSSL's own X509_REQ template
 *     (ASN1_item_d2i_ex) in a library context holding only the "null"
 *     provider: there the opportunistic key decode finds no decoder and
 *     stops at once, leaving the SubjectPublicKeyInfo as parsed bytes;
 *  2. those bytes go through OpenSSL's own SubjectPublicKeyInfo decoder,
 *     with the same arguments d2i would pass (input "DER", structure
 *     "SubjectPublicKeyInfo", key type = the algorithm OID's name), but
 *     through a decoder context built once per key type and reused.
 * Nothing is parsed by hand and nothing is re-encoded; the request keeps
 * its original encoding for the signature check. */
#include "ringca/policy.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/provider.h>

#include "ringca/error.h"

/* Key types the default provider can decode number about a dozen; only a
 * successful decode earns a slot, so hostile OIDs cannot fill the table. */
#define DECODER_SLOTS 16

struct decoder_slot {
  char keytype[80];
  OSSL_DECODER_CTX *ctx;
};

static struct {
  pthread_mutex_t mu;
  OSSL_LIB_CTX *shell; /* null provider only: structure without key */
  OSSL_PROVIDER *null_prov;
  EVP_PKEY *out;       /* where every cached context writes its key */
  size_t nslots;
  struct decoder_slot slot[DECODER_SLOTS];
} cache = {.mu = PTHREAD_MUTEX_INITIALIZER};
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

/* Freed before OpenSSL's own atexit clean-up, which was registered first
 * (creating the library context initialised libcrypto). */
static void cache_free(void) {
  for (size_t i = 0; i < cache.nslots; i++)
    OSSL_DECODER_CTX_free(cache.slot[i].ctx);
  cache.nslots = 0;
  OSSL_PROVIDER_unload(cache.null_prov);
  cache.null_prov = NULL;
  OSSL_LIB_CTX_free(cache.shell);
  cache.shell = NULL;
}

static void cache_init(void) {
  OSSL_LIB_CTX *shell = OSSL_LIB_CTX_new();
  /* Loading a provider explicitly stops the context from auto-loading the
   * default one on first fetch. */
  OSSL_PROVIDER *prov = shell ? OSSL_PROVIDER_load(shell, "null") : NULL;
  if (prov) {
    cache.shell = shell;
    cache.null_prov = prov;
    atexit(cache_free);
  } else {
    OSSL_LIB_CTX_free(shell);
  }
}

/* Decodes one SubjectPublicKeyInfo with the cached context for `keytype`,
 * creating (and keeping, if it worked) one when there is none. Called with
 * cache.mu held. */
static EVP_PKEY *decode_spki(const char *keytype, const unsigned char *der,
                             size_t len) {
  OSSL_DECODER_CTX *ctx = NULL;
  size_t i;
  for (i = 0; i < cache.nslots; i++)
    if (strcmp(cache.slot[i].keytype, keytype) == 0) {
      ctx = cache.slot[i].ctx;
      break;
    }
  bool fresh = ctx == NULL;
  if (fresh)
    ctx = OSSL_DECODER_CTX_new_for_pkey(&cache.out, "DER",
                                        "SubjectPublicKeyInfo", keytype,
                                        EVP_PKEY_PUBLIC_KEY, NULL, NULL);
  if (!ctx)
    return NULL;
  cache.out = NULL;
  const unsigned char *p = der;
  size_t left = len;
  EVP_PKEY *key = NULL;
  if (OSSL_DECODER_from_data(ctx, &p, &left) && left == 0)
    key = cache.out;
  else
    EVP_PKEY_free(cache.out);
  cache.out = NULL;
  if (fresh) {
    if (key && cache.nslots < DECODER_SLOTS &&
        strlen(keytype) < sizeof cache.slot[0].keytype) {
      strcpy(cache.slot[cache.nslots].keytype, keytype);
      cache.slot[cache.nslots++].ctx = ctx;
    } else {
      OSSL_DECODER_CTX_free(ctx);
    }
  }
  return key;
}

int rc_csr_decode(const uint8_t *der, size_t len, X509_REQ **req_out,
                  EVP_PKEY **key_out) {
  *req_out = NULL;
  *key_out = NULL;
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
  X509_PUBKEY *spki = X509_REQ_get_X509_PUBKEY(req);
  ASN1_OBJECT *alg = NULL;
  char keytype[80];
  unsigned char *spki_der = NULL;
  int spki_len = i2d_X509_PUBKEY(spki, &spki_der);
  if (spki_len <= 0 ||
      !X509_PUBKEY_get0_param(&alg, NULL, NULL, NULL, spki) ||
      OBJ_obj2txt(keytype, sizeof keytype, alg, 0) <= 0) {
    OPENSSL_free(spki_der);
    ERR_clear_error();
    return 0; /* parsed, but no key: the caller names the field */
  }
  pthread_mutex_lock(&cache.mu);
  *key_out = decode_spki(keytype, spki_der, (size_t)spki_len);
  pthread_mutex_unlock(&cache.mu);
  OPENSSL_free(spki_der);
  ERR_clear_error();
  return 0;
}
