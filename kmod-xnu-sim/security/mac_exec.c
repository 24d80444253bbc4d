// SPDX-License-Identifier: BSD-2-Clause
/*
 * mac_exec.c: the MACF hooks exec and posix_spawn ask.  No policy is loaded,
 * so each allows; they exist so traces show where XNU asks (AMFI and the
 * Sandbox decide here on macOS).  XNU keeps mac_vnode_check_exec in
 * security/mac_vfs.c and mac_execve_enter in security/mac_process.c.
 */
#include "kmod-xnu-sim/osfmk/kern/kern_types.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

struct ucred;
struct vnode;

int xs_mac_vnode_check_exec(const struct ucred *cred, struct vnode *vp);
int xs_mac_execve_enter(user_addr_t mac_p);

/* May cred execute vp?  A policy answers 0 or EACCES / EPERM. */
int xs_mac_vnode_check_exec(const struct ucred *cred, struct vnode *vp)
{
	XS_FUNC_AT(mac_vnode_check_exec, "security/mac_vfs.c");
	(void)cred;
	(void)vp;
	return 0;
}

/* __mac_execve's label: copied in and handed to policies; none is loaded. */
int xs_mac_execve_enter(user_addr_t mac_p)
{
	XS_FUNC_AT(mac_execve_enter, "security/mac_process.c");
	(void)mac_p;
	return 0;
}
