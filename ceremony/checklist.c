/* checklist: the human steps of the seed (the parts no program can do) as a
 * printout with boxes, in the order of the day.  Given a planned ceremony
 * directory, the per-person checks list every participant by name and the
 * binary hash to compare is filled in. */
#include "ceremony.h"

#include <stdio.h>
#include <stdlib.h>

#include "ringca/error.h"

static const char *const before[] = {
    "Board decision instructing the creation of this root recorded "
    "(top-level root or subroot)",
    "Roots/Contents (subject, key type, validity, profile) prepared with the "
    "board and written into plan.yaml",
    "1 or 2 board members designated to attend, with full authority to act "
    "for the board on the day",
    "Team leader designated (experienced in technical and governance "
    "issues)",
    "System administrators designated by the team leader",
    "Exact OS + OpenSSL distribution and ringca build announced to every "
    "participant, who each make their own CD",
    "Hardware chosen that the OS supports; no networking hardware",
    "Transport (sneakerware) USB sticks and escrow USB sticks designated",
    "N+x USB sticks bought by two people together, from an ordinary retail "
    "store chosen at random, not online",
    "Tools, power and a UPS packed",
    "Video camera and photo camera designated to document the day",
    "Each participant prepared a random source and their own laptop",
    "Meeting place chosen on the day, acceptable to all, not pre-planned",
};

static const char *const each[] = {
    "own laptop hash of the OS CD matches the approved one",
    "own laptop hash of ringca-ceremony matches the one `plan` printed",
    "all network access is down or off",
    "other electronic devices are unpowered",
    "each machine component is simple, basic and clean",
    "supplied parts and random block are clean",
};

static const char *const machine[] = {
    "One-off machine built from basic, isolated parts; all inspected, "
    "approved and chose the parts",
    "Drives are new or pre-used by CAcert with the approved destruction "
    "method",
    "No networking hardware or software beyond the USB needed for "
    "sneakerware",
    "OS installed from scratch from the CD",
    "Random mixing method inspected and approved (docs/ceremony.md, "
    "\"How the randomness is mixed\")",
};

/* The seed's step 6.1: a low-level root is signed by the top-level root. */
static const char *const subroot[] = {
    "Top-level root's escrow holders present with their paper shares; its "
    "record files and escrow.enc copied to the ceremony machine",
    "Each top-level holder ran `share-check` on the share they typed in",
    "Top-level root certificate fingerprint compared with its transcript",
    "After `generate`: the copy of the top-level root is destroyed (the tool "
    "wipes it from memory; its typed-in shares and escrow copy are deleted "
    "and scrubbed with the machine)",
};

static const char *const after[] = {
    "Every escrow holder ran `share-check` on their share and holds the "
    "paper copy and a USB stick with escrow.enc",
    "`verify` passed on the ceremony machine; transcript printed",
    "Memories of the machine and of every USB stick scrubbed per the "
    "Security Manual",
    "Key parts destroyed: disks, memory, BIOS, the reveal/ and shares/ "
    "directories",
    "Group travelled together to the signing machine",
    "Sysadmin granted access to each escrow holder; each typed in their "
    "share; `recover` combined them",
    "Root installed and secured on the signing machine",
    "Attestations signed, collected, scanned and uploaded",
    "Video and photos collected and cut for posterity",
    "Roots/RolloutProcedure started",
};

static void boxes(const char *title, const char *const *items, size_t n) {
  printf("\n%s\n", title);
  for (size_t i = 0; i < n; i++)
    printf("  [ ] %s\n", items[i]);
}

#define BOXES(t, a) boxes(t, a, sizeof a / sizeof *a)

int cer_cmd_checklist(const char *dir, char *err) {
  struct cer_plan *plan = NULL;
  char self[65] = "";
  int rc;
  if (dir) {
    if (!(plan = malloc(sizeof *plan)))
      return RC_ENOMEM;
    if ((rc = cer_plan_load(dir, plan, err)) ||
        (rc = cer_self_sha256(self, err))) {
      free(plan);
      return rc;
    }
  }
  printf("ROOT CREATION CEREMONY CHECKLIST%s%s\n", plan ? ": " : "",
         plan ? plan->id : "");
  if (plan)
    printf("%s, %s, %u participants, escrow threshold %u\n"
           "ringca-ceremony sha256: %s\n",
           cer_kind_name(plan->kind), plan->key_type, plan->n,
           plan->threshold, self);
  BOXES("Before the day (board and team leader)", before);
  printf("\nAt the meeting place, each participant confirms\n");
  if (plan) {
    for (unsigned p = 0; p < plan->n; p++) {
      printf("  %s (%s)\n", plan->p[p].name, cer_role_name(plan->p[p].role));
      for (size_t i = 0; i < sizeof each / sizeof *each; i++)
        printf("    [ ] %s\n", each[i]);
    }
  } else {
    for (size_t i = 0; i < sizeof each / sizeof *each; i++)
      printf("  [ ] every participant: %s\n", each[i]);
  }
  BOXES("The machine", machine);
  if (!plan || plan->kind == CER_KIND_SUBROOT)
    BOXES(plan ? "De-escrow of the top-level root"
               : "De-escrow of the top-level root (sub-roots only)",
          subroot);
  printf("\nThe software steps (see docs/ceremony.md)\n"
         "  [ ] plan        [ ] commit (everyone)   [ ] reveal (everyone)\n"
         "  [ ] generate    [ ] share-check         [ ] transcript\n"
         "  [ ] verify\n");
  BOXES("After generation", after);
  free(plan);
  return 0;
}
