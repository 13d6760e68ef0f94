/* commit: a participant binds themself to a random block before anyone has
 * revealed one (the seed's defence against an injection attack: nobody can
 * choose their block after seeing the others).  The block itself stays on
 * the participant's own USB stick; only the commitment enters the ceremony
 * machine.  `commitment` computes it on the participant's own laptop. */
#include "ceremony.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ringca/error.h"

int cer_cmd_commitment(const char *id, const char *name, const char *block,
                       char *err) {
  uint8_t *buf;
  size_t len;
  char c[65];
  if (!cer_valid_token(id, CER_ID_MAX) ||
      !cer_valid_token(name, CER_NAME_MAX)) {
    cer_errf(err, "ceremony id and name must be 1-%d of A-Z a-z 0-9 . _ -",
             CER_ID_MAX);
    return RC_EINVAL;
  }
  int rc = cer_read_block(block, &buf, &len, err);
  if (rc)
    return rc;
  cer_commitment(id, name, buf, len, c);
  OPENSSL_cleanse(buf, len);
  free(buf);
  printf("%s\n", c);
  return 0;
}

int cer_cmd_commit(const char *dir, const char *name, const char *block,
                   const char *hash, char *err) {
  struct cer_plan *plan = malloc(sizeof *plan);
  struct cer_journal *j = malloc(sizeof *j);
  char c[65], fields[CER_LINE_MAX];
  uint8_t raw[32];
  int rc = RC_ENOMEM;
  if (!plan || !j)
    goto out;
  if ((rc = cer_plan_open(dir, plan, j, 1, err)))
    goto out;
  rc = RC_EPOLICY;
  if (cer_plan_find(plan, name) < 0) {
    cer_errf(err, "'%s' is not a participant of ceremony %s", name, plan->id);
    goto out;
  }
  if (cer_journal_find(j, "reveal", NULL)) {
    cer_errf(err, "late commit: '%s' commits after reveals have begun; an "
                  "injection attack is possible, so the commitment is "
                  "refused",
             name);
    goto out;
  }
  if (cer_journal_find(j, "commit", name)) {
    cer_errf(err, "'%s' has already committed; a commitment cannot be "
                  "changed",
             name);
    goto out;
  }
  if (hash) {
    if (cer_unhex(hash, raw, sizeof raw)) {
      cer_errf(err, "--hash: expected 64 hex digits from `ringca-ceremony "
                    "commitment`");
      rc = RC_EINVAL;
      goto out;
    }
    cer_hex(raw, sizeof raw, c); /* lowercase, as the journal stores it */
  } else {
    uint8_t *buf;
    size_t len;
    if ((rc = cer_read_block(block, &buf, &len, err)))
      goto out;
    cer_commitment(plan->id, name, buf, len, c);
    OPENSSL_cleanse(buf, len);
    free(buf);
  }
  snprintf(fields, sizeof fields, "step=commit name=%s commitment=%s", name,
           c);
  if ((rc = cer_journal_append(dir, fields, err)) == 0)
    printf("%s committed: %s\n", name, c);
out:
  free(plan);
  free(j);
  return rc;
}
