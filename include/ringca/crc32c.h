#ifndef RINGCA_CRC32C_H
#define RINGCA_CRC32C_H
#include <stddef.h>
#include <stdint.h>

/* CRC-32C (Castagnoli, iSCSI): chosen over CRC-32 for its better Hamming
 * distance at serial frame sizes. Pass crc = 0 to start; feed chunks by
 * passing the previous result back in. crc32c("123456789") == 0xE3069283. */
uint32_t rc_crc32c(uint32_t crc, const void *data, size_t len);

#endif
