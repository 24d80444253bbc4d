/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * machine_routines.c: the arm64 "platform syscall" (x16 = 0x80000000), which
 * gets and sets the thread's TSD base (cthread self) for libpthread.
 * Corresponds to osfmk/arm64/machine_routines.c.
 */
#include "kmod-xnu-sim/osfmk/arm64/arm64_internal.h"

#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

#define PLATFORM_SYSCALL_SET_CTHREAD 2
#define PLATFORM_SYSCALL_GET_CTHREAD 3

/* machine_thread_set_tsd_base: XNU also loads TPIDRRO_EL0 with it. */
static void xs_machine_thread_set_tsd_base(struct thread *th, uint64_t base)
{
	XS_FUNC_AT(machine_thread_set_tsd_base, "osfmk/arm64/pcb.c");
	th->machine_cthread_self = base;
}

/*
 * Routine:    xs_platform_syscall  [x16 = 0x80000000]
 * Purpose:    x3 selects: 2 sets the cthread self pointer to x0, 3 returns
 *             it in x0.  0 and 1 (the old cache flushes) and anything else
 *             are ignored, as in XNU: no error, no signal, registers
 *             unchanged.
 * Conditions: Called from handle_svc; nothing locked.
 */
void xs_platform_syscall(struct arm_saved_state64 *state)
{
	XS_FUNC(platform_syscall);
	struct thread *th = xs_current_thread();
	uint32_t code = (uint32_t)state->x[3];

	if (!th)
		return;
	switch (code) {
	case PLATFORM_SYSCALL_SET_CTHREAD:
		/* thread_set_cthread_self */
		xs_machine_thread_set_tsd_base(th, state->x[0]);
		break;
	case PLATFORM_SYSCALL_GET_CTHREAD:
		state->x[0] = th->machine_cthread_self;		/* thread_get_cthread_self */
		break;
	default:
		break;
	}
}
