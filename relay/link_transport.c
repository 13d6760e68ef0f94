/* Sealed transport of the secure link: LinkPayload under ChaCha20-Poly1305
 * with the header as associated data, the stop-and-wait reliable stream,
 * and the transmit side drained by rc_link_pending_tx (docs/protocol.md,
 * "Secure link"). */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "link_internal.h"
#include "ringca/error.h"
#include "ringca/pb.h"
#include "ringca/wire.h"

/* ---------------------------------------------------------------- encoding */

static void header_ad(uint8_t ad[AD_LEN], uint32_t type, uint32_t sid,
                      uint64_t ctr) {
  /* Fixed layout, little-endian: version u32 | type u32 | session u32 |
   * counter u64. Binds the header without trusting protobuf canonicality. */
  uint32_t v[3] = {RC_WIRE_VERSION, type, sid};
  for (int i = 0; i < 3; i++)
    for (int b = 0; b < 4; b++)
      ad[4 * i + b] = (uint8_t)(v[i] >> (8 * b));
  for (int b = 0; b < 8; b++)
    ad[12 + b] = (uint8_t)(ctr >> (8 * b));
}

/* Encodes a LinkFrame (by hand: no sizing pass, no allocation) and
 * COBS-frames it into out. Returns the wire length. */
size_t rc_link__encode_frame(struct rc_link *link, uint32_t type, uint32_t sid,
                             uint64_t ctr, const uint8_t *body, size_t blen,
                             uint8_t *out, size_t cap) {
  const struct rc_wire_link_frame f = {RC_WIRE_VERSION,
                                       (Ringca__LinkFrameType)type,
                                       sid,
                                       ctr,
                                       body,
                                       blen};
  /* LinkFrame header: at most 22 bytes below 2 MiB (LINK_OVERHEAD). */
  assert(blen + 22u <= link->cfg.max_frame);
  size_t n = rc_wire_encode_link_frame(&f, link->fbuf);
  long w = rc_frame_encode(link->fbuf, n, out, cap);
  assert(w > 0);
  link->stats.frames_out++;
  link->stats.bytes_out += (uint64_t)w;
  return (size_t)w;
}

/* Seals one LinkPayload into txbuf under the next counter. */
static void emit_transport(struct rc_link *link, Ringca__LinkPayloadKind kind,
                           uint64_t seq, const uint8_t *data, size_t len,
                           uint64_t now) {
  const struct rc_wire_link_payload p = {kind, seq, link->delivered, data,
                                         len};
  /* LinkPayload header (28) + LinkFrame header (22) + tag (16). */
  assert(len + LINK_OVERHEAD <= link->cfg.max_frame);
  size_t plen = rc_wire_encode_link_payload(&p, link->pt);
  /* Noise reserves nonce 2^64-1; at 11,520 B/s it is never reached, and if
   * it were the link falls silent and the peer's dead-link timer re-keys. */
  if (link->tx_ctr == UINT64_MAX)
    return;
  uint8_t ad[AD_LEN];
  uint64_t ctr = link->tx_ctr++;
  header_ad(ad, RINGCA__LINK_FRAME_TYPE__LINK_FRAME_TRANSPORT, link->sid, ctr);
  if (rc_aead_seal(link->tx_aead, ctr, ad, AD_LEN, link->pt, plen, link->ct)) {
    /* EVP failing on fixed-size input means the library is broken: send
     * nothing rather than something unsealed; the peer will time out. */
    return;
  }
  link->tx_len = rc_link__encode_frame(
      link, RINGCA__LINK_FRAME_TYPE__LINK_FRAME_TRANSPORT, link->sid, ctr,
      link->ct, plen + RC_NOISE_TAG_LEN, link->txbuf, link->tx_cap);
  link->tx_off = 0;
  link->tx_is_data = kind == RINGCA__LINK_PAYLOAD_KIND__LINK_PAYLOAD_DATA;
  link->ack_due = false;
  link->hb_due = false;
  link->last_tx = now;
}

/* ---------------------------------------------------------------- transport */

/* Queues a DELIVER event. False when memory ran out: the payload is then
 * neither delivered nor acknowledged, so the peer retransmits it. */
static bool deliver(struct rc_link *link, const uint8_t *data, size_t len) {
  uint8_t *copy = malloc(len ? len : 1);
  if (!copy)
    return false;
  struct evnode *n = rc_link__push_event(link, RC_LINK_EV_DELIVER);
  if (!n) {
    free(copy);
    return false;
  }
  if (len)
    memcpy(copy, data, len);
  n->owned = copy;
  n->ev.data = copy;
  n->ev.len = len;
  link->stats.payloads_in++;
  return true;
}

