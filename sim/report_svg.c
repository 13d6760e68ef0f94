/* The SVG timeline: one lane per node, time left to right. Scenario steps
 * are blue lines across every lane, trips red circles, links going down
 * orange ticks and coming up green ones, failovers (bypasses) purple
 * triangles; a strip at the bottom shows certificates issued per interval,
 * so a dip in availability lines up with the fault that caused it. Written
 * directly (no Graphviz/gnuplot at run time): the file is byte-identical
 * for the same run. */
#include <inttypes.h>
#include <string.h>

#include "report.h"

#define W 1100
#define LEFT 90
#define RIGHT 20
#define TOP 40
#define LANE 26
#define STRIP 60
#define BINS 100

static void xml(FILE *f, const char *s) {
  for (; *s; s++) {
    switch (*s) {
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '&': fputs("&amp;", f); break;
    case '"': fputs("&quot;", f); break;
    default:
      if ((unsigned char)*s >= 0x20)
        fputc(*s, f);
    }
  }
}

static unsigned xpos(const struct rc_record *r, uint64_t t) {
  uint64_t span = r->end_ns ? r->end_ns : 1;
  if (t > span)
    t = span;
  return LEFT + (unsigned)((t * (uint64_t)(W - LEFT - RIGHT)) / span);
}

static unsigned lane_y(int node) {
  return TOP + (unsigned)node * LANE + LANE / 2;
}

static void title(FILE *f, const struct rc_record *r,
                  const struct rc_rec_event *e) {
  char t[32];
  rc_record_fmt_time(e->t_ns, t, sizeof t);
  fprintf(f, "<title>%s %s ", t, rc_rec_kind_name(e->kind));
  if (e->node >= 0)
    xml(f, r->topo->nodes[e->node].name);
  fputs(": ", f);
  xml(f, e->text);
  fputs("</title>", f);
}

static void mark(FILE *f, const struct rc_record *r,
                 const struct rc_rec_event *e, unsigned lanes_h) {
  unsigned x = xpos(r, e->t_ns);
  switch (e->kind) {
  case RC_REC_STEP:
  case RC_REC_INJECT:
    fprintf(f, "<line x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\" stroke=\"%s\" "
               "stroke-dasharray=\"4 3\">", x, TOP, x, TOP + lanes_h,
            e->kind == RC_REC_STEP ? "#2563eb" : "#7c3aed");
    title(f, r, e);
    fputs("</line>\n", f);
    break;
  case RC_REC_TRIP:
    if (e->node < 0)
      break;
    fprintf(f, "<circle cx=\"%u\" cy=\"%u\" r=\"7\" fill=\"#dc2626\">", x,
            lane_y(e->node));
    title(f, r, e);
    fprintf(f, "</circle><text x=\"%u\" y=\"%u\" font-size=\"10\" "
               "fill=\"#dc2626\">", x + 9, lane_y(e->node) + 4);
    xml(f, e->text);
    fputs("</text>\n", f);
    break;
  case RC_REC_LINK_DOWN:
  case RC_REC_LINK_UP:
  case RC_REC_RING_DOWN:
    if (e->node < 0)
      break;
    fprintf(f, "<rect x=\"%u\" y=\"%u\" width=\"2\" height=\"12\" "
               "fill=\"%s\">", x, lane_y(e->node) - 6,
            e->kind == RC_REC_LINK_UP ? "#16a34a"
            : e->kind == RC_REC_LINK_DOWN ? "#ea580c" : "#92400e");
    title(f, r, e);
    fputs("</rect>\n", f);
    break;
  case RC_REC_BYPASS:
    if (e->node < 0)
      break;
    fprintf(f, "<polygon points=\"%u,%u %u,%u %u,%u\" fill=\"#9333ea\">", x,
            lane_y(e->node) - 6, x - 5, lane_y(e->node) + 5, x + 5,
            lane_y(e->node) + 5);
    title(f, r, e);
    fputs("</polygon>\n", f);
    break;
  case RC_REC_INVARIANT:
    fprintf(f, "<line x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\" stroke=\"#000\" "
               "stroke-width=\"3\">", x, TOP, x, TOP + lanes_h);
    title(f, r, e);
    fputs("</line>\n", f);
    break;
  default:
    break;
  }
}

void rc_report_svg(const struct rc_record *r, FILE *f) {
  size_t nn = r->topo->nnodes;
  unsigned lanes_h = (unsigned)nn * LANE;
  unsigned h = TOP + lanes_h + STRIP + 40;
  fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" "
             "height=\"%u\" font-family=\"sans-serif\">\n", W, h);
  fprintf(f, "<rect width=\"%u\" height=\"%u\" fill=\"#fff\"/>\n", W, h);
  fputs("<text x=\"10\" y=\"22\" font-size=\"14\">ringca-sim: ", f);
  xml(f, r->scenario);
  fprintf(f, ", seed %" PRIu64 " — %s</text>\n", r->seed,
          r->failures_total == 0 && r->nexpect_failures == 0 ? "PASS"
                                                             : "FAIL");
  for (size_t n = 0; n < nn; n++) {
    unsigned y = lane_y((int)n);
    fprintf(f, "<text x=\"8\" y=\"%u\" font-size=\"11\">", y + 4);
    xml(f, r->topo->nodes[n].name);
    fprintf(f, "</text><line x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\" "
               "stroke=\"%s\"/>\n", LEFT, y, W - RIGHT, y,
            r->trips[n].tripped ? "#fca5a5" : "#d1d5db");
  }
  for (size_t i = 0; i < r->nevents; i++)
    mark(f, r, &r->events[i], lanes_h);
  /* issued certificates per interval */
  uint64_t bins[BINS] = {0}, maxb = 1;
  uint64_t span = r->end_ns ? r->end_ns : 1;
  for (size_t i = 0; i < r->nevents; i++)
    if (r->events[i].kind == RC_REC_ISSUED) {
      uint64_t b = r->events[i].t_ns * BINS / (span + 1);
      bins[b < BINS ? b : BINS - 1]++;
    }
  for (int b = 0; b < BINS; b++)
    if (bins[b] > maxb)
      maxb = bins[b];
  unsigned base = TOP + lanes_h + STRIP + 5;
  fprintf(f, "<text x=\"8\" y=\"%u\" font-size=\"11\">issued</text>\n",
          base - STRIP / 2);
  unsigned bw = (W - LEFT - RIGHT) / BINS;
  for (int b = 0; b < BINS; b++) {
    unsigned bh = (unsigned)(bins[b] * (STRIP - 10) / maxb);
    if (bh)
      fprintf(f, "<rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\" "
                 "fill=\"#60a5fa\"/>\n", LEFT + (unsigned)b * bw, base - bh,
              bw > 1 ? bw - 1 : 1, bh);
  }
  char t[32];
  rc_record_fmt_time(r->end_ns, t, sizeof t);
  fprintf(f, "<text x=\"%u\" y=\"%u\" font-size=\"10\">0s</text>"
             "<text x=\"%u\" y=\"%u\" font-size=\"10\" text-anchor=\"end\">%s"
             "</text>\n", LEFT, base + 14, W - RIGHT, base + 14, t);
  fputs("</svg>\n", f);
}
