/* The kernel's fixed-width type names, for building kmod/ sources on the host. */
#ifndef NETLOG_HOST_KERNEL_TYPES_H
#define NETLOG_HOST_KERNEL_TYPES_H

#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;

#endif
