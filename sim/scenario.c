/* Scenario YAML parser (format in docs/simulator.md).
 *
 * The file is hostile input: its size is capped before libyaml sees it, the
 * walk follows the fixed schema depth (so aliases cannot make it recurse or
 * blow up), every count is checked before its array grows, and every error
 * names file:line:col and the key at fault. */
#include "scenario.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "ringca/error.h"
#include "ringca/fileio.h"
#include "ringca/log.h"

static const char *const action_names[] = {
#define RC_SCN_ACTION_STR_(n, s) s,
    RC_SCN_ACTION_MAP(RC_SCN_ACTION_STR_)
#undef RC_SCN_ACTION_STR_
};
static const char *const behaviour_names[] = {
#define RC_SCN_BEHAVIOUR_STR_(n, s) s,
    RC_SCN_BEHAVIOUR_MAP(RC_SCN_BEHAVIOUR_STR_)
#undef RC_SCN_BEHAVIOUR_STR_
};

const char *rc_scn_action_name(enum rc_scn_action a) {
  return (unsigned)a < RC_SCN__ACTION_COUNT ? action_names[a] : "?";
}

const char *rc_scn_behaviour_name(enum rc_scn_behaviour b) {
  return (unsigned)b < RC_SCN__BEHAVIOUR_COUNT ? behaviour_names[b] : "?";
}

int rc_scn_behaviour_parse(const char *s, enum rc_scn_behaviour *out) {
  for (unsigned i = 0; i < RC_SCN__BEHAVIOUR_COUNT; i++)
    if (strcmp(s, behaviour_names[i]) == 0) {
      *out = (enum rc_scn_behaviour)i;
      return 0;
    }
  return RC_EMALFORMED;
}

static void expect_init(struct rc_scn_expect *e) {
  memset(e, 0, sizeof *e);
  e->issued_min = e->issued_max = UINT64_MAX;
  e->refused_min = e->refused_max = UINT64_MAX;
  e->expired_max = e->retransmits_min = UINT64_MAX;
  e->bypasses_min = e->links_down_min = UINT64_MAX;
}

void rc_scenario_init(struct rc_scenario *s) {
  memset(s, 0, sizeof *s);
  s->latency_ms = 1;
  expect_init(&s->expect);
}

void rc_scenario_free(struct rc_scenario *s) {
  for (size_t i = 0; i < s->nsteps; i++)
    free(s->steps[i].load.nodes);
  free(s->steps);
  rc_scenario_init(s);
}

int rc_scn_parse_duration(const char *s, uint64_t *ms) {
  if (*s < '0' || *s > '9')
    return RC_EMALFORMED;
  uint64_t v = 0;
  const char *p = s;
  while (*p >= '0' && *p <= '9') {
    if (v > (UINT64_MAX - 9) / 10)
      return RC_EMALFORMED;
    v = v * 10 + (uint64_t)(*p++ - '0');
  }
  uint64_t mul;
  if (*p == '\0' || strcmp(p, "ms") == 0)
    mul = 1;
  else if (strcmp(p, "s") == 0)
    mul = 1000;
  else if (strcmp(p, "m") == 0)
    mul = 60 * 1000;
  else if (strcmp(p, "h") == 0)
    mul = 3600 * 1000;
  else
    return RC_EMALFORMED;
  if (v > RC_SCN_MAX_DURATION_MS / mul)
    return RC_EMALFORMED;
  *ms = v * mul;
  return 0;
}

/* ------------------------------------------------------------ YAML walking */

struct pctx {
  const char *name;
  yaml_document_t doc;
  char *err;
  size_t errlen;
};

static int fail(struct pctx *c, const yaml_node_t *n, const char *fmt, ...)
    RC_PRINTF(3, 4);
static int fail(struct pctx *c, const yaml_node_t *n, const char *fmt, ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (c->errlen)
    snprintf(c->err, c->errlen, "%s:%lu:%lu: %s", c->name,
             n ? (unsigned long)n->start_mark.line + 1 : 0ul,
             n ? (unsigned long)n->start_mark.column + 1 : 0ul, msg);
  return RC_EMALFORMED;
}

static struct rc_src_pos pos_of(const yaml_node_t *n) {
  struct rc_src_pos p = {(uint32_t)n->start_mark.line + 1,
                         (uint32_t)n->start_mark.column + 1};
  return p;
}

