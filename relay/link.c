/* The secure serial link: Noise KK handshake, sealed transport, stop-and-wait
 * ARQ, heartbeats and the violation/noise/stale judgements of
 * docs/protocol.md ("Secure link"). Sans-I/O: no clocks, no descriptors; the
 * caller drives it through link.h. */
#include "ringca/link.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ringca/error.h"
#include "ringca/frame.h"
#include "ringca/limits.h"
#include "ringca/noise.h"
#include "ringca/pb.h"
#include "ringca/wire.h"

#include "link_internal.h"

const char *rc_link_down_reason_name(enum rc_link_down_reason r) {
  switch (r) {
#define RC_LINK_DOWN_NAME_(name, str)                                          \
  case RC_LINK_DOWN_##name:                                                    \
    return str;
    RC_LINK_DOWN_MAP(RC_LINK_DOWN_NAME_)
#undef RC_LINK_DOWN_NAME_
  }
  return "unknown";
}

const char *rc_link_violation_name(enum rc_link_violation v) {
  switch (v) {
#define RC_LINK_VIOLATION_NAME_(name, str)                                     \
  case RC_LINK_VIOLATION_##name:                                               \
    return str;
    RC_LINK_VIOLATION_MAP(RC_LINK_VIOLATION_NAME_)
#undef RC_LINK_VIOLATION_NAME_
  }
  return "unknown";
}

size_t rc_link_max_payload(const struct rc_link *link) {
  return link->cfg.max_frame - LINK_OVERHEAD;
}

/* ------------------------------------------------------------------ events */

struct evnode *rc_link__push_event(struct rc_link *link,
                                   enum rc_link_event_type type) {
  struct evnode *n = calloc(1, sizeof *n);
  if (!n)
    return NULL;
  n->ev.type = type;
  if (link->ev_tail)
    link->ev_tail->next = n;
  else
    link->ev_head = n;
  link->ev_tail = n;
  return n;
}

void rc_link__free_popped(struct rc_link *link) {
  if (link->popped) {
    free(link->popped->owned);
    free(link->popped);
    link->popped = NULL;
  }
}

bool rc_link_has_event(const struct rc_link *link) {
  return link->ev_head != NULL;
}

bool rc_link_next_event(struct rc_link *link, struct rc_link_event *ev) {
  rc_link__free_popped(link);
  struct evnode *n = link->ev_head;
  if (!n)
    return false;
  link->ev_head = n->next;
  if (!link->ev_head)
    link->ev_tail = NULL;
  *ev = n->ev;
  link->popped = n;
  return true;
}

/* --------------------------------------------------------- session control */

static void clear_queue(struct rc_link *link) {
  for (uint32_t i = 0; i < link->q_len; i++) {
    struct qitem *q =
        &link->queue[(link->q_head + i) % link->cfg.send_queue_max];
    OPENSSL_clear_free(q->data, q->len);
    q->data = NULL;
  }
  link->q_head = link->q_len = 0;
}

static void window_reset(struct rc_link *link) {
  link->win_pos = link->win_fill = link->win_noise = link->win_stale = 0;
}

/* Forgets the session: keys wiped, reliable state and unsent bytes gone. */
static void end_session(struct rc_link *link) {
  rc_aead_free(link->tx_aead);
  rc_aead_free(link->rx_aead);
  link->tx_aead = link->rx_aead = NULL;
  rc_noise_hs_wipe(&link->hs);
  if (link->sid)
    link->prev_sid = link->sid;
  link->sid = 0;
  link->tx_ctr = link->rx_ctr = 0;
  link->rx_any = false;
  OPENSSL_cleanse(link->last_frame, link->cfg.max_frame);
  OPENSSL_cleanse(link->last_data, link->cfg.max_frame);
  link->last_frame_len = link->last_data_len = 0;
  clear_queue(link);
  link->acked = link->delivered = 0;
  link->head_sent_once = link->data_due = link->ack_due = link->hb_due = false;
  link->rto_at = 0;
  link->tx_len = link->tx_off = 0;
  link->tx_is_data = false;
  link->hs_frame_len = 0;
  window_reset(link);
}

