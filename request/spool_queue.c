/* The requester's side of the spool (layout in request/include/ringca/spool.h): the
 * root node and ringca-submit put requests into incoming/ and take answers
 * from outgoing/. Nothing here opens a CA key or writes the audit log, so
 * relay-side binaries link this file and never the signer's state machine
 * (signer/spool.c). */
#include "ringca/spool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ringca/error.h"
#include "ringca/fileio.h"
#include "ringca/limits.h"
#include "ringca/pb.h"

/* Requests and replies are read by the other user through the shared group. */
#define SPOOL_QUEUE_FILE_MODE 0640

static const char *const subdirs[] = {"incoming", "processing", "done",
                                      "outgoing", "failed"};

int rc_spool_init(const char *dir) {
  char path[4096];
  for (size_t i = 0; i < 5; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, subdirs[i]);
    int rc = rc_mkdir_p(path, 0770);
    if (rc)
      return rc;
  }
  return 0;
}

void rc_spool_path(char *out, size_t cap, const char *dir, const char *sub,
                   const char *idhex, const char *ext) {
  snprintf(out, cap, "%s/%s/%s%s", dir, sub, idhex, ext);
}

int rc_spool_submit(const char *dir, const Ringca__SpoolRequest *req) {
  char idhex[33], path[4096];
  uint8_t *buf;
  size_t len;
  if (req->request_id.len != RC_REQUEST_ID_LEN)
    return RC_EINVAL;
  int rc = rc_pb_pack(&req->base, &buf, &len);
  if (rc)
    return rc;
  rc_request_id_hex(req->request_id.data, idhex);
  rc_spool_path(path, sizeof path, dir, "incoming", idhex, ".req");
  int e = rc_file_write_atomic(path, buf, len, SPOOL_QUEUE_FILE_MODE);
  free(buf);
  return e == 0 ? 0 : e == -ENOENT || e == -EACCES ? RC_ENOTFOUND : RC_EIO;
}

int rc_spool_take_reply(const char *dir, const uint8_t *id,
                        Ringca__SpoolReply **out) {
  char idhex[33], path[4096];
  uint8_t *buf;
  size_t len;
  *out = NULL;
  rc_request_id_hex(id, idhex);
  rc_spool_path(path, sizeof path, dir, "outgoing", idhex, ".reply");
  int e = rc_file_read(path, RC_SPOOL_REPLY_MAX, &buf, &len);
  if (e == -ENOENT)
    return RC_EAGAIN;
  if (e)
    return e == -EFBIG ? RC_ETOOBIG : RC_EIO;
  int rc = rc_spool_decode_reply(buf, len, out, NULL);
  free(buf);
  if (rc == 0 && memcmp((*out)->request_id.data, id, RC_REQUEST_ID_LEN)) {
    rc_pb_free(&(*out)->base);
    *out = NULL;
    rc = RC_EMALFORMED;
  }
  if (rc == 0 && unlink(path) == 0) {
    snprintf(path, sizeof path, "%s/outgoing", dir);
    rc_dir_sync(path);
  }
  return rc;
}

