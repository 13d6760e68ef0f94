/* The profiles file: YAML parsed with libyaml's document API so every node
 * keeps its position, and each error names file:line:col. */
#include "ringca/policy.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "ringca/error.h"
#include "ringca/fileio.h"
#include "ringca/yamlscan.h"

#define PROFILES_FILE_MAX (64u * 1024u)

struct cfg {
  const char *file;
  yaml_document_t *doc;
  char *err;
  size_t errlen;
};

static int cfg_fail(struct cfg *c, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int cfg_fail(struct cfg *c, const yaml_node_t *n, const char *fmt,
                    ...) {
  int off = snprintf(c->err, c->errlen, "%s:%zu:%zu: ", c->file,
                     n ? n->start_mark.line + 1 : 1,
                     n ? n->start_mark.column + 1 : 1);
  if (off >= 0 && (size_t)off < c->errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + off, c->errlen - (size_t)off, fmt, ap);
    va_end(ap);
  }
  return RC_EMALFORMED;
}

static const char *scalar(const yaml_node_t *n) {
  return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value
                                          : NULL;
}

static int get_uint(struct cfg *c, const yaml_node_t *n, const char *key,
                    uint32_t lo, uint32_t hi, uint32_t *out) {
  const char *s = scalar(n);
  char *end;
  if (!s || !*s || *s == '-' || *s == '+')
    return cfg_fail(c, n, "%s: expected an integer", key);
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (errno || *end || v < lo || v > hi)
    return cfg_fail(c, n, "%s: %s is not an integer in %u..%u", key, s, lo,
                    hi);
  *out = (uint32_t)v;
  return 0;
}

static int get_bool(struct cfg *c, const yaml_node_t *n, const char *key,
                    bool *out) {
  const char *s = scalar(n);
  if (s && (!strcmp(s, "true") || !strcmp(s, "yes")))
    *out = true;
  else if (s && (!strcmp(s, "false") || !strcmp(s, "no")))
    *out = false;
  else
    return cfg_fail(c, n, "%s: expected true or false", key);
  return 0;
}

struct word {
  const char *name;
  uint32_t bit;
};

/* A YAML sequence of words from a closed vocabulary, as a bit mask. */
static int get_words(struct cfg *c, const yaml_node_t *n, const char *key,
                     const struct word *words, size_t nwords, uint32_t *out) {
  if (!n || n->type != YAML_SEQUENCE_NODE)
    return cfg_fail(c, n, "%s: expected a list", key);
  *out = 0;
  for (yaml_node_item_t *it = n->data.sequence.items.start;
       it < n->data.sequence.items.top; it++) {
    yaml_node_t *e = yaml_document_get_node(c->doc, *it);
    const char *s = scalar(e);
    size_t i = 0;
    while (s && i < nwords && strcmp(words[i].name, s) != 0)
      i++;
    if (!s || i == nwords) {
      char allowed[256] = "";
      for (size_t j = 0; j < nwords; j++)
        snprintf(allowed + strlen(allowed), sizeof allowed - strlen(allowed),
                 "%s%s", j ? ", " : "", words[j].name);
      return cfg_fail(c, e, "%s: unknown value \"%s\" (allowed: %s)", key,
                      s ? s : "(not a scalar)", allowed);
    }
    *out |= words[i].bit;
  }
  return 0;
}

static const struct word key_words[] = {{"rsa", RC_KEY_RSA},
                                        {"ec-p256", RC_KEY_EC_P256},
                                        {"ec-p384", RC_KEY_EC_P384},
                                        {"ed25519", RC_KEY_ED25519}};
static const struct word eku_words[] = {
    {"server_auth", RC_EKU_SERVER_AUTH},
    {"client_auth", RC_EKU_CLIENT_AUTH},
    {"email_protection", RC_EKU_EMAIL_PROTECTION}};
