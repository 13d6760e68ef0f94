/* The relay node on the canonical mesh over netsim at 115200 baud. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mesh.h"
#include "ringca/error.h"
#include "ringca/wire.h"

static void test_rings_come_up(void **state) {
  struct mesh *m = *state;
  mesh_start(m);
  mesh_run_until(m, 10 * SEC);
  assert_int_equal(mesh_tripped_count(m), 0);
  mesh_assert_all_rings_up(m);
}


static uint64_t ring_epoch(struct mesh *m, uint32_t node, int ring) {
  struct rc_node *n = m->n[node].node;
  for (size_t i = 0; i < rc_node_ring_count(n); i++) {
    struct rc_node_ring_status st;
    rc_node_ring_status(n, i, &st);
    if (st.ring == ring)
      return st.epoch;
  }
  fail();
  return 0;
}

static void test_token_loss_restarts_higher_epoch(void **state) {
  struct mesh *m = *state;
  /* The token-loss timer, not a dead link, notices first. */
  m->topo.timeouts.token_loss_ms = 2000;
  m->topo.timeouts.ring_restart_ms = 500;
  m->topo.timeouts.dead_link_ms = 8000;
  mesh_start(m);
  mesh_run_until(m, 10 * SEC);
  uint64_t e = ring_epoch(m, ROOT, ROOT1);
  unsigned root_downs = m->n[ROOT].ring_down, im_downs = m->n[IM1].ring_down;
  int link = rc_topology_link_between(&m->topo, ROOT, IM1);
  mesh_cut(m, link, true);
  mesh_run_until(m, m->now + 3 * SEC);
  assert_true(m->n[ROOT].ring_down > root_downs);
  assert_true(m->n[IM1].ring_down > im_downs);
  assert_false(mesh_ring_up(m, ROOT, ROOT1));
  assert_true(mesh_ring_up(m, ROOT, ROOT2)); /* the other ring is fine */
  mesh_cut(m, link, false);
  mesh_run_until(m, m->now + 10 * SEC);
  assert_true(mesh_ring_up(m, ROOT, ROOT1));
  assert_true(mesh_ring_up(m, IM1, ROOT1));
  assert_true(ring_epoch(m, ROOT, ROOT1) > e);
  assert_int_equal(ring_epoch(m, IM1, ROOT1), ring_epoch(m, ROOT, ROOT1));
  assert_int_equal(mesh_tripped_count(m), 0);
}

static void run_and_check_all_answered(struct mesh *m, uint64_t until) {
  mesh_run_until(m, until);
  for (size_t i = 0; i < m->nreq; i++) {
    struct mesh_req *r = &m->req[i];
    if (r->replies != 1 || r->at_root != 1 || r->expired)
      fail_msg("request %zu from %s: %u replies, %u at root, expired %d", i,
               m->topo.nodes[r->origin].name, r->replies, r->at_root,
               r->expired);
  }
}

static void test_requests_from_every_frontend(void **state) {
  struct mesh *m = *state;
  mesh_start(m);
  mesh_run_until(m, 10 * SEC);
  for (int round = 0; round < 5; round++)
    for (uint32_t fe = FE1; fe <= FE4; fe++)
      mesh_request(m, fe, m->now + 60 * SEC);
  run_and_check_all_answered(m, 40 * SEC);
  assert_int_equal(mesh_tripped_count(m), 0);
  for (uint32_t fe = FE1; fe <= FE4; fe++)
    assert_int_equal(rc_node_route_queue_len(m->n[fe].node), 0);
}

/* Idle rings park their tokens for idle_pause_ms, yet a request does not
 * wait for that: the front-end asks im1 for the hub token and im1 asks the
 * root for the root ring's, so the answer comes within a fraction of one
 * idle pause (virtual time; the mesh is deterministic). */
