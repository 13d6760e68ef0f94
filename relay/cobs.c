#include "ringca/cobs.h"

size_t rc_cobs_encode2(const uint8_t *head, size_t head_len,
                       const uint8_t *tail, size_t tail_len, uint8_t *out,
                       size_t cap) {
  size_t total = head_len + tail_len;
  if (cap < rc_cobs_encoded_max(total))
    return 0;
  size_t code_pos = 0, o = 1;
  uint8_t code = 1;
  for (size_t i = 0; i < total; i++) {
    uint8_t b = i < head_len ? head[i] : tail[i - head_len];
    if (b == 0) {
      out[code_pos] = code;
      code_pos = o++;
      code = 1;
      continue;
    }
    out[o++] = b;
    if (++code == 0xFF) {
      out[code_pos] = code;
      code_pos = o++;
      code = 1;
    }
  }
  out[code_pos] = code;
  return o;
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
    for (size_t k = 0; k < run; k++) {
      if (in[i] == 0)
        return -1;
      out[o++] = in[i++];
    }
    /* A code < 0xFF stands for a zero byte, except after the last block. */
    if (code != 0xFF && i < len) {
      if (o >= cap)
        return -1;
      out[o++] = 0;
    }
  }
  return (long)o;
}
