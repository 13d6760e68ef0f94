/* The run record: append-only, bounded, deterministic. */
#include "record.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ringca/error.h"

static const char *const kind_names[] = {
#define RC_REC_KIND_STR_(n, s) s,
    RC_REC_KIND_MAP(RC_REC_KIND_STR_)
#undef RC_REC_KIND_STR_
};

const char *rc_rec_kind_name(enum rc_rec_kind k) {
  return (unsigned)k < RC_REC__KIND_COUNT ? kind_names[k] : "?";
}

int rc_record_init(struct rc_record *r, const struct rc_topology *topo) {
  memset(r, 0, sizeof *r);
  r->topo = topo;
  size_t n = topo->nnodes ? topo->nnodes : 1;
  r->fe = calloc(n, sizeof *r->fe);
  r->trips = calloc(n, sizeof *r->trips);
  if (!r->fe || !r->trips) {
    rc_record_free(r);
    return RC_ENOMEM;
  }
  return 0;
}

void rc_record_free(struct rc_record *r) {
  free(r->events);
  free(r->fe);
  free(r->trips);
  r->events = NULL;
  r->fe = NULL;
  r->trips = NULL;
}

static void vappend(struct rc_record *r, uint64_t t_ns, enum rc_rec_kind k,
                    int node, int link, int ring, const char *fmt,
                    va_list ap) __attribute__((format(printf, 7, 0)));
static void vappend(struct rc_record *r, uint64_t t_ns, enum rc_rec_kind k,
                    int node, int link, int ring, const char *fmt,
                    va_list ap) {
  if (r->nevents == r->cap_events) {
    if (r->cap_events >= RC_REC_MAX_EVENTS) {
      r->events_dropped++;
      return;
    }
    size_t cap = r->cap_events ? r->cap_events * 2 : 256;
    if (cap > RC_REC_MAX_EVENTS)
      cap = RC_REC_MAX_EVENTS;
    struct rc_rec_event *n = realloc(r->events, cap * sizeof *n);
    if (!n) {
      r->events_dropped++;
      return;
    }
    r->events = n;
    r->cap_events = cap;
  }
  struct rc_rec_event *e = &r->events[r->nevents++];
  e->t_ns = t_ns;
  e->kind = k;
  e->node = node;
  e->link = link;
  e->ring = ring;
  vsnprintf(e->text, sizeof e->text, fmt, ap);
}

void rc_record_event(struct rc_record *r, uint64_t t_ns, enum rc_rec_kind k,
                     int node, int link, int ring, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vappend(r, t_ns, k, node, link, ring, fmt, ap);
  va_end(ap);
}

void rc_record_failure(struct rc_record *r, uint64_t t_ns,
                       const char *invariant, const char *fmt, ...) {
  char text[RC_REC_TEXT];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  r->failures_total++;
  if (r->nfailures < RC_REC_MAX_FAILURES) {
    struct rc_rec_failure *f = &r->failures[r->nfailures++];
    f->t_ns = t_ns;
    snprintf(f->invariant, sizeof f->invariant, "%s", invariant);
    snprintf(f->text, sizeof f->text, "%s", text);
  }
  rc_record_event(r, t_ns, RC_REC_INVARIANT, -1, -1, -1, "%s: %s", invariant,
                  text);
}

void rc_record_fmt_time(uint64_t t_ns, char *out, size_t cap) {
  snprintf(out, cap, "%" PRIu64 ".%06" PRIu64 "s", t_ns / 1000000000u,
           (t_ns % 1000000000u) / 1000u);
}

void rc_record_replay_cmd(const struct rc_record *r, char *out, size_t cap) {
  const char *topo = r->topology_file[0] ? r->topology_file : "TOPOLOGY";
  if (strcmp(r->scenario_file, "--random") == 0)
    snprintf(out, cap, "ringca-sim --topology %s --random --seed %" PRIu64
             " --duration %" PRIu64 "ms", topo, r->seed,
             r->duration_ns / 1000000u);
  else
    snprintf(out, cap, "ringca-sim --topology %s --scenario %s --seed %" PRIu64,
             topo, r->scenario_file[0] ? r->scenario_file : "SCENARIO",
             r->seed);
}

static const char *node_name(const struct rc_record *r, int i) {
  return i >= 0 && (size_t)i < r->topo->nnodes ? r->topo->nodes[i].name : "-";
}

void rc_record_write_trace(const struct rc_record *r, FILE *f) {
  fprintf(f, "# ringca-sim trace: scenario %s, seed %" PRIu64 "\n",
          r->scenario, r->seed);
  for (size_t i = 0; i < r->nevents; i++) {
    const struct rc_rec_event *e = &r->events[i];
    char t[32];
    rc_record_fmt_time(e->t_ns, t, sizeof t);
    fprintf(f, "%s %-9s %-8s %s\n", t, rc_rec_kind_name(e->kind),
            node_name(r, e->node), e->text);
  }
  if (r->events_dropped)
    fprintf(f, "# %" PRIu64 " more entries not kept (limit %u)\n",
            r->events_dropped, RC_REC_MAX_EVENTS);
}
