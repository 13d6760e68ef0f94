/* Typed, position-reporting access to a libyaml document tree. */
#include "yaml_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct rc_src_pos yl_pos(const yaml_node_t *n) {
  return (struct rc_src_pos){(uint32_t)n->start_mark.line + 1,
                             (uint32_t)n->start_mark.column + 1};
}

void yl_err(struct yl *L, struct rc_src_pos pos, const char *fmt, ...) {
  L->errors++;
  if (L->errors > RC_TOPO_MAX_ERRORS + 1 || !L->report)
    return;
  char msg[512];
  if (L->errors == RC_TOPO_MAX_ERRORS + 1) {
    snprintf(msg, sizeof msg, "too many errors (%u), not reporting more",
             RC_TOPO_MAX_ERRORS);
  } else {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
  }
  L->report(L->ctx, pos, msg);
}

yaml_node_t *yl_node(struct yl *L, yaml_node_item_t id) {
  return yaml_document_get_node(L->doc, id);
}

const char *yl_text(const yaml_node_t *n) {
  if (!n || n->type != YAML_SCALAR_NODE)
    return NULL;
  /* "fe1\0x" must not compare equal to "fe1". */
  const char *s = (const char *)n->data.scalar.value;
  return strlen(s) == n->data.scalar.length ? s : NULL;
}

static const char *kind_name(const yaml_node_t *n) {
  switch (n->type) {
  case YAML_MAPPING_NODE:
    return "mapping";
  case YAML_SEQUENCE_NODE:
    return "list";
  default:
    return "scalar";
  }
}

/* Edit distance, capped: only small distances matter for suggestions. */
static size_t edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 32 || lb > 32)
    return 99;
  size_t row[33];
  for (size_t j = 0; j <= lb; j++)
    row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j];
      size_t best = diag + (a[i - 1] != b[j - 1]);
      if (row[j] + 1 < best)
        best = row[j] + 1;
      if (row[j - 1] + 1 < best)
        best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[lb];
}

static void unknown_key(struct yl *L, yaml_node_t *k, const char *key,
                        const char *what, const char *const *keys,
                        size_t nkeys) {
  const char *best = NULL;
  size_t best_d = 3; /* suggest only near misses: typos, not guesses */
  size_t klen = strlen(key);
  for (size_t i = 0; i < nkeys; i++) {
    /* "token_loss" for "token_loss_ms": the unit is the usual slip. */
    size_t d = !strncmp(keys[i], key, klen) && !strcmp(keys[i] + klen, "_ms")
                   ? 0
                   : edit_distance(key, keys[i]);
    if (d < best_d) {
      best_d = d;
      best = keys[i];
    }
  }
  if (best)
    yl_err(L, yl_pos(k), "unknown key '%.64s' in %s (did you mean '%s'?)", key,
           what, best);
  else
    yl_err(L, yl_pos(k), "unknown key '%.64s' in %s", key, what);
}

bool yl_fields(struct yl *L, yaml_node_t *n, const char *what,
               const char *const *keys, size_t nkeys, yaml_node_t **vals) {
  for (size_t i = 0; i < nkeys; i++)
    vals[i] = NULL;
  if (n->type != YAML_MAPPING_NODE) {
    yl_err(L, yl_pos(n), "%s must be a mapping, found a %s", what,
           kind_name(n));
    return false;
  }
  for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
       p < n->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yl_node(L, p->key), *v = yl_node(L, p->value);
    if (!k || !v)
      continue;
    const char *key = yl_text(k);
    if (!key) {
      if (k->type == YAML_SCALAR_NODE)
        yl_err(L, yl_pos(k), "a key of %s contains a NUL character", what);
      else
        yl_err(L, yl_pos(k), "keys of %s must be scalars, found a %s", what,
               kind_name(k));
      continue;
    }
    size_t i = 0;
    while (i < nkeys && strcmp(keys[i], key) != 0)
      i++;
    if (i == nkeys)
      unknown_key(L, k, key, what, keys, nkeys);
    else if (vals[i])
      yl_err(L, yl_pos(k), "duplicate key '%s' in %s", key, what);
    else
      vals[i] = v;
  }
  return true;
}

