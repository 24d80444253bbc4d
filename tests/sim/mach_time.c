/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mach_time.c: mach_timebase_info_trap (-89), mach_wait_until_trap (-90)
 * and mach_absolute_time (arm64 -3 fast path) agree on one unit per
 * architecture: 24 MHz ticks (125/3) on arm64, nanoseconds on x86_64.
 */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/harness.h"
#include "xnusim/libsyscall.h"
#include "xnusim/xnusim.h"
#include "darwin/kern_return.h"

/* The kernel's own clock (osfmk/kern/clock.h), exported by libxnusim.so. */
extern uint64_t xs_mach_absolute_time(void);

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t ns_to_abs(uint64_t ns, const struct xnu_timebase_info *tb)
{
	return ns * tb->denom / tb->numer;
}

TEST(arm64_timebase_is_apple_silicon_24mhz)
{
	struct xnu_timebase_info tb = { 0, 0 };

	ASSERT_EQ(xnusim_arch(), XNUSIM_ARCH_ARM64);
	EXPECT_EQ(xnu_mach_timebase_info(&tb), KERN_SUCCESS);
	EXPECT_EQ(tb.numer, 125);
	EXPECT_EQ(tb.denom, 3);
	/* XNU ignores the copyout's result. */
	EXPECT_EQ(xnu_mach_timebase_info((struct xnu_timebase_info *)8), KERN_SUCCESS);
}

TEST(kernel_absolute_time_ticks_at_the_timebase_rate)
{
	struct xnu_timebase_info tb;
	uint64_t a0, a1, t0, t1, ns;

	ASSERT_EQ(xnu_mach_timebase_info(&tb), KERN_SUCCESS);
	t0 = now_ns();
	a0 = xs_mach_absolute_time();
	usleep(20000);
	a1 = xs_mach_absolute_time();
	t1 = now_ns();
	ns = (a1 - a0) * tb.numer / tb.denom;
	EXPECT_TRUE(ns >= 19000000ull);
	EXPECT_TRUE(ns <= t1 - t0 + 1000000ull);
}

TEST(fast_path_absolute_time_uses_the_timebase_unit)
{
	uint64_t k0 = xs_mach_absolute_time(), u = xnu_mach_absolute_time();
	uint64_t k1 = xs_mach_absolute_time();

	/* The -3 trap reads the same clock as the kernel, in the same unit. */
	EXPECT_TRUE(u >= k0);
	EXPECT_TRUE(u <= k1);
}

TEST(wait_until_sleeps_at_least_until_the_deadline)
{
	struct xnu_timebase_info tb;
	uint64_t t0, deadline;

	ASSERT_EQ(xnu_mach_timebase_info(&tb), KERN_SUCCESS);
	t0 = now_ns();
	deadline = xs_mach_absolute_time() + ns_to_abs(40000000ull, &tb);
	EXPECT_EQ(xnu_mach_wait_until(deadline), KERN_SUCCESS);
	EXPECT_TRUE(now_ns() - t0 >= 39000000ull);
	EXPECT_TRUE(xs_mach_absolute_time() >= deadline);
	EXPECT_TRUE(now_ns() - t0 < 2000000000ull);
}

TEST(wait_until_a_past_deadline_returns_at_once)
{
	uint64_t t0 = now_ns();

	EXPECT_EQ(xnu_mach_wait_until(0), KERN_SUCCESS);
	EXPECT_EQ(xnu_mach_wait_until(xs_mach_absolute_time() - 1), KERN_SUCCESS);
	EXPECT_TRUE(now_ns() - t0 < 100000000ull);
}

/* Last: re-boots this process onto an x86_64 machine. */
TEST(x86_64_timebase_is_nanoseconds)
{
	struct xnu_timebase_info tb = { 0, 0 };
	uint64_t t0, a0;

	ASSERT_TRUE(xnusim_boot(XNUSIM_ARCH_X86_64) > 0);
	EXPECT_EQ(xnu_mach_timebase_info(&tb), KERN_SUCCESS);
	EXPECT_EQ(tb.numer, 1);
	EXPECT_EQ(tb.denom, 1);
	a0 = xnu_mach_absolute_time();
	EXPECT_TRUE(a0 >= xs_mach_absolute_time() - 1000000ull);
	t0 = now_ns();
	EXPECT_EQ(xnu_mach_wait_until(xs_mach_absolute_time() + 20000000ull), KERN_SUCCESS);
	EXPECT_TRUE(now_ns() - t0 >= 19000000ull);
}
