/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kill_storm: 200 forked processes, each looping over calls that take the
 * IPC lock, its map's lock, the zone and arena locks, its fd table's lock
 * and the VFS (mach_port_allocate/mod_refs, mach_vm_allocate/deallocate,
 * open/dup/close), are killed with SIGKILL at random points: most with the
 * host's SIGKILL, so they die in the middle of a kernel call, perhaps
 * holding a lock; the rest with the simulated kill(2).  The kernel must
 * stay usable (this process keeps making the same calls), reap every dead
 * process (xs_proc_host_died, then wait4) and give every zone element back.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const int host_SIGKILL = SIGKILL;
static const int host_SIGALRM = SIGALRM;

/*
 * A kernel wedged by a dead process (a lock or a drain it never releases)
 * fails the test after 100 s instead of hanging the suite.
 */
static void on_watchdog(int sig)
{
	static const char msg[] = "kill_storm: no progress for 100 s: the kernel is wedged\n";

	(void)sig;
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(1);
}

#define sigset_t xs_sigset_t
#define mode_t xs_mode_t
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#undef sigset_t
#undef mode_t
#include "kmod-xnu-sim/include/xnusim/libsyscall.h"
#include "darwin/errno.h"
#include "darwin/fcntl.h"
#include "darwin/kern_return.h"
#include "darwin/port.h"
#include "darwin/signal.h"	/* SIGKILL is Darwin's from here on (also 9) */
#undef sigset_t
#include "darwin/wait.h"

#include "tests/harness.h"

#define NKIDS  200
#define BATCH  20
#define NZONES 11

static const enum zone_id zones[NZONES] = {
	ZONE_ID_PROC_TASK, ZONE_ID_THREAD, ZONE_ID_FILEPROC, ZONE_ID_FILEGLOB, ZONE_ID_VNODE,
	ZONE_ID_VM_MAP, ZONE_ID_VM_MAP_ENTRY, ZONE_ID_VM_OBJECT, ZONE_ID_IPC_SPACE,
	ZONE_ID_IPC_PORT, ZONE_ID_IPC_KMSG,
};

static void counts_now(uint64_t c[NZONES + 1])
{
	for (int i = 0; i < NZONES; i++)
		c[i] = xs_zone_by_id(zones[i])->z_count;
	c[NZONES] = xs_machine()->m_proc.nprocs;
}

/* One round of the calls the children loop over.  0 if all succeeded. */
static int one_round(int fd)
{
	xnu_port_t self = xnu_mach_task_self(), name = 0;
	uint64_t addr = 0;
	int bad = 0, d, f;

	if (xnu_mach_port_allocate(self, MACH_PORT_RIGHT_RECEIVE, &name) != KERN_SUCCESS ||
	    xnu_mach_port_mod_refs(self, name, MACH_PORT_RIGHT_RECEIVE, -1) != KERN_SUCCESS)
		bad |= 1;
	if (xnu_mach_vm_allocate(self, &addr, 65536, 1) != KERN_SUCCESS ||
	    xnu_mach_vm_deallocate(self, addr, 65536) != KERN_SUCCESS)
		bad |= 2;
	d = xnu_dup(fd);
	if (d < 0 || xnu_close(d) != 0)
		bad |= 4;
	f = xnu_open("/tmp/kill_storm", O_RDONLY);
	if (f < 0 || xnu_close(f) != 0)
		bad |= 8;
	return bad;
}

struct kid {
	int pid, host_pid;
	bool host_kill;
};

/* The host pid the child bound to (it may not have run yet). */
static int host_pid_of(int pid)
{
	for (int i = 0; i < 5000; i++) {
		struct proc *p = xs_proc_find(pid);

		if (p && p->p_host_pid > 0)
			return p->p_host_pid;
		usleep(200);
	}
	return -1;
}

/* Kill one child as planned and reap it both ways.  0 or a failure code. */
static int kill_and_reap(struct kid *k)
{
	int st = -1, hst = 0;

	if (k->host_kill) {
		kill(k->host_pid, host_SIGKILL);	/* mid-call: no simulated exit */
		if (waitpid(k->host_pid, &hst, 0) != k->host_pid)
			return 1;
		xs_proc_host_died(k->host_pid, hst);	/* ESRCH if it was exiting anyway */
	} else if (xnu_kill(k->pid, SIGKILL) != 0) {
		return 2;
	}
	if (xnu_wait4(k->pid, &st, 0, NULL) != k->pid)
		return 3;
	if ((st & 0x7f) != SIGKILL)
		return 4;
	if (!k->host_kill && waitpid(k->host_pid, &hst, 0) != k->host_pid)
		return 5;
	return 0;
}

TEST(two_hundred_processes_killed_mid_call_leave_the_kernel_whole)
{
	uint64_t base[NZONES + 1], now[NZONES + 1];
	struct kid kids[BATCH];
	int fd, failures = 0, parent_bad = 0, host_kills = 0, done = 0;
	uint64_t t0 = (uint64_t)time(NULL);
	int parent_host_pid = getpid();

	signal(host_SIGALRM, on_watchdog);
	alarm(100);
	fd = xnu_open("/tmp/kill_storm", O_RDWR | O_CREAT | O_TRUNC, 0644);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(one_round(fd), 0);	/* warm every zone up */
	counts_now(base);
	srand(12345);
	while (done < NKIDS) {
		int n = NKIDS - done < BATCH ? NKIDS - done : BATCH;

		for (int i = 0; i < n; i++) {
			fflush(NULL);
			kids[i].pid = xnu_fork();
			if (kids[i].pid == 0) {
				/* Never outlive a test that gave up (the watchdog). */
				prctl(PR_SET_PDEATHSIG, host_SIGKILL);
				if (getppid() != parent_host_pid)
					_exit(1);
				for (;;)
					one_round(fd);
			}
			ASSERT_TRUE(kids[i].pid > 0);
			kids[i].host_kill = rand() % 3 != 0;
		}
		for (int i = 0; i < n; i++) {
			kids[i].host_pid = host_pid_of(kids[i].pid);
			ASSERT_TRUE(kids[i].host_pid > 0);
		}
		for (int i = 0; i < n; i++) {
			usleep((useconds_t)(rand() % 3000));
			host_kills += kids[i].host_kill;
			failures += kill_and_reap(&kids[i]) != 0;
			parent_bad |= one_round(fd);	/* the kernel still works for us */
		}
		done += n;
	}
	EXPECT_EQ(failures, 0);
	EXPECT_EQ(parent_bad, 0);
	EXPECT_TRUE(host_kills > NKIDS / 2);
	EXPECT_TRUE((uint64_t)time(NULL) - t0 < 60);
	counts_now(now);
	for (int i = 0; i <= NZONES; i++) {
		if (now[i] != base[i])
			printf("    %s: %llu now, %llu before\n",
			       i < NZONES ? xs_zone_by_id(zones[i])->z_name : "nprocs",
			       (unsigned long long)now[i], (unsigned long long)base[i]);
		EXPECT_EQ(now[i], base[i]);
	}
	EXPECT_EQ(xnu_wait4(-1, NULL, WNOHANG, NULL), -1);	/* nobody left */
	EXPECT_EQ(xnu_errno, ECHILD);
	xnu_close(fd);
	xnu_unlink("/tmp/kill_storm");
	alarm(0);
}
