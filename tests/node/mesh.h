/* A whole mesh of real nodes over netsim lines on one virtual clock: the
 * canonical shape (tests/ring/canon.h) at 115200 baud. Deterministic from
 * its seed. The test application at the root answers every CERT_REQUEST
 * with a CERT_REPLY; front-ends record what comes back. */
#ifndef RINGCA_TEST_MESH_H
#define RINGCA_TEST_MESH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringca/netsim.h"
#include "ringca/node.h"
#include "ringca/topology.h"

#define MESH_NODES 7
#define MESH_MAX_REQ 512
#define MS 1000000ull
#define SEC 1000000000ull

enum { ROOT, IM1, IM2, FE1, FE2, FE3, FE4 };
enum { HUB1, HUB2, ROOT1, ROOT2 };

struct mesh_req {
  uint8_t rid[16];
  uint32_t origin;
  uint64_t sent_at;
  unsigned replies;   /* DELIVER of the reply at the origin */
  unsigned at_root;   /* DELIVER of the request at the root */
  bool expired;
};

struct mesh_node {
  struct rc_node *node;
  bool alive;
  uint8_t link_priv[32], origin_priv[32];
  struct rc_prng prng;
  bool tripped;
  struct rc_node_trip trip;
  unsigned ring_up, ring_down, bypass, rejoin, violations;
  unsigned epoch_restarts;
};

struct mesh {
  struct rc_topology topo;
  struct rc_netsim *net;
  int line[16];             /* netsim line of each topology link */
  struct mesh_node n[MESH_NODES];
  uint64_t now;
  uint64_t seed;
  struct mesh_req req[MESH_MAX_REQ];
  size_t nreq;
  bool root_answers;
  uint64_t epoch_base[MESH_NODES];
  /* The last bytes each end wrote on each cable (to replay them). */
  uint8_t tap[16][2][4096];
  size_t tap_len[16][2];
};

/* Builds the canonical topology (callers may edit m->topo between
 * mesh_init and mesh_start), keys and lines. */
void mesh_init(struct mesh *m, uint64_t seed);
void mesh_start(struct mesh *m);
void mesh_free(struct mesh *m);
/* Runs the clock to `until`, moving bytes, firing deadlines, handling
 * events. */
void mesh_run_until(struct mesh *m, uint64_t until);
void mesh_crash(struct mesh *m, uint32_t node);
void mesh_restart(struct mesh *m, uint32_t node);
void mesh_cut(struct mesh *m, int topo_link, bool cut);
/* A CERT_REQUEST from a front-end to the root; returns its index. */
size_t mesh_request(struct mesh *m, uint32_t fe, uint64_t deadline_ns);
/* Writes raw bytes on a cable from one of its ends (a wiretap attacker). */
void mesh_write_raw(struct mesh *m, int topo_link, uint32_t from_node,
                    const uint8_t *bytes, size_t len);
bool mesh_ring_up(struct mesh *m, uint32_t node, int ring);
/* Fails the test naming the first node and ring that is down. */
void mesh_assert_all_rings_up(struct mesh *m);
/* cmocka fixtures: a mesh from seed 42 in *state, and its release. */
int mesh_setup(void **state);
int mesh_teardown(void **state);
#define MESH_TEST(fn) \
  cmocka_unit_test_setup_teardown(fn, mesh_setup, mesh_teardown)
size_t mesh_tripped_count(const struct mesh *m);

#endif
