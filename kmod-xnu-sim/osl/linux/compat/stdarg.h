/* SPDX-License-Identifier: BSD-2-Clause */
/* compat/stdarg.h: the kernel's va_list (see compat/stdint.h). */
#ifndef XS_OSL_LINUX_COMPAT_STDARG_H
#define XS_OSL_LINUX_COMPAT_STDARG_H

#include <linux/stdarg.h>

#endif /* XS_OSL_LINUX_COMPAT_STDARG_H */
