/* ringca-ceremony internals: the root creation ceremony of
 * seeds/004_07c1e437d6620ee9.txt, run from files in one ceremony directory
 * so every step can be carried between offline machines on USB sticks.
 *
 * Functions return 0 or a negative RC_E* code; on failure they write a
 * sentence naming the file, participant or field into err (the caller
 * prints it).  The prototypes are grouped by file, so this header reads as a
 * map of the program. */
#ifndef RINGCA_CEREMONY_H
#define RINGCA_CEREMONY_H
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ringca/rng.h"

#define CER_ERR_MAX 512
#define CER_ID_MAX 64           /* ceremony id, [A-Za-z0-9._-] */
#define CER_NAME_MAX 32         /* participant name, [A-Za-z0-9._-] */
#define CER_PARTICIPANTS_MAX 32
#define CER_SUBJECT_MAX 512
#define CER_PLAN_FILE_MAX (64u * 1024u)
#define CER_BLOCK_MIN 32u       /* bytes of a participant's random block */
#define CER_BLOCK_MAX (1u << 20)
#define CER_MIN_PARTICIPANTS 3  /* the seed: "for any root, 3 is minimum" */
#define CER_DAYS_MAX 36525
#define CER_SECRET_LEN 32       /* the escrow key: AES-256 */
#define CER_SHARE_FILE_MAX 4096u
#define CER_JOURNAL_MAX 256     /* records */
#define CER_LINE_MAX 1024
#define CER_FIELDS_MAX 16

/* Files inside a ceremony directory. */
#define CER_F_PLAN "plan.yaml"
#define CER_F_SOFTWARE "software.txt"
#define CER_F_JOURNAL "journal.txt"
#define CER_F_CERT "cert.pem"
#define CER_F_ISSUER "issuer.pem"
#define CER_F_PUBKEY "pubkey.pem"
#define CER_F_ESCROW "escrow.enc"
#define CER_D_REVEAL "reveal"
#define CER_D_SHARES "shares"
#define CER_F_TRANSCRIPT_MD "transcript.md"
#define CER_F_TRANSCRIPT_JSON "transcript.json"

enum cer_kind { CER_KIND_ROOT, CER_KIND_SUBROOT };
enum cer_profile { CER_PROFILE_NONE, CER_PROFILE_CLIENT, CER_PROFILE_SERVER };
enum cer_role { CER_ROLE_BOARD, CER_ROLE_SYSADMIN, CER_ROLE_OBSERVER };

struct cer_participant {
  char name[CER_NAME_MAX + 1];
  enum cer_role role;
  int escrow; /* holds an escrow share */
};

struct cer_plan {
  char id[CER_ID_MAX + 1];
  enum cer_kind kind;
  enum cer_profile profile;
  char key_type[16];
  char subject[CER_SUBJECT_MAX + 1];
  long days;
  unsigned threshold; /* k of the k-of-n escrow split */
  unsigned n;
  struct cer_participant p[CER_PARTICIPANTS_MAX];
};

/* One journal record: "seq=N step=S k=v ... prev=H hash=H". */
struct cer_record {
  char line[CER_LINE_MAX];
  unsigned nf;
  uint16_t key[CER_FIELDS_MAX], val[CER_FIELDS_MAX]; /* offsets into line */
  unsigned lineno;
};

struct cer_journal {
  unsigned n;
  struct cer_record rec[CER_JOURNAL_MAX];
  char head[65]; /* hash of the last record ("0"*64 when empty) */
};

struct cer_share {
  char id[CER_ID_MAX + 1];
  char holder[CER_NAME_MAX + 1];
  unsigned x, k, n;
  uint8_t y[CER_SECRET_LEN];
};

