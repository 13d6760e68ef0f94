/* End-to-end work of a node: envelopes it originates (signed, retried with
 * the same request id until answered or expired) and envelopes addressed to
 * it (delivered once; a repeated request is answered with the same reply). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_internal.h"
#include "ringca/envelope.h"
#include "ringca/error.h"
#include "ringca/pb.h"
#include "ringca/wire.h"

/* Who may send what to whom: requests go from a front-end to a root,
 * answers come back from the root (a refusal may also come from an
 * intermediate that cannot deliver). Anything else cannot come from honest
 * code, e.g. a compromised intermediate signing requests of its own. */
const char *rc__envelope_route_error(const struct rc_topology *t,
                                     uint32_t origin, uint32_t dest,
                                     int kind) {
  enum rc_role from = t->nodes[origin].role, to = t->nodes[dest].role;
  switch (kind) {
  case RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REQUEST:
    return from == RC_ROLE_FRONTEND && to == RC_ROLE_ROOT
               ? NULL
               : "a certificate request must go from a front-end to a root";
  case RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REPLY:
    return from == RC_ROLE_ROOT && to == RC_ROLE_FRONTEND
               ? NULL
               : "a certificate reply must go from a root to a front-end";
  case RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REFUSAL:
    return from != RC_ROLE_FRONTEND && to == RC_ROLE_FRONTEND
               ? NULL
               : "a refusal must go from a root or intermediate to a "
                 "front-end";
  default:
    return "unknown envelope kind";
  }
}

void rc__node_requests_free(struct rc_node *n) {
  for (size_t i = 0; n->pending && i < n->npending_cap; i++)
    free(n->pending[i].env);
  for (size_t i = 0; n->seen && i < n->nseen_cap; i++)
    free(n->seen[i].reply);
  free(n->pending);
  free(n->seen);
  n->pending = NULL;
  n->seen = NULL;
}

int rc__node_route_local(struct rc_node *n, uint32_t dest, uint8_t *env,
                         size_t len, const uint8_t request_id[16],
                         uint64_t now) {
  struct rc_route_entry re;
  memset(&re, 0, sizeof re);
  re.env = env;
  re.len = len;
  re.dest = dest;
  re.origin = re.from = n->self;
  re.queued_ns = now;
  memcpy(re.request_id, request_id, RC_REQUEST_ID_LEN);
  return rc_router_push(&n->router, &re);
}

static uint8_t *dup_bytes(const uint8_t *b, size_t len) {
  uint8_t *c = malloc(len ? len : 1);
  if (c && len)
    memcpy(c, b, len);
  return c;
}

static struct seen_request *find_seen(struct rc_node *n, uint32_t origin,
                                      const uint8_t *rid) {
  for (size_t i = 0; i < n->nseen_cap; i++)
    if (n->seen[i].used && n->seen[i].origin == origin &&
        !memcmp(n->seen[i].request_id, rid, RC_REQUEST_ID_LEN))
      return &n->seen[i];
  return NULL;
}

static struct pending *find_pending(struct rc_node *n, const uint8_t *rid) {
  for (size_t i = 0; i < n->npending_cap; i++)
    if (n->pending[i].used &&
        !memcmp(n->pending[i].request_id, rid, RC_REQUEST_ID_LEN))
      return &n->pending[i];
  return NULL;
}

/* Bounded: the least recently used entry makes room. */
static struct seen_request *remember(struct rc_node *n, uint32_t origin,
                                     const uint8_t *rid) {
  struct seen_request *slot = &n->seen[0];
  for (size_t i = 0; i < n->nseen_cap; i++) {
    if (!n->seen[i].used) {
      slot = &n->seen[i];
      break;
    }
    if (n->seen[i].stamp < slot->stamp)
      slot = &n->seen[i];
  }
  free(slot->reply);
  memset(slot, 0, sizeof *slot);
  slot->used = true;
  slot->origin = origin;
  memcpy(slot->request_id, rid, RC_REQUEST_ID_LEN);
  slot->stamp = ++n->seen_stamp;
  return slot;
}

static void emit_deliver(struct rc_node *n, const Ringca__Envelope *e) {
  uint8_t *buf;
  size_t len;
  if (rc_pb_pack(&e->base, &buf, &len) != 0)
    return;
  struct rc_node_event ev;
  memset(&ev, 0, sizeof ev);
  ev.type = RC_NODE_EV_DELIVER;
  ev.ring = ev.link = -1;
  snprintf(ev.neighbour, sizeof ev.neighbour, "%s", e->origin);
  memcpy(ev.request_id, e->request_id.data, RC_REQUEST_ID_LEN);
  n->stats.envelopes_delivered++;
  rc__node_emit(n, &ev, buf, len);
}

void rc__node_deliver(struct rc_node *n, const Ringca__Envelope *e,
                      uint32_t from, uint64_t now) {
  (void)from;
  uint32_t origin = (uint32_t)rc_topology_find_node(n->topo, e->origin);
  const uint8_t *rid = e->request_id.data;
  if (e->kind == RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REQUEST) {
    struct seen_request *s = find_seen(n, origin, rid);
    if (s) {
      /* A retry: act once; answer again if we already answered. */
      n->stats.repeat_requests++;
      s->stamp = ++n->seen_stamp;
      uint8_t *copy = s->reply ? dup_bytes(s->reply, s->reply_len) : NULL;
      if (copy &&
          rc__node_route_local(n, origin, copy, s->reply_len, rid, now) != 0)
        free(copy);
      return;
    }
    remember(n, origin, rid);
    emit_deliver(n, e);
    return;
  }
  struct pending *p = find_pending(n, rid);
  if (!p || p->dest != origin) {
    n->stats.duplicate_replies++;
    return;
  }
  free(p->env);
  memset(p, 0, sizeof *p);
  n->npending--;
  emit_deliver(n, e);
}

