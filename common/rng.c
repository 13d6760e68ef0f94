#include "ringca/rng.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

static void system_fill(void *ctx, uint8_t *out, size_t len) {
  (void)ctx;
  while (len > 0) {
    int chunk = len > (1u << 30) ? 1 << 30 : (int)len;
    if (RAND_priv_bytes(out, chunk) != 1)
      abort();
    out += chunk;
    len -= (size_t)chunk;
  }
}

const struct rc_rng rc_rng_system = {system_fill, NULL};

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

void rc_prng_seed(struct rc_prng *p, uint64_t seed) {
  for (int i = 0; i < 4; i++)
    p->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rc_prng_next(struct rc_prng *p) {
  uint64_t *s = p->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

uint64_t rc_prng_below(struct rc_prng *p, uint64_t bound) {
  /* Rejection sampling keeps the distribution exact. */
  uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  uint64_t v;
  do
    v = rc_prng_next(p);
  while (v >= limit);
  return v % bound;
}

static void prng_fill(void *ctx, uint8_t *out, size_t len) {
  struct rc_prng *p = ctx;
  while (len > 0) {
    uint64_t v = rc_prng_next(p);
    size_t n = len < 8 ? len : 8;
    memcpy(out, &v, n);
    out += n;
    len -= n;
  }
}

struct rc_rng rc_prng_as_rng(struct rc_prng *p) {
  struct rc_rng r = {prng_fill, p};
  return r;
}
