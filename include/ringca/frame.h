/* Serial framing: [0x00] COBS(payload || CRC-32C(payload), little-endian) 0x00.
 *
 * The leading delimiter costs one byte and means garbage left on the line
 * (a cut mid-frame, noise while idle) is closed off as its own bad frame
 * instead of corrupting the next good one. Frames that fail CRC or COBS are
 * line noise: reported and counted, never a protocol violation. */
#ifndef RINGCA_FRAME_H
#define RINGCA_FRAME_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes needed on the wire for a payload of `len` bytes, both delimiters. */
size_t rc_frame_wire_max(size_t len);

/* Writes one complete frame into out. Returns the wire length, or a negative
 * RC_E* (RC_ENOBUFS if cap < rc_frame_wire_max(len)). */
long rc_frame_encode(const uint8_t *payload, size_t len, uint8_t *out,
                     size_t cap);

enum rc_frame_status {
  RC_FRAME_NONE = 0,  /* need more bytes */
  RC_FRAME_OK,        /* payload/len valid until the next feed or reset */
  RC_FRAME_BAD_CRC,   /* decoded, but the CRC does not match (or no room for one) */
  RC_FRAME_BAD_COBS,  /* not a valid COBS encoding */
  RC_FRAME_TOO_LONG,  /* exceeded the maximum before its delimiter */
};

const char *rc_frame_status_name(enum rc_frame_status s);

struct rc_frame_stats {
  uint64_t ok;
  uint64_t bad_crc;
  uint64_t bad_cobs;
  uint64_t too_long;
  uint64_t empty;     /* back-to-back delimiters: normal between frames */
  uint64_t bytes_in;
};

struct rc_frame_event {
  enum rc_frame_status status;
  const uint8_t *payload;  /* RC_FRAME_OK only */
  size_t len;              /* payload length (RC_FRAME_OK) */
  uint64_t offset;         /* stream offset of the frame's first byte */
  size_t wire_len;         /* encoded bytes between the delimiters */
};

struct rc_frame_decoder {
  size_t max_payload;
  size_t max_encoded;  /* COBS bytes allowed between delimiters */
  uint8_t *buf;        /* max_encoded bytes, allocated once at init */
  size_t buf_len;
  size_t frame_bytes;  /* encoded bytes seen for this frame, even past the cap */
  bool overflow;       /* discarding until the next delimiter */
  uint64_t stream_offset;
  uint64_t frame_offset;
  struct rc_frame_stats stats;
};

/* max_payload must lie in [1, RC_FRAME_PAYLOAD_LIMIT]. Allocates the one
 * buffer the decoder ever uses. Returns 0 or RC_ENOMEM / RC_EINVAL. */
int rc_frame_decoder_init(struct rc_frame_decoder *dec, size_t max_payload);
void rc_frame_decoder_free(struct rc_frame_decoder *dec);

/* Drops any partial frame (the line was reset); counters are kept. */
void rc_frame_decoder_reset(struct rc_frame_decoder *dec);

/* Consumes bytes from in until one frame completes or the input is used up.
 * Returns the number of bytes consumed; ev->status says whether a frame (good
 * or bad) ended. Call again with the rest of the input until it returns with
 * RC_FRAME_NONE. Input may be split anywhere. */
size_t rc_frame_decoder_feed(struct rc_frame_decoder *dec, const uint8_t *in,
                             size_t len, struct rc_frame_event *ev);

#endif
