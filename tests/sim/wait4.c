/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * wait4: a parent reaps its children with wait4 and Darwin's status words
 * (exit, signal, stop, continue); WNOHANG, ECHILD, EINVAL, EFAULT; a
 * blocking wait4 is interrupted by SIGCHLD (EINTR) or restarted
 * (SA_RESTART); SIGCHLD's siginfo; SA_NOCLDWAIT leaves no zombie; reaped
 * children give their zone elements back.  Children are host children
 * attached under launchd (proc_child.h) that this process adopts, as if it
 * had forked them; each waits for the adoption before it acts.
 */
#include "tests/sim/proc_child.h"

#define sigset_t xs_sigset_t
#define mode_t xs_mode_t
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
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

	r.pid = xnu_getpid();
	pc_report_send(&r);
	while (xnu_getppid() == 1)	/* until the test adopts us */
		usleep(1000);
	if (strcmp(mode, "exit7_late") == 0)
		usleep(150 * 1000);
	if (strncmp(mode, "exit7", 5) == 0)
		xnu_exit(7);
	for (;;)
		xnu_getpid();	/* "spin": each return takes signals */
}
PC_CHILD_MODES(child_mode)

struct kid {
	struct pc_child c;
	int pid;
};

/* Start a child running mode and make it ours.  0 or -1. */
static int adopt_child(const char *mode, struct kid *k)
{
	struct pc_report r;
	struct proc *p;

	if (pc_spawn(mode, &k->c) != 0 || pc_read_report(&k->c, &r) != 0)
		return -1;
	k->pid = r.pid;
	p = xs_proc_find(r.pid);
	if (!p)
		return -1;
	xs_proc_list_lock();
	xs_proc_unlink_child_locked(p);
	xs_pinsertchild(xs_current_proc(), p);
	xs_proc_list_unlock();
	return 0;
}

struct counts {
	uint64_t proc_task, threads;
	uint32_t nprocs;
};

static struct counts counts_now(void)
{
	struct counts c = {
		xs_zone_by_id(ZONE_ID_PROC_TASK)->z_count,
		xs_zone_by_id(ZONE_ID_THREAD)->z_count,
		xs_machine()->m_proc.nprocs,
	};
	return c;
}

TEST(wait4_reaps_an_exited_child_with_its_status)
{
	struct counts base = counts_now(), now;
	struct xnu_rusage ru;
	struct kid k;
	int st = -1, hst;

	ASSERT_EQ(adopt_child("exit7", &k), 0);
	memset(&ru, 0xff, sizeof(ru));
	EXPECT_EQ(xnu_wait4(k.pid, &st, 0, &ru), k.pid);	/* blocks until it exits */
	EXPECT_EQ(st, 7 << 8);
	EXPECT_EQ(ru.ru_utime.tv_sec, 0);			/* rusage copied out */
	EXPECT_EQ(ru.ru_nivcsw, 0);
	hst = pc_wait(&k.c);
	EXPECT_TRUE(WIFEXITED(hst) && WEXITSTATUS(hst) == 7);
	EXPECT_TRUE(xs_proc_find_zombie(k.pid) == NULL);
	now = counts_now();
	EXPECT_EQ(now.proc_task, base.proc_task);		/* element freed */
	EXPECT_EQ(now.threads, base.threads);
	EXPECT_EQ(now.nprocs, base.nprocs);
	/* Gone: nothing left to wait for. */
	EXPECT_EQ(xnu_wait4(k.pid, &st, 0, NULL), -1);
	EXPECT_EQ(xnu_errno, ECHILD);
}

