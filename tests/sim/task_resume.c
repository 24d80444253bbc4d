/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * task_resume: a parent takes a child's task port with task_for_pid (Mach
 * -45) and lets a POSIX_SPAWN_START_SUSPENDED child go with task_resume
 * (MIG 3408); task_suspend (3407) holds a running child, whose thread stops
 * at its next trap until resumed.  Errors as XNU: pid 0, no such pid, no
 * permission, a bad target_tport -> KERN_FAILURE with MACH_PORT_NULL
 * stored; a bad out pointer is ignored; a resume without a suspension ->
 * KERN_FAILURE; a port that is not a task's -> KERN_INVALID_ARGUMENT; a
 * dead name -> MACH_SEND_INVALID_DEST.  Last, the same on x86_64.
 */
#include "tests/sim/proc_child.h"

#include <poll.h>

#define sigset_t xs_sigset_t
#define mode_t xs_mode_t
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#undef sigset_t
#undef mode_t
#include "kmod-xnu-sim/include/xnusim/libsyscall.h"
#include "kmod-xnu-sim/include/xnusim/spawn.h"
#include "tests/sim/exec_common.h"
#include "darwin/kern_return.h"
#include "darwin/mach_msg.h"
#include "darwin/signal.h"
#undef sigset_t
#include "darwin/spawn.h"
#include "darwin/wait.h"

#include "tests/harness.h"

#define NOPID 99999

extern int usleep(unsigned int usec);

/* "report": tell the parent our pid and exit 0.  "loop": a byte per trap, forever. */
static void child_mode(const char *mode)
{
	struct pc_report r = { 0 };
	const char *fd = getenv(PC_ENV_FD);

	r.pid = xnu_getpid();
	r.ppid = xnu_getppid();
	if (strcmp(mode, "report") == 0) {
		pc_report_send(&r);
		xnu_exit(0);
	}
	if (strcmp(mode, "loop") == 0 && fd) {
		for (;;) {
			/* A trap: a held thread parks on its way out of it. */
			char c = (char)xnu_getpid();

			if (write(atoi(fd), &c, 1) != 1)
				xnu_exit(2);
			usleep(1000);
		}
	}
	xnu_exit(91);
}
PC_CHILD_MODES(child_mode)

/* Spawn the self image in mode with a host pipe (read end in *rfd). */
static int spawn_mode(const char *mode, short flags, int32_t *pid, int *rfd)
{
	char *argv[] = { (char *)mode, NULL }, *envp[3], env[64];
	xnu_posix_spawnattr_t attr;
	int fds[2], err;

	if (ec_install_self(EC_SELF) != 0 || pipe(fds) != 0)
		return -1;
	snprintf(env, sizeof(env), PC_ENV_MODE "=%s", mode);
	envp[0] = env;
	envp[1] = (char *)ec_fd_env(fds[1]);
	envp[2] = NULL;
	xnu_posix_spawnattr_init(&attr);
	xnu_posix_spawnattr_setflags(&attr, flags);
	err = xnu_posix_spawn(pid, EC_SELF, NULL, &attr, argv, envp);
	close(fds[1]);
	*rfd = fds[0];
	return err;
}

/* Bytes readable within timeout_ms (all of them read and dropped). */
static long drain(int rfd, int timeout_ms)
{
	struct pollfd p = { .fd = rfd, .events = POLLIN };
	char buf[4096];
	long total = 0;
	ssize_t n;

	while (poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN)) {
		n = read(rfd, buf, sizeof(buf));
		if (n <= 0)
			break;
		total += n;
		timeout_ms = 0;
	}
	return total;
}

static bool read_report(int rfd, struct pc_report *r, int timeout_ms)
{
	struct pollfd p = { .fd = rfd, .events = POLLIN };

	if (poll(&p, 1, timeout_ms) != 1)
		return false;
	return read(rfd, r, sizeof(*r)) == (ssize_t)sizeof(*r);
}

static int wait_status(int32_t pid)
{
	int st = -1;

	return xnu_wait4(pid, &st, 0, NULL) == pid ? st : -1;
}

