// SPDX-License-Identifier: BSD-2-Clause
/*
 * kern_exec_handoff.c: the host half of execve and posix_spawn (DESIGN.md,
 * process model).  The kernel half ends in task_clear_return_wait, which
 * here publishes a handoff on the new proc: the ELF its image is bound to,
 * the new main thread and a token.  The user-side stub host-execs (execve,
 * SETEXEC) or host-spawns (posix_spawn) that ELF with XNUSIM_EXEC set; the
 * new program's library constructor calls xs_exec_attach, which binds it to
 * the new thread and plays dyld: it maps the new address space into the host
 * process, reads the initial stack, and enters main.  Simulator only, apart
 * from task_clear_return_wait (osfmk/kern/task.c).
 */
#include "kmod-xnu-sim/bsd/kern/kern_exec_internal.h"

#include "kmod-xnu-sim/bsd/sys/file_internal.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/vm/vm_map.h"
#include "kmod-xnu-sim/osfmk/vm/vm_map_internal.h"

#include "darwin/macho.h"
#include "darwin/signal.h"
#undef sigset_t	/* the generated header names its size after the type */

#define XS_EXEC_ENV "XNUSIM_EXEC="

/* The new main thread of np (its only thread until the image runs). */
static struct thread *exec_main_thread(struct proc *np)
{
	struct task *t = xs_proc_task(np);

	if (xs_queue_empty(&t->threads))
		return NULL;
	return xs_container_of(t->threads.next, struct thread, task_threads);
}

/*
 * Routine:    task_clear_return_wait
 * Purpose:    Let the new main thread run (in XNU it starts in dyld).  Here
 *             it runs once a host image binds to it: publish the handoff.
 * Conditions: Nothing locked; the image is loaded into np.
 */
void xs_task_clear_return_wait(struct proc *np, bool spawn)
{
	XS_FUNC_AT(task_clear_return_wait, "osfmk/kern/task.c");
	struct thread *th = exec_main_thread(np);
	uint64_t token = osl_absolute_time() * 0x9e3779b97f4a7c15ull ^ np->p_uniqueid << 40;

	xs_lck_mtx_lock(&np->p_mlock);
	np->p_exec.peh_thread_id = th ? th->thread_id : 0;
	np->p_exec.peh_token = token | 1;
	np->p_exec.peh_flags |= XS_PEH_PENDING | (spawn ? XS_PEH_SPAWN : 0);
	xs_lck_mtx_unlock(&np->p_mlock);
}

/* The proc whose exec the calling (old) thread just did, or pid's. */
static struct proc *exec_find_pending(int pid)
{
	struct thread *cur = osl_current_thread();
	struct proc *p, *found = NULL;

	if (pid > 0) {
		p = xs_proc_find(pid);
		return p && (p->p_exec.peh_flags & XS_PEH_PENDING) ? p : NULL;
	}
	if (!cur)
		return NULL;
	xs_proc_list_lock();
	xs_queue_foreach(p, &xs_machine()->m_proc.allproc, struct proc, p_list) {
		if ((p->p_exec.peh_flags & XS_PEH_PENDING) && p->p_exec.peh_old_thread == cur) {
			found = p;
			break;
		}
	}
	xs_proc_list_unlock();
	return found;
}

/* Decimal / hex into buf; returns the end. */
static char *put_u64(char *p, uint64_t v, unsigned base)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	*p = '\0';
	return p;
}

int xs_exec_handoff_info(int pid, char *elf, size_t elflen, char *spec, size_t speclen)
{
	XS_FUNC(exec_handoff_info);	/* simulator only */
	struct proc *np = exec_find_pending(pid);
	char buf[96], *p;

	if (!np)
		return ESRCH;
	p = put_u64(xs_memcpy(buf, XS_EXEC_ENV, sizeof(XS_EXEC_ENV)) + sizeof(XS_EXEC_ENV) - 1,
		    (uint64_t)np->p_pid, 10);
	*p++ = ':';
	p = put_u64(p, np->p_exec.peh_thread_id, 10);
	*p++ = ':';
	put_u64(p, np->p_exec.peh_token, 16);
	if (xs_strlcpy(elf, np->p_exec.peh_elf, elflen) >= elflen ||
	    xs_strlcpy(spec, buf, speclen) >= speclen)
		return ENAMETOOLONG;
	return 0;
}

/* Copy user address ua of np's new stack top (arena-backed) into buf. */
static bool exec_stack_read(struct proc *np, uint64_t ua, void *buf, size_t len)
{
	struct vm_map *map = xs_proc_task(np)->map;
	const struct vm_map_entry *e = map ? xs_vm_map_find_entry(map, ua) : NULL;

	if (!e || !e->vme_object || e->vme_object->vo_backing != XS_VMO_ANON_SHARED ||
	    ua + len < ua || ua + len > e->vme_end)
		return false;
	xs_memcpy(buf, (char *)e->vme_object->vo_kaddr + e->vme_offset + (ua - e->vme_start),
		  len);
	return true;
}

