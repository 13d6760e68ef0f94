/* Escrow shares as text a person can print, carry, and type back in:
 *
 *   ringca-ceremony escrow share v1
 *   ceremony: cacert-root-2026
 *   holder: alice
 *   share: 1 of 5, threshold 3
 *   data: 3f2a 9b11 0c4d e8f0 1234 5678 9abc def0
 *   data: 0011 2233 4455 6677 8899 aabb ccdd eeff
 *   check: 1a2b 3c4d
 *
 * check = first 4 bytes of SHA-256("ringca-ceremony share v1\0" ||
 * u32be(|id|) || id || u32be(|holder|) || holder || x || n || k || data), so
 * a typo or a flipped bit in any field is caught before shares are combined
 * (a wrong combination would otherwise only fail at the AES-GCM tag, without
 * saying whose share was wrong).  Share text from a file is hostile: every
 * line is bounded and checked. */
#include "ceremony.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ringca/error.h"
#include "ringca/fileio.h"

#define SHARE_MAGIC "ringca-ceremony escrow share v1"
#define SHARE_LINE_MAX 128

static void share_check(const struct cer_share *s, uint8_t out[4]) {
  static const char domain[] = "ringca-ceremony share v1";
  uint8_t md[32], b[4], xnk[3] = {(uint8_t)s->x, (uint8_t)s->n,
                                   (uint8_t)s->k};
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
    abort();
  EVP_DigestUpdate(ctx, domain, sizeof domain);
  const char *strs[2] = {s->id, s->holder};
  for (int i = 0; i < 2; i++) {
    size_t n = strlen(strs[i]);
    b[0] = 0, b[1] = 0, b[2] = (uint8_t)(n >> 8), b[3] = (uint8_t)n;
    EVP_DigestUpdate(ctx, b, 4);
    EVP_DigestUpdate(ctx, strs[i], n);
  }
  EVP_DigestUpdate(ctx, xnk, 3);
  EVP_DigestUpdate(ctx, s->y, CER_SECRET_LEN);
  if (EVP_DigestFinal_ex(ctx, md, NULL) != 1)
    abort();
  EVP_MD_CTX_free(ctx);
  memcpy(out, md, 4);
}

static size_t groups(const uint8_t *p, size_t len, char *out) {
  char *o = out;
  for (size_t i = 0; i < len; i += 2) {
    o += sprintf(o, "%s%02x%02x", i ? " " : "", p[i], p[i + 1]);
  }
  return (size_t)(o - out);
}

int cer_share_format(const struct cer_share *s, char *out, size_t cap) {
  char d1[64], d2[64], ck[16];
  uint8_t c[4];
  share_check(s, c);
  groups(s->y, 16, d1);
  groups(s->y + 16, 16, d2);
  groups(c, 4, ck);
  int n = snprintf(out, cap,
                   SHARE_MAGIC "\n"
                   "ceremony: %s\n"
                   "holder: %s\n"
                   "share: %u of %u, threshold %u\n"
                   "data: %s\n"
                   "data: %s\n"
                   "check: %s\n",
                   s->id, s->holder, s->x, s->n, s->k, d1, d2, ck);
  return n < 0 || (size_t)n >= cap ? RC_ENOBUFS : n;
}

/* Hex digits, spaces ignored (people group them), exactly `len` bytes. */
static int parse_hex_groups(const char *s, uint8_t *out, size_t len) {
  char digits[2 * CER_SECRET_LEN + 1];
  size_t n = 0;
  for (; *s; s++) {
    if (*s == ' ' || *s == '\t')
      continue;
    if (n == 2 * len)
      return -1;
    digits[n++] = *s;
  }
  digits[n] = 0;
  return cer_unhex(digits, out, len) ? -1 : 0;
}

/* A decimal 1..255 at *s, advancing past it. */
static int parse_small(const char **s, unsigned *out) {
  unsigned v = 0;
  const char *p = *s;
  if (*p < '0' || *p > '9')
    return -1;
  for (; *p >= '0' && *p <= '9'; p++) {
    v = v * 10 + (unsigned)(*p - '0');
    if (v > 255)
      return -1;
  }
  *s = p;
  *out = v;
  return v ? 0 : -1;
}

static int parse_counts(const char *v, struct cer_share *s) {
  if (parse_small(&v, &s->x) || strncmp(v, " of ", 4))
    return -1;
  v += 4;
  if (parse_small(&v, &s->n) || strncmp(v, ", threshold ", 12))
    return -1;
  v += 12;
  if (parse_small(&v, &s->k) || *v)
    return -1;
  return s->x <= s->n && s->k >= 2 && s->k <= s->n ? 0 : -1;
}

static const char *const labels[] = {NULL,    "ceremony: ", "holder: ",
                                     "share: ", "data: ",   "data: ",
                                     "check: "};

