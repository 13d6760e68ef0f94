/* Throwaway key material for a simulated deployment, all derived from the
 * seed so a run is a pure function of its inputs: node link (X25519) and
 * origin (Ed25519) keys replace the topology's public keys, so any topology
 * file runs without its private keys; front-end CSRs and a CA (root and one
 * sub-root per profile) use Ed25519, whose signatures are deterministic, so
 * every envelope has the same size in every run and timing on the simulated
 * serial lines never varies. Never used outside the simulator. */
#ifndef RINGCA_SIM_PKI_H
#define RINGCA_SIM_PKI_H
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ringca/rng.h"

#define RC_SIM_UNIX_EPOCH_S 1767225600ull /* 2026-01-01: virtual time 0 */

int rc_sim_x25519_public(const uint8_t priv[32], uint8_t pub[32]);
int rc_sim_ed25519_public(const uint8_t priv[32], uint8_t pub[32]);

/* A PKCS#10 request (DER) for CN=cn with one DNS subjectAltName, signed by
 * the Ed25519 key made from seed. */
int rc_sim_csr(const uint8_t seed[32], const char *cn, const char *san_dns,
               uint8_t **der, size_t *len);

#define RC_SIM_CA_MAX_SUBS 2
struct rc_sim_ca {
  X509 *root;
  EVP_PKEY *root_key;
  size_t nsubs;
  X509 *sub[RC_SIM_CA_MAX_SUBS];
  EVP_PKEY *sub_key[RC_SIM_CA_MAX_SUBS];
  char profile[RC_SIM_CA_MAX_SUBS][16];
};

/* Root "ringca-sim root" and sub-roots for `server` and `client`, labelled
 * NOT FOR PRODUCTION, valid from virtual time 0 for ten years. */
int rc_sim_ca_make(struct rc_prng *p, struct rc_sim_ca *out);
void rc_sim_ca_free(struct rc_sim_ca *ca);

#endif