static bool queued_here(const struct rc_node *n, const uint8_t *rid) {
  for (size_t i = 0; i < n->router.n; i++)
    if (n->router.q[i].origin == n->self &&
        !memcmp(n->router.q[i].request_id, rid, RC_REQUEST_ID_LEN))
      return true;
  return false;
}

void rc__node_requests_deadline(struct rc_node *n, uint64_t now) {
  for (size_t i = 0; n->npending > 0 && i < n->npending_cap; i++) {
    struct pending *p = &n->pending[i];
    if (!p->used)
      continue;
    if (now >= p->deadline_ns) {
      struct rc_node_event ev;
      memset(&ev, 0, sizeof ev);
      ev.type = RC_NODE_EV_EXPIRED;
      ev.ring = ev.link = -1;
      snprintf(ev.neighbour, sizeof ev.neighbour, "%s",
               rc__node_name(n, p->dest));
      memcpy(ev.request_id, p->request_id, RC_REQUEST_ID_LEN);
      rc__node_emit(n, &ev, NULL, 0);
      free(p->env);
      memset(p, 0, sizeof *p);
      n->npending--;
      continue;
    }
    if (now >= p->retry_at) {
      p->retry_at = now + n->retry_ns;
      if (queued_here(n, p->request_id))
        continue; /* still waiting for a token: not lost */
      uint8_t *copy = dup_bytes(p->env, p->len);
      if (copy && rc__node_route_local(n, p->dest, copy, p->len,
                                       p->request_id, now) == 0)
        n->stats.retries++;
      else
        free(copy);
    }
  }
}

uint64_t rc__node_requests_next(const struct rc_node *n) {
  uint64_t t = UINT64_MAX;
  for (size_t i = 0; n->npending > 0 && i < n->npending_cap; i++) {
    const struct pending *p = &n->pending[i];
    if (!p->used)
      continue;
    if (p->deadline_ns < t)
      t = p->deadline_ns;
    if (p->retry_at < t)
      t = p->retry_at;
  }
  return t;
}

static int sign_and_pack(struct rc_node *n, Ringca__Envelope *e,
                         uint8_t **buf, size_t *len) {
  uint8_t sig[RC_SIGNATURE_LEN];
  int rc = rc_envelope_sign_key(e, n->origin_key, sig);
  if (rc)
    return rc;
  rc = rc_pb_pack(&e->base, buf, len);
  e->signature.data = NULL;
  e->signature.len = 0;
  return rc;
}

int rc_node_submit(struct rc_node *n, const char *destination,
                   Ringca__EnvelopeKind kind, const uint8_t request_id[16],
                   const uint8_t *payload, size_t len, uint64_t deadline_ns,
                   uint64_t deadline_unix_ms, uint64_t now_ns) {
  if (n->tripped)
    return RC_ETRIPPED;
  int dest = destination ? rc_topology_find_node(n->topo, destination) : -1;
  if (dest < 0 || (uint32_t)dest == n->self ||
      kind < RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REQUEST ||
      kind > RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REFUSAL)
    return RC_EINVAL;
  if (rc__envelope_route_error(n->topo, n->self, (uint32_t)dest, (int)kind))
    return RC_EINVAL;
  if (len > RC_CERT_MESSAGE_MAX)
    return RC_ETOOBIG;
  if (!rc_router_reachable(&n->router, (uint32_t)dest))
    return RC_ENOROUTE;
  bool request = kind == RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REQUEST;
  struct pending *slot = NULL;
  if (request) {
    if (find_pending(n, request_id))
      return RC_EEXIST;
    for (size_t i = 0; i < n->npending_cap && !slot; i++)
      if (!n->pending[i].used)
        slot = &n->pending[i];
    if (!slot)
      return RC_EAGAIN;
  }
  Ringca__Envelope e = RINGCA__ENVELOPE__INIT;
  e.version = RC_WIRE_VERSION;
  e.request_id.data = (uint8_t *)request_id;
  e.request_id.len = RC_REQUEST_ID_LEN;
  e.origin = (char *)n->topo->nodes[n->self].name;
  e.destination = (char *)n->topo->nodes[dest].name;
  e.kind = kind;
  e.payload.data = (uint8_t *)payload;
  e.payload.len = len;
  e.ttl = n->topo->limits.envelope_ttl;
  e.deadline_unix_ms = deadline_unix_ms;
  uint8_t *buf;
  size_t blen;
  int rc = sign_and_pack(n, &e, &buf, &blen);
  if (rc)
    return rc;
  if (rc__envelope_cost(blen) + n->token_header_max >
      n->topo->limits.token_size) {
    free(buf);
    return RC_ETOOBIG;
  }
  if (rc__node_route_local(n, (uint32_t)dest, buf, blen, request_id, now_ns)) {
    free(buf);
    return RC_EAGAIN;
  }
  if (request) {
    slot->used = true;
    n->npending++;
    memcpy(slot->request_id, request_id, RC_REQUEST_ID_LEN);
    slot->dest = (uint32_t)dest;
    slot->env = dup_bytes(buf, blen);
    slot->len = blen;
    slot->deadline_ns = deadline_ns;
    slot->retry_at = now_ns + n->retry_ns;
  } else {
    struct seen_request *s = find_seen(n, (uint32_t)dest, request_id);
    if (s) { /* kept to answer a repeat of the request with the same reply */
      free(s->reply);
      s->reply = dup_bytes(buf, blen);
      s->reply_len = s->reply ? blen : 0;
    }
  }
  rc__node_settle(n, now_ns);
  rc__node_refresh_deadline(n);
  return 0;
}
