/* Node key files (two PEM PKCS#8 private keys, 0600) and strict base64 for
 * the public halves in the topology file. */
#include "ringca/nodekeys.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "ringca/error.h"
#include "ringca/fileio.h"

/* Two PEM blocks of ~120 bytes each; anything much larger is not ours. */
#define NODE_KEY_FILE_MAX 8192u

static const char B64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void rc_key_b64_encode(const uint8_t key[RC_NODE_KEY_LEN],
                       char out[RC_KEY_B64_LEN + 1]) {
  size_t o = 0;
  for (size_t i = 0; i < RC_NODE_KEY_LEN; i += 3) {
    uint32_t v = (uint32_t)key[i] << 16;
    size_t n = RC_NODE_KEY_LEN - i < 3 ? RC_NODE_KEY_LEN - i : 3;
    if (n > 1)
      v |= (uint32_t)key[i + 1] << 8;
    if (n > 2)
      v |= key[i + 2];
    out[o++] = B64[(v >> 18) & 63];
    out[o++] = B64[(v >> 12) & 63];
    out[o++] = n > 1 ? B64[(v >> 6) & 63] : '=';
    out[o++] = n > 2 ? B64[v & 63] : '=';
  }
  out[o] = 0;
}

static int b64_value(char c) {
  const char *p = c ? strchr(B64, c) : NULL;
  return p ? (int)(p - B64) : -1;
}

int rc_key_b64_decode(const char *s, size_t len, uint8_t key[RC_NODE_KEY_LEN]) {
  /* 32 bytes = 10 full groups + one group of 2 bytes (3 chars + '='). */
  if (len != RC_KEY_B64_LEN || s[RC_KEY_B64_LEN - 1] != '=')
    return RC_EMALFORMED;
  uint8_t out[RC_NODE_KEY_LEN];
  uint32_t acc = 0;
  size_t o = 0;
  for (size_t i = 0; i < RC_KEY_B64_LEN - 1; i++) {
    int v = b64_value(s[i]);
    if (v < 0)
      return RC_EMALFORMED;
    acc = (acc << 6) | (uint32_t)v;
    if (i % 4 == 3) {
      out[o++] = (uint8_t)(acc >> 16);
      out[o++] = (uint8_t)(acc >> 8);
      out[o++] = (uint8_t)acc;
      acc = 0;
    }
  }
  /* Last group: 3 characters = 18 bits for 16 bits of key; the two spare
   * bits must be zero or the same key would have four spellings. */
  if (acc & 3u)
    return RC_EMALFORMED;
  out[o++] = (uint8_t)(acc >> 10);
  out[o++] = (uint8_t)(acc >> 2);
  memcpy(key, out, sizeof out);
  return 0;
}

void rc_node_keys_wipe(struct rc_node_keys *k) { OPENSSL_cleanse(k, sizeof *k); }

static int raw_public(int type, const uint8_t priv[RC_NODE_KEY_LEN],
                      uint8_t pub[RC_NODE_KEY_LEN]) {
  EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(type, NULL, priv, RC_NODE_KEY_LEN);
  size_t n = RC_NODE_KEY_LEN;
  int ok = pk && EVP_PKEY_get_raw_public_key(pk, pub, &n) == 1 &&
           n == RC_NODE_KEY_LEN;
  EVP_PKEY_free(pk);
  return ok ? 0 : RC_ECRYPTO;
}

int rc_node_keys_derive_public(struct rc_node_keys *k) {
  if (raw_public(EVP_PKEY_X25519, k->link_priv, k->link_pub) != 0 ||
      raw_public(EVP_PKEY_ED25519, k->origin_priv, k->origin_pub) != 0)
    return RC_ECRYPTO;
  return 0;
}

int rc_node_keys_generate(struct rc_node_keys *k) {
  /* X25519 clamps inside the scalar multiplication and Ed25519 hashes its
   * seed, so 32 uniform bytes each are complete private keys. */
  if (RAND_priv_bytes(k->link_priv, RC_NODE_KEY_LEN) != 1 ||
      RAND_priv_bytes(k->origin_priv, RC_NODE_KEY_LEN) != 1 ||
      rc_node_keys_derive_public(k) != 0) {
    rc_node_keys_wipe(k);
    return RC_ECRYPTO;
  }
  return 0;
}

static int append_pkcs8(BIO *bio, int type, const uint8_t priv[RC_NODE_KEY_LEN]) {
  EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(type, NULL, priv, RC_NODE_KEY_LEN);
  int ok = pk && PEM_write_bio_PKCS8PrivateKey(bio, pk, NULL, NULL, 0, NULL,
                                               NULL) == 1;
  EVP_PKEY_free(pk);
  return ok ? 0 : RC_ECRYPTO;
}

