/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * posix_spawn: BSD 244 end to end.  /usr/bin/true and /usr/bin/false from
 * the root file system; an image bound to this binary that reports what it
 * got over a host pipe: file actions (OPEN landing on its fd, DUP2, CLOSE,
 * CHDIR, FCHDIR) run in the child's table, SETPGROUP, SETSID,
 * START_SUSPENDED (held until SIGCONT), SETEXEC (the caller's pid, a new
 * image).  Bad descriptors, sizes and actions fail with XNU's errno and
 * leave no child.
 */
#include "tests/sim/proc_child.h"

#include <poll.h>

#define sigset_t xs_sigset_t
#define mode_t xs_mode_t
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/bsd/sys/spawn_internal.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#undef sigset_t
#undef mode_t
#include "kmod-xnu-sim/include/xnusim/libsyscall.h"
#include "kmod-xnu-sim/include/xnusim/spawn.h"
#include "tests/sim/exec_common.h"
#include "darwin/errno.h"
#include "darwin/fcntl.h"
#include "darwin/signal.h"
#undef sigset_t
#include "darwin/spawn.h"
#include "darwin/wait.h"

#include "tests/harness.h"

enum { SP_FD5 = 1, SP_FD6 = 2, SP_FD7_CLOSED = 4, SP_CWD = 8 };

static void child_mode(const char *mode)
{
	struct pc_report r = { 0 };
	struct xnu_stat64 st;
	int fd;

	r.pid = xnu_getpid();
	r.ppid = xnu_getppid();
	if (strcmp(mode, "report") == 0) {
		if (xnu_write(5, "via5", 4) == 4)
			r.value[0] |= SP_FD5;
		if (xnu_write(6, "via6", 4) == 4)
			r.value[0] |= SP_FD6;
		if (xnu_fstat64(7, &st) < 0 && xnu_errno == EBADF)
			r.value[0] |= SP_FD7_CLOSED;
		fd = xnu_open("xs_rel_mark", O_RDONLY);
		if (fd >= 0)
			r.value[0] |= SP_CWD;
		r.value[1] = xnu_syscall(81);		/* getpgrp */
		r.value[2] = xnu_syscall(310, 0);	/* getsid(0) */
		r.value[3] = xnu_dyld_argc();
		pc_report_send(&r);
		xnu_exit(3);
	}
	if (strcmp(mode, "setexec") == 0) {	/* a host child: spawn in place of itself */
		char *argv[] = { "again", NULL }, *envp[3];
		xnu_posix_spawnattr_t attr;

		pc_report_send(&r);
		envp[0] = (char *)PC_ENV_MODE "=report";
		envp[1] = (char *)ec_fd_env(atoi(getenv(PC_ENV_FD)));
		envp[2] = NULL;
		xnu_posix_spawnattr_init(&attr);
		xnu_posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETEXEC);
		r.value[0] = xnu_posix_spawn(NULL, EC_SELF, NULL, &attr, argv, envp);
		pc_report_send(&r);		/* only if it failed */
		xnu_exit(90);
	}
	xnu_exit(91);
}
PC_CHILD_MODES(child_mode)

/* Spawn the self image in "report" mode with a host pipe; the read end in *rfd. */
static int spawn_report(int32_t *pid, const xnu_posix_spawn_file_actions_t *fa,
			const xnu_posix_spawnattr_t *attr, int *rfd)
{
	char *argv[] = { "report", NULL }, *envp[3];
	int fds[2], err;

	if (ec_install_self(EC_SELF) != 0 || pipe(fds) != 0)
		return -1;
	envp[0] = (char *)PC_ENV_MODE "=report";
	envp[1] = (char *)ec_fd_env(fds[1]);
	envp[2] = NULL;
	err = xnu_posix_spawn(pid, EC_SELF, fa, attr, argv, envp);
	close(fds[1]);
	*rfd = fds[0];
	return err;
}

static bool read_report(int rfd, struct pc_report *r, int timeout_ms)
{
	struct pollfd p = { .fd = rfd, .events = POLLIN };

	if (poll(&p, 1, timeout_ms) != 1)
		return false;
	return read(rfd, r, sizeof(*r)) == (ssize_t)sizeof(*r);
}

