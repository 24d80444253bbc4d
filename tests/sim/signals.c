/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * signals: sigaction, sigprocmask, __pthread_sigmask, sigpending, sigsuspend
 * and caught-signal delivery through sendsig / the trampoline / sigreturn,
 * in this process, on arm64 and then (after a reboot) x86_64: handlers run
 * at the return of any trap with the right signo, siginfo and ucontext; the
 * mask is blocked during the handler and restored after; an interrupted
 * blocking call answers EINTR; the trampoline's registers follow XNU's
 * sendsig.
 */
#include <pthread.h>

#include "tests/sim/proc_child.h"

#define sigset_t xs_sigset_t
#define mode_t xs_mode_t
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/exception.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#undef sigset_t
#undef mode_t
#include "kmod-xnu-sim/include/xnusim/libsyscall.h"
#include "darwin/errno.h"
#include "darwin/kern_return.h"
#include "darwin/mach_msg.h"
#include "darwin/signal.h"	/* from here on SIG* and SA_* are Darwin's */
#undef sigset_t

#include "tests/harness.h"

#define M(s) (1u << ((s) - 1))

static volatile int got_count, got_sig, got_code, got_style;
static volatile uint32_t mask_in_handler;
static volatile uint64_t uctx_x16, uctx_x0, uctx_mcsize, uctx_sigmask;
static volatile int64_t uctx_pid_result;

static uint32_t cur_mask(void)
{
	uint32_t m = 0xdead;

	xnu_sigprocmask(SIG_BLOCK, NULL, &m);
	return m;
}

static void on_sig(int sig)
{
	got_count++;
	got_sig = sig;
	mask_in_handler = cur_mask();
	xnu_getpid();	/* a trap inside a handler is fine */
}

static void on_info(int sig, struct xnu_siginfo *si, void *uc)
{
	struct xnu_ucontext64 *u = uc;

	got_count++;
	got_sig = si->xsi_signo == sig ? sig : -1;
	got_code = si->xsi_code;
	mask_in_handler = cur_mask();
	uctx_mcsize = u->uc_mcsize;
	uctx_sigmask = u->uc_sigmask;
	if (xnusim_arch() == XNUSIM_ARCH_ARM64) {
		struct xnu_mcontext64_arm64 *mc = (void *)(uintptr_t)u->uc_mcontext64;

		uctx_x16 = mc->ss.x[16];	/* the interrupted trap's number */
		uctx_x0 = mc->ss.x[0];		/* ... and its result */
	} else {
		struct xnu_mcontext64_x86_64 *mc = (void *)(uintptr_t)u->uc_mcontext64;

		uctx_x16 = mc->ss.rax;		/* the result (rax) */
		uctx_x0 = mc->ss.rax;
	}
}

static void reset_got(void)
{
	got_count = got_sig = got_code = got_style = 0;
	mask_in_handler = 0xdead;
}

static int set_handler(int sig, void (*fn)(int), uint32_t mask, int flags)
{
	struct xnu_sigaction sa = { .xsa_handler = fn, .sa_mask = mask, .sa_flags = flags };

	return xnu_sigaction(sig, &sa, NULL);
}

static void set_default(int sig)
{
	set_handler(sig, (void (*)(int))SIG_DFL, 0, 0);
}

TEST(sigaction_rejects_bad_signals_and_pointers)
{
	struct xnu_sigaction sa = { .xsa_handler = on_sig }, old;
	int bad[] = { 0, -1, 32, 1000, SIGKILL, SIGSTOP };

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		xnu_errno = 0;
		EXPECT_EQ(xnu_sigaction(bad[i], &sa, NULL), -1);
		EXPECT_EQ(xnu_errno, EINVAL);
		EXPECT_EQ(xnu_sigaction(bad[i], NULL, &old), -1);	/* even to query */
		EXPECT_EQ(xnu_errno, EINVAL);
	}
	EXPECT_EQ(xnu___sigaction(SIGUSR1, (void *)8, NULL), -1);
	EXPECT_EQ(xnu_errno, EFAULT);
	EXPECT_EQ(xnu_sigaction(SIGUSR1, NULL, (void *)8), -1);
	EXPECT_EQ(xnu_errno, EFAULT);
}

