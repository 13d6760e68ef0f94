/* Envelopes: routed work signed end to end by its origin.
 *
 * The signature covers the canonical signed bytes, a fixed, domain-separated
 * encoding of every Envelope field except `ttl` (the one field relays change)
 * and `signature`. It is deliberately not the protobuf encoding: protobuf
 * allows several encodings of one message (field order, packed/unpacked,
 * unknown fields), and a signature must bind exactly one byte string.
 *
 *   "ringca-envelope-v1" 0x00
 *   u32 version | u32 len, request_id | u32 len, origin | u32 len, destination
 *   u32 kind | u32 len, payload | u64 deadline_unix_ms
 *
 * Integers are big-endian. docs/protocol.md ("Envelope signatures"). */
#ifndef RINGCA_ENVELOPE_H
#define RINGCA_ENVELOPE_H
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "ringca.pb-c.h"

#define RC_ENVELOPE_DOMAIN "ringca-envelope-v1"
#define RC_ED25519_KEY_LEN 32u

/* Length of the canonical signed bytes of env. */
size_t rc_envelope_signed_len(const Ringca__Envelope *env);
/* Writes the canonical signed bytes; RC_ENOBUFS if cap is too small. */
int rc_envelope_signed_bytes(const Ringca__Envelope *env, uint8_t *out,
                             size_t cap, size_t *len);

/* Signs env with the raw Ed25519 private key; the 64-byte signature goes to
 * sig (caller-owned) and env->signature points at it. 0 or RC_ECRYPTO. */
int rc_envelope_sign(Ringca__Envelope *env, const uint8_t priv[32],
                     uint8_t sig[64]);
/* 0 when env->signature is a valid signature by pub; RC_EAUTH otherwise. */
int rc_envelope_verify(const Ringca__Envelope *env, const uint8_t pub[32]);

/* The same with keys already loaded: a node signs and verifies every
 * envelope it handles, and building an EVP_PKEY from raw bytes costs as
 * much as a signature (the public half is derived each time). */
int rc_envelope_sign_key(Ringca__Envelope *env, EVP_PKEY *priv,
                         uint8_t sig[64]);
int rc_envelope_verify_key(const Ringca__Envelope *env, EVP_PKEY *pub);

/* Raw Ed25519 public key of a raw private key. 0 or RC_ECRYPTO. */
int rc_ed25519_public(const uint8_t priv[32], uint8_t pub[32]);

#endif
