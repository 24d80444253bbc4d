/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * boot_and_attach: the machine a test boots into (kernel_task, kernproc,
 * launchd), host processes and threads joining it, pid allocation, and a
 * re-boot onto an x86_64 machine.
 */
#include <pthread.h>

#include "tests/sim/proc_child.h"

/* Kernel headers: rename the two types whose host typedefs differ. */
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

static void child_mode(const char *mode)
{
	struct pc_report r = { 0 };

	r.pid = xnu_getpid();
	r.ppid = xnu_getppid();
	r.tid = xnu_thread_selfid();
	r.value[0] = xnusim_pid();
	r.value[1] = (int64_t)xnu_getuid();
	pc_report_send(&r);
	if (strcmp(mode, "report_exit") == 0)
		xnu_exit(0);
	_exit(0);	/* "report_vanish": no simulated exit */
}
PC_CHILD_MODES(child_mode)

static uint64_t zone_count(enum zone_id id)
{
	struct zone *z = xs_zone_by_id(id);

	return z ? z->z_count : (uint64_t)-1;
}

TEST(boot_state)
{
	struct xs_machine *m = xs_machine();
	struct proc *kp, *init, *self;

	ASSERT_TRUE(m != NULL);
	EXPECT_TRUE(m->m_booted);
	EXPECT_EQ(m->m_arch, XS_ARCH_ARM64);
	ASSERT_TRUE(m->m_kern.kernel_task != NULL);
	EXPECT_TRUE(m->m_kern.kernel_task->is_kernel_task);
	kp = m->m_proc.kernproc;
	init = m->m_proc.initproc;
	ASSERT_TRUE(kp != NULL && init != NULL);
	EXPECT_EQ(kp->p_pid, 0);
	EXPECT_STREQ(kp->p_comm, "kernel_task");
	EXPECT_TRUE(xs_proc_task(kp) == m->m_kern.kernel_task);	/* married */
	EXPECT_TRUE(xs_get_bsdtask_info(m->m_kern.kernel_task) == kp);
	EXPECT_EQ(init->p_pid, 1);
	EXPECT_EQ(init->p_ppid, 0);
	EXPECT_TRUE(init->p_pptr == kp);
	EXPECT_STREQ(init->p_comm, "launchd");
	EXPECT_EQ(init->p_ucred.cr_uid, 0);
	EXPECT_TRUE(xs_proc_find(1) == init);
	EXPECT_TRUE(xs_proc_find(-1) == NULL);

	self = xs_current_proc();
	ASSERT_TRUE(self != NULL);
	EXPECT_TRUE(self->p_pid >= 2);
	EXPECT_EQ(self->p_ppid, 1);
	EXPECT_TRUE(self->p_pptr == init);
	EXPECT_EQ(self->p_stat, SRUN);
	EXPECT_STREQ(self->p_comm, "boot_and_attach");
	EXPECT_EQ(self->p_host_pid, getpid());
	EXPECT_TRUE(xs_proc_find(self->p_pid) == self);
	EXPECT_EQ(xnusim_pid(), self->p_pid);
	/* The zones the process core made at boot, with what boot put in them. */
	EXPECT_TRUE(zone_count(ZONE_ID_PROC_TASK) >= 3);	/* kernel_task, launchd, us */
	EXPECT_TRUE(zone_count(ZONE_ID_THREAD) >= 2);
}

TEST(ids_through_traps)
{
	EXPECT_EQ(xnu_getpid(), xnusim_pid());
	EXPECT_EQ(xnu_getppid(), 1);
	EXPECT_EQ(xnu_syscall(20), xnusim_pid());	/* indirect syscall(SYS_getpid) */
	EXPECT_EQ(xnu_syscall(39), 1);
}

TEST(child_attach_gets_fresh_pid_under_launchd)
{
	struct pc_child c;
	struct pc_report r;
	int st, kst = -1;

	ASSERT_EQ(pc_spawn("report_exit", &c), 0);
	ASSERT_EQ(pc_read_report(&c, &r), 0);
	st = pc_wait(&c);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT_TRUE(r.pid >= 2);
	EXPECT_NE(r.pid, xnusim_pid());
	EXPECT_EQ(r.ppid, 1);
	EXPECT_EQ(r.value[0], r.pid);
	EXPECT_EQ(r.value[1], 501);	/* attached processes run as the console user */
	EXPECT_TRUE(r.tid > 100);
	EXPECT_NE(r.tid, xnu_thread_selfid());
	/* launchd reaped it; its exit status is on record, the pid is free. */
	EXPECT_EQ(xs_proc_exit_status(r.pid, 0, &kst), 0);
	EXPECT_EQ(kst, 0);
	EXPECT_TRUE(xs_proc_find(r.pid) == NULL);
	EXPECT_TRUE(xs_proc_find_zombie(r.pid) == NULL);
}