static const struct word san_words[] = {
    {"dns", RC_SAN_DNS}, {"email", RC_SAN_EMAIL}, {"ip", RC_SAN_IP}};
static const struct word subj_words[] = {
    {"CN", RC_SUBJ_CN}, {"O", RC_SUBJ_O},   {"OU", RC_SUBJ_OU},
    {"C", RC_SUBJ_C},   {"ST", RC_SUBJ_ST}, {"L", RC_SUBJ_L},
    {"emailAddress", RC_SUBJ_EMAIL}};
#define NWORDS(a) (sizeof(a) / sizeof((a)[0]))

static int get_domains(struct cfg *c, const yaml_node_t *n,
                       struct rc_profile *p) {
  if (!n || n->type != YAML_SEQUENCE_NODE)
    return cfg_fail(c, n, "domains: expected a list");
  p->nsuffixes = 0;
  for (yaml_node_item_t *it = n->data.sequence.items.start;
       it < n->data.sequence.items.top; it++) {
    yaml_node_t *e = yaml_document_get_node(c->doc, *it);
    const char *s = scalar(e);
    if (p->nsuffixes == RC_POLICY_MAX_SUFFIXES)
      return cfg_fail(c, e, "domains: more than %u entries",
                      RC_POLICY_MAX_SUFFIXES);
    if (!s || !*s || strlen(s) > RC_DNS_NAME_MAX || *s == '.')
      return cfg_fail(c, e, "domains: expected a domain name like example.org");
    strcpy(p->suffixes[p->nsuffixes++], s);
  }
  return 0;
}

enum { F_KEYS = 1, F_EKU = 2, F_SANS = 4, F_MAX = 8 };

static int profile_key(struct cfg *c, yaml_node_t *kn, const char *k,
                       yaml_node_t *v, struct rc_profile *p, unsigned *seen) {
  if (!strcmp(k, "key_types")) {
    *seen |= F_KEYS;
    return get_words(c, v, k, key_words, NWORDS(key_words), &p->key_kinds);
  }
  if (!strcmp(k, "eku")) {
    *seen |= F_EKU;
    return get_words(c, v, k, eku_words, NWORDS(eku_words), &p->eku);
  }
  if (!strcmp(k, "san_types")) {
    *seen |= F_SANS;
    return get_words(c, v, k, san_words, NWORDS(san_words), &p->san_kinds);
  }
  if (!strcmp(k, "max_days")) {
    *seen |= F_MAX;
    return get_uint(c, v, k, 1, 3650, &p->max_days);
  }
  if (!strcmp(k, "subject"))
    return get_words(c, v, k, subj_words, NWORDS(subj_words),
                     &p->subject_attrs);
  if (!strcmp(k, "rsa_min_bits"))
    return get_uint(c, v, k, 2048, 16384, &p->rsa_min_bits);
  if (!strcmp(k, "rsa_max_bits"))
    return get_uint(c, v, k, 2048, 16384, &p->rsa_max_bits);
  if (!strcmp(k, "default_days"))
    return get_uint(c, v, k, 1, 3650, &p->default_days);
  if (!strcmp(k, "require_san"))
    return get_bool(c, v, k, &p->require_san);
  if (!strcmp(k, "require_cn"))
    return get_bool(c, v, k, &p->require_cn);
  if (!strcmp(k, "allow_wildcard"))
    return get_bool(c, v, k, &p->allow_wildcard);
  if (!strcmp(k, "domains"))
    return get_domains(c, v, p);
  return cfg_fail(c, kn, "unknown profile setting \"%s\"", k);
}

