// SPDX-License-Identifier: BSD-2-Clause
/*
 * sys_generic.c: read, write, pread, pwrite, readv, writev and their
 * _nocancel twins.  Each builds a uio, looks the fd up (preparefileread /
 * preparefilewrite), and hands the uio to the file's fo_read / fo_write.
 * A write that meets a reader-less pipe (EPIPE) raises SIGPIPE here, as in
 * XNU.  Corresponds to bsd/kern/sys_generic.c.
 */
#include "kmod-xnu-sim/bsd/sys/file_internal.h"
#include "kmod-xnu-sim/bsd/sys/uio_internal.h"
#include "kmod-xnu-sim/bsd/sys/vnode_internal.h"
#include "kmod-xnu-sim/osfmk/kern/exception.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "darwin/fcntl.h"
#include "darwin/signal.h"

#define XS_INT_MAX 0x7fffffff

/* pread/pwrite need a seekable file: not a pipe (ESPIPE) nor a tty (ENXIO). */
static int valid_for_random_access(struct fileproc *fp)
{
	struct vnode *vp;

	if (fp->fp_glob->fg_type != DTYPE_VNODE)
		return ESPIPE;
	vp = fp->fp_glob->fg_data;
	if (vp->v_type == VFIFO)
		return ESPIPE;
	if (vp->v_flag & VISTTY)
		return ENXIO;
	return 0;
}

/* Look fd up for reading (or writing): EBADF unless opened for it. */
static int preparefile(struct proc *p, struct fileproc **fp_ret, int fd, int random,
		       uint32_t need)
{
	struct fileproc *fp;
	int error = xs_fp_lookup(p, fd, &fp, 0);

	if (error)
		return error;
	if ((fp->fp_glob->fg_flag & need) == 0)
		error = EBADF;
	else if (random)
		error = valid_for_random_access(fp);
	if (error) {
		xs_fp_drop(p, fd, fp, 0);
		return error;
	}
	*fp_ret = fp;
	return 0;
}

static int preparefileread(struct proc *p, struct fileproc **fp_ret, int fd, int check_pread)
{
	XS_FUNC(preparefileread);
	return preparefile(p, fp_ret, fd, check_pread, FREAD);
}

static int preparefilewrite(struct proc *p, struct fileproc **fp_ret, int fd, int check_pwrite)
{
	XS_FUNC(preparefilewrite);
	return preparefile(p, fp_ret, fd, check_pwrite, FWRITE);
}

static int fp_readv(struct fileproc *fp, struct uio *uio, int flags, user_ssize_t *retval)
{
	XS_FUNC(fp_readv);
	user_ssize_t count;
	int error = xs_uio_calculateresid(uio);

	if (error) {
		*retval = 0;
		return error;
	}
	count = xs_uio_resid(uio);
	error = xs_fo_read(fp, uio, flags);
	/* A transfer cut short by a signal or EAGAIN reports what it moved. */
	if ((error == EINTR || error == EAGAIN || error == ERESTART) && xs_uio_resid(uio) != count)
		error = 0;
	*retval = count - xs_uio_resid(uio);
	return error;
}

static int fp_writev(struct proc *p, struct fileproc *fp, struct uio *uio, int flags,
		     user_ssize_t *retval)
{
	XS_FUNC(fp_writev);
	user_ssize_t count;
	int error = xs_uio_calculateresid(uio);

	if (error) {
		*retval = 0;
		return error;
	}
	count = xs_uio_resid(uio);
	error = xs_fo_write(fp, uio, flags);
	if ((error == EINTR || error == EAGAIN || error == ERESTART) && xs_uio_resid(uio) != count)
		error = 0;
	if (error == EPIPE && fp->fp_glob->fg_type != DTYPE_SOCKET &&
	    !(fp->fp_glob->fg_lflags & FG_NOSIGPIPE))
		xs_psignal(p, SIGPIPE);
	*retval = count - xs_uio_resid(uio);
	return error;
}

