/* Fuzz target: arbitrary bytes, split at input-chosen points, into the
 * streaming frame decoder and the LinkFrame decoder behind it. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "ringca/frame.h"
#include "ringca/pb.h"
#include "ringca/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2)
    return 0;
  /* First byte picks the max payload (small values exercise overflow),
   * the second the chunk size, so every split pattern gets explored. */
  size_t max_payload = 16u + (size_t)data[0] * 16u;
  size_t chunk = 1u + data[1];
  data += 2;
  size -= 2;
  struct rc_frame_decoder dec;
  if (rc_frame_decoder_init(&dec, max_payload) != 0)
    return 0;
  size_t pos = 0;
  uint64_t frames = 0;
  while (pos < size) {
    size_t n = size - pos < chunk ? size - pos : chunk;
    size_t used = 0;
    while (used < n) {
      struct rc_frame_event ev;
      size_t k = rc_frame_decoder_feed(&dec, data + pos + used, n - used, &ev);
      assert(k > 0 && k <= n - used);
      used += k;
      if (ev.status == RC_FRAME_NONE)
        continue;
      frames++;
      if (ev.status == RC_FRAME_OK) {
        assert(ev.len <= max_payload);
        Ringca__LinkFrame *lf;
        if (rc_wire_decode_link_frame(ev.payload, ev.len, &lf, NULL) == 0)
          rc_pb_free(&lf->base);
      }
    }
    pos += n;
  }
  const struct rc_frame_stats *s = &dec.stats;
  (void)s; /* only read by assert(), which NDEBUG builds drop */
  assert(s->ok + s->bad_crc + s->bad_cobs + s->too_long == frames);
  assert(s->bytes_in == size);
  rc_frame_decoder_free(&dec);
  return 0;
}
