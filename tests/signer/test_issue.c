/* Issuance end to end against a throwaway CA: each key type and profile,
 * checked by `openssl verify` and GnuTLS `certtool`; and the x509util key
 * file helpers the ceremony shares. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ringca/error.h"
#include "ringca/pb.h"
#include "ringca/signer.h"
#include "ringca/wire.h"
#include "ringca/x509util.h"
#include "ringca/fileio.h"
#include "testkit.h"

/* Real time: GnuTLS certtool has no "verify at" option. */
static unsigned NOW;

static char dir[4096];
static struct rc_policy pol;
static struct rc_ca ca;
static struct rc_prng prng;
static struct rc_rng rng;

static int setup(void **state) {
  (void)state;
  tk_tmpdir(dir);
  NOW = (unsigned)time(NULL);
  rc_policy_default(&pol);
  rc_prng_seed(&prng, 7);
  rng = rc_prng_as_rng(&prng);
  static const char *const names[] = {"server", "client"};
  char cadir[4200], err[256];
  snprintf(cadir, sizeof cadir, "%s/ca", dir);
  if (rc_ca_create_dev(cadir, names, 2, "test pass", NOW, &rng) != 0)
    return -1;
  if (rc_ca_load(&ca, cadir, &pol, "test pass", err, sizeof err) != 0) {
    fprintf(stderr, "%s\n", err);
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  rc_ca_free(&ca);
  tk_rmrf(dir);
  return 0;
}

static void write_der_pem(const char *path, const uint8_t *der, size_t len,
                          const char *mode) {
  const unsigned char *p = der;
  X509 *x = d2i_X509(NULL, &p, (long)len);
  assert_non_null(x);
  FILE *f = fopen(path, mode);
  PEM_write_X509(f, x);
  fclose(f);
  X509_free(x);
}

/* The CertRequest a front-end would send for this CSR. */
static Ringca__CertRequest cert_request(const char *profile, uint8_t *der,
                                        size_t len) {
  Ringca__CertRequest req = RINGCA__CERT_REQUEST__INIT;
  req.version = 1;
  req.profile = (char *)profile;
  req.csr_der.data = der;
  req.csr_der.len = len;
  return req;
}

/* OpenSSL reads the certificate as the signer wrote it: parsed and written
 * again from its fields (i2d_re_X509_tbs drops the cached encoding) it is
 * the same bytes, and the issuer's key verifies it. */
static void openssl_reads_the_same(const uint8_t *der, size_t len,
                                   EVP_PKEY *issuer_key) {
  const unsigned char *p = der;
  X509 *x = d2i_X509(NULL, &p, (long)len);
  assert_non_null(x);
  assert_ptr_equal(p, der + len);
  assert_true(i2d_re_X509_tbs(x, NULL) > 0);
  unsigned char *again = NULL;
  assert_int_equal(i2d_X509(x, &again), (int)len);
  assert_memory_equal(again, der, len);
  assert_int_equal(X509_verify(x, issuer_key), 1);
  OPENSSL_free(again);
  X509_free(x);
}

static X509 *issue(const char *profile, const char *key, struct tk_csr o,
                   struct rc_sign_result *res) {
  size_t len;
  uint8_t *der = tk_csr_der(tk_key(key), &o, &len);
  Ringca__CertRequest req = cert_request(profile, der, len);
  assert_int_equal(rc_signer_handle(&pol, &ca, &req, NOW, &rng, res), 0);
  free(der);
  if (res->refused)
    fail_msg("refused: %s", res->refusal.message);
  openssl_reads_the_same(res->cert_der, res->cert_der_len,
                         rc_ca_find(&ca, profile)->key);
  const unsigned char *p = res->cert_der;
  X509 *x = d2i_X509(NULL, &p, (long)res->cert_der_len);
  assert_non_null(x);
  /* The result's fingerprint is that of the certificate it carries. */
  char fp[65];
  assert_int_equal(rc_x509_fingerprint(x, fp), 0);
  assert_string_equal(fp, res->fingerprint);
  return x;
}

static void verify_with_tools(const char *profile,
                              const struct rc_sign_result *res) {
  char leaf[4200], sub[4200], root[4200], chain[4200];
  snprintf(leaf, sizeof leaf, "%s/leaf.pem", dir);
  snprintf(sub, sizeof sub, "%s/ca/%s.pem", dir, profile);
  snprintf(root, sizeof root, "%s/ca/root.pem", dir);
  snprintf(chain, sizeof chain, "%s/chain.pem", dir);
  write_der_pem(leaf, res->cert_der, res->cert_der_len, "w");
  write_der_pem(chain, res->cert_der, res->cert_der_len, "w");
  for (size_t i = 0; i < res->reply.n_chain_der; i++)
    write_der_pem(chain, res->reply.chain_der[i].data,
                  res->reply.chain_der[i].len, "a");
  /* The certificates are dated NOW; verify at that instant. */
  assert_int_equal(tk_run("openssl verify -attime %u -CAfile %s -untrusted %s "
                          "%s >/dev/null", NOW + 60, root, sub, leaf), 0);
  assert_int_equal(tk_run("openssl verify -attime %u -purpose %s -CAfile %s "
                          "-untrusted %s %s >/dev/null", NOW + 60,
                          !strcmp(profile, "server") ? "sslserver"
                                                     : "sslclient",
                          root, sub, leaf), 0);
  assert_int_equal(tk_run("certtool --verify-chain --infile %s >/dev/null "
                          "2>&1", chain), 0);
  assert_int_equal(tk_run("certtool --verify --load-ca-certificate %s "
                          "--infile %s >/dev/null 2>&1", root, chain), 0);
}

static void check_extensions(X509 *x, const char *profile) {
  assert_int_equal(X509_check_ca(x), 0);
  BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(x, NID_basic_constraints, NULL,
                                           NULL);
  assert_non_null(bc);
  assert_false(bc->ca);
  BASIC_CONSTRAINTS_free(bc);
  /* The prepared and hand-built extensions say what OpenSSL's own
   * "hash" and "keyid:always" would: the SHA-1 of the subject's key bits,
   * and the sub-root's own key id. */
  const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(x);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  assert_non_null(ski);
  assert_int_equal(X509_pubkey_digest(x, EVP_sha1(), md, &mdlen), 1);
  assert_int_equal(ASN1_STRING_length(ski), (int)mdlen);
  assert_memory_equal(ASN1_STRING_get0_data(ski), md, mdlen);
  const struct rc_ca_issuer *iss = rc_ca_find(&ca, profile);
  assert_non_null(iss);
  assert_int_equal(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(x),
                                         X509_get0_subject_key_id(iss->cert)),
                   0);
  int crit = -1;
  ASN1_BIT_STRING *ku = X509_get_ext_d2i(x, NID_key_usage, &crit, NULL);
  assert_non_null(ku);
  assert_int_equal(crit, 1);
  assert_true(ASN1_BIT_STRING_get_bit(ku, 0)); /* digitalSignature */
  assert_int_equal(ASN1_BIT_STRING_get_bit(ku, 2), /* keyEncipherment */
                   EVP_PKEY_get_base_id(X509_get0_pubkey(x)) ==
                           EVP_PKEY_RSA &&
                       !strcmp(profile, "server"));
  assert_false(ASN1_BIT_STRING_get_bit(ku, 5) || ASN1_BIT_STRING_get_bit(ku, 6));
  ASN1_BIT_STRING_free(ku);
  assert_int_equal(X509_get_ext_by_NID(x, NID_ext_key_usage, -1) >= 0, 1);
  uint32_t xku = X509_get_extended_key_usage(x);
  if (!strcmp(profile, "server"))
    assert_int_equal(xku, XKU_SSL_SERVER);
  else
    assert_int_equal(xku, XKU_SSL_CLIENT | XKU_SMIME);
  const ASN1_INTEGER *sn = X509_get0_serialNumber(x);
  assert_int_equal(ASN1_STRING_length(sn), 20);
  assert_int_equal(ASN1_STRING_get0_data(sn)[0] & 0x80, 0);
  assert_true(X509_cmp_time(X509_get0_notBefore(x), &(time_t){NOW}) <= 0);
}

