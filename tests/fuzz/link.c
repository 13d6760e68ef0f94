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
  if (mode & 2) {
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
                  e->down == RC_LINK_DOWN_TIMEOUT,
              "down reason");
        break;
      case RC_LINK_EV_UP: /* only a re-handshake after a down */
        break;
      default:
        check(false, "forged bytes delivered a payload");
      }
    }
  }
  h_pair_free(&FP);
  return 0;
}
