/* The topology YAML file (docs/topology.md) into struct rc_topology.
 *
 * libyaml builds the document tree (bounded by RC_TOPO_FILE_MAX); this file
 * walks it by schema, never by generic recursion, so nesting depth in the
 * input cannot reach our stack. Nodes are read first so links and rings may
 * name nodes defined anywhere in the file. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringca/error.h"
#include "ringca/fileio.h"
#include "ringca/nodekeys.h"
#include "yaml_util.h"

#define DEFAULT_BAUD 115200u
#define MS_MAX 604800000ull /* one week */

struct setting {
  const char *section, *key;
  size_t offset;
  int width; /* 4 or 8 bytes; 0 = not an integer */
  uint64_t min, max;
};

#define TO(f) offsetof(struct rc_topology, timeouts.f)
#define LI(f) offsetof(struct rc_topology, limits.f)
#define PO(f) offsetof(struct rc_topology, policy.f)
static const struct setting SETTINGS[RC_TOPO_SET_COUNT] = {
    [RC_TOPO_SET_HEARTBEAT] = {"timeouts", "heartbeat_ms", TO(heartbeat_ms), 8, 1, MS_MAX},
    [RC_TOPO_SET_DEAD_LINK] = {"timeouts", "dead_link_ms", TO(dead_link_ms), 8, 1, MS_MAX},
    [RC_TOPO_SET_RETRANSMIT] = {"timeouts", "retransmit_ms", TO(retransmit_ms), 8, 1, MS_MAX},
    [RC_TOPO_SET_HANDSHAKE_RETRY] = {"timeouts", "handshake_retry_ms", TO(handshake_retry_ms), 8, 1, MS_MAX},
    [RC_TOPO_SET_TOKEN_LOSS] = {"timeouts", "token_loss_ms", TO(token_loss_ms), 8, 1, MS_MAX},
    [RC_TOPO_SET_RING_RESTART] = {"timeouts", "ring_restart_ms", TO(ring_restart_ms), 8, 1, MS_MAX},
    [RC_TOPO_SET_ROTATION_PAUSE] = {"timeouts", "rotation_pause_ms", TO(rotation_pause_ms), 8, 0, MS_MAX},
    [RC_TOPO_SET_IDLE_PAUSE] = {"timeouts", "idle_pause_ms", TO(idle_pause_ms), 8, 0, MS_MAX},
    [RC_TOPO_SET_ISOLATION] = {"timeouts", "isolation_ms", TO(isolation_ms), 8, 1, MS_MAX},
    [RC_TOPO_SET_REQUEST_DEADLINE] = {"timeouts", "request_deadline_ms", TO(request_deadline_ms), 8, 1, MS_MAX},
    [RC_TOPO_SET_FRAME_SIZE] = {"limits", "frame_size", LI(frame_size), 4, RC_FRAME_PAYLOAD_MIN, RC_FRAME_PAYLOAD_LIMIT},
    [RC_TOPO_SET_TOKEN_SIZE] = {"limits", "token_size", LI(token_size), 4, 128, RC_FRAME_PAYLOAD_LIMIT},
    [RC_TOPO_SET_SEND_QUEUE] = {"limits", "send_queue", LI(send_queue), 4, 1, 4096},
    [RC_TOPO_SET_ROUTE_QUEUE] = {"limits", "route_queue", LI(route_queue), 4, 1, 65536},
    [RC_TOPO_SET_ENVELOPE_TTL] = {"limits", "envelope_ttl", LI(envelope_ttl), 4, 1, 64},
    [RC_TOPO_SET_NOISE_WINDOW] = {"policy", "noise_window", PO(noise_window), 4, 1, 65536},
    [RC_TOPO_SET_NOISE_MAX_BAD] = {"policy", "noise_max_bad", PO(noise_max_bad), 4, 1, 65536},
    [RC_TOPO_SET_REHANDSHAKE_MIN] = {"policy", "rehandshake_min_ms", PO(rehandshake_min_ms), 8, 0, MS_MAX},
    [RC_TOPO_SET_TRIP_COMMAND] = {"policy", "trip_command", 0, 0, 0, 0},
    [RC_TOPO_SET_ON_VIOLATION] = {"policy", "on_violation", 0, 0, 0, 0},
};

