/* What a tripped node leaves behind in its state directory, and what
 * `ringca-ctl clear-trip` removes (docs/operations.md):
 *
 *   TRIPPED      the marker: key=value lines; its presence stops the node
 *                from starting again until an operator clears it
 *   audit.jsonl  append-only, one JSON object per line, fsync'd: every trip
 *                and every clearing with who did it
 *
 * Runtime only; the core reports a trip as an event and touches no file. */
#ifndef RINGCA_RUNTIME_TRIP_RECORD_H
#define RINGCA_RUNTIME_TRIP_RECORD_H
#include <stddef.h>
#include <stdint.h>

#include "ringca/limits.h"

#define RC_TRIP_MARKER_NAME "TRIPPED"
#define RC_AUDIT_LOG_NAME "audit.jsonl"
#define RC_TRIP_MARKER_MAX 4096u

struct rc_trip_record {
  char node[RC_NAME_MAX + 1];
  char cause[40];
  char ring[RC_NAME_MAX + 1];       /* "" when no ring is involved */
  char neighbour[RC_NAME_MAX + 1];  /* "" when nobody sent it */
  char evidence[65];                /* SHA-256 hex, "" when none */
  char detail[256];
  uint64_t unix_ms;
  char time[32];                    /* ISO 8601 UTC, filled on write */
};

/* Writes the marker atomically (mode 0600). Returns 0 or -errno. */
int rc_trip_marker_write(const char *state_dir, struct rc_trip_record *r);
/* Returns 0 and fills r, RC_ENOTFOUND when there is no marker, RC_EMALFORMED
 * or -errno when one exists but cannot be read (still a reason to refuse). */
int rc_trip_marker_read(const char *state_dir, struct rc_trip_record *r);
/* The marker's text (the file may have been edited or damaged: bounded,
 * never trusted). Returns 0, RC_EMALFORMED (no cause) or RC_ETOOBIG. */
int rc_trip_marker_parse(const uint8_t *buf, size_t len,
                         struct rc_trip_record *r);
int rc_trip_marker_remove(const char *state_dir);
int rc_trip_marker_path(const char *state_dir, char *out, size_t cap);

/* Appends {"time":..., "event":event, k1:v1, ...} and fsyncs. kv holds
 * nkv key/value string pairs (2*nkv pointers). Returns 0 or -errno. */
int rc_node_audit_append(const char *state_dir, const char *event,
                    const char *const *kv, size_t nkv);

/* The record as audit key/value pairs, for rc_node_audit_append. */
size_t rc_trip_record_kv(const struct rc_trip_record *r, const char **kv,
                         size_t cap_pairs, char *ms_buf, size_t ms_cap);

/* Formats unix_ms as "2026-11-23T12:34:56.789Z". */
void rc_time_iso8601(uint64_t unix_ms, char *out, size_t cap);

#endif