static int readv_internal(struct proc *p, int fd, struct uio *uio, int flags,
			  user_ssize_t *retval)
{
	XS_FUNC(readv_internal);
	struct fileproc *fp;
	int error = preparefileread(p, &fp, fd, flags & FOF_OFFSET);

	if (error) {
		*retval = 0;
		return error;
	}
	error = fp_readv(fp, uio, flags, retval);
	xs_fp_drop(p, fd, fp, 0);
	return error;
}

static int writev_internal(struct proc *p, int fd, struct uio *uio, int flags,
			   user_ssize_t *retval)
{
	XS_FUNC(writev_internal);
	struct fileproc *fp;
	int error = preparefilewrite(p, &fp, fd, flags & FOF_OFFSET);

	if (error) {
		*retval = 0;
		return error;
	}
	error = fp_writev(p, fp, uio, flags, retval);
	xs_fp_drop(p, fd, fp, 0);
	return error;
}

/* read_internal: one user buffer; nbyte past INT_MAX is EINVAL, as in XNU. */
static int read_internal(struct proc *p, int fd, user_addr_t buf, user_size_t nbyte,
			 off_t offset, int flags, user_ssize_t *retval)
{
	XS_FUNC(read_internal);
	struct uio uio;

	*retval = 0;
	if (nbyte > XS_INT_MAX)
		return EINVAL;
	xs_uio_init1(&uio, offset, UIO_USERSPACE64, UIO_READ, buf, nbyte);
	return readv_internal(p, fd, &uio, flags, retval);
}

static int write_internal(struct proc *p, int fd, user_addr_t buf, user_size_t nbyte,
			  off_t offset, int flags, user_ssize_t *retval)
{
	XS_FUNC(write_internal);
	struct uio uio;

	*retval = 0;
	if (nbyte > XS_INT_MAX)
		return EINVAL;
	xs_uio_init1(&uio, offset, UIO_USERSPACE64, UIO_WRITE, buf, nbyte);
	return writev_internal(p, fd, &uio, flags, retval);
}

/* Copy in the iovec array; EINVAL for a bad count, EFAULT for a bad array. */
static int uio_from_user_iovecs(struct proc *p, struct uio *uio, user_addr_t iovp, int iovcnt,
				off_t offset, int rw)
{
	XS_FUNC(copyin_user_iovec_array);
	int error;

	(void)p;
	if (iovcnt <= 0 || iovcnt > UIO_MAXIOV || offset < 0)
		return EINVAL;
	error = xs_uio_create(uio, iovcnt, offset, UIO_USERSPACE64, rw);
	if (error)
		return error;
	if (osl_copyin(iovp, uio->uio_iovs, (size_t)iovcnt * sizeof(struct user_iovec)) != 0) {
		xs_uio_free(uio);
		return EFAULT;
	}
	return 0;
}

static void set_ssize_retval(int32_t *retval, user_ssize_t v)
{
	xs_memcpy(retval, &v, sizeof(v));
}

struct read_args { uint64_t fd, cbuf, nbyte; };
struct pread_args { uint64_t fd, buf, nbyte, offset; };
struct readv_args { uint64_t fd, iovp, iovcnt; };

/*
 * Routine:    xs_read_nocancel  [BSD 396]  / xs_read  [BSD 3]
 * Purpose:    Read from fd at its offset.
 * Conditions: Nothing locked; may block (pipes, console).
 * Returns:    0 with the byte count (64-bit) in retval; EBADF, EINVAL
 *             (nbyte > INT_MAX), EFAULT, EISDIR, EAGAIN, EINTR.
 */
int xs_read_nocancel(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(read_nocancel);
	struct read_args *a = uap;
	user_ssize_t n = 0;
	int error = read_internal(p, (int)a->fd, a->cbuf, a->nbyte, -1, 0, &n);

	set_ssize_retval(retval, n);
	return error;
}

int xs_read(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(read);
	return xs_read_nocancel(p, uap, retval);
}