static void test_parked_tokens_are_asked_for(void **state) {
  struct mesh *m = *state;
  m->topo.timeouts.idle_pause_ms = 4000;
  m->topo.timeouts.token_loss_ms = 20000;
  mesh_start(m);
  mesh_run_until(m, 20 * SEC);
  mesh_assert_all_rings_up(m);
  struct rc_node_stats before, after;
  rc_node_stats(m->n[IM1].node, &before);
  mesh_run_until(m, 40 * SEC);
  rc_node_stats(m->n[IM1].node, &after);
  /* Parked: a few rotations in 20 s, not the hundreds a spinning token
   * makes (8 hops of ~6 ms plus 50 ms). */
  assert_true(after.tokens_out - before.tokens_out < 60);
  mesh_assert_all_rings_up(m);
  for (uint32_t fe = FE1; fe <= FE4; fe++) {
    size_t i = mesh_request(m, fe, m->now + 60 * SEC);
    uint64_t t0 = m->now;
    while (m->req[i].replies == 0 && m->now < t0 + 8 * SEC)
      mesh_run_until(m, m->now + 10 * MS);
    if (m->now - t0 > 1500 * MS)
      fail_msg("%s waited %llu ms for its answer (idle pause 4000 ms)",
               m->topo.nodes[fe].name,
               (unsigned long long)((m->now - t0) / MS));
    mesh_run_until(m, m->now + 6 * SEC);  /* let the rings park again */
  }
  assert_int_equal(mesh_tripped_count(m), 0);
}

/* Requests from every front-end every 500 ms while `fault` happens. */
static void load_with_fault(struct mesh *m, void (*fault)(struct mesh *),
                            uint64_t fault_at) {
  mesh_start(m);
  mesh_run_until(m, 10 * SEC);
  bool done = false;
  for (uint64_t t = 10 * SEC; t < 40 * SEC; t += 500 * MS) {
    if (!done && t >= fault_at) {
      fault(m);
      done = true;
    }
    for (uint32_t fe = FE1; fe <= FE4; fe++)
      mesh_request(m, fe, m->now + 120 * SEC);
    mesh_run_until(m, t + 500 * MS);
  }
  run_and_check_all_answered(m, 130 * SEC);
}

static void crash_im1(struct mesh *m) { mesh_crash(m, IM1); }

static void test_intermediate_crash_fails_over(void **state) {
  struct mesh *m = *state;
  load_with_fault(m, crash_im1, 20 * SEC);
  assert_int_equal(mesh_tripped_count(m), 0);
  assert_true(mesh_ring_up(m, FE1, HUB2));
  assert_false(mesh_ring_up(m, FE1, HUB1));
  assert_false(mesh_ring_up(m, ROOT, ROOT1));
}

static void cut_im1(struct mesh *m) {
  for (size_t l = 0; l < m->topo.nlinks; l++)
    if (m->topo.links[l].a_node == IM1 || m->topo.links[l].b_node == IM1)
      mesh_cut(m, (int)l, true);
}

static void test_intermediate_cables_cut_fail_over(void **state) {
  struct mesh *m = *state;
  load_with_fault(m, cut_im1, 20 * SEC);
  assert_int_equal(mesh_tripped_count(m), 0);
  assert_true(mesh_ring_up(m, FE3, HUB2));
  assert_false(mesh_ring_up(m, FE3, HUB1));
}

static void test_frontend_crash_bypassed_and_rejoins(void **state) {
  struct mesh *m = *state;
  mesh_start(m);
  mesh_run_until(m, 10 * SEC);
  unsigned bypass1 = m->n[IM1].bypass, bypass2 = m->n[IM2].bypass;
  uint64_t crash_at = m->now;
  mesh_crash(m, FE2);
  /* Both hub rings leave fe2 out within one token-loss timeout. */
  uint64_t loss = m->topo.timeouts.token_loss_ms * MS;
  mesh_run_until(m, crash_at + loss);
  assert_true(m->n[IM1].bypass > bypass1);
  assert_true(m->n[IM2].bypass > bypass2);
  for (uint32_t fe = FE1; fe <= FE4; fe++)
    if (fe != FE2)
      for (int round = 0; round < 3; round++)
        mesh_request(m, fe, m->now + 60 * SEC);
  mesh_run_until(m, m->now + 20 * SEC);
  for (size_t i = 0; i < m->nreq; i++)
    assert_int_equal(m->req[i].replies, 1);
  assert_true(mesh_ring_up(m, FE1, HUB1));
  assert_true(mesh_ring_up(m, FE4, HUB2));
  unsigned rejoin1 = m->n[IM1].rejoin, rejoin2 = m->n[IM2].rejoin;
  mesh_restart(m, FE2);
  mesh_run_until(m, m->now + 15 * SEC);
  assert_true(m->n[IM1].rejoin > rejoin1);
  assert_true(m->n[IM2].rejoin > rejoin2);
  assert_true(mesh_ring_up(m, FE2, HUB1));
  assert_true(mesh_ring_up(m, FE2, HUB2));
  mesh_request(m, FE2, m->now + 60 * SEC);
  run_and_check_all_answered(m, m->now + 20 * SEC);
  assert_int_equal(mesh_tripped_count(m), 0);
}

