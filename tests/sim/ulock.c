/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ulock: __ulock_wait / __ulock_wake.  A wait on a changed word returns at
 * once; wake without waiters is ENOENT; bad operations, flags and addresses
 * are EINVAL or EFAULT; timeouts give ETIMEDOUT and signals EINTR; wake
 * wakes one waiter, ULF_WAKE_ALL all; mixed opcodes are EDOM; an unfair
 * lock word naming no thread of the task is EOWNERDEAD; the locks of
 * xnusim/ulock.h keep a counter exact under contention, and the _SHARED
 * mutex works across fork.  With fork: a child that takes a lock another
 * parent thread held at fork time blocks forever; the blocked-thread report
 * shows it in ulock_wait on that address until the parent kills it.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define sigset_t xs_sigset_t
#define mode_t xs_mode_t
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#undef sigset_t
#undef mode_t
#include "kmod-xnu-sim/include/xnusim/libsyscall.h"
#include "kmod-xnu-sim/include/xnusim/ulock.h"
#include "kmod-xnu-sim/include/xnusim/xnusim.h"
#include "darwin/errno.h"
#include "darwin/mman.h"
#include "darwin/signal.h"
#undef sigset_t
#include "darwin/wait.h"

#include "tests/harness.h"

#define RW (PROT_READ | PROT_WRITE)
#define CAW UL_COMPARE_AND_WAIT

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Wait until n threads of this task are blocked in the kernel (or 2 s). */
static bool wait_blocked(uint32_t want)
{
	for (int i = 0; i < 2000; i++) {
		uint32_t n = 0;
		struct task *t = xs_current_task();
		struct thread *th;

		xs_lck_mtx_lock(&t->lock);
		xs_queue_foreach(th, &t->threads, struct thread, task_threads)
			n += th->wait_event != NULL;
		xs_lck_mtx_unlock(&t->lock);
		if (n >= want)
			return true;
		usleep(1000);
	}
	return false;
}

TEST(wait_on_a_changed_word_returns_and_wake_without_waiters_is_enoent)
{
	uint32_t w = 5;

	EXPECT_EQ(xnu_ulock_wait(CAW, &w, 6, 0), 0);	/* 5 != 6: no sleep */
	EXPECT_EQ(xnu_ulock_wake(CAW, &w, 0), -1);
	EXPECT_EQ(xnu_errno, ENOENT);
	EXPECT_EQ(xnu_ulock_wake(CAW | ULF_NO_ERRNO, &w, 0), -ENOENT);
	EXPECT_EQ(xnu_ulock_wake(CAW | ULF_WAKE_ALL, &w, 0), -1);
	EXPECT_EQ(xnu_errno, ENOENT);
}