/* termios rates Linux and libserialport both know. */
static const uint32_t BAUDS[] = {1200,    2400,    4800,    9600,    19200,
                                 38400,   57600,   115200,  230400,  460800,
                                 500000,  576000,  921600,  1000000, 1152000,
                                 1500000, 2000000, 2500000, 3000000, 3500000,
                                 4000000};

static void load_on_violation(struct yl *L, yaml_node_t *n) {
  static const char *const roles[RC_ROLE_COUNT] = {"frontend", "intermediate",
                                                   "root"};
  yaml_node_t *v[RC_ROLE_COUNT];
  if (!yl_fields(L, n, "on_violation", roles, RC_ROLE_COUNT, v))
    return;
  for (int r = 0; r < RC_ROLE_COUNT; r++) {
    if (!v[r])
      continue;
    const char *s = yl_text(v[r]);
    if (s && !strcmp(s, "trip"))
      L->t->policy.on_violation[r] = RC_ON_VIOLATION_TRIP;
    else if (s && !strcmp(s, "log"))
      L->t->policy.on_violation[r] = RC_ON_VIOLATION_LOG;
    else
      yl_err(L, yl_pos(v[r]), "on_violation for %s must be trip or log",
             roles[r]);
  }
}

static void load_section(struct yl *L, yaml_node_t *n, const char *section) {
  const char *keys[RC_TOPO_SET_COUNT];
  int ids[RC_TOPO_SET_COUNT];
  size_t nkeys = 0;
  for (int i = 0; i < RC_TOPO_SET_COUNT; i++)
    if (!strcmp(SETTINGS[i].section, section)) {
      ids[nkeys] = i;
      keys[nkeys++] = SETTINGS[i].key;
    }
  yaml_node_t *v[RC_TOPO_SET_COUNT];
  if (!yl_fields(L, n, section, keys, nkeys, v))
    return;
  for (size_t k = 0; k < nkeys; k++) {
    if (!v[k])
      continue;
    const struct setting *s = &SETTINGS[ids[k]];
    if (L->src)
      L->src->setting[ids[k]] = yl_pos(v[k]);
    uint64_t x;
    char *field = (char *)L->t + s->offset;
    if (ids[k] == RC_TOPO_SET_ON_VIOLATION)
      load_on_violation(L, v[k]);
    else if (ids[k] == RC_TOPO_SET_TRIP_COMMAND)
      yl_path(L, v[k], s->key, L->t->policy.trip_command,
              sizeof L->t->policy.trip_command);
    else if (!yl_uint(L, v[k], s->key, s->min, s->max, &x))
      continue;
    else if (s->width == 8)
      memcpy(field, &x, sizeof x);
    else {
      uint32_t y = (uint32_t)x;
      memcpy(field, &y, sizeof y);
    }
  }
}

enum { P_NAME, P_DEVICE, P_BAUD, P_KIND, P_NKEYS };
static const char *const PORT_KEYS[P_NKEYS] = {"name", "device", "baud", "kind"};

