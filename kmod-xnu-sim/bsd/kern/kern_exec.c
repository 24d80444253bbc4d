// SPDX-License-Identifier: BSD-2-Clause
/*
 * kern_exec.c: execve and __mac_execve.  exec builds a brand-new proc, task
 * and thread (cloneproc(CLONEPROC_EXEC)), loads the image into it
 * (exec_activate_image -> execsw -> exec_mach_imgact -> load_machfile, then
 * the rest of exec_mach_imgact here), and only then does the new proc take
 * over the caller's pid (proc_exec_switch_task); the old task is terminated.
 * Any failure before that leaves the caller exactly as it was.
 * Corresponds to bsd/kern/kern_exec.c.
 *
 * The host half (DESIGN.md, process model): when execve returns 0 here the
 * user-side stub host-execs the ELF the image is bound to; that program's
 * library constructor binds to the new thread (xs_exec_attach) and plays
 * dyld.  See kern_exec_handoff.c.
 */
#include "kmod-xnu-sim/bsd/kern/kern_exec_internal.h"

#include "kmod-xnu-sim/bsd/sys/file_internal.h"
#include "kmod-xnu-sim/bsd/sys/vnode_internal.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#include "kmod-xnu-sim/osfmk/vm/vm_map.h"

#include "darwin/spawn.h"
#include "darwin/stat.h"

int xs_mac_vnode_check_exec(const struct ucred *cred, struct vnode *vp);	/* security/ */
int xs_mac_execve_enter(user_addr_t mac_p);					/* security/ */

/* ---- the new proc ---------------------------------------------------------------- */

/*
 * cloneproc(CLONEPROC_EXEC) / fork1(PROC_CREATE_SPAWN): a new proc, task
 * (empty map: no vm_map_fork) and thread that nobody sees as the caller
 * yet.  It inherits what exec and spawn keep: credentials, process group,
 * signal state, the descriptor table (fdt_fork; fdt_exec prunes it later),
 * cwd and umask.  Its thread is bound to no host thread.
 */
struct proc *xs_exec_cloneproc(struct proc *p, bool spawn, int *errp)
{
	struct proc *initproc = xs_machine()->m_proc.initproc;
	struct proc *parent = spawn ? p : (p->p_pptr ? p->p_pptr : initproc);
	struct thread *cur = osl_current_thread(), *nth;
	struct task *nt;
	struct proc *np;

	np = xs_cloneproc(parent, XS_CLONEPROC_ATTACH, false, errp);
	if (!np)
		return NULL;
	np->p_host_pid = 0;	/* no host process runs it until the handoff */
	xs_lck_mtx_lock(&p->p_mlock);
	np->p_ucred = p->p_ucred;
	np->p_pgrpid = p->p_pgrpid;
	np->p_sessionid = p->p_sessionid;
	np->p_sigignore = p->p_sigignore;
	np->p_sigcatch = p->p_sigcatch;
	np->p_sigacts = p->p_sigacts;
	np->p_flag = p->p_flag & (P_NOCLDSTOP | P_NOCLDWAIT);
	if (!spawn)
		np->p_siglist = p->p_siglist;	/* pending signals survive exec */
	xs_lck_mtx_unlock(&p->p_mlock);
	xs_strlcpy(np->p_comm, p->p_comm, sizeof(np->p_comm));
	xs_strlcpy(np->p_name, p->p_name, sizeof(np->p_name));
	nt = xs_proc_task(np);
	nth = xs_container_of(nt->threads.next, struct thread, task_threads);
	if (cur && cur->task == xs_proc_task(p))	/* the signal mask survives both */
		nth->uthread.uu_sigmask = cur->uthread.uu_sigmask;
	*errp = xs_fdt_fork(&np->p_fd, p, NULL, !spawn);
	if (*errp) {
		xs_exec_undo_newproc(np);
		return NULL;
	}
	return np;
}

/* Give back the pid cloneproc took, if nobody took a later one. */
static void exec_release_pid_locked(pid_t pid)
{
	struct proc_globals *g = &xs_machine()->m_proc;

	if (g->lastpid == pid)
		g->lastpid = pid - 1;
}

