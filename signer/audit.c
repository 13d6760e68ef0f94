/* Hash-chained JSON-lines audit log (format in signer/include/ringca/audit.h). */
#include "ringca/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "ringca/error.h"
#include "ringca/fileio.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"
#define HEAD_MAX 256u

/* Open-addressing set of request ids: lookups at every request. */
struct idset {
  uint8_t (*slots)[RC_REQUEST_ID_LEN];
  uint8_t *used;
  size_t cap, n;
};

struct rc_audit {
  int fd;
  char path[4096], head_path[4200];
  int64_t seq;      /* of the last line, -1 when empty */
  char last[65];    /* hash of the last line */
  struct idset ids;
};

static size_t id_slot(const struct idset *s, const uint8_t *id) {
  uint64_t h;
  memcpy(&h, id, sizeof h); /* ids are random: any 8 bytes hash well */
  size_t i = (size_t)h & (s->cap - 1);
  while (s->used[i] && memcmp(s->slots[i], id, RC_REQUEST_ID_LEN) != 0)
    i = (i + 1) & (s->cap - 1);
  return i;
}

static int id_add(struct idset *s, const uint8_t *id) {
  if (2 * (s->n + 1) > s->cap) {
    struct idset g = {NULL, NULL, s->cap ? 2 * s->cap : 64, 0};
    g.slots = calloc(g.cap, sizeof *g.slots);
    g.used = calloc(g.cap, 1);
    if (!g.slots || !g.used) {
      free(g.slots);
      free(g.used);
      return RC_ENOMEM;
    }
    for (size_t i = 0; i < s->cap; i++)
      if (s->used[i]) {
        size_t j = id_slot(&g, s->slots[i]);
        memcpy(g.slots[j], s->slots[i], RC_REQUEST_ID_LEN);
        g.used[j] = 1;
        g.n++;
      }
    free(s->slots);
    free(s->used);
    *s = g;
  }
  size_t i = id_slot(s, id);
  if (!s->used[i]) {
    memcpy(s->slots[i], id, RC_REQUEST_ID_LEN);
    s->used[i] = 1;
    s->n++;
  }
  return 0;
}