static void test_each_key_type_and_profile(void **state) {
  (void)state;
  static const char *const keys[] = {"rsa2048", "p256", "p384", "ed25519"};
  char serials[8][41];
  for (size_t i = 0; i < 8; i++) {
    const char *profile = i < 4 ? "server" : "client";
    struct tk_csr o = i < 4 ? (struct tk_csr){.subject = "/CN=www.example.org",
                                              .san = "DNS:www.example.org,"
                                                     "IP:192.0.2.7"}
                            : (struct tk_csr){.subject = "/CN=Alice",
                                              .san = "email:alice@example.org"};
    struct rc_sign_result res;
    X509 *x = issue(profile, keys[i % 4], o, &res);
    assert_non_null(x);
    check_extensions(x, profile);
    GENERAL_NAMES *sans = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    assert_int_equal(sk_GENERAL_NAME_num(sans), i < 4 ? 2 : 1);
    GENERAL_NAMES_free(sans);
    verify_with_tools(profile, &res);
    strcpy(serials[i], res.serial_hex);
    for (size_t j = 0; j < i; j++)
      assert_string_not_equal(serials[i], serials[j]);
    /* The packed reply decodes with the wire decoder the relay uses. */
    uint8_t *buf;
    size_t len;
    assert_int_equal(rc_sign_result_pack(&res, &buf, &len), 0);
    Ringca__CertReply *rep;
    assert_int_equal(rc_wire_decode_cert_reply(buf, len, &rep, NULL), 0);
    assert_int_equal(rep->n_chain_der, 2);
    assert_memory_equal(rep->certificate_der.data, res.cert_der,
                        res.cert_der_len);
    rc_pb_free(&rep->base);
    free(buf);
    X509_free(x);
    rc_sign_result_free(&res);
  }
}

