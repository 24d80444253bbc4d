/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * signal_stubs.c: the user side of signals: the stubs (sigaction with
 * libc's trampoline in sa_tramp, sigprocmask, sigpending, sigsuspend, kill,
 * wait4, sigreturn) and the trampoline itself.  The simulator cannot jump:
 * after every trap the stub looks at the saved pc, and when sendsig pointed
 * it at a trampoline, calls it as a function with x0..x5 (rdi, rsi, rdx,
 * rcx, r8, r9); the trampoline runs the handler and then sigreturn, whose
 * restored registers are copied back into the interrupted stub's state so
 * it completes the original call (docs/fidelity.md, "Signals").
 * Corresponds to libsyscall's __sigaction / __sigreturn stubs and
 * libplatform's _sigtramp (src/setjmp/generic/sigtramp.c).
 */
#include "kmod-xnu-sim/libsyscall/libsyscall_internal.h"

#include "kmod-xnu-sim/osl/osl.h"

enum {
	SYS_wait4 = 7, SYS_getpid = 20, SYS_kill = 37, SYS_sigaction = 46,
	SYS_sigprocmask = 48, SYS_sigpending = 52, SYS_sigsuspend = 111,
	SYS_sigreturn = 184, SYS___pthread_sigmask = 329, SYS_wait4_nocancel = 400,
};

#define XS_SIGILL      4	/* Darwin's, for the trampoline's last resort */
#define XS_SIG_SETMASK 3
#define XS_RESTORED    (-1)	/* xs_sigreturn_trap: a state was restored */

/* Where the stubs' trap instructions sit (syscall.c), and sigreturn's own. */
#define XS_STUB_PC      0x100004000ull
#define XS_SIGRETURN_PC 0x100008000ull
#define XS_ARM64_SVC_LEN   4
#define XS_X86_SYSCALL_LEN 2

/* The state of the stub whose handler is running: sigreturn restores into it. */
static _Thread_local void *xs_sig_resume;
static _Thread_local bool xs_sig_restored;	/* ... and it did */

