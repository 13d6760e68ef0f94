/* Canonical signed bytes of an Envelope and its Ed25519 signature. */
#include "ringca/envelope.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "ringca/error.h"
#include "ringca/limits.h"

static size_t str_len(const char *s) { return s ? strlen(s) : 0; }

size_t rc_envelope_signed_len(const Ringca__Envelope *env) {
  return sizeof RC_ENVELOPE_DOMAIN + 4 + 4 + env->request_id.len + 4 +
         str_len(env->origin) + 4 + str_len(env->destination) + 4 + 4 +
         env->payload.len + 8;
}

static uint8_t *put_u32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
  return p + 4;
}

static uint8_t *put_u64(uint8_t *p, uint64_t v) {
  p = put_u32(p, (uint32_t)(v >> 32));
  return put_u32(p, (uint32_t)v);
}

/* Every variable field carries its length, so no two field tuples share a
 * byte string (no "ab"+"c" == "a"+"bc" ambiguity). */
static uint8_t *put_bytes(uint8_t *p, const void *b, size_t n) {
  p = put_u32(p, (uint32_t)n);
  if (n)
    memcpy(p, b, n);
  return p + n;
}

int rc_envelope_signed_bytes(const Ringca__Envelope *env, uint8_t *out,
                             size_t cap, size_t *len) {
  size_t need = rc_envelope_signed_len(env);
  if (cap < need)
    return RC_ENOBUFS;
  if (env->payload.len > UINT32_MAX || env->request_id.len > UINT32_MAX)
    return RC_ETOOBIG;
  uint8_t *p = out;
  memcpy(p, RC_ENVELOPE_DOMAIN, sizeof RC_ENVELOPE_DOMAIN); /* with its NUL */
  p += sizeof RC_ENVELOPE_DOMAIN;
  p = put_u32(p, env->version);
  p = put_bytes(p, env->request_id.data, env->request_id.len);
  p = put_bytes(p, env->origin, str_len(env->origin));
  p = put_bytes(p, env->destination, str_len(env->destination));
  p = put_u32(p, (uint32_t)env->kind);
  p = put_bytes(p, env->payload.data, env->payload.len);
  p = put_u64(p, env->deadline_unix_ms);
  *len = (size_t)(p - out);
  return 0;
}

static int signed_bytes_alloc(const Ringca__Envelope *env, uint8_t **buf,
                              size_t *len) {
  size_t need = rc_envelope_signed_len(env);
  *buf = malloc(need);
  if (!*buf)
    return RC_ENOMEM;
  int rc = rc_envelope_signed_bytes(env, *buf, need, len);
  if (rc) {
    free(*buf);
    *buf = NULL;
  }
  return rc;
}

int rc_envelope_sign_key(Ringca__Envelope *env, EVP_PKEY *key,
                         uint8_t sig[64]) {
  if (!key)
    return RC_ECRYPTO;
  uint8_t *msg;
  size_t msg_len, sig_len = RC_SIGNATURE_LEN;
  int rc = signed_bytes_alloc(env, &msg, &msg_len);
  if (rc)
    return rc;
  rc = RC_ECRYPTO;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  if (ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) == 1 &&
      EVP_DigestSign(ctx, sig, &sig_len, msg, msg_len) == 1 &&
      sig_len == RC_SIGNATURE_LEN) {
    env->signature.data = sig;
    env->signature.len = RC_SIGNATURE_LEN;
    rc = 0;
  }
  EVP_MD_CTX_free(ctx);
  free(msg);
  return rc;
}

int rc_envelope_sign(Ringca__Envelope *env, const uint8_t priv[32],
                     uint8_t sig[64]) {
  EVP_PKEY *key =
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, priv, 32);
  int rc = rc_envelope_sign_key(env, key, sig);
  EVP_PKEY_free(key); /* OpenSSL cleanses the private key on free */
  return rc;
}

int rc_envelope_verify_key(const Ringca__Envelope *env, EVP_PKEY *key) {
  if (!key || env->signature.len != RC_SIGNATURE_LEN || !env->signature.data)
    return RC_EAUTH;
  uint8_t *msg;
  size_t msg_len;
  int rc = signed_bytes_alloc(env, &msg, &msg_len);
  if (rc)
    return rc;
  rc = RC_EAUTH;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  if (ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1 &&
      EVP_DigestVerify(ctx, env->signature.data, env->signature.len, msg,
                       msg_len) == 1)
    rc = 0;
  EVP_MD_CTX_free(ctx);
  free(msg);
  return rc;
}

int rc_envelope_verify(const Ringca__Envelope *env, const uint8_t pub[32]) {
  EVP_PKEY *key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
  int rc = rc_envelope_verify_key(env, key);
  EVP_PKEY_free(key);
  return rc;
}

int rc_ed25519_public(const uint8_t priv[32], uint8_t pub[32]) {
  size_t len = 32;
  EVP_PKEY *key =
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, priv, 32);
  int rc = key && EVP_PKEY_get_raw_public_key(key, pub, &len) == 1 && len == 32
               ? 0
               : RC_ECRYPTO;
  EVP_PKEY_free(key);
  return rc;
}
