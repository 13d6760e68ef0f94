/* Noise_KK_25519_ChaChaPoly_SHA256 on OpenSSL 3 EVP (see noise.h).
 * Section numbers refer to the Noise specification, revision 34. */
#include "ringca/noise.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ringca/error.h"

#define DHLEN 32u
#define HASHLEN 32u

int rc_noise_pubkey(const uint8_t priv[RC_NOISE_KEY_LEN],
                    uint8_t pub[RC_NOISE_KEY_LEN]) {
  EVP_PKEY *k =
      EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, DHLEN);
  size_t len = DHLEN;
  int ok = k && EVP_PKEY_get_raw_public_key(k, pub, &len) == 1 && len == DHLEN;
  EVP_PKEY_free(k);
  return ok ? 0 : RC_ECRYPTO;
}

/* DH(priv, pub). OpenSSL refuses an all-zero result (a low-order peer
 * point), which Noise allows us to treat as a failed handshake. */
static int dh(const uint8_t priv[DHLEN], const uint8_t pub[DHLEN],
              uint8_t out[DHLEN]) {
  EVP_PKEY *sk =
      EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, DHLEN);
  EVP_PKEY *pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pub, DHLEN);
  EVP_PKEY_CTX *ctx = sk ? EVP_PKEY_CTX_new(sk, NULL) : NULL;
  size_t len = DHLEN;
  int ok = sk && pk && ctx && EVP_PKEY_derive_init(ctx) == 1 &&
           EVP_PKEY_derive_set_peer(ctx, pk) == 1 &&
           EVP_PKEY_derive(ctx, out, &len) == 1 && len == DHLEN;
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(pk);
  EVP_PKEY_free(sk);
  if (!ok)
    OPENSSL_cleanse(out, DHLEN);
  return ok ? 0 : RC_EAUTH;
}

/* ------------------------------------------------------------- AEAD (5.1) */

struct rc_aead {
  EVP_CIPHER_CTX *enc, *dec;
};

struct rc_aead *rc_aead_new(const uint8_t key[RC_NOISE_KEY_LEN]) {
  struct rc_aead *a = OPENSSL_zalloc(sizeof *a);
  if (!a)
    return NULL;
  a->enc = EVP_CIPHER_CTX_new();
  a->dec = EVP_CIPHER_CTX_new();
  if (!a->enc || !a->dec ||
      EVP_EncryptInit_ex(a->enc, EVP_chacha20_poly1305(), NULL, key, NULL) !=
          1 ||
      EVP_DecryptInit_ex(a->dec, EVP_chacha20_poly1305(), NULL, key, NULL) !=
          1) {
    rc_aead_free(a);
    return NULL;
  }
  return a;
}

void rc_aead_free(struct rc_aead *a) {
  if (!a)
    return;
  /* EVP_CIPHER_CTX_free cleanses the expanded key state. */
  EVP_CIPHER_CTX_free(a->enc);
  EVP_CIPHER_CTX_free(a->dec);
  OPENSSL_free(a);
}

static void noise_nonce(uint64_t n, uint8_t iv[12]) {
  memset(iv, 0, 4);
  for (int i = 0; i < 8; i++)
    iv[4 + i] = (uint8_t)(n >> (8 * i));
}

int rc_aead_seal(struct rc_aead *a, uint64_t nonce, const uint8_t *ad,
                 size_t adlen, const uint8_t *pt, size_t len, uint8_t *out) {
  uint8_t iv[12];
  int n = 0;
  noise_nonce(nonce, iv);
  if (len > INT32_MAX || adlen > INT32_MAX ||
      EVP_EncryptInit_ex(a->enc, NULL, NULL, NULL, iv) != 1 ||
      (adlen && EVP_EncryptUpdate(a->enc, NULL, &n, ad, (int)adlen) != 1) ||
      (len && EVP_EncryptUpdate(a->enc, out, &n, pt, (int)len) != 1) ||
      EVP_EncryptFinal_ex(a->enc, out + len, &n) != 1 ||
      EVP_CIPHER_CTX_ctrl(a->enc, EVP_CTRL_AEAD_GET_TAG, RC_NOISE_TAG_LEN,
                          out + len) != 1)
    return RC_ECRYPTO;
  return 0;
}

