/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kern_fork.c: making processes.  For now only the pieces that launchd's
 * creation at boot and a host process attaching need: forkproc (the proc
 * half), fork_create_child (task and main thread), cloneproc around both,
 * and uthread_init.  fork(2) itself comes later and reuses them.
 * Corresponds to bsd/kern/kern_fork.c.
 */
#include "kmod-xnu-sim/bsd/sys/file_internal.h"
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/task.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"

#include "darwin/errno.h"

/*
 * Credentials.  launchd runs as root.  A host process that joins the machine
 * runs as the console user of a default macOS install: uid 501, gid 20
 * (staff) with staff's usual supplementary groups.  Not the host user's ids:
 * the simulated machine is its own Darwin system (docs/fidelity.md).
 */
#define XS_USER_UID 501
#define XS_USER_GID 20
static const gid_t xs_user_groups[] = { 20, 12, 61, 79, 80, 81, 98, 701, 33, 100,
					204, 250, 395, 398, 399, 400 };

static void cred_init(struct ucred *cr, int flavor)
{
	bool root = flavor == XS_CLONEPROC_INITPROC;
	uid_t uid = root ? 0 : XS_USER_UID;
	gid_t gid = root ? 0 : XS_USER_GID;

	cr->cr_uid = cr->cr_ruid = cr->cr_svuid = uid;
	cr->cr_gid = cr->cr_rgid = cr->cr_svgid = gid;
	if (root) {
		cr->cr_ngroups = 1;
		cr->cr_groups[0] = 0;
	} else {
		cr->cr_ngroups = XS_ARRAY_SIZE(xs_user_groups);
		for (uint32_t i = 0; i < cr->cr_ngroups; i++)
			cr->cr_groups[i] = xs_user_groups[i];
	}
}

/*
 * uthread_init: the BSD half of a new thread.  A new thread starts with
 * nothing pending and, like bsdthread_create's threads, nothing blocked.
 */
void xs_uthread_init(struct task *task, struct uthread *uth, struct thread *th)
{
	XS_FUNC(uthread_init);
	(void)task;
	(void)th;
	xs_memset(uth, 0, sizeof(*uth));
}

/*
 * Routine:    forkproc
 * Purpose:    The proc half of a new proc_task element: zone element,
 *             credentials, signal dispositions, an empty fd table (fdt_init),
 *             a pid (phash_insert_locked) and parent's process group.  No
 *             parent state is copied: the attach and init flavors have no
 *             image to inherit from (fork's fdt_fork comes later).
 * Conditions: Nothing locked.
 * Returns:    The proc in SIDL, or NULL with *errp = EAGAIN.
 */
static struct proc *xs_forkproc(struct proc *parent, int flavor, int *errp)
{
	XS_FUNC(forkproc);
	struct proc_globals *g = &xs_machine()->m_proc;
	struct proc_task *pt;
	struct proc *p;

	pt = xs_zalloc_id(ZONE_ID_PROC_TASK);	/* zalloc_flags(proc_task_zone) */
	if (!pt) {
		*errp = EAGAIN;
		return NULL;
	}
	p = &pt->pt_proc;
	xs_lck_mtx_init(&p->p_mlock);
	xs_queue_init(&p->p_children);
	xs_queue_init(&p->p_sibling);
	xs_queue_init(&p->p_list);
	p->p_stat = SIDL;
	p->p_host_pid = osl_host_pid();
	cred_init(&p->p_ucred, flavor);
	xs_siginit(p);
	if (xs_fdt_init(p) != 0) {
		xs_zfree_id(ZONE_ID_PROC_TASK, pt);
		*errp = EAGAIN;
		return NULL;
	}

	xs_proc_list_lock();
	p->p_uniqueid = ++g->next_uniqueid;
	*errp = xs_phash_insert_locked(p);
	if (*errp == 0)
		xs_pgrp_enter_locked(parent, p);
	xs_proc_list_unlock();
	if (*errp) {
		xs_fdt_invalidate(p);
		xs_zfree_id(ZONE_ID_PROC_TASK, pt);
		return NULL;
	}
	return p;
}

