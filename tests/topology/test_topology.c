/* Topology: model builders and validate, the YAML loader against every
 * example and every broken file, reachability, node key files, base64. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ringca/error.h"
#include "ringca/fileio.h"
#include "ringca/nodekeys.h"
#include "ringca/rng.h"
#include "ringca/topology.h"
#include "ringca/topoyaml.h"

#define EXAMPLES RINGCA_SOURCE_DIR "/topology/examples/"
#define BAD_DIR RINGCA_SOURCE_DIR "/tests/topology/bad"

/* Collects reports as "LINE:COL: message" lines. */
struct sink {
  char *text;
  size_t len, cap;
  size_t count;
};

static void collect(void *ctx, struct rc_src_pos pos, const char *msg) {
  struct sink *s = ctx;
  char line[700];
  int n = snprintf(line, sizeof line, "%u:%u: %s\n", pos.line, pos.col, msg);
  if (s->len + (size_t)n + 1 > s->cap) {
    s->cap = (s->cap + (size_t)n + 1) * 2;
    s->text = realloc(s->text, s->cap);
    assert_non_null(s->text);
  }
  memcpy(s->text + s->len, line, (size_t)n + 1);
  s->len += (size_t)n;
  s->count++;
}

static void sink_free(struct sink *s) {
  free(s->text);
  memset(s, 0, sizeof *s);
}

static char tmpdir[64];

static int make_tmpdir(void **state) {
  (void)state;
  snprintf(tmpdir, sizeof tmpdir, "/tmp/ringca-topo-test.XXXXXX");
  return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state) {
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  return system(cmd) == 0 ? 0 : -1;
}

/* ---- base64 ---- */