TEST(bad_operations_flags_and_addresses)
{
	uint64_t w64[2] = { 0, 0 };
	uint32_t w = 0;

	EXPECT_EQ(xnu_ulock_wait(0, &w, 0, 0), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_ulock_wait(99, &w, 0, 0), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_ulock_wait(UL_UNFAIR_LOCK64_SHARED, &w, 0, 0), -1);	/* not a wait op */
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_ulock_wait(CAW | ULF_WAKE_ALL, &w, 0, 0), -1);	/* a wake flag */
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_ulock_wait(CAW, NULL, 0, 0), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_ulock_wait(CAW, (char *)&w + 1, 0, 0), -1);		/* misaligned */
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_ulock_wait(UL_COMPARE_AND_WAIT64, (char *)w64 + 4, 0, 0), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_ulock_wait(CAW, (void *)16, 0, 0), -1);		/* unmapped */
	EXPECT_EQ(xnu_errno, EFAULT);
	EXPECT_EQ(xnu_ulock_wait(CAW | ULF_NO_ERRNO, NULL, 0, 0), -EINVAL);
	EXPECT_EQ(xnu_ulock_wake(0, &w, 0), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_ulock_wake(CAW, NULL, 0), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_ulock_wake(CAW | ULF_WAKE_THREAD | ULF_WAKE_ALL, &w, 0), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	/* ALLOW_NON_OWNER is for unfair locks only. */
	EXPECT_EQ(xnu_ulock_wake(CAW | ULF_WAKE_ALLOW_NON_OWNER, &w, 0), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_ulock_wake(CAW | 0x8000, &w, 0), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	/* The 64-bit compare looks at all 64 bits. */
	w64[0] = 1ull << 40;
	EXPECT_EQ(xnu_ulock_wait(UL_COMPARE_AND_WAIT64, w64, 0, 0), 0);
}

TEST(timeout_is_etimedout)
{
	uint32_t w = 1;
	uint64_t t0 = now_ns();

	EXPECT_EQ(xnu_ulock_wait(CAW, &w, 1, 20000), -1);	/* 20 ms */
	EXPECT_EQ(xnu_errno, ETIMEDOUT);
	EXPECT_TRUE(now_ns() - t0 >= 15000000ull);
	EXPECT_EQ(xnu_ulock_wake(CAW, &w, 0), -1);		/* the waiter left */
	EXPECT_EQ(xnu_errno, ENOENT);
}

static _Alignas(8) uint32_t g_word;	/* 8-aligned: the 64-bit ops may use it */
static int g_woken, g_results[8];
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;

static void *waiter(void *arg)
{
	int i = (int)(intptr_t)arg, r = xnu_ulock_wait(CAW, &g_word, 0, 0);

	pthread_mutex_lock(&g_mu);
	g_results[i] = r < 0 ? -xnu_errno : 0;
	g_woken++;
	pthread_mutex_unlock(&g_mu);
	return NULL;
}

static int woken(void)
{
	int n;

	pthread_mutex_lock(&g_mu);
	n = g_woken;
	pthread_mutex_unlock(&g_mu);
	return n;
}

static volatile int g_sig;

static void on_usr1(int sig)
{
	g_sig = sig;
}

/*
 * Runs before any other test makes a pthread: a host thread that ended
 * keeps its simulated thread (nothing terminates it yet), and kill() could
 * pick that one to take the signal.
 */
TEST(a_signal_interrupts_the_wait_with_eintr)
{
	struct xnu_sigaction sa = { 0 }, old;
	xnu_sigset_t usr1 = 1u << (SIGUSR1 - 1), omask;
	pthread_t t;

	sa.xsa_handler = on_usr1;
	if (xnu_sigaction(SIGUSR1, &sa, &old) != 0)
		return;		/* signals not modeled yet */
	/* Only the waiter can take SIGUSR1. */
	ASSERT_EQ(xnu_pthread_sigmask(SIG_BLOCK, &usr1, &omask), 0);
	g_word = 0;
	g_woken = 0;
	g_sig = 0;
	ASSERT_EQ(pthread_create(&t, NULL, waiter, (void *)0), 0);
	ASSERT_TRUE(wait_blocked(1));
	EXPECT_EQ(xnu_kill(xnu_getpid(), SIGUSR1), 0);
	pthread_join(t, NULL);
	EXPECT_EQ(g_results[0], -EINTR);
	EXPECT_EQ(g_sig, SIGUSR1);
	xnu_pthread_sigmask(SIG_SETMASK, &omask, NULL);
	xnu_sigaction(SIGUSR1, &old, NULL);
}

TEST(wake_wakes_one_and_wake_all_the_rest)
{
	pthread_t t[4];

	g_word = 0;
	g_woken = 0;
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(pthread_create(&t[i], NULL, waiter, (void *)(intptr_t)i), 0);
	ASSERT_TRUE(wait_blocked(4));
	EXPECT_EQ(xnu_ulock_wake(CAW, &g_word, 0), 0);
	usleep(50000);
	EXPECT_EQ(woken(), 1);					/* exactly one */
	EXPECT_EQ(xnu_ulock_wake(CAW | ULF_WAKE_ALL, &g_word, 0), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(woken(), 4);
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(g_results[i], 0);
	EXPECT_EQ(xnu_ulock_wake(CAW, &g_word, 0), -1);	/* nobody left */
}

TEST(another_opcode_on_the_same_address_is_edom)
{
	pthread_t t;

	g_word = 0;
	g_woken = 0;
	ASSERT_EQ(pthread_create(&t, NULL, waiter, (void *)0), 0);
	ASSERT_TRUE(wait_blocked(1));
	EXPECT_EQ(xnu_ulock_wait(UL_COMPARE_AND_WAIT64, &g_word, 0, 0), -1);
	EXPECT_EQ(xnu_errno, EDOM);
	EXPECT_EQ(xnu_ulock_wake(UL_COMPARE_AND_WAIT64, &g_word, 0), -1);
	EXPECT_EQ(xnu_errno, EDOM);
	EXPECT_EQ(xnu_ulock_wake(CAW, &g_word, 0), 0);
	pthread_join(t, NULL);
	EXPECT_EQ(g_results[0], 0);
}

static xnu_unfair_lock g_ul = XNU_UNFAIR_LOCK_INIT;
static xnu_ulock_mutex g_mx = XNU_ULOCK_MUTEX_INIT;
static long g_count, g_count2;

static void *hammer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 3000; i++) {
		if (xnu_unfair_lock_lock(&g_ul) == 0) {
			g_count++;
			xnu_unfair_lock_unlock(&g_ul);
		}
		xnu_ulock_mutex_lock(&g_mx);
		g_count2++;
		xnu_ulock_mutex_unlock(&g_mx);
	}
	return NULL;
}

