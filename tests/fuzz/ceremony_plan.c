/* Fuzz target: the ceremony plan (YAML) through libyaml and the plan
 * checks. A plan that parses must satisfy the seed's minimums. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "ceremony.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static struct cer_plan plan;
  char err[CER_ERR_MAX];
  if (cer_plan_parse("fuzz.yaml", data, size, &plan, err) != 0)
    return 0;
  unsigned board = 0, sysadmin = 0;
  for (unsigned i = 0; i < plan.n; i++) {
    board += plan.p[i].role == CER_ROLE_BOARD;
    sysadmin += plan.p[i].role == CER_ROLE_SYSADMIN;
    assert(cer_valid_token(plan.p[i].name, CER_NAME_MAX));
  }
  assert(plan.n >= CER_MIN_PARTICIPANTS && board && sysadmin);
  assert(plan.threshold >= 2 && plan.threshold <= plan.n);
  assert(cer_valid_token(plan.id, CER_ID_MAX));
  return 0;
}
