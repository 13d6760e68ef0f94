/* ringca-topo show FILE [--json]: the mesh as the relay core will see it. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "ringca/nodekeys.h"
#include "topo_cmd.h"

/* Every timeout once, so the JSON and the table cannot drift apart. */
static const struct {
  const char *key;
  size_t offset;
} timeout_fields[] = {
#define TIMEOUT_FIELD_(name) {#name, offsetof(struct rc_topo_timeouts, name)}
    TIMEOUT_FIELD_(heartbeat_ms),      TIMEOUT_FIELD_(dead_link_ms),
    TIMEOUT_FIELD_(retransmit_ms),     TIMEOUT_FIELD_(handshake_retry_ms),
    TIMEOUT_FIELD_(token_loss_ms),     TIMEOUT_FIELD_(ring_restart_ms),
    TIMEOUT_FIELD_(rotation_pause_ms), TIMEOUT_FIELD_(idle_pause_ms),
    TIMEOUT_FIELD_(isolation_ms),      TIMEOUT_FIELD_(request_deadline_ms),
#undef TIMEOUT_FIELD_
};
#define NTIMEOUTS (sizeof timeout_fields / sizeof timeout_fields[0])

static uint64_t timeout_ms(const struct rc_topology *t, size_t i) {
  uint64_t v;
  memcpy(&v, (const char *)&t->timeouts + timeout_fields[i].offset, sizeof v);
  return v;
}

static const char *kind_name(enum rc_port_kind k) {
  return k == RC_PORT_SERIAL ? "serial" : k == RC_PORT_PTY ? "pty" : "auto";
}

/* Names are restricted by the loader; paths are not, so escape them. */
static void json_str(const char *s) {
  putchar('"');
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      printf("\\%c", c);
    else if (c < 0x20 || c == 0x7f)
      printf("\\u%04x", c);
    else
      putchar(c);
  }
  putchar('"');
}

static void json_node(const struct rc_topo_node *n) {
  char lk[RC_KEY_B64_LEN + 1], ok[RC_KEY_B64_LEN + 1];
  rc_key_b64_encode(n->link_pub, lk);
  rc_key_b64_encode(n->origin_pub, ok);
  printf("    {\"name\": \"%s\", \"role\": \"%s\", \"link_key\": \"%s\", "
         "\"origin_key\": \"%s\",\n     \"key_file\": ",
         n->name, rc_role_name(n->role), lk, ok);
  json_str(n->key_file);
  printf(", \"state_dir\": ");
  json_str(n->state_dir);
  printf(", \"spool_dir\": ");
  json_str(n->spool_dir);
  printf(", \"user\": \"%s\",\n     \"ports\": [", n->user);
  for (size_t p = 0; p < n->nports; p++) {
    printf("%s{\"name\": \"%s\", \"device\": ", p ? ", " : "", n->ports[p].name);
    json_str(n->ports[p].device);
    printf(", \"baud\": %u, \"kind\": \"%s\"}", n->ports[p].baud,
           kind_name(n->ports[p].kind));
  }
  printf("]}");
}

static void show_json(const struct rc_topology *t) {
  printf("{\n  \"source\": ");
  json_str(t->source);
  printf(",\n  \"nodes\": [\n");
  for (size_t i = 0; i < t->nnodes; i++) {
    json_node(&t->nodes[i]);
    printf("%s\n", i + 1 < t->nnodes ? "," : "");
  }
  printf("  ],\n  \"links\": [\n");
  for (size_t i = 0; i < t->nlinks; i++) {
    const struct rc_topo_link *l = &t->links[i];
    printf("    {\"a\": \"%s:%s\", \"b\": \"%s:%s\", \"baud\": %u}%s\n",
           t->nodes[l->a_node].name, t->nodes[l->a_node].ports[l->a_port].name,
           t->nodes[l->b_node].name, t->nodes[l->b_node].ports[l->b_port].name,
           l->baud, i + 1 < t->nlinks ? "," : "");
  }
  printf("  ],\n  \"rings\": [\n");
  for (size_t i = 0; i < t->nrings; i++) {
    const struct rc_topo_ring *r = &t->rings[i];
    printf("    {\"name\": \"%s\", \"hub\": %s, \"rotation_ms\": %llu, \"order\": [",
           r->name, r->hub ? "true" : "false",
           (unsigned long long)rc_topology_rotation_ms(t, i));
    for (size_t k = 0; k < r->norder; k++)
      printf("%s\"%s\"", k ? ", " : "", t->nodes[r->order[k]].name);
    printf("]}%s\n", i + 1 < t->nrings ? "," : "");
  }
  printf("  ],\n  \"timeouts\": {");
  for (size_t i = 0; i < NTIMEOUTS; i++)
    printf("%s\"%s\": %llu", i ? ", " : "", timeout_fields[i].key,
           (unsigned long long)timeout_ms(t, i));
  printf("},\n");
  const struct rc_topo_limits *m = &t->limits;
  printf("  \"limits\": {\"frame_size\": %u, \"token_size\": %u, \"send_queue\": "
         "%u, \"route_queue\": %u, \"envelope_ttl\": %u},\n",
         m->frame_size, m->token_size, m->send_queue, m->route_queue,
         m->envelope_ttl);
  const struct rc_topo_policy *p = &t->policy;
  printf("  \"policy\": {\"on_violation\": {");
  for (int r = 0; r < RC_ROLE_COUNT; r++)
    printf("%s\"%s\": \"%s\"", r ? ", " : "", rc_role_name((enum rc_role)r),
           p->on_violation[r] == RC_ON_VIOLATION_TRIP ? "trip" : "log");
  printf("}, \"trip_command\": ");
  json_str(p->trip_command);
  printf(", \"noise_window\": %u, \"noise_max_bad\": %u, "
         "\"rehandshake_min_ms\": %llu}\n}\n",
         p->noise_window, p->noise_max_bad,
         (unsigned long long)p->rehandshake_min_ms);
}

