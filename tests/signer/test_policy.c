/* The CSR policy and the profiles file: every rule refused with its reason,
 * hostile CSRs refused cleanly, config errors as file:line:col. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

#include "ringca/error.h"
#include "ringca/policy.h"
#include "testkit.h"

#define R(x) RINGCA__REFUSAL_REASON__REFUSAL_##x

static struct rc_policy pol;

static int setup(void **state) {
  (void)state;
  rc_policy_default(&pol);
  return 0;
}

/* Checks a CSR built from (key, opts) against profile; returns the reason
 * (0 when accepted) and leaves the message in msg. */
static int check(const char *profile, const char *key, struct tk_csr o,
                 uint32_t days, char *msg) {
  size_t len;
  uint8_t *der = tk_csr_der(tk_key(key), &o, &len);
  struct rc_csr_checked c;
  struct rc_refusal why;
  int rc = rc_policy_check(&pol, profile, der, len, days, &c, &why);
  free(der);
  if (msg)
    strcpy(msg, rc ? why.message : "");
  if (rc == 0) {
    assert_non_null(c.req);
    rc_csr_checked_free(&c);
    return 0;
  }
  assert_int_equal(rc, RC_EPOLICY);
  assert_true(strlen(why.message) > 10);
  return (int)why.reason;
}

static void test_accepts_each_key_type(void **state) {
  (void)state;
  static const char *const keys[] = {"rsa2048", "p256", "p384", "ed25519"};
  for (size_t i = 0; i < 4; i++) {
    struct tk_csr s = {.subject = "/CN=www.example.org/O=Example/C=DE",
                       .san = "DNS:www.example.org,DNS:example.org,IP:192.0.2.1",
                       .eku = "serverAuth"};
    assert_int_equal(check("server", keys[i], s, 0, NULL), 0);
    struct tk_csr c = {.subject = "/CN=Alice Example",
                       .san = "email:alice@example.org"};
    assert_int_equal(check("client", keys[i], c, 365, NULL), 0);
  }
}

static void test_accepts_pem_and_fills_result(void **state) {
  (void)state;
  struct tk_csr s = {.subject = "/CN=a.example.org", .san = "DNS:a.example.org"};
  size_t len;
  char *pem = tk_csr_pem(tk_key("p256"), &s, &len);
  struct rc_csr_checked c;
  struct rc_refusal why;
  assert_int_equal(rc_policy_check(&pol, "server", (uint8_t *)pem, len, 0, &c,
                                   &why), 0);
  assert_int_equal(c.days, 90);
  assert_string_equal(c.profile->name, "server");
  assert_int_equal(sk_GENERAL_NAME_num(c.sans), 1);
  rc_csr_checked_free(&c);
  free(pem);
}

/* rc_csr_decode gives the key OpenSSL's own d2i_X509_REQ gives, for every
 * key type a profile may allow (and curves and sizes the policy refuses
 * afterwards), for each of several keys in turn (the import contexts are
 * shared), and refuses trailing bytes. */
static void test_csr_decode_matches_d2i(void **state) {
  (void)state;
  static const char *const keys[] = {"rsa2048", "p256", "ed25519", "p384",
                                     "rsa1024", "p521", "p256", "rsa2048"};
  struct tk_csr s = {.subject = "/CN=a.example.org"};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    size_t len;
    uint8_t *der = tk_csr_der(tk_key(keys[i]), &s, &len);
    X509_REQ *req;
    EVP_PKEY *key;
    struct rc_refusal why;
    assert_int_equal(rc_csr_decode(der, len, &req, &key, &why), 0);
    assert_non_null(key);
    const unsigned char *p = der;
    X509_REQ *ref = d2i_X509_REQ(NULL, &p, (long)len);
    assert_non_null(ref);
    assert_int_equal(EVP_PKEY_eq(key, X509_REQ_get0_pubkey(ref)), 1);
    assert_int_equal(EVP_PKEY_eq(key, tk_key(keys[i])), 1);
    assert_int_equal(X509_REQ_verify_ex(req, key, NULL, NULL), 1);
    X509_REQ_free(ref);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
    uint8_t *longer = malloc(len + 1);
    memcpy(longer, der, len);
    longer[len] = 0;
    assert_int_equal(rc_csr_decode(longer, len + 1, &req, &key, &why),
                     RC_EMALFORMED);
    assert_null(req);
    assert_null(key);
    assert_int_equal(rc_csr_decode(der, len - 1, &req, &key, &why),
                     RC_EMALFORMED);
    free(longer);
    free(der);
  }
}