static void test_root_trips_when_isolated(void **state) {
  struct mesh *m = *state;
  mesh_start(m);
  mesh_run_until(m, 10 * SEC);
  uint64_t cut_at = m->now;
  for (size_t l = 0; l < m->topo.nlinks; l++)
    if (m->topo.links[l].a_node == ROOT || m->topo.links[l].b_node == ROOT)
      mesh_cut(m, (int)l, true);
  uint64_t iso = m->topo.timeouts.isolation_ms * MS;
  mesh_run_until(m, cut_at + iso);
  assert_false(m->n[ROOT].tripped);
  /* Rings go down within the dead-link timeout; isolation counts from
   * then. */
  mesh_run_until(m, cut_at + iso + m->topo.timeouts.dead_link_ms * MS +
                        m->topo.timeouts.token_loss_ms * MS);
  assert_true(m->n[ROOT].tripped);
  assert_int_equal(m->n[ROOT].trip.cause, RC_TRIP_ISOLATION);
  assert_int_equal(mesh_tripped_count(m), 1);
  assert_int_equal(rc_node_submit(m->n[ROOT].node, "fe1",
                                  RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REPLY,
                                  m->req[0].rid, NULL, 0, 0, 0, m->now),
                   RC_ETRIPPED);
}

static void test_member_restart_raises_epoch(void **state) {
  struct mesh *m = *state;
  mesh_start(m);
  mesh_run_until(m, 10 * SEC);
  uint64_t e = ring_epoch(m, ROOT, ROOT1);
  unsigned downs = m->n[ROOT].ring_down;
  mesh_crash(m, IM1);
  mesh_run_until(m, m->now + 2 * SEC);
  mesh_restart(m, IM1);
  mesh_run_until(m, m->now + 30 * SEC);
  /* The loop ring lost its token with im1; the root restarted it with a
   * higher epoch, and the restarted im1 accepted it. */
  assert_true(m->n[ROOT].ring_down > downs);
  assert_true(ring_epoch(m, ROOT, ROOT1) > e);
  assert_int_equal(ring_epoch(m, IM1, ROOT1), ring_epoch(m, ROOT, ROOT1));
  assert_true(mesh_ring_up(m, ROOT, ROOT1));
  assert_true(mesh_ring_up(m, IM1, ROOT1));
  /* im1 masters hub1: its new epochs start above the old ones (epoch_base),
   * so every front-end follows it. */
  for (uint32_t fe = FE1; fe <= FE4; fe++)
    assert_true(mesh_ring_up(m, fe, HUB1));
  assert_int_equal(mesh_tripped_count(m), 0);
}

static void test_request_expires_without_root(void **state) {
  struct mesh *m = *state;
  m->root_answers = false;
  mesh_start(m);
  mesh_run_until(m, 10 * SEC);
  size_t i = mesh_request(m, FE3, m->now + 30 * SEC);
  mesh_run_until(m, m->now + 29 * SEC);
  assert_false(m->req[i].expired);
  assert_int_equal(m->req[i].at_root, 1); /* retries are not re-delivered */
  mesh_run_until(m, m->now + 2 * SEC);
  assert_true(m->req[i].expired);
}


