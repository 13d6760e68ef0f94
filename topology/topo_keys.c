/* ringca-topo keys [--dir DIR] [--force] [--update FILE] NODE...
 *
 * Makes a node key file per node (nodekeys.h) and prints the public halves
 * as YAML. --update rewrites the link_key/origin_key values of those nodes
 * in a topology file in place: only the bytes of the two scalars change, so
 * comments and layout survive (a YAML emitter would drop them). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yaml.h>

#include "ringca/error.h"
#include "ringca/fileio.h"
#include "ringca/nodekeys.h"
#include "topo_cmd.h"

#define MAX_KEY_NODES RC_TOPO_MAX_NODES

struct span {
  size_t node;        /* index into the NODE arguments */
  int which;          /* 0 link_key, 1 origin_key */
  size_t begin, end;  /* byte offsets of the scalar, quotes included */
  yaml_scalar_style_t style;
  bool set;
};

static bool valid_node_name(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > RC_NAME_MAX || s[0] == '.' || s[0] == '-' || s[0] == '_')
    return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
          (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-'))
      return false;
  return true;
}

/* libyaml marks count characters (a leading BOM not included); the splice
 * needs bytes. */
static size_t char_to_byte(const uint8_t *buf, size_t len, size_t chars) {
  size_t i = len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3) ? 3 : 0;
  while (i < len && chars > 0) {
    i++;
    while (i < len && (buf[i] & 0xC0) == 0x80)
      i++;
    chars--;
  }
  return i;
}

static int find_spans(const char *path, const uint8_t *buf, size_t len,
                      char **names, size_t nnames, struct span *spans) {
  yaml_parser_t p;
  yaml_document_t doc;
  if (!yaml_parser_initialize(&p))
    return -1;
  yaml_parser_set_input_string(&p, buf, len);
  if (!yaml_parser_load(&p, &doc)) {
    fprintf(stderr, "%s:%zu:%zu: YAML syntax error: %s\n", path,
            p.problem_mark.line + 1, p.problem_mark.column + 1,
            p.problem ? p.problem : "?");
    yaml_parser_delete(&p);
    return -1;
  }
  size_t found = 0;
  yaml_node_t *root = yaml_document_get_root_node(&doc), *nodes = NULL;
  if (root && root->type == YAML_MAPPING_NODE)
    for (yaml_node_pair_t *kv = root->data.mapping.pairs.start;
         kv < root->data.mapping.pairs.top; kv++) {
      yaml_node_t *k = yaml_document_get_node(&doc, kv->key);
      if (k && k->type == YAML_SCALAR_NODE && !strcmp((char *)k->data.scalar.value, "nodes"))
        nodes = yaml_document_get_node(&doc, kv->value);
    }
  for (yaml_node_item_t *it = nodes && nodes->type == YAML_SEQUENCE_NODE
                                  ? nodes->data.sequence.items.start : NULL;
       it && it < nodes->data.sequence.items.top; it++) {
    yaml_node_t *n = yaml_document_get_node(&doc, *it);
    if (!n || n->type != YAML_MAPPING_NODE)
      continue;
    yaml_node_t *val[3] = {NULL, NULL, NULL};
    static const char *const keys[3] = {"name", "link_key", "origin_key"};
    for (yaml_node_pair_t *kv = n->data.mapping.pairs.start;
         kv < n->data.mapping.pairs.top; kv++) {
      yaml_node_t *k = yaml_document_get_node(&doc, kv->key);
      yaml_node_t *v = yaml_document_get_node(&doc, kv->value);
      for (int j = 0; k && v && k->type == YAML_SCALAR_NODE && j < 3; j++)
        if (!strcmp((char *)k->data.scalar.value, keys[j]) && v->type == YAML_SCALAR_NODE)
          val[j] = v;
    }
    if (!val[0])
      continue;
    for (size_t a = 0; a < nnames; a++) {
      if (strcmp((char *)val[0]->data.scalar.value, names[a]) != 0)
        continue;
      for (int w = 0; w < 2; w++) {
        if (!val[w + 1]) {
          fprintf(stderr, "%s:%zu:%zu: node '%s' has no %s to update\n", path,
                  n->start_mark.line + 1, n->start_mark.column + 1, names[a],
                  keys[w + 1]);
          continue;
        }
        struct span *s = &spans[2 * a + (size_t)w];
        s->node = a;
        s->which = w;
        s->begin = char_to_byte(buf, len, val[w + 1]->start_mark.index);
        s->end = char_to_byte(buf, len, val[w + 1]->end_mark.index);
        s->style = val[w + 1]->data.scalar.style;
        s->set = true;
        found++;
      }
    }
  }
  yaml_document_delete(&doc);
  yaml_parser_delete(&p);
  return (int)found;
}

