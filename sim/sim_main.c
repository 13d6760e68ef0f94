/* ringca-sim: run a topology on virtual time with the real relay core and
 * signer, break it the way a scenario says, and report what happened. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generate.h"
#include "record.h"
#include "report.h"
#include "ringca/error.h"
#include "ringca/fileio.h"
#include "ringca/topoyaml.h"
#include "scenario.h"
#include "sweep.h"
#include "world.h"

#define EXIT_HELD 0
#define EXIT_FAILED 1
#define EXIT_USAGE 2

static const char usage_text[] =
    "usage: ringca-sim --topology FILE (--scenario FILE | --random) --seed N\n"
    "                  [--duration D] [--report FILE.md|.json|.svg]...\n"
    "                  [--trace FILE] [--write-scenario FILE] [--quiet]\n"
    "       ringca-sim sweep --topology FILE --seeds N [--first-seed S]\n"
    "                  [--jobs J] [--duration D]\n"
    "\n"
    "Runs every node of the topology with the real relay core on simulated\n"
    "serial lines (virtual time), the root with the real signer and a\n"
    "throwaway CA, applies the scenario's faults and attacks, and checks the\n"
    "invariants (docs/simulator.md). The run is a pure function of topology,\n"
    "scenario and seed: the same inputs give byte-identical reports.\n"
    "\n"
    "  --scenario FILE   a scenario (sim/scenarios/*.yaml); its expect:\n"
    "                    section is checked too\n"
    "  --random          generate the scenario from the seed, as sweep does\n"
    "  --duration D      length of a generated scenario (default 2m)\n"
    "  --report FILE     .md for people, .json for tools, .svg timeline;\n"
    "                    may be given more than once\n"
    "  --trace FILE      every timeline entry, one per line\n"
    "  --write-scenario FILE  the scenario as YAML (keep a generated one)\n"
    "  sweep --seeds N   N generated scenarios, seeds S..S+N-1, on J workers\n"
    "\n"
    "examples:\n"
    "  ringca-sim --topology topology/examples/canonical.yaml \\\n"
    "      --scenario sim/scenarios/webserver-compromised.yaml --seed 1 \\\n"
    "      --report report.md --report timeline.svg\n"
    "  ringca-sim sweep --topology topology/examples/canonical.yaml \\\n"
    "      --seeds 1000 --jobs 2\n"
    "\n"
    "exit status: 0 every invariant held (and the scenario's expectations\n"
    "were met), 1 an invariant failed or an expectation was not met,\n"
    "2 usage or input error (bad topology or scenario, file not writable).\n";

static void report_problem(void *ctx, struct rc_src_pos pos, const char *msg) {
  const char *path = ctx;
  fprintf(stderr, "%s:%u:%u: %s\n", path, pos.line, pos.col, msg);
}

static int load_topology(const char *path, struct rc_topology *t) {
  size_t problems = rc_topology_load(t, NULL, path, report_problem,
                                     (void *)path);
  if (problems) {
    fprintf(stderr, "ringca-sim: %s: %zu problem%s\n", path, problems,
            problems == 1 ? "" : "s");
    return -1;
  }
  return 0;
}

static int parse_u64(const char *opt, const char *s, uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (*s == '\0' || *s == '-' || *end != '\0' || errno) {
    fprintf(stderr, "ringca-sim: %s wants a whole number, not \"%s\"\n", opt,
            s);
    return -1;
  }
  *out = v;
  return 0;
}

static int parse_duration(const char *s, uint64_t *ms) {
  if (rc_scn_parse_duration(s, ms) != 0 || *ms == 0) {
    fprintf(stderr, "ringca-sim: --duration \"%s\" is not a duration such as "
                    "90s or 5m\n", s);
    return -1;
  }
  return 0;
}

static int write_text(const char *path, const char *data, size_t len) {
  int rc = rc_file_write_atomic(path, data, len, 0644);
  if (rc != 0)
    fprintf(stderr, "ringca-sim: %s: %s\n", path, strerror(-rc));
  return rc;
}

static int write_outputs(const struct rc_record *rec,
                         const struct rc_scenario *s, char **reports,
                         size_t nreports, const char *trace,
                         const char *scn_out) {
  char err[512];
  for (size_t i = 0; i < nreports; i++)
    if (rc_report_write(rec, reports[i], err, sizeof err) != 0) {
      fprintf(stderr, "ringca-sim: %s\n", err);
      return -1;
    }
  if (trace) {
    char *buf;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
      return -1;
    rc_record_write_trace(rec, f);
    fclose(f);
    int rc = write_text(trace, buf, len);
    free(buf);
    if (rc)
      return -1;
  }
  if (scn_out) {
    char *buf;
    size_t len;
    if (rc_scenario_write_yaml(s, &buf, &len) != 0)
      return -1;
    int rc = write_text(scn_out, buf, len);
    free(buf);
    if (rc)
      return -1;
  }
  return 0;
}

static void summary(const struct rc_record *rec) {
  char cmd[1024], t[32];
  rc_record_replay_cmd(rec, cmd, sizeof cmd);
  for (size_t i = 0; i < rec->nfailures; i++) {
    rc_record_fmt_time(rec->failures[i].t_ns, t, sizeof t);
    printf("INVARIANT %s failed at %s (seed %" PRIu64 "): %s\n  replay: %s\n",
           rec->failures[i].invariant, t, rec->seed, rec->failures[i].text,
           cmd);
  }
  for (size_t i = 0; i < rec->nexpect_failures; i++)
    printf("EXPECTATION not met: %s\n", rec->expect_failures[i]);
  uint64_t issued = 0, refused = 0, expired = 0, submitted = 0;
  for (size_t n = 0; n < rec->topo->nnodes; n++) {
    submitted += rec->fe[n].submitted;
    issued += rec->fe[n].issued;
    refused += rec->fe[n].refused;
    expired += rec->fe[n].expired;
  }
  printf("%s: %s, seed %" PRIu64 ": %" PRIu64 " requests, %" PRIu64
         " issued, %" PRIu64 " refused, %" PRIu64 " expired; trips:",
         rec->failures_total || rec->nexpect_failures ? "FAIL" : "PASS",
         rec->scenario, rec->seed, submitted, issued, refused, expired);
  bool any = false;
  for (size_t n = 0; n < rec->topo->nnodes; n++)
    if (rec->trips[n].tripped) {
      printf(" %s (%s)", rec->topo->nodes[n].name, rec->trips[n].cause);
      any = true;
    }
  printf("%s\n", any ? "" : " none");
}

enum { OPT_RANDOM = 256, OPT_DURATION, OPT_TRACE, OPT_WRITE, OPT_SEEDS,
       OPT_FIRST, OPT_JOBS, OPT_QUIET };

static const struct option longopts[] = {
    {"topology", required_argument, NULL, 't'},
    {"scenario", required_argument, NULL, 's'},
    {"seed", required_argument, NULL, 'n'},
    {"report", required_argument, NULL, 'r'},
    {"random", no_argument, NULL, OPT_RANDOM},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"trace", required_argument, NULL, OPT_TRACE},
    {"write-scenario", required_argument, NULL, OPT_WRITE},
    {"seeds", required_argument, NULL, OPT_SEEDS},
    {"first-seed", required_argument, NULL, OPT_FIRST},
    {"jobs", required_argument, NULL, OPT_JOBS},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

struct args {
  const char *topology, *scenario, *trace, *scn_out;
  char *reports[8];
  size_t nreports;
  bool random, quiet, have_seed, have_seeds;
  uint64_t seed, seeds, first_seed, duration_ms, jobs;
};

static int parse_args(int argc, char **argv, struct args *a) {
  int c;
  a->duration_ms = 120000;
  a->jobs = 1;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    int rc = 0;
    switch (c) {
    case 't': a->topology = optarg; break;
    case 's': a->scenario = optarg; break;
    case 'n': rc = parse_u64("--seed", optarg, &a->seed); a->have_seed = true;
      break;
    case 'r':
      if (a->nreports == sizeof a->reports / sizeof a->reports[0]) {
        fprintf(stderr, "ringca-sim: at most 8 --report files\n");
        return -1;
      }
      a->reports[a->nreports++] = optarg;
      break;
    case OPT_RANDOM: a->random = true; break;
    case OPT_DURATION: rc = parse_duration(optarg, &a->duration_ms); break;
    case OPT_TRACE: a->trace = optarg; break;
    case OPT_WRITE: a->scn_out = optarg; break;
    case OPT_SEEDS: rc = parse_u64("--seeds", optarg, &a->seeds);
      a->have_seeds = true;
      break;
    case OPT_FIRST: rc = parse_u64("--first-seed", optarg, &a->first_seed);
      break;
    case OPT_JOBS: rc = parse_u64("--jobs", optarg, &a->jobs);
      if (rc == 0 && (a->jobs == 0 || a->jobs > 64)) {
        fprintf(stderr, "ringca-sim: --jobs must be 1..64\n");
        rc = -1;
      }
      break;
    case OPT_QUIET: a->quiet = true; break;
    case 'h': fputs(usage_text, stdout); exit(EXIT_HELD);
    default: fputs(usage_text, stderr); return -1;
    }
    if (rc)
      return -1;
  }
  if (!a->topology) {
    fprintf(stderr, "ringca-sim: --topology FILE is required (see --help)\n");
    return -1;
  }
  return 0;
}

static int run_sweep(struct args *a) {
  if (!a->have_seeds || a->seeds == 0) {
    fprintf(stderr, "ringca-sim: sweep needs --seeds N (N >= 1)\n");
    return EXIT_USAGE;
  }
  struct rc_topology t;
  if (load_topology(a->topology, &t) != 0) {
    rc_topology_free(&t);
    return EXIT_USAGE;
  }
  struct rc_sweep_opts o = {.topology_file = a->topology,
                            .first_seed = a->first_seed, .seeds = a->seeds,
                            .duration_ms = a->duration_ms,
                            .jobs = (unsigned)a->jobs};
  int rc = rc_sweep_run(&t, &o, stdout);
  rc_topology_free(&t);
  return rc == 0 ? EXIT_HELD : rc == 1 ? EXIT_FAILED : EXIT_USAGE;
}

static int run_one(struct args *a) {
  if (!a->have_seed || (!a->scenario == !a->random)) {
    fprintf(stderr, "ringca-sim: give --seed N and one of --scenario FILE or "
                    "--random (see --help)\n");
    return EXIT_USAGE;
  }
  struct rc_topology t;
  if (load_topology(a->topology, &t) != 0) {
    rc_topology_free(&t);
    return EXIT_USAGE;
  }
  struct rc_scenario s;
  char err[512];
  int rc = a->random ? rc_generate_scenario(&t, a->seed, a->duration_ms,
                                            rc_world_has_ring_hook(), &s)
                     : rc_scenario_load(a->scenario, &s, err, sizeof err);
  if (rc != 0) {
    fprintf(stderr, "ringca-sim: %s\n", a->random ? "cannot generate" : err);
    rc_topology_free(&t);
    return EXIT_USAGE;
  }
  struct rc_record rec;
  struct rc_world_input in = {.topo = &t, .scn = &s, .seed = a->seed,
                              .topology_file = a->topology,
                              .scenario_file = a->scenario};
  rc = rc_world_run(&in, &rec, err, sizeof err);
  int status = EXIT_USAGE;
  if (rc != 0) {
    fprintf(stderr, "ringca-sim: %s\n", err);
  } else if (write_outputs(&rec, &s, a->reports, a->nreports, a->trace,
                           a->scn_out) == 0) {
    if (!a->quiet || rec.failures_total || rec.nexpect_failures)
      summary(&rec);
    status = rec.failures_total || rec.nexpect_failures ? EXIT_FAILED
                                                        : EXIT_HELD;
  }
  rc_record_free(&rec);
  rc_scenario_free(&s);
  rc_topology_free(&t);
  return status;
}

int main(int argc, char **argv) {
  bool sweep = argc > 1 && strcmp(argv[1], "sweep") == 0;
  struct args a;
  memset(&a, 0, sizeof a);
  if (parse_args(argc - sweep, argv + sweep, &a) != 0)
    return EXIT_USAGE;
  if (optind < argc - sweep) {
    fprintf(stderr, "ringca-sim: unexpected argument \"%s\"\n",
            argv[optind + sweep]);
    return EXIT_USAGE;
  }
  return sweep ? run_sweep(&a) : run_one(&a);
}
