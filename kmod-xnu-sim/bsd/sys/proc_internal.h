/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * proc_internal.h: the BSD process.  Corresponds to bsd/sys/proc_internal.h.
 * A proc and its task are one zone element (proc_task_zone): the task sits
 * right after the proc (proc_get_task_raw).
 */
#ifndef XS_SYS_PROC_INTERNAL_H
#define XS_SYS_PROC_INTERNAL_H

#include "kmod-xnu-sim/bsd/sys/filedesc.h"
#include "kmod-xnu-sim/osfmk/kern/kern_types.h"
#include "kmod-xnu-sim/osfmk/kern/locks.h"
#include "kmod-xnu-sim/osfmk/kern/queue.h"
#include "kmod-xnu-sim/osfmk/kern/task.h"
#include "kmod-xnu-sim/osl/osl.h"

#define XS_NGROUPS 16

/* kauth credential, inline (bsd/sys/kauth.h's posix part). */
struct ucred {
	uid_t cr_uid, cr_ruid, cr_svuid;
	gid_t cr_gid, cr_rgid, cr_svgid;
	uint32_t cr_ngroups;
	gid_t cr_groups[XS_NGROUPS];
};

/* p_stat */
#define SIDL   1	/* being created */
#define SRUN   2
#define SSTOP  4
#define SZOMB  5

/* p_lflag */
#define P_LEXIT     0x00000001
#define P_LHOSTDEAD 0x00000002	/* host process vanished; reaped as killed */
#define P_LPEXIT    0x00000400	/* proc_exit has started */
#define P_LWAITED   0x00020000	/* a stop was reported by wait4 (kern_sig.c, kern_exit.c) */

/* p_flag (bsd/sys/proc.h), signal and wait bits. */
#define P_NOCLDSTOP 0x00000008	/* no SIGCHLD when a child stops (SA_NOCLDSTOP) */
#define P_CONTINUED 0x00000080	/* continued since the parent's last wait4 */
#define P_NOCLDWAIT 0x00080000	/* children are not kept as zombies (SA_NOCLDWAIT) */

struct sigacts {
	uint64_t ps_sigact[32];		/* user handler address, SIG_DFL 0, SIG_IGN 1 */
	uint64_t ps_trampact[32];
	sigset_t ps_catchmask[32];	/* sa_mask per signal */
	sigset_t ps_sigonstack, ps_sigintr, ps_sigreset, ps_signodefer, ps_siginfo;
};

/*
 * exec and posix_spawn (bsd/kern/kern_exec.c): what the host half needs.
 * The kernel builds the new image; the host process that will run it (the
 * same one after a host execve, or a new one after a host spawn) binds to
 * peh_thread_id with peh_token, and the simulated dyld maps the new map.
 */
struct proc_exec_handoff {
	uint64_t peh_token;		/* nonzero while a host image must bind */
	uint64_t peh_thread_id;		/* the new main thread */
	struct thread *peh_old_thread;	/* execve: the caller's thread, released at bind */
	uint64_t peh_sp;		/* initial user stack pointer (mach_header slot) */
	uint64_t peh_entry;		/* dyld's entry point (LC_UNIXTHREAD pc) */
	uint64_t peh_main;		/* main() in the new map (mach_header + entryoff) */
	uint32_t peh_flags;		/* XS_PEH_* */
	int32_t peh_dyld_argc;		/* argc the simulated dyld read off the stack */
	char peh_elf[XS_MAXPATHLEN];	/* the ELF program the image is bound to */
};
#define XS_PEH_PENDING   0x1	/* task_clear_return_wait ran; no host image bound yet */
#define XS_PEH_SPAWN     0x2	/* made by posix_spawn (a new host process) */
#define XS_PEH_SUSPENDED 0x4	/* POSIX_SPAWN_START_SUSPENDED */
#define XS_PEH_DYLD_RAN  0x8	/* the simulated dyld mapped the image and entered main */

struct proc {
	lck_mtx_t p_mlock;
	pid_t p_pid;
	pid_t p_ppid;
	struct proc *p_pptr;		/* parent */
	queue_head_t p_children;	/* struct proc.p_sibling */
	queue_chain_t p_sibling;
	queue_chain_t p_list;		/* proc_globals.allproc */
	pid_t p_pgrpid;
	pid_t p_sessionid;

	int p_stat;			/* SIDL, SRUN, SSTOP, SZOMB */
	uint32_t p_lflag;
	int p_xstat;			/* wait status once a zombie (Darwin encoding) */
	uint64_t p_uniqueid;

	struct ucred p_ucred;
	struct filedesc p_fd;

	sigset_t p_siglist;		/* process-wide pending signals */
	sigset_t p_sigignore;
	sigset_t p_sigcatch;
	struct sigacts p_sigacts;
	uint32_t p_flag;		/* P_NOCLDSTOP, P_CONTINUED, P_NOCLDWAIT */
	/*
	 * siginfo for the next SIGCHLD handler (sendsig reads them).  XNU's
	 * si_pid, si_status, si_code, si_uid: renamed because host <signal.h>
	 * (included by tests) defines si_* as macros.
	 */
	pid_t p_si_pid;
	int p_si_status;
	int p_si_code;
	uid_t p_si_uid;

	struct proc_exec_handoff p_exec;	/* exec / posix_spawn (kern_exec.c) */

	char p_comm[XS_MAXCOMLEN + 1];
	char p_name[2 * XS_MAXCOMLEN + 1];
	int p_host_pid;			/* the host process running it; 0 for none */
	struct osl_event p_wait_event;	/* wait4 sleeps here (the proc as "q") */
	struct osl_event p_stop_event;	/* threads of a stopped proc wait for SIGCONT */
};

