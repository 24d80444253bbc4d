/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * proc_child.h: host child processes for the process-core scenarios.  A test
 * starts a child by fork + exec of its own binary with XNUSIM_MACHINE (so the
 * library's constructor attaches it to this machine under launchd) and
 * XS_TEST_CHILD=<mode>; a constructor in the test (PC_CHILD_MODES) runs the
 * mode instead of the harness.  The child reports over a host pipe.
 *
 * Include it before any kernel or darwin/ header: it captures the host's
 * signal numbers, which the darwin/ headers later redefine.
 */
#ifndef XS_TESTS_SIM_PROC_CHILD_H
#define XS_TESTS_SIM_PROC_CHILD_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kmod-xnu-sim/include/xnusim/xnusim.h"

static const int pc_host_SIGSYS = SIGSYS;
static const int pc_host_SIGTERM = SIGTERM;
static const int pc_host_SIGKILL = SIGKILL;

struct pc_report {		/* what a child tells its parent */
	int32_t pid, ppid;
	uint64_t tid;
	int64_t value[4];	/* mode-specific */
};

struct pc_child {
	pid_t host_pid;
	int rfd;		/* read end of the report pipe */
};

#define PC_ENV_MODE "XS_TEST_CHILD"
#define PC_ENV_FD   "XS_TEST_CHILD_FD"

/* Start a child running mode.  0 or -1. */
static inline int pc_spawn(const char *mode, struct pc_child *c)
{
	char env[256], fdbuf[16];
	int fds[2];

	if (xnusim_child_env(env, sizeof(env)) != 0 || pipe(fds) != 0)
		return -1;
	c->host_pid = fork();
	if (c->host_pid < 0)
		return -1;
	if (c->host_pid == 0) {
		char *eq = strchr(env, '=');

		close(fds[0]);
		*eq = '\0';
		snprintf(fdbuf, sizeof(fdbuf), "%d", fds[1]);
		setenv(env, eq + 1, 1);
		setenv(PC_ENV_MODE, mode, 1);
		setenv(PC_ENV_FD, fdbuf, 1);
		execl("/proc/self/exe", "proc_child", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	c->rfd = fds[0];
	return 0;
}

/* Read the child's report (blocks until it writes or dies).  0 or -1. */
static inline int pc_read_report(struct pc_child *c, struct pc_report *r)
{
	size_t got = 0;

	while (got < sizeof(*r)) {
		ssize_t n = read(c->rfd, (char *)r + got, sizeof(*r) - got);

		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

/* Wait for the child; returns the host wait status (or -1). */
static inline int pc_wait(struct pc_child *c)
{
	int st;

	close(c->rfd);
	if (waitpid(c->host_pid, &st, 0) != c->host_pid)
		return -1;
	return st;
}

/* In the child: send a report to the parent. */
static inline void pc_report_send(const struct pc_report *r)
{
	const char *fd = getenv(PC_ENV_FD);

	if (fd && write(atoi(fd), r, sizeof(*r)) != (ssize_t)sizeof(*r))
		_exit(126);
}

/*
 * PC_CHILD_MODES(fn): fn(const char *mode) runs in a child started by
 * pc_spawn, after the library attached it; it must not return normally.
 */
#define PC_CHILD_MODES(fn)                                                      \
	__attribute__((constructor(300))) static void pc_child_main(void)       \
	{                                                                       \
		const char *mode = getenv(PC_ENV_MODE);                         \
		if (mode) {                                                     \
			fn(mode);                                               \
			_exit(125);                                             \
		}                                                               \
	}

#endif /* XS_TESTS_SIM_PROC_CHILD_H */
