/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_osl.c: the user-space platform layer on a bare machine (an arena with
 * no kernel booted in it): pages, robust locks and events across host
 * processes, fault-safe copies, pmap, termination status, arch names.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kmod-xnu-sim/include/xnusim/xnusim.h"
#include "kmod-xnu-sim/osl/user/osl_user.h"
#include "tests/harness.h"

/* These tests build bare machines themselves: no boot at load (xnusim.h). */
const int xnusim_no_autoboot = 1;

/* A fresh arena with nothing booted in it, so these tests need no other subsystem. */
static void bare_machine(void)
{
	osl_arena_detach();
	if (osl_arena_create(0x1234) != 0) {
		fprintf(stderr, "cannot create an arena\n");
		exit(2);
	}
	osl_fault_handler_install();
}

/* Run fn in a host child; return its wait status. */
static int in_child(void (*fn)(void *), void *arg)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	return status;
}

/*
 * in_child, with the child's stderr captured into buf (NUL-terminated): a
 * child that crashes on purpose must not print into the test's output.
 */
static int in_child_stderr(void (*fn)(void *), void *arg, char *buf, size_t size)
{
	int fds[2], status = 0;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	buf[0] = '\0';
	if (pipe(fds) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], 2);
		fn(arg);
		_exit(0);
	}
	close(fds[1]);
	while (len + 1 < size && (n = read(fds[0], buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	return status;
}

/* A child killed by a memory fault. */
static bool crashed_on_fault(int st)
{
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV;
}

/* An address range nobody maps: reserved, then released. */
static uint64_t free_va(size_t len)
{
	void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	munmap(p, len);
	return (uint64_t)(uintptr_t)p;
}

TEST(pages_zeroed_aligned_and_reused)
{
	bare_machine();
	char *p = osl_pages_alloc(2);

	ASSERT_TRUE(p != NULL);
	EXPECT_EQ((uintptr_t)p % OSL_PAGE_SIZE, 0);
	EXPECT_TRUE(osl_is_kernel_address((uintptr_t)p, 2 * OSL_PAGE_SIZE));
	EXPECT_EQ(p[0] | p[2 * OSL_PAGE_SIZE - 1], 0);
	memset(p, 0xa5, 2 * OSL_PAGE_SIZE);
	osl_pages_free(p, 2);
	char *q = osl_pages_alloc(2);
	EXPECT_EQ((uintptr_t)q, (uintptr_t)p);		/* freed pages come back first */
	EXPECT_EQ(q[0], 0);				/* and read as zero again */
	EXPECT_EQ(q[OSL_PAGE_SIZE + 17], 0);
	osl_pages_free(q, 2);
	EXPECT_TRUE(osl_pages_alloc(0) == NULL);
}

TEST(pages_exhaustion_returns_null_and_recovers)
{
	bare_machine();
	enum { CHUNK = 4096 };
	static void *chunks[OSL_ARENA_PAGES / CHUNK + 1];
	static void *singles[CHUNK];
	int nc = 0, ns = 0;

	EXPECT_TRUE(osl_pages_alloc(OSL_ARENA_PAGES) == NULL);	/* header pages are taken */
	EXPECT_TRUE(osl_pages_alloc(SIZE_MAX / 2) == NULL);
	while ((chunks[nc] = osl_pages_alloc(CHUNK)) != NULL)
		nc++;
	while (ns < CHUNK && (singles[ns] = osl_pages_alloc(1)) != NULL)
		ns++;
	EXPECT_TRUE(nc >= (int)(OSL_ARENA_PAGES / CHUNK) - 2);
	EXPECT_TRUE(ns < CHUNK);
	EXPECT_TRUE(osl_pages_alloc(1) == NULL);
	for (int i = 0; i < ns; i++)
		osl_pages_free(singles[i], 1);
	for (int i = 0; i < nc; i++)
		osl_pages_free(chunks[i], CHUNK);
	void *p = osl_pages_alloc(CHUNK * 4);
	EXPECT_TRUE(p != NULL);
	osl_pages_free(p, CHUNK * 4);
}

static void free_bogus(void *arg)
{
	osl_pages_free(arg, 1);
}

TEST(pages_free_of_foreign_memory_panics)
{
	bare_machine();
	static char not_arena[2 * 4096];
	int st = in_child(free_bogus, not_arena);

	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
}

static void hold_and_die(void *arg)
{
	osl_lock_lock(arg);
	_exit(0);	/* dies holding the lock */
}

TEST(robust_lock_taken_over_from_dead_holder)
{
	bare_machine();
	struct osl_lock *l = osl_pages_alloc(1);

	osl_lock_init(l);
	in_child(hold_and_die, l);
	EXPECT_EQ(osl_lock_lock(l), 1);		/* owner died: we are told */
	osl_lock_unlock(l);
	EXPECT_EQ(osl_lock_lock(l), 0);		/* and the lock is healthy again */
	osl_lock_unlock(l);
}

TEST(lock_try_sees_holder_in_other_process)
{
	bare_machine();
	struct osl_lock *l = osl_pages_alloc(1);
	int fds[2];
	char c;

	osl_lock_init(l);
	ASSERT_EQ(pipe(fds), 0);
	pid_t pid = fork();
	if (pid == 0) {
		osl_lock_lock(l);
		(void)write(fds[1], "x", 1);
		pause();
		_exit(0);
	}
	ASSERT_EQ(read(fds[0], &c, 1), 1);
	EXPECT_TRUE(!osl_lock_try(l));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	EXPECT_TRUE(osl_lock_try(l));		/* the dead holder's lock is ours */
	osl_lock_unlock(l);
	close(fds[0]);
	close(fds[1]);
}

static void signal_later(void *arg)
{
	usleep(50 * 1000);
	osl_event_signal(arg, true);
}

TEST(event_wakes_waiter_in_other_process)
{
	bare_machine();
	struct osl_event *ev = osl_pages_alloc(1);
	uint32_t seq = osl_event_arm(ev);
	uint64_t t0 = osl_absolute_time();
	pid_t pid = fork();

	if (pid == 0) {
		signal_later(ev);
		_exit(0);
	}
	EXPECT_EQ(osl_event_wait(ev, seq, t0 + 5000000000ull), OSL_WAIT_AWAKENED);
	uint64_t dt = osl_absolute_time() - t0;
	EXPECT_TRUE(dt >= 40000000ull && dt < 4000000000ull);
	EXPECT_EQ(ev->waiters, 0);
	waitpid(pid, NULL, 0);
}

TEST(event_times_out_and_never_loses_early_signal)
{
	bare_machine();
	struct osl_event *ev = osl_pages_alloc(1);
	uint32_t seq = osl_event_arm(ev);
	uint64_t t0 = osl_absolute_time();

	EXPECT_EQ(osl_event_wait(ev, seq, t0 + 30000000ull), OSL_WAIT_TIMED_OUT);
	EXPECT_TRUE(osl_absolute_time() - t0 >= 30000000ull);
	/* A past deadline times out at once. */
	EXPECT_EQ(osl_event_wait(ev, seq, 1), OSL_WAIT_TIMED_OUT);
	/* Signalled between arm and wait: returns at once, no deadline needed. */
	seq = osl_event_arm(ev);
	osl_event_signal(ev, false);
	EXPECT_EQ(osl_event_wait(ev, seq, 0), OSL_WAIT_AWAKENED);
}

TEST(copyin_copyout_good_ranges)
{
	bare_machine();
	char src[64], dst[64];

	for (int i = 0; i < 64; i++)
		src[i] = (char)i;
	memset(dst, 0, sizeof(dst));
	EXPECT_EQ(osl_copyin((uintptr_t)src + 3, dst, 61), 0);
	EXPECT_EQ(memcmp(dst, src + 3, 61), 0);
	memset(dst, 0, sizeof(dst));
	EXPECT_EQ(osl_copyout(src, (uintptr_t)dst + 1, 63), 0);
	EXPECT_EQ(memcmp(dst + 1, src, 63), 0);
	EXPECT_EQ(osl_copyin(0, dst, 0), 0);		/* zero length touches nothing */
}

TEST(copy_bad_user_ranges_fail_without_crashing)
{
	bare_machine();
	char buf[8192];
	char *two = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *kern = osl_pages_alloc(1);

	ASSERT_TRUE(two != MAP_FAILED && none != MAP_FAILED && ro != MAP_FAILED);
	munmap(two + 4096, 4096);			/* second page now unmapped */
	EXPECT_EQ(osl_copyin(0, buf, 8), -1);			/* NULL */
	EXPECT_EQ(osl_copyin(100, buf, 8), -1);			/* NULL page */
	EXPECT_EQ(osl_copyin(free_va(4096), buf, 8), -1);	/* unmapped */
	EXPECT_EQ(osl_copyin((uintptr_t)two + 4000, buf, 200), -1);	/* partly mapped */
	EXPECT_EQ(osl_copyin((uintptr_t)two + 4000, buf, 96), 0);	/* up to the edge: fine */
	EXPECT_EQ(osl_copyin((uintptr_t)none, buf, 1), -1);	/* PROT_NONE */
	EXPECT_EQ(osl_copyout(buf, (uintptr_t)ro, 1), -1);	/* read-only */
	EXPECT_EQ(osl_copyin((uintptr_t)ro, buf, 16), 0);	/* but readable */
	EXPECT_EQ(osl_copyin((uintptr_t)kern, buf, 8), -1);	/* the arena */
	EXPECT_EQ(osl_copyout(buf, (uintptr_t)kern - 4, 8), -1);	/* straddles it */
	EXPECT_EQ(osl_copyin(UINT64_MAX - 10, buf, 100), -1);	/* wraps */
	EXPECT_EQ(osl_copyin((uintptr_t)buf, buf, SIZE_MAX), -1);	/* huge */
	EXPECT_EQ(osl_copyin(0x0000800000000000ull, buf, 8), -1);	/* kernel half */
	/* Still fine afterwards: the recovery point was cleared. */
	EXPECT_EQ(osl_copyin((uintptr_t)two, buf, 16), 0);
	munmap(two, 4096);
	munmap(none, 4096);
	munmap(ro, 4096);
	osl_pages_free(kern, 1);
}

TEST(copyinstr_lengths_and_faults)
{
	bare_machine();
	char out[32];
	size_t done = 99;
	char *page = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(page != MAP_FAILED);
	EXPECT_EQ(osl_copyinstr((uintptr_t)"hello", out, sizeof(out), &done), 0);
	EXPECT_STREQ(out, "hello");
	EXPECT_EQ(done, 6);
	EXPECT_EQ(osl_copyinstr((uintptr_t)"hello", out, 6, &done), 0);	/* exact fit */
	EXPECT_EQ(osl_copyinstr((uintptr_t)"hello", out, 5, &done), -2);	/* ENAMETOOLONG */
	EXPECT_EQ(done, 5);
	EXPECT_EQ(osl_copyinstr((uintptr_t)"x", out, 0, &done), -2);
	EXPECT_EQ(osl_copyinstr(0, out, sizeof(out), &done), -1);
	EXPECT_EQ(done, 0);
	/* A string running off the end of its mapping faults... */
	munmap(page + 4096, 4096);
	memset(page + 4096 - 4, 'a', 4);
	EXPECT_EQ(osl_copyinstr((uintptr_t)page + 4096 - 4, out, sizeof(out), &done), -1);
	/* ...but a terminated one right at the end is fine even with a big maxlen. */
	page[4095] = '\0';
	EXPECT_EQ(osl_copyinstr((uintptr_t)page + 4096 - 4, out, sizeof(out), &done), 0);
	EXPECT_EQ(done, 4);
	munmap(page, 4096);
}

/* A NULL-page address the compiler cannot see through. */
static volatile uintptr_t null_page_addr = 8;

static void deref_null(void *arg)
{
	*(volatile int *)null_page_addr = 1;
}

/*
 * A fault outside a copy goes to the handler installed before ours: the
 * default action, or in a SANITIZE=1 build ASan's, which reports the fault
 * (captured here, not printed) and exits non-zero.
 */
TEST(real_faults_still_crash)
{
	char report[8192];

	bare_machine();
	int st = in_child_stderr(deref_null, NULL, report, sizeof(report));

#ifdef __SANITIZE_ADDRESS__
	EXPECT_TRUE(strstr(report, "AddressSanitizer: SEGV on unknown address 0x000000000008"));
	EXPECT_TRUE(WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) != 0));
#else
	EXPECT_TRUE(crashed_on_fault(st));
	EXPECT_STREQ(report, "");
#endif
}

