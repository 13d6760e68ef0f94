/* What one simulation run observed: the timeline, per front-end request
 * outcomes, trips, invariant failures and unmet expectations. The world and
 * the invariant checkers write it; the reports (report.c) only read it.
 *
 * Everything here is a function of topology + scenario + seed: times are
 * virtual nanoseconds, nodes/links/rings are topology indexes, and entries
 * are appended in the order the world processes them (which is fixed). */
#ifndef RINGCA_SIM_RECORD_H
#define RINGCA_SIM_RECORD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ringca/log.h"
#include "ringca/topology.h"

#define RC_REC_MAX_EVENTS 200000u   /* timeline entries kept; more counted */
#define RC_REC_MAX_FAILURES 64u     /* invariant failures kept per run */
#define RC_REC_TEXT 224u

#define RC_REC_KIND_MAP(XX)                                               \
  XX(STEP, "step")           /* a scenario step was applied */            \
  XX(INJECT, "inject")       /* an attacker put bytes on a cable */       \
  XX(TRIP, "trip")           /* a node tripped */                         \
  XX(LINK_UP, "link-up")                                                  \
  XX(LINK_DOWN, "link-down")                                              \
  XX(RING_UP, "ring-up")                                                  \
  XX(RING_DOWN, "ring-down")                                              \
  XX(BYPASS, "bypass")       /* hub master left a member out: failover */ \
  XX(REJOIN, "rejoin")                                                    \
  XX(ISSUED, "issued")       /* the root's signer issued a certificate */ \
  XX(ANSWER, "answer")       /* a front-end got its reply or refusal */   \
  XX(EXPIRED, "expired")     /* a front-end's request passed its deadline */\
  XX(INVARIANT, "invariant") /* an invariant failed */

enum rc_rec_kind {
#define RC_REC_KIND_ENUM_(n, s) RC_REC_##n,
  RC_REC_KIND_MAP(RC_REC_KIND_ENUM_)
#undef RC_REC_KIND_ENUM_
  RC_REC__KIND_COUNT
};
const char *rc_rec_kind_name(enum rc_rec_kind k);

struct rc_rec_event {
  uint64_t t_ns;
  enum rc_rec_kind kind;
  int node;  /* topology indexes, -1 when not relevant */
  int link;
  int ring;
  char text[RC_REC_TEXT];
};

/* Per front-end request outcomes. "During faults" counts requests submitted
 * while some fault (cut, crash, noise, compromise, tap, trip) was active:
 * the availability the report shows is issued_during / submitted_during. */
struct rc_rec_frontend {
  uint64_t submitted, issued, refused, expired;
  uint64_t submitted_during_faults, issued_during_faults;
};

struct rc_rec_trip {
  bool tripped;
  bool compromised;  /* the node was the attacker's: not an honest trip */
  uint64_t t_ns;
  char cause[32];
  char detail[RC_REC_TEXT];
};

struct rc_rec_failure {
  uint64_t t_ns;
  char invariant[32];
  char text[RC_REC_TEXT];
};

struct rc_record {
  const struct rc_topology *topo;
  char scenario[RC_NAME_MAX + 1];
  char topology_file[RC_PATH_MAX];
  char scenario_file[RC_PATH_MAX];
  uint64_t seed;
  uint64_t duration_ns;
  uint64_t end_ns;             /* virtual time the run stopped */
  struct rc_rec_event *events;
  size_t nevents, cap_events;
  uint64_t events_dropped;
  struct rc_rec_frontend *fe;  /* one per topology node (0 for others) */
  struct rc_rec_trip *trips;   /* one per topology node */
  uint64_t retransmits, bad_frames, links_down, bypasses, rejoins;
  uint64_t injections, injections_skipped, forged_issued;
  uint64_t wall_events;        /* node calls made: the cost measure */
  struct rc_rec_failure failures[RC_REC_MAX_FAILURES];
  size_t nfailures;
  uint64_t failures_total;
  char expect_failures[16][RC_REC_TEXT];
  size_t nexpect_failures;
};

int rc_record_init(struct rc_record *r, const struct rc_topology *topo);
void rc_record_free(struct rc_record *r);

void rc_record_event(struct rc_record *r, uint64_t t_ns, enum rc_rec_kind k,
                     int node, int link, int ring, const char *fmt, ...)
    RC_PRINTF(7, 8);
/* An invariant failed: kept (up to the cap), counted, and on the timeline. */
void rc_record_failure(struct rc_record *r, uint64_t t_ns,
                       const char *invariant, const char *fmt, ...)
    RC_PRINTF(4, 5);

/* "12.345678s" for reports and traces (fixed width fraction). */
void rc_record_fmt_time(uint64_t t_ns, char *out, size_t cap);

/* The command line that replays this run, for failure messages. */
void rc_record_replay_cmd(const struct rc_record *r, char *out, size_t cap);

/* The trace: one line per timeline entry, byte-identical across runs. */
void rc_record_write_trace(const struct rc_record *r, FILE *f);

#endif
