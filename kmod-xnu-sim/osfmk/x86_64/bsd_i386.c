/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bsd_i386.c: x86_64 dispatch of Mach traps (class 1), machine-dependent
 * calls (class 3) and diagnostics (class 4).  Mach traps take their first
 * six arguments from rdi, rsi, rdx, r10, r8, r9 and the rest from the user
 * stack; the result goes back in rax and RFLAGS.CF is never touched.
 * Corresponds to osfmk/i386/bsd_i386.c, osfmk/i386/machdep_call.c and
 * osfmk/i386/Diagnostics.c (XNU keeps these under i386/).
 */
#include "kmod-xnu-sim/osfmk/x86_64/x86_64_internal.h"

#include "darwin/errno.h"
#include "kmod-xnu-sim/bsd/sys/kdebug.h"
#include "kmod-xnu-sim/osfmk/kern/exception.h"
#include "kmod-xnu-sim/osfmk/kern/syscall_sw.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osl/osl.h"

#define XS_MACH_CALL_ARGS 9	/* struct mach_call_args */
#define XS_ARGS_IN_REGS   6	/* rdi, rsi, rdx, r10, r8, r9 */
#define USER_CTHREAD      0x0f	/* osfmk/i386/seg.h, 64-bit LDT selector */

/*
 * Routine:    xs_mach_call_munger64  [class 1: rax = 0x01000000 | n]
 * Purpose:    Run Mach trap n.  The kdebug START (the syscall_entry probe)
 *             fires before n is validated, as in XNU; a number past the
 *             table or a kern_invalid slot raises EXC_SYSCALL (code = rax)
 *             instead of returning.  Arguments past the sixth come from the
 *             user stack at rsp + 8; if that copyin fails, rax =
 *             KERN_INVALID_ARGUMENT.  Unmodeled valid slots answer
 *             KERN_NOT_SUPPORTED.
 * Conditions: Called from hndl_syscall; nothing locked.
 */
void xs_mach_call_munger64(struct x86_saved_state64 *state)
{
	XS_FUNC_AT(mach_call_munger64, "osfmk/i386/bsd_i386.c");
	int call_number = (int)(state->rax & SYSCALL_NUMBER_MASK);
	uint64_t args[XS_MACH_CALL_ARGS] = { 0 };
	const struct mach_trap *trap;
	mach_trap_function_t *fn;
	xs_kern_return_t retval;
	unsigned argc, in_regs;

	if (XS_TRACE_ENABLED(syscall_entry)) {	/* START with rdi, rsi, rdx, r10 */
		const uint64_t a[4] = { state->rdi, state->rsi, state->rdx, state->r10 };

		xs_trace_syscall_entry(XS_FAMILY_MACH, -call_number,
				       MACHDBG_CODE(DBG_MACH_EXCP_SC, call_number), a);
	}
	if (call_number >= XS_MACH_TRAP_TABLE_COUNT ||
	    !xs_mach_trap_table[call_number].mach_trap_valid) {
		xs_i386_exception(EXC_SYSCALL, (int64_t)state->rax, 1);
		return;
	}
	trap = &xs_mach_trap_table[call_number];
	argc = trap->mach_trap_arg_count;
	if (argc > XS_MACH_CALL_ARGS)
		argc = XS_MACH_CALL_ARGS;
	in_regs = argc < XS_ARGS_IN_REGS ? argc : XS_ARGS_IN_REGS;
	xs_memcpy(args, &state->rdi, in_regs * sizeof(uint64_t));	/* rdi.. r9 in order */
	if (argc > XS_ARGS_IN_REGS &&
	    osl_copyin(state->rsp + sizeof(uint64_t), &args[XS_ARGS_IN_REGS],
		       (argc - XS_ARGS_IN_REGS) * sizeof(uint64_t)) != 0) {
		state->rax = KERN_INVALID_ARGUMENT;
		return;
	}
	/* No MACF trap filter: no policy registers one in the simulator. */
	fn = trap->mach_trap_function ? trap->mach_trap_function : xs_unmodeled_trap;
	retval = fn(args);
	if (XS_TRACE_ENABLED(syscall_return))
		xs_trace_syscall_return(XS_FAMILY_MACH, -call_number, retval,
					/* a port name is a result, not an error */
					trap->mach_trap_returns_port ? 0 : retval);
	state->rax = (uint64_t)(int64_t)retval;
}