TEST(pids_increase_and_skip_used)
{
	struct pc_child a, b;
	struct pc_report ra, rb;
	struct proc_globals *g = &xs_machine()->m_proc;

	ASSERT_EQ(pc_spawn("report_exit", &a), 0);
	ASSERT_EQ(pc_read_report(&a, &ra), 0);
	pc_wait(&a);
	/* Next pid is lastpid + 1, skipping one still in use: ours. */
	xs_proc_list_lock();
	g->lastpid = xnusim_pid() - 1;
	xs_proc_list_unlock();
	ASSERT_EQ(pc_spawn("report_exit", &b), 0);
	ASSERT_EQ(pc_read_report(&b, &rb), 0);
	pc_wait(&b);
	EXPECT_EQ(rb.pid, xnusim_pid() + 1);
	EXPECT_TRUE(ra.pid > 1);
	/* Past PID_MAX pids wrap to 100. */
	xs_proc_list_lock();
	g->lastpid = XS_PID_MAX;
	xs_proc_list_unlock();
	ASSERT_EQ(pc_spawn("report_exit", &b), 0);
	ASSERT_EQ(pc_read_report(&b, &rb), 0);
	pc_wait(&b);
	EXPECT_EQ(rb.pid, 100);
}

static void *thread_main(void *arg)
{
	uint64_t *out = arg;

	out[0] = xnu_thread_selfid();	/* first trap attaches this host thread */
	out[1] = (uint64_t)xnu_getpid();
	out[2] = xnu_thread_selfid();
	out[3] = xs_thread_attach_current(0);	/* already attached: no-op */
	return NULL;
}

TEST(pthread_gets_own_thread_in_same_process)
{
	struct task *task = xs_proc_task(xs_current_proc());
	uint32_t before = task->thread_count;
	uint64_t out[4] = { 0 };
	pthread_t t;

	ASSERT_EQ(pthread_create(&t, NULL, thread_main, out), 0);
	pthread_join(t, NULL);
	EXPECT_TRUE(out[0] > 100);
	EXPECT_NE(out[0], xnu_thread_selfid());
	EXPECT_EQ(out[0], out[2]);
	EXPECT_EQ(out[1], (uint64_t)xnu_getpid());
	EXPECT_EQ(out[3], 0);
	EXPECT_EQ(task->thread_count, before);	/* the ended pthread took its thread with it */
}

static void *unattached_thread(void *arg)
{
	*(int *)arg = xs_thread_attach_current(0);
	return NULL;
}

TEST(host_pids_map_to_procs)
{
	struct proc *self = xs_current_proc();
	int host = self->p_host_pid, init_host = xs_machine()->m_proc.initproc->p_host_pid;
	int rc = 1;
	pthread_t t;

	EXPECT_TRUE(xs_proc_find_host(-1) == NULL);
	EXPECT_TRUE(xs_proc_find_host(999999) == NULL);
	/* launchd shares our host pid (we booted it); the newest proc wins. */
	EXPECT_TRUE(xs_proc_find_host(getpid()) == self);
	/* Pretend this host process runs nothing: attach finds no process. */
	self->p_host_pid = -2;
	xs_machine()->m_proc.initproc->p_host_pid = -2;
	ASSERT_EQ(pthread_create(&t, NULL, unattached_thread, &rc), 0);
	pthread_join(t, NULL);
	EXPECT_EQ(rc, -ESRCH);
	self->p_host_pid = host;
	xs_machine()->m_proc.initproc->p_host_pid = init_host;
}

/* Last: moves this process onto a fresh x86_64 machine. */
TEST(reboot_x86_64)
{
	uint32_t old_id = xnusim_machine_id();
	int id = xnusim_boot(XNUSIM_ARCH_X86_64);

	ASSERT_TRUE(id > 0);
	EXPECT_NE((uint32_t)id, old_id);
	EXPECT_EQ(xnusim_arch(), XNUSIM_ARCH_X86_64);
	EXPECT_EQ(xs_machine()->m_arch, XS_ARCH_X86_64);
	EXPECT_EQ(xnu_getpid(), 2);	/* first process after launchd */
	EXPECT_EQ(xnu_getppid(), 1);
	EXPECT_EQ(xnu_syscall(20), 2);
	EXPECT_EQ(xs_machine()->m_proc.initproc->p_pid, 1);
}