static void go_down(struct rc_link *link, enum rc_link_down_reason why,
                    uint64_t now);

void rc_link__violation(struct rc_link *link, enum rc_link_violation v,
                        const uint8_t *frame, size_t len, const char *fmt,
                        ...) {
  struct evnode *n = rc_link__push_event(link, RC_LINK_EV_VIOLATION);
  if (n) {
    n->ev.violation = v;
    unsigned int hl = 0;
    EVP_Digest(frame, len, n->ev.evidence, &hl, EVP_sha256(), NULL);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(n->ev.detail, sizeof n->ev.detail, fmt, ap);
    va_end(ap);
  }
  end_session(link);
  link->st = ST_STOPPED;
}

/* ---------------------------------------------------------------- handshake */

static size_t prologue(const struct rc_link *link, uint32_t sid, uint8_t *out) {
  /* tag \0 initiator-name \0 responder-name \0 session-id(LE32): binds both
   * names and the proposed session id into the handshake transcript. */
  const char *ini = link->initiator ? link->local_name : link->peer_name;
  const char *res = link->initiator ? link->peer_name : link->local_name;
  size_t n = 0;
  memcpy(out + n, PROLOGUE_TAG, sizeof PROLOGUE_TAG);
  n += sizeof PROLOGUE_TAG;
  memcpy(out + n, ini, strlen(ini) + 1);
  n += strlen(ini) + 1;
  memcpy(out + n, res, strlen(res) + 1);
  n += strlen(res) + 1;
  for (int b = 0; b < 4; b++)
    out[n++] = (uint8_t)(sid >> (8 * b));
  return n;
}

#define PROLOGUE_MAX (sizeof PROLOGUE_TAG + 2 * (RC_NAME_MAX + 1) + 4)

/* Writes our handshake message (INIT or RESP) into hs_frame. */
static int write_handshake(struct rc_link *link, uint32_t type) {
  uint8_t e[RC_LINK_KEY_LEN], hp[HS_PAYLOAD_MAX], msg[HS_FRAME_MAX];
  Ringca__HandshakePayload p = RINGCA__HANDSHAKE_PAYLOAD__INIT;
  p.version = RC_WIRE_VERSION;
  p.node = link->local_name;
  size_t plen = ringca__handshake_payload__get_packed_size(&p);
  assert(plen <= sizeof hp);
  ringca__handshake_payload__pack(&p, hp);
  rc_rng_fill(&link->cfg.rng, e, sizeof e);
  size_t mlen = 0;
  int rc = rc_noise_hs_write(&link->hs, e, hp, plen, msg, sizeof msg, &mlen);
  OPENSSL_cleanse(e, sizeof e);
  if (rc)
    return rc;
  link->hs_frame_len =
      rc_link__encode_frame(link, type, link->hs_sid, 0, msg, mlen,
                            link->hs_frame, sizeof link->hs_frame);
  return 0;
}

static void start_handshake(struct rc_link *link, uint64_t now) {
  end_session(link);
  if (!link->initiator) {
    link->st = ST_HS_WAIT;
    return;
  }
  /* A fresh id that differs from the last session's, so frames from that
   * session still in flight are recognisably stale. */
  do
    rc_rng_fill(&link->cfg.rng, &link->hs_sid, sizeof link->hs_sid);
  while (link->hs_sid == 0 || link->hs_sid == link->prev_sid);
  uint8_t pro[PROLOGUE_MAX];
  size_t plen = prologue(link, link->hs_sid, pro);
  link->st = ST_HS_SENT;
  link->hs_deadline = now + link->cfg.handshake_retry_ns;
  if (rc_noise_hs_init(&link->hs, true, pro, plen, link->cfg.local_static_priv,
                       link->cfg.peer_static_pub) ||
      write_handshake(link, RINGCA__LINK_FRAME_TYPE__LINK_FRAME_HANDSHAKE_INIT))
    rc_noise_hs_wipe(&link->hs); /* retried at hs_deadline */
}