static void test_b64_roundtrip_and_strictness(void **state) {
  (void)state;
  struct rc_prng p;
  rc_prng_seed(&p, 6);
  struct rc_rng rng = rc_prng_as_rng(&p);
  for (int i = 0; i < 200; i++) {
    uint8_t key[32], back[32];
    char s[RC_KEY_B64_LEN + 1];
    rc_rng_fill(&rng, key, sizeof key);
    rc_key_b64_encode(key, s);
    assert_int_equal(strlen(s), 44);
    assert_int_equal(rc_key_b64_decode(s, 44, back), 0);
    assert_memory_equal(key, back, 32);
  }
  uint8_t zero[32] = {0}, out[32];
  char s[RC_KEY_B64_LEN + 1];
  rc_key_b64_encode(zero, s);
  assert_string_equal(s, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
  /* Non-canonical: the last character carries bits beyond 32 bytes. */
  assert_int_equal(rc_key_b64_decode("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=", 44, out),
                   RC_EMALFORMED);
  assert_int_equal(rc_key_b64_decode("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 43, out),
                   RC_EMALFORMED);
  assert_int_equal(rc_key_b64_decode("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==", 44, out),
                   RC_EMALFORMED);
  assert_int_equal(rc_key_b64_decode("AAAAAAAAAAAAAAAAAAAAAAA AAAAAAAAAAAAAAAAAAA=", 44, out),
                   RC_EMALFORMED);
  assert_int_equal(rc_key_b64_decode("AAAAAAAAAAAAAAAAAAAAAAA-AAAAAAAAAAAAAAAAAAA=", 44, out),
                   RC_EMALFORMED);
  /* An embedded NUL is not the end of the key. */
  assert_int_equal(rc_key_b64_decode("AAAAAAAAAAAAAAAAAAAAAAA\0AAAAAAAAAAAAAAAAAAA=", 44, out),
                   RC_EMALFORMED);
}

/* ---- model builders and validate ---- */

static void build_pair(struct rc_topology *t) {
  rc_topology_init(t);
  assert_int_equal(rc_topology_add_node(t, "fe1", RC_ROLE_FRONTEND), 0);
  assert_int_equal(rc_topology_add_node(t, "im1", RC_ROLE_INTERMEDIATE), 1);
  assert_int_equal(rc_topology_add_node(t, "root", RC_ROLE_ROOT), 2);
  assert_int_equal(rc_topology_add_port(t, 0, "s0", "/dev/ttyS0", 115200), 0);
  assert_int_equal(rc_topology_add_port(t, 1, "s0", "/dev/ttyS0", 115200), 0);
  assert_int_equal(rc_topology_add_port(t, 1, "s1", "/dev/ttyS1", 115200), 1);
  assert_int_equal(rc_topology_add_port(t, 2, "s0", "/dev/ttyS0", 115200), 0);
  assert_int_equal(rc_topology_add_link(t, "fe1", "s0", "im1", "s0"), 0);
  assert_int_equal(rc_topology_add_link(t, "im1", "s1", "root", "s0"), 1);
  const char *members[] = {"fe1"};
  assert_int_equal(rc_topology_add_hub_ring(t, "hub", "im1", members, 1), 0);
  const char *order[] = {"root", "im1"};
  assert_int_equal(rc_topology_add_ring(t, "up", order, 2, false), 1);
}

static void test_model_builders(void **state) {
  (void)state;
  struct rc_topology t;
  build_pair(&t);
  assert_int_equal(rc_topology_validate(&t, NULL, NULL), 0);
  struct sink s = {0};
  /* Built in memory: no keys yet, so only the key checks fire, each at
   * position 0:0 (no file). */
  assert_int_equal(rc_topology_check(&t, NULL, collect, &s), 6);
  assert_non_null(strstr(s.text, "0:0: node 'fe1' has an all-zero link_key\n"));
  /* An all-zero key is reported as such, not again as shared. */
  assert_null(strstr(s.text, "same origin_key"));
  sink_free(&s);
  assert_int_equal(rc_topology_add_node(&t, "fe1", RC_ROLE_FRONTEND), RC_EEXIST);
  assert_int_equal(rc_topology_add_port(&t, 0, "s0", "/dev/x", 9600), RC_EEXIST);
  assert_int_equal(rc_topology_add_port(&t, 9, "s9", "/dev/x", 9600), RC_ENOTFOUND);
  assert_int_equal(rc_topology_add_link(&t, "fe1", "s9", "im1", "s0"), RC_ENOTFOUND);
  const char *bad[] = {"root", "nobody"};
  assert_int_equal(rc_topology_add_ring(&t, "x", bad, 2, false), RC_ENOTFOUND);
  for (int i = 1; i < (int)RC_TOPO_MAX_PORTS; i++) {
    char name[8];
    snprintf(name, sizeof name, "p%d", i);
    assert_int_equal(rc_topology_add_port(&t, 0, name, "/dev/x", 9600), i);
  }
  assert_int_equal(rc_topology_add_port(&t, 0, "one-more", "/dev/x", 9600), RC_ELIMIT);
  assert_int_equal(rc_topology_find_node(&t, "root"), 2);
  assert_int_equal(rc_topology_find_ring(&t, "up"), 1);
  assert_int_equal(rc_topology_link_between(&t, 2, 1), 1);
  assert_int_equal(rc_topology_link_between(&t, 0, 2), -1);
  assert_int_equal(t.rings[0].norder, 2);
  assert_true(t.rings[0].hub);
  rc_topology_free(&t);
}

static void test_validate_finds_structural_errors(void **state) {
  (void)state;
  struct rc_topology t;
  build_pair(&t);
  /* Second cable on a port already used; a ring across a missing cable; a
   * ring of one; a "hub" ring that does not alternate. */
  assert_int_equal(rc_topology_add_port(&t, 2, "s1", "/dev/ttyS1", 115200), 1);
  assert_int_equal(rc_topology_add_link(&t, "fe1", "s0", "root", "s1"), 2);
  const char *shortcut[] = {"fe1", "root", "im1"};
  assert_true(rc_topology_add_ring(&t, "short", shortcut, 3, false) >= 0);
  const char *one[] = {"root"};
  assert_true(rc_topology_add_ring(&t, "one", one, 1, false) >= 0);
  const char *odd[] = {"im1", "fe1", "fe1", "im1"};
  assert_true(rc_topology_add_ring(&t, "odd", odd, 4, true) >= 0);
  struct sink s = {0};
  size_t n = rc_topology_validate(&t, collect, &s);
  assert_non_null(strstr(s.text, "port fe1:s0 is used by more than one link"));
  assert_non_null(strstr(s.text, "ring 'one' has fewer than two nodes"));
  assert_non_null(strstr(s.text, "ring 'odd' visits 'fe1' twice in a row"));
  assert_non_null(strstr(s.text, "hub ring 'odd' must alternate its hub with distinct members"));
  assert_int_equal(n, s.count);
  sink_free(&s);
  rc_topology_free(&t);
}

/* ---- loader ---- */

static size_t load_path(const char *path, struct rc_topology *t, struct sink *s) {
  return rc_topology_load(t, NULL, path, collect, s);
}

static void test_examples_pass_check(void **state) {
  (void)state;
  static const struct {
    const char *file;
    size_t nodes, rings;
  } ex[] = {{"canonical.yaml", 7, 4}, {"lab.yaml", 7, 4}, {"single.yaml", 2, 1},
            {"large.yaml", 73, 16}};
  for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
    char path[512];
    snprintf(path, sizeof path, EXAMPLES "%s", ex[i].file);
    struct rc_topology t;
    struct sink s = {0};
    size_t n = load_path(path, &t, &s);
    if (n)
      fprintf(stderr, "%s:\n%s", path, s.text);
    assert_int_equal(n, 0);
    assert_int_equal(t.nnodes, ex[i].nodes);
    assert_int_equal(t.nrings, ex[i].rings);
    assert_string_equal(t.source, path);
    rc_topology_free(&t);
    sink_free(&s);
  }
}

static void test_canonical_values(void **state) {
  (void)state;
  struct rc_topology t;
  struct rc_topo_src src;
  assert_int_equal(rc_topology_load(&t, &src, EXAMPLES "canonical.yaml", NULL, NULL), 0);
  int root = rc_topology_find_node(&t, "root");
  assert_true(root >= 0);
  assert_int_equal(t.nodes[root].role, RC_ROLE_ROOT);
  assert_string_equal(t.nodes[root].spool_dir, "/var/spool/ringca");
  assert_string_equal(t.nodes[root].key_file, "/etc/ringca/keys/root.key");
  assert_int_equal(t.nodes[root].nports, 2);
  assert_int_equal(t.nodes[root].ports[1].kind, RC_PORT_SERIAL);
  int hub = rc_topology_find_ring(&t, "im1-fe");
  assert_true(t.rings[hub].hub);
  assert_int_equal(t.rings[hub].norder, 8);
  assert_int_equal(t.rings[hub].order[0], (uint32_t)rc_topology_find_node(&t, "im1"));
  assert_int_equal(t.timeouts.token_loss_ms, 10000);
  assert_int_equal(t.limits.token_size, 3968);
  assert_string_equal(t.policy.trip_command, "/usr/local/sbin/ringca-tripped");
  /* Positions are 1-based and name the element. */
  assert_int_equal(t.nodes[0].pos.line, 43);
  assert_int_equal(t.nodes[0].pos.col, 5);
  assert_true(src.setting[RC_TOPO_SET_TOKEN_LOSS].line > 0);
  assert_int_equal(src.setting[RC_TOPO_SET_ENVELOPE_TTL].line,
                   src.setting[RC_TOPO_SET_ROUTE_QUEUE].line + 1);
  rc_topology_free(&t);
}

static char *read_text(const char *path) {
  uint8_t *buf;
  size_t len;
  if (rc_file_read(path, 1u << 20, &buf, &len) != 0)
    return NULL;
  return (char *)buf;
}

/* Every broken file reports exactly the lines of its .expect sidecar. */
static void test_bad_files(void **state) {
  (void)state;
  DIR *d = opendir(BAD_DIR);
  assert_non_null(d);
  size_t files = 0, failures = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    size_t n = strlen(e->d_name);
    if (n < 6 || strcmp(e->d_name + n - 5, ".yaml") != 0)
      continue;
    char path[600], expect_path[600];
    snprintf(path, sizeof path, BAD_DIR "/%s", e->d_name);
    snprintf(expect_path, sizeof expect_path, BAD_DIR "/%.*s.expect",
             (int)(n - 5), e->d_name);
    char *expect = read_text(expect_path);
    assert_non_null(expect);
    struct rc_topology t;
    struct sink s = {0};
    size_t count = load_path(path, &t, &s);
    if (count == 0 || !s.text || strcmp(s.text, expect) != 0) {
      fprintf(stderr, "%s:\n--- expected\n%s--- got\n%s", path, expect,
              s.text ? s.text : "");
      failures++;
    }
    assert_int_equal(count, s.count);
    free(expect);
    sink_free(&s);
    rc_topology_free(&t);
    files++;
  }
  closedir(d);
  assert_true(files >= 25);
  assert_int_equal(failures, 0);
}

