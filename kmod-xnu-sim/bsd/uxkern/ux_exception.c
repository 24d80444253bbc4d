/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ux_exception.c: the BSD translation of Mach exceptions into signals, run
 * when an exception reaches the host level (nobody else handled it).
 * Corresponds to bsd/uxkern/ux_exception.c, with machine_exception from
 * bsd/dev/arm/unix_signal.c and bsd/dev/i386/unix_signal.c.
 */
#include "kmod-xnu-sim/osfmk/kern/exception.h"

#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

#include "darwin/signal.h"
#undef sigset_t	/* the generated header defines its size under the type's name */

/* EXC_SOFTWARE codes of BSD origin (bsd/sys/ux_exception.h). */
#define EXC_EMULATION        4
#define EXC_UNIX_BAD_SYSCALL 0x10000
#define EXC_UNIX_BAD_PIPE    0x10001
#define EXC_UNIX_ABORT       0x10002
#define EXC_SOFT_SIGNAL      0x10003

/*
 * machine_exception: the machine-dependent translation, tried first.  XNU's
 * arm64 and x86_64 versions map EXC_BAD_INSTRUCTION and EXC_ARITHMETIC.
 *
 * EXC_SYSCALL -> SIGSYS is this project's contract (DESIGN.md, dispatch.md:
 * an invalid Mach trap number or syscall class ends in SIGSYS when nobody
 * handles EXC_SYSCALL).  XNU's ux_exception and machine_exception have no
 * EXC_SYSCALL case, so there the thread would just return to user mode with
 * its registers unchanged; see docs/fidelity.md.
 */
static int xs_machine_exception(int exception, int64_t code, int64_t subcode)
{
	XS_FUNC_AT(machine_exception, "bsd/dev/arm/unix_signal.c");
	switch (exception) {
	case EXC_BAD_INSTRUCTION:
		return SIGILL;
	case EXC_ARITHMETIC:
		return SIGFPE;
	case EXC_SYSCALL:
	case EXC_MACH_SYSCALL:
		return SIGSYS;	/* project contract, see above */
	}
	return 0;
}

/*
 * Routine:    xs_ux_exception
 * Purpose:    The signal for a Mach exception, code and subcode.
 * Returns:    A Darwin signal number, or 0 if the exception has none.
 */
int xs_ux_exception(int exception, int64_t code, int64_t subcode)
{
	XS_FUNC(ux_exception);
	int sig = xs_machine_exception(exception, code, subcode);

	if (sig)
		return sig;
	switch (exception) {
	case EXC_BAD_ACCESS:
		return code == KERN_INVALID_ADDRESS ? SIGSEGV : SIGBUS;
	case EXC_BAD_INSTRUCTION:
		return SIGILL;
	case EXC_ARITHMETIC:
		return SIGFPE;
	case EXC_EMULATION:
		return SIGEMT;
	case EXC_SOFTWARE:
		switch (code) {
		case EXC_UNIX_BAD_SYSCALL:
			return SIGSYS;
		case EXC_UNIX_BAD_PIPE:
			return SIGPIPE;
		case EXC_UNIX_ABORT:
			return SIGABRT;
		case EXC_SOFT_SIGNAL:
			return SIGKILL;
		}
		break;
	case EXC_BREAKPOINT:
		return SIGTRAP;
	}
	return 0;
}

/*
 * Routine:    xs_handle_ux_exception
 * Purpose:    Post the signal for exception to thread th (threadsignal),
 *             recording the exception code in uu_code.
 * Conditions: Nothing locked.  th belongs to a BSD process (not a kernel
 *             thread); otherwise nothing happens, as in XNU when
 *             proc_findthread fails.
 */
void xs_handle_ux_exception(struct thread *th, int exception, int64_t code, int64_t subcode)
{
	XS_FUNC(handle_ux_exception);
	int sig;

	if (!th || !th->task || th->task->is_kernel_task)
		return;
	sig = xs_ux_exception(exception, code, subcode);
	if (sig == 0)
		return;
	th->uthread.uu_code = (int)code;
	xs_psignal_thread(th, sig);	/* threadsignal(thread, sig, code, TRUE) */
}
