/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * abi_common.h: helpers for the trap ABI tests (abi_arm64, abi_x86_64,
 * dispatch_errors).  A test installs its own handler in a sysent or
 * mach_trap_table slot (both tables are plain arrays in libxnusim.so), so
 * the dispatcher's register rules are checked exactly, independent of any
 * real handler; SIGSYS is blocked in the simulated thread and read back
 * from the pending sets.  Host headers first, then Darwin's, then the
 * kernel's (they share a few type names).
 */
#ifndef XS_TESTS_SIM_ABI_COMMON_H
#define XS_TESTS_SIM_ABI_COMMON_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tests/harness.h"

#include "darwin/errno.h"
#include "darwin/kern_return.h"
#include "darwin/signal.h"
#undef sigset_t		/* darwin/signal.h names the type's size after it */

#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/bsd/sys/sysent.h"
#include "kmod-xnu-sim/osfmk/kern/syscall_sw.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/mach/thread_status.h"
#include "xnusim/libsyscall.h"
#include "xnusim/xnusim.h"

extern int waitpid(int pid, int *status, int options);	/* <sys/wait.h> clashes */

#define FAKE_SLOT   8	/* "old creat": a nosys slot the tests borrow */
#define FAKE_TRAP   1	/* a kern_invalid Mach slot the tests borrow */
#define HOST_SIGSYS 31	/* Linux's number, for a host child's exit */

/* What the fake handlers saw and will answer. */
static struct {
	uint64_t args[9];
	int calls;
	int error;		/* BSD: errno to return (or a sequence, below) */
	int error_once;		/* returned on the first call only, if nonzero */
	int32_t rv0, rv1;
	uint64_t rv64;		/* used when use64 */
	int use64;
	xs_kern_return_t kr;
} fk;

static struct sysent fk_saved_sysent;
static struct mach_trap fk_saved_trap;

static __attribute__((unused)) int32_t fake_syscall(struct proc *p, void *uap, int32_t *retval)
{
	memcpy(fk.args, uap, 8 * sizeof(uint64_t));
	fk.calls++;
	if (fk.use64)
		memcpy(retval, &fk.rv64, sizeof(fk.rv64));
	else {
		retval[0] = fk.rv0;
		retval[1] = fk.rv1;
	}
	if (fk.error_once && fk.calls == 1)
		return fk.error_once;
	return fk.error;
}

static __attribute__((unused)) xs_kern_return_t fake_trap(void *args)
{
	memcpy(fk.args, args, 9 * sizeof(uint64_t));
	fk.calls++;
	return fk.kr;
}

/* Borrow sysent[FAKE_SLOT] with narg arguments and return type rtype. */
static __attribute__((unused)) void fake_install(int narg, int rtype)
{
	memset(&fk, 0, sizeof(fk));
	fk_saved_sysent = xs_sysent[FAKE_SLOT];
	xs_sysent[FAKE_SLOT].sy_call = fake_syscall;
	xs_sysent[FAKE_SLOT].sy_narg = (int16_t)narg;
	xs_sysent[FAKE_SLOT].sy_return_type = rtype;
	xs_trace_pin_instrumented(1);	/* the idle copy has tables of its own */
}

static __attribute__((unused)) void fake_remove(void)
{
	xs_sysent[FAKE_SLOT] = fk_saved_sysent;
	xs_trace_pin_instrumented(0);
}

/* Borrow mach_trap_table[FAKE_TRAP]: valid, argc arguments, fn (may be NULL). */
static __attribute__((unused)) void fake_trap_install(int argc, mach_trap_function_t *fn)
{
	memset(&fk, 0, sizeof(fk));
	fk_saved_trap = xs_mach_trap_table[FAKE_TRAP];
	xs_mach_trap_table[FAKE_TRAP].mach_trap_function = fn;
	xs_mach_trap_table[FAKE_TRAP].mach_trap_arg_count = (uint8_t)argc;
	xs_mach_trap_table[FAKE_TRAP].mach_trap_valid = 1;
	xs_trace_pin_instrumented(1);
}

static __attribute__((unused)) void fake_trap_remove(void)
{
	xs_mach_trap_table[FAKE_TRAP] = fk_saved_trap;
	xs_trace_pin_instrumented(0);
}

#define SIGBIT(s) (1u << ((s) - 1))

/* Block SIGSYS in the simulated thread so a nosys call can be observed. */
static __attribute__((unused)) void sigsys_block(void)
{
	struct thread *th = xs_current_thread();

	th->uthread.uu_sigmask |= SIGBIT(SIGSYS);
}

/* Was SIGSYS posted (thread or process pending set)?  Clears it. */
static __attribute__((unused)) int sigsys_take(void)
{
	struct thread *th = xs_current_thread();
	struct proc *p = xs_current_proc();
	int pending = ((th->uthread.uu_siglist | p->p_siglist) & SIGBIT(SIGSYS)) != 0;

	th->uthread.uu_siglist &= ~SIGBIT(SIGSYS);
	p->p_siglist &= ~SIGBIT(SIGSYS);
	return pending;
}

/* Make sure this process runs on a machine of the given architecture. */
static __attribute__((unused)) int ensure_arch(int arch)
{
	if (xnusim_arch() == arch)
		return 0;
	return xnusim_boot(arch) > 0 ? 0 : -1;
}

/*
 * Run fn in a host child on a fresh machine of arch, unblocked: returns the
 * host wait status (a SIGSYS death shows as host signal 31).
 */
static __attribute__((unused)) int run_in_child(int arch, void (*fn)(void))
{
	int pid, status = -1;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (xnusim_boot(arch) <= 0)
			_exit(99);
		fn();
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

static __attribute__((unused)) int host_termsig(int status)
{
	int sig = status & 0x7f;

	return (sig != 0 && sig != 0x7f) ? sig : 0;
}

#endif /* XS_TESTS_SIM_ABI_COMMON_H */