/*
 * Routine:    xs_pread_nocancel  [BSD 414]  / xs_pread  [BSD 153]
 * Purpose:    Read at an explicit offset; the file offset is untouched.
 * Returns:    read's errors; ESPIPE (pipe), ENXIO (tty), EINVAL (offset < 0).
 */
int xs_pread_nocancel(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(pread_nocancel);
	struct pread_args *a = uap;
	user_ssize_t n = 0;
	int error = read_internal(p, (int)a->fd, a->buf, a->nbyte, (off_t)a->offset, FOF_OFFSET,
				  &n);

	set_ssize_retval(retval, n);
	return error;
}

int xs_pread(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(pread);
	return xs_pread_nocancel(p, uap, retval);
}

/*
 * Routine:    xs_readv_nocancel  [BSD 411]  / xs_readv  [BSD 120]
 * Purpose:    Scatter read.
 * Returns:    read's errors; EINVAL (iovcnt <= 0 or > UIO_MAXIOV, total
 *             overflows), EFAULT (the array or any iov_base).
 */
int xs_readv_nocancel(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(readv_nocancel);
	struct readv_args *a = uap;
	user_ssize_t n = 0;
	struct uio uio;
	int error;

	error = uio_from_user_iovecs(p, &uio, a->iovp, (int)a->iovcnt, 0, UIO_READ);
	if (error == 0) {
		error = readv_internal(p, (int)a->fd, &uio, 0, &n);
		xs_uio_free(&uio);
	}
	set_ssize_retval(retval, n);
	return error;
}

int xs_readv(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(readv);
	return xs_readv_nocancel(p, uap, retval);
}

/*
 * Routine:    xs_write_nocancel  [BSD 397]  / xs_write  [BSD 4]
 * Purpose:    Write to fd at its offset (the end with O_APPEND).
 * Conditions: Nothing locked; may block (pipes).
 * Returns:    0 with the byte count; EBADF, EINVAL, EFAULT, EPIPE (+SIGPIPE),
 *             EAGAIN, EFBIG, ENOSPC.
 */
int xs_write_nocancel(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(write_nocancel);
	struct read_args *a = uap;
	user_ssize_t n = 0;
	int error = write_internal(p, (int)a->fd, a->cbuf, a->nbyte, -1, 0, &n);

	set_ssize_retval(retval, n);
	return error;
}

int xs_write(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(write);
	return xs_write_nocancel(p, uap, retval);
}

/*
 * Routine:    xs_pwrite_nocancel  [BSD 415]  / xs_pwrite  [BSD 154]
 * Purpose:    Write at an explicit offset.
 * Returns:    write's errors; ESPIPE, ENXIO; EINVAL for offset -1 (XNU's
 *             check) and any negative offset (vn_write).
 */
int xs_pwrite_nocancel(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(pwrite_nocancel);
	struct pread_args *a = uap;
	user_ssize_t n = 0;
	int error = EINVAL;

	if ((off_t)a->offset != (off_t)-1)
		error = write_internal(p, (int)a->fd, a->buf, a->nbyte, (off_t)a->offset,
				       FOF_OFFSET, &n);
	set_ssize_retval(retval, n);
	return error;
}

int xs_pwrite(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(pwrite);
	return xs_pwrite_nocancel(p, uap, retval);
}

/*
 * Routine:    xs_writev_nocancel  [BSD 412]  / xs_writev  [BSD 121]
 * Purpose:    Gather write.
 * Returns:    write's errors; readv's iovec errors.
 */
int xs_writev_nocancel(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(writev_nocancel);
	struct readv_args *a = uap;
	user_ssize_t n = 0;
	struct uio uio;
	int error;

	error = uio_from_user_iovecs(p, &uio, a->iovp, (int)a->iovcnt, 0, UIO_WRITE);
	if (error == 0) {
		error = writev_internal(p, (int)a->fd, &uio, 0, &n);
		xs_uio_free(&uio);
	}
	set_ssize_retval(retval, n);
	return error;
}

int xs_writev(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(writev);
	return xs_writev_nocancel(p, uap, retval);
}
