/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sleh.c: the arm64 synchronous exception handler ("second-level exception
 * handler").  A trap from EL0 arrives with ESR_EL1's exception class; an
 * svc #0x80 (ESR_EC_SVC_64) goes to handle_svc, which is where the sign of
 * x16 splits BSD system calls from Mach traps.  Corresponds to
 * osfmk/arm64/sleh.c.
 */
#include "kmod-xnu-sim/osfmk/arm64/arm64_internal.h"

#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/clock.h"
#include "kmod-xnu-sim/osfmk/kern/exception.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/trap_entry.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osl/osl.h"

#define ESR_EC_MASK 0x3fu	/* ESR_EL1[31:26] */

/*
 * mach_absolute_time / mach_continuous_time as the -3 / -4 fast paths see
 * them: 24 MHz ticks, the unit of mach_timebase_info's 125/3 on Apple
 * silicon (osfmk/kern/clock.c converts).
 */
static uint64_t xs_fastpath_absolute_time(void)
{
	XS_FUNC_AT(mach_absolute_time, "osfmk/arm64/machine_routines_asm.s");
	return xs_mach_absolute_time();
}

static uint64_t xs_fastpath_continuous_time(void)
{
	XS_FUNC_AT(mach_continuous_time, "osfmk/arm64/rtclock.c");
	return xs_mach_continuous_time();
}

/*
 * handle_svc: the system call entry.  Only the low 32 bits of x16 count
 * (get_saved_state_svc_number): 0x80000000 is the platform call, a negative
 * value a Mach trap (-3 and -4 answered here without the table), anything
 * else, 0 included (indirect syscall), a BSD call.
 */
static void xs_handle_svc(struct arm_saved_state64 *state, struct thread *th)
{
	XS_FUNC(handle_svc);
	int trap_no = (int)(uint32_t)state->x[ARM64_SYSCALL_CODE_REG_NUM];

	if ((uint32_t)trap_no == PLATFORM_SYSCALL_TRAP_NO) {
		xs_platform_syscall(state);
		return;
	}
	if (trap_no < 0) {
		if (trap_no == MACH_ARM_TRAP_ABSTIME) {
			state->x[0] = xs_fastpath_absolute_time();
			return;
		}
		if (trap_no == MACH_ARM_TRAP_CONTTIME) {
			state->x[0] = xs_fastpath_continuous_time();
			return;
		}
		th->syscalls_mach++;
		xs_mach_syscall(state);
		return;
	}
	th->syscalls_unix++;
	xs_unix_syscall(state, th, xs_current_proc());
}

/*
 * Routine:    xs_sleh_synchronous
 * Purpose:    Handle a synchronous exception from user mode with the saved
 *             state of the trapping thread; on return, state is what user
 *             space sees after the exception returns (eret).
 * Conditions: Called by the platform's trap entry (osl_trap_enter_arm64) on
 *             a thread bound to a simulated thread; nothing locked.  Pending
 *             signals are delivered before returning (ast_taken_user); a
 *             fatal one ends the process and this does not return.
 */
void xs_sleh_synchronous(struct arm_saved_state64 *state, uint32_t esr)
{
	XS_FUNC(sleh_synchronous);
	struct thread *th = xs_current_thread();
	void *saved_upcb;
	uint32_t saved_arch;

	if (!th || !state)
		return;
	saved_upcb = th->machine_upcb;
	saved_arch = th->machine_upcb_arch;
	th->machine_upcb = state;
	th->machine_upcb_arch = XS_ARCH_ARM64;
	state->esr = esr;

	switch ((esr >> ESR_EC_SHIFT) & ESR_EC_MASK) {
	case ESR_EC_SVC_64:
		xs_handle_svc(state, th);
		break;
	default:
		/*
		 * Only system calls are trapped in the simulator.  XNU treats an
		 * unknown class from EL0 as an undefined instruction (SIGILL).
		 */
		xs_exception_triage(EXC_BAD_INSTRUCTION, esr, 0);
		break;
	}
	/* thread_exception_return -> ast_taken_user: signals go out here. */
	xs_ast_taken_user();
	th->machine_upcb = saved_upcb;
	th->machine_upcb_arch = saved_arch;
}