static void load_port(struct yl *L, uint32_t node, yaml_node_t *n) {
  yaml_node_t *v[P_NKEYS];
  static const int req[] = {P_NAME, P_DEVICE};
  if (!yl_fields(L, n, "port", PORT_KEYS, P_NKEYS, v))
    return;
  yl_require(L, n, "port", PORT_KEYS, v, req, 2);
  if (!v[P_NAME])
    return;
  char name[RC_NAME_MAX + 1], device[RC_PATH_MAX];
  uint64_t baud = DEFAULT_BAUD;
  enum rc_port_kind kind = RC_PORT_AUTO;
  bool ok = yl_name(L, v[P_NAME], "name", name, sizeof name);
  if (!ok)
    return;
  /* A port with a bad value is still added under its name (the file is
   * already rejected) so links to it do not report it missing too. */
  if (!v[P_DEVICE] || !yl_path(L, v[P_DEVICE], "device", device, sizeof device))
    memcpy(device, "/", 2);
  if (v[P_BAUD] && yl_uint(L, v[P_BAUD], "baud", 1, UINT32_MAX, &baud)) {
    size_t i = 0;
    while (i < sizeof BAUDS / sizeof BAUDS[0] && BAUDS[i] != baud)
      i++;
    if (i == sizeof BAUDS / sizeof BAUDS[0]) {
      yl_err(L, yl_pos(v[P_BAUD]), "baud %llu is not a standard serial rate",
             (unsigned long long)baud);
      baud = DEFAULT_BAUD;
    }
  }
  if (v[P_KIND]) {
    const char *k = yl_text(v[P_KIND]);
    if (k && !strcmp(k, "auto"))
      kind = RC_PORT_AUTO;
    else if (k && !strcmp(k, "serial"))
      kind = RC_PORT_SERIAL;
    else if (k && !strcmp(k, "pty"))
      kind = RC_PORT_PTY;
    else
      yl_err(L, yl_pos(v[P_KIND]), "kind must be auto, serial or pty");
  }
  struct rc_topo_node *nd = &L->t->nodes[node];
  int p = rc_topology_find_port(L->t, node, name);
  if (p >= 0) {
    yl_err(L, yl_pos(v[P_NAME]),
           "duplicate port name '%s' on node '%s' (first defined at %u:%u)",
           name, nd->name, nd->ports[p].pos.line, nd->ports[p].pos.col);
    return;
  }
  p = rc_topology_add_port(L->t, node, name, device, (uint32_t)baud);
  if (p == RC_ELIMIT) {
    yl_err(L, yl_pos(n), "too many ports on node '%s' (limit %u)", nd->name,
           RC_TOPO_MAX_PORTS);
    return;
  }
  if (p < 0)
    return;
  nd->ports[p].kind = kind;
  nd->ports[p].pos = yl_pos(n);
}

static void load_key(struct yl *L, yaml_node_t *n, const char *field,
                     uint8_t key[RC_KEY_LEN]) {
  const char *s = yl_text(n);
  if (!s || rc_key_b64_decode(s, n->data.scalar.length, key) != 0)
    yl_err(L, yl_pos(n),
           "'%s' must be the base64 of a 32-byte public key (44 characters)",
           field);
}

enum { N_NAME, N_ROLE, N_LINK_KEY, N_ORIGIN_KEY, N_PORTS, N_KEY_FILE,
       N_STATE_DIR, N_SPOOL_DIR, N_USER, N_NKEYS };
static const char *const NODE_KEYS[N_NKEYS] = {
    "name",     "role",      "link_key",  "origin_key", "ports",
    "key_file", "state_dir", "spool_dir", "user"};

static int add_named_node(struct yl *L, yaml_node_t *namev, const char *name) {
  int idx = rc_topology_find_node(L->t, name);
  if (idx >= 0) {
    struct rc_src_pos p = L->t->nodes[idx].pos;
    yl_err(L, yl_pos(namev), "duplicate node name '%s' (first defined at %u:%u)",
           name, p.line, p.col);
    return -1;
  }
  idx = rc_topology_add_node(L->t, name, RC_ROLE_FRONTEND);
  if (idx == RC_ELIMIT)
    yl_err(L, yl_pos(namev), "too many nodes (limit %u)", RC_TOPO_MAX_NODES);
  return idx;
}