static int parse_field(int idx, const char *v, struct cer_share *s,
                       uint8_t ck[4]) {
  switch (idx) {
  case 0:
    return strcmp(v, SHARE_MAGIC) ? -1 : 0;
  case 1:
    if (!cer_valid_token(v, CER_ID_MAX))
      return -1;
    memcpy(s->id, v, strlen(v) + 1);
    return 0;
  case 2:
    if (!cer_valid_token(v, CER_NAME_MAX))
      return -1;
    memcpy(s->holder, v, strlen(v) + 1);
    return 0;
  case 3:
    return parse_counts(v, s);
  case 4:
  case 5:
    return parse_hex_groups(v, s->y + 16 * (idx - 4), 16);
  default:
    return parse_hex_groups(v, ck, 4);
  }
}

static const char *const what[] = {
    "expected the first line '" SHARE_MAGIC "'",
    "expected 'ceremony: <id>'",
    "expected 'holder: <name>'",
    "expected 'share: X of N, threshold K' (1 <= X <= N, 2 <= K <= N)",
    "expected 'data: ' and 32 hex digits (first half of the share)",
    "expected 'data: ' and 32 hex digits (second half of the share)",
    "expected 'check: ' and 8 hex digits"};

int cer_share_parse(const char *fname, const uint8_t *buf, size_t len,
                    struct cer_share *out, char *err) {
  const char *p = (const char *)buf, *end = p + len;
  char line[SHARE_LINE_MAX + 1];
  unsigned lineno = 0;
  int idx = 0;
  uint8_t ck[4], want[4];
  memset(out, 0, sizeof *out);
  if (len > CER_SHARE_FILE_MAX) {
    cer_errf(err, "%s: larger than %u bytes; not a share", fname,
             CER_SHARE_FILE_MAX);
    return RC_ETOOBIG;
  }
  while (p < end && idx < 7) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = (size_t)((nl ? nl : end) - p);
    lineno++;
    if (n > SHARE_LINE_MAX || memchr(p, 0, n)) {
      cer_errf(err, "%s:%u: line too long or not text", fname, lineno);
      return RC_EMALFORMED;
    }
    memcpy(line, p, n);
    line[n] = 0;
    p = nl ? nl + 1 : end;
    while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' ||
                 line[n - 1] == '\t'))
      line[--n] = 0;
    if (n == 0 || line[0] == '#')
      continue; /* blank lines and notes written on the printout */
    const char *v = line;
    if (labels[idx]) {
      size_t l = strlen(labels[idx]);
      if (strncmp(line, labels[idx], l)) {
        cer_errf(err, "%s:%u: %s", fname, lineno, what[idx]);
        return RC_EMALFORMED;
      }
      v += l;
    }
    if (parse_field(idx, v, out, ck)) {
      cer_errf(err, "%s:%u: %s", fname, lineno, what[idx]);
      OPENSSL_cleanse(out->y, sizeof out->y);
      return RC_EMALFORMED;
    }
    idx++;
  }
  OPENSSL_cleanse(line, sizeof line);
  if (idx < 7) {
    cer_errf(err, "%s: share is cut off: %s", fname, what[idx]);
    OPENSSL_cleanse(out->y, sizeof out->y);
    return RC_EMALFORMED;
  }
  share_check(out, want);
  if (CRYPTO_memcmp(ck, want, 4) != 0) {
    cer_errf(err, "%s: checksum mismatch: share %u of '%s' was mistyped or "
                  "corrupted; compare it with the paper copy",
             fname, out->x, out->holder);
    OPENSSL_cleanse(out->y, sizeof out->y);
    return RC_EAUTH;
  }
  return 0;
}

int cer_share_load(const char *path, struct cer_share *out, char *err) {
  uint8_t *buf;
  size_t len;
  int e = rc_file_read(path, CER_SHARE_FILE_MAX, &buf, &len);
  if (e) {
    cer_errf(err, "%s: %s", path,
             e == -EFBIG ? "larger than a share can be" : strerror(-e));
    return e == -EFBIG ? RC_ETOOBIG : RC_EIO;
  }
  int rc = cer_share_parse(path, buf, len, out, err);
  OPENSSL_cleanse(buf, len);
  free(buf);
  return rc;
}

/* Each holder checks the share they copied onto paper or typed back in,
 * before anyone leaves the room (or before a recovery). */
int cer_cmd_share_check(int nfiles, char **files, char *err) {
  for (int i = 0; i < nfiles; i++) {
    struct cer_share s;
    int rc = cer_share_load(files[i], &s, err);
    OPENSSL_cleanse(s.y, sizeof s.y);
    if (rc)
      return rc;
    printf("%s: ok: ceremony %s, holder %s, share %u of %u, threshold %u\n",
           files[i], s.id, s.holder, s.x, s.n, s.k);
  }
  return 0;
}