static int parse_profile(struct cfg *c, const char *name, yaml_node_t *key,
                         yaml_node_t *n, struct rc_profile *p) {
  if (strlen(name) == 0 || strlen(name) > RC_NAME_MAX)
    return cfg_fail(c, key, "profile name must be 1..%u characters",
                    RC_NAME_MAX);
  if (!n || n->type != YAML_MAPPING_NODE)
    return cfg_fail(c, n, "profile %s: expected a mapping", name);
  memset(p, 0, sizeof *p);
  strcpy(p->name, name);
  p->rsa_min_bits = 2048;
  p->rsa_max_bits = 8192;
  p->subject_attrs = RC_SUBJ_CN | RC_SUBJ_O | RC_SUBJ_OU | RC_SUBJ_C |
                     RC_SUBJ_ST | RC_SUBJ_L;
  unsigned seen = 0;
  for (yaml_node_pair_t *pr = n->data.mapping.pairs.start;
       pr < n->data.mapping.pairs.top; pr++) {
    yaml_node_t *k = yaml_document_get_node(c->doc, pr->key);
    const char *ks = scalar(k);
    if (!ks)
      return cfg_fail(c, k, "profile %s: keys must be scalars", name);
    int rc = profile_key(c, k, ks, yaml_document_get_node(c->doc, pr->value),
                         p, &seen);
    if (rc)
      return rc;
  }
  static const char *const need[] = {"key_types", "eku", "san_types",
                                     "max_days"};
  for (unsigned i = 0; i < 4; i++)
    if (!(seen & (1u << i)))
      return cfg_fail(c, n, "profile %s: missing \"%s\"", name, need[i]);
  if (p->default_days == 0)
    p->default_days = p->max_days;
  if (p->default_days > p->max_days)
    return cfg_fail(c, n, "profile %s: default_days %u exceeds max_days %u",
                    name, p->default_days, p->max_days);
  if (p->rsa_min_bits > p->rsa_max_bits)
    return cfg_fail(c, n, "profile %s: rsa_min_bits exceeds rsa_max_bits",
                    name);
  if (!p->key_kinds || !p->eku || !p->san_kinds)
    return cfg_fail(c, n, "profile %s: key_types, eku and san_types must not "
                          "be empty", name);
  return 0;
}

static int parse_root(struct cfg *c, yaml_node_t *root, struct rc_policy *out) {
  if (!root || root->type != YAML_MAPPING_NODE)
    return cfg_fail(c, root, "expected a mapping with version and profiles");
  uint32_t version = 0;
  yaml_node_t *profiles = NULL;
  for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
       pr < root->data.mapping.pairs.top; pr++) {
    yaml_node_t *k = yaml_document_get_node(c->doc, pr->key);
    yaml_node_t *v = yaml_document_get_node(c->doc, pr->value);
    const char *ks = scalar(k);
    int rc = 0;
    if (ks && !strcmp(ks, "version"))
      rc = get_uint(c, v, "version", 1, 1, &version);
    else if (ks && !strcmp(ks, "profiles"))
      profiles = v;
    else
      rc = cfg_fail(c, k, "unknown top-level key \"%s\"", ks ? ks : "?");
    if (rc)
      return rc;
  }
  if (version != 1)
    return cfg_fail(c, root, "missing \"version: 1\"");
  if (!profiles || profiles->type != YAML_MAPPING_NODE)
    return cfg_fail(c, profiles ? profiles : root,
                    "\"profiles\" must be a mapping of profile names");
  out->nprofiles = 0;
  for (yaml_node_pair_t *pr = profiles->data.mapping.pairs.start;
       pr < profiles->data.mapping.pairs.top; pr++) {
    yaml_node_t *k = yaml_document_get_node(c->doc, pr->key);
    const char *ks = scalar(k);
    if (!ks)
      return cfg_fail(c, k, "profile names must be scalars");
    if (rc_policy_find(out, ks))
      return cfg_fail(c, k, "profile %s defined twice", ks);
    if (out->nprofiles == RC_POLICY_MAX_PROFILES)
      return cfg_fail(c, k, "more than %u profiles", RC_POLICY_MAX_PROFILES);
    int rc = parse_profile(c, ks, k, yaml_document_get_node(c->doc, pr->value),
                           &out->profiles[out->nprofiles]);
    if (rc)
      return rc;
    out->nprofiles++;
  }
  if (out->nprofiles == 0)
    return cfg_fail(c, profiles, "no profiles defined");
  return 0;
}

