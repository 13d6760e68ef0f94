/* Loading a topology from its YAML file (libyaml document API), and the
 * deployment checks run on top of rc_topology_validate().
 *
 * Every problem is reported through an rc_topology_report_fn with its
 * 1-based position in the file, so tools print `FILE:LINE:COL: message`.
 * The file is hostile input: it is capped in size, every count is capped by
 * topology.h, every string by its field, and anchors/aliases are refused
 * (they would let a small file expand into a huge tree). */
#ifndef RINGCA_TOPOYAML_H
#define RINGCA_TOPOYAML_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringca/topology.h"

#define RC_TOPO_FILE_MAX (1u << 20)     /* bytes */
#define RC_TOPO_MAX_LINKS (RC_TOPO_MAX_NODES * RC_TOPO_MAX_PORTS / 2u)
#define RC_TOPO_MAX_ERRORS 200u         /* reports before the loader gives up */
#define RC_TOPO_MAX_FLOW_DEPTH 32u      /* nesting of [ and { */

/* The scalar settings of the timeouts:, limits: and policy: sections:
 * XX(ID, section, key). Values, bounds and defaults: docs/topology.md. */
#define RC_TOPO_SETTING_MAP(XX)                         \
  XX(HEARTBEAT, "timeouts", "heartbeat_ms")             \
  XX(DEAD_LINK, "timeouts", "dead_link_ms")             \
  XX(RETRANSMIT, "timeouts", "retransmit_ms")           \
  XX(HANDSHAKE_RETRY, "timeouts", "handshake_retry_ms") \
  XX(TOKEN_LOSS, "timeouts", "token_loss_ms")           \
  XX(RING_RESTART, "timeouts", "ring_restart_ms")       \
  XX(ROTATION_PAUSE, "timeouts", "rotation_pause_ms")   \
  XX(IDLE_PAUSE, "timeouts", "idle_pause_ms")           \
  XX(ISOLATION, "timeouts", "isolation_ms")             \
  XX(REQUEST_DEADLINE, "timeouts", "request_deadline_ms") \
  XX(FRAME_SIZE, "limits", "frame_size")                \
  XX(TOKEN_SIZE, "limits", "token_size")                \
  XX(SEND_QUEUE, "limits", "send_queue")                \
  XX(ROUTE_QUEUE, "limits", "route_queue")              \
  XX(ENVELOPE_TTL, "limits", "envelope_ttl")            \
  XX(NOISE_WINDOW, "policy", "noise_window")            \
  XX(NOISE_MAX_BAD, "policy", "noise_max_bad")          \
  XX(REHANDSHAKE_MIN, "policy", "rehandshake_min_ms")   \
  XX(TRIP_COMMAND, "policy", "trip_command")            \
  XX(ON_VIOLATION, "policy", "on_violation")

enum rc_topo_setting {
#define RC_TOPO_SETTING_ENUM_(id, sec, key) RC_TOPO_SET_##id,
  RC_TOPO_SETTING_MAP(RC_TOPO_SETTING_ENUM_)
#undef RC_TOPO_SETTING_ENUM_
  RC_TOPO_SET_COUNT
};

/* Where the file said things the deployment checks may blame; a zero
 * position means the value is the built-in default. */
struct rc_topo_src {
  struct rc_src_pos setting[RC_TOPO_SET_COUNT];
  struct rc_src_pos nodes;  /* the `nodes:` key */
  struct rc_src_pos links;
  struct rc_src_pos rings;
};

/* Parses YAML text into t (which the loader initialises with
 * rc_topology_init; free it with rc_topology_free even on error). `source`
 * names the file for t->source. src may be NULL. Returns the number of
 * problems reported (0 = loaded and structurally valid), including those of
 * rc_topology_check(), which runs once the file itself is well-formed. */
size_t rc_topology_parse(struct rc_topology *t, struct rc_topo_src *src,
                         const char *source, const uint8_t *text, size_t len,
                         rc_topology_report_fn report, void *ctx);

/* Reads path (at most RC_TOPO_FILE_MAX bytes) and parses it. A file that
 * cannot be read is one problem reported at position 0:0. */
size_t rc_topology_load(struct rc_topology *t, struct rc_topo_src *src,
                        const char *path, rc_topology_report_fn report,
                        void *ctx);

/* rc_topology_validate() plus the deployment checks (docs/topology.md):
 * exactly one root, every node on a ring, every front-end with a path to
 * the root, link ends agreeing on baud, distinct public keys, and timeouts
 * that can hold at the configured baud rates. src may be NULL. */
size_t rc_topology_check(const struct rc_topology *t,
                         const struct rc_topo_src *src,
                         rc_topology_report_fn report, void *ctx);

/* Time in ms (rounded up) to send one frame of `payload` bytes at baud
 * (8N1: ten bit times per byte), COBS, CRC and delimiters included. */
uint64_t rc_topology_frame_ms(size_t payload, uint32_t baud);
/* One rotation of a ring with full frames on every hop, plus the master's
 * rotation pause. */
uint64_t rc_topology_rotation_ms(const struct rc_topology *t, size_t ring);

/* Reachability over rings after failures: reach[i] (nnodes entries) says
 * whether node i can still exchange envelopes with the root when node
 * dead_node and cable dead_link have failed (-1 = none). A loop ring dies
 * with any member or cable; a hub ring dies with its hub and bypasses a
 * member that is down or whose cable to the hub is cut. Returns false
 * (reach all false) when there is no root or the root itself failed. */
bool rc_topology_reach_root(const struct rc_topology *t, int dead_node,
                            int dead_link, bool *reach);

#endif
