/* Shamir's secret sharing of the 256-bit escrow key, exactly as Debian's
 * `ssss` does it with diffusion off (`ssss-split -x -D -s 256`), so an
 * escrow can be recovered with `ssss-combine -x -D` on any Debian system
 * even without ringca:
 *
 * - field GF(2^256) modulo x^256 + x^10 + x^5 + x^2 + 1 (ssss's table);
 *   a 32-byte big-endian string is the element whose bit j is the
 *   coefficient of x^j;
 * - the secret is the constant term, the k - 1 other coefficients are
 *   random; share i is evaluated at the element i (1..n);
 * - ssss's Horner loop starts from x instead of 0, which adds x^k to every
 *   share; it is public, so it costs no security, and we add it too.
 *
 * Multiplication runs in constant time: no branch or memory access depends
 * on secret bits. */
#include "ceremony.h"

#include <string.h>

#include <openssl/crypto.h>

#include "ringca/error.h"

#define W 4 /* 64-bit words per element, w[0] = bits 0..63 */

static void from_bytes(uint64_t e[W], const uint8_t b[CER_SECRET_LEN]) {
  for (int i = 0; i < W; i++) {
    uint64_t v = 0;
    for (int j = 0; j < 8; j++)
      v = v << 8 | b[(W - 1 - i) * 8 + j];
    e[i] = v;
  }
}

static void to_bytes(uint8_t b[CER_SECRET_LEN], const uint64_t e[W]) {
  for (int i = 0; i < W; i++)
    for (int j = 0; j < 8; j++)
      b[(W - 1 - i) * 8 + j] = (uint8_t)(e[i] >> (56 - 8 * j));
}


static void mul(uint64_t r[W], const uint64_t a[W], const uint64_t b[W]) {
  uint64_t acc[W] = {0, 0, 0, 0};
  for (int bit = 255; bit >= 0; bit--) {
    /* acc *= x, reduced: x^256 = x^10 + x^5 + x^2 + 1 */
    uint64_t carry = acc[3] >> 63;
    acc[3] = acc[3] << 1 | acc[2] >> 63;
    acc[2] = acc[2] << 1 | acc[1] >> 63;
    acc[1] = acc[1] << 1 | acc[0] >> 63;
    acc[0] = acc[0] << 1 ^ (-carry & 0x425);
    uint64_t m = -((b[bit >> 6] >> (bit & 63)) & 1);
    for (int i = 0; i < W; i++)
      acc[i] ^= a[i] & m;
  }
  memcpy(r, acc, sizeof acc);
}

/* Inverse by the binary extended Euclidean algorithm (Hankerson, Menezes,
 * Vanstone, Guide to ECC, alg. 2.48) in 5 words, since the modulus has bit
 * 256.  Variable time: it only ever inverts Lagrange denominators, which
 * depend on the public share numbers, never on secret data. */
#define W5 5
static int deg5(const uint64_t a[W5]) {
  for (int i = W5 - 1; i >= 0; i--)
    if (a[i])
      return i * 64 + 63 - __builtin_clzll(a[i]);
  return -1;
}

static int is_one5(const uint64_t a[W5]) {
  return a[0] == 1 && !a[1] && !a[2] && !a[3] && !a[4];
}

static void shr5(uint64_t a[W5]) {
  for (int i = 0; i < W5 - 1; i++)
    a[i] = a[i] >> 1 | a[i + 1] << 63;
  a[W5 - 1] >>= 1;
}

static void xor5(uint64_t a[W5], const uint64_t b[W5]) {
  for (int i = 0; i < W5; i++)
    a[i] ^= b[i];
}

/* While u is divisible by x: u /= x and g /= x (mod f). */
static void halve(uint64_t u[W5], uint64_t g[W5], const uint64_t f[W5]) {
  while (!(u[0] & 1)) {
    shr5(u);
    if (g[0] & 1)
      xor5(g, f);
    shr5(g);
  }
}

static void inv(uint64_t r[W], const uint64_t a[W]) {
  static const uint64_t f[W5] = {0x425, 0, 0, 0, 1};
  uint64_t u[W5] = {a[0], a[1], a[2], a[3], 0}, v[W5], g1[W5] = {1},
           g2[W5] = {0};
  memcpy(v, f, sizeof v);
  if (deg5(u) < 0) { /* 0 has no inverse; callers never ask */
    memset(r, 0, W * sizeof *r);
    return;
  }
  while (!is_one5(u) && !is_one5(v)) {
    halve(u, g1, f);
    halve(v, g2, f);
    if (is_one5(u) || is_one5(v))
      break;
    if (deg5(u) > deg5(v)) {
      xor5(u, v);
      xor5(g1, g2);
    } else {
      xor5(v, u);
      xor5(g2, g1);
    }
  }
  memcpy(r, is_one5(u) ? g1 : g2, W * sizeof *r);
}

