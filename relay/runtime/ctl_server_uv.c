/* The control socket: a Unix stream socket (0600) in the state directory.
 * One request at a time per connection; anything else from the client while
 * a request is in flight, an oversized length or a malformed message closes
 * the connection (the client is a local process, but still hostile). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node_runtime.h"
#include "ringca/ctl.h"
#include "ringca/error.h"
#include "ringca/log.h"
#include "ringca/pb.h"

#define CTL_BUF_CAP (RC_CTL_HEADER_LEN + RC_CTL_REQUEST_MAX)
#define CTL_BACKLOG 16

struct rc_ctl_client {
  struct rc_runtime *rt;
  uv_pipe_t pipe;
  uv_timer_t idle;
  int open_handles;
  uint8_t *buf;
  size_t len;
  bool busy;      /* a request is being answered (a submit can take long) */
  bool closing;
  struct rc_ctl_client *prev, *next;
};

struct write_req {
  uv_write_t req;
  uint8_t *data;
};

static void on_client_handle_closed(uv_handle_t *h) {
  struct rc_ctl_client *c = h->data;
  if (--c->open_handles == 0) {
    free(c->buf);
    free(c);
  }
}

static void client_close(struct rc_ctl_client *c) {
  if (c->closing)
    return;
  c->closing = true;
  struct rc_runtime *rt = c->rt;
  if (c->busy)
    rc_frontend_forget_client(rt, c);
  if (c->prev)
    c->prev->next = c->next;
  else
    rt->clients = c->next;
  if (c->next)
    c->next->prev = c->prev;
  rt->nclients--;
  uv_close((uv_handle_t *)&c->pipe, on_client_handle_closed);
  uv_close((uv_handle_t *)&c->idle, on_client_handle_closed);
}

static void on_idle(uv_timer_t *t) {
  struct rc_ctl_client *c = t->data;
  if (!c->busy) {
    rc_log_debug("ctl: closing an idle connection");
    client_close(c);
  }
}

static void on_write(uv_write_t *req, int status) {
  struct write_req *w = (struct write_req *)req;
  (void)status; /* a client that left before reading: nothing to do */
  free(w->data);
  free(w);
}

void rc_ctl_client_respond(struct rc_runtime *rt, struct rc_ctl_client *c,
                           const Ringca__CtlResponse *resp) {
  (void)rt;
  if (!c || c->closing)
    return;
  c->busy = false;
  uv_timer_start(&c->idle, on_idle, RC_CTL_IDLE_MS, 0);
  uint8_t *data;
  size_t len;
  int rc = rc_ctl_frame_pack(&resp->base, RC_CTL_RESPONSE_MAX, &data, &len);
  if (rc) {
    rc_log_warnx("ctl: cannot encode a response: %s", rc_strerror(rc));
    client_close(c);
    return;
  }
  struct write_req *w = malloc(sizeof *w);
  if (!w) {
    free(data);
    client_close(c);
    return;
  }
  w->data = data;
  uv_buf_t b = uv_buf_init((char *)data, (unsigned)len);
  if (uv_write(&w->req, (uv_stream_t *)&c->pipe, &b, 1, on_write) != 0) {
    free(data);
    free(w);
    client_close(c);
  }
}

void rc_ctl_client_error(struct rc_runtime *rt, struct rc_ctl_client *c,
                         const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  Ringca__CtlError e = RINGCA__CTL_ERROR__INIT;
  e.message = msg;
  Ringca__CtlResponse resp = RINGCA__CTL_RESPONSE__INIT;
  resp.version = RC_CTL_VERSION;
  resp.result_case = RINGCA__CTL_RESPONSE__RESULT_ERROR;
  resp.error = &e;
  rc_ctl_client_respond(rt, c, &resp);
}

struct status_scratch {
  Ringca__CtlLinkStatus link[RC_TOPO_MAX_PORTS];
  Ringca__CtlLinkStatus *linkp[RC_TOPO_MAX_PORTS];
  Ringca__CtlRingStatus ring[RC_TOPO_MAX_RINGS];
  Ringca__CtlRingStatus *ringp[RC_TOPO_MAX_RINGS];
  char expect[RC_TOPO_MAX_RINGS][RC_NAME_MAX + 1];
};

