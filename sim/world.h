/* The simulated world: every node of a topology runs the real relay core
 * (rc_node, the code that ships) on netsim lines, on virtual time that jumps
 * to the next deadline; the root runs the real signer library with a
 * throwaway CA; the scenario breaks cables and nodes and plays the attacker;
 * the invariant checkers watch from outside. A run is a pure function of
 * (topology, scenario, seed). */
#ifndef RINGCA_SIM_WORLD_H
#define RINGCA_SIM_WORLD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"
#include "scenario.h"

struct rc_world_input {
  /* Node keys in it are replaced by keys derived from the seed, so any
   * topology file runs without its private keys. The record points at it:
   * it must outlive the record. */
  struct rc_topology *topo;
  const struct rc_scenario *scn;
  uint64_t seed;
  const char *topology_file;  /* for the replay command line */
  const char *scenario_file;  /* NULL: generated from the seed (--random) */
};

/* True when this build can lie at ring level (RINGCA_LAB injection hook). */
bool rc_world_has_ring_hook(void);

/* Runs the scenario. Returns 0 when the run happened (pass or fail is in
 * rec: failures_total, nexpect_failures), or RC_EINVAL / RC_ENOMEM with
 * "file:line:col: message" in err when the scenario does not fit the
 * topology or the core refuses it. rec is initialised here; the caller
 * frees it with rc_record_free. */
int rc_world_run(const struct rc_world_input *in, struct rc_record *rec,
                 char *err, size_t errlen);

#endif
