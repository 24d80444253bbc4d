// SPDX-License-Identifier: BSD-2-Clause
/*
 * vfs_lookup.c: path name translation.  namei copies the path into a
 * ZV_NAMEI buffer and picks the starting directory; lookup walks it one
 * component at a time (name cache first, then VNOP_LOOKUP), crossing mount
 * points and "..".  Corresponds to bsd/vfs/vfs_lookup.c.
 */
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/bsd/sys/vnode_internal.h"
#include "kmod-xnu-sim/bsd/sys/file_internal.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#include "kmod-xnu-sim/security/mac_framework.h"
#include "darwin/misc.h"

/* Copy the path in; ENAMETOOLONG past MAXPATHLEN (with the NUL), EFAULT. */
static int namei_copyin(struct nameidata *ndp, char *buf)
{
	if (ndp->ni_segflg == UIO_SYSSPACE) {
		const char *src = (const char *)(uintptr_t)ndp->ni_dirp;

		if (src == NULL)
			return EFAULT;
		if (xs_strlcpy(buf, src, XS_MAXPATHLEN) >= XS_MAXPATHLEN)
			return ENAMETOOLONG;
		return 0;
	}
	switch (osl_copyinstr(ndp->ni_dirp, buf, XS_MAXPATHLEN, NULL)) {
	case 0:
		return 0;
	case -2:
		return ENAMETOOLONG;
	default:
		return EFAULT;
	}
}

/*
 * Routine:    xs_namei
 * Purpose:    Translate ndp->ni_dirp (see vnode_internal.h for results).
 * Conditions: Nothing locked.
 * Returns:    0, EFAULT, ENAMETOOLONG, ENOENT, ENOTDIR, EACCES, ENOMEM.
 */
int xs_namei(struct nameidata *ndp)
{
	XS_FUNC(namei);
	struct componentname *cnp = &ndp->ni_cnd;
	struct vnode *dp;
	int error;

	cnp->cn_pnbuf = xs_zalloc_id(ZONE_ID_NAMEI);
	if (cnp->cn_pnbuf == NULL)
		return ENOMEM;
	error = namei_copyin(ndp, cnp->cn_pnbuf);
	if (error == 0)
		XS_TRACE_VFS_LOOKUP(cnp->cn_pnbuf);	/* XNU: kdebug_lookup, from lookup() */
	if (error == 0 && cnp->cn_pnbuf[0] == '\0')
		error = ENOENT;
	if (error) {
		xs_nameidone(ndp);
		return error;
	}
	/* An absolute path starts at the process root; a relative one at dirfd or cwd. */
	if (cnp->cn_pnbuf[0] == '/')
		dp = (ndp->ni_proc && ndp->ni_proc->p_fd.fd_rdir) ? ndp->ni_proc->p_fd.fd_rdir
								   : xs_rootvnode();
	else if (ndp->ni_startdir)
		dp = ndp->ni_startdir;
	else if (ndp->ni_proc && ndp->ni_proc->p_fd.fd_cdir)
		dp = ndp->ni_proc->p_fd.fd_cdir;
	else
		dp = xs_rootvnode();
	xs_vnode_getwithref(dp);
	ndp->ni_dvp = dp;
	error = xs_lookup(ndp);
	if (error)
		xs_nameidone(ndp);
	return error;
}

void xs_nameidone(struct nameidata *ndp)
{
	XS_FUNC(nameidone);

	if (ndp->ni_cnd.cn_pnbuf) {
		xs_zfree_id(ZONE_ID_NAMEI, ndp->ni_cnd.cn_pnbuf);
		ndp->ni_cnd.cn_pnbuf = NULL;
		ndp->ni_cnd.cn_nameptr = NULL;
	}
}

/* The process's root, where ".." stops. */
static bool lookup_is_root(struct nameidata *ndp, struct vnode *dp)
{
	struct vnode *rdir = ndp->ni_proc ? ndp->ni_proc->p_fd.fd_rdir : NULL;

	return dp == xs_rootvnode() || dp == rdir;
}

