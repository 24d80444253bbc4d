/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * osl_host.c: what the core asks of the host process: time, the simulated
 * thread bound to each host thread, host ids, process termination with a
 * Darwin wait status, the console, and diagnostics.  Platform layer: XNU's
 * counterparts are mach_absolute_time, current_thread() (the TPIDR register)
 * and panic().
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kmod-xnu-sim/osl/user/osl_user.h"
#include "kmod-xnu-sim/osl/osl_signal_map.h"

/* ---- Time -------------------------------------------------------------- */

static inline uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);	/* vDSO: no system call */
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t osl_absolute_time(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t osl_continuous_time(void)
{
	return clock_ns(CLOCK_BOOTTIME);
}

/* ---- Threads and processes --------------------------------------------- */

/*
 * The binding of this host thread.  gen ties it to one attachment: after a
 * re-boot, threads still holding a binding to the old machine read NULL.
 */
static __thread struct {
	struct thread *th;
	uint32_t gen;
	int tid;
} cur __attribute__((tls_model("initial-exec")));

static int host_pid_cache;

#pragma weak xs_thread_host_exited
void xs_thread_host_exited(struct thread *th);

/*
 * A pthread key whose value mirrors the binding: its destructor runs when
 * a bound host thread ends through pthread_exit or by returning (not at
 * process exit), and ends the simulated thread with it.
 */
static pthread_key_t binding_key;
static bool binding_key_ok;

static void binding_key_destructor(void *value)
{
	if (value && value == osl_current_thread() && xs_thread_host_exited)
		xs_thread_host_exited(value);
}

struct thread *osl_current_thread(void)
{
	if (__builtin_expect(cur.gen != osl_attach.oa_generation, 0))
		return NULL;
	return cur.th;
}

void osl_set_current_thread(struct thread *th)
{
	cur.th = th;
	cur.gen = osl_attach.oa_generation;
	if (binding_key_ok && pthread_getspecific(binding_key) != th)
		(void)pthread_setspecific(binding_key, th);
}

int osl_host_pid(void)
{
	if (!host_pid_cache)
		host_pid_cache = getpid();
	return host_pid_cache;
}

int osl_host_tid(void)
{
	if (!cur.tid)
		cur.tid = (int)syscall(SYS_gettid);
	return cur.tid;
}

/* A host fork copies the caches of the forking thread: they are stale. */
static void atfork_child(void)
{
	host_pid_cache = 0;
	cur.tid = 0;
}

void osl_host_init(void)
{
	pthread_atfork(NULL, NULL, atfork_child);
	binding_key_ok = pthread_key_create(&binding_key, binding_key_destructor) == 0;
}

/* Darwin signal number → host (Linux) signal number (osl/osl_signal_map.h). */
static const int darwin_to_host_signal[32] = OSL_DARWIN_TO_LINUX_SIGNALS;

int osl_signal_to_host(int darwin_sig)
{
	if (darwin_sig <= 0 || darwin_sig >= 32)
		return 0;
	return darwin_to_host_signal[darwin_sig];
}

/*
 * Darwin's wait status: low 7 bits the terminating signal (0: exited,
 * 0177: stopped), 0x80 core dumped, exit code in bits 8-15.
 */
_Noreturn void osl_process_terminate(int darwin_status)
{
	int sig = darwin_status & 0x7f;
	int hsig = osl_signal_to_host(sig);

	fflush(NULL);
	if (sig == 0 || sig == 0x7f)
		_exit((darwin_status >> 8) & 0xff);
	if (hsig && hsig != SIGSTOP && hsig != SIGTSTP && hsig != SIGCONT &&
	    hsig != SIGCHLD && hsig != SIGURG && hsig != SIGWINCH) {
		struct sigaction dfl = { .sa_handler = SIG_DFL };
		sigset_t set;

		/* No core files: the simulated kernel already recorded the crash. */
		sigaction(hsig, &dfl, NULL);
		sigemptyset(&set);
		sigaddset(&set, hsig);
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
		kill(getpid(), hsig);
	}
	/* No host signal that kills (SIGEMT, SIGINFO, ignored by default). */
	_exit(128 + sig);
}

/* ---- Host console ------------------------------------------------------ */

long osl_console_write(int host_fd, const void *buf, size_t len)
{
	ssize_t n;

	do
		n = write(host_fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -1 : (long)n;
}

long osl_console_read(int host_fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(host_fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -1 : (long)n;
}

/* ---- Diagnostics ------------------------------------------------------- */

_Noreturn void osl_panic(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "xnusim panic: %s\n", buf);
	abort();
}

void osl_log(const char *fmt, ...)
{
	static int enabled = -1;
	char buf[512];
	va_list ap;

	if (enabled < 0)
		enabled = getenv("XNUSIM_DEBUG") != NULL;
	if (!enabled)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "xnusim[%d]: %s\n", osl_host_pid(), buf);
}

int osl_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
	return vsnprintf(buf, len, fmt, ap);
}
