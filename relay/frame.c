#include "ringca/frame.h"

#include <stdlib.h>
#include <string.h>

#include "ringca/cobs.h"
#include "ringca/crc32c.h"
#include "ringca/error.h"
#include "ringca/limits.h"

#define FRAME_DELIMITER 0x00

size_t rc_frame_wire_max(size_t len) {
  return rc_cobs_encoded_max(len + RC_FRAME_CRC_LEN) + 2u;
}

static void put_le32(uint8_t out[4], uint32_t v) {
  out[0] = (uint8_t)v;
  out[1] = (uint8_t)(v >> 8);
  out[2] = (uint8_t)(v >> 16);
  out[3] = (uint8_t)(v >> 24);
}

static uint32_t get_le32(const uint8_t in[4]) {
  return (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 |
         (uint32_t)in[3] << 24;
}

long rc_frame_encode(const uint8_t *payload, size_t len, uint8_t *out,
                     size_t cap) {
  if (len > RC_FRAME_PAYLOAD_LIMIT)
    return RC_ETOOBIG;
  if (cap < rc_frame_wire_max(len))
    return RC_ENOBUFS;
  uint8_t crc[RC_FRAME_CRC_LEN];
  put_le32(crc, rc_crc32c(0, payload, len));
  out[0] = FRAME_DELIMITER;
  size_t n = rc_cobs_encode2(payload, len, crc, sizeof crc, out + 1, cap - 2);
  out[1 + n] = FRAME_DELIMITER;
  return (long)(n + 2);
}

const char *rc_frame_status_name(enum rc_frame_status s) {
  switch (s) {
  case RC_FRAME_NONE:
    return "none";
  case RC_FRAME_OK:
    return "ok";
  case RC_FRAME_BAD_CRC:
    return "bad-crc";
  case RC_FRAME_BAD_COBS:
    return "bad-cobs";
  case RC_FRAME_TOO_LONG:
    return "too-long";
  }
  return "?";
}

int rc_frame_decoder_init(struct rc_frame_decoder *dec, size_t max_payload) {
  memset(dec, 0, sizeof *dec);
  if (max_payload == 0 || max_payload > RC_FRAME_PAYLOAD_LIMIT)
    return RC_EINVAL;
  dec->max_payload = max_payload;
  dec->max_encoded = rc_cobs_encoded_max(max_payload + RC_FRAME_CRC_LEN);
  dec->buf = malloc(dec->max_encoded);
  return dec->buf ? 0 : RC_ENOMEM;
}

void rc_frame_decoder_free(struct rc_frame_decoder *dec) {
  free(dec->buf);
  dec->buf = NULL;
}

void rc_frame_decoder_reset(struct rc_frame_decoder *dec) {
  dec->buf_len = 0;
  dec->frame_bytes = 0;
  dec->overflow = false;
  dec->frame_offset = dec->stream_offset;
}

/* Judges the bytes collected between two delimiters. */
static void frame_finish(struct rc_frame_decoder *dec,
                         struct rc_frame_event *ev) {
  ev->offset = dec->frame_offset;
  ev->wire_len = dec->frame_bytes;
  if (dec->overflow) {
    ev->status = RC_FRAME_TOO_LONG;
    dec->stats.too_long++;
    return;
  }
  long n = rc_cobs_decode(dec->buf, dec->buf_len, dec->buf, dec->max_encoded);
  if (n < 0) {
    ev->status = RC_FRAME_BAD_COBS;
    dec->stats.bad_cobs++;
    return;
  }
  size_t decoded = (size_t)n;
  if (decoded < RC_FRAME_CRC_LEN ||
      decoded - RC_FRAME_CRC_LEN > dec->max_payload) {
    ev->status = decoded < RC_FRAME_CRC_LEN ? RC_FRAME_BAD_CRC
                                            : RC_FRAME_TOO_LONG;
    if (ev->status == RC_FRAME_BAD_CRC)
      dec->stats.bad_crc++;
    else
      dec->stats.too_long++;
    return;
  }
  size_t plen = decoded - RC_FRAME_CRC_LEN;
  if (rc_crc32c(0, dec->buf, plen) != get_le32(dec->buf + plen)) {
    ev->status = RC_FRAME_BAD_CRC;
    dec->stats.bad_crc++;
    return;
  }
  ev->status = RC_FRAME_OK;
  ev->payload = dec->buf;
  ev->len = plen;
  dec->stats.ok++;
}

size_t rc_frame_decoder_feed(struct rc_frame_decoder *dec, const uint8_t *in,
                             size_t len, struct rc_frame_event *ev) {
  memset(ev, 0, sizeof *ev);
  size_t used = 0;
  while (used < len) {
    const uint8_t *start = in + used;
    const uint8_t *delim = memchr(start, FRAME_DELIMITER, len - used);
    size_t chunk = delim ? (size_t)(delim - start) : len - used;
    if (dec->frame_bytes == 0 && chunk > 0)
      dec->frame_offset = dec->stream_offset;
    dec->frame_bytes += chunk;
    if (!dec->overflow) {
      size_t room = dec->max_encoded - dec->buf_len;
      if (chunk > room) {
        dec->overflow = true;
        dec->buf_len = dec->max_encoded;
      } else {
        memcpy(dec->buf + dec->buf_len, start, chunk);
        dec->buf_len += chunk;
      }
    }
    used += chunk;
    dec->stream_offset += chunk;
    dec->stats.bytes_in += chunk;
    if (!delim)
      break;
    used++;
    dec->stream_offset++;
    dec->stats.bytes_in++;
    if (dec->frame_bytes == 0) {
      dec->stats.empty++;
      continue;
    }
    frame_finish(dec, ev);
    dec->buf_len = 0;
    dec->frame_bytes = 0;
    dec->overflow = false;
    return used;
  }
  return used;
}
