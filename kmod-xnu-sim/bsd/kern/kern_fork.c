/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kern_fork.c: making processes: fork(2) (fork1 -> cloneproc -> forkproc +
 * fork_create_child), and the image-less flavors for launchd at boot and a
 * host process attaching.  The host half of fork (the host fork itself,
 * then binding the host child to the child's thread) is driven by the
 * libsyscall stub through xs_fork_host_child / xs_fork_host_abort.
 * Corresponds to bsd/kern/kern_fork.c.
 */
#include "kmod-xnu-sim/bsd/sys/file_internal.h"
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/task.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/trap_entry.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#include "kmod-xnu-sim/osfmk/vm/vm_map.h"

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
 * What a forked child copies from its parent in forkproc: credentials,
 * signal dispositions (not pending signals), names.  p_flag keeps none of
 * the bits modeled here (XNU inherits only P_LP64, P_SUGID and the like).
 */
static void forkproc_inherit(struct proc *parent, struct proc *p)
{
	xs_lck_mtx_lock(&parent->p_mlock);
	p->p_ucred = parent->p_ucred;
	p->p_sigignore = parent->p_sigignore;
	p->p_sigcatch = parent->p_sigcatch;
	p->p_sigacts = parent->p_sigacts;
	xs_lck_mtx_unlock(&parent->p_mlock);
	xs_memcpy(p->p_comm, parent->p_comm, sizeof(p->p_comm));
	xs_memcpy(p->p_name, parent->p_name, sizeof(p->p_name));
}

/*
 * Routine:    forkproc
 * Purpose:    The proc half of a new proc_task element: zone element,
 *             credentials, signal dispositions, an empty fd table (fdt_init),
 *             a pid (phash_insert_locked), parent's process group, and for
 *             fork the parent's descriptors (fdt_fork: new fileprocs on the
 *             shared fileglobs, cwd, umask).  A forked child has no host
 *             process yet (p_host_pid 0) until the host child binds.
 * Conditions: Nothing locked.
 * Returns:    The proc in SIDL, or NULL with *errp = EAGAIN / ENOMEM.
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
	p->p_host_pid = flavor == XS_CLONEPROC_FORK ? 0 : osl_host_pid();
	cred_init(&p->p_ucred, flavor);
	xs_siginit(p);
	if (flavor == XS_CLONEPROC_FORK)
		forkproc_inherit(parent, p);
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
	if (*errp == 0 && flavor == XS_CLONEPROC_FORK)
		*errp = xs_fdt_fork(&p->p_fd, parent, (struct vnode *)0, false);
	if (*errp) {
		if (p->p_pid) {
			xs_proc_list_lock();
			xs_phash_remove_locked(p);
			xs_proc_list_unlock();
		}
		xs_fdt_invalidate(p);
		xs_zfree_id(ZONE_ID_PROC_TASK, pt);
		return NULL;
	}
	return p;
}

/*
 * thread_start_in_assert_wait: XNU parks a forked child's main thread in
 * task_wait_to_return until fork is done with it.  Here it has no host
 * thread until the host child binds, which is the same wait.
 */
static void xs_thread_start_in_assert_wait(struct thread *th)
{
	XS_FUNC_AT(thread_start_in_assert_wait, "osfmk/kern/thread_act.c");
	(void)th;
}

/*
 * Routine:    fork_create_child
 * Purpose:    The task half (task_create_internal: for fork a vm_map_fork
 *             of the parent's map, else an empty one; a fresh IPC space
 *             either way) and the main thread (main_thread_create_waiting).
 *             A forked main thread inherits the forking thread's signal
 *             mask (uthread_init).
 * Returns:    The main thread with a reference for the caller, or NULL
 *             (the task may be half made: the caller deallocates it).
 */
static struct thread *xs_fork_create_child(struct task *parent_task, struct proc *child,
					   int flavor, bool bind)
{
	XS_FUNC(fork_create_child);
	struct task *task = xs_proc_task(child);
	struct thread *cur = xs_current_thread(), *th;
	bool fork = flavor == XS_CLONEPROC_FORK;

	if (xs_task_create_internal(parent_task, task, fork, true) != KERN_SUCCESS)
		return NULL;
	th = xs_thread_create_internal(task, bind);	/* main_thread_create_waiting */
	if (th && fork) {
		if (cur)
			th->uthread.uu_sigmask = cur->uthread.uu_sigmask;
		xs_thread_start_in_assert_wait(th);
	}
	return th;
}

/*
 * Routine:    xs_cloneproc
 * Purpose:    forkproc + fork_create_child + pinsertchild: for fork
 *             (XS_CLONEPROC_FORK) and the two image-less flavors,
 *             XS_CLONEPROC_INITPROC (launchd, at boot) and
 *             XS_CLONEPROC_ATTACH (a host process joining).
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
	th = xs_fork_create_child(xs_proc_task(parent), p, flavor, bind);
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

/* ---- fork(2) ------------------------------------------------------------ */

/* mac_proc_check_fork: the MACF hook; no policy here denies a fork. */
static int xs_mac_proc_check_fork(struct proc *parent, struct ucred *cred)
{
	XS_FUNC_AT(mac_proc_check_fork, "security/mac_process.c");
	(void)parent;
	(void)cred;
	return 0;
}

/* The main (only) thread of a task fork just made. */
static struct thread *task_main_thread(struct task *task)
{
	struct thread *th = NULL;

	xs_lck_mtx_lock(&task->lock);
	if (!xs_queue_empty(&task->threads))
		th = xs_container_of(task->threads.next, struct thread, task_threads);
	xs_lck_mtx_unlock(&task->lock);
	return th;
}

/*
 * Routine:    fork1(PROC_CREATE_FORK)
 * Purpose:    Check the process limits and MACF, clone the caller
 *             (cloneproc(CLONEPROC_FORK)), copy the calling thread's
 *             registers into the child's main thread (thread_dup) and make
 *             them return the child's way (thread_set_child: x0 = pid,
 *             x1 = 1).  The child is SRUN but has no host process yet.
 * Conditions: Nothing locked; the current thread is in the fork trap.
 * Returns:    0 with *childp, or EAGAIN (maxproc; non-root callers stop at
 *             maxproc - 1; no memory), ENOMEM (fd table).
 */
static int xs_fork1(struct proc *parent, struct proc **childp)
{
	XS_FUNC(fork1);
	struct proc_globals *g = &xs_machine()->m_proc;
	struct thread *th;
	struct proc *child;
	int err;

	/* chgproccnt / RLIMIT_NPROC are not modeled (docs/fidelity.md). */
	if (g->nprocs >= g->maxproc || (parent->p_ucred.cr_uid != 0 && g->nprocs >= g->maxproc - 1))
		return EAGAIN;
	err = xs_mac_proc_check_fork(parent, &parent->p_ucred);
	if (err)
		return err;
	child = xs_cloneproc(parent, XS_CLONEPROC_FORK, false, &err);
	if (!child)
		return err;
	th = task_main_thread(xs_proc_task(child));
	if (th && xs_thread_dup(xs_current_thread(), th))
		xs_thread_set_child(th, child->p_pid);
	xs_proc_list_lock();
	child->p_stat = SRUN;
	xs_proc_list_unlock();
	*childp = child;
	return 0;
}

/*
 * task_clear_return_wait: let the child's main thread return to user mode.
 * The host child binds whenever the host fork lets it run, so there is no
 * waiter to release; the step is kept for the call graph.
 */
static void fork_task_clear_return_wait(struct task *task)
{
	XS_FUNC_AT(task_clear_return_wait, "osfmk/kern/task.c");
	(void)task;
}

/*
 * Routine:    xs_fork  [BSD 2]
 * Purpose:    Make a child process: a copy of the caller's descriptors
 *             (shared fileglobs), memory (vm_map_fork by inheritance),
 *             credentials and signal dispositions, a fresh IPC space (ports
 *             do not survive) and one thread, the caller's copy.
 * Conditions: Nothing locked.  User side: the libsyscall stub then forks
 *             the host process and the host child binds to the child's
 *             thread (xs_fork_host_child).
 * Returns:    0 with retval[0] = child pid, retval[1] = 0 (the parent);
 *             EAGAIN, ENOMEM.  The child returns x0 = its pid, x1 = 1.
 */
int xs_fork(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(fork);
	struct proc *child = NULL;
	int err;

	(void)uap;
	err = xs_fork1(p, &child);
	if (err)
		return err;
	xs_trace_proc_create(child, XS_PROC_CREATE_FORK);
	fork_task_clear_return_wait(xs_proc_task(child));
	retval[0] = child->p_pid;
	retval[1] = 0;
	return 0;
}

/* ---- the host half (simulator only) ------------------------------------- */

/*
 * The child pid claims: a live child of the calling thread's process that
 * no host process runs yet.  Returns its main thread, still unbound, or
 * NULL.  A host pid is claimed atomically, so one child binds once.
 */
static struct thread *fork_host_claim(pid_t pid, int host_pid)
{
	struct thread *cur = osl_current_thread();
	struct proc *parent = cur ? xs_get_bsdtask_info(cur->task) : NULL;
	struct proc *p = xs_proc_find(pid);
	struct thread *th;
	int zero = 0;

	if (!parent || !p || p->p_pptr != parent)
		return NULL;
	th = task_main_thread(xs_proc_task(p));
	if (!th || th->host_tid != 0 || th->machine_upcb != &th->machine_pcb)
		return NULL;
	if (!__atomic_compare_exchange_n(&p->p_host_pid, &zero, host_pid, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return NULL;
	return th;
}

/*
 * Routine:    xs_fork_host_child  (simulator only)
 * Purpose:    In the host child, right after the host fork: stop running as
 *             the parent's thread (the fork copied its binding) and become
 *             pid's main thread, record the host process in the proc, drop
 *             what the host fork copied but the child's map does not hold
 *             (VM_INHERIT_NONE), and hand back the return registers that
 *             thread_set_child left in the child's PCB.
 * Conditions: The calling host thread is the only one of a fresh host
 *             child; nothing locked.  Signals already pending for the
 *             child are delivered at its next trap (docs/fidelity.md).
 * Returns:    0 with rv[0] = x0 (pid), rv[1] = x1 (1); ESRCH if pid is no
 *             unbound child of the caller's process (reaped meanwhile).
 */
int xs_fork_host_child(int pid, int host_pid, int host_tid, uint64_t rv[2])
{
	XS_FUNC(fork_host_child);
	struct thread *th = fork_host_claim(pid, host_pid);
	bool carry = false;

	if (!th)
		return ESRCH;
	th->host_tid = host_tid;
	osl_set_current_thread(th);
	if (!xs_thread_fork_return_regs(th, rv, &carry) || carry) {
		rv[0] = (uint64_t)(int64_t)pid;	/* no PCB: the child's answer anyway */
		rv[1] = 1;
	}
	xs_vm_map_pmap_fork_child(th->task->map);
	return 0;
}

/*
 * Routine:    xs_fork_host_abort  (simulator only)
 * Purpose:    The host fork failed in the parent after the kernel made
 *             child pid: take the child apart as if it never existed (no
 *             zombie, no SIGCHLD), the way cloneproc undoes a failure.
 * Conditions: Nothing locked; the caller is pid's parent.
 * Returns:    0, or ESRCH (no such unbound child of the caller).
 */
int xs_fork_host_abort(int pid)
{
	XS_FUNC(fork_host_abort);
	struct thread *cur = osl_current_thread();
	struct proc *parent = cur ? xs_get_bsdtask_info(cur->task) : NULL;
	struct proc *p = xs_proc_find(pid);
	struct task *task;
	int zero = 0;

	if (!parent || !p || p->p_pptr != parent ||
	    !__atomic_compare_exchange_n(&p->p_host_pid, &zero, -1, false, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST))
		return ESRCH;
	task = xs_proc_task(p);
	xs_proc_list_lock();
	p->p_stat = SZOMB;	/* nobody may find it from here on */
	xs_proc_unlink_child_locked(p);
	xs_phash_remove_locked(p);
	xs_proc_list_unlock();
	xs_fdt_invalidate(p);
	xs_task_terminate_internal(task);
	xs_task_deallocate(task);	/* the proc's reference: frees the element */
	return 0;
}
