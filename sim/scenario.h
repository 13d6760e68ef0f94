/* A simulator scenario: time-stamped steps applied to a topology, and the
 * outcome the scenario expects (so every library scenario checks itself).
 *
 * Parsed from YAML (docs/simulator.md has the format) without looking at the
 * topology: node and cable names are resolved by the world, which reports a
 * bad name at the step's file:line:col. The parser treats the file as hostile:
 * size and count limits apply before anything is allocated for them. */
#ifndef RINGCA_SIM_SCENARIO_H
#define RINGCA_SIM_SCENARIO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringca/limits.h"
#include "ringca/topology.h"

#define RC_SCN_FILE_MAX (1u << 20)      /* bytes of YAML */
#define RC_SCN_MAX_STEPS 4096u
#define RC_SCN_MAX_LOAD_NODES 256u      /* names in one load step */
#define RC_SCN_MAX_EXPECT_TRIPS 64u
#define RC_SCN_MAX_DURATION_MS (7ull * 24 * 3600 * 1000) /* a week */
#define RC_SCN_MAX_COUNT 100000u        /* injections per compromise step */
#define RC_SCN_MAX_RATE_PER_MIN 60000u  /* requests per front-end */
#define RC_SCN_MAX_RATE_PER_HOUR (RC_SCN_MAX_RATE_PER_MIN * 60u)

#define RC_SCN_ACTION_MAP(XX)                                               \
  XX(LOAD, "load")             /* request rate on front-ends from `at` */   \
  XX(CUT, "cut")               /* a cable stops carrying bytes */           \
  XX(RESTORE, "restore")       /* a cut cable carries bytes again */        \
  XX(CRASH, "crash")           /* a node loses all state and goes silent */ \
  XX(RESTART, "restart")       /* a crashed node boots again */             \
  XX(NOISE, "noise")           /* a cable's bit-error rate changes */       \
  XX(COMPROMISE, "compromise") /* an attacker holds a node */               \
  XX(TAP, "tap")               /* an attacker splices into a cable */

enum rc_scn_action {
#define RC_SCN_ACTION_ENUM_(n, s) RC_SCN_##n,
  RC_SCN_ACTION_MAP(RC_SCN_ACTION_ENUM_)
#undef RC_SCN_ACTION_ENUM_
  RC_SCN__ACTION_COUNT
};

/* What an attacker does. `key` says whether it needs the node's keys (a
 * compromised node) or works from a tap on the cable too. */
#define RC_SCN_BEHAVIOUR_MAP(XX)                                             \
  XX(REPLAY, "replay")               /* resend an earlier frame, same session */\
  XX(REORDER, "reorder")             /* hold a frame, send the next first */ \
  XX(DROP, "drop")                   /* swallow everything sent: tokens lost */\
  XX(FORGE, "forge")                 /* a frame whose AEAD tag is wrong */   \
  XX(OUT_OF_TURN, "out-of-turn")     /* a token when it is not our turn */   \
  XX(WRONG_EPOCH, "wrong-epoch")     /* a token with a stale epoch */        \
  XX(MALFORMED, "malformed")         /* a RingMessage that does not decode */\
  XX(BAD_CSR, "bad-csr")             /* a signed request failing policy */   \
  XX(FORGED_ORIGIN, "forged-origin") /* an envelope signed by the wrong key */\
  XX(FLOOD, "flood")                 /* line-rate garbage on the cable */

enum rc_scn_behaviour {
#define RC_SCN_BEHAVIOUR_ENUM_(n, s) RC_SCN_BEH_##n,
  RC_SCN_BEHAVIOUR_MAP(RC_SCN_BEHAVIOUR_ENUM_)
#undef RC_SCN_BEHAVIOUR_ENUM_
  RC_SCN__BEHAVIOUR_COUNT
};

const char *rc_scn_action_name(enum rc_scn_action a);
const char *rc_scn_behaviour_name(enum rc_scn_behaviour b);
int rc_scn_behaviour_parse(const char *s, enum rc_scn_behaviour *out);

