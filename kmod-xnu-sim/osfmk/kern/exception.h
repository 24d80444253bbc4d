/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * exception.h: Mach exceptions and their BSD translation.  Corresponds to
 * osfmk/kern/exception.c (exception_triage) and bsd/uxkern/ux_exception.c.
 * The simulator has no exception ports yet, so every exception goes straight
 * to the BSD translation, as when nobody registered a handler.
 */
#ifndef XS_KERN_EXCEPTION_H
#define XS_KERN_EXCEPTION_H

#include "kmod-xnu-sim/osfmk/kern/kern_types.h"

struct proc;
struct thread;

#define EXC_BAD_ACCESS      1
#define EXC_BAD_INSTRUCTION 2
#define EXC_ARITHMETIC      3
#define EXC_SOFTWARE        5
#define EXC_BREAKPOINT      6
#define EXC_SYSCALL         7
#define EXC_MACH_SYSCALL    8
#define EXC_CRASH           10
#define EXC_GUARD           12

/* Raise exception on the current thread; posts the translated signal. */
void xs_exception_triage(int exception, int64_t code, int64_t subcode);

/*
 * Handle pending ASTs on the way back to user mode: deliver signals
 * (bsd_ast).  A default-fatal signal ends the process here and does not
 * return.  Called by every trap front-end before it returns.
 */
void xs_ast_taken_user(void);

/* bsd/kern/kern_sig.c */
void xs_psignal(struct proc *p, int signum);
void xs_psignal_thread(struct thread *th, int signum);

/*
 * bsd/uxkern/ux_exception.c: the signal a Mach exception becomes when no
 * exception port handles it (EXC_SYSCALL -> SIGSYS, EXC_BAD_ACCESS ->
 * SIGSEGV/SIGBUS, ...); 0 if none.  xs_handle_ux_exception posts it to th.
 */
int xs_ux_exception(int exception, int64_t code, int64_t subcode);
void xs_handle_ux_exception(struct thread *th, int exception, int64_t code,
			    int64_t subcode);

#endif /* XS_KERN_EXCEPTION_H */