TEST(sigaction_round_trips_handler_mask_and_flags)
{
	struct xnu_sigaction old;
	int flags = SA_RESTART | SA_SIGINFO | SA_NODEFER | SA_RESETHAND | SA_ONSTACK;

	/* sa_mask loses SIGKILL/SIGSTOP; flags outside SA_USERSPACE_MASK go. */
	ASSERT_EQ(set_handler(SIGUSR1, on_sig, M(SIGINT) | M(SIGKILL) | M(SIGSTOP),
			      flags | SA_USERTRAMP | 0x400), 0);
	ASSERT_EQ(xnu_sigaction(SIGUSR1, NULL, &old), 0);
	EXPECT_TRUE(old.xsa_handler == on_sig);
	EXPECT_EQ(old.sa_mask, M(SIGINT));
	EXPECT_EQ(old.sa_flags, flags);
	set_default(SIGUSR1);
	ASSERT_EQ(xnu_sigaction(SIGUSR1, NULL, &old), 0);
	EXPECT_TRUE(old.xsa_handler == NULL);
	EXPECT_EQ(old.sa_flags, 0);		/* no SA_RESTART asked: ps_sigintr */
	ASSERT_EQ(xnu_sigaction(SIGWINCH, NULL, &old), 0);
	EXPECT_EQ(old.sa_flags, SA_RESTART);	/* never set: restartable */
	/* SIGCHLD's own flags. */
	ASSERT_EQ(set_handler(SIGCHLD, (void (*)(int))SIG_DFL, 0, SA_NOCLDSTOP | SA_NOCLDWAIT), 0);
	ASSERT_EQ(xnu_sigaction(SIGCHLD, NULL, &old), 0);
	EXPECT_EQ(old.sa_flags & (SA_NOCLDSTOP | SA_NOCLDWAIT), SA_NOCLDSTOP | SA_NOCLDWAIT);
	set_default(SIGCHLD);
	ASSERT_EQ(xnu_sigaction(SIGCHLD, NULL, &old), 0);
	EXPECT_EQ(old.sa_flags & (SA_NOCLDSTOP | SA_NOCLDWAIT), 0);
}

TEST(handler_runs_at_the_return_of_kill_to_self)
{
	reset_got();
	ASSERT_EQ(set_handler(SIGUSR1, on_sig, 0, 0), 0);
	EXPECT_EQ(xnu_kill(xnu_getpid(), SIGUSR1), 0);	/* the raise() path */
	EXPECT_EQ(got_count, 1);
	EXPECT_EQ(got_sig, SIGUSR1);
	EXPECT_EQ(mask_in_handler, M(SIGUSR1));		/* blocked while it runs */
	EXPECT_EQ(cur_mask(), 0u);			/* sigreturn restored it */
	EXPECT_EQ(xnu_getpid(), xs_current_proc()->p_pid);
	set_default(SIGUSR1);
}

TEST(handler_runs_at_the_return_of_any_trap)
{
	struct thread *th = osl_current_thread();
	int pid;

	reset_got();
	ASSERT_EQ(set_handler(SIGUSR2, on_sig, 0, 0), 0);
	xs_psignal_thread(th, SIGUSR2);	/* posted from "outside" */
	EXPECT_EQ(got_count, 0);
	pid = xnu_getpid();		/* delivered on getpid's way out */
	EXPECT_EQ(got_count, 1);
	EXPECT_EQ(pid, xs_current_proc()->p_pid);	/* getpid's result survives */
	xs_psignal_thread(th, SIGUSR2);
	EXPECT_EQ(xnu_mach_task_self() != 0, 1);	/* a Mach trap too */
	EXPECT_EQ(got_count, 2);
	set_default(SIGUSR2);
}

TEST(siginfo_and_ucontext_reach_an_sa_siginfo_handler)
{
	struct xnu_sigaction sa = { .xsa_sigaction = on_info, .sa_mask = M(SIGINT),
				    .sa_flags = SA_SIGINFO };

	reset_got();
	ASSERT_EQ(xnu_sigaction(SIGUSR1, &sa, NULL), 0);
	EXPECT_EQ(xnu_kill(xnu_getpid(), SIGUSR1), 0);
	EXPECT_EQ(got_count, 1);
	EXPECT_EQ(got_sig, SIGUSR1);
	EXPECT_EQ(mask_in_handler, M(SIGUSR1) | M(SIGINT));	/* sa_mask too */
	EXPECT_EQ(uctx_sigmask, 0u);		/* the mask to restore */
	if (xnusim_arch() == XNUSIM_ARCH_ARM64) {
		EXPECT_EQ(uctx_mcsize, sizeof(struct xnu_mcontext64_arm64));
		EXPECT_EQ(uctx_x16, 37);	/* interrupted in kill (BSD 37) */
		EXPECT_EQ(uctx_x0, 0);		/* which had returned 0 */
	} else {
		EXPECT_EQ(uctx_mcsize, sizeof(struct xnu_mcontext64_x86_64));
		EXPECT_EQ(uctx_x0, 0);
	}
	EXPECT_EQ(cur_mask(), 0u);
	set_default(SIGUSR1);
}