void xs_exec_undo_newproc(struct proc *np)
{
	struct task *t = xs_proc_task(np);

	xs_proc_list_lock();
	xs_proc_unlink_child_locked(np);
	xs_phash_remove_locked(np);
	exec_release_pid_locked(np->p_pid);
	xs_proc_list_unlock();
	xs_fdt_invalidate(np);
	xs_task_terminate_internal(t);
	xs_task_deallocate(t);		/* the proc's reference: frees the element */
}

/* ---- exec_activate_image ------------------------------------------------------------ */

/*
 * Routine:    exec_check_permissions
 * Purpose:    Only a regular file with an execute bit the caller may use
 *             (vnode_authorize KAUTH_VNODE_EXECUTE), and MACF agreeing.
 * Returns:    0, EACCES.
 */
static int xs_exec_check_permissions(struct exec_data *ed, struct vnode *vp)
{
	XS_FUNC_AT(exec_check_permissions, XS_KERN_EXEC_PATH);
	const struct ucred *cred = &ed->ed_newproc->p_ucred;
	struct memfs_node *mn = vp->v_data;
	int error;

	if (vp->v_type != VREG || vp->v_tag != VT_XS_MEMFS)
		return EACCES;
	if ((mn->mn_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) == 0)
		return EACCES;
	error = xs_vnode_authorize(vp, VEXEC, cred);
	if (error == 0)
		error = xs_mac_vnode_check_exec(cred, vp);
	return error;
}

/* The file the activators read: the vnode's UBC pages (pinned by ubc_getobject). */
static int exec_map_image(struct image_params *imgp, struct vnode *vp, bool dyld)
{
	void *kaddr;
	uint64_t size;
	int error = xs_ubc_getobject(vp, &kaddr, &size);

	if (error)
		return error;
	if (dyld) {
		imgp->ip_dyld_image = kaddr;
		imgp->ip_dyld_size = size;
		imgp->ip_dyld_vp = vp;
	} else {
		imgp->ip_image = kaddr;
		imgp->ip_image_size = size;
		imgp->ip_vp = vp;
	}
	return 0;
}

/* get_macho_vnode's file: /usr/lib/dyld from the VFS, if the root has one. */
static void exec_find_dyld(struct exec_data *ed)
{
	struct vnode *vp;

	if (ed->ed_dyld_vp || xs_vnode_lookup(XS_DEFAULT_DYLD_PATH, NULL, &vp) != 0)
		return;
	if (vp->v_type != VREG || exec_map_image(&ed->ed_image, vp, true) != 0) {
		xs_vnode_put(vp);
		return;
	}
	ed->ed_dyld_vp = vp;
}

/* namei, permissions, the first page: the vnode the activators get. */
static int exec_lookup_image(struct exec_data *ed, const char *path)
{
	struct image_params *imgp = &ed->ed_image;
	struct nameidata nd;
	int64_t resid;
	int error;

	XS_NDINIT(&nd, LOOKUP, FOLLOW, UIO_SYSSPACE, (user_addr_t)(uintptr_t)path);
	nd.ni_proc = ed->ed_newproc;
	nd.ni_cred = &ed->ed_newproc->p_ucred;
	error = xs_namei(&nd);
	if (error)
		return error;
	xs_nameidone(&nd);
	ed->ed_vp = nd.ni_vp;
	error = xs_exec_check_permissions(ed, ed->ed_vp);
	if (error == 0)
		error = xs_vn_rdwr(UIO_READ, ed->ed_vp, imgp->ip_vdata, sizeof(imgp->ip_vdata), 0,
				   &resid);
	if (error == 0)
		error = exec_map_image(imgp, ed->ed_vp, false);
	return error;
}

/* Forget the last activation's results before the next one (#! restart). */
static void exec_reset_image(struct image_params *imgp)
{
	if (imgp->ip_new_map) {
		xs_vm_map_deallocate(imgp->ip_new_map);
		imgp->ip_new_map = NULL;
	}
	xs_load_result_release(&imgp->ip_result);
	xs_memset(&imgp->ip_result, 0, sizeof(imgp->ip_result));
	imgp->ip_origcputype = imgp->ip_origcpusubtype = 0;
	imgp->ip_image = NULL;
	imgp->ip_image_size = 0;
	imgp->ip_vp = NULL;
}

