/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * thread_exit: a pthread that trapped (and so got a simulated thread) takes
 * that thread with it when it ends: the task is back to its threads, the
 * thread zone to its count, and a signal sent afterwards is not handed to
 * the dead thread (get_signalthread) but waits for a live one.
 */
#include <pthread.h>

#define sigset_t xs_sigset_t
#define mode_t xs_mode_t
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#undef sigset_t
#undef mode_t
#include "kmod-xnu-sim/include/xnusim/libsyscall.h"
#include "darwin/signal.h"	/* from here on SIG* are Darwin's */
#undef sigset_t

#include "tests/harness.h"

#define M(s) (1u << ((s) - 1))

static volatile int handled;

static void on_usr1(int sig)
{
	if (sig == SIGUSR1)
		handled++;
}

/* A pthread that makes one trap (so it gets a simulated thread) and ends. */
static void *trap_once(void *arg)
{
	*(int *)arg = xnu_getpid();
	return NULL;
}

static void run_pthread(void)
{
	pthread_t t;
	int pid = 0;

	ASSERT_EQ(pthread_create(&t, NULL, trap_once, &pid), 0);
	ASSERT_EQ(pthread_join(t, NULL), 0);
	ASSERT_EQ(pid, xnu_getpid());
}

static uint32_t task_threads(void)
{
	return xs_proc_task(xs_current_proc())->thread_count;
}

TEST(an_ended_pthread_takes_its_thread_with_it)
{
	uint32_t before = task_threads();
	uint64_t zcount = xs_zone_by_id(ZONE_ID_THREAD)->z_count;

	for (int i = 0; i < 5; i++)
		run_pthread();
	EXPECT_EQ(task_threads(), before);
	EXPECT_EQ(xs_zone_by_id(ZONE_ID_THREAD)->z_count, zcount);
	EXPECT_EQ(xnu_getpid() > 0, 1);	/* the main thread is still bound */
	EXPECT_TRUE(xs_current_thread() != NULL && xs_current_thread()->active);
}

TEST(a_signal_is_not_handed_to_an_ended_pthread)
{
	struct xnu_sigaction sa = { .xsa_handler = on_usr1 };
	uint32_t blocked = M(SIGUSR1), none = 0;

	handled = 0;
	ASSERT_EQ(xnu_sigaction(SIGUSR1, &sa, NULL), 0);
	/* Main blocks it, so the only other candidate would be the dead pthread. */
	ASSERT_EQ(xnu_sigprocmask(SIG_BLOCK, &blocked, NULL), 0);
	run_pthread();
	ASSERT_EQ(xnu_kill(xnu_getpid(), SIGUSR1), 0);
	EXPECT_EQ(handled, 0);
	ASSERT_EQ(xnu_sigprocmask(SIG_SETMASK, &none, NULL), 0);	/* delivered on return */
	EXPECT_EQ(handled, 1);
	sa.xsa_handler = (void (*)(int))0;	/* SIG_DFL */
	xnu_sigaction(SIGUSR1, &sa, NULL);
}

TEST(a_thread_exit_hook_for_another_thread_is_ignored)
{
	uint32_t before = task_threads();
	static struct thread other;	/* not the caller's thread: never touched */

	xs_thread_host_exited(NULL);
	xs_thread_host_exited(&other);
	EXPECT_EQ(task_threads(), before);
	EXPECT_TRUE(xs_current_thread() != NULL && xs_current_thread()->active);
}
