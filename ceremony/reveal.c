/* reveal: once every participant has committed, each hands over their
 * block, which must hash to their commitment.  A block that does not match
 * aborts the reveal naming its owner: they either brought the wrong stick or
 * tried to pick their block after seeing others (the seed's injection
 * attack).  Blocks are kept 0600 for `verify` and scrubbed with the machine
 * at the end of the day. */
#include "ceremony.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ringca/error.h"
#include "ringca/fileio.h"

static int all_committed(const struct cer_plan *plan,
                         const struct cer_journal *j, char *err) {
  char missing[CER_ERR_MAX / 2] = "";
  size_t used = 0;
  unsigned n = 0;
  for (unsigned i = 0; i < plan->n; i++)
    if (!cer_journal_find(j, "commit", plan->p[i].name)) {
      int k = snprintf(missing + used, sizeof missing - used, "%s'%s'",
                       n ? ", " : "", plan->p[i].name);
      if (k > 0 && (size_t)k < sizeof missing - used)
        used += (size_t)k;
      n++;
    }
  if (n == 0)
    return 0;
  cer_errf(err, "reveal refused: %s %s not committed yet; every "
                "commitment must be in before anyone reveals",
           missing, n == 1 ? "has" : "have");
  return RC_ESTATE;
}

int cer_cmd_reveal(const char *dir, const char *name, const char *block,
                   char *err) {
  struct cer_plan *plan = malloc(sizeof *plan);
  struct cer_journal *j = malloc(sizeof *j);
  char c[65], path[PATH_MAX], rel[64 + CER_NAME_MAX], fields[CER_LINE_MAX];
  uint8_t *buf = NULL;
  size_t len = 0;
  int rc = RC_ENOMEM, e;
  if (!plan || !j)
    goto out;
  if ((rc = cer_plan_open(dir, plan, j, 1, err)))
    goto out;
  if (cer_plan_find(plan, name) < 0) {
    cer_errf(err, "'%s' is not a participant of ceremony %s", name, plan->id);
    rc = RC_EPOLICY;
    goto out;
  }
  if ((rc = all_committed(plan, j, err)))
    goto out;
  if (cer_journal_find(j, "reveal", name)) {
    cer_errf(err, "'%s' has already revealed", name);
    rc = RC_EEXIST;
    goto out;
  }
  if ((rc = cer_read_block(block, &buf, &len, err)))
    goto out;
  cer_commitment(plan->id, name, buf, len, c);
  const char *want = cer_rec_str(cer_journal_find(j, "commit", name),
                                 "commitment");
  if (strcmp(c, want) != 0) {
    cer_errf(err, "reveal mismatch: the block from '%s' (%s) does not match "
                  "their commitment %s; stop until the group has found out "
                  "why (wrong stick, or an injection attempt by '%s')",
             name, block, want, name);
    rc = RC_EAUTH;
    goto out;
  }
  snprintf(rel, sizeof rel, "%s", CER_D_REVEAL);
  if ((rc = cer_path(path, sizeof path, dir, rel)))
    goto out;
  if ((e = rc_mkdir_p(path, 0700)) != 0) {
    cer_errf(err, "%s: %s", path, strerror(-e));
    rc = RC_EIO;
    goto out;
  }
  snprintf(rel, sizeof rel, "%s/%s.block", CER_D_REVEAL, name);
  if ((rc = cer_path(path, sizeof path, dir, rel)))
    goto out;
  if ((e = rc_file_write_atomic(path, buf, len, 0600)) != 0) {
    cer_errf(err, "%s: %s", path, strerror(-e));
    rc = RC_EIO;
    goto out;
  }
  snprintf(fields, sizeof fields, "step=reveal name=%s bytes=%zu", name, len);
  if ((rc = cer_journal_append(dir, fields, err)) == 0)
    printf("%s revealed %zu bytes matching commitment %s\n", name, len, c);
out:
  if (buf) {
    OPENSSL_cleanse(buf, len);
    free(buf);
  }
  free(plan);
  free(j);
  return rc;
}

/* Every participant revealed, and every block on disk still matches its
 * commitment (generate and verify both insist). */
int cer_check_reveals(const char *dir, const struct cer_plan *plan,
                      const struct cer_journal *j, char *err) {
  for (unsigned i = 0; i < plan->n; i++) {
    const char *name = plan->p[i].name;
    const struct cer_record *c = cer_journal_find(j, "commit", name);
    char path[PATH_MAX], rel[64 + CER_NAME_MAX], h[65];
    uint8_t *buf;
    size_t len;
    if (!c) {
      cer_errf(err, "participant '%s' never committed", name);
      return RC_ESTATE;
    }
    if (!cer_journal_find(j, "reveal", name)) {
      cer_errf(err, "participant '%s' has not revealed their block", name);
      return RC_ESTATE;
    }
    snprintf(rel, sizeof rel, "%s/%s.block", CER_D_REVEAL, name);
    int rc = cer_path(path, sizeof path, dir, rel);
    if (rc || (rc = cer_read_block(path, &buf, &len, err)))
      return rc;
    cer_commitment(plan->id, name, buf, len, h);
    OPENSSL_cleanse(buf, len);
    free(buf);
    if (strcmp(h, cer_rec_str(c, "commitment"))) {
      cer_errf(err, "%s: block of '%s' no longer matches their commitment",
               path, name);
      return RC_EAUTH;
    }
  }
  return 0;
}
