/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kern_exit.c: process exit: exit(2), exit_with_reason (also the end of a
 * fatal signal), proc_exit (the proc becomes a zombie, the parent hears
 * SIGCHLD), wait4 and reaping, and the simulator's reaper for host
 * processes that vanish without exiting.  launchd has no host thread to call
 * wait4, so it auto-reaps: a child of launchd is reaped as soon as it becomes
 * a zombie, its status kept in a short log (docs/fidelity.md).
 * Corresponds to bsd/kern/kern_exit.c.
 */
#include "kmod-xnu-sim/bsd/sys/file_internal.h"
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/exception.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/task.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

#include "darwin/errno.h"
#include "darwin/signal.h"
#undef sigset_t	/* the generated header defines its size under the type's name */
#include "darwin/wait.h"
#include "xnusim/abi/signal.h"

static struct proc_globals *pg(void) { return &xs_machine()->m_proc; }

static inline sigset_t xs_sigmask_chld(void) { return 1u << (SIGCHLD - 1); }

/*
 * proc_prepareexit: crash reports, corpses, core dumps and jetsam
 * bookkeeping in XNU; none of these exist here.  What remains is that an
 * exiting process takes no more signals (psignal checks P_LEXIT).
 */
static void xs_proc_prepareexit(struct proc *p, int status)
{
	XS_FUNC(proc_prepareexit);
	(void)status;
	xs_lck_mtx_lock(&p->p_mlock);
	p->p_siglist = 0;
	xs_lck_mtx_unlock(&p->p_mlock);
}

/*
 * Routine:    xs_exit_with_reason
 * Purpose:    Begin p's exit: mark it P_LEXIT with status (Darwin wait
 *             encoding) and terminate its task (threads, IPC space, map).
 *             The proc stays until proc_exit makes it a zombie.
 * Conditions: Nothing locked.
 * Returns:    0, or EALREADY if p was already exiting (status unchanged).
 */
int xs_exit_with_reason(struct proc *p, int status)
{
	XS_FUNC(exit_with_reason);

	xs_lck_mtx_lock(&p->p_mlock);
	if (p->p_lflag & P_LEXIT) {
		xs_lck_mtx_unlock(&p->p_mlock);
		return EALREADY;
	}
	p->p_lflag |= P_LEXIT;
	p->p_xstat = status;
	xs_lck_mtx_unlock(&p->p_mlock);

	xs_proc_prepareexit(p, status);
	xs_task_terminate_internal(xs_proc_task(p));
	return 0;
}

/* exit1 (through exit1_internal): the exit(2) flavor of exit_with_reason. */
static int xs_exit1(struct proc *p, int status)
{
	XS_FUNC(exit1);
	return xs_exit_with_reason(p, status);
}

struct exit_args {
	uint64_t rval;
};

/*
 * Routine:    xs_exit  [BSD 1]
 * Purpose:    End the calling process with status W_EXITCODE(rval, 0).
 * Conditions: Called from the BSD dispatcher on the current thread.
 * Returns:    Never: the thread ends (thread_terminate_self, which runs
 *             proc_exit) and the host process ends with the same status.
 */
int xs_exit(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(exit);
	struct exit_args *a = uap;

	(void)retval;
	xs_thread_reference(osl_current_thread());	/* terminate_self drops it */
	xs_exit1(p, XS_W_EXITCODE((uint32_t)a->rval, 0));
	xs_thread_terminate_self();	/* thread_exception_return -> AST */
}

/* Keep the last exits of launchd's children for xs_proc_exit_status. */
static void exit_log_record_locked(struct proc *p)
{
	struct proc_globals *g = pg();
	uint32_t seq = ++g->exit_log_seq;
	struct proc_exit_record *r = &g->exit_log[seq % XS_ARRAY_SIZE(g->exit_log)];

	r->per_pid = p->p_pid;
	r->per_host_pid = p->p_host_pid;
	r->per_xstat = p->p_xstat;
	r->per_seq = seq;
}

/*
 * reap_child_locked: free a zombie: off its parent and allproc, then drop
 * the proc's reference on its task (proc_wait_release), which frees the
 * proc_task element once no thread holds it either.
 * proc_list_lock held.
 */
static void xs_reap_child_locked(struct proc *child)
{
	XS_FUNC(reap_child_locked);

	exit_log_record_locked(child);
	xs_proc_unlink_child_locked(child);
	xs_phash_remove_locked(child);	/* pgrp_leave_locked: ids only */
	xs_task_deallocate(xs_proc_task(child));
}

/* proc_reparentlocked: child now belongs to newparent.  proc_list_lock held. */
static void xs_proc_reparentlocked(struct proc *child, struct proc *newparent)
{
	XS_FUNC(proc_reparentlocked);

	xs_proc_unlink_child_locked(child);
	xs_pinsertchild(newparent, child);
}

