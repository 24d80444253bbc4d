/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fork: xnu_fork makes a child with a new pid under the caller (the parent
 * gets the pid, the child 0); descriptors share their fileglobs (one
 * offset), CLOEXEC ones included; Mach ports do not survive but the task
 * self port is new and works; private memory is copied, MAP_SHARED memory
 * shared, VM_INHERIT_NONE memory absent; only the forking thread exists in
 * the child; signal handlers, masks, cwd and credentials are inherited;
 * every zone element comes back once the child is reaped; the limits, the
 * host fork's failure path and bad host-half input.  Children report
 * failures in their exit status (bit n = check n failed).
 */
#include <pthread.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define sigset_t xs_sigset_t
#define mode_t xs_mode_t
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#include "kmod-xnu-sim/osfmk/vm/vm_map_internal.h"
#undef sigset_t
#undef mode_t
#include "kmod-xnu-sim/include/xnusim/libsyscall.h"
#include "kmod-xnu-sim/include/xnusim/xnusim.h"
#include "darwin/errno.h"
#include "darwin/fcntl.h"
#include "darwin/kern_return.h"
#include "darwin/mman.h"
#include "darwin/port.h"
#include "darwin/signal.h"
#undef sigset_t
#include "darwin/vm.h"
#include "darwin/wait.h"

#include "tests/harness.h"

#define RW (PROT_READ | PROT_WRITE)

/* fork with stdio flushed, so the child never repeats the parent's output. */
static int do_fork(void)
{
	fflush(NULL);
	return xnu_fork();
}

/*
 * Reap child pid with wait4; its exit status (1000 + signal if killed), or
 * -1.  A host child that died without a simulated exit (a crash) is handed
 * to the kernel's reaper, as the runner would, so a broken child fails the
 * test instead of hanging it.
 */
static int reap(int pid)
{
	int st = -1, hst, r, hp;

	for (int i = 0; i < 20000; i++) {
		r = xnu_wait4(pid, &st, WNOHANG, NULL);
		if (r < 0)
			return -1;
		hp = waitpid(-1, &hst, WNOHANG);
		if (hp > 0)
			xs_proc_host_died(hp, hst);	/* ESRCH if it exited properly */
		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 1000 + (st & 0x7f);
		usleep(500);
	}
	return -1;
}

struct counts {
	uint64_t proc_task, threads, fileproc, entries, maps;
	uint32_t nprocs;
};

static struct counts counts_now(void)
{
	struct counts c = {
		xs_zone_by_id(ZONE_ID_PROC_TASK)->z_count,
		xs_zone_by_id(ZONE_ID_THREAD)->z_count,
		xs_zone_by_id(ZONE_ID_FILEPROC)->z_count,
		xs_zone_by_id(ZONE_ID_VM_MAP_ENTRY)->z_count,
		xs_zone_by_id(ZONE_ID_VM_MAP)->z_count,
		xs_machine()->m_proc.nprocs,
	};
	return c;
}

#define EXPECT_COUNTS_EQ(a, b)                                  \
	do {                                                    \
		EXPECT_EQ((a).proc_task, (b).proc_task);        \
		EXPECT_EQ((a).threads, (b).threads);            \
		EXPECT_EQ((a).fileproc, (b).fileproc);          \
		EXPECT_EQ((a).entries, (b).entries);            \
		EXPECT_EQ((a).maps, (b).maps);                  \
		EXPECT_EQ((a).nprocs, (b).nprocs);              \
	} while (0)

TEST(fork_returns_pid_to_parent_and_zero_to_child)
{
	int ppid = xnu_getpid(), pid, fail;
	struct proc *cp;

	pid = do_fork();
	if (pid == 0) {
		fail = 0;
		if (xnu_getppid() != ppid)
			fail |= 1;
		if (xnu_getpid() == ppid || xnu_getpid() <= 0)
			fail |= 2;
		if (xnusim_pid() != xnu_getpid())
			fail |= 4;
		xnu_exit(fail);
	}
	ASSERT_TRUE(pid > 0);
	EXPECT_NE(pid, ppid);
	cp = xs_proc_find(pid);
	if (!cp)
		cp = xs_proc_find_zombie(pid);	/* it may be done already */
	ASSERT_TRUE(cp != NULL);
	EXPECT_EQ(cp->p_ppid, ppid);
	EXPECT_EQ(reap(pid), 0);
	EXPECT_TRUE(xs_proc_find(pid) == NULL);
}

