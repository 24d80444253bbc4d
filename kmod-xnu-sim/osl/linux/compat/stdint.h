/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * compat/stdint.h: <stdint.h> for the module's kernel-side files (osl/linux
 * only), which include kernel headers and the platform contract (osl.h)
 * together.  The kernel already typedefs the fixed-width types (as unsigned
 * long long where GCC's header says unsigned long: the same ABI on x86_64),
 * so we take the kernel's and add the limits it lacks.  The core never sees
 * this directory: it is compiled against GCC's own freestanding headers.
 */
#ifndef XS_OSL_LINUX_COMPAT_STDINT_H
#define XS_OSL_LINUX_COMPAT_STDINT_H

#include <linux/limits.h>
#include <linux/types.h>

typedef long intptr_t;

#ifndef UINT8_MAX
#define UINT8_MAX  U8_MAX
#define UINT16_MAX U16_MAX
#define UINT32_MAX U32_MAX
#define UINT64_MAX U64_MAX
#define INT32_MAX  S32_MAX
#define INT32_MIN  S32_MIN
#define INT64_MAX  S64_MAX
#define INT64_MIN  S64_MIN
#endif

#endif /* XS_OSL_LINUX_COMPAT_STDINT_H */