static yaml_node_t *node_at(struct pctx *c, int idx) {
  return yaml_document_get_node(&c->doc, idx);
}

/* The scalar text of n, or an error naming what was expected. */
static int scalar(struct pctx *c, yaml_node_t *n, const char *what,
                  const char **out) {
  if (!n || n->type != YAML_SCALAR_NODE)
    return fail(c, n, "%s must be a single value", what);
  if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
    return fail(c, n, "%s contains a NUL byte", what);
  *out = (const char *)n->data.scalar.value;
  return 0;
}

/* Node names: what the topology allows, so a bad one fails here. */
static int name_value(struct pctx *c, yaml_node_t *n, const char *what,
                      char out[RC_NAME_MAX + 1]) {
  const char *s = NULL;
  int rc = scalar(c, n, what, &s);
  if (rc)
    return rc;
  size_t len = strlen(s);
  if (len == 0 || len > RC_NAME_MAX)
    return fail(c, n, "%s must be 1..%u characters", what, RC_NAME_MAX);
  for (size_t i = 0; i < len; i++) {
    char ch = s[i];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
          (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.'))
      return fail(c, n, "%s \"%.64s\" may only hold letters, digits, '-', "
                  "'_' and '.'", what, s);
  }
  memcpy(out, s, len + 1);
  return 0;
}

static int u64_value(struct pctx *c, yaml_node_t *n, const char *what,
                     uint64_t max, uint64_t *out) {
  const char *s = NULL;
  int rc = scalar(c, n, what, &s);
  if (rc)
    return rc;
  uint64_t v = 0;
  if (*s == '\0')
    return fail(c, n, "%s must be a whole number", what);
  for (const char *p = s; *p; p++) {
    if (*p < '0' || *p > '9')
      return fail(c, n, "%s must be a whole number, not \"%.32s\"", what, s);
    if (v > (UINT64_MAX - 9) / 10)
      return fail(c, n, "%s is too large (at most %llu)", what,
                  (unsigned long long)max);
    v = v * 10 + (uint64_t)(*p - '0');
  }
  if (v > max)
    return fail(c, n, "%s is too large (at most %llu)", what,
                (unsigned long long)max);
  *out = v;
  return 0;
}

/* Requests per front-end: "6" or "6/min" per minute, "6/h" per hour (a
 * root store's real load is a few an hour). Kept per hour. */
static int rate_value(struct pctx *c, yaml_node_t *n, uint32_t *per_hour) {
  const char *s = NULL;
  int rc = scalar(c, n, "rate", &s);
  if (rc)
    return rc;
  const char *slash = strchr(s, '/');
  size_t digits = slash ? (size_t)(slash - s) : strlen(s);
  uint64_t per = 60;
  if (slash && strcmp(slash, "/h") == 0)
    per = 1;
  else if (slash && strcmp(slash, "/min") != 0)
    return fail(c, n, "rate \"%.32s\" must be requests per minute per "
                "front-end (6, 6/min) or per hour (6/h)", s);
  uint64_t v = 0;
  if (digits == 0 || digits > 9)
    return fail(c, n, "rate \"%.32s\" must start with a whole number of "
                "requests", s);
  for (size_t i = 0; i < digits; i++) {
    if (s[i] < '0' || s[i] > '9')
      return fail(c, n, "rate \"%.32s\" must start with a whole number of "
                  "requests", s);
    v = v * 10 + (uint64_t)(s[i] - '0');
  }
  if (v * per > RC_SCN_MAX_RATE_PER_HOUR)
    return fail(c, n, "rate \"%.32s\" is too large (at most %u per minute "
                "per front-end)", s, RC_SCN_MAX_RATE_PER_MIN);
  *per_hour = (uint32_t)(v * per);
  return 0;
}

static int duration_value(struct pctx *c, yaml_node_t *n, const char *what,
                          uint64_t *ms) {
  const char *s = NULL;
  int rc = scalar(c, n, what, &s);
  if (rc)
    return rc;
  if (rc_scn_parse_duration(s, ms) != 0)
    return fail(c, n, "%s \"%.32s\" is not a duration such as 500ms, 30s, "
                "5m or 1h (at most a week)", what, s);
  return 0;
}

static int ber_value(struct pctx *c, yaml_node_t *n, double *out) {
  const char *s = NULL;
  int rc = scalar(c, n, "ber", &s);
  if (rc)
    return rc;
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (*s == '\0' || *end != '\0' || errno != 0 || !isfinite(v) || v < 0 ||
      v > 0.5)
    return fail(c, n, "ber \"%.32s\" must be a bit-error rate between 0 and "
                "0.5 (e.g. 1e-5)", s);
  *out = v;
  return 0;
}

/* Iterates a mapping; each key must be a scalar. */
typedef int (*pair_fn)(struct pctx *c, const char *key, yaml_node_t *k,
                       yaml_node_t *v, void *arg);

static int each_pair(struct pctx *c, yaml_node_t *map, const char *what,
                     pair_fn fn, void *arg) {
  if (!map || map->type != YAML_MAPPING_NODE)
    return fail(c, map, "%s must be a mapping (key: value)", what);
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
       p < map->data.mapping.pairs.top; p++) {
    yaml_node_t *k = node_at(c, p->key), *v = node_at(c, p->value);
    const char *key = NULL;
    int rc = scalar(c, k, "a key", &key);
    if (rc)
      return rc;
    for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
      yaml_node_t *k2 = node_at(c, q->key);
      if (k2 && k2->type == YAML_SCALAR_NODE &&
          strcmp((const char *)k2->data.scalar.value, key) == 0)
        return fail(c, k, "duplicate key '%.64s' in %s", key, what);
    }
    if (!v)
      return fail(c, k, "key '%.64s' has no value", key);
    rc = fn(c, key, k, v, arg);
    if (rc)
      return rc;
  }
  return 0;
}

