/* A node's private keys: one file per node holding two unencrypted PEM
 * PKCS#8 private keys, the X25519 link key (Noise KK static key) and the
 * Ed25519 origin key (signs the node's envelopes), mode 0600.
 *
 * The topology file carries only the public halves, as base64 of the 32 raw
 * bytes (as WireGuard writes keys); rc_key_b64_* convert them. */
#ifndef RINGCA_NODEKEYS_H
#define RINGCA_NODEKEYS_H
#include <stddef.h>
#include <stdint.h>

#define RC_NODE_KEY_LEN 32u
/* base64 of 32 bytes: 43 characters and one '=' pad. */
#define RC_KEY_B64_LEN 44u

struct rc_node_keys {
  uint8_t link_priv[RC_NODE_KEY_LEN];   /* X25519 */
  uint8_t link_pub[RC_NODE_KEY_LEN];
  uint8_t origin_priv[RC_NODE_KEY_LEN]; /* Ed25519 seed */
  uint8_t origin_pub[RC_NODE_KEY_LEN];
};

/* Fresh key pairs from the system RNG (OpenSSL's private DRBG). Returns 0 or
 * RC_ECRYPTO. */
int rc_node_keys_generate(struct rc_node_keys *k);

/* Derives both public keys from the private ones (after filling link_priv
 * and origin_priv yourself, e.g. from a deterministic test RNG). */
int rc_node_keys_derive_public(struct rc_node_keys *k);

/* Writes both private keys to path atomically with mode 0600 (a crash
 * leaves the old file or the new one, never half of one). Returns 0,
 * RC_ECRYPTO or RC_EIO. */
int rc_node_keys_write(const char *path, const struct rc_node_keys *k);

/* Reads a key file and fills all four fields (public keys derived).
 * Returns 0 or:
 *   RC_EPERM      the file is readable or writable by group or others
 *                 (or is a symlink): refused before reading a byte
 *   RC_ENOTFOUND  no such file
 *   RC_ETOOBIG    larger than any honest key file
 *   RC_EIO        another I/O error
 *   RC_EMALFORMED not exactly one X25519 and one Ed25519 PKCS#8 key
 * Every intermediate buffer is wiped; on error *k is zeroed. */
int rc_node_keys_load(const char *path, struct rc_node_keys *k);

/* A sentence about a key file error from rc_node_keys_load/write, naming
 * the fix ("chmod 600 ..." for RC_EPERM). */
const char *rc_node_keys_strerror(int err);

/* OPENSSL_cleanse on the whole struct. */
void rc_node_keys_wipe(struct rc_node_keys *k);

/* Strict base64 of exactly 32 bytes: out gets RC_KEY_B64_LEN characters and
 * a NUL. */
void rc_key_b64_encode(const uint8_t key[RC_NODE_KEY_LEN],
                       char out[RC_KEY_B64_LEN + 1]);
/* Accepts only the canonical encoding of 32 bytes: exactly 44 characters of
 * the standard alphabet ending in one '=', unused bits zero, no whitespace.
 * Returns 0 or RC_EMALFORMED (key untouched). */
int rc_key_b64_decode(const char *s, size_t len, uint8_t key[RC_NODE_KEY_LEN]);

#endif
