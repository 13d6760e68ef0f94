/* In-memory serial lines on a virtual clock (include/ringca/netsim.h). */
#include "ringca/netsim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ringca/error.h"
#include "ringca/rng.h"

/* One direction of a line: a FIFO of bytes, each with its arrival time. */
struct direction {
  uint8_t *data;
  uint64_t *arrive;
  uint8_t *last_of_write; /* 1 on the last byte of each rc_netsim_write */
  size_t head, tail, cap;
  uint64_t tx_free_at;
  uint64_t bits_to_error; /* data bits before the next flipped one */
};

struct line {
  struct rc_netsim_line_config cfg;
  struct direction dir[2]; /* dir[e]: bytes travelling from end e */
  bool cut;
  struct rc_netsim_line_stats stats;
};

struct rc_netsim {
  uint64_t now;
  struct rc_prng prng;
  struct line *lines;
  size_t nlines;
};

struct rc_netsim *rc_netsim_new(uint64_t seed) {
  struct rc_netsim *sim = calloc(1, sizeof *sim);
  if (sim)
    rc_prng_seed(&sim->prng, seed);
  return sim;
}

void rc_netsim_free(struct rc_netsim *sim) {
  if (!sim)
    return;
  for (size_t i = 0; i < sim->nlines; i++)
    for (int e = 0; e < 2; e++) {
      free(sim->lines[i].dir[e].data);
      free(sim->lines[i].dir[e].arrive);
      free(sim->lines[i].dir[e].last_of_write);
    }
  free(sim->lines);
  free(sim);
}

uint64_t rc_netsim_now(const struct rc_netsim *sim) { return sim->now; }

void rc_netsim_advance(struct rc_netsim *sim, uint64_t t_ns) {
  if (t_ns > sim->now)
    sim->now = t_ns;
}

/* Bits until the next error: geometric with parameter ber, so a clean run
 * costs one draw per error instead of one per bit. */
static uint64_t draw_error_gap(struct rc_netsim *sim, double ber) {
  if (ber <= 0.0)
    return UINT64_MAX;
  if (ber >= 1.0)
    return 0;
  double u = ((double)(rc_prng_next(&sim->prng) >> 11) + 1.0) * 0x1.0p-53;
  double gap = floor(log(u) / log1p(-ber));
  return gap >= 1.8e19 ? UINT64_MAX : (uint64_t)gap;
}

int rc_netsim_add_line(struct rc_netsim *sim,
                       const struct rc_netsim_line_config *cfg) {
  if (!cfg->baud)
    return RC_EINVAL;
  struct line *l = realloc(sim->lines, (sim->nlines + 1) * sizeof *l);
  if (!l)
    return RC_ENOMEM;
  sim->lines = l;
  l = &sim->lines[sim->nlines];
  memset(l, 0, sizeof *l);
  l->cfg = *cfg;
  for (int e = 0; e < 2; e++)
    l->dir[e].bits_to_error = draw_error_gap(sim, cfg->bit_error_rate);
  return (int)sim->nlines++;
}

void rc_netsim_set_bit_error_rate(struct rc_netsim *sim, int line,
                                  double ber) {
  struct line *l = &sim->lines[line];
  l->cfg.bit_error_rate = ber;
  for (int e = 0; e < 2; e++)
    l->dir[e].bits_to_error = draw_error_gap(sim, ber);
}

static int reserve(struct direction *d, size_t more) {
  if (d->head > 0 && d->head == d->tail)
    d->head = d->tail = 0;
  if (d->tail + more <= d->cap)
    return 0;
  size_t live = d->tail - d->head;
  if (d->head > 0) { /* compact before growing */
    memmove(d->data, d->data + d->head, live);
    memmove(d->arrive, d->arrive + d->head, live * sizeof *d->arrive);
    memmove(d->last_of_write, d->last_of_write + d->head, live);
    d->head = 0;
    d->tail = live;
    if (live + more <= d->cap)
      return 0;
  }
  size_t cap = d->cap ? d->cap : 256;
  while (cap < live + more)
    cap *= 2;
  uint8_t *data = realloc(d->data, cap);
  if (!data)
    return RC_ENOMEM;
  d->data = data;
  uint64_t *arrive = realloc(d->arrive, cap * sizeof *arrive);
  if (!arrive)
    return RC_ENOMEM;
  d->arrive = arrive;
  uint8_t *low = realloc(d->last_of_write, cap);
  if (!low)
    return RC_ENOMEM;
  d->last_of_write = low;
  d->cap = cap;
  return 0;
}

