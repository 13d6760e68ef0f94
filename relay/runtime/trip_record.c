#include "trip_record.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "ringca/error.h"
#include "ringca/fileio.h"

int rc_trip_marker_path(const char *state_dir, char *out, size_t cap) {
  int n = snprintf(out, cap, "%s/%s", state_dir, RC_TRIP_MARKER_NAME);
  return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

void rc_time_iso8601(uint64_t unix_ms, char *out, size_t cap) {
  time_t secs = (time_t)(unix_ms / 1000u);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char base[24];
  strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(out, cap, "%s.%03uZ", base, (unsigned)(unix_ms % 1000u));
}

/* Marker values are one line each: anything that could break the line
 * structure (or a terminal showing it) becomes '?'. */
static void put_value(FILE *f, const char *key, const char *v) {
  fprintf(f, "%s=", key);
  for (const unsigned char *p = (const unsigned char *)v; *p; p++)
    fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, f);
  fputc('\n', f);
}

int rc_trip_marker_write(const char *state_dir, struct rc_trip_record *r) {
  char path[4096];
  int rc = rc_trip_marker_path(state_dir, path, sizeof path);
  if (rc)
    return rc;
  rc_time_iso8601(r->unix_ms, r->time, sizeof r->time);
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f)
    return -ENOMEM;
  fprintf(f, "# ringca trip marker: this node refuses to start while it "
             "exists.\n# Read the audit log, then: ringca-ctl clear-trip\n");
  put_value(f, "node", r->node);
  put_value(f, "cause", r->cause);
  put_value(f, "ring", r->ring);
  put_value(f, "neighbour", r->neighbour);
  put_value(f, "evidence", r->evidence);
  put_value(f, "detail", r->detail);
  put_value(f, "time", r->time);
  fprintf(f, "unix_ms=%" PRIu64 "\n", r->unix_ms);
  if (fclose(f) != 0) {
    free(buf);
    return -ENOMEM;
  }
  rc = rc_file_write_atomic(path, buf, len, 0600);
  free(buf);
  return rc;
}

static void copy_field(char *dst, size_t cap, const char *v) {
  size_t n = strlen(v);
  if (n >= cap)
    n = cap - 1;
  memcpy(dst, v, n);
  dst[n] = '\0';
}

int rc_trip_marker_parse(const uint8_t *buf, size_t len,
                         struct rc_trip_record *r) {
  memset(r, 0, sizeof *r);
  if (len > RC_TRIP_MARKER_MAX)
    return RC_ETOOBIG;
  char text[RC_TRIP_MARKER_MAX + 1];
  memcpy(text, buf, len);
  text[len] = '\0';
  bool have_cause = false;
  char *save = NULL;
  for (char *line = strtok_r(text, "\n", &save); line;
       line = strtok_r(NULL, "\n", &save)) {
    char *eq = strchr(line, '=');
    if (line[0] == '#' || !eq)
      continue;
    *eq = '\0';
    const char *k = line, *v = eq + 1;
    if (!strcmp(k, "node"))
      copy_field(r->node, sizeof r->node, v);
    else if (!strcmp(k, "cause")) {
      copy_field(r->cause, sizeof r->cause, v);
      have_cause = v[0] != '\0';
    } else if (!strcmp(k, "ring"))
      copy_field(r->ring, sizeof r->ring, v);
    else if (!strcmp(k, "neighbour"))
      copy_field(r->neighbour, sizeof r->neighbour, v);
    else if (!strcmp(k, "evidence"))
      copy_field(r->evidence, sizeof r->evidence, v);
    else if (!strcmp(k, "detail"))
      copy_field(r->detail, sizeof r->detail, v);
    else if (!strcmp(k, "time"))
      copy_field(r->time, sizeof r->time, v);
    else if (!strcmp(k, "unix_ms"))
      r->unix_ms = strtoull(v, NULL, 10);
  }
  return have_cause ? 0 : RC_EMALFORMED;
}

int rc_trip_marker_read(const char *state_dir, struct rc_trip_record *r) {
  char path[4096];
  memset(r, 0, sizeof *r);
  int rc = rc_trip_marker_path(state_dir, path, sizeof path);
  if (rc)
    return rc;
  uint8_t *buf = NULL;
  size_t len = 0;
  rc = rc_file_read(path, RC_TRIP_MARKER_MAX, &buf, &len);
  if (rc == -ENOENT)
    return RC_ENOTFOUND;
  if (rc)
    return rc;
  rc = rc_trip_marker_parse(buf, len, r);
  free(buf);
  return rc;
}

int rc_trip_marker_remove(const char *state_dir) {
  char path[4096];
  int rc = rc_trip_marker_path(state_dir, path, sizeof path);
  if (rc)
    return rc;
  if (unlink(path) != 0)
    return -errno;
  return rc_dir_sync(state_dir);
}

static void json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    switch (*p) {
    case '"': fputs("\\\"", f); break;
    case '\\': fputs("\\\\", f); break;
    case '\n': fputs("\\n", f); break;
    case '\t': fputs("\\t", f); break;
    default:
      if (*p < 0x20 || *p == 0x7f)
        fprintf(f, "\\u%04x", *p);
      else
        fputc(*p, f);
    }
  }
  fputc('"', f);
}

int rc_node_audit_append(const char *state_dir, const char *event,
                    const char *const *kv, size_t nkv) {
  char path[4096];
  int n = snprintf(path, sizeof path, "%s/%s", state_dir, RC_AUDIT_LOG_NAME);
  if (n < 0 || (size_t)n >= sizeof path)
    return -ENAMETOOLONG;
  struct timeval tv;
  gettimeofday(&tv, NULL);
  char when[32];
  rc_time_iso8601((uint64_t)tv.tv_sec * 1000u + (uint64_t)tv.tv_usec / 1000u,
                  when, sizeof when);
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f)
    return -ENOMEM;
  fputs("{\"time\":", f);
  json_string(f, when);
  fputs(",\"event\":", f);
  json_string(f, event);
  for (size_t i = 0; i < nkv; i++) {
    fputc(',', f);
    json_string(f, kv[2 * i]);
    fputc(':', f);
    json_string(f, kv[2 * i + 1] ? kv[2 * i + 1] : "");
  }
  fputs("}\n", f);
  if (fclose(f) != 0) {
    free(buf);
    return -ENOMEM;
  }
  /* One write() of the whole line with O_APPEND: concurrent appenders
   * (node and ringca-ctl) never interleave inside a record. */
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  int rc = 0;
  if (fd < 0) {
    rc = -errno;
  } else {
    ssize_t w = write(fd, buf, len);
    if (w < 0 || (size_t)w != len)
      rc = w < 0 ? -errno : -EIO;
    else if (fsync(fd) != 0)
      rc = -errno;
    close(fd);
  }
  free(buf);
  return rc;
}

size_t rc_trip_record_kv(const struct rc_trip_record *r, const char **kv,
                         size_t cap_pairs, char *ms_buf, size_t ms_cap) {
  snprintf(ms_buf, ms_cap, "%" PRIu64, r->unix_ms);
  const char *pairs[] = {"node", r->node, "cause", r->cause,
                         "ring", r->ring, "neighbour", r->neighbour,
                         "evidence", r->evidence, "detail", r->detail,
                         "trip_time", r->time, "trip_unix_ms", ms_buf};
  size_t n = sizeof pairs / sizeof pairs[0] / 2;
  if (n > cap_pairs)
    n = cap_pairs;
  memcpy(kv, pairs, n * 2 * sizeof *kv);
  return n;
}
