/* ringca-node's runtime around the real core, in one process: a node of a
 * two-node topology whose cable is a real ringca-ptylink, its control
 * socket probed by a well-behaved and by hostile clients, a cut cable that
 * is reopened, a trip that leaves marker and audit record, and SIGTERM.
 * The loop runs in a thread; the test thread is the operator. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "node_runtime.h"
#include "port.h"
#include "ringca/ctl.h"
#include "ringca/error.h"
#include "ringca/fileio.h"
#include "ringca/log.h"
#include "ringca/nodekeys.h"
#include "ringca/pb.h"
#include "trip_record.h"

#define PTYLINK RINGCA_BINARY_DIR "/relay/runtime/ringca-ptylink"

static char dir[32], end_im1[64], end_root[64], state[64], sock[80];
static struct rc_topology topo;
static struct rc_node_keys keys_im1, keys_root;
static struct rc_runtime rt;
static pthread_t loop_thread;
static int exit_status;
static uv_async_t trip_async;
static pid_t cable;

static pid_t start_cable(void) {
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    execl(PTYLINK, PTYLINK, "--baud", "115200", end_im1, end_root,
          (char *)NULL);
    _exit(127);
  }
  for (int i = 0; i < 500; i++) {
    if (access(end_im1, F_OK) == 0 && access(end_root, F_OK) == 0)
      return pid;
    usleep(10000);
  }
  fail_msg("no cable");
  return -1;
}

static void stop_cable(void) {
  kill(cable, SIGTERM);
  waitpid(cable, NULL, 0);
}

static void build_topology(void) {
  rc_topology_init(&topo);
  assert_int_equal(rc_topology_add_node(&topo, "root", RC_ROLE_ROOT), 0);
  assert_int_equal(rc_topology_add_node(&topo, "im1", RC_ROLE_INTERMEDIATE),
                   1);
  assert_int_equal(rc_topology_add_port(&topo, 0, "im1", end_root, 115200), 0);
  assert_int_equal(rc_topology_add_port(&topo, 1, "root", end_im1, 115200), 0);
  assert_true(rc_topology_add_link(&topo, "root", "im1", "im1", "root") >= 0);
  const char *order[] = {"root", "im1"};
  assert_true(rc_topology_add_ring(&topo, "im1-root", order, 2, false) >= 0);
  assert_int_equal(rc_node_keys_generate(&keys_root), 0);
  assert_int_equal(rc_node_keys_generate(&keys_im1), 0);
  /* The lower static key initiates the handshake (link.c); im1 must, so
   * that it speaks first on the line this test listens to. */
  if (memcmp(keys_im1.link_pub, keys_root.link_pub, 32) > 0) {
    struct rc_node_keys t = keys_im1;
    keys_im1 = keys_root;
    keys_root = t;
  }
  memcpy(topo.nodes[0].link_pub, keys_root.link_pub, 32);
  memcpy(topo.nodes[0].origin_pub, keys_root.origin_pub, 32);
  memcpy(topo.nodes[1].link_pub, keys_im1.link_pub, 32);
  memcpy(topo.nodes[1].origin_pub, keys_im1.origin_pub, 32);
  topo.timeouts.heartbeat_ms = 100;
  topo.timeouts.dead_link_ms = 500;
  topo.timeouts.handshake_retry_ms = 100;
}

static void *run_loop(void *arg) {
  (void)arg;
  exit_status = rc_runtime_run(&rt);
  return NULL;
}

static void on_trip_async(uv_async_t *a) {
  rc_node_trip(rt.node, RC_TRIP_EXTERNAL, "operator test: compromised peer",
               rc_runtime_now(&rt));
  uv_close((uv_handle_t *)a, NULL);
  rc_runtime_pump(&rt);
}

static int setup(void **state_) {
  (void)state_;
  rc_log_init("test_node_runtime", 0);
  snprintf(dir, sizeof dir, "/tmp/ringca-rt.XXXXXX");
  if (!mkdtemp(dir))
    return -1;
  snprintf(end_im1, sizeof end_im1, "%s/im1-root", dir);
  snprintf(end_root, sizeof end_root, "%s/root-im1", dir);
  snprintf(state, sizeof state, "%s/state", dir);
  snprintf(sock, sizeof sock, "%s/ctl.sock", state);
  mkdir(state, 0700);
  return 0;
}

static int teardown(void **state_) {
  (void)state_;
  rc_topology_free(&topo);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  return system(cmd);
}

