#include "ringca/x509util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509v3.h>

#include "ringca/error.h"
#include "ringca/fileio.h"

#define KEY_FILE_MAX (64u * 1024u)
#define CERT_FILE_MAX (256u * 1024u)

ASN1_INTEGER *rc_x509_random_serial(const struct rc_rng *rng) {
  unsigned char raw[20];
  rc_rng_fill(rng, raw, sizeof raw);
  raw[0] &= 0x7F;
  raw[0] |= 0x40; /* keep all 20 octets significant */
  BIGNUM *bn = BN_bin2bn(raw, sizeof raw, NULL);
  ASN1_INTEGER *serial = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
  BN_free(bn);
  return serial;
}

int rc_x509_set_random_serial(X509 *cert, const struct rc_rng *rng) {
  ASN1_INTEGER *serial = rc_x509_random_serial(rng);
  int ok = serial && X509_set_serialNumber(cert, serial) == 1;
  ASN1_INTEGER_free(serial);
  return ok ? 0 : RC_ECRYPTO;
}

int rc_x509_add_ext(X509 *cert, X509 *issuer, int nid, const char *value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer ? issuer : cert, cert, NULL, NULL, 0);
  X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
  if (!ext)
    return RC_ECRYPTO;
  int ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok ? 0 : RC_ECRYPTO;
}

int rc_x509_set_validity(X509 *cert, long skew_s, long days) {
  if (!X509_gmtime_adj(X509_getm_notBefore(cert), -skew_s) ||
      !X509_time_adj_ex(X509_getm_notAfter(cert), (int)days, 0, NULL))
    return RC_ECRYPTO;
  return 0;
}

int rc_x509_set_validity_at(X509 *cert, uint64_t now_unix_s, long skew_s,
                            long days) {
  time_t now = (time_t)now_unix_s;
  if (!ASN1_TIME_adj(X509_getm_notBefore(cert), now, 0, -skew_s) ||
      !ASN1_TIME_adj(X509_getm_notAfter(cert), now, (int)days, 0))
    return RC_ECRYPTO;
  return 0;
}

int rc_x509_to_der(X509 *cert, uint8_t **out, size_t *len) {
  int n = i2d_X509(cert, NULL);
  *out = NULL;
  *len = 0;
  if (n <= 0)
    return RC_ECRYPTO;
  uint8_t *buf = malloc((size_t)n), *p = buf;
  if (!buf)
    return RC_ENOMEM;
  if (i2d_X509(cert, &p) != n) {
    free(buf);
    return RC_ECRYPTO;
  }
  *out = buf;
  *len = (size_t)n;
  return 0;
}

static int errno_to_rc(int e) {
  return e == -EPERM ? RC_EPERM : e == -ENOENT ? RC_ENOTFOUND : RC_EIO;
}

/* Serialises with the BIO, writes atomically, wipes the memory copy. */
static int write_bio_atomic(const char *path, BIO *bio, mode_t mode) {
  char *data;
  long len = BIO_get_mem_data(bio, &data);
  int rc = len > 0 ? rc_file_write_atomic(path, data, (size_t)len, mode) : -EIO;
  if (len > 0)
    OPENSSL_cleanse(data, (size_t)len);
  return rc ? errno_to_rc(rc) : 0;
}

/* scrypt at the "interactive" cost (N=2^14, r=8, p=1: 16 MiB, ~50 ms):
 * a guessed passphrase costs an attacker the same, where OpenSSL's PEM
 * default would be 2048 rounds of PBKDF2. */
#define KEY_SCRYPT_N 16384u
#define KEY_SCRYPT_R 8u
#define KEY_SCRYPT_P 1u

int rc_pkey_write_encrypted(const char *path, EVP_PKEY *key,
                            const char *passphrase) {
  BIO *bio = BIO_new(BIO_s_secmem());
  PKCS8_PRIV_KEY_INFO *info = EVP_PKEY2PKCS8(key);
  X509_ALGOR *alg = PKCS5_pbe2_set_scrypt(EVP_aes_256_cbc(), NULL, 0, NULL,
                                          KEY_SCRYPT_N, KEY_SCRYPT_R,
                                          KEY_SCRYPT_P);
  X509_SIG *p8 = NULL;
  int rc = bio && info && alg ? RC_ECRYPTO : RC_ENOMEM;
  if (bio && info && alg) {
    p8 = PKCS8_set0_pbe(passphrase, (int)strlen(passphrase), info, alg);
    if (p8)
      alg = NULL; /* now owned by p8 */
    if (p8 && PEM_write_bio_PKCS8(bio, p8) == 1)
      rc = write_bio_atomic(path, bio, 0600);
  }
  X509_SIG_free(p8);
  X509_ALGOR_free(alg);
  PKCS8_PRIV_KEY_INFO_free(info); /* wipes the key copy */
  BIO_free(bio);
  return rc;
}

