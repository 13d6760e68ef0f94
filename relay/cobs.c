#include "ringca/cobs.h"

#include <string.h>

/* Encoder state across the two input segments: a block may span them. */
struct cobs_enc {
  uint8_t *out;
  size_t code_pos, o;
  uint8_t code;
};

/* Copies runs of non-zero bytes with memchr/memcpy instead of byte by byte:
 * COBS sits on every frame's path (bench/link_bench.c). */
static void cobs_feed(struct cobs_enc *e, const uint8_t *in, size_t len) {
  while (len > 0) {
    size_t room = 0xFFu - e->code; /* bytes this block can still take */
    size_t span = len < room ? len : room;
    const uint8_t *z = memchr(in, 0, span);
    size_t run = z ? (size_t)(z - in) : span;
    memcpy(e->out + e->o, in, run);
    e->o += run;
    e->code = (uint8_t)(e->code + run);
    in += run;
    len -= run;
    if (z) { /* a zero ends the block */
      e->out[e->code_pos] = e->code;
      e->code_pos = e->o++;
      e->code = 1;
      in++;
      len--;
    } else if (e->code == 0xFF) { /* a full block */
      e->out[e->code_pos] = e->code;
      e->code_pos = e->o++;
      e->code = 1;
    }
  }
}

size_t rc_cobs_encode2(const uint8_t *head, size_t head_len,
                       const uint8_t *tail, size_t tail_len, uint8_t *out,
                       size_t cap) {
  size_t total = head_len + tail_len;
  if (cap < rc_cobs_encoded_max(total))
    return 0;
  struct cobs_enc e = {out, 0, 1, 1};
  cobs_feed(&e, head, head_len);
  if (tail_len)
    cobs_feed(&e, tail, tail_len);
  out[e.code_pos] = e.code;
  return e.o;
}

long rc_cobs_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap) {
  size_t i = 0, o = 0;
  while (i < len) {
    uint8_t code = in[i++];
    if (code == 0)
      return -1;
    size_t run = (size_t)code - 1u;
    if (run > len - i || o + run > cap)
      return -1;
    if (memchr(in + i, 0, run))
      return -1;
    /* In-place decoding is allowed (out may alias in): memmove. */
    memmove(out + o, in + i, run);
    o += run;
    i += run;
    /* A code < 0xFF stands for a zero byte, except after the last block. */
    if (code != 0xFF && i < len) {
      if (o >= cap)
        return -1;
      out[o++] = 0;
    }
  }
  return (long)o;
}
