/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * machine.h: one simulated machine.  All of the kernel's global state lives
 * in this struct, in the arena, so every process of the machine shares it;
 * the core has no writable C globals of its own.
 */
#ifndef XS_KERN_MACHINE_H
#define XS_KERN_MACHINE_H

#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/bsd/sys/ulock.h"
#include "kmod-xnu-sim/bsd/vfs/vfs_globals.h"
#include "kmod-xnu-sim/osfmk/ipc/ipc_globals.h"
#include "kmod-xnu-sim/osfmk/kern/task.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#include "kmod-xnu-sim/osfmk/vm/vm_globals.h"
#include "kmod-xnu-sim/osl/osl.h"

struct xs_trace_ring;

#define XS_MACHINE_MAGIC 0x58535f4d41434821ull	/* "XS_MACH!" */

struct xs_machine {
	uint64_t m_magic;
	uint32_t m_id;			/* machine id, in every probe */
	uint32_t m_arch;		/* XS_ARCH_ARM64 or XS_ARCH_X86_64 */
	uint64_t m_boot_time;		/* osl_absolute_time() at boot */
	bool m_booted;
	struct xs_trace_ring *m_trace_ring;	/* inproc tracing ring, NULL when off */
	uint64_t m_trace_clock[4];	/* call-graph batch clock calibration (xs_trace.c) */
	uint64_t m_trace_handover;	/* batch hand-over age in clock ticks; 0: every trap */

	struct zalloc_globals m_zalloc;
	struct kern_globals m_kern;
	struct ipc_globals m_ipc;
	struct vm_globals m_vm;
	struct proc_globals m_proc;
	struct vfs_globals m_vfs;
	struct ulock_globals m_ulock;	/* bsd/kern/sys_ulock.c */
};

static inline struct xs_machine *xs_machine(void) { return osl_machine(); }

/*
 * Routine:    xs_bsd_init
 * Purpose:    Boot the kernel inside a fresh arena: zalloc, kernel_task,
 *             IPC, VM, the root file system, kernproc (pid 0) and launchd
 *             (pid 1, bound to the calling host thread).
 * Conditions: m_id and m_arch set by the platform; nothing else.
 * Returns:    0 or an errno.
 */
int xs_bsd_init(void);

/*
 * Routine:    xs_proc_attach
 * Purpose:    Make the calling host process a new simulated process, child
 *             of launchd, with fds 0-2 on the host's own 0-2 (console
 *             vnodes) and its main thread bound to the calling host thread.
 * Returns:    the new pid, or -errno.
 */
int xs_proc_attach(int host_pid, const char *comm);

/*
 * The calling host thread has no simulated thread yet (a thread the workload
 * made with pthreads): give it one in the current process.  0 or -errno.
 */
int xs_thread_attach_current(int host_tid);

/*
 * Routine:    xs_proc_host_died
 * Purpose:    The host process host_pid ended without a simulated exit (a
 *             crash, a host kill): reap its simulated process as killed
 *             (p_xstat = SIGKILL), tearing down its threads, task and fds
 *             and freeing its zone elements.  The runner (or whoever
 *             waited for the host process) calls this.
 * Conditions: Nothing locked; called from any live process of the machine.
 * Returns:    0, or ESRCH if no live simulated process runs on host_pid
 *             (it already exited through the kernel, or never attached).
 */
int xs_proc_host_died(int host_pid, int host_wait_status);

/*
 * Routine:    xs_blocked_threads_report  (osfmk/kern/xs_blocked.c)
 * Purpose:    Every blocked simulated thread, one line each: pid, tid, wait
 *             reason, the object (ulock address, port name, semaphore,
 *             pipe, wait4) and how long it has waited.
 * Returns:    The report's full length (snprintf rules: >= len means
 *             truncated), or -1 if the machine is not booted.
 */
int xs_blocked_threads_report(char *buf, size_t len);

#endif /* XS_KERN_MACHINE_H */
