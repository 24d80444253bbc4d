/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * syscall.c: the trap boundary from user space.  Every stub fills the saved
 * state of the machine's architecture and "executes" the trap instruction
 * (osl_trap_enter_*); BSD results follow the carry-flag ABI (cerror sets
 * xnu_errno and returns -1), Mach results are the bare x0 / rax.
 * Corresponds to libsyscall/custom/SYS.h, __syscall.s and cerror.c, and
 * osfmk/mach/{arm,i386}/syscall_sw.h (the kernel_trap macro).
 */
#include <stdarg.h>

#include "kmod-xnu-sim/libsyscall/libsyscall_internal.h"

#include "kmod-xnu-sim/bsd/sys/sysent.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/trap_entry.h"

_Thread_local int xnu_errno;

/*
 * Where the stub's "svc" sits.  A BSD call that answers ERESTART moves pc
 * (rip) back over the trap instruction; the stub sees that and traps again,
 * which is what re-executing the svc amounts to.
 */
#define XS_STUB_PC_ARM64  0x100004000ull
#define XS_STUB_PC_X86_64 0x100004000ull
#define XS_ARM64_SVC_LEN  4
#define XS_X86_SYSCALL_LEN 2
#define XS_X86_RFLAGS_USER 0x202ull	/* IF and the reserved bit */
#define XS_STACK_ARGS 4			/* stack slots past the 6 registers */

int xs_libsyscall_arch(void)
{
	struct xs_machine *m = osl_machine();

	return m && m->m_arch == XS_ARCH_X86_64 ? XS_ARCH_X86_64 : XS_ARCH_ARM64;
}

void xnu_trap_arm64(struct arm_saved_state64 *state)
{
	osl_trap_enter_arm64(state);
}

void xnu_trap_x86_64(struct x86_saved_state64 *state)
{
	osl_trap_enter_x86_64(state);
}

/* cerror: the failed BSD call's errno goes to the thread's errno. */
int64_t xs_cerror(int error)
{
	xnu_errno = error;
	return -1;
}

/* svc #0x80, re-executed while the kernel answers ERESTART. */
static void xs_svc(struct arm_saved_state64 *s)
{
	uint64_t x[8];

	xs_memcpy(x, s->x, sizeof(x));
	for (;;) {
		s->pc = XS_STUB_PC_ARM64;
		xnu_trap_arm64(s);
		xs_sigtramp_arm64(s);	/* signal_stubs.c: handlers, then sigreturn */
		if (s->pc != XS_STUB_PC_ARM64 - XS_ARM64_SVC_LEN)
			return;
		xs_memcpy(s->x, x, sizeof(x));	/* untouched by ERESTART anyway */
	}
}

/* syscall, re-executed while the kernel answers ERESTART. */
static void xs_syscall_insn(struct x86_saved_state64 *s)
{
	uint64_t rax = s->rax;

	for (;;) {
		s->rip = XS_STUB_PC_X86_64;
		xnu_trap_x86_64(s);
		xs_sigtramp_x86_64(s);	/* signal_stubs.c: handlers, then sigreturn */
		if (s->rip != XS_STUB_PC_X86_64 - XS_X86_SYSCALL_LEN)
			return;
		s->rax = rax;
	}
}

/*
 * One trap with number/class already encoded: arm64 x16 = number, args in
 * x0..x7; x86_64 rax = class|number, args in rdi, rsi, rdx, r10, r8, r9,
 * then on the stack at rsp + 8 (as after the stub's call).  Returns the
 * carry flag; rv gets x0/x1 (rax/rdx).
 */
