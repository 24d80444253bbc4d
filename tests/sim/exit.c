/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * exit: exit(2) records a Darwin wait status and ends the host process with
 * it; launchd reaps its children and every proc_task and thread element goes
 * back to its zone; a host process that vanishes without exit(2) is reaped
 * as killed by xs_proc_host_died.
 */
#include <pthread.h>

#include "tests/sim/proc_child.h"

#define sigset_t xs_sigset_t
#define mode_t xs_mode_t
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#undef sigset_t
#undef mode_t
#include "kmod-xnu-sim/include/xnusim/libsyscall.h"

#include "tests/harness.h"

static void *spin_thread(void *arg)
{
	xnu_getpid();	/* attach */
	*(volatile int *)arg = 1;
	for (;;)
		usleep(1000);
	return NULL;
}

static void child_mode(const char *mode)
{
	struct pc_report r = { 0 };
	static volatile int ready;
	pthread_t t;

	r.pid = xnu_getpid();
	if (strcmp(mode, "threads") == 0) {
		for (int i = 0; i < 3; i++) {
			ready = 0;
			pthread_create(&t, NULL, spin_thread, (void *)&ready);
			while (!ready)
				usleep(100);
		}
		r.value[0] = xs_proc_task(xs_current_proc())->thread_count;
	}
	pc_report_send(&r);
	if (strcmp(mode, "exit3") == 0 || strcmp(mode, "threads") == 0)
		xnu_exit(strcmp(mode, "exit3") == 0 ? 3 : 4);
	if (strcmp(mode, "exit261") == 0)
		xnu_exit(261);
	if (strcmp(mode, "vanish") == 0)
		_exit(7);	/* a host exit the kernel never hears about */
	xnu_exit(99);
}
PC_CHILD_MODES(child_mode)

struct counts {
	uint64_t proc_task, threads;
	uint32_t nprocs, tasks;
};

static struct counts counts_now(void)
{
	struct xs_machine *m = xs_machine();
	struct counts c = {
		xs_zone_by_id(ZONE_ID_PROC_TASK)->z_count,
		xs_zone_by_id(ZONE_ID_THREAD)->z_count,
		m->m_proc.nprocs,
		m->m_kern.tasks_count,
	};

	return c;
}

static void expect_baseline(struct counts a)
{
	struct counts b = counts_now();

	EXPECT_EQ(b.proc_task, a.proc_task);
	EXPECT_EQ(b.threads, a.threads);
	EXPECT_EQ(b.nprocs, a.nprocs);
	EXPECT_EQ(b.tasks, a.tasks);
}

static int run(const char *mode, struct pc_report *r)
{
	struct pc_child c;

	if (pc_spawn(mode, &c) != 0 || pc_read_report(&c, r) != 0)
		return -1;
	return pc_wait(&c);
}

TEST(exit_status_is_recorded_and_host_exits_with_it)
{
	struct counts base = counts_now();
	struct pc_report r;
	int st, kst = -1;

	st = run("exit3", &r);
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), 3);
	EXPECT_EQ(xs_proc_exit_status(r.pid, 0, &kst), 0);
	EXPECT_EQ(kst, 3 << 8);	/* W_EXITCODE(3, 0) */
	EXPECT_TRUE(xs_proc_find(r.pid) == NULL);
	expect_baseline(base);
}

TEST(exit_code_keeps_only_low_byte_in_wait_status)
{
	struct pc_report r;
	int st, kst = -1;

	st = run("exit261", &r);
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), 5);
	EXPECT_EQ(xs_proc_exit_status(0, -1, &kst), ESRCH);	/* no such host pid */
	EXPECT_EQ(xs_proc_exit_status(r.pid, 0, &kst), 0);
	EXPECT_EQ(kst & 0xffff, 5 << 8);	/* wait4 copies out p_xstat & 0xffff */
}

TEST(exit_with_threads_frees_every_thread)
{
	struct counts base = counts_now();
	struct pc_report r;
	int st;

	st = run("threads", &r);
	EXPECT_EQ(r.value[0], 4);	/* main + 3 attached pthreads */
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 4);
	expect_baseline(base);
}

