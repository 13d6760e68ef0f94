/* The in-memory topology: what every node knows about the mesh.
 *
 * Filled by the YAML loader (topology/, `ringca-topo`) or built directly by
 * tests and the simulator with the rc_topology_add_* builders. The relay core
 * reads it when a node is built and never changes it. Names are bounded
 * strings; indexes refer into the arrays below. */
#ifndef RINGCA_TOPOLOGY_H
#define RINGCA_TOPOLOGY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringca/limits.h"

#define RC_KEY_LEN 32u
#define RC_PATH_MAX 256u
#define RC_TOPO_MAX_NODES 1024u
#define RC_TOPO_MAX_PORTS 16u     /* per node */
#define RC_TOPO_MAX_RINGS 1024u

/* Where a value came from in the YAML file (1-based; 0 = built in memory). */
struct rc_src_pos {
  uint32_t line;
  uint32_t col;
};

enum rc_role { RC_ROLE_FRONTEND = 0, RC_ROLE_INTERMEDIATE, RC_ROLE_ROOT };
#define RC_ROLE_COUNT 3

enum rc_port_kind {
  RC_PORT_AUTO = 0, /* runtime decides: /dev/pts/ and lab links are ptys */
  RC_PORT_SERIAL,   /* libserialport */
  RC_PORT_PTY,      /* termios on the raw fd */
};

/* What a node does about a violation. The default is the seed's fail-closed
 * behaviour; RC_ON_VIOLATION_LOG exists so the simulator can compare. */
enum rc_violation_action { RC_ON_VIOLATION_TRIP = 0, RC_ON_VIOLATION_LOG };

struct rc_topo_port {
  char name[RC_NAME_MAX + 1];   /* e.g. "ttyS0", unique within the node */
  char device[RC_PATH_MAX];     /* e.g. "/dev/ttyS0" */
  uint32_t baud;
  enum rc_port_kind kind;
  struct rc_src_pos pos;
};

struct rc_topo_node {
  char name[RC_NAME_MAX + 1];
  enum rc_role role;
  uint8_t link_pub[RC_KEY_LEN];   /* X25519 static key of the Noise link */
  uint8_t origin_pub[RC_KEY_LEN]; /* Ed25519 key that signs its envelopes */
  struct rc_topo_port ports[RC_TOPO_MAX_PORTS];
  size_t nports;
  /* Optional per-node run settings (never key material itself). */
  char link_key_file[RC_PATH_MAX];   /* 0600 PEM with the X25519 private key */
  char origin_key_file[RC_PATH_MAX]; /* 0600 PEM with the Ed25519 private key */
  char state_dir[RC_PATH_MAX];
  char spool_dir[RC_PATH_MAX];       /* root only: the signer's spool */
  char user[RC_NAME_MAX + 1];        /* drop to this user after opening ports */
  struct rc_src_pos pos;
  /* Added by the YAML loader: the node's one key file (nodekeys.h: both
   * private keys, PEM PKCS#8, 0600); "" = given on the command line. */
  char key_file[RC_PATH_MAX];
};

/* A cable: port a_port of node a meets port b_port of node b. */
struct rc_topo_link {
  uint32_t a_node, a_port;
  uint32_t b_node, b_port;
  uint32_t baud;   /* the line rate both ports run at */
  struct rc_src_pos pos;
};

struct rc_topo_ring {
  char name[RC_NAME_MAX + 1];
  /* Visit order; order[0] is the ring master. A hub ring repeats its hub:
   * hub, m1, hub, m2, ... ; a loop ring names each node once. */
  uint32_t order[RC_TOKEN_MAX_ORDER];
  size_t norder;
  bool hub;   /* written with the hub:/members: shorthand (bypass allowed) */
  struct rc_src_pos pos;
};