/*
 * Routine:    exec_activate_image
 * Purpose:    execargs_alloc, exec_save_path, namei, exec_check_permissions,
 *             vn_rdwr of the first page, then the execsw loop.  A #! script
 *             restarts the loop once on its interpreter.
 * Conditions: ed_newproc made by cloneproc; nothing locked.
 * Returns:    0 (the image is loaded into ed_newproc), or an errno:
 *             ENOENT, ENOTDIR, EACCES, ENOEXEC, EBADARCH, EBADMACHO,
 *             EBADEXEC, E2BIG, EFAULT, ENAMETOOLONG, ENOMEM.
 */
int xs_exec_activate_image(struct exec_data *ed)
{
	XS_FUNC_AT(exec_activate_image, XS_KERN_EXEC_PATH);
	struct image_params *imgp = &ed->ed_image;
	char interp[XS_MAXPATHLEN];
	const char *path = ed->ed_path;
	int error;

	error = xs_execargs_alloc(ed);
	if (error == 0)
		error = xs_exec_save_path(ed, ed->ed_user_fname);
	if (error)
		return error;
	exec_find_dyld(ed);
again:
	error = exec_lookup_image(ed, path);
	if (error)
		return error;
	error = xs_execsw_activate(imgp);
	if (error == XS_IMGACT_INTERPRETER) {
		/* exec_shell_imgact: look the interpreter up and go again. */
		if (xs_exec_interp_word(imgp, 0, interp, sizeof(interp)) < 0)
			return ENOEXEC;
		xs_vnode_put(ed->ed_vp);
		ed->ed_vp = NULL;
		exec_reset_image(imgp);
		path = interp;
		goto again;
	}
	if (error == 0 && !ed->ed_finished)
		error = ENOEXEC;	/* a preflight or a non-exec image: nothing to run */
	return error;
}

void xs_exec_data_release(struct exec_data *ed)
{
	exec_reset_image(&ed->ed_image);
	if (ed->ed_vp)
		xs_vnode_put(ed->ed_vp);
	if (ed->ed_dyld_vp)
		xs_vnode_put(ed->ed_dyld_vp);
	ed->ed_vp = ed->ed_dyld_vp = NULL;
	xs_execargs_free(ed);
}

/* ---- the rest of exec_mach_imgact ---------------------------------------------------- */

/* vm_map_exec: the shared region and commpage.  The simulator maps neither. */
static void xs_vm_map_exec(struct vm_map *map, struct task *task)
{
	XS_FUNC_AT(vm_map_exec, "osfmk/vm/vm_map.c");
	(void)map;
	(void)task;
}

/*
 * exec_handle_sugid: a set-user-id or set-group-id image changes the
 * effective (and saved) ids.  XNU also resets the task's ports and reopens
 * closed fds 0-2 on /dev/null then; the model does the ids only.
 */
static void xs_exec_handle_sugid(struct exec_data *ed)
{
	XS_FUNC_AT(exec_handle_sugid, XS_KERN_EXEC_PATH);
	struct memfs_node *mn = ed->ed_vp->v_data;
	struct ucred *cr = &ed->ed_newproc->p_ucred;

	if (mn->mn_mode & S_ISUID)
		cr->cr_uid = cr->cr_svuid = mn->mn_uid;
	if (mn->mn_mode & S_ISGID)
		cr->cr_gid = cr->cr_svgid = mn->mn_gid;
}

/* swap_task_map: the new map goes on the task; the empty one goes away. */
static void xs_swap_task_map(struct task *task, struct vm_map *map)
{
	XS_FUNC_AT(swap_task_map, "osfmk/kern/bsd_kern.c");
	struct vm_map *old;

	xs_lck_mtx_lock(&task->lock);
	old = task->map;
	task->map = map;
	xs_lck_mtx_unlock(&task->lock);
	if (old)
		xs_vm_map_deallocate(old);
}

/*
 * activate_exec_state: the new main thread starts at dyld's entry
 * (thread_setentrypoint); its stack pointer comes after exec_copyout_strings
 * (thread_setuserstack).  Both go in the thread's PCB.
 */
static void xs_activate_exec_state(struct thread *th, const load_result_t *r, uint64_t sp)
{
	XS_FUNC_AT(activate_exec_state, XS_KERN_EXEC_PATH);

	xs_memset(&th->machine_pcb, 0, sizeof(th->machine_pcb));
	if (xs_machine()->m_arch == XS_ARCH_ARM64) {
		th->machine_pcb.arm.pc = r->entry_point;
		th->machine_pcb.arm.sp = sp;
	} else {
		th->machine_pcb.x86.rip = r->entry_point;
		th->machine_pcb.x86.rsp = sp;
	}
}

