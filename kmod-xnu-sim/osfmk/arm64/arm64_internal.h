/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * arm64_internal.h: the functions the arm64 trap front-end files call in
 * each other (sleh.c, bsd_arm64.c, machine_routines.c, status.c and
 * bsd/dev/arm/systemcalls.c).  Private to the arm64 front-end.
 */
#ifndef XS_ARM64_ARM64_INTERNAL_H
#define XS_ARM64_ARM64_INTERNAL_H

#include "kmod-xnu-sim/osfmk/mach/thread_status.h"

struct thread;
struct proc;

/* osfmk/arm64/bsd_arm64.c: a Mach trap (x16 < 0, not -3/-4). */
void xs_mach_syscall(struct arm_saved_state64 *state);
/* bsd/dev/arm/systemcalls.c: a BSD call (x16 low 32 bits >= 0). */
void xs_unix_syscall(struct arm_saved_state64 *state, struct thread *th, struct proc *p);
/* osfmk/arm64/machine_routines.c: x16 == 0x80000000, selector in x3. */
void xs_platform_syscall(struct arm_saved_state64 *state);

#endif /* XS_ARM64_ARM64_INTERNAL_H */
