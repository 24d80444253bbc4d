/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xnusim.h: embedding a simulated machine (libxnusim.so).  Used by the
 * xnusim runner, the collector and tests; workloads normally need none of it,
 * because the library attaches them when it loads:
 *
 *  - if XNUSIM_MACHINE is set (by xnusim_child_env), the process joins that
 *    machine as a new process under launchd;
 *  - otherwise it boots a private machine (arch from XNUSIM_ARCH: "arm64",
 *    the default, or "x86_64") and runs as launchd's child there.
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
 * Boot a new machine in this process.  The calling thread becomes launchd's
 * main thread (pid 1), so its traps run as launchd.  Returns the machine id
 * (> 0) or -errno.  A process is attached to one machine at a time.
 */
int xnusim_boot(int arch);

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

/* The current machine: id, architecture, simulated pid of this process. */
uint32_t xnusim_machine_id(void);
int xnusim_arch(void);
int xnusim_pid(void);
const char *xnusim_arch_name(int arch);
/* Parse "arm64" / "x86_64"; -1 if neither. */
int xnusim_arch_parse(const char *name);

#ifdef __cplusplus
}
#endif

#endif /* XNUSIM_XNUSIM_H */
