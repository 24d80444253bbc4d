/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * osl_kmod_user.c: the user-space backend over xnusim.ko.  libsyscall's
 * stubs fill a saved state and call osl_trap_enter_*, which here is an
 * ioctl on /dev/xnusim rather than a call into an in-process core; the rest
 * of the osl calls libsyscall makes are answered from the host.  Linked
 * statically into test programs (make kmod).  Platform layer: the svc /
 * syscall instruction, seen from user space.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kmod-xnu-sim/osl/linux/user/xnusim_kmod.h"
#include "kmod-xnu-sim/osl/osl_signal_map.h"

struct arm_saved_state64;
struct x86_saved_state64;

static int kmod_fd = -1;

int xnusim_kmod_open(void)
{
	if (kmod_fd >= 0)
		return kmod_fd;
	kmod_fd = open(XNUSIM_DEVICE, O_RDWR);
	return kmod_fd >= 0 ? kmod_fd : -errno;
}

void xnusim_kmod_close(void)
{
	if (kmod_fd >= 0)
		close(kmod_fd);
	kmod_fd = -1;
	osl_kmod_user_set_arch(0);
}

int xnusim_kmod_fd(void)
{
	return kmod_fd;
}

int xnusim_kmod_boot(int arch)
{
	struct xnusim_ioc_boot b = { .arch = (uint32_t)arch };

	if (ioctl(kmod_fd, XNUSIM_IOC_BOOT, &b) != 0)
		return -errno;
	osl_kmod_user_set_arch(arch);
	return (int)b.machine_id;
}

int xnusim_kmod_attach(const char *comm)
{
	struct xnusim_ioc_attach a;
	struct xnusim_ioc_query q;

	memset(&a, 0, sizeof(a));
	snprintf(a.comm, sizeof(a.comm), "%s", comm ? comm : "");
	if (ioctl(kmod_fd, XNUSIM_IOC_ATTACH, &a) != 0)
		return -errno;
	/* A forked child joins its parent's machine: learn its architecture. */
	if (xnusim_kmod_query(&q) == 0)
		osl_kmod_user_set_arch((int)q.arch);
	return a.pid;
}

int xnusim_kmod_query(struct xnusim_ioc_query *q)
{
	return ioctl(kmod_fd, XNUSIM_IOC_QUERY, q) == 0 ? 0 : -errno;
}

int xnusim_kmod_func(uint32_t id, struct xnusim_ioc_func *out)
{
	memset(out, 0, sizeof(*out));
	out->id = id;
	return ioctl(kmod_fd, XNUSIM_IOC_FUNC, out) == 0 ? 0 : -errno;
}

int xnusim_kmod_trap_raw(int arch, void *state)
{
	unsigned long cmd = arch == XNUSIM_ARCH_X86_64_ID ? XNUSIM_IOC_TRAP_X86_64
							  : XNUSIM_IOC_TRAP_ARM64;
	int rc = ioctl(kmod_fd, cmd, state);

	return rc < 0 ? -errno : rc;
}

/* ---- What libsyscall asks of the platform ------------------------------- */

static const int darwin_to_host_signal[32] = OSL_DARWIN_TO_LINUX_SIGNALS;

/* As osl/user/osl_host.c: a Darwin wait status becomes the host's ending. */
_Noreturn void osl_process_terminate(int darwin_status)
{
	int sig = darwin_status & 0x7f;
	int hsig = sig > 0 && sig < 32 ? darwin_to_host_signal[sig] : 0;

	fflush(NULL);
	if (sig == 0 || sig == 0x7f)
		_exit((darwin_status >> 8) & 0xff);
	if (hsig && hsig != SIGSTOP && hsig != SIGTSTP && hsig != SIGCONT &&
	    hsig != SIGCHLD && hsig != SIGURG && hsig != SIGWINCH) {
		struct sigaction dfl = { .sa_handler = SIG_DFL };
		sigset_t set;

		sigaction(hsig, &dfl, NULL);
		sigemptyset(&set);
		sigaddset(&set, hsig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		kill(getpid(), hsig);
	}
	_exit(128 + sig);
}

/*
 * The trap.  A kernel that ended the process answers XNUSIM_TRAP_EXITED:
 * for a signal the module already sent it (we die returning from ioctl);
 * an exit code is ours to _exit with.  A platform failure is fatal, as the
 * user-space build's trap panics.
 */
static void trap(unsigned long cmd, void *state)
{
	int rc = ioctl(kmod_fd, cmd, state);

	if (rc == 0)
		return;
	if (rc > 0 && (rc & XNUSIM_TRAP_EXITED))
		osl_process_terminate(rc & 0xffff);
	fprintf(stderr, "xnusim: trap through %s failed: %s\n", XNUSIM_DEVICE, strerror(errno));
	abort();
}

void osl_trap_enter_arm64(struct arm_saved_state64 *state)
{
	trap(XNUSIM_IOC_TRAP_ARM64, state);
}

void osl_trap_enter_x86_64(struct x86_saved_state64 *state)
{
	trap(XNUSIM_IOC_TRAP_X86_64, state);
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* mach_absolute_time's user-space fast path: the module's clock is the same. */
uint64_t osl_absolute_time(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t osl_continuous_time(void)
{
	return clock_ns(CLOCK_BOOTTIME);
}

int osl_host_pid(void)
{
	return getpid();
}

int osl_host_tid(void)
{
	return (int)syscall(SYS_gettid);
}

/* Fork, exec and spawn are out of the module build's scope (docs/kmod.md). */
int osl_process_fork(void)
{
	return -1;
}

int osl_host_execve(const char *elf, char *const argv[], char *const envp[],
		    const char *exec_env)
{
	return -ENOSYS;
}

int osl_host_spawn(const char *elf, char *const argv[], char *const envp[],
		   const char *exec_env)
{
	return -ENOSYS;
}
