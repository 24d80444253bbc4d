/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kern_sig.c: signals, minimal but real.  Posting (psignal) marks the signal
 * pending on a thread that does not block it, arms AST_BSD and interrupts an
 * abortable wait; delivery (bsd_ast) runs on that thread on its way back to
 * user mode and applies the action.  Only default and ignore actions exist
 * yet: sigaction and sendsig (user handlers) are a later issue.
 * Corresponds to bsd/kern/kern_sig.c (sigprop from bsd/sys/signalvar.h).
 */
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/exception.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

#include "darwin/signal.h"
#undef sigset_t	/* the generated header defines its size under the type's name */
#include "darwin/wait.h"

/* sigprop[] property bits (bsd/sys/signalvar.h). */
#define SA_KILL     0x01	/* terminates the process by default */
#define SA_CORE     0x02	/* ... with a core dump */
#define SA_STOP     0x04	/* stops the process by default */
#define SA_TTYSTOP  0x08	/* a tty stop signal */
#define SA_IGNORE   0x10	/* ignored by default */
#define SA_CONT     0x20	/* continues a stopped process */

/* Darwin's default actions (constants.tsv group signal). */
static const uint8_t sigprop[NSIG] = {
	[SIGHUP] = SA_KILL,		[SIGINT] = SA_KILL,
	[SIGQUIT] = SA_KILL | SA_CORE,	[SIGILL] = SA_KILL | SA_CORE,
	[SIGTRAP] = SA_KILL | SA_CORE,	[SIGABRT] = SA_KILL | SA_CORE,
	[SIGEMT] = SA_KILL | SA_CORE,	[SIGFPE] = SA_KILL | SA_CORE,
	[SIGKILL] = SA_KILL,		[SIGBUS] = SA_KILL | SA_CORE,
	[SIGSEGV] = SA_KILL | SA_CORE,	[SIGSYS] = SA_KILL | SA_CORE,
	[SIGPIPE] = SA_KILL,		[SIGALRM] = SA_KILL,
	[SIGTERM] = SA_KILL,		[SIGURG] = SA_IGNORE,
	[SIGSTOP] = SA_STOP,		[SIGTSTP] = SA_STOP | SA_TTYSTOP,
	[SIGCONT] = SA_IGNORE | SA_CONT, [SIGCHLD] = SA_IGNORE,
	[SIGTTIN] = SA_STOP | SA_TTYSTOP, [SIGTTOU] = SA_STOP | SA_TTYSTOP,
	[SIGIO] = SA_IGNORE,		[SIGXCPU] = SA_KILL,
	[SIGXFSZ] = SA_KILL,		[SIGVTALRM] = SA_KILL,
	[SIGPROF] = SA_KILL,		[SIGWINCH] = SA_IGNORE,
	[SIGINFO] = SA_IGNORE,		[SIGUSR1] = SA_KILL,
	[SIGUSR2] = SA_KILL,
};

#define xs_sigmask(s) (1u << ((s) - 1))
#define SIGCANTMASK   (xs_sigmask(SIGKILL) | xs_sigmask(SIGSTOP))
#define STOPSIGMASK   (xs_sigmask(SIGSTOP) | xs_sigmask(SIGTSTP) | \
		       xs_sigmask(SIGTTIN) | xs_sigmask(SIGTTOU))

/* siginit: default-ignored signals (but SIGCONT) start in p_sigignore. */
void xs_siginit(struct proc *p)
{
	XS_FUNC(siginit);

	p->p_sigignore = 0;
	for (int i = 1; i < NSIG; i++) {
		if ((sigprop[i] & SA_IGNORE) && i != SIGCONT)
			p->p_sigignore |= xs_sigmask(i);
	}
}

/* A signal is deliverable to th now (pending and not blocked). */
static sigset_t pending_for(struct proc *p, struct thread *th)
{
	sigset_t blocked = th->uthread.uu_sigmask & ~SIGCANTMASK;

	return (th->uthread.uu_siglist | p->p_siglist) & ~blocked;
}

bool xs_thread_signal_pending(struct thread *th)
{
	struct proc *p = xs_get_bsdtask_info(th->task);

	return p && pending_for(p, th) != 0;
}

/* act_set_astbsd: make th look at signals before it returns to user mode. */
static void xs_act_set_astbsd(struct thread *th)
{
	XS_FUNC_AT(act_set_astbsd, "osfmk/kern/thread_act.c");
	__atomic_fetch_or(&th->ast, AST_BSD, __ATOMIC_SEQ_CST);
}

