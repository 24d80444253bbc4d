/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * unix_signal.c (arm64): running a caught signal's handler.  sendsig copies
 * a frame (siginfo, ucontext64, mcontext64 holding the interrupted state)
 * below the saved sp and points the saved state at the trampoline the
 * process registered with sigaction (sa_tramp), with _sigtramp's arguments
 * in x0..x5; sigreturn (BSD 184) puts the mcontext back.
 * Corresponds to bsd/dev/arm/unix_signal.c.
 */
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/bsd/sys/signalvar.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/trap_entry.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

#include "darwin/errno.h"
#include "darwin/signal.h"
#undef sigset_t	/* the generated header defines its size under the type's name */

#define UC_TRAD               XNU_UC_TRAD
#define UC_FLAVOR             XNU_UC_FLAVOR
#define UC_SET_ALT_STACK      XNU_UC_SET_ALT_STACK
#define UC_RESET_ALT_STACK    XNU_UC_RESET_ALT_STACK
#define PSR64_USER64_DEFAULT  0u		/* EL0t, flags clear */
#define PSR64_USER_FLAGS      0xf0000000u	/* NZCV: all user space may set */
#define TRUNC_TO_16_BYTES(a)  ((a) & ~(uint64_t)0xf)

/* The frame sendsig writes on the user stack (x4/x5 carry uctx and token). */
struct user_sigframe64 {
	struct xnu_siginfo sinfo;
	struct xnu_ucontext64 uctx;
	struct xnu_mcontext64_arm64 mctx;
};

/* sendsig_get_state64: the interrupted thread, exception and NEON state. */
static void xs_sendsig_get_state64(const struct arm_saved_state64 *ss,
				   struct xnu_mcontext64_arm64 *mcp)
{
	XS_FUNC(sendsig_get_state64);

	xs_memcpy(mcp->ss.x, ss->x, sizeof(mcp->ss.x));
	mcp->ss.fp = ss->fp;
	mcp->ss.lr = ss->lr;
	mcp->ss.sp = ss->sp;
	mcp->ss.pc = ss->pc;
	mcp->ss.cpsr = ss->cpsr;
	mcp->es.far = ss->far;
	mcp->es.esr = ss->esr;
	mcp->es.exception = ss->exception;
	/* NEON state: the simulator does not track it (zeros). */
}

/* sendsig_fill_uctx64 */
static void fill_uctx64(struct xnu_ucontext64 *uctx, sigset_t mask, uint64_t sp, uint64_t mctx)
{
	xs_memset(uctx, 0, sizeof(*uctx));
	uctx->uc_sigmask = mask;
	uctx->uc_stack.ss_sp = sp;
	uctx->uc_mcsize = sizeof(struct xnu_mcontext64_arm64);
	uctx->uc_mcontext64 = mctx;
}

/* The per-signal part of the siginfo (the fault signals carry the address). */
static void fill_siginfo(struct proc *p, int sig, const struct user_sigframe64 *f,
			 struct xnu_siginfo *si)
{
	switch (sig) {
	case SIGILL:
		si->xsi_signo = sig;
		si->xsi_code = ILL_ILLTRP;
		si->xsi_addr = f->mctx.ss.pc;
		break;
	case SIGFPE:
		si->xsi_signo = sig;
		si->xsi_code = FPE_NOOP;
		si->xsi_addr = f->mctx.ss.pc;
		break;
	case SIGBUS:
	case SIGSEGV:
		si->xsi_signo = sig;
		si->xsi_code = sig == SIGBUS ? BUS_ADRALN : SEGV_ACCERR;
		si->xsi_addr = f->mctx.es.far;
		break;
	default:
		xs_sendsig_siginfo(p, sig, si);
		si->xsi_addr = f->mctx.ss.pc;
		break;
	}
	si->__pad[0] = f->mctx.ss.sp;
}

/*
 * Routine:    xs_sendsig_arm64  (sendsig)
 * Purpose:    Build catcher's frame for sig below th's saved sp (minus the
 *             128-byte red zone, 16-byte aligned) and redirect the saved
 *             state: pc = sa_tramp, x0 = catcher, x1 = infostyle (UC_FLAVOR
 *             for SA_SIGINFO, else UC_TRAD), x2 = sig, x3 = &siginfo,
 *             x4 = &ucontext, x5 = token, sp = the frame.  The ucontext
 *             records mask, which sigreturn restores.
 * Conditions: th is the current thread, in a trap; p_mlock not held.
 * Returns:    0, or -1 if the frame cannot be copied out.
 */
