/* The loader front end shared by the ringca-topo subcommands: problems are
 * collected, sorted by position (a compiler's order, whatever order the
 * checks found them in) and printed as FILE:LINE:COL: message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topo_cmd.h"

struct problem {
  struct rc_src_pos pos;
  size_t seq;
  char *msg;
};

struct printer {
  const char *path;
  struct problem *list;
  size_t n, cap;
  bool oom;
};

static void collect(void *ctx, struct rc_src_pos pos, const char *msg) {
  struct printer *p = ctx;
  if (p->n == p->cap) {
    size_t cap = p->cap ? 2 * p->cap : 32;
    struct problem *l = realloc(p->list, cap * sizeof *l);
    if (!l) {
      p->oom = true;
      return;
    }
    p->list = l;
    p->cap = cap;
  }
  char *copy = strdup(msg);
  if (!copy) {
    p->oom = true;
    return;
  }
  p->list[p->n] = (struct problem){pos, p->n, copy};
  p->n++;
}

static int by_position(const void *a, const void *b) {
  const struct problem *x = a, *y = b;
  if (x->pos.line != y->pos.line)
    return x->pos.line < y->pos.line ? -1 : 1;
  if (x->pos.col != y->pos.col)
    return x->pos.col < y->pos.col ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void flush(struct printer *p) {
  if (p->n) /* qsort(NULL, 0, ...) is undefined */
    qsort(p->list, p->n, sizeof *p->list, by_position);
  for (size_t i = 0; i < p->n; i++) {
    const struct problem *e = &p->list[i];
    if (e->pos.line)
      fprintf(stderr, "%s:%u:%u: %s\n", p->path, e->pos.line, e->pos.col, e->msg);
    else
      fprintf(stderr, "%s: %s\n", p->path, e->msg);
    free(e->msg);
  }
  if (p->oom)
    fprintf(stderr, "%s: out of memory while collecting errors\n", p->path);
  free(p->list);
}

int topo_load(const char *path, struct rc_topology *t, struct rc_topo_src *src) {
  struct printer p = {.path = path};
  size_t n = rc_topology_load(t, src, path, collect, &p);
  flush(&p);
  if (n == 0)
    return TOPO_EXIT_OK;
  /* An unreadable file is a usage problem, not a bad topology. */
  if (t->source[0] == 0)
    return TOPO_EXIT_USAGE;
  fprintf(stderr, "%s: %zu error%s\n", path, n, n == 1 ? "" : "s");
  return TOPO_EXIT_INVALID;
}

void topo_count_roles(const struct rc_topology *t, size_t counts[RC_ROLE_COUNT]) {
  for (int r = 0; r < RC_ROLE_COUNT; r++)
    counts[r] = 0;
  for (size_t i = 0; i < t->nnodes; i++)
    counts[t->nodes[i].role]++;
}
