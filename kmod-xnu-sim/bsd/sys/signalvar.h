/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * signalvar.h: what kern_sig.c shares with the machine-dependent signal code
 * (bsd/dev/arm/unix_signal.c, bsd/dev/i386/unix_signal.c): mask helpers,
 * the sendsig / sigreturn halves per architecture, and the siginfo and
 * token helpers both use.  Corresponds to bsd/sys/signalvar.h.
 */
#ifndef XS_SYS_SIGNALVAR_H
#define XS_SYS_SIGNALVAR_H

#include "kmod-xnu-sim/osfmk/kern/kern_types.h"
#include "kmod-xnu-sim/include/xnusim/abi/signal.h"

struct proc;
struct thread;

#define xs_sigmask(s)  (1u << ((s) - 1))
#define XS_SIGCANTMASK (xs_sigmask(9 /* SIGKILL */) | xs_sigmask(17 /* SIGSTOP */))

/* The bytes of the red zone sendsig leaves below the interrupted sp (arm64, x86_64). */
#define XS_C_64_REDZONE_LEN 128

/*
 * sendsig, per architecture: build the signal frame (siginfo, ucontext,
 * mcontext) below the saved sp of th's current trap and point the saved
 * state at the trampoline.  Called by postsig_locked with p_mlock dropped.
 * Returns 0, or -1 when the frame cannot be written (the caller then kills
 * the process with SIGILL, as sendsig's "bad" path does).
 */
int xs_sendsig_arm64(struct proc *p, struct thread *th, uint64_t catcher, int sig,
		     sigset_t mask, sigset_t siginfo);
int xs_sendsig_x86_64(struct proc *p, struct thread *th, uint64_t catcher, int sig,
		      sigset_t mask, sigset_t siginfo);
/* sigreturn (BSD 184), per architecture: restore the state sendsig saved. */
int xs_sigreturn_arm64(struct proc *p, void *uap, int32_t *retval);
int xs_sigreturn_x86_64(struct proc *p, void *uap, int32_t *retval);

/*
 * Fill the machine-independent part of the siginfo for sig: si_signo, and
 * for SIGCHLD / SIGCONT the pid, uid, code and status the proc recorded
 * (consumed).  Takes p_mlock.
 */
void xs_sendsig_siginfo(struct proc *p, int sig, struct xnu_siginfo *si);
/* A fresh sigreturn token for th when it has no frame outstanding. */
uint64_t xs_sigreturn_token(struct thread *th);
/* sigreturn's common part: the restored mask (sigcantmask stripped), AST. */
void xs_sigreturn_setmask(struct thread *th, sigset_t mask);

#endif /* XS_SYS_SIGNALVAR_H */
