/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * idt64.c: the x86_64 syscall entry.  rax carries a class in bits 24-31 and
 * a number in bits 0-23; hndl_syscall routes on the class: Mach traps, BSD
 * calls, machine-dependent calls and diagnostics.  Any other class
 * (including 0 and the defined-but-unused IPC class 5) raises EXC_SYSCALL.
 * Corresponds to osfmk/x86_64/idt64.s (hndl_syscall, hndl_*_scall64) and
 * osfmk/i386/trap.c (i386_exception), modeled in C.
 */
#include "kmod-xnu-sim/osfmk/x86_64/x86_64_internal.h"

#include "kmod-xnu-sim/osfmk/kern/exception.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/trap_entry.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

/* diagCall64's failure code for EXC_SYSCALL (hndl_diag_scall64). */
#define XS_DIAG_EXC_CODE 0x6000

/*
 * Routine:    xs_i386_exception
 * Purpose:    Raise a Mach exception for the current thread from trap
 *             context (EXC_SYSCALL for a bad class or Mach trap number).
 */
void xs_i386_exception(int exc, int64_t code, int64_t subcode)
{
	XS_FUNC_AT(i386_exception, "osfmk/i386/trap.c");
	xs_exception_triage(exc, code, subcode);
}

/* The class stubs of idt64.s; the Mach and Unix ones count the call. */
static void xs_hndl_class(struct x86_saved_state64 *state, struct thread *th)
{
	uint32_t cls = (uint32_t)((state->rax & SYSCALL_CLASS_MASK) >> SYSCALL_CLASS_SHIFT);

	switch (cls) {
	case SYSCALL_CLASS_MACH:	/* hndl_mach_scall64 */
		th->syscalls_mach++;
		xs_mach_call_munger64(state);
		break;
	case SYSCALL_CLASS_UNIX:	/* hndl_unix_scall64 */
		th->syscalls_unix++;
		xs_unix_syscall64(state);
		break;
	case SYSCALL_CLASS_MDEP:	/* hndl_mdep_scall64 */
		xs_machdep_syscall64(state);
		break;
	case SYSCALL_CLASS_DIAG:	/* hndl_diag_scall64: 0 means "bad" */
		if (xs_diagCall64(state) == 0)
			xs_i386_exception(EXC_SYSCALL, XS_DIAG_EXC_CODE, 1);
		break;
	default:			/* NONE, IPC and the rest */
		xs_i386_exception(EXC_SYSCALL, (int64_t)state->rax, 1);
		break;
	}
}

/*
 * Routine:    xs_hndl_syscall
 * Purpose:    Handle the syscall instruction with the saved state of the
 *             trapping thread; on return, state is what user space sees
 *             (rax, rdx, rflags.CF, rip).
 * Conditions: Called by the platform's trap entry (osl_trap_enter_x86_64)
 *             on a thread bound to a simulated thread; nothing locked.
 *             Pending signals are delivered before returning (a fatal one
 *             ends the process and this does not return).
 */
void xs_hndl_syscall(struct x86_saved_state64 *state)
{
	XS_FUNC_AT(hndl_syscall, "osfmk/x86_64/idt64.s");
	struct thread *th = xs_current_thread();
	void *saved_upcb;
	uint32_t saved_arch;

	if (!th || !state)
		return;
	saved_upcb = th->machine_upcb;
	saved_arch = th->machine_upcb_arch;
	th->machine_upcb = state;
	th->machine_upcb_arch = XS_ARCH_X86_64;

	xs_hndl_class(state, th);

	/* thread_exception_return -> ast_taken_user: signals go out here. */
	xs_ast_taken_user();
	th->machine_upcb = saved_upcb;
	th->machine_upcb_arch = saved_arch;
}
