// SPDX-License-Identifier: BSD-2-Clause
/*
 * kern_spawn.c: posix_spawn (BSD 244).  The attributes and file actions are
 * copied in with XNU's layouts and size rules; the child comes from
 * fork1(PROC_CREATE_SPAWN) with an EMPTY map (no vm_map_fork: nothing of
 * the parent's memory is copied), its file actions run in its own fd table,
 * then the same exec_activate_image as execve loads the image into it.
 * POSIX_SPAWN_SETEXEC takes execve's path instead.  A failure at any step
 * leaves no child.  XNU keeps this in bsd/kern/kern_exec.c (the probes name
 * it).
 */
#include "kmod-xnu-sim/bsd/kern/kern_exec_internal.h"

#include "kmod-xnu-sim/bsd/sys/file_internal.h"
#include "kmod-xnu-sim/bsd/sys/vnode_internal.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"

#include "darwin/signal.h"
#undef sigset_t	/* the generated header names its size after the type */
#include "darwin/spawn.h"

/* Syscalls the file actions and attributes reuse (their sysent handlers). */
int xs_open_nocancel(struct proc *p, void *uap, int32_t *retval);
int xs_sys_dup2(struct proc *p, void *uap, int32_t *retval);
int xs_sys_close_nocancel(struct proc *p, void *uap, int32_t *retval);
int xs_sys_chdir(struct proc *p, void *uap, int32_t *retval);
int xs_setpgid(struct proc *p, void *uap, int32_t *retval);
int xs_setsid(struct proc *p, void *uap, int32_t *retval);

#define SIGMASK_OF(s) (1u << ((s) - 1))
#define XS_SPAWN_FA_MAX 10240	/* maxfilesperproc: at most this many file actions */

/* Everything posix_spawn copied in (kalloc'd spawn data). */
struct spawn_data {
	struct exec_data sd_exec;
	struct xs_posix_spawn_args_desc sd_args;
	struct xs_posix_spawnattr sd_psa;
	bool sd_have_psa;
	struct xs_posix_spawn_file_actions *sd_fa;	/* kalloc'd, or NULL */
	uint64_t sd_fa_size;
};

/* copyin of the attributes: the bytes before the trailing pointers only. */
static int spawn_copyin_attr(struct spawn_data *sd)
{
	if (sd->sd_args.attr_size == 0 || sd->sd_args.attrp == 0)
		return 0;
	if (sd->sd_args.attr_size < XS_PSA_KERNEL_SIZE)
		return EINVAL;
	if (osl_copyin(sd->sd_args.attrp, &sd->sd_psa, XS_PSA_KERNEL_SIZE) != 0)
		return EFAULT;
	sd->sd_have_psa = true;
	return 0;
}

/* kalloc_data + copyin of the file actions, with PSF_ACTIONS_SIZE's rules. */
static int spawn_copyin_file_actions(struct spawn_data *sd)
{
	uint64_t size = sd->sd_args.file_actions_size;

	if (size == 0 || sd->sd_args.file_actions == 0)
		return 0;
	if (size < XS_PSF_ACTIONS_SIZE(1))
		return EINVAL;
	if (size > XS_PSF_ACTIONS_SIZE(XS_SPAWN_FA_MAX))
		return ENOMEM;
	sd->sd_fa = xs_kalloc(size);
	if (!sd->sd_fa)
		return ENOMEM;
	sd->sd_fa_size = size;
	if (osl_copyin(sd->sd_args.file_actions, sd->sd_fa, size) != 0)
		return EFAULT;
	if (sd->sd_fa->psfa_act_count < 0 ||
	    XS_PSF_ACTIONS_SIZE((uint32_t)sd->sd_fa->psfa_act_count) != size)
		return EINVAL;
	return 0;
}

/* The user address of action i's path (the kernel copy checked it). */
static user_addr_t spawn_fa_upath(const struct spawn_data *sd, int i, size_t off)
{
	return sd->sd_args.file_actions + offsetof(struct xs_posix_spawn_file_actions,
						   psfa_act_acts) +
	       (uint64_t)i * sizeof(struct xs_psfa_action) + off;
}

