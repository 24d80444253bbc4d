// SPDX-License-Identifier: BSD-2-Clause
/*
 * vfs_syscalls.c: the path-based file system calls: open/openat and their
 * _nocancel twins, unlink, mkdir, chdir, umask, stat64/lstat64, and lseek.
 * open builds its fd through falloc_withinit and vn_open_auth, in XNU's
 * order.  Corresponds to bsd/vfs/vfs_syscalls.c.
 */
#include "kmod-xnu-sim/bsd/sys/file_internal.h"
#include "kmod-xnu-sim/bsd/sys/vnode_internal.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/security/mac_framework.h"
#include "xnusim/abi/stat.h"
#include "darwin/fcntl.h"
#include "darwin/stat.h"

/* FFLAGS: open(2) flags to kernel file flags (O_RDONLY 0 -> FREAD 1, ...). */
#define FFLAGS(oflags) ((oflags) + 1)

/*
 * open1: allocate the fd, open the vnode, and publish the fd.
 * On error the reserved slot and its fileproc/fileglob go back (fp_free).
 */
static int open1(struct proc *p, struct nameidata *ndp, int uflags, struct vnode_attr *vap,
		 int32_t *retval)
{
	XS_FUNC(open1);
	struct fileproc *fp;
	struct fileglob *fg;
	struct vnode *vp;
	int flags, indx, error;

	if ((uflags & O_ACCMODE) == O_ACCMODE)
		return EINVAL;
	flags = FFLAGS(uflags);
	error = xs_falloc_withinit(p, &fp, &indx);
	if (error)
		return error;
	error = xs_vn_open_auth(ndp, &flags, vap, &p->p_ucred);
	if (error) {
		xs_fp_free(p, indx, fp);
		return error;
	}
	vp = ndp->ni_vp;
	fg = fp->fp_glob;
	fg->fg_flag = (uint32_t)flags & FMASK;
	fg->fg_type = DTYPE_VNODE;	/* fg_ops = vnops; fp_set_data(vp) */
	fg->fg_data = vp;
	fg->fg_vn_data = xs_fg_vn_data_alloc();
	xs_vnode_put(vp);
	if (flags & O_CLOEXEC)
		p->p_fd.fd_ofileflags[indx] |= UF_EXCLOSE;
	xs_procfdtbl_releasefd(p, indx, fp);
	xs_fp_drop(p, indx, fp, 0);
	*retval = indx;
	return 0;
}

/*
 * open1at: a relative path with a real dirfd starts at that directory
 * (vnode_getfromfd); an absolute path or AT_FDCWD ignores it.
 */
static int open1at(struct proc *p, struct nameidata *ndp, int uflags, struct vnode_attr *vap,
		   int dirfd, int32_t *retval)
{
	XS_FUNC(open1at);
	struct fileproc *dfp = NULL;
	char c0;
	int error;

	if (dirfd != AT_FDCWD) {
		if (osl_copyin(ndp->ni_dirp, &c0, 1) != 0)
			return EFAULT;
		if (c0 != '/') {
			error = xs_fp_lookup(p, dirfd, &dfp, 0);
			if (error)
				return error;
			if (dfp->fp_glob->fg_type != DTYPE_VNODE ||
			    ((struct vnode *)dfp->fp_glob->fg_data)->v_type != VDIR) {
				xs_fp_drop(p, dirfd, dfp, 0);
				return ENOTDIR;
			}
			ndp->ni_startdir = dfp->fp_glob->fg_data;
		}
	}
	error = open1(p, ndp, uflags, vap, retval);
	if (dfp)
		xs_fp_drop(p, dirfd, dfp, 0);
	return error;
}

/* openat_internal: the mode masked by the umask, then open1at. */
static int openat_internal(struct proc *p, user_addr_t path, int flags, int mode, int fd,
			   int32_t *retval)
{
	XS_FUNC(openat_internal);
	struct nameidata nd;
	struct vnode_attr va;
	int cmode;

	cmode = ((mode & ~p->p_fd.fd_cmask) & ALLPERMS) & ~S_ISTXT;
	xs_memset(&va, 0, sizeof(va));
	va.va_mode = (uint16_t)(cmode & ACCESSPERMS);
	XS_NDINIT(&nd, LOOKUP, FOLLOW, UIO_USERSPACE64, path);
	nd.ni_proc = p;
	nd.ni_cred = &p->p_ucred;
	return open1at(p, &nd, flags, &va, fd, retval);
}