static bool xs_trap(uint64_t number, bool mach, const uint64_t *args, int nargs, uint64_t rv[2])
{
	if (nargs < 0)
		nargs = 0;
	if (nargs > 8)
		nargs = 8;
	if (xs_libsyscall_arch() == XS_ARCH_ARM64) {
		struct arm_saved_state64 s = { 0 };
		uint64_t ustack[XS_SIG_USTACK_WORDS];	/* below sp: signal frames */

		s.sp = (uint64_t)(uintptr_t)&ustack[XS_SIG_USTACK_WORDS];
		if (nargs)	/* args may be NULL for a call without arguments */
			xs_memcpy(s.x, args, (size_t)nargs * sizeof(uint64_t));
		s.x[ARM64_SYSCALL_CODE_REG_NUM] = number;
		xs_svc(&s);
		rv[0] = s.x[0];
		rv[1] = s.x[1];
		return (s.cpsr & PSR64_CF) != 0;
	} else {
		struct x86_saved_state64 s = { 0 };
		/* stack[0]: return address; below it, room for signal frames */
		uint64_t ustack[XS_SIG_USTACK_WORDS + 1 + XS_STACK_ARGS];
		uint64_t *stack = &ustack[XS_SIG_USTACK_WORDS];
		uint64_t *regs = &s.rdi;
		int in_regs = nargs < 6 ? nargs : 6;

		for (int i = 0; i < in_regs; i++)
			regs[i] = args[i];
		xs_memset(stack, 0, (1 + XS_STACK_ARGS) * sizeof(uint64_t));
		for (int i = 6; i < nargs; i++)
			stack[1 + i - 6] = args[i];
		s.rsp = (uint64_t)(uintptr_t)stack;
		s.rflags = XS_X86_RFLAGS_USER;
		s.rax = SYSCALL_CONSTRUCT(mach ? SYSCALL_CLASS_MACH : SYSCALL_CLASS_UNIX, number);
		xs_syscall_insn(&s);
		rv[0] = s.rax;
		rv[1] = s.rdx;
		return (s.rflags & EFL_CF) != 0;
	}
}

int xnu_bsd_trap(int n, const uint64_t *args, int nargs, uint64_t rv[2])
{
	uint64_t r[2];
	bool carry = xs_trap((uint64_t)(int64_t)n, false, args, nargs, r);

	if (rv) {
		rv[0] = r[0];
		rv[1] = r[1];
	}
	return carry ? (int)r[0] : 0;
}

uint64_t xnu_mach_trap(int n, const uint64_t *args, int nargs)
{
	uint64_t r[2];
	/* arm64: x16 = n (negative); x86_64: the class carries it, number = -n */
	uint64_t number = xs_libsyscall_arch() == XS_ARCH_ARM64 ? (uint64_t)(int64_t)n
								 : (uint64_t)(uint32_t)-n;

	xs_trap(number, true, args, nargs, r);
	return r[0];
}

int64_t xs_bsd(int n, const uint64_t *args, int nargs, uint64_t *rv1)
{
	uint64_t rv[2];
	int error = xnu_bsd_trap(n, args, nargs, rv);

	if (error)
		return xs_cerror(error);
	if (rv1)
		*rv1 = rv[1];
	return (int64_t)rv[0];
}

/*
 * syscall(2) through __syscall: the number goes in as the first argument
 * and the call number register is 0; the rest are read from the variadic
 * list as 64-bit words.  Only as many as the call takes (its sy_narg), as
 * the kernel copies in only those from the user stack: a caller passes no
 * more, and C forbids reading variadic arguments that were not passed
 * (past the registers, that is the caller's stack frame).
 */
long xnu_syscall(int n, ...)
{
	uint64_t args[8] = { 0 };
	int narg = 0;
	va_list ap;

	args[0] = (uint64_t)(int64_t)n;
	if (n > 0 && n < XS_NSYSENT)
		narg = xs_sysent[n].sy_narg;
	if (narg > 7)
		narg = 7;
	va_start(ap, n);
	for (int i = 1; i <= narg; i++)
		args[i] = va_arg(ap, uint64_t);
	va_end(ap);
	return (long)xs_bsd(0, args, 8, (uint64_t *)0);
}
