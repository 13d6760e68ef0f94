/* Tokens in and out of a node: judge a received token and its envelopes,
 * take the envelopes off, fill the token fairly and pass it on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_internal.h"
#include "ringca/envelope.h"
#include "ringca/error.h"
#include "ringca/pb.h"
#include "ringca/wire.h"

/* RingMessage framing around the Token: version field (2 bytes), token tag
 * (1) and its length varint (at most 3 below 2 MiB). */
#define RING_MESSAGE_OVERHEAD 6u

static size_t varint_len(size_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

static uint8_t *put_varint(uint8_t *p, size_t v) {
  while (v >= 0x80) {
    *p++ = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  *p++ = (uint8_t)v;
  return p;
}

/* Token.envelopes is field 5, length-delimited: tag, length, bytes. */
size_t rc__envelope_cost(size_t len) { return 1 + varint_len(len) + len; }

size_t rc__token_header_max(const struct rc_topology *t) {
  size_t max = 0;
  char *names[RC_TOKEN_MAX_ORDER];
  for (size_t r = 0; r < t->nrings; r++) {
    const struct rc_topo_ring *d = &t->rings[r];
    Ringca__Token tok = RINGCA__TOKEN__INIT;
    tok.ring = (char *)d->name;
    tok.epoch = tok.seq = UINT64_MAX;
    for (size_t k = 0; k < d->norder; k++)
      names[k] = (char *)t->nodes[d->order[k]].name;
    tok.active_order = names;
    tok.n_active_order = d->norder;
    size_t len = ringca__token__get_packed_size(&tok);
    if (len > max)
      max = len;
  }
  return max + RING_MESSAGE_OVERHEAD;
}

static void rid_hex(const uint8_t *rid, size_t len, char out[33]) {
  static const char hex[] = "0123456789abcdef";
  size_t i = 0;
  for (; i < len && i < 16; i++) {
    out[2 * i] = hex[rid[i] >> 4];
    out[2 * i + 1] = hex[rid[i] & 15];
  }
  out[2 * i] = '\0';
}

/* Every envelope must be well-formed and signed by its origin before any
 * of them is acted on. Returns false after reporting a violation. */
static bool judge_envelopes(struct rc_node *n, struct node_link *nl,
                            const struct rc_wire_token *t, int ring,
                            struct rc__evidence *evidence) {
  const struct rc_topology *topo = n->topo;
  for (size_t i = 0; i < t->n_envelopes; i++) {
    const Ringca__Envelope *e = t->envelopes[i];
    char rid[33];
    rid_hex(e->request_id.data, e->request_id.len, rid);
    int origin = rc_topology_find_node(topo, e->origin);
    int dest = rc_topology_find_node(topo, e->destination);
    const char *why = NULL;
    char buf[96];
    if (origin < 0)
      why = "unknown origin";
    else if (dest < 0)
      why = "unknown destination";
    else if (origin == dest)
      why = "origin and destination are the same node";
    else if (e->ttl == 0)
      why = "ttl 0 (no node may forward it)";
    else if ((why = rc__envelope_route_error(topo, (uint32_t)origin,
                                             (uint32_t)dest, e->kind)))
      ;
    else if (e->ttl > topo->limits.envelope_ttl) {
      snprintf(buf, sizeof buf, "ttl %u above the limit %u", e->ttl,
               topo->limits.envelope_ttl);
      why = buf;
    }
    if (why) {
      rc__node_violation(n, RC_TRIP_BAD_ENVELOPE, ring, nl->topo_link, nl->peer,
                         rc__evidence_hash(evidence),
                         "envelope %s (%s -> %s) from %s: %s", rid, e->origin,
                         e->destination, rc__node_name(n, nl->peer), why);
      return false;
    }
    EVP_PKEY **pub = &n->origin_pubs[origin];
    if (!*pub)
      *pub = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL,
                                         topo->nodes[origin].origin_pub, 32);
    if (rc_envelope_verify_key(e, *pub) != 0) {
      rc__node_violation(n, RC_TRIP_FORGED_ENVELOPE, ring, nl->topo_link,
                         nl->peer, rc__evidence_hash(evidence),
                         "envelope %s (%s -> %s) from %s: origin signature "
                         "does not verify",
                         rid, e->origin, e->destination,
                         rc__node_name(n, nl->peer));
      return false;
    }
  }
  return true;
}

static void add_carry(struct rc_node *n, size_t ri, uint8_t *env, size_t len) {
  struct carry *c = realloc(n->carry[ri], (n->ncarry[ri] + 1) * sizeof *c);
  if (!c) {
    free(env);
    return;
  }
  n->carry[ri] = c;
  c[n->ncarry[ri]].env = env;
  c[n->ncarry[ri]].len = len;
  n->ncarry[ri]++;
}

/* Takes one verified envelope off the token: ours is delivered, any other
 * is routed on with its hop limit lowered (the one field relays change). */
static void take_off(struct rc_node *n, size_t ri, uint32_t from,
                     const Ringca__Envelope *e, uint64_t now) {
  uint32_t dest = (uint32_t)rc_topology_find_node(n->topo, e->destination);
  if (dest == n->self) {
    rc__node_deliver(n, e, from, now);
    return;
  }
  if (e->ttl <= 1) {
    n->stats.ttl_expired++;
    return;
  }
  Ringca__Envelope copy = *e;
  copy.ttl = e->ttl - 1;
  uint8_t *buf;
  size_t len;
  if (rc_pb_pack(&copy.base, &buf, &len) != 0)
    return;
  struct rc_route_entry re;
  memset(&re, 0, sizeof re);
  re.env = buf;
  re.len = len;
  re.dest = dest;
  re.origin = (uint32_t)rc_topology_find_node(n->topo, e->origin);
  re.from = from;
  re.queued_ns = now;
  memcpy(re.request_id, e->request_id.data, RC_REQUEST_ID_LEN);
  n->stats.envelopes_relayed++;
  if (rc_router_push(&n->router, &re) != 0)
    add_carry(n, ri, buf, len); /* queue full: it rides on, not dropped */
}

/* The ring of ours a received name (a view, not NUL-terminated) names;
 * n->nrings when none. */
static size_t find_ring(const struct rc_node *n, struct rc_wire_name name) {
  size_t ri = 0;
  while (ri < n->nrings && !rc_wire_name_is(n->rings[ri].def->name, name))
    ri++;
  return ri;
}

/* A member asks us, the master, for the parked token of a ring. */
static void on_want(struct rc_node *n, struct node_link *nl,
                    struct rc_wire_name ring, struct rc__evidence *evidence,
                    uint64_t now) {
  size_t ri = find_ring(n, ring);
  if (ri == n->nrings) {
    rc__node_violation(n, RC_TRIP_MALFORMED_TOKEN, -1, nl->topo_link, nl->peer,
                       rc__evidence_hash(evidence),
                       "want from %s for ring '%.*s', which we are "
                       "not on",
                       rc__node_name(n, nl->peer), (int)ring.len, ring.data);
    return;
  }
  struct rc_ring_violation v;
  if (rc_ring_on_want(&n->rings[ri], nl->peer, now, &v))
    rc__node_violation(n, v.cause, (int)n->rings[ri].index, nl->topo_link,
                       nl->peer, rc__evidence_hash(evidence), "%s", v.detail);
}

void rc__node_on_ring_message(struct rc_node *n, struct node_link *nl,
                              const uint8_t *data, size_t len, uint64_t now) {
  struct rc__evidence evidence = {data, len, {0}, false};
  /* Read in place: a token without envelopes allocates nothing here. */
  struct rc_wire_ring_message m;
  struct rc_wire_error we = {0, NULL};
  int rc = rc_wire_view_ring_message(data, len, n->topo->limits.token_size,
                                     &m, &we);
  if (rc) {
    rc__node_violation(n, RC_TRIP_MALFORMED_TOKEN, -1, nl->topo_link, nl->peer,
                       rc__evidence_hash(&evidence),
                       "RingMessage of %zu bytes from %s: %s in %s", len,
                       rc__node_name(n, nl->peer), rc_err_name(rc),
                       we.field ? we.field : "RingMessage");
    return;
  }
  if (!m.has_token) {
    on_want(n, nl, m.want, &evidence, now);
    goto out;
  }
  const struct rc_wire_token *t = &m.token;
  size_t ri = find_ring(n, t->ring);
  if (ri == n->nrings) {
    rc__node_violation(n, RC_TRIP_MALFORMED_TOKEN, -1, nl->topo_link, nl->peer,
                       rc__evidence_hash(&evidence),
                       "token from %s for ring '%.*s', which we are not on",
                       rc__node_name(n, nl->peer), (int)t->ring.len,
                       t->ring.data);
    goto out;
  }
  struct rc_ring *r = &n->rings[ri];
  n->stats.tokens_in++;
  if (!judge_envelopes(n, nl, t, (int)r->index, &evidence))
    goto out;
  struct rc_ring_violation v;
  if (rc_ring_on_token(r, nl->peer, t, now, &v)) {
    rc__node_violation(n, v.cause, (int)r->index, nl->topo_link, nl->peer,
                       rc__evidence_hash(&evidence), "%s", v.detail);
    goto out;
  }
  for (size_t i = 0; i < t->n_envelopes; i++)
    take_off(n, ri, nl->peer, t->envelopes[i], now);
out:
  rc_wire_ring_message_release(&m);
}

static bool has_work(const struct rc_node *n, size_t ri) {
  if (n->ncarry[ri])
    return true;
  for (size_t i = 0; i < n->router.n; i++)
    if (n->router.q[i].ring == (int)n->rings[ri].index)
      return true;
  return false;
}

/* Encodes RingMessage{version, Token{header..., envelopes}} by hand: the
 * header as protobuf-c would pack it (rc_wire_encode_token_header), the
 * envelopes in the exact bytes we verified or signed. */
static uint8_t *encode(const struct rc_wire_token *hdr, size_t hdr_len,
                       const struct rc_route_entry *envs, size_t nenv,
                       size_t *out_len) {
  size_t token_len = hdr_len;
  for (size_t i = 0; i < nenv; i++)
    token_len += rc__envelope_cost(envs[i].len);
  size_t total = 3 + varint_len(token_len) + token_len;
  uint8_t *buf = malloc(total), *p = buf;
  if (!buf)
    return NULL;
  *p++ = 0x08; /* RingMessage.version = 1 */
  *p++ = RC_WIRE_VERSION;
  *p++ = 0x12; /* RingMessage.token */
  p = put_varint(p, token_len);
  p += rc_wire_encode_token_header(hdr, p);
  for (size_t i = 0; i < nenv; i++) {
    *p++ = 0x2A; /* Token.envelopes */
    p = put_varint(p, envs[i].len);
    memcpy(p, envs[i].env, envs[i].len);
    p += envs[i].len;
  }
  *out_len = (size_t)(p - buf);
  return buf;
}

static void requeue(struct rc_node *n, struct rc_route_entry *e) {
  if (rc_router_push(&n->router, e) != 0)
    free(e->env); /* the origin's retry recovers it */
}

/* The header of the token we forward, as views of names the topology owns
 * (names[] holds them). Returns its encoded size. */
static size_t make_header(struct rc_node *n, const struct rc_ring *r,
                          const struct rc_ring_hop *hop,
                          struct rc_wire_name *names,
                          struct rc_wire_token *hdr) {
  memset(hdr, 0, sizeof *hdr);
  hdr->ring.data = r->def->name;
  hdr->ring.len = strlen(r->def->name);
  hdr->epoch = hop->epoch;
  hdr->seq = hop->seq;
  for (size_t k = 0; k < hop->nactive; k++) {
    names[k].data = rc__node_name(n, hop->active[k]);
    names[k].len = strlen(names[k].data);
  }
  hdr->active_order = names;
  hdr->n_active_order = hop->nactive;
  return rc_wire_token_header_size(hdr);
}

/* Asks the master for the token when we have envelopes for its ring and it
 * may be parked. Not counted as work: nothing here changes our own state
 * beyond the one-want-per-visit flag. */
static void maybe_want(struct rc_node *n, struct rc_ring *r, size_t ri,
                       uint64_t now) {
  uint32_t master = rc_ring_want_target(r);
  if (master == UINT32_MAX || !has_work(n, ri))
    return;
  Ringca__RingMessage m = RINGCA__RING_MESSAGE__INIT;
  m.version = RC_WIRE_VERSION;
  m.want = (char *)r->def->name;
  uint8_t *buf;
  size_t len;
  struct node_link *nl = rc__node_link_to(n, master);
  if (!nl || rc_pb_pack(&m.base, &buf, &len) != 0)
    return;
  if (rc_link_send(nl->link, buf, len, now) == 0)
    rc_ring_want_sent(r);
  free(buf);
}

bool rc__node_pump(struct rc_node *n, size_t ri, uint64_t now) {
  struct rc_ring *r = &n->rings[ri];
  if (!r->holding) {
    maybe_want(n, r, ri, now);
    return false;
  }
  if (!rc_ring_due(r, now)) {
    if (!has_work(n, ri))
      return false;
    rc_ring_hurry(r, now); /* no rotation pause when there is work */
  }
  struct rc_ring_hop hop;
  struct rc_route_entry envs[RC_TOKEN_MAX_ENVELOPES];
  size_t nenv = 0;
  /* Carried envelopes first: they were on the token already. */
  for (size_t i = 0; i < n->ncarry[ri]; i++) {
    memset(&envs[nenv], 0, sizeof envs[nenv]);
    envs[nenv].env = n->carry[ri][i].env;
    envs[nenv].len = n->carry[ri][i].len;
    envs[nenv].from = n->self;
    nenv++;
  }
  n->ncarry[ri] = 0;
  if (rc_ring_forward(r, now, &hop) != 0) {
    for (size_t i = 0; i < nenv; i++)
      requeue(n, &envs[i]);
    return true;
  }
  struct rc_wire_name names[RC_TOKEN_MAX_ORDER];
  struct rc_wire_token hdr;
  size_t hdr_len = make_header(n, r, &hop, names, &hdr), msg_len = 0;
  uint8_t *msg = NULL;
  size_t limit = n->topo->limits.token_size, used = hdr_len + RING_MESSAGE_OVERHEAD;
  size_t kept = 0;
  for (size_t i = 0; i < nenv; i++) {
    if (used + rc__envelope_cost(envs[i].len) <= limit) {
      used += rc__envelope_cost(envs[i].len);
      envs[kept++] = envs[i];
    } else {
      requeue(n, &envs[i]);
    }
  }
  nenv = kept;
  if (used < limit)
    nenv += rc_router_take(&n->router, (int)r->index, hop.to, limit - used,
                           rc__envelope_cost, envs + nenv,
                           RC_TOKEN_MAX_ENVELOPES - nenv);
  msg = encode(&hdr, hdr_len, envs, nenv, &msg_len);
  struct node_link *nl = rc__node_link_to(n, hop.to);
  if (msg && nl && rc_link_send(nl->link, msg, msg_len, now) == 0) {
    n->stats.tokens_out++;
    if (nenv)
      rc_ring_note_carried(r);
    for (size_t i = 0; i < nenv; i++)
      free(envs[i].env);
  } else {
    rc_ring_send_failed(r, now);
    for (size_t i = 0; i < nenv; i++)
      requeue(n, &envs[i]);
  }
  free(msg);
  return true;
}
