/* Frame-level attacks on one direction of a cable (see tamper.h). */
#include "tamper.h"

#include <stdlib.h>
#include <string.h>

#include "ringca/error.h"
#include "ringca/limits.h"
#include "ringca/pb.h"
#include "ringca/wire.h"

int rc_bytes_append(struct rc_bytes *b, const uint8_t *p, size_t len) {
  if (len == 0)
    return 0;
  if (b->len + len > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + len)
      cap *= 2;
    uint8_t *n = realloc(b->p, cap);
    if (!n)
      return RC_ENOMEM;
    b->p = n;
    b->cap = cap;
  }
  memcpy(b->p + b->len, p, len);
  b->len += len;
  return 0;
}

void rc_bytes_free(struct rc_bytes *b) {
  free(b->p);
  memset(b, 0, sizeof *b);
}

int rc_tamper_init(struct rc_tamper *t, size_t max_payload) {
  memset(t, 0, sizeof *t);
  t->max_payload = max_payload;
  return rc_frame_decoder_init(&t->dec, max_payload);
}

void rc_tamper_free(struct rc_tamper *t) {
  rc_frame_decoder_free(&t->dec);
  for (size_t i = 0; i < t->nkeep; i++)
    free(t->keep[i]);
  free(t->held);
  memset(t, 0, sizeof *t);
}

static int emit(struct rc_bytes *out, const uint8_t *payload, size_t len) {
  uint8_t stackbuf[512];
  size_t cap = rc_frame_wire_max(len);
  uint8_t *buf = cap <= sizeof stackbuf ? stackbuf : malloc(cap);
  if (!buf)
    return RC_ENOMEM;
  long n = rc_frame_encode(payload, len, buf, cap);
  int rc = n < 0 ? (int)n : rc_bytes_append(out, buf, (size_t)n);
  if (buf != stackbuf)
    free(buf);
  return rc;
}

/* Remembers transport frames of the newest session. A new session id
 * (the link re-handshook) starts the memory afresh, so a replay is always
 * judged by the receiver, never dropped as stale. */
/* A frame held back for a reorder belongs to its session: once the link
 * re-handshakes it would only be stale (dropped, never judged), so it is
 * dropped here and the reorder waits for the new session. */
static void forget_held(struct rc_tamper *t) {
  if (!t->held)
    return;
  free(t->held);
  t->held = NULL;
  t->hold_next = true;
}

static void remember(struct rc_tamper *t, const uint8_t *p, size_t len,
                     bool *transport) {
  *transport = false;
  Ringca__LinkFrame *lf;
  if (rc_wire_decode_link_frame(p, len, &lf, NULL) != 0)
    return;
  if (lf->type == RINGCA__LINK_FRAME_TYPE__LINK_FRAME_TRANSPORT) {
    *transport = true;
    if (!t->have_session || lf->session_id != t->session) {
      if (t->have_session)
        forget_held(t);
      for (size_t i = 0; i < t->nkeep; i++)
        free(t->keep[i]);
      t->nkeep = 0;
      t->have_session = true;
      t->session = lf->session_id;
      t->counter = 0;
    }
    if (lf->counter > t->counter)
      t->counter = lf->counter;
    uint8_t *copy = malloc(len);
    if (copy) {
      memcpy(copy, p, len);
      if (t->nkeep == RC_TAMPER_KEEP) {
        free(t->keep[0]);
        memmove(t->keep, t->keep + 1, (RC_TAMPER_KEEP - 1) * sizeof *t->keep);
        memmove(t->keep_len, t->keep_len + 1,
                (RC_TAMPER_KEEP - 1) * sizeof *t->keep_len);
        t->nkeep--;
      }
      t->keep[t->nkeep] = copy;
      t->keep_len[t->nkeep++] = len;
    }
  } else if (lf->type == RINGCA__LINK_FRAME_TYPE__LINK_FRAME_HANDSHAKE_INIT ||
             lf->type == RINGCA__LINK_FRAME_TYPE__LINK_FRAME_HANDSHAKE_RESP) {
    /* a new session is coming: old frames would only be stale */
    forget_held(t);
    for (size_t i = 0; i < t->nkeep; i++)
      free(t->keep[i]);
    t->nkeep = 0;
    t->have_session = false;
  }
  rc_pb_free(&lf->base);
}

static int one_frame(struct rc_tamper *t, const uint8_t *p, size_t len,
                     struct rc_bytes *out) {
  bool transport;
  t->frames_seen++;
  remember(t, p, len, &transport);
  if (t->drop) {
    t->frames_dropped++;
    return 0;
  }
  if (transport && t->hold_next) {
    t->held = malloc(len);
    if (!t->held)
      return RC_ENOMEM;
    memcpy(t->held, p, len);
    t->held_len = len;
    t->hold_next = false;
    return 0;
  }
  int rc = emit(out, p, len);
  if (rc == 0 && transport && t->held) {
    rc = emit(out, t->held, t->held_len);
    free(t->held);
    t->held = NULL;
    t->reordered++;
  }
  return rc;
}

int rc_tamper_pass(struct rc_tamper *t, const uint8_t *in, size_t len,
                   struct rc_bytes *out) {
  while (len > 0) {
    struct rc_frame_event ev;
    size_t used = rc_frame_decoder_feed(&t->dec, in, len, &ev);
    in += used;
    len -= used;
    if (ev.status == RC_FRAME_OK) {
      int rc = one_frame(t, ev.payload, ev.len, out);
      if (rc)
        return rc;
    }
  }
  return 0;
}

int rc_tamper_forge(struct rc_tamper *t, const struct rc_rng *rng,
                    struct rc_bytes *out) {
  if (!t->have_session)
    return RC_ESTATE;
  uint8_t body[64];
  rc_rng_fill(rng, body, sizeof body);
  Ringca__LinkFrame lf = RINGCA__LINK_FRAME__INIT;
  lf.version = RC_WIRE_VERSION;
  lf.type = RINGCA__LINK_FRAME_TYPE__LINK_FRAME_TRANSPORT;
  lf.session_id = t->session;
  lf.counter = t->counter + 1;
  lf.body.data = body;
  lf.body.len = sizeof body;
  uint8_t buf[128];
  size_t n = ringca__link_frame__pack(&lf, buf);
  return emit(out, buf, n);
}

int rc_tamper_replay(struct rc_tamper *t, struct rc_bytes *out) {
  if (t->nkeep < 2)
    return RC_ESTATE;
  return emit(out, t->keep[t->nkeep - 2], t->keep_len[t->nkeep - 2]);
}

int rc_tamper_flood(struct rc_tamper *t, const struct rc_rng *rng,
                    struct rc_bytes *out) {
  (void)t;
  uint8_t junk[RC_TAMPER_FLOOD_BYTES];
  rc_rng_fill(rng, junk, sizeof junk);
  /* Delimiters every so often, as a real noise burst would have: each
   * piece is then a bad frame the receiver counts, never a whole frame. */
  for (size_t i = 97; i < sizeof junk; i += 97)
    junk[i] = 0;
  return rc_bytes_append(out, junk, sizeof junk);
}

void rc_tamper_reorder(struct rc_tamper *t) { t->hold_next = true; }
