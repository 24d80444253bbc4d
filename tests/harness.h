/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * harness.h: a small test harness (after uftrace's TEST_EQ).  A test file
 * defines cases with TEST(name); tests/harness.c runs them in order, prints
 * "name: OK" or "name: NG" per case and "N passed, N failed" last.  Run one
 * case with `binary name`.  A check prints both expressions and both values.
 */
#ifndef XS_TESTS_HARNESS_H
#define XS_TESTS_HARNESS_H

#include <inttypes.h>
#include <stdio.h>

typedef void (*th_fn)(void);
void th_register(const char *name, th_fn fn);
void th_fail(const char *file, int line, const char *what);
extern int th_failed_now;

#define TEST(name)                                                              \
	static void test_##name(void);                                          \
	__attribute__((constructor)) static void th_reg_##name(void)           \
	{ th_register(#name, test_##name); }                                    \
	static void test_##name(void)

#define TH_CHECK_(cond, fmt, ...)                                               \
	({ int th_ok_ = !!(cond);                                               \
	   if (!th_ok_) {                                                       \
		char th_buf_[512];                                              \
		snprintf(th_buf_, sizeof(th_buf_), fmt, __VA_ARGS__);           \
		th_fail(__FILE__, __LINE__, th_buf_);                           \
	   }                                                                    \
	   th_ok_; })

#define EXPECT_EQ(a, b)                                                         \
	({ long long th_a_ = (long long)(a), th_b_ = (long long)(b);            \
	   TH_CHECK_(th_a_ == th_b_, "%s == %s: %lld (0x%llx) != %lld (0x%llx)", \
		     #a, #b, th_a_, th_a_, th_b_, th_b_); })
#define EXPECT_NE(a, b)                                                         \
	({ long long th_a_ = (long long)(a), th_b_ = (long long)(b);            \
	   TH_CHECK_(th_a_ != th_b_, "%s != %s: both %lld", #a, #b, th_a_); })
#define EXPECT_TRUE(c) TH_CHECK_((c), "%s is false", #c)
#define EXPECT_STREQ(a, b)                                                      \
	({ const char *th_a_ = (a), *th_b_ = (b);                               \
	   TH_CHECK_(th_a_ && th_b_ && strcmp(th_a_, th_b_) == 0,               \
		     "%s == %s: \"%s\" != \"%s\"", #a, #b,                      \
		     th_a_ ? th_a_ : "(null)", th_b_ ? th_b_ : "(null)"); })
/* ASSERT_*: stop the case on failure. */
#define ASSERT_EQ(a, b) do { if (!EXPECT_EQ(a, b)) return; } while (0)
#define ASSERT_NE(a, b) do { if (!EXPECT_NE(a, b)) return; } while (0)
#define ASSERT_TRUE(c)  do { if (!EXPECT_TRUE(c)) return; } while (0)

#endif /* XS_TESTS_HARNESS_H */
