/* The relay node: links, rings and router tied together (ringca/node.h).
 * This file holds the lifecycle, link events, the event queue, the trip and
 * the timers; tokens are in node_token.c, requests in node_request.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "node_internal.h"
#include "ringca/envelope.h"
#include "ringca/error.h"

#define MS 1000000ull

const char *rc__node_name(const struct rc_node *n, uint32_t node) {
  return node < n->topo->nnodes ? n->topo->nodes[node].name : "?";
}

struct node_link *rc__node_link_to(struct rc_node *n, uint32_t peer) {
  for (size_t i = 0; i < n->nlinks; i++)
    if (n->links[i].peer == peer)
      return &n->links[i];
  return NULL;
}

static struct node_link *link_by_topo(struct rc_node *n, uint32_t topo_link) {
  for (size_t i = 0; i < n->nlinks; i++)
    if ((uint32_t)n->links[i].topo_link == topo_link)
      return &n->links[i];
  return NULL;
}

const uint8_t *rc__evidence_hash(struct rc__evidence *e) {
  if (!e->hashed) {
    SHA256(e->data, e->len, e->hash);
    e->hashed = true;
  }
  return e->hash;
}

void rc__node_emit(struct rc_node *n, const struct rc_node_event *ev,
                   uint8_t *env, size_t env_len) {
  if (n->ev_count == n->ev_cap) {
    size_t cap = n->ev_cap ? n->ev_cap * 2 : 32;
    struct queued_event *q = malloc(cap * sizeof *q);
    if (!q) { /* an event we cannot record is dropped, never a crash */
      free(env);
      return;
    }
    for (size_t i = 0; i < n->ev_count; i++)
      q[i] = n->events[(n->ev_head + i) % n->ev_cap];
    free(n->events);
    n->events = q;
    n->ev_cap = cap;
    n->ev_head = 0;
  }
  struct queued_event *slot =
      &n->events[(n->ev_head + n->ev_count++) % n->ev_cap];
  slot->ev = *ev;
  slot->env = env;
  slot->env_len = env_len;
}

/* Trip: every link stops (keys wiped), the signing key is wiped, and from
 * now on the node sends and accepts nothing. */
static void trip_now(struct rc_node *n, const struct rc_node_trip *t) {
  if (n->tripped)
    return;
  n->tripped = true;
  for (size_t i = 0; i < n->nlinks; i++) {
    rc_link_stop(n->links[i].link);
    n->links[i].up = false;
  }
  EVP_PKEY_free(n->origin_key); /* OpenSSL cleanses the private key */
  n->origin_key = NULL;
  struct rc_node_event ev;
  memset(&ev, 0, sizeof ev);
  ev.type = RC_NODE_EV_TRIP;
  ev.ring = t->ring;
  ev.link = t->link;
  snprintf(ev.neighbour, sizeof ev.neighbour, "%s", t->neighbour);
  ev.trip = *t;
  rc__node_emit(n, &ev, NULL, 0);
}

void rc__node_report(struct rc_node *n, const struct rc_node_trip *t) {
  if (n->on_violation == RC_ON_VIOLATION_TRIP ||
      t->cause == RC_TRIP_ISOLATION || t->cause == RC_TRIP_EXTERNAL) {
    trip_now(n, t);
    return;
  }
  n->stats.violations_logged++;
  struct rc_node_event ev;
  memset(&ev, 0, sizeof ev);
  ev.type = RC_NODE_EV_VIOLATION;
  ev.ring = t->ring;
  ev.link = t->link;
  snprintf(ev.neighbour, sizeof ev.neighbour, "%s", t->neighbour);
  ev.trip = *t;
  rc__node_emit(n, &ev, NULL, 0);
}

void rc__node_violation(struct rc_node *n, enum rc_trip_cause cause, int ring,
                        int link, uint32_t neighbour, const uint8_t *evidence,
                        const char *fmt, ...) {
  struct rc_node_trip t;
  memset(&t, 0, sizeof t);
  t.cause = cause;
  t.ring = ring;
  t.link = link;
  if (neighbour != UINT32_MAX)
    snprintf(t.neighbour, sizeof t.neighbour, "%s", rc__node_name(n, neighbour));
  if (evidence)
    memcpy(t.evidence, evidence, sizeof t.evidence);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(t.detail, sizeof t.detail, fmt, ap);
  va_end(ap);
  rc__node_report(n, &t);
}