int rc_aead_open(struct rc_aead *a, uint64_t nonce, const uint8_t *ad,
                 size_t adlen, const uint8_t *ct, size_t ctlen, uint8_t *out) {
  uint8_t iv[12], tag[RC_NOISE_TAG_LEN];
  int n = 0;
  if (ctlen < RC_NOISE_TAG_LEN)
    return RC_EAUTH;
  size_t len = ctlen - RC_NOISE_TAG_LEN;
  memcpy(tag, ct + len, sizeof tag);
  noise_nonce(nonce, iv);
  if (len > INT32_MAX || adlen > INT32_MAX ||
      EVP_DecryptInit_ex(a->dec, NULL, NULL, NULL, iv) != 1 ||
      (adlen && EVP_DecryptUpdate(a->dec, NULL, &n, ad, (int)adlen) != 1) ||
      (len && EVP_DecryptUpdate(a->dec, out, &n, ct, (int)len) != 1) ||
      EVP_CIPHER_CTX_ctrl(a->dec, EVP_CTRL_AEAD_SET_TAG, RC_NOISE_TAG_LEN,
                          tag) != 1)
    return RC_ECRYPTO;
  if (EVP_DecryptFinal_ex(a->dec, out + len, &n) != 1) {
    /* Never hand out plaintext that failed authentication. */
    OPENSSL_cleanse(out, len);
    return RC_EAUTH;
  }
  return 0;
}

/* One-shot AEAD for the handshake, where allocation per message is fine. */
static int aead_once(bool seal, const uint8_t key[32], uint64_t nonce,
                     const uint8_t *ad, size_t adlen, const uint8_t *in,
                     size_t len, uint8_t *out) {
  struct rc_aead *a = rc_aead_new(key);
  if (!a)
    return RC_ECRYPTO;
  int rc = seal ? rc_aead_seal(a, nonce, ad, adlen, in, len, out)
                : rc_aead_open(a, nonce, ad, adlen, in, len, out);
  rc_aead_free(a);
  return rc;
}

/* ------------------------------------------------------ SymmetricState (5.2)
 */

static void mix_hash(struct rc_noise_hs *hs, const uint8_t *data, size_t len) {
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  unsigned int n = 0;
  /* Allocation failure here cannot be reported through a void; a zero h
   * would make every later AEAD check fail closed, never open. */
  if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
      EVP_DigestUpdate(md, hs->h, HASHLEN) != 1 ||
      EVP_DigestUpdate(md, data, len) != 1 ||
      EVP_DigestFinal_ex(md, hs->h, &n) != 1)
    memset(hs->h, 0, HASHLEN);
  EVP_MD_CTX_free(md);
}

static int hmac(const uint8_t key[HASHLEN], const uint8_t *a, size_t alen,
                const uint8_t *b, size_t blen, uint8_t out[HASHLEN]) {
  uint8_t buf[HASHLEN + 1];
  unsigned int n = HASHLEN;
  /* HKDF's inputs are either (ikm) or (prev output || one byte). */
  if (blen) {
    memcpy(buf, a, alen);
    memcpy(buf + alen, b, blen);
    a = buf;
    alen += blen;
  }
  int ok = HMAC(EVP_sha256(), key, HASHLEN, a, alen, out, &n) != NULL;
  OPENSSL_cleanse(buf, sizeof buf);
  return ok ? 0 : RC_ECRYPTO;
}

/* HKDF(chaining_key, ikm, 2) of section 4.3. */
static int hkdf2(const uint8_t ck[HASHLEN], const uint8_t *ikm, size_t len,
                 uint8_t o1[HASHLEN], uint8_t o2[HASHLEN]) {
  uint8_t temp[HASHLEN];
  static const uint8_t one = 1, two = 2;
  static const uint8_t empty[1] = {0};
  int rc = hmac(ck, len ? ikm : empty, len, NULL, 0, temp);
  if (!rc)
    rc = hmac(temp, &one, 1, NULL, 0, o1);
  if (!rc)
    rc = hmac(temp, o1, HASHLEN, &two, 1, o2);
  OPENSSL_cleanse(temp, sizeof temp);
  return rc;
}

