/* The simulator's goals (issue 9), measured, with ratios against references
 * taken in the same run:
 *   1. a sweep of 10,000 seeds on canonical with 0 invariant failures;
 *   2. the 64-front-end example (topology/examples/large.yaml) simulates one
 *      hour of virtual time in under 10 s of wall time, under a steady
 *      load of 6 requests per front-end per hour (384 an hour, about ten
 *      times the busiest hour of the seed's CA); the idle hour and the
 *      cost of one request under a heavy load (6 per front-end per minute)
 *      are printed beside it, so other loads can be worked out;
 *   3. cost grows linearly with nodes x time: wall time per node-hour at 8,
 *      16, 32 and 64 front-ends (same shape as large.yaml, 10 virtual
 *      minutes each), and per virtual minute at 5, 10 and 20 minutes with
 *      64 front-ends, each as a ratio to the smallest.
 * usage: sim_bench [--seeds N] [--jobs J] [--skip-sweep]
 * Prints PASS/FAIL per goal; exit status 0 when every goal passed. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "goal.h"
#include "vmhwm.h"
#include "ringca/topoyaml.h"
#include "scenario.h"
#include "sweep.h"
#include "world.h"

static double wall(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* large.yaml's shape with fe_count front-ends: imK serves eight of them on
 * a hub ring and sits on a loop ring with the root. */
static int build(struct rc_topology *t, unsigned fe_count) {
  rc_topology_init(t);
  unsigned ims = fe_count / 8;
  char a[32], b[32];
  int root_at = -1;
  for (unsigned i = 1; i <= fe_count; i++) {
    snprintf(a, sizeof a, "fe%u", i);
    int n = rc_topology_add_node(t, a, RC_ROLE_FRONTEND);
    rc_topology_add_port(t, (uint32_t)n, "up", "/dev/ttyS0", 115200);
  }
  for (unsigned k = 1; k <= ims; k++) {
    snprintf(a, sizeof a, "im%u", k);
    int n = rc_topology_add_node(t, a, RC_ROLE_INTERMEDIATE);
    for (unsigned j = 0; j < 9; j++) {
      snprintf(b, sizeof b, "p%u", j);
      rc_topology_add_port(t, (uint32_t)n, b, "/dev/ttyS0", 115200);
    }
  }
  root_at = rc_topology_add_node(t, "root", RC_ROLE_ROOT);
  for (unsigned k = 1; k <= ims; k++) {
    snprintf(b, sizeof b, "p%u", k);
    rc_topology_add_port(t, (uint32_t)root_at, b, "/dev/ttyS0", 115200);
  }
  for (unsigned k = 1; k <= ims; k++) {
    char im[16], port[16], fe[16];
    const char *members[8];
    char names[8][16];
    snprintf(im, sizeof im, "im%u", k);
    for (unsigned j = 0; j < 8; j++) {
      snprintf(fe, sizeof fe, "fe%u", (k - 1) * 8 + j + 1);
      snprintf(port, sizeof port, "p%u", j);
      if (rc_topology_add_link(t, fe, "up", im, port) < 0)
        return -1;
      snprintf(names[j], sizeof names[j], "%s", fe);
      members[j] = names[j];
    }
    snprintf(port, sizeof port, "p%u", k);
    if (rc_topology_add_link(t, im, "p8", "root", port) < 0)
      return -1;
    snprintf(a, sizeof a, "%s-fe", im);
    if (rc_topology_add_hub_ring(t, a, im, members, 8) < 0)
      return -1;
    const char *order[2] = {"root", im};
    snprintf(a, sizeof a, "%s-root", im);
    if (rc_topology_add_ring(t, a, order, 2, false) < 0)
      return -1;
  }
  return rc_topology_validate(t, NULL, NULL) == 0 ? 0 : -1;
}

#define BENCH_RATE "6/h" /* requests per front-end: a root store's load */

/* One run of steady load (`rate` per front-end, scenario syntax); returns
 * wall seconds, or a negative value when the run failed. *issued_out, when
 * not NULL, receives the certificates issued. */
