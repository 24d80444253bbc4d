/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * exception.c: raising a Mach exception on the current thread.  XNU offers
 * the exception to the thread's, then the task's, then the host's exception
 * port; the host port belongs to the kernel's ux_handler, which turns it
 * into a BSD signal.  The simulator has no thread or task exception ports
 * yet, so every exception reaches the host level, i.e. the BSD translation.
 * Corresponds to osfmk/kern/exception.c.
 */
#include "kmod-xnu-sim/osfmk/kern/exception.h"

#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

/*
 * exception_deliver at host level: the host's exc_actions all name the
 * ux_handler port (ux_handler_init), whose server is
 * catch_mach_exception_raise -> handle_ux_exception.  Modeled as a direct
 * call; no message is built (docs/fidelity.md).
 */
static void xs_exception_deliver(struct thread *th, int exception, int64_t code,
				 int64_t subcode)
{
	XS_FUNC_AT(exception_deliver, "osfmk/kern/exception.c");
	xs_handle_ux_exception(th, exception, code, subcode);
}

/*
 * Routine:    exception_triage_thread
 * Purpose:    Offer the exception at thread, task and host level.
 * Conditions: Nothing locked.  In XNU the caller then returns to user mode
 *             through thread_exception_return; the simulator's front-ends do
 *             the same by returning, after ast_taken_user.
 */
static void xs_exception_triage_thread(int exception, int64_t code, int64_t subcode,
				       struct thread *th)
{
	XS_FUNC(exception_triage_thread);
	/* thread and task levels: no exception ports registered (none modeled) */
	xs_exception_deliver(th, exception, code, subcode);
}

/*
 * Routine:    xs_exception_triage
 * Purpose:    Raise exception (EXC_*) with code and subcode on the current
 *             thread, e.g. EXC_SYSCALL for an invalid Mach trap number.
 * Conditions: Called from a trap front-end; nothing locked.  The resulting
 *             signal is only posted here; it is delivered by
 *             xs_ast_taken_user on the way back to user mode.
 * Returns:    Nothing.  (XNU's never returns; the simulator's callers return
 *             to user mode right after.)
 */
void xs_exception_triage(int exception, int64_t code, int64_t subcode)
{
	XS_FUNC(exception_triage);
	struct thread *th = xs_current_thread();

	if (!th)
		return;
	xs_exception_triage_thread(exception, code, subcode, th);
}
