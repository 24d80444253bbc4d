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

/*
 * Credential changes.  XNU replaces the proc's kauth_cred_t with an updated
 * copy (kauth_cred_proc_update); the model's credential is inline in the
 * proc, so the update is a store under p_mlock.  Not modeled: per-uid
 * process counts (chgproccnt), the task's security token, and P_SUGID
 * (the model has no flag for it yet).
 */

/* suser: the effective uid is root. */
static int xs_suser(const struct ucred *cred)
{
	XS_FUNC(suser);
	return cred->cr_uid == 0 ? 0 : EPERM;
}

/* The MAC hooks for credential changes: no policy is loaded, all pass. */
static int xs_mac_proc_check_setuid(struct proc *p, uid_t uid)
{
	XS_FUNC_AT(mac_proc_check_setuid, "security/mac_process.c");
	(void)p; (void)uid;
	return 0;
}

static int xs_mac_proc_check_seteuid(struct proc *p, uid_t euid)
{
	XS_FUNC_AT(mac_proc_check_seteuid, "security/mac_process.c");
	(void)p; (void)euid;
	return 0;
}

static int xs_mac_proc_check_setgid(struct proc *p, gid_t gid)
{
	XS_FUNC_AT(mac_proc_check_setgid, "security/mac_process.c");
	(void)p; (void)gid;
	return 0;
}

static int xs_mac_proc_check_setegid(struct proc *p, gid_t egid)
{
	XS_FUNC_AT(mac_proc_check_setegid, "security/mac_process.c");
	(void)p; (void)egid;
	return 0;
}

/*
 * Set one id family.  which: 0 uid, 1 gid.  all: setuid/setgid (root sets
 * real, effective and saved; others the effective id only), else
 * seteuid/setegid.  A non-root caller may only pick its real or saved id.
 */
static int set_ids(struct proc *p, uint32_t id, int which, bool all)
{
	struct ucred *cr = &p->p_ucred;
	uint32_t *eff, *real, *saved;
	int error = 0;

	xs_lck_mtx_lock(&p->p_mlock);
	eff = which ? &cr->cr_gid : &cr->cr_uid;
	real = which ? &cr->cr_rgid : &cr->cr_ruid;
	saved = which ? &cr->cr_svgid : &cr->cr_svuid;
	if (id != *real && id != *saved)
		error = xs_suser(cr);
	if (error == 0) {
		if (all && xs_suser(cr) == 0)
			*real = *saved = id;
		*eff = id;
	}
	xs_lck_mtx_unlock(&p->p_mlock);
	return error;
}

struct setid_args { uint64_t id; };

/*
 * Routine:    xs_setuid  [BSD 23]
 * Purpose:    Set the user id.  Root sets the real, effective and saved uid;
 *             any process may set its effective uid to its real or saved uid.
 * Conditions: Nothing locked.
 * Returns:    0; EPERM when not allowed.
 */
int xs_setuid(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(setuid);
	uint32_t uid = (uint32_t)((struct setid_args *)uap)->id;
	int error = xs_mac_proc_check_setuid(p, uid);

	(void)retval;
	return error ? error : set_ids(p, uid, 0, true);
}

/*
 * Routine:    xs_seteuid  [BSD 183]
 * Purpose:    Set the effective uid: to the real or saved uid, or any if root.
 * Conditions: Nothing locked.
 * Returns:    0; EPERM when not allowed.
 */
int xs_seteuid(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(seteuid);
	uint32_t euid = (uint32_t)((struct setid_args *)uap)->id;
	int error = xs_mac_proc_check_seteuid(p, euid);

	(void)retval;
	return error ? error : set_ids(p, euid, 0, false);
}

/*
 * Routine:    xs_setgid  [BSD 181]
 * Purpose:    Set the group id; the rules of setuid, on the gids (root is
 *             still decided by the effective uid).
 * Conditions: Nothing locked.
 * Returns:    0; EPERM when not allowed.
 */
int xs_setgid(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(setgid);
	uint32_t gid = (uint32_t)((struct setid_args *)uap)->id;
	int error = xs_mac_proc_check_setgid(p, gid);

	(void)retval;
	return error ? error : set_ids(p, gid, 1, true);
}

/*
 * Routine:    xs_setegid  [BSD 182]
 * Purpose:    Set the effective gid: to the real or saved gid, or any if root.
 * Conditions: Nothing locked.
 * Returns:    0; EPERM when not allowed.
 */
int xs_setegid(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(setegid);
	uint32_t egid = (uint32_t)((struct setid_args *)uap)->id;
	int error = xs_mac_proc_check_setegid(p, egid);

	(void)retval;
	return error ? error : set_ids(p, egid, 1, false);
}