/* Keys from Split(); the session is live for sending and receiving. */
static int install_session(struct rc_link *link) {
  uint8_t ks[RC_LINK_KEY_LEN], kr[RC_LINK_KEY_LEN], h[RC_NOISE_HASH_LEN];
  rc_noise_hs_split(&link->hs, ks, kr, h);
  link->tx_aead = rc_aead_new(ks);
  link->rx_aead = rc_aead_new(kr);
  OPENSSL_cleanse(ks, sizeof ks);
  OPENSSL_cleanse(kr, sizeof kr);
  link->sid = link->hs_sid;
  return link->tx_aead && link->rx_aead ? 0 : RC_ENOMEM;
}

void rc_link__went_up(struct rc_link *link, uint64_t now) {
  link->st = ST_UP;
  link->up_at = link->last_rx = now;
  link->stats.handshakes++;
  window_reset(link);
  rc_link__push_event(link, RC_LINK_EV_UP);
  if (link->q_len)
    link->data_due = true;
}

/* Reads a handshake message and checks its payload names our peer.
 * Returns true when it authenticated; otherwise a violation was raised. */
static bool read_handshake(struct rc_link *link, const struct rc_wire_link_frame *f,
                           const uint8_t *raw, size_t rawlen) {
  uint8_t pl[HS_FRAME_MAX];
  size_t plen = 0;
  const char *what = link->initiator ? "handshake-resp" : "handshake-init";
  int rc = f->body_len > HS_FRAME_MAX
               ? RC_EMALFORMED
               : rc_noise_hs_read(&link->hs, f->body, f->body_len, pl,
                                  sizeof pl, &plen);
  if (rc == RC_EMALFORMED) {
    rc_link__violation(link, RC_LINK_VIOLATION_MALFORMED, raw, rawlen,
                       "%s body of %zu bytes", what, f->body_len);
    return false;
  }
  if (rc) {
    rc_link__violation(link, RC_LINK_VIOLATION_HANDSHAKE_PEER_KEY, raw, rawlen,
                       "%s does not authenticate against %s's static key", what,
                       link->peer_name);
    return false;
  }
  Ringca__HandshakePayload *hp = NULL;
  struct rc_wire_error werr = {0};
  rc = rc_wire_decode_handshake_payload(pl, plen, &hp, &werr);
  if (rc) {
    rc_link__violation(link,
                       rc == RC_EVERSION ? RC_LINK_VIOLATION_VERSION
                                         : RC_LINK_VIOLATION_MALFORMED,
                       raw, rawlen, "%s: bad %s (%s)", what,
                       werr.field ? werr.field : "HandshakePayload",
                       rc_err_name(rc));
    return false;
  }
  bool same = strcmp(hp->node, link->peer_name) == 0;
  if (!same)
    rc_link__violation(link, RC_LINK_VIOLATION_HANDSHAKE_PEER_KEY, raw, rawlen,
                       "%s names node \"%.64s\", topology expects \"%s\"", what,
                       hp->node, link->peer_name);
  rc_pb_free(&hp->base);
  return same;
}

static void on_init(struct rc_link *link, const struct rc_wire_link_frame *f,
                    const uint8_t *raw, size_t rawlen, uint64_t now) {
  if (link->initiator) {
    rc_link__violation(link, RC_LINK_VIOLATION_UNEXPECTED_TYPE, raw, rawlen,
                       "handshake-init sent to the initiating side");
    return;
  }
  /* A confirmed session is only replaced by a peer restart, at most once
   * per rehandshake_min_ns; an unconfirmed one may be replaced freely (our
   * RESP may have been lost to noise). */
  /* An INIT naming the session we are in is the replay of that session's
   * own INIT (an initiator draws a fresh id for every attempt). */
  if ((link->st == ST_UP || link->st == ST_HS_CONFIRM) &&
      f->session_id == link->sid) {
    link->stats.stale++;
    return;
  }
  if (link->st == ST_UP && now - link->up_at < link->cfg.rehandshake_min_ns) {
    link->stats.rate_limited++;
    return;
  }
  uint8_t pro[PROLOGUE_MAX];
  size_t plen = prologue(link, f->session_id, pro);
  struct rc_noise_hs hs;
  if (rc_noise_hs_init(&hs, false, pro, plen, link->cfg.local_static_priv,
                       link->cfg.peer_static_pub))
    return;
  bool was_up = link->st == ST_UP;
  struct rc_noise_hs keep = link->hs;
  link->hs = hs;
  if (!read_handshake(link, f, raw, rawlen)) {
    OPENSSL_cleanse(&keep, sizeof keep);
    return;
  }
  struct rc_noise_hs fresh = link->hs;
  OPENSSL_cleanse(&keep, sizeof keep);
  if (was_up)
    go_down(link, RC_LINK_DOWN_PEER_RESTART, now);
  end_session(link);
  link->hs = fresh;
  OPENSSL_cleanse(&fresh, sizeof fresh);
  link->hs_sid = f->session_id;
  if (write_handshake(link,
                      RINGCA__LINK_FRAME_TYPE__LINK_FRAME_HANDSHAKE_RESP) ||
      install_session(link)) {
    end_session(link);
    link->st = ST_HS_WAIT;
    return;
  }
  link->st = ST_HS_CONFIRM;
  link->hs_deadline = now + link->cfg.dead_link_ns;
}

