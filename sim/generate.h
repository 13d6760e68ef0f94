/* Random scenarios for `ringca-sim sweep` (and `--random`), one per seed. */
#ifndef RINGCA_SIM_GENERATE_H
#define RINGCA_SIM_GENERATE_H
#include <stdbool.h>
#include <stdint.h>

#include "scenario.h"

/* Fills s (freed by the caller) from seed alone for topology t. hook: the
 * build can inject ring-level lies (RINGCA_LAB), so generate them too.
 * Returns 0, RC_EINVAL for a topology without nodes or links, RC_ENOMEM. */
int rc_generate_scenario(const struct rc_topology *t, uint64_t seed,
                         uint64_t duration_ms, bool hook,
                         struct rc_scenario *s);

#endif