/* p_comm / p_name: the last component of the path exec was given. */
static void exec_set_comm(struct proc *np, const char *path)
{
	const char *base = path;

	for (const char *s = path; *s; s++)
		if (*s == '/' && s[1])
			base = s + 1;
	xs_strlcpy(np->p_comm, base, sizeof(np->p_comm));
	xs_strlcpy(np->p_name, base, sizeof(np->p_name));
}

/*
 * Routine:    xs_exec_mach_imgact_finish
 * Purpose:    exec_mach_imgact after load_machfile: exec_extract_strings,
 *             vm_map_exec, fdt_exec, exec_handle_sugid, swap_task_map,
 *             activate_exec_state, create_unix_stack (apple[] and
 *             exec_copyout_strings), execsigs, all on the new proc.
 * Returns:    0, or ENOEXEC (an image bound to no ELF: nothing could run
 *             it), E2BIG, EFAULT, ENOMEM.
 */
int xs_exec_mach_imgact_finish(struct image_params *imgp)
{
	struct exec_data *ed;
	struct proc *np;
	struct task *nt;
	struct thread *nth;
	struct vm_map *map;
	int error;

	/*
	 * Only exec and spawn embed imgp in an exec_data; other callers of the
	 * activators (the loader's tests, fuzzing) pass a bare image_params.
	 */
	if (imgp->ip_xs_preflight || !(imgp->ip_flags & (IMGPF_EXEC | IMGPF_SPAWN)))
		return 0;
	ed = xs_exec_data(imgp);
	np = ed->ed_newproc;
	nt = xs_proc_task(np);
	if (!np)
		return 0;
	if (imgp->ip_result.xs_bound_elf[0] == '\0' || !imgp->ip_new_map)
		return ENOEXEC;
	error = xs_exec_extract_strings(ed);
	if (error)
		return error;
	map = imgp->ip_new_map;
	xs_vm_map_exec(map, nt);
	xs_fdt_exec(np, (short)ed->ed_psa_flags);
	xs_exec_handle_sugid(ed);
	imgp->ip_new_map = NULL;
	xs_swap_task_map(nt, map);
	error = xs_create_unix_stack(ed, map);
	if (error)
		return error;
	nth = xs_container_of(nt->threads.next, struct thread, task_threads);
	xs_activate_exec_state(nth, &imgp->ip_result, ed->ed_sp);
	xs_execsigs(np);
	exec_set_comm(np, ed->ed_path);
	np->p_exec.peh_sp = ed->ed_sp;
	np->p_exec.peh_entry = imgp->ip_result.entry_point;
	np->p_exec.peh_main = imgp->ip_result.xs_main_entry;
	xs_strlcpy(np->p_exec.peh_elf, imgp->ip_result.xs_bound_elf, sizeof(np->p_exec.peh_elf));
	ed->ed_finished = true;
	return 0;
}

/* ---- the switch --------------------------------------------------------------------- */

/* exec_resettextvp: p_textvp is not modeled (the image is the vnode's pages). */
static void xs_exec_resettextvp(struct proc *np)
{
	XS_FUNC_AT(exec_resettextvp, XS_KERN_EXEC_PATH);
	(void)np;
}

/*
 * Routine:    proc_exec_switch_task
 * Purpose:    The new proc takes over the old one's pid, parent, children,
 *             process group and host process; the old proc leaves the
 *             process table without becoming a zombie.
 * Conditions: Nothing locked.
 */
static void xs_proc_exec_switch_task(struct proc *p, struct proc *np)
{
	XS_FUNC_AT(proc_exec_switch_task, XS_KERN_EXEC_PATH);
	struct proc *child, *tmp;

	xs_proc_list_lock();
	xs_proc_unlink_child_locked(np);
	exec_release_pid_locked(np->p_pid);
	np->p_pid = p->p_pid;
	if (p->p_pptr)
		xs_pinsertchild(p->p_pptr, np);
	xs_queue_foreach_safe(child, tmp, &p->p_children, struct proc, p_sibling) {
		xs_proc_unlink_child_locked(child);
		xs_pinsertchild(np, child);
	}
	np->p_pgrpid = p->p_pgrpid;
	np->p_sessionid = p->p_sessionid;
	np->p_host_pid = p->p_host_pid;
	np->p_stat = SRUN;
	xs_proc_unlink_child_locked(p);
	xs_phash_remove_locked(p);
	p->p_host_pid = 0;
	xs_proc_list_unlock();
	xs_lck_mtx_lock(&p->p_mlock);
	p->p_lflag |= P_LEXIT | P_LPEXIT;	/* takes no signals; nobody reaps it */
	p->p_siglist = 0;
	xs_lck_mtx_unlock(&p->p_mlock);
}

