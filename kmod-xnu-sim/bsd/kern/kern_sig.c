/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kern_sig.c: BSD signals.  Posting (psignal, kill) marks a signal pending on
 * a thread that does not block it, arms AST_BSD and interrupts an abortable
 * wait; a default stop or a continue acts at once on the whole task.
 * Delivery (bsd_ast) runs on the thread's way back to user mode: default
 * actions here, caught signals through the machine's sendsig.  Also the
 * calls sigaction, sigprocmask, __pthread_sigmask, sigpending, sigsuspend,
 * kill and sigreturn's front door.
 * Corresponds to bsd/kern/kern_sig.c (sigprop from bsd/sys/signalvar.h).
 */
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/bsd/sys/signalvar.h"
#include "kmod-xnu-sim/osfmk/kern/exception.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/trap_entry.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

#include "darwin/errno.h"
#include "darwin/signal.h"
#undef sigset_t	/* the generated header defines its size under the type's name */
#include "darwin/wait.h"

int xs_mac_proc_check_signal(struct proc *src, struct proc *dst, int signum);	/* security/ */

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

#define SIGCANTMASK XS_SIGCANTMASK
#define STOPSIGMASK (xs_sigmask(SIGSTOP) | xs_sigmask(SIGTSTP) | \
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

/* The signal issignal would take first from a pending set (CURSIG). */
static int first_signal(sigset_t pending)
{
	if (pending & xs_sigmask(SIGKILL))
		return SIGKILL;
	return pending ? __builtin_ctz(pending) + 1 : 0;
}

/*
 * Routine:    xs_msleep_signal_error
 * Purpose:    What an interrupted PCATCH sleep answers (_sleep in
 *             bsd/kern/kern_synch.c): EINTR when the signal's handler was
 *             installed without SA_RESTART, else ERESTART.
 * Conditions: th is the current thread, just interrupted.
 */
int xs_msleep_signal_error(struct thread *th)
{
	struct proc *p = th ? xs_get_bsdtask_info(th->task) : NULL;
	int sig;

	if (!p || !th->active)
		return EINTR;
	sig = first_signal(pending_for(p, th));
	if (sig == 0 || (p->p_sigacts.ps_sigintr & xs_sigmask(sig)))
		return EINTR;
	return ERESTART;
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
static bool proc_continue_locked(struct proc *p)
{
	if (p->p_stat != SSTOP)
		return false;
	p->p_stat = SRUN;
	(void)xs_task_resume_internal(xs_proc_task(p));	/* wakes the parked threads */
	return true;
}

/* Stop p on signum unless it is stopped already.  p_mlock held. */
static bool proc_stop_locked(struct proc *p, int signum)
{
	if (p->p_stat == SSTOP || (p->p_lflag & P_LEXIT))
		return false;
	p->p_stat = SSTOP;
	p->p_xstat = signum;
	/* wait4 changes these under proc_list_lock only: atomic updates. */
	__atomic_fetch_and(&p->p_lflag, ~(uint32_t)P_LWAITED, __ATOMIC_SEQ_CST);
	__atomic_fetch_and(&p->p_flag, ~(uint32_t)P_CONTINUED, __ATOMIC_SEQ_CST);
	/* task_hold_locked arms AST_BSD: a thread in user mode parks at its next trap. */
	(void)xs_task_suspend_internal(xs_proc_task(p));
	return true;
}

/*
 * Tell p's parent that p stopped or continued (code CLD_STOPPED or
 * CLD_CONTINUED): SIGCHLD unless it asked for none (SA_NOCLDSTOP), and a
 * wakeup for wait4.  Nothing locked.
 */
static void proc_notify_parent(struct proc *p, int code, int status)
{
	struct proc *pp = p->p_pptr;

	if (!pp)
		return;
	if (!(pp->p_flag & P_NOCLDSTOP)) {
		xs_lck_mtx_lock(&pp->p_mlock);
		pp->p_si_pid = p->p_pid;
		pp->p_si_status = status;
		pp->p_si_code = code;
		pp->p_si_uid = p->p_ucred.cr_ruid;
		xs_lck_mtx_unlock(&pp->p_mlock);
		xs_psignal(pp, SIGCHLD);
	}
	osl_event_signal(&pp->p_wait_event, true);
}

/*
 * psignal_internal: post signum to p, on th if given (a thread-directed
 * signal: nosys, exceptions), else on a thread that does not block it.
 * Ignored signals are dropped here, as XNU does (SIGKILL never is).  A
 * default stop that some thread does not block stops the process now
 * (stop -> task_suspend_internal) and is not left pending; a continue
 * resumes it (task_resume_internal) and is reported to the parent.
 */
static void xs_psignal_internal(struct proc *p, struct thread *th, int signum)
{
	XS_FUNC(psignal_internal);
	sigset_t mask = xs_sigmask(signum);
	int prop = sigprop[signum];
	bool stopped = false, continued = false, pend = true;

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
		if (proc_continue_locked(p)) {
			__atomic_fetch_or(&p->p_flag, P_CONTINUED, __ATOMIC_SEQ_CST);
			continued = true;
		} else if (th) {
			/* Not stopped: a hold (START_SUSPENDED, task_suspend) goes, as in XNU. */
			(void)xs_task_resume_internal(xs_proc_task(p));
		}
	}
	if (prop & SA_STOP) {	/* a stop discards a pending continue */
		p->p_siglist &= ~xs_sigmask(SIGCONT);
		if (th)
			th->uthread.uu_siglist &= ~xs_sigmask(SIGCONT);
		if (p->p_sigacts.ps_sigact[signum] == SIG_DFL && th) {
			stopped = proc_stop_locked(p, signum);
			pend = false;
		}
	}
	if (signum == SIGKILL) {
		proc_continue_locked(p);
		/* A thread parked by a task hold leaves it for the kill (proc_killed_locked). */
		osl_event_signal(&p->p_stop_event, true);
	}
	if (pend && th)
		th->uthread.uu_siglist |= mask;
	else if (pend)
		p->p_siglist |= mask;	/* every thread blocks it: stays on the proc */
	xs_lck_mtx_unlock(&p->p_mlock);

	if (stopped)
		proc_notify_parent(p, CLD_STOPPED, signum);
	if (continued)
		proc_notify_parent(p, CLD_CONTINUED, SIGCONT);
	if (th) {
		if (pend) {
			xs_act_set_astbsd(th);
			xs_thread_abort_safely(th);	/* interrupts an abortable wait */
		}
		xs_thread_deallocate(th);
	}
}

