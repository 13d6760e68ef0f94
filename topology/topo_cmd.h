/* ringca-topo: one file per subcommand, sharing the loader front end. */
#ifndef RINGCA_TOPO_CMD_H
#define RINGCA_TOPO_CMD_H
#include <stdbool.h>
#include <stdio.h>

#include "ringca/topology.h"
#include "ringca/topoyaml.h"

/* Exit codes, documented in --help and docs/topology.md. */
enum {
  TOPO_EXIT_OK = 0,
  TOPO_EXIT_INVALID = 1, /* the topology (or a key file) has errors */
  TOPO_EXIT_USAGE = 2,   /* bad command line, unreadable or unwritable file */
  TOPO_EXIT_SPOF = 3,    /* analyse: a single point of failure besides the root */
};

/* Loads path, printing every problem to stderr as FILE:LINE:COL: message.
 * Returns TOPO_EXIT_OK, or TOPO_EXIT_INVALID / TOPO_EXIT_USAGE (t must still
 * be freed). */
int topo_load(const char *path, struct rc_topology *t, struct rc_topo_src *src);

int topo_check_main(int argc, char **argv);
int topo_show_main(int argc, char **argv);
int topo_dot_main(int argc, char **argv);
int topo_analyse_main(int argc, char **argv);
int topo_keys_main(int argc, char **argv);

/* Number of front-ends, intermediates and roots in counts[RC_ROLE_COUNT]. */
void topo_count_roles(const struct rc_topology *t, size_t counts[RC_ROLE_COUNT]);

#endif