static void parse_text(const char *text, size_t len, struct sink *s) {
  struct rc_topology t;
  rc_topology_parse(&t, NULL, "mem", (const uint8_t *)text, len, collect, s);
  rc_topology_free(&t);
}

static void test_hostile_input(void **state) {
  (void)state;
  /* Deep flow nesting would make libyaml's scanner quadratic: refused
   * before parsing, at the bracket that goes too deep. */
  size_t depth = 400000;
  char *deep = malloc(2 * depth + 16);
  assert_non_null(deep);
  memcpy(deep, "nodes: ", 7);
  memset(deep + 7, '[', depth);
  memset(deep + 7 + depth, ']', depth);
  struct sink s = {0};
  parse_text(deep, 7 + 2 * depth, &s);
  assert_string_equal(s.text, "1:40: brackets nested deeper than 32 levels\n");
  sink_free(&s);
  free(deep);
  /* Deep block nesting is cheap for libyaml and meets the schema walk,
   * which never recurses into shapes it does not expect. */
  const char *dashes = "nodes:\n- - - - - - - - - - - - - - - - - - - - - - x\n";
  parse_text(dashes, strlen(dashes), &s);
  assert_string_equal(s.text, "1:1: missing field 'links' in the topology\n"
                              "1:1: missing field 'rings' in the topology\n"
                              "2:3: node must be a mapping, found a list\n");
  sink_free(&s);
  /* Billion laughs: refused at the first reuse of an anchor. */
  const char *laughs = "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nnodes: [*c, *c]\n";
  parse_text(laughs, strlen(laughs), &s);
  assert_non_null(strstr(s.text, "anchors and aliases are not supported"));
  sink_free(&s);
  /* Too big. */
  char *big = calloc(RC_TOPO_FILE_MAX + 2, 1);
  assert_non_null(big);
  memset(big, '#', RC_TOPO_FILE_MAX + 1);
  parse_text(big, RC_TOPO_FILE_MAX + 1, &s);
  assert_string_equal(s.text, "0:0: file is larger than 1048576 bytes\n");
  sink_free(&s);
  free(big);
  /* More nodes than the cap: one report, then no more nodes. */
  static const char node_fmt[] =
      "- {name: n%u, role: frontend, link_key: "
      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=, origin_key: "
      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=, ports: [{name: p, device: /d}]}\n";
  size_t cap = (RC_TOPO_MAX_NODES + 2) * sizeof node_fmt + 64, len = 0;
  char *many = malloc(cap);
  assert_non_null(many);
  len += (size_t)snprintf(many, cap, "links: []\nrings: []\nnodes:\n");
  for (unsigned i = 0; i < RC_TOPO_MAX_NODES + 1; i++)
    len += (size_t)snprintf(many + len, cap - len, node_fmt, i);
  struct rc_topology t;
  rc_topology_parse(&t, NULL, "mem", (const uint8_t *)many, len, collect, &s);
  assert_int_equal(t.nnodes, RC_TOPO_MAX_NODES);
  assert_int_equal(s.count, 1);
  assert_string_equal(s.text, "1028:10: too many nodes (limit 1024)\n");
  rc_topology_free(&t);
  sink_free(&s);
  /* Reports stop at the cap, with one last line saying so. */
  len = (size_t)snprintf(many, cap, "nodes:\n");
  for (unsigned i = 0; i < 300; i++)
    len += (size_t)snprintf(many + len, cap - len, "- {name: n%u}\n", i);
  rc_topology_parse(&t, NULL, "mem", (const uint8_t *)many, len, collect, &s);
  assert_int_equal(s.count, RC_TOPO_MAX_ERRORS + 1);
  assert_non_null(strstr(s.text, "too many errors (200), not reporting more"));
  rc_topology_free(&t);
  sink_free(&s);
  free(many);
  /* A file that cannot be read. */
  assert_int_equal(rc_topology_load(&t, NULL, "/nonexistent/topo.yaml", collect, &s), 1);
  assert_string_equal(s.text, "0:0: cannot read: No such file or directory\n");
  assert_string_equal(t.source, "");
  rc_topology_free(&t);
  sink_free(&s);
}

