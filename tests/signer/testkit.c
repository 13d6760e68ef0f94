#include "testkit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

static struct {
  const char *kind;
  EVP_PKEY *key;
} cache[8];

EVP_PKEY *tk_key(const char *kind) {
  size_t i = 0;
  for (; i < 8 && cache[i].kind; i++)
    if (!strcmp(cache[i].kind, kind))
      return cache[i].key;
  EVP_PKEY *k = NULL;
  if (!strcmp(kind, "rsa2048"))
    k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
  else if (!strcmp(kind, "rsa1024"))
    k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
  else if (!strcmp(kind, "p256"))
    k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
  else if (!strcmp(kind, "p384"))
    k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
  else if (!strcmp(kind, "p521"))
    k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
  else if (!strcmp(kind, "ed25519"))
    k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
  else if (!strcmp(kind, "ed448"))
    k = EVP_PKEY_Q_keygen(NULL, NULL, "ED448");
  if (!k || i == 8)
    abort();
  cache[i].kind = kind;
  cache[i].key = k;
  return k;
}

static void add_ext(STACK_OF(X509_EXTENSION) *exts, int nid, const char *v) {
  if (!v)
    return;
  X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, NULL, nid, v);
  if (!e)
    abort();
  sk_X509_EXTENSION_push(exts, e);
}

static X509_REQ *build(EVP_PKEY *key, const struct tk_csr *o) {
  X509_REQ *req = X509_REQ_new();
  X509_NAME *name = X509_NAME_new();
  if (o->subject) {
    char buf[512];
    snprintf(buf, sizeof buf, "%s", o->subject);
    for (char *tok = strtok(buf, "/"); tok; tok = strtok(NULL, "/")) {
      char *eq = strchr(tok, '=');
      *eq = 0;
      if (!X509_NAME_add_entry_by_txt(name, tok, MBSTRING_UTF8,
                                      (unsigned char *)eq + 1, -1, -1, 0))
        abort();
    }
  }
  X509_REQ_set_version(req, X509_REQ_VERSION_1);
  X509_REQ_set_subject_name(req, name);
  X509_NAME_free(name);
  X509_REQ_set_pubkey(req, key);
  STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
  add_ext(exts, NID_subject_alt_name, o->san);
  add_ext(exts, NID_ext_key_usage, o->eku);
  add_ext(exts, NID_basic_constraints, o->bc);
  add_ext(exts, NID_key_usage, o->ku);
  add_ext(exts, NID_netscape_comment, o->comment);
  if (sk_X509_EXTENSION_num(exts) > 0)
    X509_REQ_add_extensions(req, exts);
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  int id = EVP_PKEY_get_base_id(key);
  const EVP_MD *md =
      id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448 ? NULL : EVP_sha256();
  if (X509_REQ_sign(req, key, md) <= 0)
    abort();
  return req;
}

uint8_t *tk_csr_der(EVP_PKEY *key, const struct tk_csr *o, size_t *len) {
  X509_REQ *req = build(key, o);
  uint8_t *der = NULL;
  int n = i2d_X509_REQ(req, &der);
  X509_REQ_free(req);
  uint8_t *copy = malloc((size_t)n);
  memcpy(copy, der, (size_t)n);
  OPENSSL_free(der);
  *len = (size_t)n;
  return copy;
}

char *tk_csr_pem(EVP_PKEY *key, const struct tk_csr *o, size_t *len) {
  X509_REQ *req = build(key, o);
  BIO *bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509_REQ(bio, req);
  char *data;
  long n = BIO_get_mem_data(bio, &data);
  char *copy = malloc((size_t)n + 1);
  memcpy(copy, data, (size_t)n);
  copy[n] = 0;
  *len = (size_t)n;
  BIO_free(bio);
  X509_REQ_free(req);
  return copy;
}

void tk_tmpdir(char *out) {
  const char *t = getenv("TMPDIR");
  snprintf(out, 4096, "%s/ringca-test.XXXXXX", t ? t : "/tmp");
  if (!mkdtemp(out))
    abort();
}

void tk_rmrf(const char *dir) { tk_run("rm -rf '%s'", dir); }

int tk_run(const char *fmt, ...) {
  char cmd[8192];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  int st = system(cmd);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void tk_write(const char *path, const void *data, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, len, f) != len)
    abort();
  fclose(f);
}
