/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * core_prelude.h: force-included into every core file of the module build,
 * after the kernel's own compiler_types.h (Kbuild force-includes that into
 * everything).  It takes back the few macros the kernel defines over plain
 * GCC attribute names the core uses (__attribute__((noinline))), so the core
 * compiles unchanged in both builds.  Never included by kernel-side files.
 */
#ifndef XS_OSL_LINUX_CORE_PRELUDE_H
#define XS_OSL_LINUX_CORE_PRELUDE_H

#undef noinline

#endif /* XS_OSL_LINUX_CORE_PRELUDE_H */
