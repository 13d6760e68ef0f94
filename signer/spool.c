/* The spool state machine (layout in request/include/ringca/spool.h).
 *
 * Per request, in this order, each step durable before the next:
 *   1 rename incoming/X -> processing/X            ("claimed")
 *   2 decide: sign or refuse (in memory only)      ("signed")
 *   3 write done/ID.reply                          ("done-written")
 *   4 append the audit record                      ("audited")
 *   5 write outgoing/ID.reply                      ("outgoing-written")
 *   6 unlink processing/X                          ("finished")
 * A certificate exists outside this process only from step 3 on, and step 3
 * happens once per id: any later run that finds done/ID.reply answers with it
 * (and completes steps 4-6 if a crash cut them short). A crash before step 3
 * loses only an in-memory certificate nobody has seen. */
#include "ringca/spool_signer.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "ringca/error.h"
#include "ringca/fileio.h"
#include "ringca/limits.h"
#include "ringca/log.h"
#include "ringca/pb.h"
#include "ringca/x509util.h"

#define SPOOL_FILE_MODE 0640
/* Names taken per directory and pass: a flood of files in incoming/ costs
 * the signer bounded memory; the rest waits for the next pass. */
#define SPOOL_BATCH_MAX 4096u

/* Reads a request file planted by another user: no symlinks (it could point
 * at a key), only a regular file with one link (no hard link to a file the
 * signer may read), bounded. Returns 0, -EFBIG, -EPERM or another -errno. */
static int read_request_file(const char *path, uint8_t **out, size_t *len) {
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return errno == ELOOP ? -EPERM : -errno;
  struct stat st;
  int rc = 0;
  if (fstat(fd, &st) != 0)
    rc = -errno;
  else if (!S_ISREG(st.st_mode) || st.st_nlink != 1)
    rc = -EPERM;
  else if ((uintmax_t)st.st_size > RC_SPOOL_FILE_MAX)
    rc = -EFBIG;
  size_t size = rc == 0 ? (size_t)st.st_size : 0, used = 0;
  uint8_t *buf = rc == 0 ? malloc(size + 1) : NULL;
  if (rc == 0 && !buf)
    rc = -ENOMEM;
  while (rc == 0 && used < size) {
    ssize_t n = read(fd, buf + used, size - used);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      rc = n < 0 ? -errno : -EIO;
      break;
    }
    used += (size_t)n;
  }
  close(fd);
  if (rc) {
    free(buf);
    return rc;
  }
  *out = buf;
  *len = used;
  return 0;
}

static void crash(const struct rc_spool_signer *s, const char *step) {
  if (s->crash_point)
    s->crash_point(step, s->crash_ctx);
}

static int parse_name(const char *name, uint8_t *id) {
  static const char ext[] = ".req";
  if (strlen(name) != 2 * RC_REQUEST_ID_LEN + sizeof ext - 1 ||
      strcmp(name + 2 * RC_REQUEST_ID_LEN, ext) != 0)
    return RC_EMALFORMED;
  for (size_t i = 0; i < RC_REQUEST_ID_LEN; i++) {
    unsigned v;
    char two[3] = {name[2 * i], name[2 * i + 1], 0};
    if (!strchr("0123456789abcdef", two[0]) ||
        !strchr("0123456789abcdef", two[1]) || sscanf(two, "%2x", &v) != 1)
      return RC_EMALFORMED;
    id[i] = (uint8_t)v;
  }
  return 0;
}