/* ------------------------------------------------------------------ steps */

/* Which keys each action takes besides `at` and `do`. */
static const char *const step_keys[RC_SCN__ACTION_COUNT] = {
    [RC_SCN_LOAD] = "rate frontends profile",
    [RC_SCN_CUT] = "cable",
    [RC_SCN_RESTORE] = "cable",
    [RC_SCN_CRASH] = "node",
    [RC_SCN_RESTART] = "node",
    [RC_SCN_NOISE] = "cable ber",
    [RC_SCN_COMPROMISE] = "node cable behaviour count every",
    [RC_SCN_TAP] = "cable behaviour count every",
};

static bool key_allowed(enum rc_scn_action a, const char *key) {
  const char *list = step_keys[a];
  size_t klen = strlen(key);
  for (const char *p = list; *p;) {
    const char *sp = strchr(p, ' ');
    size_t len = sp ? (size_t)(sp - p) : strlen(p);
    if (len == klen && memcmp(p, key, len) == 0)
      return true;
    p += len + (sp ? 1 : 0);
  }
  return false;
}

static int cable_value(struct pctx *c, yaml_node_t *n,
                       struct rc_scn_step *st) {
  if (n->type != YAML_SEQUENCE_NODE ||
      n->data.sequence.items.top - n->data.sequence.items.start != 2)
    return fail(c, n, "cable must name its two ends, e.g. [fe1, im1]");
  for (int i = 0; i < 2; i++) {
    int rc = name_value(c, node_at(c, n->data.sequence.items.start[i]),
                        "cable end", st->cable[i]);
    if (rc)
      return rc;
  }
  if (strcmp(st->cable[0], st->cable[1]) == 0)
    return fail(c, n, "cable joins '%s' to itself", st->cable[0]);
  st->has_cable = true;
  return 0;
}

