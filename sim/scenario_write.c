/* Writes a scenario back as YAML. Sweep generates scenarios from a seed; a
 * failing one is printed this way so a reviewer can keep it, edit it and
 * replay it with `ringca-sim --scenario`. rc_scenario_parse reads the output
 * back to the same scenario (a test checks the round trip). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringca/error.h"
#include "scenario.h"

/* Durations in the largest unit that is exact, so files stay readable. */
static void put_duration(FILE *f, uint64_t ms) {
  if (ms != 0 && ms % 3600000 == 0)
    fprintf(f, "%lluh", (unsigned long long)(ms / 3600000));
  else if (ms != 0 && ms % 60000 == 0)
    fprintf(f, "%llum", (unsigned long long)(ms / 60000));
  else if (ms != 0 && ms % 1000 == 0)
    fprintf(f, "%llus", (unsigned long long)(ms / 1000));
  else
    fprintf(f, "%llums", (unsigned long long)ms);
}

static void put_quoted(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\')
      fprintf(f, "\\%c", ch);
    else if (ch < 0x20 || ch == 0x7f)
      fprintf(f, "\\x%02x", ch);
    else
      fputc(ch, f);
  }
  fputc('"', f);
}

static void put_step(FILE *f, const struct rc_scn_step *st) {
  fputs("  - {at: ", f);
  put_duration(f, st->at_ms);
  fprintf(f, ", do: %s", rc_scn_action_name(st->action));
  if (st->node[0])
    fprintf(f, ", node: %s", st->node);
  if (st->has_cable)
    fprintf(f, ", cable: [%s, %s]", st->cable[0], st->cable[1]);
  switch (st->action) {
  case RC_SCN_NOISE:
    fprintf(f, ", ber: %.17g", st->ber);
    break;
  case RC_SCN_COMPROMISE:
  case RC_SCN_TAP:
    fprintf(f, ", behaviour: %s, count: %u, every: ",
            rc_scn_behaviour_name(st->behaviour), st->count);
    put_duration(f, st->every_ms);
    break;
  case RC_SCN_LOAD:
    if (st->load.rate_per_hour % 60 == 0)
      fprintf(f, ", rate: %u", st->load.rate_per_hour / 60);
    else
      fprintf(f, ", rate: %u/h", st->load.rate_per_hour);
    fprintf(f, ", profile: %s, frontends: ", st->load.profile);
    if (st->load.all) {
      fputs("all", f);
    } else {
      fputc('[', f);
      for (size_t i = 0; i < st->load.nnodes; i++)
        fprintf(f, "%s%s", i ? ", " : "", st->load.nodes[i]);
      fputc(']', f);
    }
    break;
  default:
    break;
  }
  fputs("}\n", f);
}

static void put_expect(FILE *f, const struct rc_scn_expect *e) {
  if (!e->has_trips && e->issued_min == UINT64_MAX &&
      e->issued_max == UINT64_MAX && e->refused_min == UINT64_MAX &&
      e->refused_max == UINT64_MAX && e->expired_max == UINT64_MAX &&
      e->retransmits_min == UINT64_MAX && e->bypasses_min == UINT64_MAX &&
      e->links_down_min == UINT64_MAX)
    return;  /* "expect:" alone would be a null, not a mapping */
  fputs("expect:\n", f);
  if (e->has_trips) {
    if (e->ntrips == 0)
      fputs("  trips: none\n", f);
    else
      fputs("  trips:\n", f);
    for (size_t i = 0; i < e->ntrips; i++) {
      fprintf(f, "    %s: ", e->trips[i].node);
      put_quoted(f, e->trips[i].cause);
      fputc('\n', f);
    }
  }
  const struct {
    const char *key;
    uint64_t v;
  } nums[] = {
      {"issued_min", e->issued_min},   {"issued_max", e->issued_max},
      {"refused_min", e->refused_min}, {"refused_max", e->refused_max},
      {"expired_max", e->expired_max}, {"retransmits_min", e->retransmits_min},
      {"bypasses_min", e->bypasses_min},
      {"links_down_min", e->links_down_min},
  };
  for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
    if (nums[i].v != UINT64_MAX)
      fprintf(f, "  %s: %llu\n", nums[i].key, (unsigned long long)nums[i].v);
}

int rc_scenario_write_yaml(const struct rc_scenario *s, char **out,
                           size_t *len) {
  FILE *f = open_memstream(out, len);
  if (!f)
    return RC_ENOMEM;
  fprintf(f, "name: %s\n", s->name);
  if (s->description[0]) {
    fputs("description: ", f);
    put_quoted(f, s->description);
    fputc('\n', f);
  }
  if (s->topology[0]) {
    fputs("topology: ", f);
    put_quoted(f, s->topology);
    fputc('\n', f);
  }
  fputs("duration: ", f);
  put_duration(f, s->duration_ms);
  fputs("\ncables: {latency: ", f);
  put_duration(f, s->latency_ms);
  fprintf(f, ", ber: %.17g}\n", s->ber);
  if (s->nsteps) {
    fputs("steps:\n", f);
    for (size_t i = 0; i < s->nsteps; i++)
      put_step(f, &s->steps[i]);
  }
  put_expect(f, &s->expect);
  if (fclose(f) != 0) {
    free(*out);
    *out = NULL;
    return RC_ENOMEM;
  }
  return 0;
}
