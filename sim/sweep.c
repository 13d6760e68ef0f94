/* `ringca-sim sweep`: one generated scenario per seed, spread over J forked
 * workers; a progress line while it runs; every failing seed printed with
 * the command that replays it. Each seed's run is independent and a pure
 * function of (topology, seed, duration), so the set of failures does not
 * depend on J or on scheduling. */
#include "sweep.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "generate.h"
#include "ringca/error.h"
#include "world.h"

#define SWEEP_MAX_JOBS 64

/* One seed: 0 pass, 1 invariant failure, 2 could not run. The first
 * failure's text goes into why. */
int rc_sweep_one(struct rc_topology *t, const char *topo_file, uint64_t seed,
                 uint64_t duration_ms, char *why, size_t whylen) {
  struct rc_scenario s;
  why[0] = '\0';
  if (rc_generate_scenario(t, seed, duration_ms, rc_world_has_ring_hook(),
                           &s) != 0) {
    snprintf(why, whylen, "cannot generate a scenario");
    return 2;
  }
  struct rc_record rec;
  struct rc_world_input in = {.topo = t, .scn = &s, .seed = seed,
                              .topology_file = topo_file};
  char err[512];
  int rc = rc_world_run(&in, &rec, err, sizeof err);
  int verdict = 0;
  if (rc != 0) {
    snprintf(why, whylen, "%s", err);
    verdict = 2;
  } else if (rec.failures_total) {
    char t0[32];
    rc_record_fmt_time(rec.failures[0].t_ns, t0, sizeof t0);
    snprintf(why, whylen, "%s at %s: %s", rec.failures[0].invariant, t0,
             rec.failures[0].text);
    verdict = 1;
  }
  rc_record_free(&rec);
  rc_scenario_free(&s);
  return verdict;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Child: runs seeds first+k, first+k+jobs, ... and writes one line each:
 * "seed verdict why". */
static void worker(struct rc_topology *t, const struct rc_sweep_opts *o,
                   unsigned k, int fd) {
  FILE *f = fdopen(fd, "w");
  if (!f)
    _exit(3);
  for (uint64_t i = k; i < o->seeds; i += o->jobs) {
    char why[400];
    uint64_t seed = o->first_seed + i;
    int v = rc_sweep_one(t, o->topology_file, seed, o->duration_ms, why,
                         sizeof why);
    for (char *p = why; *p; p++)
      if (*p == '\n')
        *p = ' ';
    fprintf(f, "%" PRIu64 " %d %s\n", seed, v, why);
    fflush(f);
  }
  fclose(f);
  _exit(0);
}

static void progress(const struct rc_sweep_opts *o, uint64_t done,
                     uint64_t failing, double t0, bool final) {
  bool tty = isatty(STDERR_FILENO);
  uint64_t step = o->seeds / 20 ? o->seeds / 20 : 1;
  if (!final && !tty && done % step != 0)
    return;
  if (final && !tty && done % step == 0 && done > 0)
    return;  /* the last line was already printed */
  fprintf(stderr, "%ssweep: %" PRIu64 "/%" PRIu64 " seeds, %" PRIu64
                  " failing, %.1f s%s",
          tty ? "\r" : "", done, o->seeds, failing, now_s() - t0,
          tty && !final ? "" : "\n");
}

int rc_sweep_run(struct rc_topology *t, const struct rc_sweep_opts *o,
                 FILE *out) {
  unsigned jobs = o->jobs ? o->jobs : 1;
  if (jobs > SWEEP_MAX_JOBS)
    jobs = SWEEP_MAX_JOBS;
  if ((uint64_t)jobs > o->seeds)
    jobs = (unsigned)(o->seeds ? o->seeds : 1);
  struct rc_sweep_opts opts = *o;
  opts.jobs = jobs;
  pid_t pids[SWEEP_MAX_JOBS];
  FILE *in[SWEEP_MAX_JOBS];
  struct pollfd pfd[SWEEP_MAX_JOBS];
  fflush(NULL);
  for (unsigned k = 0; k < jobs; k++) {
    int p[2];
    if (pipe(p) != 0)
      return 2;
    pids[k] = fork();
    if (pids[k] < 0)
      return 2;
    if (pids[k] == 0) {
      close(p[0]);
      for (unsigned j = 0; j < k; j++)
        fclose(in[j]);
      worker(t, &opts, k, p[1]);
    }
    close(p[1]);
    in[k] = fdopen(p[0], "r");
    pfd[k] = (struct pollfd){.fd = p[0], .events = POLLIN};
  }
  double t0 = now_s();
  uint64_t done = 0, failing = 0, errors = 0;
  unsigned open_pipes = jobs;
  char line[600];
  /* Results are printed in seed order at the end, whatever the order the
   * workers finish in, so the output is the same for every J. */
  size_t nfail = 0, capfail = 0;
  struct fail {
    uint64_t seed;
    int verdict;
    char why[400];
  } *fails = NULL;
  while (open_pipes > 0) {
    if (poll(pfd, jobs, -1) < 0 && errno != EINTR)
      break;
    for (unsigned k = 0; k < jobs; k++) {
      if (!(pfd[k].revents & (POLLIN | POLLHUP)))
        continue;
      if (!fgets(line, sizeof line, in[k])) {
        pfd[k].fd = -1;
        open_pipes--;
        continue;
      }
      uint64_t seed;
      int v, off = 0;
      if (sscanf(line, "%" SCNu64 " %d %n", &seed, &v, &off) < 2)
        continue;
      done++;
      if (v != 0) {
        failing += v == 1;
        errors += v == 2;
        if (nfail == capfail) {
          capfail = capfail ? capfail * 2 : 16;
          struct fail *nf = realloc(fails, capfail * sizeof *nf);
          if (!nf)
            break;
          fails = nf;
        }
        fails[nfail].seed = seed;
        fails[nfail].verdict = v;
        snprintf(fails[nfail].why, sizeof fails[nfail].why, "%s",
                 line + off);
        fails[nfail].why[strcspn(fails[nfail].why, "\n")] = '\0';
        nfail++;
      }
      progress(o, done, failing + errors, t0, false);
    }
  }
  for (unsigned k = 0; k < jobs; k++) {
    fclose(in[k]);
    int st;
    waitpid(pids[k], &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
      errors++;
  }
  progress(o, done, failing + errors, t0, true);
  for (size_t i = 1; i < nfail; i++)  /* insertion sort by seed */
    for (size_t j = i; j > 0 && fails[j - 1].seed > fails[j].seed; j--) {
      struct fail tmp = fails[j];
      fails[j] = fails[j - 1];
      fails[j - 1] = tmp;
    }
  for (size_t i = 0; i < nfail; i++)
    fprintf(out, "%s seed %" PRIu64 ": %s\n  replay: ringca-sim --topology "
                 "%s --random --seed %" PRIu64 " --duration %" PRIu64
                 "ms --report seed-%" PRIu64 ".md\n",
            fails[i].verdict == 1 ? "FAIL" : "ERROR", fails[i].seed,
            fails[i].why, o->topology_file, fails[i].seed, o->duration_ms,
            fails[i].seed);
  fprintf(out, "%" PRIu64 " seeds, %" PRIu64 " with invariant failures, %"
               PRIu64 " errors\n", done, failing, errors);
  free(fails);
  if (done != o->seeds || errors)
    return 2;
  return failing ? 1 : 0;
}