/* One component: ".", "..", then the name cache, then the file system. */
static int lookup_component(struct nameidata *ndp, struct vnode *dp, struct vnode **vpp)
{
	struct componentname *cnp = &ndp->ni_cnd;
	const char *name = cnp->cn_nameptr;
	int len = cnp->cn_namelen;
	struct vnode *vp;
	int error;

	if (len == 1 && name[0] == '.') {
		vp = dp;
	} else if (len == 2 && name[0] == '.' && name[1] == '.') {
		if (lookup_is_root(ndp, dp))
			vp = dp;
		else if ((dp->v_flag & VROOT) && dp->v_mount->mnt_vnodecovered)
			vp = dp->v_mount->mnt_vnodecovered->v_parent;
		else
			vp = dp->v_parent;
	} else {
		error = xs_cache_lookup_path(ndp, dp, name, len, &vp);
		if (error == ENOENT)
			error = xs_VNOP_LOOKUP(dp, &vp, cnp);
		if (error)
			return error;
		/* Cross into a file system mounted here (devfs on /dev). */
		xs_vfs_lock();
		while (vp->v_mountedhere) {
			struct vnode *root = vp->v_mountedhere->mnt_root;

			xs_vnode_get_locked(root);
			xs_vnode_put_locked(vp);
			vp = root;
		}
		xs_vfs_unlock();
		*vpp = vp;
		return 0;
	}
	xs_vnode_getwithref(vp);
	*vpp = vp;
	return 0;
}

/* Put the component at cp into cnp; returns the text after it and its slashes. */
static char *lookup_next(struct componentname *cnp, char *cp, bool *last, bool *slash)
{
	char *end = cp;

	while (*end && *end != '/')
		end++;
	cnp->cn_nameptr = cp;
	cnp->cn_namelen = (int)(end - cp);
	*slash = *end == '/';
	while (*end == '/')
		*end++ = '\0';
	*last = *end == '\0';
	return end;
}

/*
 * Routine:    xs_lookup
 * Purpose:    Walk cn_pnbuf from ni_dvp (which holds an iocount).
 * Returns:    namei's results and errors.
 */
int xs_lookup(struct nameidata *ndp)
{
	XS_FUNC(lookup);
	struct componentname *cnp = &ndp->ni_cnd;
	struct vnode *dp = ndp->ni_dvp, *vp = NULL;
	char *cp = cnp->cn_pnbuf;
	bool last = false, slash = false;
	int error = 0;

	ndp->ni_dvp = NULL;
	while (*cp == '/')
		cp++;
	if (*cp == '\0') {
		/* "/" (or "///"): the start directory itself. */
		cnp->cn_nameptr = cp;
		cnp->cn_namelen = 0;
		if (cnp->cn_nameiop != LOOKUP) {
			xs_vnode_put(dp);
			return cnp->cn_nameiop == CREATE ? EISDIR : EBUSY;
		}
		ndp->ni_vp = dp;
		return 0;
	}
	for (;;) {
		cp = lookup_next(cnp, cp, &last, &slash);
		if (cnp->cn_namelen > NAME_MAX) {
			error = ENAMETOOLONG;
			break;
		}
		if (dp->v_type != VDIR) {
			error = ENOTDIR;
			break;
		}
		error = xs_mac_vnode_check_lookup(ndp->ni_cred, dp, cnp);
		if (error == 0)
			error = xs_vnode_authorize(dp, VEXEC, ndp->ni_cred);
		if (error)
			break;
		vp = NULL;
		error = lookup_component(ndp, dp, &vp);
		if (!last) {
			if (error)
				break;
			xs_vnode_put(dp);
			dp = vp;
			continue;
		}
		/* The last component. */
		if (error == ENOENT && cnp->cn_nameiop == CREATE && !slash) {
			ndp->ni_dvp = dp;
			ndp->ni_vp = NULL;
			return 0;
		}
		if (error)
			break;
		if (slash && vp->v_type != VDIR) {
			xs_vnode_put(vp);
			error = ENOTDIR;
			break;
		}
		ndp->ni_trailing_slash = slash;
		ndp->ni_vp = vp;
		if (cnp->cn_nameiop != LOOKUP || (cnp->cn_flags & WANTPARENT))
			ndp->ni_dvp = dp;
		else
			xs_vnode_put(dp);
		return 0;
	}
	xs_vnode_put(dp);
	ndp->ni_vp = NULL;
	return error;
}
