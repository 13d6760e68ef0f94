#include "node_runtime.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <openssl/crypto.h>

#include "ringca/error.h"
#include "ringca/log.h"
#include "ringca/rng.h"
#include "trip_record.h"

#define READ_CHUNK 4096u
#define READS_PER_WAKEUP 16u  /* bytes from one busy port never starve others */
#define PUMP_ROUNDS_MAX 8u

uint64_t rc_runtime_now(const struct rc_runtime *rt) {
  (void)rt;
  return uv_hrtime();
}

uint64_t rc_runtime_unix_ms(void) {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return (uint64_t)tv.tv_sec * 1000u + (uint64_t)tv.tv_usec / 1000u;
}

static const char *ring_name(const struct rc_runtime *rt, int ring) {
  return ring >= 0 && (size_t)ring < rt->topo->nrings
             ? rt->topo->rings[ring].name
             : "-";
}

static struct rc_rt_port *port_of_link(struct rc_runtime *rt, int link) {
  for (size_t i = 0; i < rt->nports; i++)
    if ((int)rt->ports[i].link == link)
      return &rt->ports[i];
  return NULL;
}

/* ------------------------------------------------------------ port I/O */

static void on_poll(uv_poll_t *h, int status, int events);
static void on_reopen(uv_timer_t *t);

static void poll_update(struct rc_rt_port *p) {
  if (!p->poll_open || p->rt->stopping)
    return;
  int want = UV_READABLE | UV_DISCONNECT | (p->tx_len ? UV_WRITABLE : 0);
  if (want != p->events) {
    p->events = want;
    uv_poll_start(&p->poll, want, on_poll);
  }
}

static void on_poll_closed(uv_handle_t *h) {
  struct rc_rt_port *p = h->data;
  rc_port_close(&p->port);
  if (!p->rt->stopping)
    uv_timer_start(&p->reopen, on_reopen, RC_RT_REOPEN_MS, RC_RT_REOPEN_MS);
}

static void port_stop_polling(struct rc_rt_port *p) {
  if (!p->poll_open)
    return;
  p->poll_open = false;
  uv_poll_stop(&p->poll);
  uv_close((uv_handle_t *)&p->poll, on_poll_closed);
}

/* The device hung up (pty helper gone, USB adapter unplugged). The link
 * layer notices the silence by itself; we only keep trying to reopen. */
static void port_hangup(struct rc_rt_port *p, int err) {
  if (!p->poll_open)
    return;
  p->hangups++;
  rc_log_warnx("link %s %s (%s): device hung up (%s); reopening every %u ms",
               p->peer, p->cfg->name, p->port.device,
               err ? strerror(-err) : "disconnect", RC_RT_REOPEN_MS);
  p->tx_len = p->tx_off = 0;
  port_stop_polling(p);
}

static int port_start_polling(struct rc_rt_port *p) {
  int rc = uv_poll_init(&p->rt->loop, &p->poll, p->port.fd);
  if (rc)
    return rc;
  p->poll.data = p;
  p->poll_open = true;
  p->events = 0;
  poll_update(p);
  return 0;
}

static void on_reopen(uv_timer_t *t) {
  struct rc_rt_port *p = t->data;
  char err[256];
  uint32_t baud = p->cfg->baud;
  if (rc_port_open(&p->port, p->cfg->device, baud, p->cfg->kind, err,
                   sizeof err) != 0) {
    rc_log_debug("link %s %s: still unavailable: %s", p->peer, p->cfg->name,
                 err);
    return;
  }
  uv_timer_stop(t);
  if (port_start_polling(p) != 0) {
    rc_port_close(&p->port);
    uv_timer_start(&p->reopen, on_reopen, RC_RT_REOPEN_MS, RC_RT_REOPEN_MS);
    return;
  }
  rc_log_info("link %s %s (%s): device reopened", p->peer, p->cfg->name,
              p->port.device);
  rc_runtime_pump(p->rt);
}

/* Takes bytes from the core only when the previous chunk is on the wire:
 * the core's own queues are the back-pressure, not an unbounded buffer. */