static void report_first(void *ctx, struct rc_src_pos pos, const char *msg) {
  char **err = ctx;
  (void)pos;
  if (*err && (*err)[0] == '\0')
    snprintf(*err, 256, "topology: %s", msg);
}

static int check_keys(const struct rc_node_config *cfg, char *err,
                      size_t errlen) {
  const struct rc_topo_node *me = &cfg->topo->nodes[cfg->self];
  uint8_t pub[32];
  size_t len = sizeof pub;
  if (rc_ed25519_public(cfg->origin_priv, pub) != 0 ||
      memcmp(pub, me->origin_pub, sizeof pub)) {
    snprintf(err, errlen,
             "origin signing key does not match the origin_pub of node '%s'",
             me->name);
    return RC_EINVAL;
  }
  EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL,
                                             cfg->link_priv, 32);
  bool ok = k && EVP_PKEY_get_raw_public_key(k, pub, &len) == 1 &&
            len == 32 && !memcmp(pub, me->link_pub, 32);
  EVP_PKEY_free(k);
  if (!ok) {
    snprintf(err, errlen,
             "link key does not match the link_pub of node '%s'", me->name);
    return RC_EINVAL;
  }
  return 0;
}

static int make_links(struct rc_node *n, const struct rc_node_config *cfg) {
  const struct rc_topology *t = n->topo;
  n->links = calloc(t->nlinks ? t->nlinks : 1, sizeof *n->links);
  if (!n->links)
    return RC_ENOMEM;
  for (size_t i = 0; i < t->nlinks; i++) {
    const struct rc_topo_link *tl = &t->links[i];
    if (tl->a_node != n->self && tl->b_node != n->self)
      continue;
    uint32_t peer = tl->a_node == n->self ? tl->b_node : tl->a_node;
    struct rc_link_config lc;
    memset(&lc, 0, sizeof lc);
    lc.local_name = t->nodes[n->self].name;
    lc.peer_name = t->nodes[peer].name;
    memcpy(lc.local_static_priv, cfg->link_priv, 32);
    memcpy(lc.peer_static_pub, t->nodes[peer].link_pub, 32);
    lc.max_frame = t->limits.frame_size;
    lc.heartbeat_ns = t->timeouts.heartbeat_ms * MS;
    lc.dead_link_ns = t->timeouts.dead_link_ms * MS;
    lc.retransmit_ns = t->timeouts.retransmit_ms * MS;
    lc.handshake_retry_ns = t->timeouts.handshake_retry_ms * MS;
    lc.rehandshake_min_ns = t->policy.rehandshake_min_ms * MS;
    lc.send_queue_max = t->limits.send_queue;
    lc.noise_window = t->policy.noise_window;
    lc.noise_max_bad = t->policy.noise_max_bad;
    lc.rng = cfg->rng;
    struct node_link *nl = &n->links[n->nlinks];
    nl->link = rc_link_new(&lc);
    OPENSSL_cleanse(lc.local_static_priv, sizeof lc.local_static_priv);
    if (!nl->link)
      return RC_ENOMEM;
    nl->topo_link = (int)i;
    nl->peer = peer;
    n->nlinks++;
  }
  return 0;
}

static int make_rings(struct rc_node *n, const struct rc_node_config *cfg) {
  const struct rc_topology *t = n->topo;
  size_t count = t->nrings ? t->nrings : 1;
  n->rings = calloc(count, sizeof *n->rings);
  n->carry = calloc(count, sizeof *n->carry);
  n->ncarry = calloc(count, sizeof *n->ncarry);
  if (!n->rings || !n->carry || !n->ncarry)
    return RC_ENOMEM;
  struct rc_ring_timing tm = {
      .token_loss_ns = t->timeouts.token_loss_ms * MS,
      .restart_ns = t->timeouts.ring_restart_ms * MS,
      .pause_ns = t->timeouts.rotation_pause_ms * MS,
      .idle_pause_ns = t->timeouts.idle_pause_ms * MS,
      .holdoff_ns = t->timeouts.ring_restart_ms * MS,
      .epoch_base = cfg->epoch_base,
  };
  for (uint32_t r = 0; r < t->nrings; r++)
    if (rc_ring_init(&n->rings[n->nrings], t, r, n->self, &tm) == 0)
      n->nrings++;
  return 0;
}

