/* ringca-submit: hand one CSR to the CA and wait for the certificate.
 * On a front-end it talks to the local ringca-node's control socket
 * (--node-socket), which carries the request over the serial mesh; on the
 * root store it can write to the signer's spool directly (--spool). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "ringca/ctl.h"
#include "ringca/error.h"
#include "ringca/fileio.h"
#include "ringca/intake.h"
#include "ringca/pb.h"
#include "ringca/spool.h"

#define EXIT_USAGE 64
#define DEFAULT_SPOOL "/var/spool/ringca"
#define DEFAULT_TIMEOUT_S 60
#define POLL_MS 50

static void usage(FILE *f) {
  fprintf(f,
"usage: ringca-submit --csr FILE --profile server|client [--out cert.pem]\n"
"                     [--chain] [--timeout S] [--days N] [--spool DIR]\n"
"                     [--profiles FILE] [--origin NAME]\n"
"                     [--node-socket PATH]\n"
"\n"
"  --csr FILE       PKCS#10 request, PEM or DER\n"
"  --profile NAME   server or client (the two sub-roots)\n"
"  --out FILE       write the certificate there (default: standard output)\n"
"  --chain          append the sub-root and root certificates\n"
"  --timeout S      give up after S seconds (default %d)\n"
"  --days N         requested validity (default: the profile's)\n"
"  --node-socket P  the front-end node's control socket\n"
"                   (STATE_DIR/ctl.sock): the request goes over the mesh\n"
"  --spool DIR      without --node-socket: the signer's spool\n"
"                   (default " DEFAULT_SPOOL ")\n"
"  --profiles FILE  the signer's profiles file, for pre-validation\n"
"\n"
"example:\n"
"  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \\\n"
"      -keyout www.key -subj /CN=www.example.org \\\n"
"      -addext subjectAltName=DNS:www.example.org -out www.csr\n"
"  ringca-submit --node-socket /var/lib/ringca/fe1/ctl.sock \\\n"
"      --csr www.csr --profile server --out www.pem --chain\n"
"\n"
"exit status: 0 issued; 1 refused by policy (the reason is printed);\n"
"2 timed out (or the node's queues are full); 3 mesh down (no path to\n"
"the signer, no node listening); 4 internal error;\n"
"64 usage\n", DEFAULT_TIMEOUT_S);
}

static uint64_t wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int append_pem(BIO *bio, const ProtobufCBinaryData *der) {
  const unsigned char *p = der->data;
  X509 *x = d2i_X509(NULL, &p, (long)der->len);
  int ok = x && PEM_write_bio_X509(bio, x) == 1;
  X509_free(x);
  return ok ? 0 : RC_EMALFORMED;
}

static int write_cert(const Ringca__CertReply *r, bool chain,
                      const char *out) {
  BIO *bio = BIO_new(BIO_s_mem());
  int rc = bio ? append_pem(bio, &r->certificate_der) : RC_ENOMEM;
  for (size_t i = 0; rc == 0 && chain && i < r->n_chain_der; i++)
    rc = append_pem(bio, &r->chain_der[i]);
  char *data;
  long len = rc == 0 ? BIO_get_mem_data(bio, &data) : 0;
  if (rc == 0 && out)
    rc = rc_file_write_atomic(out, data, (size_t)len, 0644) ? RC_EIO : 0;
  else if (rc == 0 && fwrite(data, 1, (size_t)len, stdout) != (size_t)len)
    rc = RC_EIO;
  BIO_free(bio);
  return rc;
}

struct opts {
  const char *csr, *profile, *out, *spool, *profiles, *origin, *node_socket;
  bool chain;
  long timeout_s, days;
};

static int parse(int argc, char **argv, struct opts *o) {
  static const struct option longopts[] = {
      {"csr", required_argument, NULL, 'c'},
      {"profile", required_argument, NULL, 'p'},
      {"out", required_argument, NULL, 'o'},
      {"chain", no_argument, NULL, 'C'},
      {"timeout", required_argument, NULL, 't'},
      {"days", required_argument, NULL, 'd'},
      {"spool", required_argument, NULL, 's'},
      {"profiles", required_argument, NULL, 'P'},
      {"origin", required_argument, NULL, 'O'},
      {"node-socket", required_argument, NULL, 'N'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  int c;
  char *end;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
    case 'c': o->csr = optarg; break;
    case 'p': o->profile = optarg; break;
    case 'o': o->out = optarg; break;
    case 'C': o->chain = true; break;
    case 's': o->spool = optarg; break;
    case 'P': o->profiles = optarg; break;
    case 'O': o->origin = optarg; break;
    case 'N': o->node_socket = optarg; break;
    case 't':
    case 'd': {
      long v = strtol(optarg, &end, 10);
      if (*end || v < (c == 't' ? 1 : 0) || v > 3650) {
        fprintf(stderr, "ringca-submit: --%s: %s is not a number in range\n",
                c == 't' ? "timeout" : "days", optarg);
        return -1;
      }
      *(c == 't' ? &o->timeout_s : &o->days) = v;
      break;
    }
    case 'h': usage(stdout); exit(0);
    default: return -1;
    }
  }
  if (optind != argc || !o->csr || !o->profile) {
    usage(stderr);
    return -1;
  }
  return 0;
}

static int wait_reply(const struct opts *o, const uint8_t *id,
                      uint64_t deadline) {
  for (;;) {
    Ringca__SpoolReply *rep;
    int rc = rc_spool_take_reply(o->spool, id, &rep);
    if (rc == 0) {
      enum rc_intake_status st = rc_intake_classify(rep);
      if (st == RC_INTAKE_ISSUED) {
        if (write_cert(rep->reply, o->chain, o->out) != 0) {
          fprintf(stderr, "ringca-submit: %s: cannot write the certificate\n",
                  o->out ? o->out : "stdout");
          st = RC_INTAKE_INTERNAL;
        } else if (o->out) {
          fprintf(stderr, "ringca-submit: issued, written to %s\n", o->out);
        }
      } else {
        fprintf(stderr, "ringca-submit: refused: %s: %s\n",
                rc_refusal_name(rep->refusal->reason), rep->refusal->message);
      }
      rc_pb_free(&rep->base);
      return (int)st;
    }
    if (rc != RC_EAGAIN) {
      fprintf(stderr, "ringca-submit: reply file: %s\n", rc_strerror(rc));
      return RC_INTAKE_INTERNAL;
    }
    if (wall_ms() >= deadline) {
      fprintf(stderr, "ringca-submit: timed out after %ld s waiting for the "
              "signer (the request stays queued and will be refused as "
              "expired)\n", o->timeout_s);
      return RC_INTAKE_TIMEOUT;
    }
    struct timespec ts = {0, POLL_MS * 1000000L};
    nanosleep(&ts, NULL);
  }
}

/* The front-end node's control socket: the node pre-validates again with
 * the same intake code, signs the request with its origin key and carries
 * it to the root over the serial mesh. Exit codes are the spool path's. */