static int mix_key(struct rc_noise_hs *hs, const uint8_t *ikm, size_t len) {
  uint8_t ck[HASHLEN], k[HASHLEN];
  int rc = hkdf2(hs->ck, ikm, len, ck, k);
  if (!rc) {
    memcpy(hs->ck, ck, HASHLEN);
    memcpy(hs->k, k, RC_NOISE_KEY_LEN);
    hs->has_k = true;
    hs->n = 0;
  }
  OPENSSL_cleanse(ck, sizeof ck);
  OPENSSL_cleanse(k, sizeof k);
  return rc;
}

static int mix_dh(struct rc_noise_hs *hs, const uint8_t priv[DHLEN],
                  const uint8_t pub[DHLEN]) {
  uint8_t shared[DHLEN];
  int rc = dh(priv, pub, shared);
  if (!rc)
    rc = mix_key(hs, shared, DHLEN);
  OPENSSL_cleanse(shared, sizeof shared);
  return rc;
}

/* KK always has a key by the time a payload is encrypted (es/ss or ee/se
 * precede it), so the no-key branch of EncryptAndHash never applies. */
static int encrypt_and_hash(struct rc_noise_hs *hs, const uint8_t *pt,
                            size_t len, uint8_t *out) {
  int rc = aead_once(true, hs->k, hs->n, hs->h, HASHLEN, pt, len, out);
  if (rc)
    return rc;
  hs->n++;
  mix_hash(hs, out, len + RC_NOISE_TAG_LEN);
  return 0;
}

static int decrypt_and_hash(struct rc_noise_hs *hs, const uint8_t *ct,
                            size_t len, uint8_t *out) {
  int rc = aead_once(false, hs->k, hs->n, hs->h, HASHLEN, ct, len, out);
  if (rc)
    return rc == RC_EAUTH ? RC_EAUTH : rc;
  hs->n++;
  mix_hash(hs, ct, len);
  return 0;
}

/* ----------------------------------------------------- HandshakeState (5.3) */

int rc_noise_hs_init(struct rc_noise_hs *hs, bool initiator,
                     const uint8_t *prologue, size_t prologue_len,
                     const uint8_t s[RC_NOISE_KEY_LEN],
                     const uint8_t rs[RC_NOISE_KEY_LEN]) {
  memset(hs, 0, sizeof *hs);
  hs->initiator = initiator;
  /* The protocol name is exactly HASHLEN bytes, so h = name unhashed. */
  _Static_assert(sizeof RC_NOISE_PROTOCOL_NAME - 1 == HASHLEN, "name length");
  memcpy(hs->h, RC_NOISE_PROTOCOL_NAME, HASHLEN);
  memcpy(hs->ck, hs->h, HASHLEN);
  mix_hash(hs, prologue, prologue_len);
  memcpy(hs->s, s, RC_NOISE_KEY_LEN);
  memcpy(hs->rs, rs, RC_NOISE_KEY_LEN);
  if (rc_noise_pubkey(s, hs->s_pub) != 0) {
    rc_noise_hs_wipe(hs);
    return RC_ECRYPTO;
  }
  /* Pre-messages "-> s" then "<- s": initiator's key is hashed first. */
  mix_hash(hs, initiator ? hs->s_pub : hs->rs, DHLEN);
  mix_hash(hs, initiator ? hs->rs : hs->s_pub, DHLEN);
  return 0;
}