static void on_resp(struct rc_link *link, const struct rc_wire_link_frame *f,
                    const uint8_t *raw, size_t rawlen, uint64_t now) {
  if (!link->initiator) {
    rc_link__violation(link, RC_LINK_VIOLATION_UNEXPECTED_TYPE, raw, rawlen,
                       "handshake-resp sent to the responding side");
    return;
  }
  if (link->st != ST_HS_SENT || f->session_id != link->hs_sid ||
      link->hs.msg != 1) {
    /* Answers an INIT we have since replaced (or a session already up). */
    link->stats.stale++;
    return;
  }
  if (!read_handshake(link, f, raw, rawlen))
    return;
  link->hs_frame_len = 0;
  if (install_session(link)) {
    start_handshake(link, now);
    return;
  }
  rc_link__went_up(link, now);
  /* KK's responder waits for our first transport frame to confirm. */
  link->hb_due = true;
}

/* ------------------------------------------------------------- frame intake */

static void window_push(struct rc_link *link, enum outcome o, uint64_t now) {
  uint32_t w = link->cfg.noise_window;
  if (link->win_fill == w) {
    uint8_t old = link->win[link->win_pos];
    link->win_noise -= old == OUT_NOISE;
    link->win_stale -= old == OUT_STALE;
  } else {
    link->win_fill++;
  }
  link->win[link->win_pos] = (uint8_t)o;
  link->win_pos = (link->win_pos + 1) % w;
  link->win_noise += o == OUT_NOISE;
  link->win_stale += o == OUT_STALE;
  if (link->st != ST_UP)
    return;
  if (link->win_noise > link->cfg.noise_max_bad)
    go_down(link, RC_LINK_DOWN_NOISY, now);
  else if (link->win_stale > link->cfg.noise_max_bad)
    go_down(link, RC_LINK_DOWN_STALE_FLOOD, now);
}

static void on_frame(struct rc_link *link, const uint8_t *raw, size_t len,
                     uint64_t now) {
  struct rc_wire_link_frame frame, *f = &frame;
  struct rc_wire_error werr = {0};
  if (link->st == ST_IDLE) {
    link->stats.stale++;
    return;
  }
  int rc = rc_wire_view_link_frame(raw, len, f, &werr);
  if (rc) {
    rc_link__violation(link,
                       rc == RC_EVERSION ? RC_LINK_VIOLATION_VERSION
                                         : RC_LINK_VIOLATION_MALFORMED,
                       raw, len, "bad %s (%s)",
                       werr.field ? werr.field : "LinkFrame", rc_err_name(rc));
    return;
  }
  uint64_t stale_before = link->stats.stale;
  switch (f->type) {
  case RINGCA__LINK_FRAME_TYPE__LINK_FRAME_HANDSHAKE_INIT:
    on_init(link, f, raw, len, now);
    break;
  case RINGCA__LINK_FRAME_TYPE__LINK_FRAME_HANDSHAKE_RESP:
    on_resp(link, f, raw, len, now);
    break;
  default: /* TRANSPORT; the decoder refused every other type */
    if ((link->st == ST_UP || link->st == ST_HS_CONFIRM) &&
        f->session_id == link->sid)
      rc_link__on_transport(link, f, raw, len, now);
    else
      link->stats.stale++;
    break;
  }
  if (link->st != ST_STOPPED)
    window_push(link, link->stats.stale > stale_before ? OUT_STALE : OUT_GOOD,
                now);
}