/* ---- reachability and timing ---- */

static void test_canonical_no_spof_but_root(void **state) {
  (void)state;
  struct rc_topology t;
  assert_int_equal(rc_topology_load(&t, NULL, EXAMPLES "canonical.yaml", NULL, NULL), 0);
  bool reach[16];
  for (int dead = -1; dead < (int)t.nnodes; dead++) {
    bool ok = rc_topology_reach_root(&t, dead, -1, reach);
    bool root_dead = dead >= 0 && t.nodes[dead].role == RC_ROLE_ROOT;
    assert_int_equal(ok, !root_dead);
    for (size_t i = 0; i < t.nnodes; i++)
      if (t.nodes[i].role == RC_ROLE_FRONTEND && (int)i != dead)
        assert_int_equal(reach[i], !root_dead);
  }
  for (int cut = 0; cut < (int)t.nlinks; cut++) {
    assert_true(rc_topology_reach_root(&t, -1, cut, reach));
    for (size_t i = 0; i < t.nnodes; i++)
      assert_true(reach[i]);
  }
  rc_topology_free(&t);
}

static void test_reach_finds_cuts(void **state) {
  (void)state;
  struct rc_topology t;
  assert_int_equal(rc_topology_load(&t, NULL, EXAMPLES "large.yaml", NULL, NULL), 0);
  bool reach[128];
  int im1 = rc_topology_find_node(&t, "im1");
  assert_true(rc_topology_reach_root(&t, im1, -1, reach));
  for (int i = 1; i <= 64; i++) {
    char name[8];
    snprintf(name, sizeof name, "fe%d", i);
    assert_int_equal(reach[rc_topology_find_node(&t, name)], i > 8);
  }
  /* Cutting one front-end's cable bypasses it in the hub ring only. */
  int fe3 = rc_topology_find_node(&t, "fe3");
  int cable = rc_topology_link_between(&t, (uint32_t)fe3, (uint32_t)im1);
  assert_true(rc_topology_reach_root(&t, -1, cable, reach));
  assert_false(reach[fe3]);
  assert_true(reach[rc_topology_find_node(&t, "fe4")]);
  rc_topology_free(&t);
  /* A loop ring dies with any member: single.yaml loses its one path. */
  assert_int_equal(rc_topology_load(&t, NULL, EXAMPLES "single.yaml", NULL, NULL), 0);
  assert_true(rc_topology_reach_root(&t, -1, 0, reach));
  assert_false(reach[rc_topology_find_node(&t, "web")]);
  rc_topology_free(&t);
}