/*
 * Routine:    xs_psignal
 * Purpose:    Post signum (Darwin numbering, 1..31) to process p.
 * Conditions: Nothing locked (proc_list_lock may be held).  Out-of-range
 *             numbers are ignored.
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

/* A SIGKILL is posted to p or one of its threads, or p is exiting.  p_mlock held. */
static bool proc_killed_locked(struct proc *p)
{
	struct task *task = xs_proc_task(p);
	struct thread *th;
	bool killed = (p->p_lflag & P_LEXIT) || (p->p_siglist & xs_sigmask(SIGKILL));

	if (killed)
		return true;
	xs_lck_mtx_lock(&task->lock);
	xs_queue_foreach(th, &task->threads, struct thread, task_threads) {
		if (th->uthread.uu_siglist & xs_sigmask(SIGKILL)) {
			killed = true;
			break;
		}
	}
	xs_lck_mtx_unlock(&task->lock);
	return killed;
}

/*
 * Routine:    xs_proc_wait_held_locked
 * Purpose:    See proc_internal.h.  The event is armed before the condition
 *             is read, so a release that drops the hold without p_mlock
 *             (task_resume from the MIG server) is never missed.  Raw
 *             wait: other pending signals must not wake it.
 * Conditions: p_mlock held; dropped while parked.
 */
void xs_proc_wait_held_locked(struct proc *p)
{
	struct task *task = xs_proc_task(p);

	for (;;) {
		uint32_t seq = osl_event_arm(&p->p_stop_event);

		if (p->p_stat != SSTOP && !xs_task_is_held(task))
			return;
		if (proc_killed_locked(p))
			return;
		xs_lck_mtx_unlock(&p->p_mlock);
		osl_event_wait(&p->p_stop_event, seq, 0);
		xs_lck_mtx_lock(&p->p_mlock);
	}
}

/*
 * stop: the default action of a stop signal that was blocked when posted
 * and taken now: suspend the task, tell the parent, and park until SIGCONT
 * or SIGKILL.  p_mlock held; dropped while notifying and parked.
 */
static void xs_proc_stop_locked(struct proc *p, int signum)
{
	XS_FUNC_AT(stop, "bsd/kern/kern_sig.c");

	if (proc_stop_locked(p, signum)) {
		xs_lck_mtx_unlock(&p->p_mlock);
		proc_notify_parent(p, CLD_STOPPED, signum);
		xs_lck_mtx_lock(&p->p_mlock);
	}
	xs_proc_wait_held_locked(p);
}

