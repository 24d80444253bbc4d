/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libsyscall.h: the user side of the trap boundary, for workloads.
 * Corresponds to XNU's libsyscall: each stub fills the saved state of the
 * machine's architecture (arm64: x16 = number, args in x0..x7; x86_64: rax =
 * class << 24 | number, args in rdi, rsi, rdx, r10, r8, r9) and traps.
 *
 * BSD stubs return -1 with xnu_errno set (cerror) when the kernel sets the
 * carry flag; Mach stubs return the kern_return_t in x0/rax and never look at
 * the carry.  Every value is Darwin's: include the darwin/ headers
 * (darwin/errno.h, darwin/fcntl.h, darwin/mman.h, darwin/kern_return.h, ...)
 * for the constants, never the host's.
 */
#ifndef XNUSIM_LIBSYSCALL_H
#define XNUSIM_LIBSYSCALL_H

#include <stddef.h>
#include <stdint.h>

#include "xnusim/abi/stat.h"
#include "xnusim/abi/message.h"
#include "xnusim/abi/signal.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef int32_t xnu_kern_return_t;
typedef uint32_t xnu_port_t;		/* mach_port_name_t */
typedef int64_t xnu_off_t;
typedef int64_t xnu_ssize_t;

/* Darwin errno of the calling thread's last failed BSD call. */
extern _Thread_local int xnu_errno;

struct xnu_iovec {			/* struct iovec (user64) */
	uint64_t iov_base;
	uint64_t iov_len;
};

struct xnu_timebase_info {		/* mach_timebase_info_data_t */
	uint32_t numer;
	uint32_t denom;
};

/* ---- raw traps: the saved state is the whole interface --------------------- */

struct arm_saved_state64;
struct x86_saved_state64;
void xnu_trap_arm64(struct arm_saved_state64 *state);
void xnu_trap_x86_64(struct x86_saved_state64 *state);

/*
 * BSD call number n with up to 8 arguments, on the machine's architecture.
 * Returns the errno (0 on success); rv[0], rv[1] get x0/x1 (rax/rdx).
 */
int xnu_bsd_trap(int n, const uint64_t *args, int nargs, uint64_t rv[2]);
/* Mach trap number n (negative, as in x16: -47).  Returns x0 (rax). */
uint64_t xnu_mach_trap(int n, const uint64_t *args, int nargs);
/* syscall(2): the indirect BSD call (number 0, the real number as arg 0). */
long xnu_syscall(int n, ...);

/* ---- BSD ------------------------------------------------------------------ */

_Noreturn void xnu_exit(int status);
int xnu_open(const char *path, int flags, ...);
int xnu_open_nocancel(const char *path, int flags, ...);
int xnu_openat(int dirfd, const char *path, int flags, ...);
int xnu_close(int fd);
int xnu_close_nocancel(int fd);
xnu_ssize_t xnu_read(int fd, void *buf, size_t len);
xnu_ssize_t xnu_read_nocancel(int fd, void *buf, size_t len);
xnu_ssize_t xnu_write(int fd, const void *buf, size_t len);
xnu_ssize_t xnu_write_nocancel(int fd, const void *buf, size_t len);
xnu_ssize_t xnu_pread(int fd, void *buf, size_t len, xnu_off_t off);
xnu_ssize_t xnu_pwrite(int fd, const void *buf, size_t len, xnu_off_t off);
xnu_ssize_t xnu_readv(int fd, const struct xnu_iovec *iov, int iovcnt);
xnu_ssize_t xnu_writev(int fd, const struct xnu_iovec *iov, int iovcnt);
xnu_off_t xnu_lseek(int fd, xnu_off_t off, int whence);
int xnu_stat64(const char *path, struct xnu_stat64 *sb);
int xnu_lstat64(const char *path, struct xnu_stat64 *sb);
int xnu_fstat64(int fd, struct xnu_stat64 *sb);
int xnu_dup(int fd);
int xnu_dup2(int from, int to);
int xnu_fcntl(int fd, int cmd, ...);
int xnu_pipe(int fds[2]);
int xnu_unlink(const char *path);
int xnu_mkdir(const char *path, int mode);
int xnu_chdir(const char *path);
int xnu_getpid(void);
int xnu_getppid(void);
uint32_t xnu_getuid(void);
uint32_t xnu_geteuid(void);
uint32_t xnu_getgid(void);
uint32_t xnu_getegid(void);
int xnu_umask(int mask);		/* returns the old mask */
uint64_t xnu_thread_selfid(void);
void *xnu_mmap(void *addr, size_t len, int prot, int flags, int fd, xnu_off_t off);
int xnu_munmap(void *addr, size_t len);
int xnu_mprotect(void *addr, size_t len, int prot);
int xnu_madvise(void *addr, size_t len, int advice);
int xnu_msync(void *addr, size_t len, int flags);
#define XNU_MAP_FAILED ((void *)-1)
/* fork(2): the child's pid in the parent, 0 in the child (fork_stubs.c). */
int xnu_fork(void);
/*
 * __ulock_wait / __ulock_wake (sys/ulock.h; operations in xnusim/ulock.h).
 * wait returns the waiters left, timeout in microseconds (0: none).
 */
