/*
 * san.h - AddressSanitizer's fiber annotations around every stack switch (the scheduler's
 * and the generators'), in sanitized host builds only (`make test-unit-san`); nothing in
 * any other build. ASan must know which stack the CPU runs on to check frames and to
 * unwind after a noreturn call (google/sanitizers issue 189); every arch_switch() is
 * bracketed: z_san_leave() names the stack switched to, z_san_arrive() runs first on the
 * stack switched back to and learns the one that was left.
 */
#ifndef KERNEL_SAN_H
#define KERNEL_SAN_H

#include <stddef.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
static inline void z_san_leave(void **fake, const void *to_bottom, size_t to_size)
{
    __sanitizer_start_switch_fiber(fake, to_bottom, to_size);
}
static inline void z_san_arrive(void *fake, const void **from_bottom, size_t *from_size)
{
    __sanitizer_finish_switch_fiber(fake, from_bottom, from_size);
}
#else
static inline void z_san_leave(void **fake, const void *to_bottom, size_t to_size)
{
    (void)fake, (void)to_bottom, (void)to_size;
}
static inline void z_san_arrive(void *fake, const void **from_bottom, size_t *from_size)
{
    (void)fake, (void)from_bottom, (void)from_size;
}
#endif

#endif
