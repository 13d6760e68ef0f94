/* Every kind of violation, injected at every tier of the canonical mesh by
 * a compromised neighbour (through its real, keyed link), trips exactly the
 * node that received it, at once, naming cause, ring, neighbour and the
 * offending message's hash. The rest of the mesh keeps running. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/sha.h>

#include "mesh.h"
#include "ringca/envelope.h"
#include "ringca/error.h"
#include "ringca/pb.h"

enum kind {
  K_WRONG_SEQ,
  K_LOWER_EPOCH,
  K_HIGHER_EPOCH_NOT_PREDECESSOR,
  K_OUT_OF_TURN,
  K_SECOND_TOKEN,
  K_MALFORMED,
  K_BAD_ENVELOPE,
  K_FORGED_ENVELOPE,
  K_LINK_REPLAY,
  K_MISROUTED_ENVELOPE,
  K_MISPLACED_WANT,
};

struct tcase {
  const char *name;
  uint32_t receiver, sender;
  int ring;
  enum kind kind;
  enum rc_trip_cause cause;
  const char *detail; /* part of the trip detail */
};

static bool status(struct mesh *m, uint32_t node, int ring,
                   struct rc_node_ring_status *st) {
  struct rc_node *n = m->n[node].node;
  for (size_t i = 0; i < rc_node_ring_count(n); i++) {
    rc_node_ring_status(n, i, st);
    if (st->ring == ring)
      return true;
  }
  return false;
}

/* The moment at which the injected message is judged the way the case
 * means it: deterministic because the whole mesh is. */
static bool ready(struct mesh *m, const struct tcase *c) {
  struct rc_node_ring_status rs, ss;
  status(m, c->receiver, c->ring, &rs);
  if (!rs.up)
    return false;
  switch (c->kind) {
  case K_WRONG_SEQ:
    /* The receiver waits for the token from the sender, which has not got
     * it yet: ours arrives first. */
    if (!rs.expecting || strcmp(rs.expect_from, m->topo.nodes[c->sender].name))
      return false;
    status(m, c->sender, c->ring, &ss);
    return !ss.holding && ss.last_seq + 1 < rs.expect_seq;
  case K_OUT_OF_TURN:
    return rs.expecting && !rs.holding &&
           strcmp(rs.expect_from, m->topo.nodes[c->sender].name);
  case K_HIGHER_EPOCH_NOT_PREDECESSOR:
    return rs.expecting && !rs.holding;
  case K_SECOND_TOKEN:
    return rs.holding;
  default:
    return true;
  }
}

static void order_names(struct mesh *m, int ring, char **names, size_t *n) {
  const struct rc_topo_ring *d = &m->topo.rings[ring];
  for (size_t k = 0; k < d->norder; k++)
    names[k] = m->topo.nodes[d->order[k]].name;
  *n = d->norder;
}

