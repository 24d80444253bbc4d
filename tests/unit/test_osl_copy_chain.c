/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_osl_copy_chain: copyin/copyout fault recovery when another SIGSEGV
 * handler was installed after the platform's and chains to it without
 * SA_NODEFER, as libFuzzer does.  The chained handler runs with SIGSEGV
 * blocked; the platform's handler leaves it by siglongjmp, so it must
 * unblock the signal itself or the second bad pointer kills the process
 * (found by tests/fuzz/fuzz_trap; seed tests/fuzz/seeds/fuzz_trap/two_bad_paths).
 * Each fault is exercised through the trap path: open(2) and fstat64(2).
 */
#include <signal.h>
#include <string.h>

#include "kmod-xnu-sim/include/xnusim/libsyscall.h"
#include "tests/harness.h"

#include "darwin/errno.h"
#include "darwin/fcntl.h"

/* Below mmap_min_addr (64 KiB) and above the NULL page the kernel rejects. */
#define NEVER_MAPPED 0xc000ul

static struct sigaction upstream;

static void chaining_handler(int sig, siginfo_t *si, void *uc)
{
	upstream.sa_sigaction(sig, si, uc);
}

static int segv_blocked(void)
{
	sigset_t cur;

	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, SIGSEGV);
}

TEST(copy_faults_recover_under_a_chaining_handler)
{
	struct sigaction sa, saved;

	ASSERT_EQ(sigaction(SIGSEGV, NULL, &upstream), 0);
	ASSERT_TRUE(upstream.sa_flags & SA_SIGINFO);	/* the platform's handler */
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = chaining_handler;
	sa.sa_flags = SA_SIGINFO;			/* no SA_NODEFER */
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(sigaction(SIGSEGV, &sa, &saved), 0);

	for (int i = 0; i < 3; i++) {			/* copyinstr faults */
		EXPECT_EQ(xnu_open((const char *)NEVER_MAPPED, O_RDONLY), -1);
		EXPECT_EQ(xnu_errno, EFAULT);
		EXPECT_EQ(segv_blocked(), 0);
	}
	for (int i = 0; i < 2; i++) {			/* copyout faults */
		EXPECT_EQ(xnu_fstat64(1, (struct xnu_stat64 *)NEVER_MAPPED), -1);
		EXPECT_EQ(xnu_errno, EFAULT);
	}
	EXPECT_EQ(xnu_getpid() > 0, 1);			/* still alive and attached */
	sigaction(SIGSEGV, &saved, NULL);
}

TEST(copy_faults_leave_the_mask_alone_without_a_chain)
{
	EXPECT_EQ(xnu_open((const char *)NEVER_MAPPED, O_RDONLY), -1);
	EXPECT_EQ(xnu_errno, EFAULT);
	EXPECT_EQ(xnu_open((const char *)NEVER_MAPPED, O_RDONLY), -1);
	EXPECT_EQ(xnu_errno, EFAULT);
	EXPECT_EQ(segv_blocked(), 0);
}
