/* Consistent Overhead Byte Stuffing (Cheshire & Baker, 1999): removes every
 * 0x00 from a frame so 0x00 can delimit frames on the serial line, at a cost
 * of at most one byte per 254. */
#ifndef RINGCA_COBS_H
#define RINGCA_COBS_H
#include <stddef.h>
#include <stdint.h>

/* Upper bound of the encoded size of `len` input bytes (no delimiter). */
static inline size_t rc_cobs_encoded_max(size_t len) {
  return len + len / 254u + 1u;
}

/* Encodes the concatenation head || tail (tail may be NULL/0) into out.
 * Two segments so the framer can append its CRC without copying the payload.
 * Returns the encoded length, or 0 if cap is too small. */
size_t rc_cobs_encode2(const uint8_t *head, size_t head_len,
                       const uint8_t *tail, size_t tail_len, uint8_t *out,
                       size_t cap);

/* Decodes len bytes (no delimiter) into out, which may alias in (decoding in
 * place is safe: output never overtakes input). Returns the decoded length,
 * or -1 if the input is not valid COBS (a zero byte or a code running past
 * the end) or out is too small. */
long rc_cobs_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap);

#endif
