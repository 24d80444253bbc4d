/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bsd_stubs.c: the BSD system call stubs (libsystem_kernel's __open,
 * __read, ...).  Each is one trap with Darwin's number; on error it returns
 * -1 with xnu_errno set.  Numbers are those of bsd/kern/syscalls.master
 * (tables/bsd-syscalls.tsv; test_tables checks the wrappers' use of them).
 * Corresponds to libsyscall/custom/SYS.h and the generated stubs.
 */
#include <stdarg.h>

#include "kmod-xnu-sim/libsyscall/libsyscall_internal.h"

#include "darwin/fcntl.h"
#include "kmod-xnu-sim/osl/osl.h"

enum {
	SYS_exit = 1, SYS_read = 3, SYS_write = 4, SYS_open = 5, SYS_close = 6,
	SYS_unlink = 10, SYS_chdir = 12, SYS_getpid = 20, SYS_getuid = 24,
	SYS_geteuid = 25, SYS_getppid = 39, SYS_dup = 41, SYS_pipe = 42,
	SYS_getegid = 43, SYS_getgid = 47, SYS_umask = 60, SYS_msync = 65,
	SYS_munmap = 73, SYS_mprotect = 74, SYS_madvise = 75, SYS_dup2 = 90,
	SYS_fcntl = 92, SYS_readv = 120, SYS_writev = 121, SYS_mkdir = 136,
	SYS_pread = 153, SYS_pwrite = 154, SYS_mmap = 197, SYS_lseek = 199,
	SYS_stat64 = 338, SYS_fstat64 = 339, SYS_lstat64 = 340,
	SYS_thread_selfid = 372, SYS_read_nocancel = 396, SYS_write_nocancel = 397,
	SYS_open_nocancel = 398, SYS_close_nocancel = 399, SYS_openat = 463,
};

_Noreturn void xnu_exit(int status)
{
	XS_BSD(SYS_exit, XS_I64(status));
	/* exit never returns; if the kernel refused, end the host process. */
	osl_process_terminate((status & 0xff) << 8);
}

/* open's mode is only there with O_CREAT (libc's open reads it then). */
#define XS_OPEN_MODE(flags, last)                                                \
	({ int xs_m_ = 0; va_list xs_ap_;                                        \
	   if ((flags) & O_CREAT) { va_start(xs_ap_, last); xs_m_ = va_arg(xs_ap_, int); \
				    va_end(xs_ap_); }                            \
	   xs_m_; })

int xnu_open(const char *path, int flags, ...)
{
	int mode = XS_OPEN_MODE(flags, flags);

	return (int)XS_BSD(SYS_open, XS_U64(path), XS_I64(flags), XS_I64(mode));
}

int xnu_open_nocancel(const char *path, int flags, ...)
{
	int mode = XS_OPEN_MODE(flags, flags);

	return (int)XS_BSD(SYS_open_nocancel, XS_U64(path), XS_I64(flags), XS_I64(mode));
}

int xnu_openat(int dirfd, const char *path, int flags, ...)
{
	int mode = XS_OPEN_MODE(flags, flags);

	return (int)XS_BSD(SYS_openat, XS_I64(dirfd), XS_U64(path), XS_I64(flags), XS_I64(mode));
}

int xnu_close(int fd) { return (int)XS_BSD(SYS_close, XS_I64(fd)); }
int xnu_close_nocancel(int fd) { return (int)XS_BSD(SYS_close_nocancel, XS_I64(fd)); }

xnu_ssize_t xnu_read(int fd, void *buf, size_t len)
{
	return XS_BSD(SYS_read, XS_I64(fd), XS_U64(buf), (uint64_t)len);
}

xnu_ssize_t xnu_read_nocancel(int fd, void *buf, size_t len)
{
	return XS_BSD(SYS_read_nocancel, XS_I64(fd), XS_U64(buf), (uint64_t)len);
}

xnu_ssize_t xnu_write(int fd, const void *buf, size_t len)
{
	return XS_BSD(SYS_write, XS_I64(fd), XS_U64(buf), (uint64_t)len);
}

xnu_ssize_t xnu_write_nocancel(int fd, const void *buf, size_t len)
{
	return XS_BSD(SYS_write_nocancel, XS_I64(fd), XS_U64(buf), (uint64_t)len);
}

xnu_ssize_t xnu_pread(int fd, void *buf, size_t len, xnu_off_t off)
{
	return XS_BSD(SYS_pread, XS_I64(fd), XS_U64(buf), (uint64_t)len, (uint64_t)off);
}

xnu_ssize_t xnu_pwrite(int fd, const void *buf, size_t len, xnu_off_t off)
{
	return XS_BSD(SYS_pwrite, XS_I64(fd), XS_U64(buf), (uint64_t)len, (uint64_t)off);
}

xnu_ssize_t xnu_readv(int fd, const struct xnu_iovec *iov, int iovcnt)
{
	return XS_BSD(SYS_readv, XS_I64(fd), XS_U64(iov), XS_I64(iovcnt));
}

xnu_ssize_t xnu_writev(int fd, const struct xnu_iovec *iov, int iovcnt)
{
	return XS_BSD(SYS_writev, XS_I64(fd), XS_U64(iov), XS_I64(iovcnt));
}

xnu_off_t xnu_lseek(int fd, xnu_off_t off, int whence)
{
	return XS_BSD(SYS_lseek, XS_I64(fd), (uint64_t)off, XS_I64(whence));
}

int xnu_stat64(const char *path, struct xnu_stat64 *sb)
{
	return (int)XS_BSD(SYS_stat64, XS_U64(path), XS_U64(sb));
}

int xnu_lstat64(const char *path, struct xnu_stat64 *sb)
{
	return (int)XS_BSD(SYS_lstat64, XS_U64(path), XS_U64(sb));
}

int xnu_fstat64(int fd, struct xnu_stat64 *sb)
{
	return (int)XS_BSD(SYS_fstat64, XS_I64(fd), XS_U64(sb));
}

int xnu_dup(int fd) { return (int)XS_BSD(SYS_dup, XS_I64(fd)); }
int xnu_dup2(int from, int to) { return (int)XS_BSD(SYS_dup2, XS_I64(from), XS_I64(to)); }

/* Commands whose argument is a pointer; the others take an int. */
static bool xs_fcntl_arg_is_pointer(int cmd)
{
	switch (cmd) {
	case F_GETLK: case F_SETLK: case F_SETLKW: case F_PREALLOCATE: case F_SETSIZE:
	case F_RDADVISE: case F_LOG2PHYS: case F_LOG2PHYS_EXT: case F_GETPATH:
	case F_OFD_SETLK: case F_OFD_SETLKW: case F_OFD_GETLK: case F_OFD_SETLKWTIMEOUT:
	case F_PUNCHHOLE: case F_GETPATH_NOFIRMLINK:
		return true;
	default:
		return false;
	}
}

int xnu_fcntl(int fd, int cmd, ...)
{
	uint64_t arg;
	va_list ap;

	va_start(ap, cmd);
	arg = xs_fcntl_arg_is_pointer(cmd) ? XS_U64(va_arg(ap, void *)) : XS_I64(va_arg(ap, int));
	va_end(ap);
	return (int)XS_BSD(SYS_fcntl, XS_I64(fd), XS_I64(cmd), arg);
}

/* pipe returns both descriptors: x0 (rax) and x1 (rdx). */
int xnu_pipe(int fds[2])
{
	uint64_t rv1 = 0;
	int64_t rv0 = xs_bsd(SYS_pipe, (const uint64_t *)0, 0, &rv1);

	if (rv0 < 0)
		return -1;
	fds[0] = (int)rv0;
	fds[1] = (int)rv1;
	return 0;
}

int xnu_unlink(const char *path) { return (int)XS_BSD(SYS_unlink, XS_U64(path)); }
int xnu_mkdir(const char *path, int mode)
{
	return (int)XS_BSD(SYS_mkdir, XS_U64(path), XS_I64(mode));
}

int xnu_chdir(const char *path) { return (int)XS_BSD(SYS_chdir, XS_U64(path)); }
int xnu_getpid(void) { return (int)XS_BSD0(SYS_getpid); }
int xnu_getppid(void) { return (int)XS_BSD0(SYS_getppid); }
uint32_t xnu_getuid(void) { return (uint32_t)XS_BSD0(SYS_getuid); }
uint32_t xnu_geteuid(void) { return (uint32_t)XS_BSD0(SYS_geteuid); }
uint32_t xnu_getgid(void) { return (uint32_t)XS_BSD0(SYS_getgid); }
uint32_t xnu_getegid(void) { return (uint32_t)XS_BSD0(SYS_getegid); }
int xnu_umask(int mask) { return (int)XS_BSD(SYS_umask, XS_I64(mask)); }
uint64_t xnu_thread_selfid(void) { return (uint64_t)XS_BSD0(SYS_thread_selfid); }

void *xnu_mmap(void *addr, size_t len, int prot, int flags, int fd, xnu_off_t off)
{
	int64_t r = XS_BSD(SYS_mmap, XS_U64(addr), (uint64_t)len, XS_I64(prot), XS_I64(flags),
			   XS_I64(fd), (uint64_t)off);

	return r == -1 ? XNU_MAP_FAILED : (void *)(uintptr_t)r;
}

int xnu_munmap(void *addr, size_t len)
{
	return (int)XS_BSD(SYS_munmap, XS_U64(addr), (uint64_t)len);
}

int xnu_mprotect(void *addr, size_t len, int prot)
{
	return (int)XS_BSD(SYS_mprotect, XS_U64(addr), (uint64_t)len, XS_I64(prot));
}

int xnu_madvise(void *addr, size_t len, int advice)
{
	return (int)XS_BSD(SYS_madvise, XS_U64(addr), (uint64_t)len, XS_I64(advice));
}

int xnu_msync(void *addr, size_t len, int flags)
{
	return (int)XS_BSD(SYS_msync, XS_U64(addr), (uint64_t)len, XS_I64(flags));
}