/* ---- machdep_call_table64 ------------------------------------------------ */

/* thread_fast_set_cthread_self64: the TSD base (gs) of the calling thread. */
static xs_kern_return_t xs_thread_fast_set_cthread_self64(uint64_t self)
{
	XS_FUNC_AT(thread_fast_set_cthread_self64, "osfmk/i386/bsd_i386_native.c");
	struct thread *th = xs_current_thread();

	if (th)
		th->machine_cthread_self = self;	/* machine_thread_set_tsd_base */
	return USER_CTHREAD;	/* a selector, not a kern_return_t (as in XNU) */
}

enum xs_machdep_kind {
	XS_MDEP_KERN_INVALID,	/* kern_invalid(): KERN_INVALID_ARGUMENT */
	XS_MDEP_HV_TRAP,	/* hv_task_trap / hv_thread_trap */
	XS_MDEP_CTHREAD_SELF,	/* thread_fast_set_cthread_self64 */
	XS_MDEP_LDT,		/* i386_set_ldt64 / i386_get_ldt64 (BSD style) */
};

/* machdep_call_table64 (macOS: HYPERVISOR on). */
static const enum xs_machdep_kind xs_machdep_call_table64[] = {
	XS_MDEP_HV_TRAP,	/* 0 hv_task_trap */
	XS_MDEP_HV_TRAP,	/* 1 hv_thread_trap */
	XS_MDEP_KERN_INVALID,	/* 2 */
	XS_MDEP_CTHREAD_SELF,	/* 3 thread_fast_set_cthread_self64 */
	XS_MDEP_KERN_INVALID,	/* 4 */
	XS_MDEP_LDT,		/* 5 i386_set_ldt64 */
	XS_MDEP_LDT,		/* 6 i386_get_ldt64 */
};

/*
 * Routine:    xs_machdep_syscall64  [class 3: rax = 0x03000000 | n]
 * Purpose:    Run machine-dependent call n.  A number past the table is not
 *             an exception: rax = kern_invalid() = KERN_INVALID_ARGUMENT, as
 *             XNU does.  The hypervisor traps find no Hypervisor kext and
 *             answer KERN_INVALID_ARGUMENT (HV_TRAP_DISPATCH with an empty
 *             table); the LDT calls are not modeled (ENOSYS, CF set; see
 *             docs/fidelity.md).
 * Conditions: Called from hndl_syscall; nothing locked.
 */
void xs_machdep_syscall64(struct x86_saved_state64 *state)
{
	XS_FUNC_AT(machdep_syscall64, "osfmk/i386/bsd_i386.c");
	uint32_t trapno = (uint32_t)(state->rax & SYSCALL_NUMBER_MASK);

	if (trapno >= XS_ARRAY_SIZE(xs_machdep_call_table64)) {
		state->rax = KERN_INVALID_ARGUMENT;
		return;
	}
	switch (xs_machdep_call_table64[trapno]) {
	case XS_MDEP_CTHREAD_SELF:
		state->rax = (uint64_t)(int64_t)xs_thread_fast_set_cthread_self64(state->rdi);
		break;
	case XS_MDEP_LDT:
		state->rax = ENOSYS;
		state->rflags |= EFL_CF;
		break;
	case XS_MDEP_HV_TRAP:
	case XS_MDEP_KERN_INVALID:
	default:
		state->rax = KERN_INVALID_ARGUMENT;
		break;
	}
}

/*
 * Routine:    xs_diagCall64  [class 4]
 * Purpose:    The diagnostics calls (selector in rdi).  Diagnostics are off
 *             (no "diag" boot-arg) and none of their data exists in the
 *             simulator, so every selector answers as an unknown one does:
 *             rax = 0, returning 0, and hndl_syscall raises EXC_SYSCALL.
 * Returns:    0.
 */
int xs_diagCall64(struct x86_saved_state64 *state)
{
	XS_FUNC_AT(diagCall64, "osfmk/i386/Diagnostics.c");
	state->rax = 0;
	return 0;
}