static void sha256_hex(const void *data, size_t len, char out[65]) {
  unsigned char md[32];
  unsigned int n = 0;
  EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
  for (unsigned i = 0; i < 32; i++)
    snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static bool is_hex(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return false;
  return true;
}

static int hex_to_id(const char *s, uint8_t *id) {
  for (size_t i = 0; i < RC_REQUEST_ID_LEN; i++) {
    unsigned v;
    if (sscanf(s + 2 * i, "%2x", &v) != 1)
      return RC_EMALFORMED;
    id[i] = (uint8_t)v;
  }
  return 0;
}

/* Checks one line (without its newline) against the chain so far. */
static const char *check_line(const char *line, size_t len, int64_t want_seq,
                              const char *prev, uint8_t *id) {
  static const char p_seq[] = "{\"seq\":", p_prev[] = ",\"prev\":\"",
                    p_id[] = "\",\"request_id\":\"";
  char num[24];
  if (len < 2 || line[len - 1] != '}' || strncmp(line, p_seq, 7) != 0)
    return "not an audit record";
  size_t i = 7, d = 0;
  while (i < len && line[i] >= '0' && line[i] <= '9' && d < 20)
    num[d++] = line[i++];
  num[d] = 0;
  if (d == 0 || strtoll(num, NULL, 10) != want_seq)
    return "sequence number out of order (a line was deleted, inserted or "
           "moved)";
  if (len < i + 8 + 64 + 16 + 32 || strncmp(line + i, p_prev, 9) != 0 ||
      !is_hex(line + i + 9, 64))
    return "missing or malformed \"prev\" hash";
  if (strncmp(line + i + 9, prev, 64) != 0)
    return "\"prev\" does not match the previous line (a line was edited, "
           "deleted or reordered)";
  i += 9 + 64;
  if (strncmp(line + i, p_id, 16) != 0 || !is_hex(line + i + 16, 32) ||
      hex_to_id(line + i + 16, id) != 0)
    return "missing or malformed \"request_id\"";
  for (size_t j = 0; j < len; j++)
    if ((unsigned char)line[j] < 0x20)
      return "control character inside a record";
  return NULL;
}

struct walk {
  int64_t seq;
  char last[65];
  size_t good_end; /* byte offset just after the last complete line */
  bool torn;       /* bytes after good_end without a newline */
};

/* Walks the whole file; calls back with each record's id. */
static int walk_log(FILE *f, const char *path, struct walk *w,
                    struct idset *ids, char *err, size_t errlen) {
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  int rc = 0;
  w->seq = -1;
  memcpy(w->last, ZERO_HASH, 65);
  w->good_end = 0;
  w->torn = false;
  while ((n = getline(&line, &cap, f)) > 0) {
    if (line[n - 1] != '\n') {
      w->torn = true;
      break;
    }
    size_t len = (size_t)n - 1;
    uint8_t id[RC_REQUEST_ID_LEN];
    const char *bad = len > RC_AUDIT_LINE_MAX ? "line too long"
                                              : check_line(line, len,
                                                           w->seq + 1,
                                                           w->last, id);
    if (bad) {
      snprintf(err, errlen, "%s:%" PRId64 ": %s", path, w->seq + 2, bad);
      rc = RC_EMALFORMED;
      break;
    }
    if (ids && (rc = id_add(ids, id)) != 0)
      break;
    sha256_hex(line, len, w->last);
    w->seq++;
    w->good_end += (size_t)n;
  }
  free(line);
  return rc;
}

static int check_head(const char *head_path, const char *log_path,
                      FILE *f, const struct walk *w, char *err,
                      size_t errlen) {
  uint8_t *buf;
  size_t len;
  int e = rc_file_read(head_path, HEAD_MAX, &buf, &len);
  if (e == -ENOENT)
    return 0;
  if (e) {
    snprintf(err, errlen, "%s: %s", head_path, strerror(-e));
    return RC_EIO;
  }
  long long seq = -2;
  char hash[65] = "";
  int ok = sscanf((const char *)buf, "{\"seq\":%lld,\"sha256\":\"%64[0-9a-f]\"}",
                  &seq, hash) == 2 && strlen(hash) == 64;
  free(buf);
  if (!ok) {
    snprintf(err, errlen, "%s: not a head record", head_path);
    return RC_EMALFORMED;
  }
  if (seq > w->seq) {
    snprintf(err, errlen, "%s: log ends at record %" PRId64 " but the head "
             "file says %lld: the tail was truncated", log_path, w->seq, seq);
    return RC_EMALFORMED;
  }
  if (seq < 0)
    return 0;
  /* Re-walk to the head's record to compare its hash (the head may lag by
   * one line after a crash between the append and the head update). */
  rewind(f);
  char *line = NULL;
  size_t cap = 0;
  ssize_t n = 0;
  for (long long i = 0; i <= seq; i++)
    n = getline(&line, &cap, f);
  char got[65];
  sha256_hex(line, n > 0 ? (size_t)n - 1 : 0, got);
  free(line);
  if (strcmp(got, hash) != 0) {
    snprintf(err, errlen, "%s:%lld: record does not match the head file %s",
             log_path, seq + 1, head_path);
    return RC_EMALFORMED;
  }
  return 0;
}

int rc_audit_verify(const char *path, const char *head_path, size_t *lines,
                    char *err, size_t errlen) {
  char hp[4200];
  if (!head_path) {
    snprintf(hp, sizeof hp, "%s.head", path);
    head_path = hp;
  }
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return RC_EIO;
  }
  struct walk w;
  int rc = walk_log(f, path, &w, NULL, err, errlen);
  if (rc == 0 && w.torn) {
    snprintf(err, errlen, "%s:%" PRId64 ": incomplete last record (a crash "
             "during an append, or a cut)", path, w.seq + 2);
    rc = RC_EMALFORMED;
  }
  if (rc == 0)
    rc = check_head(head_path, path, f, &w, err, errlen);
  fclose(f);
  if (rc == 0 && lines)
    *lines = (size_t)(w.seq + 1);
  return rc;
}

int rc_audit_open(const char *path, struct rc_audit **out, size_t *repaired,
                  char *err, size_t errlen) {
  struct rc_audit *a = calloc(1, sizeof *a);
  *out = NULL;
  *repaired = 0;
  if (!a)
    return RC_ENOMEM;
  snprintf(a->path, sizeof a->path, "%s", path);
  snprintf(a->head_path, sizeof a->head_path, "%s.head", path);
  a->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  FILE *f = a->fd >= 0 ? fdopen(dup(a->fd), "r") : NULL;
  if (!f) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    if (a->fd >= 0)
      close(a->fd);
    free(a);
    return RC_EIO;
  }
  struct walk w;
  int rc = walk_log(f, path, &w, &a->ids, err, errlen);
  if (rc == 0)
    rc = check_head(a->head_path, path, f, &w, err, errlen);
  fclose(f);
  if (rc == 0 && w.torn) {
    struct stat st;
    if (fstat(a->fd, &st) == 0)
      *repaired = (size_t)st.st_size - w.good_end;
    if (ftruncate(a->fd, (off_t)w.good_end) != 0 || fsync(a->fd) != 0)
      rc = RC_EIO;
  }
  if (rc) {
    rc_audit_close(a);
    return rc;
  }
  a->seq = w.seq;
  memcpy(a->last, w.last, 65);
  *out = a;
  return 0;
}