/* A request whose SubjectPublicKeyInfo is exactly (alg, ptype, pval, bits),
 * signed by some other key: rc_csr_decode does not check the signature. */
static uint8_t *csr_with_spki(const char *alg, int ptype, void *pval,
                              const unsigned char *bits, int nbits,
                              size_t *len) {
  X509_REQ *r = X509_REQ_new();
  assert_non_null(r);
  unsigned char *copy = OPENSSL_memdup(bits, (size_t)nbits);
  assert_int_equal(X509_PUBKEY_set0_param(X509_REQ_get_X509_PUBKEY(r),
                                          OBJ_txt2obj(alg, 0), ptype, pval,
                                          copy, nbits), 1);
  assert_true(X509_REQ_sign(r, tk_key("p256"), EVP_sha256()) > 0);
  uint8_t *der = NULL;
  int n = i2d_X509_REQ(r, &der);
  assert_true(n > 0);
  X509_REQ_free(r);
  *len = (size_t)n;
  return der;
}

/* The key bits of a test key as they sit in its SubjectPublicKeyInfo. */
static int spki_bits(const char *kind, unsigned char *out, int max) {
  X509_PUBKEY *pub = NULL;
  assert_int_equal(X509_PUBKEY_set(&pub, tk_key(kind)), 1);
  const unsigned char *pk;
  int n;
  assert_int_equal(X509_PUBKEY_get0_param(NULL, &pk, &n, NULL, pub), 1);
  assert_true(n <= max);
  memcpy(out, pk, (size_t)n);
  X509_PUBKEY_free(pub);
  return n;
}

/* Every key a certificate must not carry as it came is refused with the
 * field and the rule, and the next good request still decodes. */
