/* Frame-level attacks: what goes on the line after each tamper mode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ringca/error.h"
#include "ringca/frame.h"
#include "ringca/pb.h"
#include "ringca/wire.h"
#include "tamper.h"

static void put_frame(struct rc_bytes *line, Ringca__LinkFrameType type,
                      uint32_t session, uint64_t counter) {
  uint8_t body[20];
  memset(body, (int)counter, sizeof body);
  Ringca__LinkFrame lf = RINGCA__LINK_FRAME__INIT;
  lf.version = 1;
  lf.type = type;
  lf.session_id = session;
  lf.counter = counter;
  lf.body.data = body;
  lf.body.len = sizeof body;
  uint8_t pb[64], wire[128];
  size_t n = ringca__link_frame__pack(&lf, pb);
  long w = rc_frame_encode(pb, n, wire, sizeof wire);
  assert_true(w > 0);
  assert_int_equal(rc_bytes_append(line, wire, (size_t)w), 0);
}

/* Decodes a line into (session, counter) pairs; -1 counter for bad frames. */
static size_t read_line(const struct rc_bytes *line, uint32_t *sess,
                        int64_t *ctr, size_t cap) {
  struct rc_frame_decoder d;
  assert_int_equal(rc_frame_decoder_init(&d, 1024), 0);
  size_t n = 0, pos = 0;
  while (pos < line->len) {
    struct rc_frame_event ev;
    pos += rc_frame_decoder_feed(&d, line->p + pos, line->len - pos, &ev);
    if (ev.status == RC_FRAME_NONE)
      continue;
    assert_true(n < cap);
    Ringca__LinkFrame *lf;
    if (ev.status == RC_FRAME_OK &&
        rc_wire_decode_link_frame(ev.payload, ev.len, &lf, NULL) == 0) {
      sess[n] = lf->session_id;
      ctr[n++] = (int64_t)lf->counter;
      rc_pb_free(&lf->base);
    } else {
      sess[n] = 0;
      ctr[n++] = -1;
    }
  }
  rc_frame_decoder_free(&d);
  return n;
}

static uint64_t fixed_state;
static void fixed_fill(void *ctx, uint8_t *out, size_t len) {
  (void)ctx;
  for (size_t i = 0; i < len; i++)
    out[i] = (uint8_t)(fixed_state++ * 7 + 1);
}
static const struct rc_rng fixed_rng = {fixed_fill, NULL};

#define T RINGCA__LINK_FRAME_TYPE__LINK_FRAME_TRANSPORT
#define H RINGCA__LINK_FRAME_TYPE__LINK_FRAME_HANDSHAKE_INIT

static void test_pass_forge_replay(void **state) {
  (void)state;
  struct rc_tamper t;
  assert_int_equal(rc_tamper_init(&t, 1024), 0);
  struct rc_bytes in = {0}, out = {0};
  assert_int_equal(rc_tamper_forge(&t, &fixed_rng, &out), RC_ESTATE);
  assert_int_equal(rc_tamper_replay(&t, &out), RC_ESTATE);
  put_frame(&in, T, 7, 1);
  put_frame(&in, T, 7, 2);
  put_frame(&in, T, 7, 3);
  /* split anywhere: the tamper reassembles frames */
  assert_int_equal(rc_tamper_pass(&t, in.p, 5, &out), 0);
  assert_int_equal(rc_tamper_pass(&t, in.p + 5, in.len - 5, &out), 0);
  assert_int_equal(rc_tamper_replay(&t, &out), 0);
  assert_int_equal(rc_tamper_forge(&t, &fixed_rng, &out), 0);
  uint32_t s[16];
  int64_t c[16];
  size_t n = read_line(&out, s, c, 16);
  assert_int_equal(n, 5);
  assert_int_equal(c[0], 1);
  assert_int_equal(c[2], 3);
  assert_int_equal(c[3], 2);  /* replay: the frame before the newest */
  assert_int_equal(s[4], 7);  /* forge: same session, next counter */
  assert_int_equal(c[4], 4);
  /* a handshake forgets the old session: a replay would only be stale */
  rc_bytes_free(&in);
  put_frame(&in, H, 9, 0);
  assert_int_equal(rc_tamper_pass(&t, in.p, in.len, &out), 0);
  assert_int_equal(rc_tamper_replay(&t, &out), RC_ESTATE);
  assert_int_equal(rc_tamper_forge(&t, &fixed_rng, &out), RC_ESTATE);
  rc_bytes_free(&in);
  rc_bytes_free(&out);
  rc_tamper_free(&t);
}

static void test_reorder_drop_flood(void **state) {
  (void)state;
  struct rc_tamper t;
  assert_int_equal(rc_tamper_init(&t, 1024), 0);
  struct rc_bytes in = {0}, out = {0};
  put_frame(&in, T, 7, 1);
  assert_int_equal(rc_tamper_pass(&t, in.p, in.len, &out), 0);
  rc_tamper_reorder(&t);
  rc_bytes_free(&in);
  put_frame(&in, T, 7, 2);
  put_frame(&in, T, 7, 3);
  put_frame(&in, T, 7, 4);
  assert_int_equal(rc_tamper_pass(&t, in.p, in.len, &out), 0);
  uint32_t s[64];
  int64_t c[64];
  size_t n = read_line(&out, s, c, 64);
  assert_int_equal(n, 4);
  assert_int_equal(c[1], 3);  /* 3 overtook 2 */
  assert_int_equal(c[2], 2);
  assert_int_equal(c[3], 4);
  /* a frame held across a re-handshake would be stale: dropped, and the
   * reorder waits for the new session */
  rc_tamper_reorder(&t);
  struct rc_bytes more = {0}, line2 = {0};
  put_frame(&more, T, 7, 5);
  put_frame(&more, H, 8, 0);
  put_frame(&more, T, 8, 1);
  put_frame(&more, T, 8, 2);
  assert_int_equal(rc_tamper_pass(&t, more.p, more.len, &line2), 0);
  n = read_line(&line2, s, c, 64);
  assert_int_equal(n, 3);
  assert_int_equal(s[0], 8);  /* the handshake; 7/5 never goes out */
  assert_int_equal(c[1], 2);  /* 8/2 overtook 8/1 */
  assert_int_equal(c[2], 1);
  assert_int_equal(t.reordered, 2);
  rc_bytes_free(&more);
  rc_bytes_free(&line2);
  t.drop = true;
  size_t before = out.len;
  assert_int_equal(rc_tamper_pass(&t, in.p, in.len, &out), 0);
  assert_int_equal(out.len, before);
  assert_int_equal(t.frames_dropped, 3);
  /* flood: every piece of garbage is a bad frame, none decodes */
  struct rc_bytes junk = {0};
  assert_int_equal(rc_tamper_flood(&t, &fixed_rng, &junk), 0);
  n = read_line(&junk, s, c, 64);
  assert_true(n > 10);
  for (size_t i = 0; i < n; i++)
    assert_int_equal(c[i], -1);
  rc_bytes_free(&junk);
  rc_bytes_free(&in);
  rc_bytes_free(&out);
  rc_tamper_free(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pass_forge_replay),
      cmocka_unit_test(test_reorder_drop_flood),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