void rc_ctl_fill_status(struct rc_runtime *rt, Ringca__CtlStatus *st,
                        void *scratch) {
  struct status_scratch *s = scratch;
  st->node = (char *)rt->me->name;
  st->role = (char *)rc_role_name(rt->me->role);
  st->tripped = rc_node_tripped(rt->node);
  st->uptime_ms = (rc_runtime_now(rt) - rt->started_ns) / 1000000u;
  size_t nl = rc_node_link_count(rt->node);
  if (nl > RC_TOPO_MAX_PORTS)
    nl = RC_TOPO_MAX_PORTS;
  for (size_t i = 0; i < nl; i++) {
    struct rc_node_link_status ls;
    rc_node_link_status(rt->node, i, &ls);
    Ringca__CtlLinkStatus *l = &s->link[i];
    ringca__ctl_link_status__init(l);
    l->peer = (char *)"";
    for (size_t p = 0; p < rt->nports; p++) {
      if ((int)rt->ports[p].link != ls.link)
        continue;
      l->peer = (char *)rt->ports[p].peer;
      l->port = (char *)rt->ports[p].cfg->name;
      l->device = (char *)rt->ports[p].cfg->device;
      l->line_open = rt->ports[p].poll_open;
    }
    l->up = ls.up;
    l->frames_in = ls.stats.frames_in;
    l->frames_out = ls.stats.frames_out;
    l->bad_frames = ls.stats.bad_crc + ls.stats.bad_cobs + ls.stats.too_long;
    l->stale = ls.stats.stale;
    l->retransmits = ls.stats.retransmits;
    l->handshakes = ls.stats.handshakes;
    l->send_queue = ls.send_queue;
    s->linkp[i] = l;
  }
  st->links = s->linkp;
  st->n_links = nl;
  size_t nr = rc_node_ring_count(rt->node);
  if (nr > RC_TOPO_MAX_RINGS)
    nr = RC_TOPO_MAX_RINGS;
  for (size_t i = 0; i < nr; i++) {
    struct rc_node_ring_status rs;
    rc_node_ring_status(rt->node, i, &rs);
    Ringca__CtlRingStatus *r = &s->ring[i];
    ringca__ctl_ring_status__init(r);
    r->ring = rs.ring >= 0 && (size_t)rs.ring < rt->topo->nrings
                  ? (char *)rt->topo->rings[rs.ring].name
                  : (char *)"?";
    r->up = rs.up;
    r->master = rs.master;
    r->epoch = rs.epoch;
    r->last_seq = rs.last_seq;
    r->active_members = (uint32_t)rs.active_members;
    r->holding = rs.holding;
    if (rs.expecting) {
      /* rs lives on this stack frame; the name must outlive it. */
      snprintf(s->expect[i], sizeof s->expect[i], "%s", rs.expect_from);
      r->expect_from = s->expect[i];
      r->expect_seq = rs.expect_seq;
    } else {
      r->expect_from = (char *)"";
    }
    s->ringp[i] = r;
  }
  st->rings = s->ringp;
  st->n_rings = nr;
  st->route_queue = rc_node_route_queue_len(rt->node);
  st->pending_requests =
      rt->me->role == RC_ROLE_ROOT ? rc_spool_pending(rt) : rt->npending;
  struct rc_node_stats ns;
  rc_node_stats(rt->node, &ns);
  st->tokens_in = ns.tokens_in;
  st->tokens_out = ns.tokens_out;
  st->envelopes_delivered = ns.envelopes_delivered;
  st->envelopes_relayed = ns.envelopes_relayed;
  st->retries = ns.retries;
  st->duplicate_replies = ns.duplicate_replies;
#ifdef RINGCA_LAB
  st->lab_build = true;
#endif
}

static void handle_status(struct rc_runtime *rt, struct rc_ctl_client *c) {
  struct status_scratch *s = malloc(sizeof *s);
  if (!s) {
    client_close(c);
    return;
  }
  Ringca__CtlStatus st = RINGCA__CTL_STATUS__INIT;
  rc_ctl_fill_status(rt, &st, s);
  Ringca__CtlResponse resp = RINGCA__CTL_RESPONSE__INIT;
  resp.version = RC_CTL_VERSION;
  resp.result_case = RINGCA__CTL_RESPONSE__RESULT_STATUS;
  resp.status = &st;
  rc_ctl_client_respond(rt, c, &resp);
  free(s);
}

static void handle_inject(struct rc_runtime *rt, struct rc_ctl_client *c,
                          const Ringca__CtlInject *inj) {
#ifdef RINGCA_LAB
  rc_lab_inject(rt, c, inj);
#else
  (void)inj;
  rc_log_warnx("ctl: refused a fault-injection request: this is a "
               "production build");
  rc_ctl_client_error(rt, c,
                      "%s runs a production build of ringca-node: fault "
                      "injection is compiled out (only -DRINGCA_LAB=ON lab "
                      "builds have it)",
                      rt->me->name);
#endif
}