int rc_link_recv(struct rc_link *link, const uint8_t *in, size_t len,
                 uint64_t now) {
  rc_link__free_popped(link);
  if (link->st != ST_STOPPED)
    link->stats.bytes_in += len;
  size_t pos = 0;
  while (pos < len) {
    if (link->st == ST_STOPPED)
      return RC_ESTATE;
    struct rc_frame_event fe;
    pos += rc_frame_decoder_feed(&link->dec, in + pos, len - pos, &fe);
    switch (fe.status) {
    case RC_FRAME_NONE:
      break;
    case RC_FRAME_OK:
      link->stats.frames_in++;
      on_frame(link, fe.payload, fe.len, now);
      break;
    case RC_FRAME_BAD_CRC:
    case RC_FRAME_BAD_COBS:
    case RC_FRAME_TOO_LONG:
      if (fe.status == RC_FRAME_BAD_CRC)
        link->stats.bad_crc++;
      else if (fe.status == RC_FRAME_BAD_COBS)
        link->stats.bad_cobs++;
      else
        link->stats.too_long++;
      window_push(link, OUT_NOISE, now);
      break;
    }
  }
  return link->st == ST_STOPPED ? RC_ESTATE : 0;
}

/* ------------------------------------------------------------------ timers */

static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

uint64_t rc_link_next_deadline(const struct rc_link *link) {
  switch (link->st) {
  case ST_HS_SENT:
  case ST_HS_CONFIRM:
    return link->hs_deadline;
  case ST_UP: {
    /* A heartbeat already due waits for the transmitter, not the clock:
     * reporting its time again would have a runtime whose port is busy
     * with a long frame (a slow line) spin on a deadline that stays now. */
    uint64_t hb = link->hb_due ? UINT64_MAX
                               : link->last_tx + link->cfg.heartbeat_ns;
    uint64_t d = min64(hb, link->last_rx + link->cfg.dead_link_ns);
    return link->rto_at ? min64(d, link->rto_at) : d;
  }
  default:
    return UINT64_MAX;
  }
}

void rc_link_on_deadline(struct rc_link *link, uint64_t now) {
  rc_link__free_popped(link);
  switch (link->st) {
  case ST_HS_SENT:
    if (now >= link->hs_deadline)
      start_handshake(link, now);
    break;
  case ST_HS_CONFIRM:
    if (now >= link->hs_deadline) /* our RESP went unanswered */
      start_handshake(link, now);
    break;
  case ST_UP:
    if (now - link->last_rx >= link->cfg.dead_link_ns) {
      go_down(link, RC_LINK_DOWN_TIMEOUT, now);
      break;
    }
    if (link->rto_at && now >= link->rto_at) {
      link->rto_at = 0;
      link->data_due = true;
    }
    if (now - link->last_tx >= link->cfg.heartbeat_ns)
      link->hb_due = true;
    break;
  default:
    break;
  }
}

/* ------------------------------------------------------------ lifecycle */

static void go_down(struct rc_link *link, enum rc_link_down_reason why,
                    uint64_t now) {
  bool was_up = link->st == ST_UP;
  if (was_up) {
    struct evnode *n = rc_link__push_event(link, RC_LINK_EV_DOWN);
    if (n)
      n->ev.down_reason = why;
  }
  if (why == RC_LINK_DOWN_STOPPED) {
    end_session(link);
    link->st = ST_STOPPED;
  } else if (why != RC_LINK_DOWN_PEER_RESTART) {
    start_handshake(link, now);
  }
}

