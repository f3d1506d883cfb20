/* crc32.h - CRC-32 of IEEE 802.3 (polynomial 0xEDB88320 reflected), as zlib's crc32(). */
#ifndef APPS_CRC32_H
#define APPS_CRC32_H
#include <stddef.h>
#include <stdint.h>
/* Continue crc over len bytes; start with crc = 0. Same result as zlib.crc32(data, crc). */
uint32_t crc32_update(uint32_t crc, const void *data, size_t len);
#endif
