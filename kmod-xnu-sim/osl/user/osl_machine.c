/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * osl_machine.c: the platform's window onto the core's machine struct and
 * boot entry points.  This file sees the core's headers (and so Darwin's
 * constant names) and must include no host libc header that defines the same
 * names.  Platform layer: XNU's arm_init / i386_init → kernel_bootstrap.
 */
#include "kmod-xnu-sim/bsd/sys/sysent.h"
#include "kmod-xnu-sim/include/xnusim/xnusim.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/syscall_sw.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace_inproc.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#include "kmod-xnu-sim/osl/user/osl_user.h"

/*
 * Entry points other subsystems define.  Weak, so the platform builds and
 * runs its own tests while those land; a missing one is skipped (boot,
 * registry) or reported (attach) rather than a link failure.
 */
#pragma weak xs_bsd_init
#pragma weak xs_proc_attach
#pragma weak xs_func_registry_init

size_t osl_machine_size(void)
{
	return sizeof(struct xs_machine);
}

void osl_machine_setup(struct xs_machine *m, uint32_t id, int arch, uint64_t now)
{
	m->m_magic = XS_MACHINE_MAGIC;
	m->m_id = id;
	m->m_arch = (uint32_t)arch;
	m->m_boot_time = now;
}

int osl_machine_arch(const struct xs_machine *m)
{
	return m ? (int)m->m_arch : 0;
}

bool osl_machine_valid(const struct xs_machine *m, uint32_t id)
{
	return m && m->m_magic == XS_MACHINE_MAGIC && m->m_id == id;
}

/*
 * Boot the core in the freshly mapped machine.  xs_bsd_init starts with
 * xs_zalloc_bootstrap; without it (early bring-up) only zalloc comes up.
 * Returns 0 or a Darwin errno.
 */
int osl_machine_boot(void)
{
	struct xs_machine *m = xs_machine();
	int err = 0;

	if (xs_bsd_init)
		err = xs_bsd_init();
	else
		xs_zalloc_bootstrap();
	if (!err)
		m->m_booted = true;
	return err;
}

/* The new simulated pid, 0 if the proc layer is not linked, or -(Darwin errno). */
int osl_machine_proc_attach(int host_pid, const char *comm)
{
	if (!xs_proc_attach || !xs_bsd_init)	/* no processes to join yet */
		return 0;
	xs_trace_inproc_process_attach();	/* a collector's ring: raise our semaphores */
	return xs_proc_attach(host_pid, comm);
}

void osl_machine_registry_init(void)
{
	if (xs_func_registry_init)
		xs_func_registry_init();
}

/* The simulated pid of the current thread's process; 0 if unknown. */
int osl_machine_current_pid(void)
{
	struct thread *th = osl_current_thread();
	struct proc_task *pt;

	if (!th || !th->task)
		return 0;
	/* A task is the second half of its proc_task_zone element. */
	pt = xs_container_of(th->task, struct proc_task, pt_task);
	return pt->pt_proc.p_pid;
}

/* ---- Table listings (xnusim.h) ----------------------------------------- */

int xnusim_bsd_table_row(unsigned index, struct xnusim_table_row *row)
{
	static const char *const status[] = { "implemented", "nosys", "enosys", "indirect" };
	const struct sysent *se;

	if (index >= XS_NSYSENT || !row)
		return -ENOENT;
	se = &xs_sysent[index];
	row->number = (int)index;
	row->nargs = se->sy_narg;
	row->name = se->sy_name ? se->sy_name : "?";
	if (se->sy_status == XS_SY_IMPLEMENTED)
		row->status = se->sy_call ? "modeled" : "unmodeled";
	else
		row->status = se->sy_status < 4 ? status[se->sy_status] : "?";
	return 0;
}

int xnusim_mach_table_row(unsigned index, struct xnusim_table_row *row)
{
	const struct mach_trap *t;

	if (index >= XS_MACH_TRAP_TABLE_COUNT || !row)
		return -ENOENT;
	t = &xs_mach_trap_table[index];
	row->number = -(int)index;
	row->nargs = t->mach_trap_arg_count;
	row->name = t->mach_trap_name ? t->mach_trap_name : "kern_invalid";
	if (!t->mach_trap_valid)
		row->status = "invalid";
	else
		row->status = t->mach_trap_function ? "modeled" : "unmodeled";
	return 0;
}