int rc_pkey_write_plain(const char *path, EVP_PKEY *key) {
  BIO *bio = BIO_new(BIO_s_secmem());
  if (!bio)
    return RC_ENOMEM;
  int rc = RC_ECRYPTO;
  if (PEM_write_bio_PKCS8PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) == 1)
    rc = write_bio_atomic(path, bio, 0600);
  BIO_free(bio);
  return rc;
}

/* OpenSSL 3's decoders do not say "bad decrypt" reliably, so tell a wrong
 * passphrase from a corrupt file by decrypting the PKCS#8 envelope alone. */
static bool wrong_passphrase(const uint8_t *buf, size_t len,
                             const char *passphrase) {
  BIO *bio = BIO_new_mem_buf(buf, (int)len);
  X509_SIG *p8 = bio ? PEM_read_bio_PKCS8(bio, NULL, NULL, NULL) : NULL;
  PKCS8_PRIV_KEY_INFO *info =
      p8 ? PKCS8_decrypt(p8, passphrase, (int)strlen(passphrase)) : NULL;
  bool wrong = p8 && !info;
  PKCS8_PRIV_KEY_INFO_free(info);
  X509_SIG_free(p8);
  BIO_free(bio);
  return wrong;
}

static int read_key(const char *path, const char *passphrase, EVP_PKEY **out) {
  uint8_t *buf;
  size_t len;
  *out = NULL;
  int e = rc_file_read_secret(path, KEY_FILE_MAX, &buf, &len);
  if (e)
    return errno_to_rc(e);
  BIO *bio = BIO_new_mem_buf(buf, (int)len);
  int rc = RC_ENOMEM;
  if (bio) {
    ERR_clear_error();
    *out = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)passphrase);
    rc = *out ? 0 : wrong_passphrase(buf, len, passphrase) ? RC_EAUTH
                                                            : RC_ECRYPTO;
    ERR_clear_error();
    BIO_free(bio);
  }
  OPENSSL_cleanse(buf, len);
  free(buf);
  return rc;
}

int rc_pkey_read_encrypted(const char *path, const char *passphrase,
                           EVP_PKEY **out) {
  return read_key(path, passphrase ? passphrase : "", out);
}

int rc_pkey_read_plain(const char *path, EVP_PKEY **out) {
  return read_key(path, "", out);
}

int rc_x509_write_pem(const char *path, X509 *cert) {
  BIO *bio = BIO_new(BIO_s_mem());
  if (!bio)
    return RC_ENOMEM;
  int rc = PEM_write_bio_X509(bio, cert) == 1 ? write_bio_atomic(path, bio, 0644)
                                             : RC_ECRYPTO;
  BIO_free(bio);
  return rc;
}

int rc_x509_read_pem(const char *path, X509 **out) {
  uint8_t *buf;
  size_t len;
  *out = NULL;
  int e = rc_file_read(path, CERT_FILE_MAX, &buf, &len);
  if (e)
    return errno_to_rc(e);
  BIO *bio = BIO_new_mem_buf(buf, (int)len);
  if (bio)
    *out = PEM_read_bio_X509(bio, NULL, NULL, NULL);
  BIO_free(bio);
  free(buf);
  return *out ? 0 : RC_ECRYPTO;
}

int rc_x509_fingerprint(X509 *cert, char out[65]) {
  unsigned char md[32];
  unsigned int n = 0;
  if (X509_digest(cert, EVP_sha256(), md, &n) != 1 || n != 32)
    return RC_ECRYPTO;
  for (unsigned i = 0; i < 32; i++)
    snprintf(out + 2 * i, 3, "%02x", md[i]);
  return 0;
}

int rc_x509_serial_hex(const ASN1_INTEGER *serial, char out[41]) {
  BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
  char *hex = bn ? BN_bn2hex(bn) : NULL;
  BN_free(bn);
  if (!hex)
    return RC_ENOMEM;
  snprintf(out, 41, "%s", hex);
  OPENSSL_free(hex);
  return 0;
}

int rc_x509_name_line(const X509_NAME *name, char out[256]) {
  BIO *bio = BIO_new(BIO_s_mem());
  if (!bio)
    return RC_ENOMEM;
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  int n = BIO_read(bio, out, 255);
  out[n > 0 ? n : 0] = 0;
  BIO_free(bio);
  return 0;
}

int rc_x509_describe(X509 *cert, char serial_hex[41], char subject[256]) {
  int rc = rc_x509_serial_hex(X509_get0_serialNumber(cert), serial_hex);
  return rc ? rc : rc_x509_name_line(X509_get_subject_name(cert), subject);
}