static void test_validity_clipped_and_requested(void **state) {
  (void)state;
  struct rc_sign_result res;
  struct tk_csr o = {.san = "DNS:a.example.org"};
  X509 *x = issue("server", "p256", o, &res);
  int days, secs;
  assert_int_equal(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x),
                                  X509_get0_notAfter(x)), 1);
  assert_int_equal(days, 90); /* default, plus the 300 s backdating */
  assert_int_equal(secs, RC_ISSUE_BACKDATE_S);
  /* An empty subject makes the SAN critical. */
  int crit = -1;
  GENERAL_NAMES *g = X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL);
  assert_int_equal(crit, 1);
  GENERAL_NAMES_free(g);
  X509_free(x);
  rc_sign_result_free(&res);
}

static void test_refusal_result(void **state) {
  (void)state;
  size_t len;
  struct tk_csr o = {.san = "DNS:a.example.org"};
  uint8_t *der = tk_csr_der(tk_key("rsa1024"), &o, &len);
  Ringca__CertRequest req = cert_request("server", der, len);
  struct rc_sign_result res;
  assert_int_equal(rc_signer_handle(&pol, &ca, &req, NOW, &rng, &res), 0);
  assert_true(res.refused);
  assert_int_equal(res.refusal.reason,
                   RINGCA__REFUSAL_REASON__REFUSAL_KEY_SIZE);
  uint8_t *buf;
  assert_int_equal(rc_sign_result_pack(&res, &buf, &len), 0);
  Ringca__CertRefusal *r;
  assert_int_equal(rc_wire_decode_cert_refusal(buf, len, &r, NULL), 0);
  assert_int_equal(r->reason, RINGCA__REFUSAL_REASON__REFUSAL_KEY_SIZE);
  assert_non_null(strstr(r->message, "RSA"));
  rc_pb_free(&r->base);
  free(buf);
  free(der);
  rc_sign_result_free(&res);
}

static void test_ca_load_errors(void **state) {
  (void)state;
  char cadir[4200], err[256], path[4300];
  struct rc_ca other;
  snprintf(cadir, sizeof cadir, "%s/ca", dir);
  assert_int_equal(rc_ca_load(&other, cadir, &pol, "wrong", err, sizeof err),
                   RC_EAUTH);
  assert_non_null(strstr(err, "wrong passphrase"));
  snprintf(path, sizeof path, "%s/server.key", cadir);
  chmod(path, 0644);
  assert_int_equal(rc_ca_load(&other, cadir, &pol, "test pass", err,
                              sizeof err), RC_EPERM);
  assert_non_null(strstr(err, "0600"));
  chmod(path, 0600);
  assert_int_equal(rc_ca_load(&other, "/nonexistent", &pol, "x", err,
                              sizeof err), RC_ENOTFOUND);
  /* A sub-root that does not chain to this root is refused. */
  EVP_PKEY *k = tk_key("p256");
  X509 *leafish = X509_new();
  X509_set_version(leafish, X509_VERSION_3);
  X509_set_pubkey(leafish, k);
  X509_sign(leafish, k, EVP_sha256());
  struct rc_ca tmp = {0};
  assert_int_equal(rc_ca_set_root(&tmp, ca.root), 0);
  assert_int_equal(rc_ca_add_issuer(&tmp, "server", leafish, k), RC_ECRYPTO);
  rc_ca_free(&tmp);
  X509_free(leafish);
}