bool rc_audit_has(const struct rc_audit *a, const uint8_t *request_id) {
  return a->ids.cap && a->ids.used[id_slot(&a->ids, request_id)];
}

/* JSON string body: quotes, backslashes and every byte outside printable
 * ASCII escaped, so a hostile subject cannot forge a record. */
static void json_str(char *out, size_t cap, size_t *off, const char *s) {
  static const char hex[] = "0123456789abcdef";
  for (; s && *s && *off + 8 < cap; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      out[(*off)++] = '\\';
      out[(*off)++] = (char)c;
    } else if (c < 0x20 || c >= 0x7f) {
      memcpy(out + *off, "\\u00", 4);
      out[*off + 4] = hex[c >> 4];
      out[*off + 5] = hex[c & 15];
      *off += 6;
    } else {
      out[(*off)++] = (char)c;
    }
  }
}

static void json_field(char *out, size_t cap, size_t *off, const char *key,
                       const char *val) {
  if (!val)
    return;
  int n = snprintf(out + *off, cap - *off, ",\"%s\":\"", key);
  if (n < 0 || (size_t)n >= cap - *off)
    return;
  *off += (size_t)n;
  json_str(out, cap, off, val);
  if (*off + 1 < cap)
    out[(*off)++] = '"';
}

static int write_head(struct rc_audit *a) {
  char buf[HEAD_MAX];
  int n = snprintf(buf, sizeof buf, "{\"seq\":%" PRId64 ",\"sha256\":\"%s\"}\n",
                   a->seq, a->last);
  int e = rc_file_write_atomic(a->head_path, buf, (size_t)n, 0640);
  return e ? RC_EIO : 0;
}

int rc_audit_append(struct rc_audit *a, const struct rc_audit_event *ev) {
  char line[RC_AUDIT_LINE_MAX + 1], idhex[33];
  for (size_t i = 0; i < RC_REQUEST_ID_LEN; i++)
    snprintf(idhex + 2 * i, 3, "%02x", ev->request_id[i]);
  int n = snprintf(line, sizeof line,
                   "{\"seq\":%" PRId64 ",\"prev\":\"%s\",\"request_id\":\"%s\""
                   ",\"time_ms\":%" PRIu64,
                   a->seq + 1, a->last, idhex, ev->time_ms);
  size_t off = (size_t)n;
  json_field(line, sizeof line - 2, &off, "event", ev->event);
  json_field(line, sizeof line - 2, &off, "origin", ev->origin);
  json_field(line, sizeof line - 2, &off, "profile", ev->profile);
  json_field(line, sizeof line - 2, &off, "serial", ev->serial_hex);
  json_field(line, sizeof line - 2, &off, "sha256", ev->fingerprint);
  json_field(line, sizeof line - 2, &off, "subject", ev->subject);
  json_field(line, sizeof line - 2, &off, "reason", ev->reason);
  json_field(line, sizeof line - 2, &off, "message", ev->message);
  if (ev->recovered)
    json_field(line, sizeof line - 2, &off, "note", "recorded after restart");
  line[off++] = '}';
  char hash[65];
  sha256_hex(line, off, hash);
  line[off++] = '\n';
  /* One write of the whole line: a crash leaves a torn tail at worst,
   * which rc_audit_open cuts off (the request is then re-audited). */
  ssize_t w = write(a->fd, line, off);
  if (w != (ssize_t)off || fsync(a->fd) != 0)
    return RC_EIO;
  int rc = id_add(&a->ids, ev->request_id);
  if (rc)
    return rc;
  a->seq++;
  memcpy(a->last, hash, 65);
  return write_head(a);
}

void rc_audit_head(const struct rc_audit *a, int64_t *seq, char hash[65]) {
  *seq = a->seq;
  memcpy(hash, a->last, 65);
}

void rc_audit_close(struct rc_audit *a) {
  if (!a)
    return;
  if (a->fd >= 0)
    close(a->fd);
  free(a->ids.slots);
  free(a->ids.used);
  free(a);
}
