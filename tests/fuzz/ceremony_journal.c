/* Fuzz target: the hash-chained ceremony journal. Anything accepted must
 * chain: each record's prev is the hash of the one before. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "ceremony.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static struct cer_journal j;
  char err[CER_ERR_MAX];
  if (size > (size_t)CER_JOURNAL_MAX * CER_LINE_MAX)
    return 0;
  if (cer_journal_parse("fuzz", data, size, &j, err) != 0)
    return 0;
  for (unsigned i = 1; i < j.n; i++)
    assert(strcmp(cer_rec_get(&j.rec[i], "prev"),
                  cer_rec_get(&j.rec[i - 1], "hash")) == 0);
  return 0;
}
