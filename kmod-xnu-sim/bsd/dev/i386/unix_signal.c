/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * unix_signal.c (x86_64): running a caught signal's handler.  sendsig copies
 * the ucontext64, siginfo and mcontext64 (the interrupted state) below the
 * saved rsp and its red zone, and points the saved state at the trampoline
 * (sa_tramp) with _sigtramp's arguments in rdi, rsi, rdx, rcx, r8, r9;
 * sigreturn (BSD 184) puts the mcontext back.
 * Corresponds to bsd/dev/i386/unix_signal.c.
 */
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/bsd/sys/signalvar.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/trap_entry.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

#include "darwin/errno.h"
#include "darwin/signal.h"
#undef sigset_t	/* the generated header defines its size under the type's name */

#define EFL_USER_FLAGS 0x0cd5u	/* CF PF AF ZF SF DF OF: user space may set them */
#define EFL_USER_SET   0x0202u	/* IF and the reserved bit are always on */

/* The interrupted registers, by name (thread_getstatus x86_THREAD_STATE64). */
static void xs_sendsig_get_state64(const struct x86_saved_state64 *s,
				   struct xnu_mcontext64_x86_64 *m)
{
	XS_FUNC_AT(thread_getstatus, "osfmk/i386/pcb.c");

	m->ss.rax = s->rax; m->ss.rbx = s->rbx; m->ss.rcx = s->rcx; m->ss.rdx = s->rdx;
	m->ss.rdi = s->rdi; m->ss.rsi = s->rsi; m->ss.rbp = s->rbp; m->ss.rsp = s->rsp;
	m->ss.r8 = s->r8; m->ss.r9 = s->r9; m->ss.r10 = s->r10; m->ss.r11 = s->r11;
	m->ss.r12 = s->r12; m->ss.r13 = s->r13; m->ss.r14 = s->r14; m->ss.r15 = s->r15;
	m->ss.rip = s->rip;
	m->ss.rflags = s->rflags;
	m->ss.cs = s->cs;
	m->ss.fs = s->fs;
	m->ss.gs = s->gs;
	m->es.trapno = (uint16_t)s->trapno;
	m->es.cpu = (uint16_t)s->cpu;
	m->es.err = (uint32_t)s->err;
	m->es.faultvaddr = s->cr2;
	/* Float state: not tracked by the simulator (zeros). */
}

static void xs_sigreturn_set_state64(struct x86_saved_state64 *s,
				     const struct xnu_mcontext64_x86_64 *m)
{
	XS_FUNC_AT(thread_setstatus, "osfmk/i386/pcb.c");

	s->rax = m->ss.rax; s->rbx = m->ss.rbx; s->rcx = m->ss.rcx; s->rdx = m->ss.rdx;
	s->rdi = m->ss.rdi; s->rsi = m->ss.rsi; s->rbp = m->ss.rbp; s->rsp = m->ss.rsp;
	s->r8 = m->ss.r8; s->r9 = m->ss.r9; s->r10 = m->ss.r10; s->r11 = m->ss.r11;
	s->r12 = m->ss.r12; s->r13 = m->ss.r13; s->r14 = m->ss.r14; s->r15 = m->ss.r15;
	s->rip = m->ss.rip;
	s->rflags = (m->ss.rflags & EFL_USER_FLAGS) | EFL_USER_SET;
	/* cs, fs and gs stay the kernel's choice. */
}

/*
 * Routine:    xs_sendsig_x86_64  (sendsig)
 * Purpose:    Below the saved rsp minus the 128-byte red zone: ucontext64,
 *             then siginfo, then mcontext64; rsp is 16-byte aligned less
 *             the 8 of a call's return address.  Then rip = sa_tramp,
 *             rdi = catcher, rsi = infostyle, rdx = sig, rcx = &siginfo,
 *             r8 = &ucontext, r9 = token.
 * Conditions: th is the current thread, in a trap; p_mlock not held.
 * Returns:    0, or -1 if the frame cannot be copied out.
 */