static void test_frame_and_rotation_time(void **state) {
  (void)state;
  /* 4096 + 4 CRC bytes -> 4117 COBS bytes + 2 delimiters = 4119 bytes,
   * 41190 bit times at 115200 baud = 357.6 ms. */
  assert_int_equal(rc_topology_frame_ms(4096, 115200), 358);
  assert_int_equal(rc_topology_frame_ms(4096, 0), UINT64_MAX);
  struct rc_topology t;
  build_pair(&t);
  /* Hub ring of one member: two hops; plus the longer of the master's
   * pauses, the 1000 ms idle pause. */
  assert_int_equal(rc_topology_rotation_ms(&t, 0), 2 * 358 + 1000);
  t.timeouts.idle_pause_ms = 0;  /* no parking: the busy pause counts */
  assert_int_equal(rc_topology_rotation_ms(&t, 0), 2 * 358 + 50);
  rc_topology_free(&t);
}

/* ---- node key files ---- */

static void path_in_tmp(char *out, size_t cap, const char *name) {
  snprintf(out, cap, "%s/%s", tmpdir, name);
}

static void test_node_keys_roundtrip(void **state) {
  (void)state;
  struct rc_node_keys k, back;
  assert_int_equal(rc_node_keys_generate(&k), 0);
  char path[128];
  path_in_tmp(path, sizeof path, "n1.key");
  assert_int_equal(rc_node_keys_write(path, &k), 0);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  assert_int_equal(rc_node_keys_load(path, &back), 0);
  assert_memory_equal(&k, &back, sizeof k);
  /* Public keys are derived, not stored: deriving again agrees. */
  struct rc_node_keys d = k;
  memset(d.link_pub, 0, sizeof d.link_pub);
  memset(d.origin_pub, 0, sizeof d.origin_pub);
  assert_int_equal(rc_node_keys_derive_public(&d), 0);
  assert_memory_equal(&d, &k, sizeof k);
  /* RFC 7748 6.1: Alice's X25519 key pair. */
  static const uint8_t alice_priv[32] = {
      0x77, 0x07, 0x6d, 0x0a, 0x73, 0x18, 0xa5, 0x7d, 0x3c, 0x16, 0xc1,
      0x72, 0x51, 0xb2, 0x66, 0x45, 0xdf, 0x4c, 0x2f, 0x87, 0xeb, 0xc0,
      0x99, 0x2a, 0xb1, 0x77, 0xfb, 0xa5, 0x1d, 0xb9, 0x2c, 0x2a};
  static const uint8_t alice_pub[32] = {
      0x85, 0x20, 0xf0, 0x09, 0x89, 0x30, 0xa7, 0x54, 0x74, 0x8b, 0x7d,
      0xdc, 0xb4, 0x3e, 0xf7, 0x5a, 0x0d, 0xbf, 0x3a, 0x0d, 0x26, 0x38,
      0x1a, 0xf4, 0xeb, 0xa4, 0xa9, 0x8e, 0xaa, 0x9b, 0x4e, 0x6a};
  memcpy(d.link_priv, alice_priv, 32);
  assert_int_equal(rc_node_keys_derive_public(&d), 0);
  assert_memory_equal(d.link_pub, alice_pub, 32);
  rc_node_keys_wipe(&d);
  rc_node_keys_wipe(&back);
  uint8_t zero[sizeof back] = {0};
  assert_memory_equal(&back, zero, sizeof back);
  rc_node_keys_wipe(&k);
}

