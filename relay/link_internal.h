/* Private to relay/link*.c: the rc_link object shared by the handshake and
 * lifecycle code (link.c) and the sealed transport and ARQ (link_transport.c).
 * Not for other modules: they use include/ringca/link.h. */
#ifndef RINGCA_RELAY_LINK_INTERNAL_H
#define RINGCA_RELAY_LINK_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringca.pb-c.h"
#include "ringca/frame.h"
#include "ringca/limits.h"
#include "ringca/link.h"
#include "ringca/noise.h"
#include "ringca/wire.h"

#define PROLOGUE_TAG "ringca-link-v1"
#define AD_LEN 20u
#define HS_PAYLOAD_MAX 128u
#define HS_FRAME_MAX 256u

enum state {
  ST_IDLE,       /* not started: input is dropped */
  ST_HS_SENT,    /* initiator: INIT sent, waiting for RESP */
  ST_HS_WAIT,    /* responder: waiting for INIT */
  ST_HS_CONFIRM, /* responder: RESP sent, waiting for the first transport */
  ST_UP,
  ST_STOPPED, /* violation or rc_link_stop: accepts and sends nothing */
};

enum outcome { OUT_GOOD, OUT_NOISE, OUT_STALE };

struct evnode {
  struct rc_link_event ev;
  uint8_t *owned;
  struct evnode *next;
};

struct qitem {
  uint8_t *data;
  size_t len;
};

struct rc_link {
  struct rc_link_config cfg;
  char local_name[RC_NAME_MAX + 1], peer_name[RC_NAME_MAX + 1];
  uint8_t local_pub[RC_LINK_KEY_LEN];
  bool initiator;
  enum state st;

  /* Handshake in progress. */
  struct rc_noise_hs hs;
  uint32_t hs_sid;
  uint64_t hs_deadline; /* initiator: retry; responder: give up confirming */
  uint8_t hs_frame[HS_FRAME_MAX + 64];
  size_t hs_frame_len; /* wire bytes waiting to go out, 0 = none */

  /* Current (or, in ST_HS_CONFIRM, pending) session. */
  uint32_t sid, prev_sid;
  struct rc_aead *tx_aead, *rx_aead;
  uint64_t tx_ctr, rx_ctr;
  bool rx_any;
  uint64_t up_at, last_rx, last_tx;
  uint8_t *last_frame; /* copy of the last accepted transport frame */
  size_t last_frame_len;

  /* Reliable stream, stop-and-wait: the queue head is seq acked + 1. */
  struct qitem *queue;
  uint32_t q_head, q_len;
  uint64_t acked;
  bool head_sent_once, data_due, ack_due, hb_due;
  uint64_t rto_at; /* 0: no retransmission armed */
  uint64_t delivered;
  uint8_t *last_data; /* copy of the last delivered payload (duplicates) */
  size_t last_data_len;

  /* Transmit: one encoded frame at a time, drained by rc_link_pending_tx. */
  uint8_t *txbuf;
  size_t tx_len, tx_off, tx_cap;
  bool tx_is_data;
  uint8_t *pt, *ct, *fbuf; /* scratch, max_frame bytes each */

  struct rc_frame_decoder dec;
  uint8_t *win; /* outcomes of the last noise_window frames */
  uint32_t win_pos, win_fill, win_noise, win_stale;

  struct evnode *ev_head, *ev_tail, *popped;
  struct rc_link_stats stats;
};

/* Framing overhead bound: LinkFrame header (22) + tag (16) + LinkPayload
 * header (28) at max_frame <= 65536 (docs/protocol.md). */
#define LINK_OVERHEAD 66u

struct evnode *rc_link__push_event(struct rc_link *link,
                                   enum rc_link_event_type type);
void rc_link__free_popped(struct rc_link *link);
/* Raises a violation: event with detail and evidence, session wiped, link
 * stopped for good. */
void rc_link__violation(struct rc_link *link, enum rc_link_violation v,
                        const uint8_t *frame, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void rc_link__went_up(struct rc_link *link, uint64_t now);
/* Packs a LinkFrame and COBS-frames it into out; returns the wire length. */
size_t rc_link__encode_frame(struct rc_link *link, uint32_t type, uint32_t sid,
                             uint64_t ctr, const uint8_t *body, size_t blen,
                             uint8_t *out, size_t cap);
/* Judges a transport frame naming the current (or pending) session. */
void rc_link__on_transport(struct rc_link *link,
                           const struct rc_wire_link_frame *f,
                           const uint8_t *raw, size_t rawlen, uint64_t now);

#endif
