/* ringca-dump: prints every frame of a captured serial byte stream.
 * Only the unencrypted link header is shown; sealed bodies stay opaque. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringca/error.h"
#include "ringca/frame.h"
#include "ringca/limits.h"
#include "ringca/pb.h"
#include "ringca/wire.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: ringca-dump [--max-frame BYTES] [FILE|-]\n"
          "\n"
          "Reads a captured serial stream (FILE or standard input) and prints\n"
          "one line per frame: stream offset, encoded length, CRC status and\n"
          "the unencrypted link header. Bad frames get a line each and the dump\n"
          "goes on.\n"
          "\n"
          "  --max-frame BYTES  largest frame payload (default %u, the topology's\n"
          "                     limits.frame_size)\n"
          "\n"
          "example: ringca-dump capture.bin\n"
          "exit status: 0 every frame good, 1 some frame bad, 2 usage or I/O "
          "error\n",
          RC_FRAME_PAYLOAD_DEFAULT);
}

static void print_frame(const struct rc_frame_event *ev) {
  printf("%10" PRIu64 "  %5zu  %-8s", ev->offset, ev->wire_len,
         rc_frame_status_name(ev->status));
  if (ev->status != RC_FRAME_OK) {
    printf("  dropped as line noise\n");
    return;
  }
  Ringca__LinkFrame *lf;
  struct rc_wire_error err;
  if (rc_wire_decode_link_frame(ev->payload, ev->len, &lf, &err) != 0) {
    printf("  payload %zu bytes: not a LinkFrame: %s: %s\n", ev->len,
           err.field ? err.field : "LinkFrame", rc_strerror(err.code));
    return;
  }
  printf("  v%" PRIu32 " %-14s session %08" PRIx32 " counter %" PRIu64
         " body %zu bytes\n",
         lf->version, rc_link_frame_type_name(lf->type), lf->session_id,
         lf->counter, lf->body.len);
  rc_pb_free(&lf->base);
}

int main(int argc, char **argv) {
  size_t max_frame = RC_FRAME_PAYLOAD_DEFAULT;
  const char *path = "-";
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      usage(stdout);
      return 0;
    } else if (!strcmp(argv[i], "--max-frame") && i + 1 < argc) {
      char *end;
      unsigned long v = strtoul(argv[++i], &end, 10);
      if (*end || v < 1 || v > RC_FRAME_PAYLOAD_LIMIT) {
        fprintf(stderr, "ringca-dump: --max-frame: '%s' is not a size in 1..%u\n",
                argv[i], RC_FRAME_PAYLOAD_LIMIT);
        return 2;
      }
      max_frame = v;
    } else if (argv[i][0] == '-' && argv[i][1]) {
      fprintf(stderr, "ringca-dump: unknown option '%s'\n", argv[i]);
      usage(stderr);
      return 2;
    } else {
      path = argv[i];
    }
  }
  FILE *in = strcmp(path, "-") ? fopen(path, "rb") : stdin;
  if (!in) {
    fprintf(stderr, "ringca-dump: %s: %s\n", path, strerror(errno));
    return 2;
  }
  struct rc_frame_decoder dec;
  if (rc_frame_decoder_init(&dec, max_frame) != 0) {
    fprintf(stderr, "ringca-dump: out of memory\n");
    return 2;
  }
  printf("%10s  %5s  %-8s  %s\n", "offset", "wire", "status", "link header");
  uint8_t buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
    size_t used = 0;
    while (used < n) {
      struct rc_frame_event ev;
      used += rc_frame_decoder_feed(&dec, buf + used, n - used, &ev);
      if (ev.status != RC_FRAME_NONE)
        print_frame(&ev);
    }
  }
  int io_error = ferror(in);
  if (in != stdin)
    fclose(in);
  if (dec.frame_bytes > 0)
    printf("%10" PRIu64 "  %5zu  %-8s  stream ended inside a frame\n",
           dec.frame_offset, dec.frame_bytes, "partial");
  const struct rc_frame_stats *s = &dec.stats;
  printf("summary: %" PRIu64 " bytes, %" PRIu64 " ok, %" PRIu64
         " bad-crc, %" PRIu64 " bad-cobs, %" PRIu64 " too-long\n",
         s->bytes_in, s->ok, s->bad_crc, s->bad_cobs, s->too_long);
  int bad = s->bad_crc || s->bad_cobs || s->too_long || dec.frame_bytes;
  rc_frame_decoder_free(&dec);
  if (io_error) {
    fprintf(stderr, "ringca-dump: %s: read error\n", path);
    return 2;
  }
  return bad ? 1 : 0;
}
