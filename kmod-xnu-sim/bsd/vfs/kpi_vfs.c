// SPDX-License-Identifier: BSD-2-Clause
/*
 * kpi_vfs.c: the VNOP_* layer and the kernel's own file KPI (vnode_lookup,
 * vnode_open, vnode_close).  XNU calls through a per-file-system vnodeop
 * vector; the model switches on the vnode's v_tag (arena objects hold no
 * function pointers).  Device vnodes go to specfs as in XNU.
 * Corresponds to bsd/vfs/kpi_vfs.c.
 */
#include "kmod-xnu-sim/bsd/sys/file_internal.h"
#include "kmod-xnu-sim/bsd/sys/vnode_internal.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "darwin/fcntl.h"

int xs_VNOP_LOOKUP(struct vnode *dvp, struct vnode **vpp, struct componentname *cnp)
{
	XS_FUNC(VNOP_LOOKUP);

	if (dvp->v_tag == VT_XS_DEVFS)
		return xs_devfs_lookup(dvp, vpp, cnp);
	return xs_memfs_lookup(dvp, vpp, cnp);
}

int xs_VNOP_CREATE(struct vnode *dvp, struct vnode **vpp, struct componentname *cnp,
		   struct vnode_attr *vap)
{
	XS_FUNC(VNOP_CREATE);

	/* devfs names only devices; regular files cannot be created there. */
	if (dvp->v_tag == VT_XS_DEVFS)
		return ENOTSUP;
	return xs_memfs_create(dvp, vpp, cnp, vap);
}

int xs_VNOP_MKDIR(struct vnode *dvp, struct vnode **vpp, struct componentname *cnp,
		  struct vnode_attr *vap)
{
	XS_FUNC(VNOP_MKDIR);

	if (dvp->v_tag == VT_XS_DEVFS)
		return ENOTSUP;
	return xs_memfs_mkdir(dvp, vpp, cnp, vap);
}

int xs_VNOP_REMOVE(struct vnode *dvp, struct vnode *vp, struct componentname *cnp)
{
	XS_FUNC(VNOP_REMOVE);

	if (dvp->v_tag == VT_XS_DEVFS)
		return EPERM;
	return xs_memfs_remove(dvp, vp, cnp);
}

int xs_VNOP_OPEN(struct vnode *vp, int fmode)
{
	XS_FUNC(VNOP_OPEN);

	if (vp->v_type == VCHR)
		return xs_devfs_open(vp, fmode);
	return 0;	/* memfs_open: nothing to prepare */
}

int xs_VNOP_CLOSE(struct vnode *vp, int fflag)
{
	XS_FUNC(VNOP_CLOSE);
	(void)vp;
	(void)fflag;
	return 0;	/* memfs_close / spec_close: nothing to flush */
}

int xs_VNOP_READ(struct vnode *vp, struct uio *uio, int ioflag)
{
	XS_FUNC(VNOP_READ);

	if (vp->v_type == VCHR)
		return xs_spec_read(vp, uio, ioflag);
	return xs_memfs_read(vp, uio, ioflag);
}

int xs_VNOP_WRITE(struct vnode *vp, struct uio *uio, int ioflag)
{
	XS_FUNC(VNOP_WRITE);

	if (vp->v_type == VCHR)
		return xs_spec_write(vp, uio, ioflag);
	return xs_memfs_write(vp, uio, ioflag);
}

int xs_VNOP_GETATTR(struct vnode *vp, struct vnode_attr *vap)
{
	XS_FUNC(VNOP_GETATTR);
	return xs_memfs_getattr(vp, vap);
}

int xs_VNOP_SETATTR_SIZE(struct vnode *vp, uint64_t size)
{
	XS_FUNC(VNOP_SETATTR);

	if (vp->v_type != VREG)
		return 0;	/* O_TRUNC on a device or directory is ignored */
	return xs_memfs_truncate(vp, size);
}

void xs_VNOP_RECLAIM(struct vnode *vp)
{
	XS_FUNC(VNOP_RECLAIM);
	xs_memfs_reclaim(vp);
}

/*
 * Routine:    xs_vnode_lookup
 * Purpose:    Resolve a kernel path for kernel callers (exec, spawn).
 * Returns:    0 with an iocount on *vpp, or namei's errors.
 */
int xs_vnode_lookup(const char *path, struct proc *p, struct vnode **vpp)
{
	XS_FUNC(vnode_lookup);
	struct nameidata nd;
	int error;

	XS_NDINIT(&nd, LOOKUP, FOLLOW, UIO_SYSSPACE, (user_addr_t)(uintptr_t)path);
	nd.ni_proc = p;
	error = xs_namei(&nd);
	if (error)
		return error;
	xs_nameidone(&nd);
	*vpp = nd.ni_vp;
	return 0;
}

/*
 * Routine:    xs_vnode_open
 * Purpose:    Open a kernel path as the kernel (no permission checks).
 * Returns:    0 with an iocount and a usecount on *vpp; namei/create errors.
 */
int xs_vnode_open(const char *path, int fmode, int cmode, struct vnode **vpp)
{
	XS_FUNC(vnode_open);
	struct nameidata nd;
	struct vnode_attr va;
	int error;

	XS_NDINIT(&nd, LOOKUP, FOLLOW, UIO_SYSSPACE, (user_addr_t)(uintptr_t)path);
	xs_memset(&va, 0, sizeof(va));
	va.va_type = VREG;
	va.va_mode = (uint16_t)(cmode & 07777);
	error = xs_vn_open_auth(&nd, &fmode, &va, NULL);
	if (error == 0)
		*vpp = nd.ni_vp;
	return error;
}

/* vnode_close: VNOP_CLOSE and drop vnode_open's usecount and iocount. */
int xs_vnode_close(struct vnode *vp, int fmode)
{
	XS_FUNC(vnode_close);
	int error = xs_vn_close(vp, fmode);

	xs_vnode_put(vp);
	return error;
}