static int cmp_span(const void *a, const void *b) {
  const struct span *x = a, *y = b;
  return x->begin < y->begin ? -1 : x->begin > y->begin;
}

/* Builds the rewritten file; returns NULL (after a message) on mismatch. */
static char *splice(const char *path, const uint8_t *buf, size_t len,
                    struct span *spans, size_t nspans,
                    const struct rc_node_keys *keys, size_t *outlen) {
  qsort(spans, nspans, sizeof *spans, cmp_span);
  char *out = malloc(len + nspans * (RC_KEY_B64_LEN + 2) + 1);
  if (!out)
    return NULL;
  size_t o = 0, at = 0;
  for (size_t i = 0; i < nspans; i++) {
    const struct span *s = &spans[i];
    bool quoted = s->style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                  s->style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    if (s->begin < at || s->end > len || s->end <= s->begin ||
        (s->style != YAML_PLAIN_SCALAR_STYLE && !quoted)) {
      fprintf(stderr, "%s: cannot rewrite a key written as a block scalar\n", path);
      free(out);
      return NULL;
    }
    memcpy(out + o, buf + at, s->begin - at);
    o += s->begin - at;
    char b64[RC_KEY_B64_LEN + 1];
    rc_key_b64_encode(s->which ? keys[s->node].origin_pub : keys[s->node].link_pub, b64);
    if (quoted)
      out[o++] = (char)buf[s->begin];
    memcpy(out + o, b64, RC_KEY_B64_LEN);
    o += RC_KEY_B64_LEN;
    if (quoted)
      out[o++] = (char)buf[s->begin];
    at = s->end;
  }
  memcpy(out + o, buf + at, len - at);
  o += len - at;
  *outlen = o;
  return out;
}

static int usage(void) {
  fputs("usage: ringca-topo keys [--dir DIR] [--force] [--update FILE] NODE...\n",
        stderr);
  return TOPO_EXIT_USAGE;
}

/* Reads FILE and prepares its rewrite for the given nodes' new keys. */
static int prepare_update(const char *path, char **names, size_t n,
                          const struct rc_node_keys *keys, char **out,
                          size_t *outlen, mode_t *mode) {
  uint8_t *buf;
  size_t len;
  struct stat st;
  int e = rc_file_read(path, RC_TOPO_FILE_MAX, &buf, &len);
  if (e || stat(path, &st) != 0) {
    fprintf(stderr, "%s: cannot read: %s\n", path, strerror(e ? -e : errno));
    if (!e)
      free(buf);
    return TOPO_EXIT_USAGE;
  }
  *mode = st.st_mode & 07777;
  struct span *spans = calloc(2 * n, sizeof *spans);
  int found = spans ? find_spans(path, buf, len, names, n, spans) : -1;
  int rc = TOPO_EXIT_INVALID;
  bool complete = found == (int)(2 * n);
  for (size_t a = 0; spans && found >= 0 && a < n; a++) {
    if (!spans[2 * a].set && !spans[2 * a + 1].set)
      fprintf(stderr, "%s: no node named '%s'\n", path, names[a]);
    complete &= spans[2 * a].set && spans[2 * a + 1].set;
  }
  if (found > (int)(2 * n))
    fprintf(stderr, "%s: a node is named more than once\n", path);
  if (complete) {
    *out = splice(path, buf, len, spans, 2 * n, keys, outlen);
    rc = *out ? TOPO_EXIT_OK : TOPO_EXIT_INVALID;
  }
  free(spans);
  free(buf);
  return rc;
}

