/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * subr_xxx.c: the stubs behind empty syscall slots.  nosys answers ENOSYS and
 * raises SIGSYS on the caller (a program that makes a call the kernel does
 * not have is broken); enosys answers ENOSYS quietly.  Also the simulator's
 * own stand-ins for calls XNU implements but this model does not.
 * Corresponds to bsd/kern/subr_xxx.c.
 */
#include "kmod-xnu-sim/bsd/sys/sysent.h"

#include "kmod-xnu-sim/osfmk/kern/exception.h"
#include "kmod-xnu-sim/osfmk/kern/syscall_sw.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

#include "darwin/signal.h"
#undef sigset_t	/* the generated header defines its size under the type's name */

/*
 * Routine:    xs_nosys  [sysent slots marked nosys, and every number >= 558]
 * Purpose:    Reject an unassigned system call.  XNU posts SIGSYS to the
 *             calling thread (psignal_uthread) unless the DEVELOPMENT boot-arg
 *             -no_sigsys is set; the simulator has no boot-args, so always.
 * Conditions: Called from unix_syscall / unix_syscall64; nothing locked.
 *             The signal is delivered on the way out (ast_taken_user).
 * Returns:    ENOSYS.
 */
int xs_nosys(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(nosys);
	struct thread *th = xs_current_thread();

	if (th)
		xs_psignal_thread(th, SIGSYS);
	return ENOSYS;
}

/*
 * Routine:    xs_enosys  [sysent slots marked enosys]
 * Purpose:    Reject a call that exists by number but is compiled out,
 *             without a signal (the caller is expected to cope).
 * Conditions: None.
 * Returns:    ENOSYS.
 */
int xs_enosys(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(enosys);
	return ENOSYS;
}

/*
 * Routine:    xs_unmodeled  [simulator only]
 * Purpose:    A call XNU implements that this model does not (its sysent
 *             handler is a weak reference that resolved to NULL).  Answers
 *             like enosys, not nosys: the program did nothing wrong, so it
 *             must not be killed by SIGSYS.  Not registered with XS_FUNC: it
 *             has no XNU name; the syscall probes carry the real one.
 * Returns:    ENOSYS (docs/fidelity.md).
 */
int xs_unmodeled(struct proc *p, void *uap, int32_t *retval)
{
	return ENOSYS;
}

/*
 * Routine:    xs_unmodeled_trap  [simulator only]
 * Purpose:    A valid Mach trap slot whose function this model lacks.  Not
 *             kern_invalid (that would raise EXC_SYSCALL): the slot is real.
 * Returns:    KERN_NOT_SUPPORTED (docs/fidelity.md).
 */
xs_kern_return_t xs_unmodeled_trap(void *args)
{
	return KERN_NOT_SUPPORTED;
}