/* The child expects its fault: default action, not the inherited handlers. */
static void write_to(void *arg)
{
	signal(SIGSEGV, SIG_DFL);
	signal(SIGBUS, SIG_DFL);
	*(volatile char *)arg = 1;
}

TEST(pmap_enter_protect_remove)
{
	bare_machine();
	uint64_t va = free_va(4 * 4096);
	volatile char *p = (volatile char *)(uintptr_t)va;

	ASSERT_EQ(osl_pmap_enter_anon(va, 2 * 4096, 1 | 2), 0);
	EXPECT_EQ(p[0], 0);
	p[4097] = 7;
	EXPECT_EQ(p[4097], 7);
	EXPECT_EQ(osl_pmap_enter_anon(va, 4096, 3), -1);		/* taken */
	EXPECT_EQ(osl_pmap_enter_anon(va + 1, 4096, 3), -1);		/* misaligned */
	EXPECT_EQ(osl_pmap_enter_anon(va, 0, 3), -1);
	ASSERT_EQ(osl_pmap_protect(va, 2 * 4096, 1), 0);		/* read-only */
	int st = in_child(write_to, (void *)(uintptr_t)(va + 4096));
	EXPECT_TRUE(crashed_on_fault(st));
	EXPECT_EQ(p[4097], 7);
	EXPECT_EQ(osl_pmap_remove(va, 2 * 4096), 0);
	EXPECT_EQ(osl_copyin(va, (void *)&st, 1), -1);		/* gone */
	EXPECT_EQ(osl_pmap_enter_anon(osl_attach.oa_hdr->ah_addr, 4096, 3), -1);	/* arena */
}