/* get_signalthread: the first live thread of p not blocking signum. */
static struct thread *xs_get_signalthread(struct proc *p, int signum)
{
	XS_FUNC(get_signalthread);
	struct task *task = xs_proc_task(p);
	struct thread *th, *found = NULL;

	xs_lck_mtx_lock(&task->lock);
	xs_queue_foreach(th, &task->threads, struct thread, task_threads) {
		if (th->active && !(th->uthread.uu_sigmask & xs_sigmask(signum) & ~SIGCANTMASK)) {
			found = th;
			xs_thread_reference(found);
			break;
		}
	}
	xs_lck_mtx_unlock(&task->lock);
	return found;
}

/* Continue a stopped process (SIGCONT, SIGKILL).  p_mlock held. */
static void proc_continue_locked(struct proc *p)
{
	if (p->p_stat == SSTOP) {
		p->p_stat = SRUN;	/* task_resume_internal */
		osl_event_signal(&p->p_stop_event, true);
	}
}

/*
 * psignal_internal: post signum to p, on th if given (a thread-directed
 * signal: nosys, exceptions), else on a thread that does not block it.
 * Ignored signals are dropped here, as XNU does (SIGKILL never is).
 */
static void xs_psignal_internal(struct proc *p, struct thread *th, int signum)
{
	XS_FUNC(psignal_internal);
	sigset_t mask = xs_sigmask(signum);
	int prop = sigprop[signum];

	if (p->p_pid == 0 || p->p_stat == SZOMB || (p->p_lflag & P_LEXIT))
		return;		/* kernproc, and exiting procs, take no signals */
	if ((p->p_sigignore & mask) && signum != SIGKILL)
		return;
	if (th)
		xs_thread_reference(th);
	else
		th = xs_get_signalthread(p, signum);

	xs_lck_mtx_lock(&p->p_mlock);
	if (prop & SA_CONT) {	/* a continue discards pending stops, and resumes */
		p->p_siglist &= ~STOPSIGMASK;
		if (th)
			th->uthread.uu_siglist &= ~STOPSIGMASK;
		proc_continue_locked(p);
	}
	if (prop & SA_STOP) {	/* a stop discards a pending continue */
		p->p_siglist &= ~xs_sigmask(SIGCONT);
		if (th)
			th->uthread.uu_siglist &= ~xs_sigmask(SIGCONT);
	}
	if (signum == SIGKILL)
		proc_continue_locked(p);
	if (th)
		th->uthread.uu_siglist |= mask;
	else
		p->p_siglist |= mask;	/* every thread blocks it: stays on the proc */
	xs_lck_mtx_unlock(&p->p_mlock);

	if (th) {
		xs_act_set_astbsd(th);
		xs_thread_abort_safely(th);	/* interrupts an abortable wait */
		xs_thread_deallocate(th);
	}
}

/*
 * Routine:    xs_psignal
 * Purpose:    Post signum (Darwin numbering, 1..31) to process p.
 * Conditions: Nothing locked.  Out-of-range numbers are ignored.
 */
void xs_psignal(struct proc *p, int signum)
{
	XS_FUNC(psignal);

	if (!p || signum <= 0 || signum >= NSIG)
		return;
	xs_psignal_internal(p, NULL, signum);
}

/*
 * Routine:    xs_psignal_thread  (psignal_uthread)
 * Purpose:    Post signum to thread th (nosys's SIGSYS, an exception's
 *             signal): it is delivered on th's way back to user mode.
 * Conditions: Nothing locked.
 */
void xs_psignal_thread(struct thread *th, int signum)
{
	XS_FUNC_AT(psignal_uthread, "bsd/kern/kern_sig.c");

	if (!th || !th->task || signum <= 0 || signum >= NSIG)
		return;
	xs_psignal_internal(xs_get_bsdtask_info(th->task), th, signum);
}

/* Park while p is stopped (raw wait: other pending signals must not wake it). */
static void proc_wait_stopped_locked(struct proc *p)
{
	while (p->p_stat == SSTOP) {
		uint32_t seq = osl_event_arm(&p->p_stop_event);

		xs_lck_mtx_unlock(&p->p_mlock);
		osl_event_wait(&p->p_stop_event, seq, 0);
		xs_lck_mtx_lock(&p->p_mlock);
	}
}

