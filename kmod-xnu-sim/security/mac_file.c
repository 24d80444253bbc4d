// SPDX-License-Identifier: BSD-2-Clause
/*
 * mac_file.c: MACF hooks on open files.  No policy is loaded in the model,
 * so each hook allows; the hooks exist so traces show where XNU asks.
 * Corresponds to security/mac_file.c.
 */
#include "kmod-xnu-sim/security/mac_framework.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

int xs_mac_file_check_create(const struct ucred *cred)
{
	XS_FUNC(mac_file_check_create);
	(void)cred;
	return 0;
}

void xs_mac_file_notify_close(const struct ucred *cred, struct fileglob *fg)
{
	XS_FUNC(mac_file_notify_close);
	(void)cred;
	(void)fg;
}

int xs_mac_file_check_fcntl(const struct ucred *cred, struct fileglob *fg, int cmd)
{
	XS_FUNC(mac_file_check_fcntl);
	(void)cred;
	(void)fg;
	(void)cmd;
	return 0;
}

/* mmap of a file: a policy may refuse or lower *maxprot (AMFI, Sandbox). */
int xs_mac_file_check_mmap(const struct ucred *cred, struct fileglob *fg, int prot,
			   int flags, uint64_t file_pos, int *maxprot)
{
	XS_FUNC(mac_file_check_mmap);
	(void)cred;
	(void)fg;
	(void)prot;
	(void)flags;
	(void)file_pos;
	(void)maxprot;
	return 0;
}
