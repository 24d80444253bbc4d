/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * systemcalls.c: BSD system call dispatch on arm64.  The number is the low
 * 16 bits of x16 (or of x0 for the indirect syscall(2), x16 == 0), the
 * arguments come from x0.. (x1.. when indirect), and the result follows
 * the carry-flag ABI: carry set and x0 = errno on failure, carry clear and
 * x0/x1 shaped by the return type on success.  Corresponds to
 * bsd/dev/arm/systemcalls.c.
 */
#include "kmod-xnu-sim/osfmk/arm64/arm64_internal.h"

#include "kmod-xnu-sim/bsd/sys/kdebug.h"
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/bsd/sys/sysent.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

#define XS_UU_ARG_COUNT 8	/* uthread.uu_arg[8] */

/* arm_get_syscall_number: x16 as a whole decides "indirect", 16 bits count. */
static inline bool xs_arm_syscall_is_indirect(const struct arm_saved_state64 *state)
{
	return state->x[ARM64_SYSCALL_CODE_REG_NUM] == 0;
}

/* arm_trace_unix_syscall: kdebug START with the first four arguments. */
static void xs_arm_trace_unix_syscall(unsigned int code, const struct arm_saved_state64 *state)
{
	XS_FUNC(arm_trace_unix_syscall);
	const uint64_t *regs = &state->x[xs_arm_syscall_is_indirect(state) ? 1 : 0];

	xs_trace_syscall_entry(XS_FAMILY_BSD, (int)code, BSDDBG_CODE(DBG_BSD_EXCP_SC, code), regs);
}

/*
 * arm_get_syscall_args (64-bit): sy_narg slots from x0.. (x1.. when
 * indirect).  More than uu_arg holds is a failure, which the caller turns
 * into sysent[SYS_invalid].
 */
static int xs_arm_get_syscall_args(struct uthread *ut, const struct arm_saved_state64 *state,
				   const struct sysent *callp)
{
	XS_FUNC(arm_get_syscall_args);
	unsigned first = xs_arm_syscall_is_indirect(state) ? 1 : 0;

	if (callp->sy_narg < 0 || callp->sy_narg > XS_UU_ARG_COUNT)
		return -1;
	xs_memcpy(ut->uu_arg, &state->x[first], (size_t)callp->sy_narg * sizeof(uint64_t));
	return 0;
}

/*
 * arm_prepare_syscall_return: the BSD return ABI (dispatch.md 1.4).
 * uu_rval is int[2]; 64-bit results span both halves.
 */
static void xs_arm_prepare_syscall_return(const struct sysent *callp,
					  struct arm_saved_state64 *state,
					  const struct uthread *ut, int error)
{
	XS_FUNC(arm_prepare_syscall_return);
	uint64_t v64;

	if (error == ERESTART) {
		state->pc -= 4;		/* back over the svc: the call runs again */
		return;
	}
	if (error == EJUSTRETURN)
		return;			/* sigreturn and friends set the state */
	if (error) {
		state->x[0] = (uint64_t)(int64_t)error;
		state->x[1] = 0;
		state->cpsr |= PSR64_CF;
		return;
	}
	switch (callp->sy_return_type) {
	case _SYSCALL_RET_INT_T:
		state->x[0] = (uint64_t)(int64_t)ut->uu_rval[0];
		state->x[1] = (uint64_t)(int64_t)ut->uu_rval[1];
		break;
	case _SYSCALL_RET_UINT_T:
		state->x[0] = (uint32_t)ut->uu_rval[0];
		state->x[1] = (uint32_t)ut->uu_rval[1];
		break;
	case _SYSCALL_RET_OFF_T:
	case _SYSCALL_RET_ADDR_T:
	case _SYSCALL_RET_SIZE_T:
	case _SYSCALL_RET_SSIZE_T:
	case _SYSCALL_RET_UINT64_T:
		xs_memcpy(&v64, ut->uu_rval, sizeof(v64));
		state->x[0] = v64;
		state->x[1] = 0;
		break;
	case _SYSCALL_RET_NONE:
	default:
		break;
	}
}

/* The value the END event reports: what the return ABI put in x0. */
static int64_t xs_syscall_trace_value(const struct sysent *callp, const struct uthread *ut)
{
	int64_t v64;

	switch (callp->sy_return_type) {
	case _SYSCALL_RET_NONE:
		return 0;
	case _SYSCALL_RET_INT_T:
		return ut->uu_rval[0];
	case _SYSCALL_RET_UINT_T:
		return (uint32_t)ut->uu_rval[0];
	default:
		xs_memcpy(&v64, ut->uu_rval, sizeof(v64));
		return v64;
	}
}

/*
 * Routine:    xs_unix_syscall  [x16 low 32 bits >= 0]
 * Purpose:    Run BSD call (uint16_t)x16 (x0 when x16 == 0) from sysent.
 *             Numbers >= 558, and calls whose arguments cannot be fetched,
 *             run sysent[63] (nosys: ENOSYS and SIGSYS).
 * Conditions: Called from handle_svc on thread th of proc p; nothing locked.
 *             The carry flag is cleared before the call.
 */
void xs_unix_syscall(struct arm_saved_state64 *state, struct thread *th, struct proc *p)
{
	XS_FUNC(unix_syscall);
	struct uthread *ut = xs_get_bsdthread_info(th);
	bool indirect = xs_arm_syscall_is_indirect(state);
	unsigned int code = (uint16_t)(indirect ? state->x[0]
						 : state->x[ARM64_SYSCALL_CODE_REG_NUM]);
	bool traced = !xs_code_is_kdebug_trace(code);
	const struct sysent *callp;
	sy_call_t *call;
	int error;

	if (traced && XS_TRACE_ENABLED(syscall_entry))
		xs_arm_trace_unix_syscall(code, state);

	callp = &xs_sysent[code < XS_NSYSENT ? code : SYS_invalid];
	if (callp->sy_narg != 0 && xs_arm_get_syscall_args(ut, state, callp) != 0)
		callp = &xs_sysent[SYS_invalid];

	ut->uu_flag |= UT_NOTCANCELPT;
	ut->syscall_code = (uint16_t)code;
	ut->uu_rval[0] = 0;
	ut->uu_rval[1] = 0;
	state->cpsr &= ~PSR64_CF;	/* cleared before the call, set on error */

	/* No MACF syscall filter, no audit: nothing registers either. */
	call = callp->sy_call ? callp->sy_call : xs_unmodeled;
	error = call(p, ut->uu_arg, ut->uu_rval);

	xs_arm_prepare_syscall_return(callp, state, ut, error);
	ut->uu_flag &= ~UT_NOTCANCELPT;
	ut->syscall_code = 0;

	if (traced && XS_TRACE_ENABLED(syscall_return))	/* kdebug END */
		xs_trace_syscall_return(XS_FAMILY_BSD, (int)code,
					error ? 0 : xs_syscall_trace_value(callp, ut), error);
}
