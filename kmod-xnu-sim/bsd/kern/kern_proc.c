/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kern_proc.c: the process table: pid allocation and lookup, process groups,
 * parent/child links, and the proc <-> task marriage.  Every proc, zombies
 * included, is on allproc (XNU keeps zombies on zombproc and finds pids
 * through a hash; a list walk is enough at this scale).
 * Corresponds to bsd/kern/kern_proc.c.
 */
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/ipc_tt.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/security/mac_framework.h"
#include "darwin/kern_return.h"
#include "darwin/port.h"

#define TASK_FLAVOR_CONTROL 0	/* mach/task_special_ports.h */

static struct proc_globals *pg(void) { return &xs_machine()->m_proc; }

/* proc_task / proc_get_task_raw: the task right after the proc. */
struct task *xs_proc_task(struct proc *p)
{
	return p ? &xs_container_of(p, struct proc_task, pt_proc)->pt_task : NULL;
}

/* current_proc: the current thread's proc; kernproc for a kernel context. */
struct proc *xs_current_proc(void)
{
	struct thread *th = osl_current_thread();

	if (th && th->task)
		return xs_get_bsdtask_info(th->task);
	return pg()->kernproc;
}

static struct proc *proc_find_any_locked(pid_t pid)
{
	struct proc *p;

	xs_queue_foreach(p, &pg()->allproc, struct proc, p_list) {
		if (p->p_pid == pid)
			return p;
	}
	return NULL;
}

/*
 * Routine:    xs_proc_find
 * Purpose:    The live proc with this pid (not a zombie, not being created).
 * Conditions: Nothing locked.  No reference is taken: the proc can only go
 *             away through reap, which the caller must not race with.
 * Returns:    The proc or NULL.
 */
/* The live proc with this pid (not a zombie, not being created); proc_list_lock held. */
static struct proc *proc_find_live_locked(pid_t pid)
{
	struct proc *p = proc_find_any_locked(pid);

	return p && p->p_stat != SZOMB && p->p_stat != SIDL ? p : NULL;
}

struct proc *xs_proc_find(pid_t pid)
{
	XS_FUNC(proc_find);
	struct proc *p;

	if (pid < 0 || !pg()->allproc.next)
		return NULL;
	xs_lck_mtx_lock(&pg()->proc_list_lock);
	p = proc_find_live_locked(pid);
	xs_lck_mtx_unlock(&pg()->proc_list_lock);
	return p;
}

/* pzfind: a zombie with this pid, or NULL. */
struct proc *xs_proc_find_zombie(pid_t pid)
{
	XS_FUNC_AT(pzfind, "bsd/kern/kern_proc.c");
	struct proc *p;

	if (pid < 0 || !pg()->allproc.next)
		return NULL;
	xs_lck_mtx_lock(&pg()->proc_list_lock);
	p = proc_find_any_locked(pid);
	if (p && p->p_stat != SZOMB)
		p = NULL;
	xs_lck_mtx_unlock(&pg()->proc_list_lock);
	return p;
}

/*
 * The live proc a host process runs.  allproc is newest first, so in a
 * process that booted the machine (launchd) and then attached itself, the
 * attached proc wins.  Simulator only: XNU has no host processes.
 */
struct proc *xs_proc_find_host(int host_pid)
{
	struct proc *p, *found = NULL;

	if (host_pid <= 0 || !pg()->allproc.next)
		return NULL;
	xs_lck_mtx_lock(&pg()->proc_list_lock);
	xs_queue_foreach(p, &pg()->allproc, struct proc, p_list) {
		if (p->p_host_pid == host_pid && p->p_stat != SZOMB &&
		    !(p->p_lflag & P_LPEXIT) && p->p_pid != 0) {
			found = p;
			break;
		}
	}
	xs_lck_mtx_unlock(&pg()->proc_list_lock);
	return found;
}

