/* Internals shared by world.c (setup, clock, pumping bytes, events) and
 * world_act.c (scenario steps, attacks, load, the root's signer). */
#ifndef RINGCA_SIM_WORLD_INT_H
#define RINGCA_SIM_WORLD_INT_H
#include <stdbool.h>
#include <stdint.h>

#include "invariants.h"
#include "pki.h"
#include "record.h"
#include "ringca/netsim.h"
#include "ringca/node.h"
#include "ringca/policy.h"
#include "ringca/signer.h"
#include "scenario.h"
#include "tamper.h"
#include "wheap.h"
#include "world.h"

#define W_MAX_ATTACKS 1024u
#define W_MAX_REQUESTS (1u << 22)
#define W_SPIN_LIMIT 100000u /* node calls at one instant before we call it
                                a livelock */
#define W_IO_CHUNK (RC_FRAME_PAYLOAD_LIMIT + 1024u)

struct wnode {
  struct rc_node *core;  /* NULL while crashed */
  bool crashed, tripped, compromised;
  struct rc_prng prng;   /* this node's own stream of the seed */
  uint8_t link_priv[32], origin_priv[32];
  /* load (front-ends) */
  uint32_t rate_per_hour;
  char profile[RC_NAME_MAX + 1];
  uint64_t next_submit_ns;
  uint8_t *csr, *bad_csr;
  size_t csr_len, bad_csr_len;
  uint32_t cables[RC_TOPO_MAX_PORTS]; /* topology links this node ends */
  uint8_t cable_end[RC_TOPO_MAX_PORTS];
  size_t ncables;
  uint64_t served_at;    /* last rc_node_on_deadline call */
  uint64_t deadline;     /* cached rc_node_next_deadline: it only changes
                            when the world calls into the node */
  bool tx_dirty;         /* some cable end of this node is in tx_ask */
  bool in_txwait;        /* listed in world.txwait */
  /* last reported ring positions, for the token-order invariant */
  uint64_t *ring_seq, *ring_epoch;
  uint64_t tokens_seen;  /* tokens in + out when the rings were last read:
                            positions move only with a token */
  bool *ring_up;
};

struct wreq {
  uint32_t fe;
  bool during_fault;
  bool resolved;
};

/* A root's memory of what it answered, so a retried request gets the same
 * certificate and is never issued twice (the signer spool's job in
 * production). */
struct wanswer {
  uint8_t id[16];
  uint8_t *payload;
  size_t len;
  Ringca__EnvelopeKind kind;
};

struct wattack {
  enum rc_scn_behaviour beh;
  uint32_t attacker;   /* compromised node, or the tap's near end */
  bool tap;
  int link;            /* -1: not on a cable (bad-csr) */
  int end;             /* sending end of `link` the attack rides on */
  uint32_t remaining;
  uint32_t retries;
  uint64_t every_ns, next_ns;
};

/* Arrival times of frame delimiters written into one direction of a line:
 * a node only acts on whole frames, so the world wakes when a frame's last
 * byte arrives instead of at every byte (ten thousand times fewer wake-ups
 * at 115200 baud, and the same result). */
struct wwake {
  uint64_t *t;
  size_t head, tail, cap;
};

struct world {
  struct rc_topology *t;
  const struct rc_scenario *s;
  struct rc_record *rec;
  struct rc_inv *inv;
  struct rc_netsim *net;
  uint64_t now, end_ns, seed;
  struct rc_prng prng;   /* the world's own choices: load jitter, attacks */
  struct wnode *nodes;
  struct rc_tamper **tamper;  /* [link * 2 + sending end], NULL = clean */
  bool *cut, *tapped;
  struct wwake *wake;         /* [link * 2 + sending end] */
  /* [link * 2 + sending end]: ask the core for bytes when the transmitter
   * is free. Set for every cable of a node the world just called into;
   * cleared when the core has nothing for that cable. Asking only these
   * keeps an idle cable of a busy hub from being polled at every event. */
  bool *tx_ask;
  /* When each thing next needs the world (wheap.h): node wakes by node,
   * frame arrivals and draining transmitters by sending cable end, load by
   * front-end. */
  struct wheap wake_h, arrival_h, txidle_h, load_h;
  uint32_t *due;        /* scratch for wheap_due: max(nodes, 2 x links) */
  uint32_t *txwait;     /* nodes whose wake is a transmitter, this instant */
  size_t ntxwait;
  double *ber;
  int root;             /* the node requests go to */
  size_t next_step;
  struct wattack attacks[W_MAX_ATTACKS];
  size_t nattacks;
  uint64_t faults_active;
  struct wreq *reqs;
  size_t nreqs, capreqs;
  struct wanswer *answers;
  size_t nanswers, capanswers;
  struct rc_policy policy;
  struct rc_ca ca;
  struct rc_sim_ca simca;
  uint8_t *io;          /* W_IO_CHUNK scratch */
  char *err;
  size_t errlen;
  bool livelock;
};

/* world.c */
void w_drain(struct world *w, uint32_t n);
void w_node_start(struct world *w, uint32_t n);
void w_node_stop(struct world *w, uint32_t n);
uint64_t w_ns(uint64_t ms);
int w_link_end(const struct world *w, int link, uint32_t node);
void w_cable_changed(struct world *w, int link);
void w_line_write(struct world *w, int link, int end, const uint8_t *buf,
                  size_t len);
void w_line_cut(struct world *w, int link, bool cut);
void w_load_rekey(struct world *w, uint32_t n);

/* world_steps.c */
void w_reorder_sent(struct world *w, int link, int end, size_t len);

/* world_lie.c */
int w_ring_lie(struct world *w, const struct wattack *a, uint32_t target,
               struct rc_bytes *sent);

/* world_act.c */
int w_resolve_steps(struct world *w);
void w_apply_step(struct world *w, const struct rc_scn_step *st);
void w_fire_attacks(struct world *w);
uint64_t w_next_attack(const struct world *w);
void w_fire_load(struct world *w);
void w_submit_bad(struct world *w, uint32_t n);
uint64_t w_next_load(const struct world *w);
void w_deliver(struct world *w, uint32_t n, const Ringca__Envelope *env);
void w_expired(struct world *w, uint32_t n, const uint8_t id[16]);
int w_fe_prepare(struct world *w, uint32_t n);
void w_answers_free(struct world *w);

#endif