/*
 * stop: the default action of a stop signal.  The delivering thread parks
 * until SIGCONT or SIGKILL; the parent hears SIGCHLD.  XNU suspends the
 * whole task (task_suspend_internal); here other threads stop only when
 * they too reach bsd_ast (docs/fidelity.md).  p_mlock held; dropped while
 * parked.
 */
static void xs_proc_stop_locked(struct proc *p, int signum)
{
	XS_FUNC_AT(stop, "bsd/kern/kern_sig.c");
	struct proc *parent = p->p_pptr;

	p->p_stat = SSTOP;
	p->p_xstat = signum;
	xs_lck_mtx_unlock(&p->p_mlock);
	if (parent) {
		xs_psignal(parent, SIGCHLD);
		osl_event_signal(&parent->p_wait_event, true);
	}
	xs_lck_mtx_lock(&p->p_mlock);
	proc_wait_stopped_locked(p);
}

/*
 * issignal_locked: take the next signal th must act on, or 0.  Ignored
 * signals are discarded, default stops are carried out here, and a caught
 * signal is returned for postsig.  p_mlock held.
 */
static int xs_issignal_locked(struct proc *p, struct thread *th)
{
	XS_FUNC(issignal_locked);
	sigset_t pending;
	int signum, prop;
	uint64_t action;

	while ((pending = pending_for(p, th)) != 0) {
		signum = __builtin_ctz(pending) + 1;
		if (pending & xs_sigmask(SIGKILL))
			signum = SIGKILL;	/* nothing outranks it */
		th->uthread.uu_siglist &= ~xs_sigmask(signum);
		p->p_siglist &= ~xs_sigmask(signum);
		if (signum == SIGKILL)
			return signum;
		prop = sigprop[signum];
		action = p->p_sigacts.ps_sigact[signum];
		if (action == 1 /* SIG_IGN */ || (p->p_sigignore & xs_sigmask(signum)))
			continue;
		if (action != 0 /* SIG_DFL */)
			return signum;		/* caught: postsig */
		if (prop & SA_STOP) {
			xs_proc_stop_locked(p, signum);
			continue;
		}
		if (prop & SA_IGNORE)
			continue;	/* SIGCONT, SIGCHLD, ... by default */
		return signum;		/* default action: terminate */
	}
	return 0;
}

/*
 * postsig_locked: act on signum.  The default action of a fatal signal is
 * exit_with_reason with W_EXITCODE(0, signum), plus WCOREFLAG for the core
 * signals: XNU sets it when coredump() succeeds; no core file is written
 * here, but the flag is reported as if one were (docs/fidelity.md).
 * p_mlock held; dropped around exit_with_reason, as XNU does.
 */
static void xs_postsig_locked(struct proc *p, struct thread *th, int signum)
{
	XS_FUNC(postsig_locked);
	int status;

	if (signum != SIGKILL && p->p_sigacts.ps_sigact[signum] != 0) {
		/* sendsig (a user handler) is not modeled yet: drop the signal. */
		osl_log("postsig: pid %d: handler for signal %d not modeled", p->p_pid, signum);
		return;
	}
	status = XS_W_EXITCODE(0, signum);
	if (sigprop[signum] & SA_CORE)
		status |= WCOREFLAG;
	th->uthread.uu_code = 0;
	xs_lck_mtx_unlock(&p->p_mlock);
	xs_exit_with_reason(p, status);
	xs_lck_mtx_lock(&p->p_mlock);
}

/*
 * Routine:    xs_bsd_ast
 * Purpose:    Deliver th's pending signals.  A fatal one ends the process
 *             here (thread_terminate_self) and does not return.
 * Conditions: Current thread, on its way back to user mode; nothing locked.
 */
void xs_bsd_ast(struct thread *th)
{
	XS_FUNC(bsd_ast);
	struct proc *p = xs_get_bsdtask_info(th->task);
	int signum;

	__atomic_fetch_and(&th->ast, ~AST_BSD, __ATOMIC_SEQ_CST);
	if (!p || p->p_pid == 0)
		return;
	xs_thread_reference(th);	/* survives its own task's termination */
	xs_lck_mtx_lock(&p->p_mlock);
	proc_wait_stopped_locked(p);	/* another thread stopped the process */
	while (!(p->p_lflag & P_LEXIT) && (signum = xs_issignal_locked(p, th)) != 0)
		xs_postsig_locked(p, th, signum);
	xs_lck_mtx_unlock(&p->p_mlock);
	if (p->p_lflag & P_LEXIT)
		xs_thread_terminate_self();	/* consumes the reference */
	xs_thread_deallocate(th);
}
