/* Shamir's secret sharing over GF(2^8), one polynomial per secret byte.
 * Field: the AES polynomial x^8 + x^4 + x^3 + x + 1.  Multiplication runs
 * in constant time (no branch or table lookup on secret data).  A share is
 * the value of every byte's polynomial at x (1..n); any k shares give the
 * secret at x = 0 by Lagrange interpolation, fewer give nothing. */
#include "ceremony.h"

#include <string.h>

#include <openssl/crypto.h>

#include "ringca/error.h"

uint8_t cer_gf_mul(uint8_t a, uint8_t b) {
  uint8_t r = 0;
  for (int i = 0; i < 8; i++) {
    r ^= (uint8_t)(-(b & 1) & a);
    uint8_t hi = (uint8_t)-(a >> 7);
    a = (uint8_t)((a << 1) ^ (hi & 0x1b));
    b >>= 1;
  }
  return r;
}

/* a^254 = a^-1 in GF(2^8) (and 0 for 0, which callers never ask for). */
uint8_t cer_gf_inv(uint8_t a) {
  uint8_t r = 1, p = a;
  for (int e = 254; e; e >>= 1) {
    if (e & 1)
      r = cer_gf_mul(r, p);
    p = cer_gf_mul(p, p);
  }
  return r;
}

/* ys gets n * len bytes: share i (x = i + 1) at ys + i * len. */
int cer_shamir_split(const uint8_t *secret, size_t len, unsigned k,
                     unsigned n, uint8_t *ys, const struct rc_rng *rng) {
  uint8_t coef[255];
  if (k < 1 || k > n || n > 255)
    return RC_EINVAL;
  for (size_t b = 0; b < len; b++) {
    coef[0] = secret[b];
    rc_rng_fill(rng, coef + 1, k - 1);
    for (unsigned i = 0; i < n; i++) {
      uint8_t x = (uint8_t)(i + 1), y = 0;
      for (unsigned d = k; d-- > 0;) /* Horner */
        y = (uint8_t)(cer_gf_mul(y, x) ^ coef[d]);
      ys[i * len + b] = y;
    }
  }
  OPENSSL_cleanse(coef, sizeof coef);
  return 0;
}

/* m shares (xs[i], ys + i * len); all x distinct and non-zero. */
int cer_shamir_combine(unsigned m, const uint8_t *xs, const uint8_t *ys,
                       size_t len, uint8_t *secret) {
  uint8_t lag[255];
  if (m < 1 || m > 255)
    return RC_EINVAL;
  for (unsigned i = 0; i < m; i++) {
    if (xs[i] == 0)
      return RC_EINVAL;
    for (unsigned j = i + 1; j < m; j++)
      if (xs[i] == xs[j])
        return RC_EINVAL;
  }
  /* Lagrange basis at 0: l_i = prod_{j != i} x_j / (x_j - x_i); in
   * characteristic 2 subtraction is xor. */
  for (unsigned i = 0; i < m; i++) {
    uint8_t num = 1, den = 1;
    for (unsigned j = 0; j < m; j++) {
      if (j == i)
        continue;
      num = cer_gf_mul(num, xs[j]);
      den = cer_gf_mul(den, (uint8_t)(xs[j] ^ xs[i]));
    }
    lag[i] = cer_gf_mul(num, cer_gf_inv(den));
  }
  for (size_t b = 0; b < len; b++) {
    uint8_t s = 0;
    for (unsigned i = 0; i < m; i++)
      s ^= cer_gf_mul(lag[i], ys[i * len + b]);
    secret[b] = s;
  }
  return 0;
}
