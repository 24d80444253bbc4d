/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * status.c: access to a thread's user register state.  In XNU the saved
 * state lives in the thread's PCB; in the simulator it is the state the
 * libsyscall stub passed to the trap, recorded in thread.machine_upcb for
 * the length of the trap.  Corresponds to osfmk/arm64/status.c (and, for
 * x86_64, the same routines in osfmk/i386/pcb.c).
 */
#include "kmod-xnu-sim/osfmk/kern/trap_entry.h"

#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

/*
 * Routine:    xs_get_user_regs
 * Purpose:    The saved state of the trap th is in, and its architecture.
 * Returns:    NULL (and *arch = 0) when th is not in a trap.
 */
void *xs_get_user_regs(struct thread *th, uint32_t *arch)
{
	if (arch)
		*arch = th && th->machine_upcb ? th->machine_upcb_arch : 0;
	return th ? th->machine_upcb : (void *)0;
}

/* Both fork returns: x0/rax = pid, x1/rdx = is_child, carry clear. */
static void xs_set_fork_return(struct thread *th, int pid, uint64_t is_child)
{
	uint32_t arch;
	void *regs = xs_get_user_regs(th, &arch);

	if (arch == XS_ARCH_ARM64) {
		struct arm_saved_state64 *s = regs;

		s->x[0] = (uint64_t)(int64_t)pid;
		s->x[1] = is_child;
		s->cpsr &= ~PSR64_CF;
	} else if (arch == XS_ARCH_X86_64) {
		struct x86_saved_state64 *s = regs;

		s->rax = (uint64_t)(int64_t)pid;
		s->rdx = is_child;
		s->rflags &= ~(uint64_t)EFL_CF;
	}
}

/*
 * Routine:    xs_thread_set_child
 * Purpose:    Make th return from fork as the child: x0 = pid (its own),
 *             x1 = 1, which libc's fork stub turns into a 0 return.
 * Conditions: th is in the fork trap (the child's copy of the state).
 */
void xs_thread_set_child(struct thread *th, int pid)
{
	XS_FUNC(thread_set_child);
	xs_set_fork_return(th, pid, 1);
}

/*
 * Routine:    xs_thread_set_parent
 * Purpose:    The parent's fork return: x0 = child pid, x1 = 0.
 */
void xs_thread_set_parent(struct thread *th, int pid)
{
	XS_FUNC(thread_set_parent);
	xs_set_fork_return(th, pid, 0);
}