TEST(pmap_enter_kernel_shares_arena_pages)
{
	bare_machine();
	uint64_t va = free_va(2 * 4096);
	char *k = osl_pages_alloc(2);
	volatile char *u = (volatile char *)(uintptr_t)va;

	ASSERT_EQ(osl_pmap_enter_kernel(va, 2 * 4096, 3, k), 0);
	u[5000] = 42;
	EXPECT_EQ(k[5000], 42);			/* same pages */
	k[10] = 9;
	EXPECT_EQ(u[10], 9);
	EXPECT_EQ(osl_pmap_enter_kernel(free_va(4096), 4096, 3, k + 1), -1);	/* unaligned */
	static char lib_page[8192] __attribute__((aligned(4096)));
	EXPECT_EQ(osl_pmap_enter_kernel(free_va(4096), 4096, 3, lib_page), -1);	/* not arena */
	EXPECT_EQ(osl_pmap_remove(va, 2 * 4096), 0);
	osl_pages_free(k, 2);
}

static void terminate_with(void *arg)
{
	osl_process_terminate((int)(intptr_t)arg);
}

TEST(terminate_translates_darwin_status)
{
	int st;

	st = in_child(terminate_with, (void *)(intptr_t)(3 << 8));	/* exit(3) */
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 3);
	st = in_child(terminate_with, (void *)(intptr_t)12);		/* Darwin SIGSYS */
	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
	st = in_child(terminate_with, (void *)(intptr_t)(10 | 0x80));	/* SIGBUS, core */
	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS);
	st = in_child(terminate_with, (void *)(intptr_t)30);		/* SIGUSR1 */
	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1);
	st = in_child(terminate_with, (void *)(intptr_t)7);		/* SIGEMT: no host twin */
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 128 + 7);
	EXPECT_EQ(osl_signal_to_host(20), SIGCHLD);
	EXPECT_EQ(osl_signal_to_host(17), SIGSTOP);
	EXPECT_EQ(osl_signal_to_host(0), 0);
	EXPECT_EQ(osl_signal_to_host(32), 0);
}