/* All durations are milliseconds in the file and here. */
struct rc_topo_timeouts {
  uint64_t heartbeat_ms;         /* idle link keep-alive interval */
  uint64_t dead_link_ms;         /* silence that takes a link down */
  uint64_t retransmit_ms;        /* ARQ retransmission timeout */
  uint64_t handshake_retry_ms;   /* between handshake attempts */
  uint64_t token_loss_ms;        /* no token for this long: ring down */
  uint64_t ring_restart_ms;      /* master's backoff before epoch+1 */
  uint64_t rotation_pause_ms;    /* master holds the token this long after
                                    a busy rotation of a loop of 4+ nodes */
  uint64_t idle_pause_ms;        /* ... and parks it this long after any
                                    other rotation (idle line, idle CPU); a
                                    member's want releases it */
  uint64_t isolation_ms;         /* root: no ring up for this long: trip */
  uint64_t request_deadline_ms;  /* front-end: answer or refuse by then */
};

struct rc_topo_limits {
  uint32_t frame_size;       /* max frame payload, bytes */
  uint32_t token_size;       /* max encoded RingMessage, bytes */
  uint32_t send_queue;       /* payloads queued per link before back-pressure */
  uint32_t route_queue;      /* envelopes a node holds waiting for a ring */
  uint32_t envelope_ttl;     /* initial hop limit */
};

struct rc_topo_policy {
  enum rc_violation_action on_violation[RC_ROLE_COUNT];
  char trip_command[RC_PATH_MAX];  /* run on trip; empty = just exit */
  /* Noise: a link whose bad frames exceed noise_max_bad in the last
   * noise_window frames goes down as `noisy` (a cable fault, not a trip). */
  uint32_t noise_window;
  uint32_t noise_max_bad;
  /* Handshake initiations accepted from a peer while up (peer restart),
   * at most one per this many ms. */
  uint64_t rehandshake_min_ms;
};

struct rc_topology {
  struct rc_topo_node *nodes;
  size_t nnodes;
  struct rc_topo_link *links;
  size_t nlinks;
  struct rc_topo_ring *rings;
  size_t nrings;
  struct rc_topo_timeouts timeouts;
  struct rc_topo_limits limits;
  struct rc_topo_policy policy;
  char source[RC_PATH_MAX];  /* file it was loaded from, "" in memory */
};

/* Documented defaults (docs/topology.md) for timeouts, limits and policy. */
void rc_topology_init(struct rc_topology *t);
void rc_topology_free(struct rc_topology *t);

/* Builders; return the new index or a negative RC_E* (RC_EEXIST for a
 * duplicate name, RC_ELIMIT past the caps above, RC_ENOTFOUND for names). */
int rc_topology_add_node(struct rc_topology *t, const char *name,
                         enum rc_role role);
int rc_topology_add_port(struct rc_topology *t, uint32_t node,
                         const char *port, const char *device, uint32_t baud);
int rc_topology_add_link(struct rc_topology *t, const char *a_node,
                         const char *a_port, const char *b_node,
                         const char *b_port);
/* order: node names, master first. */
int rc_topology_add_ring(struct rc_topology *t, const char *name,
                         const char *const *order, size_t norder, bool hub);
/* Hub shorthand: hub, members[0], hub, members[1], ... */
int rc_topology_add_hub_ring(struct rc_topology *t, const char *name,
                             const char *hub, const char *const *members,
                             size_t nmembers);

int rc_topology_find_node(const struct rc_topology *t, const char *name);
int rc_topology_find_port(const struct rc_topology *t, uint32_t node,
                          const char *port);
int rc_topology_find_ring(const struct rc_topology *t, const char *name);
/* The link joining two nodes, or -1. */
int rc_topology_link_between(const struct rc_topology *t, uint32_t a,
                             uint32_t b);

const char *rc_role_name(enum rc_role r);

/* Structural checks the relay core relies on: names, indexes, ports used
 * once, every consecutive ring hop (and last -> first) joined by a link, no
 * ring of fewer than two nodes, hub rings really alternating with their hub.
 * Calls report() once per problem (pos names the offending element) and
 * returns how many it found. ringca-topo adds the deployment checks. */
typedef void (*rc_topology_report_fn)(void *ctx, struct rc_src_pos pos,
                                      const char *msg);
size_t rc_topology_validate(const struct rc_topology *t,
                            rc_topology_report_fn report, void *ctx);

#endif
