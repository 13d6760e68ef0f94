/* Two links wired back to back in memory with a fake clock, shared by the
 * link tests, the fuzz target and the benchmark's correctness checks. */
#ifndef RINGCA_TEST_LINK_HARNESS_H
#define RINGCA_TEST_LINK_HARNESS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringca/link.h"

#define H_MAX_EVENTS 4096
#define H_WIRE_MAX (1u << 20)

struct h_event {
  enum rc_link_event_type type;
  enum rc_link_down_reason down;
  enum rc_link_violation violation;
  char detail[160];
  uint8_t *data;
  size_t len;
};

struct h_side {
  struct rc_link *link;
  struct rc_prng prng;
  uint8_t priv[32], pub[32];
  const char *name;
  struct h_event ev[H_MAX_EVENTS];
  size_t nev;
  bool cut; /* bytes this side sends are dropped */
  bool tap; /* bytes this side sends are held in `held` instead */
  uint8_t held[H_WIRE_MAX];
  size_t nheld;
};

struct h_pair {
  struct h_side a, b; /* a has the lower public key: the initiator */
  uint64_t now;
  double ber; /* bit error rate applied to every byte moved */
  struct rc_prng noise;
};

/* Non-zero: overrides for links created next (noise-tolerance tests). */
extern uint32_t h_noise_window, h_noise_max_bad;

struct rc_link_config h_config(const struct h_side *self,
                               const struct h_side *peer);
/* Keys from seed; a is always the initiator. */
void h_pair_init(struct h_pair *p, uint64_t seed, size_t max_frame);
/* (Re)creates one side's link with rng seed `seed`. */
void h_side_new(struct h_pair *p, struct h_side *s, uint64_t seed,
                size_t max_frame);
void h_pair_free(struct h_pair *p);
/* Moves bytes both ways until nothing moves; returns bytes moved. */
size_t h_pump(struct h_pair *p);
/* Pumps, firing deadlines, until `until` (absolute fake time). */
void h_run_until(struct h_pair *p, uint64_t until);
void h_drain_events(struct h_side *s);
size_t h_count(const struct h_side *s, enum rc_link_event_type t);
/* Feeds raw bytes into a side's link, draining its events. */
int h_feed(struct h_pair *p, struct h_side *s, const uint8_t *b, size_t n);

#endif