TEST(locks_keep_a_counter_exact_under_contention)
{
	pthread_t t[4];

	g_count = g_count2 = 0;
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(pthread_create(&t[i], NULL, hammer, NULL), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(g_count, 12000);
	EXPECT_EQ(g_count2, 12000);
	EXPECT_EQ(g_ul.value, 0);
	EXPECT_EQ(g_mx.value, 0);
	EXPECT_EQ(xnu_unfair_lock_unlock(&g_ul), -XNU_ULOCK_EPERM);	/* not held */
}

TEST(an_owner_that_is_no_thread_of_the_task_is_eownerdead)
{
	xnu_unfair_lock l = { 0x7fff0003u };	/* names nothing */
	uint32_t self = xnu_thread_self_port();

	EXPECT_EQ(xnu_unfair_lock_lock(&l), -XNU_ULOCK_EOWNERDEAD);
	EXPECT_EQ(xnu_ulock_wait(UL_UNFAIR_LOCK, &l.value, l.value & ~1u, 0), -1);
	EXPECT_EQ(xnu_errno, EOWNERDEAD);
	/* The caller's own port is not another thread either. */
	l.value = self & ~ULOCK_NOWAITERS_BIT;
	EXPECT_EQ(xnu_ulock_wait(UL_UNFAIR_LOCK, &l.value, l.value, 0), -1);
	EXPECT_EQ(xnu_errno, EOWNERDEAD);
	/* MACH_PORT_DEAD, the anonymous owner, waits (here: times out). */
	l.value = 0xfffffffeu;
	EXPECT_EQ(xnu_ulock_wait(UL_UNFAIR_LOCK, &l.value, l.value, 1000), -1);
	EXPECT_EQ(xnu_errno, ETIMEDOUT);
}

/* Reap child pid (host crashes handed to the kernel's reaper); status or -1. */
static int reap(int pid)
{
	int st = -1, hst, r, hp;

	for (int i = 0; i < 20000; i++) {
		r = xnu_wait4(pid, &st, WNOHANG, NULL);
		if (r < 0)
			return -1;
		hp = waitpid(-1, &hst, WNOHANG);
		if (hp > 0)
			xs_proc_host_died(hp, hst);
		if (r == pid)
			return st;
		usleep(500);
	}
	return -1;
}

TEST(shared_mutex_works_across_fork)
{
	xnu_ulock_mutex *m = xnu_mmap(NULL, 16384, RW, MAP_ANON | MAP_SHARED, -1, 0);
	int pid;

	ASSERT_TRUE(m != XNU_MAP_FAILED);
	m->shared = 1;
	xnu_ulock_mutex_lock(m);
	fflush(NULL);
	pid = xnu_fork();
	if (pid == 0) {
		xnu_ulock_mutex_lock(m);	/* sleeps until the parent unlocks */
		xnu_ulock_mutex_unlock(m);
		xnu_exit(0);
	}
	ASSERT_TRUE(pid > 0);
	usleep(100000);
	EXPECT_EQ(m->value, 2);		/* the child waits in the kernel */
	xnu_ulock_mutex_unlock(m);
	EXPECT_EQ(reap(pid), 0);
	xnu_munmap(m, 16384);
}

/* Thread B holds the locks while A forks. */
static pthread_mutex_t b_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t b_cv = PTHREAD_COND_INITIALIZER;
static int b_state;
static xnu_ulock_mutex b_mx = XNU_ULOCK_MUTEX_INIT;
static xnu_unfair_lock b_ul = XNU_UNFAIR_LOCK_INIT;

static void *holder(void *arg)
{
	(void)arg;
	xnu_ulock_mutex_lock(&b_mx);
	xnu_unfair_lock_lock(&b_ul);
	pthread_mutex_lock(&b_mu);
	b_state = 1;
	pthread_cond_broadcast(&b_cv);
	while (b_state != 2)
		pthread_cond_wait(&b_cv, &b_mu);
	pthread_mutex_unlock(&b_mu);
	xnu_unfair_lock_unlock(&b_ul);
	xnu_ulock_mutex_unlock(&b_mx);
	return NULL;
}

/* Does the report have a line for pid blocked in ulock_wait on addr? */
static bool report_shows(int pid, const void *addr, char *buf, size_t len)
{
	char want[64], pidtxt[16];
	int n = xs_blocked_threads_report(buf, len);

	if (n < 0 || (size_t)n >= len)
		return false;
	snprintf(want, sizeof(want), "ulock 0x%llx", (unsigned long long)(uintptr_t)addr);
	snprintf(pidtxt, sizeof(pidtxt), "%d ", pid);
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, pidtxt, strlen(pidtxt)) == 0 && strstr(line, "ulock_wait") &&
		    strstr(line, want))
			return true;
	}
	return false;
}

