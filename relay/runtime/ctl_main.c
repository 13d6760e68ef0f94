/* ringca-ctl: what an operator types to look at a node and to clear a trip.
 * Talks to ringca-node over its control socket; clear-trip works on the
 * state directory alone, because a tripped node is not running. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ringca/ctl.h"
#include "ringca/error.h"
#include "ringca/pb.h"
#include "trip_record.h"

#define EXIT_OK 0
#define EXIT_FAIL 1      /* node unreachable, refused, or an error */
#define EXIT_USAGE 2
#define EXIT_TRIPPED 3   /* status: the node has tripped (marker present) */
#define CALL_TIMEOUT_MS 5000

static void usage(FILE *f) {
  fprintf(f,
"usage: ringca-ctl (--state-dir DIR | --socket PATH) [--json] COMMAND\n"
"\n"
"commands:\n"
"  status             role, links, rings, queues and trip state\n"
"  links              links with their counters\n"
"  rings              rings with epoch, last seq and up/down\n"
"  clear-trip         show the trip marker, ask for the node's name as\n"
"                     confirmation, record who cleared it in the audit log\n"
"                     and remove the marker (--state-dir required;\n"
"                     --confirm NODE answers the question for scripts)\n"
"  inject FAULT       lab builds only: misbehave on purpose; FAULT is\n"
"                     token-out-of-turn [--ring NAME]\n"
"\n"
"example:\n"
"  ringca-ctl --state-dir /var/lib/ringca/im1 status\n"
"  sudo ringca-ctl --state-dir /var/lib/ringca/im1 clear-trip\n"
"\n"
"exit status: 0 ok; 1 node unreachable or request refused; 2 usage;\n"
"3 the node has tripped (status) or clearing was not confirmed\n");
}

struct opts {
  const char *state_dir, *socket, *confirm, *ring;
  bool json;
};

static void json_str(const char *s) {
  putchar('"');
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
    if (*p == '"' || *p == '\\')
      printf("\\%c", *p);
    else if (*p < 0x20 || *p == 0x7f)
      printf("\\u%04x", *p);
    else
      putchar(*p);
  }
  putchar('"');
}

static void print_trip_json(const struct rc_trip_record *r) {
  printf("{\"cause\":");
  json_str(r->cause);
  printf(",\"ring\":");
  json_str(r->ring);
  printf(",\"neighbour\":");
  json_str(r->neighbour);
  printf(",\"evidence\":");
  json_str(r->evidence);
  printf(",\"detail\":");
  json_str(r->detail);
  printf(",\"time\":");
  json_str(r->time);
  printf("}");
}

static void print_trip_human(const char *node, const struct rc_trip_record *r) {
  printf("node %s: TRIPPED at %s\n", node[0] ? node : "?",
         r->time[0] ? r->time : "?");
  printf("  cause     %s\n", r->cause);
  if (r->ring[0])
    printf("  ring      %s\n", r->ring);
  if (r->neighbour[0])
    printf("  from      %s\n", r->neighbour);
  if (r->evidence[0])
    printf("  evidence  %.64s\n", r->evidence);
  /* The detail is one sentence of any length: wrap it at word boundaries
   * so the report stays inside 80 columns. */
  const char *d = r->detail;
  const char *label = "  detail    ";
  while (*d) {
    size_t n = strlen(d);
    if (n > 66) {
      n = 66;
      while (n > 20 && d[n] != ' ')
        n--;
    }
    printf("%s%.*s\n", label, (int)n, d);
    label = "            ";
    d += n;
    while (*d == ' ')
      d++;
  }
}

static void fmt_uptime(uint64_t ms, char *out, size_t cap) {
  uint64_t s = ms / 1000u;
  if (s >= 86400u)
    snprintf(out, cap, "%" PRIu64 "d%02" PRIu64 "h", s / 86400u,
             s % 86400u / 3600u);
  else if (s >= 3600u)
    snprintf(out, cap, "%" PRIu64 "h%02" PRIu64 "m", s / 3600u,
             s % 3600u / 60u);
  else
    snprintf(out, cap, "%" PRIu64 "m%02" PRIu64 "s", s / 60u, s % 60u);
}

