/* SPDX-License-Identifier: BSD-2-Clause */
/* compat/stddef.h: the kernel's size_t, NULL and offsetof (see compat/stdint.h). */
#ifndef XS_OSL_LINUX_COMPAT_STDDEF_H
#define XS_OSL_LINUX_COMPAT_STDDEF_H

#include <linux/stddef.h>
#include <linux/types.h>

#endif /* XS_OSL_LINUX_COMPAT_STDDEF_H */
