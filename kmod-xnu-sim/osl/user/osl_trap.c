/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * osl_trap.c: the user-space build's trap instruction.  libsyscall's stubs
 * call here with a filled saved state; we make sure the host thread has a
 * simulated thread and enter the machine's front-end, as the svc / syscall
 * instruction would.  Corresponds to osfmk/arm64/locore.s (fleh_synchronous)
 * and osfmk/x86_64/idt64.s (hi64_syscall).
 */
#define XS_LIB_INTERNAL 1	/* the semaphore block by its hidden name (osl_probe.h) */
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/trap_entry.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osl/user/osl_user.h"

#pragma weak xs_thread_attach_current
#pragma weak xs_sleh_synchronous
#pragma weak xs_hndl_syscall
/* The front-ends' copies without probes, entered while nobody traces (xs_trace.h). */
XS_TRACE_IDLE_DECLARE(xs_sleh_synchronous);
XS_TRACE_IDLE_DECLARE(xs_hndl_syscall);
#if !defined(XS_NO_TRACE)
/* Stand-ins where no idle copy is linked in (the fuzzers): the copies override them. */
__attribute__((weak)) void xs_idle__xs_sleh_synchronous(struct arm_saved_state64 *state,
							 uint32_t esr)
{
	xs_sleh_synchronous(state, esr);
}

__attribute__((weak)) void xs_idle__xs_hndl_syscall(struct x86_saved_state64 *state)
{
	xs_hndl_syscall(state);
}
#endif

/*
 * A host thread the kernel has not seen (a pthread the workload made) traps
 * for the first time: give it a thread in its process, as XNU would have
 * when the thread was created.
 */
__attribute__((noinline, cold))
static void trap_bind_thread(void)
{
	int err;

	if (!osl_machine())
		osl_panic("trap from host pid %d, which is attached to no machine "
			  "(XNUSIM_MACHINE stale, or XNUSIM_NO_AUTOBOOT set?)", osl_host_pid());
	if (!xs_thread_attach_current)
		osl_panic("trap: xs_thread_attach_current is not linked in");
	err = xs_thread_attach_current(osl_host_tid());
	if (err)
		osl_panic("trap: cannot attach host thread %d: %d", osl_host_tid(), err);
}

void osl_trap_enter_arm64(struct arm_saved_state64 *state)
{
	if (xs_unlikely(!osl_current_thread()))
		trap_bind_thread();
	if (xs_unlikely(!xs_sleh_synchronous))
		osl_panic("trap: the arm64 front-end is not linked in");
	XS_TRACE_TRAP(xs_sleh_synchronous, state, ESR_EC_SVC_64 << ESR_EC_SHIFT);
}

void osl_trap_enter_x86_64(struct x86_saved_state64 *state)
{
	if (xs_unlikely(!osl_current_thread()))
		trap_bind_thread();
	if (xs_unlikely(!xs_hndl_syscall))
		osl_panic("trap: the x86_64 front-end is not linked in");
	XS_TRACE_TRAP(xs_hndl_syscall, state);
}