static void print_links(const Ringca__CtlStatus *st) {
  printf("%-12s %-8s %-4s %-4s %9s %9s %6s %6s %5s %3s\n", "PEER", "PORT",
         "LINK", "LINE", "FRAMES-IN", "FRAMES-OUT", "BAD", "RETX", "HS",
         "Q");
  for (size_t i = 0; i < st->n_links; i++) {
    const Ringca__CtlLinkStatus *l = st->links[i];
    printf("%-12.12s %-8.8s %-4s %-4s %9" PRIu64 " %9" PRIu64 " %6" PRIu64
           " %6" PRIu64 " %5" PRIu64 " %3" PRIu64 "\n",
           l->peer, l->port, l->up ? "up" : "DOWN",
           l->line_open ? "open" : "HUP", l->frames_in, l->frames_out,
           l->bad_frames, l->retransmits, l->handshakes, l->send_queue);
  }
}

static void print_rings(const Ringca__CtlStatus *st) {
  /* Epochs start at the master's wall-clock ms: 13 digits. */
  printf("%-14s %-4s %-6s %13s %9s %3s  %s\n", "RING", "UP", "ROLE", "EPOCH",
         "LAST-SEQ", "MBR", "TOKEN");
  for (size_t i = 0; i < st->n_rings; i++) {
    const Ringca__CtlRingStatus *r = st->rings[i];
    char token[40];
    if (r->holding)
      snprintf(token, sizeof token, "here");
    else if (r->expect_from[0])
      snprintf(token, sizeof token, "due from %.12s", r->expect_from);
    else
      snprintf(token, sizeof token, "-");
    printf("%-14.14s %-4s %-6s %13" PRIu64 " %9" PRIu64 " %3u  %s\n",
           r->ring, r->up ? "up" : "DOWN", r->master ? "master" : "member",
           r->epoch, r->last_seq, r->active_members, token);
  }
}

static void print_status_json(const Ringca__CtlStatus *st, const char *what) {
  bool all = !strcmp(what, "status");
  printf("{\"node\":");
  json_str(st->node);
  printf(",\"role\":");
  json_str(st->role);
  printf(",\"tripped\":%s,\"uptime_ms\":%" PRIu64 ",\"lab_build\":%s",
         st->tripped ? "true" : "false", st->uptime_ms,
         st->lab_build ? "true" : "false");
  if (all || !strcmp(what, "links")) {
    printf(",\"links\":[");
    for (size_t i = 0; i < st->n_links; i++) {
      const Ringca__CtlLinkStatus *l = st->links[i];
      printf("%s{\"peer\":", i ? "," : "");
      json_str(l->peer);
      printf(",\"port\":");
      json_str(l->port);
      printf(",\"device\":");
      json_str(l->device);
      printf(",\"up\":%s,\"line_open\":%s,\"frames_in\":%" PRIu64
             ",\"frames_out\":%" PRIu64 ",\"bad_frames\":%" PRIu64
             ",\"stale\":%" PRIu64 ",\"retransmits\":%" PRIu64
             ",\"handshakes\":%" PRIu64 ",\"send_queue\":%" PRIu64 "}",
             l->up ? "true" : "false", l->line_open ? "true" : "false",
             l->frames_in, l->frames_out, l->bad_frames, l->stale,
             l->retransmits, l->handshakes, l->send_queue);
    }
    printf("]");
  }
  if (all || !strcmp(what, "rings")) {
    printf(",\"rings\":[");
    for (size_t i = 0; i < st->n_rings; i++) {
      const Ringca__CtlRingStatus *r = st->rings[i];
      printf("%s{\"ring\":", i ? "," : "");
      json_str(r->ring);
      printf(",\"up\":%s,\"master\":%s,\"epoch\":%" PRIu64
             ",\"last_seq\":%" PRIu64 ",\"active_members\":%u"
             ",\"holding\":%s,\"expect_seq\":%" PRIu64 ",\"expect_from\":",
             r->up ? "true" : "false", r->master ? "true" : "false",
             r->epoch, r->last_seq, r->active_members,
             r->holding ? "true" : "false", r->expect_seq);
      json_str(r->expect_from);
      printf("}");
    }
    printf("]");
  }
  if (all)
    printf(",\"route_queue\":%" PRIu64 ",\"pending_requests\":%" PRIu64
           ",\"tokens_in\":%" PRIu64 ",\"tokens_out\":%" PRIu64
           ",\"envelopes_delivered\":%" PRIu64
           ",\"envelopes_relayed\":%" PRIu64 ",\"retries\":%" PRIu64
           ",\"duplicate_replies\":%" PRIu64,
           st->route_queue, st->pending_requests, st->tokens_in,
           st->tokens_out, st->envelopes_delivered, st->envelopes_relayed,
           st->retries, st->duplicate_replies);
  printf("}\n");
}

