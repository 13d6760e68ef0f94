/* Link benchmark (issue 4 goals).
 *
 * 1. Goodput: bulk payloads through two rc_links over a simulated
 *    115200-baud 8N1 line (11,520 bytes/s each way, full duplex). Every byte
 *    takes 1/11520 s of virtual time; links see the virtual clock, so the
 *    result is deterministic and independent of this machine's speed.
 *    Goal: delivered payload bytes >= 0.95 of line rate, default frame size.
 * 2. CPU: time per frame sealed by one link and opened by the other (the
 *    whole path: LinkPayload, AEAD, LinkFrame, COBS+CRC, and the ACK back)
 *    against raw EVP ChaCha20-Poly1305 sealing and opening the same bytes,
 *    measured in the same run. Goal: <= 3x.
 *
 * Exit status: 0 when every goal passes, 1 otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "ringca/error.h"
#include "ringca/limits.h"
#include "ringca/link.h"
#include "ringca/noise.h"

#define BAUD_BYTES 11520ull
#define SEC 1000000000ull

struct side {
  struct rc_link *link;
  struct rc_prng prng;
  uint8_t priv[32], pub[32];
  uint64_t delivered_bytes, delivered;
};

static void make_pair(struct side *a, struct side *b, size_t max_frame) {
  struct rc_prng k;
  rc_prng_seed(&k, 42);
  for (int i = 0; i < 32; i++) {
    a->priv[i] = (uint8_t)rc_prng_next(&k);
    b->priv[i] = (uint8_t)rc_prng_next(&k);
  }
  rc_noise_pubkey(a->priv, a->pub);
  rc_noise_pubkey(b->priv, b->pub);
  struct side *s[2] = {a, b};
  for (int i = 0; i < 2; i++) {
    struct rc_link_config c = {0};
    c.local_name = i ? "bravo" : "alpha";
    c.peer_name = i ? "alpha" : "bravo";
    memcpy(c.local_static_priv, s[i]->priv, 32);
    memcpy(c.peer_static_pub, s[1 - i]->pub, 32);
    c.max_frame = max_frame;
    c.heartbeat_ns = 1 * SEC;
    c.dead_link_ns = 10 * SEC;
    c.retransmit_ns = 1 * SEC;
    c.handshake_retry_ns = 2 * SEC;
    c.rehandshake_min_ns = 5 * SEC;
    c.send_queue_max = 32;
    c.noise_window = 64;
    c.noise_max_bad = 16;
    rc_prng_seed(&s[i]->prng, 100 + (uint64_t)i);
    c.rng = rc_prng_as_rng(&s[i]->prng);
    s[i]->link = rc_link_new(&c);
    if (!s[i]->link) {
      fprintf(stderr, "link_bench: rc_link_new failed\n");
      exit(2);
    }
    s[i]->delivered = s[i]->delivered_bytes = 0;
  }
}

static void drain(struct side *s) {
  struct rc_link_event ev;
  while (rc_link_next_event(s->link, &ev)) {
    if (ev.type == RC_LINK_EV_DELIVER) {
      s->delivered++;
      s->delivered_bytes += ev.len;
    } else if (ev.type == RC_LINK_EV_VIOLATION || ev.type == RC_LINK_EV_DOWN) {
      fprintf(stderr, "link_bench: unexpected %s event (%s)\n",
              ev.type == RC_LINK_EV_DOWN ? "down" : "violation", ev.detail);
      exit(2);
    }
  }
}

/* Byte-time simulation: at each tick each direction's UART shifts out one
 * byte, which arrives at the other end when the tick ends. */