static void load_node(struct yl *L, yaml_node_t *n) {
  yaml_node_t *v[N_NKEYS];
  static const int req[] = {N_NAME, N_ROLE, N_LINK_KEY, N_ORIGIN_KEY, N_PORTS};
  if (!yl_fields(L, n, "node", NODE_KEYS, N_NKEYS, v))
    return;
  yl_require(L, n, "node", NODE_KEYS, v, req, sizeof req / sizeof req[0]);
  char name[RC_NAME_MAX + 1];
  if (!v[N_NAME] || !yl_name(L, v[N_NAME], "name", name, sizeof name))
    return;
  int idx = add_named_node(L, v[N_NAME], name);
  if (idx < 0)
    return;
  struct rc_topo_node *nd = &L->t->nodes[idx];
  nd->pos = yl_pos(n);
  if (v[N_ROLE]) {
    const char *r = yl_text(v[N_ROLE]);
    if (r && !strcmp(r, "frontend"))
      nd->role = RC_ROLE_FRONTEND;
    else if (r && !strcmp(r, "intermediate"))
      nd->role = RC_ROLE_INTERMEDIATE;
    else if (r && !strcmp(r, "root"))
      nd->role = RC_ROLE_ROOT;
    else
      yl_err(L, yl_pos(v[N_ROLE]),
             "role must be frontend, intermediate or root");
  }
  if (v[N_LINK_KEY])
    load_key(L, v[N_LINK_KEY], "link_key", nd->link_pub);
  if (v[N_ORIGIN_KEY])
    load_key(L, v[N_ORIGIN_KEY], "origin_key", nd->origin_pub);
  if (v[N_KEY_FILE])
    yl_path(L, v[N_KEY_FILE], "key_file", nd->key_file, sizeof nd->key_file);
  if (v[N_STATE_DIR])
    yl_path(L, v[N_STATE_DIR], "state_dir", nd->state_dir, sizeof nd->state_dir);
  if (v[N_SPOOL_DIR] &&
      yl_path(L, v[N_SPOOL_DIR], "spool_dir", nd->spool_dir, sizeof nd->spool_dir) &&
      nd->role != RC_ROLE_ROOT)
    yl_err(L, yl_pos(v[N_SPOOL_DIR]), "spool_dir is only for the root");
  if (v[N_USER])
    yl_name(L, v[N_USER], "user", nd->user, sizeof nd->user);
  if (v[N_PORTS] && yl_seq(L, v[N_PORTS], "ports")) {
    yaml_node_t *ps = v[N_PORTS];
    if (ps->data.sequence.items.top == ps->data.sequence.items.start)
      yl_err(L, yl_pos(ps), "node '%s' has no ports", name);
    for (yaml_node_item_t *it = ps->data.sequence.items.start;
         it < ps->data.sequence.items.top; it++) {
      yaml_node_t *p = yl_node(L, *it);
      if (p)
        load_port(L, (uint32_t)idx, p);
    }
  }
}

/* "node:port" -> indexes, or a report naming what is missing. */
static bool link_end(struct yl *L, yaml_node_t *n, const char *field,
                     char node[RC_NAME_MAX + 1], char port[RC_NAME_MAX + 1]) {
  const char *s = yl_text(n);
  if (!s) {
    yl_err(L, yl_pos(n), "'%s' must be a string NODE:PORT", field);
    return false;
  }
  const char *colon = strchr(s, ':');
  size_t nl = colon ? (size_t)(colon - s) : 0;
  size_t pl = colon ? n->data.scalar.length - nl - 1 : 0;
  if (!colon || nl == 0 || pl == 0 || nl > RC_NAME_MAX || pl > RC_NAME_MAX ||
      strlen(s) != n->data.scalar.length) {
    yl_err(L, yl_pos(n), "'%s' must be NODE:PORT, found '%.80s'", field, s);
    return false;
  }
  memcpy(node, s, nl);
  node[nl] = 0;
  memcpy(port, colon + 1, pl + 1);
  int ni = rc_topology_find_node(L->t, node);
  if (ni < 0) {
    yl_err(L, yl_pos(n), "link end '%s': no node named '%s'", s, node);
    return false;
  }
  if (rc_topology_find_port(L->t, (uint32_t)ni, port) < 0) {
    yl_err(L, yl_pos(n), "link end '%s': node '%s' has no port '%s'", s, node,
           port);
    return false;
  }
  return true;
}

static void load_link(struct yl *L, yaml_node_t *n) {
  static const char *const keys[] = {"a", "b"};
  static const int req[] = {0, 1};
  yaml_node_t *v[2];
  if (!yl_fields(L, n, "link", keys, 2, v) ||
      !yl_require(L, n, "link", keys, v, req, 2))
    return;
  char an[RC_NAME_MAX + 1], ap[RC_NAME_MAX + 1], bn[RC_NAME_MAX + 1],
      bp[RC_NAME_MAX + 1];
  bool ok = link_end(L, v[0], "a", an, ap);
  ok &= link_end(L, v[1], "b", bn, bp);
  if (!ok)
    return;
  if (L->t->nlinks >= RC_TOPO_MAX_LINKS) {
    yl_err(L, yl_pos(n), "too many links (limit %u)", RC_TOPO_MAX_LINKS);
    return;
  }
  int l = rc_topology_add_link(L->t, an, ap, bn, bp);
  if (l >= 0)
    L->t->links[l].pos = yl_pos(n);
}