/* What the audit record and the log line say about an outcome. */
static int audit_outcome(const struct rc_spool_signer *s, const uint8_t *id,
                         const Ringca__SpoolReply *rep, const char *origin,
                         const char *profile, bool recovered) {
  struct rc_audit_event ev = {.request_id = id, .origin = origin,
                              .profile = profile, .recovered = recovered,
                              .time_ms = s->now_ms(s->clock_ctx)};
  char serial[41] = "", fp[65] = "", subject[256] = "", idhex[33];
  rc_request_id_hex(id, idhex);
  if (rep->outcome_case == RINGCA__SPOOL_REPLY__OUTCOME_REPLY) {
    const unsigned char *p = rep->reply->certificate_der.data;
    X509 *cert = d2i_X509(NULL, &p, (long)rep->reply->certificate_der.len);
    int rc = cert ? rc_x509_describe(cert, serial, subject) : RC_ECRYPTO;
    if (rc == 0)
      rc = rc_x509_fingerprint(cert, fp);
    X509_free(cert);
    if (rc)
      return rc;
    ev.event = "issue";
    ev.serial_hex = serial;
    ev.fingerprint = fp;
    ev.subject = subject;
    rc_log_info("request %s from %s: issued %s serial %s (%s)", idhex,
                origin ? origin : "?", profile ? profile : "?", serial,
                subject);
  } else {
    ev.event = "refuse";
    ev.reason = rc_refusal_name(rep->refusal->reason);
    ev.message = rep->refusal->message;
    rc_log_info("request %s from %s: refused %s: %s", idhex,
                origin ? origin : "?", ev.reason, ev.message);
  }
  return rc_audit_append(s->audit, &ev);
}

static int write_file(const struct rc_spool_signer *s, const char *sub,
                      const char *idhex, const char *ext, const uint8_t *buf,
                      size_t len) {
  char path[4096];
  rc_spool_path(path, sizeof path, s->dir, sub, idhex, ext);
  int e = rc_file_write_atomic(path, buf, len, SPOOL_FILE_MODE);
  if (e)
    rc_log_warnx("%s: cannot write: %s", path, strerror(-e));
  return e ? RC_EIO : 0;
}

static int finish(const struct rc_spool_signer *s, const char *name,
                  const char *idhex, const uint8_t *reply, size_t reply_len) {
  char path[4096];
  int rc = write_file(s, "outgoing", idhex, ".reply", reply, reply_len);
  if (rc)
    return rc;
  crash(s, "outgoing-written");
  snprintf(path, sizeof path, "%s/processing/%s", s->dir, name);
  if (unlink(path) != 0 && errno != ENOENT) {
    /* Not a file (a directory planted under a request's name): move it
     * aside rather than stall every later pass on it. */
    char aside[4096];
    snprintf(aside, sizeof aside, "%s/failed/%s", s->dir, name);
    if (rename(path, aside) != 0)
      return RC_EIO;
  }
  snprintf(path, sizeof path, "%s/processing", s->dir);
  rc_dir_sync(path);
  crash(s, "finished");
  return 0;
}

/* done/ID.reply exists: answer again with it, completing what a crash may
 * have cut short. */
static int replay(const struct rc_spool_signer *s, const char *name,
                  const uint8_t *id, const char *idhex,
                  const uint8_t req_sha[32], const Ringca__SpoolRequest *req,
                  struct rc_spool_stats *st) {
  char path[4096];
  uint8_t *buf;
  size_t len;
  rc_spool_path(path, sizeof path, s->dir, "done", idhex, ".reply");
  int e = rc_file_read(path, RC_SPOOL_REPLY_MAX, &buf, &len);
  if (e) {
    rc_log_warnx("%s: cannot read: %s", path, strerror(-e));
    return RC_EIO;
  }
  Ringca__SpoolReply *rep;
  struct rc_wire_error werr = {0};
  int rc = rc_spool_decode_reply(buf, len, &rep, &werr);
  if (rc) {
    rc_log_warnx("%s: damaged (%s), not answering %s", path,
                 werr.field ? werr.field : "?", idhex);
    free(buf);
    return RC_EIO;
  }
  if (rep->request_sha256.len == 32 &&
      memcmp(rep->request_sha256.data, req_sha, 32) != 0)
    rc_log_warnx("request %s: id reused with different content; answering "
                 "with the stored reply", idhex);
  if (!rc_audit_has(s->audit, id))
    rc = audit_outcome(s, id, rep, req ? req->origin : NULL,
                       req && req->request ? req->request->profile : NULL,
                       true);
  if (rc == 0) {
    crash(s, "audited");
    rc = finish(s, name, idhex, buf, len);
  }
  rc_pb_free(&rep->base);
  free(buf);
  if (rc == 0)
    st->replayed++;
  return rc;
}