static double goodput(size_t max_frame, bool both_ways, uint64_t total) {
  struct side a, b;
  make_pair(&a, &b, max_frame);
  uint64_t now = 0, tick = 0;
  rc_link_start(a.link, now);
  rc_link_start(b.link, now);
  size_t maxp = rc_link_max_payload(a.link);
  uint8_t *payload = malloc(maxp);
  memset(payload, 0xa5, maxp);
  uint64_t start = 0;
  bool measuring = false;
  uint64_t target = total / maxp;
  struct side *sd[2] = {&a, &b};
  for (;;) {
    now = tick * SEC / BAUD_BYTES;
    for (int i = 0; i < 2; i++) {
      if (rc_link_next_deadline(sd[i]->link) <= now)
        rc_link_on_deadline(sd[i]->link, now);
      drain(sd[i]);
    }
    if (!measuring && rc_link_is_up(a.link) && rc_link_is_up(b.link)) {
      measuring = true;
      start = now;
    }
    if (measuring)
      for (int i = 0; i < (both_ways ? 2 : 1); i++)
        while (rc_link_send(sd[i]->link, payload, maxp, now) == 0) {
        }
    uint8_t byte[2];
    size_t n[2];
    for (int i = 0; i < 2; i++)
      n[i] = rc_link_pending_tx(sd[i]->link, &byte[i], 1, now);
    tick++;
    now = tick * SEC / BAUD_BYTES;
    for (int i = 0; i < 2; i++)
      if (n[i]) {
        rc_link_recv(sd[1 - i]->link, &byte[i], 1, now);
        drain(sd[1 - i]);
      }
    if (measuring && b.delivered >= target &&
        (!both_ways || a.delivered >= target))
      break;
  }
  double secs = (double)(now - start) / 1e9;
  double bytes =
      (double)b.delivered_bytes + (both_ways ? (double)a.delivered_bytes : 0);
  double ratio = bytes / (secs * (double)BAUD_BYTES * (both_ways ? 2 : 1));
  free(payload);
  rc_link_free(a.link);
  rc_link_free(b.link);
  return ratio;
}

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Link path: one payload of the largest size sealed by A, carried to B,
 * opened and delivered, and its ACK carried back. */
static double link_cpu_per_frame(size_t max_frame, int frames, size_t *plen) {
  struct side a, b;
  make_pair(&a, &b, max_frame);
  static uint8_t buf[1 << 17];
  rc_link_start(a.link, 0);
  rc_link_start(b.link, 0);
  for (int r = 0; r < 4; r++) {
    size_t n = rc_link_pending_tx(a.link, buf, sizeof buf, 0);
    rc_link_recv(b.link, buf, n, 0);
    n = rc_link_pending_tx(b.link, buf, sizeof buf, 0);
    rc_link_recv(a.link, buf, n, 0);
    drain(&a);
    drain(&b);
  }
  size_t maxp = rc_link_max_payload(a.link);
  *plen = maxp;
  uint8_t *payload = malloc(maxp);
  memset(payload, 0x3c, maxp);
  double t0 = cpu_now();
  for (int i = 0; i < frames; i++) {
    if (rc_link_send(a.link, payload, maxp, 0) != 0) {
      fprintf(stderr, "link_bench: send refused\n");
      exit(2);
    }
    size_t n = rc_link_pending_tx(a.link, buf, sizeof buf, 0);
    rc_link_recv(b.link, buf, n, 0);
    drain(&b);
    n = rc_link_pending_tx(b.link, buf, sizeof buf, 0);
    rc_link_recv(a.link, buf, n, 0);
    drain(&a);
  }
  double t = (cpu_now() - t0) / frames;
  if (b.delivered != (uint64_t)frames) {
    fprintf(stderr, "link_bench: %llu of %d delivered\n",
            (unsigned long long)b.delivered, frames);
    exit(2);
  }
  free(payload);
  rc_link_free(a.link);
  rc_link_free(b.link);
  return t;
}

