/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * systemcalls.c: BSD system call dispatch on x86_64 (class 2).  The number
 * is rax & 0x00FFFFFF (rdi for the indirect syscall(2), slot 0); arguments
 * come from rdi, rsi, rdx, r10, r8, r9 and then the user stack; failure sets
 * RFLAGS.CF with rax = errno, success clears it with rax/rdx shaped by the
 * return type.  Corresponds to bsd/dev/i386/systemcalls.c.
 */
#include "kmod-xnu-sim/osfmk/x86_64/x86_64_internal.h"

#include "kmod-xnu-sim/bsd/sys/kdebug.h"
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/bsd/sys/sysent.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osl/osl.h"

#define XS_UU_ARG_COUNT 8	/* uthread.uu_arg[8] */
#define XS_ARGS_IN_REGS 6

/*
 * Fetch sy_narg arguments: from rdi (or rsi when indirect, one register
 * fewer), the rest from the user stack at rsp + 8.  Returns 0 or EFAULT.
 */
static int xs_unix_syscall64_args(struct uthread *ut, const struct x86_saved_state64 *state,
				  const struct sysent *callp, bool indirect)
{
	const uint64_t *vt = indirect ? &state->rsi : &state->rdi;
	unsigned max_regs = indirect ? XS_ARGS_IN_REGS - 1 : XS_ARGS_IN_REGS;
	unsigned narg = (unsigned)callp->sy_narg;
	unsigned in_regs;

	if (narg > XS_UU_ARG_COUNT)
		narg = XS_UU_ARG_COUNT;
	in_regs = narg < max_regs ? narg : max_regs;
	xs_memcpy(ut->uu_arg, vt, in_regs * sizeof(uint64_t));
	if (narg > in_regs &&
	    osl_copyin(state->rsp + sizeof(uint64_t), &ut->uu_arg[in_regs],
		       (narg - in_regs) * sizeof(uint64_t)) != 0)
		return EFAULT;
	return 0;
}

/* The success half of the return ABI; CF is cleared by the caller. */
static void xs_unix_syscall64_rval(const struct sysent *callp, struct x86_saved_state64 *state,
				   const struct uthread *ut)
{
	uint64_t v64;

	switch (callp->sy_return_type) {
	case _SYSCALL_RET_INT_T:
		state->rax = (uint64_t)(int64_t)ut->uu_rval[0];
		state->rdx = (uint64_t)(int64_t)ut->uu_rval[1];
		break;
	case _SYSCALL_RET_UINT_T:
		state->rax = (uint32_t)ut->uu_rval[0];
		state->rdx = (uint32_t)ut->uu_rval[1];
		break;
	case _SYSCALL_RET_OFF_T:
	case _SYSCALL_RET_ADDR_T:
	case _SYSCALL_RET_SIZE_T:
	case _SYSCALL_RET_SSIZE_T:
	case _SYSCALL_RET_UINT64_T:
		xs_memcpy(&v64, ut->uu_rval, sizeof(v64));
		state->rax = v64;
		state->rdx = 0;
		break;
	case _SYSCALL_RET_NONE:
	default:
		break;
	}
}

/*
 * Routine:    xs_unix_syscall64  [class 2: rax = 0x02000000 | n]
 * Purpose:    Run BSD call n from sysent; n >= 558 runs sysent[63] (nosys:
 *             ENOSYS and SIGSYS).  ERESTART backs rip over the 2-byte
 *             syscall instruction; EJUSTRETURN leaves the state alone.
 * Conditions: Called from hndl_syscall; nothing locked.
 */
void xs_unix_syscall64(struct x86_saved_state64 *state)
{
	XS_FUNC(unix_syscall64);
	struct thread *th = xs_current_thread();
	struct uthread *ut = xs_get_bsdthread_info(th);
	struct proc *p = xs_current_proc();
	unsigned int code = (unsigned int)(state->rax & SYSCALL_NUMBER_MASK);
	const struct sysent *callp = &xs_sysent[code < XS_NSYSENT ? code : SYS_invalid];
	bool indirect = false, traced;
	sy_call_t *call;
	int error;

	if (callp == &xs_sysent[SYS_syscall]) {
		indirect = true;
		code = (unsigned int)state->rdi;
		callp = &xs_sysent[code < XS_NSYSENT ? code : SYS_invalid];
	}
	traced = !xs_code_is_kdebug_trace(code);
	if (callp->sy_narg != 0) {
		error = xs_unix_syscall64_args(ut, state, callp, indirect);
		if (error) {	/* no trace events: XNU returns before START */
			state->rax = (uint64_t)error;
			state->rflags |= EFL_CF;
			return;
		}
	}
	if (traced && XS_TRACE_ENABLED(syscall_entry))
		xs_trace_syscall_entry(XS_FAMILY_BSD, (int)code,
				       BSDDBG_CODE(DBG_BSD_EXCP_SC, code), ut->uu_arg);

	ut->uu_flag |= UT_NOTCANCELPT;
	ut->syscall_code = (uint16_t)code;
	ut->uu_rval[0] = 0;
	ut->uu_rval[1] = 0;
	/* No MACF syscall filter, no audit: nothing registers either. */
	call = callp->sy_call ? callp->sy_call : xs_unmodeled;
	error = call(p, ut->uu_arg, ut->uu_rval);

	if (error == ERESTART) {
		state->rip -= 2;	/* pal_syscall_restart */
	} else if (error != EJUSTRETURN) {
		if (error) {
			state->rax = (uint64_t)(int64_t)error;
			state->rflags |= EFL_CF;
		} else {
			xs_unix_syscall64_rval(callp, state, ut);
			state->rflags &= ~(uint64_t)EFL_CF;
		}
	}
	ut->uu_flag &= ~UT_NOTCANCELPT;
	ut->syscall_code = 0;
	if (traced && XS_TRACE_ENABLED(syscall_return))
		xs_trace_syscall_return(XS_FAMILY_BSD, (int)code,
					error ? 0 : (int64_t)state->rax, error);
}