static uint8_t *craft(struct mesh *m, const struct tcase *c, size_t *len) {
  struct rc_node_ring_status rs;
  status(m, c->receiver, c->ring, &rs);
  char *names[RC_TOKEN_MAX_ORDER];
  Ringca__Token tok = RINGCA__TOKEN__INIT;
  tok.ring = m->topo.rings[c->ring].name;
  tok.epoch = rs.epoch;
  tok.seq = rs.expect_seq;
  order_names(m, c->ring, names, &tok.n_active_order);
  tok.active_order = names;
  Ringca__Envelope env = RINGCA__ENVELOPE__INIT, *envs[1] = {&env};
  uint8_t rid[16] = {7}, sig[64], payload[8] = {1};
  env.version = 1;
  env.request_id.data = rid;
  env.request_id.len = 16;
  env.origin = m->topo.nodes[c->sender].name;
  env.destination = m->topo.nodes[c->receiver].name;
  env.kind = RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REQUEST;
  env.payload.data = payload;
  env.payload.len = sizeof payload;
  env.ttl = 4;
  switch (c->kind) {
  case K_WRONG_SEQ:
    tok.seq += 1000;
    break;
  case K_LOWER_EPOCH:
    tok.epoch -= 1;
    break;
  case K_HIGHER_EPOCH_NOT_PREDECESSOR:
    tok.epoch += 1;
    break;
  case K_BAD_ENVELOPE:
    env.ttl = 0;
    assert_int_equal(rc_envelope_sign(&env, m->n[c->sender].origin_priv, sig), 0);
    tok.envelopes = envs;
    tok.n_envelopes = 1;
    break;
  case K_MISROUTED_ENVELOPE:
    /* Well signed by the sender, but only front-ends originate requests. */
    env.destination = "root";
    assert_int_equal(rc_envelope_sign(&env, m->n[c->sender].origin_priv, sig), 0);
    tok.envelopes = envs;
    tok.n_envelopes = 1;
    break;
  case K_FORGED_ENVELOPE:
    env.origin = "fe3"; /* signed with the sender's key, not fe3's */
    env.destination = "root";
    assert_int_equal(rc_envelope_sign(&env, m->n[c->sender].origin_priv, sig), 0);
    tok.envelopes = envs;
    tok.n_envelopes = 1;
    break;
  case K_MISPLACED_WANT: {
    /* Honest members ask only the master of their own ring. */
    Ringca__RingMessage want = RINGCA__RING_MESSAGE__INIT;
    want.version = 1;
    want.want = m->topo.rings[c->ring].name;
    uint8_t *b;
    assert_int_equal(rc_pb_pack(&want.base, &b, len), 0);
    return b;
  }
  case K_MALFORMED: {
    static const uint8_t junk[] = {0x08, 0x01, 0x12, 0x05, 0x0a, 0x10, 'x'};
    uint8_t *b = malloc(sizeof junk);
    memcpy(b, junk, sizeof junk);
    *len = sizeof junk;
    return b;
  }
  default:
    break;
  }
  Ringca__RingMessage msg = RINGCA__RING_MESSAGE__INIT;
  msg.version = 1;
  msg.token = &tok;
  uint8_t *buf;
  assert_int_equal(rc_pb_pack(&msg.base, &buf, len), 0);
  return buf;
}

static void run_case(const struct tcase *c) {
  struct mesh *m = calloc(1, sizeof *m);
  mesh_init(m, 1000 + (uint64_t)c->kind * 7 + c->receiver);
  /* A long rotation pause gives a master's hold time to see a second
   * token arrive. */
  if (c->kind == K_SECOND_TOKEN)
    m->topo.timeouts.rotation_pause_ms = 400;
  mesh_start(m);
  mesh_run_until(m, 8 * SEC);
  assert_int_equal(mesh_tripped_count(m), 0);
  int link = rc_topology_link_between(&m->topo, c->sender, c->receiver);
  assert_true(link >= 0);
  uint64_t give_up = m->now + 20 * SEC;
  while (!ready(m, c)) {
    assert_true(m->now < give_up);
    mesh_run_until(m, m->now + MS / 4);
  }
  uint8_t digest[32];
  uint64_t injected_at = m->now;
  if (c->kind == K_LINK_REPLAY) {
    /* A wiretap replays an old frame of the sender's session. */
    uint8_t old[4096];
    size_t old_len = m->tap_len[link][m->topo.links[link].a_node == c->sender ? 0 : 1];
    memcpy(old, m->tap[link][m->topo.links[link].a_node == c->sender ? 0 : 1],
           old_len);
    assert_true(old_len > 0);
    mesh_run_until(m, m->now + 3 * SEC);
    assert_int_equal(mesh_tripped_count(m), 0);
    injected_at = m->now;
    mesh_write_raw(m, link, c->sender, old, old_len);
  } else {
    size_t len;
    uint8_t *msg = craft(m, c, &len);
    SHA256(msg, len, digest);
    assert_int_equal(rc_node_inject_ring_message(m->n[c->sender].node,
                                                 (uint32_t)link, msg, len,
                                                 m->now), 0);
    free(msg);
  }
  /* One hop: a frame's time on the line plus a retransmission or two. */
  mesh_run_until(m, injected_at + 3 * SEC);
  struct mesh_node *r = &m->n[c->receiver];
  if (!r->tripped)
    fail_msg("%s: %s did not trip", c->name, m->topo.nodes[c->receiver].name);
  if (r->trip.cause != c->cause || !strstr(r->trip.detail, c->detail))
    fail_msg("%s: tripped with %s: \"%s\"", c->name,
             rc_trip_cause_name(r->trip.cause), r->trip.detail);
  assert_string_equal(r->trip.neighbour, m->topo.nodes[c->sender].name);
  assert_int_equal(r->trip.link, link);
  if (c->kind == K_LINK_REPLAY)
    assert_int_equal(r->trip.link_violation, RC_LINK_VIOLATION_REPLAY);
  else
    assert_memory_equal(r->trip.evidence, digest, 32);
  if (c->cause != RC_TRIP_MALFORMED_TOKEN && c->cause != RC_TRIP_LINK_VIOLATION)
    assert_int_equal(r->trip.ring, c->ring);
  assert_true(rc_node_tripped(r->node));
  /* Nobody else trips; the tripped node sends nothing more. */
  mesh_run_until(m, m->now + 20 * SEC);
  assert_int_equal(mesh_tripped_count(m), 1);
  uint8_t out[64];
  for (size_t i = 0; i < rc_node_link_count(r->node); i++) {
    struct rc_node_link_status ls;
    rc_node_link_status(r->node, i, &ls);
    assert_false(ls.up);
    assert_int_equal(rc_node_pending_tx(r->node, (uint32_t)ls.link, out,
                                        sizeof out, m->now), 0);
  }
  mesh_free(m);
  free(m);
}

