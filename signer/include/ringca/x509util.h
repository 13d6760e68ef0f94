/* Certificate and key-file helpers shared by the signer and the ceremony,
 * so both build certificates and protect keys the same way. */
#ifndef RINGCA_X509UTIL_H
#define RINGCA_X509UTIL_H
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ringca/rng.h"

/* Positive serial of exactly 20 octets with 158 random bits (CA/B Forum asks
 * for >= 64): the top bit is cleared so DER needs no sign byte. NULL when
 * out of memory. */
ASN1_INTEGER *rc_x509_random_serial(const struct rc_rng *rng);
int rc_x509_set_random_serial(X509 *cert, const struct rc_rng *rng);

/* Adds one extension in openssl.cnf syntax ("critical,CA:TRUE",
 * "keyid:always"), resolving SKI/AKI against issuer (cert itself when
 * self-signed). Returns 0 or RC_ECRYPTO. */
int rc_x509_add_ext(X509 *cert, X509 *issuer, int nid, const char *value);

/* notBefore = now - skew_s (tolerates clock skew between machines),
 * notAfter = now + days. */
int rc_x509_set_validity(X509 *cert, long skew_s, long days);
/* Same with a caller-supplied clock (pure code: the signer, the simulator). */
int rc_x509_set_validity_at(X509 *cert, uint64_t now_unix_s, long skew_s,
                            long days);

/* Key files: encrypted PKCS#8 PEM (PBES2, AES-256-CBC, scrypt N=2^14 r=8),
 * written atomically with mode 0600; the PEM buffer is wiped after use.
 * Return 0, RC_ECRYPTO, RC_EIO, or RC_EPERM for a group/world-readable file,
 * RC_EAUTH for a wrong passphrase. */
int rc_pkey_write_encrypted(const char *path, EVP_PKEY *key,
                            const char *passphrase);
int rc_pkey_read_encrypted(const char *path, const char *passphrase,
                           EVP_PKEY **out);
/* Unencrypted PKCS#8 for lab link/origin keys (still 0600). */
int rc_pkey_write_plain(const char *path, EVP_PKEY *key);
int rc_pkey_read_plain(const char *path, EVP_PKEY **out);

int rc_x509_write_pem(const char *path, X509 *cert);
int rc_x509_read_pem(const char *path, X509 **out);

/* DER of a certificate in a fresh malloc'd buffer. Returns 0 or RC_ECRYPTO. */
int rc_x509_to_der(X509 *cert, uint8_t **out, size_t *len);

/* Serial as uppercase hex (41 bytes with NUL) and subject as one RFC 2253
 * line, for logs and the audit trail. Return 0, RC_ENOMEM. */
int rc_x509_describe(X509 *cert, char serial_hex[41], char subject[256]);
int rc_x509_serial_hex(const ASN1_INTEGER *serial, char out[41]);
int rc_x509_name_line(const X509_NAME *name, char out[256]);

/* Lowercase hex SHA-256 of a certificate's DER (65 bytes with NUL). */
int rc_x509_fingerprint(X509 *cert, char out[65]);

#endif