/* The peer's cumulative ack. Returns false after raising a violation. */
static bool on_ack(struct rc_link *link, uint64_t ack, const uint8_t *raw,
                   size_t rawlen) {
  uint64_t sent = link->acked + (link->head_sent_once ? 1 : 0);
  if (ack < link->acked) {
    rc_link__violation(link, RC_LINK_VIOLATION_REPLAY, raw, rawlen,
                       "ack %llu after %llu", (unsigned long long)ack,
                       (unsigned long long)link->acked);
    return false;
  }
  if (ack > sent) {
    rc_link__violation(link, RC_LINK_VIOLATION_COUNTER_GAP, raw, rawlen,
                       "ack %llu beyond highest sent seq %llu",
                       (unsigned long long)ack, (unsigned long long)sent);
    return false;
  }
  if (ack == sent && link->head_sent_once) {
    struct qitem *q = &link->queue[link->q_head];
    OPENSSL_clear_free(q->data, q->len);
    q->data = NULL;
    link->q_head = (link->q_head + 1) % link->cfg.send_queue_max;
    link->q_len--;
    link->acked = ack;
    link->head_sent_once = false;
    link->rto_at = 0;
    link->data_due = link->q_len > 0;
    link->stats.payloads_out++;
  }
  return true;
}

static void on_data(struct rc_link *link, const struct rc_wire_link_payload *p,
                    const uint8_t *raw, size_t rawlen) {
  unsigned long long seq = p->seq, last = link->delivered;
  if (p->seq == link->delivered + 1) {
    if (!deliver(link, p->data, p->data_len))
      return;
    link->delivered = p->seq;
    if (p->data_len)
      memcpy(link->last_data, p->data, p->data_len);
    link->last_data_len = p->data_len;
    link->ack_due = true;
  } else if (p->seq == 0) {
    rc_link__violation(link, RC_LINK_VIOLATION_MALFORMED, raw, rawlen,
                       "LinkPayload.seq 0 on a DATA payload");
  } else if (p->seq == link->delivered) {
    if (p->data_len != link->last_data_len ||
        (p->data_len &&
         memcmp(p->data, link->last_data, p->data_len) != 0)) {
      rc_link__violation(link, RC_LINK_VIOLATION_REPLAY, raw, rawlen,
                         "seq %llu re-sent with different data", seq);
      return;
    }
    link->stats.duplicates++; /* our ACK was lost: ack again */
    link->ack_due = true;
  } else if (p->seq < link->delivered) {
    rc_link__violation(link, RC_LINK_VIOLATION_REPLAY, raw, rawlen,
                       "seq %llu after %llu", seq, last);
  } else {
    rc_link__violation(link, RC_LINK_VIOLATION_COUNTER_GAP, raw, rawlen,
                       "seq %llu after %llu", seq, last);
  }
}