static void test_x509util_keys(void **state) {
  (void)state;
  char path[4200];
  snprintf(path, sizeof path, "%s/k.pem", dir);
  EVP_PKEY *k = tk_key("ed25519"), *back = NULL;
  assert_int_equal(rc_pkey_write_encrypted(path, k, "pw"), 0);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  assert_int_equal(rc_pkey_read_encrypted(path, "pw", &back), 0);
  assert_int_equal(EVP_PKEY_eq(k, back), 1);
  EVP_PKEY_free(back);
  assert_int_equal(rc_pkey_read_encrypted(path, "nope", &back), RC_EAUTH);
  assert_null(back);
  uint8_t *txt;
  size_t len;
  assert_int_equal(rc_file_read(path, 65536, &txt, &len), 0);
  assert_non_null(strstr((char *)txt, "ENCRYPTED PRIVATE KEY"));
  free(txt);
  chmod(path, 0640);
  assert_int_equal(rc_pkey_read_encrypted(path, "pw", &back), RC_EPERM);
  assert_int_equal(rc_pkey_write_plain(path, k), 0);
  assert_int_equal(rc_pkey_read_plain(path, &back), 0);
  EVP_PKEY_free(back);
  /* Fingerprint, DER, describe. */
  char fp[65], serial[41], subject[256];
  assert_int_equal(rc_x509_fingerprint(ca.root, fp), 0);
  assert_int_equal(strlen(fp), 64);
  assert_int_equal(rc_x509_describe(ca.root, serial, subject), 0);
  assert_int_equal(strlen(serial), 40);
  assert_non_null(strstr(subject, "NOT FOR PRODUCTION"));
  uint8_t *der;
  assert_int_equal(rc_x509_to_der(ca.root, &der, &len), 0);
  assert_int_equal(len, ca.root_der_len);
  assert_memory_equal(der, ca.root_der, len);
  free(der);
}

static void test_random_serial(void **state) {
  (void)state;
  for (int i = 0; i < 64; i++) {
    X509 *x = X509_new();
    assert_int_equal(rc_x509_set_random_serial(x, &rng), 0);
    const ASN1_INTEGER *sn = X509_get0_serialNumber(x);
    assert_int_equal(ASN1_STRING_length(sn), 20);
    assert_int_equal(ASN1_STRING_get0_data(sn)[0] & 0xC0, 0x40);
    X509_free(x);
  }
}

/* The simulator's CA: same seed, same bytes, and certificates that still
 * verify with the tools. */