static int errno_to_rc(int e) {
  switch (e) {
  case -ENOENT:
    return RC_ENOTFOUND;
  case -EPERM:
  case -EACCES:
  case -ELOOP: /* O_NOFOLLOW met a symlink */
    return RC_EPERM;
  case -EFBIG:
    return RC_ETOOBIG;
  case -ENOMEM:
    return RC_ENOMEM;
  default:
    return RC_EIO;
  }
}

int rc_node_keys_write(const char *path, const struct rc_node_keys *k) {
  /* Secure-heap BIO: its buffer is cleansed when freed. */
  BIO *bio = BIO_new(BIO_s_secmem());
  if (!bio)
    return RC_ENOMEM;
  int rc = append_pkcs8(bio, EVP_PKEY_X25519, k->link_priv);
  if (rc == 0)
    rc = append_pkcs8(bio, EVP_PKEY_ED25519, k->origin_priv);
  if (rc == 0) {
    char *data;
    long len = BIO_get_mem_data(bio, &data);
    int e = len > 0 ? rc_file_write_atomic(path, data, (size_t)len, 0600) : -EIO;
    if (len > 0)
      OPENSSL_cleanse(data, (size_t)len);
    rc = e ? errno_to_rc(e) : 0;
    if (rc == RC_ENOTFOUND) /* the directory is missing */
      rc = RC_EIO;
  }
  BIO_free(bio);
  return rc;
}

/* One DER PrivateKeyInfo into the right slot of k; `seen` flags which keys
 * were found so a file holding two link keys is refused. */
static int take_key(const unsigned char *der, long len, struct rc_node_keys *k,
                    unsigned *seen) {
  const unsigned char *p = der;
  EVP_PKEY *pk = d2i_AutoPrivateKey(NULL, &p, len);
  if (!pk)
    return RC_EMALFORMED;
  int rc = RC_EMALFORMED;
  uint8_t *slot = NULL;
  unsigned flag = 0;
  if (p != der + len)
    slot = NULL; /* trailing bytes inside the PEM block */
  else if (EVP_PKEY_get_id(pk) == EVP_PKEY_X25519)
    slot = k->link_priv, flag = 1;
  else if (EVP_PKEY_get_id(pk) == EVP_PKEY_ED25519)
    slot = k->origin_priv, flag = 2;
  size_t n = RC_NODE_KEY_LEN;
  if (slot && !(*seen & flag) &&
      EVP_PKEY_get_raw_private_key(pk, slot, &n) == 1 && n == RC_NODE_KEY_LEN) {
    *seen |= flag;
    rc = 0;
  }
  EVP_PKEY_free(pk);
  return rc;
}

static int parse_key_file(const uint8_t *buf, size_t len, struct rc_node_keys *k) {
  BIO *bio = BIO_new_mem_buf(buf, (int)len);
  if (!bio)
    return RC_ENOMEM;
  unsigned seen = 0;
  int rc = 0, blocks = 0;
  for (;;) {
    char *name = NULL, *header = NULL;
    unsigned char *der = NULL;
    long dlen = 0;
    ERR_set_mark();
    int got = PEM_read_bio(bio, &name, &header, &der, &dlen);
    ERR_pop_to_mark();
    if (!got)
      break;
    blocks++;
    if (strcmp(name, "PRIVATE KEY") != 0 || header[0] != 0 || blocks > 2)
      rc = RC_EMALFORMED;
    else if (rc == 0)
      rc = take_key(der, dlen, k, &seen);
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_clear_free(der, (size_t)dlen);
  }
  BIO_free(bio);
  if (rc == 0 && seen != 3)
    rc = RC_EMALFORMED;
  return rc;
}

int rc_node_keys_load(const char *path, struct rc_node_keys *k) {
  memset(k, 0, sizeof *k);
  uint8_t *buf;
  size_t len;
  int e = rc_file_read_secret(path, NODE_KEY_FILE_MAX, &buf, &len);
  if (e)
    return errno_to_rc(e);
  int rc = parse_key_file(buf, len, k);
  OPENSSL_cleanse(buf, len);
  free(buf);
  if (rc == 0)
    rc = rc_node_keys_derive_public(k);
  if (rc != 0)
    rc_node_keys_wipe(k);
  return rc;
}

const char *rc_node_keys_strerror(int err) {
  switch (err) {
  case RC_EPERM:
    return "key file is accessible by group or others, or is a symlink "
           "(fix with chmod 600 and use the real path)";
  case RC_ENOTFOUND:
    return "key file does not exist (generate one with ringca-topo keys)";
  case RC_ETOOBIG:
    return "key file is far larger than two PEM keys";
  case RC_EMALFORMED:
    return "key file must hold exactly one X25519 and one Ed25519 "
           "PKCS#8 PEM private key";
  case RC_EIO:
    return "key file could not be read or written";
  default:
    return rc_strerror(err);
  }
}
