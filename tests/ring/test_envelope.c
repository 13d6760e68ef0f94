/* Canonical signed bytes and Ed25519 signatures of envelopes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ringca/envelope.h"
#include "ringca/error.h"

static uint8_t rid[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static uint8_t payload[5] = {'h', 'e', 'l', 'l', 'o'};

static void make(Ringca__Envelope *e) {
  ringca__envelope__init(e);
  e->version = 1;
  e->request_id.data = rid;
  e->request_id.len = 16;
  e->origin = "fe1";
  e->destination = "root";
  e->kind = RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REQUEST;
  e->payload.data = payload;
  e->payload.len = sizeof payload;
  e->ttl = 8;
  e->deadline_unix_ms = 0x0102030405060708ull;
}

static void test_canonical_bytes_layout(void **state) {
  (void)state;
  Ringca__Envelope e;
  make(&e);
  uint8_t buf[256];
  size_t len;
  assert_int_equal(rc_envelope_signed_bytes(&e, buf, sizeof buf, &len), 0);
  assert_int_equal(len, rc_envelope_signed_len(&e));
  static const uint8_t expect[] = {
      'r', 'i', 'n', 'g', 'c', 'a', '-', 'e', 'n', 'v', 'e', 'l', 'o', 'p',
      'e', '-', 'v', '1', 0,
      0, 0, 0, 1,                                           /* version */
      0, 0, 0, 16, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
      0, 0, 0, 3, 'f', 'e', '1',                            /* origin */
      0, 0, 0, 4, 'r', 'o', 'o', 't',                       /* destination */
      0, 0, 0, 1,                                           /* kind */
      0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o',                  /* payload */
      1, 2, 3, 4, 5, 6, 7, 8};                              /* deadline */
  assert_int_equal(len, sizeof expect);
  assert_memory_equal(buf, expect, sizeof expect);
  assert_int_equal(rc_envelope_signed_bytes(&e, buf, len - 1, &len),
                   RC_ENOBUFS);
  /* ttl and signature are outside the signed bytes. */
  uint8_t again[256];
  size_t len2;
  e.ttl = 1;
  assert_int_equal(rc_envelope_signed_bytes(&e, again, sizeof again, &len2), 0);
  assert_int_equal(len2, sizeof expect);
  assert_memory_equal(again, expect, sizeof expect);
  /* Length prefixes keep field boundaries: "fe1"+"root" != "fe1r"+"oot". */
  e.origin = "fe1r";
  e.destination = "oot";
  assert_int_equal(rc_envelope_signed_bytes(&e, again, sizeof again, &len2), 0);
  assert_memory_not_equal(again, expect, sizeof expect);
}

static void test_sign_verify_and_tamper(void **state) {
  (void)state;
  uint8_t priv[32], pub[32], other_pub[32], sig[64];
  for (int i = 0; i < 32; i++)
    priv[i] = (uint8_t)(i * 7 + 1);
  assert_int_equal(rc_ed25519_public(priv, pub), 0);
  priv[0] ^= 1;
  assert_int_equal(rc_ed25519_public(priv, other_pub), 0);
  priv[0] ^= 1;
  Ringca__Envelope e;
  make(&e);
  assert_int_equal(rc_envelope_sign(&e, priv, sig), 0);
  assert_ptr_equal(e.signature.data, sig);
  assert_int_equal(e.signature.len, 64);
  assert_int_equal(rc_envelope_verify(&e, pub), 0);
  assert_int_equal(rc_envelope_verify(&e, other_pub), RC_EAUTH);
  /* A relay may lower ttl; nothing else. */
  e.ttl = 3;
  assert_int_equal(rc_envelope_verify(&e, pub), 0);
  e.destination = "fe2";
  assert_int_equal(rc_envelope_verify(&e, pub), RC_EAUTH);
  e.destination = "root";
  e.kind = RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REPLY;
  assert_int_equal(rc_envelope_verify(&e, pub), RC_EAUTH);
  e.kind = RINGCA__ENVELOPE_KIND__ENVELOPE_CERT_REQUEST;
  e.deadline_unix_ms++;
  assert_int_equal(rc_envelope_verify(&e, pub), RC_EAUTH);
  e.deadline_unix_ms--;
  payload[0] ^= 0x20;
  assert_int_equal(rc_envelope_verify(&e, pub), RC_EAUTH);
  payload[0] ^= 0x20;
  sig[10] ^= 1;
  assert_int_equal(rc_envelope_verify(&e, pub), RC_EAUTH);
  sig[10] ^= 1;
  e.signature.len = 63;
  assert_int_equal(rc_envelope_verify(&e, pub), RC_EAUTH);
  e.signature.len = 64;
  assert_int_equal(rc_envelope_verify(&e, pub), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_canonical_bytes_layout),
      cmocka_unit_test(test_sign_verify_and_tamper),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
