/* Fuzz target: arbitrary bytes into an established secure link, both raw
 * (exercising the framer and line-noise accounting) and wrapped in frames
 * with a valid CRC (exercising LinkFrame/LinkPayload/handshake judgement).
 * Asserts no crash and only documented events: nobody without the session
 * keys can make the link deliver a payload or come up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../link/link_harness.c"
#include "ringca/error.h"
#include "ringca/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct h_pair FP;

static void check(bool ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "link fuzz: %s\n", what);
    abort();
  }
}

#define GEN_MAX 8
static uint8_t gen[GEN_MAX][600];
static size_t gen_len[GEN_MAX], ngen;

/* Genuine frames of the session: A sends payloads "p0".."p3" while its
 * output is held back, plus one retransmission, so the input can replay,
 * reorder and corrupt real sealed frames (with a correct CRC). */
static void capture_genuine(void) {
  FP.a.tap = true;
  char m[8];
  for (int i = 0; i < 4; i++) {
    snprintf(m, sizeof m, "p%d", i);
    rc_link_send(FP.a.link, (const uint8_t *)m, strlen(m), FP.now);
  }
  h_pump(&FP);
  FP.now += 250ull * 1000000ull;
  rc_link_on_deadline(FP.a.link, FP.now);
  h_pump(&FP);
  struct rc_frame_decoder dec;
  check(rc_frame_decoder_init(&dec, 512) == 0, "decoder");
  ngen = 0;
  size_t pos = 0;
  while (pos < FP.a.nheld && ngen < GEN_MAX) {
    struct rc_frame_event ev;
    pos += rc_frame_decoder_feed(&dec, FP.a.held + pos, FP.a.nheld - pos, &ev);
    if (ev.status == RC_FRAME_OK) {
      memcpy(gen[ngen], ev.payload, ev.len);
      gen_len[ngen++] = ev.len;
    }
  }
  rc_frame_decoder_free(&dec);
  FP.a.tap = false;
  FP.a.nheld = 0;
  check(ngen >= 2, "no genuine frames");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2)
    return 0;
  uint8_t mode = data[0], chunk = data[1];
  data += 2;
  size -= 2;
  h_pair_init(&FP, 1, 512);
  rc_link_start(FP.a.link, FP.now);
  rc_link_start(FP.b.link, FP.now);
  h_pump(&FP);
  check(rc_link_is_up(FP.a.link) && rc_link_is_up(FP.b.link), "not up");
  size_t base_a = FP.a.nev, base_b = FP.b.nev;
  struct h_side *target = (mode & 1) ? &FP.a : &FP.b;
  if (mode & 4) {
    /* (frame index, byte offset, xor) triples over genuine frames. */
    capture_genuine();
    target = &FP.b;
    static uint8_t f[600], wire[1400];
    for (size_t i = 0; i + 3 <= size; i += 3) {
      size_t k = data[i] % ngen;
      memcpy(f, gen[k], gen_len[k]);
      f[data[i + 1] % gen_len[k]] ^= data[i + 2];
      long w = rc_frame_encode(f, gen_len[k], wire, sizeof wire);
      check(w > 0, "encode");
      int rc = rc_link_recv(FP.b.link, wire, (size_t)w, FP.now);
      h_drain_events(&FP.b);
      check(rc == 0 || rc == RC_ESTATE, "recv rc");
    }
  } else if (mode & 2) {
    /* Framed: each chunk (1..256 bytes) becomes one frame with a good CRC. */
    size_t step = (size_t)chunk + 1, pos = 0;
    static uint8_t wire[1024];
    while (pos < size) {
      size_t n = size - pos < step ? size - pos : step;
      long w = rc_frame_encode(data + pos, n, wire, sizeof wire);
      check(w > 0, "encode");
      int rc = rc_link_recv(target->link, wire, (size_t)w, FP.now);
      h_drain_events(target);
      check(rc == 0 || rc == RC_ESTATE, "recv rc");
      pos += n;
      FP.now += 1000;
    }
  } else {
    int rc = rc_link_recv(target->link, data, size, FP.now);
    h_drain_events(target);
    check(rc == 0 || rc == RC_ESTATE, "recv rc");
  }
  /* Let timers and the peer react too. */
  h_run_until(&FP, FP.now + 20ull * 1000000000ull);
  const struct h_side *sides[2] = {&FP.a, &FP.b};
  size_t bases[2] = {base_a, base_b};
  for (int s = 0; s < 2; s++) {
    bool stopped = false;
    size_t delivered = 0;
    for (size_t i = bases[s]; i < sides[s]->nev; i++) {
      const struct h_event *e = &sides[s]->ev[i];
      check(!stopped, "event after a violation");
      switch (e->type) {
      case RC_LINK_EV_VIOLATION:
        check(e->violation <= RC_LINK_VIOLATION_VERSION, "violation enum");
        check(e->detail[0] != 0, "violation without detail");
        check(sides[s] == target, "violation on the untouched side");
        stopped = true;
        break;
      case RC_LINK_EV_DOWN:
        check(e->down == RC_LINK_DOWN_NOISY ||
                  e->down == RC_LINK_DOWN_STALE_FLOOD ||
                  e->down == RC_LINK_DOWN_TIMEOUT ||
                  /* the other side re-handshook after going down */
                  e->down == RC_LINK_DOWN_PEER_RESTART,
              "down reason");
        break;
      case RC_LINK_EV_UP: /* only a re-handshake after a down */
        break;
      case RC_LINK_EV_DELIVER: {
        /* Only genuine payloads, in order, each once. */
        char want[8];
        snprintf(want, sizeof want, "p%zu", delivered);
        check((mode & 4) && sides[s] == &FP.b && e->len == strlen(want) &&
                  memcmp(e->data, want, e->len) == 0,
              "a payload nobody sent, or out of order");
        delivered++;
        break;
      }
      default:
        check(false, "undocumented event");
      }
    }
  }
  h_pair_free(&FP);
  return 0;
}
