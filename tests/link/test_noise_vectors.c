/* Every published Noise_KK_25519_ChaChaPoly_SHA256 vector in
 * tests/link/vectors/ (copied from ../shared/noise, see its README) run
 * through relay/noise.c: both handshake messages byte for byte, the
 * handshake hash where the vector has one, and every transport message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ringca/error.h"
#include "ringca/noise.h"

#define MAX_MSGS 16
#define MAX_HEX 1024

struct hexval {
  uint8_t b[MAX_HEX];
  size_t len;
  bool set;
};

struct vector {
  char name[64];
  struct hexval init_prologue, init_static, init_ephemeral, init_rs;
  struct hexval resp_prologue, resp_static, resp_ephemeral, resp_rs;
  struct hexval hash;
  struct hexval payload[MAX_MSGS], ciphertext[MAX_MSGS];
  size_t nmsg;
  bool any;
};

static void hex_decode(const char *s, size_t n, struct hexval *out) {
  assert_true(n % 2 == 0 && n / 2 <= MAX_HEX);
  for (size_t i = 0; i < n / 2; i++) {
    unsigned v;
    assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
    out->b[i] = (uint8_t)v;
  }
  out->len = n / 2;
  out->set = true;
}

/* A purpose-built reader for these files: it walks the JSON strings in
 * order, pairing each key with its string value (arrays of strings and
 * objects are only containers here). A vector ends when one of its fields
 * repeats, which is order-independent across the three vector dialects. */
static size_t parse(const char *js, struct vector *vs, size_t max) {
  size_t nv = 0;
  struct vector *v = &vs[0];
  memset(v, 0, sizeof *v);
  const char *p = js;
  const char *key = NULL;
  size_t keylen = 0;
  while ((p = strchr(p, '"')) != NULL) {
    const char *s = ++p;
    while (*p && *p != '"')
      p++;
    assert_true(*p == '"');
    size_t n = (size_t)(p - s);
    p++;
    const char *q = p;
    while (*q == ' ' || *q == '\n' || *q == '\r' || *q == '\t')
      q++;
    if (*q == ':') {
      key = s;
      keylen = n;
      continue;
    }
    if (!key)
      continue;
#define KEY(k) (keylen == strlen(k) && memcmp(key, k, keylen) == 0)
    struct hexval *dst = NULL;
    bool is_name = KEY("protocol_name") || KEY("name");
    if (KEY("init_prologue"))
      dst = &v->init_prologue;
    else if (KEY("init_static"))
      dst = &v->init_static;
    else if (KEY("init_ephemeral"))
      dst = &v->init_ephemeral;
    else if (KEY("init_remote_static"))
      dst = &v->init_rs;
    else if (KEY("resp_prologue"))
      dst = &v->resp_prologue;
    else if (KEY("resp_static"))
      dst = &v->resp_static;
    else if (KEY("resp_ephemeral"))
      dst = &v->resp_ephemeral;
    else if (KEY("resp_remote_static"))
      dst = &v->resp_rs;
    else if (KEY("handshake_hash"))
      dst = &v->hash;
    else if (KEY("payload"))
      dst = &v->payload[v->nmsg];
    else if (KEY("ciphertext"))
      dst = &v->ciphertext[v->nmsg];
    bool repeat = (dst && dst->set) || (is_name && v->name[0]);
    if (repeat && !KEY("payload") && !KEY("ciphertext")) {
      assert_true(nv + 1 < max);
      v = &vs[++nv];
      memset(v, 0, sizeof *v);
      if (dst)
        dst =
            (struct hexval *)((char *)v + ((char *)dst - (char *)&vs[nv - 1]));
    }
    if (is_name) {
      assert_true(n < sizeof v->name);
      memcpy(v->name, s, n);
      v->any = true;
    } else if (dst) {
      hex_decode(s, n, dst);
      v->any = true;
      if (KEY("ciphertext")) {
        assert_true(v->nmsg + 1 < MAX_MSGS);
        v->nmsg++;
      }
    }
    key = NULL;
#undef KEY
  }
  return v->any ? nv + 1 : nv;
}

