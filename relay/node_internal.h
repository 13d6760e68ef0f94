/* Private state of a relay node, shared by node.c (lifecycle, links,
 * events, trip), node_token.c (tokens in and out), node_request.c (our own
 * requests and the destination's idempotency cache) and node_lab.c. */
#ifndef RINGCA_NODE_INTERNAL_H
#define RINGCA_NODE_INTERNAL_H
#include <openssl/evp.h>
#include <stdarg.h>

#include "ringca/node.h"
#include "ringca/ring.h"
#include "ringca/router.h"

struct node_link {
  int topo_link;
  uint32_t peer;
  struct rc_link *link;
  bool up;
};

/* Envelopes taken off a token that the route queue could not hold: they
 * ride on to the next hop rather than being dropped. */
struct carry {
  uint8_t *env;
  size_t len;
};

/* A request this node originated, kept until answered or expired and sent
 * again (same request id) every retry interval. */
struct pending {
  bool used;
  uint8_t request_id[RC_REQUEST_ID_LEN];
  uint32_t dest;
  uint8_t *env;
  size_t len;
  uint64_t deadline_ns, retry_at;
};

/* Destination side: requests already delivered (act once), with our reply
 * once we sent one (answer a repeat with the same reply). */
struct seen_request {
  bool used;
  uint32_t origin;
  uint8_t request_id[RC_REQUEST_ID_LEN];
  uint8_t *reply;
  size_t reply_len;
  uint64_t stamp;
};

struct queued_event {
  struct rc_node_event ev;
  uint8_t *env; /* DELIVER: the envelope, encoded */
  size_t env_len;
};

struct rc_node {
  const struct rc_topology *topo;
  uint32_t self;
  struct rc_rng rng;
  EVP_PKEY *origin_key;    /* our Ed25519 signing key; freed (and so
                              cleansed by OpenSSL) when we trip */
  EVP_PKEY **origin_pubs;  /* per topology node, loaded on first use */
  enum rc_violation_action on_violation;

  struct node_link *links;
  size_t nlinks;
  struct rc_ring *rings;
  size_t nrings;
  struct carry **carry; /* per ring: dynamic array */
  size_t *ncarry;
  struct rc_router router;
  size_t token_header_max; /* largest Token header of any ring */

  struct pending *pending;
  size_t npending_cap, npending;
  struct seen_request *seen;
  size_t nseen_cap;
  uint64_t seen_stamp;

  struct queued_event *events;
  size_t ev_head, ev_count, ev_cap;
  Ringca__Envelope *delivered; /* the current DELIVER event's envelope */

  /* Per-call bookkeeping kept O(work): after a full settle, until
   * quiet_until no ring can forward without a new link or ring event (the
   * earliest end of a held token's rotation pause; 0 while any envelope
   * waits in the router or a carry list). deadline caches
   * rc_node_next_deadline, refreshed by every call that can move a timer. */
  uint64_t quiet_until;
  uint64_t deadline;

  bool tripped;
  uint64_t isolated_since; /* root: UINT64_MAX while some ring is up */
  uint64_t retry_ns, queue_max_age_ns;
  struct rc_node_stats stats;
};

/* What a token violation is about: the RingMessage bytes as received.
 * Hashed (SHA-256, the trip's evidence) only when a violation is reported,
 * so the accepted tokens of normal rotation never pay for the hash. */
struct rc__evidence {
  const uint8_t *data;
  size_t len;
  uint8_t hash[32];
  bool hashed;
};

/* node.c */
const uint8_t *rc__evidence_hash(struct rc__evidence *e);
void rc__node_report(struct rc_node *n, const struct rc_node_trip *t);
void rc__node_settle(struct rc_node *n, uint64_t now);
void rc__node_refresh_deadline(struct rc_node *n);
void rc__node_emit(struct rc_node *n, const struct rc_node_event *ev,
                   uint8_t *env, size_t env_len);
void rc__node_violation(struct rc_node *n, enum rc_trip_cause cause, int ring,
                        int link, uint32_t neighbour, const uint8_t *evidence,
                        const char *fmt, ...) __attribute__((format(printf, 7, 8)));
struct node_link *rc__node_link_to(struct rc_node *n, uint32_t peer);
const char *rc__node_name(const struct rc_node *n, uint32_t node);

/* node_token.c */
void rc__node_on_ring_message(struct rc_node *n, struct node_link *nl,
                              const uint8_t *data, size_t len, uint64_t now);
bool rc__node_pump(struct rc_node *n, size_t ring, uint64_t now);
size_t rc__token_header_max(const struct rc_topology *t);
size_t rc__envelope_cost(size_t len);

/* node_request.c */
const char *rc__envelope_route_error(const struct rc_topology *t,
                                     uint32_t origin, uint32_t dest,
                                     int kind);
void rc__node_deliver(struct rc_node *n, const Ringca__Envelope *env,
                      uint32_t from, uint64_t now);
void rc__node_requests_deadline(struct rc_node *n, uint64_t now);
uint64_t rc__node_requests_next(const struct rc_node *n);
void rc__node_requests_free(struct rc_node *n);
int rc__node_route_local(struct rc_node *n, uint32_t dest, uint8_t *env,
                         size_t len, const uint8_t request_id[16],
                         uint64_t now);

#endif
