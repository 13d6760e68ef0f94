/* Front-end role: a webserver's CSR arrives on the control socket, becomes
 * a CERT_REQUEST signed by this node's origin key, travels to the root, and
 * the CERT_REPLY / CERT_REFUSAL (or the core's EXPIRED) goes back to the
 * client still waiting on its connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_runtime.h"
#include "ringca/ctl.h"
#include "ringca/error.h"
#include "ringca/intake.h"
#include "ringca/log.h"
#include "ringca/pb.h"
#include "ringca/rng.h"
#include "ringca/wire.h"

struct rc_fe_pending {
  bool used;
  uint8_t request_id[RC_REQUEST_ID_LEN];
  struct rc_ctl_client *client;  /* NULL: the client left; drop the answer */
};

static void rid_hex(const uint8_t *rid, char out[9]) {
  snprintf(out, 9, "%02x%02x%02x%02x", rid[0], rid[1], rid[2], rid[3]);
}

static const char *root_name(const struct rc_runtime *rt) {
  for (size_t i = 0; i < rt->topo->nnodes; i++)
    if (rt->topo->nodes[i].role == RC_ROLE_ROOT)
      return rt->topo->nodes[i].name;
  return NULL;
}

static void respond_outcome(struct rc_runtime *rt, struct rc_ctl_client *c,
                            Ringca__CtlSubmitOutcome outcome,
                            const uint8_t *rid, Ringca__CertReply *reply,
                            Ringca__CertRefusal *refusal) {
  Ringca__CtlSubmitResult res = RINGCA__CTL_SUBMIT_RESULT__INIT;
  res.outcome = outcome;
  if (rid) {
    res.request_id.data = (uint8_t *)rid;
    res.request_id.len = RC_REQUEST_ID_LEN;
  }
  res.reply = reply;
  res.refusal = refusal;
  Ringca__CtlResponse resp = RINGCA__CTL_RESPONSE__INIT;
  resp.version = RC_CTL_VERSION;
  resp.result_case = RINGCA__CTL_RESPONSE__RESULT_SUBMIT;
  resp.submit = &res;
  rc_ctl_client_respond(rt, c, &resp);
}

static void refuse(struct rc_runtime *rt, struct rc_ctl_client *c,
                   Ringca__RefusalReason reason, const char *msg) {
  Ringca__CertRefusal r = RINGCA__CERT_REFUSAL__INIT;
  r.version = RC_WIRE_VERSION;
  r.reason = reason;
  r.message = (char *)msg;
  respond_outcome(rt, c, RINGCA__CTL_SUBMIT_OUTCOME__CTL_SUBMIT_REFUSED,
                  NULL, NULL, &r);
}

static struct rc_fe_pending *pending_slot(struct rc_runtime *rt) {
  if (!rt->pending) {
    rt->pending = calloc(RC_FE_MAX_PENDING, sizeof *rt->pending);
    if (!rt->pending)
      return NULL;
  }
  for (size_t i = 0; i < RC_FE_MAX_PENDING; i++)
    if (!rt->pending[i].used)
      return &rt->pending[i];
  return NULL;
}

static struct rc_fe_pending *pending_find(struct rc_runtime *rt,
                                          const uint8_t *rid, size_t len) {
  if (!rt->pending || len != RC_REQUEST_ID_LEN)
    return NULL;
  for (size_t i = 0; i < RC_FE_MAX_PENDING; i++)
    if (rt->pending[i].used &&
        memcmp(rt->pending[i].request_id, rid, RC_REQUEST_ID_LEN) == 0)
      return &rt->pending[i];
  return NULL;
}

static void pending_release(struct rc_runtime *rt, struct rc_fe_pending *p) {
  p->used = false;
  p->client = NULL;
  rt->npending--;
}

