/* Control-socket framing and bounded decoding: the node reads these from
 * any local process allowed to connect, so every edge is probed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ringca/ctl.h"
#include "ringca/error.h"
#include "ringca/pb.h"
#include "ringca/topology.h"

struct frame_case {
  uint8_t bytes[8];
  size_t len;
  size_t max;
  int expect;
  size_t body_len;
};

static void frame_parse_table(void **state) {
  (void)state;
  static const struct frame_case cases[] = {
      {{0}, 0, 100, 0, 0},                      /* nothing yet */
      {{0, 0, 0}, 3, 100, 0, 0},                /* partial header */
      {{0, 0, 0, 0}, 4, 100, RC_EMALFORMED, 0}, /* empty message */
      {{0, 0, 0, 2, 9}, 5, 100, 0, 0},          /* body incomplete */
      {{0, 0, 0, 2, 9, 9}, 6, 100, 1, 2},       /* complete */
      {{0, 0, 0, 2, 9, 9, 7}, 7, 100, 1, 2},    /* complete, more follows */
      {{0, 0, 0, 101}, 4, 100, RC_ETOOBIG, 0},  /* over the limit */
      {{0, 0, 0, 100}, 4, 100, 0, 0},           /* at the limit: wait */
      {{0xff, 0xff, 0xff, 0xff}, 4, 100, RC_ETOOBIG, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t off = 0, len = 0;
    int rc = rc_ctl_frame_parse(cases[i].bytes, cases[i].len, cases[i].max,
                                &off, &len);
    assert_int_equal(rc, cases[i].expect);
    if (rc == 1) {
      assert_int_equal(off, 4);
      assert_int_equal(len, cases[i].body_len);
    }
  }
}

static uint8_t *pack_request(const Ringca__CtlRequest *r, size_t *len) {
  uint8_t *framed;
  size_t flen;
  assert_int_equal(rc_ctl_frame_pack(&r->base, RC_CTL_REQUEST_MAX, &framed,
                                     &flen), 0);
  size_t off, blen;
  assert_int_equal(rc_ctl_frame_parse(framed, flen, RC_CTL_REQUEST_MAX, &off,
                                      &blen), 1);
  assert_int_equal(off + blen, flen);
  *len = flen;
  return framed;
}

static void submit_round_trip(void **state) {
  (void)state;
  uint8_t csr[300];
  memset(csr, 0x30, sizeof csr);
  Ringca__CtlSubmit sub = RINGCA__CTL_SUBMIT__INIT;
  sub.profile = (char *)"server";
  sub.csr_der.data = csr;
  sub.csr_der.len = sizeof csr;
  sub.timeout_ms = 5000;
  Ringca__CtlRequest req = RINGCA__CTL_REQUEST__INIT;
  req.version = RC_CTL_VERSION;
  req.op_case = RINGCA__CTL_REQUEST__OP_SUBMIT;
  req.submit = &sub;
  size_t len;
  uint8_t *buf = pack_request(&req, &len);
  Ringca__CtlRequest *got = NULL;
  struct rc_wire_error err;
  assert_int_equal(rc_ctl_decode_request(buf + 4, len - 4, &got, &err), 0);
  assert_int_equal(got->op_case, RINGCA__CTL_REQUEST__OP_SUBMIT);
  assert_string_equal(got->submit->profile, "server");
  assert_int_equal(got->submit->csr_der.len, sizeof csr);
  assert_int_equal(got->submit->timeout_ms, 5000);
  rc_pb_free(&got->base);
  free(buf);
}

