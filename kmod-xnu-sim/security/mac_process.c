// SPDX-License-Identifier: BSD-2-Clause
/*
 * mac_process.c: MACF hooks on process operations.  No policy is loaded in
 * the model, so each hook allows; the hooks exist so traces show where XNU
 * asks.  Corresponds to security/mac_process.c.
 */
#include "kmod-xnu-sim/security/mac_framework.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

/*
 * mmap(MAP_ANON): a policy may refuse (mmap then answers EINVAL) or lower
 * *maxprot (AMFI does for MAP_JIT without the entitlement).
 */
int xs_mac_proc_check_map_anon(struct proc *p, uint64_t addr, uint64_t size, int prot,
			       int flags, int *maxprot)
{
	XS_FUNC(mac_proc_check_map_anon);
	(void)p;
	(void)addr;
	(void)size;
	(void)prot;
	(void)flags;
	(void)maxprot;
	return 0;
}

/* mprotect: a policy may refuse, e.g. to keep a stack non-executable. */
int xs_mac_proc_check_mprotect(struct proc *p, uint64_t addr, uint64_t size, int prot)
{
	XS_FUNC(mac_proc_check_mprotect);
	(void)p;
	(void)addr;
	(void)size;
	(void)prot;
	return 0;
}

/*
 * task_for_pid: may cred get target's task port of this flavor (0:
 * TASK_FLAVOR_CONTROL)?  In XNU AMFI and Sandbox answer here (closed
 * source); with no policy loaded the POSIX check before it decides.
 */
int xs_mac_proc_check_get_task(const struct ucred *cred, struct proc *target, int flavor)
{
	XS_FUNC(mac_proc_check_get_task);
	(void)cred;
	(void)target;
	(void)flavor;
	return 0;
}