static void run_vector(const struct vector *v) {
  assert_string_equal(v->name, RC_NOISE_PROTOCOL_NAME);
  assert_true(v->nmsg >= 2);
  struct rc_noise_hs ini, res;
  assert_int_equal(rc_noise_hs_init(&ini, true, v->init_prologue.b,
                                    v->init_prologue.len, v->init_static.b,
                                    v->init_rs.b),
                   0);
  assert_int_equal(rc_noise_hs_init(&res, false, v->resp_prologue.b,
                                    v->resp_prologue.len, v->resp_static.b,
                                    v->resp_rs.b),
                   0);
  uint8_t out[MAX_HEX], pt[MAX_HEX];
  size_t n, pn;
  /* Message 1: initiator -> responder. */
  assert_int_equal(rc_noise_hs_write(&ini, v->init_ephemeral.b, v->payload[0].b,
                                     v->payload[0].len, out, sizeof out, &n),
                   0);
  assert_int_equal(n, v->ciphertext[0].len);
  assert_memory_equal(out, v->ciphertext[0].b, n);
  assert_int_equal(rc_noise_hs_read(&res, out, n, pt, sizeof pt, &pn), 0);
  assert_int_equal(pn, v->payload[0].len);
  assert_memory_equal(pt, v->payload[0].b, pn);
  /* Message 2: responder -> initiator. */
  assert_int_equal(rc_noise_hs_write(&res, v->resp_ephemeral.b, v->payload[1].b,
                                     v->payload[1].len, out, sizeof out, &n),
                   0);
  assert_int_equal(n, v->ciphertext[1].len);
  assert_memory_equal(out, v->ciphertext[1].b, n);
  assert_int_equal(rc_noise_hs_read(&ini, out, n, pt, sizeof pt, &pn), 0);
  assert_int_equal(pn, v->payload[1].len);
  assert_memory_equal(pt, v->payload[1].b, pn);

  uint8_t is[32], ir[32], rsend[32], rr[32], ih[32], rh[32];
  rc_noise_hs_split(&ini, is, ir, ih);
  rc_noise_hs_split(&res, rsend, rr, rh);
  assert_memory_equal(ih, rh, 32);
  if (v->hash.set) {
    assert_int_equal(v->hash.len, 32);
    assert_memory_equal(ih, v->hash.b, 32);
  }
  assert_memory_equal(is, rr, 32);
  assert_memory_equal(ir, rsend, 32);
  struct rc_aead *i2r = rc_aead_new(is), *r2i = rc_aead_new(rsend);
  assert_non_null(i2r);
  assert_non_null(r2i);
  uint64_t ni = 0, nr = 0;
  for (size_t m = 2; m < v->nmsg; m++) {
    bool from_init = m % 2 == 0;
    struct rc_aead *a = from_init ? i2r : r2i;
    uint64_t *ctr = from_init ? &ni : &nr;
    assert_int_equal(
        rc_aead_seal(a, *ctr, NULL, 0, v->payload[m].b, v->payload[m].len, out),
        0);
    assert_int_equal(v->payload[m].len + RC_NOISE_TAG_LEN,
                     v->ciphertext[m].len);
    assert_memory_equal(out, v->ciphertext[m].b, v->ciphertext[m].len);
    assert_int_equal(rc_aead_open(a, *ctr, NULL, 0, v->ciphertext[m].b,
                                  v->ciphertext[m].len, pt),
                     0);
    assert_memory_equal(pt, v->payload[m].b, v->payload[m].len);
    /* The same bytes under the next nonce must not open. */
    assert_int_equal(rc_aead_open(a, *ctr + 1, NULL, 0, v->ciphertext[m].b,
                                  v->ciphertext[m].len, pt),
                     RC_EAUTH);
    (*ctr)++;
  }
  rc_aead_free(i2r);
  rc_aead_free(r2i);
}

static size_t run_file(const char *name, size_t expect) {
  char path[512];
  snprintf(path, sizeof path, "%s/tests/link/vectors/%s", RINGCA_SOURCE_DIR,
           name);
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  static char js[65536];
  size_t len = fread(js, 1, sizeof js - 1, f);
  fclose(f);
  js[len] = 0;
  static struct vector vs[8];
  size_t nv = parse(js, vs, 8);
  assert_int_equal(nv, expect);
  for (size_t i = 0; i < nv; i++)
    run_vector(&vs[i]);
  return nv;
}

static void test_cacophony(void **state) {
  (void)state;
  run_file("cacophony-kk.json", 1);
}

static void test_extra(void **state) {
  (void)state;
  run_file("extra-kk.json", 2);
}

/* A tampered message 1 or a wrong configured peer key must fail auth. */
static void test_wrong_keys(void **state) {
  (void)state;
  uint8_t a[32], b[32], c[32], ea[32], eb[32], apub[32], bpub[32], cpub[32];
  for (int i = 0; i < 32; i++) {
    a[i] = (uint8_t)(i + 1);
    b[i] = (uint8_t)(i + 77);
    c[i] = (uint8_t)(i + 151);
    ea[i] = (uint8_t)(3 * i + 5);
    eb[i] = (uint8_t)(5 * i + 9);
  }
  assert_int_equal(rc_noise_pubkey(a, apub), 0);
  assert_int_equal(rc_noise_pubkey(b, bpub), 0);
  assert_int_equal(rc_noise_pubkey(c, cpub), 0);
  struct rc_noise_hs ini, res;
  uint8_t m[128], pt[128];
  size_t n, pn;
  /* Responder expects c, the message comes from a. */
  assert_int_equal(rc_noise_hs_init(&ini, true, NULL, 0, a, bpub), 0);
  assert_int_equal(rc_noise_hs_init(&res, false, NULL, 0, b, cpub), 0);
  assert_int_equal(rc_noise_hs_write(&ini, ea, NULL, 0, m, sizeof m, &n), 0);
  assert_int_equal(rc_noise_hs_read(&res, m, n, pt, sizeof pt, &pn), RC_EAUTH);
  /* Right keys, one bit flipped in the ciphertext. */
  assert_int_equal(rc_noise_hs_init(&res, false, NULL, 0, b, apub), 0);
  m[n - 1] ^= 1;
  assert_int_equal(rc_noise_hs_read(&res, m, n, pt, sizeof pt, &pn), RC_EAUTH);
  /* Out of turn and too short. */
  assert_int_equal(rc_noise_hs_init(&res, false, NULL, 0, b, apub), 0);
  assert_int_equal(rc_noise_hs_write(&res, eb, NULL, 0, m, sizeof m, &n),
                   RC_ESTATE);
  assert_int_equal(rc_noise_hs_read(&res, m, 40, pt, sizeof pt, &pn),
                   RC_EMALFORMED);
  rc_noise_hs_wipe(&ini);
  rc_noise_hs_wipe(&res);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cacophony),
      cmocka_unit_test(test_extra),
      cmocka_unit_test(test_wrong_keys),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
