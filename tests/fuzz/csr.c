/* CSR parsing and the whole policy check on hostile bytes. The first byte
 * picks the profile, the second the requested validity, the rest is the CSR
 * (DER, or PEM when it starts with -----BEGIN). */
#include <stddef.h>
#include <stdint.h>

#include "ringca/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static struct rc_policy pol;
  static int ready;
  if (!ready) {
    rc_policy_default(&pol);
    ready = 1;
  }
  if (size < 2)
    return 0;
  static const char *const profiles[] = {"server", "client", "other"};
  struct rc_csr_checked c;
  struct rc_refusal why;
  if (rc_policy_check(&pol, profiles[data[0] % 3], data + 2, size - 2,
                      data[1] * 5u, &c, &why) == 0)
    rc_csr_checked_free(&c);
  return 0;
}