struct open_args { uint64_t path, flags, mode; };
struct openat_args { uint64_t fd, path, flags, mode; };

/*
 * Routine:    xs_open_nocancel  [BSD 398]  / xs_open  [BSD 5]
 * Purpose:    Open or create a file; the lowest free fd.
 * Conditions: Nothing locked.
 * Returns:    0 (fd in retval[0]); EINVAL, EFAULT, ENAMETOOLONG, ENOENT,
 *             ENOTDIR, EEXIST, EISDIR, EACCES, EMFILE.
 */
int xs_open_nocancel(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(open_nocancel);
	struct open_args *a = uap;

	return openat_internal(p, a->path, (int)a->flags, (int)a->mode, AT_FDCWD, retval);
}

int xs_open(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(open);
	return xs_open_nocancel(p, uap, retval);
}

/*
 * Routine:    xs_openat_nocancel  [BSD 464]  / xs_openat  [BSD 463]
 * Purpose:    open relative to a directory fd (or AT_FDCWD).
 * Returns:    open's errors; EBADF (bad dirfd), ENOTDIR (dirfd not a dir).
 */
int xs_openat_nocancel(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(openat_nocancel);
	struct openat_args *a = uap;

	return openat_internal(p, a->path, (int)a->flags, (int)a->mode, (int)a->fd, retval);
}

int xs_openat(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(openat);
	return xs_openat_nocancel(p, uap, retval);
}

struct unlink_args { uint64_t path; };

/* unlinkat_internal: remove a name; the file lives on while open. */
static int unlinkat_internal(struct proc *p, user_addr_t path)
{
	XS_FUNC(unlinkat_internal);
	struct nameidata nd;
	int error;

	XS_NDINIT(&nd, DELETE, NOFOLLOW, UIO_USERSPACE64, path);
	nd.ni_proc = p;
	nd.ni_cred = &p->p_ucred;
	error = xs_namei(&nd);
	if (error)
		return error;
	if (nd.ni_vp->v_type == VDIR)
		error = EPERM;
	if (error == 0)
		error = xs_vnode_authorize(nd.ni_dvp, VWRITE | VEXEC, &p->p_ucred);
	if (error == 0)
		error = xs_mac_vnode_check_unlink(&p->p_ucred, nd.ni_dvp, nd.ni_vp);
	if (error == 0)
		error = xs_VNOP_REMOVE(nd.ni_dvp, nd.ni_vp, &nd.ni_cnd);
	xs_vnode_put(nd.ni_vp);
	xs_vnode_put(nd.ni_dvp);
	xs_nameidone(&nd);
	return error;
}

/*
 * Routine:    xs_unlink  [BSD 10]
 * Purpose:    Remove a directory entry.
 * Returns:    0, ENOENT, ENOTDIR, EACCES, EPERM (a directory), EFAULT,
 *             ENAMETOOLONG.
 */
int xs_unlink(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(unlink);
	(void)retval;
	return unlinkat_internal(p, ((struct unlink_args *)uap)->path);
}

struct mkdir_args { uint64_t path, mode; };

