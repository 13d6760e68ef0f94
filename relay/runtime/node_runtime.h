/* ringca-node's runtime: the libuv loop that drives one rc_node (node.h).
 *
 * The core is sans-I/O; everything here is the I/O around it, one file per
 * responsibility:
 *   node_uv.c        loop: ports, the core's timer, events, signals, trip
 *   ctl_server_uv.c  the control socket (ringca-ctl, ringca-submit)
 *   frontend_uv.c    front-end role: submit -> CERT_REQUEST -> reply
 *   spool_uv.c       root role: CERT_REQUEST -> signer spool -> reply
 *   privdrop.c       dropping to the configured user
 * After every call into the core the loop drains its events, writes what it
 * has to send on every port, and re-arms the one timer from
 * rc_node_next_deadline(). Time is uv_hrtime() (monotonic, ns). */
#ifndef RINGCA_RUNTIME_NODE_RUNTIME_H
#define RINGCA_RUNTIME_NODE_RUNTIME_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <uv.h>

#include "port.h"
#include "ringca/node.h"
#include "ringca/topology.h"

/* Exit statuses of ringca-node (docs/operations.md). */
#define RC_NODE_EXIT_OK 0        /* stopped by SIGTERM/SIGINT */
#define RC_NODE_EXIT_ERROR 1     /* could not start or a runtime failure */
#define RC_NODE_EXIT_USAGE 2     /* bad command line or configuration */
#define RC_NODE_EXIT_TRIPPED 3   /* tripped: marker written, see audit log */
#define RC_NODE_EXIT_MARKER 4    /* refused to start: a trip marker exists */

#define RC_RT_TX_CHUNK 4096u        /* bytes taken from the core per write */
#define RC_RT_REOPEN_MS 500u        /* retry a hung-up device this often */
#define RC_CTL_MAX_CLIENTS 64u
#define RC_CTL_IDLE_MS 30000u       /* a silent, idle client is dropped */
#define RC_FE_MAX_PENDING 1024u     /* front-end: clients waiting on replies */

struct rc_runtime;

struct rc_rt_port {
  struct rc_runtime *rt;
  uint32_t link;                     /* topo link index */
  const struct rc_topo_port *cfg;    /* this node's end */
  const char *peer;
  struct rc_port port;
  uv_poll_t poll;
  bool poll_open;                    /* poll handle initialised, not closed */
  int events;
  uv_timer_t reopen;
  uint8_t tx[RC_RT_TX_CHUNK];
  size_t tx_off, tx_len;
  uint64_t hangups;
};

struct rc_ctl_client;
struct rc_fe_pending;
struct rc_spool_role;

struct rc_policy;

struct rc_runtime_config {
  const struct rc_topology *topo;
  const struct rc_policy *policy;    /* front-end intake (signer profiles) */
  uint32_t self;
  const char *state_dir;
  const char *spool_dir;             /* root only; NULL = node's spool_dir */
  uint8_t link_priv[32];             /* wiped by rc_runtime_init */
  uint8_t origin_priv[32];
};

struct rc_runtime {
  uv_loop_t loop;
  bool loop_ready;
  const struct rc_topology *topo;
  uint32_t self;
  const struct rc_topo_node *me;
  struct rc_node *node;
  char state_dir[RC_PATH_MAX];
  uint64_t started_ns;

  struct rc_rt_port ports[RC_TOPO_MAX_PORTS];
  size_t nports;
  uv_timer_t core_timer;
  uv_signal_t sig_term, sig_int, sig_hup;
  bool pumping;

  /* control socket */
  uv_pipe_t ctl_listen;
  bool ctl_open;
  char ctl_path[RC_PATH_MAX];
  struct rc_ctl_client *clients;     /* doubly linked */
  size_t nclients;

  /* front-end role */
  const struct rc_policy *policy;
  struct rc_fe_pending *pending;     /* RC_FE_MAX_PENDING slots */
  size_t npending;

  /* root role */
  struct rc_spool_role *spool;

  bool stopping;
  bool tripped;
  struct rc_node_trip trip;
  int exit_status;
};

/* node_uv.c */
int rc_runtime_init(struct rc_runtime *rt, struct rc_runtime_config *cfg,
                    char *err, size_t errlen);
/* Runs until SIGTERM/SIGINT or a trip; returns an RC_NODE_EXIT_* status.
 * After a trip the marker and audit record are written and every handle is
 * closed before this returns; the trip command is the caller's to run. */
int rc_runtime_run(struct rc_runtime *rt);
void rc_runtime_close(struct rc_runtime *rt);
/* Drains core events, writes pending bytes, re-arms the core timer. Call
 * after anything that may have changed the core. */
void rc_runtime_pump(struct rc_runtime *rt);
uint64_t rc_runtime_now(const struct rc_runtime *rt);
uint64_t rc_runtime_unix_ms(void);
/* Begins an orderly stop (closes every handle); uv_run then returns. */
void rc_runtime_stop(struct rc_runtime *rt, int exit_status);

/* ctl_server_uv.c */
int rc_ctl_server_open(struct rc_runtime *rt, char *err, size_t errlen);
void rc_ctl_server_close(struct rc_runtime *rt);
/* Sends a framed response to a client and makes it ready for the next
 * request; a client that went away is silently skipped. */
void rc_ctl_client_respond(struct rc_runtime *rt, struct rc_ctl_client *c,
                           const Ringca__CtlResponse *resp);
void rc_ctl_client_error(struct rc_runtime *rt, struct rc_ctl_client *c,
                         const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void rc_ctl_fill_status(struct rc_runtime *rt, Ringca__CtlStatus *st,
                        void *scratch);

/* frontend_uv.c */
void rc_frontend_submit(struct rc_runtime *rt, struct rc_ctl_client *c,
                        const Ringca__CtlSubmit *sub);
/* A DELIVER or EXPIRED event for one of our requests. */
void rc_frontend_on_event(struct rc_runtime *rt, const struct rc_node_event *ev);
void rc_frontend_forget_client(struct rc_runtime *rt, struct rc_ctl_client *c);

/* spool_uv.c */
int rc_spool_open(struct rc_runtime *rt, const char *spool_dir, char *err,
                  size_t errlen);
void rc_spool_close(struct rc_runtime *rt);
void rc_spool_on_deliver(struct rc_runtime *rt, const struct rc_node_event *ev);
size_t rc_spool_pending(const struct rc_runtime *rt);

#ifdef RINGCA_LAB
/* lab_inject_uv.c (ringca-node-lab only) */
void rc_lab_inject(struct rc_runtime *rt, struct rc_ctl_client *c,
                   const Ringca__CtlInject *inj);
#endif

/* privdrop.c */
int rc_privdrop_lookup(const char *user, uid_t *uid, gid_t *gid, char *err,
                       size_t errlen);
int rc_privdrop(const char *user, char *err, size_t errlen);

#endif
