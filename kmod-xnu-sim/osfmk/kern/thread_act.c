/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * thread_act.c: operations on threads as objects, for fork: thread_dup
 * (the child's register state is a copy of the parent's) and
 * thread_start_in_assert_wait (the child's main thread is born parked until
 * fork is done with it).
 * Corresponds to osfmk/kern/thread_act.c.
 */
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/trap_entry.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

/* machine_thread_dup: the arm64 pcb.c / i386 pcb_native.c copy of the state. */
static void machine_thread_dup(const void *regs, uint32_t arch, struct thread *child)
{
	XS_FUNC_AT(machine_thread_dup, "osfmk/arm64/pcb.c");

	xs_memset(&child->machine_pcb, 0, sizeof(child->machine_pcb));
	if (arch == XS_ARCH_ARM64)
		child->machine_pcb.arm = *(const struct arm_saved_state64 *)regs;
	else
		child->machine_pcb.x86 = *(const struct x86_saved_state64 *)regs;
	child->machine_upcb = &child->machine_pcb;
	child->machine_upcb_arch = arch;
}

/*
 * Routine:    xs_thread_dup  (thread_dup -> machine_thread_dup)
 * Purpose:    Give child a copy of parent's user register state, as it was
 *             on entry to the trap in progress (fork).  XNU copies the PCB;
 *             here the parent's state is the trapping stub's frame, so the
 *             copy goes into child->machine_pcb and child->machine_upcb
 *             points at it until the host child takes it over, which lets
 *             thread_set_child edit the child's copy only.
 * Conditions: parent is the current thread, in a trap; child is new and
 *             not yet bound to a host thread.
 * Returns:    true, or false if parent is not in a trap (nothing to copy).
 */
bool xs_thread_dup(struct thread *parent, struct thread *child)
{
	XS_FUNC(thread_dup);
	uint32_t arch;
	void *regs = xs_get_user_regs(parent, &arch);

	if (!regs || (arch != XS_ARCH_ARM64 && arch != XS_ARCH_X86_64))
		return false;
	machine_thread_dup(regs, arch, child);
	/* The child's TSD base is the parent's (same stack, same pthread). */
	child->machine_cthread_self = parent->machine_cthread_self;
	return true;
}

/*
 * Routine:    xs_thread_fork_return_regs
 * Purpose:    The child's fork return registers from its PCB copy: x0/rax
 *             (pid) and x1/rdx (1 for the child).  Simulator only: the
 *             host child's stub reads them in place of returning through
 *             the PCB, then the PCB is dropped (the thread is now in user
 *             mode: machine_upcb NULL).
 * Returns:    false if th has no fork PCB (it was not made by fork, or the
 *             host child already took it).
 */
bool xs_thread_fork_return_regs(struct thread *th, uint64_t rv[2], bool *carry)
{
	if (th->machine_upcb != &th->machine_pcb)
		return false;
	if (th->machine_upcb_arch == XS_ARCH_ARM64) {
		rv[0] = th->machine_pcb.arm.x[0];
		rv[1] = th->machine_pcb.arm.x[1];
		*carry = (th->machine_pcb.arm.cpsr & PSR64_CF) != 0;
	} else {
		rv[0] = th->machine_pcb.x86.rax;
		rv[1] = th->machine_pcb.x86.rdx;
		*carry = (th->machine_pcb.x86.rflags & EFL_CF) != 0;
	}
	th->machine_upcb = (void *)0;
	th->machine_upcb_arch = 0;
	return true;
}
