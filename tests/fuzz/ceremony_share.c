/* Fuzz target: escrow share text as typed back in from paper (hostile: it
 * may come from anyone's USB stick). A share that parses must format back
 * to text that parses to the same share. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "ceremony.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct cer_share s, t;
  char err[CER_ERR_MAX], text[512];
  if (cer_share_parse("fuzz", data, size, &s, err) != 0)
    return 0;
  assert(s.x >= 1 && s.x <= s.n && s.k >= 2 && s.k <= s.n);
  int n = cer_share_format(&s, text, sizeof text);
  assert(n > 0);
  assert(cer_share_parse("fuzz", (const uint8_t *)text, (size_t)n, &t, err) ==
         0);
  assert(memcmp(&s, &t, sizeof s) == 0);
  return 0;
}
