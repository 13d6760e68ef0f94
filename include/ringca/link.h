/* The secure serial link (layer 3 of docs/architecture.md): one per cable.
 *
 * Sans-I/O, in the manner of ngtcp2: the caller feeds received bytes and the
 * current monotonic time, takes bytes to transmit, arms one timer from
 * rc_link_next_deadline(), and drains events. The link never reads a clock,
 * touches a file descriptor or calls back into the caller; randomness comes
 * from the rc_rng in its config. Times are nanoseconds on the caller's
 * monotonic clock.
 *
 * Wire: COBS frames (frame.h) carrying LinkFrame (proto/ringca.proto); a
 * Noise_KK_25519_ChaChaPoly_SHA256 handshake, then AEAD-sealed LinkPayloads
 * with a reliable, acknowledged DATA stream. docs/protocol.md has the state
 * machine and every violation reason. */
#ifndef RINGCA_LINK_H
#define RINGCA_LINK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringca/rng.h"

#define RC_LINK_KEY_LEN 32u
#define RC_LINK_EVIDENCE_LEN 32u  /* SHA-256 of the offending frame */

/* Why a link went down. None of these trips the node. */
#define RC_LINK_DOWN_MAP(XX)                                                 \
  XX(TIMEOUT, "timeout")          /* silence past the dead-link timeout */   \
  XX(NOISY, "noisy")              /* bad-frame rate past the threshold */    \
  XX(STALE_FLOOD, "stale-flood")  /* too many stale-session frames */        \
  XX(PEER_RESTART, "peer-restart")/* peer re-handshook: new session */       \
  XX(LOCAL_RESET, "local-reset")  /* caller asked (rc_link_reset) */         \
  XX(STOPPED, "stopped")          /* rc_link_stop (e.g. node tripped) */

/* Why a frame is a violation: it passed CRC but cannot come from an honest
 * peer on this session. The node trips on these (docs/protocol.md). */
#define RC_LINK_VIOLATION_MAP(XX)                                            \
  XX(AUTH, "auth")                            /* AEAD open failed */         \
  XX(REPLAY, "replay")                        /* counter went backwards */   \
  XX(COUNTER_GAP, "counter-gap")              /* reliable seq skipped */     \
  XX(UNEXPECTED_TYPE, "unexpected-type")      /* not valid in this state */  \
  XX(HANDSHAKE_PEER_KEY, "handshake-peer-key")/* KK failed vs topology key */\
  XX(MALFORMED, "malformed")                  /* bad LinkFrame/LinkPayload */\
  XX(VERSION, "version")                      /* unknown wire version */

enum rc_link_down_reason {
#define RC_LINK_DOWN_ENUM_(name, str) RC_LINK_DOWN_##name,
  RC_LINK_DOWN_MAP(RC_LINK_DOWN_ENUM_)
#undef RC_LINK_DOWN_ENUM_
};

enum rc_link_violation {
#define RC_LINK_VIOLATION_ENUM_(name, str) RC_LINK_VIOLATION_##name,
  RC_LINK_VIOLATION_MAP(RC_LINK_VIOLATION_ENUM_)
#undef RC_LINK_VIOLATION_ENUM_
};

const char *rc_link_down_reason_name(enum rc_link_down_reason r);
const char *rc_link_violation_name(enum rc_link_violation v);

struct rc_link_config {
  const char *local_name;  /* for HandshakePayload.node and messages */
  const char *peer_name;
  uint8_t local_static_priv[RC_LINK_KEY_LEN];  /* X25519; wiped by the link */
  uint8_t peer_static_pub[RC_LINK_KEY_LEN];
  size_t max_frame;            /* frame payload limit (topology frame_size) */
  uint64_t heartbeat_ns;
  uint64_t dead_link_ns;
  uint64_t retransmit_ns;
  uint64_t handshake_retry_ns;
  uint64_t rehandshake_min_ns; /* rate limit on peer-restart handshakes */
  uint32_t send_queue_max;     /* payloads queued before RC_EAGAIN */
  uint32_t noise_window;       /* frames in the noise window */
  uint32_t noise_max_bad;      /* bad frames in the window that take it down */
  struct rc_rng rng;
};

