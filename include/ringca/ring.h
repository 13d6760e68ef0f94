/* One ring as seen by one of its members: the token state machine.
 *
 * Sans-I/O and link-agnostic: the node feeds it decoded tokens with the
 * neighbour they came from, link up/down changes and the time; the ring
 * answers accept or a violation (with a precise detail string), says where
 * the token goes next, and queues events (up, down, bypass, rejoin, and the
 * link resets the master wants). docs/protocol.md "Ring" has the rules:
 *
 *  - Position p of the active order sends hop seq r*n + p in rotation r of
 *    an epoch (n = active length); the master (position 0) starts an epoch
 *    with seq 0. A node therefore knows the exact (epoch, seq) it must receive
 *    next and from which neighbour.
 *  - Only the master raises the epoch; a member adopts a higher epoch only
 *    from its predecessor in that epoch's active order.
 *  - A hub master bypasses members whose link is down or that failed to
 *    return the token, and takes them back at a later epoch. */
#ifndef RINGCA_RING_H
#define RINGCA_RING_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringca/limits.h"
#include "ringca/node.h"
#include "ringca/topology.h"
#include "ringca/wire.h"

struct rc_ring_timing {
  uint64_t token_loss_ns;  /* no token for this long: lost */
  uint64_t restart_ns;     /* loop master's backoff before epoch + 1 */
  uint64_t pause_ns;       /* master holds the token this long after a
                              busy rotation of a loop of 4+ nodes */
  uint64_t holdoff_ns;     /* a member that lost the token stays out this long */
  uint64_t epoch_base;     /* master's first epoch is max(1, epoch_base) */
  uint64_t idle_pause_ns;  /* master parks the token this long after any
                              other rotation (a member adjacent to the
                              master cuts it short with a want); below
                              pause_ns means pause_ns */
};

enum rc_ring_event_type {
  RC_RING_EV_UP,          /* .epoch */
  RC_RING_EV_DOWN,
  RC_RING_EV_BYPASS,      /* .node left out of .epoch */
  RC_RING_EV_REJOIN,      /* .node taken back at .epoch */
  RC_RING_EV_RESET_LINK,  /* master: reset the link to .node now */
};

struct rc_ring_event {
  enum rc_ring_event_type type;
  uint32_t node;
  uint64_t epoch;
};

#define RC_RING_EVENTS_MAX (2u * RC_TOKEN_MAX_ORDER + 8u)

struct rc_ring_violation {
  enum rc_trip_cause cause;
  char detail[256];
};

/* Where the held token goes and what it says. */
struct rc_ring_hop {
  uint32_t to;
  uint64_t epoch;
  uint64_t seq;
  const uint32_t *active;  /* node indexes; valid until the next rc_ring_* */
  size_t nactive;
};

struct rc_ring {
  const struct rc_topology *topo;
  const struct rc_topo_ring *def;
  uint32_t index, self;
  struct rc_ring_timing tm;
  bool master, hub;

  uint64_t epoch;                         /* 0: none seen or started */
  uint32_t active[RC_TOKEN_MAX_ORDER];    /* active order of `epoch` */
  size_t nactive;
  bool up;

  /* What we must receive next (valid once we sent in this epoch). */
  bool have_expect;
  size_t expect_pos;
  uint64_t expect_seq;
  uint32_t expect_from;
  uint64_t last_seq;

  /* Between receipt (or a master's start) and forwarding. */
  bool holding;
  size_t hold_pos;
  uint64_t next_seq;     /* seq of the hop we send */
  uint64_t hold_until;   /* master's rotation pause */
  bool rotation_end;
  bool rotation_busy;    /* master: envelopes rode this rotation */
  bool wanted;           /* master: a member asked for the token */
  bool want_sent;        /* member: asked since the token last visited */

  uint64_t loss_at;      /* UINT64_MAX: not armed */
  uint64_t restart_at;   /* master: UINT64_MAX unless waiting to restart */
  bool started;          /* master: rc_ring_start called */
  bool waiting;          /* master: no token exists; restart when links allow */

  /* Per position of def->order: link to that node up; hub bypass state. */
  bool peer_up[RC_TOKEN_MAX_ORDER];
  bool bypassed[RC_TOKEN_MAX_ORDER];
  uint64_t holdoff_until[RC_TOKEN_MAX_ORDER];

  struct rc_ring_event events[RC_RING_EVENTS_MAX];
  size_t ev_head, ev_count;
};

/* 0, or RC_EINVAL when self is not on the ring. */
int rc_ring_init(struct rc_ring *r, const struct rc_topology *topo,
                 uint32_t ring, uint32_t self, const struct rc_ring_timing *tm);
/* Master: starts the first epoch as soon as its links allow. */
void rc_ring_start(struct rc_ring *r, uint64_t now_ns);

/* A token for this ring from neighbour `from`, as rc_wire_view_ring_message
 * read it (only epoch, seq, active_order and n_envelopes matter here; names
 * are (pointer, length) views). Returns 0 (accepted: the ring now holds it)
 * or 1 with *v filled (a violation: the node trips). */
int rc_ring_on_token(struct rc_ring *r, uint32_t from,
                     const struct rc_wire_token *t, uint64_t now_ns,
                     struct rc_ring_violation *v);

/* True while the token is held and due to be forwarded at or before now. */
bool rc_ring_due(const struct rc_ring *r, uint64_t now_ns);
/* Cuts a master's rotation pause short (there is traffic to carry). */
void rc_ring_hurry(struct rc_ring *r, uint64_t now_ns);
/* The node put envelopes on the token it forwards: the rotation is busy,
 * so the master keeps the short pause after it. */
void rc_ring_note_carried(struct rc_ring *r);

/* Master: member `from` asks for the token (RingMessage.want). Returns 0
 * (the parked token leaves now, or the next rotation starts without a
 * pause; a member the current epoch bypasses is ignored, as its want may
 * have crossed the bypass) or 1 with *v filled: only members of this ring
 * ever send one, and only to its master. */
int rc_ring_on_want(struct rc_ring *r, uint32_t from, uint64_t now_ns,
                    struct rc_ring_violation *v);
/* Member with envelopes for this ring: the master to send a want to, or
 * UINT32_MAX when none is due (already asked since the token last came,
 * holding it, ring down, or the master is not our neighbour in the active
 * order: then the token comes within the idle pause anyway). */
uint32_t rc_ring_want_target(const struct rc_ring *r);
/* The want went out: no other until the token has visited. */
void rc_ring_want_sent(struct rc_ring *r);
/* Gives up the held token: fills *hop (0), or RC_EAGAIN when the next hop's
 * link is down (the token is dropped; the ring goes down here and the
 * master recovers it). A hub master first starts a new epoch if members
 * must be bypassed or taken back. */
int rc_ring_forward(struct rc_ring *r, uint64_t now_ns,
                    struct rc_ring_hop *hop);
/* The node could not hand the forwarded token to its link: it is lost
 * here; the ring goes down for us until the master recovers it. */
void rc_ring_send_failed(struct rc_ring *r, uint64_t now_ns);

void rc_ring_link_change(struct rc_ring *r, uint32_t peer, bool up,
                         uint64_t now_ns);
uint64_t rc_ring_next_deadline(const struct rc_ring *r);
void rc_ring_on_deadline(struct rc_ring *r, uint64_t now_ns);
bool rc_ring_next_event(struct rc_ring *r, struct rc_ring_event *ev);

/* Whether our hop to `next` is part of the current active order (and the
 * ring is up): the router's notion of a usable edge. */
bool rc_ring_can_reach(const struct rc_ring *r, uint32_t next);

#endif