TEST(sa_nodefer_sa_resethand_and_restart_flag)
{
	struct xnu_sigaction old;

	reset_got();
	ASSERT_EQ(set_handler(SIGUSR1, on_sig, 0, SA_NODEFER | SA_RESETHAND), 0);
	EXPECT_EQ(xnu_kill(xnu_getpid(), SIGUSR1), 0);
	EXPECT_EQ(got_count, 1);
	EXPECT_EQ(mask_in_handler, 0u);		/* SA_NODEFER: not blocked */
	ASSERT_EQ(xnu_sigaction(SIGUSR1, NULL, &old), 0);
	EXPECT_TRUE(old.xsa_handler == NULL);	/* SA_RESETHAND: back to SIG_DFL */
	/* SIGURG's default is ignore: a reset SIGURG stays ignored. */
	reset_got();
	ASSERT_EQ(set_handler(SIGURG, on_sig, 0, SA_RESETHAND), 0);
	EXPECT_EQ(xnu_kill(xnu_getpid(), SIGURG), 0);
	EXPECT_EQ(xnu_kill(xnu_getpid(), SIGURG), 0);
	EXPECT_EQ(got_count, 1);
}

TEST(sigprocmask_blocks_defers_and_rejects)
{
	uint32_t set = M(SIGUSR1), pend = 0xdead, old = 0, all = 0xffffffffu;

	reset_got();
	ASSERT_EQ(set_handler(SIGUSR1, on_sig, 0, 0), 0);
	ASSERT_EQ(xnu_sigprocmask(SIG_BLOCK, &set, &old), 0);
	EXPECT_EQ(old, 0u);
	EXPECT_EQ(xnu_kill(xnu_getpid(), SIGUSR1), 0);
	EXPECT_EQ(got_count, 0);			/* blocked: stays pending */
	ASSERT_EQ(xnu_sigpending(&pend), 0);
	EXPECT_EQ(pend, M(SIGUSR1));
	ASSERT_EQ(xnu_sigprocmask(SIG_UNBLOCK, &set, NULL), 0);
	EXPECT_EQ(got_count, 1);			/* delivered on the way out */
	ASSERT_EQ(xnu_sigpending(&pend), 0);
	EXPECT_EQ(pend, 0u);
	/* SIGKILL and SIGSTOP cannot be blocked. */
	ASSERT_EQ(xnu_sigprocmask(SIG_SETMASK, &all, NULL), 0);
	EXPECT_EQ(cur_mask(), ~(M(SIGKILL) | M(SIGSTOP)));
	ASSERT_EQ(xnu_sigprocmask(SIG_SETMASK, &(uint32_t){ 0 }, &old), 0);
	EXPECT_EQ(old, ~(M(SIGKILL) | M(SIGSTOP)));
	/* Errors: bad how (only with a set), bad pointers. */
	EXPECT_EQ(xnu_sigprocmask(0, &set, NULL), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_sigprocmask(7, NULL, &old), 0);	/* how unused without set */
	EXPECT_EQ(xnu_sigprocmask(SIG_BLOCK, (void *)8, NULL), -1);
	EXPECT_EQ(xnu_errno, EFAULT);
	EXPECT_EQ(xnu_sigprocmask(SIG_BLOCK, NULL, (void *)8), -1);
	EXPECT_EQ(xnu_errno, EFAULT);
	EXPECT_EQ(xnu_sigpending((void *)8), -1);
	EXPECT_EQ(xnu_errno, EFAULT);
	EXPECT_EQ(xnu_pthread_sigmask(SIG_BLOCK, &set, NULL), 0);
	EXPECT_EQ(cur_mask(), M(SIGUSR1));
	EXPECT_EQ(xnu_pthread_sigmask(9, &set, NULL), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_pthread_sigmask(SIG_UNBLOCK, &set, NULL), 0);
	EXPECT_EQ(cur_mask(), 0u);
	set_default(SIGUSR1);
}

