/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kill: kill(2)'s targets (a pid, the caller's group, a group, everyone),
 * signal 0 as an existence check, the errors (EINVAL, ESRCH, EPERM) and
 * cansignal's uid rules, and Darwin's default actions seen through the
 * parent's wait4: terminate, terminate with core, ignore, and signals that
 * cannot be caught or ignored.
 */
#include "tests/sim/proc_child.h"

#define sigset_t xs_sigset_t
#define mode_t xs_mode_t
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#undef sigset_t
#undef mode_t
#include "kmod-xnu-sim/include/xnusim/libsyscall.h"
#include "darwin/errno.h"
#include "darwin/signal.h"	/* from here on SIG* are Darwin's */
#undef sigset_t
#include "darwin/wait.h"

#include "tests/harness.h"

static void child_mode(const char *mode)
{
	struct pc_report r = { 0 };
	struct xnu_sigaction ign = { .xsa_handler = (void (*)(int))SIG_IGN };

	r.pid = xnu_getpid();
	if (strcmp(mode, "catchkill") == 0) {	/* SIGKILL/SIGSTOP stay default */
		r.value[0] = xnu_sigaction(SIGKILL, &ign, NULL) == -1 ? xnu_errno : 0;
		r.value[1] = xnu_sigaction(SIGSTOP, &ign, NULL) == -1 ? xnu_errno : 0;
	} else if (strcmp(mode, "ignterm") == 0) {
		r.value[0] = xnu_sigaction(SIGTERM, &ign, NULL);
	}
	pc_report_send(&r);
	while (xnu_getppid() == 1)	/* until the test adopts us */
		usleep(1000);
	for (;;)
		xnu_getpid();	/* each return to user mode takes signals */
}
PC_CHILD_MODES(child_mode)

struct kid {
	struct pc_child c;
	struct pc_report r;
	int pid;
	struct proc *p;
};

static int adopt_child(const char *mode, struct kid *k)
{
	if (pc_spawn(mode, &k->c) != 0 || pc_read_report(&k->c, &k->r) != 0)
		return -1;
	k->pid = k->r.pid;
	k->p = xs_proc_find(k->pid);
	if (!k->p)
		return -1;
	xs_proc_list_lock();
	xs_proc_unlink_child_locked(k->p);
	xs_pinsertchild(xs_current_proc(), k->p);
	xs_proc_list_unlock();
	return 0;
}

/* Kill the child with sig and return the status wait4 reports. */
static int kill_and_wait(struct kid *k, int sig)
{
	int st = -1;

	if (xnu_kill(k->pid, sig) != 0 || xnu_wait4(k->pid, &st, 0, NULL) != k->pid)
		st = -1;
	pc_wait(&k->c);
	return st;
}

TEST(kill_argument_errors)
{
	int me = xnu_getpid();

	EXPECT_EQ(xnu_kill(me, 32), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_kill(me, -1), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_kill(99998, 0), -1);		/* no such process */
	EXPECT_EQ(xnu_errno, ESRCH);
	EXPECT_EQ(xnu_kill(-77777, 0), -1);		/* no such group */
	EXPECT_EQ(xnu_errno, ESRCH);
	EXPECT_EQ(xnu_kill(INT32_MIN, 0), -1);
	EXPECT_EQ(xnu_errno, ESRCH);
	EXPECT_EQ(xnu_kill(me, 0), 0);			/* exists */
	EXPECT_EQ(xnu_kill(0, 0), 0);			/* our group has us */
	EXPECT_EQ(xnu_kill(-1, 0), 0);			/* everyone we may signal */
}

TEST(user_501_cannot_signal_launchd)
{
	EXPECT_EQ(xs_current_proc()->p_ucred.cr_uid, 501u);
	EXPECT_EQ(xnu_kill(1, 0), -1);
	EXPECT_EQ(xnu_errno, EPERM);
	EXPECT_EQ(xnu_kill(1, SIGTERM), -1);
	EXPECT_EQ(xnu_errno, EPERM);
	EXPECT_EQ(xnu_kill(1, SIGKILL), -1);
	EXPECT_EQ(xnu_errno, EPERM);
	EXPECT_EQ(xs_machine()->m_proc.initproc->p_stat, SRUN);
}

