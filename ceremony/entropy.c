/* Commitments to the participants' random blocks and the mix of all blocks
 * into OpenSSL's RNG.
 *
 * commitment = SHA-256("ringca-ceremony commit v1\0" || u32be(|id|) || id
 *                      || u32be(|name|) || name || u64be(|block|) || block)
 * The lengths make the encoding unambiguous; the id and name bind a
 * commitment to one person in one ceremony, so nobody can replay another
 * person's commitment or one from an earlier ceremony.
 *
 * mix = SHA-512("ringca-ceremony mix v1\0" || u32be(|id|) || id || for each
 *               participant in plan order: u32be(|name|) || name ||
 *               u64be(|block|) || block)
 * RAND_seed(mix) feeds the primary DRBG; then the private DRBG (the one key
 * generation draws from) is reseeded with prediction resistance and the mix
 * as additional input, so it pulls fresh OS entropy and the mix at once.
 * One honest participant or an honest OS RNG suffices for a good key. */
#include "ceremony.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ringca/error.h"
#include "ringca/fileio.h"

static void put_len(EVP_MD_CTX *ctx, uint64_t v, int bytes) {
  uint8_t b[8];
  for (int i = 0; i < bytes; i++)
    b[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
  EVP_DigestUpdate(ctx, b, (size_t)bytes);
}

static void put_str(EVP_MD_CTX *ctx, const char *s) {
  put_len(ctx, strlen(s), 4);
  EVP_DigestUpdate(ctx, s, strlen(s));
}

void cer_commitment(const char *id, const char *name, const uint8_t *block,
                    size_t len, char out[65]) {
  static const char domain[] = "ringca-ceremony commit v1";
  uint8_t md[32];
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
    abort();
  EVP_DigestUpdate(ctx, domain, sizeof domain); /* with its NUL */
  put_str(ctx, id);
  put_str(ctx, name);
  put_len(ctx, len, 8);
  EVP_DigestUpdate(ctx, block, len);
  if (EVP_DigestFinal_ex(ctx, md, NULL) != 1)
    abort();
  EVP_MD_CTX_free(ctx);
  cer_hex(md, 32, out);
}

int cer_read_block(const char *path, uint8_t **block, size_t *len,
                   char *err) {
  int e = rc_file_read(path, CER_BLOCK_MAX, block, len);
  if (e) {
    cer_errf(err, "%s: %s", path,
             e == -EFBIG ? "random block larger than 1 MiB" : strerror(-e));
    return e == -EFBIG    ? RC_ETOOBIG
           : e == -ENOENT ? RC_ENOTFOUND
                          : RC_EIO;
  }
  if (*len < CER_BLOCK_MIN) {
    cer_errf(err, "%s: random block of %zu bytes; at least %u are needed",
             path, *len, CER_BLOCK_MIN);
    OPENSSL_cleanse(*block, *len);
    free(*block);
    *block = NULL;
    return RC_EINVAL;
  }
  return 0;
}

int cer_mix_into_rand(const char *dir, const struct cer_plan *plan,
                      char mix_hash[65], char *err) {
  static const char domain[] = "ringca-ceremony mix v1";
  uint8_t mix[64], mh[32];
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  int rc = 0;
  if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha512(), NULL) != 1) {
    EVP_MD_CTX_free(ctx);
    return RC_ECRYPTO;
  }
  EVP_DigestUpdate(ctx, domain, sizeof domain);
  put_str(ctx, plan->id);
  for (unsigned i = 0; i < plan->n && rc == 0; i++) {
    char path[PATH_MAX], rel[64 + CER_NAME_MAX];
    uint8_t *block;
    size_t len;
    snprintf(rel, sizeof rel, "%s/%s.block", CER_D_REVEAL, plan->p[i].name);
    if ((rc = cer_path(path, sizeof path, dir, rel)) ||
        (rc = cer_read_block(path, &block, &len, err)))
      break;
    put_str(ctx, plan->p[i].name);
    put_len(ctx, len, 8);
    EVP_DigestUpdate(ctx, block, len);
    OPENSSL_cleanse(block, len);
    free(block);
  }
  if (rc == 0 && EVP_DigestFinal_ex(ctx, mix, NULL) != 1)
    rc = RC_ECRYPTO;
  EVP_MD_CTX_free(ctx);
  if (rc)
    return rc;
  RAND_seed(mix, sizeof mix);
  EVP_RAND_CTX *priv = RAND_get0_private(NULL);
  if (!priv || EVP_RAND_reseed(priv, 1, NULL, 0, mix, sizeof mix) != 1) {
    cer_errf(err, "OpenSSL refused to reseed its private DRBG");
    rc = RC_ECRYPTO;
  }
  /* The transcript names the hash of the mix, never the mix itself. */
  EVP_Digest(mix, sizeof mix, mh, NULL, EVP_sha256(), NULL);
  cer_hex(mh, 32, mix_hash);
  OPENSSL_cleanse(mix, sizeof mix);
  return rc;
}