/* mkdir1at: create a directory with (mode & ACCESSPERMS) & ~umask. */
static int mkdir1at(struct proc *p, user_addr_t path, int mode)
{
	XS_FUNC(mkdir1at);
	struct nameidata nd;
	struct vnode_attr va;
	struct vnode *vp = NULL;
	int error;

	XS_NDINIT(&nd, CREATE, NOFOLLOW, UIO_USERSPACE64, path);
	nd.ni_proc = p;
	nd.ni_cred = &p->p_ucred;
	error = xs_namei(&nd);
	if (error)
		return error == EISDIR ? EEXIST : error;
	if (nd.ni_vp != NULL) {
		error = EEXIST;
		xs_vnode_put(nd.ni_vp);
	} else {
		xs_memset(&va, 0, sizeof(va));
		va.va_type = VDIR;
		va.va_mode = (uint16_t)((mode & ACCESSPERMS) & ~p->p_fd.fd_cmask);
		error = xs_vn_authorize_create(nd.ni_dvp, &p->p_ucred);
		if (error == 0)
			error = xs_vn_create(nd.ni_dvp, &vp, &nd.ni_cnd, &va, &p->p_ucred);
		if (error == 0)
			xs_vnode_put(vp);
	}
	xs_vnode_put(nd.ni_dvp);
	xs_nameidone(&nd);
	return error;
}

/*
 * Routine:    xs_mkdir  [BSD 136]
 * Purpose:    Make a directory.
 * Returns:    0, EEXIST, ENOENT, ENOTDIR, EACCES, EFAULT, ENAMETOOLONG.
 */
int xs_mkdir(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(mkdir);
	struct mkdir_args *a = uap;

	(void)retval;
	return mkdir1at(p, a->path, (int)a->mode);
}

struct chdir_args { uint64_t path; };

/* change_dir: the vnode must be a directory we may search. */
static int change_dir(struct proc *p, struct nameidata *ndp)
{
	XS_FUNC(change_dir);
	int error = xs_namei(ndp);

	if (error)
		return error;
	xs_nameidone(ndp);
	if (ndp->ni_vp->v_type != VDIR)
		error = ENOTDIR;
	if (error == 0)
		error = xs_mac_vnode_check_chdir(&p->p_ucred, ndp->ni_vp);
	if (error == 0)
		error = xs_vnode_authorize(ndp->ni_vp, VEXEC, &p->p_ucred);
	if (error) {
		xs_vnode_put(ndp->ni_vp);
		ndp->ni_vp = NULL;
	}
	return error;
}

/*
 * Routine:    xs_sys_chdir  [BSD 12]
 * Purpose:    Change the current directory (chdir_internal).
 * Returns:    0, ENOENT, ENOTDIR, EACCES, EFAULT, ENAMETOOLONG.
 */
int xs_sys_chdir(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(sys_chdir);
	struct nameidata nd;
	struct vnode *old;
	int error;

	(void)retval;
	XS_NDINIT(&nd, LOOKUP, FOLLOW, UIO_USERSPACE64, ((struct chdir_args *)uap)->path);
	nd.ni_proc = p;
	nd.ni_cred = &p->p_ucred;
	error = change_dir(p, &nd);
	if (error)
		return error;
	xs_vnode_ref(nd.ni_vp);
	xs_lck_mtx_lock(&p->p_fd.fd_lock);
	old = p->p_fd.fd_cdir;
	p->p_fd.fd_cdir = nd.ni_vp;
	xs_lck_mtx_unlock(&p->p_fd.fd_lock);
	xs_vnode_put(nd.ni_vp);
	if (old)
		xs_vnode_rele(old);
	return 0;
}

struct umask_args { uint64_t newmask; };

/*
 * Routine:    xs_umask  [BSD 60]
 * Purpose:    Set the file creation mask; returns the old one.  Never fails.
 */
int xs_umask(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(umask);

	xs_lck_mtx_lock(&p->p_fd.fd_lock);
	*retval = p->p_fd.fd_cmask;
	p->p_fd.fd_cmask = (mode_t)(((struct umask_args *)uap)->newmask & ALLPERMS);
	xs_lck_mtx_unlock(&p->p_fd.fd_lock);
	return 0;
}

struct stat64_args { uint64_t path, ub; };

/* fstatat_internal: namei, vn_stat, copyout. */
static int fstatat_internal(struct proc *p, user_addr_t path, user_addr_t ub, int follow)
{
	XS_FUNC(fstatat_internal);
	struct nameidata nd;
	struct xnu_stat64 sb;
	int error;

	XS_NDINIT(&nd, LOOKUP, follow, UIO_USERSPACE64, path);
	nd.ni_proc = p;
	nd.ni_cred = &p->p_ucred;
	error = xs_namei(&nd);
	if (error)
		return error;
	xs_nameidone(&nd);
	error = xs_mac_vnode_check_stat(&p->p_ucred, nd.ni_vp);
	if (error == 0)
		error = xs_vn_stat(nd.ni_vp, &sb);
	xs_vnode_put(nd.ni_vp);
	if (error == 0 && osl_copyout(&sb, ub, sizeof(sb)) != 0)
		error = EFAULT;
	return error;
}

