/* The front-end role of ringca-node around the real core: a CSR arrives on
 * the control socket, is checked with the signer's intake code, and either
 * refused on the spot or sent toward the root; with no root answering, the
 * core's deadline turns into EXPIRED for the waiting client, and
 * ringca-submit --node-socket maps each outcome to its exit codes. */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "node_runtime.h"
#include "ringca/ctl.h"
#include "ringca/error.h"
#include "ringca/fileio.h"
#include "ringca/log.h"
#include "ringca/nodekeys.h"
#include "ringca/pb.h"
#include "ringca/policy.h"

#define PTYLINK RINGCA_BINARY_DIR "/relay/runtime/ringca-ptylink"
#define SUBMIT RINGCA_BINARY_DIR "/frontend/ringca-submit"

static char dir[32], end_fe[64], end_root[64], state[64], sock[80];
static struct rc_topology topo;
static struct rc_policy policy;
static struct rc_runtime rt;
static pthread_t loop_thread;
static int exit_status;
static pid_t cable;

static void *run_loop(void *arg) {
  (void)arg;
  exit_status = rc_runtime_run(&rt);
  return NULL;
}

static int setup(void **st) {
  (void)st;
  rc_log_init("test_frontend_runtime", 0);
  snprintf(dir, sizeof dir, "/tmp/ringca-fe.XXXXXX");
  if (!mkdtemp(dir))
    return -1;
  snprintf(end_fe, sizeof end_fe, "%s/fe1-root", dir);
  snprintf(end_root, sizeof end_root, "%s/root-fe1", dir);
  snprintf(state, sizeof state, "%s/state", dir);
  snprintf(sock, sizeof sock, "%s/ctl.sock", state);
  mkdir(state, 0700);
  cable = fork();
  if (cable == 0) {
    execl(PTYLINK, PTYLINK, end_fe, end_root, (char *)NULL);
    _exit(127);
  }
  for (int i = 0; i < 500 && access(end_fe, F_OK) != 0; i++)
    usleep(10000);

  /* fe1 and a root that never runs, on one loop ring. */
  rc_topology_init(&topo);
  if (rc_topology_add_node(&topo, "root", RC_ROLE_ROOT) != 0 ||
      rc_topology_add_node(&topo, "fe1", RC_ROLE_FRONTEND) != 1 ||
      rc_topology_add_port(&topo, 0, "fe1", end_root, 115200) != 0 ||
      rc_topology_add_port(&topo, 1, "root", end_fe, 115200) != 0 ||
      rc_topology_add_link(&topo, "root", "fe1", "fe1", "root") < 0)
    return -1;
  const char *order[] = {"root", "fe1"};
  if (rc_topology_add_ring(&topo, "fe1-root", order, 2, false) < 0)
    return -1;
  struct rc_node_keys kr, kf;
  if (rc_node_keys_generate(&kr) != 0 || rc_node_keys_generate(&kf) != 0)
    return -1;
  memcpy(topo.nodes[0].link_pub, kr.link_pub, 32);
  memcpy(topo.nodes[0].origin_pub, kr.origin_pub, 32);
  memcpy(topo.nodes[1].link_pub, kf.link_pub, 32);
  memcpy(topo.nodes[1].origin_pub, kf.origin_pub, 32);
  rc_policy_default(&policy);

  struct rc_runtime_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.topo = &topo;
  cfg.policy = &policy;
  cfg.self = 1;
  cfg.state_dir = state;
  memcpy(cfg.link_priv, kf.link_priv, 32);
  memcpy(cfg.origin_priv, kf.origin_priv, 32);
  rc_node_keys_wipe(&kr);
  rc_node_keys_wipe(&kf);
  char err[256];
  if (rc_runtime_init(&rt, &cfg, err, sizeof err) != 0) {
    fprintf(stderr, "init: %s\n", err);
    return -1;
  }
  return pthread_create(&loop_thread, NULL, run_loop, NULL);
}

static int teardown(void **st) {
  (void)st;
  kill(getpid(), SIGTERM);
  pthread_join(loop_thread, NULL);
  rc_runtime_close(&rt);
  rc_topology_free(&topo);
  kill(cable, SIGTERM);
  waitpid(cable, NULL, 0);
  char cmd[64];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  return system(cmd) == 0 && exit_status == RC_NODE_EXIT_OK ? 0 : -1;
}

