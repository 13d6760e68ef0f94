/* ringca-topo dot FILE: Graphviz source of the mesh. The root on top, then
 * intermediates, then front-ends (rank=same per tier); cables in grey with
 * their port names; each ring in its own colour, one edge per hop pair. */
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

static void edge_ends(const struct rc_topology *t, uint32_t *a, uint32_t *b) {
  if (tier(t->nodes[*a].role) > tier(t->nodes[*b].role)) {
    uint32_t x = *a;
    *a = *b;
    *b = x;
  }
}

static void print_tiers(const struct rc_topology *t) {
  static const char *const label[3] = {"root", "intermediates", "front-ends"};
  static const char *const fill[3] = {"#fde0dd", "#e0ecf4", "#f7fcb9"};
  for (int k = 0; k < 3; k++) {
    printf("  { rank=same; // %s\n", label[k]);
    for (size_t i = 0; i < t->nnodes; i++)
      if (tier(t->nodes[i].role) == k)
        printf("    \"%s\" [fillcolor=\"%s\", label=\"%s\\n%s\"];\n",
               t->nodes[i].name, fill[k], t->nodes[i].name,
               rc_role_name(t->nodes[i].role));
    printf("  }\n");
  }
}

static void print_cables(const struct rc_topology *t) {
  printf("  // cables\n");
  for (size_t i = 0; i < t->nlinks; i++) {
    const struct rc_topo_link *l = &t->links[i];
    uint32_t a = l->a_node, b = l->b_node, ap = l->a_port, bp = l->b_port;
    if (tier(t->nodes[a].role) > tier(t->nodes[b].role)) {
      uint32_t x = a, y = ap;
      a = b, ap = bp, b = x, bp = y;
    }
    printf("  \"%s\" -- \"%s\" [color=\"#999999\", style=dashed, "
           "taillabel=\"%s\", headlabel=\"%s\", fontsize=8%s];\n",
           t->nodes[a].name, t->nodes[b].name, t->nodes[a].ports[ap].name,
           t->nodes[b].ports[bp].name,
           tier(t->nodes[a].role) == tier(t->nodes[b].role) ? ", constraint=false"
                                                            : "");
  }
}

static void print_rings(const struct rc_topology *t) {
  for (size_t i = 0; i < t->nrings; i++) {
    const struct rc_topo_ring *r = &t->rings[i];
    const char *c = COLOURS[i % NCOLOURS];
    printf("  // ring %s (%s)\n", r->name, r->hub ? "hub" : "loop");
    for (size_t k = 0; k < r->norder; k++) {
      uint32_t a = r->order[k], b = r->order[(k + 1) % r->norder];
      /* A hub ring crosses each cable twice and a 2-node loop too: draw
       * each pair once. */
      bool seen = false;
      for (size_t j = 0; j < k && !seen; j++) {
        uint32_t x = r->order[j], y = r->order[(j + 1) % r->norder];
        seen = (x == a && y == b) || (x == b && y == a);
      }
      if (seen)
        continue;
      edge_ends(t, &a, &b);
      printf("  \"%s\" -- \"%s\" [color=\"%s\", penwidth=2, tooltip=\"%s\"",
             t->nodes[a].name, t->nodes[b].name, c, r->name);
      if (k == 0) /* name the ring once, in its colour */
        printf(", label=\"%s\", fontcolor=\"%s\"", r->name, c);
      printf("];\n");
    }
  }
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
    print_rings(&t);
    printf("}\n");
  }
  rc_topology_free(&t);
  return rc;
}
