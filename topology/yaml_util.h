/* Private to the YAML loader: a walk over a libyaml document that reports
 * every problem with its position and never trusts the shape of the tree. */
#ifndef RINGCA_TOPOLOGY_YAML_UTIL_H
#define RINGCA_TOPOLOGY_YAML_UTIL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "ringca/log.h"
#include "ringca/topology.h"
#include "ringca/topoyaml.h"

struct yl {
  yaml_document_t *doc;
  struct rc_topology *t;
  struct rc_topo_src *src;
  rc_topology_report_fn report;
  void *ctx;
  size_t errors;
};

struct rc_src_pos yl_pos(const yaml_node_t *n);
void yl_err(struct yl *L, struct rc_src_pos pos, const char *fmt, ...)
    RC_PRINTF(3, 4);
yaml_node_t *yl_node(struct yl *L, yaml_node_item_t id);

/* Collects the values of a mapping into vals[] by key (NULL = absent);
 * reports a non-mapping, unknown keys and duplicate keys. `what` names the
 * mapping in messages ("port"). Returns false when n is not a mapping. */
bool yl_fields(struct yl *L, yaml_node_t *n, const char *what,
               const char *const *keys, size_t nkeys, yaml_node_t **vals);
/* Reports "missing field" for each required key (NULL-terminated list of
 * indexes into the keys passed to yl_fields). Returns false if any. */
bool yl_require(struct yl *L, yaml_node_t *map, const char *what,
                const char *const *keys, yaml_node_t **vals,
                const int *required, size_t nrequired);

/* Typed scalars; each reports its own error and returns false. */
bool yl_string(struct yl *L, yaml_node_t *n, const char *field, char *dst,
               size_t cap);
bool yl_name(struct yl *L, yaml_node_t *n, const char *field, char *dst,
             size_t cap);
bool yl_path(struct yl *L, yaml_node_t *n, const char *field, char *dst,
             size_t cap);
bool yl_uint(struct yl *L, yaml_node_t *n, const char *field, uint64_t min,
             uint64_t max, uint64_t *out);
/* A sequence node; reports "must be a list". */
bool yl_seq(struct yl *L, yaml_node_t *n, const char *field);
/* Scalar text (NUL-terminated by libyaml) or NULL if not a scalar. */
const char *yl_text(const yaml_node_t *n);

#endif