/*
 * The point of no return: switch, then tear the old process down.  The
 * calling thread belongs to the old task: it keeps a reference, which the
 * new host image drops when it binds (xs_exec_attach).
 */
void xs_exec_switch_and_retire(struct exec_data *ed)
{
	struct proc *p = ed->ed_oldproc, *np = ed->ed_newproc;
	struct thread *cur = osl_current_thread();

	xs_proc_exec_switch_task(p, np);
	xs_trace_proc_create(np, XS_PROC_CREATE_EXEC);
	xs_trace_proc_exec(np, ed->ed_path);
	xs_exec_resettextvp(np);
	if (cur && cur->task == xs_proc_task(p)) {
		xs_thread_reference(cur);
		np->p_exec.peh_old_thread = cur;
	}
	xs_fdt_invalidate(p);
	xs_task_terminate_internal(xs_proc_task(p));
	xs_task_deallocate(xs_proc_task(p));	/* the proc's reference */
}

/* ---- execve ----------------------------------------------------------------------- */

struct mac_execve_args {
	uint64_t fname;		/* const char * */
	uint64_t argp;		/* char ** */
	uint64_t envp;		/* char ** */
	uint64_t mac_p;		/* struct mac *, or NULL */
};

/*
 * Routine:    xs___mac_execve  [BSD 380]
 * Purpose:    Replace the calling process's image with the file at fname,
 *             with the argument and environment vectors given.
 * Conditions: Called from the BSD dispatcher on the current thread; nothing
 *             locked.
 * Returns:    0: the kernel half is done; the process (same pid, parent,
 *             fds without FD_CLOEXEC, ignored signals, mask, cwd,
 *             credentials) now has the new image, and the stub performs
 *             the host execve.  Otherwise an errno and the caller is
 *             untouched: ENOENT, ENOTDIR, EACCES, ENOEXEC, EBADARCH (86),
 *             EBADMACHO (88), EBADEXEC (85), E2BIG, EFAULT, ENAMETOOLONG,
 *             EAGAIN, ENOMEM.
 */
int xs___mac_execve(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(__mac_execve);
	struct mac_execve_args *a = uap;
	struct exec_data *ed;
	int error;

	ed = xs_kalloc(sizeof(*ed));	/* kalloc_type(image_params + ...) */
	if (!ed)
		return ENOMEM;
	xs_memset(ed, 0, sizeof(*ed));
	ed->ed_oldproc = p;
	ed->ed_user_fname = a->fname;
	ed->ed_user_argv = a->argp;
	ed->ed_user_envv = a->envp;
	ed->ed_image.ip_flags = IMGPF_EXEC | IMGPF_WAS_64BIT_ADDR;
	error = a->mac_p ? xs_mac_execve_enter(a->mac_p) : 0;
	if (error == 0)
		ed->ed_newproc = xs_exec_cloneproc(p, false, &error);
	if (ed->ed_newproc) {
		error = xs_exec_activate_image(ed);
		if (error) {
			xs_exec_data_release(ed);
			xs_exec_undo_newproc(ed->ed_newproc);
		} else {
			xs_exec_switch_and_retire(ed);
			xs_task_clear_return_wait(ed->ed_newproc, false);
			xs_exec_data_release(ed);
		}
	}
	xs_kfree(ed, sizeof(*ed));
	retval[0] = 0;
	return error;
}

/*
 * Routine:    xs_execve  [BSD 59]
 * Purpose:    __mac_execve without a MAC label.
 * Returns:    As xs___mac_execve.
 */
int xs_execve(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(execve);
	const uint64_t *args = uap;
	struct mac_execve_args m = { args[0], args[1], args[2], 0 };

	return xs___mac_execve(p, &m, retval);
}
