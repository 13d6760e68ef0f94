/* ringca-ceremony: entry point and argument handling; each subcommand lives
 * in its own file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ceremony.h"
#include "ringca/error.h"

#define EXIT_REFUSED 1
#define EXIT_USAGE 2
#define EXIT_SYSTEM 3

static const char usage[] =
    "usage: ringca-ceremony COMMAND [ARGS]\n"
    "\n"
    "Runs the root creation ceremony (docs/ceremony.md) from files in one\n"
    "ceremony directory DIR, so each step can travel on a USB stick.\n"
    "\n"
    "commands, in the order of the day:\n"
    "  checklist [DIR]                 print the human steps with [ ] boxes\n"
    "  plan DIR PLAN.yaml              check the plan (>= 3 people, a board\n"
    "                                  member, a sysadmin), start the journal,\n"
    "                                  record software versions and hashes\n"
    "  commitment ID NAME BLOCK        on your own laptop: print the\n"
    "                                  commitment to your random block\n"
    "  commit DIR NAME (BLOCK | --hash HEX)\n"
    "                                  record NAME's commitment (refused once\n"
    "                                  any reveal happened: late commit)\n"
    "  reveal DIR NAME BLOCK           hand over the block; refused until all\n"
    "                                  have committed, aborts on a mismatch\n"
    "  generate DIR [--top TOPDIR --share FILE...]\n"
    "                                  mix blocks into OpenSSL's RNG, make the\n"
    "                                  key and certificate (a subroot is signed\n"
    "                                  by the top root de-escrowed from\n"
    "                                  TOPDIR's shares), escrow the new key\n"
    "  share-check FILE...             check a share's checksum (after\n"
    "                                  copying it to paper or typing it in)\n"
    "  transcript DIR                  write transcript.md and .json with the\n"
    "                                  attestations for each participant\n"
    "  verify DIR [--share FILE...] [--head HEX] [--scrubbed]\n"
    "                                  re-check everything; with shares also\n"
    "                                  the escrowed key; with --head the\n"
    "                                  journal head from the signed paper;\n"
    "                                  --scrubbed: the record copy, whose\n"
    "                                  reveal/ blocks were destroyed\n"
    "  recover DIR --share FILE... --out KEY.pem --passphrase-file FILE\n"
    "                                  combine k shares, write the key as\n"
    "                                  encrypted PKCS#8 (0600) for the signer\n"
    "\n"
    "example (three people, top-level root):\n"
    "  ringca-ceremony plan /media/usb/c1 plan.yaml\n"
    "  ringca-ceremony commitment cacert-2026 alice alice.bin   # own laptop\n"
    "  ringca-ceremony commit /media/usb/c1 alice --hash 3f2a...\n"
    "  ...  (bob and carol commit)\n"
    "  ringca-ceremony reveal /media/usb/c1 alice alice.bin\n"
    "  ...  (bob and carol reveal)\n"
    "  ringca-ceremony generate /media/usb/c1\n"
    "  ringca-ceremony share-check /media/usb/c1/shares/alice.share\n"
    "  ringca-ceremony transcript /media/usb/c1\n"
    "  ringca-ceremony verify /media/usb/c1\n"
    "\n"
    "exit status: 0 done; 1 refused (a ceremony rule or a check failed, or\n"
    "an input file is wrong: the message names who or what); 2 usage error;\n"
    "3 system error (I/O, memory, OpenSSL).\n";

struct args {
  char *pos[4];
  int npos;
  char *shares[CER_PARTICIPANTS_MAX + 1];
  int nshares;
  const char *top, *hash, *head, *out, *passfile;
  int scrubbed;
  char **rest; /* share-check: every positional */
};

static int parse_args(int argc, char **argv, struct args *a) {
  memset(a, 0, sizeof *a);
  a->rest = argv;
  for (int i = 0; i < argc; i++) {
    const char *s = argv[i];
    const char **dst = !strcmp(s, "--top")               ? &a->top
                       : !strcmp(s, "--hash")            ? &a->hash
                       : !strcmp(s, "--head")            ? &a->head
                       : !strcmp(s, "--out")             ? &a->out
                       : !strcmp(s, "--passphrase-file") ? &a->passfile
                                                         : NULL;
    if (dst || !strcmp(s, "--share")) {
      if (i + 1 >= argc) {
        fprintf(stderr, "ringca-ceremony: %s needs a value\n", s);
        return -1;
      }
      if (dst) {
        *dst = argv[++i];
      } else if (a->nshares == CER_PARTICIPANTS_MAX) {
        fprintf(stderr, "ringca-ceremony: too many --share\n");
        return -1;
      } else {
        a->shares[a->nshares++] = argv[++i];
      }
    } else if (!strcmp(s, "--scrubbed")) {
      a->scrubbed = 1;
    } else if (s[0] == '-' && s[1] == '-') {
      fprintf(stderr, "ringca-ceremony: unknown option %s\n", s);
      return -1;
    } else if (a->npos < 4) {
      a->pos[a->npos++] = argv[i];
    } else {
      fprintf(stderr, "ringca-ceremony: too many arguments\n");
      return -1;
    }
  }
  return 0;
}