static void *other_thread(void *arg)
{
	*(int *)arg = osl_current_thread() == NULL && osl_host_tid() != osl_host_pid();
	return NULL;
}

TEST(time_ids_and_thread_binding)
{
	uint64_t a = osl_absolute_time(), b = osl_absolute_time();
	struct thread *fake = (struct thread *)(uintptr_t)0x1000;
	pthread_t t;
	int ok = 0;

	EXPECT_TRUE(b >= a && a > 0);
	EXPECT_TRUE(osl_continuous_time() >= a);
	EXPECT_EQ(osl_host_pid(), getpid());
	EXPECT_EQ(osl_host_tid(), getpid());		/* the main thread */
	bare_machine();
	osl_set_current_thread(fake);
	EXPECT_TRUE(osl_current_thread() == fake);
	pthread_create(&t, NULL, other_thread, &ok);	/* bindings are per thread */
	pthread_join(t, NULL);
	EXPECT_TRUE(ok);
	bare_machine();					/* a new machine forgets them */
	EXPECT_TRUE(osl_current_thread() == NULL);
	if (fork() == 0)				/* a host fork refreshes the ids */
		_exit(osl_host_pid() == getpid() && osl_host_tid() == getpid() ? 0 : 1);
	int st;
	wait(&st);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

TEST(arch_names)
{
	EXPECT_EQ(xnusim_arch_parse("arm64"), XNUSIM_ARCH_ARM64);
	EXPECT_EQ(xnusim_arch_parse("x86_64"), XNUSIM_ARCH_X86_64);
	EXPECT_EQ(xnusim_arch_parse("ppc"), -1);
	EXPECT_EQ(xnusim_arch_parse(NULL), -1);
	EXPECT_STREQ(xnusim_arch_name(XNUSIM_ARCH_X86_64), "x86_64");
	EXPECT_STREQ(xnusim_arch_name(7), "unknown");
	EXPECT_EQ(xnusim_boot(0), -EINVAL);
	EXPECT_EQ(xnusim_boot(3), -EINVAL);
}
