/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bsd_arm64.c: Mach trap dispatch on arm64.  x16 holds the negated trap
 * number; the arguments are the registers x0.. as they are (64-bit, no
 * munging); the result goes back in x0 and the carry flag is never touched:
 * a Mach trap returns a kern_return_t, not an errno.  Corresponds to
 * osfmk/arm64/bsd_arm64.c.
 */
#include "kmod-xnu-sim/osfmk/arm64/arm64_internal.h"

#include "kmod-xnu-sim/bsd/sys/kdebug.h"
#include "kmod-xnu-sim/osfmk/kern/exception.h"
#include "kmod-xnu-sim/osfmk/kern/syscall_sw.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

/* struct mach_call_args: nine 64-bit slots (PAD_ARG_ layout). */
#define XS_MACH_CALL_ARGS 9

/*
 * arm_get_mach_syscall_args: a 64-bit thread's arguments are copied straight
 * from x0.. (arg_count slots).  XNU's 32-bit path (u32 words + munger) has
 * no place here: there is no arm64_32 user space in the simulator.
 */
static void xs_arm_get_mach_syscall_args(struct arm_saved_state64 *state,
					 const struct mach_trap *trap, uint64_t *args)
{
	XS_FUNC(arm_get_mach_syscall_args);
	unsigned n = trap->mach_trap_arg_count;

	if (n > XS_MACH_CALL_ARGS)
		n = XS_MACH_CALL_ARGS;
	xs_memcpy(args, &state->x[0], n * sizeof(uint64_t));
}

/*
 * Routine:    xs_mach_syscall  [x16 < 0, except -3, -4 and 0x80000000]
 * Purpose:    Run Mach trap -x16 from mach_trap_table.  A number past the
 *             table or a kern_invalid slot raises EXC_SYSCALL (code = the
 *             trap index), which ends in SIGSYS; no error value is returned
 *             and x0 is left as it was.  A valid slot the simulator does not
 *             model answers KERN_NOT_SUPPORTED (xs_unmodeled_trap).
 * Conditions: Called from handle_svc; nothing locked.  Traps that block do
 *             so inside their function and return here when done (XNU
 *             finishes those through thread_syscall_return instead).
 */
void xs_mach_syscall(struct arm_saved_state64 *state)
{
	XS_FUNC(mach_syscall);
	int call_number = -(int)(uint32_t)state->x[ARM64_SYSCALL_CODE_REG_NUM];
	uint64_t args[XS_MACH_CALL_ARGS] = { 0 };
	const struct mach_trap *trap;
	mach_trap_function_t *fn;
	xs_kern_return_t retval;

	if (call_number < 0 || call_number >= XS_MACH_TRAP_TABLE_COUNT)
		goto bad;
	trap = &xs_mach_trap_table[call_number];
	if (!trap->mach_trap_valid)
		goto bad;	/* kern_invalid is never actually called */
	if (trap->mach_trap_arg_count != 0)
		xs_arm_get_mach_syscall_args(state, trap, args);

	if (XS_TRACE_ENABLED(syscall_entry))	/* kdebug DBG_FUNC_START, args 1-4 */
		xs_trace_syscall_entry(XS_FAMILY_MACH, -call_number,
				       MACHDBG_CODE(DBG_MACH_EXCP_SC, call_number), args);
	/* No MACF trap filter: no policy registers one in the simulator. */
	fn = trap->mach_trap_function ? trap->mach_trap_function : xs_unmodeled_trap;
	retval = fn(args);
	if (XS_TRACE_ENABLED(syscall_return))	/* kdebug DBG_FUNC_END */
		xs_trace_syscall_return(XS_FAMILY_MACH, -call_number, retval,
					/* a port name is a result, not an error */
					trap->mach_trap_returns_port ? 0 : retval);

	/* arm_set_mach_syscall_ret: the kern_return_t, sign-extended; CF untouched. */
	state->x[0] = (uint64_t)(int64_t)retval;
	return;
bad:
	xs_exception_triage(EXC_SYSCALL, call_number, 0);
}