TEST(ignored_signal_is_dropped_and_pending_one_discarded)
{
	uint32_t set = M(SIGUSR2), pend = 0xdead;

	reset_got();
	ASSERT_EQ(set_handler(SIGUSR2, on_sig, 0, 0), 0);
	ASSERT_EQ(xnu_sigprocmask(SIG_BLOCK, &set, NULL), 0);
	EXPECT_EQ(xnu_kill(xnu_getpid(), SIGUSR2), 0);
	ASSERT_EQ(set_handler(SIGUSR2, (void (*)(int))SIG_IGN, 0, 0), 0);
	ASSERT_EQ(xnu_sigpending(&pend), 0);
	EXPECT_EQ(pend, 0u);			/* SIG_IGN discards the pending one */
	ASSERT_EQ(xnu_sigprocmask(SIG_UNBLOCK, &set, NULL), 0);
	EXPECT_EQ(xnu_kill(xnu_getpid(), SIGUSR2), 0);	/* default would kill us */
	EXPECT_EQ(got_count, 0);
	set_default(SIGUSR2);
}

/* A trampoline of our own (raw __sigaction): records what sendsig passed. */
static volatile uint64_t tr_catcher, tr_style, tr_sig, tr_token;
static volatile int tr_badtoken_err, tr_mcsize_err;
static struct xnu_siginfo *volatile tr_sinfo;

static void my_tramp(uint64_t catcher, uint64_t style, uint64_t sig, uint64_t sinfo,
		     uint64_t uctx, uint64_t token)
{
	struct xnu_ucontext64 *u = (void *)(uintptr_t)uctx, copy;

	tr_catcher = catcher;
	tr_style = style;
	tr_sig = sig;
	tr_token = token;
	tr_sinfo = (void *)(uintptr_t)sinfo;
	((void (*)(int))(uintptr_t)catcher)((int)sig);
	tr_badtoken_err = xnu_sigreturn(u, (int)style, token ^ 1) == -1 ? xnu_errno : 0;
	copy = *u;
	copy.uc_mcsize = 12;
	tr_mcsize_err = xnu_sigreturn(&copy, (int)style, token) == -1 ? xnu_errno : 0;
	xnu_sigreturn(u, (int)style, token);	/* restores: no return in spirit */
}

#define XS_U64_T(f) ((uint64_t)(uintptr_t)(f))

static void expect_custom_trampoline(void)
{
	struct xnu___sigaction nsa = { XS_U64_T(on_sig), XS_U64_T(my_tramp), 0, 0 };
	int pid;

	reset_got();
	ASSERT_EQ(xnu___sigaction(SIGUSR1, &nsa, NULL), 0);
	pid = xnu_getpid();
	EXPECT_EQ(xnu_kill(pid, SIGUSR1), 0);
	EXPECT_EQ(got_count, 1);
	EXPECT_EQ(tr_catcher, XS_U64_T(on_sig));
	EXPECT_EQ(tr_style, 1);			/* UC_TRAD */
	EXPECT_EQ(tr_sig, SIGUSR1);
	ASSERT_TRUE(tr_sinfo != NULL);
	EXPECT_EQ(tr_sinfo->xsi_signo, SIGUSR1);
	EXPECT_EQ(tr_badtoken_err, EINVAL);
	EXPECT_EQ(tr_mcsize_err, EINVAL);
	EXPECT_EQ(cur_mask(), 0u);
	nsa.sa_flags = SA_SIGINFO;
	ASSERT_EQ(xnu___sigaction(SIGUSR1, &nsa, NULL), 0);
	EXPECT_EQ(xnu_kill(pid, SIGUSR1), 0);
	EXPECT_EQ(tr_style, 30);		/* UC_FLAVOR */
	set_default(SIGUSR1);
}

TEST(trampoline_gets_xnu_sendsig_arguments)
{
	expect_custom_trampoline();
}

