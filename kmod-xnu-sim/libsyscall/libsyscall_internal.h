/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libsyscall_internal.h: helpers shared by the libsyscall stub files.
 */
#ifndef XS_LIBSYSCALL_INTERNAL_H
#define XS_LIBSYSCALL_INTERNAL_H

#include "xnusim/libsyscall.h"

#include "kmod-xnu-sim/osfmk/kern/kern_types.h"
#include "kmod-xnu-sim/osfmk/mach/thread_status.h"

/* XS_ARCH_ARM64 or XS_ARCH_X86_64: the machine this process runs on. */
int xs_libsyscall_arch(void);
/* cerror: xnu_errno = error; returns -1. */
int64_t xs_cerror(int error);
/* A BSD call: x0 (rax) or -1 with xnu_errno; *rv1 (may be NULL) gets x1. */
int64_t xs_bsd(int n, const uint64_t *args, int nargs, uint64_t *rv1);

/*
 * signal_stubs.c: after each trap, if the kernel pointed pc (rip) at a
 * signal trampoline (sendsig), call it as the CPU would jump there; its
 * sigreturn puts the interrupted call's state back into *s.  Stubs keep
 * XS_SIG_USTACK_WORDS of stack below the saved sp for sendsig's frames.
 */
void xs_sigtramp_arm64(struct arm_saved_state64 *s);
void xs_sigtramp_x86_64(struct x86_saved_state64 *s);
#define XS_SIG_USTACK_WORDS 512

#define XS_U64(x) ((uint64_t)(uintptr_t)(x))
#define XS_I64(x) ((uint64_t)(int64_t)(x))

#define XS_BSD0(n)                   xs_bsd(n, (const uint64_t *)0, 0, (uint64_t *)0)
#define XS_BSD(n, ...)                                                            \
	({ const uint64_t xs_a_[] = { __VA_ARGS__ };                              \
	   xs_bsd(n, xs_a_, (int)XS_ARRAY_SIZE(xs_a_), (uint64_t *)0); })
#define XS_MACH0(n)                  xnu_mach_trap(n, (const uint64_t *)0, 0)
#define XS_MACH(n, ...)                                                           \
	({ const uint64_t xs_a_[] = { __VA_ARGS__ };                              \
	   xnu_mach_trap(n, xs_a_, (int)XS_ARRAY_SIZE(xs_a_)); })

#endif /* XS_LIBSYSCALL_INTERNAL_H */
