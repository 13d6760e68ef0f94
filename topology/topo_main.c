/* ringca-topo: check, show, draw and analyse a topology file; make node
 * keys. One subcommand per file (topo_*.c). */
#include <stdio.h>
#include <string.h>

#include "ringca/log.h"
#include "topo_cmd.h"

static const char USAGE[] =
    "usage: ringca-topo COMMAND [ARGS]\n"
    "\n"
    "  check FILE                 report every error as FILE:LINE:COL: message\n"
    "  show FILE [--json]         the resolved mesh as tables (or JSON)\n"
    "  dot FILE                   Graphviz source: tiers, cables, rings in colour\n"
    "  analyse FILE               single points of failure and trip exposure\n"
    "  keys [--dir DIR] [--force] [--update FILE] NODE...\n"
    "                             new key pair files DIR/NODE.key (0600) and\n"
    "                             the YAML with their public keys\n"
    "\n"
    "examples:\n"
    "  ringca-topo check topology/examples/canonical.yaml\n"
    "  ringca-topo dot topology/examples/canonical.yaml | dot -Tsvg > mesh.svg\n"
    "  ringca-topo analyse topology/examples/canonical.yaml\n"
    "  mkdir -p /tmp/keys && ringca-topo keys --dir /tmp/keys fe1 im1\n"
    "  cp topology/examples/lab.yaml /tmp/lab.yaml\n"
    "  ringca-topo keys --force --dir /tmp/keys --update /tmp/lab.yaml fe1 im1\n"
    "\n"
    "exit status:\n"
    "  0  success (check: no errors; analyse: no single point of failure\n"
    "     besides the root)\n"
    "  1  the topology has errors, or keys refused to overwrite a key file\n"
    "  2  usage error, or a file could not be read or written\n"
    "  3  analyse: some node or cable other than the root cuts a front-end off\n"
    "\n"
    "Every field of the file, with its default: docs/topology.md\n";

int main(int argc, char **argv) {
  rc_log_init("ringca-topo", 0);
  if (argc < 2) {
    fputs(USAGE, stderr);
    return TOPO_EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
    fputs(USAGE, stdout);
    return TOPO_EXIT_OK;
  }
  if (!strcmp(cmd, "--version")) {
    printf("ringca-topo %s\n", RINGCA_VERSION);
    return TOPO_EXIT_OK;
  }
  static const struct {
    const char *name;
    int (*fn)(int, char **);
  } CMDS[] = {{"check", topo_check_main},     {"show", topo_show_main},
              {"dot", topo_dot_main},         {"analyse", topo_analyse_main},
              {"analyze", topo_analyse_main}, {"keys", topo_keys_main}};
  for (size_t i = 0; i < sizeof CMDS / sizeof CMDS[0]; i++)
    if (!strcmp(cmd, CMDS[i].name))
      return CMDS[i].fn(argc - 1, argv + 1);
  fprintf(stderr, "ringca-topo: unknown command '%s'\n\n%s", cmd, USAGE);
  return TOPO_EXIT_USAGE;
}
