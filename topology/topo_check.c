/* ringca-topo check FILE */
#include <stdio.h>
#include <string.h>

#include "topo_cmd.h"

int topo_check_main(int argc, char **argv) {
  if (argc != 2 || argv[1][0] == '-') {
    fputs("usage: ringca-topo check FILE\n", stderr);
    return TOPO_EXIT_USAGE;
  }
  struct rc_topology t;
  int rc = topo_load(argv[1], &t, NULL);
  if (rc == TOPO_EXIT_OK) {
    size_t c[RC_ROLE_COUNT];
    topo_count_roles(&t, c);
    printf("%s: ok: %zu nodes (front-ends %zu, intermediates %zu, root %zu), "
           "%zu links, %zu rings\n",
           argv[1], t.nnodes, c[RC_ROLE_FRONTEND], c[RC_ROLE_INTERMEDIATE],
           c[RC_ROLE_ROOT], t.nlinks, t.nrings);
  }
  rc_topology_free(&t);
  return rc;
}
