/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * thread.h: Mach threads with their BSD uthread.  Corresponds to
 * osfmk/kern/thread.h and bsd/sys/user.h (struct uthread).  A simulated thread
 * is bound to one host thread (osl_current_thread).
 */
#ifndef XS_KERN_THREAD_H
#define XS_KERN_THREAD_H

#include "kmod-xnu-sim/osfmk/kern/kern_types.h"
#include "kmod-xnu-sim/osfmk/kern/queue.h"
#include "kmod-xnu-sim/osfmk/mach/thread_status.h"
#include "kmod-xnu-sim/osl/osl.h"

struct task;
struct ipc_port;

/* bsd/sys/user.h */
struct uthread {
	uint64_t uu_arg[8];	/* arguments of the current syscall */
	int32_t uu_rval[2];	/* its results; 64-bit results span both */
	uint16_t syscall_code;
	uint32_t uu_flag;	/* UT_* */
	sigset_t uu_siglist;	/* signals pending for this thread */
	sigset_t uu_sigmask;	/* signals blocked */
	sigset_t uu_sigwait;
	int uu_code;		/* exception code that raised the last signal */
	sigset_t uu_oldmask;	/* mask to restore after sigsuspend (UT_SAS_OLDMASK) */
	uint32_t uu_pending_sigreturn;	/* frames sendsig built, not yet sigreturned */
	uint64_t uu_sigreturn_token;	/* sigreturn validation token (sendsig) */
};

#define UT_NOTCANCELPT 0x00000004
#define UT_SAS_OLDMASK 0x00000040	/* sigsuspend: postsig restores uu_oldmask */

/* thread.ast (osfmk/kern/ast.h) */
#define AST_BSD 0x80		/* signals to deliver (act_set_astbsd) */

/* Wait results (osfmk/kern/kern_types.h). */
#define THREAD_WAITING     (-1)
#define THREAD_AWAKENED    0
#define THREAD_TIMED_OUT   1
#define THREAD_INTERRUPTED 2
#define THREAD_RESTART     3

struct thread {
	struct task *task;
	queue_chain_t task_threads;	/* task.threads */
	uint32_t ref_count;
	bool active;
	uint64_t thread_id;		/* thread_selfid(); also the tid in probes */
	int host_tid;			/* the host thread running it */

	struct ipc_port *ith_self;		/* thread control port */
	struct ipc_port *ith_special_reply_port;

	uint32_t syscalls_unix;		/* TH_SYSCALLS_UNIX */
	uint32_t syscalls_mach;		/* TH_SYSCALLS_MACH */

	/*
	 * Machine state (osfmk/arm64/status.c, osfmk/i386/pcb.c): the saved
	 * state of the trap in progress (upcb; process-private memory of the
	 * thread's own host process, NULL outside a trap) and its architecture,
	 * and the TSD base that platform_syscall / thread_fast_set_cthread_self
	 * set (cthread_self).
	 */
	void *machine_upcb;
	uint32_t machine_upcb_arch;	/* XS_ARCH_* of machine_upcb */
	uint64_t machine_cthread_self;
	uint32_t ast;			/* AST_* pending on return to user mode */

	/* Blocking: the event this thread waits on, for wakeups and reports. */
	struct osl_event *wait_event;
	char wait_reason[24];		/* "semaphore", "mach_msg receive", ... */
	int wait_result;
	bool wait_interrupted;		/* set by xs_thread_abort_safely */
	uint64_t wait_since;		/* osl_absolute_time() the wait began */

	/*
	 * The child's PCB after fork (kern_fork.c, thread_act.c): thread_dup
	 * copies the parent's trap state here and thread_set_child edits it
	 * (machine_upcb points here meanwhile); the host child loads it into
	 * its own stub frame when it binds (xs_fork_host_child).
	 */
	union {
		struct arm_saved_state64 arm;
		struct x86_saved_state64 x86;
	} machine_pcb;

	struct uthread uthread;
};

static inline struct uthread *xs_get_bsdthread_info(struct thread *th) { return &th->uthread; }

struct thread *xs_current_thread(void);

/*
 * Create a thread in task, bound to the calling host thread when bind is
 * true.  Returns with a reference held for the caller; NULL on shortage.
 */
struct thread *xs_thread_create_internal(struct task *task, bool bind);
void xs_thread_reference(struct thread *th);
void xs_thread_deallocate(struct thread *th);
void xs_thread_terminate_internal(struct thread *th);
/*
 * The platform's thread-exit hook: the calling host thread, bound to th,
 * is ending without the process ending (a pthread returned); th ends too.
 */
void xs_thread_host_exited(struct thread *th);

/*
 * Block the current thread on ev until woken, interrupted by a signal, or
 * the deadline (osl_absolute_time, 0 = none).  Call with lock held; returns
 * with it re-taken.  Returns THREAD_AWAKENED, THREAD_TIMED_OUT or
 * THREAD_INTERRUPTED.  reason is shown in blocked-thread reports.
 */
int xs_thread_block_on(struct osl_event *ev, struct osl_lock *lock,
		       uint64_t deadline, const char *reason);
/* Wake a thread blocked in xs_thread_block_on so it re-checks (signals). */
void xs_thread_abort_safely(struct thread *th);

/*
 * thread_act.c, for fork: copy parent's trap state into child's PCB
 * (false if parent is in no trap); and, in the host child, take the fork
 * return registers x0/x1 (rax/rdx) and carry out of it (false: no PCB).
 */
bool xs_thread_dup(struct thread *parent, struct thread *child);
bool xs_thread_fork_return_regs(struct thread *th, uint64_t rv[2], bool *carry);

#endif /* XS_KERN_THREAD_H */