static int submit_via_node(const struct opts *o,
                           const struct rc_intake_request *req) {
  Ringca__CtlSubmit sub = RINGCA__CTL_SUBMIT__INIT;
  sub.profile = (char *)req->profile;
  sub.csr_der.data = req->csr_der;
  sub.csr_der.len = req->csr_der_len;
  sub.validity_days = (uint32_t)o->days;
  sub.timeout_ms = (uint32_t)(o->timeout_s * 1000);
  Ringca__CtlRequest creq = RINGCA__CTL_REQUEST__INIT;
  creq.version = RC_CTL_VERSION;
  creq.op_case = RINGCA__CTL_REQUEST__OP_SUBMIT;
  creq.submit = &sub;
  Ringca__CtlResponse *resp = NULL;
  char err[512];
  /* The node answers EXPIRED at the deadline; the slack covers the trip
   * back over the socket. */
  int rc = rc_ctl_call(o->node_socket, &creq, &resp,
                       (int)(o->timeout_s * 1000 + 5000), err, sizeof err);
  if (rc) {
    fprintf(stderr, "ringca-submit: %s\n", err);
    return rc == RC_ENOTFOUND ? RC_INTAKE_MESH_DOWN
           : rc == RC_ETIMEOUT ? RC_INTAKE_TIMEOUT
                               : RC_INTAKE_INTERNAL;
  }
  int status = RC_INTAKE_INTERNAL;
  if (resp->result_case == RINGCA__CTL_RESPONSE__RESULT_ERROR) {
    fprintf(stderr, "ringca-submit: the node refused: %s\n",
            resp->error->message);
  } else if (resp->result_case != RINGCA__CTL_RESPONSE__RESULT_SUBMIT) {
    fprintf(stderr, "ringca-submit: unexpected answer from the node\n");
  } else {
    const Ringca__CtlSubmitResult *res = resp->submit;
    switch (res->outcome) {
    case RINGCA__CTL_SUBMIT_OUTCOME__CTL_SUBMIT_ISSUED:
      if (!res->reply || write_cert(res->reply, o->chain, o->out) != 0) {
        fprintf(stderr, "ringca-submit: %s: cannot write the certificate\n",
                o->out ? o->out : "stdout");
        break;
      }
      if (o->out)
        fprintf(stderr, "ringca-submit: issued, written to %s\n", o->out);
      status = RC_INTAKE_ISSUED;
      break;
    case RINGCA__CTL_SUBMIT_OUTCOME__CTL_SUBMIT_REFUSED: {
      Ringca__SpoolReply as_reply = RINGCA__SPOOL_REPLY__INIT;
      as_reply.outcome_case = RINGCA__SPOOL_REPLY__OUTCOME_REFUSAL;
      as_reply.refusal = res->refusal;
      if (!res->refusal)
        break;
      fprintf(stderr, "ringca-submit: refused: %s: %s\n",
              rc_refusal_name(res->refusal->reason), res->refusal->message);
      status = (int)rc_intake_classify(&as_reply);
      break;
    }
    case RINGCA__CTL_SUBMIT_OUTCOME__CTL_SUBMIT_EXPIRED:
      fprintf(stderr, "ringca-submit: no answer from the root within %ld s\n",
              o->timeout_s);
      status = RC_INTAKE_TIMEOUT;
      break;
    case RINGCA__CTL_SUBMIT_OUTCOME__CTL_SUBMIT_NO_ROUTE:
      fprintf(stderr, "ringca-submit: no ring toward the root is up\n");
      status = RC_INTAKE_MESH_DOWN;
      break;
    case RINGCA__CTL_SUBMIT_OUTCOME__CTL_SUBMIT_BUSY:
      fprintf(stderr, "ringca-submit: the node's queues are full; try "
              "again later\n");
      status = RC_INTAKE_TIMEOUT;
      break;
    default:
      fprintf(stderr, "ringca-submit: the node gave no outcome\n");
    }
  }
  rc_pb_free(&resp->base);
  return status;
}