static void test_csr_decode_refuses_other_encodings(void **state) {
  (void)state;
  unsigned char rsa[600], ec[200], ed[40], junk[40];
  int rsa_n = spki_bits("rsa2048", rsa, sizeof rsa);
  int ec_n = spki_bits("p256", ec, sizeof ec);
  int ed_n = spki_bits("ed25519", ed, sizeof ed);
  memset(junk, 0x30, sizeof junk);
  /* The same modulus with a redundant leading zero octet: BER, not DER. */
  unsigned char padded[610];
  assert_true(rsa[0] == 0x30 && rsa[1] == 0x82 && rsa[4] == 0x02 &&
              rsa[5] == 0x82);
  int body = ((rsa[2] << 8) | rsa[3]) + 1, mod = ((rsa[6] << 8) | rsa[7]) + 1;
  memcpy(padded, rsa, 8);
  padded[2] = (unsigned char)(body >> 8), padded[3] = (unsigned char)body;
  padded[6] = (unsigned char)(mod >> 8), padded[7] = (unsigned char)mod;
  padded[8] = 0;
  memcpy(padded + 9, rsa + 8, (size_t)rsa_n - 8);
  /* The P-256 point compressed: its x with the parity of y. */
  unsigned char compressed[33];
  compressed[0] = (unsigned char)(2 | (ec[ec_n - 1] & 1));
  memcpy(compressed + 1, ec + 1, 32);
  unsigned char off_curve[200];
  memcpy(off_curve, ec, (size_t)ec_n);
  off_curve[ec_n - 1] ^= 1;
  const struct {
    const char *alg;
    int ptype;
    const char *param; /* an OID for V_ASN1_OBJECT */
    const unsigned char *bits;
    int nbits;
    Ringca__RefusalReason reason;
    const char *says;
  } cases[] = {
      {"rsaEncryption", V_ASN1_UNDEF, NULL, rsa, rsa_n, R(MALFORMED_CSR),
       "parameters must be NULL"},
      {"rsaEncryption", V_ASN1_NULL, NULL, padded, rsa_n + 1,
       R(MALFORMED_CSR), "not one DER RSAPublicKey"},
      {"rsaEncryption", V_ASN1_NULL, NULL, junk, sizeof junk,
       R(MALFORMED_CSR), "not one DER RSAPublicKey"},
      {"id-ecPublicKey", V_ASN1_OBJECT, "prime256v1", compressed,
       sizeof compressed, R(MALFORMED_CSR), "uncompressed"},
      {"id-ecPublicKey", V_ASN1_OBJECT, "prime256v1", off_curve, ec_n,
       R(MALFORMED_CSR), "not on curve"},
      {"id-ecPublicKey", V_ASN1_NULL, NULL, ec, ec_n, R(KEY_TYPE),
       "without a named curve"},
      {"id-ecPublicKey", V_ASN1_OBJECT, "1.3.6.1.4.1.55555.1", ec, ec_n,
       R(KEY_SIZE), "curve 1.3.6.1.4.1.55555.1 is not allowed"},
      {"ED25519", V_ASN1_NULL, NULL, ed, ed_n, R(MALFORMED_CSR),
       "takes no parameters"},
      {"ED25519", V_ASN1_UNDEF, NULL, ed, ed_n - 1, R(MALFORMED_CSR),
       "32 bytes, not 31"},
      {"ED448", V_ASN1_UNDEF, NULL, junk, 39, R(KEY_TYPE),
       "algorithm ED448 is not allowed"},
      {"1.3.6.1.4.1.55555.2", V_ASN1_UNDEF, NULL, junk, 8, R(KEY_TYPE),
       "algorithm 1.3.6.1.4.1.55555.2 is not allowed"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    void *pval = cases[i].param ? OBJ_txt2obj(cases[i].param, 0) : NULL;
    size_t len;
    uint8_t *der = csr_with_spki(cases[i].alg, cases[i].ptype, pval,
                                 cases[i].bits, cases[i].nbits, &len);
    X509_REQ *req;
    EVP_PKEY *key;
    struct rc_refusal why;
    assert_int_equal(rc_csr_decode(der, len, &req, &key, &why), 0);
    assert_non_null(req);
    assert_null(key);
    assert_int_equal(why.reason, cases[i].reason);
    if (!strstr(why.message, cases[i].says))
      fail_msg("case %zu: \"%s\" does not say \"%s\"", i, why.message,
               cases[i].says);
    X509_REQ_free(req);
    OPENSSL_free(der);
    struct tk_csr s = {.subject = "/CN=a.example.org"};
    uint8_t *good = tk_csr_der(tk_key(i % 2 ? "p256" : "rsa2048"), &s, &len);
    assert_int_equal(rc_csr_decode(good, len, &req, &key, &why), 0);
    assert_int_equal(EVP_PKEY_eq(key, tk_key(i % 2 ? "p256" : "rsa2048")), 1);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
    free(good);
  }
}

static void test_refuses_keys(void **state) {
  (void)state;
  char msg[256];
  struct tk_csr s = {.subject = "/CN=a.example.org", .san = "DNS:a.example.org"};
  assert_int_equal(check("server", "rsa1024", s, 0, msg), R(KEY_SIZE));
  assert_non_null(strstr(msg, "1024"));
  assert_int_equal(check("server", "p521", s, 0, msg), R(KEY_SIZE));
  assert_non_null(strstr(msg, "curve"));
  assert_int_equal(check("server", "ed448", s, 0, msg), R(KEY_TYPE));
  assert_non_null(strstr(msg, "public key"));
  /* A 2048-bit modulus with public exponent 3. */
  EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
  EVP_PKEY *e3 = NULL;
  unsigned int bits = 2048, three = 3;
  OSSL_PARAM kp[] = {OSSL_PARAM_uint(OSSL_PKEY_PARAM_RSA_BITS, &bits),
                     OSSL_PARAM_uint(OSSL_PKEY_PARAM_RSA_E, &three),
                     OSSL_PARAM_END};
  assert_non_null(kc);
  assert_int_equal(EVP_PKEY_keygen_init(kc), 1);
  assert_int_equal(EVP_PKEY_CTX_set_params(kc, kp), 1);
  assert_int_equal(EVP_PKEY_generate(kc, &e3), 1);
  size_t len;
  uint8_t *der = tk_csr_der(e3, &s, &len);
  struct rc_csr_checked c;
  struct rc_refusal why;
  assert_int_equal(rc_policy_check(&pol, "server", der, len, 0, &c, &why),
                   RC_EPOLICY);
  assert_int_equal(why.reason, R(KEY_SIZE));
  assert_non_null(strstr(why.message, "exponent"));
  free(der);
  EVP_PKEY_free(e3);
  EVP_PKEY_CTX_free(kc);
}

static void test_refuses_subject(void **state) {
  (void)state;
  char msg[256];
  struct tk_csr o = {.subject = "/CN=a.example.org/DC=example",
                     .san = "DNS:a.example.org"};
  assert_int_equal(check("server", "p256", o, 0, msg), R(SUBJECT));
  assert_non_null(strstr(msg, "DC"));
  o.subject = "/CN=b.example.org";
  assert_int_equal(check("server", "p256", o, 0, msg), R(SUBJECT));
  assert_non_null(strstr(msg, "subjectAltName"));
  o.subject = "/CN=a.example.org/C=de";
  assert_int_equal(check("server", "p256", o, 0, msg), R(SUBJECT));
  o.subject = "/CN=a.example.org/O=Evil\x01Corp";
  assert_int_equal(check("server", "p256", o, 0, msg), R(SUBJECT));
  assert_non_null(strstr(msg, "control"));
  o.subject = "/CN=a.example.org/CN=b.example.org";
  assert_int_equal(check("server", "p256", o, 0, msg), R(SUBJECT));
  struct tk_csr c = {.subject = "/O=No CN", .san = "email:a@example.org"};
  assert_int_equal(check("client", "p256", c, 0, msg), R(SUBJECT));
  assert_non_null(strstr(msg, "requires a CN"));
}

static void test_refuses_sans(void **state) {
  (void)state;
  static const struct {
    const char *profile, *san, *needle;
  } cases[] = {
      {"server", NULL, "requires"},
      {"server", "email:a@example.org", "e-mail"},
      {"server", "DNS:a..example.org", "empty label"},
      {"server", "DNS:*.example.org", "wildcard"},
      {"server", "DNS:-a.example.org", "'-'"},
      {"server", "DNS:a_b.example.org", "character"},
      {"server", "DNS:localhost", "fully qualified"},
      {"server", "DNS:1.2.3.4", "numeric"},
      {"server", "URI:https://example.org/", "name type"},
      {"server", "otherName:1.3.6.1.4.1.311.20.2.3;UTF8:a@example.org",
       "name type"},
      {"server", "RID:1.2.3.4", "name type"},
      {"client", "IP:192.0.2.1", "IP"},
      {"client", "email:a@@example.org", "exactly one"},
      {"client", "email:@example.org", "local part"},
      {"client", "email:a b@example.org", "local part"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char msg[256];
    struct tk_csr o = {.subject = "/CN=x", .san = cases[i].san};
    if (!strcmp(cases[i].profile, "server"))
      o.subject = NULL;
    assert_int_equal(check(cases[i].profile, "p256", o, 0, msg), R(SAN));
    if (!strstr(msg, cases[i].needle))
      fail_msg("case %zu: \"%s\" lacks \"%s\"", i, msg, cases[i].needle);
  }
}

static void test_refuses_eku_extensions_validity(void **state) {
  (void)state;
  char msg[256];
  struct tk_csr o = {.san = "DNS:a.example.org", .eku = "clientAuth"};
  assert_int_equal(check("server", "p256", o, 0, msg), R(EKU));
  assert_non_null(strstr(msg, "extendedKeyUsage"));
  o.eku = "codeSigning";
  assert_int_equal(check("server", "p256", o, 0, msg), R(EKU));
  o.eku = NULL;
  o.bc = "critical,CA:TRUE";
  assert_int_equal(check("server", "p256", o, 0, msg), R(EXTENSION));
  assert_non_null(strstr(msg, "basicConstraints"));
  o.bc = "CA:FALSE";
  assert_int_equal(check("server", "p256", o, 0, msg), 0);
  o.bc = NULL;
  o.ku = "keyCertSign";
  assert_int_equal(check("server", "p256", o, 0, msg), R(EXTENSION));
  o.ku = "digitalSignature";
  assert_int_equal(check("server", "p256", o, 0, msg), 0);
  o.ku = NULL;
  o.comment = "hello";
  assert_int_equal(check("server", "p256", o, 0, msg), R(EXTENSION));
  o.comment = NULL;
  assert_int_equal(check("server", "p256", o, 398, msg), R(VALIDITY));
  assert_non_null(strstr(msg, "validity_days"));
  assert_int_equal(check("server", "p256", o, 397, msg), 0);
  assert_int_equal(check("intermediate", "p256", o, 0, msg),
                   R(UNKNOWN_PROFILE));
}

static int raw(const uint8_t *buf, size_t len, char *msg) {
  struct rc_csr_checked c;
  struct rc_refusal why;
  int rc = rc_policy_check(&pol, "server", buf, len, 0, &c, &why);
  if (rc == 0) {
    rc_csr_checked_free(&c);
    return 0;
  }
  strcpy(msg, why.message);
  return (int)why.reason;
}

static void test_hostile_bytes(void **state) {
  (void)state;
  char msg[256];
  struct tk_csr o = {.san = "DNS:a.example.org"};
  size_t len;
  uint8_t *der = tk_csr_der(tk_key("p256"), &o, &len);
  assert_int_equal(raw(der, len, msg), 0);
  assert_int_equal(raw(der, 0, msg), R(MALFORMED_CSR));
  for (size_t cut = 1; cut < len; cut += 7)
    assert_int_equal(raw(der, cut, msg), R(MALFORMED_CSR));
  uint8_t *longer = malloc(len + 1);
  memcpy(longer, der, len);
  longer[len] = 0;
  assert_int_equal(raw(longer, len + 1, msg), R(MALFORMED_CSR));
  free(longer);
  /* The signature's last byte: still parses, no longer verifies. */
  der[len - 1] ^= 1;
  assert_int_equal(raw(der, len, msg), R(BAD_CSR_SIGNATURE));
  assert_non_null(strstr(msg, "signature"));
  der[len - 1] ^= 1;
  /* A byte inside the signed subject: same. */
  for (size_t i = len / 2; i < len; i++)
    if (der[i] == 'a') {
      der[i] = 'b';
      break;
    }
  assert_int_equal(raw(der, len, msg), R(BAD_CSR_SIGNATURE));
  free(der);
  uint8_t *big = calloc(1, RC_CSR_MAX + 1);
  assert_int_equal(raw(big, RC_CSR_MAX + 1, msg), R(TOO_LARGE));
  free(big);
  static const char junk[] = "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n";
  assert_int_equal(raw((const uint8_t *)junk, sizeof junk - 1, msg),
                   R(MALFORMED_CSR));
}

static const char good_yaml[] =
    "version: 1\n"
    "profiles:\n"
    "  server:\n"
    "    key_types: [ec-p256, ed25519]\n"
    "    eku: [server_auth]\n"
    "    san_types: [dns]\n"
    "    max_days: 30\n"
    "    domains: [example.org]\n"
    "    allow_wildcard: true\n"
    "  client:\n"
    "    key_types: [rsa]\n"
    "    rsa_min_bits: 3072\n"
    "    eku: [client_auth]\n"
    "    san_types: [email]\n"
    "    max_days: 365\n"
    "    default_days: 100\n";

static void test_profiles_file(void **state) {
  (void)state;
  char err[256] = "";
  struct rc_policy p;
  assert_int_equal(rc_policy_parse("p.yaml", (const uint8_t *)good_yaml,
                                   strlen(good_yaml), &p, err, sizeof err), 0);
  assert_int_equal(p.nprofiles, 2);
  const struct rc_profile *s = rc_policy_find(&p, "server");
  assert_int_equal(s->key_kinds, RC_KEY_EC_P256 | RC_KEY_ED25519);
  assert_int_equal(s->default_days, 30);
  assert_true(s->allow_wildcard);
  assert_int_equal(rc_policy_find(&p, "client")->rsa_min_bits, 3072);
  /* The loaded policy is enforced. */
  struct rc_policy saved = pol;
  pol = p;
  char msg[256];
  struct tk_csr o = {.san = "DNS:*.example.org"};
  assert_int_equal(check("server", "p256", o, 0, msg), 0);
  assert_int_equal(check("server", "p384", o, 0, msg), R(KEY_TYPE));
  o.san = "DNS:www.example.com";
  assert_int_equal(check("server", "p256", o, 0, msg), R(SAN));
  assert_non_null(strstr(msg, "outside the domains"));
  o.san = "DNS:wwwexample.org";
  assert_int_equal(check("server", "p256", o, 0, msg), R(SAN));
  struct tk_csr c = {.subject = "/CN=a", .san = "email:a@x.org"};
  assert_int_equal(check("client", "rsa2048", c, 0, msg), R(KEY_SIZE));
  pol = saved;
}

static void expect_error(const char *yaml, const char *where) {
  char err[256] = "";
  struct rc_policy p;
  int rc = rc_policy_parse("p.yaml", (const uint8_t *)yaml, strlen(yaml), &p,
                           err, sizeof err);
  assert_int_equal(rc, RC_EMALFORMED);
  if (strncmp(err, where, strlen(where)) != 0)
    fail_msg("expected \"%s...\", got \"%s\"", where, err);
}

static void test_profiles_errors(void **state) {
  (void)state;
  expect_error("version: 1\nprofiles:\n  server:\n    key_types: [rsa, dsa]\n",
               "p.yaml:4:22: key_types: unknown value \"dsa\"");
  expect_error("version: 1\nprofiles:\n  server:\n    colour: red\n",
               "p.yaml:4:5: unknown profile setting \"colour\"");
  expect_error("version: 1\nprofiles:\n  server:\n    key_types: [rsa]\n"
               "    eku: [server_auth]\n    san_types: [dns]\n"
               "    max_days: -3\n", "p.yaml:7:15: max_days");
  expect_error("version: 1\nprofiles:\n  server:\n    key_types: [rsa]\n",
               "p.yaml:4:5: profile server: missing \"eku\"");
  expect_error("version: 1\nprofiles: [\n", "p.yaml:3:1:");
  /* "rsa\0x" would read as "rsa" to the code, not to the reviewer. */
  expect_error("version: 1\nprofiles:\n  server:\n    key_types: [\"rsa\\0x\"]\n",
               "p.yaml:4:17: a value holds a NUL byte");
  expect_error("version: 2\nprofiles: {}\n", "p.yaml:1:10: version");
  expect_error("profiles:\n  a: {}\n", "p.yaml:1:1: missing \"version: 1\"");
  expect_error("version: 1\nprofiles:\n  a:\n    rsa_min_bits: 1024\n",
               "p.yaml:4:19: rsa_min_bits: 1024 is not an integer in 2048");
  expect_error("version: 1\nprofiles:\n  s:\n    key_types: [rsa]\n"
               "    eku: [server_auth]\n    san_types: [dns]\n"
               "    max_days: 10\n    default_days: 20\n",
               "p.yaml:4:5: profile s: default_days 20 exceeds");
}

static void test_refusal_classes(void **state) {
  (void)state;
  for (int r = 1; r <= 14; r++) {
    bool transport = r == R(DEADLINE) || r == R(NO_ROUTE) || r == R(INTERNAL);
    assert_int_equal(rc_refusal_is_policy((Ringca__RefusalReason)r),
                     !transport);
    assert_non_null(strstr(rc_refusal_name((Ringca__RefusalReason)r),
                           "REFUSAL_"));
  }
  assert_false(rc_refusal_is_policy(R(UNSPECIFIED)));
  assert_string_equal(rc_refusal_name(R(EXTENSION)), "REFUSAL_EXTENSION");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_accepts_each_key_type),
      cmocka_unit_test(test_accepts_pem_and_fills_result),
      cmocka_unit_test(test_csr_decode_matches_d2i),
      cmocka_unit_test(test_csr_decode_refuses_other_encodings),
      cmocka_unit_test(test_refuses_keys),
      cmocka_unit_test(test_refuses_subject),
      cmocka_unit_test(test_refuses_sans),
      cmocka_unit_test(test_refuses_eku_extensions_validity),
      cmocka_unit_test(test_hostile_bytes),
      cmocka_unit_test(test_profiles_file),
      cmocka_unit_test(test_profiles_errors),
      cmocka_unit_test(test_refusal_classes),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