static void show_table(const struct rc_topology *t) {
  printf("topology %s\n\nnodes:\n  %-16s %-13s %s\n", t->source, "NAME", "ROLE",
         "PORTS (name=device@baud/kind)");
  for (size_t i = 0; i < t->nnodes; i++) {
    const struct rc_topo_node *n = &t->nodes[i];
    printf("  %-16s %-13s", n->name, rc_role_name(n->role));
    for (size_t p = 0; p < n->nports; p++)
      printf(" %s=%s@%u/%s", n->ports[p].name, n->ports[p].device,
             n->ports[p].baud, kind_name(n->ports[p].kind));
    printf("\n");
  }
  printf("\nlinks:\n");
  for (size_t i = 0; i < t->nlinks; i++) {
    const struct rc_topo_link *l = &t->links[i];
    char a[2 * RC_NAME_MAX + 2], b[2 * RC_NAME_MAX + 2];
    snprintf(a, sizeof a, "%s:%s", t->nodes[l->a_node].name,
             t->nodes[l->a_node].ports[l->a_port].name);
    snprintf(b, sizeof b, "%s:%s", t->nodes[l->b_node].name,
             t->nodes[l->b_node].ports[l->b_port].name);
    printf("  %-20s -- %-20s %u baud\n", a, b, l->baud);
  }
  printf("\nrings:\n");
  for (size_t i = 0; i < t->nrings; i++) {
    const struct rc_topo_ring *r = &t->rings[i];
    printf("  %-16s %-4s master %-10s rotation %6llu ms:", r->name,
           r->hub ? "hub" : "loop", t->nodes[r->order[0]].name,
           (unsigned long long)rc_topology_rotation_ms(t, i));
    for (size_t k = 0; k < r->norder; k++)
      printf(" %s", t->nodes[r->order[k]].name);
    printf(" -> %s\n", t->nodes[r->order[0]].name);
  }
  printf("\ntimeouts (ms): ");
  for (size_t i = 0; i < NTIMEOUTS; i++) {
    const char *key = timeout_fields[i].key;
    printf("%s%.*s %llu", i ? ", " : "", (int)(strlen(key) - strlen("_ms")),
           key, (unsigned long long)timeout_ms(t, i));
  }
  printf("\n");
  printf("limits: frame_size %u, token_size %u, send_queue %u, route_queue %u, "
         "envelope_ttl %u\n",
         t->limits.frame_size, t->limits.token_size, t->limits.send_queue,
         t->limits.route_queue, t->limits.envelope_ttl);
  printf("policy: on_violation frontend=%s intermediate=%s root=%s, "
         "trip_command %s, noise %u bad in %u frames, rehandshake_min %llu ms\n",
         t->policy.on_violation[0] ? "log" : "trip",
         t->policy.on_violation[1] ? "log" : "trip",
         t->policy.on_violation[2] ? "log" : "trip",
         t->policy.trip_command[0] ? t->policy.trip_command : "(exit)",
         t->policy.noise_max_bad, t->policy.noise_window,
         (unsigned long long)t->policy.rehandshake_min_ms);
}

int topo_show_main(int argc, char **argv) {
  bool json = argc == 3 && !strcmp(argv[2], "--json");
  if (!(argc == 2 || json) || argv[1][0] == '-') {
    fputs("usage: ringca-topo show FILE [--json]\n", stderr);
    return TOPO_EXIT_USAGE;
  }
  struct rc_topology t;
  int rc = topo_load(argv[1], &t, NULL);
  if (rc == TOPO_EXIT_OK) {
    if (json)
      show_json(&t);
    else
      show_table(&t);
  }
  rc_topology_free(&t);
  return rc;
}
