/* Fuzz target: arbitrary bytes as a topology file, through the libyaml
 * document loader, the schema walk and every deployment check. */
#include <stdint.h>

#include "ringca/topoyaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void count(void *ctx, struct rc_src_pos pos, const char *msg) {
  (void)pos;
  (void)msg;
  ++*(size_t *)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct rc_topology t;
  size_t reports = 0;
  size_t n = rc_topology_parse(&t, NULL, "fuzz", data, size, count, &reports);
  /* Every counted problem was reported, up to the cap plus its notice. */
  if (n != reports && !(n > RC_TOPO_MAX_ERRORS && reports == RC_TOPO_MAX_ERRORS + 1))
    __builtin_trap();
  rc_topology_free(&t);
  return 0;
}
