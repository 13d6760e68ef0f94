/* Fuzz target: arbitrary RingMessages into relay nodes with established
 * links. A three-node hub ring (im1 master; fe1, fe2) runs over netsim; the
 * input is a program of operations a compromised im1 or fe1 performs on
 * its real, keyed link to the other:
 *
 *   0x00|dir  len16 bytes...   inject raw bytes as one RingMessage
 *   0x01|dir  d_epoch d_seq flags   inject a token built from the
 *                              receiver's current state, skewed by the
 *                              signed deltas; flags: bit0 drop an
 *                              active-order member, bit1 add a well-signed
 *                              envelope, bit2 add a forged one, bit3 ttl 0
 *   0x02      n                run the mesh n x 10 ms
 *
 * dir (bit 7 of the op byte): 0 = im1 -> fe1, 1 = fe1 -> im1. Invariants:
 * fe2, which only the honest ring code talks to, never trips (a violation
 * is caught at the cable it crosses, or where a perfectly forged token
 * meets the real one); nothing crashes or leaks (ASan). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "ringca/envelope.h"
#include "ringca/netsim.h"
#include "ringca/node.h"
#include "ringca/pb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NN 3
#define MSEC 1000000ull

struct fz {
  struct rc_topology topo;
  struct rc_netsim *net;
  int line[2];
  struct rc_node *node[NN];
  struct rc_prng prng[NN];
  uint8_t origin_priv[NN][32];
  bool targeted[NN];
  uint64_t now;
};

static void must(bool ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "fuzz node: %s\n", what);
    abort();
  }
}

static void build(struct fz *f) {
  memset(f, 0, sizeof *f);
  rc_topology_init(&f->topo);
  f->topo.timeouts.rotation_pause_ms = 200;
  const char *names[NN] = {"im1", "fe1", "fe2"};
  for (uint32_t i = 0; i < NN; i++) {
    must(rc_topology_add_node(&f->topo, names[i],
                              i ? RC_ROLE_FRONTEND : RC_ROLE_INTERMEDIATE) ==
             (int)i, "add node");
    rc_topology_add_port(&f->topo, i, "s0", "/dev/null", 115200);
    rc_topology_add_port(&f->topo, i, "s1", "/dev/null", 115200);
  }
  must(rc_topology_add_link(&f->topo, "im1", "s0", "fe1", "s0") == 0, "link");
  must(rc_topology_add_link(&f->topo, "im1", "s1", "fe2", "s0") == 1, "link");
  const char *members[] = {"fe1", "fe2"};
  must(rc_topology_add_hub_ring(&f->topo, "hub", "im1", members, 2) == 0,
       "ring");
  struct rc_prng keys;
  rc_prng_seed(&keys, 99);
  uint8_t link_priv[NN][32];
  for (uint32_t i = 0; i < NN; i++) {
    struct rc_rng r = rc_prng_as_rng(&keys);
    rc_rng_fill(&r, link_priv[i], 32);
    rc_rng_fill(&r, f->origin_priv[i], 32);
    size_t len = 32;
    EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL,
                                               link_priv[i], 32);
    must(k && EVP_PKEY_get_raw_public_key(k, f->topo.nodes[i].link_pub, &len),
         "x25519");
    EVP_PKEY_free(k);
    must(rc_ed25519_public(f->origin_priv[i], f->topo.nodes[i].origin_pub) == 0,
         "ed25519");
  }
  f->net = rc_netsim_new(5);
  for (int l = 0; l < 2; l++) {
    struct rc_netsim_line_config lc = {115200, MSEC, 0.0};
    f->line[l] = rc_netsim_add_line(f->net, &lc);
  }
  for (uint32_t i = 0; i < NN; i++) {
    rc_prng_seed(&f->prng[i], 1 + i);
    struct rc_node_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.topo = &f->topo;
    cfg.self = i;
    memcpy(cfg.link_priv, link_priv[i], 32);
    memcpy(cfg.origin_priv, f->origin_priv[i], 32);
    cfg.rng = rc_prng_as_rng(&f->prng[i]);
    cfg.epoch_base = 100;
    char err[256];
    must(rc_node_new(&cfg, &f->node[i], err, sizeof err) == 0, err);
    rc_node_start(f->node[i], 0);
  }
}

static void run(struct fz *f, uint64_t until) {
  static uint8_t buf[8192];
  for (unsigned guard = 0; guard < 1000000; guard++) {
    for (size_t l = 0; l < 2; l++) {
      uint32_t ends[2] = {f->topo.links[l].a_node, f->topo.links[l].b_node};
      for (int e = 0; e < 2; e++) {
        size_t k;
        while ((k = rc_node_pending_tx(f->node[ends[e]], (uint32_t)l, buf,
                                       sizeof buf, f->now)) > 0)
          rc_netsim_write(f->net, f->line[l], e, buf, k);
      }
    }
    uint64_t next = rc_netsim_next_write_end(f->net);
    for (int i = 0; i < NN; i++) {
      uint64_t d = rc_node_next_deadline(f->node[i]);
      if (d < next)
        next = d;
    }
    if (next > until)
      break;
    f->now = next > f->now ? next : f->now;
    rc_netsim_advance(f->net, f->now);
    for (size_t l = 0; l < 2; l++) {
      uint32_t ends[2] = {f->topo.links[l].a_node, f->topo.links[l].b_node};
      for (int e = 0; e < 2; e++) {
        size_t k;
        while ((k = rc_netsim_read(f->net, f->line[l], e, buf, sizeof buf)) > 0)
          rc_node_recv(f->node[ends[e]], (uint32_t)l, buf, k, f->now);
      }
    }
    for (int i = 0; i < NN; i++)
      if (rc_node_next_deadline(f->node[i]) <= f->now)
        rc_node_on_deadline(f->node[i], f->now);
    struct rc_node_event ev;
    for (int i = 0; i < NN; i++)
      while (rc_node_next_event(f->node[i], &ev))
        ;
  }
  f->now = until > f->now ? until : f->now;
  rc_netsim_advance(f->net, f->now);
}

static uint8_t *templated(struct fz *f, uint32_t to, int8_t d_epoch,
                          int8_t d_seq, uint8_t flags, size_t *len) {
  struct rc_node_ring_status st;
  rc_node_ring_status(f->node[to], 0, &st);
  char *order[4] = {"im1", "fe1", "im1", "fe2"};
  Ringca__Token tok = RINGCA__TOKEN__INIT;
  tok.ring = "hub";
  tok.epoch = st.epoch + (uint64_t)(int64_t)d_epoch;
  tok.seq = st.expect_seq + (uint64_t)(int64_t)d_seq;
  tok.active_order = order;
  tok.n_active_order = flags & 1 ? 2 : 4;
  Ringca__Envelope env = RINGCA__ENVELOPE__INIT, *envs[1] = {&env};
  uint8_t rid[16] = {1, 2, 3}, sig[64], payload[4] = {9};
  uint32_t from = to == 0 ? 1 : 0;
  if (flags & 6) {
    env.version = 1;
    env.request_id.data = rid;
    env.request_id.len = 16;
    env.origin = f->topo.nodes[flags & 4 ? 2 : from].name;
    env.destination = "fe2";
    if (!strcmp(env.origin, "fe2"))
      env.destination = "im1";
    /* From im1 a refusal to fe2 is legitimate traffic to relay; from fe1
     * (no root here) a request is misrouted. */
    env.kind = from == 0 ? RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REFUSAL
                         : RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REQUEST;
    env.payload.data = payload;
    env.payload.len = sizeof payload;
    env.ttl = flags & 8 ? 0 : 3;
    rc_envelope_sign(&env, f->origin_priv[from], sig);
    tok.envelopes = envs;
    tok.n_envelopes = 1;
  }
  Ringca__RingMessage msg = RINGCA__RING_MESSAGE__INIT;
  msg.version = 1;
  msg.token = &tok;
  uint8_t *buf = NULL;
  rc_pb_pack(&msg.base, &buf, len);
  return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct fz *f = calloc(1, sizeof *f);
  must(f != NULL, "alloc");
  build(f);
  run(f, 3000 * MSEC);
  struct rc_node_ring_status st;
  for (int i = 0; i < NN; i++) {
    rc_node_ring_status(f->node[i], 0, &st);
    must(st.up, "ring up before the fuzz input");
  }
  size_t pos = 0;
  for (unsigned ops = 0; pos < size && ops < 64; ops++) {
    uint8_t op = data[pos++];
    uint32_t from = op & 0x80 ? 1 : 0, to = 1 - from;
    uint8_t *msg = NULL;
    size_t len = 0;
    switch (op & 0x7f) {
    case 0: {
      if (pos + 2 > size)
        break;
      len = (size_t)data[pos] << 8 | data[pos + 1];
      pos += 2;
      if (len > size - pos)
        len = size - pos;
      msg = malloc(len ? len : 1);
      memcpy(msg, data + pos, len);
      pos += len;
      break;
    }
    case 1:
      if (pos + 3 > size)
        break;
      msg = templated(f, to, (int8_t)data[pos], (int8_t)data[pos + 1],
                      data[pos + 2], &len);
      pos += 3;
      break;
    case 2:
      if (pos < size)
        run(f, f->now + (uint64_t)data[pos++] * 10 * MSEC);
      break;
    default:
      break;
    }
    if (msg && !rc_node_tripped(f->node[from]) &&
        rc_node_inject_ring_message(f->node[from], 0, msg, len, f->now) == 0)
      /* A perfect copy of the next token is accepted by its receiver and
       * caught one hop on, where two tokens meet: possibly back at the
       * injector. */
      f->targeted[to] = f->targeted[from] = true;
    free(msg);
    run(f, f->now + 50 * MSEC);
  }
  run(f, f->now + 5000 * MSEC);
  /* Only im1 and fe1, the ends of the cable the injections crossed, may
   * trip. */
  for (int i = 0; i < NN; i++)
    must(!rc_node_tripped(f->node[i]) || f->targeted[i],
         "a node that received no injected traffic tripped");
  for (int i = 0; i < NN; i++)
    rc_node_free(f->node[i]);
  rc_netsim_free(f->net);
  rc_topology_free(&f->topo);
  free(f);
  return 0;
}