static int need(const struct args *a, int lo, int hi, const char *cmd) {
  if (a->npos >= lo && a->npos <= hi)
    return 0;
  fprintf(stderr, "ringca-ceremony: %s: wrong number of arguments (see "
                  "--help)\n",
          cmd);
  return -1;
}

static int dispatch(const char *cmd, struct args *a, int argc, char **argv,
                    char *err) {
  if (!strcmp(cmd, "plan"))
    return need(a, 2, 2, cmd) ? 1 : cer_cmd_plan(a->pos[0], a->pos[1], err);
  if (!strcmp(cmd, "commitment"))
    return need(a, 3, 3, cmd) ? 1
                              : cer_cmd_commitment(a->pos[0], a->pos[1],
                                                   a->pos[2], err);
  if (!strcmp(cmd, "commit")) {
    if (need(a, a->hash ? 2 : 3, a->hash ? 2 : 3, cmd))
      return 1;
    return cer_cmd_commit(a->pos[0], a->pos[1], a->hash ? NULL : a->pos[2],
                          a->hash, err);
  }
  if (!strcmp(cmd, "reveal"))
    return need(a, 3, 3, cmd) ? 1
                              : cer_cmd_reveal(a->pos[0], a->pos[1], a->pos[2],
                                               err);
  if (!strcmp(cmd, "generate"))
    return need(a, 1, 1, cmd) ? 1
                              : cer_cmd_generate(a->pos[0], a->top, a->nshares,
                                                 a->shares, err);
  if (!strcmp(cmd, "share-check")) {
    if (argc < 1 || a->nshares || a->top || a->hash || a->head || a->out) {
      fprintf(stderr, "ringca-ceremony: share-check FILE...\n");
      return 1;
    }
    return cer_cmd_share_check(argc, argv, err);
  }
  if (!strcmp(cmd, "transcript"))
    return need(a, 1, 1, cmd) ? 1 : cer_cmd_transcript(a->pos[0], err);
  if (!strcmp(cmd, "verify"))
    return need(a, 1, 1, cmd) ? 1
                              : cer_cmd_verify(a->pos[0], a->nshares,
                                               a->shares, a->head,
                                               a->scrubbed, err);
  if (!strcmp(cmd, "recover")) {
    if (need(a, 1, 1, cmd) || !a->out || !a->passfile || !a->nshares) {
      fprintf(stderr, "ringca-ceremony: recover DIR --share FILE... --out "
                      "KEY.pem --passphrase-file FILE\n");
      return 1;
    }
    return cer_cmd_recover(a->pos[0], a->nshares, a->shares, a->out,
                           a->passfile, err);
  }
  if (!strcmp(cmd, "checklist"))
    return need(a, 0, 1, cmd) ? 1
                              : cer_cmd_checklist(a->npos ? a->pos[0] : NULL,
                                                  err);
  fprintf(stderr, "ringca-ceremony: unknown command '%s' (see --help)\n", cmd);
  return 1;
}

int main(int argc, char **argv) {
  char err[CER_ERR_MAX] = "";
  struct args a;
  if (argc < 2) {
    fputs(usage, stderr);
    return EXIT_USAGE;
  }
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    fputs(usage, stdout);
    return 0;
  }
  const char *cmd = argv[1];
  if (parse_args(argc - 2, argv + 2, &a))
    return EXIT_USAGE;
  int rc = dispatch(cmd, &a, argc - 2, argv + 2, err);
  if (rc == 1)
    return EXIT_USAGE;
  if (rc == 0)
    return 0;
  fprintf(stderr, "ringca-ceremony: %s: %s\n", cmd,
          err[0] ? err : rc_strerror(rc));
  return rc == RC_EIO || rc == RC_ENOMEM || rc == RC_ECRYPTO ? EXIT_SYSTEM
                                                              : EXIT_REFUSED;
}
