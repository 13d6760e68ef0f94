/* ringca-topo analyse FILE: which single failures cut front-ends off the
 * root, and which nodes a compromised front-end can make trip. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topo_cmd.h"

/* Prints the front-ends cut off by one failure; returns how many. */
static size_t report_cut(const struct rc_topology *t, int dead_node, int dead_link,
                         bool *reach, const char *what) {
  rc_topology_reach_root(t, dead_node, dead_link, reach);
  size_t cut = 0;
  for (size_t i = 0; i < t->nnodes; i++) {
    if (t->nodes[i].role != RC_ROLE_FRONTEND || (int)i == dead_node || reach[i])
      continue;
    if (cut++ == 0)
      printf("  losing %s cuts off:", what);
    printf(" %s", t->nodes[i].name);
  }
  if (cut)
    printf("\n");
  return cut;
}

static size_t single_points(const struct rc_topology *t, bool *reach) {
  size_t spof = 0;
  char what[4 * RC_NAME_MAX + 32];
  printf("single points of failure (front-ends that lose every path to the root):\n");
  for (size_t i = 0; i < t->nnodes; i++) {
    snprintf(what, sizeof what, "node %s", t->nodes[i].name);
    if (t->nodes[i].role == RC_ROLE_ROOT)
      printf("  losing node %s cuts off: every front-end (it is the root)\n",
             t->nodes[i].name);
    else if (report_cut(t, (int)i, -1, reach, what))
      spof++;
  }
  for (size_t l = 0; l < t->nlinks; l++) {
    const struct rc_topo_link *k = &t->links[l];
    snprintf(what, sizeof what, "cable %s:%s - %s:%s", t->nodes[k->a_node].name,
             t->nodes[k->a_node].ports[k->a_port].name, t->nodes[k->b_node].name,
             t->nodes[k->b_node].ports[k->b_port].name);
    if (report_cut(t, -1, (int)l, reach, what))
      spof++;
  }
  if (spof == 0)
    printf("  none besides the root\n");
  else
    printf("  %zu single point%s of failure besides the root\n", spof,
           spof == 1 ? "" : "s");
  return spof;
}

/* A violation trips the node that receives it, so a compromised front-end
 * can trip every cable peer (link layer) and every ring successor (token
 * layer, always a cable peer too). */
static void trip_exposure(const struct rc_topology *t) {
  printf("\ntrip exposure (nodes a compromised front-end can make trip):\n");
  for (size_t f = 0; f < t->nnodes; f++) {
    if (t->nodes[f].role != RC_ROLE_FRONTEND)
      continue;
    printf("  %s ->", t->nodes[f].name);
    size_t shown = 0;
    for (size_t l = 0; l < t->nlinks; l++) {
      const struct rc_topo_link *k = &t->links[l];
      if (k->a_node != f && k->b_node != f)
        continue;
      uint32_t peer = k->a_node == f ? k->b_node : k->a_node;
      bool dup = false;
      for (size_t m = 0; m < l && !dup; m++)
        dup = (t->links[m].a_node == f && t->links[m].b_node == peer) ||
              (t->links[m].b_node == f && t->links[m].a_node == peer);
      if (dup)
        continue;
      printf("%s %s (", shown++ ? "," : "", t->nodes[peer].name);
      size_t rings = 0;
      for (size_t r = 0; r < t->nrings; r++) {
        const struct rc_topo_ring *g = &t->rings[r];
        bool succ = false;
        for (size_t i = 0; i < g->norder && !succ; i++)
          succ = g->order[i] == f && g->order[(i + 1) % g->norder] == peer;
        if (succ)
          printf("%sring %s", rings++ ? ", " : "", g->name);
      }
      printf("%s)", rings ? "" : "cable only");
    }
    printf("%s\n", shown ? "" : " nobody");
  }
}

int topo_analyse_main(int argc, char **argv) {
  if (argc != 2 || argv[1][0] == '-') {
    fputs("usage: ringca-topo analyse FILE\n", stderr);
    return TOPO_EXIT_USAGE;
  }
  struct rc_topology t;
  int rc = topo_load(argv[1], &t, NULL);
  if (rc == TOPO_EXIT_OK) {
    bool *reach = calloc(t.nnodes + 1, sizeof *reach);
    if (!reach) {
      fputs("ringca-topo: out of memory\n", stderr);
      rc = TOPO_EXIT_USAGE;
    } else {
      size_t spof = single_points(&t, reach);
      trip_exposure(&t);
      rc = spof ? TOPO_EXIT_SPOF : TOPO_EXIT_OK;
      free(reach);
    }
  }
  rc_topology_free(&t);
  return rc;
}
