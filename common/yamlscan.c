#include "ringca/yamlscan.h"

#include <string.h>

const yaml_node_t *rc_yaml_first_nul(yaml_document_t *doc) {
  for (yaml_node_t *n = doc->nodes.start; n && n < doc->nodes.top; n++)
    if (n->type == YAML_SCALAR_NODE &&
        memchr(n->data.scalar.value, 0, n->data.scalar.length))
      return n;
  return NULL;
}
