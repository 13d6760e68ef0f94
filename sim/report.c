/* Markdown and JSON reports; the SVG timeline is in report_svg.c. */
#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ringca/error.h"
#include "ringca/fileio.h"

static bool on_timeline(enum rc_rec_kind k) {
  /* per-request entries are counted in the tables, not listed */
  return k != RC_REC_ISSUED && k != RC_REC_ANSWER && k != RC_REC_EXPIRED;
}

static const char *nname(const struct rc_record *r, int i) {
  return i >= 0 && (size_t)i < r->topo->nnodes ? r->topo->nodes[i].name : "";
}

static void md_escape(FILE *f, const char *s) {
  for (; *s; s++) {
    if (*s == '|' || *s == '*' || *s == '_' || *s == '`' || *s == '<')
      fputc('\\', f);
    fputc(*s, f);
  }
}

static unsigned permille(uint64_t part, uint64_t whole) {
  return whole ? (unsigned)(part * 1000 / whole) : 1000;
}

void rc_report_markdown(const struct rc_record *r, FILE *f) {
  char t[32], cmd[1024];
  rc_record_replay_cmd(r, cmd, sizeof cmd);
  rc_record_fmt_time(r->end_ns, t, sizeof t);
  fprintf(f, "# ringca-sim report: %s\n\n", r->scenario);
  fprintf(f, "- topology: `%s`\n- scenario: `%s`\n- seed: %" PRIu64
             "\n- virtual time simulated: %s\n- replay: `%s`\n\n",
          r->topology_file, r->scenario_file, r->seed, t, cmd);
  bool ok = r->failures_total == 0 && r->nexpect_failures == 0;
  fprintf(f, "## Verdict: %s\n\n", ok ? "PASS" : "FAIL");
  fprintf(f, "- invariant failures: %" PRIu64 "\n", r->failures_total);
  fprintf(f, "- certificates issued for requests their origin did not sign: "
             "%" PRIu64 "\n", r->forged_issued);
  fprintf(f, "- unmet expectations: %zu\n\n", r->nexpect_failures);
  for (size_t i = 0; i < r->nfailures; i++) {
    rc_record_fmt_time(r->failures[i].t_ns, t, sizeof t);
    fprintf(f, "- **%s** at %s: ", r->failures[i].invariant, t);
    md_escape(f, r->failures[i].text);
    fputc('\n', f);
  }
  for (size_t i = 0; i < r->nexpect_failures; i++) {
    fputs("- expectation: ", f);
    md_escape(f, r->expect_failures[i]);
    fputc('\n', f);
  }
  fputs("\n## Trips\n\n| node | role | at | cause | detail |\n|---|---|---|"
        "---|---|\n", f);
  size_t ntrips = 0;
  for (size_t n = 0; n < r->topo->nnodes; n++) {
    const struct rc_rec_trip *tr = &r->trips[n];
    if (!tr->tripped)
      continue;
    ntrips++;
    rc_record_fmt_time(tr->t_ns, t, sizeof t);
    fprintf(f, "| %s%s | %s | %s | %s | ", r->topo->nodes[n].name,
            tr->compromised ? " (attacker's)" : "",
            rc_role_name(r->topo->nodes[n].role), t, tr->cause);
    md_escape(f, tr->detail);
    fputs(" |\n", f);
  }
  if (ntrips == 0)
    fputs("| (none) | | | | |\n", f);
  fputs("\n## Front-ends\n\nAvailability counts requests made while a fault "
        "was active that still got a certificate.\n\n"
        "| front-end | submitted | issued | refused | expired | "
        "availability during faults |\n|---|---|---|---|---|---|\n", f);
  for (size_t n = 0; n < r->topo->nnodes; n++) {
    if (r->topo->nodes[n].role != RC_ROLE_FRONTEND)
      continue;
    const struct rc_rec_frontend *fe = &r->fe[n];
    unsigned pm = permille(fe->issued_during_faults,
                           fe->submitted_during_faults);
    fprintf(f, "| %s | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64
               " | ", r->topo->nodes[n].name, fe->submitted, fe->issued,
            fe->refused, fe->expired);
    if (fe->submitted_during_faults)
      fprintf(f, "%u.%u%% of %" PRIu64 " |\n", pm / 10, pm % 10,
              fe->submitted_during_faults);
    else
      fputs("(no faults) |\n", f);
  }
  fprintf(f, "\n## Cables and rings\n\n- retransmissions: %" PRIu64
             "\n- frames lost to line noise: %" PRIu64
             "\n- link-down events: %" PRIu64 "\n- bypasses (failovers): %"
             PRIu64 "\n- rejoins: %" PRIu64 "\n- attacker injections: %" PRIu64
             " (%" PRIu64 " skipped: nothing to work from yet)\n",
          r->retransmits, r->bad_frames, r->links_down, r->bypasses,
          r->rejoins, r->injections, r->injections_skipped);
  fputs("\n## Timeline\n\n| time | event | node | what |\n|---|---|---|---|\n",
        f);
  for (size_t i = 0; i < r->nevents; i++) {
    const struct rc_rec_event *e = &r->events[i];
    if (!on_timeline(e->kind))
      continue;
    rc_record_fmt_time(e->t_ns, t, sizeof t);
    fprintf(f, "| %s | %s | %s | ", t, rc_rec_kind_name(e->kind),
            nname(r, e->node));
    md_escape(f, e->text);
    fputs(" |\n", f);
  }
  if (r->events_dropped)
    fprintf(f, "\n%" PRIu64 " further timeline entries were not kept.\n",
            r->events_dropped);
}