static void print_status_human(const Ringca__CtlStatus *st, const char *what) {
  char up[32];
  fmt_uptime(st->uptime_ms, up, sizeof up);
  bool all = !strcmp(what, "status");
  printf("node %s (%s), up %s%s%s\n", st->node, st->role, up,
         st->lab_build ? ", LAB BUILD" : "", st->tripped ? ", TRIPPED" : "");
  if (all || !strcmp(what, "links")) {
    if (all)
      printf("\n");
    print_links(st);
  }
  if (all || !strcmp(what, "rings")) {
    if (all)
      printf("\n");
    print_rings(st);
  }
  if (all)
    printf("\nqueues: %" PRIu64 " envelope(s) waiting for a ring, %" PRIu64
           " request(s) %s\ntraffic: tokens %" PRIu64 " in, %" PRIu64
           " out; envelopes %" PRIu64 " delivered, %" PRIu64
           " relayed\n         %" PRIu64 " request retries, %" PRIu64
           " duplicate replies dropped\ntrip: none\n",
           st->route_queue, st->pending_requests,
           !strcmp(st->role, "root") ? "at the signer" : "awaiting answers",
           st->tokens_in, st->tokens_out, st->envelopes_delivered,
           st->envelopes_relayed, st->retries, st->duplicate_replies);
}

/* The operator copies this line into a shell, so a long state directory
 * moves to a continuation line instead of being cut or overflowing the
 * 80-column layout of everything around it. */
static void print_clear_trip_command(const char *state_dir) {
  static const char one_line[] = "  ringca-ctl --state-dir  clear-trip";
  if (strlen(one_line) + strlen(state_dir) <= 80)
    printf("  ringca-ctl --state-dir %s clear-trip\n", state_dir);
  else
    printf("  ringca-ctl clear-trip --state-dir \\\n    %s\n", state_dir);
}

/* A node that is not listening may have tripped: the marker says so. */
static int report_unreachable(const struct opts *o, const char *err) {
  struct rc_trip_record r;
  if (o->state_dir && rc_trip_marker_read(o->state_dir, &r) == 0) {
    if (o->json) {
      printf("{\"node\":");
      json_str(r.node);
      printf(",\"tripped\":true,\"trip\":");
      print_trip_json(&r);
      printf("}\n");
    } else {
      print_trip_human(r.node, &r);
      const char *marker_sep =
          strlen("  marker    /" RC_TRIP_MARKER_NAME) + strlen(o->state_dir) <= 80
              ? "  marker    "
              : "  marker\n    ";
      printf("%s%s/%s\n\nThe node is stopped. After investigating, "
             "clear the trip with:\n",
             marker_sep, o->state_dir, RC_TRIP_MARKER_NAME);
      print_clear_trip_command(o->state_dir);
    }
    return EXIT_TRIPPED;
  }
  fprintf(stderr, "ringca-ctl: %s\n", err);
  return EXIT_FAIL;
}

