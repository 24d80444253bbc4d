/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xnusim.h: embedding a simulated machine (libxnusim.so).  Used by the
 * xnusim runner, the collector and tests; workloads normally need none of it,
 * because the library attaches them when it loads:
 *
 *  - if XNUSIM_MACHINE is set (by xnusim_child_env), the process joins that
 *    machine as a new process under launchd;
 *  - otherwise, unless XNUSIM_NO_AUTOBOOT is set, it boots a private machine
 *    (arch from XNUSIM_ARCH: "arm64", the default, or "x86_64") and runs as
 *    launchd's child there (xnusim_boot).
 *
 * A process that exits or dies without a simulated exit leaves the machine
 * consistent: locks it held are robust, and the kernel reaps it as killed.
 *
 * Functions return 0 (or a positive value) on success and -errno (host errno)
 * on failure; none prints or exits.
 */
#ifndef XNUSIM_XNUSIM_H
#define XNUSIM_XNUSIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define XNUSIM_ARCH_ARM64  1
#define XNUSIM_ARCH_X86_64 2

#define XNUSIM_ENV_MACHINE "XNUSIM_MACHINE"	/* "fd:address:size:id" */
#define XNUSIM_ENV_ARCH    "XNUSIM_ARCH"
/*
 * Set by the kernel's execve / posix_spawn for the host program it starts
 * ("pid:thread_id:token"): the library binds that process to the simulated
 * process exec made, instead of joining as a new one.
 */
#define XNUSIM_ENV_EXEC    "XNUSIM_EXEC"

/*
 * Boot a new machine and run the calling process in it exactly as the
 * library's constructor does: the kernel boots launchd (pid 1) on the calling
 * thread, then the process joins as a new process under launchd (usually
 * pid 2) and the calling thread becomes its main thread; launchd keeps no
 * host thread.  Returns the machine id (> 0) or -errno (-EINVAL for an
 * unknown arch).  A process is on one machine at a time: booting again
 * detaches from the old one first (unmaps it; every thread of this process
 * loses its binding, and other threads re-attach at their next trap).
 */
int xnusim_boot(int arch);

/*
 * Boot a new machine whose launchd (pid 1) is the calling thread, without
 * joining it as a process of its own: for hosts such as the xnusim runner
 * that only start workloads (xnusim_child_env) and wait for them.  Returns
 * the machine id or -errno.
 */
int xnusim_boot_launchd(int arch);

/*
 * An executable that defines this symbol (with any value) is neither booted
 * nor attached when the library loads; it calls xnusim_boot* itself:
 *	const int xnusim_no_autoboot = 1;
 * The environment's XNUSIM_NO_AUTOBOOT does the same for any program.
 */
extern const int xnusim_no_autoboot;

/*
 * Join the machine described by XNUSIM_MACHINE as a new process whose parent
 * is launchd.  Returns the simulated pid or -errno.  The library's
 * constructor calls this (or boots) by itself; calling it again is a no-op
 * that returns the current pid.
 */
int xnusim_attach(void);

/*
 * Put into env_out ("XNUSIM_MACHINE=...") what a host child needs to join
 * this machine, and make the arena descriptor survive exec.  0 or -errno.
 */
int xnusim_child_env(char *env_out, size_t len);

/*
 * Map the machine spec describes ("fd:address:size:id", XNUSIM_MACHINE's
 * value) without joining it: for tools that only look.  With host_pid > 0
 * the fd is that host process's (opened through /proc/PID/fd), else one
 * this process inherited.  Returns the machine id, or -errno (-EBUSY:
 * already on a machine; -EINVAL: bad spec or not a machine).
 */
int xnusim_observe(const char *spec, int host_pid);

/* The current machine: id, architecture, simulated pid of this process. */
uint32_t xnusim_machine_id(void);
int xnusim_arch(void);
int xnusim_pid(void);
const char *xnusim_arch_name(int arch);
/* Parse "arm64" / "x86_64"; -1 if neither. */
int xnusim_arch_parse(const char *name);

/*
 * One row of the kernel's dispatch tables, for listings (xnusim tables).
 * status: "modeled", "unmodeled" (exists in XNU, ENOSYS here), "nosys",
 * "enosys", "indirect" (BSD) or "invalid" (a kern_invalid Mach slot).
 * Strings are borrowed from the library.
 */
struct xnusim_table_row {
	int number;		/* BSD number, or the Mach trap as user space writes it (-47) */
	int nargs;
	const char *name;
	const char *status;
};

/* Row index of the BSD (sysent) / Mach trap table: 0, or -ENOENT past the end. */
int xnusim_bsd_table_row(unsigned index, struct xnusim_table_row *row);
int xnusim_mach_table_row(unsigned index, struct xnusim_table_row *row);

#ifdef __cplusplus
}
#endif

#endif /* XNUSIM_XNUSIM_H */