static void js(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      fprintf(f, "\\%c", c);
    else if (c < 0x20)
      fprintf(f, "\\u%04x", c);
    else
      fputc(c, f);
  }
  fputc('"', f);
}

void rc_report_json(const struct rc_record *r, FILE *f) {
  char cmd[1024];
  rc_record_replay_cmd(r, cmd, sizeof cmd);
  fputs("{\n  \"scenario\": ", f);
  js(f, r->scenario);
  fputs(",\n  \"topology_file\": ", f);
  js(f, r->topology_file);
  fputs(",\n  \"scenario_file\": ", f);
  js(f, r->scenario_file);
  fprintf(f, ",\n  \"seed\": %" PRIu64 ",\n  \"end_ns\": %" PRIu64
             ",\n  \"pass\": %s,\n  \"replay\": ",
          r->seed, r->end_ns,
          r->failures_total == 0 && r->nexpect_failures == 0 ? "true"
                                                             : "false");
  js(f, cmd);
  fprintf(f, ",\n  \"invariant_failures\": %" PRIu64
             ",\n  \"forged_issued\": %" PRIu64 ",\n  \"failures\": [",
          r->failures_total, r->forged_issued);
  for (size_t i = 0; i < r->nfailures; i++) {
    fprintf(f, "%s\n    {\"t_ns\": %" PRIu64 ", \"invariant\": ",
            i ? "," : "", r->failures[i].t_ns);
    js(f, r->failures[i].invariant);
    fputs(", \"text\": ", f);
    js(f, r->failures[i].text);
    fputc('}', f);
  }
  fputs("],\n  \"unmet_expectations\": [", f);
  for (size_t i = 0; i < r->nexpect_failures; i++) {
    fputs(i ? ", " : "", f);
    js(f, r->expect_failures[i]);
  }
  fputs("],\n  \"nodes\": [", f);
  for (size_t n = 0; n < r->topo->nnodes; n++) {
    const struct rc_rec_trip *tr = &r->trips[n];
    const struct rc_rec_frontend *fe = &r->fe[n];
    fprintf(f, "%s\n    {\"name\": ", n ? "," : "");
    js(f, r->topo->nodes[n].name);
    fprintf(f, ", \"role\": \"%s\", \"tripped\": %s",
            rc_role_name(r->topo->nodes[n].role),
            tr->tripped ? "true" : "false");
    if (tr->tripped) {
      fprintf(f, ", \"trip_ns\": %" PRIu64 ", \"compromised\": %s, "
                 "\"cause\": ", tr->t_ns, tr->compromised ? "true" : "false");
      js(f, tr->cause);
      fputs(", \"detail\": ", f);
      js(f, tr->detail);
    }
    if (r->topo->nodes[n].role == RC_ROLE_FRONTEND)
      fprintf(f, ", \"submitted\": %" PRIu64 ", \"issued\": %" PRIu64
                 ", \"refused\": %" PRIu64 ", \"expired\": %" PRIu64
                 ", \"submitted_during_faults\": %" PRIu64
                 ", \"issued_during_faults\": %" PRIu64,
              fe->submitted, fe->issued, fe->refused, fe->expired,
              fe->submitted_during_faults, fe->issued_during_faults);
    fputc('}', f);
  }
  fprintf(f, "],\n  \"retransmits\": %" PRIu64 ", \"bad_frames\": %" PRIu64
             ", \"links_down\": %" PRIu64 ", \"bypasses\": %" PRIu64
             ", \"rejoins\": %" PRIu64 ", \"injections\": %" PRIu64
             ", \"injections_skipped\": %" PRIu64 ",\n  \"timeline\": [",
          r->retransmits, r->bad_frames, r->links_down, r->bypasses,
          r->rejoins, r->injections, r->injections_skipped);
  bool first = true;
  for (size_t i = 0; i < r->nevents; i++) {
    const struct rc_rec_event *e = &r->events[i];
    if (!on_timeline(e->kind))
      continue;
    fprintf(f, "%s\n    {\"t_ns\": %" PRIu64 ", \"kind\": \"%s\", \"node\": ",
            first ? "" : ",", e->t_ns, rc_rec_kind_name(e->kind));
    first = false;
    js(f, nname(r, e->node));
    fputs(", \"text\": ", f);
    js(f, e->text);
    fputc('}', f);
  }
  fputs("]\n}\n", f);
}

int rc_report_write(const struct rc_record *r, const char *path, char *err,
                    size_t errlen) {
  size_t len = strlen(path);
  void (*fn)(const struct rc_record *, FILE *) = NULL;
  if (len > 3 && strcmp(path + len - 3, ".md") == 0)
    fn = rc_report_markdown;
  else if (len > 5 && strcmp(path + len - 5, ".json") == 0)
    fn = rc_report_json;
  else if (len > 4 && strcmp(path + len - 4, ".svg") == 0)
    fn = rc_report_svg;
  if (!fn) {
    snprintf(err, errlen, "%s: report name must end in .md, .json or .svg",
             path);
    return RC_EINVAL;
  }
  char *buf = NULL;
  size_t n = 0;
  FILE *f = open_memstream(&buf, &n);
  if (!f)
    return RC_ENOMEM;
  fn(r, f);
  if (fclose(f) != 0) {
    free(buf);
    return RC_ENOMEM;
  }
  int rc = rc_file_write_atomic(path, buf, n, 0644);
  free(buf);
  if (rc != 0) {
    snprintf(err, errlen, "%s: %s", path, strerror(-rc));
    return RC_EIO;
  }
  return 0;
}