static Ringca__CtlResponse *submit(const uint8_t *csr, size_t len,
                                   uint32_t timeout_ms) {
  Ringca__CtlSubmit sub = RINGCA__CTL_SUBMIT__INIT;
  sub.profile = (char *)"server";
  sub.csr_der.data = (uint8_t *)csr;
  sub.csr_der.len = len;
  sub.timeout_ms = timeout_ms;
  Ringca__CtlRequest req = RINGCA__CTL_REQUEST__INIT;
  req.version = RC_CTL_VERSION;
  req.op_case = RINGCA__CTL_REQUEST__OP_SUBMIT;
  req.submit = &sub;
  Ringca__CtlResponse *resp = NULL;
  char err[256];
  if (rc_ctl_call(sock, &req, &resp, 10000, err, sizeof err) != 0)
    fail_msg("submit: %s", err);
  return resp;
}

static void make_csr(const char *key_spec, const char *name) {
  char cmd[512];
  snprintf(cmd, sizeof cmd,
           "openssl req -new -newkey %s -nodes -keyout %s/%s.key "
           "-subj /CN=www.example.org "
           "-addext subjectAltName=DNS:www.example.org -out %s/%s.csr "
           ">/dev/null 2>&1",
           key_spec, dir, name, dir, name);
  assert_int_equal(system(cmd), 0);
}

static void intake_refuses_on_the_spot(void **st) {
  (void)st;
  static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x01};
  Ringca__CtlResponse *resp = submit(junk, sizeof junk, 1000);
  assert_int_equal(resp->result_case, RINGCA__CTL_RESPONSE__RESULT_SUBMIT);
  assert_int_equal(resp->submit->outcome,
                   RINGCA__CTL_SUBMIT_OUTCOME__CTL_SUBMIT_REFUSED);
  assert_non_null(resp->submit->refusal);
  assert_int_equal(resp->submit->refusal->reason,
                   RINGCA__REFUSAL_REASON__REFUSAL_MALFORMED_CSR);
  rc_pb_free(&resp->base);

  make_csr("rsa:1024", "weak");
  char path[96];
  snprintf(path, sizeof path, "%s/weak.csr", dir);
  uint8_t *csr;
  size_t len;
  assert_int_equal(rc_file_read(path, 65536, &csr, &len), 0);
  resp = submit(csr, len, 1000); /* PEM: intake converts it */
  free(csr);
  assert_int_equal(resp->submit->outcome,
                   RINGCA__CTL_SUBMIT_OUTCOME__CTL_SUBMIT_REFUSED);
  assert_int_equal(resp->submit->refusal->reason,
                   RINGCA__REFUSAL_REASON__REFUSAL_KEY_SIZE);
  rc_pb_free(&resp->base);
}

static void no_root_answers_expired(void **st) {
  (void)st;
  make_csr("ec -pkeyopt ec_paramgen_curve:P-256", "good");
  char path[96];
  snprintf(path, sizeof path, "%s/good.csr", dir);
  uint8_t *csr;
  size_t len;
  assert_int_equal(rc_file_read(path, 65536, &csr, &len), 0);
  Ringca__CtlResponse *resp = submit(csr, len, 700);
  free(csr);
  assert_int_equal(resp->result_case, RINGCA__CTL_RESPONSE__RESULT_SUBMIT);
  assert_int_equal(resp->submit->outcome,
                   RINGCA__CTL_SUBMIT_OUTCOME__CTL_SUBMIT_EXPIRED);
  assert_int_equal(resp->submit->request_id.len, RC_REQUEST_ID_LEN);
  rc_pb_free(&resp->base);
}

static void submit_tool_exit_codes(void **st) {
  (void)st;
  char cmd[512];
  /* Timed out: 2. */
  snprintf(cmd, sizeof cmd,
           "%s --node-socket %s --csr %s/good.csr --profile server "
           "--timeout 1 >/dev/null 2>&1",
           SUBMIT, sock, dir);
  assert_int_equal(WEXITSTATUS(system(cmd)), 2);
  /* Refused by policy (ringca-submit's own pre-check): 1. */
  snprintf(cmd, sizeof cmd,
           "%s --node-socket %s --csr %s/weak.csr --profile server "
           ">/dev/null 2>&1",
           SUBMIT, sock, dir);
  assert_int_equal(WEXITSTATUS(system(cmd)), 1);
  /* No node listening: mesh down, 3. */
  snprintf(cmd, sizeof cmd,
           "%s --node-socket %s/none.sock --csr %s/good.csr --profile server "
           ">/dev/null 2>&1",
           SUBMIT, dir, dir);
  assert_int_equal(WEXITSTATUS(system(cmd)), 3);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(intake_refuses_on_the_spot),
      cmocka_unit_test(no_root_answers_expired),
      cmocka_unit_test(submit_tool_exit_codes),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
