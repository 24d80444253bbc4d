/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ids: process and thread identity through the trap path (direct and
 * indirect syscall(2)): pids, credentials, process groups and sessions,
 * thread_selfid, on both architectures; setuid, seteuid, setgid and
 * setegid as an ordinary user and as root.
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

/* The caller's real, effective and saved uids and gids. */
static void set_creds(uint32_t ruid, uint32_t euid, uint32_t svuid,
		      uint32_t rgid, uint32_t egid, uint32_t svgid)
{
	struct ucred *cr = &xs_current_proc()->p_ucred;

	cr->cr_ruid = ruid; cr->cr_uid = euid; cr->cr_svuid = svuid;
	cr->cr_rgid = rgid; cr->cr_gid = egid; cr->cr_svgid = svgid;
}

TEST(setuid_family_as_an_ordinary_user)
{
	struct proc *p = xs_current_proc();
	struct ucred saved = p->p_ucred;

	/* uid 501: only its own ids, and setuid changes the effective uid only. */
	EXPECT_EQ(bsd(23, 0, 0, NULL), EPERM);		/* setuid(0) */
	EXPECT_EQ(bsd(183, 0, 0, NULL), EPERM);		/* seteuid(0) */
	EXPECT_EQ(bsd(181, 0, 0, NULL), EPERM);		/* setgid(0) */
	EXPECT_EQ(bsd(182, 80, 0, NULL), EPERM);	/* setegid(80) */
	EXPECT_EQ(bsd(23, 0xffffffffu, 0, NULL), EPERM);
	EXPECT_EQ(xnu_geteuid(), 501u);
	EXPECT_EQ(xnu_getegid(), 20u);
	EXPECT_EQ(bsd(23, 501, 0, NULL), 0);
	EXPECT_EQ(bsd(183, 501, 0, NULL), 0);
	EXPECT_EQ(bsd(181, 20, 0, NULL), 0);
	EXPECT_EQ(bsd(182, 20, 0, NULL), 0);

	/* A set-user-id program (euid 0, saved 0, real 501) after seteuid(501)... */
	set_creds(501, 501, 0, 20, 20, 20);
	EXPECT_EQ(bsd(183, 0, 0, NULL), 0);		/* ...may take root back */
	EXPECT_EQ(xnu_geteuid(), 0u);
	EXPECT_EQ(p->p_ucred.cr_ruid, 501u);
	EXPECT_EQ(bsd(183, 501, 0, NULL), 0);
	EXPECT_EQ(bsd(183, 502, 0, NULL), EPERM);	/* neither real nor saved */
	/* Not root: setuid(saved) changes only the effective uid. */
	EXPECT_EQ(bsd(23, 0, 0, NULL), 0);
	EXPECT_EQ(xnu_geteuid(), 0u);
	EXPECT_EQ(xnu_getuid(), 501u);
	EXPECT_EQ(p->p_ucred.cr_svuid, 0u);
	p->p_ucred = saved;
}

TEST(setuid_family_as_root)
{
	struct proc *p = xs_current_proc();
	struct ucred saved = p->p_ucred;

	/* Root: seteuid and setegid set the effective id only. */
	set_creds(0, 0, 0, 0, 0, 0);
	EXPECT_EQ(bsd(182, 80, 0, NULL), 0);
	EXPECT_EQ(xnu_getegid(), 80u);
	EXPECT_EQ(xnu_getgid(), 0u);
	EXPECT_EQ(bsd(183, 502, 0, NULL), 0);
	EXPECT_EQ(xnu_geteuid(), 502u);
	EXPECT_EQ(xnu_getuid(), 0u);
	EXPECT_EQ(bsd(181, 12, 0, NULL), EPERM);	/* no longer root */
	EXPECT_EQ(bsd(183, 0, 0, NULL), 0);		/* the saved uid is 0 */

	/* setgid and setuid as root set all three ids; setuid last drops root. */
	EXPECT_EQ(bsd(181, 12, 0, NULL), 0);
	EXPECT_EQ(xnu_getgid(), 12u);
	EXPECT_EQ(xnu_getegid(), 12u);
	EXPECT_EQ(p->p_ucred.cr_svgid, 12u);
	EXPECT_EQ(bsd(23, 501, 0, NULL), 0);
	EXPECT_EQ(xnu_getuid(), 501u);
	EXPECT_EQ(xnu_geteuid(), 501u);
	EXPECT_EQ(p->p_ucred.cr_svuid, 501u);
	EXPECT_EQ(bsd(183, 0, 0, NULL), EPERM);	/* root is gone for good */
	EXPECT_EQ(bsd(23, 0, 0, NULL), EPERM);
	p->p_ucred = saved;
}

/* Last: a fresh x86_64 machine, where the same calls go through rax classes. */
TEST(ids_x86_64)
{
	ASSERT_TRUE(xnusim_boot(XNUSIM_ARCH_X86_64) > 0);
	check_ids();
	EXPECT_EQ(xnu_getpid(), 2);
	EXPECT_TRUE(xnu_thread_selfid() > 100);
}