typedef void (*xs_tramp_fn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

/*
 * __builtin_trap after a failed sigreturn, as libplatform's _sigtramp has:
 * the process dies of SIGILL (its default action restored first, since the
 * trap instruction's SIGILL could not be caught usefully either).
 */
static _Noreturn void xs_sigtramp_crash(void)
{
	struct xnu___sigaction dfl = { 0, 0, 0, 0 };
	uint32_t none = 0;

	XS_BSD(SYS_sigaction, XS_I64(XS_SIGILL), XS_U64(&dfl), 0);
	XS_BSD(SYS___pthread_sigmask, XS_I64(XS_SIG_SETMASK), XS_U64(&none), 0);
	XS_BSD(SYS_kill, (uint64_t)XS_BSD0(SYS_getpid), XS_I64(XS_SIGILL), 1);
	osl_process_terminate(XS_SIGILL | 0x80);
}

/*
 * sigreturn's trap, from its own saved state.  When the kernel restored a
 * state (EJUSTRETURN: pc is no longer ours) it is copied into the stub the
 * handler interrupted.  Returns XS_RESTORED, 0 (success without a state:
 * the alt-stack styles), or the errno.
 */
static int xs_sigreturn_trap(uint64_t uctx, uint64_t style, uint64_t token)
{
	uint64_t ustack[XS_SIG_USTACK_WORDS];
	uint64_t top = XS_U64(&ustack[XS_SIG_USTACK_WORDS]);

	if (xs_libsyscall_arch() == XS_ARCH_ARM64) {
		struct arm_saved_state64 s = { 0 };

		s.x[0] = uctx;
		s.x[1] = style;
		s.x[2] = token;
		s.x[ARM64_SYSCALL_CODE_REG_NUM] = SYS_sigreturn;
		s.sp = top;
		s.pc = XS_SIGRETURN_PC;
		xnu_trap_arm64(&s);
		if (s.pc == XS_SIGRETURN_PC)
			return (s.cpsr & PSR64_CF) ? (int)s.x[0] : 0;
		if (xs_sig_resume)
			*(struct arm_saved_state64 *)xs_sig_resume = s;
		xs_sig_restored = true;
		return XS_RESTORED;
	} else {
		struct x86_saved_state64 s = { 0 };

		s.rdi = uctx;
		s.rsi = style;
		s.rdx = token;
		s.rax = SYSCALL_CONSTRUCT(SYSCALL_CLASS_UNIX, SYS_sigreturn);
		s.rsp = top;
		s.rflags = 0x202;
		s.rip = XS_SIGRETURN_PC;
		xnu_trap_x86_64(&s);
		if (s.rip == XS_SIGRETURN_PC)
			return (s.rflags & EFL_CF) ? (int)s.rax : 0;
		if (xs_sig_resume)
			*(struct x86_saved_state64 *)xs_sig_resume = s;
		xs_sig_restored = true;
		return XS_RESTORED;
	}
}

/*
 * Routine:    xnu_sigtramp  (_sigtramp)
 * Purpose:    What sendsig sends the thread to: call the handler, the
 *             traditional way (UC_TRAD: handler(sig)) or with SA_SIGINFO
 *             (UC_FLAVOR: handler(sig, info, uctx)), then sigreturn with
 *             the ucontext and the kernel's token.  xnu_sigaction passes it
 *             as sa_tramp.  It does not return to its caller in spirit:
 *             sigreturn's state replaces the interrupted stub's.
 */
void xnu_sigtramp(uint64_t catcher, int style, int sig, struct xnu_siginfo *sinfo,
		  struct xnu_ucontext64 *uctx, uint64_t token)
{
	if (style == XNU_UC_TRAD)
		((void (*)(int))(uintptr_t)catcher)(sig);
	else
		((void (*)(int, struct xnu_siginfo *, void *))(uintptr_t)catcher)(sig, sinfo,
										  uctx);
	if (xs_sigreturn_trap(XS_U64(uctx), (uint64_t)style, token) == XS_RESTORED)
		return;
	xs_sigtramp_crash();
}

/* Is pc one of the stubs' own (after the trap, or backed up by ERESTART)? */
static inline bool xs_stub_pc(uint64_t pc, uint64_t insn_len)
{
	return pc == XS_STUB_PC || pc == XS_STUB_PC - insn_len || pc == XS_SIGRETURN_PC ||
	       pc == 0;
}

/*
 * "Jump" to the trampoline at pc with its six arguments, s being the state
 * its sigreturn restores into.  A trampoline that returns without a
 * successful sigreturn would run off into nowhere: the process dies.
 */
static void xs_sigtramp_call(void *s, uint64_t pc, const uint64_t *a)
{
	void *prev = xs_sig_resume;
	bool prev_restored = xs_sig_restored, restored;

	xs_sig_resume = s;
	xs_sig_restored = false;
	((xs_tramp_fn)(uintptr_t)pc)(a[0], a[1], a[2], a[3], a[4], a[5]);
	restored = xs_sig_restored;
	xs_sig_resume = prev;
	xs_sig_restored = prev_restored;
	if (!restored)
		xs_sigtramp_crash();
}

void xs_sigtramp_arm64(struct arm_saved_state64 *s)
{
	while (!xs_stub_pc(s->pc, XS_ARM64_SVC_LEN)) {
		struct arm_saved_state64 e = *s;

		xs_sigtramp_call(s, e.pc, e.x);
	}
}

void xs_sigtramp_x86_64(struct x86_saved_state64 *s)
{
	while (!xs_stub_pc(s->rip, XS_X86_SYSCALL_LEN)) {
		struct x86_saved_state64 e = *s;
		uint64_t a[6] = { e.rdi, e.rsi, e.rdx, e.rcx, e.r8, e.r9 };

		xs_sigtramp_call(s, e.rip, a);
	}
}

/* ---- The stubs ------------------------------------------------------------ */

int xnu_sigaction(int sig, const struct xnu_sigaction *act, struct xnu_sigaction *oact)
{
	struct xnu___sigaction sa;

	if (!act)
		return (int)XS_BSD(SYS_sigaction, XS_I64(sig), 0, XS_U64(oact));
	sa.xsa_handler = XS_U64(act->xsa_handler);
	sa.sa_tramp = XS_U64(xnu_sigtramp);
	sa.sa_mask = act->sa_mask;
	sa.sa_flags = act->sa_flags;
	return (int)XS_BSD(SYS_sigaction, XS_I64(sig), XS_U64(&sa), XS_U64(oact));
}

int xnu___sigaction(int sig, const struct xnu___sigaction *nsa, struct xnu_sigaction *osa)
{
	return (int)XS_BSD(SYS_sigaction, XS_I64(sig), XS_U64(nsa), XS_U64(osa));
}

int xnu_sigprocmask(int how, const xnu_sigset_t *set, xnu_sigset_t *oset)
{
	return (int)XS_BSD(SYS_sigprocmask, XS_I64(how), XS_U64(set), XS_U64(oset));
}

int xnu_pthread_sigmask(int how, const xnu_sigset_t *set, xnu_sigset_t *oset)
{
	return (int)XS_BSD(SYS___pthread_sigmask, XS_I64(how), XS_U64(set), XS_U64(oset));
}

int xnu_sigpending(xnu_sigset_t *set)
{
	return (int)XS_BSD(SYS_sigpending, XS_U64(set));
}

int xnu_sigsuspend(const xnu_sigset_t *mask)
{
	return (int)XS_BSD(SYS_sigsuspend, (uint64_t)*mask);
}

int xnu_kill(int pid, int sig)
{
	return (int)XS_BSD(SYS_kill, XS_I64(pid), XS_I64(sig), 1);	/* posix */
}

int xnu_wait4(int pid, int *status, int options, void *rusage)
{
	return (int)XS_BSD(SYS_wait4, XS_I64(pid), XS_U64(status), XS_I64(options),
			   XS_U64(rusage));
}

int xnu_wait4_nocancel(int pid, int *status, int options, void *rusage)
{
	return (int)XS_BSD(SYS_wait4_nocancel, XS_I64(pid), XS_U64(status), XS_I64(options),
			   XS_U64(rusage));
}

int xnu_sigreturn(struct xnu_ucontext64 *uctx, int infostyle, uint64_t token)
{
	int r = xs_sigreturn_trap(XS_U64(uctx), XS_I64(infostyle), token);

	return r > 0 ? (int)xs_cerror(r) : 0;
}
