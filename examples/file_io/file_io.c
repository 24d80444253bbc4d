/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * file_io: the BSD file calls on the simulated kernel.  Each call below
 * enters through the arm64 (or x86_64) trap front-end, runs the XNU chain
 * (open -> open1 -> falloc_withinit -> zalloc_id(fileproc) -> vn_open_auth ->
 * namei ...) and comes back with Darwin's errno on failure.
 */
#include <string.h>

#include "darwin/errno.h"
#include "darwin/fcntl.h"
#include "examples/common/xprint.h"

int main(void)
{
	static const char msg[] = "hello from a simulated XNU\n";
	struct xnu_stat64 st;
	char buf[64];
	int fd, fd2;

	xprintf("file_io: pid %d, parent %d, uid %u\n", xnu_getpid(), xnu_getppid(),
		xnu_getuid());

	XCHECK(xnu_mkdir("/tmp/file_io", 0755));
	XCHECK(xnu_chdir("/tmp/file_io"));
	XCHECK(fd = xnu_open("notes.txt", O_CREAT | O_RDWR | O_TRUNC, 0644));
	XCHECK(xnu_write(fd, msg, sizeof(msg) - 1));
	XCHECK(xnu_fstat64(fd, &st));
	xprintf("wrote %lld bytes to notes.txt (inode %llu, mode %o)\n",
		(long long)st.st_size, (unsigned long long)st.st_ino, st.st_mode);

	/* dup shares the fileglob, so the two descriptors share one offset. */
	XCHECK(fd2 = xnu_dup(fd));
	XCHECK(xnu_lseek(fd2, 6, SEEK_SET));
	memset(buf, 0, sizeof(buf));
	XCHECK(xnu_read(fd, buf, 4));
	xprintf("after lseek on the dup, read on the original gives \"%s\"\n", buf);

	memset(buf, 0, sizeof(buf));
	XCHECK(xnu_pread(fd, buf, 5, 0));
	xprintf("pread at offset 0: \"%s\"\n", buf);

	/* Errors come back as Darwin errno values, not Linux ones. */
	if (xnu_open("/no/such/file", O_RDONLY) < 0)
		xprintf("open of a missing path: errno %d (ENOENT is %d)\n", xnu_errno, ENOENT);
	if (xnu_read(42, buf, 1) < 0)
		xprintf("read on a closed fd: errno %d (EBADF is %d)\n", xnu_errno, EBADF);
	if (xnu_write(fd, (void *)16, 8) < 0)
		xprintf("write from a bad pointer: errno %d (EFAULT is %d)\n", xnu_errno, EFAULT);

	XCHECK(xnu_close(fd2));
	XCHECK(xnu_close(fd));
	XCHECK(xnu_unlink("notes.txt"));
	if (xnu_stat64("notes.txt", &st) < 0 && xnu_errno == ENOENT)
		xprintf("notes.txt is gone after unlink\n");
	return 0;
}