int xs_exec_handoff_argv(int pid, char *buf, size_t len, uint32_t *argcp)
{
	XS_FUNC(exec_handoff_argv);	/* simulator only */
	struct proc *np = exec_find_pending(pid);
	uint64_t argc, sp, ua;
	size_t used = 0;

	if (!np)
		return ESRCH;
	sp = np->p_exec.peh_sp;
	if (!exec_stack_read(np, sp + 8, &argc, sizeof(argc)))
		return EFAULT;
	for (uint64_t i = 0; i < argc; i++) {
		if (!exec_stack_read(np, sp + 16 + i * 8, &ua, sizeof(ua)))
			return EFAULT;
		for (;;) {
			if (used == len)
				return E2BIG;
			if (!exec_stack_read(np, ua++, &buf[used], 1))
				return EFAULT;
			if (buf[used++] == '\0')
				break;
		}
	}
	*argcp = (uint32_t)argc;
	return 0;
}

void xs_exec_set_host_pid(int pid, int host_pid)
{
	struct proc *np = xs_proc_find(pid);

	if (np && (np->p_exec.peh_flags & XS_PEH_PENDING) && np->p_host_pid == 0)
		np->p_host_pid = host_pid;
}

/* Claim np's handoff: once, with the right thread and token. */
static struct thread *exec_claim(struct proc *np, uint64_t thread_id, uint64_t token, int *err)
{
	struct thread *th = exec_main_thread(np);

	xs_lck_mtx_lock(&np->p_mlock);
	if (!(np->p_exec.peh_flags & XS_PEH_PENDING) || !th || th->thread_id != thread_id)
		*err = ESRCH;
	else if (np->p_exec.peh_token != token)
		*err = EPERM;
	else
		*err = 0;
	if (*err == 0) {
		np->p_exec.peh_flags &= ~(uint32_t)XS_PEH_PENDING;
		np->p_exec.peh_token = 0;
	}
	xs_lck_mtx_unlock(&np->p_mlock);
	return *err ? NULL : th;
}

/* Bind the calling host thread to th, and let execve's old thread go. */
static void exec_bind(struct proc *np, struct thread *th, int host_pid)
{
	struct thread *old = np->p_exec.peh_old_thread;

	th->host_tid = osl_host_tid();
	osl_set_current_thread(th);
	np->p_host_pid = host_pid;
	np->p_exec.peh_old_thread = NULL;
	if (old)
		xs_thread_deallocate(old);	/* may free the old proc_task element */
}

/*
 * The simulated dyld: the image's segments and stack become host pages,
 * then dyld checks the main executable's header where the kernel's stack
 * says it is, reads argc, and "jumps to main" (returns to the program).
 */
static void exec_dyld(struct proc *np)
{
	struct task *t = xs_proc_task(np);
	uint64_t mh = 0, argc = 0;
	uint32_t magic = 0;

	if (xs_vm_map_pmap_enter_all(t->map) != 0)
		osl_log("exec: pid %d: some of the new map could not be entered", np->p_pid);
	if (osl_copyin(np->p_exec.peh_sp, &mh, sizeof(mh)) != 0 ||
	    osl_copyin(np->p_exec.peh_sp + 8, &argc, sizeof(argc)) != 0 ||
	    osl_copyin(mh, &magic, sizeof(magic)) != 0 || magic != MH_MAGIC_64)
		return;
	np->p_exec.peh_dyld_argc = (int32_t)argc;
	__atomic_fetch_or(&np->p_exec.peh_flags, XS_PEH_DYLD_RAN, __ATOMIC_SEQ_CST);
}

/*
 * POSIX_SPAWN_START_SUSPENDED: the task is held (task_suspend_internal);
 * park until task_resume or SIGCONT releases it (or SIGKILL), as the new
 * main thread of XNU waits in its first return to user mode.
 */
static void exec_wait_resumed(struct proc *np)
{
	xs_lck_mtx_lock(&np->p_mlock);
	xs_proc_wait_held_locked(np);
	np->p_exec.peh_flags &= ~(uint32_t)XS_PEH_SUSPENDED;
	xs_lck_mtx_unlock(&np->p_mlock);
}

int xs_exec_attach(int pid, uint64_t thread_id, uint64_t token, int host_pid)
{
	XS_FUNC(exec_attach);	/* simulator only: the new host image binds */
	struct proc *np = xs_proc_find(pid);
	struct thread *th;
	int err;

	if (!np)
		return -ESRCH;
	th = exec_claim(np, thread_id, token, &err);
	if (!th)
		return -err;
	exec_bind(np, th, host_pid);
	exec_dyld(np);
	exec_wait_resumed(np);
	return pid;
}

/*
 * The host half failed after the point of no return.  spawn: the parent
 * calls this; the child never ran, so it is undone and no child is left.
 * execve: the caller becomes the new image's thread and dies of SIGKILL,
 * as XNU kills a process whose exec failed after it committed.
 */
void xs_exec_host_failed(int pid, bool spawn)
{
	XS_FUNC(exec_host_failed);	/* simulator only */
	struct proc *np = exec_find_pending(spawn ? pid : 0);
	struct thread *th;
	int err;

	if (!np)
		return;
	th = exec_claim(np, np->p_exec.peh_thread_id, np->p_exec.peh_token, &err);
	if (!th)
		return;
	if (spawn) {
		xs_exec_undo_newproc(np);	/* it never ran: no child is left */
		return;
	}
	exec_bind(np, th, osl_host_pid());
	xs_thread_reference(th);	/* thread_terminate_self consumes it */
	xs_exit_with_reason(np, XS_W_EXITCODE(0, SIGKILL));
	xs_thread_terminate_self();
}

int xs_exec_dyld_argc(void)
{
	struct proc *p = xs_current_proc();

	if (!p || !(p->p_exec.peh_flags & XS_PEH_DYLD_RAN))
		return -1;
	return p->p_exec.peh_dyld_argc;
}
