/* Test helpers shared by the signer and front-end tests: keys, CSRs built
 * with OpenSSL directly (so each test controls every field), temp dirs. */
#ifndef RINGCA_TESTKIT_H
#define RINGCA_TESTKIT_H
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

/* "rsa2048", "rsa1024", "p256", "p384", "p521", "ed25519", "ed448";
 * cached, do not free. */
EVP_PKEY *tk_key(const char *kind);

struct tk_csr {
  const char *subject;   /* "/CN=www.example.org/O=Example", NULL: empty */
  const char *san;       /* openssl.cnf syntax, NULL: none */
  const char *eku;       /* "serverAuth", NULL: none */
  const char *bc;        /* "CA:TRUE", NULL: none */
  const char *ku;        /* "keyCertSign", NULL: none */
  const char *comment;   /* nsComment: an extension no profile allows */
};
/* DER-encoded CSR signed by key (malloc'd). */
uint8_t *tk_csr_der(EVP_PKEY *key, const struct tk_csr *o, size_t *len);
/* PEM text of the same (malloc'd, NUL-terminated). */
char *tk_csr_pem(EVP_PKEY *key, const struct tk_csr *o, size_t *len);

/* mkdtemp under $TMPDIR; path buffer of 4096. */
void tk_tmpdir(char *out);
void tk_rmrf(const char *dir);
/* system() of a formatted command; returns the exit status. */
int tk_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tk_write(const char *path, const void *data, size_t len);

#endif