TEST(host_death_without_exit_is_reaped_as_killed)
{
	struct counts base = counts_now();
	struct pc_child c;
	struct pc_report r;
	int st, kst = -1;

	ASSERT_EQ(pc_spawn("vanish", &c), 0);
	ASSERT_EQ(pc_read_report(&c, &r), 0);
	st = pc_wait(&c);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	/* The kernel still thinks it runs until someone reports the death. */
	ASSERT_TRUE(xs_proc_find(r.pid) != NULL);
	EXPECT_EQ(xs_proc_find(r.pid)->p_host_pid, c.host_pid);
	EXPECT_EQ(xs_proc_host_died(c.host_pid, st), 0);
	EXPECT_TRUE(xs_proc_find(r.pid) == NULL);
	EXPECT_EQ(xs_proc_exit_status(0, c.host_pid, &kst), 0);
	EXPECT_EQ(kst, 9);	/* W_EXITCODE(0, SIGKILL) */
	expect_baseline(base);
	/* Only once; and never for a host pid nobody attached from. */
	EXPECT_EQ(xs_proc_host_died(c.host_pid, st), ESRCH);
	EXPECT_EQ(xs_proc_host_died(0, 0), ESRCH);
	EXPECT_EQ(xs_proc_host_died(-5, 0), ESRCH);
}

TEST(exit_of_a_killed_host_process_after_kernel_exit_is_esrch)
{
	struct pc_report r;
	struct pc_child c;
	int st;

	ASSERT_EQ(pc_spawn("exit3", &c), 0);
	ASSERT_EQ(pc_read_report(&c, &r), 0);
	st = pc_wait(&c);
	/* It exited through the kernel: nothing left for the host reaper. */
	EXPECT_EQ(xs_proc_host_died(c.host_pid, st), ESRCH);
}

/* Start a child that vanishes; returns its (still live) proc. */
static struct proc *vanished(struct pc_child *c, int *st)
{
	struct pc_report r;

	if (pc_spawn("vanish", c) != 0 || pc_read_report(c, &r) != 0)
		return NULL;
	*st = pc_wait(c);
	return xs_proc_find(r.pid);
}

static void adopt(struct proc *parent, struct proc *child)
{
	xs_proc_list_lock();
	xs_proc_unlink_child_locked(child);
	xs_pinsertchild(parent, child);
	xs_proc_list_unlock();
}

TEST(orphans_go_to_launchd_and_zombie_children_are_reaped)
{
	struct counts base = counts_now();
	struct pc_child ca, cb, cc;
	struct proc *a, *b, *c;
	int sta, stb, stc, kst = -1;
	pid_t bpid, cpid;

	a = vanished(&ca, &sta);
	b = vanished(&cb, &stb);
	c = vanished(&cc, &stc);
	ASSERT_TRUE(a && b && c);
	bpid = b->p_pid;
	cpid = c->p_pid;
	adopt(a, b);	/* as if a had forked b and c */
	adopt(a, c);
	EXPECT_EQ(b->p_ppid, a->p_pid);
	/* b dies: a zombie, since its parent a is not launchd. */
	EXPECT_EQ(xs_proc_host_died(cb.host_pid, stb), 0);
	EXPECT_TRUE(xs_proc_find_zombie(bpid) == b);
	EXPECT_EQ(b->p_xstat, 9);
	EXPECT_EQ(xs_proc_exit_status(bpid, 0, &kst), ESRCH);	/* not reaped yet */
	/* a dies: its zombie child b is reaped, its live child c goes to launchd. */
	EXPECT_EQ(xs_proc_host_died(ca.host_pid, sta), 0);
	EXPECT_TRUE(xs_proc_find_zombie(bpid) == NULL);
	EXPECT_EQ(xs_proc_exit_status(bpid, 0, &kst), 0);
	EXPECT_EQ(kst, 9);
	ASSERT_TRUE(xs_proc_find(cpid) == c);
	EXPECT_EQ(c->p_ppid, 1);
	EXPECT_TRUE(c->p_pptr == xs_machine()->m_proc.initproc);
	EXPECT_EQ(xs_proc_host_died(cc.host_pid, stc), 0);	/* auto-reaped now */
	EXPECT_TRUE(xs_proc_find_zombie(cpid) == NULL);
	expect_baseline(base);
}
