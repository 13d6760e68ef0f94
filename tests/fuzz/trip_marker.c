/* A trip marker as ringca-node and ringca-ctl read it back: the file may
 * have been edited or damaged; parsing is bounded and never trusted. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "trip_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct rc_trip_record r;
  if (rc_trip_marker_parse(data, size, &r) == 0) {
    /* Every field stays a terminated string within its buffer. */
    if (strlen(r.cause) >= sizeof r.cause || strlen(r.detail) >= sizeof r.detail)
      __builtin_trap();
  }
  return 0;
}