static uint8_t add_noise(struct rc_netsim *sim, struct line *l,
                         struct direction *d, uint8_t byte) {
  uint64_t bits = 8;
  while (d->bits_to_error < bits) {
    bits -= d->bits_to_error + 1;
    byte ^= (uint8_t)(1u << (7 - bits));
    l->stats.bits_flipped++;
    d->bits_to_error = draw_error_gap(sim, l->cfg.bit_error_rate);
  }
  if (d->bits_to_error != UINT64_MAX)
    d->bits_to_error -= bits;
  return byte;
}

int rc_netsim_write(struct rc_netsim *sim, int line, int end,
                    const uint8_t *buf, size_t len) {
  struct line *l = &sim->lines[line];
  struct direction *d = &l->dir[end];
  l->stats.bytes_written += len;
  if (l->cut) {
    l->stats.bytes_lost += len;
    return 0;
  }
  if (reserve(d, len))
    return RC_ENOMEM;
  uint64_t byte_ns =
      (uint64_t)RC_NETSIM_BITS_PER_BYTE * 1000000000ull / l->cfg.baud;
  uint64_t t = d->tx_free_at > sim->now ? d->tx_free_at : sim->now;
  for (size_t i = 0; i < len; i++) {
    t += byte_ns;
    d->data[d->tail] = add_noise(sim, l, d, buf[i]);
    d->arrive[d->tail] = t + l->cfg.latency_ns;
    d->last_of_write[d->tail] = i + 1 == len;
    d->tail++;
  }
  d->tx_free_at = t;
  return 0;
}

size_t rc_netsim_read(struct rc_netsim *sim, int line, int end, uint8_t *out,
                      size_t cap) {
  struct line *l = &sim->lines[line];
  struct direction *d = &l->dir[1 - end];
  size_t n = 0;
  while (n < cap && d->head < d->tail && d->arrive[d->head] <= sim->now)
    out[n++] = d->data[d->head++];
  l->stats.bytes_read += n;
  return n;
}

uint64_t rc_netsim_tx_idle_at(const struct rc_netsim *sim, int line, int end) {
  uint64_t t = sim->lines[line].dir[end].tx_free_at;
  return t > sim->now ? t : sim->now;
}

uint64_t rc_netsim_next_arrival(const struct rc_netsim *sim) {
  uint64_t t = UINT64_MAX;
  for (size_t i = 0; i < sim->nlines; i++)
    for (int e = 0; e < 2; e++) {
      const struct direction *d = &sim->lines[i].dir[e];
      if (d->head < d->tail && d->arrive[d->head] < t)
        t = d->arrive[d->head];
    }
  return t;
}

uint64_t rc_netsim_next_write_end(const struct rc_netsim *sim) {
  uint64_t t = UINT64_MAX;
  for (size_t i = 0; i < sim->nlines; i++)
    for (int e = 0; e < 2; e++) {
      const struct direction *d = &sim->lines[i].dir[e];
      size_t k = d->head;
      while (k < d->tail && !d->last_of_write[k])
        k++;
      if (k < d->tail && d->arrive[k] < t)
        t = d->arrive[k];
    }
  return t;
}

void rc_netsim_cut(struct rc_netsim *sim, int line, bool cut) {
  struct line *l = &sim->lines[line];
  if (cut && !l->cut) {
    /* What is still on the wire is lost; what arrived stays readable. */
    for (int e = 0; e < 2; e++) {
      struct direction *d = &l->dir[e];
      size_t keep = d->head;
      while (keep < d->tail && d->arrive[keep] <= sim->now)
        keep++;
      l->stats.bytes_lost += d->tail - keep;
      d->tail = keep;
      if (d->tx_free_at > sim->now)
        d->tx_free_at = sim->now;
    }
  }
  l->cut = cut;
}

bool rc_netsim_is_cut(const struct rc_netsim *sim, int line) {
  return sim->lines[line].cut;
}

void rc_netsim_line_stats(const struct rc_netsim *sim, int line,
                          struct rc_netsim_line_stats *out) {
  *out = sim->lines[line].stats;
}