struct rc_link *rc_link_new(const struct rc_link_config *cfg) {
  assert(cfg->max_frame >= RC_FRAME_PAYLOAD_MIN &&
         cfg->max_frame <= RC_FRAME_PAYLOAD_LIMIT);
  assert(cfg->noise_window > 0 && cfg->noise_window <= RC_LINK_WINDOW_LIMIT);
  assert(cfg->send_queue_max > 0 && cfg->send_queue_max <= RC_LINK_QUEUE_LIMIT);
  assert(cfg->heartbeat_ns > 0 && cfg->dead_link_ns > cfg->heartbeat_ns &&
         cfg->retransmit_ns > 0 && cfg->handshake_retry_ns > 0);
  assert(cfg->rng.fill);
  assert(cfg->local_name && cfg->peer_name);
  assert(strlen(cfg->local_name) <= RC_NAME_MAX &&
         strlen(cfg->peer_name) <= RC_NAME_MAX);
  struct rc_link *link = calloc(1, sizeof *link);
  if (!link)
    return NULL;
  link->cfg = *cfg;
  strcpy(link->local_name, cfg->local_name);
  strcpy(link->peer_name, cfg->peer_name);
  link->cfg.local_name = link->local_name;
  link->cfg.peer_name = link->peer_name;
  size_t mf = cfg->max_frame;
  link->tx_cap = rc_frame_wire_max(mf);
  link->txbuf = malloc(link->tx_cap);
  link->pt = malloc(mf);
  link->ct = malloc(mf);
  link->fbuf = malloc(mf);
  link->last_frame = malloc(mf);
  link->last_data = malloc(mf);
  link->win = calloc(cfg->noise_window, 1);
  link->queue = calloc(cfg->send_queue_max, sizeof *link->queue);
  if (!link->txbuf || !link->pt || !link->ct || !link->fbuf ||
      !link->last_frame || !link->last_data || !link->win || !link->queue ||
      rc_frame_decoder_init(&link->dec, mf) != 0 ||
      rc_noise_pubkey(link->cfg.local_static_priv, link->local_pub) != 0) {
    rc_link_free(link);
    return NULL;
  }
  /* The lower static public key initiates: both ends agree without talking.
   * Equal keys would leave both ends waiting: topology validation refuses
   * a cable whose ends share a key. */
  assert(memcmp(link->local_pub, cfg->peer_static_pub, RC_LINK_KEY_LEN) != 0);
  link->initiator =
      memcmp(link->local_pub, cfg->peer_static_pub, RC_LINK_KEY_LEN) < 0;
  link->st = ST_IDLE;
  return link;
}

void rc_link_free(struct rc_link *link) {
  if (!link)
    return;
  end_session(link);
  rc_link__free_popped(link);
  while (link->ev_head) {
    struct evnode *n = link->ev_head;
    link->ev_head = n->next;
    free(n->owned);
    free(n);
  }
  rc_frame_decoder_free(&link->dec);
  OPENSSL_cleanse(link->cfg.local_static_priv, RC_LINK_KEY_LEN);
  if (link->txbuf)
    OPENSSL_cleanse(link->txbuf, link->tx_cap);
  free(link->txbuf);
  free(link->pt);
  free(link->ct);
  free(link->fbuf);
  free(link->last_frame);
  free(link->last_data);
  free(link->win);
  free(link->queue);
  OPENSSL_cleanse(link, sizeof *link);
  free(link);
}

void rc_link_start(struct rc_link *link, uint64_t now) {
  rc_link__free_popped(link);
  if (link->st == ST_STOPPED)
    return;
  if (link->st == ST_UP)
    go_down(link, RC_LINK_DOWN_LOCAL_RESET, now);
  else
    start_handshake(link, now);
}

void rc_link_reset(struct rc_link *link, uint64_t now) {
  rc_link_start(link, now);
}

void rc_link_stop(struct rc_link *link) {
  rc_link__free_popped(link);
  if (link->st != ST_STOPPED)
    go_down(link, RC_LINK_DOWN_STOPPED, 0);
}

bool rc_link_is_up(const struct rc_link *link) { return link->st == ST_UP; }

size_t rc_link_send_queue_len(const struct rc_link *link) {
  return link->q_len;
}

const struct rc_link_stats *rc_link_stats(const struct rc_link *link) {
  return &link->stats;
}
