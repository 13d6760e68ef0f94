/* The relay node: the same core on every front-end, intermediate and root.
 *
 * A node owns one rc_link per cable it is an end of, its ring positions and
 * its router. Sans-I/O like the link (ngtcp2's boundary): the caller feeds
 * bytes per cable and the monotonic time, takes bytes to write per cable,
 * arms one timer from rc_node_next_deadline(), and drains events. The libuv
 * runtime (ringca-node) and the simulator (ringca-sim) drive this same code.
 *
 * Cables are identified by their index in topo->links; only cables this node
 * is an end of are valid. docs/protocol.md has the ring and trip rules. */
#ifndef RINGCA_NODE_H
#define RINGCA_NODE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringca/link.h"
#include "ringca/rng.h"
#include "ringca/topology.h"
#include "ringca.pb-c.h"

/* Why a node tripped. Everything but ISOLATION and EXTERNAL is a violation
 * received from a neighbour. */
#define RC_TRIP_CAUSE_MAP(XX)                                                 \
  XX(LINK_VIOLATION, "link-violation")   /* see rc_link_violation */          \
  XX(WRONG_SEQ, "wrong-seq")             /* token seq not the expected one */ \
  XX(WRONG_EPOCH, "wrong-epoch")         /* epoch lower, or higher from a    \
                                            node that is not the predecessor */\
  XX(OUT_OF_TURN, "out-of-turn")         /* token from a node not due now */  \
  XX(SECOND_TOKEN, "second-token")       /* a token while one is held */      \
  XX(MALFORMED_TOKEN, "malformed-token") /* RingMessage failed to decode */   \
  XX(BAD_ENVELOPE, "bad-envelope")       /* envelope malformed or misrouted */\
  XX(FORGED_ENVELOPE, "forged-envelope") /* origin signature fails */         \
  XX(ISOLATION, "isolation")             /* root: no ring up for too long */  \
  XX(EXTERNAL, "external")               /* rc_node_trip: e.g. policy fail */

enum rc_trip_cause {
#define RC_TRIP_CAUSE_ENUM_(name, str) RC_TRIP_##name,
  RC_TRIP_CAUSE_MAP(RC_TRIP_CAUSE_ENUM_)
#undef RC_TRIP_CAUSE_ENUM_
};

const char *rc_trip_cause_name(enum rc_trip_cause c);

struct rc_node_config {
  const struct rc_topology *topo;  /* must outlive the node */
  uint32_t self;                   /* index into topo->nodes */
  uint8_t link_priv[32];           /* X25519 static key (copied, caller wipes) */
  uint8_t origin_priv[32];         /* Ed25519 signing key (copied, caller wipes) */
  struct rc_rng rng;
  /* First epoch of the rings this node masters (0 = 1). Members refuse a
   * lower epoch than they saw, so a restarted master must start above its
   * old epochs: the runtime passes wall-clock milliseconds (or a counter
   * persisted in the state directory). */
  uint64_t epoch_base;
};

enum rc_node_event_type {
  RC_NODE_EV_NONE = 0,
  RC_NODE_EV_LINK_UP,     /* .link */
  RC_NODE_EV_LINK_DOWN,   /* .link, .down_reason */
  RC_NODE_EV_RING_UP,     /* .ring, .epoch: master: the token came back
                             (a full rotation); member: it accepted the
                             token of a new epoch */
  RC_NODE_EV_RING_DOWN,   /* .ring: token lost, or a ring cable down */
  RC_NODE_EV_BYPASS,      /* .ring, .neighbour: hub master left a member out */
  RC_NODE_EV_REJOIN,      /* .ring, .neighbour: member taken back */
  RC_NODE_EV_DELIVER,     /* .envelope (.neighbour = its origin,
                             .request_id): addressed to this node, signature
                             verified, a request delivered once; valid until
                             the next rc_node_next_event or rc_node_free */
  RC_NODE_EV_EXPIRED,     /* .request_id: our request got no answer in time */
  RC_NODE_EV_TRIP,        /* .trip: the node stopped; nothing more happens */
  RC_NODE_EV_VIOLATION,   /* .trip: policy on_violation = log: reported, the
                             offending message dropped, the node runs on */
};

struct rc_node_trip {
  enum rc_trip_cause cause;
  enum rc_link_violation link_violation; /* cause == LINK_VIOLATION */
  int ring;                 /* topo ring index or -1 */
  int link;                 /* topo link index or -1 */
  char neighbour[RC_NAME_MAX + 1];  /* who sent the offending traffic */
  uint8_t evidence[32];     /* SHA-256 of the offending frame or token */
  char detail[256];         /* "token seq 17, expected 15 from fe2" */
};

struct rc_node_event {
  enum rc_node_event_type type;
  int link;
  int ring;
  uint64_t epoch;
  enum rc_link_down_reason down_reason;
  char neighbour[RC_NAME_MAX + 1];
  const Ringca__Envelope *envelope;
  uint8_t request_id[16];
  struct rc_node_trip trip;
};

struct rc_node;