int xnu_ulock_wait(uint32_t operation, void *addr, uint64_t value, uint32_t timeout_us);
int xnu_ulock_wake(uint32_t operation, void *addr, uint64_t wake_value);
/* Signals and wait (signal_stubs.c); structures in xnusim/abi/signal.h. */
int xnu_sigaction(int sig, const struct xnu_sigaction *act, struct xnu_sigaction *oact);
/* The raw call: the caller supplies sa_tramp (xnu_sigtramp is libc's). */
int xnu___sigaction(int sig, const struct xnu___sigaction *nsa, struct xnu_sigaction *osa);
int xnu_sigprocmask(int how, const xnu_sigset_t *set, xnu_sigset_t *oset);
int xnu_pthread_sigmask(int how, const xnu_sigset_t *set, xnu_sigset_t *oset);
int xnu_sigpending(xnu_sigset_t *set);
int xnu_sigsuspend(const xnu_sigset_t *mask);	/* always -1, EINTR */
int xnu_kill(int pid, int sig);			/* kill(pid, sig, posix = 1) */
int xnu_wait4(int pid, int *status, int options, void *rusage);
int xnu_wait4_nocancel(int pid, int *status, int options, void *rusage);
/* _sigtramp: what xnu_sigaction registers as sa_tramp; and __sigreturn. */
void xnu_sigtramp(uint64_t catcher, int style, int sig, struct xnu_siginfo *sinfo,
		  struct xnu_ucontext64 *uctx, uint64_t token);
int xnu_sigreturn(struct xnu_ucontext64 *uctx, int infostyle, uint64_t token);

/* ---- Mach ----------------------------------------------------------------- */

xnu_port_t xnu_mach_task_self(void);
xnu_port_t xnu_mach_thread_self(void);
xnu_port_t xnu_mach_host_self(void);
xnu_port_t xnu_mach_reply_port(void);
xnu_port_t xnu_thread_get_special_reply_port(void);
xnu_kern_return_t xnu_mach_port_allocate(xnu_port_t task, uint32_t right, xnu_port_t *name);
xnu_kern_return_t xnu_mach_port_deallocate(xnu_port_t task, xnu_port_t name);
xnu_kern_return_t xnu_mach_port_mod_refs(xnu_port_t task, xnu_port_t name, uint32_t right,
					 int32_t delta);
xnu_kern_return_t xnu_mach_port_insert_right(xnu_port_t task, xnu_port_t name, xnu_port_t poly,
					     uint32_t poly_type);
xnu_kern_return_t xnu_mach_port_construct(xnu_port_t task, struct xnu_mach_port_options *opts,
					  uint64_t context, xnu_port_t *name);
xnu_kern_return_t xnu_mach_port_destruct(xnu_port_t task, xnu_port_t name, int32_t srdelta,
					 uint64_t guard);
/* mach_msg(): through mach_msg2_trap (-47), as 64-bit libsyscall does. */
xnu_kern_return_t xnu_mach_msg(struct xnu_mach_msg_header *msg, uint32_t option,
			       uint32_t send_size, uint32_t rcv_size, xnu_port_t rcv_name,
			       uint32_t timeout, uint32_t priority);
/* The legacy trap, -31. */
xnu_kern_return_t xnu_mach_msg_trap(struct xnu_mach_msg_header *msg, uint32_t option,
				    uint32_t send_size, uint32_t rcv_size, xnu_port_t rcv_name,
				    uint32_t timeout, uint32_t priority);
/* semaphore_create/destroy are MIG routines on the task port (task.defs). */
xnu_kern_return_t xnu_semaphore_create(xnu_port_t task, xnu_port_t *sema, int policy, int value);
xnu_kern_return_t xnu_semaphore_destroy(xnu_port_t task, xnu_port_t sema);
/*
 * task_for_pid: the trap (-45); a send right to pid's task port in *t
 * (MACH_PORT_NULL on failure).  task_suspend / task_resume: MIG routines
 * on a task port (task.defs 3407 / 3408).
 */
xnu_kern_return_t xnu_task_for_pid(xnu_port_t target_tport, int pid, xnu_port_t *t);
xnu_kern_return_t xnu_task_suspend(xnu_port_t task);
xnu_kern_return_t xnu_task_resume(xnu_port_t task);
xnu_kern_return_t xnu_semaphore_signal(xnu_port_t sema);
xnu_kern_return_t xnu_semaphore_wait(xnu_port_t sema);
xnu_kern_return_t xnu_semaphore_timedwait(xnu_port_t sema, unsigned int sec, int nsec);
xnu_kern_return_t xnu_mach_timebase_info(struct xnu_timebase_info *info);
xnu_kern_return_t xnu_mach_wait_until(uint64_t deadline);
uint64_t xnu_mach_absolute_time(void);
uint64_t xnu_mach_continuous_time(void);
xnu_kern_return_t xnu_mach_vm_allocate(xnu_port_t task, uint64_t *addr, uint64_t size, int flags);
xnu_kern_return_t xnu_mach_vm_deallocate(xnu_port_t task, uint64_t addr, uint64_t size);
xnu_kern_return_t xnu_mach_vm_protect(xnu_port_t task, uint64_t addr, uint64_t size,
				      int set_max, int prot);
xnu_kern_return_t xnu_mach_vm_map(xnu_port_t task, uint64_t *addr, uint64_t size, uint64_t mask,
				  int flags, int cur_prot);

#ifdef __cplusplus
}
#endif

#endif /* XNUSIM_LIBSYSCALL_H */
