/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xprint.h: printf for workloads, through the simulated kernel.  Formats on
 * the host (vsnprintf), then writes with the simulated write(2) to fd 1, so
 * the bytes travel fd table -> fileproc -> console vnode -> the host's
 * stdout, and show up in traces like any other write.
 */
#ifndef XS_EXAMPLES_XPRINT_H
#define XS_EXAMPLES_XPRINT_H

#include <stdarg.h>
#include <stdio.h>

#include "xnusim/libsyscall.h"

__attribute__((format(printf, 1, 2)))
static inline void xprintf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	if (n > 0)
		(void)xnu_write(1, buf, (size_t)n);
}

/* Exit with a message when a simulated call fails (errno is Darwin's). */
#define XCHECK(expr)                                                            \
	do {                                                                    \
		if ((long)(expr) < 0) {                                         \
			xprintf("%s:%d: %s failed: Darwin errno %d\n", __FILE__, \
				__LINE__, #expr, xnu_errno);                     \
			xnu_exit(1);                                            \
		}                                                               \
	} while (0)
#define XKR(expr)                                                               \
	do {                                                                    \
		xnu_kern_return_t kr_ = (expr);                                 \
		if (kr_ != 0) {                                                 \
			xprintf("%s:%d: %s: kern_return 0x%x\n", __FILE__,      \
				__LINE__, #expr, (unsigned)kr_);                 \
			xnu_exit(1);                                            \
		}                                                               \
	} while (0)

#endif /* XS_EXAMPLES_XPRINT_H */