struct rc_scn_load {
  uint32_t rate_per_hour;  /* per front-end; 0 stops the load. The file
                              says N (per minute), N/min or N/h */
  bool all;               /* every front-end of the topology */
  size_t nnodes;
  char (*nodes)[RC_NAME_MAX + 1];  /* owned */
  char profile[RC_NAME_MAX + 1];   /* "server" (default) or "client" */
};

struct rc_scn_step {
  uint64_t at_ms;
  enum rc_scn_action action;
  char node[RC_NAME_MAX + 1];      /* crash, restart, compromise */
  bool has_cable;
  char cable[2][RC_NAME_MAX + 1];  /* cut, restore, noise, tap; optional
                                      for compromise (default: every cable
                                      of the node) */
  double ber;                      /* noise: bit-error rate in [0, 0.5] */
  enum rc_scn_behaviour behaviour; /* compromise, tap */
  uint32_t count;                  /* injections (default 1) */
  uint64_t every_ms;               /* between injections (default 1000) */
  struct rc_scn_load load;
  struct rc_src_pos pos;           /* of the step in the file */
};

/* The trip the scenario predicts for one node; cause "any" matches all. */
struct rc_scn_trip {
  char node[RC_NAME_MAX + 1];
  char cause[32];
  struct rc_src_pos pos;
};

/* Unset numeric expectations are UINT64_MAX ("no expectation"). */
struct rc_scn_expect {
  bool has_trips;  /* `trips:` given: exactly these nodes trip */
  size_t ntrips;
  struct rc_scn_trip trips[RC_SCN_MAX_EXPECT_TRIPS];
  uint64_t issued_min, issued_max;
  uint64_t refused_min, refused_max;
  uint64_t expired_max;
  uint64_t retransmits_min;
  uint64_t bypasses_min;      /* hub masters leaving a member out */
  uint64_t links_down_min;    /* link-down events, any reason */
};

struct rc_scenario {
  char name[RC_NAME_MAX + 1];
  char description[512];
  /* The topology the story was written for, relative to the repository
   * (tests run it there); ringca-sim --topology may name any other. */
  char topology[RC_PATH_MAX];
  uint64_t duration_ms;
  uint64_t latency_ms;    /* one-way cable latency (default 1) */
  double ber;             /* initial bit-error rate of every cable */
  size_t nsteps;
  struct rc_scn_step *steps;  /* sorted by at_ms, file order kept on ties */
  struct rc_scn_expect expect;
  char source[RC_PATH_MAX];
};

void rc_scenario_init(struct rc_scenario *s);
void rc_scenario_free(struct rc_scenario *s);

/* Parses YAML text. `name` labels messages. On error returns RC_EMALFORMED,
 * RC_ETOOBIG or RC_ELIMIT (RC_ENOMEM) and writes "name:line:col: message"
 * into err; *out is left freed. */
int rc_scenario_parse(const char *name, const uint8_t *buf, size_t len,
                      struct rc_scenario *out, char *err, size_t errlen);
int rc_scenario_load(const char *path, struct rc_scenario *out, char *err,
                     size_t errlen);

/* Appends a step (sweep's generated scenarios); keeps steps sorted.
 * Returns 0, RC_ELIMIT or RC_ENOMEM. The load node list is moved in. */
int rc_scenario_add_step(struct rc_scenario *s, struct rc_scn_step *step);

/* Writes the scenario back as YAML that rc_scenario_parse reads to the same
 * scenario (sweep prints a failing seed's generated scenario this way). */
int rc_scenario_write_yaml(const struct rc_scenario *s, char **out,
                           size_t *len);

/* "1500" -> 1500 ms; "250ms", "3s", "2m", "1h". Returns 0 or RC_EMALFORMED. */
int rc_scn_parse_duration(const char *s, uint64_t *ms);

#endif