static int try_new(struct mesh *m, uint32_t self, char *err, size_t errlen) {
  struct rc_node_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.topo = &m->topo;
  cfg.self = self;
  uint32_t keys = self < MESH_NODES ? self : FE1;
  memcpy(cfg.link_priv, m->n[keys].link_priv, 32);
  memcpy(cfg.origin_priv, m->n[keys].origin_priv, 32);
  cfg.rng = rc_prng_as_rng(&m->n[keys].prng);
  struct rc_node *n = NULL;
  int rc = rc_node_new(&cfg, &n, err, errlen);
  rc_node_free(n);
  return rc;
}

static void test_node_new_refuses_bad_config(void **state) {
  struct mesh *m = *state;
  char err[256];
  assert_int_equal(try_new(m, FE1, err, sizeof err), 0);
  /* Keys that are not the node's topology keys. */
  m->n[FE1].origin_priv[0] ^= 1;
  assert_int_equal(try_new(m, FE1, err, sizeof err), RC_EINVAL);
  assert_non_null(strstr(err, "origin signing key does not match"));
  m->n[FE1].origin_priv[0] ^= 1;
  m->n[FE1].link_priv[5] ^= 1;
  assert_int_equal(try_new(m, FE1, err, sizeof err), RC_EINVAL);
  assert_non_null(strstr(err, "link key does not match"));
  m->n[FE1].link_priv[5] ^= 1;
  /* A token that cannot fit a link frame, or no room for envelopes. */
  m->topo.limits.token_size = m->topo.limits.frame_size;
  assert_int_equal(try_new(m, FE1, err, sizeof err), RC_EINVAL);
  assert_non_null(strstr(err, "exceeds what one link frame carries"));
  m->topo.limits.token_size = 40;
  assert_int_equal(try_new(m, FE1, err, sizeof err), RC_EINVAL);
  assert_non_null(strstr(err, "largest token header"));
  m->topo.limits.token_size = 3000;
  /* A ring hop without a cable. */
  m->topo.rings[ROOT1].order[1] = FE1;
  assert_int_equal(try_new(m, FE1, err, sizeof err), RC_EINVAL);
  assert_non_null(strstr(err, "has no link"));
  m->topo.rings[ROOT1].order[1] = IM1;
  assert_int_equal(try_new(m, 99, err, sizeof err), RC_EINVAL);
}

static void test_submit_refusals(void **state) {
  struct mesh *m = *state;
  mesh_start(m);
  struct rc_node *fe = m->n[FE1].node;
  uint8_t rid[16] = {1}, big[RC_CERT_MESSAGE_MAX + 1];
  memset(big, 1, sizeof big);
  Ringca__EnvelopeKind req = RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REQUEST;
  assert_int_equal(rc_node_submit(fe, "nobody", req, rid, NULL, 0, 1, 0, 0),
                   RC_EINVAL);
  assert_int_equal(rc_node_submit(fe, "fe1", req, rid, NULL, 0, 1, 0, 0),
                   RC_EINVAL);
  assert_int_equal(rc_node_submit(fe, "root", (Ringca__EnvelopeKind)9, rid,
                                  NULL, 0, 1, 0, 0), RC_EINVAL);
  /* Front-ends send requests to the root, nothing else. */
  assert_int_equal(rc_node_submit(fe, "fe2", req, rid, NULL, 0, 1, 0, 0),
                   RC_EINVAL);
  assert_int_equal(rc_node_submit(fe, "root",
                                  RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REPLY,
                                  rid, NULL, 0, 1, 0, 0), RC_EINVAL);
  assert_int_equal(rc_node_submit(fe, "root", req, rid, big, sizeof big, 1, 0,
                                  0), RC_ETOOBIG);
  /* Fits the wire limit but not a token. */
  assert_int_equal(rc_node_submit(fe, "root", req, rid, big, 5000, 1, 0, 0),
                   RC_ETOOBIG);
  assert_int_equal(rc_node_submit(fe, "root", req, rid, big, 100, SEC, 0, 0), 0);
  assert_int_equal(rc_node_submit(fe, "root", req, rid, big, 100, SEC, 0, 0),
                   RC_EEXIST);
  rc_node_trip(fe, RC_TRIP_EXTERNAL, "test", 0);
  assert_true(rc_node_tripped(fe));
  assert_int_equal(rc_node_submit(fe, "root", req, rid, big, 100, SEC, 0, 0),
                   RC_ETRIPPED);
  assert_int_equal(rc_node_recv(fe, 0, big, 10, 0), RC_ETRIPPED);
  assert_int_equal(rc_node_next_deadline(fe), UINT64_MAX);
  struct rc_node_event ev;
  bool saw = false;
  while (rc_node_next_event(fe, &ev))
    if (ev.type == RC_NODE_EV_TRIP) {
      saw = true;
      assert_int_equal(ev.trip.cause, RC_TRIP_EXTERNAL);
      assert_string_equal(ev.trip.detail, "test");
    }
  assert_true(saw);
  assert_string_equal(rc_trip_cause_name(RC_TRIP_FORGED_ENVELOPE),
                      "forged-envelope");
}

