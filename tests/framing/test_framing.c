/* CRC-32C, COBS and the streaming frame decoder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ringca/cobs.h"
#include "ringca/crc32c.h"
#include "ringca/error.h"
#include "ringca/frame.h"
#include "ringca/limits.h"
#include "ringca/rng.h"

#define MAXP 1024u

static void test_crc32c_known_vectors(void **state) {
  (void)state;
  /* RFC 3720 appendix B.4 and the common check value. */
  assert_int_equal(rc_crc32c(0, "123456789", 9), 0xE3069283u);
  uint8_t zeros[32] = {0}, ones[32];
  memset(ones, 0xFF, sizeof ones);
  assert_int_equal(rc_crc32c(0, zeros, 32), 0x8A9136AAu);
  assert_int_equal(rc_crc32c(0, ones, 32), 0x62A8AB43u);
  /* Chunked computation equals one shot. */
  uint32_t c = rc_crc32c(0, "1234", 4);
  assert_int_equal(rc_crc32c(c, "56789", 5), 0xE3069283u);
}

static void cobs_roundtrip(const uint8_t *in, size_t len) {
  uint8_t enc[2 * MAXP], dec[2 * MAXP];
  size_t n = rc_cobs_encode2(in, len, NULL, 0, enc, sizeof enc);
  assert_true(n > 0 && n <= rc_cobs_encoded_max(len));
  assert_null(memchr(enc, 0, n));
  long m = rc_cobs_decode(enc, n, dec, sizeof dec);
  assert_int_equal(m, (long)len);
  assert_memory_equal(dec, in, len);
}

static void test_cobs_edges(void **state) {
  (void)state;
  uint8_t buf[600];
  /* Runs of non-zero bytes around the 254-byte block boundary. */
  for (size_t len = 0; len < sizeof buf; len++) {
    for (size_t i = 0; i < len; i++)
      buf[i] = (uint8_t)(1 + i % 255);
    cobs_roundtrip(buf, len);
    memset(buf, 0, len);
    cobs_roundtrip(buf, len);
  }
  const uint8_t bad1[] = {0x03, 0x11, 0x00}; /* zero inside */
  const uint8_t bad2[] = {0x05, 0x11};       /* code runs past the end */
  uint8_t out[16];
  assert_int_equal(rc_cobs_decode(bad1, sizeof bad1, out, sizeof out), -1);
  assert_int_equal(rc_cobs_decode(bad2, sizeof bad2, out, sizeof out), -1);
  const uint8_t good[] = {0x01, 0x01}; /* one zero byte */
  assert_int_equal(rc_cobs_decode(good, sizeof good, out, sizeof out), 1);
  assert_int_equal(out[0], 0);
  assert_int_equal(rc_cobs_decode(good, sizeof good, out, 0), -1);
}

/* Feeds a stream in chunks of `chunk` bytes, collecting every event. */
struct collected {
  enum rc_frame_status status[64];
  uint8_t payload[64][MAXP];
  size_t len[64];
  size_t count;
};

static void feed_all(struct rc_frame_decoder *dec, const uint8_t *in,
                     size_t len, size_t chunk, struct collected *out) {
  for (size_t pos = 0; pos < len;) {
    size_t n = len - pos < chunk ? len - pos : chunk;
    size_t used = 0;
    while (used < n) {
      struct rc_frame_event ev;
      size_t k = rc_frame_decoder_feed(dec, in + pos + used, n - used, &ev);
      assert_true(k > 0);
      used += k;
      if (ev.status == RC_FRAME_NONE)
        continue;
      assert_true(out->count < 64);
      out->status[out->count] = ev.status;
      out->len[out->count] = ev.len;
      if (ev.status == RC_FRAME_OK)
        memcpy(out->payload[out->count], ev.payload, ev.len);
      out->count++;
    }
    pos += n;
  }
}

static void test_frame_roundtrip_every_size(void **state) {
  (void)state;
  struct rc_prng prng;
  rc_prng_seed(&prng, 1);
  struct rc_rng rng = rc_prng_as_rng(&prng);
  struct rc_frame_decoder dec;
  assert_int_equal(rc_frame_decoder_init(&dec, MAXP), 0);
  static uint8_t payload[MAXP], wire[2 * MAXP];
  static struct collected got;
  for (size_t len = 0; len <= MAXP; len++) {
    rc_rng_fill(&rng, payload, len);
    if (len % 3 == 0 && len > 0)
      payload[len / 2] = 0; /* make sure zeros get stuffed */
    long n = rc_frame_encode(payload, len, wire, sizeof wire);
    assert_true(n > 0 && (size_t)n <= rc_frame_wire_max(len));
    memset(&got, 0, sizeof got);
    feed_all(&dec, wire, (size_t)n, (size_t)n, &got);
    assert_int_equal(got.count, 1);
    assert_int_equal(got.status[0], RC_FRAME_OK);
    assert_int_equal(got.len[0], len);
    assert_memory_equal(got.payload[0], payload, len);
  }
  assert_int_equal(dec.stats.ok, MAXP + 1);
  assert_int_equal(dec.stats.bad_crc + dec.stats.bad_cobs, 0);
  rc_frame_decoder_free(&dec);
}