static int frontends_value(struct pctx *c, yaml_node_t *n,
                           struct rc_scn_load *ld) {
  if (n->type == YAML_SCALAR_NODE &&
      strcmp((const char *)n->data.scalar.value, "all") == 0) {
    ld->all = true;
    return 0;
  }
  if (n->type != YAML_SEQUENCE_NODE)
    return fail(c, n, "frontends must be 'all' or a list of node names");
  size_t count =
      (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
  if (count == 0 || count > RC_SCN_MAX_LOAD_NODES)
    return fail(c, n, "frontends must list 1..%u nodes",
                RC_SCN_MAX_LOAD_NODES);
  ld->nodes = calloc(count, sizeof *ld->nodes);
  if (!ld->nodes)
    return RC_ENOMEM;
  ld->all = false;
  for (size_t i = 0; i < count; i++) {
    int rc = name_value(c, node_at(c, n->data.sequence.items.start[i]),
                        "frontends entry", ld->nodes[i]);
    ld->nnodes = i + 1;
    if (rc)
      return rc;
  }
  return 0;
}

struct step_arg {
  struct rc_scn_step *st;
  bool seen_node, seen_cable, seen_ber, seen_beh;
};

static int step_pair(struct pctx *c, const char *key, yaml_node_t *k,
                     yaml_node_t *v, void *arg) {
  struct step_arg *a = arg;
  struct rc_scn_step *st = a->st;
  if (strcmp(key, "at") == 0 || strcmp(key, "do") == 0)
    return 0;  /* read first by parse_step */
  if (!key_allowed(st->action, key))
    return fail(c, k, "key '%.64s' is not valid for '%s' (it takes: at, do, "
                "%s)", key, rc_scn_action_name(st->action),
                step_keys[st->action]);
  if (strcmp(key, "node") == 0) {
    a->seen_node = true;
    return name_value(c, v, "node", st->node);
  }
  if (strcmp(key, "cable") == 0) {
    a->seen_cable = true;
    return cable_value(c, v, st);
  }
  if (strcmp(key, "ber") == 0) {
    a->seen_ber = true;
    return ber_value(c, v, &st->ber);
  }
  if (strcmp(key, "behaviour") == 0) {
    const char *s = NULL;
    int rc = scalar(c, v, "behaviour", &s);
    if (rc)
      return rc;
    if (rc_scn_behaviour_parse(s, &st->behaviour) != 0)
      return fail(c, v, "unknown behaviour \"%.32s\" (replay, reorder, drop, "
                  "forge, out-of-turn, wrong-epoch, malformed, bad-csr, "
                  "forged-origin, flood)", s);
    a->seen_beh = true;
    return 0;
  }
  if (strcmp(key, "count") == 0) {
    uint64_t n;
    int rc = u64_value(c, v, "count", RC_SCN_MAX_COUNT, &n);
    if (rc == 0 && n == 0)
      return fail(c, v, "count must be at least 1");
    st->count = (uint32_t)n;
    return rc;
  }
  if (strcmp(key, "every") == 0) {
    int rc = duration_value(c, v, "every", &st->every_ms);
    if (rc == 0 && st->every_ms == 0)
      return fail(c, v, "every must be longer than 0");
    return rc;
  }
  if (strcmp(key, "rate") == 0)
    return rate_value(c, v, &st->load.rate_per_hour);
  if (strcmp(key, "frontends") == 0)
    return frontends_value(c, v, &st->load);
  /* profile: the only key left in step_keys */
  return name_value(c, v, "profile", st->load.profile);
}

static yaml_node_t *map_get(struct pctx *c, yaml_node_t *map, const char *key,
                            yaml_node_t **knode) {
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
       p < map->data.mapping.pairs.top; p++) {
    yaml_node_t *k = node_at(c, p->key);
    if (k && k->type == YAML_SCALAR_NODE &&
        strcmp((const char *)k->data.scalar.value, key) == 0) {
      if (knode)
        *knode = k;
      return node_at(c, p->value);
    }
  }
  return NULL;
}

/* Which behaviours a tap (no keys) can perform: frame-level ones only. */
static bool tap_can(enum rc_scn_behaviour b) {
  return b == RC_SCN_BEH_REPLAY || b == RC_SCN_BEH_REORDER ||
         b == RC_SCN_BEH_DROP || b == RC_SCN_BEH_FORGE ||
         b == RC_SCN_BEH_FLOOD;
}

