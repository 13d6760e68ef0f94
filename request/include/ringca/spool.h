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

/* SPOOL/SUB/IDHEXEXT, the one place that spells a spool file's name. */
void rc_spool_path(char *out, size_t cap, const char *dir, const char *sub,
                   const char *idhex, const char *ext);

/* Requester side (front-end / root node): request/spool_queue.c. The
 * signer's side is in signer/include/ringca/spool_signer.h. */
int rc_spool_submit(const char *dir, const Ringca__SpoolRequest *req);
/* Takes outgoing/<id>.reply if present: 0 and *out, RC_EAGAIN when not yet
 * answered, RC_EMALFORMED for a bad file. The file is removed once read. */
int rc_spool_take_reply(const char *dir, const uint8_t *id,
                        Ringca__SpoolReply **out);

#endif
