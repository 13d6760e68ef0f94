/* ringca-topo dot FILE: Graphviz source of the mesh. The root on top, then
 * intermediates, then front-ends (rank=same per tier); one edge per cable in
 * the colours of the rings that cross it; a legend names each ring. */
#include <stdio.h>
#include <string.h>

#include "topo_cmd.h"

static const char *const COLOURS[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                      "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
                                      "#bcbd22", "#7f7f7f"};
#define NCOLOURS (sizeof COLOURS / sizeof COLOURS[0])

/* Tier for ordering edges top-down (root 0, intermediate 1, front-end 2). */
static int tier(enum rc_role r) {
  return r == RC_ROLE_ROOT ? 0 : r == RC_ROLE_INTERMEDIATE ? 1 : 2;
}

static void print_tiers(const struct rc_topology *t) {
  static const char *const label[3] = {"root", "intermediates", "front-ends"};
  static const char *const fill[3] = {"#fde0dd", "#e0ecf4", "#f7fcb9"};
  for (int k = 0; k < 3; k++) {
    printf("  { rank=same; // %s\n", label[k]);
    for (size_t i = 0; i < t->nnodes; i++)
      if (tier(t->nodes[i].role) == k)
        printf("    \"%s\" [fillcolor=\"%s\"];\n", t->nodes[i].name, fill[k]);
    printf("  }\n");
  }
}

/* Whether ring r crosses cable l (a hop between the cable's two nodes). */
static bool ring_uses(const struct rc_topology *t, size_t r, size_t l) {
  const struct rc_topo_ring *g = &t->rings[r];
  for (size_t k = 0; k < g->norder; k++) {
    uint32_t a = g->order[k], b = g->order[(k + 1) % g->norder];
    if (rc_topology_link_between(t, a, b) == (int)l)
      return true;
  }
  return false;
}

/* One edge per cable, striped with the colours of the rings over it; a
 * cable no ring uses is grey and dashed (a spare, or a mistake). */
static void print_cables(const struct rc_topology *t) {
  printf("  // cables (tooltip: the ports at each end)\n");
  for (size_t i = 0; i < t->nlinks; i++) {
    const struct rc_topo_link *l = &t->links[i];
    uint32_t a = l->a_node, b = l->b_node, ap = l->a_port, bp = l->b_port;
    if (tier(t->nodes[a].role) > tier(t->nodes[b].role)) {
      uint32_t x = a, y = ap;
      a = b, ap = bp, b = x, bp = y;
    }
    printf("  \"%s\" -- \"%s\" [tooltip=\"%s:%s - %s:%s\", ", t->nodes[a].name,
           t->nodes[b].name, t->nodes[a].name, t->nodes[a].ports[ap].name,
           t->nodes[b].name, t->nodes[b].ports[bp].name);
    size_t used = 0;
    for (size_t r = 0; r < t->nrings; r++)
      if (ring_uses(t, r, i))
        printf("%s%s", used++ ? ":" : "color=\"", COLOURS[r % NCOLOURS]);
    if (used)
      printf("\", penwidth=2");
    else
      printf("color=\"#999999\", style=dashed");
    if (tier(t->nodes[a].role) == tier(t->nodes[b].role))
      printf(", constraint=false");
    printf("];\n");
  }
}

static void print_legend(const struct rc_topology *t) {
  printf("  legend [shape=plaintext, style=\"\", label=<<table border=\"0\" "
         "cellspacing=\"2\"><tr><td align=\"left\"><b>rings</b></td></tr>");
  for (size_t r = 0; r < t->nrings; r++)
    printf("<tr><td align=\"left\"><font color=\"%s\">&#9632; %s (%s, master "
           "%s)</font></td></tr>",
           COLOURS[r % NCOLOURS], t->rings[r].name, t->rings[r].hub ? "hub" : "loop",
           t->rings[r].norder ? t->nodes[t->rings[r].order[0]].name : "-");
  printf("<tr><td align=\"left\"><font color=\"#999999\">- - cable on no "
         "ring</font></td></tr></table>>];\n");
}

int topo_dot_main(int argc, char **argv) {
  if (argc != 2 || argv[1][0] == '-') {
    fputs("usage: ringca-topo dot FILE\n", stderr);
    return TOPO_EXIT_USAGE;
  }
  struct rc_topology t;
  int rc = topo_load(argv[1], &t, NULL);
  if (rc == TOPO_EXIT_OK) {
    printf("// ringca topology %s: render with dot -Tsvg\ngraph ringca {\n"
           "  rankdir=TB; nodesep=0.4; ranksep=1.2;\n"
           "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];\n"
           "  edge [fontname=\"Helvetica\", fontsize=9];\n",
           t.source);
    print_tiers(&t);
    print_cables(&t);
    print_legend(&t);
    printf("}\n");
  }
  rc_topology_free(&t);
  return rc;
}
