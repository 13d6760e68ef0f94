/* What an attacker does to the bytes of one direction of one cable.
 *
 * The simulator never re-implements the protocol: it watches the frames the
 * real core sends (COBS framing and the clear LinkFrame header are all a
 * tap can read) and splices attacker frames between them. That is exactly
 * the power of someone holding the cable, and the frame-level half of what a
 * compromised node can do (its ring-level lies go through the core's
 * RINGCA_LAB injection hook instead). */
#ifndef RINGCA_SIM_TAMPER_H
#define RINGCA_SIM_TAMPER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringca/frame.h"
#include "ringca/rng.h"

#define RC_TAMPER_KEEP 4u          /* recent transport frames remembered */
#define RC_TAMPER_FLOOD_BYTES 2048u /* garbage per flood injection */

struct rc_bytes {
  uint8_t *p;
  size_t len, cap;
};
int rc_bytes_append(struct rc_bytes *b, const uint8_t *p, size_t len);
void rc_bytes_free(struct rc_bytes *b);

struct rc_tamper {
  struct rc_frame_decoder dec;
  size_t max_payload;
  /* Recent TRANSPORT frames of the newest session seen (payloads). */
  uint8_t *keep[RC_TAMPER_KEEP];
  size_t keep_len[RC_TAMPER_KEEP];
  size_t nkeep;
  bool have_session;
  uint32_t session;
  uint64_t counter;  /* highest counter seen in that session */
  bool drop;         /* swallow everything */
  bool hold_next;    /* reorder: keep the next transport frame back... */
  uint8_t *held;     /* ...until the one after it has passed */
  size_t held_len;
  uint64_t frames_seen, frames_dropped;
  uint64_t reordered;  /* held frames released after their successor */
};

int rc_tamper_init(struct rc_tamper *t, size_t max_payload);
void rc_tamper_free(struct rc_tamper *t);

/* Bytes the node sent: appends what goes on the line (the same frames, or
 * fewer/reordered ones per the mode) to out. Returns 0 or RC_ENOMEM. */
int rc_tamper_pass(struct rc_tamper *t, const uint8_t *in, size_t len,
                   struct rc_bytes *out);

/* Injections; each appends one attack to out. RC_ESTATE: nothing to work
 * from yet (no transport frame of a session seen, or only one for replay). */
/* A frame of the current session with the next counter and a body no key
 * made: the receiver's AEAD check fails. */
int rc_tamper_forge(struct rc_tamper *t, const struct rc_rng *rng,
                    struct rc_bytes *out);
/* An earlier frame of the current session, not the newest (an exact repeat
 * of the newest is a lost-ACK retransmission, which is legitimate). */
int rc_tamper_replay(struct rc_tamper *t, struct rc_bytes *out);
/* Line-rate garbage: fails CRC, so it is noise and must not trip anyone. */
int rc_tamper_flood(struct rc_tamper *t, const struct rc_rng *rng,
                    struct rc_bytes *out);
/* From now on the next transport frame goes after the one following it. */
void rc_tamper_reorder(struct rc_tamper *t);

#endif