static int call(const struct opts *o, Ringca__CtlRequest *req,
                Ringca__CtlResponse **resp) {
  char path[512], err[512];
  if (o->socket)
    snprintf(path, sizeof path, "%s", o->socket);
  else if (rc_ctl_socket_path(o->state_dir, path, sizeof path) != 0) {
    fprintf(stderr, "ringca-ctl: %s: path too long\n", o->state_dir);
    return EXIT_USAGE;
  }
  req->version = RC_CTL_VERSION;
  int rc = rc_ctl_call(path, req, resp, CALL_TIMEOUT_MS, err, sizeof err);
  if (rc)
    return report_unreachable(o, err);
  if ((*resp)->result_case == RINGCA__CTL_RESPONSE__RESULT_ERROR) {
    fprintf(stderr, "ringca-ctl: %s\n", (*resp)->error->message);
    rc_pb_free(&(*resp)->base);
    *resp = NULL;
    return EXIT_FAIL;
  }
  return EXIT_OK;
}

static int cmd_status(const struct opts *o, const char *what) {
  Ringca__CtlStatusQuery q = RINGCA__CTL_STATUS_QUERY__INIT;
  Ringca__CtlRequest req = RINGCA__CTL_REQUEST__INIT;
  req.op_case = RINGCA__CTL_REQUEST__OP_STATUS;
  req.status = &q;
  Ringca__CtlResponse *resp = NULL;
  int rc = call(o, &req, &resp);
  if (rc)
    return rc;
  if (resp->result_case != RINGCA__CTL_RESPONSE__RESULT_STATUS) {
    fprintf(stderr, "ringca-ctl: unexpected response to status\n");
    rc_pb_free(&resp->base);
    return EXIT_FAIL;
  }
  if (o->json)
    print_status_json(resp->status, what);
  else
    print_status_human(resp->status, what);
  rc = resp->status->tripped ? EXIT_TRIPPED : EXIT_OK;
  rc_pb_free(&resp->base);
  return rc;
}

static int cmd_inject(const struct opts *o, const char *fault) {
  Ringca__CtlInject inj = RINGCA__CTL_INJECT__INIT;
  if (strcmp(fault, "token-out-of-turn") != 0) {
    fprintf(stderr, "ringca-ctl: inject: unknown fault %s (known: "
            "token-out-of-turn)\n", fault);
    return EXIT_USAGE;
  }
  inj.fault = RINGCA__CTL_FAULT__CTL_FAULT_TOKEN_OUT_OF_TURN;
  inj.ring = (char *)(o->ring ? o->ring : "");
  Ringca__CtlRequest req = RINGCA__CTL_REQUEST__INIT;
  req.op_case = RINGCA__CTL_REQUEST__OP_INJECT;
  req.inject = &inj;
  Ringca__CtlResponse *resp = NULL;
  int rc = call(o, &req, &resp);
  if (rc)
    return rc;
  printf("injected %s\n", fault);
  rc_pb_free(&resp->base);
  return EXIT_OK;
}

static void who_cleared(char *out, size_t cap) {
  const char *sudo = getenv("SUDO_USER");
  const char *user = getenv("USER");
  struct passwd *pw = getpwuid(getuid());
  snprintf(out, cap, "%s%s%s (uid %ld)", sudo ? sudo : "",
           sudo ? " via sudo as " : "",
           pw ? pw->pw_name : user ? user : "?", (long)getuid());
}