static void small(uint64_t e[W], unsigned v) {
  e[0] = v;
  e[1] = e[2] = e[3] = 0;
}

static void add(uint64_t r[W], const uint64_t a[W]) {
  for (int i = 0; i < W; i++)
    r[i] ^= a[i];
}

static void power(uint64_t r[W], const uint64_t x[W], unsigned k) {
  small(r, 1);
  while (k--)
    mul(r, r, x);
}

void cer_gf2n_mul(uint8_t out[CER_SECRET_LEN], const uint8_t a[CER_SECRET_LEN],
                  const uint8_t b[CER_SECRET_LEN]) {
  uint64_t ea[W], eb[W], er[W];
  from_bytes(ea, a);
  from_bytes(eb, b);
  mul(er, ea, eb);
  to_bytes(out, er);
}

void cer_gf2n_inv(uint8_t out[CER_SECRET_LEN],
                  const uint8_t a[CER_SECRET_LEN]) {
  uint64_t ea[W], er[W];
  from_bytes(ea, a);
  inv(er, ea);
  to_bytes(out, er);
}

/* ys gets n shares of CER_SECRET_LEN bytes: share i (x = i + 1) at
 * ys + i * CER_SECRET_LEN. */
int cer_shamir_split(const uint8_t *secret, unsigned k, unsigned n,
                     uint8_t *ys, const struct rc_rng *rng) {
  uint64_t coef[CER_PARTICIPANTS_MAX][W], x[W], y[W];
  uint8_t raw[CER_SECRET_LEN];
  if (k < 1 || k > n || n > CER_PARTICIPANTS_MAX)
    return RC_EINVAL;
  from_bytes(coef[0], secret);
  for (unsigned j = 1; j < k; j++) {
    rc_rng_fill(rng, raw, sizeof raw);
    from_bytes(coef[j], raw);
  }
  for (unsigned i = 0; i < n; i++) {
    small(x, i + 1);
    memcpy(y, x, sizeof y); /* ssss: y starts at x, adding x^k */
    for (unsigned j = k - 1; j >= 1; j--) {
      add(y, coef[j]);
      mul(y, y, x);
    }
    add(y, coef[0]);
    to_bytes(ys + i * CER_SECRET_LEN, y);
  }
  OPENSSL_cleanse(coef, sizeof coef);
  OPENSSL_cleanse(raw, sizeof raw);
  OPENSSL_cleanse(y, sizeof y);
  return 0;
}

/* m shares (xs[i], ys + i * CER_SECRET_LEN) of a k-threshold split; x
 * distinct and non-zero. Lagrange at 0 over the points with x^k removed. */
int cer_shamir_combine(unsigned m, unsigned k, const uint8_t *xs,
                       const uint8_t *ys, uint8_t *secret) {
  uint64_t s[W] = {0, 0, 0, 0}, xi[W], xj[W], num[W], den[W], t[W], y[W];
  if (m < 1 || m > CER_PARTICIPANTS_MAX)
    return RC_EINVAL;
  for (unsigned i = 0; i < m; i++) {
    if (xs[i] == 0)
      return RC_EINVAL;
    for (unsigned j = i + 1; j < m; j++)
      if (xs[i] == xs[j])
        return RC_EINVAL;
  }
  for (unsigned i = 0; i < m; i++) {
    small(xi, xs[i]);
    small(num, 1);
    small(den, 1);
    for (unsigned j = 0; j < m; j++) {
      if (j == i)
        continue;
      small(xj, xs[j]);
      mul(num, num, xj);
      small(t, (unsigned)(xs[j] ^ xs[i])); /* x_j - x_i in char. 2 */
      mul(den, den, t);
    }
    inv(den, den);
    mul(num, num, den); /* Lagrange basis l_i(0) */
    from_bytes(y, ys + i * CER_SECRET_LEN);
    power(t, xi, k);
    add(y, t);
    mul(y, y, num);
    add(s, y);
  }
  to_bytes(secret, s);
  OPENSSL_cleanse(s, sizeof s);
  OPENSSL_cleanse(y, sizeof y);
  return 0;
}
