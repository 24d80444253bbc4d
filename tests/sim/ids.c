/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ids: process and thread identity through the trap path (direct and
 * indirect syscall(2)): pids, credentials, process groups and sessions,
 * thread_selfid, on both architectures.
 */
#include <pthread.h>

#include "tests/sim/proc_child.h"

#define sigset_t xs_sigset_t
#define mode_t xs_mode_t
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#undef sigset_t
#undef mode_t
#include "kmod-xnu-sim/include/xnusim/libsyscall.h"

#include "tests/harness.h"

/* A BSD call by number: the errno (0 on success), result in *rv. */
static int bsd(int n, uint64_t a0, uint64_t a1, int64_t *rv)
{
	uint64_t args[2] = { a0, a1 }, r[2] = { 0, 0 };
	int err = xnu_bsd_trap(n, args, 2, r);

	if (rv)
		*rv = (int64_t)r[0];
	return err;
}

static void check_ids(void)
{
	struct proc *p = xs_current_proc();
	int64_t v;

	ASSERT_TRUE(p != NULL);
	EXPECT_EQ(xnu_getpid(), p->p_pid);
	EXPECT_EQ(xnu_getppid(), 1);
	EXPECT_EQ(xnu_getuid(), 501u);
	EXPECT_EQ(xnu_geteuid(), 501u);
	EXPECT_EQ(xnu_getgid(), 20u);
	EXPECT_EQ(xnu_getegid(), 20u);
	/* The same through the indirect syscall (slot 0, number in arg 0). */
	EXPECT_EQ(xnu_syscall(20), p->p_pid);
	EXPECT_EQ(xnu_syscall(39), 1);
	EXPECT_EQ(xnu_syscall(24), 501);
	EXPECT_EQ(xnu_syscall(25), 501);
	EXPECT_EQ(xnu_syscall(47), 20);
	EXPECT_EQ(xnu_syscall(43), 20);
	EXPECT_EQ(bsd(20, 0, 0, &v), 0);
	EXPECT_EQ(v, p->p_pid);
}

TEST(ids_arm64)
{
	check_ids();
}

TEST(ids_follow_the_credential)
{
	struct proc *p = xs_current_proc();
	struct ucred saved = p->p_ucred;

	/* Real and effective ids come from their own fields. */
	p->p_ucred.cr_uid = 0;
	p->p_ucred.cr_gid = 80;
	EXPECT_EQ(xnu_getuid(), 501u);
	EXPECT_EQ(xnu_geteuid(), 0u);
	EXPECT_EQ(xnu_getgid(), 20u);
	EXPECT_EQ(xnu_getegid(), 80u);
	p->p_ucred = saved;
}

TEST(thread_selfid_is_the_thread_id)
{
	struct thread *th = osl_current_thread();
	uint64_t a = xnu_thread_selfid(), b = xnu_thread_selfid();

	ASSERT_TRUE(th != NULL);
	EXPECT_EQ(a, th->thread_id);
	EXPECT_EQ(a, b);
	EXPECT_TRUE(a > 100);	/* thread ids start past XNU's 100 */
	EXPECT_EQ((uint64_t)xnu_syscall(372), a);
}

static void *selfid_thread(void *arg)
{
	*(uint64_t *)arg = xnu_thread_selfid();
	return NULL;
}

TEST(thread_selfid_differs_per_thread)
{
	uint64_t ids[3] = { 0 };
	pthread_t t[3];

	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, selfid_thread, &ids[i]);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < 3; i++) {
		EXPECT_TRUE(ids[i] > 100);
		EXPECT_NE(ids[i], xnu_thread_selfid());
		EXPECT_NE(ids[i], ids[(i + 1) % 3]);
	}
}

TEST(process_groups_and_sessions)
{
	int pid = xnu_getpid();
	int64_t v;

	/* Born in launchd's group and session. */
	EXPECT_EQ(bsd(81, 0, 0, &v), 0);		/* getpgrp */
	EXPECT_EQ(v, 1);
	EXPECT_EQ(bsd(310, 0, 0, &v), 0);		/* getsid(0) */
	EXPECT_EQ(v, 1);
	EXPECT_EQ(bsd(310, 1, 0, &v), 0);		/* getsid(launchd) */
	EXPECT_EQ(v, 1);
	EXPECT_EQ(bsd(310, 99998, 0, &v), ESRCH);
	EXPECT_EQ(bsd(82, 0, (uint64_t)-1, NULL), EINVAL);	/* setpgid(0, -1) */
	EXPECT_EQ(bsd(82, 99998, 0, NULL), ESRCH);	/* not us, not our child */
	EXPECT_EQ(bsd(82, 1, 0, NULL), ESRCH);		/* launchd is our parent */
	EXPECT_EQ(bsd(82, 0, 4242, NULL), EPERM);	/* no such group */
	EXPECT_EQ(bsd(82, 0, 0, NULL), 0);		/* own group */
	EXPECT_EQ(bsd(81, 0, 0, &v), 0);
	EXPECT_EQ(v, pid);
	/* A group leader cannot make a session... */
	EXPECT_EQ(bsd(147, 0, 0, &v), EPERM);
	EXPECT_EQ(bsd(82, 0, 1, NULL), 0);		/* back into launchd's */
	/* ...a non-leader can, and then leads both. */
	EXPECT_EQ(bsd(147, 0, 0, &v), 0);
	EXPECT_EQ(v, pid);
	EXPECT_EQ(bsd(310, 0, 0, &v), 0);
	EXPECT_EQ(v, pid);
	EXPECT_EQ(bsd(81, 0, 0, &v), 0);
	EXPECT_EQ(v, pid);
	EXPECT_EQ(bsd(147, 0, 0, NULL), EPERM);	/* already a leader */
	EXPECT_EQ(bsd(82, 0, 0, NULL), EPERM);		/* session leaders stay put */
}

/* Last: a fresh x86_64 machine, where the same calls go through rax classes. */
TEST(ids_x86_64)
{
	ASSERT_TRUE(xnusim_boot(XNUSIM_ARCH_X86_64) > 0);
	check_ids();
	EXPECT_EQ(xnu_getpid(), 2);
	EXPECT_TRUE(xnu_thread_selfid() > 100);
}