TEST(fds_share_their_fileglob_and_cloexec_survives)
{
	char buf[4];
	int fd = xnu_open("/tmp/fork_fds", O_RDWR | O_CREAT | O_TRUNC, 0644), cfd, pid, fail;

	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(xnu_write(fd, "abcdef", 6), 6);
	ASSERT_EQ(xnu_lseek(fd, 0, SEEK_SET), 0);
	cfd = xnu_dup(fd);
	ASSERT_TRUE(cfd >= 0);
	ASSERT_EQ(xnu_fcntl(cfd, F_SETFD, FD_CLOEXEC), 0);
	pid = do_fork();
	if (pid == 0) {
		fail = 0;
		if (xnu_read(fd, buf, 2) != 2 || memcmp(buf, "ab", 2) != 0)
			fail |= 1;
		if (xnu_fcntl(cfd, F_GETFD) != FD_CLOEXEC)	/* fork keeps CLOEXEC fds */
			fail |= 2;
		if (xnu_read(cfd, buf, 1) != 1 || buf[0] != 'c')	/* same open file */
			fail |= 4;
		xnu_exit(fail);
	}
	ASSERT_TRUE(pid > 0);
	EXPECT_EQ(reap(pid), 0);
	EXPECT_EQ(xnu_lseek(fd, 0, SEEK_CUR), 3);	/* the child's reads moved it */
	EXPECT_EQ(xnu_read(fd, buf, 1), 1);
	EXPECT_EQ(buf[0], 'd');
	xnu_close(cfd);
	xnu_close(fd);
	xnu_unlink("/tmp/fork_fds");
}