/* One proc_task_zone element. */
struct proc_task {
	struct proc pt_proc;
	struct task pt_task;
};

/* bsd/kern's machine-wide process state (a member of struct xs_machine). */
struct proc_globals {
	lck_mtx_t proc_list_lock;
	queue_head_t allproc;
	uint32_t nprocs;
	uint32_t maxproc;
	pid_t lastpid;
	struct proc *kernproc;		/* pid 0, married to kernel_task */
	struct proc *initproc;		/* launchd, pid 1 */
	uint64_t next_uniqueid;
	/* launchd's auto-reap log: the last exits of its children (kern_exit.c). */
	struct proc_exit_record {
		pid_t per_pid;
		int per_host_pid;
		int per_xstat;		/* Darwin wait status */
		uint32_t per_seq;	/* 0: empty slot */
	} exit_log[32];
	uint32_t exit_log_seq;
};

struct proc *xs_current_proc(void);
/* Returns the proc with this pid (not a zombie) or NULL; no reference model. */
struct proc *xs_proc_find(pid_t pid);
struct proc *xs_proc_find_zombie(pid_t pid);

/* W_EXITCODE (bsd/sys/wait.h): the wait status of an exit or a kill. */
#define XS_W_EXITCODE(ret, sig) ((int)(((uint32_t)(ret) << 8) | (uint32_t)(sig)))

/* PID_MAX (bsd/sys/proc_internal.h): pids wrap to 100 past it. */
#define XS_PID_MAX 99999

/*
 * Routine:    xs_proc_exit_status
 * Purpose:    The wait status of a child of launchd that exited and was
 *             auto-reaped (kern_exit.c keeps the last 32).  Match by pid
 *             (> 0) or, if pid is 0, by host pid.
 * Returns:    0 with *status set, or ESRCH.
 */
int xs_proc_exit_status(pid_t pid, int host_pid, int *status);

/* ---- The process core (bsd/kern/kern_{proc,fork,exit,sig}.c) ---------- */

/* The live (not zombie) proc run by host process host_pid, newest first. */
struct proc *xs_proc_find_host(int host_pid);

#define XS_CLONEPROC_INITPROC 1	/* bsd_init: launchd, root credentials */
#define XS_CLONEPROC_ATTACH   2	/* a host process joining: user 501/20 */
#define XS_CLONEPROC_FORK     3	/* fork(2): copies of the parent (kern_fork.c) */
/*
 * cloneproc without an image: a new proc_task under parent with an empty
 * map, a fresh fd table and one thread (bound to the calling host thread
 * when bind).  Returns the proc in SIDL, or NULL with *errp set.
 */
struct proc *xs_cloneproc(struct proc *parent, int flavor, bool bind, int *errp);
/*
 * The host half of fork (kern_fork.c; the libsyscall stub calls them):
 * in the host child, bind to child pid's thread and get its fork return
 * registers (0 or ESRCH); in the parent when the host fork failed, undo
 * the kernel's child (0 or ESRCH).
 */
int xs_fork_host_child(int pid, int host_pid, int host_tid, uint64_t rv[2]);
int xs_fork_host_abort(int pid);

/*
 * exit_with_reason: record status (Darwin wait encoding) and terminate the
 * task.  The caller then ends the thread (xs_thread_terminate_self), or, for
 * a proc with no live host process, calls xs_proc_exit itself.  EALREADY if
 * the proc is already exiting.
 */
int xs_exit_with_reason(struct proc *p, int status);
/* proc_exit: fds, children to launchd, zombie, SIGCHLD; auto-reap. */
void xs_proc_exit(struct proc *p);
_Noreturn void xs_thread_terminate_self(void);	/* osfmk/kern/thread.c */

void xs_proc_list_lock(void);
void xs_proc_list_unlock(void);
/* With proc_list_lock held: */
int xs_phash_insert_locked(struct proc *p);	/* pid + allproc; EAGAIN */
void xs_phash_remove_locked(struct proc *p);
void xs_pgrp_enter_locked(struct proc *parent, struct proc *child);
void xs_pinsertchild(struct proc *parent, struct proc *child);
void xs_proc_unlink_child_locked(struct proc *child);

/* kern_sig.c: default dispositions for a new process (siginit). */
void xs_siginit(struct proc *p);
/* bsd_ast: deliver th's pending signals; a fatal one does not return. */
struct thread;
void xs_bsd_ast(struct thread *th);
bool xs_thread_signal_pending(struct thread *th);
/*
 * kern_sig.c: park the calling thread of p while p is stopped (SSTOP) or
 * its task is held (xs_task_is_held: START_SUSPENDED, task_suspend), until
 * SIGCONT / task_resume lets it go or a SIGKILL or exit is under way.  For
 * bsd_ast and for a START_SUSPENDED child before it enters main.
 * Conditions: p_mlock held (dropped while parked, re-taken on return).
 */
void xs_proc_wait_held_locked(struct proc *p);
/*
 * kern_sig.c, for exec (fork/exec engineer): caught signals go back to their
 * default action (ignored ones stay ignored), as execsigs does.
 */
void xs_execsigs(struct proc *p);
/*
 * kern_sig.c: the error a PCATCH sleep of th answers when a signal interrupts
 * it (msleep's rule): EINTR if the pending signal's handler was installed
 * without SA_RESTART, else ERESTART (the call is re-executed after delivery).
 */
int xs_msleep_signal_error(struct thread *th);

#endif /* XS_SYS_PROC_INTERNAL_H */