int rc_node_new(const struct rc_node_config *cfg, struct rc_node **out,
                char *err, size_t errlen) {
  char msg[256] = "";
  char *msgp = msg;
  *out = NULL;
  if (!cfg->topo || cfg->self >= cfg->topo->nnodes) {
    snprintf(err, errlen, "node index %u is not in the topology", cfg->self);
    return RC_EINVAL;
  }
  if (rc_topology_validate(cfg->topo, report_first, &msgp) > 0) {
    snprintf(err, errlen, "%s", msg);
    return RC_EINVAL;
  }
  const struct rc_topology *t = cfg->topo;
  size_t header = rc__token_header_max(t);
  if (t->limits.token_size <= header || t->limits.route_queue == 0 ||
      t->limits.envelope_ttl == 0) {
    snprintf(err, errlen,
             "limits: token_size %u leaves no room past the largest token "
             "header (%zu bytes), or route_queue/envelope_ttl is 0",
             t->limits.token_size, header);
    return RC_EINVAL;
  }
  int rc = check_keys(cfg, err, errlen);
  if (rc)
    return rc;
  struct rc_node *n = calloc(1, sizeof *n);
  if (!n)
    return RC_ENOMEM;
  n->topo = t;
  n->self = cfg->self;
  n->rng = cfg->rng;
  n->origin_key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL,
                                               cfg->origin_priv, 32);
  n->origin_pubs = calloc(t->nnodes + 1, sizeof *n->origin_pubs);
  if (!n->origin_key || !n->origin_pubs) {
    EVP_PKEY_free(n->origin_key);
    free(n->origin_pubs);
    free(n);
    return RC_ENOMEM;
  }
  n->on_violation = t->policy.on_violation[t->nodes[cfg->self].role];
  n->isolated_since = 0;
  /* A request waits for a token, a rotation or two and the signer; retry
   * when the ring it went on has had time to lose and restart its token. */
  n->retry_ns = 2 * (t->timeouts.token_loss_ms + t->timeouts.ring_restart_ms) * MS;
  n->queue_max_age_ns = t->timeouts.request_deadline_ms * MS;
  n->token_header_max = rc__token_header_max(t);
  n->npending_cap = n->nseen_cap = t->limits.route_queue;
  n->pending = calloc(n->npending_cap, sizeof *n->pending);
  n->seen = calloc(n->nseen_cap, sizeof *n->seen);
  rc = n->pending && n->seen ? 0 : RC_ENOMEM;
  if (!rc)
    rc = make_links(n, cfg);
  if (!rc && n->nlinks > 0 &&
      t->limits.token_size > rc_link_max_payload(n->links[0].link)) {
    snprintf(err, errlen,
             "limits: token_size %u exceeds what one link frame carries (%zu "
             "bytes with frame_size %u)",
             t->limits.token_size, rc_link_max_payload(n->links[0].link),
             t->limits.frame_size);
    rc_node_free(n);
    return RC_EINVAL;
  }
  if (!rc)
    rc = make_rings(n, cfg);
  if (!rc)
    rc = rc_router_init(&n->router, t, n->self, n->rings, n->nrings,
                        t->limits.route_queue);
  if (rc) {
    snprintf(err, errlen, "%s", rc_strerror(rc));
    rc_node_free(n);
    return rc;
  }
  rc__node_refresh_deadline(n);
  *out = n;
  return 0;
}

void rc_node_free(struct rc_node *n) {
  if (!n)
    return;
  for (size_t i = 0; i < n->nlinks; i++)
    rc_link_free(n->links[i].link);
  free(n->links);
  for (size_t r = 0; n->carry && r < n->nrings; r++) {
    for (size_t i = 0; i < n->ncarry[r]; i++)
      free(n->carry[r][i].env);
    free(n->carry[r]);
  }
  free(n->carry);
  free(n->ncarry);
  free(n->rings);
  rc_router_free(&n->router);
  rc__node_requests_free(n);
  for (size_t i = 0; i < n->ev_count; i++)
    free(n->events[(n->ev_head + i) % n->ev_cap].env);
  free(n->events);
  if (n->delivered)
    ringca__envelope__free_unpacked(n->delivered, NULL);
  EVP_PKEY_free(n->origin_key);
  for (size_t i = 0; i < n->topo->nnodes; i++)
    EVP_PKEY_free(n->origin_pubs[i]);
  free(n->origin_pubs);
  free(n);
}

