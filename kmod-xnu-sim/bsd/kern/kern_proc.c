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
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

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
struct proc *xs_proc_find(pid_t pid)
{
	XS_FUNC(proc_find);
	struct proc *p;

	if (pid < 0 || !pg()->allproc.next)
		return NULL;
	xs_lck_mtx_lock(&pg()->proc_list_lock);
	p = proc_find_any_locked(pid);
	if (p && (p->p_stat == SZOMB || p->p_stat == SIDL))
		p = NULL;
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
