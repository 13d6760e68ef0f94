/* Root role: the node hands verified CERT_REQUESTs to ringca-signer through
 * its spool directory and sends back whatever the signer answers. The node
 * never opens a CA key (privilege separation, docs/architecture.md).
 *
 * A request that the signer refuses on policy grounds passed the very same
 * policy code at its front-end (frontend/intake.c) and was signed there, so
 * it cannot have come from an honest front-end over an honest path: the
 * root trips (RC_TRIP_EXTERNAL), as DESIGN.md requires. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_runtime.h"
#include "ringca/error.h"
#include "ringca/log.h"
#include "ringca/pb.h"
#include "ringca/policy.h"
#include "ringca/spool.h"
#include "ringca/wire.h"

#define SPOOL_POLL_MS 50u
#define SPOOL_MAX_PENDING 1024u
/* The signer answers expired requests with REFUSAL_DEADLINE itself; this is
 * only for a signer that is not running at all. */
#define SPOOL_GIVE_UP_AFTER_DEADLINE_MS 60000u

struct spool_pending {
  bool used;
  uint8_t request_id[RC_REQUEST_ID_LEN];
  char origin[RC_NAME_MAX + 1];
  uint64_t deadline_unix_ms;
};

struct rc_spool_role {
  char dir[RC_PATH_MAX];
  uv_timer_t poll;
  struct spool_pending pending[SPOOL_MAX_PENDING];
  size_t npending;
};

size_t rc_spool_pending(const struct rc_runtime *rt) {
  return rt->spool ? rt->spool->npending : 0;
}

/* Sends one answer back to its origin, signed with the root's key. */
static void send_answer(struct rc_runtime *rt, const struct spool_pending *p,
                        Ringca__EnvelopeKind kind, const ProtobufCMessage *msg) {
  uint8_t *payload = NULL;
  size_t len = 0;
  if (rc_pb_pack(msg, &payload, &len) != 0) {
    rc_log_warnx("spool: out of memory encoding an answer for %s", p->origin);
    return;
  }
  uint64_t now = rc_runtime_now(rt), now_ms = rc_runtime_unix_ms();
  uint64_t left_ms = p->deadline_unix_ms > now_ms + 1000u
                         ? p->deadline_unix_ms - now_ms
                         : 1000u;
  int rc = rc_node_submit(rt->node, p->origin, kind, p->request_id, payload,
                          len, now + left_ms * 1000000u,
                          now_ms + left_ms, now);
  free(payload);
  char hex[33];
  rc_request_id_hex(p->request_id, hex);
  if (rc == RC_ETOOBIG &&
      kind == RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REPLY) {
    /* A certificate that can never fit a token must not leave the
     * front-end waiting until its deadline: say why instead. */
    rc_log_warnx("request %.8s: the certificate and its chain (%zu bytes) "
                 "do not fit one token; raise limits.token_size", hex, len);
    Ringca__CertRefusal r = RINGCA__CERT_REFUSAL__INIT;
    r.version = RC_WIRE_VERSION;
    r.reason = RINGCA__REFUSAL_REASON__REFUSAL_TOO_LARGE;
    r.message = (char *)"the issued certificate with its chain does not fit "
                        "one ring token of this mesh (limits.token_size)";
    send_answer(rt, p, RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REFUSAL, &r.base);
    return;
  }
  if (rc)
    rc_log_warnx("request %.8s: answer for %s not sent: %s (the front-end "
                 "will retry and get it from the signer's records)",
                 hex, p->origin, rc_strerror(rc));
  else
    rc_log_info("request %.8s: %s sent back to %s", hex,
                kind == RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REPLY
                    ? "certificate"
                    : "refusal",
                p->origin);
}

static void refuse_now(struct rc_runtime *rt, const struct spool_pending *p,
                       Ringca__RefusalReason reason, const char *msg) {
  Ringca__CertRefusal r = RINGCA__CERT_REFUSAL__INIT;
  r.version = RC_WIRE_VERSION;
  r.reason = reason;
  r.message = (char *)msg;
  send_answer(rt, p, RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REFUSAL, &r.base);
}

