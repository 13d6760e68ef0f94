/* The one machine-readable line every benchmark prints per goal, collected
 * by bench/run.sh into bench/results/latest.json and docs/performance.md:
 *
 *   GOAL name=ID ratio=R target=OPV pass=0|1 measured=M measured_unit=U
 *        reference=REF reference_unit=U what=free text to end of line
 *
 * ratio is the figure the target applies to: measured / reference, both
 * taken in the same run. target is ">=0.95" or "<=3". An INFO line carries
 * an absolute figure with no goal (where the time goes, disk-bound rates):
 *
 *   INFO name=ID value=V unit=U what=free text to end of line
 *
 * IDs are [a-z0-9_]; units have no spaces. Human-readable output around
 * these lines is free. */
#ifndef RINGCA_BENCH_GOAL_H
#define RINGCA_BENCH_GOAL_H
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Prints the GOAL line; returns whether the goal passed. `at_least`: the
 * target is a floor (ratio >= target) rather than a ceiling. */
static inline bool bench_goal(const char *name, double measured,
                              const char *measured_unit, double reference,
                              const char *reference_unit, bool at_least,
                              double target, const char *what) {
  double ratio = reference > 0 ? measured / reference : 0;
  bool pass = reference > 0 && (at_least ? ratio >= target : ratio <= target);
  printf("GOAL name=%s ratio=%.4g target=%s%g pass=%d measured=%.6g "
         "measured_unit=%s reference=%.6g reference_unit=%s what=%s\n",
         name, ratio, at_least ? ">=" : "<=", target, pass ? 1 : 0, measured,
         measured_unit, reference, reference_unit, what);
  fflush(stdout);
  return pass;
}

static inline void bench_info(const char *name, double value,
                              const char *unit, const char *what) {
  printf("INFO name=%s value=%.6g unit=%s what=%s\n", name, value, unit, what);
  fflush(stdout);
}

/* True when argv holds --quick: tiny sizes for the ctest smoke test, which
 * checks the lines are well formed, never whether goals pass. */
static inline bool bench_quick(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--quick") == 0)
      return true;
  return false;
}

#endif