static void port_flush(struct rc_rt_port *p, uint64_t now) {
  struct rc_runtime *rt = p->rt;
  if (!p->poll_open) {
    /* No device: like a UART with no cable, the bits go nowhere. */
    uint8_t sink[RC_RT_TX_CHUNK];
    for (unsigned i = 0; i < 64; i++)
      if (rc_node_pending_tx(rt->node, p->link, sink, sizeof sink, now) == 0)
        break;
    return;
  }
  for (;;) {
    if (p->tx_len == 0) {
      p->tx_off = 0;
      p->tx_len = rc_node_pending_tx(rt->node, p->link, p->tx, sizeof p->tx,
                                     now);
      if (p->tx_len == 0)
        break;
    }
    ssize_t n = rc_port_write(&p->port, p->tx + p->tx_off, p->tx_len);
    if (n < 0) {
      port_hangup(p, (int)n);
      return;
    }
    if (n == 0)
      break; /* kernel buffer full: UV_WRITABLE brings us back */
    p->tx_off += (size_t)n;
    p->tx_len -= (size_t)n;
  }
  poll_update(p);
}

static void on_poll(uv_poll_t *h, int status, int events) {
  struct rc_rt_port *p = h->data;
  struct rc_runtime *rt = p->rt;
  if (status < 0) {
    port_hangup(p, -EIO);
    rc_runtime_pump(rt);
    return;
  }
  if (events & UV_READABLE) {
    uint8_t buf[READ_CHUNK];
    for (unsigned i = 0; i < READS_PER_WAKEUP && p->poll_open; i++) {
      ssize_t n = rc_port_read(&p->port, buf, sizeof buf);
      if (n < 0) {
        port_hangup(p, (int)n);
        break;
      }
      if (n == 0)
        break;
      rc_node_recv(rt->node, p->link, buf, (size_t)n, rc_runtime_now(rt));
      if (rc_node_tripped(rt->node))
        break; /* the rest of the line is evidence nobody will judge */
    }
  } else if (events & UV_DISCONNECT) {
    port_hangup(p, -EIO);
  }
  if ((events & UV_WRITABLE) && p->poll_open && !rc_node_tripped(rt->node))
    port_flush(p, rc_runtime_now(rt));
  rc_runtime_pump(rt);
}

/* ---------------------------------------------------------------- events */

static void log_event(struct rc_runtime *rt, const struct rc_node_event *ev) {
  struct rc_rt_port *p;
  switch (ev->type) {
  case RC_NODE_EV_LINK_UP:
    p = port_of_link(rt, ev->link);
    rc_log_info("link %s %s: up", ev->neighbour[0] ? ev->neighbour
                                  : p ? p->peer : "?",
                p ? p->cfg->name : "?");
    break;
  case RC_NODE_EV_LINK_DOWN:
    p = port_of_link(rt, ev->link);
    rc_log_warnx("link %s %s: down (%s)",
                 ev->neighbour[0] ? ev->neighbour : p ? p->peer : "?",
                 p ? p->cfg->name : "?",
                 rc_link_down_reason_name(ev->down_reason));
    break;
  case RC_NODE_EV_RING_UP:
    rc_log_info("ring %s: up (epoch %" PRIu64 ")", ring_name(rt, ev->ring),
                ev->epoch);
    break;
  case RC_NODE_EV_RING_DOWN:
    rc_log_warnx("ring %s: down (token lost)", ring_name(rt, ev->ring));
    break;
  case RC_NODE_EV_BYPASS:
    rc_log_warnx("ring %s: bypassing %s", ring_name(rt, ev->ring),
                 ev->neighbour);
    break;
  case RC_NODE_EV_REJOIN:
    rc_log_info("ring %s: %s rejoined", ring_name(rt, ev->ring),
                ev->neighbour);
    break;
  default:
    break;
  }
}

static void trip_to_record(struct rc_runtime *rt, const struct rc_node_trip *t,
                           struct rc_trip_record *r);

/* Policy on_violation = log (the simulator's comparison mode, never the
 * default): the core dropped the offending message and runs on; the
 * operator still gets the audit record. */
static void record_violation(struct rc_runtime *rt,
                             const struct rc_node_trip *t) {
  struct rc_trip_record r;
  trip_to_record(rt, t, &r);
  rc_log_crit("VIOLATION (logged, on_violation = log): %s%s%s%s%s: %s",
              r.cause, r.ring[0] ? " on ring " : "", r.ring,
              r.neighbour[0] ? " from " : "", r.neighbour, r.detail);
  const char *kv[16];
  char ms[24];
  size_t n = rc_trip_record_kv(&r, kv, 8, ms, sizeof ms);
  int rc = rc_node_audit_append(rt->state_dir, "violation", kv, n);
  if (rc)
    rc_log_crit("cannot append to the audit log in %s: %s", rt->state_dir,
                strerror(-rc));
}

