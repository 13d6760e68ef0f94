/* In-memory serial lines on a virtual clock, for tests and ringca-sim.
 *
 * A line joins two ends (0 and 1); each direction is a UART: bytes leave at
 * the baud rate (10 bit times per byte, 8N1), arrive after the propagation
 * latency, and each data bit may be flipped with the line's bit-error rate.
 * A cut line loses what is in flight and everything written while cut.
 * Everything is a pure function of the seed: the clock only moves when the
 * caller advances it, noise comes from an rc_prng (TigerBeetle's VOPR
 * habit: one seed reproduces a run). */
#ifndef RINGCA_NETSIM_H
#define RINGCA_NETSIM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RC_NETSIM_BITS_PER_BYTE 10u /* start + 8 data + stop */

struct rc_netsim_line_config {
  uint32_t baud;
  uint64_t latency_ns;
  double bit_error_rate; /* per data bit, 0 = clean */
};

struct rc_netsim_line_stats {
  uint64_t bytes_written;  /* handed to write, both directions */
  uint64_t bytes_read;     /* delivered to read */
  uint64_t bytes_lost;     /* in flight at a cut, or written while cut */
  uint64_t bits_flipped;
};

struct rc_netsim;

struct rc_netsim *rc_netsim_new(uint64_t seed);
void rc_netsim_free(struct rc_netsim *sim);

uint64_t rc_netsim_now(const struct rc_netsim *sim);
/* Moves the clock forward (never back: t below now is ignored). */
void rc_netsim_advance(struct rc_netsim *sim, uint64_t t_ns);

/* Returns the new line's id (>= 0) or a negative RC_E*. */
int rc_netsim_add_line(struct rc_netsim *sim,
                       const struct rc_netsim_line_config *cfg);
/* Changes a line's noise (e.g. a scenario step adds interference). */
void rc_netsim_set_bit_error_rate(struct rc_netsim *sim, int line, double ber);

/* Queues bytes sent from `end` (0 or 1) at the current time. Returns 0 or
 * RC_ENOMEM. */
int rc_netsim_write(struct rc_netsim *sim, int line, int end,
                    const uint8_t *buf, size_t len);
/* Copies bytes that have arrived at `end` by now; returns the count. */
size_t rc_netsim_read(struct rc_netsim *sim, int line, int end, uint8_t *out,
                      size_t cap);
/* When the transmitter at `end` will have sent everything queued. */
uint64_t rc_netsim_tx_idle_at(const struct rc_netsim *sim, int line, int end);

/* Earliest arrival of a byte not yet read, on any line; UINT64_MAX when
 * nothing is in flight. */
uint64_t rc_netsim_next_arrival(const struct rc_netsim *sim);

/* When the first pending write on any line has fully arrived; UINT64_MAX
 * when nothing is in flight. A frame-level receiver can act on nothing
 * earlier, so a driver that jumps from write end to write end sees the same
 * protocol behaviour as one stepping byte by byte, far faster. */
uint64_t rc_netsim_next_write_end(const struct rc_netsim *sim);

/* Cuts (true) or mends (false) a line. */
void rc_netsim_cut(struct rc_netsim *sim, int line, bool cut);
bool rc_netsim_is_cut(const struct rc_netsim *sim, int line);

void rc_netsim_line_stats(const struct rc_netsim *sim, int line,
                          struct rc_netsim_line_stats *out);

#endif