static double timed_run_at(struct rc_topology *t, uint64_t minutes,
                           const char *label, const char *rate,
                           uint64_t *issued_out) {
  char yaml[256], err[512];
  snprintf(yaml, sizeof yaml,
           "name: bench\nduration: %" PRIu64 "m\nsteps:\n"
           "  - {at: 0s, do: load, rate: %s, frontends: all}\n", minutes,
           rate);
  struct rc_scenario s;
  if (rc_scenario_parse("bench", (const uint8_t *)yaml, strlen(yaml), &s, err,
                        sizeof err) != 0) {
    fprintf(stderr, "%s\n", err);
    return -1;
  }
  struct rc_record rec;
  struct rc_world_input in = {.topo = t, .scn = &s, .seed = 1,
                              .topology_file = label};
  double t0 = wall();
  int rc = rc_world_run(&in, &rec, err, sizeof err);
  double dt = wall() - t0;
  uint64_t issued = 0;
  for (size_t n = 0; n < t->nnodes; n++)
    issued += rec.fe[n].issued;
  if (rc != 0)
    fprintf(stderr, "%s: %s\n", label, err);
  else
    printf("  %-28s %3zu nodes %3" PRIu64 " min, rate %-6s %7.2f s wall, "
           "%" PRIu64 " issued, %" PRIu64 " invariant failures\n",
           label, t->nnodes, minutes, rate, dt, issued, rec.failures_total);
  if (issued_out)
    *issued_out = issued;
  bool ok = rc == 0 && rec.failures_total == 0;
  rc_record_free(&rec);
  rc_scenario_free(&s);
  return ok ? dt : -1;
}

static double timed_run(struct rc_topology *t, uint64_t minutes,
                        const char *label) {
  return timed_run_at(t, minutes, label, BENCH_RATE, NULL);
}

static int goal_sweep(uint64_t seeds, unsigned jobs, uint64_t duration_ms) {
  char path[1024];
  snprintf(path, sizeof path, "%s/topology/examples/canonical.yaml",
           RINGCA_SOURCE_DIR);
  struct rc_topology t;
  if (rc_topology_load(&t, NULL, path, NULL, NULL) != 0) {
    rc_topology_free(&t);
    return -1;
  }
  struct rc_sweep_opts o = {.topology_file = path, .first_seed = 0,
                            .seeds = seeds, .duration_ms = duration_ms,
                            .jobs = jobs};
  double t0 = wall();
  int rc = rc_sweep_run(&t, &o, stdout);
  printf("goal 1: %" PRIu64 " seeds on canonical in %.1f s: %s\n", seeds,
         wall() - t0, rc == 0 ? "PASS (0 invariant failures)" : "FAIL");
  /* The sweep reports failing seeds itself; the goal is all of them held. */
  bench_goal("sim_sweep_canonical", rc == 0 ? (double)seeds : 0, "seeds_held",
             (double)seeds, "seeds", true, 1,
             "generated scenarios on canonical.yaml with every invariant held");
  rc_topology_free(&t);
  return rc == 0 ? 0 : -1;
}

/* The simulator's peak resident size after the large run, per node: the
 * process holds nothing else big yet. */
static void report_vmhwm(size_t nodes) {
  unsigned long kb = bench_vmhwm_kib();
  if (!kb)
    return;
  printf("  ringca-sim peak resident size %.1f MiB for %zu nodes: %.0f KiB "
         "per node\n", (double)kb / 1024.0, nodes, (double)kb / (double)nodes);
  bench_info("sim_vmhwm_per_node", (double)kb / (double)nodes, "KiB",
             "peak resident size of the simulator after the large.yaml hour, "
             "per simulated node (core, lines, signer, OpenSSL)");
}

static int goal_large(uint64_t minutes) {
  char path[1024];
  snprintf(path, sizeof path, "%s/topology/examples/large.yaml",
           RINGCA_SOURCE_DIR);
  struct rc_topology t;
  if (rc_topology_load(&t, NULL, path, NULL, NULL) != 0) {
    rc_topology_free(&t);
    return -1;
  }
  double dt = timed_run(&t, minutes, "large.yaml");
  report_vmhwm(t.nnodes);
  /* Beside it, what the hour is made of: the idle mesh, and what one
   * request costs when requests come thick (6 per front-end per minute,
   * 60 times the goal's load), both scaled to an hour. */
  uint64_t span = minutes < 10 ? minutes : 10, heavy_issued = 0;
  double idle = timed_run_at(&t, minutes, "large.yaml idle", "0", NULL);
  double heavy = timed_run_at(&t, span, "large.yaml heavy", "6", &heavy_issued);
  rc_topology_free(&t);
  if (dt < 0 || idle < 0 || heavy < 0)
    return -1;
  /* Cost is linear in virtual time (goal 3), so a shorter run scales. */
  double per_hour = dt * 60.0 / (double)minutes;
  double idle_hour = idle * 60.0 / (double)minutes;
  double per_request =
      heavy_issued
          ? (heavy - idle * (double)span / (double)minutes) /
                (double)heavy_issued
          : 0.0;
  printf("goal 2: 64 front-ends, 1 h virtual at %s per front-end in %.2f s "
         "wall (limit 10 s, ratio %.2f): %s\n", BENCH_RATE, per_hour,
         per_hour / 10.0, per_hour < 10.0 ? "PASS" : "FAIL");
  printf("  the idle hour costs %.2f s; under 6 requests per front-end per "
         "minute each request adds %.2f ms (%.1f s per hour at that load)\n",
         idle_hour, per_request * 1e3, heavy * 60.0 / (double)span);
  bench_info("sim_64fe_idle_hour_wall", idle_hour, "s",
             "large.yaml with no requests: wall time per virtual hour");
  bench_info("sim_64fe_wall_per_request", per_request * 1e3, "ms",
             "large.yaml at 6 requests per front-end per minute: wall time "
             "each certificate adds to the idle mesh");
  bench_info("sim_64fe_heavy_hour_wall", heavy * 60.0 / (double)span, "s",
             "large.yaml at 6 requests per front-end per minute (23,040 an "
             "hour): wall time per virtual hour");
  return bench_goal("sim_64fe_1h_wall", per_hour, "s", 10.0, "s", false, 1,
                    "large.yaml (64 fe, 8 im, root) at 6 requests per "
                    "front-end per hour: wall time per virtual hour against "
                    "the 10 s budget")
             ? 0
             : -1;
}