static void handle_request(struct rc_runtime *rt, struct rc_ctl_client *c,
                           const Ringca__CtlRequest *req) {
  c->busy = true;
  uv_timer_stop(&c->idle);
  switch (req->op_case) {
  case RINGCA__CTL_REQUEST__OP_STATUS:
    handle_status(rt, c);
    break;
  case RINGCA__CTL_REQUEST__OP_SUBMIT:
    if (rt->me->role != RC_ROLE_FRONTEND)
      rc_ctl_client_error(rt, c,
                          "%s is %s %s, not a front-end: submit requests "
                          "on a front-end node",
                          rt->me->name,
                          rt->me->role == RC_ROLE_INTERMEDIATE ? "an" : "the",
                          rc_role_name(rt->me->role));
    else
      rc_frontend_submit(rt, c, req->submit);
    break;
  case RINGCA__CTL_REQUEST__OP_INJECT:
    handle_inject(rt, c, req->inject);
    break;
  default:
    client_close(c);
  }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  (void)suggested;
  struct rc_ctl_client *c = h->data;
  if (!c->buf)
    c->buf = malloc(CTL_BUF_CAP);
  if (!c->buf || c->len >= CTL_BUF_CAP) {
    *buf = uv_buf_init(NULL, 0);
    return;
  }
  *buf = uv_buf_init((char *)c->buf + c->len, (unsigned)(CTL_BUF_CAP - c->len));
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  (void)buf;
  struct rc_ctl_client *c = s->data;
  struct rc_runtime *rt = c->rt;
  if (nread == 0)
    return;
  if (nread < 0) {
    client_close(c); /* EOF, error, or our buffer refused (UV_ENOBUFS) */
    return;
  }
  if (c->busy) {
    rc_log_warnx("ctl: client sent more while its request is in flight; "
                 "closing the connection");
    client_close(c);
    return;
  }
  c->len += (size_t)nread;
  size_t off = 0, len = 0;
  int rc = rc_ctl_frame_parse(c->buf, c->len, RC_CTL_REQUEST_MAX, &off, &len);
  if (rc == 0)
    return;
  if (rc < 0 || off + len != c->len) {
    rc_log_warnx("ctl: %s; closing the connection",
                 rc < 0 ? "request length refused" : "pipelined requests");
    client_close(c);
    return;
  }
  Ringca__CtlRequest *req = NULL;
  struct rc_wire_error werr = {0, NULL};
  rc = rc_ctl_decode_request(c->buf + off, len, &req, &werr);
  c->len = 0;
  if (rc) {
    rc_log_warnx("ctl: malformed request: %s (%s); closing the connection",
                 werr.field ? werr.field : "CtlRequest", rc_strerror(rc));
    client_close(c);
    return;
  }
  handle_request(rt, c, req);
  rc_pb_free(&req->base);
  rc_runtime_pump(rt);
}

static void on_connection(uv_stream_t *server, int status) {
  struct rc_runtime *rt = server->data;
  if (status < 0)
    return;
  struct rc_ctl_client *c = calloc(1, sizeof *c);
  if (!c)
    return;
  c->rt = rt;
  uv_pipe_init(&rt->loop, &c->pipe, 0);
  uv_timer_init(&rt->loop, &c->idle);
  c->pipe.data = c->idle.data = c;
  c->open_handles = 2;
  c->next = rt->clients;
  if (rt->clients)
    rt->clients->prev = c;
  rt->clients = c;
  rt->nclients++;
  if (uv_accept(server, (uv_stream_t *)&c->pipe) != 0 ||
      rt->nclients > RC_CTL_MAX_CLIENTS) {
    if (rt->nclients > RC_CTL_MAX_CLIENTS)
      rc_log_warnx("ctl: %u clients connected already; refusing another",
                   RC_CTL_MAX_CLIENTS);
    client_close(c);
    return;
  }
  uv_timer_start(&c->idle, on_idle, RC_CTL_IDLE_MS, 0);
  uv_read_start((uv_stream_t *)&c->pipe, on_alloc, on_read);
}

int rc_ctl_server_open(struct rc_runtime *rt, char *err, size_t errlen) {
  if (rc_ctl_socket_path(rt->state_dir, rt->ctl_path, sizeof rt->ctl_path)) {
    snprintf(err, errlen, "%s: state directory path too long for a socket",
             rt->state_dir);
    return RC_EINVAL;
  }
  struct stat st;
  if (lstat(rt->ctl_path, &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      snprintf(err, errlen, "%s exists and is not a socket; refusing to "
               "replace it", rt->ctl_path);
      return RC_EEXIST;
    }
    unlink(rt->ctl_path); /* left by a node that did not stop cleanly */
  }
  uv_pipe_init(&rt->loop, &rt->ctl_listen, 0);
  rt->ctl_listen.data = rt;
  rt->ctl_open = true;
  mode_t old = umask(0177);
  int rc = uv_pipe_bind(&rt->ctl_listen, rt->ctl_path);
  umask(old);
  if (rc == 0 && chmod(rt->ctl_path, 0600) != 0)
    rc = uv_translate_sys_error(errno);
  if (rc == 0)
    rc = uv_listen((uv_stream_t *)&rt->ctl_listen, CTL_BACKLOG,
                   on_connection);
  if (rc) {
    snprintf(err, errlen, "control socket %s: %s", rt->ctl_path,
             uv_strerror(rc));
    return RC_EIO;
  }
  return 0;
}

void rc_ctl_server_close(struct rc_runtime *rt) {
  while (rt->clients)
    client_close(rt->clients);
  if (rt->ctl_open) {
    rt->ctl_open = false;
    uv_close((uv_handle_t *)&rt->ctl_listen, NULL);
    unlink(rt->ctl_path);
  }
}