int main(int argc, char **argv) {
  struct opts o = {NULL, NULL, NULL, DEFAULT_SPOOL, NULL, "local", NULL,
                   false, DEFAULT_TIMEOUT_S, 0};
  if (parse(argc, argv, &o))
    return EXIT_USAGE;
  struct rc_policy pol;
  char err[512];
  if (o.profiles ? rc_policy_load(o.profiles, &pol, err, sizeof err) != 0
                 : (rc_policy_default(&pol), 0)) {
    fprintf(stderr, "ringca-submit: %s\n", err);
    return RC_INTAKE_INTERNAL;
  }
  uint8_t *csr;
  size_t len;
  int e = rc_file_read(o.csr, RC_CSR_MAX, &csr, &len);
  if (e) {
    fprintf(stderr, "ringca-submit: %s: %s\n", o.csr,
            e == -EFBIG ? "larger than the 16 KiB a CSR may have"
                        : strerror(-e));
    return e == -EFBIG ? RC_INTAKE_REFUSED : EXIT_USAGE;
  }
  uint64_t now = wall_ms(), deadline = now + (uint64_t)o.timeout_s * 1000u;
  struct rc_intake_request req;
  struct rc_refusal why;
  int rc = rc_intake_build(&pol, o.profile, csr, len, (uint32_t)o.days,
                           o.origin, now, deadline, &rc_rng_system, &req,
                           &why);
  free(csr);
  if (rc == RC_EPOLICY) {
    fprintf(stderr, "ringca-submit: refused: %s: %s\n",
            rc_refusal_name(why.reason), why.message);
    return RC_INTAKE_REFUSED;
  }
  if (rc) {
    fprintf(stderr, "ringca-submit: %s\n", rc_strerror(rc));
    return rc == RC_EINVAL ? EXIT_USAGE : RC_INTAKE_INTERNAL;
  }
  if (o.node_socket) {
    rc = submit_via_node(&o, &req);
    rc_intake_free(&req);
    return rc;
  }
  rc = rc_spool_submit(o.spool, &req.spool);
  if (rc) {
    fprintf(stderr, "ringca-submit: spool %s: %s\n", o.spool,
            rc == RC_ENOTFOUND ? "missing or not writable: no path to the "
                                 "signer"
                               : rc_strerror(rc));
    rc_intake_free(&req);
    return rc == RC_ENOTFOUND ? RC_INTAKE_MESH_DOWN : RC_INTAKE_INTERNAL;
  }
  rc = wait_reply(&o, req.request_id, deadline);
  rc_intake_free(&req);
  return rc;
}
