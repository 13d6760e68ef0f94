/* The signer's audit log: one JSON object per line, every issuance and
 * refusal, each line carrying the SHA-256 of the line before it:
 *
 *   {"seq":0,"prev":"000…0","request_id":"…","time_ms":…,"event":"issue",…}
 *
 * Changing, deleting or reordering any line breaks the chain at the next
 * line. Cutting lines off the end leaves a valid chain, so after each append
 * the signer also rewrites a head file (LOG.head: seq and hash of the last
 * line); verify-log checks the log still reaches it. Someone who can rewrite
 * both files can still truncate: copy the head elsewhere (the signer logs it
 * to the journal after every run) to close that gap. */
#ifndef RINGCA_AUDIT_H
#define RINGCA_AUDIT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringca/limits.h"

#define RC_AUDIT_LINE_MAX 4096u

struct rc_audit;

struct rc_audit_event {
  const char *event;            /* "issue" or "refuse" */
  const uint8_t *request_id;    /* RC_REQUEST_ID_LEN bytes */
  uint64_t time_ms;
  const char *origin;
  const char *profile;
  const char *serial_hex;       /* issue */
  const char *fingerprint;      /* issue: SHA-256 of the certificate */
  const char *subject;          /* issue */
  const char *reason;           /* refuse: "REFUSAL_SAN" */
  const char *message;          /* refuse */
  bool recovered;               /* written while recovering after a crash */
};

/* Opens (creating) the log at path, checks the whole chain and the head
 * file, indexes request ids. A torn last line (a crash inside an append) is
 * cut off and reported in *repaired (bytes removed). Any other damage:
 * RC_EMALFORMED and a sentence in err; the signer then refuses to run. */
int rc_audit_open(const char *path, struct rc_audit **out, size_t *repaired,
                  char *err, size_t errlen);
bool rc_audit_has(const struct rc_audit *a, const uint8_t *request_id);
/* Appends one line (fsync) and rewrites the head file atomically. */
int rc_audit_append(struct rc_audit *a, const struct rc_audit_event *ev);
/* seq and hash of the last line (for the journal), seq = -1 when empty. */
void rc_audit_head(const struct rc_audit *a, int64_t *seq, char hash[65]);
void rc_audit_close(struct rc_audit *a);

/* verify-log: checks path (and head_path, or path.head when NULL and it
 * exists). Returns 0 and the number of lines, or RC_EMALFORMED with
 * "FILE:LINE: what is wrong" in err. */
int rc_audit_verify(const char *path, const char *head_path, size_t *lines,
                    char *err, size_t errlen);

#endif
