// SPDX-License-Identifier: BSD-2-Clause
/*
 * vfs_vnops.c: opening, reading, writing, stat'ing and closing vnodes on
 * behalf of the fd layer (the vnode fileops: vn_read, vn_write,
 * vn_closefile), and the kernel's vn_rdwr.  Corresponds to
 * bsd/vfs/vfs_vnops.c (ubc_getobject: bsd/kern/ubc_subr.c).
 */
#include "kmod-xnu-sim/bsd/sys/file_internal.h"
#include "kmod-xnu-sim/bsd/sys/vnode_internal.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#include "kmod-xnu-sim/security/mac_framework.h"
#include "xnusim/abi/stat.h"
#include "darwin/fcntl.h"
#include "darwin/stat.h"
#include "darwin/struct_stat64.h"

/* struct xnu_stat64 must be Darwin's struct stat64 byte for byte. */
#define XS_STAT_OFF(f) (__builtin_offsetof(struct xnu_stat64, f))
_Static_assert(sizeof(struct xnu_stat64) == XS_STRUCT_STAT64__sizeof_struct_stat64, "stat64");
_Static_assert(XS_STAT_OFF(st_dev) == XS_STRUCT_STAT64__stat64_st_dev, "st_dev");
_Static_assert(XS_STAT_OFF(st_mode) == XS_STRUCT_STAT64__stat64_st_mode, "st_mode");
_Static_assert(XS_STAT_OFF(st_nlink) == XS_STRUCT_STAT64__stat64_st_nlink, "st_nlink");
_Static_assert(XS_STAT_OFF(st_ino) == XS_STRUCT_STAT64__stat64_st_ino, "st_ino");
_Static_assert(XS_STAT_OFF(st_uid) == XS_STRUCT_STAT64__stat64_st_uid, "st_uid");
_Static_assert(XS_STAT_OFF(st_gid) == XS_STRUCT_STAT64__stat64_st_gid, "st_gid");
_Static_assert(XS_STAT_OFF(st_rdev) == XS_STRUCT_STAT64__stat64_st_rdev, "st_rdev");
_Static_assert(XS_STAT_OFF(st_atimespec) == XS_STRUCT_STAT64__stat64_st_atimespec, "atime");
_Static_assert(XS_STAT_OFF(st_mtimespec) == XS_STRUCT_STAT64__stat64_st_mtimespec, "mtime");
_Static_assert(XS_STAT_OFF(st_ctimespec) == XS_STRUCT_STAT64__stat64_st_ctimespec, "ctime");
_Static_assert(XS_STAT_OFF(st_birthtimespec) == XS_STRUCT_STAT64__stat64_st_birthtimespec,
	       "birthtime");
_Static_assert(XS_STAT_OFF(st_size) == XS_STRUCT_STAT64__stat64_st_size, "st_size");
_Static_assert(XS_STAT_OFF(st_blocks) == XS_STRUCT_STAT64__stat64_st_blocks, "st_blocks");
_Static_assert(XS_STAT_OFF(st_blksize) == XS_STRUCT_STAT64__stat64_st_blksize, "st_blksize");
_Static_assert(XS_STAT_OFF(st_flags) == XS_STRUCT_STAT64__stat64_st_flags, "st_flags");
_Static_assert(XS_STAT_OFF(st_gen) == XS_STRUCT_STAT64__stat64_st_gen, "st_gen");
_Static_assert(XS_STAT_OFF(st_lspare) == XS_STRUCT_STAT64__stat64_st_lspare, "st_lspare");
_Static_assert(XS_STAT_OFF(st_qspare) == XS_STRUCT_STAT64__stat64_st_qspare, "st_qspare");

/* [O_CREAT, name absent] vn_authorize_create + vn_create into ndp->ni_vp. */
static int vn_open_auth_do_create(struct nameidata *ndp, struct vnode_attr *vap,
				  const struct ucred *cred)
{
	XS_FUNC(vn_open_auth_do_create);
	int error = xs_vn_authorize_create(ndp->ni_dvp, cred);

	if (error)
		return error;
	vap->va_type = VREG;
	return xs_vn_create(ndp->ni_dvp, &ndp->ni_vp, &ndp->ni_cnd, vap, cred);
}

/* vn_open_auth_finish: the open file's long-term reference (usecount). */
static void vn_open_auth_finish(struct vnode *vp, int fmode)
{
	XS_FUNC(vn_open_auth_finish);
	(void)fmode;
	xs_vnode_ref(vp);
}

