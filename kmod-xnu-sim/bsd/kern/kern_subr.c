// SPDX-License-Identifier: BSD-2-Clause
/*
 * kern_subr.c: uio helpers.  A read or write moves data through a struct uio
 * so one file system routine serves read, pread, readv and kernel I/O alike;
 * uiomove is where the kernel finally touches user memory (copyin/copyout).
 * Corresponds to bsd/kern/kern_subr.c.
 */
#include "kmod-xnu-sim/bsd/sys/uio_internal.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#include "kmod-xnu-sim/osl/osl.h"

void xs_uio_init1(struct uio *uio, off_t offset, int segflg, int rw, uint64_t base, uint64_t len)
{
	xs_memset(uio, 0, sizeof(*uio));
	uio->uio_iovs = &uio->uio_iov_inline;
	uio->uio_iovcnt = 1;
	uio->uio_segflg = segflg;
	uio->uio_rw = rw;
	uio->uio_offset = offset;
	uio->uio_iov_inline.iov_base = base;
	uio->uio_iov_inline.iov_len = len;
	uio->uio_resid_64 = (user_ssize_t)len;
}

int xs_uio_create(struct uio *uio, int iovcnt, off_t offset, int segflg, int rw)
{
	XS_FUNC(uio_create);

	xs_uio_init1(uio, offset, segflg, rw, 0, 0);
	uio->uio_iovs = xs_kalloc((size_t)iovcnt * sizeof(struct user_iovec));
	if (uio->uio_iovs == NULL) {
		uio->uio_iovs = &uio->uio_iov_inline;
		return ENOMEM;
	}
	uio->uio_iovs_alloc = uio->uio_iovs;
	uio->uio_iovcnt = iovcnt;
	uio->uio_kalloc_count = iovcnt;
	return 0;
}

void xs_uio_free(struct uio *uio)
{
	XS_FUNC(uio_free);

	if (uio->uio_kalloc_count)
		xs_kfree(uio->uio_iovs_alloc,
			 (size_t)uio->uio_kalloc_count * sizeof(struct user_iovec));
	uio->uio_kalloc_count = 0;
	uio->uio_iovs = &uio->uio_iov_inline;
}

int xs_uio_calculateresid(struct uio *uio)
{
	XS_FUNC(uio_calculateresid);
	uint64_t resid = 0;

	/* A sum past the signed 64-bit range cannot be returned as ssize_t. */
	for (int i = 0; i < uio->uio_iovcnt; i++) {
		uint64_t len = uio->uio_iovs[i].iov_len;

		if (len > (uint64_t)INT64_MAX || resid + len > (uint64_t)INT64_MAX)
			return EINVAL;
		resid += len;
	}
	uio->uio_resid_64 = (user_ssize_t)resid;
	return 0;
}

/* Consume n bytes from the front of the uio (the iovecs and the offset). */
void xs_uio_update(struct uio *uio, user_ssize_t n)
{
	while (n > 0 && uio->uio_iovcnt > 0) {
		struct user_iovec *iov = uio->uio_iovs;
		uint64_t step = iov->iov_len < (uint64_t)n ? iov->iov_len : (uint64_t)n;

		iov->iov_base += step;
		iov->iov_len -= step;
		uio->uio_resid_64 -= (user_ssize_t)step;
		uio->uio_offset += (off_t)step;
		n -= (user_ssize_t)step;
		if (iov->iov_len == 0) {
			uio->uio_iovs++;
			uio->uio_iovcnt--;
		}
	}
	/* Skip empty iovecs so the next transfer starts on a live one. */
	while (uio->uio_iovcnt > 0 && uio->uio_iovs->iov_len == 0) {
		uio->uio_iovs++;
		uio->uio_iovcnt--;
	}
}

/*
 * Routine:    xs_uiomove  (uiomove64)
 * Purpose:    Copy up to n bytes between kernel buffer cp and the uio,
 *             copyout for UIO_READ, copyin for UIO_WRITE.
 * Returns:    0, or EFAULT when a user iovec is not accessible (the bytes
 *             before the fault stay transferred and accounted).
 */
int xs_uiomove(void *cp, user_ssize_t n, struct uio *uio)
{
	XS_FUNC(uiomove64);
	char *kp = cp;

	while (n > 0 && uio->uio_resid_64 > 0 && uio->uio_iovcnt > 0) {
		struct user_iovec *iov = uio->uio_iovs;
		uint64_t cnt = iov->iov_len < (uint64_t)n ? iov->iov_len : (uint64_t)n;
		int rc = 0;

		if (cnt == 0) {
			xs_uio_update(uio, 0);
			continue;
		}
		if (uio->uio_segflg == UIO_SYSSPACE) {
			if (uio->uio_rw == UIO_READ)
				xs_memcpy((void *)(uintptr_t)iov->iov_base, kp, cnt);
			else
				xs_memcpy(kp, (const void *)(uintptr_t)iov->iov_base, cnt);
		} else if (uio->uio_rw == UIO_READ) {
			rc = osl_copyout(kp, iov->iov_base, cnt);
		} else {
			rc = osl_copyin(iov->iov_base, kp, cnt);
		}
		if (rc != 0)
			return EFAULT;
		xs_uio_update(uio, (user_ssize_t)cnt);
		kp += cnt;
		n -= (user_ssize_t)cnt;
	}
	return 0;
}
