/* Sweeps: many generated scenarios, one per seed, in parallel workers. */
#ifndef RINGCA_SIM_SWEEP_H
#define RINGCA_SIM_SWEEP_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ringca/topology.h"

struct rc_sweep_opts {
  const char *topology_file;
  uint64_t first_seed;
  uint64_t seeds;
  uint64_t duration_ms;
  unsigned jobs;
};

/* One generated scenario: 0 pass, 1 invariant failure, 2 could not run
 * (why says which invariant, when, or the error). */
int rc_sweep_one(struct rc_topology *t, const char *topo_file, uint64_t seed,
                 uint64_t duration_ms, char *why, size_t whylen);

/* Runs the sweep, prints failing seeds with their replay command and a
 * summary to out, a progress line to stderr. Returns 0 (all held), 1 (some
 * seed failed an invariant) or 2 (a seed could not run). */
int rc_sweep_run(struct rc_topology *t, const struct rc_sweep_opts *o,
                 FILE *out);

#endif