static int cmd_clear_trip(const struct opts *o) {
  if (!o->state_dir) {
    fprintf(stderr, "ringca-ctl: clear-trip needs --state-dir (the marker "
            "lives there)\n");
    return EXIT_USAGE;
  }
  struct rc_trip_record r;
  int rc = rc_trip_marker_read(o->state_dir, &r);
  if (rc == RC_ENOTFOUND) {
    fprintf(stderr, "ringca-ctl: %s: no trip marker: nothing to clear\n",
            o->state_dir);
    return EXIT_FAIL;
  }
  if (rc && rc != RC_EMALFORMED) {
    fprintf(stderr, "ringca-ctl: %s/%s: %s\n", o->state_dir,
            RC_TRIP_MARKER_NAME, rc < 0 && rc > -4096 ? strerror(-rc)
                                                      : rc_strerror(rc));
    return EXIT_FAIL;
  }
  const char *node = r.node[0] ? r.node : "?";
  print_trip_human(node, &r);
  char answer[128] = "";
  if (o->confirm) {
    snprintf(answer, sizeof answer, "%s", o->confirm);
  } else {
    printf("\nClearing lets %s start again. Read the audit log and make "
           "sure the\ncause is understood. Type the node name (%s) to "
           "confirm: ", node, node);
    fflush(stdout);
    if (!fgets(answer, sizeof answer, stdin))
      answer[0] = '\0';
    answer[strcspn(answer, "\r\n")] = '\0';
  }
  if (strcmp(answer, node) != 0) {
    fprintf(stderr, "ringca-ctl: not confirmed (typed \"%s\", expected "
            "\"%s\"); the marker stays\n", answer, node);
    return EXIT_TRIPPED;
  }
  char who[256];
  who_cleared(who, sizeof who);
  const char *kv[20];
  char ms[24];
  size_t n = rc_trip_record_kv(&r, kv, 8, ms, sizeof ms);
  kv[2 * n] = "cleared_by";
  kv[2 * n + 1] = who;
  n++;
  rc = rc_node_audit_append(o->state_dir, "trip-cleared", kv, n);
  if (rc) {
    fprintf(stderr, "ringca-ctl: cannot write the audit log in %s: %s; the "
            "marker stays\n", o->state_dir, strerror(-rc));
    return EXIT_FAIL;
  }
  rc = rc_trip_marker_remove(o->state_dir);
  if (rc) {
    fprintf(stderr, "ringca-ctl: cannot remove the marker: %s\n",
            strerror(-rc));
    return EXIT_FAIL;
  }
  printf("trip cleared by %s; %s may be started again\n", who, node);
  return EXIT_OK;
}

int main(int argc, char **argv) {
  static const struct option longopts[] = {
      {"state-dir", required_argument, NULL, 'd'},
      {"socket", required_argument, NULL, 's'},
      {"json", no_argument, NULL, 'j'},
      {"confirm", required_argument, NULL, 'c'},
      {"ring", required_argument, NULL, 'r'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  struct opts o = {0};
  int c;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
    case 'd': o.state_dir = optarg; break;
    case 's': o.socket = optarg; break;
    case 'j': o.json = true; break;
    case 'c': o.confirm = optarg; break;
    case 'r': o.ring = optarg; break;
    case 'h': usage(stdout); return EXIT_OK;
    default: usage(stderr); return EXIT_USAGE;
    }
  }
  if (optind >= argc || (!o.state_dir && !o.socket)) {
    usage(stderr);
    return EXIT_USAGE;
  }
  const char *cmd = argv[optind];
  int extra = argc - optind - 1;
  if ((!strcmp(cmd, "status") || !strcmp(cmd, "links") ||
       !strcmp(cmd, "rings")) && extra == 0)
    return cmd_status(&o, cmd);
  if (!strcmp(cmd, "clear-trip") && extra == 0)
    return cmd_clear_trip(&o);
  if (!strcmp(cmd, "inject") && extra == 1)
    return cmd_inject(&o, argv[optind + 1]);
  fprintf(stderr, "ringca-ctl: unknown command or wrong arguments: %s\n",
          cmd);
  usage(stderr);
  return EXIT_USAGE;
}