/* Look up, or create, the file to open; ndp->ni_vp has an iocount on success. */
static int vn_open_lookup(struct nameidata *ndp, int fmode, struct vnode_attr *vap,
			  const struct ucred *cred, bool *did_create)
{
	int error;

	ndp->ni_cnd.cn_nameiop = (fmode & O_CREAT) ? CREATE : LOOKUP;
	error = xs_namei(ndp);
	if (error)
		return error;
	if ((fmode & O_CREAT) && ndp->ni_vp == NULL) {
		error = vn_open_auth_do_create(ndp, vap, cred);
		*did_create = error == 0;
	} else if ((fmode & O_CREAT) && (fmode & O_EXCL)) {
		error = EEXIST;
	} else if ((fmode & O_CREAT) && ndp->ni_vp->v_type == VDIR) {
		error = EISDIR;
	}
	if (ndp->ni_dvp) {
		xs_vnode_put(ndp->ni_dvp);
		ndp->ni_dvp = NULL;
	}
	if (error && ndp->ni_vp) {
		xs_vnode_put(ndp->ni_vp);
		ndp->ni_vp = NULL;
	}
	return error;
}

/*
 * Routine:    xs_vn_open_auth
 * Purpose:    Open (or create) the file ndp names; see vnode_internal.h.
 * Conditions: Nothing locked.  ndp's path buffer is released here.
 */
int xs_vn_open_auth(struct nameidata *ndp, int *fmodep, struct vnode_attr *vap,
		    const struct ucred *cred)
{
	XS_FUNC(vn_open_auth);
	int fmode = *fmodep;
	bool did_create = false;
	struct vnode *vp;
	int error;

	error = vn_open_lookup(ndp, fmode, vap, cred, &did_create);
	if (error)
		goto out;
	vp = ndp->ni_vp;
	if (!did_create) {
		error = xs_vn_authorize_open_existing(vp, fmode, cred);
		if (error == 0 && (fmode & O_TRUNC) && (fmode & FWRITE))
			error = xs_VNOP_SETATTR_SIZE(vp, 0);
	}
	if (error == 0)
		error = xs_VNOP_OPEN(vp, fmode);
	if (error) {
		xs_vnode_put(vp);
		ndp->ni_vp = NULL;
		goto out;
	}
	vn_open_auth_finish(vp, fmode);
	*fmodep = fmode;
out:
	xs_nameidone(ndp);
	return error;
}

/* vn_close: VNOP_CLOSE and drop the open's usecount. */
int xs_vn_close(struct vnode *vp, int flags)
{
	XS_FUNC(vn_close);
	int error = xs_VNOP_CLOSE(vp, flags);

	xs_vnode_rele(vp);
	return error;
}

/* vn_closefile: fo_close for vnodes (the fileglob's last reference went). */
int xs_vn_closefile(struct fileglob *fg)
{
	XS_FUNC(vn_closefile);
	struct vnode *vp = fg->fg_data;
	int error;

	xs_vnode_getwithref(vp);
	error = xs_vn_close(vp, (int)fg->fg_flag);
	xs_vnode_put(vp);
	if (fg->fg_vn_data) {
		xs_kfree(fg->fg_vn_data, sizeof(*fg->fg_vn_data));
		fg->fg_vn_data = NULL;
	}
	return error;
}

/* fg_vn_data_alloc: per-open state for directories (getdirentries offset). */
struct fg_vn_data *xs_fg_vn_data_alloc(void)
{
	XS_FUNC(fg_vn_data_alloc);
	return xs_kalloc(sizeof(struct fg_vn_data));
}

static int vn_read_common(struct vnode *vp, struct uio *uio, int ioflag,
			  const struct ucred *cred)
{
	XS_FUNC(vn_read_common);
	int error = xs_mac_vnode_check_read(cred, vp);

	if (error)
		return error;
	return xs_VNOP_READ(vp, uio, ioflag);
}

/*
 * vn_offset_lock: regular files and directories serialize on the shared
 * offset; devices do not (a console read may wait for the host).
 */
static bool vn_offset_lock(struct fileglob *fg, struct vnode *vp)
{
	if (vp->v_type != VREG && vp->v_type != VDIR)
		return false;
	xs_lck_mtx_lock(&fg->fg_lock);
	return true;
}

/* vn_read: fo_read for vnodes, at fg_offset unless FOF_OFFSET. */
int xs_vn_read(struct fileproc *fp, struct uio *uio, int flags)
{
	XS_FUNC(vn_read);
	struct fileglob *fg = fp->fp_glob;
	struct vnode *vp = fg->fg_data;
	int ioflag = (fg->fg_flag & FNONBLOCK) ? IO_NDELAY : 0;
	bool locked = false;
	int error;

	xs_vnode_getwithref(vp);
	if (!(flags & FOF_OFFSET)) {
		locked = vn_offset_lock(fg, vp);
		uio->uio_offset = fg->fg_offset;
	}
	error = vn_read_common(vp, uio, ioflag, &fg->fg_cred);
	if (!(flags & FOF_OFFSET)) {
		fg->fg_offset = uio->uio_offset;
		if (locked)
			xs_lck_mtx_unlock(&fg->fg_lock);
	}
	xs_vnode_put(vp);
	return error;
}

