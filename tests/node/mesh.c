#include "mesh.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "../ring/canon.h"
#include "ringca/envelope.h"
#include "ringca/error.h"

static void x25519_pub(const uint8_t priv[32], uint8_t pub[32]) {
  size_t len = 32;
  EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, 32);
  assert_non_null(k);
  assert_int_equal(EVP_PKEY_get_raw_public_key(k, pub, &len), 1);
  EVP_PKEY_free(k);
}

void mesh_init(struct mesh *m, uint64_t seed) {
  memset(m, 0, sizeof *m);
  m->seed = seed;
  m->root_answers = true;
  assert_int_equal(canon_build(&m->topo), 0);
  struct rc_prng keys;
  rc_prng_seed(&keys, seed);
  struct rc_rng krng = rc_prng_as_rng(&keys);
  for (uint32_t i = 0; i < MESH_NODES; i++) {
    struct mesh_node *mn = &m->n[i];
    rc_rng_fill(&krng, mn->link_priv, 32);
    rc_rng_fill(&krng, mn->origin_priv, 32);
    x25519_pub(mn->link_priv, m->topo.nodes[i].link_pub);
    assert_int_equal(rc_ed25519_public(mn->origin_priv,
                                       m->topo.nodes[i].origin_pub), 0);
  }
  m->net = rc_netsim_new(seed ^ 0x5eed);
  assert_non_null(m->net);
  for (size_t l = 0; l < m->topo.nlinks; l++) {
    struct rc_netsim_line_config lc = {m->topo.links[l].baud, 1 * MS, 0.0};
    m->line[l] = rc_netsim_add_line(m->net, &lc);
  }
}

static void boot(struct mesh *m, uint32_t i) {
  struct mesh_node *mn = &m->n[i];
  rc_prng_seed(&mn->prng, m->seed * 131 + i + m->now);
  struct rc_node_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.topo = &m->topo;
  cfg.self = i;
  memcpy(cfg.link_priv, mn->link_priv, 32);
  memcpy(cfg.origin_priv, mn->origin_priv, 32);
  cfg.rng = rc_prng_as_rng(&mn->prng);
  /* A restarted master starts above its old epochs (wall clock in real
   * life; virtual milliseconds here). */
  cfg.epoch_base = m->now / MS + 1000;
  char err[256];
  int rc = rc_node_new(&cfg, &mn->node, err, sizeof err);
  if (rc)
    fail_msg("rc_node_new(%s): %s", m->topo.nodes[i].name, err);
  mn->alive = true;
  mn->tripped = false;
  rc_node_start(mn->node, m->now);
}

void mesh_start(struct mesh *m) {
  for (uint32_t i = 0; i < MESH_NODES; i++)
    boot(m, i);
}

void mesh_free(struct mesh *m) {
  for (uint32_t i = 0; i < MESH_NODES; i++)
    rc_node_free(m->n[i].node);
  rc_netsim_free(m->net);
  rc_topology_free(&m->topo);
}

static struct mesh_req *find_req(struct mesh *m, const uint8_t *rid) {
  for (size_t i = 0; i < m->nreq; i++)
    if (!memcmp(m->req[i].rid, rid, 16))
      return &m->req[i];
  return NULL;
}

static void on_event(struct mesh *m, uint32_t i, const struct rc_node_event *ev) {
  struct mesh_node *mn = &m->n[i];
  switch (ev->type) {
  case RC_NODE_EV_RING_UP:
    mn->ring_up++;
    break;
  case RC_NODE_EV_RING_DOWN:
    mn->ring_down++;
    break;
  case RC_NODE_EV_BYPASS:
    mn->bypass++;
    break;
  case RC_NODE_EV_REJOIN:
    mn->rejoin++;
    break;
  case RC_NODE_EV_TRIP:
    mn->tripped = true;
    mn->trip = ev->trip;
    break;
  case RC_NODE_EV_VIOLATION:
    mn->violations++;
    mn->trip = ev->trip;
    break;
  case RC_NODE_EV_EXPIRED: {
    struct mesh_req *r = find_req(m, ev->request_id);
    if (r)
      r->expired = true;
    break;
  }
  case RC_NODE_EV_DELIVER: {
    const Ringca__Envelope *e = ev->envelope;
    struct mesh_req *r = find_req(m, e->request_id.data);
    assert_non_null(r);
    if (e->kind == RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REQUEST) {
      assert_int_equal(i, ROOT);
      r->at_root++;
      if (m->root_answers) {
        uint8_t cert[64];
        memset(cert, 0xC5, sizeof cert);
        int rc = rc_node_submit(mn->node, e->origin,
                                RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REPLY,
                                e->request_id.data, cert, sizeof cert,
                                UINT64_MAX, e->deadline_unix_ms, m->now);
        assert_int_equal(rc, 0);
      }
    } else {
      assert_int_equal(i, r->origin);
      assert_string_equal(e->origin, "root");
      r->replies++;
    }
    break;
  }
  default:
    break;
  }
}

static void drain(struct mesh *m, uint32_t i) {
  struct rc_node_event ev;
  while (m->n[i].node && rc_node_next_event(m->n[i].node, &ev))
    on_event(m, i, &ev);
}