int rc_noise_hs_write(struct rc_noise_hs *hs, const uint8_t e[RC_NOISE_KEY_LEN],
                      const uint8_t *payload, size_t payload_len, uint8_t *out,
                      size_t cap, size_t *out_len) {
  bool my_turn = hs->msg == (hs->initiator ? 0 : 1);
  if (!my_turn)
    return RC_ESTATE;
  if (payload_len > RC_NOISE_MSG_MAX - DHLEN - RC_NOISE_TAG_LEN)
    return RC_ETOOBIG;
  size_t need = DHLEN + payload_len + RC_NOISE_TAG_LEN;
  if (cap < need)
    return RC_ENOBUFS;
  memcpy(hs->e, e, DHLEN);
  int rc = rc_noise_pubkey(hs->e, hs->e_pub);
  if (rc)
    return rc;
  memcpy(out, hs->e_pub, DHLEN);
  mix_hash(hs, hs->e_pub, DHLEN);
  if (hs->initiator) { /* -> e, es, ss */
    rc = mix_dh(hs, hs->e, hs->rs);
    if (!rc)
      rc = mix_dh(hs, hs->s, hs->rs);
  } else { /* <- e, ee, se */
    rc = mix_dh(hs, hs->e, hs->re);
    if (!rc)
      rc = mix_dh(hs, hs->e, hs->rs);
  }
  if (!rc)
    rc = encrypt_and_hash(hs, payload, payload_len, out + DHLEN);
  if (rc)
    return rc == RC_EAUTH ? RC_EAUTH : RC_ECRYPTO;
  hs->msg++;
  *out_len = need;
  return 0;
}

int rc_noise_hs_read(struct rc_noise_hs *hs, const uint8_t *msg, size_t len,
                     uint8_t *payload, size_t cap, size_t *payload_len) {
  bool my_turn = hs->msg == (hs->initiator ? 1 : 0);
  if (!my_turn)
    return RC_ESTATE;
  if (len < DHLEN + RC_NOISE_TAG_LEN || len > RC_NOISE_MSG_MAX)
    return RC_EMALFORMED;
  size_t plen = len - DHLEN - RC_NOISE_TAG_LEN;
  if (cap < plen)
    return RC_ENOBUFS;
  memcpy(hs->re, msg, DHLEN);
  mix_hash(hs, hs->re, DHLEN);
  int rc;
  if (hs->initiator) { /* reading <- e, ee, se */
    rc = mix_dh(hs, hs->e, hs->re);
    if (!rc)
      rc = mix_dh(hs, hs->s, hs->re);
  } else { /* reading -> e, es, ss */
    rc = mix_dh(hs, hs->s, hs->re);
    if (!rc)
      rc = mix_dh(hs, hs->s, hs->rs);
  }
  if (!rc)
    rc = decrypt_and_hash(hs, msg + DHLEN, len - DHLEN, payload);
  if (rc)
    return rc == RC_ECRYPTO ? RC_ECRYPTO : RC_EAUTH;
  hs->msg++;
  *payload_len = plen;
  return 0;
}

void rc_noise_hs_split(struct rc_noise_hs *hs, uint8_t send[RC_NOISE_KEY_LEN],
                       uint8_t recv[RC_NOISE_KEY_LEN],
                       uint8_t hash[RC_NOISE_HASH_LEN]) {
  uint8_t k1[HASHLEN], k2[HASHLEN];
  if (hkdf2(hs->ck, NULL, 0, k1, k2) != 0) {
    /* Unusable (but never predictable) keys: the peer's AEAD checks fail. */
    memset(k1, 0, sizeof k1);
    memset(k2, 0xff, sizeof k2);
  }
  /* c1 carries initiator -> responder traffic. */
  memcpy(send, hs->initiator ? k1 : k2, RC_NOISE_KEY_LEN);
  memcpy(recv, hs->initiator ? k2 : k1, RC_NOISE_KEY_LEN);
  memcpy(hash, hs->h, HASHLEN);
  OPENSSL_cleanse(k1, sizeof k1);
  OPENSSL_cleanse(k2, sizeof k2);
  rc_noise_hs_wipe(hs);
}

void rc_noise_hs_wipe(struct rc_noise_hs *hs) {
  OPENSSL_cleanse(hs, sizeof *hs);
}