static void dispatch(struct rc_runtime *rt, const struct rc_node_event *ev) {
  switch (ev->type) {
  case RC_NODE_EV_DELIVER:
    if (ev->envelope->kind == RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REQUEST &&
        rt->me->role == RC_ROLE_ROOT)
      rc_spool_on_deliver(rt, ev);
    else if (rt->me->role == RC_ROLE_FRONTEND &&
             (ev->envelope->kind ==
                  RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REPLY ||
              ev->envelope->kind ==
                  RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REFUSAL))
      rc_frontend_on_event(rt, ev);
    else
      rc_log_warnx("envelope from %s of kind %d is not for a %s: dropped",
                   ev->envelope->origin, (int)ev->envelope->kind,
                   rc_role_name(rt->me->role));
    break;
  case RC_NODE_EV_EXPIRED:
    if (rt->me->role == RC_ROLE_FRONTEND)
      rc_frontend_on_event(rt, ev);
    break;
  case RC_NODE_EV_VIOLATION:
    record_violation(rt, &ev->trip);
    break;
  case RC_NODE_EV_TRIP:
    if (!rt->tripped) {
      rt->tripped = true;
      rt->trip = ev->trip;
    }
    break;
  default:
    log_event(rt, ev);
  }
}

/* ------------------------------------------------------------------ trip */

static void hex(const uint8_t *in, size_t n, char *out) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[in[i] >> 4];
    out[2 * i + 1] = digits[in[i] & 15];
  }
  out[2 * n] = '\0';
}

static void trip_to_record(struct rc_runtime *rt, const struct rc_node_trip *t,
                           struct rc_trip_record *r) {
  memset(r, 0, sizeof *r);
  snprintf(r->node, sizeof r->node, "%s", rt->me->name);
  snprintf(r->cause, sizeof r->cause, "%s", rc_trip_cause_name(t->cause));
  if (t->cause == RC_TRIP_LINK_VIOLATION) {
    size_t n = strlen(r->cause);
    snprintf(r->cause + n, sizeof r->cause - n, ":%s",
             rc_link_violation_name(t->link_violation));
  }
  snprintf(r->ring, sizeof r->ring, "%s",
           t->ring >= 0 ? ring_name(rt, t->ring) : "");
  snprintf(r->neighbour, sizeof r->neighbour, "%s", t->neighbour);
  static const uint8_t zero[32];
  if (memcmp(t->evidence, zero, sizeof zero) != 0)
    hex(t->evidence, sizeof t->evidence, r->evidence);
  snprintf(r->detail, sizeof r->detail, "%s", t->detail);
  r->unix_ms = rc_runtime_unix_ms();
  rc_time_iso8601(r->unix_ms, r->time, sizeof r->time);
}

static void record_trip(struct rc_runtime *rt) {
  struct rc_trip_record r;
  trip_to_record(rt, &rt->trip, &r);

  rc_log_crit("TRIP: %s%s%s%s%s: %s", r.cause, r.ring[0] ? " on ring " : "",
              r.ring, r.neighbour[0] ? " from " : "", r.neighbour, r.detail);
  int rc = rc_trip_marker_write(rt->state_dir, &r);
  if (rc)
    rc_log_crit("cannot write the trip marker in %s: %s", rt->state_dir,
                strerror(-rc));
  else
    rc_log_crit("trip marker %s/%s written; this node will not start until "
                "an operator runs ringca-ctl clear-trip",
                rt->state_dir, RC_TRIP_MARKER_NAME);
  const char *kv[16];
  char ms[24];
  size_t n = rc_trip_record_kv(&r, kv, 8, ms, sizeof ms);
  rc = rc_node_audit_append(rt->state_dir, "trip", kv, n);
  if (rc)
    rc_log_crit("cannot append to the audit log in %s: %s", rt->state_dir,
                strerror(-rc));
}

/* ------------------------------------------------------------------ pump */

static void on_core_timer(uv_timer_t *t) {
  struct rc_runtime *rt = t->data;
  rc_node_on_deadline(rt->node, rc_runtime_now(rt));
  rc_runtime_pump(rt);
}