static void flush_tx(struct mesh *m) {
  static uint8_t buf[16384];
  for (size_t l = 0; l < m->topo.nlinks; l++) {
    const struct rc_topo_link *tl = &m->topo.links[l];
    uint32_t ends[2] = {tl->a_node, tl->b_node};
    for (int e = 0; e < 2; e++) {
      struct mesh_node *mn = &m->n[ends[e]];
      if (!mn->alive)
        continue;
      size_t k;
      while ((k = rc_node_pending_tx(mn->node, (uint32_t)l, buf, sizeof buf,
                                     m->now)) > 0) {
        rc_netsim_write(m->net, m->line[l], e, buf, k);
        if (k <= sizeof m->tap[l][e]) {
          memcpy(m->tap[l][e], buf, k);
          m->tap_len[l][e] = k;
        }
      }
      drain(m, ends[e]);
    }
  }
}

static void deliver_rx(struct mesh *m) {
  static uint8_t buf[16384];
  for (size_t l = 0; l < m->topo.nlinks; l++) {
    const struct rc_topo_link *tl = &m->topo.links[l];
    uint32_t ends[2] = {tl->a_node, tl->b_node};
    for (int e = 0; e < 2; e++) {
      size_t k;
      while ((k = rc_netsim_read(m->net, m->line[l], e, buf, sizeof buf)) > 0) {
        struct mesh_node *mn = &m->n[ends[e]];
        if (!mn->alive)
          continue; /* a crashed node's UART hears nothing */
        rc_node_recv(mn->node, (uint32_t)l, buf, k, m->now);
        drain(m, ends[e]);
      }
    }
  }
}

void mesh_run_until(struct mesh *m, uint64_t until) {
  unsigned same_time = 0;
  for (;;) {
    flush_tx(m);
    uint64_t next = rc_netsim_next_write_end(m->net);
    for (uint32_t i = 0; i < MESH_NODES; i++)
      if (m->n[i].alive) {
        uint64_t d = rc_node_next_deadline(m->n[i].node);
        if (d < next)
          next = d;
      }
    if (next > until)
      break;
    if (next <= m->now) {
      next = m->now;
      if (++same_time > 100000)
        fail_msg("no progress at t=%llu ns", (unsigned long long)m->now);
    } else {
      same_time = 0;
    }
    m->now = next;
    rc_netsim_advance(m->net, next);
    deliver_rx(m);
    for (uint32_t i = 0; i < MESH_NODES; i++)
      if (m->n[i].alive && rc_node_next_deadline(m->n[i].node) <= m->now) {
        rc_node_on_deadline(m->n[i].node, m->now);
        drain(m, i);
      }
  }
  m->now = until;
  rc_netsim_advance(m->net, until);
}

void mesh_crash(struct mesh *m, uint32_t i) {
  rc_node_free(m->n[i].node);
  m->n[i].node = NULL;
  m->n[i].alive = false;
}

void mesh_restart(struct mesh *m, uint32_t i) {
  assert_false(m->n[i].alive);
  boot(m, i);
}

void mesh_cut(struct mesh *m, int topo_link, bool cut) {
  rc_netsim_cut(m->net, m->line[topo_link], cut);
}

size_t mesh_request(struct mesh *m, uint32_t fe, uint64_t deadline_ns) {
  assert_true(m->nreq < MESH_MAX_REQ);
  struct mesh_req *r = &m->req[m->nreq];
  memset(r, 0, sizeof *r);
  struct rc_rng rng = rc_prng_as_rng(&m->n[fe].prng);
  rc_rng_fill(&rng, r->rid, 16);
  r->origin = fe;
  r->sent_at = m->now;
  uint8_t csr[300];
  memset(csr, (int)fe, sizeof csr);
  int rc = rc_node_submit(m->n[fe].node, "root",
                          RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REQUEST, r->rid,
                          csr, sizeof csr, deadline_ns, 0, m->now);
  assert_int_equal(rc, 0);
  return m->nreq++;
}

void mesh_write_raw(struct mesh *m, int topo_link, uint32_t from_node,
                    const uint8_t *bytes, size_t len) {
  int end = m->topo.links[topo_link].a_node == from_node ? 0 : 1;
  rc_netsim_write(m->net, m->line[topo_link], end, bytes, len);
}

bool mesh_ring_up(struct mesh *m, uint32_t node, int ring) {
  struct rc_node *n = m->n[node].node;
  for (size_t i = 0; n && i < rc_node_ring_count(n); i++) {
    struct rc_node_ring_status st;
    rc_node_ring_status(n, i, &st);
    if (st.ring == ring)
      return st.up;
  }
  return false;
}

size_t mesh_tripped_count(const struct mesh *m) {
  size_t c = 0;
  for (uint32_t i = 0; i < MESH_NODES; i++)
    c += m->n[i].tripped;
  return c;
}

void mesh_assert_all_rings_up(struct mesh *m) {
  for (uint32_t i = 0; i < MESH_NODES; i++) {
    struct rc_node *n = m->n[i].node;
    for (size_t r = 0; r < rc_node_ring_count(n); r++) {
      struct rc_node_ring_status st;
      rc_node_ring_status(n, r, &st);
      if (!st.up)
        fail_msg("%s: ring %d down at t=%llu ms", m->topo.nodes[i].name,
                 st.ring, (unsigned long long)(m->now / MS));
    }
  }
}

int mesh_setup(void **state) {
  struct mesh *m = calloc(1, sizeof *m);
  mesh_init(m, 42);
  *state = m;
  return 0;
}

int mesh_teardown(void **state) {
  struct mesh *m = *state;
  mesh_free(m);
  free(m);
  return 0;
}