/*
 * `xnusim blocked` on this machine, both ways a tool finds it: --machine
 * with the inherited arena fd (an observer, no process), and through
 * XNUSIM_MACHINE (the library attaches the tool; it reports from inside
 * and exits through the kernel).  1: both show the line, 0: not, -1: no
 * tool binary (tests run from the repository root after `make tools`).
 */
static int tool_shows(int pid, const void *addr)
{
	char env[256], cmd[512], line[256], want[64], pidtxt[16];
	int found = 0;

	if (access(".output/bin/xnusim", X_OK) != 0 || xnusim_child_env(env, sizeof(env)) != 0)
		return -1;
	snprintf(want, sizeof(want), "ulock 0x%llx", (unsigned long long)(uintptr_t)addr);
	snprintf(pidtxt, sizeof(pidtxt), "%d ", pid);
	for (int way = 0; way < 2; way++) {
		FILE *f;

		if (way == 0)
			snprintf(cmd, sizeof(cmd),
				 "env -u XNUSIM_MACHINE .output/bin/xnusim blocked --machine '%s'",
				 strchr(env, '=') + 1);
		else
			snprintf(cmd, sizeof(cmd), "env '%s' .output/bin/xnusim ps", env);
		fflush(NULL);
		f = popen(cmd, "r");
		if (!f)
			return 0;
		while (fgets(line, sizeof(line), f)) {
			if (strncmp(line, pidtxt, strlen(pidtxt)) == 0 &&
			    strstr(line, "ulock_wait") && strstr(line, want))
				found++;
		}
		if (pclose(f) != 0)
			return 0;
	}
	return found == 2;
}

TEST(fork_child_blocks_on_a_lock_another_thread_held_and_is_reported)
{
	static char buf[16384];
	pthread_t b;
	int pid, st, i;

	b_state = 0;
	ASSERT_EQ(pthread_create(&b, NULL, holder, NULL), 0);
	pthread_mutex_lock(&b_mu);
	while (b_state != 1)
		pthread_cond_wait(&b_cv, &b_mu);
	pthread_mutex_unlock(&b_mu);

	/* The unfair lock's owner (B) does not exist in the child: EOWNERDEAD. */
	fflush(NULL);
	pid = xnu_fork();
	if (pid == 0)
		xnu_exit(xnu_unfair_lock_lock(&b_ul) == -XNU_ULOCK_EOWNERDEAD ? 0 : 1);
	ASSERT_TRUE(pid > 0);
	EXPECT_EQ(reap(pid), 0);

	/* The compare-and-wait mutex has no owner to check: the child waits forever. */
	fflush(NULL);
	pid = xnu_fork();
	if (pid == 0) {
		xnu_ulock_mutex_lock(&b_mx);
		xnu_exit(3);	/* never */
	}
	ASSERT_TRUE(pid > 0);
	for (i = 0; i < 2000 && !report_shows(pid, &b_mx.value, buf, sizeof(buf)); i++)
		usleep(1000);
	EXPECT_TRUE(i < 2000);
	EXPECT_NE(tool_shows(pid, &b_mx.value), 0);		/* -1: tool not built */
	EXPECT_EQ(xnu_wait4(pid, &st, WNOHANG, NULL), 0);	/* still there */
	ASSERT_EQ(xnu_kill(pid, SIGKILL), 0);
	st = reap(pid);
	EXPECT_EQ(st, SIGKILL);
	EXPECT_TRUE(!report_shows(pid, &b_mx.value, buf, sizeof(buf)));

	pthread_mutex_lock(&b_mu);
	b_state = 2;
	pthread_cond_broadcast(&b_cv);
	pthread_mutex_unlock(&b_mu);
	pthread_join(b, NULL);
	EXPECT_EQ(b_mx.value, 0);
}

TEST(report_lists_a_blocked_thread_of_this_process_and_checks_its_buffer)
{
	char small[8], buf[4096];
	pthread_t t;
	int n;

	g_word = 0;
	g_woken = 0;
	ASSERT_EQ(pthread_create(&t, NULL, waiter, (void *)0), 0);
	ASSERT_TRUE(wait_blocked(1));
	EXPECT_TRUE(report_shows(xnu_getpid(), &g_word, buf, sizeof(buf)));
	n = xs_blocked_threads_report(small, sizeof(small));
	EXPECT_TRUE(n >= (int)sizeof(small));		/* truncated, says how much */
	EXPECT_EQ(small[sizeof(small) - 1], '\0');
	EXPECT_TRUE(xs_blocked_threads_report(NULL, 0) == n);
	EXPECT_EQ(xnu_ulock_wake(CAW, &g_word, 0), 0);
	pthread_join(t, NULL);
}