/* Is pid used by a proc, zombie, process group or session? */
static bool pid_in_use_locked(pid_t pid)
{
	struct proc *p;

	xs_queue_foreach(p, &pg()->allproc, struct proc, p_list) {
		if (p->p_pid == pid || p->p_pgrpid == pid || p->p_sessionid == pid)
			return true;
	}
	return false;
}

/*
 * Routine:    xs_phash_insert_locked
 * Purpose:    Give p the next free pid (lastpid + 1, skipping pids still
 *             used by a proc, zombie, group or session; past PID_MAX wrap to
 *             100, as forkproc does) and put it on allproc.
 * Conditions: proc_list_lock held.
 * Returns:    0, or EAGAIN when every pid is taken.
 */
int xs_phash_insert_locked(struct proc *p)
{
	XS_FUNC(phash_insert_locked);
	struct proc_globals *g = pg();
	pid_t pid = g->lastpid;

	for (int tries = 0; tries <= XS_PID_MAX; tries++) {
		pid++;
		if (pid > XS_PID_MAX)
			pid = 100;
		if (!pid_in_use_locked(pid)) {
			g->lastpid = pid;
			p->p_pid = pid;
			xs_enqueue_head(&g->allproc, &p->p_list);	/* newest first */
			g->nprocs++;
			return 0;
		}
	}
	return EAGAIN;
}

/* phash_remove_locked: off allproc (reap).  proc_list_lock held. */
void xs_phash_remove_locked(struct proc *p)
{
	XS_FUNC(phash_remove_locked);

	xs_remqueue(&p->p_list);
	pg()->nprocs--;
}

/*
 * pgrp_enter_locked: join parent's process group and session.  Groups are
 * ids only (no struct pgrp/session yet): enough for getpgrp/setpgid/setsid.
 */
void xs_pgrp_enter_locked(struct proc *parent, struct proc *child)
{
	XS_FUNC(pgrp_enter_locked);

	child->p_pgrpid = parent ? parent->p_pgrpid : child->p_pid;
	child->p_sessionid = parent ? parent->p_sessionid : child->p_pid;
}

/* pinsertchild: link child under parent.  proc_list_lock held. */
void xs_pinsertchild(struct proc *parent, struct proc *child)
{
	XS_FUNC(pinsertchild);

	child->p_pptr = parent;
	child->p_ppid = parent->p_pid;
	xs_enqueue_tail(&parent->p_children, &child->p_sibling);
}

/* Take child off its parent's list (reparent, reap).  proc_list_lock held. */
void xs_proc_unlink_child_locked(struct proc *child)
{
	if (child->p_pptr)
		xs_remqueue(&child->p_sibling);
	child->p_pptr = NULL;
}

/* proc_list_lock / proc_list_unlock */
void xs_proc_list_lock(void) { xs_lck_mtx_lock(&pg()->proc_list_lock); }
void xs_proc_list_unlock(void) { xs_lck_mtx_unlock(&pg()->proc_list_lock); }

/* ---- task_for_pid --------------------------------------------------------- */

/* kauth_cred_ismember_gid, with the real and saved gid as kauth_cred_gid_subset adds them. */
static bool cred_has_gid(const struct ucred *cr, gid_t gid)
{
	if (gid == cr->cr_rgid || gid == cr->cr_svgid)
		return true;
	for (uint32_t i = 0; i < cr->cr_ngroups && i < XS_NGROUPS; i++) {
		if (cr->cr_groups[i] == gid)
			return true;
	}
	return false;
}

/* kauth_cred_gid_subset: every group of c1 (list, real, saved) is one of c2's. */
static bool xs_kauth_cred_gid_subset(const struct ucred *c1, const struct ucred *c2)
{
	XS_FUNC_AT(kauth_cred_gid_subset, "bsd/kern/kern_credential.c");

	for (uint32_t i = 0; i < c1->cr_ngroups && i < XS_NGROUPS; i++) {
		if (!cred_has_gid(c2, c1->cr_groups[i]))
			return false;
	}
	return cred_has_gid(c2, c1->cr_rgid) && cred_has_gid(c2, c1->cr_svgid);
}

