#include "link_harness.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "ringca/noise.h"

#define MS 1000000ull

uint32_t h_noise_window, h_noise_max_bad;

struct rc_link_config h_config(const struct h_side *self,
                               const struct h_side *peer) {
  struct rc_link_config c = {0};
  c.local_name = self->name;
  c.peer_name = peer->name;
  memcpy(c.local_static_priv, self->priv, 32);
  memcpy(c.peer_static_pub, peer->pub, 32);
  c.max_frame = 4096;
  c.heartbeat_ns = 1000 * MS;
  c.dead_link_ns = 5000 * MS;
  c.retransmit_ns = 200 * MS;
  c.handshake_retry_ns = 1000 * MS;
  c.rehandshake_min_ns = 2000 * MS;
  c.send_queue_max = 16;
  c.noise_window = 32;
  c.noise_max_bad = 8;
  return c;
}

void h_side_new(struct h_pair *p, struct h_side *s, uint64_t seed,
                size_t max_frame) {
  rc_link_free(s->link);
  for (size_t i = 0; i < s->nev; i++)
    free(s->ev[i].data);
  s->nev = 0;
  s->nheld = 0;
  rc_prng_seed(&s->prng, seed);
  struct rc_link_config c = h_config(s, s == &p->a ? &p->b : &p->a);
  c.max_frame = max_frame;
  c.rng = rc_prng_as_rng(&s->prng);
  if (h_noise_window)
    c.noise_window = h_noise_window;
  if (h_noise_max_bad)
    c.noise_max_bad = h_noise_max_bad;
  s->link = rc_link_new(&c);
  assert(s->link);
}

void h_pair_init(struct h_pair *p, uint64_t seed, size_t max_frame) {
  memset(p, 0, sizeof *p);
  struct rc_prng k;
  rc_prng_seed(&k, seed);
  for (;;) {
    for (int i = 0; i < 32; i++) {
      p->a.priv[i] = (uint8_t)rc_prng_next(&k);
      p->b.priv[i] = (uint8_t)rc_prng_next(&k);
    }
    rc_noise_pubkey(p->a.priv, p->a.pub);
    rc_noise_pubkey(p->b.priv, p->b.pub);
    if (memcmp(p->a.pub, p->b.pub, 32) < 0)
      break;
  }
  p->a.name = "alpha";
  p->b.name = "bravo";
  rc_prng_seed(&p->noise, seed ^ 0x5eedu);
  h_side_new(p, &p->a, seed * 3 + 1, max_frame);
  h_side_new(p, &p->b, seed * 3 + 2, max_frame);
}

void h_pair_free(struct h_pair *p) {
  struct h_side *sides[2] = {&p->a, &p->b};
  for (int i = 0; i < 2; i++) {
    rc_link_free(sides[i]->link);
    sides[i]->link = NULL;
    for (size_t j = 0; j < sides[i]->nev; j++)
      free(sides[i]->ev[j].data);
    sides[i]->nev = 0;
  }
}

void h_drain_events(struct h_side *s) {
  struct rc_link_event ev;
  while (rc_link_next_event(s->link, &ev)) {
    assert(s->nev < H_MAX_EVENTS);
    struct h_event *h = &s->ev[s->nev++];
    memset(h, 0, sizeof *h);
    h->type = ev.type;
    h->down = ev.down_reason;
    h->violation = ev.violation;
    memcpy(h->detail, ev.detail, sizeof h->detail);
    if (ev.type == RC_LINK_EV_DELIVER) {
      h->data = malloc(ev.len ? ev.len : 1);
      memcpy(h->data, ev.data, ev.len);
      h->len = ev.len;
    }
  }
}

size_t h_count(const struct h_side *s, enum rc_link_event_type t) {
  size_t n = 0;
  for (size_t i = 0; i < s->nev; i++)
    n += s->ev[i].type == t;
  return n;
}

int h_feed(struct h_pair *p, struct h_side *s, const uint8_t *b, size_t n) {
  int rc = rc_link_recv(s->link, b, n, p->now);
  h_drain_events(s);
  return rc;
}

static size_t move(struct h_pair *p, struct h_side *from, struct h_side *to) {
  static uint8_t buf[8192];
  size_t total = 0, n;
  while ((n = rc_link_pending_tx(from->link, buf, sizeof buf, p->now)) > 0) {
    total += n;
    h_drain_events(from);
    if (from->cut)
      continue;
    if (from->tap) {
      assert(from->nheld + n <= H_WIRE_MAX);
      memcpy(from->held + from->nheld, buf, n);
      from->nheld += n;
      continue;
    }
    if (p->ber > 0) {
      for (size_t i = 0; i < n * 8; i++)
        if ((double)rc_prng_next(&p->noise) / 18446744073709551616.0 < p->ber)
          buf[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    h_feed(p, to, buf, n);
  }
  return total;
}

size_t h_pump(struct h_pair *p) {
  size_t total = 0, n;
  do {
    n = move(p, &p->a, &p->b) + move(p, &p->b, &p->a);
    total += n;
  } while (n > 0);
  return total;
}

void h_run_until(struct h_pair *p, uint64_t until) {
  for (;;) {
    h_pump(p);
    uint64_t da = rc_link_next_deadline(p->a.link);
    uint64_t db = rc_link_next_deadline(p->b.link);
    uint64_t d = da < db ? da : db;
    if (d > until) {
      p->now = until;
      h_pump(p);
      return;
    }
    if (d > p->now)
      p->now = d;
    if (da <= p->now) {
      rc_link_on_deadline(p->a.link, p->now);
      h_drain_events(&p->a);
    }
    if (db <= p->now) {
      rc_link_on_deadline(p->b.link, p->now);
      h_drain_events(&p->b);
    }
  }
}