/* Names of a ring's nodes; NULL entries for names that are not nodes. */
static bool ring_names(struct yl *L, yaml_node_t *seq, const char *field,
                       const char *ring, const char **out, size_t cap,
                       size_t *count) {
  if (!yl_seq(L, seq, field))
    return false;
  size_t n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
  if (n > cap) {
    yl_err(L, yl_pos(seq), "ring '%s' lists too many nodes in '%s' (limit %zu)",
           ring, field, cap);
    return false;
  }
  bool ok = true;
  for (size_t i = 0; i < n; i++) {
    yaml_node_t *m = yl_node(L, seq->data.sequence.items.start[i]);
    const char *s = yl_text(m);
    if (!m)
      return false;
    if (!s) {
      yl_err(L, yl_pos(m), "ring '%s': members must be node names", ring);
      ok = false;
    } else if (rc_topology_find_node(L->t, s) < 0) {
      yl_err(L, yl_pos(m), "ring '%s': no node named '%.64s'", ring, s);
      ok = false;
    }
    out[i] = s;
  }
  *count = n;
  return ok;
}

enum { R_NAME, R_ORDER, R_HUB, R_MEMBERS, R_NKEYS };
static const char *const RING_KEYS[R_NKEYS] = {"name", "order", "hub", "members"};

static void load_ring(struct yl *L, yaml_node_t *n) {
  yaml_node_t *v[R_NKEYS];
  static const int req[] = {R_NAME};
  if (!yl_fields(L, n, "ring", RING_KEYS, R_NKEYS, v) ||
      !yl_require(L, n, "ring", RING_KEYS, v, req, 1))
    return;
  char name[RC_NAME_MAX + 1];
  if (!yl_name(L, v[R_NAME], "name", name, sizeof name))
    return;
  int dup = rc_topology_find_ring(L->t, name);
  if (dup >= 0) {
    struct rc_src_pos p = L->t->rings[dup].pos;
    yl_err(L, yl_pos(v[R_NAME]), "duplicate ring name '%s' (first defined at %u:%u)",
           name, p.line, p.col);
    return;
  }
  if (L->t->nrings >= RC_TOPO_MAX_RINGS) {
    yl_err(L, yl_pos(n), "too many rings (limit %u)", RC_TOPO_MAX_RINGS);
    return;
  }
  bool hub = v[R_HUB] || v[R_MEMBERS];
  if (v[R_ORDER] && hub) {
    yl_err(L, yl_pos(n), "ring '%s' has both order and hub/members", name);
    return;
  }
  if (!v[R_ORDER] && !(v[R_HUB] && v[R_MEMBERS])) {
    yl_err(L, yl_pos(n), "ring '%s' needs either order or hub with members",
           name);
    return;
  }
  const char *names[RC_TOKEN_MAX_ORDER];
  size_t count = 0;
  int r;
  if (!hub) {
    if (!ring_names(L, v[R_ORDER], "order", name, names, RC_TOKEN_MAX_ORDER,
                    &count))
      return;
    r = rc_topology_add_ring(L->t, name, names, count, false);
  } else {
    const char *h = yl_text(v[R_HUB]);
    if (!h) {
      yl_err(L, yl_pos(v[R_HUB]), "'hub' must be a node name");
      return;
    }
    if (rc_topology_find_node(L->t, h) < 0) {
      yl_err(L, yl_pos(v[R_HUB]), "ring '%s': no node named '%.64s'", name, h);
      return;
    }
    if (!ring_names(L, v[R_MEMBERS], "members", name, names,
                    RC_TOKEN_MAX_ORDER / 2, &count))
      return;
    r = rc_topology_add_hub_ring(L->t, name, h, names, count);
  }
  if (r >= 0)
    L->t->rings[r].pos = yl_pos(n);
}

static void load_list(struct yl *L, yaml_node_t *n, const char *field,
                      void (*one)(struct yl *, yaml_node_t *)) {
  if (!yl_seq(L, n, field))
    return;
  for (yaml_node_item_t *it = n->data.sequence.items.start;
       it < n->data.sequence.items.top; it++) {
    yaml_node_t *e = yl_node(L, *it);
    if (e)
      one(L, e);
  }
}