/*
 * Routine:    xs_proc_exit
 * Purpose:    Make p a zombie: close its fds (fdt_invalidate), hand its
 *             children to launchd (reaping zombie ones: nobody will wait
 *             for them), fire the exit probe and tell the parent (SIGCHLD
 *             with CLD_EXITED siginfo, wakeup for wait4).  A child of
 *             launchd is reaped right away; so is one whose parent set
 *             SA_NOCLDWAIT (handed to launchd first).
 * Conditions: Nothing locked.  p's task was terminated (exit_with_reason).
 *             The caller must keep the proc_task element alive (a thread or
 *             task reference) if it touches p afterwards.
 */
void xs_proc_exit(struct proc *p)
{
	XS_FUNC(proc_exit);
	struct proc *initproc = pg()->initproc;
	struct proc *child, *tmp, *parent;
	bool autoreap;

	xs_fdt_invalidate(p);

	xs_proc_list_lock();
	xs_queue_foreach_safe(child, tmp, &p->p_children, struct proc, p_sibling) {
		if (child->p_stat == SZOMB)
			xs_reap_child_locked(child);
		else if (initproc && initproc != p)
			xs_proc_reparentlocked(child, initproc);
	}
	parent = p->p_pptr;
	if (parent && initproc && parent != initproc && (parent->p_flag & P_NOCLDWAIT))
		xs_proc_reparentlocked(p, initproc);	/* SA_NOCLDWAIT: no zombie */
	p->p_stat = SZOMB;
	autoreap = p->p_pptr && p->p_pptr == initproc;
	xs_proc_list_unlock();

	xs_trace_proc_exit(p, p->p_xstat);
	if (parent) {
		if (parent != initproc) {	/* the SIGCHLD handler's siginfo */
			xs_lck_mtx_lock(&parent->p_mlock);
			parent->p_si_pid = p->p_pid;
			parent->p_si_status = p->p_xstat;
			parent->p_si_code = CLD_EXITED;
			parent->p_si_uid = p->p_ucred.cr_ruid;
			xs_lck_mtx_unlock(&parent->p_mlock);
		}
		xs_psignal(parent, SIGCHLD);	/* launchd ignores it: dropped */
		osl_event_signal(&parent->p_wait_event, true);
	}
	if (autoreap) {
		xs_proc_list_lock();
		xs_reap_child_locked(p);
		xs_proc_list_unlock();
	}
}

/*
 * Routine:    xs_proc_exit_status
 * Purpose:    The wait status of a reaped child of launchd, by pid (> 0) or
 *             by host pid (pid == 0), newest first.
 * Returns:    0 with *status set, or ESRCH.
 */
int xs_proc_exit_status(pid_t pid, int host_pid, int *status)
{
	struct proc_globals *g = pg();
	const struct proc_exit_record *best = NULL;
	int err = ESRCH;

	xs_proc_list_lock();
	for (uint32_t i = 0; i < XS_ARRAY_SIZE(g->exit_log); i++) {
		const struct proc_exit_record *r = &g->exit_log[i];

		if (!r->per_seq || (pid > 0 ? r->per_pid != pid : r->per_host_pid != host_pid))
			continue;
		if (!best || r->per_seq > best->per_seq)
			best = r;
	}
	if (best && status) {
		*status = best->per_xstat;
		err = 0;
	}
	xs_proc_list_unlock();
	return err;
}

/* ---- wait4 ------------------------------------------------------------- */

struct wait4_args {
	uint64_t pid;		/* WAIT_ANY (-1), a pid, 0 (own group) or -pgid */
	uint64_t status;	/* int *, may be NULL */
	uint64_t options;	/* WNOHANG, WUNTRACED, WCONTINUED */
	uint64_t rusage;	/* struct rusage * (user64, 144 bytes), may be NULL */
};

/* Copy out a status word, and a rusage (munge_user64_rusage) with it. */
static int wait4_copyout(const struct wait4_args *a, int status, bool rusage)
{
	struct xnu_rusage ru;

	if (a->status && osl_copyout(&status, a->status, sizeof(status)) != 0)
		return EFAULT;
	if (rusage && a->rusage) {
		xs_memset(&ru, 0, sizeof(ru));	/* no accounting in the model: zeros */
		if (osl_copyout(&ru, a->rusage, sizeof(ru)) != 0)
			return EFAULT;
	}
	return 0;
}

/*
 * What wait4 can report about child p right now: an exit (then the child
 * is reaped), a stop not yet reported (WUNTRACED) or a continue
 * (WCONTINUED).  Returns -1 if nothing, else 0 or the copyout error (a
 * zombie is not reaped then).  proc_list_lock held.
 */
