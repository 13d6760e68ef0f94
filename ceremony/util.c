/* Small helpers every ceremony step shares: names, hex, paths, hashes. */
#include "ceremony.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "ringca/error.h"

void cer_errf(char *err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, CER_ERR_MAX, fmt, ap);
  va_end(ap);
}

/* Names and ids end up in file names and journal lines, so they are kept to
 * a charset that needs no quoting anywhere. */
int cer_valid_token(const char *s, size_t max) {
  size_t n = strlen(s);
  if (n == 0 || n > max || s[0] == '.' || s[0] == '-')
    return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return 0;
  }
  return 1;
}

void cer_hex(const uint8_t *in, size_t len, char *out) {
  static const char d[] = "0123456789abcdef";
  for (size_t i = 0; i < len; i++) {
    out[2 * i] = d[in[i] >> 4];
    out[2 * i + 1] = d[in[i] & 15];
  }
  out[2 * len] = 0;
}

static int nibble(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Exactly 2*len hex digits. */
int cer_unhex(const char *in, uint8_t *out, size_t len) {
  if (strlen(in) != 2 * len)
    return RC_EMALFORMED;
  for (size_t i = 0; i < len; i++) {
    int hi = nibble(in[2 * i]), lo = nibble(in[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return RC_EMALFORMED;
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  return 0;
}

int cer_path(char *out, size_t cap, const char *dir, const char *name) {
  int n = snprintf(out, cap, "%s/%s", dir, name);
  return n < 0 || (size_t)n >= cap ? RC_ETOOBIG : 0;
}

int cer_exists(const char *path) {
  struct stat st;
  return lstat(path, &st) == 0;
}

static int sha256_fd(int fd, char out[65]) {
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  uint8_t buf[65536], md[32];
  int rc = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 ? 0
                                                                  : RC_ECRYPTO;
  while (rc == 0) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      rc = RC_EIO;
    else if (n == 0)
      break;
    else if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1)
      rc = RC_ECRYPTO;
  }
  if (rc == 0 && EVP_DigestFinal_ex(ctx, md, NULL) != 1)
    rc = RC_ECRYPTO;
  if (rc == 0)
    cer_hex(md, 32, out);
  EVP_MD_CTX_free(ctx);
  return rc;
}

int cer_sha256_file(const char *path, char out[65], char *err) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    cer_errf(err, "%s: %s", path, strerror(errno));
    return errno == ENOENT ? RC_ENOTFOUND : RC_EIO;
  }
  int rc = sha256_fd(fd, out);
  close(fd);
  if (rc)
    cer_errf(err, "%s: cannot hash: %s", path, rc_strerror(rc));
  return rc;
}

/* The running binary, so each participant can compare it with the hash of
 * the approved build they computed on their own laptop. */
int cer_self_sha256(char out[65], char *err) {
  return cer_sha256_file("/proc/self/exe", out, err);
}

const char *cer_role_name(enum cer_role r) {
  switch (r) {
  case CER_ROLE_BOARD:
    return "board";
  case CER_ROLE_SYSADMIN:
    return "sysadmin";
  case CER_ROLE_OBSERVER:
    return "observer";
  }
  return "?";
}

const char *cer_kind_name(enum cer_kind k) {
  return k == CER_KIND_ROOT ? "root" : "subroot";
}

const char *cer_profile_name(enum cer_profile p) {
  return p == CER_PROFILE_CLIENT ? "client"
         : p == CER_PROFILE_SERVER ? "server"
                                   : "none";
}