/* util.c */
int cer_valid_token(const char *s, size_t max);
void cer_hex(const uint8_t *in, size_t len, char *out);
int cer_unhex(const char *in, uint8_t *out, size_t len);
int cer_path(char *out, size_t cap, const char *dir, const char *name);
int cer_sha256_file(const char *path, char out[65], char *err);
int cer_self_sha256(char out[65], char *err);
int cer_exists(const char *path);
const char *cer_role_name(enum cer_role r);
const char *cer_kind_name(enum cer_kind k);
const char *cer_profile_name(enum cer_profile p);
void cer_errf(char *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* plan.c */
int cer_plan_parse(const char *fname, const uint8_t *buf, size_t len,
                   struct cer_plan *out, char *err);
int cer_plan_load(const char *dir, struct cer_plan *out, char *err);
int cer_plan_find(const struct cer_plan *plan, const char *name);
int cer_plan_open(const char *dir, struct cer_plan *plan,
                  struct cer_journal *j, int same_binary, char *err);
int cer_cmd_plan(const char *dir, const char *plan_path, char *err);

/* journal.c */
int cer_journal_parse(const char *fname, const uint8_t *buf, size_t len,
                      struct cer_journal *j, char *err);
int cer_journal_load(const char *dir, struct cer_journal *j, char *err);
int cer_journal_append(const char *dir, const char *fields, char *err);
const char *cer_rec_get(const struct cer_record *r, const char *key);
/* Like cer_rec_get, "" when absent (for comparisons). */
const char *cer_rec_str(const struct cer_record *r, const char *key);
const struct cer_record *cer_journal_find(const struct cer_journal *j,
                                          const char *step, const char *name);

/* entropy.c */
void cer_commitment(const char *id, const char *name, const uint8_t *block,
                    size_t len, char out[65]);
int cer_read_block(const char *path, uint8_t **block, size_t *len, char *err);
int cer_mix_into_rand(const char *dir, const struct cer_plan *plan,
                      char mix_hash[65], char *err);

/* commit.c */
int cer_cmd_commitment(const char *id, const char *name, const char *block,
                       char *err);
int cer_cmd_commit(const char *dir, const char *name, const char *block,
                   const char *hash, char *err);

/* reveal.c */
int cer_cmd_reveal(const char *dir, const char *name, const char *block,
                   char *err);
int cer_check_reveals(const char *dir, const struct cer_plan *plan,
                      const struct cer_journal *j, char *err);

/* shamir.c: Shamir's secret sharing of a CER_SECRET_LEN-byte secret over
 * GF(2^256), compatible with Debian's ssss (-x -D); share x is 1..n. */
void cer_gf2n_mul(uint8_t out[CER_SECRET_LEN], const uint8_t a[CER_SECRET_LEN],
                  const uint8_t b[CER_SECRET_LEN]);
void cer_gf2n_inv(uint8_t out[CER_SECRET_LEN],
                  const uint8_t a[CER_SECRET_LEN]);
int cer_shamir_split(const uint8_t *secret, unsigned k, unsigned n,
                     uint8_t *ys, const struct rc_rng *rng);
int cer_shamir_combine(unsigned m, unsigned k, const uint8_t *xs,
                       const uint8_t *ys, uint8_t *secret);

/* share.c */
int cer_share_format(const struct cer_share *s, char *out, size_t cap);
int cer_share_parse(const char *fname, const uint8_t *buf, size_t len,
                    struct cer_share *out, char *err);
int cer_share_load(const char *path, struct cer_share *out, char *err);
int cer_cmd_share_check(int nfiles, char **files, char *err);

/* escrow.c */
int cer_escrow_create(const char *dir, const struct cer_plan *plan,
                      EVP_PKEY *key, char *err);
int cer_escrow_recover(const char *dir, const struct cer_plan *plan,
                       int nshares, char **shares, EVP_PKEY **out, char *err);
int cer_cmd_recover(const char *dir, int nshares, char **shares,
                    const char *out, const char *passfile, char *err);

/* cert.c */
X509_NAME *cer_subject_parse(const char *s);
int cer_keygen(const char *key_type, EVP_PKEY **out, char *err);
int cer_cert_build(const struct cer_plan *plan, EVP_PKEY *key,
                   X509 *issuer, EVP_PKEY *issuer_key, X509 **out, char *err);
int cer_key_matches_cert(EVP_PKEY *key, X509 *cert);
int cer_pubkey_sha256(EVP_PKEY *key, char out[65]);

/* generate.c */
int cer_cmd_generate(const char *dir, const char *top_dir, int nshares,
                     char **shares, char *err);

/* transcript.c */
int cer_transcript_render(const char *dir, char **md, char **json, char *err);
int cer_cmd_transcript(const char *dir, char *err);

/* verify.c */
/* scrubbed: the reveal blocks were destroyed with the machine (the record
 * copy an auditor holds); commitments are then checked for order only. */
int cer_cmd_verify(const char *dir, int nshares, char **shares,
                   const char *head, int scrubbed, char *err);

/* checklist.c */
int cer_cmd_checklist(const char *dir, char *err);

#endif