/*
 * Routine:    xs_stat64  [BSD 338]  / xs_lstat64  [BSD 340]
 * Purpose:    struct stat64 of a path (lstat does not follow a final
 *             symlink; the model has none, so they agree).
 * Returns:    0, ENOENT, ENOTDIR, EACCES, EFAULT, ENAMETOOLONG.
 */
int xs_stat64(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(stat64);
	struct stat64_args *a = uap;

	(void)retval;
	return fstatat_internal(p, a->path, a->ub, FOLLOW);
}

int xs_lstat64(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(lstat64);
	struct stat64_args *a = uap;

	(void)retval;
	return fstatat_internal(p, a->path, a->ub, NOFOLLOW);
}

struct lseek_args { uint64_t fd, offset, whence; };

/* The new offset for whence, or an error.  fg_lock held. */
static int lseek_compute(struct vnode *vp, off_t cur, off_t offset, int whence, off_t *out)
{
	struct vnode_attr va;
	off_t base;
	int error;

	switch (whence) {
	case SEEK_SET:
		*out = offset;
		break;
	case SEEK_CUR:
		if (__builtin_add_overflow(cur, offset, out))
			return EOVERFLOW;
		break;
	case SEEK_END:
	case SEEK_HOLE:
	case SEEK_DATA:
		error = xs_VNOP_GETATTR(vp, &va);
		if (error)
			return error;
		base = (off_t)va.va_data_size;
		if (whence == SEEK_END) {
			if (__builtin_add_overflow(base, offset, out))
				return EOVERFLOW;
			break;
		}
		/* memfs files have no holes: data up to EOF, one hole at EOF. */
		if (vp->v_type != VREG)
			return ENOTTY;
		if (offset < 0 || offset >= base)
			return ENXIO;
		*out = whence == SEEK_DATA ? offset : base;
		return 0;
	default:
		return EINVAL;
	}
	/* Negative offsets are allowed only on character devices, as in XNU. */
	if (*out < 0 && vp->v_type != VCHR)
		return EINVAL;
	return 0;
}

/*
 * Routine:    xs_lseek  [BSD 199]
 * Purpose:    Move the shared offset of an open file; SEEK_HOLE/SEEK_DATA
 *             answer for memfs files.
 * Returns:    0 (the new offset, 64 bits, in retval[0..1]); EBADF, ESPIPE
 *             (pipe), EINVAL (whence, negative result), ENXIO, EOVERFLOW.
 */
int xs_lseek(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(lseek);
	struct lseek_args *a = uap;
	int fd = (int)a->fd;
	struct fileproc *fp;
	struct fileglob *fg;
	struct vnode *vp;
	off_t off = 0;
	int error;

	error = xs_fp_lookup(p, fd, &fp, 0);
	if (error)
		return error;
	fg = fp->fp_glob;
	if (fg->fg_type != DTYPE_VNODE) {
		xs_fp_drop(p, fd, fp, 0);
		return fg->fg_type == DTYPE_PIPE || fg->fg_type == DTYPE_SOCKET ? ESPIPE : ENODEV;
	}
	vp = fg->fg_data;
	xs_vnode_getwithref(vp);
	xs_lck_mtx_lock(&fg->fg_lock);
	error = lseek_compute(vp, fg->fg_offset, (off_t)a->offset, (int)a->whence, &off);
	if (error == 0)
		fg->fg_offset = off;
	xs_lck_mtx_unlock(&fg->fg_lock);
	xs_vnode_put(vp);
	xs_fp_drop(p, fd, fp, 0);
	if (error == 0)
		xs_memcpy(retval, &off, sizeof(off));
	return error;
}