static void refuse_spool(struct rc_sign_result *res, Ringca__RefusalReason r,
                         const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void refuse_spool(struct rc_sign_result *res, Ringca__RefusalReason r,
                         const char *fmt, ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  rc_sign_result_refuse(res, r, msg);
}

/* Decides the outcome of a request never answered before. */
static int decide(const struct rc_spool_signer *s, const char *name,
                  const uint8_t *id, const uint8_t *buf, size_t len, int rd,
                  Ringca__SpoolRequest *req, const struct rc_wire_error *werr,
                  struct rc_sign_result *res) {
  uint64_t now = s->now_ms(s->clock_ctx);
  if (rd == -EPERM) {
    rc_log_warnx("request %s: not a plain file (symbolic or hard link?); "
                 "refused unread", name);
    refuse_spool(res, RINGCA__REFUSAL_REASON__REFUSAL_MALFORMED_CSR,
                 "spool file: not a regular file with a single link");
    return 0;
  }
  if (rd == -EFBIG) {
    refuse_spool(res, RINGCA__REFUSAL_REASON__REFUSAL_TOO_LARGE,
                 "spool file: larger than %u bytes", RC_SPOOL_FILE_MAX);
    return 0;
  }
  if (!req) {
    char path[4096];
    snprintf(path, sizeof path, "%s/failed/%s", s->dir, name);
    if (rc_file_write_atomic(path, buf, len, SPOOL_FILE_MODE) != 0)
      return RC_EIO;
    refuse_spool(res, RINGCA__REFUSAL_REASON__REFUSAL_MALFORMED_CSR,
                 "spool file: %s is malformed",
                 werr->field ? werr->field : "SpoolRequest");
    return 0;
  }
  if (memcmp(req->request_id.data, id, RC_REQUEST_ID_LEN) != 0) {
    refuse_spool(res, RINGCA__REFUSAL_REASON__REFUSAL_MALFORMED_CSR,
                 "spool file: %s does not match the file name",
                 "SpoolRequest.request_id");
    return 0;
  }
  if (req->deadline_unix_ms && now > req->deadline_unix_ms) {
    refuse_spool(res, RINGCA__REFUSAL_REASON__REFUSAL_DEADLINE,
                 "deadline_unix_ms: the request expired before the signer "
                 "reached it");
    return 0;
  }
  int rc = rc_signer_handle(s->policy, s->ca, req->request, now / 1000,
                            s->rng, res);
  if (rc) {
    rc_log_warnx("request %s: internal error: %s", name, rc_strerror(rc));
    refuse_spool(res, RINGCA__REFUSAL_REASON__REFUSAL_INTERNAL,
                 "signer: internal error (%s)", rc_strerror(rc));
  }
  return 0;
}

static int handle(const struct rc_spool_signer *s, const char *name,
                  struct rc_spool_stats *st) {
  uint8_t id[RC_REQUEST_ID_LEN], req_sha[32];
  char idhex[33], path[4096];
  uint8_t *buf = NULL;
  size_t len = 0;
  if (parse_name(name, id) != 0)
    return 0;
  rc_request_id_hex(id, idhex);
  snprintf(path, sizeof path, "%s/processing/%s", s->dir, name);
  int rd = read_request_file(path, &buf, &len);
  if (rd == -ENOENT)
    return 0;
  if (rd && rd != -EFBIG && rd != -EPERM)
    return RC_EIO;
  EVP_Digest(buf ? buf : (uint8_t *)"", len, req_sha, NULL, EVP_sha256(),
             NULL);
  Ringca__SpoolRequest *req = NULL;
  struct rc_wire_error werr = {0};
  if (rd == 0)
    rc_spool_decode_request(buf, len, &req, &werr);
  int rc;
  rc_spool_path(path, sizeof path, s->dir, "done", idhex, ".reply");
  if (access(path, F_OK) == 0) {
    rc = replay(s, name, id, idhex, req_sha, req, st);
    goto out;
  }
  struct rc_sign_result res;
  memset(&res, 0, sizeof res);
  if ((rc = decide(s, name, id, buf, len, rd, req, &werr, &res)) != 0)
    goto out;
  crash(s, "signed");
  Ringca__SpoolReply rep = RINGCA__SPOOL_REPLY__INIT;
  rep.version = RC_WIRE_VERSION;
  rep.request_id.data = id;
  rep.request_id.len = RC_REQUEST_ID_LEN;
  rep.request_sha256.data = req_sha;
  rep.request_sha256.len = 32;
  if (res.refused) {
    rep.outcome_case = RINGCA__SPOOL_REPLY__OUTCOME_REFUSAL;
    rep.refusal = &res.refusal_msg;
  } else {
    rep.outcome_case = RINGCA__SPOOL_REPLY__OUTCOME_REPLY;
    rep.reply = &res.reply;
  }
  uint8_t *out;
  size_t out_len;
  if ((rc = rc_pb_pack(&rep.base, &out, &out_len)) == 0) {
    rc = write_file(s, "done", idhex, ".reply", out, out_len);
    if (rc == 0) {
      crash(s, "done-written");
      rc = audit_outcome(s, id, &rep, req ? req->origin : NULL,
                         req ? req->request->profile : NULL, false);
    }
    if (rc == 0) {
      crash(s, "audited");
      rc = finish(s, name, idhex, out, out_len);
    }
    free(out);
  }
  if (rc == 0)
    *(res.refused ? &st->refused : &st->issued) += 1;
  rc_sign_result_free(&res);
out:
  if (req)
    rc_pb_free(&req->base);
  free(buf);
  return rc;
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names in sub/ that look like requests, sorted (oldest ids are not
 * special, but a fixed order makes runs reproducible). */
static int list_dir(const char *dir, const char *sub, char ***names,
                    size_t *n) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, sub);
  DIR *d = opendir(path);
  *names = NULL;
  *n = 0;
  if (!d)
    return RC_EIO;
  size_t cap = 0;
  struct dirent *e;
  int rc = 0;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.' || strstr(e->d_name, ".tmp."))
      continue; /* temporaries of a writer that is busy or crashed */
    if (*n == SPOOL_BATCH_MAX)
      break;
    if (*n == cap) {
      cap = cap ? 2 * cap : 32;
      char **g = realloc(*names, cap * sizeof *g);
      if (!g) {
        rc = RC_ENOMEM;
        break;
      }
      *names = g;
    }
    if (!((*names)[*n] = strdup(e->d_name))) {
      rc = RC_ENOMEM;
      break;
    }
    (*n)++;
  }
  closedir(d);
  if (*n)
    qsort(*names, *n, sizeof **names, cmp_names);
  return rc;
}

