/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fork_stubs.c: fork(2) with its host half, and the __ulock_wait /
 * __ulock_wake stubs.  The fork trap makes the child in the kernel and
 * returns to the parent only (x1 = 0); the stub then forks the host
 * process, and the host child binds itself to the child's thread and
 * returns what the kernel left in the child's registers (x1 = 1: libc
 * turns that into 0).  If the host cannot fork, the kernel's child is
 * taken apart again and fork fails with EAGAIN.
 * Corresponds to libsyscall/custom/__fork.s and the ulock stubs of
 * libsyscall (sys/ulock.h).
 */
#include "kmod-xnu-sim/libsyscall/libsyscall_internal.h"

#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osl/osl.h"
#include "xnusim/ulock.h"

#include "darwin/errno.h"

enum { SYS_fork = 2, SYS_ulock_wait = 515, SYS_ulock_wake = 516 };

/* mach_thread_self, cached per thread (libsyscall's TSD slot). */
static _Thread_local uint32_t xs_self_port;

/* The host child could not become the kernel's child: it never ran as one. */
#define XS_FORK_CHILD_LOST_STATUS (127 << 8)

/*
 * Routine:    xnu_fork  (__fork)
 * Purpose:    fork(2): the kernel's fork, then the host fork.
 * Returns:    The child's pid in the parent, 0 in the child; -1 with
 *             xnu_errno (EAGAIN, ENOMEM) and no child on failure.
 */
int xnu_fork(void)
{
	uint64_t rv[2];
	int err = xnu_bsd_trap(SYS_fork, (const uint64_t *)0, 0, rv);
	int pid, host;

	if (err)
		return (int)xs_cerror(err);
	if (rv[1] != 0)		/* x1 != 0: we are the child */
		return 0;
	pid = (int)rv[0];
	xs_trace_callgraph_flush();	/* the host child must not report our traps again */
	host = osl_process_fork();
	if (host < 0) {
		xs_fork_host_abort(pid);
		return (int)xs_cerror(EAGAIN);
	}
	if (host > 0)
		return pid;
	/* The host child: only this thread exists; become pid's main thread. */
	if (xs_fork_host_child(pid, osl_host_pid(), osl_host_tid(), rv) != 0)
		osl_process_terminate(XS_FORK_CHILD_LOST_STATUS);
	xs_self_port = 0;	/* the child's thread has its own port */
	return rv[1] != 0 ? 0 : (int)rv[0];
}

int xnu_ulock_wait(uint32_t operation, void *addr, uint64_t value, uint32_t timeout_us)
{
	return (int)XS_BSD(SYS_ulock_wait, (uint64_t)operation, XS_U64(addr), value,
			   (uint64_t)timeout_us);
}

int xnu_ulock_wake(uint32_t operation, void *addr, uint64_t wake_value)
{
	return (int)XS_BSD(SYS_ulock_wake, (uint64_t)operation, XS_U64(addr), wake_value);
}

uint32_t xnu_thread_self_port(void)
{
	if (!xs_self_port)
		xs_self_port = xnu_mach_thread_self();
	return xs_self_port;
}