/* fchdir for PSFA_FCHDIR: fd must be a directory we may search. */
static int spawn_fchdir(struct proc *p, int fd)
{
	XS_FUNC_AT(fchdir, "bsd/vfs/vfs_syscalls.c");
	struct fileproc *fp;
	struct vnode *vp, *old;
	int error = xs_fp_lookup(p, fd, &fp, 0);

	if (error)
		return error;
	vp = fp->fp_glob->fg_data;
	if (fp->fp_glob->fg_type != DTYPE_VNODE || vp->v_type != VDIR)
		error = ENOTDIR;
	if (error == 0)
		error = xs_vnode_authorize(vp, VEXEC, &p->p_ucred);
	if (error == 0) {
		xs_vnode_ref(vp);
		xs_lck_mtx_lock(&p->p_fd.fd_lock);
		old = p->p_fd.fd_cdir;
		p->p_fd.fd_cdir = vp;
		xs_lck_mtx_unlock(&p->p_fd.fd_lock);
		if (old)
			xs_vnode_rele(old);
	}
	xs_fp_drop(p, fd, fp, 0);
	return error;
}

/* PSFA_OPEN: open1 at the lowest fd, then dup2 + close to land on the fd asked for. */
static int spawn_fa_open(struct spawn_data *sd, struct proc *np, int i,
			 const struct xs_psfa_action *a)
{
	uint64_t oargs[3] = { spawn_fa_upath(sd, i, XS_STRUCT_SPAWN__psfa_action_t_psfao_path),
			      (uint64_t)(int64_t)a->u.psfaa_openargs.psfao_oflag,
			      a->u.psfaa_openargs.psfao_mode };
	int32_t rv[2] = { 0, 0 };
	uint64_t dargs[2];
	int error, fd;

	error = xs_open_nocancel(np, oargs, rv);
	if (error)
		return error;
	fd = rv[0];
	if (fd == a->psfaa_filedes)
		return 0;
	dargs[0] = (uint64_t)fd;
	dargs[1] = (uint64_t)(int64_t)a->psfaa_filedes;
	error = xs_sys_dup2(np, dargs, rv);
	(void)xs_close_nocancel(np, fd);
	return error;
}

/* PSFA_INHERIT: the fd survives CLOEXEC_DEFAULT and close-on-exec. */
static int spawn_fa_inherit(struct proc *np, int fd)
{
	struct fileproc *fp;
	int error = xs_fp_lookup(np, fd, &fp, 0);

	if (error)
		return error;
	xs_lck_mtx_lock(&np->p_fd.fd_lock);
	np->p_fd.fd_ofileflags[fd] = (uint8_t)((np->p_fd.fd_ofileflags[fd] | UF_INHERIT) &
					       ~UF_EXCLOSE);
	xs_lck_mtx_unlock(&np->p_fd.fd_lock);
	xs_fp_drop(np, fd, fp, 0);
	return 0;
}

static bool fa_path_ok(const char *path)
{
	for (int i = 0; i < XS_PATH_MAX; i++)
		if (path[i] == '\0')
			return true;
	return false;
}

/* One file action in the child's table. */
static int spawn_fa_one(struct spawn_data *sd, struct proc *np, int i)
{
	const struct xs_psfa_action *a = &sd->sd_fa->psfa_act_acts[i];
	int32_t rv[2] = { 0, 0 };
	uint64_t args[2] = { (uint64_t)(int64_t)a->psfaa_filedes, 0 };

	switch (a->psfaa_type) {
	case PSFA_OPEN:
		if (!fa_path_ok(a->u.psfaa_openargs.psfao_path))
			return ENAMETOOLONG;
		return spawn_fa_open(sd, np, i, a);
	case PSFA_CLOSE:
		return xs_sys_close_nocancel(np, args, rv);
	case PSFA_DUP2:
		args[1] = (uint64_t)(int64_t)a->u.psfaa_dup2args.psfad_newfiledes;
		return xs_sys_dup2(np, args, rv);
	case PSFA_INHERIT:
		return spawn_fa_inherit(np, a->psfaa_filedes);
	case PSFA_CHDIR:
		if (!fa_path_ok(a->u.psfaa_chdirargs.psfac_path))
			return ENAMETOOLONG;
		args[0] = spawn_fa_upath(sd, i, XS_STRUCT_SPAWN__psfa_action_t_psfac_path);
		return xs_sys_chdir(np, args, rv);
	case PSFA_FCHDIR:
		return spawn_fchdir(np, a->psfaa_filedes);
	case PSFA_FILEPORT_DUP2:
		return ENOTSUP;		/* fileports are not modeled */
	default:
		return EINVAL;
	}
}

/*
 * Routine:    exec_handle_file_actions
 * Purpose:    Run the file actions, in order, in the child's fd table.
 *             The first failure stops them and fails the spawn.
 * Returns:    0 or the failing action's errno (EBADF, ENOENT, ...).
 */
static int xs_exec_handle_file_actions(struct spawn_data *sd, struct proc *np)
{
	XS_FUNC_AT(exec_handle_file_actions, XS_KERN_EXEC_PATH);
	int error = 0;

	for (int i = 0; sd->sd_fa && error == 0 && i < sd->sd_fa->psfa_act_count; i++)
		error = spawn_fa_one(sd, np, i);
	return error;
}