int rc_policy_parse(const char *name, const uint8_t *buf, size_t len,
                    struct rc_policy *out, char *err, size_t errlen) {
  struct cfg c = {name, NULL, err, errlen};
  if (len > PROFILES_FILE_MAX) {
    snprintf(err, errlen, "%s: larger than %u bytes", name, PROFILES_FILE_MAX);
    return RC_ETOOBIG;
  }
  yaml_parser_t parser;
  yaml_document_t doc;
  if (!yaml_parser_initialize(&parser))
    return RC_ENOMEM;
  yaml_parser_set_input_string(&parser, buf, len);
  int rc;
  memset(out, 0, sizeof *out);
  if (!yaml_parser_load(&parser, &doc)) {
    snprintf(err, errlen, "%s:%zu:%zu: %s", name,
             parser.problem_mark.line + 1, parser.problem_mark.column + 1,
             parser.problem ? parser.problem : "YAML syntax error");
    rc = RC_EMALFORMED;
  } else {
    c.doc = &doc;
    const yaml_node_t *nul = rc_yaml_first_nul(&doc);
    rc = nul ? cfg_fail(&c, nul, "a value holds a NUL byte")
             : parse_root(&c, yaml_document_get_root_node(&doc), out);
    yaml_document_delete(&doc);
  }
  yaml_parser_delete(&parser);
  return rc;
}

int rc_policy_load(const char *path, struct rc_policy *out, char *err,
                   size_t errlen) {
  uint8_t *buf;
  size_t len;
  int e = rc_file_read(path, PROFILES_FILE_MAX, &buf, &len);
  if (e) {
    snprintf(err, errlen, "%s: %s", path, strerror(-e));
    return e == -EFBIG ? RC_ETOOBIG : RC_EIO;
  }
  int rc = rc_policy_parse(path, buf, len, out, err, errlen);
  free(buf);
  return rc;
}

const struct rc_profile *rc_policy_find(const struct rc_policy *p,
                                        const char *name) {
  for (size_t i = 0; name && i < p->nprofiles; i++)
    if (!strcmp(p->profiles[i].name, name))
      return &p->profiles[i];
  return NULL;
}

void rc_policy_default(struct rc_policy *out) {
  memset(out, 0, sizeof *out);
  const uint32_t keys = RC_KEY_RSA | RC_KEY_EC_P256 | RC_KEY_EC_P384 |
                        RC_KEY_ED25519;
  const uint32_t subj = RC_SUBJ_CN | RC_SUBJ_O | RC_SUBJ_OU | RC_SUBJ_C |
                        RC_SUBJ_ST | RC_SUBJ_L;
  struct rc_profile *s = &out->profiles[0], *c = &out->profiles[1];
  *s = (struct rc_profile){.name = "server", .key_kinds = keys,
                           .rsa_min_bits = 2048, .rsa_max_bits = 8192,
                           .default_days = 90, .max_days = 397,
                           .eku = RC_EKU_SERVER_AUTH,
                           .san_kinds = RC_SAN_DNS | RC_SAN_IP,
                           .require_san = true, .allow_wildcard = false,
                           .subject_attrs = subj, .require_cn = false};
  *c = (struct rc_profile){.name = "client", .key_kinds = keys,
                           .rsa_min_bits = 2048, .rsa_max_bits = 8192,
                           .default_days = 365, .max_days = 825,
                           .eku = RC_EKU_CLIENT_AUTH | RC_EKU_EMAIL_PROTECTION,
                           .san_kinds = RC_SAN_EMAIL | RC_SAN_DNS,
                           .require_san = false, .allow_wildcard = false,
                           .subject_attrs = subj | RC_SUBJ_EMAIL,
                           .require_cn = true};
  out->nprofiles = 2;
}
