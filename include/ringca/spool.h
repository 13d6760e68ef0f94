/* The signer's spool directory: how requests reach the only process that
 * holds CA keys, and how answers come back (docs/operations.md).
 *
 *   SPOOL/incoming/<id>.req     SpoolRequest, written by the node or submit
 *   SPOOL/processing/<id>.req   claimed by the signer (rename from incoming)
 *   SPOOL/done/<id>.reply       SpoolReply, the durable answer: idempotency
 *   SPOOL/outgoing/<id>.reply   copy for the node; the node deletes it
 *   SPOOL/failed/<id>.req       undecodable request bytes kept for forensics
 *
 * <id> is the 16-byte request id in lowercase hex. Every file is written
 * under a temporary name, fsynced, renamed and the directory fsynced; a crash
 * at any point leaves a state from which the next run finishes the request
 * without signing it twice. */
#ifndef RINGCA_SPOOL_H
#define RINGCA_SPOOL_H
#include <stddef.h>
#include <stdint.h>

#include "ringca.pb-c.h"
#include "ringca/audit.h"
#include "ringca/policy.h"
#include "ringca/rng.h"
#include "ringca/signer.h"
#include "ringca/wire.h"

/* A SpoolRequest is a CertRequest plus a small header. */
#define RC_SPOOL_FILE_MAX (RC_CERT_MESSAGE_MAX + 1024u)
/* A SpoolReply holds a CertReply (certificate + chain). */
#define RC_SPOOL_REPLY_MAX (RC_CERT_MESSAGE_MAX + 1024u)

int rc_spool_decode_request(const uint8_t *buf, size_t len,
                            Ringca__SpoolRequest **out,
                            struct rc_wire_error *err);
int rc_spool_decode_reply(const uint8_t *buf, size_t len,
                          Ringca__SpoolReply **out, struct rc_wire_error *err);

void rc_request_id_hex(const uint8_t *id, char out[33]);

/* Creates the five subdirectories (mode 0770: node and signer share a
 * group). Returns 0 or -errno. */
int rc_spool_init(const char *dir);

/* Requester side (front-end / root node). */
int rc_spool_submit(const char *dir, const Ringca__SpoolRequest *req);
/* Takes outgoing/<id>.reply if present: 0 and *out, RC_EAGAIN when not yet
 * answered, RC_EMALFORMED for a bad file. The file is removed once read. */
int rc_spool_take_reply(const char *dir, const uint8_t *id,
                        Ringca__SpoolReply **out);

/* Signer side. The crash hook is for tests: it is called after each durable
 * step with the step's name ("claimed", "signed", "done-written",
 * "audited", "outgoing-written", "finished"). */
struct rc_spool_signer {
  const char *dir;
  const struct rc_policy *policy;
  const struct rc_ca *ca;
  struct rc_audit *audit;
  const struct rc_rng *rng;
  uint64_t (*now_ms)(void *ctx);
  void *clock_ctx;
  void (*crash_point)(const char *step, void *ctx);
  void *crash_ctx;
};

struct rc_spool_stats {
  size_t issued, refused, replayed, errors;
};

/* Finishes whatever a crash left in processing/, then handles every
 * request in incoming/. Returns 0, or RC_EIO when the spool or the audit
 * log cannot be written (the signer then stops: nothing is half-done). */
int rc_spool_run_once(const struct rc_spool_signer *s,
                      struct rc_spool_stats *st);

#endif