static void handle_reply(struct rc_runtime *rt, struct spool_pending *p,
                         Ringca__SpoolReply *rep) {
  char hex[33];
  rc_request_id_hex(p->request_id, hex);
  if (rep->outcome_case == RINGCA__SPOOL_REPLY__OUTCOME_REPLY) {
    send_answer(rt, p, RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REPLY,
                &rep->reply->base);
  } else if (rep->outcome_case == RINGCA__SPOOL_REPLY__OUTCOME_REFUSAL &&
             rc_refusal_is_policy(rep->refusal->reason)) {
    char detail[256];
    snprintf(detail, sizeof detail,
             "request %.8s from %s failed the signer's policy (%s: %s) "
             "although its front-end checks the same policy",
             hex, p->origin, rc_refusal_name(rep->refusal->reason),
             rep->refusal->message);
    rc_node_trip(rt->node, RC_TRIP_EXTERNAL, detail, rc_runtime_now(rt));
  } else if (rep->outcome_case == RINGCA__SPOOL_REPLY__OUTCOME_REFUSAL) {
    send_answer(rt, p, RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REFUSAL,
                &rep->refusal->base);
  } else {
    refuse_now(rt, p, RINGCA__REFUSAL_REASON__REFUSAL_INTERNAL,
               "the signer's answer was empty");
  }
  p->used = false;
  rt->spool->npending--;
}

static void on_spool_poll(uv_timer_t *t) {
  struct rc_runtime *rt = t->data;
  struct rc_spool_role *s = rt->spool;
  uint64_t now_ms = rc_runtime_unix_ms();
  for (size_t i = 0; i < SPOOL_MAX_PENDING && s->npending > 0; i++) {
    struct spool_pending *p = &s->pending[i];
    if (!p->used)
      continue;
    Ringca__SpoolReply *rep = NULL;
    int rc = rc_spool_take_reply(s->dir, p->request_id, &rep);
    if (rc == 0) {
      handle_reply(rt, p, rep);
      rc_pb_free(&rep->base);
      if (rt->tripped || rc_node_tripped(rt->node))
        break;
      continue;
    }
    char hex[33];
    rc_request_id_hex(p->request_id, hex);
    if (rc != RC_EAGAIN) {
      rc_log_warnx("spool %s: reply for %.8s unreadable: %s", s->dir, hex,
                   rc_strerror(rc));
      refuse_now(rt, p, RINGCA__REFUSAL_REASON__REFUSAL_INTERNAL,
                 "the signer's reply file was unreadable");
    } else if (now_ms > p->deadline_unix_ms + SPOOL_GIVE_UP_AFTER_DEADLINE_MS) {
      rc_log_warnx("spool %s: the signer never answered %.8s from %s; is "
                   "ringca-signer running?", s->dir, hex, p->origin);
    } else {
      continue;
    }
    p->used = false;
    s->npending--;
  }
  rc_runtime_pump(rt);
  if (s->npending == 0)
    uv_timer_stop(t);
}