static int parse_step(struct pctx *c, yaml_node_t *n, uint64_t duration_ms,
                      struct rc_scn_step *st) {
  memset(st, 0, sizeof *st);
  st->count = 1;
  st->every_ms = 1000;
  st->load.all = true;
  strcpy(st->load.profile, "server");
  if (n->type != YAML_MAPPING_NODE)
    return fail(c, n, "a step must be a mapping such as {at: 30s, do: cut, "
                "cable: [fe1, im1]}");
  st->pos = pos_of(n);
  yaml_node_t *at = map_get(c, n, "at", NULL), *dn = map_get(c, n, "do", NULL);
  if (!at)
    return fail(c, n, "step has no 'at' (when it happens)");
  if (!dn)
    return fail(c, n, "step has no 'do' (load, cut, restore, crash, restart, "
                "noise, compromise, tap)");
  int rc = duration_value(c, at, "at", &st->at_ms);
  if (rc)
    return rc;
  if (st->at_ms > duration_ms)
    return fail(c, at, "step at %llu ms is after the end of the scenario "
                "(duration %llu ms)", (unsigned long long)st->at_ms,
                (unsigned long long)duration_ms);
  const char *act = NULL;
  if ((rc = scalar(c, dn, "do", &act)) != 0)
    return rc;
  unsigned i;
  for (i = 0; i < RC_SCN__ACTION_COUNT; i++)
    if (strcmp(act, action_names[i]) == 0)
      break;
  if (i == RC_SCN__ACTION_COUNT)
    return fail(c, dn, "unknown action \"%.32s\" (load, cut, restore, crash, "
                "restart, noise, compromise, tap)", act);
  st->action = (enum rc_scn_action)i;
  struct step_arg a = {.st = st};
  if ((rc = each_pair(c, n, "a step", step_pair, &a)) != 0)
    return rc;
  switch (st->action) {
  case RC_SCN_CUT:
  case RC_SCN_RESTORE:
  case RC_SCN_NOISE:
  case RC_SCN_TAP:
    if (!a.seen_cable)
      return fail(c, n, "'%s' needs a cable: [a, b]", act);
    break;
  case RC_SCN_CRASH:
  case RC_SCN_RESTART:
  case RC_SCN_COMPROMISE:
    if (!a.seen_node)
      return fail(c, n, "'%s' needs a node", act);
    break;
  case RC_SCN_LOAD:
  case RC_SCN__ACTION_COUNT:
    break;
  }
  if (st->action == RC_SCN_NOISE && !a.seen_ber)
    return fail(c, n, "'noise' needs a ber (bit-error rate)");
  if ((st->action == RC_SCN_COMPROMISE || st->action == RC_SCN_TAP) &&
      !a.seen_beh)
    return fail(c, n, "'%s' needs a behaviour", act);
  if (st->action == RC_SCN_TAP && !tap_can(st->behaviour))
    return fail(c, n, "a tap holds no keys: behaviour '%s' needs a "
                "compromised node (tap can replay, reorder, drop, forge, "
                "flood)", rc_scn_behaviour_name(st->behaviour));
  if (st->action == RC_SCN_LOAD && strcmp(st->load.profile, "server") != 0 &&
      strcmp(st->load.profile, "client") != 0)
    return fail(c, n, "profile \"%s\" must be server or client",
                st->load.profile);
  return 0;
}

/* ---------------------------------------------------------------- expect */

static int trips_pair(struct pctx *c, const char *key, yaml_node_t *k,
                      yaml_node_t *v, void *arg) {
  struct rc_scn_expect *e = arg;
  if (e->ntrips == RC_SCN_MAX_EXPECT_TRIPS)
    return fail(c, k, "more than %u expected trips", RC_SCN_MAX_EXPECT_TRIPS);
  struct rc_scn_trip *t = &e->trips[e->ntrips];
  (void)key;
  int rc = name_value(c, k, "trip node", t->node);
  if (rc)
    return rc;
  const char *cause = NULL;
  if ((rc = scalar(c, v, "trip cause", &cause)) != 0)
    return rc;
  if (strlen(cause) == 0 || strlen(cause) >= sizeof t->cause)
    return fail(c, v, "trip cause must be 1..31 characters");
  strcpy(t->cause, cause);
  t->pos = pos_of(k);
  e->ntrips++;
  return 0;
}

static int expect_pair(struct pctx *c, const char *key, yaml_node_t *k,
                       yaml_node_t *v, void *arg) {
  struct rc_scn_expect *e = arg;
  if (strcmp(key, "trips") == 0) {
    e->has_trips = true;
    if (v->type == YAML_SCALAR_NODE &&
        strcmp((const char *)v->data.scalar.value, "none") == 0)
      return 0;
    return each_pair(c, v, "trips", trips_pair, e);
  }
  static const struct {
    const char *key;
    size_t off;
  } nums[] = {
      {"issued_min", offsetof(struct rc_scn_expect, issued_min)},
      {"issued_max", offsetof(struct rc_scn_expect, issued_max)},
      {"refused_min", offsetof(struct rc_scn_expect, refused_min)},
      {"refused_max", offsetof(struct rc_scn_expect, refused_max)},
      {"expired_max", offsetof(struct rc_scn_expect, expired_max)},
      {"retransmits_min", offsetof(struct rc_scn_expect, retransmits_min)},
      {"bypasses_min", offsetof(struct rc_scn_expect, bypasses_min)},
      {"links_down_min", offsetof(struct rc_scn_expect, links_down_min)},
  };
  for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
    if (strcmp(key, nums[i].key) == 0)
      return u64_value(c, v, key, UINT64_MAX - 1,
                       (uint64_t *)(void *)((char *)e + nums[i].off));
  return fail(c, k, "unknown expectation '%.64s' (trips, issued_min, "
              "issued_max, refused_min, refused_max, expired_max, "
              "retransmits_min, bypasses_min, links_down_min)", key);
}