void rc_runtime_pump(struct rc_runtime *rt) {
  if (rt->pumping || rt->stopping)
    return;
  rt->pumping = true;
  for (unsigned round = 0; round < PUMP_ROUNDS_MAX && !rt->tripped; round++) {
    struct rc_node_event ev;
    bool any = false;
    while (rc_node_next_event(rt->node, &ev)) {
      any = true;
      dispatch(rt, &ev);
    }
    if (rt->tripped)
      break;
    uint64_t now = rc_runtime_now(rt);
    for (size_t i = 0; i < rt->nports; i++)
      port_flush(&rt->ports[i], now);
    if (!any)
      break;
  }
  rt->pumping = false;
  if (rt->tripped) {
    record_trip(rt);
    rc_runtime_stop(rt, RC_NODE_EXIT_TRIPPED);
    return;
  }
  uint64_t deadline = rc_node_next_deadline(rt->node);
  if (deadline == UINT64_MAX) {
    uv_timer_stop(&rt->core_timer);
    return;
  }
  uint64_t now = rc_runtime_now(rt);
  uint64_t ms = deadline > now ? (deadline - now + 999999u) / 1000000u : 0;
  uv_timer_start(&rt->core_timer, on_core_timer, ms, 0);
}

/* --------------------------------------------------------------- signals */

static void on_signal(uv_signal_t *s, int signum) {
  struct rc_runtime *rt = s->data;
  if (signum == SIGHUP) {
    /* Decided, and documented in docs/operations.md: the topology and keys
     * are read once, before privileges are dropped, so there is nothing
     * this process could safely re-read; logs go to stderr (journald). */
    rc_log_info("SIGHUP: nothing to re-read (topology and keys are read "
                "once at start; restart the node to apply changes)");
    return;
  }
  rc_log_info("stopping on %s", signum == SIGTERM ? "SIGTERM" : "SIGINT");
  rc_runtime_stop(rt, RC_NODE_EXIT_OK);
}

void rc_runtime_stop(struct rc_runtime *rt, int exit_status) {
  if (rt->stopping)
    return;
  rt->stopping = true;
  rt->exit_status = exit_status;
  for (size_t i = 0; i < rt->nports; i++) {
    struct rc_rt_port *p = &rt->ports[i];
    port_stop_polling(p);
    uv_close((uv_handle_t *)&p->reopen, NULL);
  }
  uv_close((uv_handle_t *)&rt->core_timer, NULL);
  uv_close((uv_handle_t *)&rt->sig_term, NULL);
  uv_close((uv_handle_t *)&rt->sig_int, NULL);
  uv_close((uv_handle_t *)&rt->sig_hup, NULL);
  rc_ctl_server_close(rt);
  rc_spool_close(rt);
}

/* ------------------------------------------------------------- lifetime */

static int open_ports(struct rc_runtime *rt, char *err, size_t errlen) {
  const struct rc_topology *t = rt->topo;
  for (size_t l = 0; l < t->nlinks; l++) {
    const struct rc_topo_link *lk = &t->links[l];
    uint32_t port_idx, peer;
    if (lk->a_node == rt->self) {
      port_idx = lk->a_port;
      peer = lk->b_node;
    } else if (lk->b_node == rt->self) {
      port_idx = lk->b_port;
      peer = lk->a_node;
    } else {
      continue;
    }
    struct rc_rt_port *p = &rt->ports[rt->nports];
    memset(p, 0, sizeof *p);
    p->rt = rt;
    p->link = (uint32_t)l;
    p->cfg = &rt->me->ports[port_idx];
    p->peer = t->nodes[peer].name;
    p->port.fd = -1;
    char perr[256];
    int rc = rc_port_open(&p->port, p->cfg->device, p->cfg->baud,
                          p->cfg->kind, perr, sizeof perr);
    if (rc) {
      snprintf(err, errlen, "port %s (cable to %s): %s", p->cfg->name,
               p->peer, perr);
      return rc;
    }
    rt->nports++;
    uv_timer_init(&rt->loop, &p->reopen);
    p->reopen.data = p;
    rc_log_info("link %s: port %s on %s (%s, %u baud)", p->peer, p->cfg->name,
                p->port.device, rc_port_kind_name(p->port.kind),
                p->cfg->baud);
  }
  return 0;
}

