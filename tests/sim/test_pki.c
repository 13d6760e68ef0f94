/* Simulator key material: deterministic from the seed, and valid. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "pki.h"

static void test_keys_and_csr(void **state) {
  (void)state;
  uint8_t priv[32], a[32], b[32];
  memset(priv, 7, sizeof priv);
  assert_int_equal(rc_sim_x25519_public(priv, a), 0);
  assert_int_equal(rc_sim_x25519_public(priv, b), 0);
  assert_memory_equal(a, b, 32);
  assert_int_equal(rc_sim_ed25519_public(priv, b), 0);
  assert_memory_not_equal(a, b, 32);
  uint8_t *d1, *d2;
  size_t l1, l2;
  assert_int_equal(rc_sim_csr(priv, "fe1", "fe1.sim.example", &d1, &l1), 0);
  assert_int_equal(rc_sim_csr(priv, "fe1", "fe1.sim.example", &d2, &l2), 0);
  assert_int_equal(l1, l2);  /* Ed25519: same bytes every run */
  assert_memory_equal(d1, d2, l1);
  const unsigned char *p = d1;
  X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)l1);
  assert_non_null(req);
  EVP_PKEY *k = X509_REQ_get0_pubkey(req);
  assert_int_equal(X509_REQ_verify(req, k), 1);
  X509_REQ_free(req);
  OPENSSL_free(d1);
  OPENSSL_free(d2);
}

static void test_ca(void **state) {
  (void)state;
  struct rc_prng p1, p2;
  rc_prng_seed(&p1, 5);
  rc_prng_seed(&p2, 5);
  struct rc_sim_ca a, b;
  assert_int_equal(rc_sim_ca_make(&p1, &a), 0);
  assert_int_equal(rc_sim_ca_make(&p2, &b), 0);
  assert_int_equal(a.nsubs, 2);
  assert_string_equal(a.profile[0], "server");
  assert_int_equal(X509_verify(a.root, a.root_key), 1);
  assert_int_equal(X509_verify(a.sub[1], a.root_key), 1);
  assert_int_equal(X509_cmp(a.sub[0], b.sub[0]), 0);  /* same seed */
  rc_sim_ca_free(&a);
  rc_sim_ca_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_keys_and_csr),
                                     cmocka_unit_test(test_ca)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