/* One front-end floods; the others' requests are not starved behind it. */
static void test_flooding_frontend_does_not_starve_others(void **state) {
  struct mesh *m = *state;
  mesh_start(m);
  mesh_run_until(m, 10 * SEC);
  for (int i = 0; i < 120; i++)
    mesh_request(m, FE1, m->now + 300 * SEC);
  size_t other = mesh_request(m, FE2, m->now + 300 * SEC);
  mesh_run_until(m, m->now + 5 * SEC);
  assert_int_equal(m->req[other].replies, 1);
  size_t fe1_done = 0;
  for (size_t i = 0; i < 120; i++)
    fe1_done += m->req[i].replies;
  assert_true(fe1_done < 120); /* fe1's backlog is still draining */
  run_and_check_all_answered(m, m->now + 120 * SEC);
}


/* Line noise costs retransmissions, never a trip, and loses nothing. */
static void test_noisy_lines_trip_nobody(void **state) {
  struct mesh *m = *state;
  for (size_t l = 0; l < m->topo.nlinks; l++)
    rc_netsim_set_bit_error_rate(m->net, m->line[l], 2e-5);
  mesh_start(m);
  mesh_run_until(m, 10 * SEC);
  for (int round = 0; round < 10; round++) {
    for (uint32_t fe = FE1; fe <= FE4; fe++)
      mesh_request(m, fe, m->now + 120 * SEC);
    mesh_run_until(m, m->now + SEC);
  }
  run_and_check_all_answered(m, m->now + 100 * SEC);
  assert_int_equal(mesh_tripped_count(m), 0);
  uint64_t bad = 0, retransmits = 0;
  for (uint32_t i = 0; i < MESH_NODES; i++)
    for (size_t k = 0; k < rc_node_link_count(m->n[i].node); k++) {
      struct rc_node_link_status ls;
      rc_node_link_status(m->n[i].node, k, &ls);
      bad += ls.stats.bad_crc + ls.stats.bad_cobs;
      retransmits += ls.stats.retransmits;
    }
  assert_true(bad > 0); /* the noise was real */
  assert_true(retransmits > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      MESH_TEST(test_rings_come_up),
      MESH_TEST(test_parked_tokens_are_asked_for),
      MESH_TEST(test_noisy_lines_trip_nobody),
      MESH_TEST(test_node_new_refuses_bad_config),
      MESH_TEST(test_submit_refusals),
      MESH_TEST(test_flooding_frontend_does_not_starve_others),
      MESH_TEST(test_requests_from_every_frontend),
      MESH_TEST(test_intermediate_crash_fails_over),
      MESH_TEST(test_intermediate_cables_cut_fail_over),
      MESH_TEST(test_frontend_crash_bypassed_and_rejoins),
      MESH_TEST(test_root_trips_when_isolated),
      MESH_TEST(test_member_restart_raises_epoch),
      MESH_TEST(test_request_expires_without_root),
      MESH_TEST(test_token_loss_restarts_higher_epoch),
  };
  if (getenv("TEST_FILTER"))
    cmocka_set_test_filter(getenv("TEST_FILTER"));
  return cmocka_run_group_tests(tests, NULL, NULL);
}