static void refuses_bad_requests(void **state) {
  (void)state;
  struct rc_wire_error err;
  Ringca__CtlRequest *got = NULL;
  Ringca__CtlRequest req = RINGCA__CTL_REQUEST__INIT;
  size_t len;
  uint8_t *buf;

  /* Unknown version. */
  Ringca__CtlStatusQuery q = RINGCA__CTL_STATUS_QUERY__INIT;
  req.version = 7;
  req.op_case = RINGCA__CTL_REQUEST__OP_STATUS;
  req.status = &q;
  buf = pack_request(&req, &len);
  assert_int_equal(rc_ctl_decode_request(buf + 4, len - 4, &got, &err),
                   RC_EVERSION);
  assert_string_equal(err.field, "CtlRequest.version");
  assert_null(got);
  free(buf);

  /* No operation. */
  Ringca__CtlRequest bare = RINGCA__CTL_REQUEST__INIT;
  bare.version = RC_CTL_VERSION;
  buf = pack_request(&bare, &len);
  assert_int_equal(rc_ctl_decode_request(buf + 4, len - 4, &got, &err),
                   RC_EMALFORMED);
  assert_string_equal(err.field, "CtlRequest.op");
  free(buf);

  /* A submit without a CSR, and one with an empty profile. */
  Ringca__CtlSubmit sub = RINGCA__CTL_SUBMIT__INIT;
  sub.profile = (char *)"server";
  req.version = RC_CTL_VERSION;
  req.op_case = RINGCA__CTL_REQUEST__OP_SUBMIT;
  req.submit = &sub;
  buf = pack_request(&req, &len);
  assert_int_equal(rc_ctl_decode_request(buf + 4, len - 4, &got, &err),
                   RC_EMALFORMED);
  assert_string_equal(err.field, "CtlSubmit.csr_der");
  free(buf);
  uint8_t one = 0x30;
  sub.csr_der.data = &one;
  sub.csr_der.len = 1;
  sub.profile = (char *)"";
  buf = pack_request(&req, &len);
  assert_int_equal(rc_ctl_decode_request(buf + 4, len - 4, &got, &err),
                   RC_EMALFORMED);
  assert_string_equal(err.field, "CtlSubmit.profile");
  free(buf);

  /* A repeated top-level field is refused before unpacking. */
  static const uint8_t twice[] = {0x08, 0x01, 0x08, 0x01, 0x1a, 0x00};
  assert_int_equal(rc_ctl_decode_request(twice, sizeof twice, &got, &err),
                   RC_ELIMIT);
  /* Garbage. */
  static const uint8_t junk[] = {0xff, 0xff, 0xff};
  assert_true(rc_ctl_decode_request(junk, sizeof junk, &got, &err) < 0);
  assert_null(got);
}

static void response_caps_repeated_fields(void **state) {
  (void)state;
  Ringca__CtlLinkStatus link = RINGCA__CTL_LINK_STATUS__INIT;
  link.peer = (char *)"im1";
  Ringca__CtlLinkStatus *links[RC_TOPO_MAX_PORTS + 1];
  for (size_t i = 0; i <= RC_TOPO_MAX_PORTS; i++)
    links[i] = &link;
  Ringca__CtlStatus st = RINGCA__CTL_STATUS__INIT;
  st.node = (char *)"fe1";
  st.role = (char *)"frontend";
  st.links = links;
  st.n_links = RC_TOPO_MAX_PORTS;
  Ringca__CtlResponse resp = RINGCA__CTL_RESPONSE__INIT;
  resp.version = RC_CTL_VERSION;
  resp.result_case = RINGCA__CTL_RESPONSE__RESULT_STATUS;
  resp.status = &st;
  uint8_t *buf;
  size_t len;
  assert_int_equal(rc_ctl_frame_pack(&resp.base, RC_CTL_RESPONSE_MAX, &buf,
                                     &len), 0);
  Ringca__CtlResponse *got = NULL;
  struct rc_wire_error err;
  assert_int_equal(rc_ctl_decode_response(buf + 4, len - 4, &got, &err), 0);
  assert_int_equal(got->status->n_links, RC_TOPO_MAX_PORTS);
  rc_pb_free(&got->base);
  free(buf);
  st.n_links = RC_TOPO_MAX_PORTS + 1;
  assert_int_equal(rc_ctl_frame_pack(&resp.base, RC_CTL_RESPONSE_MAX, &buf,
                                     &len), 0);
  assert_int_equal(rc_ctl_decode_response(buf + 4, len - 4, &got, &err),
                   RC_ELIMIT);
  assert_string_equal(err.field, "CtlStatus.links");
  free(buf);
}

static void call_without_node(void **state) {
  (void)state;
  Ringca__CtlStatusQuery q = RINGCA__CTL_STATUS_QUERY__INIT;
  Ringca__CtlRequest req = RINGCA__CTL_REQUEST__INIT;
  req.version = RC_CTL_VERSION;
  req.op_case = RINGCA__CTL_REQUEST__OP_STATUS;
  req.status = &q;
  Ringca__CtlResponse *resp;
  char err[256];
  assert_int_equal(rc_ctl_call("/nonexistent/ctl.sock", &req, &resp, 100, err,
                               sizeof err), RC_ENOTFOUND);
  assert_non_null(strstr(err, "/nonexistent/ctl.sock"));
  char path[200];
  assert_int_equal(rc_ctl_socket_path("/var/lib/ringca/fe1", path,
                                      sizeof path), 0);
  assert_string_equal(path, "/var/lib/ringca/fe1/ctl.sock");
  char longdir[300];
  memset(longdir, 'a', sizeof longdir - 1);
  longdir[sizeof longdir - 1] = '\0';
  assert_int_equal(rc_ctl_socket_path(longdir, path, sizeof path), RC_EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(frame_parse_table),
      cmocka_unit_test(submit_round_trip),
      cmocka_unit_test(refuses_bad_requests),
      cmocka_unit_test(response_caps_repeated_fields),
      cmocka_unit_test(call_without_node),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