int rc_runtime_init(struct rc_runtime *rt, struct rc_runtime_config *cfg,
                    char *err, size_t errlen) {
  memset(rt, 0, sizeof *rt);
  rt->topo = cfg->topo;
  rt->self = cfg->self;
  rt->me = &cfg->topo->nodes[cfg->self];
  rt->policy = cfg->policy;
  if (strlen(cfg->state_dir) >= sizeof rt->state_dir) {
    snprintf(err, errlen, "state directory path too long");
    return RC_EINVAL;
  }
  snprintf(rt->state_dir, sizeof rt->state_dir, "%s", cfg->state_dir);

  struct rc_node_config nc;
  memset(&nc, 0, sizeof nc);
  nc.topo = cfg->topo;
  nc.self = cfg->self;
  memcpy(nc.link_priv, cfg->link_priv, sizeof nc.link_priv);
  memcpy(nc.origin_priv, cfg->origin_priv, sizeof nc.origin_priv);
  nc.rng = rc_rng_system;
  /* A restarted master must start its rings above every epoch its members
   * saw from it before (they trip on a lower or repeated epoch with a new
   * order). Wall-clock milliseconds only grow across restarts; a clock
   * stepped backwards by more than the downtime would trip the members,
   * which is the fail-closed direction. */
  nc.epoch_base = rc_runtime_unix_ms();
  int rc = rc_node_new(&nc, &rt->node, err, errlen);
  OPENSSL_cleanse(&nc, sizeof nc);
  OPENSSL_cleanse(cfg->link_priv, sizeof cfg->link_priv);
  OPENSSL_cleanse(cfg->origin_priv, sizeof cfg->origin_priv);
  if (rc)
    return rc;

  uv_loop_init(&rt->loop);
  rt->loop_ready = true;
  uv_timer_init(&rt->loop, &rt->core_timer);
  rt->core_timer.data = rt;
  uv_signal_init(&rt->loop, &rt->sig_term);
  uv_signal_init(&rt->loop, &rt->sig_int);
  uv_signal_init(&rt->loop, &rt->sig_hup);
  rt->sig_term.data = rt->sig_int.data = rt->sig_hup.data = rt;

  if ((rc = open_ports(rt, err, errlen)) != 0 ||
      (rc = rc_ctl_server_open(rt, err, errlen)) != 0)
    return rc;
  if (rt->me->role == RC_ROLE_ROOT) {
    const char *spool = cfg->spool_dir ? cfg->spool_dir : rt->me->spool_dir;
    if ((rc = rc_spool_open(rt, spool, err, errlen)) != 0)
      return rc;
  }
  return 0;
}

int rc_runtime_run(struct rc_runtime *rt) {
  uv_signal_start(&rt->sig_term, on_signal, SIGTERM);
  uv_signal_start(&rt->sig_int, on_signal, SIGINT);
  uv_signal_start(&rt->sig_hup, on_signal, SIGHUP);
  rt->started_ns = rc_runtime_now(rt);
  for (size_t i = 0; i < rt->nports; i++)
    if (port_start_polling(&rt->ports[i]) != 0)
      rc_fatalx("link %s: cannot poll %s", rt->ports[i].peer,
                rt->ports[i].port.device);
  rc_node_start(rt->node, rt->started_ns);
  rc_log_info("%s %s: running with %zu link(s)", rc_role_name(rt->me->role),
              rt->me->name, rt->nports);
  rc_runtime_pump(rt);
  uv_run(&rt->loop, UV_RUN_DEFAULT);
  return rt->exit_status;
}

static void close_walk(uv_handle_t *h, void *arg) {
  (void)arg;
  if (!uv_is_closing(h))
    uv_close(h, NULL);
}

void rc_runtime_close(struct rc_runtime *rt) {
  /* After a failed init some handles exist and nothing ran: close them so
   * the loop can be closed without leaking. */
  if (!rt->stopping) {
    rt->stopping = true;
    rc_ctl_server_close(rt);
    rc_spool_close(rt);
  }
  if (rt->loop_ready) {
    uv_walk(&rt->loop, close_walk, NULL);
    uv_run(&rt->loop, UV_RUN_DEFAULT);
  }
  for (size_t i = 0; i < rt->nports; i++)
    rc_port_close(&rt->ports[i].port);
  if (rt->loop_ready)
    uv_loop_close(&rt->loop);
  rt->loop_ready = false;
  free(rt->pending);
  rt->pending = NULL;
  rc_node_free(rt->node);
  rt->node = NULL;
}