int xs_sendsig_x86_64(struct proc *p, struct thread *th, uint64_t catcher, int sig,
		      sigset_t mask, sigset_t siginfo)
{
	XS_FUNC(sendsig);
	struct x86_saved_state64 *ss = xs_get_user_regs(th, NULL);
	struct xnu_mcontext64_x86_64 mctx;
	struct xnu_ucontext64 uctx;
	struct xnu_siginfo sinfo;
	uint64_t ua_uctxp, ua_sip, ua_mctxp, ua_fp, token;
	int infostyle = (siginfo & xs_sigmask(sig)) ? XNU_UC_FLAVOR : XNU_UC_TRAD;

	if (!ss || ss->rsp < 4096)
		return -1;
	xs_memset(&mctx, 0, sizeof(mctx));
	xs_memset(&uctx, 0, sizeof(uctx));
	xs_memset(&sinfo, 0, sizeof(sinfo));
	token = xs_sigreturn_token(th);
	xs_sendsig_get_state64(ss, &mctx);

	ua_uctxp = ss->rsp - XS_C_64_REDZONE_LEN - sizeof(uctx);
	ua_sip = ua_uctxp - sizeof(sinfo);
	ua_mctxp = (ua_sip - sizeof(mctx)) & ~(uint64_t)0xf;
	ua_fp = ua_mctxp - sizeof(uint64_t);	/* as after a call */

	uctx.uc_sigmask = mask;
	uctx.uc_stack.ss_sp = ua_fp;
	uctx.uc_mcsize = sizeof(mctx);
	uctx.uc_mcontext64 = ua_mctxp;
	if (sig == SIGSEGV || sig == SIGBUS) {
		sinfo.xsi_signo = sig;
		sinfo.xsi_code = sig == SIGBUS ? BUS_ADRERR : SEGV_ACCERR;
		sinfo.xsi_addr = ss->cr2;
	} else {
		xs_sendsig_siginfo(p, sig, &sinfo);
		sinfo.xsi_addr = ss->rip;
	}
	token ^= ua_uctxp;
	if (osl_copyout(&uctx, ua_uctxp, sizeof(uctx)) != 0 ||
	    osl_copyout(&sinfo, ua_sip, sizeof(sinfo)) != 0 ||
	    osl_copyout(&mctx, ua_mctxp, sizeof(mctx)) != 0) {
		th->uthread.uu_pending_sigreturn--;
		return -1;
	}
	ss->rdi = catcher;
	ss->rsi = (uint64_t)infostyle;
	ss->rdx = (uint64_t)sig;
	ss->rcx = ua_sip;
	ss->r8 = ua_uctxp;
	ss->r9 = token;
	ss->rip = p->p_sigacts.ps_trampact[sig];
	ss->rsp = ua_fp;
	ss->rflags = EFL_USER_SET;
	return 0;
}

struct sigreturn_args {
	uint64_t uctx;
	uint64_t infostyle;
	uint64_t token;
};

/*
 * Routine:    xs_sigreturn_x86_64  (sigreturn, BSD 184)
 * Purpose:    Return from a handler: the mask from the ucontext at uctx,
 *             then (token checked) the registers from its mcontext.
 * Conditions: Current thread, in the sigreturn trap.
 * Returns:    EJUSTRETURN; 0 for UC_SET_ALT_STACK / UC_RESET_ALT_STACK;
 *             EFAULT; EINVAL (mcsize, token).
 */
int xs_sigreturn_x86_64(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(sigreturn);
	struct sigreturn_args *a = uap;
	struct thread *th = xs_current_thread();
	struct x86_saved_state64 *ss = xs_get_user_regs(th, NULL);
	struct xnu_ucontext64 uctx;
	struct xnu_mcontext64_x86_64 mctx;

	(void)p;
	(void)retval;
	if ((uint32_t)a->infostyle == XNU_UC_SET_ALT_STACK ||
	    (uint32_t)a->infostyle == XNU_UC_RESET_ALT_STACK)
		return 0;
	if (osl_copyin(a->uctx, &uctx, sizeof(uctx)) != 0)
		return EFAULT;
	if (uctx.uc_mcsize != sizeof(mctx))
		return EINVAL;
	if (osl_copyin(uctx.uc_mcontext64, &mctx, sizeof(mctx)) != 0)
		return EFAULT;
	xs_sigreturn_setmask(th, uctx.uc_sigmask);
	if (a->token != (a->uctx ^ th->uthread.uu_sigreturn_token) || !ss)
		return EINVAL;
	xs_sigreturn_set_state64(ss, &mctx);
	if (th->uthread.uu_pending_sigreturn > 0)
		th->uthread.uu_pending_sigreturn--;
	return EJUSTRETURN;
}
