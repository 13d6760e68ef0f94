/* Fuzz target: arbitrary bytes as a scenario file. Whatever the input, the
 * parser returns 0 or an error with a message, never crashes or leaks, and
 * what it accepts survives a write/parse round trip unchanged. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct rc_scenario s;
  char err[512];
  int rc = rc_scenario_parse("fuzz", data, size, &s, err, sizeof err);
  if (rc != 0) {
    assert(err[0] != '\0');
    return 0;
  }
  char *yaml;
  size_t len;
  if (rc_scenario_write_yaml(&s, &yaml, &len) == 0) {
    struct rc_scenario again;
    int rc2 = rc_scenario_parse("again", (const uint8_t *)yaml, len, &again,
                                err, sizeof err);
    assert(rc2 == 0);
    assert(again.nsteps == s.nsteps && again.duration_ms == s.duration_ms);
    for (size_t i = 0; i < s.nsteps; i++)
      assert(again.steps[i].at_ms == s.steps[i].at_ms &&
             again.steps[i].action == s.steps[i].action);
    rc_scenario_free(&again);
    free(yaml);
  }
  rc_scenario_free(&s);
  return 0;
}
