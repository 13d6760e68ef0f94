/* Randomness is injected into the core (sans-I/O): production passes
 * rc_rng_system, tests and the simulator a seeded rc_prng so every run is a
 * pure function of its seed. */
#ifndef RINGCA_RNG_H
#define RINGCA_RNG_H
#include <stddef.h>
#include <stdint.h>

struct rc_rng {
  void (*fill)(void *ctx, uint8_t *out, size_t len);
  void *ctx;
};

static inline void rc_rng_fill(const struct rc_rng *rng, void *out,
                               size_t len) {
  rng->fill(rng->ctx, (uint8_t *)out, len);
}

/* OpenSSL's RAND_priv_bytes; aborts if the DRBG fails (no silent weak keys). */
extern const struct rc_rng rc_rng_system;

/* Deterministic generator for tests and the simulator (xoshiro256**, seeded
 * through splitmix64). Never used for production keys. */
struct rc_prng {
  uint64_t s[4];
};
void rc_prng_seed(struct rc_prng *p, uint64_t seed);
uint64_t rc_prng_next(struct rc_prng *p);
/* Uniform in [0, bound), bound > 0. */
uint64_t rc_prng_below(struct rc_prng *p, uint64_t bound);
struct rc_rng rc_prng_as_rng(struct rc_prng *p);

#endif