static bool any_ring_up(const struct rc_node *n) {
  for (size_t r = 0; r < n->nrings; r++)
    if (n->rings[r].up)
      return true;
  return false;
}

static void handle_link_event(struct rc_node *n, struct node_link *nl,
                              const struct rc_link_event *le, uint64_t now) {
  switch (le->type) {
  case RC_LINK_EV_UP:
  case RC_LINK_EV_DOWN: {
    nl->up = le->type == RC_LINK_EV_UP;
    struct rc_node_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = nl->up ? RC_NODE_EV_LINK_UP : RC_NODE_EV_LINK_DOWN;
    ev.link = nl->topo_link;
    ev.ring = -1;
    ev.down_reason = le->down_reason;
    snprintf(ev.neighbour, sizeof ev.neighbour, "%s", rc__node_name(n, nl->peer));
    rc__node_emit(n, &ev, NULL, 0);
    for (size_t r = 0; r < n->nrings; r++)
      rc_ring_link_change(&n->rings[r], nl->peer, nl->up, now);
    break;
  }
  case RC_LINK_EV_DELIVER:
    rc__node_on_ring_message(n, nl, le->data, le->len, now);
    break;
  case RC_LINK_EV_VIOLATION: {
    struct rc_node_trip t;
    memset(&t, 0, sizeof t);
    t.cause = RC_TRIP_LINK_VIOLATION;
    t.link_violation = le->violation;
    t.ring = -1;
    t.link = nl->topo_link;
    snprintf(t.neighbour, sizeof t.neighbour, "%s", rc__node_name(n, nl->peer));
    memcpy(t.evidence, le->evidence, sizeof t.evidence);
    snprintf(t.detail, sizeof t.detail, "link to %s: %s (%s)",
             rc__node_name(n, nl->peer), rc_link_violation_name(le->violation),
             le->detail);
    rc__node_report(n, &t);
    if (!n->tripped) /* logged: the link stopped itself; start it again */
      rc_link_reset(nl->link, now);
    break;
  }
  case RC_LINK_EV_NONE:
    break;
  }
}

static void handle_ring_event(struct rc_node *n, struct rc_ring *r,
                              const struct rc_ring_event *re, uint64_t now) {
  struct rc_node_event ev;
  memset(&ev, 0, sizeof ev);
  ev.ring = (int)r->index;
  ev.link = -1;
  ev.epoch = re->epoch;
  switch (re->type) {
  case RC_RING_EV_UP:
  case RC_RING_EV_DOWN:
    ev.type = re->type == RC_RING_EV_UP ? RC_NODE_EV_RING_UP
                                        : RC_NODE_EV_RING_DOWN;
    rc__node_emit(n, &ev, NULL, 0);
    /* New shortest paths, or queued work moves to another ring. */
    rc_router_reroute(&n->router);
    if (any_ring_up(n))
      n->isolated_since = UINT64_MAX;
    else if (n->isolated_since == UINT64_MAX)
      n->isolated_since = now;
    break;
  case RC_RING_EV_BYPASS:
  case RC_RING_EV_REJOIN:
    ev.type = re->type == RC_RING_EV_BYPASS ? RC_NODE_EV_BYPASS
                                            : RC_NODE_EV_REJOIN;
    snprintf(ev.neighbour, sizeof ev.neighbour, "%s",
             rc__node_name(n, re->node));
    rc__node_emit(n, &ev, NULL, 0);
    rc_router_reroute(&n->router);
    break;
  case RC_RING_EV_RESET_LINK: {
    struct node_link *nl = rc__node_link_to(n, re->node);
    if (nl)
      rc_link_reset(nl->link, now);
    break;
  }
  }
}

/* Until when rc__node_pump can do nothing for any ring unless an event
 * comes first: a held token's pause end; 0 (no promise) while envelopes
 * wait anywhere, since they hurry a held token. */
static uint64_t quiet_until(const struct rc_node *n) {
  if (n->router.n > 0)
    return 0;
  uint64_t t = UINT64_MAX;
  for (size_t r = 0; r < n->nrings; r++) {
    if (n->ncarry[r])
      return 0;
    if (n->rings[r].holding && n->rings[r].hold_until < t)
      t = n->rings[r].hold_until;
  }
  return t;
}

