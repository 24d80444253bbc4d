/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mac_process_signal.c: the MACF hook kill and killpg1 ask (through
 * cansignal) before a signal is sent.  No policy is loaded, so it allows;
 * it exists so traces show where XNU asks.  Kept apart from mac_process.c
 * (another subsystem's file); traced under XNU's path.
 * Corresponds to security/mac_process.c (mac_proc_check_signal).
 */
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

struct proc;

/* Returns 0 (allowed) or an errno a policy chose. */
int xs_mac_proc_check_signal(struct proc *src, struct proc *dst, int signum)
{
	XS_FUNC_AT(mac_proc_check_signal, "security/mac_process.c");
	(void)src;
	(void)dst;
	(void)signum;
	return 0;
}
