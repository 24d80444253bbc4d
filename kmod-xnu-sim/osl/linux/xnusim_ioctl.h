/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xnusim_ioctl.h: the ABI of /dev/xnusim, the kernel-module build's trap
 * instruction (docs/kmod.md).  Shared by xnusim.ko and user space; only
 * <linux/ioctl.h> and <linux/types.h>, which both sides have.
 *
 * One open file is one handle on one simulated machine: BOOT makes a fresh
 * machine for it (the calling thread becomes launchd, pid 1), ATTACH makes
 * the calling process a new simulated process under launchd, and the TRAP
 * ioctls are the svc / syscall instruction.  A Linux child inherits the
 * handle across fork(2) and joins the same machine with its own ATTACH.
 */
#ifndef XS_OSL_LINUX_XNUSIM_IOCTL_H
#define XS_OSL_LINUX_XNUSIM_IOCTL_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define XNUSIM_DEVICE "/dev/xnusim"

/* Saved-state sizes: struct arm_saved_state64 / x86_saved_state64
 * (osfmk/mach/thread_status.h), checked on both sides. */
#define XNUSIM_ARM64_STATE_SIZE  288
#define XNUSIM_X86_64_STATE_SIZE 200

#define XNUSIM_ARCH_ARM64_ID  1	/* XS_ARCH_ARM64 */
#define XNUSIM_ARCH_X86_64_ID 2	/* XS_ARCH_X86_64 */

struct xnusim_ioc_boot {
	__u32 arch;		/* in: XNUSIM_ARCH_*_ID */
	__u32 machine_id;	/* out */
};

struct xnusim_ioc_attach {
	char comm[16];		/* in: p_comm, NUL-terminated */
	__s32 pid;		/* out: the new simulated pid */
	__u32 pad;
};

struct xnusim_ioc_query {
	__u32 machine_id;	/* 0: this handle has no machine */
	__u32 arch;
	__s32 pid;		/* the calling thread's simulated pid, 0 if none */
	__u32 broken;		/* the machine panicked: every call fails EIO */
	__u64 tid;		/* the calling thread's simulated thread id */
	__u32 nfuncs;		/* modeled functions in the registry */
	__u32 probes_on;	/* bit n: the n-th probe of docs/tracepoints.md is enabled */
	__u64 arena_pages;	/* the machine's arena, in 4 KiB pages */
	__u64 arena_free;
	__s32 last_exit_host_pid;	/* the last process the kernel ended */
	__s32 last_exit_pid;		/* its simulated pid */
	__s32 last_exit_status;		/* its Darwin wait status */
	__u32 pad;
	__u64 traps;		/* traps taken on this machine */
};

/* The function registry, so trace consumers can name func_entry's fid. */
struct xnusim_ioc_func {
	__u32 id;		/* in: 1..nfuncs */
	__u32 pad;
	char name[64];		/* out: bare XNU name */
	char path[128];		/* out: XNU source path */
};

#define XNUSIM_IOC_MAGIC 'X'
#define XNUSIM_IOC_BOOT         _IOWR(XNUSIM_IOC_MAGIC, 1, struct xnusim_ioc_boot)
#define XNUSIM_IOC_ATTACH       _IOWR(XNUSIM_IOC_MAGIC, 2, struct xnusim_ioc_attach)
#define XNUSIM_IOC_TRAP_ARM64   _IOC(_IOC_READ | _IOC_WRITE, XNUSIM_IOC_MAGIC, 3, \
				     XNUSIM_ARM64_STATE_SIZE)
#define XNUSIM_IOC_TRAP_X86_64  _IOC(_IOC_READ | _IOC_WRITE, XNUSIM_IOC_MAGIC, 4, \
				     XNUSIM_X86_64_STATE_SIZE)
#define XNUSIM_IOC_QUERY        _IOR(XNUSIM_IOC_MAGIC, 5, struct xnusim_ioc_query)
#define XNUSIM_IOC_FUNC         _IOWR(XNUSIM_IOC_MAGIC, 6, struct xnusim_ioc_func)

/*
 * A TRAP ioctl returns 0 with the state updated, -1 with errno for a
 * platform failure (ENXIO: no machine; ESRCH: the process never attached;
 * EINVAL: the machine's architecture differs; EFAULT; EIO: the machine
 * panicked), or, when the kernel ended the calling process, a positive
 * XNUSIM_TRAP_EXITED | Darwin wait status.  For a signal the module has
 * already sent the matching Linux signal (default action); for an exit
 * the caller _exit()s with the code.
 */
#define XNUSIM_TRAP_EXITED 0x10000

#endif /* XS_OSL_LINUX_XNUSIM_IOCTL_H */