static void free_names(char **names, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
}

/* incoming/X -> processing/X, or failed/X for a name that is no request. */
static int claim(const struct rc_spool_signer *s, const char *name,
                 bool *claimed) {
  char from[4096], to[4096], dir[4096];
  uint8_t id[RC_REQUEST_ID_LEN];
  *claimed = parse_name(name, id) == 0;
  snprintf(from, sizeof from, "%s/incoming/%s", s->dir, name);
  snprintf(to, sizeof to, "%s/%s/%s", s->dir,
           *claimed ? "processing" : "failed", name);
  if (!*claimed)
    rc_log_warnx("%s: not a request file name, moved to failed/", from);
  if (rename(from, to) != 0)
    return errno == ENOENT ? 0 : RC_EIO;
  snprintf(dir, sizeof dir, "%s/%s", s->dir, *claimed ? "processing" : "failed");
  if (rc_dir_sync(dir) != 0)
    return RC_EIO;
  snprintf(dir, sizeof dir, "%s/incoming", s->dir);
  return rc_dir_sync(dir) == 0 ? 0 : RC_EIO;
}

int rc_spool_run_once(const struct rc_spool_signer *s,
                      struct rc_spool_stats *st) {
  char **names;
  size_t n;
  memset(st, 0, sizeof *st);
  int rc = list_dir(s->dir, "processing", &names, &n);
  for (size_t i = 0; rc == 0 && i < n; i++)
    rc = handle(s, names[i], st);
  free_names(names, n);
  if (rc)
    return rc;
  rc = list_dir(s->dir, "incoming", &names, &n);
  for (size_t i = 0; rc == 0 && i < n; i++) {
    bool claimed;
    rc = claim(s, names[i], &claimed);
    if (rc == 0 && claimed) {
      crash(s, "claimed");
      rc = handle(s, names[i], st);
    }
  }
  free_names(names, n);
  return rc;
}