static size_t build_stream(uint8_t *wire, size_t cap, uint8_t p[3][200],
                           size_t plen[3]) {
  size_t total = 0;
  for (int i = 0; i < 3; i++) {
    plen[i] = 50u + 70u * (size_t)i;
    for (size_t k = 0; k < plen[i]; k++)
      p[i][k] = (uint8_t)(k * 7 + (size_t)i);
    long n = rc_frame_encode(p[i], plen[i], wire + total, cap - total);
    assert_true(n > 0);
    total += (size_t)n;
  }
  return total;
}

static void test_frame_every_split_point(void **state) {
  (void)state;
  uint8_t wire[1024], p[3][200];
  size_t plen[3];
  size_t total = build_stream(wire, sizeof wire, p, plen);
  static struct collected got;
  for (size_t chunk = 1; chunk <= total; chunk++) {
    struct rc_frame_decoder dec;
    assert_int_equal(rc_frame_decoder_init(&dec, MAXP), 0);
    memset(&got, 0, sizeof got);
    feed_all(&dec, wire, total, chunk, &got);
    assert_int_equal(got.count, 3);
    for (int i = 0; i < 3; i++) {
      assert_int_equal(got.status[i], RC_FRAME_OK);
      assert_int_equal(got.len[i], plen[i]);
      assert_memory_equal(got.payload[i], p[i], plen[i]);
    }
    rc_frame_decoder_free(&dec);
  }
  /* Two-piece splits at every offset. */
  for (size_t cut = 1; cut < total; cut++) {
    struct rc_frame_decoder dec;
    assert_int_equal(rc_frame_decoder_init(&dec, MAXP), 0);
    memset(&got, 0, sizeof got);
    feed_all(&dec, wire, cut, cut, &got);
    feed_all(&dec, wire + cut, total - cut, total, &got);
    assert_int_equal(got.count, 3);
    rc_frame_decoder_free(&dec);
  }
}

static void test_frame_garbage_resync(void **state) {
  (void)state;
  uint8_t wire[2048], p[3][200];
  size_t plen[3];
  uint8_t stream[4096];
  size_t total = build_stream(wire, sizeof wire, p, plen);
  /* garbage | frame0 | garbage | frame1 | frame2 cut mid-way + garbage */
  const uint8_t junk[] = {0x41, 0x42, 0x00, 0x17, 0x99, 0x03};
  size_t f0 = rc_frame_wire_max(plen[0]);
  long n0 = rc_frame_encode(p[0], plen[0], wire, sizeof wire);
  assert_true((size_t)n0 <= f0);
  size_t s = 0;
  memcpy(stream + s, junk, sizeof junk), s += sizeof junk;
  memcpy(stream + s, wire, (size_t)n0), s += (size_t)n0;
  memcpy(stream + s, junk, sizeof junk), s += sizeof junk;
  long n1 = rc_frame_encode(p[1], plen[1], stream + s, sizeof stream - s);
  s += (size_t)n1;
  long n2 = rc_frame_encode(p[2], plen[2], stream + s, sizeof stream - s);
  s += (size_t)n2 / 2; /* cut mid-frame... */
  memcpy(stream + s, junk, 2), s += 2; /* ...garbage, then a clean frame */
  long n3 = rc_frame_encode(p[1], plen[1], stream + s, sizeof stream - s);
  s += (size_t)n3;
  (void)total;

  static struct collected got;
  memset(&got, 0, sizeof got);
  struct rc_frame_decoder dec;
  assert_int_equal(rc_frame_decoder_init(&dec, MAXP), 0);
  feed_all(&dec, stream, s, 7, &got);
  size_t oks = 0;
  for (size_t i = 0; i < got.count; i++)
    if (got.status[i] == RC_FRAME_OK)
      oks++;
  assert_int_equal(oks, 3); /* frame0, frame1, and the frame after the cut */
  assert_true(dec.stats.bad_crc + dec.stats.bad_cobs >= 3);
  rc_frame_decoder_free(&dec);
}

