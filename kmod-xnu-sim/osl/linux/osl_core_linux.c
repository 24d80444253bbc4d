/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * osl_core_linux.c: the module's window onto the core (osl_kcore.h).
 * Compiled like the core (freestanding, the core's headers and Darwin
 * names, no kernel header), so the kernel-side files never see a Darwin
 * constant.  The kernel-module twin of osl/user/osl_machine.c and
 * osl_trap.c.  Platform layer: XNU's arm_init / i386_init and the
 * fleh_synchronous / hi64_syscall trap entries.
 */
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/trap_entry.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#include "kmod-xnu-sim/osl/linux/osl_kcore.h"

size_t osl_kcore_machine_size(void)
{
	return sizeof(struct xs_machine);
}

void osl_kcore_machine_setup(struct xs_machine *m, uint32_t id, int arch, uint64_t now)
{
	m->m_magic = XS_MACHINE_MAGIC;
	m->m_id = id;
	m->m_arch = (uint32_t)arch;
	m->m_boot_time = now;
}

int osl_kcore_boot(void)
{
	int err = xs_bsd_init();

	if (!err)
		xs_machine()->m_booted = true;
	return err;
}

int osl_kcore_attach(int host_pid, const char *comm)
{
	return xs_proc_attach(host_pid, comm);
}

/*
 * A thread of an attached process traps for the first time: give it a
 * simulated thread, as XNU would have when the thread was created.  The
 * user-space build panics here; a module answers the ioctl instead.
 */
static int trap_bind_thread(void)
{
	if (xs_likely(osl_current_thread() != 0))
		return 0;
	return xs_thread_attach_current(osl_host_tid()) ? -1 : 0;
}

int osl_kcore_trap_arm64(void *state)
{
	if (trap_bind_thread())
		return -1;
	xs_sleh_synchronous(state, ESR_EC_SVC_64 << ESR_EC_SHIFT);
	return 0;
}

int osl_kcore_trap_x86_64(void *state)
{
	if (trap_bind_thread())
		return -1;
	xs_hndl_syscall(state);
	return 0;
}

int osl_kcore_host_died(int host_pid, int host_wait_status)
{
	return xs_proc_host_died(host_pid, host_wait_status);
}

int osl_kcore_current_pid(void)
{
	struct thread *th = osl_current_thread();

	if (!th || !th->task || th->task->is_kernel_task)
		return 0;
	/* A task is the second half of its proc_task_zone element. */
	return xs_container_of(th->task, struct proc_task, pt_task)->pt_proc.p_pid;
}

uint64_t osl_kcore_current_tid(void)
{
	struct thread *th = osl_current_thread();

	return th ? th->thread_id : 0;
}
