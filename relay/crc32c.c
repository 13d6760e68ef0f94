#include "ringca/crc32c.h"

/* Reflected Castagnoli polynomial. */
#define CRC32C_POLY 0x82F63B78u

static uint32_t crc32c_table[256];
static int crc32c_table_ready;

/* Table is computed, not pasted: 256 magic constants are harder to review
 * than the eight-line loop that derives them. Idempotent, so a race between
 * two first callers writes the same values. */
static void crc32c_init_table(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++)
      c = (c & 1u) ? (c >> 1) ^ CRC32C_POLY : c >> 1;
    crc32c_table[i] = c;
  }
  crc32c_table_ready = 1;
}

uint32_t rc_crc32c(uint32_t crc, const void *data, size_t len) {
  const uint8_t *p = data;
  if (!crc32c_table_ready)
    crc32c_init_table();
  crc = ~crc;
  while (len--)
    crc = crc32c_table[(crc ^ *p++) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}
