/* arch/cc.h - lwIP's compiler and platform glue for this kernel (newlib, GCC). */
#ifndef NET_ARCH_CC_H
#define NET_ARCH_CC_H

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>     /* struct timeval from newlib: LWIP_TIMEVAL_PRIVATE 0 */
#include <sys/select.h>   /* fd_set and FD_SETSIZE from newlib */

#include "k.h"

/* lwIP typedefs ssize_t as int unless SSIZE_MAX says the C library has it; newlib has it
 * (<sys/types.h>: long on LP64 targets) but no SSIZE_MAX. */
#ifndef SSIZE_MAX
#include <sys/types.h>
#define SSIZE_MAX __PTRDIFF_MAX__
#endif

#ifndef BYTE_ORDER
#define BYTE_ORDER LITTLE_ENDIAN   /* newlib's <machine/endian.h> usually defines it */
#endif
#define LWIP_ERRNO_STDINCLUDE 1

#define LWIP_PLATFORM_DIAG(x) do { printf x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) k_panic("lwIP assertion \"%s\" failed at %s:%d", x, __FILE__, __LINE__)

uint32_t k_net_rand(void);
#define LWIP_RAND() k_net_rand()

/* Debian's lwIP 2.1.3 (patch "port") writes sockaddr lengths through these macros, which
 * only its POSIX port defines. lwIP's own struct sockaddr has sa_len, so: */
#define IP4ADDR_SOCKADDR_SET_LEN(sin) ((sin)->sin_len = sizeof(struct sockaddr_in))
#define IP6ADDR_SOCKADDR_SET_LEN(sin6) ((sin6)->sin6_len = sizeof(struct sockaddr_in6))
#define IPADDR_SOCKADDR_GET_LEN(addr) ((addr)->sa.sa_len)

#endif