static int write_keys(const char *dir, char **names, size_t n,
                      const struct rc_node_keys *keys) {
  for (size_t i = 0; i < n; i++) {
    char path[RC_PATH_MAX + RC_NAME_MAX + 8];
    snprintf(path, sizeof path, "%s/%s.key", dir, names[i]);
    int rc = rc_node_keys_write(path, &keys[i]);
    if (rc) {
      fprintf(stderr, "ringca-topo: %s: %s\n", path, rc_node_keys_strerror(rc));
      return TOPO_EXIT_USAGE;
    }
  }
  return TOPO_EXIT_OK;
}

static void print_snippet(const char *dir, char **names, size_t n,
                          const struct rc_node_keys *keys) {
  printf("# ringca-topo keys: public keys for the nodes: section of the "
         "topology;\n# private keys are in %s/NODE.key (mode 0600)\n", dir);
  for (size_t i = 0; i < n; i++) {
    char lk[RC_KEY_B64_LEN + 1], ok[RC_KEY_B64_LEN + 1];
    rc_key_b64_encode(keys[i].link_pub, lk);
    rc_key_b64_encode(keys[i].origin_pub, ok);
    printf("%s:\n  link_key: %s\n  origin_key: %s\n", names[i], lk, ok);
  }
}

int topo_keys_main(int argc, char **argv) {
  const char *dir = ".", *update = NULL;
  bool force = false;
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (!strcmp(argv[i], "--dir") && i + 1 < argc)
      dir = argv[++i];
    else if (!strcmp(argv[i], "--update") && i + 1 < argc)
      update = argv[++i];
    else if (!strcmp(argv[i], "--force"))
      force = true;
    else
      return usage();
  }
  size_t n = (size_t)(argc - i);
  char **names = argv + i;
  if (n == 0 || n > MAX_KEY_NODES || strlen(dir) >= RC_PATH_MAX)
    return usage();
  for (size_t a = 0; a < n; a++) {
    if (!valid_node_name(names[a])) {
      fprintf(stderr, "ringca-topo: '%s' is not a node name (letters, digits, "
              "'.', '_', '-')\n", names[a]);
      return TOPO_EXIT_USAGE;
    }
    for (size_t b = 0; b < a; b++)
      if (!strcmp(names[a], names[b])) {
        fprintf(stderr, "ringca-topo: node '%s' named twice\n", names[a]);
        return TOPO_EXIT_USAGE;
      }
    char path[RC_PATH_MAX + RC_NAME_MAX + 8];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s.key", dir, names[a]);
    if (!force && lstat(path, &st) == 0) {
      fprintf(stderr, "ringca-topo: %s exists; refusing to replace a node's keys "
              "(use --force)\n", path);
      return TOPO_EXIT_INVALID;
    }
  }
  struct rc_node_keys *keys = calloc(n, sizeof *keys);
  if (!keys)
    return TOPO_EXIT_USAGE;
  int rc = TOPO_EXIT_OK;
  for (size_t a = 0; a < n && rc == TOPO_EXIT_OK; a++)
    if (rc_node_keys_generate(&keys[a]) != 0) {
      fputs("ringca-topo: key generation failed\n", stderr);
      rc = TOPO_EXIT_USAGE;
    }
  char *text = NULL;
  size_t tlen = 0;
  mode_t mode = 0644;
  /* Nothing is written until the topology rewrite is known to work. */
  if (rc == TOPO_EXIT_OK && update)
    rc = prepare_update(update, names, n, keys, &text, &tlen, &mode);
  if (rc == TOPO_EXIT_OK)
    rc = write_keys(dir, names, n, keys);
  if (rc == TOPO_EXIT_OK && update) {
    int e = rc_file_write_atomic(update, text, tlen, mode);
    if (e) {
      fprintf(stderr, "%s: cannot write: %s\n", update, strerror(-e));
      rc = TOPO_EXIT_USAGE;
    } else {
      fprintf(stderr, "ringca-topo: updated the keys of %zu node%s in %s\n", n,
              n == 1 ? "" : "s", update);
    }
  }
  if (rc == TOPO_EXIT_OK)
    print_snippet(dir, names, n, keys);
  free(text);
  for (size_t a = 0; a < n; a++)
    rc_node_keys_wipe(&keys[a]);
  free(keys);
  return rc;
}