/*
 * task_for_pid_posix_check: root may; anyone may get its own task; else
 * (tfp_policy DEFAULT) the target's uid, ruid and svuid must all be the
 * caller's euid and its groups a subset of the caller's.  Not a zombie.
 * XNU also refuses a P_SUGID target; the model has no such flag yet.
 */
static bool xs_task_for_pid_posix_check(struct proc *target)
{
	XS_FUNC(task_for_pid_posix_check);
	struct proc *self = xs_current_proc();
	const struct ucred *my = &self->p_ucred, *tc = &target->p_ucred;

	if (target->p_stat == SZOMB)
		return false;
	if (my->cr_uid == 0 || target == self)
		return true;
	if (tc->cr_uid != my->cr_uid || tc->cr_ruid != my->cr_uid || tc->cr_svuid != my->cr_uid)
		return false;
	return xs_kauth_cred_gid_subset(tc, my);
}

/*
 * proc_find + task_reference in one hold of proc_list_lock: the proc_task
 * element cannot be reaped in between (XNU holds a proc ref instead).
 */
static struct proc *proc_find_task_ref(pid_t pid, struct task **taskp)
{
	XS_FUNC_AT(proc_find, "bsd/kern/kern_proc.c");
	struct proc *p;

	*taskp = NULL;
	if (pid < 0 || !pg()->allproc.next)
		return NULL;
	xs_lck_mtx_lock(&pg()->proc_list_lock);
	p = proc_find_live_locked(pid);
	if (p) {
		*taskp = xs_proc_task(p);
		xs_task_reference(*taskp);
	}
	xs_lck_mtx_unlock(&pg()->proc_list_lock);
	return p;
}

struct task_for_pid_args { uint64_t target_tport, pid, t; };

/*
 * Routine:    xs_task_for_pid  [trap -45]
 * Purpose:    A send right to the task port of process pid, copied out into
 *             the caller's space, its name stored at t.  target_tport must
 *             name a task port in the caller's space.  Permission is
 *             task_for_pid_posix_check, then mac_proc_check_get_task (no
 *             policy loaded: allows).  The taskgated upcall is never made:
 *             no task access port is ever set in the model.
 * Conditions: Nothing locked.  As in XNU the copyout to t is always tried
 *             (MACH_PORT_NULL on failure) and its own failure is ignored: a
 *             bad t loses the name but not the result (nor the right).
 * Returns:    KERN_SUCCESS; KERN_FAILURE for pid 0 (kernel_task, for every
 *             caller), a bad target_tport, no such live process, or no
 *             permission.
 */
xs_kern_return_t xs_task_for_pid(void *args_)
{
	XS_FUNC(task_for_pid);
	const struct task_for_pid_args *args = args_;
	pid_t pid = (pid_t)(int32_t)args->pid;
	mach_port_name_t tret = MACH_PORT_NULL;
	xs_kern_return_t error = KERN_FAILURE;
	struct task *t1, *task = NULL;
	struct proc *p;

	if (pid == 0) {
		(void)osl_copyout(&tret, args->t, sizeof(tret));
		return KERN_FAILURE;
	}
	t1 = xs_port_name_to_task((mach_port_name_t)args->target_tport);
	if (!t1) {
		(void)osl_copyout(&tret, args->t, sizeof(tret));
		return KERN_FAILURE;
	}
	p = proc_find_task_ref(pid, &task);
	if (p && xs_task_for_pid_posix_check(p) &&
	    xs_mac_proc_check_get_task(&xs_current_proc()->p_ucred, p, TASK_FLAVOR_CONTROL) == 0) {
		tret = xs_convert_task_to_port_copyout(task);	/* consumes the reference */
		task = NULL;
		error = KERN_SUCCESS;
	}
	xs_task_deallocate(t1);
	(void)osl_copyout(&tret, args->t, sizeof(tret));
	if (task)
		xs_task_deallocate(task);
	return error;
}