bool yl_require(struct yl *L, yaml_node_t *map, const char *what,
                const char *const *keys, yaml_node_t **vals,
                const int *required, size_t nrequired) {
  bool ok = true;
  for (size_t i = 0; i < nrequired; i++)
    if (!vals[required[i]]) {
      yl_err(L, yl_pos(map), "missing field '%s' in %s", keys[required[i]],
             what);
      ok = false;
    }
  return ok;
}

bool yl_seq(struct yl *L, yaml_node_t *n, const char *field) {
  if (n->type == YAML_SEQUENCE_NODE)
    return true;
  yl_err(L, yl_pos(n), "'%s' must be a list, found a %s", field, kind_name(n));
  return false;
}

bool yl_string(struct yl *L, yaml_node_t *n, const char *field, char *dst,
               size_t cap) {
  if (n->type != YAML_SCALAR_NODE) {
    yl_err(L, yl_pos(n), "'%s' must be a string, found a %s", field,
           kind_name(n));
    return false;
  }
  const char *s = (const char *)n->data.scalar.value;
  size_t len = n->data.scalar.length;
  if (len == 0) {
    yl_err(L, yl_pos(n), "'%s' must not be empty", field);
    return false;
  }
  if (len >= cap) {
    yl_err(L, yl_pos(n), "'%s' is longer than %zu bytes", field, cap - 1);
    return false;
  }
  /* "\0" and friends are legal YAML escapes; none belong in a name or a
   * path that will reach open() or a log line. */
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
      yl_err(L, yl_pos(n), "'%s' contains a control character", field);
      return false;
    }
  memcpy(dst, s, len + 1);
  return true;
}

bool yl_name(struct yl *L, yaml_node_t *n, const char *field, char *dst,
             size_t cap) {
  if (!yl_string(L, n, field, dst, cap))
    return false;
  /* Names become file names (NODE.key), Graphviz ids and log words. */
  bool ok = (dst[0] >= 'a' && dst[0] <= 'z') || (dst[0] >= 'A' && dst[0] <= 'Z') ||
            (dst[0] >= '0' && dst[0] <= '9');
  for (const char *c = dst; ok && *c; c++)
    ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
         (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' || *c == '-';
  if (!ok) {
    yl_err(L, yl_pos(n),
           "'%s' must start with a letter or digit and use only letters, "
           "digits, '.', '_' and '-'",
           field);
    dst[0] = 0;
  }
  return ok;
}

bool yl_path(struct yl *L, yaml_node_t *n, const char *field, char *dst,
             size_t cap) {
  if (!yl_string(L, n, field, dst, cap))
    return false;
  if (dst[0] != '/') {
    yl_err(L, yl_pos(n), "'%s' must be an absolute path", field);
    dst[0] = 0;
    return false;
  }
  return true;
}

bool yl_uint(struct yl *L, yaml_node_t *n, const char *field, uint64_t min,
             uint64_t max, uint64_t *out) {
  const char *s = yl_text(n);
  /* A quoted "100" is a string in YAML; only plain digits are integers. */
  bool ok = s && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
            n->data.scalar.length > 0 && n->data.scalar.length <= 19;
  uint64_t v = 0;
  for (size_t i = 0; ok && i < n->data.scalar.length; i++) {
    ok = s[i] >= '0' && s[i] <= '9';
    v = v * 10u + (uint64_t)(s[i] - '0');
  }
  if (!ok) {
    yl_err(L, yl_pos(n), "'%s' must be a non-negative integer, found %s%.40s%s",
           field, s ? "'" : "a ", s ? s : kind_name(n), s ? "'" : "");
    return false;
  }
  if (v < min || v > max) {
    yl_err(L, yl_pos(n), "'%s' must be between %llu and %llu, found %llu",
           field, (unsigned long long)min, (unsigned long long)max,
           (unsigned long long)v);
    return false;
  }
  *out = v;
  return true;
}