static int goal_linear(bool quick) {
  static const unsigned fes[] = {8, 16, 32, 64};
  size_t nfes = quick ? 2 : 4;
  uint64_t span = quick ? 1 : 10;
  double per[4], ref = 0;
  int ok = 0;
  printf("goal 3: cost per node-hour (reference: 8 front-ends)\n");
  for (size_t i = 0; i < nfes; i++) {
    struct rc_topology t;
    char label[32];
    snprintf(label, sizeof label, "%u front-ends", fes[i]);
    if (build(&t, fes[i]) != 0) {
      rc_topology_free(&t);
      return -1;
    }
    double dt = timed_run(&t, span, label);
    per[i] = dt * 60.0 / (double)span / (double)t.nnodes;
    rc_topology_free(&t);
    if (dt < 0)
      return -1;
    if (i == 0)
      ref = per[0];
  }
  for (size_t i = 0; i < nfes; i++) {
    double r = per[i] / ref;
    bool pass = r < 1.5;
    ok |= pass ? 0 : -1;
    printf("  %2u front-ends: %.4f s per node-hour, ratio %.2f: %s\n", fes[i],
           per[i], r, pass ? "PASS" : "FAIL (grows faster than linear)");
  }
  bench_goal("sim_cost_per_node_hour", per[nfes - 1], "s_per_node_hour", ref,
             "s_per_node_hour_at_8fe", false, 1.5,
             "cost per node-hour at the largest mesh against 8 front-ends "
             "(linear in nodes = 1)");
  printf("goal 3: cost per node-minute over virtual time (%s)\n",
         quick ? "8 front-ends" : "64 front-ends");
  static const uint64_t full_mins[] = {5, 10, 20}, quick_mins[] = {1, 2, 4};
  const uint64_t *mins = quick ? quick_mins : full_mins;
  double pm[3];
  for (int i = 0; i < 3; i++) {
    struct rc_topology t;
    if (build(&t, quick ? 8 : 64) != 0) {
      rc_topology_free(&t);
      return -1;
    }
    double dt = timed_run(&t, mins[i], quick ? "8 front-ends" : "64 front-ends");
    rc_topology_free(&t);
    if (dt < 0)
      return -1;
    pm[i] = dt / (double)mins[i];
  }
  for (int i = 0; i < 3; i++) {
    double r = pm[i] / pm[0];
    bool pass = r < 1.5;
    ok |= pass ? 0 : -1;
    printf("  %2" PRIu64 " min: ratio %.2f to %" PRIu64 " min: %s\n",
           mins[i], r, mins[0], pass ? "PASS" : "FAIL (grows faster than linear)");
  }
  bench_goal("sim_cost_per_virtual_minute", pm[2], "s_per_min", pm[0],
             "s_per_min_short_run", false, 1.5,
             "cost per virtual minute of the longest run against the shortest "
             "(linear in time = 1)");
  return ok;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);  /* progress as it goes, even piped */
  bool quick = bench_quick(argc, argv);
  uint64_t seeds = quick ? 4 : 10000;
  unsigned jobs = 2;
  bool sweep = true;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--seeds") == 0 && i + 1 < argc)
      seeds = strtoull(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--jobs") == 0 && i + 1 < argc)
      jobs = (unsigned)strtoul(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--skip-sweep") == 0)
      sweep = false;
    else if (strcmp(argv[i], "--quick") != 0) {
      fprintf(stderr, "usage: sim_bench [--quick] [--seeds N] [--jobs J] "
                      "[--skip-sweep]\n");
      return 2;
    }
  }
  int rc = 0;
  rc |= goal_large(quick ? 1 : 60);
  rc |= goal_linear(quick);
  if (sweep)
    rc |= goal_sweep(seeds, jobs ? jobs : 1, quick ? 10000 : 60000);
  printf("sim_bench: %s\n", rc == 0 ? "all goals PASS" : "some goal FAILED");
  return rc == 0 ? 0 : 1;
}
