/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * osl_kcore.h: the boundary between the module's two halves.  Kernel-side
 * files (kernel headers, compat/ types) cannot include the core's headers,
 * whose Darwin names collide with the kernel's; osl_core_linux.c (core
 * flags, core headers, no kernel header) wraps what they need from the core
 * in these calls.  Only fixed-width types cross, so both halves agree.
 * Every call here runs inside osl_kcall (osl_linux_internal.h): the calling
 * Linux thread has a context with its machine set.
 */
#ifndef XS_OSL_LINUX_OSL_KCORE_H
#define XS_OSL_LINUX_OSL_KCORE_H

#include <stddef.h>
#include <stdint.h>

struct xs_machine;

/* sizeof(struct xs_machine): the arena's first pages hold it. */
size_t osl_kcore_machine_size(void);
void osl_kcore_machine_setup(struct xs_machine *m, uint32_t id, int arch, uint64_t now);
/* xs_bsd_init: 0 or a Darwin errno.  Binds launchd to the calling thread. */
int osl_kcore_boot(void);
/* xs_proc_attach: the new simulated pid or -(Darwin errno). */
int osl_kcore_attach(int host_pid, const char *comm);
/*
 * The trap instruction: bind a simulated thread to the calling thread if it
 * has none (a thread the process made), then run the machine's front-end on
 * state (struct arm_saved_state64 / x86_saved_state64).  0, or -1 if the
 * calling process is no simulated process (it never attached).
 */
int osl_kcore_trap_arm64(void *state);
int osl_kcore_trap_x86_64(void *state);
/* xs_proc_host_died: 0, or ESRCH if host_pid runs no live simulated process. */
int osl_kcore_host_died(int host_pid, int host_wait_status);
/* The calling thread's simulated pid and thread id (0 when unbound). */
int osl_kcore_current_pid(void);
uint64_t osl_kcore_current_tid(void);

#endif /* XS_OSL_LINUX_OSL_KCORE_H */