/* exec_validate_spawnattr_policy: no QoS, role or jetsam policy is modeled. */
static int xs_exec_validate_spawnattr_policy(const struct spawn_data *sd)
{
	XS_FUNC_AT(exec_validate_spawnattr_policy, XS_KERN_EXEC_PATH);
	(void)sd;
	return 0;
}

/* kauth_cred_proc_update for RESETIDS: effective ids back to the real ones. */
static void xs_kauth_cred_proc_update(struct proc *np)
{
	XS_FUNC_AT(kauth_cred_proc_update, "bsd/kern/kern_credential.c");

	np->p_ucred.cr_uid = np->p_ucred.cr_svuid = np->p_ucred.cr_ruid;
	np->p_ucred.cr_gid = np->p_ucred.cr_svgid = np->p_ucred.cr_rgid;
}

/* setsigvec(SIG_DFL) for each signal of SETSIGDEF (kill and stop excepted). */
static void xs_setsigvec_default(struct proc *np, sigset_t set)
{
	XS_FUNC_AT(setsigvec, "bsd/kern/kern_sig.c");

	set &= ~(SIGMASK_OF(SIGKILL) | SIGMASK_OF(SIGSTOP));
	xs_lck_mtx_lock(&np->p_mlock);
	for (int sig = 1; sig < 32; sig++) {
		if (!(set & SIGMASK_OF(sig)))
			continue;
		np->p_sigacts.ps_sigact[sig] = 0;	/* SIG_DFL */
		np->p_sigacts.ps_trampact[sig] = 0;
		np->p_sigcatch &= ~SIGMASK_OF(sig);
		np->p_sigignore &= ~SIGMASK_OF(sig);
		if (sig == SIGCHLD || sig == SIGURG || sig == SIGCONT || sig == SIGWINCH ||
		    sig == SIGINFO)
			np->p_sigignore |= sig == SIGCONT ? 0 : SIGMASK_OF(sig);
	}
	xs_lck_mtx_unlock(&np->p_mlock);
}

/*
 * START_SUSPENDED: a hold on the child's task (task_suspend_internal, as
 * XNU's exec_activate_image does); its main thread parks before main until
 * task_resume or SIGCONT releases it.  The proc is not SSTOP: wait4 does
 * not see a stopped child, as on macOS.
 */
static void spawn_start_suspended(struct proc *np)
{
	(void)xs_task_suspend_internal(xs_proc_task(np));
	xs_lck_mtx_lock(&np->p_mlock);
	np->p_exec.peh_flags |= XS_PEH_SUSPENDED;
	xs_lck_mtx_unlock(&np->p_mlock);
}

/* The attributes that act after the image is loaded. */
static int spawn_apply_attrs(struct spawn_data *sd, struct proc *pp, struct proc *np)
{
	const struct xs_posix_spawnattr *psa = &sd->sd_psa;
	int32_t rv[2] = { 0, 0 };
	int error = 0;

	if (!sd->sd_have_psa)
		return 0;
	if (psa->psa_flags & POSIX_SPAWN_SETPGROUP) {
		uint64_t args[2] = { (uint64_t)np->p_pid, (uint64_t)(int64_t)psa->psa_pgroup };

		error = xs_setpgid(np == pp ? np : pp, args, rv);
	}
	if (error == 0 && (psa->psa_flags & POSIX_SPAWN_SETSID))
		error = xs_setsid(np, NULL, rv);	/* setsid_internal */
	if (error)
		return error;
	if (psa->psa_flags & POSIX_SPAWN_SETSIGMASK) {
		struct thread *th = xs_container_of(xs_proc_task(np)->threads.next,
						    struct thread, task_threads);

		th->uthread.uu_sigmask = psa->psa_sigmask &
					 ~(SIGMASK_OF(SIGKILL) | SIGMASK_OF(SIGSTOP));
	}
	if (psa->psa_flags & POSIX_SPAWN_SETSIGDEF)
		xs_setsigvec_default(np, psa->psa_sigdefault);
	if (psa->psa_flags & POSIX_SPAWN_START_SUSPENDED)
		spawn_start_suspended(np);
	return 0;
}

/* The checks and copyins before any process is made. */
static int spawn_copyin_all(struct spawn_data *sd, user_addr_t adesc)
{
	int error;

	if (adesc == 0)
		return 0;
	if (osl_copyin(adesc, &sd->sd_args, sizeof(sd->sd_args)) != 0)
		return EFAULT;
	if (sd->sd_args.port_actions_size || sd->sd_args.persona_info_size ||
	    sd->sd_args.posix_cred_info_size || sd->sd_args.subsystem_root_path_size ||
	    sd->sd_args.conclave_id_size)
		return ENOTSUP;		/* not modeled: refused rather than ignored */
	error = spawn_copyin_attr(sd);
	if (error == 0)
		error = spawn_copyin_file_actions(sd);
	if (error == 0)
		error = xs_exec_validate_spawnattr_policy(sd);
	return error;
}