/* A transport frame naming the current (or pending) session. */
void rc_link__on_transport(struct rc_link *link,
                           const struct rc_wire_link_frame *f,
                           const uint8_t *raw, size_t rawlen, uint64_t now) {
  unsigned long long ctr = f->counter, last = link->rx_ctr;
  if (link->rx_any && f->counter <= link->rx_ctr) {
    if (f->counter == link->rx_ctr && rawlen == link->last_frame_len &&
        memcmp(raw, link->last_frame, rawlen) == 0) {
      link->stats.duplicates++;
      link->ack_due = link->delivered > 0;
      return;
    }
    rc_link__violation(link, RC_LINK_VIOLATION_REPLAY, raw, rawlen,
                       "counter %llu after %llu", ctr, last);
    return;
  }
  uint8_t ad[AD_LEN];
  header_ad(ad, f->type, f->session_id, f->counter);
  if (f->body_len < RC_NOISE_TAG_LEN ||
      rc_aead_open(link->rx_aead, f->counter, ad, AD_LEN, f->body,
                   f->body_len, link->pt) != 0) {
    rc_link__violation(link, RC_LINK_VIOLATION_AUTH, raw, rawlen,
                       "transport frame counter %llu of session %08x fails "
                       "authentication",
                       ctr, (unsigned)f->session_id);
    return;
  }
  size_t plen = f->body_len - RC_NOISE_TAG_LEN;
  struct rc_wire_link_payload payload, *p = &payload;
  struct rc_wire_error werr = {0};
  int rc = rc_wire_view_link_payload(link->pt, plen, link->cfg.max_frame, p,
                                     &werr);
  if (rc) {
    rc_link__violation(link, RC_LINK_VIOLATION_MALFORMED, raw, rawlen,
                       "sealed payload: bad %s (%s)",
                       werr.field ? werr.field : "LinkPayload",
                       rc_err_name(rc));
    return;
  }
  link->rx_ctr = f->counter;
  link->rx_any = true;
  memcpy(link->last_frame, raw, rawlen);
  link->last_frame_len = rawlen;
  link->last_rx = now;
  if (link->st == ST_HS_CONFIRM)
    rc_link__went_up(link, now);
  bool data = p->kind == RINGCA__LINK_PAYLOAD_KIND__LINK_PAYLOAD_DATA;
  if (!data && (p->seq != 0 || p->data_len != 0))
    rc_link__violation(link, RC_LINK_VIOLATION_MALFORMED, raw, rawlen,
                       "%s payload carries seq %llu and %zu data bytes",
                       p->kind == RINGCA__LINK_PAYLOAD_KIND__LINK_PAYLOAD_ACK
                           ? "ACK"
                           : "HEARTBEAT",
                       (unsigned long long)p->seq, p->data_len);
  else if (on_ack(link, p->ack, raw, rawlen) && data)
    on_data(link, p, raw, rawlen);
}

/* ----------------------------------------------------------- transmit side */

size_t rc_link_pending_tx(struct rc_link *link, uint8_t *out, size_t cap,
                          uint64_t now) {
  rc_link__free_popped(link);
  if (link->st == ST_STOPPED || link->st == ST_IDLE)
    return 0;
  size_t done = 0;
  while (done < cap) {
    if (link->tx_off == link->tx_len) {
      link->tx_off = link->tx_len = 0;
      if (link->hs_frame_len) {
        memcpy(link->txbuf, link->hs_frame, link->hs_frame_len);
        link->tx_len = link->hs_frame_len;
        link->hs_frame_len = 0;
        link->tx_is_data = false;
      } else if (link->st == ST_UP && link->data_due) {
        struct qitem *q = &link->queue[link->q_head];
        if (link->head_sent_once)
          link->stats.retransmits++;
        emit_transport(link, RINGCA__LINK_PAYLOAD_KIND__LINK_PAYLOAD_DATA,
                       link->acked + 1, q->data, q->len, now);
        link->head_sent_once = true;
        link->data_due = false;
      } else if (link->st == ST_UP && link->ack_due) {
        emit_transport(link, RINGCA__LINK_PAYLOAD_KIND__LINK_PAYLOAD_ACK, 0,
                       NULL, 0, now);
      } else if (link->st == ST_UP &&
                 (link->hb_due ||
                  now - link->last_tx >= link->cfg.heartbeat_ns)) {
        emit_transport(link, RINGCA__LINK_PAYLOAD_KIND__LINK_PAYLOAD_HEARTBEAT,
                       0, NULL, 0, now);
      }
      if (link->tx_len == 0)
        break;
    }
    size_t n = link->tx_len - link->tx_off;
    if (n > cap - done)
      n = cap - done;
    memcpy(out + done, link->txbuf + link->tx_off, n);
    link->tx_off += n;
    done += n;
    /* The retransmission clock starts when the last byte leaves, so a
     * slow line does not cause spurious retransmissions. */
    if (link->tx_off == link->tx_len && link->tx_is_data) {
      link->rto_at = now + link->cfg.retransmit_ns;
      link->tx_is_data = false;
    }
  }
  return done;
}

int rc_link_send(struct rc_link *link, const uint8_t *payload, size_t len,
                 uint64_t now) {
  (void)now;
  rc_link__free_popped(link);
  if (link->st != ST_UP)
    return RC_ESTATE;
  if (len > rc_link_max_payload(link))
    return RC_ETOOBIG;
  if (link->q_len >= link->cfg.send_queue_max)
    return RC_EAGAIN;
  uint8_t *copy = malloc(len ? len : 1);
  if (!copy)
    return RC_ENOMEM;
  if (len)
    memcpy(copy, payload, len);
  struct qitem *q =
      &link->queue[(link->q_head + link->q_len) % link->cfg.send_queue_max];
  q->data = copy;
  q->len = len;
  if (link->q_len++ == 0)
    link->data_due = true;
  return 0;
}