TEST(wnohang_echild_and_bad_arguments)
{
	struct kid k;
	int st = -1;

	EXPECT_EQ(xnu_wait4(-1, &st, WNOHANG, NULL), -1);	/* no children at all */
	EXPECT_EQ(xnu_errno, ECHILD);
	ASSERT_EQ(adopt_child("spin", &k), 0);
	EXPECT_EQ(xnu_wait4(-1, &st, WNOHANG, NULL), 0);	/* alive: nothing yet */
	EXPECT_EQ(xnu_wait4(k.pid, &st, WNOHANG, NULL), 0);
	EXPECT_EQ(xnu_wait4(k.pid + 5000, &st, WNOHANG, NULL), -1);	/* not ours */
	EXPECT_EQ(xnu_errno, ECHILD);
	EXPECT_EQ(xnu_wait4(-12345, &st, WNOHANG, NULL), -1);	/* no such group */
	EXPECT_EQ(xnu_errno, ECHILD);
	EXPECT_EQ(xnu_wait4(INT32_MIN, &st, 0, NULL), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_wait4_nocancel(-1, &st, WNOHANG, NULL), 0);
	ASSERT_EQ(xnu_kill(k.pid, SIGKILL), 0);
	EXPECT_EQ(xnu_wait4(-1, &st, 0, NULL), k.pid);
	EXPECT_EQ(st, SIGKILL);					/* W_EXITCODE(0, 9) */
	pc_wait(&k.c);
}

TEST(wait4_by_process_group)
{
	struct kid k;
	int st = -1;

	ASSERT_EQ(adopt_child("spin", &k), 0);
	xs_proc_find(k.pid)->p_pgrpid = k.pid;	/* as after its setpgid(0, 0) */
	EXPECT_EQ(xnu_wait4(-(k.pid + 1), &st, WNOHANG, NULL), -1);
	EXPECT_EQ(xnu_errno, ECHILD);
	EXPECT_EQ(xnu_wait4(-k.pid, &st, WNOHANG, NULL), 0);
	ASSERT_EQ(xnu_kill(-k.pid, SIGTERM), 0);
	EXPECT_EQ(xnu_wait4(-k.pid, &st, 0, NULL), k.pid);
	EXPECT_EQ(st, SIGTERM);
	pc_wait(&k.c);
}

TEST(stop_and_continue_are_reported_once)
{
	struct kid k;
	int st = -1, i;

	ASSERT_EQ(adopt_child("spin", &k), 0);
	ASSERT_EQ(xnu_kill(k.pid, SIGSTOP), 0);
	EXPECT_EQ(xnu_wait4(k.pid, &st, WNOHANG, NULL), 0);	/* not without WUNTRACED */
	EXPECT_EQ(xnu_wait4(k.pid, &st, WUNTRACED, NULL), k.pid);
	EXPECT_EQ(st, (SIGSTOP << 8) | 0x7f);			/* W_STOPCODE(17) */
	EXPECT_EQ(xnu_wait4(k.pid, &st, WUNTRACED | WNOHANG, NULL), 0);	/* once */
	ASSERT_EQ(xnu_kill(k.pid, SIGCONT), 0);
	EXPECT_EQ(xnu_wait4(k.pid, &st, WCONTINUED, NULL), k.pid);
	EXPECT_EQ(st, 0x137f);
	EXPECT_EQ(xnu_wait4(k.pid, &st, WCONTINUED | WNOHANG, NULL), 0);
	/* It runs again: a tty stop signal stops it anew. */
	for (i = 0; i < 100 && xs_proc_find(k.pid)->p_stat != SRUN; i++)
		usleep(1000);
	ASSERT_EQ(xnu_kill(k.pid, SIGTSTP), 0);
	EXPECT_EQ(xnu_wait4(k.pid, &st, WUNTRACED, NULL), k.pid);
	EXPECT_EQ(st, (SIGTSTP << 8) | 0x7f);
	ASSERT_EQ(xnu_kill(k.pid, SIGKILL), 0);	/* a stopped process still dies */
	EXPECT_EQ(xnu_wait4(k.pid, &st, 0, NULL), k.pid);
	EXPECT_EQ(st, SIGKILL);
	pc_wait(&k.c);
}

TEST(bad_status_pointer_is_efault_and_keeps_the_zombie)
{
	struct kid k;
	int st = -1;

	ASSERT_EQ(adopt_child("exit7", &k), 0);
	pc_wait(&k.c);	/* the host child is gone; the kernel keeps a zombie */
	EXPECT_TRUE(xs_proc_find_zombie(k.pid) != NULL);
	EXPECT_EQ(xnu_wait4(k.pid, (int *)8, 0, NULL), -1);
	EXPECT_EQ(xnu_errno, EFAULT);
	EXPECT_EQ(xnu_wait4(k.pid, &st, 0, (void *)8), -1);	/* rusage too */
	EXPECT_EQ(xnu_errno, EFAULT);
	EXPECT_TRUE(xs_proc_find_zombie(k.pid) != NULL);
	EXPECT_EQ(xnu_wait4(k.pid, &st, 0, NULL), k.pid);
	EXPECT_EQ(st, 7 << 8);
	EXPECT_TRUE(xs_proc_find_zombie(k.pid) == NULL);
}

