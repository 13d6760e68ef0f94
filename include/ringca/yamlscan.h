/* Checks every YAML loader makes on a whole document before walking it.
 *
 * libyaml keeps a NUL byte written as "\0" inside a scalar's text, and C
 * then reads "server\0x" as "server": a profile, a plan or a topology could
 * say one thing to a reviewer and another to the code. Each loader refuses
 * such a document up front, naming where the value is. */
#ifndef RINGCA_YAMLSCAN_H
#define RINGCA_YAMLSCAN_H
#include <yaml.h>

/* The first scalar whose text holds a NUL byte, or NULL. */
const yaml_node_t *rc_yaml_first_nul(yaml_document_t *doc);

#endif