/* Runs every queued link and ring event and forwards due tokens until
 * nothing more happens. Handlers only queue work into links and rings, so
 * nothing here re-enters itself. */
void rc__node_settle(struct rc_node *n, uint64_t now) {
  for (bool work = true; work && !n->tripped;) {
    work = false;
    for (size_t i = 0; i < n->nlinks && !n->tripped; i++) {
      struct rc_link_event le;
      while (!n->tripped && rc_link_next_event(n->links[i].link, &le)) {
        work = true;
        handle_link_event(n, &n->links[i], &le, now);
      }
    }
    for (size_t r = 0; r < n->nrings && !n->tripped; r++) {
      struct rc_ring_event re;
      while (rc_ring_next_event(&n->rings[r], &re)) {
        work = true;
        handle_ring_event(n, &n->rings[r], &re, now);
      }
    }
    for (size_t r = 0; r < n->nrings && !n->tripped; r++)
      work |= rc__node_pump(n, r, now);
  }
  n->quiet_until = quiet_until(n);
}

/* rc__node_settle for a call that touched links only (bytes in, bytes
 * out): rings and the router are as the last settle left them, so there is
 * nothing to do unless a link queued an event or a held token's pause has
 * ended. Most calls of a polling runtime end here. */
static void settle_links(struct rc_node *n, uint64_t now) {
  bool events = now >= n->quiet_until;
  for (size_t i = 0; i < n->nlinks && !events; i++)
    events = rc_link_has_event(n->links[i].link);
  if (events)
    rc__node_settle(n, now);
}

void rc_node_start(struct rc_node *n, uint64_t now_ns) {
  if (n->tripped)
    return;
  n->isolated_since = now_ns;
  for (size_t i = 0; i < n->nlinks; i++)
    rc_link_start(n->links[i].link, now_ns);
  for (size_t r = 0; r < n->nrings; r++)
    rc_ring_start(&n->rings[r], now_ns);
  rc__node_settle(n, now_ns);
  rc__node_refresh_deadline(n);
}

int rc_node_recv(struct rc_node *n, uint32_t link, const uint8_t *in,
                 size_t len, uint64_t now_ns) {
  if (n->tripped)
    return RC_ETRIPPED;
  struct node_link *nl = link_by_topo(n, link);
  if (!nl)
    return RC_EINVAL;
  rc_link_recv(nl->link, in, len, now_ns);
  settle_links(n, now_ns);
  rc__node_refresh_deadline(n);
  return n->tripped ? RC_ETRIPPED : 0;
}

size_t rc_node_pending_tx(struct rc_node *n, uint32_t link, uint8_t *out,
                          size_t cap, uint64_t now_ns) {
  struct node_link *nl = link_by_topo(n, link);
  if (n->tripped || !nl)
    return 0;
  size_t got = rc_link_pending_tx(nl->link, out, cap, now_ns);
  settle_links(n, now_ns);
  /* Sending moves the link's heartbeat and retransmission timers; taking
   * nothing moves no timer. */
  if (got > 0 || n->deadline <= now_ns)
    rc__node_refresh_deadline(n);
  return got;
}

uint64_t rc_node_next_deadline(const struct rc_node *n) {
  return n->tripped ? UINT64_MAX : n->deadline;
}

void rc__node_refresh_deadline(struct rc_node *n) {
  uint64_t t = UINT64_MAX, d;
  for (size_t i = 0; i < n->nlinks; i++)
    if ((d = rc_link_next_deadline(n->links[i].link)) < t)
      t = d;
  for (size_t r = 0; r < n->nrings; r++)
    if ((d = rc_ring_next_deadline(&n->rings[r])) < t)
      t = d;
  if ((d = rc__node_requests_next(n)) < t)
    t = d;
  if (n->router.n > 0 &&
      (d = n->router.q[0].queued_ns + n->queue_max_age_ns) < t)
    t = d;
  if (n->topo->nodes[n->self].role == RC_ROLE_ROOT &&
      n->isolated_since != UINT64_MAX &&
      (d = n->isolated_since + n->topo->timeouts.isolation_ms * MS) < t)
    t = d;
  n->deadline = t;
}