/* --------------------------------------------------------------- top level */

static int cables_pair(struct pctx *c, const char *key, yaml_node_t *k,
                       yaml_node_t *v, void *arg) {
  struct rc_scenario *s = arg;
  if (strcmp(key, "latency") == 0)
    return duration_value(c, v, "latency", &s->latency_ms);
  if (strcmp(key, "ber") == 0)
    return ber_value(c, v, &s->ber);
  return fail(c, k, "unknown cable setting '%.64s' (latency, ber)", key);
}

static int top_pair(struct pctx *c, const char *key, yaml_node_t *k,
                    yaml_node_t *v, void *arg) {
  struct rc_scenario *s = arg;
  if (strcmp(key, "name") == 0)
    return name_value(c, v, "name", s->name);
  if (strcmp(key, "description") == 0) {
    const char *d = NULL;
    int rc = scalar(c, v, "description", &d);
    if (rc)
      return rc;
    if (strlen(d) >= sizeof s->description)
      return fail(c, v, "description is longer than %zu bytes",
                  sizeof s->description - 1);
    strcpy(s->description, d);
    return 0;
  }
  if (strcmp(key, "topology") == 0) {
    const char *t = NULL;
    int rc = scalar(c, v, "topology", &t);
    if (rc)
      return rc;
    if (strlen(t) == 0 || strlen(t) >= sizeof s->topology ||
        strchr(t, '\n') || strchr(t, '"'))
      return fail(c, v, "topology must be a path of 1..%zu characters",
                  sizeof s->topology - 1);
    strcpy(s->topology, t);
    return 0;
  }
  if (strcmp(key, "duration") == 0 || strcmp(key, "steps") == 0)
    return 0;  /* read first, in order, by parse_root */
  if (strcmp(key, "cables") == 0)
    return each_pair(c, v, "cables", cables_pair, s);
  if (strcmp(key, "expect") == 0)
    return each_pair(c, v, "expect", expect_pair, &s->expect);
  return fail(c, k, "unknown key '%.64s' (name, description, topology, "
              "duration, cables, steps, expect)", key);
}

struct order {
  uint64_t at;
  size_t idx;
};