/* Reference: raw EVP ChaCha20-Poly1305 seal then open of the same bytes. */
static double evp_cpu_per_frame(size_t len, int frames) {
  uint8_t key[32] = {1}, iv[12] = {0}, tag[16];
  uint8_t *pt = malloc(len), *ct = malloc(len), *back = malloc(len);
  memset(pt, 0x3c, len);
  EVP_CIPHER_CTX *e = EVP_CIPHER_CTX_new(), *d = EVP_CIPHER_CTX_new();
  EVP_EncryptInit_ex(e, EVP_chacha20_poly1305(), NULL, key, NULL);
  EVP_DecryptInit_ex(d, EVP_chacha20_poly1305(), NULL, key, NULL);
  int n;
  double t0 = cpu_now();
  for (int i = 0; i < frames; i++) {
    memcpy(iv + 4, &i, sizeof i);
    EVP_EncryptInit_ex(e, NULL, NULL, NULL, iv);
    EVP_EncryptUpdate(e, ct, &n, pt, (int)len);
    EVP_EncryptFinal_ex(e, ct + n, &n);
    EVP_CIPHER_CTX_ctrl(e, EVP_CTRL_AEAD_GET_TAG, 16, tag);
    EVP_DecryptInit_ex(d, NULL, NULL, NULL, iv);
    EVP_DecryptUpdate(d, back, &n, ct, (int)len);
    EVP_CIPHER_CTX_ctrl(d, EVP_CTRL_AEAD_SET_TAG, 16, tag);
    if (EVP_DecryptFinal_ex(d, back + n, &n) != 1) {
      fprintf(stderr, "link_bench: reference open failed\n");
      exit(2);
    }
  }
  double t = (cpu_now() - t0) / frames;
  EVP_CIPHER_CTX_free(e);
  EVP_CIPHER_CTX_free(d);
  free(pt);
  free(ct);
  free(back);
  return t;
}

int main(int argc, char **argv) {
  bool cpu_only = argc > 1 && strcmp(argv[1], "--cpu-only") == 0;
  if (argc > 1 && !cpu_only) {
    printf(
        "usage: %s [--cpu-only]\n"
        "Runs the secure-link benchmark (goodput on a simulated 115200-baud\n"
        "line; CPU per frame against raw EVP ChaCha20-Poly1305) and prints\n"
        "PASS/FAIL per goal.\nExample: %s\n"
        "Exit status: 0 all goals pass, 1 a goal failed, 2 setup error.\n",
        argv[0], argv[0]);
    return strcmp(argv[1], "--help") == 0 ? 0 : 2;
  }
  size_t mf = RC_FRAME_PAYLOAD_DEFAULT;
#ifndef NDEBUG
  printf("note: assertions on (not a release build): CPU figures are "
         "pessimistic; make bench uses RelWithDebInfo\n");
#endif
  int ok = 1;
  if (cpu_only)
    goto cpu;
  double g = goodput(mf, false, 2u << 20);
  printf("link goodput, one way, frame %zu, 115200 8N1: %.4f of line rate "
         "(%.0f of %llu B/s)  goal >= 0.95  %s\n",
         mf, g, g * BAUD_BYTES, (unsigned long long)BAUD_BYTES,
         g >= 0.95 ? "PASS" : "FAIL");
  ok &= g >= 0.95;
  double g2 = goodput(mf, true, 1u << 20);
  printf("link goodput, both ways at once, starting in lockstep "
         "(informational): %.4f of line rate per direction\n",
         g2);
  double gs = goodput(RC_FRAME_PAYLOAD_MIN, false, 256u << 10);
  printf("link goodput, one way, frame %u (informational): %.4f\n",
         RC_FRAME_PAYLOAD_MIN, gs);
cpu:;
  int frames = 10000;
  size_t plen = 0;
  /* Best of five alternating rounds each: the least disturbed figure. */
  double tl = 1e9, tr = 1e9;
  for (int round = 0; round < 5; round++) {
    double l = link_cpu_per_frame(mf, frames, &plen);
    double r = evp_cpu_per_frame(plen, frames);
    tl = l < tl ? l : tl;
    tr = r < tr ? r : tr;
  }
  double ratio = tl / tr;
  printf("link CPU per sealed+opened frame (%zu-byte payload, ACK included): "
         "%.2f us; raw EVP ChaCha20-Poly1305 seal+open: %.2f us; ratio %.2fx  "
         "goal <= 3x  %s\n",
         plen, tl * 1e6, tr * 1e6, ratio, ratio <= 3.0 ? "PASS" : "FAIL");
  ok &= ratio <= 3.0;
  return ok ? 0 : 1;
}
