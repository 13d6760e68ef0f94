/* Checks a finished run against its scenario's `expect:` section. */
#ifndef RINGCA_SIM_EXPECT_H
#define RINGCA_SIM_EXPECT_H
#include <stddef.h>

#include "record.h"
#include "scenario.h"

/* Appends each unmet expectation to r->expect_failures. Returns 0, or -1
 * with "file:line:col: ..." in err when the scenario names a node the
 * topology does not have. */
int rc_expect_check(const struct rc_scenario *s, struct rc_record *r,
                    char *err, size_t errlen);

#endif