/* vn_write: fo_write for vnodes; O_APPEND writes land at the end. */
int xs_vn_write(struct fileproc *fp, struct uio *uio, int flags)
{
	XS_FUNC(vn_write);
	struct fileglob *fg = fp->fp_glob;
	struct vnode *vp = fg->fg_data;
	int ioflag = (fg->fg_flag & FNONBLOCK) ? IO_NDELAY : 0;
	bool locked = false;
	int error;

	xs_vnode_getwithref(vp);
	if (!(flags & FOF_OFFSET)) {
		locked = vn_offset_lock(fg, vp);
		uio->uio_offset = fg->fg_offset;
		if (fg->fg_flag & O_APPEND)
			ioflag |= IO_APPEND;
	}
	error = xs_mac_vnode_check_write(&fg->fg_cred, vp);
	if (error == 0)
		error = xs_VNOP_WRITE(vp, uio, ioflag);
	if (!(flags & FOF_OFFSET)) {
		fg->fg_offset = uio->uio_offset;
		if (locked)
			xs_lck_mtx_unlock(&fg->fg_lock);
	}
	xs_vnode_put(vp);
	return error;
}

static void ns_to_timespec(uint64_t ns, struct xnu_timespec *ts)
{
	ts->tv_sec = (int64_t)(ns / 1000000000ull);
	ts->tv_nsec = (int64_t)(ns % 1000000000ull);
}

static uint16_t vtype_to_ifmt(enum vtype t)
{
	switch (t) {
	case VDIR: return S_IFDIR;
	case VCHR: return S_IFCHR;
	case VBLK: return S_IFBLK;
	case VLNK: return S_IFLNK;
	case VSOCK: return S_IFSOCK;
	case VFIFO: return S_IFIFO;
	default: return S_IFREG;
	}
}

/*
 * Routine:    xs_vn_stat
 * Purpose:    VNOP_GETATTR into a Darwin struct stat64.  Times are the
 *             simulator's clock (osl_absolute_time), not the calendar.
 */
int xs_vn_stat(struct vnode *vp, struct xnu_stat64 *sb)
{
	XS_FUNC(vn_stat);
	struct vnode_attr va;
	int error = xs_VNOP_GETATTR(vp, &va);

	if (error)
		return error;
	xs_memset(sb, 0, sizeof(*sb));
	sb->st_dev = va.va_fsid;
	sb->st_ino = va.va_fileid;
	sb->st_mode = (uint16_t)(vtype_to_ifmt(va.va_type) | (va.va_mode & ALLPERMS));
	sb->st_nlink = va.va_nlink;
	sb->st_uid = va.va_uid;
	sb->st_gid = va.va_gid;
	sb->st_rdev = va.va_rdev;
	ns_to_timespec(va.va_access_time, &sb->st_atimespec);
	ns_to_timespec(va.va_modify_time, &sb->st_mtimespec);
	ns_to_timespec(va.va_change_time, &sb->st_ctimespec);
	ns_to_timespec(va.va_create_time, &sb->st_birthtimespec);
	sb->st_size = (int64_t)va.va_data_size;
	sb->st_blocks = (int64_t)(va.va_data_alloc / S_BLKSIZE);
	sb->st_blksize = (int32_t)va.va_iosize;
	return 0;
}

/*
 * Routine:    xs_vn_rdwr
 * Purpose:    Kernel I/O on a vnode (exec reading an image, tests).
 * Returns:    0 or the file system's error; *aresid (may be NULL) gets the
 *             bytes not transferred.
 */
int xs_vn_rdwr(int rw, struct vnode *vp, void *base, int64_t len, off_t offset,
	       int64_t *aresid)
{
	XS_FUNC(vn_rdwr);
	struct uio uio;
	int error;

	if (len < 0 || offset < 0)
		return EINVAL;
	xs_uio_init1(&uio, offset, UIO_SYSSPACE, rw, (uint64_t)(uintptr_t)base, (uint64_t)len);
	error = rw == UIO_READ ? xs_VNOP_READ(vp, &uio, 0) : xs_VNOP_WRITE(vp, &uio, 0);
	if (aresid)
		*aresid = xs_uio_resid(&uio);
	return error;
}

/*
 * Routine:    xs_ubc_getobject
 * Purpose:    The pages behind a regular file for mmap (file_internal.h).
 *             The backing is pinned: if the file grows later it moves to
 *             new pages and the old ones stay with the mapping.
 */
int xs_ubc_getobject(struct vnode *vp, void **kaddr, uint64_t *size)
{
	XS_FUNC_AT(ubc_getobject, "bsd/kern/ubc_subr.c");
	struct memfs_node *mn = vp->v_data;

	if (vp->v_type != VREG || vp->v_tag != VT_XS_MEMFS)
		return EINVAL;
	xs_lck_mtx_lock(&vp->v_lock);
	if (mn->mn_data == NULL) {
		mn->mn_data = xs_kmem_alloc(OSL_PAGE_SIZE);
		if (mn->mn_data == NULL) {
			xs_lck_mtx_unlock(&vp->v_lock);
			return ENOMEM;
		}
		mn->mn_alloc = OSL_PAGE_SIZE;
	}
	mn->mn_ubc_pinned = true;
	*kaddr = mn->mn_data;
	*size = mn->mn_size;
	xs_lck_mtx_unlock(&vp->v_lock);
	return 0;
}