/* No child of ours is left (a failed spawn must not leave one). */
static void expect_no_child(void)
{
	int st;

	EXPECT_EQ(xnu_wait4(-1, &st, WNOHANG, NULL), -1);
	EXPECT_EQ(xnu_errno, ECHILD);
}

static int wait_status(int32_t pid)
{
	int st = -1;

	return xnu_wait4(pid, &st, 0, NULL) == pid ? st : -1;
}

TEST(spawn_true_and_false_from_the_root_file_system)
{
	char *argv[] = { "true", NULL };
	int32_t pid = -1;

	ASSERT_EQ(xnu_posix_spawn(&pid, "/usr/bin/true", NULL, NULL, argv, NULL), 0);
	EXPECT_TRUE(pid > xnu_getpid());
	EXPECT_EQ(wait_status(pid), 0);
	ASSERT_EQ(xnu_posix_spawnp(&pid, "false", NULL, NULL, argv, NULL), 0);
	EXPECT_EQ(wait_status(pid), 1 << 8);
	expect_no_child();
}

TEST(spawned_child_reports_its_ids)
{
	struct pc_report r;
	int32_t pid = -1;
	int rfd;

	ASSERT_EQ(spawn_report(&pid, NULL, NULL, &rfd), 0);
	ASSERT_TRUE(read_report(rfd, &r, 10000));
	EXPECT_EQ(r.pid, pid);
	EXPECT_EQ(r.ppid, xnu_getpid());
	EXPECT_EQ(r.value[3], 1);		/* the simulated dyld ran: argc 1 */
	EXPECT_EQ(wait_status(pid), 3 << 8);
	close(rfd);
}

TEST(file_actions_run_in_the_childs_table)
{
	xnu_posix_spawn_file_actions_t fa;
	struct pc_report r;
	char buf[16] = { 0 };
	int32_t pid;
	int rfd, fd7, fd;

	xnu_mkdir("/tmp/xs_spawn_dir", 0755);
	ASSERT_EQ(ec_install_text("/tmp/xs_spawn_dir/xs_rel_mark", 0644, "m"), 0);
	fd7 = xnu_open("/tmp", O_RDONLY);
	ASSERT_TRUE(fd7 >= 0);
	if (fd7 != 7) {
		ASSERT_EQ(xnu_dup2(fd7, 7), 7);
		xnu_close(fd7);
	}
	xnu_posix_spawn_file_actions_init(&fa);
	ASSERT_EQ(xnu_posix_spawn_file_actions_addopen(&fa, 5, "/tmp/xs_spawn_out",
						       O_CREAT | O_WRONLY | O_TRUNC, 0644), 0);
	ASSERT_EQ(xnu_posix_spawn_file_actions_adddup2(&fa, 5, 6), 0);
	ASSERT_EQ(xnu_posix_spawn_file_actions_addclose(&fa, 7), 0);
	ASSERT_EQ(xnu_posix_spawn_file_actions_addchdir_np(&fa, "/tmp/xs_spawn_dir"), 0);
	ASSERT_EQ(spawn_report(&pid, &fa, NULL, &rfd), 0);
	ASSERT_TRUE(read_report(rfd, &r, 10000));
	EXPECT_EQ(r.value[0], SP_FD5 | SP_FD6 | SP_FD7_CLOSED | SP_CWD);
	EXPECT_EQ(wait_status(pid), 3 << 8);
	fd = xnu_open("/tmp/xs_spawn_out", O_RDONLY);
	EXPECT_EQ(xnu_read(fd, buf, sizeof(buf) - 1), 8);
	EXPECT_STREQ(buf, "via5via6");
	struct xnu_stat64 st;
	EXPECT_EQ(xnu_fstat64(7, &st), 0);	/* the parent's fd 7 is untouched */
	EXPECT_EQ(xnu_fstat64(5, &st), -1);	/* and it never had fd 5 */
	xnu_close(fd);
	xnu_close(7);
	close(rfd);
}