/* The whole story: a suspended spawn, task_for_pid, task_resume, the child runs. */
static void resume_suspended_child(void)
{
	struct pc_report r;
	xnu_port_t self = xnu_mach_task_self(), t = 0xdead;
	struct proc *p;
	int32_t pid;
	int rfd, st;

	ASSERT_EQ(spawn_mode("report", POSIX_SPAWN_START_SUSPENDED, &pid, &rfd), 0);
	EXPECT_TRUE(!read_report(rfd, &r, 300));		/* held before main */
	EXPECT_EQ(xnu_wait4(pid, &st, WNOHANG | WUNTRACED, NULL), 0);	/* not "stopped" */
	p = xs_proc_find(pid);
	ASSERT_TRUE(p != NULL);
	EXPECT_EQ(xs_proc_task(p)->user_stop_count, 1u);
	ASSERT_EQ(xnu_task_for_pid(self, pid, &t), KERN_SUCCESS);
	EXPECT_TRUE(t != 0 && t != 0xdead && t != self);
	ASSERT_EQ(xnu_task_resume(t), KERN_SUCCESS);
	ASSERT_TRUE(read_report(rfd, &r, 10000));		/* it ran */
	EXPECT_EQ(r.pid, pid);
	EXPECT_EQ(wait_status(pid), 0);
	/* The child is gone: our send right is a dead name now. */
	EXPECT_EQ(xnu_task_resume(t), MACH_SEND_INVALID_DEST);
	EXPECT_EQ(xnu_mach_port_deallocate(self, t), KERN_SUCCESS);
	close(rfd);
}

TEST(task_resume_lets_a_start_suspended_child_run)
{
	resume_suspended_child();
}

TEST(task_for_pid_errors)
{
	xnu_port_t self = xnu_mach_task_self(), t, reply = xnu_mach_reply_port();
	int32_t pid;
	int rfd;

	t = 0xdead;
	EXPECT_EQ(xnu_task_for_pid(self, 0, &t), KERN_FAILURE);	/* kernel_task: never */
	EXPECT_EQ(t, 0u);
	t = 0xdead;
	EXPECT_EQ(xnu_task_for_pid(self, NOPID, &t), KERN_FAILURE);
	EXPECT_EQ(t, 0u);
	t = 0xdead;
	EXPECT_EQ(xnu_task_for_pid(self, -5, &t), KERN_FAILURE);
	EXPECT_EQ(t, 0u);
	t = 0xdead;
	EXPECT_EQ(xnu_task_for_pid(self, 1, &t), KERN_FAILURE);	/* launchd is root's */
	EXPECT_EQ(t, 0u);
	EXPECT_EQ(xnu_task_for_pid(self, NOPID, (xnu_port_t *)16), KERN_FAILURE);

	/* Our own task: the name mach_task_self() gives. */
	t = 0;
	EXPECT_EQ(xnu_task_for_pid(self, xnu_getpid(), &t), KERN_SUCCESS);
	EXPECT_EQ(t, self);

	ASSERT_EQ(spawn_mode("loop", 0, &pid, &rfd), 0);
	ASSERT_TRUE(drain(rfd, 10000) > 0);			/* it runs */
	/* target_tport must name a task port in our space. */
	t = 0xdead;
	EXPECT_EQ(xnu_task_for_pid(0, pid, &t), KERN_FAILURE);
	EXPECT_EQ(t, 0u);
	t = 0xdead;
	EXPECT_EQ(xnu_task_for_pid(0x12345, pid, &t), KERN_FAILURE);
	EXPECT_EQ(t, 0u);
	t = 0xdead;
	EXPECT_EQ(xnu_task_for_pid(reply, pid, &t), KERN_FAILURE);	/* a receive right */
	EXPECT_EQ(t, 0u);
	t = 0xdead;
	EXPECT_EQ(xnu_task_for_pid(xnu_mach_thread_self(), pid, &t), KERN_FAILURE);
	EXPECT_EQ(t, 0u);
	/* A bad out pointer: XNU ignores the copyout's failure (the right is made). */
	EXPECT_EQ(xnu_task_for_pid(self, pid, (xnu_port_t *)16), KERN_SUCCESS);

	/* A target whose uid is not ours (as if setuid root): refused. */
	struct proc *p = xs_proc_find(pid);

	ASSERT_TRUE(p != NULL);
	uid_t saved = p->p_ucred.cr_svuid;

	p->p_ucred.cr_svuid = 0;
	t = 0xdead;
	EXPECT_EQ(xnu_task_for_pid(self, pid, &t), KERN_FAILURE);
	EXPECT_EQ(t, 0u);
	p->p_ucred.cr_svuid = saved;
	EXPECT_EQ(xnu_task_for_pid(self, pid, &t), KERN_SUCCESS);
	EXPECT_TRUE(t != 0 && t != self);

	EXPECT_EQ(xnu_kill(pid, SIGKILL), 0);
	EXPECT_EQ(wait_status(pid), SIGKILL);
	close(rfd);
}