TEST(mach_ports_do_not_survive_but_task_self_is_new)
{
	xnu_port_t name = 0, self = xnu_mach_task_self(), n2;
	int pid, fail;

	ASSERT_EQ(xnu_mach_port_allocate(self, MACH_PORT_RIGHT_RECEIVE, &name), KERN_SUCCESS);
	pid = do_fork();
	if (pid == 0) {
		xnu_port_t cself = xnu_mach_task_self(), cn = 0;

		fail = 0;
		if (xnu_mach_port_mod_refs(cself, name, MACH_PORT_RIGHT_RECEIVE, -1) !=
		    KERN_INVALID_NAME)
			fail |= 1;
		if (xnu_mach_port_deallocate(cself, name) != KERN_INVALID_NAME)
			fail |= 2;
		if (cself == 0 || cself == 0xffffffffu)
			fail |= 4;
		if (xnu_mach_port_allocate(cself, MACH_PORT_RIGHT_RECEIVE, &cn) != KERN_SUCCESS)
			fail |= 8;
		xnu_exit(fail);
	}
	ASSERT_TRUE(pid > 0);
	EXPECT_EQ(reap(pid), 0);
	/* The parent's right is untouched. */
	EXPECT_EQ(xnu_mach_port_allocate(self, MACH_PORT_RIGHT_RECEIVE, &n2), KERN_SUCCESS);
	EXPECT_EQ(xnu_mach_port_mod_refs(self, name, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	EXPECT_EQ(xnu_mach_port_mod_refs(self, n2, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

/* Mark [addr, addr+size) VM_INHERIT_NONE (no minherit(2) yet: white-box). */
static bool set_inherit_none(uint64_t addr)
{
	struct vm_map *map = xs_current_task()->map;
	struct vm_map_entry *e = NULL;
	bool ok;

	xs_vm_map_lock(map);
	ok = xs_vm_map_lookup_entry(map, addr, &e) && e;
	if (ok)
		e->inheritance = VM_INHERIT_NONE;
	xs_vm_map_unlock(map);
	return ok;
}

TEST(memory_is_copied_shared_or_left_out_by_inheritance)
{
	size_t ps = (size_t)xs_vm_map_page_size();
	volatile int *priv = xnu_mmap(NULL, ps, RW, MAP_ANON | MAP_PRIVATE, -1, 0);
	volatile int *shr = xnu_mmap(NULL, ps, RW, MAP_ANON | MAP_SHARED, -1, 0);
	uint64_t none = 0, vma = 0;
	int pid, fail, fd;

	ASSERT_TRUE(priv != XNU_MAP_FAILED && shr != XNU_MAP_FAILED);
	ASSERT_EQ(xnu_mach_vm_allocate(xnu_mach_task_self(), &vma, ps, 1), KERN_SUCCESS);
	none = vma + 64 * ps;	/* apart from vma, so the two entries never merge */
	ASSERT_EQ(xnu_mach_vm_allocate(xnu_mach_task_self(), &none, ps, 0), KERN_SUCCESS);
	ASSERT_TRUE(set_inherit_none(none));
	*priv = 1;
	*shr = 1;
	*(volatile int *)(uintptr_t)vma = 1;
	fd = xnu_open("/tmp/fork_vm", O_RDWR | O_CREAT | O_TRUNC, 0644);
	ASSERT_TRUE(fd >= 0);
	pid = do_fork();
	if (pid == 0) {
		fail = 0;
		if (*priv != 1 || *shr != 1 || *(volatile int *)(uintptr_t)vma != 1)
			fail |= 1;
		*priv = 2;
		*shr = 2;
		*(volatile int *)(uintptr_t)vma = 2;
		/* NONE: not in the child's map, and not in its address space. */
		if (xnu_mach_vm_protect(xnu_mach_task_self(), none, ps, 0, PROT_READ) ==
		    KERN_SUCCESS)
			fail |= 2;
		if (xnu_write(fd, (const void *)(uintptr_t)none, 4) != -1 || xnu_errno != EFAULT)
			fail |= 4;
		xnu_exit(fail);
	}
	ASSERT_TRUE(pid > 0);
	EXPECT_EQ(reap(pid), 0);
	EXPECT_EQ(*priv, 1);		/* COPY: the child's write stays there */
	EXPECT_EQ(*(volatile int *)(uintptr_t)vma, 1);
	EXPECT_EQ(*shr, 2);					/* SHARE: one object */
	EXPECT_EQ(xnu_mach_vm_protect(xnu_mach_task_self(), none, ps, 0, PROT_READ), KERN_SUCCESS);
	xnu_munmap((void *)priv, ps);
	xnu_munmap((void *)shr, ps);
	xnu_mach_vm_deallocate(xnu_mach_task_self(), vma, ps);
	xnu_mach_vm_deallocate(xnu_mach_task_self(), none, ps);
	xnu_close(fd);
	xnu_unlink("/tmp/fork_vm");
}

static pthread_mutex_t t_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t t_cv = PTHREAD_COND_INITIALIZER;
static int t_state;	/* 1: the thread trapped; 2: let it go */

static void *second_thread(void *arg)
{
	(void)arg;
	xnu_getpid();	/* trap once: now it is a simulated thread */
	pthread_mutex_lock(&t_mu);
	t_state = 1;
	pthread_cond_broadcast(&t_cv);
	while (t_state != 2)
		pthread_cond_wait(&t_cv, &t_mu);
	pthread_mutex_unlock(&t_mu);
	return NULL;
}

TEST(only_the_forking_thread_exists_in_the_child)
{
	pthread_t t;
	uint32_t parent_threads;
	int pid, fail;

	t_state = 0;
	ASSERT_EQ(pthread_create(&t, NULL, second_thread, NULL), 0);
	pthread_mutex_lock(&t_mu);
	while (t_state != 1)
		pthread_cond_wait(&t_cv, &t_mu);
	pthread_mutex_unlock(&t_mu);
	parent_threads = xs_current_task()->thread_count;
	EXPECT_TRUE(parent_threads >= 2);
	pid = do_fork();
	if (pid == 0) {
		fail = 0;
		if (xs_current_task()->thread_count != 1)
			fail |= 1;
		if (xnu_thread_selfid() == 0)
			fail |= 2;
		xnu_exit(fail);
	}
	ASSERT_TRUE(pid > 0);
	EXPECT_EQ(reap(pid), 0);
	EXPECT_EQ(xs_current_task()->thread_count, parent_threads);
	pthread_mutex_lock(&t_mu);
	t_state = 2;
	pthread_cond_broadcast(&t_cv);
	pthread_mutex_unlock(&t_mu);
	pthread_join(t, NULL);
}

static void on_usr1(int sig)
{
	(void)sig;
}

TEST(signal_state_cwd_and_credentials_are_inherited)
{
	struct xnu_sigaction sa = { 0 }, old;
	xnu_sigset_t set = 1u << (SIGUSR2 - 1), oset;
	uint32_t uid = xnu_getuid(), gid = xnu_getgid();
	int pid, fail, fd;

	sa.xsa_handler = on_usr1;
	if (xnu_sigaction(SIGUSR1, &sa, &old) != 0)
		return;		/* sigaction not modeled yet */
	ASSERT_EQ(xnu_sigprocmask(SIG_BLOCK, &set, &oset), 0);
	xnu_mkdir("/tmp/fork_cwd", 0755);
	ASSERT_EQ(xnu_chdir("/tmp/fork_cwd"), 0);
	pid = do_fork();
	if (pid == 0) {
		struct xnu_sigaction cur;
		xnu_sigset_t mask = 0;

		fail = 0;
		if (xnu_sigaction(SIGUSR1, NULL, &cur) != 0 || cur.xsa_handler != on_usr1)
			fail |= 1;
		if (xnu_sigprocmask(SIG_BLOCK, NULL, &mask) != 0 || !(mask & set))
			fail |= 2;
		if (xnu_getuid() != uid || xnu_getgid() != gid)
			fail |= 4;
		fd = xnu_open("here", O_RDWR | O_CREAT, 0644);	/* relative: the cwd */
		if (fd < 0)
			fail |= 8;
		xnu_exit(fail);
	}
	ASSERT_TRUE(pid > 0);
	EXPECT_EQ(reap(pid), 0);
	fd = xnu_open("/tmp/fork_cwd/here", O_RDONLY);
	EXPECT_TRUE(fd >= 0);
	xnu_close(fd);
	xnu_unlink("/tmp/fork_cwd/here");
	xnu_chdir("/");
	xnu_sigprocmask(SIG_SETMASK, &oset, NULL);
	xnu_sigaction(SIGUSR1, &old, NULL);
}

TEST(zone_counts_return_to_baseline_after_reap)
{
	struct counts base, during, after;
	int fd = xnu_open("/tmp/fork_z", O_RDWR | O_CREAT | O_TRUNC, 0644), pid;

	ASSERT_TRUE(fd >= 0);
	base = counts_now();
	pid = do_fork();
	if (pid == 0) {
		xnu_getpid();
		xnu_exit(0);
	}
	ASSERT_TRUE(pid > 0);
	during = counts_now();
	EXPECT_EQ(during.proc_task, base.proc_task + 1);
	EXPECT_EQ(during.threads, base.threads + 1);
	EXPECT_TRUE(during.fileproc > base.fileproc);	/* new fileprocs, shared fileglobs */
	EXPECT_EQ(during.maps, base.maps + 1);
	EXPECT_EQ(reap(pid), 0);
	after = counts_now();
	EXPECT_COUNTS_EQ(after, base);
	xnu_close(fd);
	xnu_unlink("/tmp/fork_z");
}

TEST(fork_fails_with_eagain_at_maxproc)
{
	struct proc_globals *g = &xs_machine()->m_proc;
	struct counts base = counts_now();
	uint32_t saved = g->maxproc;

	/* A non-root caller stops one short of maxproc. */
	g->maxproc = g->nprocs + 1;
	EXPECT_EQ(do_fork(), -1);
	EXPECT_EQ(xnu_errno, EAGAIN);
	g->maxproc = saved;
	EXPECT_COUNTS_EQ(counts_now(), base);
}

TEST(host_fork_failure_undoes_the_kernel_child)
{
	struct counts base = counts_now();
	uint64_t rv[2] = { 0, 0 };
	int pid, st;

	/* The kernel half alone, as the stub sees it before the host fork. */
	ASSERT_EQ(xnu_bsd_trap(2, NULL, 0, rv), 0);
	pid = (int)rv[0];
	EXPECT_TRUE(pid > 0);
	EXPECT_EQ(rv[1], 0);					/* the parent's x1 */
	ASSERT_TRUE(xs_proc_find(pid) != NULL);
	EXPECT_EQ(xs_proc_find(pid)->p_host_pid, 0);		/* no host child yet */
	EXPECT_EQ(xs_fork_host_abort(pid + 100000), ESRCH);
	EXPECT_EQ(xs_fork_host_abort(pid), 0);
	EXPECT_EQ(xs_fork_host_abort(pid), ESRCH);		/* once */
	EXPECT_TRUE(xs_proc_find(pid) == NULL);
	EXPECT_EQ(xnu_wait4(pid, &st, WNOHANG, NULL), -1);	/* no zombie either */
	EXPECT_EQ(xnu_errno, ECHILD);
	EXPECT_COUNTS_EQ(counts_now(), base);
}

TEST(host_half_rejects_what_is_not_an_unbound_child)
{
	uint64_t rv[2];

	EXPECT_EQ(xs_fork_host_child(-1, 1, 1, rv), ESRCH);
	EXPECT_EQ(xs_fork_host_child(xnu_getpid(), 1, 1, rv), ESRCH);	/* itself */
	EXPECT_EQ(xs_fork_host_child(1, 1, 1, rv), ESRCH);		/* launchd */
	EXPECT_TRUE(osl_current_thread() != NULL);		/* binding untouched */
	EXPECT_EQ(xnu_getpid(), xnusim_pid());
}