void rc_spool_on_deliver(struct rc_runtime *rt,
                         const struct rc_node_event *ev) {
  struct rc_spool_role *s = rt->spool;
  const Ringca__Envelope *env = ev->envelope;
  if (env->request_id.len != RC_REQUEST_ID_LEN)
    return; /* the core checked; defensive */
  char hex[33];
  rc_request_id_hex(env->request_id.data, hex);
  struct spool_pending *slot = NULL;
  for (size_t i = 0; i < SPOOL_MAX_PENDING; i++) {
    struct spool_pending *p = &s->pending[i];
    if (p->used && memcmp(p->request_id, env->request_id.data,
                          RC_REQUEST_ID_LEN) == 0) {
      rc_log_debug("request %.8s: retry while at the signer: ignored", hex);
      return;
    }
    if (!p->used && !slot)
      slot = p;
  }
  Ringca__CertRequest *cr = NULL;
  struct rc_wire_error werr = {0, NULL};
  if (rc_wire_decode_cert_request(env->payload.data, env->payload.len, &cr,
                                  &werr) != 0) {
    char detail[256];
    snprintf(detail, sizeof detail,
             "request %.8s from %s carries an undecodable CertRequest (%s) "
             "although its front-end built it", hex, env->origin,
             werr.field ? werr.field : "payload");
    rc_node_trip(rt->node, RC_TRIP_EXTERNAL, detail, rc_runtime_now(rt));
    return;
  }
  struct spool_pending tmp = {.used = true};
  memcpy(tmp.request_id, env->request_id.data, RC_REQUEST_ID_LEN);
  snprintf(tmp.origin, sizeof tmp.origin, "%s", env->origin);
  tmp.deadline_unix_ms = env->deadline_unix_ms;
  if (!slot) {
    rc_pb_free(&cr->base);
    rc_log_warnx("request %.8s from %s: %u requests already at the signer",
                 hex, env->origin, SPOOL_MAX_PENDING);
    refuse_now(rt, &tmp, RINGCA__REFUSAL_REASON__REFUSAL_INTERNAL,
               "the root is overloaded; try again later");
    return;
  }
  Ringca__SpoolRequest sr = RINGCA__SPOOL_REQUEST__INIT;
  sr.version = RC_WIRE_VERSION;
  sr.request_id = env->request_id;
  sr.origin = env->origin;
  sr.received_unix_ms = rc_runtime_unix_ms();
  sr.deadline_unix_ms = env->deadline_unix_ms;
  sr.request = cr;
  int rc = rc_spool_submit(s->dir, &sr);
  rc_pb_free(&cr->base);
  if (rc) {
    rc_log_warnx("spool %s: cannot hand request %.8s to the signer: %s",
                 s->dir, hex, rc_strerror(rc));
    refuse_now(rt, &tmp, RINGCA__REFUSAL_REASON__REFUSAL_INTERNAL,
               "the root could not reach its signer");
    return;
  }
  *slot = tmp;
  s->npending++;
  rc_log_info("request %.8s from %s: handed to the signer", hex, env->origin);
  if (!uv_is_active((uv_handle_t *)&s->poll))
    uv_timer_start(&s->poll, on_spool_poll, SPOOL_POLL_MS, SPOOL_POLL_MS);
}

int rc_spool_open(struct rc_runtime *rt, const char *spool_dir, char *err,
                  size_t errlen) {
  if (!spool_dir || !spool_dir[0]) {
    snprintf(err, errlen, "root %s: no spool directory (topology spool_dir "
             "or --spool)", rt->me->name);
    return RC_EINVAL;
  }
  struct rc_spool_role *s = calloc(1, sizeof *s);
  if (!s)
    return RC_ENOMEM;
  if (strlen(spool_dir) >= sizeof s->dir) {
    free(s);
    snprintf(err, errlen, "%s: spool path too long", spool_dir);
    return RC_EINVAL;
  }
  memcpy(s->dir, spool_dir, strlen(spool_dir) + 1);
  int rc = rc_spool_init(s->dir);
  if (rc) {
    free(s);
    snprintf(err, errlen, "spool %s: %s", spool_dir, strerror(-rc));
    return rc;
  }
  uv_timer_init(&rt->loop, &s->poll);
  s->poll.data = rt;
  rt->spool = s;
  return 0;
}

static void on_spool_closed(uv_handle_t *h) { free(h->data); }

void rc_spool_close(struct rc_runtime *rt) {
  struct rc_spool_role *s = rt->spool;
  if (!s)
    return;
  rt->spool = NULL;
  s->poll.data = s;
  uv_close((uv_handle_t *)&s->poll, on_spool_closed);
}