/*
 * Routine:    fork_create_child
 * Purpose:    The task half (task_create_internal with an empty map: there
 *             is no image to copy) and the main thread.
 * Returns:    The main thread with a reference for the caller, or NULL
 *             (the task may be half made: the caller deallocates it).
 */
static struct thread *xs_fork_create_child(struct task *parent_task, struct proc *child,
					   bool bind)
{
	XS_FUNC(fork_create_child);
	struct task *task = xs_proc_task(child);

	if (xs_task_create_internal(parent_task, task, false, true) != KERN_SUCCESS)
		return NULL;
	return xs_thread_create_internal(task, bind);	/* main_thread_create_waiting */
}

/*
 * Routine:    xs_cloneproc
 * Purpose:    forkproc + fork_create_child + pinsertchild for the two
 *             image-less flavors: XS_CLONEPROC_INITPROC (launchd, at boot)
 *             and XS_CLONEPROC_ATTACH (a host process joining).
 * Conditions: Nothing locked.  parent is live.
 * Returns:    The proc in SIDL with one thread (bound to the calling host
 *             thread when bind), or NULL with *errp = EAGAIN (maxproc, no
 *             pid, no memory).
 */
struct proc *xs_cloneproc(struct proc *parent, int flavor, bool bind, int *errp)
{
	XS_FUNC(cloneproc);
	struct proc_globals *g = &xs_machine()->m_proc;
	struct thread *th;
	struct proc *p;

	if (g->nprocs >= g->maxproc) {	/* fork1's check against maxproc */
		*errp = EAGAIN;
		return NULL;
	}
	p = xs_forkproc(parent, flavor, errp);
	if (!p)
		return NULL;
	th = xs_fork_create_child(xs_proc_task(parent), p, bind);
	if (!th) {
		xs_proc_list_lock();
		xs_phash_remove_locked(p);
		xs_proc_list_unlock();
		xs_fdt_invalidate(p);
		xs_task_deallocate(xs_proc_task(p));	/* frees the element */
		*errp = EAGAIN;
		return NULL;
	}
	xs_thread_deallocate(th);	/* task->threads keeps it alive */

	xs_proc_list_lock();
	xs_pinsertchild(parent, p);
	xs_proc_list_unlock();
	return p;
}

static void proc_set_name(struct proc *p, const char *comm)
{
	xs_strlcpy(p->p_comm, comm && comm[0] ? comm : "unknown", sizeof(p->p_comm));
	xs_strlcpy(p->p_name, comm && comm[0] ? comm : "unknown", sizeof(p->p_name));
}

/*
 * Routine:    xs_proc_attach  (simulator only: no XNU counterpart)
 * Purpose:    The calling host process joins the machine, modeled as
 *             launchd spawning it without an image: cloneproc under
 *             launchd, fds 0-2 on the host's console, main thread bound to
 *             the calling host thread.
 * Conditions: Nothing locked; the machine is booted.
 * Returns:    The new pid, or -errno (-ENXIO: not booted; -EAGAIN).
 */
int xs_proc_attach(int host_pid, const char *comm)
{
	XS_FUNC(proc_attach);
	struct proc *initproc = xs_machine()->m_proc.initproc;
	struct proc *p;
	int err;

	if (!xs_machine()->m_booted || !initproc)
		return -ENXIO;
	p = xs_cloneproc(initproc, XS_CLONEPROC_ATTACH, true, &err);
	if (!p)
		return -err;
	p->p_host_pid = host_pid;
	proc_set_name(p, comm);
	err = xs_fdt_attach_console(p);
	if (err)
		osl_log("proc_attach: pid %d: no console fds (%d)", p->p_pid, err);
	xs_proc_list_lock();
	p->p_stat = SRUN;
	xs_proc_list_unlock();
	xs_trace_proc_create(p, XS_PROC_CREATE_ATTACH);
	return p->p_pid;
}

/* bsd_init's half of launchd: the same path, as root, pid 1. */
struct proc *xs_cloneproc_initproc(struct proc *kernproc, int *errp)
{
	struct proc *p = xs_cloneproc(kernproc, XS_CLONEPROC_INITPROC, true, errp);

	if (p)
		proc_set_name(p, "launchd");
	return p;
}