enum rc_link_event_type {
  RC_LINK_EV_NONE = 0,
  RC_LINK_EV_UP,         /* handshake complete, a new session */
  RC_LINK_EV_DOWN,       /* .down_reason; queued payloads were discarded */
  RC_LINK_EV_DELIVER,    /* .data/.len: one reliable payload, in order */
  RC_LINK_EV_VIOLATION,  /* .violation, .detail, .evidence; link is stopped */
};

struct rc_link_event {
  enum rc_link_event_type type;
  enum rc_link_down_reason down_reason;
  enum rc_link_violation violation;
  const uint8_t *data;  /* valid until the next rc_link_* call */
  size_t len;
  uint8_t evidence[RC_LINK_EVIDENCE_LEN];
  char detail[160];     /* e.g. "counter 41 after 57" */
};

struct rc_link_stats {
  uint64_t frames_in, frames_out, bytes_in, bytes_out;
  uint64_t bad_crc, bad_cobs, too_long;   /* line noise */
  uint64_t stale;                         /* other session: dropped */
  uint64_t retransmits, duplicates, handshakes, payloads_in, payloads_out;
  uint64_t rate_limited;                  /* peer-restart INITs refused */
};

struct rc_link;

/* Bounds on config values that size allocations. */
#define RC_LINK_WINDOW_LIMIT 65536u
#define RC_LINK_QUEUE_LIMIT 65536u

/* Returns NULL on allocation failure. The config is copied, its private key
 * wiped from the caller-owned struct is the caller's job. An invalid config
 * (frame size outside limits.h, zero timers, dead_link_ns <= heartbeat_ns,
 * both ends with one key) is caller misuse: assert(). */
struct rc_link *rc_link_new(const struct rc_link_config *cfg);
void rc_link_free(struct rc_link *link);

/* Starts (or restarts) handshaking; fresh ephemeral keys every time. */
void rc_link_start(struct rc_link *link, uint64_t now_ns);

/* Bytes received from the line, in any chunking. Returns 0, or RC_ESTATE
 * after a violation/stop. Events are queued for rc_link_next_event. */
int rc_link_recv(struct rc_link *link, const uint8_t *in, size_t len,
                 uint64_t now_ns);

/* Copies up to cap bytes that should go on the line next into out. Returns
 * the count (0 = nothing to send now). */
size_t rc_link_pending_tx(struct rc_link *link, uint8_t *out, size_t cap,
                          uint64_t now_ns);

/* Queues one payload for reliable, in-order delivery. RC_EAGAIN when the
 * send queue is full (back-pressure), RC_ETOOBIG past the frame limit,
 * RC_ESTATE when the link is not up. */
int rc_link_send(struct rc_link *link, const uint8_t *payload, size_t len,
                 uint64_t now_ns);

/* Next deadline (UINT64_MAX: none) and its handler. */
uint64_t rc_link_next_deadline(const struct rc_link *link);
void rc_link_on_deadline(struct rc_link *link, uint64_t now_ns);

/* Pops one event; returns false when there is none. */
bool rc_link_next_event(struct rc_link *link, struct rc_link_event *ev);
/* Whether rc_link_next_event would return one (pops nothing). */
bool rc_link_has_event(const struct rc_link *link);

/* Takes the link down now (wipes session keys) and starts a new handshake. */
void rc_link_reset(struct rc_link *link, uint64_t now_ns);
/* Takes the link down for good (a tripped node): wipes keys, sends nothing. */
void rc_link_stop(struct rc_link *link);

bool rc_link_is_up(const struct rc_link *link);
/* Largest payload rc_link_send accepts: max_frame minus the link's framing
 * overhead (docs/protocol.md). */
size_t rc_link_max_payload(const struct rc_link *link);
size_t rc_link_send_queue_len(const struct rc_link *link);
const struct rc_link_stats *rc_link_stats(const struct rc_link *link);

#endif