void rc_frontend_submit(struct rc_runtime *rt, struct rc_ctl_client *c,
                        const Ringca__CtlSubmit *sub) {
  const char *root = root_name(rt);
  struct rc_fe_pending *slot = pending_slot(rt);
  if (!root || !slot) {
    respond_outcome(rt, c,
                    root ? RINGCA__CTL_SUBMIT_OUTCOME__CTL_SUBMIT_BUSY
                         : RINGCA__CTL_SUBMIT_OUTCOME__CTL_SUBMIT_NO_ROUTE,
                    NULL, NULL, NULL);
    return;
  }
  uint64_t timeout_ms = rt->topo->timeouts.request_deadline_ms;
  if (sub->timeout_ms > 0 && sub->timeout_ms < timeout_ms)
    timeout_ms = sub->timeout_ms;
  uint64_t now_ms = rc_runtime_unix_ms();
  /* The signer's own policy code, so a request the root refuses after this
   * passed was altered on the way: that is what makes the root trip. */
  struct rc_intake_request req;
  struct rc_refusal why;
  int rc = rc_intake_build(rt->policy, sub->profile, sub->csr_der.data,
                           sub->csr_der.len, sub->validity_days, rt->me->name,
                           now_ms, now_ms + timeout_ms, &rc_rng_system, &req,
                           &why);
  if (rc == RC_EPOLICY) {
    rc_log_info("submit refused at intake: %s: %s",
                rc_refusal_name(why.reason), why.message);
    refuse(rt, c, why.reason, why.message);
    return;
  }
  if (rc) {
    rc_ctl_client_error(rt, c, "intake failed: %s", rc_strerror(rc));
    return;
  }
  uint8_t *payload = NULL;
  size_t plen = 0;
  if (rc_pb_pack(&req.cert.base, &payload, &plen) != 0) {
    rc_intake_free(&req);
    rc_ctl_client_error(rt, c, "out of memory");
    return;
  }
  uint8_t rid[RC_REQUEST_ID_LEN];
  memcpy(rid, req.request_id, sizeof rid);
  rc_intake_free(&req);
  uint64_t now = rc_runtime_now(rt);
  rc = rc_node_submit(rt->node, root,
                      RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REQUEST, rid,
                      payload, plen, now + timeout_ms * 1000000u,
                      now_ms + timeout_ms, now);
  free(payload);
  char hex[9];
  rid_hex(rid, hex);
  if (rc == 0) {
    slot->used = true;
    memcpy(slot->request_id, rid, sizeof rid);
    slot->client = c;
    rt->npending++;
    rc_log_info("request %s: %s CSR (%zu bytes) sent toward %s", hex,
                sub->profile, sub->csr_der.len, root);
    return;
  }
  rc_log_warnx("request %s: not sent: %s", hex, rc_strerror(rc));
  if (rc == RC_EAGAIN)
    respond_outcome(rt, c, RINGCA__CTL_SUBMIT_OUTCOME__CTL_SUBMIT_BUSY, rid,
                    NULL, NULL);
  else if (rc == RC_ENOROUTE)
    respond_outcome(rt, c, RINGCA__CTL_SUBMIT_OUTCOME__CTL_SUBMIT_NO_ROUTE,
                    rid, NULL, NULL);
  else if (rc == RC_ETOOBIG)
    refuse(rt, c, RINGCA__REFUSAL_REASON__REFUSAL_TOO_LARGE,
           "the request cannot fit one ring token of this mesh "
           "(limits.token_size)");
  else
    rc_ctl_client_error(rt, c, "the node did not accept the request: %s",
                        rc_strerror(rc));
}

void rc_frontend_on_event(struct rc_runtime *rt,
                          const struct rc_node_event *ev) {
  const uint8_t *rid = ev->type == RC_NODE_EV_EXPIRED
                           ? ev->request_id
                           : ev->envelope->request_id.data;
  size_t rid_len = ev->type == RC_NODE_EV_EXPIRED
                       ? RC_REQUEST_ID_LEN
                       : ev->envelope->request_id.len;
  char hex[9] = "?";
  if (rid_len == RC_REQUEST_ID_LEN)
    rid_hex(rid, hex);
  struct rc_fe_pending *p = pending_find(rt, rid, rid_len);
  if (!p) {
    /* Retries end to end can bring a second answer: idempotent, dropped. */
    rc_log_debug("request %s: answer for nobody waiting (duplicate): dropped",
                 hex);
    return;
  }
  struct rc_ctl_client *c = p->client;
  uint8_t rid_copy[RC_REQUEST_ID_LEN];
  memcpy(rid_copy, rid, sizeof rid_copy);
  pending_release(rt, p);
  if (ev->type == RC_NODE_EV_EXPIRED) {
    rc_log_warnx("request %s: no answer before its deadline", hex);
    respond_outcome(rt, c, RINGCA__CTL_SUBMIT_OUTCOME__CTL_SUBMIT_EXPIRED,
                    rid_copy, NULL, NULL);
    return;
  }
  const Ringca__Envelope *env = ev->envelope;
  struct rc_wire_error werr = {0, NULL};
  if (env->kind == RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REPLY) {
    Ringca__CertReply *reply = NULL;
    if (rc_wire_decode_cert_reply(env->payload.data, env->payload.len, &reply,
                                  &werr) == 0) {
      rc_log_info("request %s: certificate issued by %s", hex, env->origin);
      respond_outcome(rt, c, RINGCA__CTL_SUBMIT_OUTCOME__CTL_SUBMIT_ISSUED,
                      rid_copy, reply, NULL);
      rc_pb_free(&reply->base);
      return;
    }
  } else {
    Ringca__CertRefusal *ref = NULL;
    if (rc_wire_decode_cert_refusal(env->payload.data, env->payload.len, &ref,
                                    &werr) == 0) {
      rc_log_info("request %s: refused by %s: %s", hex, env->origin,
                  ref->message);
      respond_outcome(rt, c, RINGCA__CTL_SUBMIT_OUTCOME__CTL_SUBMIT_REFUSED,
                      rid_copy, NULL, ref);
      rc_pb_free(&ref->base);
      return;
    }
  }
  rc_log_warnx("request %s: undecodable answer from %s (%s)", hex,
               env->origin, werr.field ? werr.field : "payload");
  Ringca__CertRefusal r = RINGCA__CERT_REFUSAL__INIT;
  r.version = RC_WIRE_VERSION;
  r.reason = RINGCA__REFUSAL_REASON__REFUSAL_INTERNAL;
  r.message = (char *)"the root's answer could not be decoded";
  respond_outcome(rt, c, RINGCA__CTL_SUBMIT_OUTCOME__CTL_SUBMIT_REFUSED,
                  rid_copy, NULL, &r);
}

void rc_frontend_forget_client(struct rc_runtime *rt,
                               struct rc_ctl_client *c) {
  if (!rt->pending)
    return;
  for (size_t i = 0; i < RC_FE_MAX_PENDING; i++)
    if (rt->pending[i].used && rt->pending[i].client == c)
      rt->pending[i].client = NULL; /* the answer will be dropped */
}