static const struct tcase cases[] = {
    /* front-end fe1, fed by its hub im1 */
    {"fe wrong seq", FE1, IM1, HUB1, K_WRONG_SEQ, RC_TRIP_WRONG_SEQ, "expected"},
    {"fe lower epoch", FE1, IM1, HUB1, K_LOWER_EPOCH, RC_TRIP_WRONG_EPOCH, "below current epoch"},
    {"fe out of turn", FE1, IM2, HUB1, K_OUT_OF_TURN, RC_TRIP_OUT_OF_TURN, "expected from im1"},
    {"fe epoch from non-predecessor", FE1, IM2, HUB1, K_HIGHER_EPOCH_NOT_PREDECESSOR, RC_TRIP_WRONG_EPOCH, "does not precede us"},
    {"fe malformed", FE1, IM1, HUB1, K_MALFORMED, RC_TRIP_MALFORMED_TOKEN, "RingMessage"},
    {"fe bad envelope", FE1, IM1, HUB1, K_BAD_ENVELOPE, RC_TRIP_BAD_ENVELOPE, "ttl 0"},
    {"fe forged envelope", FE1, IM1, HUB1, K_FORGED_ENVELOPE, RC_TRIP_FORGED_ENVELOPE, "signature"},
    {"fe link replay", FE1, IM1, HUB1, K_LINK_REPLAY, RC_TRIP_LINK_VIOLATION, "replay"},
    {"fe asked for a token it does not master", FE1, IM1, HUB1, K_MISPLACED_WANT, RC_TRIP_OUT_OF_TURN, "not the ring's master"},
    /* intermediate im1 (hub master), fed by front-ends */
    {"im wrong seq", IM1, FE1, HUB1, K_WRONG_SEQ, RC_TRIP_WRONG_SEQ, "expected"},
    {"im lower epoch", IM1, FE2, HUB1, K_LOWER_EPOCH, RC_TRIP_WRONG_EPOCH, "below current epoch"},
    {"im out of turn", IM1, FE3, HUB1, K_OUT_OF_TURN, RC_TRIP_OUT_OF_TURN, "expected from"},
    {"im higher epoch at master", IM1, FE1, HUB1, K_HIGHER_EPOCH_NOT_PREDECESSOR, RC_TRIP_WRONG_EPOCH, "only we (the master)"},
    {"im second token", IM1, FE4, HUB1, K_SECOND_TOKEN, RC_TRIP_SECOND_TOKEN, "while we hold"},
    {"im malformed", IM1, FE2, HUB1, K_MALFORMED, RC_TRIP_MALFORMED_TOKEN, "RingMessage"},
    {"im bad envelope", IM1, FE1, HUB1, K_BAD_ENVELOPE, RC_TRIP_BAD_ENVELOPE, "ttl 0"},
    {"im forged envelope", IM1, FE4, HUB1, K_FORGED_ENVELOPE, RC_TRIP_FORGED_ENVELOPE, "signature"},
    {"im link replay", IM1, FE2, HUB1, K_LINK_REPLAY, RC_TRIP_LINK_VIOLATION, "replay"},
    {"im asked for the root ring's token", IM1, ROOT, ROOT1, K_MISPLACED_WANT, RC_TRIP_OUT_OF_TURN, "not the ring's master"},
    /* root (master of its loop rings), fed by intermediates */
    {"root wrong seq", ROOT, IM1, ROOT1, K_WRONG_SEQ, RC_TRIP_WRONG_SEQ, "expected"},
    {"root lower epoch", ROOT, IM1, ROOT1, K_LOWER_EPOCH, RC_TRIP_WRONG_EPOCH, "below current epoch"},
    {"root out of turn", ROOT, IM2, ROOT1, K_OUT_OF_TURN, RC_TRIP_OUT_OF_TURN, "expected from im1"},
    {"root second token", ROOT, IM1, ROOT1, K_SECOND_TOKEN, RC_TRIP_SECOND_TOKEN, "while we hold"},
    {"root malformed", ROOT, IM2, ROOT2, K_MALFORMED, RC_TRIP_MALFORMED_TOKEN, "RingMessage"},
    {"root bad envelope", ROOT, IM1, ROOT1, K_BAD_ENVELOPE, RC_TRIP_BAD_ENVELOPE, "ttl 0"},
    {"root forged envelope", ROOT, IM2, ROOT2, K_FORGED_ENVELOPE, RC_TRIP_FORGED_ENVELOPE, "signature"},
    {"root link replay", ROOT, IM1, ROOT1, K_LINK_REPLAY, RC_TRIP_LINK_VIOLATION, "replay"},
    {"root want from a non-member", ROOT, IM2, ROOT1, K_MISPLACED_WANT, RC_TRIP_OUT_OF_TURN, "not a member"},
    {"root request signed by an intermediate", ROOT, IM1, ROOT1, K_MISROUTED_ENVELOPE, RC_TRIP_BAD_ENVELOPE, "from a front-end to a root"},
};

