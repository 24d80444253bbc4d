/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bsd_init.c: booting the simulated machine.  XNU boots in two halves
 * (kernel_bootstrap for Mach, then bsd_init for the BSD personality); the
 * simulator runs both from xs_bsd_init, in XNU's order where it applies:
 * zalloc, kernel_task, IPC, VM, the root file system, kernproc, launchd.
 * Corresponds to bsd/kern/bsd_init.c (and osfmk/kern/startup.c).
 */
#include "kmod-xnu-sim/bsd/sys/file_internal.h"
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/bsd/vfs/vfs_rootfs.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/task.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

#include "darwin/errno.h"

struct proc *xs_cloneproc_initproc(struct proc *kernproc, int *errp);	/* kern_fork.c */

/* kern.maxproc of a desktop Mac is a few thousand; the arena is the limit here. */
#define XS_MAXPROC 2000

/*
 * procinit + the kernproc part of bsd_init: the process table, and the proc
 * half of kernel_task's element as pid 0 "kernel_task", running as root.
 */
static void xs_procinit(void)
{
	XS_FUNC(procinit);
	struct proc_globals *g = &xs_machine()->m_proc;
	struct task *kt = xs_kernel_task();
	struct proc *kp = xs_get_bsdtask_info(kt);

	xs_lck_mtx_init(&g->proc_list_lock);
	xs_queue_init(&g->allproc);
	g->maxproc = XS_MAXPROC;
	g->lastpid = 0;

	xs_lck_mtx_init(&kp->p_mlock);
	xs_queue_init(&kp->p_children);
	xs_queue_init(&kp->p_sibling);
	kp->p_pid = 0;
	kp->p_ppid = 0;
	kp->p_stat = SRUN;
	kp->p_host_pid = 0;		/* the kernel runs in whichever process traps */
	kp->p_ucred.cr_ngroups = 1;	/* all ids 0: root */
	xs_strlcpy(kp->p_comm, "kernel_task", sizeof(kp->p_comm));
	xs_strlcpy(kp->p_name, "kernel_task", sizeof(kp->p_name));
	xs_siginit(kp);
	xs_enqueue_head(&g->allproc, &kp->p_list);
	g->nprocs = 1;
	g->kernproc = kp;
}

/*
 * Routine:    xs_bsd_init
 * Purpose:    Boot the kernel inside a fresh arena and make launchd (pid 1,
 *             parent kernproc, root) with its main thread bound to the
 *             calling host thread, so this host thread's traps run as
 *             launchd until something attaches it elsewhere.
 * Conditions: m_id and m_arch set by the platform; nothing else.
 * Returns:    0, or an errno (EAGAIN: no memory for launchd).
 */
int xs_bsd_init(void)
{
	XS_FUNC(bsd_init);
	struct xs_machine *m = xs_machine();
	struct proc *initproc;
	struct task *kt;
	int err;

	xs_zalloc_bootstrap();
	xs_task_bootstrap();		/* kernel_task; proc_task and thread zones */
	xs_ipc_bootstrap();
	xs_vm_bootstrap();
	kt = xs_kernel_task();
	kt->map = m->m_vm.kernel_map;	/* kernel_task runs on kernel_map */
	xs_vfs_mountroot();
	xs_vfs_rootfs_populate();	/* the build's /usr/lib/dyld, /bin/sh, ... */

	xs_procinit();			/* kernproc: pid 0, married to kernel_task */
	err = xs_fdt_init(m->m_proc.kernproc);
	if (err)
		return err;

	/* bsd_init: cloneproc(kernel_task, kernproc) for initproc, then
	 * load_init_program; launchd has no image here (the host process is
	 * the program). */
	initproc = xs_cloneproc_initproc(m->m_proc.kernproc, &err);
	if (!initproc)
		return err;
	m->m_proc.initproc = initproc;
	initproc->p_pgrpid = initproc->p_sessionid = 1;	/* launchd's own setsid() */
	err = xs_fdt_attach_console(initproc);
	if (err)
		osl_log("bsd_init: launchd has no console fds (%d)", err);
	xs_proc_list_lock();
	initproc->p_stat = SRUN;
	xs_proc_list_unlock();
	m->m_boot_time = osl_absolute_time();
	m->m_booted = true;
	xs_trace_proc_create(initproc, XS_PROC_CREATE_BOOT);
	return 0;
}