static void test_in_memory_ca_is_reproducible(void **state) {
  (void)state;
  static const char *const names[] = {"server", "client"};
  struct rc_ca a, b;
  struct rc_prng pa, pb;
  rc_prng_seed(&pa, 99);
  rc_prng_seed(&pb, 99);
  struct rc_rng ra = rc_prng_as_rng(&pa), rb = rc_prng_as_rng(&pb);
  assert_int_equal(rc_ca_create_mem(&a, names, 2, NOW, &ra), 0);
  assert_int_equal(rc_ca_create_mem(&b, names, 2, NOW, &rb), 0);
  assert_int_equal(a.root_der_len, b.root_der_len);
  assert_memory_equal(a.root_der, b.root_der, a.root_der_len);
  struct tk_csr o = {.san = "DNS:sim.example.org"};
  size_t len;
  uint8_t *der = tk_csr_der(tk_key("ed25519"), &o, &len);
  Ringca__CertRequest req = cert_request("server", der, len);
  struct rc_sign_result x, y;
  assert_int_equal(rc_signer_handle(&pol, &a, &req, NOW, &ra, &x), 0);
  assert_int_equal(rc_signer_handle(&pol, &b, &req, NOW, &rb, &y), 0);
  assert_false(x.refused);
  assert_int_equal(x.cert_der_len, y.cert_der_len);
  assert_memory_equal(x.cert_der, y.cert_der, x.cert_der_len);
  /* Write the in-memory chain out and let both tools check it. */
  char root[4300], sub[4300];
  snprintf(root, sizeof root, "%s/mem-root.pem", dir);
  snprintf(sub, sizeof sub, "%s/mem-sub.pem", dir);
  write_der_pem(root, a.root_der, a.root_der_len, "w");
  write_der_pem(sub, x.reply.chain_der[0].data, x.reply.chain_der[0].len, "w");
  char leaf[4300], chain[4300];
  snprintf(leaf, sizeof leaf, "%s/mem-leaf.pem", dir);
  snprintf(chain, sizeof chain, "%s/mem-chain.pem", dir);
  write_der_pem(leaf, x.cert_der, x.cert_der_len, "w");
  write_der_pem(chain, x.cert_der, x.cert_der_len, "w");
  write_der_pem(chain, x.reply.chain_der[0].data, x.reply.chain_der[0].len, "a");
  write_der_pem(chain, a.root_der, a.root_der_len, "a");
  assert_int_equal(tk_run("openssl verify -CAfile %s -untrusted %s %s "
                          ">/dev/null", root, sub, leaf), 0);
  assert_int_equal(tk_run("certtool --verify --load-ca-certificate %s "
                          "--infile %s >/dev/null 2>&1", root, chain), 0);
  rc_sign_result_free(&x);
  rc_sign_result_free(&y);
  free(der);
  rc_ca_free(&a);
  rc_ca_free(&b);
}

/* A CA certificate for `key`, signed by issuer_key (self-signed when
 * issuer is NULL), SHA-256 whatever the key (Ed25519 takes none). */
static X509 *make_ca_cert(const char *cn, EVP_PKEY *key, X509 *issuer,
                          EVP_PKEY *issuer_key) {
  X509 *x = X509_new();
  X509_NAME *name = X509_NAME_new();
  assert_non_null(x);
  assert_non_null(name);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             (const unsigned char *)cn, -1, -1, 0);
  assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
  assert_int_equal(rc_x509_set_random_serial(x, &rng), 0);
  assert_int_equal(X509_set_subject_name(x, name), 1);
  assert_int_equal(X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer)
                                                  : name), 1);
  assert_int_equal(X509_set_pubkey(x, key), 1);
  assert_int_equal(rc_x509_set_validity_at(x, NOW, 300, 365), 0);
  X509 *signer = issuer ? issuer : x;
  assert_int_equal(rc_x509_add_ext(x, signer, NID_basic_constraints,
                                   "critical,CA:TRUE"), 0);
  assert_int_equal(rc_x509_add_ext(x, signer, NID_key_usage,
                                   "critical,keyCertSign,cRLSign"), 0);
  assert_int_equal(rc_x509_add_ext(x, signer, NID_subject_key_identifier,
                                   "hash"), 0);
  int ed = EVP_PKEY_get_base_id(issuer_key) == EVP_PKEY_ED25519;
  assert_true(X509_sign(x, issuer_key, ed ? NULL : EVP_sha256()) > 0);
  X509_NAME_free(name);
  return x;
}

/* Each sub-root key type signs with its prepared context and the digest
 * that fits it; the signature verifies with the sub-root's key. */
