/* SPDX-License-Identifier: BSD-2-Clause */
/* compat/stdbool.h: the kernel's bool, true and false (see compat/stdint.h). */
#ifndef XS_OSL_LINUX_COMPAT_STDBOOL_H
#define XS_OSL_LINUX_COMPAT_STDBOOL_H

#include <linux/stddef.h>
#include <linux/types.h>

#endif /* XS_OSL_LINUX_COMPAT_STDBOOL_H */