TEST(fchdir_action)
{
	xnu_posix_spawn_file_actions_t fa;
	struct pc_report r;
	int32_t pid;
	int rfd, dfd = xnu_open("/tmp/xs_spawn_dir", O_RDONLY);

	ASSERT_TRUE(dfd >= 0);
	ASSERT_EQ(ec_install_text("/tmp/xs_spawn_dir/xs_rel_mark", 0644, "m"), 0);
	xnu_posix_spawn_file_actions_init(&fa);
	ASSERT_EQ(xnu_posix_spawn_file_actions_addfchdir_np(&fa, dfd), 0);
	ASSERT_EQ(spawn_report(&pid, &fa, NULL, &rfd), 0);
	ASSERT_TRUE(read_report(rfd, &r, 10000));
	EXPECT_TRUE(r.value[0] & SP_CWD);
	EXPECT_EQ(wait_status(pid), 3 << 8);
	xnu_close(dfd);
	close(rfd);
}

TEST(setpgroup_and_setsid)
{
	xnu_posix_spawnattr_t attr;
	struct pc_report r;
	int32_t pid;
	int rfd;

	xnu_posix_spawnattr_init(&attr);
	xnu_posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	xnu_posix_spawnattr_setpgroup(&attr, 0);
	ASSERT_EQ(spawn_report(&pid, NULL, &attr, &rfd), 0);
	ASSERT_TRUE(read_report(rfd, &r, 10000));
	EXPECT_EQ(r.value[1], pid);			/* its own group */
	EXPECT_NE(r.value[2], pid);
	EXPECT_EQ(wait_status(pid), 3 << 8);
	close(rfd);
	xnu_posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
	ASSERT_EQ(spawn_report(&pid, NULL, &attr, &rfd), 0);
	ASSERT_TRUE(read_report(rfd, &r, 10000));
	EXPECT_EQ(r.value[1], pid);
	EXPECT_EQ(r.value[2], pid);			/* its own session */
	EXPECT_EQ(wait_status(pid), 3 << 8);
	close(rfd);
}

TEST(start_suspended_waits_for_sigcont)
{
	xnu_posix_spawnattr_t attr;
	struct pc_report r;
	int32_t pid;
	int rfd, st;

	xnu_posix_spawnattr_init(&attr);
	xnu_posix_spawnattr_setflags(&attr, POSIX_SPAWN_START_SUSPENDED);
	ASSERT_EQ(spawn_report(&pid, NULL, &attr, &rfd), 0);
	EXPECT_TRUE(!read_report(rfd, &r, 300));	/* held before main */
	EXPECT_EQ(xnu_wait4(pid, &st, WNOHANG | WUNTRACED, NULL), 0);
	ASSERT_EQ(xnu_kill(pid, SIGCONT), 0);
	ASSERT_TRUE(read_report(rfd, &r, 10000));
	EXPECT_EQ(r.pid, pid);
	EXPECT_EQ(wait_status(pid), 3 << 8);
	close(rfd);
}

TEST(setexec_replaces_the_caller)
{
	struct pc_report b, a;
	struct pc_child ch;

	ASSERT_EQ(ec_install_self(EC_SELF), 0);
	ASSERT_EQ(pc_spawn("setexec", &ch), 0);
	ASSERT_EQ(pc_read_report(&ch, &b), 0);
	ASSERT_EQ(pc_read_report(&ch, &a), 0);
	EXPECT_EQ(a.pid, b.pid);			/* no new pid */
	EXPECT_EQ(a.ppid, b.ppid);
	EXPECT_EQ(a.value[3], 1);			/* the new image's dyld ran */
	EXPECT_EQ(pc_wait(&ch), 3 << 8);
}