TEST(task_resume_errors)
{
	xnu_port_t self = xnu_mach_task_self(), sema = 0;

	EXPECT_EQ(xnu_task_resume(self), KERN_FAILURE);		/* not suspended */
	EXPECT_EQ(xnu_task_resume(0), MACH_SEND_INVALID_DEST);
	EXPECT_EQ(xnu_task_resume(0x12345), MACH_SEND_INVALID_DEST);
	/* A kernel port that is not a task's: the intran gives TASK_NULL. */
	EXPECT_EQ(xnu_task_resume(xnu_mach_thread_self()), KERN_INVALID_ARGUMENT);
	EXPECT_EQ(xnu_task_suspend(xnu_mach_thread_self()), KERN_INVALID_ARGUMENT);
	ASSERT_EQ(xnu_semaphore_create(self, &sema, 0, 0), KERN_SUCCESS);
	EXPECT_EQ(xnu_task_resume(sema), KERN_INVALID_ARGUMENT);
	EXPECT_EQ(xnu_semaphore_destroy(self, sema), KERN_SUCCESS);
}

TEST(task_suspend_holds_a_running_child_until_resumed)
{
	xnu_port_t self = xnu_mach_task_self(), t = 0;
	struct proc *p;
	int32_t pid;
	int rfd;

	ASSERT_EQ(spawn_mode("loop", 0, &pid, &rfd), 0);
	ASSERT_TRUE(drain(rfd, 10000) > 0);			/* it runs */
	ASSERT_EQ(xnu_task_for_pid(self, pid, &t), KERN_SUCCESS);
	p = xs_proc_find(pid);
	ASSERT_TRUE(p != NULL);

	ASSERT_EQ(xnu_task_suspend(t), KERN_SUCCESS);
	EXPECT_EQ(xnu_task_suspend(t), KERN_SUCCESS);		/* counted */
	EXPECT_EQ(xs_proc_task(p)->user_stop_count, 2u);
	EXPECT_EQ(xs_proc_task(p)->legacy_stop_count, 2u);
	usleep(100 * 1000);				/* its next trap parks it */
	drain(rfd, 0);
	EXPECT_EQ(drain(rfd, 300), 0);			/* paused */
	EXPECT_EQ(xnu_task_resume(t), KERN_SUCCESS);
	EXPECT_EQ(drain(rfd, 300), 0);			/* one hold is left */
	EXPECT_EQ(xnu_task_resume(t), KERN_SUCCESS);
	EXPECT_TRUE(drain(rfd, 10000) > 0);		/* running again */
	EXPECT_EQ(xnu_task_resume(t), KERN_FAILURE);	/* no suspension left */
	EXPECT_EQ(xs_proc_task(p)->user_stop_count, 0u);

	/* A held child still dies of SIGKILL. */
	EXPECT_EQ(xnu_task_suspend(t), KERN_SUCCESS);
	usleep(50 * 1000);
	EXPECT_EQ(xnu_kill(pid, SIGKILL), 0);
	EXPECT_EQ(wait_status(pid), SIGKILL);
	EXPECT_EQ(xnu_task_suspend(t), MACH_SEND_INVALID_DEST);	/* a dead name now */
	close(rfd);
}

TEST(start_suspended_child_dies_of_sigkill_and_sigcont_still_resumes)
{
	struct pc_report r;
	int32_t pid;
	int rfd;

	ASSERT_EQ(spawn_mode("report", POSIX_SPAWN_START_SUSPENDED, &pid, &rfd), 0);
	EXPECT_TRUE(!read_report(rfd, &r, 200));
	EXPECT_EQ(xnu_kill(pid, SIGKILL), 0);
	EXPECT_EQ(wait_status(pid), SIGKILL);
	EXPECT_TRUE(!read_report(rfd, &r, 0));		/* it never reported */
	close(rfd);

	ASSERT_EQ(spawn_mode("report", POSIX_SPAWN_START_SUSPENDED, &pid, &rfd), 0);
	EXPECT_TRUE(!read_report(rfd, &r, 200));
	EXPECT_EQ(xnu_kill(pid, SIGCONT), 0);			/* task_resume_internal */
	ASSERT_TRUE(read_report(rfd, &r, 10000));
	EXPECT_EQ(wait_status(pid), 0);
	close(rfd);
}

/* Last: a fresh x86_64 machine, the same calls through rax classes. */
TEST(task_resume_x86_64)
{
	xnu_port_t t = 0xdead;

	ASSERT_TRUE(xnusim_boot(XNUSIM_ARCH_X86_64) > 0);
	ASSERT_EQ(xnusim_arch(), XNUSIM_ARCH_X86_64);
	resume_suspended_child();
	EXPECT_EQ(xnu_task_for_pid(xnu_mach_task_self(), NOPID, &t), KERN_FAILURE);
	EXPECT_EQ(t, 0u);
	EXPECT_EQ(xnu_task_resume(xnu_mach_task_self()), KERN_FAILURE);
}
