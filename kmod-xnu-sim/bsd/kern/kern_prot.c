/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kern_prot.c: process identity: pids, credentials, process groups and
 * sessions, as system calls.  Credentials are the proc's inline ucred;
 * groups and sessions are ids on the proc (no struct pgrp / session yet).
 * Corresponds to bsd/kern/kern_prot.c.
 */
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

#include "darwin/errno.h"

/*
 * Routine:    xs_getpid  [BSD 20]
 * Purpose:    The caller's pid.
 * Returns:    0; retval[0] = pid.
 */
int xs_getpid(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(getpid);
	retval[0] = p->p_pid;
	return 0;
}

/*
 * Routine:    xs_getppid  [BSD 39]
 * Purpose:    The parent's pid (1 once orphaned to launchd).
 * Returns:    0; retval[0] = ppid.
 */
int xs_getppid(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(getppid);
	retval[0] = p->p_ppid;
	return 0;
}

/*
 * Routine:    xs_getuid / xs_geteuid / xs_getgid / xs_getegid  [BSD 24/25/47/43]
 * Purpose:    The real and effective user and group ids.
 * Returns:    0; retval[0] = the id.
 */
int xs_getuid(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(getuid);
	retval[0] = (int32_t)p->p_ucred.cr_ruid;
	return 0;
}

int xs_geteuid(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(geteuid);
	retval[0] = (int32_t)p->p_ucred.cr_uid;
	return 0;
}

int xs_getgid(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(getgid);
	retval[0] = (int32_t)p->p_ucred.cr_rgid;
	return 0;
}

int xs_getegid(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(getegid);
	retval[0] = (int32_t)p->p_ucred.cr_gid;
	return 0;
}

/*
 * Routine:    xs_getpgrp  [BSD 81]
 * Purpose:    The caller's process group.
 * Returns:    0; retval[0] = pgid.
 */
int xs_getpgrp(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(getpgrp);
	retval[0] = p->p_pgrpid;
	return 0;
}

struct getsid_args {
	uint64_t pid;
};

/*
 * Routine:    xs_getsid  [BSD 310]
 * Purpose:    The session of pid (0: the caller).
 * Returns:    0 with retval[0] = sid; ESRCH for no such live process.
 */
int xs_getsid(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(getsid);
	pid_t pid = (pid_t)((struct getsid_args *)uap)->pid;
	struct proc *t = pid == 0 ? p : xs_proc_find(pid);

	if (!t)
		return ESRCH;
	retval[0] = t->p_sessionid;
	return 0;
}

/*
 * Routine:    xs_setsid  [BSD 147]
 * Purpose:    Make the caller the leader of a new session and process group.
 * Returns:    0 with retval[0] = the new sid; EPERM if the caller already
 *             leads a process group (or another process uses its pid as one).
 */
int xs_setsid(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(setsid);
	struct proc *q;
	int err = 0;

	xs_proc_list_lock();
	if (p->p_pgrpid == p->p_pid) {
		err = EPERM;
	} else {
		xs_queue_foreach(q, &xs_machine()->m_proc.allproc, struct proc, p_list) {
			if (q != p && q->p_pgrpid == p->p_pid)
				err = EPERM;	/* pgrp_find(p->p_pid) != NULL */
		}
	}
	if (!err) {
		p->p_sessionid = p->p_pid;	/* setsid_internal: enterpgrp(p, pid, 1) */
		p->p_pgrpid = p->p_pid;
		retval[0] = p->p_pid;
	}
	xs_proc_list_unlock();
	return err;
}

struct setpgid_args {
	uint64_t pid;
	uint64_t pgid;
};

/*
 * Routine:    xs_setpgid  [BSD 82]
 * Purpose:    Move pid (0: the caller; else the caller or one of its
 *             children) into process group pgid (0: pid's own), which must
 *             exist in the same session unless it is pid's own.
 * Returns:    0; EINVAL (pgid < 0), ESRCH (not the caller or its child),
 *             EPERM (a session leader, another session, no such group).
 */
int xs_setpgid(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(setpgid);
	struct setpgid_args *a = uap;
	pid_t pid = (pid_t)a->pid, pgid = (pid_t)a->pgid;
	struct proc *t, *q;
	bool found;
	int err = 0;

	if (pgid < 0)
		return EINVAL;
	t = (pid == 0 || pid == p->p_pid) ? p : xs_proc_find(pid);
	if (!t || (t != p && t->p_pptr != p))
		return ESRCH;
	xs_proc_list_lock();
	if (t->p_sessionid != p->p_sessionid || t->p_sessionid == t->p_pid) {
		err = EPERM;
		goto out;
	}
	if (pgid == 0)
		pgid = t->p_pid;
	if (pgid != t->p_pid) {
		found = false;
		xs_queue_foreach(q, &xs_machine()->m_proc.allproc, struct proc, p_list) {
			if (q->p_pgrpid == pgid && q->p_stat != SZOMB &&
			    q->p_sessionid == p->p_sessionid)
				found = true;
		}
		if (!found) {
			err = EPERM;
			goto out;
		}
	}
	t->p_pgrpid = pgid;	/* enterpgrp */
out:
	xs_proc_list_unlock();
	return err;
}

/*
 * Routine:    xs_thread_selfid  [BSD 372]
 * Purpose:    The calling thread's unique 64-bit id (pthread_threadid_np).
 * Returns:    0; the id across retval[0..1] (_SYSCALL_RET_UINT64_T).
 */
int xs_thread_selfid(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC_AT(thread_selfid, "bsd/pthread/pthread_shims.c");
	struct thread *th = osl_current_thread();
	uint64_t tid = th ? th->thread_id : 0;

	xs_memcpy(retval, &tid, sizeof(tid));
	return 0;
}