/*
 * issignal_locked: take the next signal th must act on, or 0.  Ignored
 * signals are discarded, default stops are carried out here, and a caught
 * or fatal signal is returned for postsig.  p_mlock held.
 */
static int xs_issignal_locked(struct proc *p, struct thread *th)
{
	XS_FUNC(issignal_locked);
	sigset_t pending;
	int signum, prop;
	uint64_t action;

	while ((pending = pending_for(p, th)) != 0) {
		signum = first_signal(pending);
		th->uthread.uu_siglist &= ~xs_sigmask(signum);
		p->p_siglist &= ~xs_sigmask(signum);
		if (signum == SIGKILL)
			return signum;
		prop = sigprop[signum];
		action = p->p_sigacts.ps_sigact[signum];
		if (action == SIG_IGN || (p->p_sigignore & xs_sigmask(signum)))
			continue;
		if (action != SIG_DFL)
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

/* The machine's sendsig, by the architecture of th's current trap. */
static int xs_sendsig(struct proc *p, struct thread *th, uint64_t catcher, int signum,
		      sigset_t returnmask, sigset_t siginfo)
{
	uint32_t arch;

	(void)xs_get_user_regs(th, &arch);
	if (arch == XS_ARCH_ARM64)
		return xs_sendsig_arm64(p, th, catcher, signum, returnmask, siginfo);
	if (arch == XS_ARCH_X86_64)
		return xs_sendsig_x86_64(p, th, catcher, signum, returnmask, siginfo);
	return -1;	/* not in a trap: no user state to redirect */
}

/*
 * sendsig's "bad" path: the frame could not be written, so SIGILL goes back
 * to its default action, unblocked, and is posted to th: the process dies
 * of it in this same bsd_ast.  p_mlock held.
 */
static void sendsig_failed_locked(struct proc *p, struct thread *th)
{
	sigset_t ill = xs_sigmask(SIGILL);

	p->p_sigacts.ps_sigact[SIGILL] = SIG_DFL;
	p->p_sigacts.ps_trampact[SIGILL] = 0;
	p->p_sigignore &= ~ill;
	p->p_sigcatch &= ~ill;
	th->uthread.uu_sigmask &= ~ill;
	th->uthread.uu_siglist |= ill;
}

/*
 * postsig_locked: act on signum.  Default fatal: exit_with_reason with
 * W_EXITCODE(0, signum), plus WCOREFLAG for the core signals (XNU sets it
 * when coredump() succeeds; no core file is written here, docs/fidelity.md).
 * Caught: block sa_mask (and the signal, unless SA_NODEFER), apply
 * SA_RESETHAND, and sendsig with the mask to restore at sigreturn.
 * p_mlock held; dropped around exit_with_reason and sendsig, as XNU does.
 * Returns true when a handler frame was built.
 */
static bool xs_postsig_locked(struct proc *p, struct thread *th, int signum)
{
	XS_FUNC(postsig_locked);
	struct sigacts *ps = &p->p_sigacts;
	struct uthread *ut = &th->uthread;
	sigset_t mask = xs_sigmask(signum), returnmask, siginfo;
	uint64_t catcher = ps->ps_sigact[signum];
	int status;

	if (signum == SIGKILL || catcher == SIG_DFL) {
		status = XS_W_EXITCODE(0, signum);
		if (sigprop[signum] & SA_CORE)
			status |= WCOREFLAG;
		ut->uu_code = 0;
		xs_lck_mtx_unlock(&p->p_mlock);
		xs_exit_with_reason(p, status);
		xs_lck_mtx_lock(&p->p_mlock);
		return false;
	}
	if (ut->uu_flag & UT_SAS_OLDMASK) {	/* sigsuspend's mask goes away */
		returnmask = ut->uu_oldmask;
		ut->uu_flag &= ~UT_SAS_OLDMASK;
	} else {
		returnmask = ut->uu_sigmask;
	}
	ut->uu_sigmask |= ps->ps_catchmask[signum];
	if (!(ps->ps_signodefer & mask))
		ut->uu_sigmask |= mask;
	ut->uu_sigmask &= ~SIGCANTMASK;
	siginfo = ps->ps_siginfo;
	if (signum != SIGILL && signum != SIGTRAP && (ps->ps_sigreset & mask)) {
		if (signum != SIGCONT && (sigprop[signum] & SA_IGNORE))
			p->p_sigignore |= mask;
		ps->ps_sigact[signum] = SIG_DFL;
		p->p_sigcatch &= ~mask;
		ps->ps_siginfo &= ~mask;
		ps->ps_signodefer &= ~mask;
	}
	xs_lck_mtx_unlock(&p->p_mlock);
	status = xs_sendsig(p, th, catcher, signum, returnmask, siginfo);
	xs_lck_mtx_lock(&p->p_mlock);
	if (status != 0) {
		ut->uu_sigmask = returnmask;
		sendsig_failed_locked(p, th);
		return false;
	}
	return true;
}

/*
 * Routine:    xs_bsd_ast
 * Purpose:    Deliver th's pending signals.  A fatal one ends the process
 *             here (thread_terminate_self) and does not return.  At most one
 *             handler frame is built per return to user mode: the next
 *             pending signal goes out when sigreturn's trap returns (XNU
 *             stacks them all at once; docs/fidelity.md).
 * Conditions: Current thread, on its way back to user mode; nothing locked.
 */
void xs_bsd_ast(struct thread *th)
{
	XS_FUNC(bsd_ast);
	struct proc *p = xs_get_bsdtask_info(th->task);
	struct uthread *ut = &th->uthread;
	int signum;

	__atomic_fetch_and(&th->ast, ~AST_BSD, __ATOMIC_SEQ_CST);
	if (!p || p->p_pid == 0)
		return;
	xs_thread_reference(th);	/* survives its own task's termination */
	xs_lck_mtx_lock(&p->p_mlock);
	xs_proc_wait_held_locked(p);	/* the process is stopped: park here */
	while (!(p->p_lflag & P_LEXIT) && (signum = xs_issignal_locked(p, th)) != 0) {
		if (xs_postsig_locked(p, th, signum))
			break;
	}
	if (ut->uu_flag & UT_SAS_OLDMASK) {	/* sigsuspend woken without a handler */
		ut->uu_sigmask = ut->uu_oldmask;
		ut->uu_flag &= ~UT_SAS_OLDMASK;
	}
	xs_lck_mtx_unlock(&p->p_mlock);
	if (p->p_lflag & P_LEXIT)
		xs_thread_terminate_self();	/* consumes the reference */
	xs_thread_deallocate(th);
}

/* ---- Helpers for the machine-dependent sendsig / sigreturn -------------- */

void xs_sendsig_siginfo(struct proc *p, int sig, struct xnu_siginfo *si)
{
	int status;

	si->xsi_signo = sig;
	xs_lck_mtx_lock(&p->p_mlock);
	si->xsi_pid = p->p_si_pid;
	si->xsi_uid = p->p_si_uid;
	si->xsi_code = p->p_si_code;
	status = p->p_si_status;
	p->p_si_pid = 0;
	p->p_si_uid = 0;
	p->p_si_code = 0;
	p->p_si_status = 0;
	xs_lck_mtx_unlock(&p->p_mlock);
	if (si->xsi_code == CLD_EXITED && (status & 0x7f) != 0 && (status & 0x7f) != 0x7f) {
		si->xsi_code = (status & WCOREFLAG) ? CLD_DUMPED : CLD_KILLED;
		status = XS_W_EXITCODE(status, status);
	}
	if (si->xsi_code == CLD_EXITED)
		si->xsi_status = (status >> 8) & 0xff;	/* WEXITSTATUS */
	else if (si->xsi_code == CLD_KILLED || si->xsi_code == CLD_DUMPED)
		si->xsi_status = (status >> 8) & 0xff;
	else
		si->xsi_status = status;			/* the stop / continue signal */
}

/* sendsig's token (XNU: read_random), kept while any frame is outstanding. */
uint64_t xs_sigreturn_token(struct thread *th)
{
	struct uthread *ut = &th->uthread;
	uint64_t z;

	if (ut->uu_pending_sigreturn++ == 0) {
		z = osl_absolute_time() ^ (th->thread_id << 32) ^ 0x9e3779b97f4a7c15ull;
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		ut->uu_sigreturn_token = z ^ (z >> 31);
	}
	return ut->uu_sigreturn_token;
}

void xs_sigreturn_setmask(struct thread *th, sigset_t mask)
{
	struct proc *p = xs_get_bsdtask_info(th->task);

	th->uthread.uu_sigmask = mask & ~SIGCANTMASK;
	if (p && pending_for(p, th))
		xs_act_set_astbsd(th);
}

struct sigreturn_args {
	uint64_t uctx;
	uint64_t infostyle;
	uint64_t token;
};

/*
 * Routine:    xs_sigreturn  [BSD 184]
 * Purpose:    The front door of sigreturn: the architecture of the trap in
 *             progress picks bsd/dev/arm or bsd/dev/i386's sigreturn (XNU
 *             builds only one of them; the simulator has both).
 * Returns:    EJUSTRETURN with the state restored, or EINVAL / EFAULT.
 */
int xs_sigreturn(struct proc *p, void *uap, int32_t *retval)
{
	uint32_t arch;

	(void)xs_get_user_regs(xs_current_thread(), &arch);
	if (arch == XS_ARCH_X86_64)
		return xs_sigreturn_x86_64(p, uap, retval);
	return xs_sigreturn_arm64(p, uap, retval);
}

/* ---- sigaction and masks ------------------------------------------------- */

/* Forget pending instances of the signals in mask (clear_procsiglist). */
static void clear_procsiglist_locked(struct proc *p, sigset_t mask)
{
	struct task *task = xs_proc_task(p);
	struct thread *th;

	p->p_siglist &= ~mask;
	xs_lck_mtx_lock(&task->lock);
	xs_queue_foreach(th, &task->threads, struct thread, task_threads)
		th->uthread.uu_siglist &= ~mask;
	xs_lck_mtx_unlock(&task->lock);
}

/* Set or clear bit in *set. */
static inline void setbit_if(sigset_t *set, sigset_t bit, bool on)
{
	*set = on ? (*set | bit) : (*set & ~bit);
}

/* setsigvec: install a new action for signum.  p_mlock held. */
static void xs_setsigvec(struct proc *p, int signum, const struct xnu___sigaction *sa)
{
	XS_FUNC(setsigvec);
	struct sigacts *ps = &p->p_sigacts;
	sigset_t bit = xs_sigmask(signum);

	ps->ps_sigact[signum] = sa->xsa_handler;
	ps->ps_trampact[signum] = sa->sa_tramp;
	ps->ps_catchmask[signum] = sa->sa_mask & ~SIGCANTMASK;
	setbit_if(&ps->ps_siginfo, bit, sa->sa_flags & SA_SIGINFO);
	setbit_if(&ps->ps_sigintr, bit, !(sa->sa_flags & SA_RESTART));
	setbit_if(&ps->ps_sigonstack, bit, sa->sa_flags & SA_ONSTACK);
	setbit_if(&ps->ps_sigreset, bit, sa->sa_flags & SA_RESETHAND);
	setbit_if(&ps->ps_signodefer, bit, sa->sa_flags & SA_NODEFER);
	if (signum == SIGCHLD) {
		uint32_t set = 0;

		if (sa->sa_flags & SA_NOCLDSTOP)
			set |= P_NOCLDSTOP;
		if (sa->sa_flags & SA_NOCLDWAIT)
			set |= P_NOCLDWAIT;
		__atomic_fetch_and(&p->p_flag, ~(uint32_t)(P_NOCLDSTOP | P_NOCLDWAIT) | set,
				   __ATOMIC_SEQ_CST);
		__atomic_fetch_or(&p->p_flag, set, __ATOMIC_SEQ_CST);
	}
	/* Ignored signals, by SIG_IGN or by default, are dropped when posted. */
	if (sa->xsa_handler == SIG_IGN ||
	    ((sigprop[signum] & SA_IGNORE) && sa->xsa_handler == SIG_DFL)) {
		clear_procsiglist_locked(p, bit);
		if (signum != SIGCONT)
			p->p_sigignore |= bit;	/* SIGCONT must still continue */
		p->p_sigcatch &= ~bit;
	} else {
		p->p_sigignore &= ~bit;
		setbit_if(&p->p_sigcatch, bit, sa->xsa_handler != SIG_DFL);
	}
}

struct sigaction_args {
	uint64_t signum;
	uint64_t nsa;		/* struct __sigaction (user64) */
	uint64_t osa;		/* struct sigaction (user64) */
};

struct user64_sigaction {
	uint64_t xsa_handler;
	uint32_t sa_mask;
	int32_t sa_flags;
};

/* The old action of signum as struct sigaction.  p_mlock held. */
static void get_sigaction_locked(struct proc *p, int signum, struct user64_sigaction *oa)
{
	struct sigacts *ps = &p->p_sigacts;
	sigset_t bit = xs_sigmask(signum);

	oa->xsa_handler = ps->ps_sigact[signum];
	oa->sa_mask = ps->ps_catchmask[signum];
	oa->sa_flags = 0;
	if (ps->ps_sigonstack & bit)
		oa->sa_flags |= SA_ONSTACK;
	if (!(ps->ps_sigintr & bit))
		oa->sa_flags |= SA_RESTART;
	if (ps->ps_siginfo & bit)
		oa->sa_flags |= SA_SIGINFO;
	if (ps->ps_sigreset & bit)
		oa->sa_flags |= SA_RESETHAND;
	if (ps->ps_signodefer & bit)
		oa->sa_flags |= SA_NODEFER;
	if (signum == SIGCHLD && (p->p_flag & P_NOCLDSTOP))
		oa->sa_flags |= SA_NOCLDSTOP;
	if (signum == SIGCHLD && (p->p_flag & P_NOCLDWAIT))
		oa->sa_flags |= SA_NOCLDWAIT;
}

/*
 * Routine:    xs_sigaction  [BSD 46]
 * Purpose:    Read and/or set the action of signum.  The new action is the
 *             kernel-boundary struct __sigaction (libc's trampoline in
 *             sa_tramp); the old one is copied out as struct sigaction.
 *             Flags outside SA_USERSPACE_MASK are dropped.
 * Conditions: Nothing locked.
 * Returns:    0; EINVAL (signum not in 1..31, or SIGKILL / SIGSTOP, which
 *             cannot be caught or ignored), EFAULT (nsa or osa).
 */
int xs_sigaction(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(sigaction);
	struct sigaction_args *a = uap;
	int signum = (int)a->signum;
	struct xnu___sigaction vec;
	struct user64_sigaction oa;

	(void)retval;
	if (signum <= 0 || signum >= NSIG || signum == SIGKILL || signum == SIGSTOP)
		return EINVAL;
	if (a->nsa) {
		if (osl_copyin(a->nsa, &vec, sizeof(vec)) != 0)
			return EFAULT;
		vec.sa_flags &= SA_USERSPACE_MASK;
	}
	if (a->osa) {
		xs_lck_mtx_lock(&p->p_mlock);
		get_sigaction_locked(p, signum, &oa);
		xs_lck_mtx_unlock(&p->p_mlock);
		if (osl_copyout(&oa, a->osa, sizeof(oa)) != 0)
			return EFAULT;
	}
	if (a->nsa) {
		xs_lck_mtx_lock(&p->p_mlock);
		xs_setsigvec(p, signum, &vec);
		xs_lck_mtx_unlock(&p->p_mlock);
	}
	return 0;
}

/*
 * Change the mask of every thread of p (sigprocmask is process-wide in
 * XNU: block_procsigmask / unblock_procsigmask / set_procsigmask), then
 * make the caller re-check its signals on the way out.
 */
static void procsigmask(struct proc *p, int how, sigset_t set)
{
	struct task *task = xs_proc_task(p);
	struct thread *th;

	xs_lck_mtx_lock(&task->lock);
	xs_queue_foreach(th, &task->threads, struct thread, task_threads) {
		if (how == SIG_BLOCK)
			th->uthread.uu_sigmask |= set;
		else if (how == SIG_UNBLOCK)
			th->uthread.uu_sigmask &= ~set;
		else
			th->uthread.uu_sigmask = set;
	}
	xs_lck_mtx_unlock(&task->lock);
}

struct sigprocmask_args {
	uint64_t how;
	uint64_t mask;		/* sigset_t *, may be NULL */
	uint64_t omask;		/* sigset_t *, may be NULL */
};

/* sigprocmask and __pthread_sigmask; per_thread for the latter. */
static int sigmask_common(struct proc *p, struct sigprocmask_args *a, bool per_thread)
{
	struct thread *th = xs_current_thread();
	struct uthread *ut = &th->uthread;
	sigset_t oldmask = ut->uu_sigmask, nmask;
	int how = (int)a->how;

	if (a->mask) {
		if (osl_copyin(a->mask, &nmask, sizeof(nmask)) != 0)
			return EFAULT;
		if (how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
			return EINVAL;
		nmask &= ~SIGCANTMASK;
		if (!per_thread)
			procsigmask(p, how, nmask);
		else if (how == SIG_BLOCK)
			ut->uu_sigmask |= nmask;
		else if (how == SIG_UNBLOCK)
			ut->uu_sigmask &= ~nmask;
		else
			ut->uu_sigmask = nmask;
		xs_act_set_astbsd(th);	/* signal_setast: newly unblocked ones go out */
	}
	if (a->omask && osl_copyout(&oldmask, a->omask, sizeof(oldmask)) != 0)
		return EFAULT;
	return 0;
}

/*
 * Routine:    xs_sigprocmask  [BSD 48]
 * Purpose:    Block (SIG_BLOCK 1), unblock (SIG_UNBLOCK 2) or set
 *             (SIG_SETMASK 3) the process's signal mask (every thread's, as
 *             XNU does) and/or return the caller's old mask.  SIGKILL and
 *             SIGSTOP are never blocked.
 * Returns:    0; EINVAL (bad how with a mask), EFAULT.
 */
int xs_sigprocmask(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(sigprocmask);
	(void)retval;
	return sigmask_common(p, uap, false);
}

/*
 * Routine:    xs___pthread_sigmask  [BSD 329]
 * Purpose:    pthread_sigmask: as sigprocmask, for the calling thread only.
 * Returns:    0; EINVAL, EFAULT.
 */
int xs___pthread_sigmask(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(__pthread_sigmask);
	(void)retval;
	return sigmask_common(p, uap, true);
}

struct sigpending_args {
	uint64_t osv;		/* sigset_t * */
};

/*
 * Routine:    xs_sigpending  [BSD 52]
 * Purpose:    The signals pending for the caller (its own and the
 *             process's), blocked or not.
 * Returns:    0; EFAULT.
 */
int xs_sigpending(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(sigpending);
	struct sigpending_args *a = uap;
	struct thread *th = xs_current_thread();
	sigset_t pend;

	(void)retval;
	xs_lck_mtx_lock(&p->p_mlock);
	pend = th->uthread.uu_siglist | p->p_siglist;
	xs_lck_mtx_unlock(&p->p_mlock);
	if (a->osv && osl_copyout(&pend, a->osv, sizeof(pend)) != 0)
		return EFAULT;
	return 0;
}

struct sigsuspend_args {
	uint64_t mask;		/* sigset_t, by value */
};

/*
 * Routine:    xs_sigsuspend_nocancel  [BSD 410]
 * Purpose:    Replace the caller's mask with mask and sleep until a signal
 *             is delivered; the old mask comes back when the handler
 *             returns (postsig's UT_SAS_OLDMASK).
 * Returns:    Always EINTR (never restarted).
 */
int xs_sigsuspend_nocancel(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(sigsuspend_nocancel);
	struct thread *th = xs_current_thread();
	struct uthread *ut = &th->uthread;

	(void)retval;
	xs_lck_mtx_lock(&p->p_mlock);
	ut->uu_oldmask = ut->uu_sigmask;
	ut->uu_flag |= UT_SAS_OLDMASK;
	ut->uu_sigmask = (sigset_t)((struct sigsuspend_args *)uap)->mask & ~SIGCANTMASK;
	while (xs_thread_block_on(&p->p_wait_event, &p->p_mlock, 0, "pause") !=
	       THREAD_INTERRUPTED)
		;	/* woken for a child's sake: keep pausing */
	xs_lck_mtx_unlock(&p->p_mlock);
	return EINTR;
}

/*
 * Routine:    xs_sigsuspend  [BSD 111]
 * Purpose:    sigsuspend: a cancellation point, then sigsuspend_nocancel.
 * Returns:    EINTR.
 */
int xs_sigsuspend(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(sigsuspend);
	return xs_sigsuspend_nocancel(p, uap, retval);
}

/*
 * Routine:    xs_execsigs
 * Purpose:    exec's signal reset: caught signals go back to SIG_DFL (and
 *             pending default-ignored ones are dropped); ignored signals,
 *             masks and pending signals stay.
 * Conditions: Nothing locked; p is execing (for the exec engineer).
 */
void xs_execsigs(struct proc *p)
{
	XS_FUNC(execsigs);
	sigset_t mask;
	int nc;

	xs_lck_mtx_lock(&p->p_mlock);
	while (p->p_sigcatch) {
		nc = __builtin_ctz(p->p_sigcatch) + 1;
		mask = xs_sigmask(nc);
		p->p_sigcatch &= ~mask;
		if (sigprop[nc] & SA_IGNORE) {
			if (nc != SIGCONT)
				p->p_sigignore |= mask;
			clear_procsiglist_locked(p, mask);
		}
		p->p_sigacts.ps_sigact[nc] = SIG_DFL;
		p->p_sigacts.ps_trampact[nc] = 0;
	}
	xs_lck_mtx_unlock(&p->p_mlock);
}

/* ---- kill ----------------------------------------------------------------- */

/* cansignal_nomac: the uid rules. */
static bool xs_cansignal_nomac(struct proc *src, struct proc *dst, int signum)
{
	XS_FUNC(cansignal_nomac);
	const struct ucred *s = &src->p_ucred, *d = &dst->p_ucred;

	if (src == dst)
		return true;
	if (signum == SIGKILL && dst == xs_machine()->m_proc.initproc)
		return false;	/* not even root kills launchd */
	if (s->cr_uid == 0)
		return true;
	if (signum == SIGCONT && src->p_sessionid == dst->p_sessionid)
		return true;
	/* The sender's real or effective uid is the target's real or saved uid. */
	return s->cr_ruid == d->cr_ruid || s->cr_ruid == d->cr_svuid ||
	       s->cr_uid == d->cr_ruid || s->cr_uid == d->cr_svuid;
}

/* cansignal: may src send signum to dst?  uid rules, then the MAC hook. */
static bool xs_cansignal(struct proc *src, struct proc *dst, int signum)
{
	XS_FUNC(cansignal);

	if (!xs_cansignal_nomac(src, dst, signum))
		return false;
	return xs_mac_proc_check_signal(src, dst, signum) == 0;
}

/*
 * killpg1: signal a process group (pgid; 0 = the caller's) or, with all,
 * every process but kernproc and launchd (and the caller, unless posix).
 * Zombies count as found but take nothing.
 * Returns 0; ESRCH (no such group); EPERM / ESRCH (nothing signalable:
 * EPERM for the POSIX flavor that libc uses).
 */
static int xs_killpg1(struct proc *cp, int signum, pid_t pgid, bool all, bool posix)
{
	XS_FUNC(killpg1);
	struct proc *p;
	int nfound = 0;
	bool group = all;

	xs_proc_list_lock();
	if (!all && pgid == 0)
		pgid = cp->p_pgrpid;
	xs_queue_foreach(p, &xs_machine()->m_proc.allproc, struct proc, p_list) {
		if (!all && p->p_pgrpid != pgid)
			continue;
		group = true;
		if (p->p_pid <= 1 || p->p_stat == SIDL || (all && !posix && p == cp))
			continue;	/* kernproc, launchd (P_SYSTEM-like) */
		if (p->p_stat == SZOMB) {
			if (all && xs_cansignal(cp, p, signum))
				nfound++;
			continue;
		}
		if (!xs_cansignal(cp, p, signum))
			continue;
		nfound++;
		if (signum)
			xs_psignal(p, signum);
	}
	xs_proc_list_unlock();
	if (!group)
		return ESRCH;
	return nfound ? 0 : (posix ? EPERM : ESRCH);
}

struct kill_args {
	uint64_t pid;
	uint64_t signum;
	uint64_t posix;		/* libc's kill() passes 1 (UNIX03) */
};

/*
 * Routine:    xs_kill  [BSD 37]
 * Purpose:    Send signum to pid (> 0), the caller's process group (0),
 *             every permitted process (-1) or process group -pid (< -1).
 *             Signal 0 only checks existence and permission.
 * Conditions: Nothing locked.
 * Returns:    0 (also for a zombie, as POSIX asks); EINVAL (signum not in
 *             0..31), ESRCH (no such process or group), EPERM (cansignal).
 */
int xs_kill(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(kill);
	struct kill_args *a = uap;
	pid_t pid = (pid_t)a->pid;
	int signum = (int)a->signum;
	bool posix = (int)a->posix != 0;
	struct proc *t;

	(void)retval;
	if ((uint32_t)signum >= NSIG)
		return EINVAL;
	if (pid > 0) {
		t = xs_proc_find(pid);
		if (!t)
			return xs_proc_find_zombie(pid) ? 0 : ESRCH;
		if (!xs_cansignal(p, t, signum))
			return EPERM;
		if (signum)
			xs_psignal(t, signum);
		return 0;
	}
	if (pid == -1)
		return xs_killpg1(p, signum, 0, true, posix);
	if (pid == 0)
		return xs_killpg1(p, signum, 0, false, posix);
	return xs_killpg1(p, signum, (pid_t)(0u - (uint32_t)pid), false, posix);
}