struct posix_spawn_args {
	uint64_t pid;		/* pid_t *, may be NULL */
	uint64_t path;
	uint64_t adesc;		/* struct _posix_spawn_args_desc *, may be NULL */
	uint64_t argv;
	uint64_t envp;
};

/*
 * Child made, actions run, image loaded, attributes applied; or nothing is
 * left.  SETEXEC: the attributes act after the switch (as in XNU), when
 * there is no going back, so their errors are not reported.
 */
static int spawn_build(struct spawn_data *sd, struct proc *p, bool setexec)
{
	struct exec_data *ed = &sd->sd_exec;
	struct proc *np;
	int error = 0;

	np = xs_exec_cloneproc(p, !setexec, &error);	/* fork1(PROC_CREATE_SPAWN) */
	if (!np)
		return error;
	ed->ed_newproc = np;
	if (sd->sd_have_psa && (sd->sd_psa.psa_flags & POSIX_SPAWN_RESETIDS))
		xs_kauth_cred_proc_update(np);
	error = xs_exec_handle_file_actions(sd, np);
	if (error == 0)
		error = xs_exec_activate_image(ed);
	if (error == 0 && !setexec) {
		np->p_stat = SRUN;
		error = spawn_apply_attrs(sd, p, np);
	}
	if (error) {
		xs_exec_data_release(ed);
		xs_exec_undo_newproc(np);
		ed->ed_newproc = NULL;
		return error;
	}
	if (setexec) {
		xs_exec_switch_and_retire(ed);
		(void)spawn_apply_attrs(sd, np, np);
	} else {
		xs_trace_proc_create(np, XS_PROC_CREATE_SPAWN);
		xs_trace_proc_exec(np, ed->ed_path);	/* the image it starts with */
	}
	xs_task_clear_return_wait(np, !setexec);
	return 0;
}

/*
 * Routine:    xs_posix_spawn  [BSD 244]
 * Purpose:    Start path in a new process (or, with POSIX_SPAWN_SETEXEC,
 *             in place of the caller, as execve) with the attributes and
 *             file actions of adesc.
 * Conditions: Called from the BSD dispatcher; nothing locked.
 * Returns:    0 with the child's pid copied out to *pid; the stub then
 *             starts the host process.  Otherwise no child exists and the
 *             errno is: EFAULT, EINVAL (sizes), ENOMEM, ENOTSUP (port
 *             actions, personas, fileports), EBADF / ENOENT / ... from a
 *             file action, EPERM (SETPGROUP, SETSID), or any execve error.
 */
int xs_posix_spawn(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(posix_spawn);
	struct posix_spawn_args *a = uap;
	struct spawn_data *sd;
	struct exec_data *ed;
	bool setexec;
	int32_t pid;
	int error;

	sd = xs_kalloc(sizeof(*sd));	/* kalloc_type(spawn data) */
	if (!sd)
		return ENOMEM;
	xs_memset(sd, 0, sizeof(*sd));
	ed = &sd->sd_exec;
	error = spawn_copyin_all(sd, a->adesc);
	setexec = sd->sd_have_psa && (sd->sd_psa.psa_flags & POSIX_SPAWN_SETEXEC);
	ed->ed_oldproc = p;
	ed->ed_user_fname = a->path;
	ed->ed_user_argv = a->argv;
	ed->ed_user_envv = a->envp;
	ed->ed_psa = sd->sd_have_psa ? &sd->sd_psa : NULL;
	ed->ed_psa_flags = sd->sd_have_psa ? (uint16_t)sd->sd_psa.psa_flags : 0;
	ed->ed_image.ip_flags = (setexec ? IMGPF_EXEC : IMGPF_SPAWN) | IMGPF_WAS_64BIT_ADDR;
	if (error == 0)
		error = spawn_build(sd, p, setexec);
	if (error == 0) {
		pid = ed->ed_newproc->p_pid;
		xs_exec_data_release(ed);
		if (a->pid && osl_copyout(&pid, a->pid, sizeof(pid)) != 0)
			error = EFAULT;	/* as XNU: the child exists regardless */
	}
	if (sd->sd_fa)
		xs_kfree(sd->sd_fa, sd->sd_fa_size);
	xs_kfree(sd, sizeof(*sd));
	retval[0] = 0;
	return error;
}
