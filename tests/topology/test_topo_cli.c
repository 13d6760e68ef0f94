/* ringca-topo as operators run it: exit codes, diagnostics, and key files
 * whose printed public keys parse back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <yaml.h>

#include "ringca/fileio.h"
#include "ringca/nodekeys.h"
#include "ringca/topoyaml.h"

#define TOPO RINGCA_BINARY_DIR "/topology/ringca-topo"
#define EXAMPLES RINGCA_SOURCE_DIR "/topology/examples/"
#define BAD RINGCA_SOURCE_DIR "/tests/topology/bad/"

static char tmpdir[64];

static int setup(void **state) {
  (void)state;
  snprintf(tmpdir, sizeof tmpdir, "/tmp/ringca-topo-cli.XXXXXX");
  return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  return system(cmd) == 0 ? 0 : -1;
}

/* Runs a shell command; *out gets stdout+stderr (malloc'd). Returns the
 * exit status. */
__attribute__((format(printf, 2, 3))) static int run(char **out,
                                                      const char *fmt, ...) {
  char cmd[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  assert_non_null(buf);
  size_t n;
  while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
    len += n;
    if (len + 1 == cap) {
      cap *= 2;
      buf = realloc(buf, cap);
      assert_non_null(buf);
    }
  }
  buf[len] = 0;
  int st = pclose(p);
  if (out)
    *out = buf;
  else
    free(buf);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_check_exit_codes(void **state) {
  (void)state;
  char *out;
  assert_int_equal(run(&out, TOPO " check " EXAMPLES "canonical.yaml 2>&1"), 0);
  assert_string_equal(out, EXAMPLES "canonical.yaml: ok: 7 nodes (front-ends 4, "
                           "intermediates 2, root 1), 10 links, 4 rings\n");
  free(out);
  assert_int_equal(run(&out, TOPO " check " BAD "duplicate_node.yaml 2>&1"), 1);
  assert_string_equal(out, BAD "duplicate_node.yaml:22:11: duplicate node name "
                           "'fe1' (first defined at 3:5)\n" BAD
                           "duplicate_node.yaml: 1 error\n");
  free(out);
  assert_int_equal(run(&out, TOPO " check %s/none.yaml 2>&1", tmpdir), 2);
  assert_non_null(strstr(out, "none.yaml: cannot read: No such file or directory"));
  free(out);
  assert_int_equal(run(NULL, TOPO " 2>&1"), 2);
  assert_int_equal(run(NULL, TOPO " check 2>&1"), 2);
  assert_int_equal(run(NULL, TOPO " frobnicate x 2>&1"), 2);
  assert_int_equal(run(&out, TOPO " --help"), 0);
  assert_non_null(strstr(out, "exit status:"));
  assert_non_null(strstr(out, "ringca-topo check topology/examples/canonical.yaml"));
  free(out);
}

static void test_analyse(void **state) {
  (void)state;
  char *out;
  assert_int_equal(run(&out, TOPO " analyse " EXAMPLES "canonical.yaml"), 0);
  assert_non_null(strstr(out, "losing node root cuts off: every front-end"));
  assert_non_null(strstr(out, "  none besides the root\n"));
  assert_non_null(strstr(out, "  fe1 -> im1 (ring im1-fe), im2 (ring im2-fe)\n"));
  free(out);
  assert_int_equal(run(&out, TOPO " analyse " EXAMPLES "single.yaml"), 3);
  assert_non_null(strstr(out, "losing cable web:ttyS0 - root:ttyS0 cuts off: web\n"));
  free(out);
  assert_int_equal(run(&out, TOPO " analyse " EXAMPLES "large.yaml"), 3);
  assert_non_null(strstr(out, "losing node im8 cuts off: fe57 fe58 fe59 fe60 fe61 fe62 fe63 fe64\n"));
  free(out);
}

static void test_show_and_dot(void **state) {
  (void)state;
  char *out;
  assert_int_equal(run(&out, TOPO " show " EXAMPLES "canonical.yaml"), 0);
  assert_non_null(strstr(out, "im1-fe           hub  master im1"));
  free(out);
  assert_int_equal(run(NULL, TOPO " show " EXAMPLES "large.yaml --json | python3 -c "
                             "'import json,sys; d=json.load(sys.stdin); "
                             "sys.exit(len(d[\"nodes\"]) != 73)'"),
                   0);
  assert_int_equal(run(&out, TOPO " dot " EXAMPLES "canonical.yaml"), 0);
  assert_non_null(strstr(out, "graph ringca {"));
  assert_non_null(strstr(out, "{ rank=same; // root\n    \"root\""));
  free(out);
  if (run(NULL, "command -v dot >/dev/null") == 0)
    assert_int_equal(run(NULL, TOPO " dot " EXAMPLES "canonical.yaml | dot -Tsvg >/dev/null"), 0);
}

/* Parses the `keys` output (NODE: {link_key, origin_key}) and compares it
 * with the key files. */
static void check_snippet(const char *yaml, const char *dir, const char *const *names,
                          size_t n) {
  yaml_parser_t p;
  yaml_document_t doc;
  assert_true(yaml_parser_initialize(&p));
  yaml_parser_set_input_string(&p, (const unsigned char *)yaml, strlen(yaml));
  assert_true(yaml_parser_load(&p, &doc));
  yaml_node_t *root = yaml_document_get_root_node(&doc);
  assert_non_null(root);
  assert_int_equal(root->type, YAML_MAPPING_NODE);
  size_t seen = 0;
  for (yaml_node_pair_t *kv = root->data.mapping.pairs.start;
       kv < root->data.mapping.pairs.top; kv++, seen++) {
    yaml_node_t *k = yaml_document_get_node(&doc, kv->key);
    yaml_node_t *v = yaml_document_get_node(&doc, kv->value);
    assert_string_equal((char *)k->data.scalar.value, names[seen]);
    char path[256];
    snprintf(path, sizeof path, "%s/%s.key", dir, names[seen]);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    struct rc_node_keys keys;
    assert_int_equal(rc_node_keys_load(path, &keys), 0);
    int matched = 0;
    for (yaml_node_pair_t *f = v->data.mapping.pairs.start;
         f < v->data.mapping.pairs.top; f++) {
      yaml_node_t *fk = yaml_document_get_node(&doc, f->key);
      yaml_node_t *fv = yaml_document_get_node(&doc, f->value);
      uint8_t pub[32];
      assert_int_equal(rc_key_b64_decode((char *)fv->data.scalar.value,
                                         fv->data.scalar.length, pub), 0);
      if (!strcmp((char *)fk->data.scalar.value, "link_key"))
        assert_memory_equal(pub, keys.link_pub, 32), matched++;
      else if (!strcmp((char *)fk->data.scalar.value, "origin_key"))
        assert_memory_equal(pub, keys.origin_pub, 32), matched++;
    }
    assert_int_equal(matched, 2);
    rc_node_keys_wipe(&keys);
  }
  assert_int_equal(seen, n);
  yaml_document_delete(&doc);
  yaml_parser_delete(&p);
}

static void test_keys_parse_back(void **state) {
  (void)state;
  static const char *const names[] = {"fe1", "root"};
  char *out;
  assert_int_equal(run(&out, TOPO " keys --dir %s fe1 root", tmpdir), 0);
  check_snippet(out, tmpdir, names, 2);
  free(out);
  /* Existing key files are never replaced silently. */
  assert_int_equal(run(&out, TOPO " keys --dir %s fe1 2>&1", tmpdir), 1);
  assert_non_null(strstr(out, "exists; refusing to replace"));
  free(out);
  assert_int_equal(run(&out, TOPO " keys --force --dir %s fe1", tmpdir), 0);
  check_snippet(out, tmpdir, names, 1);
  free(out);
  assert_int_equal(run(NULL, TOPO " keys --dir %s ../evil 2>/dev/null", tmpdir), 2);
}

static void test_keys_update(void **state) {
  (void)state;
  char copy[128], kdir[128];
  snprintf(copy, sizeof copy, "%s/c.yaml", tmpdir);
  snprintf(kdir, sizeof kdir, "%s/k", tmpdir);
  assert_int_equal(mkdir(kdir, 0700), 0);
  assert_int_equal(run(NULL, "cp " EXAMPLES "canonical.yaml %s && chmod 640 %s", copy, copy), 0);
  struct rc_topology before, after;
  assert_int_equal(rc_topology_load(&before, NULL, copy, NULL, NULL), 0);
  /* An unknown node: nothing written anywhere. */
  char *out;
  assert_int_equal(run(&out, TOPO " keys --dir %s --update %s fe2 nosuch 2>&1", kdir, copy), 1);
  assert_non_null(strstr(out, "no node named 'nosuch'"));
  free(out);
  assert_int_equal(run(NULL, "test -e %s/fe2.key", kdir), 1);
  assert_int_equal(run(NULL, "cmp -s " EXAMPLES "canonical.yaml %s", copy), 0);
  assert_int_equal(run(&out, TOPO " keys --dir %s --update %s fe2 root", kdir, copy), 0);
  free(out);
  assert_int_equal(rc_topology_load(&after, NULL, copy, NULL, NULL), 0);
  struct stat st;
  assert_int_equal(stat(copy, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0640);
  /* Exactly the four key lines changed; comments and layout survive. */
  assert_int_equal(run(&out, "diff " EXAMPLES "canonical.yaml %s | grep -c '^>'", copy), 0);
  assert_string_equal(out, "4\n");
  free(out);
  for (size_t i = 0; i < after.nnodes; i++) {
    const char *name = after.nodes[i].name;
    bool updated = !strcmp(name, "fe2") || !strcmp(name, "root");
    if (!updated) {
      assert_memory_equal(after.nodes[i].link_pub, before.nodes[i].link_pub, 32);
      continue;
    }
    char path[256];
    snprintf(path, sizeof path, "%s/%s.key", kdir, name);
    struct rc_node_keys k;
    assert_int_equal(rc_node_keys_load(path, &k), 0);
    assert_memory_equal(after.nodes[i].link_pub, k.link_pub, 32);
    assert_memory_equal(after.nodes[i].origin_pub, k.origin_pub, 32);
    rc_node_keys_wipe(&k);
  }
  rc_topology_free(&before);
  rc_topology_free(&after);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_check_exit_codes), cmocka_unit_test(test_analyse),
      cmocka_unit_test(test_show_and_dot),     cmocka_unit_test(test_keys_parse_back),
      cmocka_unit_test(test_keys_update),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