TEST(failures_leave_no_child)
{
	xnu_posix_spawn_file_actions_t fa;
	char *argv[] = { "x", NULL };
	int32_t pid = -1;

	EXPECT_EQ(xnu_posix_spawn(&pid, "/no/such/file", NULL, NULL, argv, NULL), ENOENT);
	EXPECT_EQ(xnu_posix_spawn(&pid, "/tmp", NULL, NULL, argv, NULL), EACCES);
	expect_no_child();
	xnu_posix_spawn_file_actions_init(&fa);
	xnu_posix_spawn_file_actions_addclose(&fa, 300);
	EXPECT_EQ(xnu_posix_spawn(&pid, "/usr/bin/true", &fa, NULL, argv, NULL), EBADF);
	xnu_posix_spawn_file_actions_init(&fa);
	xnu_posix_spawn_file_actions_addopen(&fa, 4, "/no/such", O_RDONLY, 0);
	EXPECT_EQ(xnu_posix_spawn(&pid, "/usr/bin/true", &fa, NULL, argv, NULL), ENOENT);
	xnu_posix_spawn_file_actions_init(&fa);
	xnu_posix_spawn_file_actions_addchdir_np(&fa, "/no/such/dir");
	EXPECT_EQ(xnu_posix_spawn(&pid, "/usr/bin/true", &fa, NULL, argv, NULL), ENOENT);
	expect_no_child();
	char **volatile bad_argv = (char **)24;

	EXPECT_EQ(xnu_posix_spawn(&pid, "/usr/bin/true", NULL, NULL, bad_argv, NULL), EFAULT);
	expect_no_child();
}

/* The raw trap with a hand-made descriptor, as a broken libc would send it. */
static int raw_spawn(struct xs_posix_spawn_args_desc *ad)
{
	char *argv[] = { "x", NULL };
	int32_t pid = -1;
	uint64_t args[5] = { (uint64_t)(uintptr_t)&pid, (uint64_t)(uintptr_t)"/usr/bin/true",
			     (uint64_t)(uintptr_t)ad, (uint64_t)(uintptr_t)argv, 0 };

	return xnu_bsd_trap(244, args, 5, NULL);
}

TEST(descriptor_size_rules)
{
	static struct xs_posix_spawnattr psa;
	static struct { struct xs_posix_spawn_file_actions h; struct xs_psfa_action a[2]; } fa;
	struct xs_posix_spawn_args_desc ad;

	EXPECT_EQ(raw_spawn((struct xs_posix_spawn_args_desc *)16), EFAULT);
	memset(&ad, 0, sizeof(ad));
	ad.attr_size = 100;			/* shorter than the kernel's part */
	ad.attrp = (uint64_t)(uintptr_t)&psa;
	EXPECT_EQ(raw_spawn(&ad), EINVAL);
	memset(&ad, 0, sizeof(ad));
	fa.h.psfa_act_count = 2;		/* but only one record's size given */
	fa.a[0].psfaa_type = PSFA_CLOSE;
	fa.a[0].psfaa_filedes = 1;
	ad.file_actions_size = XS_PSF_ACTIONS_SIZE(1);
	ad.file_actions = (uint64_t)(uintptr_t)&fa;
	EXPECT_EQ(raw_spawn(&ad), EINVAL);
	ad.file_actions_size = 8;		/* no room for one record */
	EXPECT_EQ(raw_spawn(&ad), EINVAL);
	fa.h.psfa_act_count = 1;
	ad.file_actions_size = XS_PSF_ACTIONS_SIZE(1);
	fa.a[0].psfaa_type = 77;		/* no such action */
	EXPECT_EQ(raw_spawn(&ad), EINVAL);
	fa.a[0].psfaa_type = PSFA_OPEN;		/* a path with no NUL */
	memset(fa.a[0].u.psfaa_openargs.psfao_path, 'a', XS_PATH_MAX);
	EXPECT_EQ(raw_spawn(&ad), ENAMETOOLONG);
	memset(&ad, 0, sizeof(ad));
	ad.port_actions_size = 24;		/* port actions are not modeled */
	EXPECT_EQ(raw_spawn(&ad), ENOTSUP);
	expect_no_child();
}

TEST(file_action_api_checks)
{
	xnu_posix_spawn_file_actions_t fa;

	xnu_posix_spawn_file_actions_init(&fa);
	EXPECT_EQ(xnu_posix_spawn_file_actions_addclose(&fa, -1), EBADF);
	EXPECT_EQ(xnu_posix_spawn_file_actions_adddup2(&fa, 1, -2), EBADF);
	for (int i = 0; i < XNU_PSFA_MAX; i++)
		EXPECT_EQ(xnu_posix_spawn_file_actions_addclose(&fa, 3), 0);
	EXPECT_EQ(xnu_posix_spawn_file_actions_addclose(&fa, 3), ENOMEM);
	EXPECT_EQ(xnu_posix_spawnattr_init(NULL), EINVAL);
}