static void test_sub_root_key_types(void **state) {
  (void)state;
  static const struct {
    const char *kind;
    int sig_nid;
  } subs[] = {{"rsa2048", NID_sha256WithRSAEncryption},
              {"p256", NID_ecdsa_with_SHA256},
              {"p384", NID_ecdsa_with_SHA384},
              {"ed25519", NID_ED25519}};
  EVP_PKEY *root_key = tk_key("p256");
  X509 *root = make_ca_cert("test root", root_key, NULL, root_key);
  struct tk_csr o = {.subject = "/CN=www.example.org",
                     .san = "DNS:www.example.org"};
  size_t len;
  uint8_t *der = tk_csr_der(tk_key("rsa2048"), &o, &len);
  Ringca__CertRequest req = cert_request("server", der, len);
  for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
    EVP_PKEY *sub_key = tk_key(subs[i].kind);
    X509 *sub = make_ca_cert("test sub-root", sub_key, root, root_key);
    struct rc_ca c = {0};
    assert_int_equal(rc_ca_set_root(&c, root), 0);
    assert_int_equal(rc_ca_add_issuer(&c, "server", sub, sub_key), 0);
    assert_non_null(c.issuers[0].sign_tmpl);
    /* Twice: the prepared context must survive being copied and used. */
    for (int round = 0; round < 2; round++) {
      struct rc_sign_result res;
      assert_int_equal(rc_signer_handle(&pol, &c, &req, NOW, &rng, &res), 0);
      assert_false(res.refused);
      const unsigned char *p = res.cert_der;
      X509 *x = d2i_X509(NULL, &p, (long)res.cert_der_len);
      assert_non_null(x);
      assert_int_equal(X509_get_signature_nid(x), subs[i].sig_nid);
      assert_int_equal(X509_verify(x, sub_key), 1);
      assert_int_equal(X509_check_issued(sub, x), X509_V_OK);
      openssl_reads_the_same(res.cert_der, res.cert_der_len, sub_key);
      X509_free(x);
      rc_sign_result_free(&res);
    }
    rc_ca_free(&c);
    X509_free(sub);
  }
  X509_free(root);
  free(der);
}

/* A signature whose last octet is zero keeps it: the BIT STRING holds
 * whole octets, not a bit string with its trailing zero bits trimmed. The
 * in-memory CA and its Ed25519 signatures are a function of the seed, so
 * the search below finds the same certificate every run. */
static void test_signature_ending_in_zero_octet(void **state) {
  (void)state;
  static const char *const names[] = {"server"};
  struct rc_ca c;
  struct rc_prng pr;
  rc_prng_seed(&pr, 7);
  struct rc_rng r = rc_prng_as_rng(&pr);
  assert_int_equal(rc_ca_create_mem(&c, names, 1, NOW, &r), 0);
  struct tk_csr o = {.san = "DNS:zero.example.org"};
  size_t len;
  uint8_t *der = tk_csr_der(tk_key("ed25519"), &o, &len);
  Ringca__CertRequest req = cert_request("server", der, len);
  bool found = false;
  for (int i = 0; i < 4000 && !found; i++) {
    struct rc_sign_result res;
    assert_int_equal(rc_signer_handle(&pol, &c, &req, NOW, &r, &res), 0);
    assert_false(res.refused);
    if (res.cert_der[res.cert_der_len - 1] == 0) {
      found = true;
      /* Ed25519: BIT STRING of 65 octets, 0 unused bits, then 64. */
      assert_memory_equal(res.cert_der + res.cert_der_len - 67,
                          "\x03\x41\x00", 3);
      openssl_reads_the_same(res.cert_der, res.cert_der_len,
                             c.issuers[0].key);
    }
    rc_sign_result_free(&res);
  }
  assert_true(found);
  free(der);
  rc_ca_free(&c);
}

/* A profile with no extendedKeyUsage (the loader refuses one, but the
 * library must not rely on that) would give a certificate good for any
 * use: the signer fails instead of issuing it. */
static void test_no_eku_never_issues(void **state) {
  (void)state;
  struct rc_policy p = pol;
  struct rc_profile *server = NULL;
  for (size_t i = 0; i < p.nprofiles; i++)
    if (!strcmp(p.profiles[i].name, "server"))
      server = &p.profiles[i];
  assert_non_null(server);
  server->eku = 0;
  struct tk_csr o = {.subject = "/CN=www.example.org",
                     .san = "DNS:www.example.org"};
  size_t len;
  uint8_t *der = tk_csr_der(tk_key("p256"), &o, &len);
  Ringca__CertRequest req = cert_request("server", der, len);
  struct rc_sign_result res;
  assert_int_equal(rc_signer_handle(&p, &ca, &req, NOW, &rng, &res),
                   RC_ECRYPTO);
  assert_null(res.cert_der);
  free(der);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_each_key_type_and_profile),
      cmocka_unit_test(test_sub_root_key_types),
      cmocka_unit_test(test_signature_ending_in_zero_octet),
      cmocka_unit_test(test_no_eku_never_issues),
      cmocka_unit_test(test_validity_clipped_and_requested),
      cmocka_unit_test(test_refusal_result),
      cmocka_unit_test(test_ca_load_errors),
      cmocka_unit_test(test_x509util_keys),
      cmocka_unit_test(test_random_serial),
      cmocka_unit_test(test_in_memory_ca_is_reproducible),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