static void test_node_keys_refusals(void **state) {
  (void)state;
  struct rc_node_keys k, back;
  assert_int_equal(rc_node_keys_generate(&k), 0);
  char path[128], link[128];
  path_in_tmp(path, sizeof path, "n2.key");
  assert_int_equal(rc_node_keys_write(path, &k), 0);
  /* Group- or world-accessible: refused before a byte is read. */
  static const mode_t modes[] = {0640, 0604, 0620, 0660, 0644};
  for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
    assert_int_equal(chmod(path, modes[i]), 0);
    memset(&back, 0xAA, sizeof back);
    assert_int_equal(rc_node_keys_load(path, &back), RC_EPERM);
    uint8_t zero[sizeof back] = {0};
    assert_memory_equal(&back, zero, sizeof back);
  }
  assert_non_null(strstr(rc_node_keys_strerror(RC_EPERM), "chmod 600"));
  assert_int_equal(chmod(path, 0600), 0);
  assert_int_equal(rc_node_keys_load(path, &back), 0);
  /* A symlink is refused too (O_NOFOLLOW). */
  path_in_tmp(link, sizeof link, "link.key");
  assert_int_equal(symlink(path, link), 0);
  assert_int_equal(rc_node_keys_load(link, &back), RC_EPERM);
  path_in_tmp(link, sizeof link, "missing.key");
  assert_int_equal(rc_node_keys_load(link, &back), RC_ENOTFOUND);
  /* Only one of the two keys, the same type twice, garbage, a foreign
   * PEM block: all malformed. */
  char *full = read_text(path);
  assert_non_null(full);
  char *second = strstr(full + 1, "-----BEGIN");
  assert_non_null(second);
  size_t first_len = (size_t)(second - full);
  char buf[2048];
  snprintf(buf, sizeof buf, "%.*s", (int)first_len, full);
  path_in_tmp(link, sizeof link, "bad.key");
  assert_int_equal(rc_file_write_atomic(link, buf, strlen(buf), 0600), 0);
  assert_int_equal(rc_node_keys_load(link, &back), RC_EMALFORMED);
  snprintf(buf, sizeof buf, "%.*s%.*s", (int)first_len, full, (int)first_len, full);
  assert_int_equal(rc_file_write_atomic(link, buf, strlen(buf), 0600), 0);
  assert_int_equal(rc_node_keys_load(link, &back), RC_EMALFORMED);
  snprintf(buf, sizeof buf, "%s%s", full, second);
  assert_int_equal(rc_file_write_atomic(link, buf, strlen(buf), 0600), 0);
  assert_int_equal(rc_node_keys_load(link, &back), RC_EMALFORMED);
  snprintf(buf, sizeof buf, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n%s", full);
  assert_int_equal(rc_file_write_atomic(link, buf, strlen(buf), 0600), 0);
  assert_int_equal(rc_node_keys_load(link, &back), RC_EMALFORMED);
  assert_int_equal(rc_file_write_atomic(link, "not a key\n", 10, 0600), 0);
  assert_int_equal(rc_node_keys_load(link, &back), RC_EMALFORMED);
  free(full);
  rc_node_keys_wipe(&k);
  rc_node_keys_wipe(&back);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_b64_roundtrip_and_strictness),
      cmocka_unit_test(test_model_builders),
      cmocka_unit_test(test_validate_finds_structural_errors),
      cmocka_unit_test(test_examples_pass_check),
      cmocka_unit_test(test_canonical_values),
      cmocka_unit_test(test_bad_files),
      cmocka_unit_test(test_hostile_input),
      cmocka_unit_test(test_canonical_no_spof_but_root),
      cmocka_unit_test(test_reach_finds_cuts),
      cmocka_unit_test(test_frame_and_rotation_time),
      cmocka_unit_test(test_node_keys_roundtrip),
      cmocka_unit_test(test_node_keys_refusals),
  };
  return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
