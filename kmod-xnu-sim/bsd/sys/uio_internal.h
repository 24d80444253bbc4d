/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * uio_internal.h: struct uio, the descriptor of a scatter/gather transfer
 * between the kernel and user (or kernel) buffers.  Corresponds to
 * bsd/sys/uio_internal.h and bsd/kern/kern_subr.c.  A uio lives on the
 * kernel stack of the calling thread (or in kalloc memory for large iovec
 * arrays); it is never stored in the arena past the call.
 */
#ifndef XS_SYS_UIO_INTERNAL_H
#define XS_SYS_UIO_INTERNAL_H

#include "kmod-xnu-sim/osfmk/kern/kern_types.h"

#define UIO_MAXIOV 1024		/* bsd/sys/uio.h: max iovecs per readv/writev */

/* uio_segflg */
#define UIO_USERSPACE64 8	/* XNU's value for 64-bit user addresses */
#define UIO_SYSSPACE    2

/* uio_rw */
#define UIO_READ  0
#define UIO_WRITE 1

/* FOF_OFFSET: the uio carries its own offset (pread/pwrite). */
#define FOF_OFFSET 0x00000001

struct user_iovec {		/* struct user64_iovec */
	uint64_t iov_base;
	uint64_t iov_len;
};

struct uio {
	struct user_iovec *uio_iovs;	/* uio_iov_inline or kalloc'd */
	int uio_iovcnt;
	int uio_segflg;
	int uio_rw;
	off_t uio_offset;
	user_ssize_t uio_resid_64;
	struct user_iovec *uio_iovs_alloc;	/* kalloc'd array (uio_iovs advances) */
	int uio_kalloc_count;		/* iovecs to kfree in uio_free, 0 if inline */
	struct user_iovec uio_iov_inline;
};

/*
 * uio_createwithbuffer(1, ...) on the stack: one iovec, no allocation.
 * uio_create(n, ...): iovcnt kalloc'd iovecs; free with xs_uio_free.
 * Return 0 or ENOMEM.
 */
void xs_uio_init1(struct uio *uio, off_t offset, int segflg, int rw, uint64_t base, uint64_t len);
int xs_uio_create(struct uio *uio, int iovcnt, off_t offset, int segflg, int rw);
void xs_uio_free(struct uio *uio);
/* Sum iov_len into uio_resid_64; EINVAL if it overflows user_ssize_t. */
int xs_uio_calculateresid(struct uio *uio);
static inline user_ssize_t xs_uio_resid(const struct uio *uio) { return uio->uio_resid_64; }
/* Copy n bytes between cp and the uio (direction from uio_rw).  0 or EFAULT. */
int xs_uiomove(void *cp, user_ssize_t n, struct uio *uio);
/* Skip n bytes of the uio without copying (used by /dev/null writes). */
void xs_uio_update(struct uio *uio, user_ssize_t n);

#endif /* XS_SYS_UIO_INTERNAL_H */