static Ringca__CtlResponse *status_call(void) {
  Ringca__CtlStatusQuery q = RINGCA__CTL_STATUS_QUERY__INIT;
  Ringca__CtlRequest req = RINGCA__CTL_REQUEST__INIT;
  req.version = RC_CTL_VERSION;
  req.op_case = RINGCA__CTL_REQUEST__OP_STATUS;
  req.status = &q;
  Ringca__CtlResponse *resp = NULL;
  char err[256];
  int rc = rc_ctl_call(sock, &req, &resp, 2000, err, sizeof err);
  if (rc)
    fail_msg("status: %s", err);
  return resp;
}

/* Raw bytes to the control socket; returns true if the node hung up
 * without answering (what it must do to a hostile client). */
static bool node_hangs_up_on(const uint8_t *bytes, size_t len) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un sun = {.sun_family = AF_UNIX};
  snprintf(sun.sun_path, sizeof sun.sun_path, "%s", sock);
  assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof sun), 0);
  assert_int_equal(send(fd, bytes, len, MSG_NOSIGNAL), (ssize_t)len);
  struct timeval tv = {3, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  uint8_t buf[64];
  ssize_t n = recv(fd, buf, sizeof buf, 0);
  close(fd);
  return n == 0;
}

static void start_runtime(bool trip_hook) {
  struct rc_runtime_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.topo = &topo;
  cfg.self = 1; /* im1 */
  cfg.state_dir = state;
  memcpy(cfg.link_priv, keys_im1.link_priv, 32);
  memcpy(cfg.origin_priv, keys_im1.origin_priv, 32);
  char err[256];
  int rc = rc_runtime_init(&rt, &cfg, err, sizeof err);
  if (rc)
    fail_msg("init: %s", err);
  struct stat st;
  assert_int_equal(stat(sock, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  if (trip_hook)
    assert_int_equal(uv_async_init(&rt.loop, &trip_async, on_trip_async), 0);
  assert_int_equal(pthread_create(&loop_thread, NULL, run_loop, NULL), 0);
}

static void status_and_hostile_clients(void **state_) {
  (void)state_;
  cable = start_cable();
  build_topology();
  /* The far end is open before the node starts, so nothing the node says
   * is flushed away by the open (rc_port_open drops stale bytes). */
  struct rc_port far;
  char err[256];
  assert_int_equal(rc_port_open(&far, end_root, 115200, RC_PORT_AUTO, err,
                                sizeof err), 0);
  start_runtime(true);

  Ringca__CtlResponse *resp = status_call();
  assert_int_equal(resp->result_case, RINGCA__CTL_RESPONSE__RESULT_STATUS);
  assert_string_equal(resp->status->node, "im1");
  assert_string_equal(resp->status->role, "intermediate");
  assert_false(resp->status->tripped);
  assert_int_equal(resp->status->n_links, 1);
  assert_string_equal(resp->status->links[0]->peer, "root");
  assert_string_equal(resp->status->links[0]->port, "root");
  assert_true(resp->status->links[0]->line_open);
  assert_false(resp->status->links[0]->up); /* nobody at the other end */
  assert_int_equal(resp->status->n_rings, 1);
  assert_string_equal(resp->status->rings[0]->ring, "im1-root");
  assert_false(resp->status->rings[0]->up);
  rc_pb_free(&resp->base);

  /* The node talks on the line: handshake frames reach the far end. */
  uint8_t line[4096];
  size_t got = 0;
  for (int i = 0; i < 1000 && got == 0; i++) {
    ssize_t n = rc_port_read(&far, line, sizeof line);
    assert_true(n >= 0);
    got += (size_t)n;
    if (n == 0)
      usleep(10000);
  }
  assert_true(got > 0);
  rc_port_close(&far);

  /* Hostile clients: each is cut off, the node keeps serving. */
  static const uint8_t too_long[] = {0x7f, 0xff, 0xff, 0xff, 0x08, 0x01};
  assert_true(node_hangs_up_on(too_long, sizeof too_long));
  static const uint8_t zero_len[] = {0, 0, 0, 0};
  assert_true(node_hangs_up_on(zero_len, sizeof zero_len));
  static const uint8_t garbage[] = {0, 0, 0, 3, 0xff, 0xff, 0xff};
  assert_true(node_hangs_up_on(garbage, sizeof garbage));
  static const uint8_t bad_version[] = {0, 0, 0, 4, 0x08, 0x09, 0x1a, 0x00};
  assert_true(node_hangs_up_on(bad_version, sizeof bad_version));
  static const uint8_t pipelined[] = {0, 0, 0, 4, 0x08, 0x01, 0x1a, 0x00,
                                      0, 0, 0, 4, 0x08, 0x01, 0x1a, 0x00};
  assert_true(node_hangs_up_on(pipelined, sizeof pipelined));

  /* Requests a node of this role or build refuses, with a sentence. */
  Ringca__CtlSubmit sub = RINGCA__CTL_SUBMIT__INIT;
  uint8_t csr = 0x30;
  sub.profile = (char *)"server";
  sub.csr_der.data = &csr;
  sub.csr_der.len = 1;
  Ringca__CtlRequest req = RINGCA__CTL_REQUEST__INIT;
  req.version = RC_CTL_VERSION;
  req.op_case = RINGCA__CTL_REQUEST__OP_SUBMIT;
  req.submit = &sub;
  assert_int_equal(rc_ctl_call(sock, &req, &resp, 2000, err, sizeof err), 0);
  assert_int_equal(resp->result_case, RINGCA__CTL_RESPONSE__RESULT_ERROR);
  assert_non_null(strstr(resp->error->message, "not a front-end"));
  rc_pb_free(&resp->base);
  Ringca__CtlInject inj = RINGCA__CTL_INJECT__INIT;
  inj.fault = RINGCA__CTL_FAULT__CTL_FAULT_TOKEN_OUT_OF_TURN;
  inj.ring = (char *)"";
  req.op_case = RINGCA__CTL_REQUEST__OP_INJECT;
  req.inject = &inj;
  assert_int_equal(rc_ctl_call(sock, &req, &resp, 2000, err, sizeof err), 0);
  assert_int_equal(resp->result_case, RINGCA__CTL_RESPONSE__RESULT_ERROR);
  assert_non_null(strstr(resp->error->message, "production build"));
  rc_pb_free(&resp->base);

  /* Still serving after all that, and after a SIGHUP (which re-reads
   * nothing and says so). */
  kill(getpid(), SIGHUP);
  usleep(50000);
  rc_pb_free(&status_call()->base);
}

static bool line_open(void) {
  Ringca__CtlResponse *resp = status_call();
  bool open = resp->status->links[0]->line_open;
  rc_pb_free(&resp->base);
  return open;
}

static void cut_cable_is_reopened(void **state_) {
  (void)state_;
  stop_cable();
  bool seen_closed = false;
  for (int i = 0; i < 300 && !seen_closed; i++) {
    seen_closed = !line_open();
    if (!seen_closed)
      usleep(10000);
  }
  assert_true(seen_closed);
  cable = start_cable();
  bool reopened = false;
  for (int i = 0; i < 300 && !reopened; i++) {
    reopened = line_open();
    if (!reopened)
      usleep(10000);
  }
  assert_true(reopened);
}

static void trip_writes_marker_and_audit(void **state_) {
  (void)state_;
  assert_int_equal(uv_async_send(&trip_async), 0);
  assert_int_equal(pthread_join(loop_thread, NULL), 0);
  assert_int_equal(exit_status, RC_NODE_EXIT_TRIPPED);
  rc_runtime_close(&rt);
  struct rc_trip_record r;
  assert_int_equal(rc_trip_marker_read(state, &r), 0);
  assert_string_equal(r.node, "im1");
  assert_string_equal(r.cause, "external");
  assert_non_null(strstr(r.detail, "compromised peer"));
  char path[256];
  snprintf(path, sizeof path, "%s/%s", state, RC_AUDIT_LOG_NAME);
  uint8_t *buf;
  size_t len;
  assert_int_equal(rc_file_read(path, 1 << 16, &buf, &len), 0);
  assert_non_null(strstr((char *)buf, "\"event\":\"trip\""));
  assert_non_null(strstr((char *)buf, "\"cause\":\"external\""));
  free(buf);
  /* Everything closed: the socket is gone. */
  assert_int_equal(access(sock, F_OK), -1);
  assert_int_equal(rc_trip_marker_remove(state), 0);
}

static void sigterm_stops_cleanly(void **state_) {
  (void)state_;
  start_runtime(false);
  rc_pb_free(&status_call()->base);
  kill(getpid(), SIGTERM);
  assert_int_equal(pthread_join(loop_thread, NULL), 0);
  assert_int_equal(exit_status, RC_NODE_EXIT_OK);
  rc_runtime_close(&rt);
  struct rc_trip_record r;
  assert_int_equal(rc_trip_marker_read(state, &r), RC_ENOTFOUND);
  assert_int_equal(access(sock, F_OK), -1);
  stop_cable();
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(status_and_hostile_clients),
      cmocka_unit_test(cut_cable_is_reopened),
      cmocka_unit_test(trip_writes_marker_and_audit),
      cmocka_unit_test(sigterm_stops_cleanly),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
