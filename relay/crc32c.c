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

/* SSE4.2's crc32 instruction computes exactly this polynomial; at 8 bytes
 * a cycle it keeps framing far below the cost of the AEAD on a 4 KiB frame
 * (bench/link_bench.c), where the table loop cost three times the cipher. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <string.h>
__attribute__((target("sse4.2"))) static uint32_t
crc32c_hw(uint32_t crc, const uint8_t *p, size_t len) {
  uint64_t c = crc;
  while (len >= 8) {
    uint64_t w;
    memcpy(&w, p, sizeof w);
    c = __builtin_ia32_crc32di(c, w);
    p += 8;
    len -= 8;
  }
  uint32_t c32 = (uint32_t)c;
  while (len--)
    c32 = __builtin_ia32_crc32qi(c32, *p++);
  return c32;
}
#define CRC32C_HAVE_HW 1
#endif

uint32_t rc_crc32c(uint32_t crc, const void *data, size_t len) {
  const uint8_t *p = data;
  crc = ~crc;
#ifdef CRC32C_HAVE_HW
  if (__builtin_cpu_supports("sse4.2"))
    return ~crc32c_hw(crc, p, len);
#endif
  if (!crc32c_table_ready)
    crc32c_init_table();
  while (len--)
    crc = crc32c_table[(crc ^ *p++) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}