int xs_sendsig_arm64(struct proc *p, struct thread *th, uint64_t catcher, int sig,
		     sigset_t mask, sigset_t siginfo)
{
	XS_FUNC(sendsig);
	struct arm_saved_state64 *ss = xs_get_user_regs(th, NULL);
	struct user_sigframe64 frame;
	uint64_t sp, token, p_uctx;
	int infostyle = (siginfo & xs_sigmask(sig)) ? UC_FLAVOR : UC_TRAD;

	if (!ss)
		return -1;
	xs_memset(&frame, 0, sizeof(frame));
	token = xs_sigreturn_token(th);
	xs_sendsig_get_state64(ss, &frame.mctx);
	/* No sigaltstack in the model: the frame goes on the interrupted stack. */
	sp = TRUNC_TO_16_BYTES(ss->sp - sizeof(frame) - XS_C_64_REDZONE_LEN);
	fill_uctx64(&frame.uctx, mask, sp, sp + __builtin_offsetof(struct user_sigframe64, mctx));
	fill_siginfo(p, sig, &frame, &frame.sinfo);
	p_uctx = sp + __builtin_offsetof(struct user_sigframe64, uctx);
	token ^= p_uctx;
	if (ss->sp < sizeof(frame) + XS_C_64_REDZONE_LEN ||
	    osl_copyout(&frame, sp, sizeof(frame)) != 0) {
		th->uthread.uu_pending_sigreturn--;
		return -1;
	}
	/* sendsig_set_thread_state64 */
	ss->x[0] = catcher;
	ss->x[1] = (uint64_t)infostyle;
	ss->x[2] = (uint64_t)sig;
	ss->x[3] = sp + __builtin_offsetof(struct user_sigframe64, sinfo);
	ss->x[4] = p_uctx;
	ss->x[5] = token;
	ss->pc = p->p_sigacts.ps_trampact[sig];
	ss->cpsr = PSR64_USER64_DEFAULT;
	ss->sp = sp;
	return 0;
}

struct sigreturn_args {
	uint64_t uctx;
	uint64_t infostyle;
	uint64_t token;
};

/* sigreturn_copyin_ctx64: the ucontext, its size check, then the mcontext. */
static int xs_sigreturn_copyin_ctx64(struct xnu_ucontext64 *uctx,
				     struct xnu_mcontext64_arm64 *mctx, uint64_t uaddr)
{
	XS_FUNC(sigreturn_copyin_ctx64);

	if (osl_copyin(uaddr, uctx, sizeof(*uctx)) != 0)
		return EFAULT;
	if (uctx->uc_mcsize != sizeof(*mctx))
		return EINVAL;
	if (osl_copyin(uctx->uc_mcontext64, mctx, sizeof(*mctx)) != 0)
		return EFAULT;
	return 0;
}

/*
 * sigreturn_set_state64: the saved thread state becomes the mcontext's.
 * Only the NZCV flags come from user space: the mode bits stay EL0.
 */
static void xs_sigreturn_set_state64(struct arm_saved_state64 *ss,
				     const struct xnu_mcontext64_arm64 *mctx)
{
	XS_FUNC(sigreturn_set_state64);

	xs_memcpy(ss->x, mctx->ss.x, sizeof(ss->x));
	ss->fp = mctx->ss.fp;
	ss->lr = mctx->ss.lr;
	ss->sp = mctx->ss.sp;
	ss->pc = mctx->ss.pc;
	ss->cpsr = (mctx->ss.cpsr & PSR64_USER_FLAGS) | PSR64_USER64_DEFAULT;
}

/*
 * Routine:    xs_sigreturn_arm64  (sigreturn, BSD 184)
 * Purpose:    Return from a handler: restore the mask from the ucontext at
 *             uctx and the thread state from its mcontext, after checking
 *             the token sendsig handed to the trampoline.  UC_SET_ALT_STACK
 *             and UC_RESET_ALT_STACK only flip the alt-stack flag, which the
 *             model does not have.
 * Conditions: Current thread, in the sigreturn trap.
 * Returns:    EJUSTRETURN (the restored registers are the trap's result);
 *             0 for the alt-stack styles; EFAULT, EINVAL (bad mcsize or
 *             token: the mask is already restored then, as in XNU).
 */
int xs_sigreturn_arm64(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(sigreturn);
	struct sigreturn_args *a = uap;
	struct thread *th = xs_current_thread();
	struct arm_saved_state64 *ss = xs_get_user_regs(th, NULL);
	struct xnu_ucontext64 uctx;
	struct xnu_mcontext64_arm64 mctx;
	int error;

	(void)p;
	(void)retval;
	if ((uint32_t)a->infostyle == UC_SET_ALT_STACK ||
	    (uint32_t)a->infostyle == UC_RESET_ALT_STACK)
		return 0;
	error = xs_sigreturn_copyin_ctx64(&uctx, &mctx, a->uctx);
	if (error)
		return error;
	xs_sigreturn_setmask(th, uctx.uc_sigmask);
	if (a->token != (a->uctx ^ th->uthread.uu_sigreturn_token))
		return EINVAL;
	if (!ss)
		return EINVAL;
	xs_sigreturn_set_state64(ss, &mctx);
	if (th->uthread.uu_pending_sigreturn > 0)
		th->uthread.uu_pending_sigreturn--;
	return EJUSTRETURN;
}
