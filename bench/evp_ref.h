/* The reference the link and relay-hop CPU goals are measured against:
 * raw EVP ChaCha20-Poly1305 sealing and opening the same number of bytes
 * with reused contexts, CPU seconds per seal+open. */
#ifndef RINGCA_BENCH_EVP_REF_H
#define RINGCA_BENCH_EVP_REF_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

static inline double evp_ref_cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reference: raw EVP ChaCha20-Poly1305 seal then open of the same bytes. */
static inline double evp_cpu_per_frame(size_t len, int frames) {
  uint8_t key[32] = {1}, iv[12] = {0}, tag[16];
  uint8_t *pt = malloc(len), *ct = malloc(len), *back = malloc(len);
  memset(pt, 0x3c, len);
  EVP_CIPHER_CTX *e = EVP_CIPHER_CTX_new(), *d = EVP_CIPHER_CTX_new();
  EVP_EncryptInit_ex(e, EVP_chacha20_poly1305(), NULL, key, NULL);
  EVP_DecryptInit_ex(d, EVP_chacha20_poly1305(), NULL, key, NULL);
  int n;
  double t0 = evp_ref_cpu_now();
  for (int i = 0; i < frames; i++) {
    memcpy(iv + 4, &i, sizeof i);
    EVP_EncryptInit_ex(e, NULL, NULL, NULL, iv);
    EVP_EncryptUpdate(e, ct, &n, pt, (int)len);
    EVP_EncryptFinal_ex(e, ct + n, &n);
    EVP_CIPHER_CTX_ctrl(e, EVP_CTRL_AEAD_GET_TAG, 16, tag);
    EVP_DecryptInit_ex(d, NULL, NULL, NULL, iv);
    EVP_DecryptUpdate(d, back, &n, ct, (int)len);
    EVP_CIPHER_CTX_ctrl(d, EVP_CTRL_AEAD_SET_TAG, 16, tag);
    if (EVP_DecryptFinal_ex(d, back + n, &n) != 1) {
      fprintf(stderr, "bench: reference open failed\n");
      exit(2);
    }
  }
  double t = (evp_ref_cpu_now() - t0) / frames;
  EVP_CIPHER_CTX_free(e);
  EVP_CIPHER_CTX_free(d);
  free(pt);
  free(ct);
  free(back);
  return t;
}

#endif