static void test_frame_single_bit_flip_always_caught(void **state) {
  (void)state;
  uint8_t payload[300], wire[400], flipped[400];
  for (size_t i = 0; i < sizeof payload; i++)
    payload[i] = (uint8_t)(i * 13 + 1);
  long n = rc_frame_encode(payload, sizeof payload, wire, sizeof wire);
  assert_true(n > 0);
  /* Flip every bit of every byte between the delimiters. */
  for (long byte = 1; byte < n - 1; byte++) {
    for (int bit = 0; bit < 8; bit++) {
      memcpy(flipped, wire, (size_t)n);
      flipped[byte] ^= (uint8_t)(1u << bit);
      static struct collected got;
      memset(&got, 0, sizeof got);
      struct rc_frame_decoder dec;
      assert_int_equal(rc_frame_decoder_init(&dec, MAXP), 0);
      feed_all(&dec, flipped, (size_t)n, (size_t)n, &got);
      for (size_t i = 0; i < got.count; i++)
        assert_int_not_equal(got.status[i], RC_FRAME_OK);
      assert_true(got.count >= 1);
      rc_frame_decoder_free(&dec);
    }
  }
}

static void test_frame_oversize_rejected_then_recovers(void **state) {
  (void)state;
  static uint8_t big[2000], wire[8192];
  memset(big, 0x5A, sizeof big);
  long n = rc_frame_encode(big, sizeof big, wire, sizeof wire);
  assert_true(n > 0);
  uint8_t small[10] = {1, 2, 3, 0, 5, 6, 7, 8, 9, 10};
  long m = rc_frame_encode(small, sizeof small, wire + n, sizeof wire - (size_t)n);
  assert_true(m > 0);
  static struct collected got;
  memset(&got, 0, sizeof got);
  struct rc_frame_decoder dec;
  assert_int_equal(rc_frame_decoder_init(&dec, 64), 0);
  feed_all(&dec, wire, (size_t)(n + m), 100, &got);
  assert_int_equal(got.count, 2);
  assert_int_equal(got.status[0], RC_FRAME_TOO_LONG);
  assert_int_equal(got.status[1], RC_FRAME_OK);
  assert_memory_equal(got.payload[1], small, sizeof small);
  assert_int_equal(dec.stats.too_long, 1);
  /* Exactly at the limit is fine, one byte over is not. */
  uint8_t edge[65] = {0};
  memset(&got, 0, sizeof got);
  n = rc_frame_encode(edge, 64, wire, sizeof wire);
  m = rc_frame_encode(edge, 65, wire + n, sizeof wire - (size_t)n);
  feed_all(&dec, wire, (size_t)(n + m), 3, &got);
  assert_int_equal(got.count, 2);
  assert_int_equal(got.status[0], RC_FRAME_OK);
  assert_int_equal(got.status[1], RC_FRAME_TOO_LONG);
  rc_frame_decoder_free(&dec);
}

static void test_frame_encode_limits(void **state) {
  (void)state;
  uint8_t out[8];
  uint8_t p[4] = {1, 2, 3, 4};
  assert_int_equal(rc_frame_encode(p, sizeof p, out, sizeof out), RC_ENOBUFS);
  struct rc_frame_decoder dec;
  assert_int_equal(rc_frame_decoder_init(&dec, 0), RC_EINVAL);
  assert_int_equal(rc_frame_decoder_init(&dec, RC_FRAME_PAYLOAD_LIMIT + 1),
                   RC_EINVAL);
  /* A runt: valid COBS but shorter than a CRC. */
  const uint8_t runt[] = {0x00, 0x03, 0x11, 0x22, 0x00};
  static struct collected got;
  memset(&got, 0, sizeof got);
  assert_int_equal(rc_frame_decoder_init(&dec, 64), 0);
  feed_all(&dec, runt, sizeof runt, 1, &got);
  assert_int_equal(got.count, 1);
  assert_int_equal(got.status[0], RC_FRAME_BAD_CRC);
  assert_int_equal(dec.stats.empty, 1); /* the leading delimiter */
  rc_frame_decoder_free(&dec);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_crc32c_known_vectors),
      cmocka_unit_test(test_cobs_edges),
      cmocka_unit_test(test_frame_roundtrip_every_size),
      cmocka_unit_test(test_frame_every_split_point),
      cmocka_unit_test(test_frame_garbage_resync),
      cmocka_unit_test(test_frame_single_bit_flip_always_caught),
      cmocka_unit_test(test_frame_oversize_rejected_then_recovers),
      cmocka_unit_test(test_frame_encode_limits),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
