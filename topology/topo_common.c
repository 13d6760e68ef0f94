/* The loader front end shared by the ringca-topo subcommands. */
#include <stdio.h>

#include "topo_cmd.h"

struct printer {
  const char *path;
};

static void print_problem(void *ctx, struct rc_src_pos pos, const char *msg) {
  const struct printer *p = ctx;
  if (pos.line)
    fprintf(stderr, "%s:%u:%u: %s\n", p->path, pos.line, pos.col, msg);
  else
    fprintf(stderr, "%s: %s\n", p->path, msg);
}

int topo_load(const char *path, struct rc_topology *t, struct rc_topo_src *src) {
  struct printer p = {path};
  struct rc_topo_src local;
  size_t n = rc_topology_load(t, src ? src : &local, path, print_problem, &p);
  if (n == 0)
    return TOPO_EXIT_OK;
  /* An unreadable file is a usage problem, not a bad topology. */
  if (t->source[0] == 0)
    return TOPO_EXIT_USAGE;
  fprintf(stderr, "%s: %zu error%s\n", path, n, n == 1 ? "" : "s");
  return TOPO_EXIT_INVALID;
}

void topo_count_roles(const struct rc_topology *t, size_t counts[RC_ROLE_COUNT]) {
  for (int r = 0; r < RC_ROLE_COUNT; r++)
    counts[r] = 0;
  for (size_t i = 0; i < t->nnodes; i++)
    counts[t->nodes[i].role]++;
}
