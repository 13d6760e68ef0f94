/* Noise_KK_25519_ChaChaPoly_SHA256 (Noise Protocol Framework, revision 34)
 * on OpenSSL 3 EVP: the handshake of the secure link (link.h).
 *
 * Only what KK needs: a CipherState-less HandshakeState that writes and reads
 * the two KK messages and splits into two transport keys, and the
 * ChaCha20-Poly1305 AEAD with the Noise nonce layout (4 zero bytes || 64-bit
 * little-endian counter), which the link also uses with explicit counters.
 * Ephemeral private keys are passed in by the caller, so the link can draw
 * them from its injected RNG and the tests can fix them to the published
 * vectors. Every secret is wiped with OPENSSL_cleanse. */
#ifndef RINGCA_NOISE_H
#define RINGCA_NOISE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RC_NOISE_KEY_LEN 32u
#define RC_NOISE_HASH_LEN 32u
#define RC_NOISE_TAG_LEN 16u
#define RC_NOISE_PROTOCOL_NAME "Noise_KK_25519_ChaChaPoly_SHA256"
/* Largest Noise message (spec section 3). */
#define RC_NOISE_MSG_MAX 65535u

/* Derives the X25519 public key of a raw private key. 0 or RC_ECRYPTO. */
int rc_noise_pubkey(const uint8_t priv[RC_NOISE_KEY_LEN],
                    uint8_t pub[RC_NOISE_KEY_LEN]);

/* One reusable ChaCha20-Poly1305 context per direction: keyed once, then
 * only the nonce changes per frame (no per-frame allocation). */
struct rc_aead;
struct rc_aead *rc_aead_new(const uint8_t key[RC_NOISE_KEY_LEN]);
void rc_aead_free(struct rc_aead *a);
/* out receives len + RC_NOISE_TAG_LEN bytes. 0 or RC_ECRYPTO. */
int rc_aead_seal(struct rc_aead *a, uint64_t nonce, const uint8_t *ad,
                 size_t adlen, const uint8_t *pt, size_t len, uint8_t *out);
/* ctlen includes the tag; out receives ctlen - RC_NOISE_TAG_LEN bytes.
 * 0, RC_EAUTH (tag mismatch or too short) or RC_ECRYPTO. */
int rc_aead_open(struct rc_aead *a, uint64_t nonce, const uint8_t *ad,
                 size_t adlen, const uint8_t *ct, size_t ctlen, uint8_t *out);

struct rc_noise_hs {
  bool initiator;
  int msg; /* index of the next handshake message: 0, 1, then 2 = done */
  uint8_t ck[RC_NOISE_HASH_LEN], h[RC_NOISE_HASH_LEN];
  uint8_t k[RC_NOISE_KEY_LEN];
  bool has_k;
  uint64_t n;
  uint8_t s[RC_NOISE_KEY_LEN], s_pub[RC_NOISE_KEY_LEN];
  uint8_t e[RC_NOISE_KEY_LEN], e_pub[RC_NOISE_KEY_LEN];
  uint8_t rs[RC_NOISE_KEY_LEN], re[RC_NOISE_KEY_LEN];
};

/* Initialize(KK, initiator, prologue, s, rs): both statics are pre-messages.
 * 0 or RC_ECRYPTO (s is not a usable key). */
int rc_noise_hs_init(struct rc_noise_hs *hs, bool initiator,
                     const uint8_t *prologue, size_t prologue_len,
                     const uint8_t s[RC_NOISE_KEY_LEN],
                     const uint8_t rs[RC_NOISE_KEY_LEN]);

/* Writes this side's next message (-> e, es, ss or <- e, ee, se) with
 * ephemeral private key e. *out_len = 32 + payload_len + 16. Returns 0,
 * RC_ESTATE (not our turn), RC_ENOBUFS, RC_ETOOBIG or RC_ECRYPTO. */
int rc_noise_hs_write(struct rc_noise_hs *hs, const uint8_t e[RC_NOISE_KEY_LEN],
                      const uint8_t *payload, size_t payload_len, uint8_t *out,
                      size_t cap, size_t *out_len);

/* Reads the peer's next message into payload (len - 48 bytes). Returns 0,
 * RC_ESTATE, RC_EMALFORMED (too short), RC_ENOBUFS, or RC_EAUTH when the
 * message does not come from the holder of rs (or a DH fails). */
int rc_noise_hs_read(struct rc_noise_hs *hs, const uint8_t *msg, size_t len,
                     uint8_t *payload, size_t cap, size_t *payload_len);

/* Split() after message 2: this side's sending and receiving keys, and the
 * handshake hash h. Then wipes the handshake state. */
void rc_noise_hs_split(struct rc_noise_hs *hs, uint8_t send[RC_NOISE_KEY_LEN],
                       uint8_t recv[RC_NOISE_KEY_LEN],
                       uint8_t hash[RC_NOISE_HASH_LEN]);

void rc_noise_hs_wipe(struct rc_noise_hs *hs);

#endif