static volatile int chld_count, chld_code, chld_pid, chld_status;

static void on_chld(int sig, struct xnu_siginfo *si, void *uc)
{
	(void)uc;
	if (sig != SIGCHLD)
		return;
	chld_count++;
	chld_code = si->xsi_code;
	chld_pid = si->xsi_pid;
	chld_status = si->xsi_status;
}

static void sigchld_handler(int flags)
{
	struct xnu_sigaction sa = { .xsa_sigaction = on_chld, .sa_flags = SA_SIGINFO | flags };

	chld_count = chld_code = chld_pid = chld_status = 0;
	xnu_sigaction(SIGCHLD, &sa, NULL);
}

static void sigchld_default(void)
{
	struct xnu_sigaction sa = { .xsa_handler = NULL };

	xnu_sigaction(SIGCHLD, &sa, NULL);
}

TEST(sigchld_interrupts_a_blocked_wait4_with_eintr)
{
	struct kid k;
	int st = -1;

	sigchld_handler(0);
	ASSERT_EQ(adopt_child("exit7_late", &k), 0);
	EXPECT_EQ(xnu_wait4(k.pid, &st, 0, NULL), -1);
	EXPECT_EQ(xnu_errno, EINTR);
	EXPECT_EQ(chld_count, 1);
	EXPECT_EQ(chld_code, CLD_EXITED);
	EXPECT_EQ(chld_pid, k.pid);
	EXPECT_EQ(chld_status, 7);
	EXPECT_EQ(xnu_wait4(k.pid, &st, 0, NULL), k.pid);
	EXPECT_EQ(st, 7 << 8);
	pc_wait(&k.c);
	sigchld_default();
}

TEST(sa_restart_restarts_wait4_after_the_handler)
{
	struct kid k;
	int st = -1;

	sigchld_handler(SA_RESTART);
	ASSERT_EQ(adopt_child("exit7_late", &k), 0);
	EXPECT_EQ(xnu_wait4(k.pid, &st, 0, NULL), k.pid);
	EXPECT_EQ(st, 7 << 8);
	EXPECT_EQ(chld_count, 1);
	EXPECT_EQ(chld_pid, k.pid);
	pc_wait(&k.c);
	sigchld_default();
}

TEST(sigchld_reports_a_killed_child)
{
	struct kid k;
	int st = -1;

	sigchld_handler(SA_RESTART);
	ASSERT_EQ(adopt_child("spin", &k), 0);
	ASSERT_EQ(xnu_kill(k.pid, SIGSEGV), 0);
	EXPECT_EQ(xnu_wait4(k.pid, &st, 0, NULL), k.pid);
	EXPECT_EQ(st, SIGSEGV | 0x80);		/* core flag */
	EXPECT_EQ(chld_count, 1);
	EXPECT_EQ(chld_code, CLD_DUMPED);
	EXPECT_EQ(chld_status, SIGSEGV | 0x80);
	pc_wait(&k.c);
	sigchld_default();
}

TEST(sa_nocldwait_leaves_no_zombie)
{
	struct xnu_sigaction sa = { .xsa_handler = NULL, .sa_flags = SA_NOCLDWAIT };
	struct kid k;
	int st = -1, kst = -1;

	ASSERT_EQ(xnu_sigaction(SIGCHLD, &sa, NULL), 0);
	ASSERT_EQ(adopt_child("exit7", &k), 0);
	pc_wait(&k.c);
	EXPECT_TRUE(xs_proc_find_zombie(k.pid) == NULL);	/* launchd reaped it */
	EXPECT_EQ(xs_proc_exit_status(k.pid, 0, &kst), 0);
	EXPECT_EQ(kst, 7 << 8);
	EXPECT_EQ(xnu_wait4(k.pid, &st, WNOHANG, NULL), -1);
	EXPECT_EQ(xnu_errno, ECHILD);
	sigchld_default();
}