/* A node referenced from two places is an alias: refused, so the walk
 * below is over a tree whose size is bounded by the file's. */
static void refuse_aliases(struct yl *L) {
  yaml_node_t *start = L->doc->nodes.start;
  size_t n = (size_t)(L->doc->nodes.top - start);
  uint8_t *refs = calloc(n ? n : 1, 1);
  if (!refs) {
    yl_err(L, (struct rc_src_pos){0, 0}, "out of memory");
    return;
  }
  for (size_t i = 0; i < n; i++) {
    yaml_node_t *nd = &start[i];
    yaml_node_item_t ids[2];
    if (nd->type == YAML_SEQUENCE_NODE) {
      for (yaml_node_item_t *it = nd->data.sequence.items.start;
           it < nd->data.sequence.items.top; it++)
        if (*it >= 1 && (size_t)*it <= n && refs[*it - 1]++ == 1)
          yl_err(L, yl_pos(&start[*it - 1]), "anchors and aliases are not supported");
    } else if (nd->type == YAML_MAPPING_NODE) {
      for (yaml_node_pair_t *p = nd->data.mapping.pairs.start;
           p < nd->data.mapping.pairs.top; p++) {
        ids[0] = p->key;
        ids[1] = p->value;
        for (int k = 0; k < 2; k++)
          if (ids[k] >= 1 && (size_t)ids[k] <= n && refs[ids[k] - 1]++ == 1)
            yl_err(L, yl_pos(&start[ids[k] - 1]),
                   "anchors and aliases are not supported");
      }
    }
  }
  free(refs);
}

enum { T_VERSION, T_TIMEOUTS, T_LIMITS, T_POLICY, T_NODES, T_LINKS, T_RINGS,
       T_NKEYS };
static const char *const TOP_KEYS[T_NKEYS] = {
    "version", "timeouts", "limits", "policy", "nodes", "links", "rings"};

static void load_root(struct yl *L, yaml_node_t *root) {
  yaml_node_t *v[T_NKEYS];
  static const int req[] = {T_NODES, T_LINKS, T_RINGS};
  if (!yl_fields(L, root, "the topology", TOP_KEYS, T_NKEYS, v))
    return;
  yl_require(L, root, "the topology", TOP_KEYS, v, req, 3);
  uint64_t version;
  if (v[T_VERSION] && yl_uint(L, v[T_VERSION], "version", 0, UINT32_MAX, &version) &&
      version != 1)
    yl_err(L, yl_pos(v[T_VERSION]),
           "version %llu is not supported (this build reads version 1)",
           (unsigned long long)version);
  if (v[T_TIMEOUTS])
    load_section(L, v[T_TIMEOUTS], "timeouts");
  if (v[T_LIMITS])
    load_section(L, v[T_LIMITS], "limits");
  if (v[T_POLICY])
    load_section(L, v[T_POLICY], "policy");
  /* The positions of the sections are their keys' values' positions. */
  if (L->src) {
    if (v[T_NODES])
      L->src->nodes = yl_pos(v[T_NODES]);
    if (v[T_LINKS])
      L->src->links = yl_pos(v[T_LINKS]);
    if (v[T_RINGS])
      L->src->rings = yl_pos(v[T_RINGS]);
  }
  if (v[T_NODES])
    load_list(L, v[T_NODES], "nodes", load_node);
  if (v[T_LINKS])
    load_list(L, v[T_LINKS], "links", load_link);
  if (v[T_RINGS])
    load_list(L, v[T_RINGS], "rings", load_ring);
}

static void parse_error(struct yl *L, const yaml_parser_t *p) {
  const yaml_mark_t *m = p->problem ? &p->problem_mark : &p->context_mark;
  struct rc_src_pos pos = {(uint32_t)m->line + 1, (uint32_t)m->column + 1};
  if (p->error == YAML_MEMORY_ERROR)
    yl_err(L, pos, "out of memory while parsing YAML");
  else if (p->context)
    yl_err(L, pos, "YAML syntax error: %s %s", p->problem ? p->problem : "?",
           p->context);
  else
    yl_err(L, pos, "YAML syntax error: %s", p->problem ? p->problem : "?");
}