static int wait4_report_locked(struct proc *p, const struct wait4_args *a, int options,
			       bool only_child, int32_t *retval)
{
	struct uthread *ut = &xs_current_thread()->uthread;
	int error;

	if (p->p_stat == SZOMB) {
		retval[0] = p->p_pid;
		/* Legacy apps expect only 8 bits of status (XNU). */
		error = wait4_copyout(a, 0xffff & p->p_xstat, true);
		if (error)
			return error;
		if (only_child && (ut->uu_sigmask & xs_sigmask_chld()))
			ut->uu_siglist &= ~xs_sigmask_chld();	/* conformance 6577252 */
		xs_reap_child_locked(p);
		return 0;
	}
	if (p->p_stat == SSTOP && !(p->p_lflag & P_LWAITED) && (options & WUNTRACED)) {
		__atomic_fetch_or(&p->p_lflag, P_LWAITED, __ATOMIC_SEQ_CST);
		retval[0] = p->p_pid;
		return wait4_copyout(a, (p->p_xstat << 8) | _WSTOPPED, false);
	}
	if ((options & WCONTINUED) && (p->p_flag & P_CONTINUED)) {
		__atomic_fetch_and(&p->p_flag, ~(uint32_t)P_CONTINUED, __ATOMIC_SEQ_CST);
		retval[0] = p->p_pid;
		return wait4_copyout(a, (SIGCONT << 8) | _WSTOPPED, false);
	}
	return -1;
}

/*
 * Routine:    xs_wait4_nocancel  [BSD 400]
 * Purpose:    Wait for a child matching pid (-1 any, > 0 that pid, 0 the
 *             caller's group, < -1 group -pid) to exit (status W_EXITCODE,
 *             the child is reaped), stop (WUNTRACED: W_STOPCODE(sig)) or
 *             continue (WCONTINUED: 0x137f).  WNOWAIT is not looked at by
 *             XNU's wait4 (only waitid's): the child is reaped regardless.
 * Conditions: Nothing locked.  Blocks on the caller's p_wait_event.
 * Returns:    0 with retval[0] = the child's pid (0 for WNOHANG with
 *             nothing to report); ECHILD (no such child), EINVAL (pid
 *             INT_MIN), EFAULT, EINTR / ERESTART (a signal: msleep PCATCH).
 */
int xs_wait4_nocancel(struct proc *q, void *uap, int32_t *retval)
{
	XS_FUNC(wait4_nocancel);
	struct wait4_args *a = uap;
	pid_t pid = (pid_t)a->pid;
	int options = (int)a->options, nfound, nchildren, error;
	struct proc *p;

	if (pid == 0)
		pid = -q->p_pgrpid;
	if (pid == INT32_MIN)
		return EINVAL;
	xs_proc_list_lock();
	for (;;) {
		nfound = nchildren = 0;
		xs_queue_foreach(p, &q->p_children, struct proc, p_sibling)
			nchildren++;
		xs_queue_foreach(p, &q->p_children, struct proc, p_sibling) {
			if (pid != WAIT_ANY && p->p_pid != pid && p->p_pgrpid != -pid)
				continue;
			nfound++;
			error = wait4_report_locked(p, a, options, nchildren == 1, retval);
			if (error >= 0) {
				xs_proc_list_unlock();
				return error;
			}
		}
		if (nfound == 0) {
			error = ECHILD;
			break;
		}
		if (options & WNOHANG) {
			retval[0] = 0;
			error = 0;
			break;
		}
		/* msleep0(q, proc_list_mlock, PWAIT | PCATCH, "wait", wait1continue) */
		if (xs_thread_block_on(&q->p_wait_event, &pg()->proc_list_lock, 0, "wait") ==
		    THREAD_INTERRUPTED) {
			error = xs_msleep_signal_error(xs_current_thread());
			break;
		}
	}
	xs_proc_list_unlock();
	return error;
}

/*
 * Routine:    xs_wait4  [BSD 7]
 * Purpose:    wait4: a cancellation point (__pthread_testcancel, not
 *             modeled), then wait4_nocancel.
 */
int xs_wait4(struct proc *q, void *uap, int32_t *retval)
{
	XS_FUNC(wait4);
	return xs_wait4_nocancel(q, uap, retval);
}

/*
 * Routine:    xs_proc_host_died
 * Purpose:    Reap the simulated process of a host process that ended
 *             without exit(2) as if SIGKILL had killed it.  Runs in the
 *             caller's context, so the dead process's threads, task, fds and
 *             zone elements are torn down from outside.
 * Conditions: Nothing locked.
 * Returns:    0, or ESRCH (no live simulated process on host_pid).
 */
int xs_proc_host_died(int host_pid, int host_wait_status)
{
	XS_FUNC(proc_host_died);	/* simulator only */
	struct proc *p = xs_proc_find_host(host_pid);
	struct task *task;

	if (!p || p == pg()->initproc)
		return ESRCH;
	osl_log("proc_host_died: pid %d (host %d, status 0x%x)", p->p_pid, host_pid,
		host_wait_status);
	/* Its slots must read as its last zone operation left them (zalloc.h). */
	xs_zone_settle_all();
	task = xs_proc_task(p);
	xs_task_reference(task);	/* keep the element while we finish */
	xs_lck_mtx_lock(&p->p_mlock);
	p->p_lflag |= P_LHOSTDEAD;
	xs_lck_mtx_unlock(&p->p_mlock);
	xs_exit_with_reason(p, XS_W_EXITCODE(0, SIGKILL));	/* EALREADY: mid-exit */
	if (!(__atomic_fetch_or(&p->p_lflag, P_LPEXIT, __ATOMIC_SEQ_CST) & P_LPEXIT))
		xs_proc_exit(p);
	xs_task_deallocate(task);
	return 0;
}