void rc_node_on_deadline(struct rc_node *n, uint64_t now_ns) {
  if (n->tripped)
    return;
  for (size_t i = 0; i < n->nlinks; i++)
    if (rc_link_next_deadline(n->links[i].link) <= now_ns)
      rc_link_on_deadline(n->links[i].link, now_ns);
  for (size_t r = 0; r < n->nrings; r++)
    if (rc_ring_next_deadline(&n->rings[r]) <= now_ns)
      rc_ring_on_deadline(&n->rings[r], now_ns);
  rc__node_settle(n, now_ns);
  if (n->tripped)
    return;
  rc__node_requests_deadline(n, now_ns);
  /* The deadline above is queued_ns + max_age, so an entry is due when it
   * is max_age old, not older: expire those queued at or before now -
   * max_age, or next_deadline stays at now for ever (found by ringca-sim,
   * sim/scenarios/webserver-token-lies.yaml). */
  if (now_ns >= n->queue_max_age_ns)
    n->stats.queue_expired +=
        rc_router_expire(&n->router, now_ns - n->queue_max_age_ns + 1);
  uint64_t iso = n->topo->timeouts.isolation_ms * MS;
  if (n->topo->nodes[n->self].role == RC_ROLE_ROOT &&
      n->isolated_since != UINT64_MAX && now_ns >= n->isolated_since + iso)
    rc__node_violation(n, RC_TRIP_ISOLATION, -1, -1, UINT32_MAX, NULL,
                       "no ring to the root has been up for %llu ms",
                       (unsigned long long)((now_ns - n->isolated_since) / MS));
  rc__node_settle(n, now_ns);
  rc__node_refresh_deadline(n);
}

bool rc_node_next_event(struct rc_node *n, struct rc_node_event *ev) {
  if (n->delivered) {
    ringca__envelope__free_unpacked(n->delivered, NULL);
    n->delivered = NULL;
  }
  if (n->ev_count == 0)
    return false;
  struct queued_event *q = &n->events[n->ev_head];
  n->ev_head = (n->ev_head + 1) % n->ev_cap;
  n->ev_count--;
  *ev = q->ev;
  if (q->env) {
    /* Our own encoding of an envelope we verified: unpack cannot exceed
     * what we packed. */
    n->delivered = ringca__envelope__unpack(NULL, q->env_len, q->env);
    free(q->env);
    q->env = NULL;
    ev->envelope = n->delivered;
    if (!n->delivered)
      return rc_node_next_event(n, ev);
  }
  return true;
}

void rc_node_trip(struct rc_node *n, enum rc_trip_cause cause,
                  const char *detail, uint64_t now_ns) {
  (void)now_ns;
  struct rc_node_trip t;
  memset(&t, 0, sizeof t);
  t.cause = cause;
  t.ring = t.link = -1;
  snprintf(t.detail, sizeof t.detail, "%s", detail ? detail : "");
  trip_now(n, &t);
}

bool rc_node_tripped(const struct rc_node *n) { return n->tripped; }

size_t rc_node_link_count(const struct rc_node *n) { return n->nlinks; }

void rc_node_link_status(const struct rc_node *n, size_t i,
                         struct rc_node_link_status *out) {
  memset(out, 0, sizeof *out);
  const struct node_link *nl = &n->links[i];
  out->link = nl->topo_link;
  snprintf(out->peer, sizeof out->peer, "%s", rc__node_name(n, nl->peer));
  out->up = rc_link_is_up(nl->link);
  out->stats = *rc_link_stats(nl->link);
  out->send_queue = rc_link_send_queue_len(nl->link);
}

size_t rc_node_ring_count(const struct rc_node *n) { return n->nrings; }

void rc_node_ring_status(const struct rc_node *n, size_t i,
                         struct rc_node_ring_status *out) {
  memset(out, 0, sizeof *out);
  const struct rc_ring *r = &n->rings[i];
  out->ring = (int)r->index;
  out->up = r->up;
  out->master = r->master;
  out->epoch = r->epoch;
  out->last_seq = r->last_seq;
  out->active_members = r->nactive;
  out->holding = r->holding;
  out->expecting = r->have_expect;
  out->expect_seq = r->expect_seq;
  if (r->have_expect)
    snprintf(out->expect_from, sizeof out->expect_from, "%s",
             rc__node_name(n, r->expect_from));
}

size_t rc_node_route_queue_len(const struct rc_node *n) { return n->router.n; }

void rc_node_stats(const struct rc_node *n, struct rc_node_stats *out) {
  *out = n->stats;
}