/* libyaml's scanner spends time proportional to the flow depth on every
 * token (its simple-key stack), so "[[[[...]]]]" of 1 MiB would take hours.
 * Bound the depth of [ and { before libyaml sees the bytes. Brackets inside
 * quotes or comments count too: a conservative bound, no YAML parsing. */
static bool flow_depth_ok(struct yl *L, const uint8_t *text, size_t len) {
  uint32_t depth = 0, line = 1, col = 1;
  for (size_t i = 0; i < len; i++, col++) {
    if (text[i] == '\n') {
      line++;
      col = 0;
    } else if (text[i] == '[' || text[i] == '{') {
      if (++depth > RC_TOPO_MAX_FLOW_DEPTH) {
        yl_err(L, (struct rc_src_pos){line, col},
               "brackets nested deeper than %u levels", RC_TOPO_MAX_FLOW_DEPTH);
        return false;
      }
    } else if ((text[i] == ']' || text[i] == '}') && depth > 0) {
      depth--;
    }
  }
  return true;
}

size_t rc_topology_parse(struct rc_topology *t, struct rc_topo_src *src,
                         const char *source, const uint8_t *text, size_t len,
                         rc_topology_report_fn report, void *ctx) {
  struct rc_topo_src local;
  if (!src) /* the checks still need positions */
    src = &local;
  rc_topology_init(t);
  memset(src, 0, sizeof *src);
  snprintf(t->source, sizeof t->source, "%s", source ? source : "");
  struct yl L = {.t = t, .src = src, .report = report, .ctx = ctx};
  if (len > RC_TOPO_FILE_MAX) {
    yl_err(&L, (struct rc_src_pos){0, 0}, "file is larger than %u bytes",
           RC_TOPO_FILE_MAX);
    return L.errors;
  }
  if (!flow_depth_ok(&L, text, len))
    return L.errors;
  yaml_parser_t parser;
  yaml_document_t doc, extra;
  if (!yaml_parser_initialize(&parser)) {
    yl_err(&L, (struct rc_src_pos){0, 0}, "out of memory");
    return L.errors;
  }
  yaml_parser_set_input_string(&parser, text, len);
  if (!yaml_parser_load(&parser, &doc)) {
    parse_error(&L, &parser);
    yaml_parser_delete(&parser);
    return L.errors;
  }
  L.doc = &doc;
  yaml_node_t *root = yaml_document_get_root_node(&doc);
  if (!root) {
    yl_err(&L, (struct rc_src_pos){1, 1}, "the file holds no topology");
  } else {
    refuse_aliases(&L);
    if (L.errors == 0)
      load_root(&L, root);
    /* A second document would be silently ignored by most readers. */
    if (!yaml_parser_load(&parser, &extra)) {
      parse_error(&L, &parser);
    } else {
      yaml_node_t *r2 = yaml_document_get_root_node(&extra);
      if (r2)
        yl_err(&L, yl_pos(r2), "the file holds more than one YAML document");
      yaml_document_delete(&extra);
    }
  }
  yaml_document_delete(&doc);
  yaml_parser_delete(&parser);
  if (L.errors == 0)
    L.errors = rc_topology_check(t, src, report, ctx);
  return L.errors;
}

size_t rc_topology_load(struct rc_topology *t, struct rc_topo_src *src,
                        const char *path, rc_topology_report_fn report,
                        void *ctx) {
  uint8_t *buf;
  size_t len;
  int e = rc_file_read(path, RC_TOPO_FILE_MAX, &buf, &len);
  if (e) {
    rc_topology_init(t);
    if (src)
      memset(src, 0, sizeof *src);
    if (report) {
      char msg[300];
      if (e == -EFBIG)
        snprintf(msg, sizeof msg, "file is larger than %u bytes", RC_TOPO_FILE_MAX);
      else
        snprintf(msg, sizeof msg, "cannot read: %s", strerror(-e));
      report(ctx, (struct rc_src_pos){0, 0}, msg);
    }
    return 1;
  }
  size_t n = rc_topology_parse(t, src, path, buf, len, report, ctx);
  free(buf);
  return n;
}