static void test_case(void **state) { run_case(*state); }

static void test_log_policy_keeps_running(void **state) {
  (void)state;
  struct mesh *m = calloc(1, sizeof *m);
  mesh_init(m, 77);
  m->topo.policy.on_violation[RC_ROLE_FRONTEND] = RC_ON_VIOLATION_LOG;
  mesh_start(m);
  mesh_run_until(m, 8 * SEC);
  const struct tcase c = {"log", FE1, IM1, HUB1, K_FORGED_ENVELOPE,
                          RC_TRIP_FORGED_ENVELOPE, "signature"};
  size_t len;
  uint8_t *msg = craft(m, &c, &len);
  int link = rc_topology_link_between(&m->topo, IM1, FE1);
  assert_int_equal(rc_node_inject_ring_message(m->n[IM1].node, (uint32_t)link,
                                               msg, len, m->now), 0);
  free(msg);
  mesh_run_until(m, m->now + 20 * SEC);
  assert_int_equal(mesh_tripped_count(m), 0);
  assert_int_equal(m->n[FE1].violations, 1);
  assert_int_equal(m->n[FE1].trip.cause, RC_TRIP_FORGED_ENVELOPE);
  mesh_request(m, FE1, m->now + 60 * SEC);
  mesh_run_until(m, m->now + 20 * SEC);
  assert_int_equal(m->req[0].replies, 1);
  mesh_free(m);
  free(m);
}

int main(void) {
  struct CMUnitTest tests[sizeof cases / sizeof cases[0] + 1];
  size_t n = 0;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    tests[n] = (struct CMUnitTest)cmocka_unit_test(test_case);
    tests[n].name = cases[i].name;
    tests[n].initial_state = (void *)&cases[i];
    n++;
  }
  tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_log_policy_keeps_running);
  if (getenv("TEST_FILTER"))
    cmocka_set_test_filter(getenv("TEST_FILTER"));
  return _cmocka_run_group_tests("trip", tests, n, NULL, NULL);
}
