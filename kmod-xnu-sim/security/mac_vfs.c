// SPDX-License-Identifier: BSD-2-Clause
/*
 * mac_vfs.c: MACF hooks on vnodes (open, create, lookup, read, write,
 * stat, unlink, chdir).  Sandbox and AMFI decide here in XNU; with no
 * policy loaded every hook allows.  Corresponds to security/mac_vfs.c.
 */
#include "kmod-xnu-sim/security/mac_framework.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

int xs_mac_vnode_check_open(const struct ucred *cred, struct vnode *vp, int acc_mode)
{
	XS_FUNC(mac_vnode_check_open);
	(void)cred;
	(void)vp;
	(void)acc_mode;
	return 0;
}

int xs_mac_vnode_check_create(const struct ucred *cred, struct vnode *dvp,
			      struct componentname *cnp)
{
	XS_FUNC(mac_vnode_check_create);
	(void)cred;
	(void)dvp;
	(void)cnp;
	return 0;
}

int xs_mac_vnode_check_lookup(const struct ucred *cred, struct vnode *dvp,
			      struct componentname *cnp)
{
	XS_FUNC(mac_vnode_check_lookup);
	(void)cred;
	(void)dvp;
	(void)cnp;
	return 0;
}

int xs_mac_vnode_check_read(const struct ucred *cred, struct vnode *vp)
{
	XS_FUNC(mac_vnode_check_read);
	(void)cred;
	(void)vp;
	return 0;
}

int xs_mac_vnode_check_write(const struct ucred *cred, struct vnode *vp)
{
	XS_FUNC(mac_vnode_check_write);
	(void)cred;
	(void)vp;
	return 0;
}

int xs_mac_vnode_check_stat(const struct ucred *cred, struct vnode *vp)
{
	XS_FUNC(mac_vnode_check_stat);
	(void)cred;
	(void)vp;
	return 0;
}

int xs_mac_vnode_check_unlink(const struct ucred *cred, struct vnode *dvp, struct vnode *vp)
{
	XS_FUNC(mac_vnode_check_unlink);
	(void)cred;
	(void)dvp;
	(void)vp;
	return 0;
}

int xs_mac_vnode_check_chdir(const struct ucred *cred, struct vnode *vp)
{
	XS_FUNC(mac_vnode_check_chdir);
	(void)cred;
	(void)vp;
	return 0;
}

/*
 * mac_vnode_check_signature: where AMFI judges a code signature in XNU.
 * The simulator's policy is the one an ad-hoc-friendly macOS applies: a
 * signature that passed the kernel's own structural checks (cs_validate_csblob)
 * is accepted, ad hoc (no CMS blob) included; nothing is a platform binary.
 */
int xs_mac_vnode_check_signature(struct vnode *vp, struct cs_blob *cs_blob,
				 struct image_params *imgp, unsigned int *cs_flags,
				 unsigned int *signer_type, int flags, unsigned int platform)
{
	XS_FUNC(mac_vnode_check_signature);
	(void)vp;
	(void)cs_blob;
	(void)imgp;
	(void)flags;
	(void)platform;
	(void)cs_flags;		/* AMFI may add CS_* bits here; this policy adds none */
	if (signer_type)
		*signer_type = 0;	/* CS_SIGNER_TYPE_UNKNOWN */
	return 0;
}