/* Builds a node and checks what the core relies on (rc_topology_validate,
 * the node's keys match its topology entry, ...). On failure returns a
 * negative RC_E* and writes one sentence into err. */
int rc_node_new(const struct rc_node_config *cfg, struct rc_node **out,
                char *err, size_t errlen);
void rc_node_free(struct rc_node *node);

/* Starts every link's handshake and (as master) every ring it masters. */
void rc_node_start(struct rc_node *node, uint64_t now_ns);

int rc_node_recv(struct rc_node *node, uint32_t link, const uint8_t *in,
                 size_t len, uint64_t now_ns);
size_t rc_node_pending_tx(struct rc_node *node, uint32_t link, uint8_t *out,
                          size_t cap, uint64_t now_ns);

uint64_t rc_node_next_deadline(const struct rc_node *node);
void rc_node_on_deadline(struct rc_node *node, uint64_t now_ns);
/* Any rc_node_* call may queue events (also pending_tx and submit): drain
 * after each. */
bool rc_node_next_event(struct rc_node *node, struct rc_node_event *ev);

/* Originates an envelope signed with this node's origin key: a front-end's
 * CERT_REQUEST to the root, or the root's CERT_REPLY/CERT_REFUSAL back.
 * deadline_ns is on the monotonic clock (the node reports EXPIRED for its
 * own requests past it); deadline_unix_ms travels in the envelope. Requests
 * are retried end to end with the same request_id until answered or
 * expired, so an envelope lost with a token is never lost for good.
 * Returns 0, RC_EAGAIN (route queue or pending requests full), RC_ENOROUTE
 * (unreachable even with every ring up), RC_ETOOBIG (can never fit a
 * token), RC_EEXIST (request id already pending), RC_ETRIPPED, RC_EINVAL
 * (unknown destination, ourselves, a bad kind, or a kind our role may not
 * send there: requests go front-end -> root, replies root -> front-end,
 * refusals root/intermediate -> front-end). A reply to a request
 * this node delivered is also kept to answer repeats of that request. */
int rc_node_submit(struct rc_node *node, const char *destination,
                   Ringca__EnvelopeKind kind, const uint8_t request_id[16],
                   const uint8_t *payload, size_t len, uint64_t deadline_ns,
                   uint64_t deadline_unix_ms, uint64_t now_ns);

/* The runtime's verdict that a peer is compromised (e.g. the root received a
 * request that fails policy, which front-ends check first): trips now. */
void rc_node_trip(struct rc_node *node, enum rc_trip_cause cause,
                  const char *detail, uint64_t now_ns);
bool rc_node_tripped(const struct rc_node *node);

/* Status for ringca-ctl, the simulator and tests. */
struct rc_node_link_status {
  int link;                 /* topo link index */
  char peer[RC_NAME_MAX + 1];
  bool up;
  struct rc_link_stats stats;
  size_t send_queue;
};
struct rc_node_ring_status {
  int ring;                 /* topo ring index */
  bool up;
  bool master;
  uint64_t epoch;
  uint64_t last_seq;        /* seq of the last token this node accepted */
  size_t active_members;    /* length of the current active order */
  bool holding;             /* between receipt and forwarding */
  bool expecting;           /* a token is due: from expect_from, expect_seq */
  uint64_t expect_seq;
  char expect_from[RC_NAME_MAX + 1];
};
size_t rc_node_link_count(const struct rc_node *node);
void rc_node_link_status(const struct rc_node *node, size_t i,
                         struct rc_node_link_status *out);
size_t rc_node_ring_count(const struct rc_node *node);
void rc_node_ring_status(const struct rc_node *node, size_t i,
                         struct rc_node_ring_status *out);
size_t rc_node_route_queue_len(const struct rc_node *node);

/* Counters for the simulator's checks and ringca-ctl. */
struct rc_node_stats {
  uint64_t tokens_in, tokens_out;
  uint64_t envelopes_delivered, envelopes_relayed;
  uint64_t retries;             /* our requests sent again */
  uint64_t duplicate_replies;   /* replies dropped: already answered */
  uint64_t repeat_requests;     /* requests seen again at the destination */
  uint64_t ttl_expired;         /* relays dropped at ttl 0 */
  uint64_t queue_expired;       /* relays dropped after waiting too long */
  uint64_t violations_logged;   /* under on_violation = log */
};
void rc_node_stats(const struct rc_node *node, struct rc_node_stats *out);

#ifdef RINGCA_LAB
/* Lab only (libringca_lab, never in production builds): sends `msg` as one
 * RingMessage on `link` through the real secure link, bypassing the ring
 * state machine: what a compromised node's core could emit. The simulator's
 * compromise steps and the fault-injection tests use it. 0, RC_EINVAL (not
 * our cable), RC_ESTATE (link down), RC_EAGAIN, RC_ETOOBIG. */
int rc_node_inject_ring_message(struct rc_node *node, uint32_t link,
                                const uint8_t *msg, size_t len,
                                uint64_t now_ns);
#endif

#endif