TEST(sigreturn_rejects_bad_contexts)
{
	struct xnu_ucontext64 u = { 0 };

	EXPECT_EQ(xnu_sigreturn((void *)8, XNU_UC_FLAVOR, 0), -1);
	EXPECT_EQ(xnu_errno, EFAULT);
	u.uc_mcsize = 3;
	EXPECT_EQ(xnu_sigreturn(&u, XNU_UC_FLAVOR, 0), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	u.uc_mcsize = xnusim_arch() == XNUSIM_ARCH_ARM64 ? sizeof(struct xnu_mcontext64_arm64)
						      : sizeof(struct xnu_mcontext64_x86_64);
	u.uc_mcontext64 = 8;
	EXPECT_EQ(xnu_sigreturn(&u, XNU_UC_FLAVOR, 0), -1);
	EXPECT_EQ(xnu_errno, EFAULT);
	EXPECT_EQ(xnu_sigreturn(NULL, XNU_UC_SET_ALT_STACK, 0), 0);
}

/* ---- Interrupting a blocked call ------------------------------------------ */

struct poke {
	struct thread *target;
	int sig;
};

static void *poke_thread(void *arg)
{
	struct poke *pk = arg;

	usleep(100 * 1000);
	xs_psignal_thread(pk->target, pk->sig);
	return NULL;
}

static void poke_later(struct poke *pk, pthread_t *t, int sig)
{
	pk->target = osl_current_thread();
	pk->sig = sig;
	pthread_create(t, NULL, poke_thread, pk);
}

TEST(signal_interrupts_a_blocked_read_with_eintr)
{
	struct poke pk;
	pthread_t t;
	int fds[2];
	char c;

	reset_got();
	ASSERT_EQ(xnu_pipe(fds), 0);
	ASSERT_EQ(set_handler(SIGUSR1, on_sig, 0, 0), 0);
	poke_later(&pk, &t, SIGUSR1);
	EXPECT_EQ(xnu_read(fds[0], &c, 1), -1);
	EXPECT_EQ(xnu_errno, EINTR);
	EXPECT_EQ(got_count, 1);
	pthread_join(t, NULL);
	xnu_close(fds[0]);
	xnu_close(fds[1]);
	set_default(SIGUSR1);
}

TEST(sigsuspend_waits_for_a_handler_and_restores_the_mask)
{
	uint32_t blocked = M(SIGUSR1), none = 0;
	struct poke pk;
	pthread_t t;

	reset_got();
	ASSERT_EQ(set_handler(SIGUSR1, on_sig, 0, 0), 0);
	ASSERT_EQ(xnu_sigprocmask(SIG_SETMASK, &blocked, NULL), 0);
	poke_later(&pk, &t, SIGUSR1);
	EXPECT_EQ(xnu_sigsuspend(&none), -1);
	EXPECT_EQ(xnu_errno, EINTR);
	EXPECT_EQ(got_count, 1);
	EXPECT_EQ(cur_mask(), M(SIGUSR1));	/* the mask from before sigsuspend */
	pthread_join(t, NULL);
	ASSERT_EQ(xnu_sigprocmask(SIG_SETMASK, &none, NULL), 0);
	set_default(SIGUSR1);
}

TEST(signal_interrupts_semaphore_wait_and_mach_msg_receive)
{
	struct { struct xnu_mach_msg_header h; char body[64]; } msg;
	xnu_port_t sema = 0, port;
	struct poke pk;
	pthread_t t;

	reset_got();
	ASSERT_EQ(set_handler(SIGUSR1, on_sig, 0, SA_RESTART), 0);
	ASSERT_EQ(xnu_semaphore_create(xnu_mach_task_self(), &sema, 0, 0), KERN_SUCCESS);
	poke_later(&pk, &t, SIGUSR1);
	EXPECT_EQ(xnu_semaphore_wait(sema), KERN_ABORTED);	/* Mach: no restart */
	EXPECT_EQ(got_count, 1);
	pthread_join(t, NULL);
	xnu_semaphore_destroy(xnu_mach_task_self(), sema);

	port = xnu_mach_reply_port();
	ASSERT_TRUE(port != 0);
	poke_later(&pk, &t, SIGUSR1);
	/* MACH_RCV_INTERRUPT: else libsyscall's mach_msg retries the receive. */
	EXPECT_EQ(xnu_mach_msg(&msg.h, MACH_RCV_MSG | MACH_RCV_INTERRUPT, 0, sizeof(msg), port,
			       0, 0), MACH_RCV_INTERRUPTED);
	EXPECT_EQ(got_count, 2);
	pthread_join(t, NULL);
	set_default(SIGUSR1);
}

/* Last: the same on an x86_64 machine (this process re-boots onto one). */
TEST(x86_64_delivery_sigreturn_and_trampoline)
{
	struct xnu_sigaction sa = { .xsa_sigaction = on_info, .sa_flags = SA_SIGINFO };

	ASSERT_TRUE(xnusim_boot(XNUSIM_ARCH_X86_64) > 0);
	ASSERT_EQ(xnusim_arch(), XNUSIM_ARCH_X86_64);
	reset_got();
	ASSERT_EQ(xnu_sigaction(SIGUSR2, &sa, NULL), 0);
	EXPECT_EQ(xnu_kill(xnu_getpid(), SIGUSR2), 0);
	EXPECT_EQ(got_count, 1);
	EXPECT_EQ(got_sig, SIGUSR2);
	EXPECT_EQ(mask_in_handler, M(SIGUSR2));
	EXPECT_EQ(uctx_mcsize, sizeof(struct xnu_mcontext64_x86_64));
	EXPECT_EQ(uctx_x0, 0);
	EXPECT_EQ(cur_mask(), 0u);
	set_default(SIGUSR2);
	expect_custom_trampoline();
}