TEST(cansignal_uid_rules)
{
	struct ucred *me = &xs_current_proc()->p_ucred, saved = *me;
	struct kid k;

	ASSERT_EQ(adopt_child("spin", &k), 0);
	k.p->p_ucred.cr_ruid = k.p->p_ucred.cr_svuid = k.p->p_ucred.cr_uid = 502;
	EXPECT_EQ(xnu_kill(k.pid, SIGTERM), -1);	/* another user */
	EXPECT_EQ(xnu_errno, EPERM);
	EXPECT_EQ(xnu_kill(k.pid, 0), -1);
	EXPECT_EQ(xnu_errno, EPERM);
	EXPECT_EQ(xnu_kill(k.pid, SIGCONT), 0);		/* same session: allowed */
	k.p->p_ucred.cr_svuid = 501;			/* our uid is its saved uid */
	EXPECT_EQ(xnu_kill(k.pid, 0), 0);
	k.p->p_ucred.cr_svuid = 502;
	me->cr_uid = 0;					/* root may signal anyone ... */
	EXPECT_EQ(xnu_kill(k.pid, 0), 0);
	EXPECT_EQ(xnu_kill(1, 0), 0);
	EXPECT_EQ(xnu_kill(1, SIGKILL), -1);		/* ... but never SIGKILL launchd */
	EXPECT_EQ(xnu_errno, EPERM);
	*me = saved;
	/* A group with nobody we may signal: EPERM (kill's POSIX flavor). */
	k.p->p_pgrpid = k.pid;
	EXPECT_EQ(xnu_kill(-k.pid, SIGTERM), -1);
	EXPECT_EQ(xnu_errno, EPERM);
	k.p->p_ucred.cr_ruid = k.p->p_ucred.cr_svuid = k.p->p_ucred.cr_uid = 501;
	EXPECT_EQ(kill_and_wait(&k, SIGKILL), SIGKILL);
}

TEST(default_terminate_and_core_actions)
{
	struct kid k;

	ASSERT_EQ(adopt_child("spin", &k), 0);
	EXPECT_EQ(kill_and_wait(&k, SIGTERM), SIGTERM);
	ASSERT_EQ(adopt_child("spin", &k), 0);
	EXPECT_EQ(kill_and_wait(&k, SIGUSR1), SIGUSR1);		/* 30 */
	ASSERT_EQ(adopt_child("spin", &k), 0);
	EXPECT_EQ(kill_and_wait(&k, SIGQUIT), SIGQUIT | WCOREFLAG);
	ASSERT_EQ(adopt_child("spin", &k), 0);
	EXPECT_EQ(kill_and_wait(&k, SIGBUS), SIGBUS | WCOREFLAG);	/* 10 on Darwin */
}

TEST(default_ignored_signals_leave_the_process_running)
{
	int ign[] = { SIGCHLD, SIGURG, SIGWINCH, SIGINFO, SIGIO, SIGCONT };
	struct kid k;
	int st = -1;

	ASSERT_EQ(adopt_child("spin", &k), 0);
	for (unsigned i = 0; i < sizeof(ign) / sizeof(ign[0]); i++)
		EXPECT_EQ(xnu_kill(k.pid, ign[i]), 0);
	usleep(50 * 1000);
	EXPECT_EQ(xnu_wait4(k.pid, &st, WNOHANG | WUNTRACED, NULL), 0);
	EXPECT_EQ(k.p->p_stat, SRUN);
	EXPECT_EQ(kill_and_wait(&k, SIGINT), SIGINT);
}

TEST(sigkill_and_sigstop_cannot_be_caught_or_ignored)
{
	struct kid k;

	ASSERT_EQ(adopt_child("catchkill", &k), 0);
	EXPECT_EQ(k.r.value[0], EINVAL);
	EXPECT_EQ(k.r.value[1], EINVAL);
	EXPECT_EQ(kill_and_wait(&k, SIGKILL), SIGKILL);
	/* An ignored SIGTERM is dropped; SIGKILL still ends it. */
	ASSERT_EQ(adopt_child("ignterm", &k), 0);
	EXPECT_EQ(k.r.value[0], 0);
	EXPECT_EQ(xnu_kill(k.pid, SIGTERM), 0);
	usleep(50 * 1000);
	EXPECT_EQ(xnu_kill(k.pid, 0), 0);			/* alive */
	EXPECT_EQ(kill_and_wait(&k, SIGKILL), SIGKILL);
}

TEST(killing_a_zombie_succeeds_and_a_group_kill_reaches_members)
{
	struct kid k;
	int st = -1;

	ASSERT_EQ(adopt_child("spin", &k), 0);
	ASSERT_EQ(xnu_kill(k.pid, SIGKILL), 0);
	pc_wait(&k.c);
	EXPECT_TRUE(xs_proc_find_zombie(k.pid) != NULL);
	EXPECT_EQ(xnu_kill(k.pid, SIGTERM), 0);	/* POSIX: a zombie is found */
	EXPECT_EQ(xnu_wait4(k.pid, &st, 0, NULL), k.pid);
	EXPECT_EQ(xnu_kill(k.pid, 0), -1);			/* reaped: gone */
	EXPECT_EQ(xnu_errno, ESRCH);
	ASSERT_EQ(adopt_child("spin", &k), 0);
	k.p->p_pgrpid = k.pid;	/* its own group, as after setpgid(0, 0) */
	EXPECT_EQ(xnu_kill(-k.pid, SIGHUP), 0);
	EXPECT_EQ(xnu_wait4(k.pid, &st, 0, NULL), k.pid);
	EXPECT_EQ(st, SIGHUP);
	pc_wait(&k.c);
	EXPECT_EQ(xnu_kill(-k.pid, 0), -1);
	EXPECT_EQ(xnu_errno, ESRCH);
}