static int order_cmp(const void *pa, const void *pb) {
  const struct order *a = pa, *b = pb;
  if (a->at != b->at)
    return a->at < b->at ? -1 : 1;
  return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Stable sort by time: steps at the same instant keep file order. */
static int sort_steps(struct rc_scenario *s) {
  if (s->nsteps < 2)
    return 0;
  struct order *o = calloc(s->nsteps, sizeof *o);
  struct rc_scn_step *tmp = calloc(s->nsteps, sizeof *tmp);
  if (!o || !tmp) {
    free(o);
    free(tmp);
    return RC_ENOMEM;
  }
  for (size_t i = 0; i < s->nsteps; i++)
    o[i] = (struct order){s->steps[i].at_ms, i};
  qsort(o, s->nsteps, sizeof *o, order_cmp);
  for (size_t i = 0; i < s->nsteps; i++)
    tmp[i] = s->steps[o[i].idx];
  memcpy(s->steps, tmp, s->nsteps * sizeof *tmp);
  free(o);
  free(tmp);
  return 0;
}

static int parse_root(struct pctx *c, struct rc_scenario *s) {
  yaml_node_t *root = yaml_document_get_root_node(&c->doc);
  if (!root)
    return fail(c, NULL, "empty scenario");
  if (root->type != YAML_MAPPING_NODE)
    return fail(c, root, "a scenario must be a mapping with duration and "
                "steps");
  yaml_node_t *dk = NULL, *dur = map_get(c, root, "duration", &dk);
  if (!dur)
    return fail(c, root, "scenario has no 'duration'");
  int rc = duration_value(c, dur, "duration", &s->duration_ms);
  if (rc)
    return rc;
  if (s->duration_ms == 0)
    return fail(c, dur, "duration must be longer than 0");
  if ((rc = each_pair(c, root, "the scenario", top_pair, s)) != 0)
    return rc;
  yaml_node_t *steps = map_get(c, root, "steps", NULL);
  if (!steps)
    return 0;
  if (steps->type != YAML_SEQUENCE_NODE)
    return fail(c, steps, "steps must be a list");
  size_t count =
      (size_t)(steps->data.sequence.items.top - steps->data.sequence.items.start);
  if (count > RC_SCN_MAX_STEPS) {
    fail(c, steps, "more than %u steps", RC_SCN_MAX_STEPS);
    return RC_ELIMIT;
  }
  if (count == 0)
    return 0;
  s->steps = calloc(count, sizeof *s->steps);
  if (!s->steps)
    return RC_ENOMEM;
  for (size_t i = 0; i < count; i++) {
    rc = parse_step(c, node_at(c, steps->data.sequence.items.start[i]),
                    s->duration_ms, &s->steps[i]);
    s->nsteps = i + 1;  /* so rc_scenario_free releases its load list */
    if (rc)
      return rc;
  }
  return sort_steps(s);
}

int rc_scenario_parse(const char *name, const uint8_t *buf, size_t len,
                      struct rc_scenario *out, char *err, size_t errlen) {
  struct pctx c = {.name = name, .err = err, .errlen = errlen};
  rc_scenario_init(out);
  if (errlen)
    err[0] = '\0';
  if (len > RC_SCN_FILE_MAX) {
    if (errlen)
      snprintf(err, errlen, "%s: larger than %u bytes", name, RC_SCN_FILE_MAX);
    return RC_ETOOBIG;
  }
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser))
    return RC_ENOMEM;
  yaml_parser_set_input_string(&parser, buf, len);
  int rc = 0;
  if (!yaml_parser_load(&parser, &c.doc)) {
    if (errlen)
      snprintf(err, errlen, "%s:%lu:%lu: %s", name,
               (unsigned long)parser.problem_mark.line + 1,
               (unsigned long)parser.problem_mark.column + 1,
               parser.problem ? parser.problem : "YAML syntax error");
    yaml_parser_delete(&parser);
    return RC_EMALFORMED;
  }
  rc = parse_root(&c, out);
  yaml_document_delete(&c.doc);
  yaml_parser_delete(&parser);
  if (rc) {
    rc_scenario_free(out);
    if (errlen && err[0] == '\0')
      snprintf(err, errlen, "%s: %s", name, rc_strerror(rc));
    return rc;
  }
  snprintf(out->source, sizeof out->source, "%s", name);
  if (out->name[0] == '\0')
    snprintf(out->name, sizeof out->name, "unnamed");
  return 0;
}

int rc_scenario_load(const char *path, struct rc_scenario *out, char *err,
                     size_t errlen) {
  uint8_t *buf;
  size_t len;
  int rc = rc_file_read(path, RC_SCN_FILE_MAX, &buf, &len);
  if (rc != 0) {
    rc_scenario_init(out);
    snprintf(err, errlen, "%s: %s", path,
             rc == -EFBIG ? "larger than 1 MiB" : strerror(-rc));
    return rc == -EFBIG ? RC_ETOOBIG : RC_EIO;
  }
  rc = rc_scenario_parse(path, buf, len, out, err, errlen);
  free(buf);
  return rc;
}

int rc_scenario_add_step(struct rc_scenario *s, struct rc_scn_step *step) {
  if (s->nsteps >= RC_SCN_MAX_STEPS)
    return RC_ELIMIT;
  struct rc_scn_step *n = realloc(s->steps, (s->nsteps + 1) * sizeof *n);
  if (!n)
    return RC_ENOMEM;
  s->steps = n;
  size_t at = s->nsteps;
  while (at > 0 && s->steps[at - 1].at_ms > step->at_ms)
    at--;
  memmove(&s->steps[at + 1], &s->steps[at], (s->nsteps - at) * sizeof *n);
  s->steps[at] = *step;
  s->nsteps++;
  step->load.nodes = NULL;
  step->load.nnodes = 0;
  return 0;
}
