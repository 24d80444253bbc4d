/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * abi_arm64: the arm64 trap ABI, rule by rule (dispatch.md section 1):
 * the sign of x16's low 32 bits, 16-bit BSD numbers, the indirect call,
 * nosys for out-of-range numbers, the -3/-4 fast paths, the platform call,
 * the carry-flag error ABI and the return-type table, and Mach traps that
 * answer in x0 without touching the carry.
 */
#include "tests/sim/abi_common.h"

#define CF PSR64_CF

static void trap(struct arm_saved_state64 *s)
{
	xnu_trap_arm64(s);
}

static void setup(void)
{
	if (ensure_arch(XNUSIM_ARCH_ARM64) != 0)
		th_fail(__FILE__, __LINE__, "cannot boot an arm64 machine");
	sigsys_block();
	sigsys_take();
}

TEST(int_result_sign_extends_and_clears_carry)
{
	struct arm_saved_state64 s = { 0 };

	setup();
	fake_install(0, _SYSCALL_RET_INT_T);
	fk.rv0 = -5;
	fk.rv1 = -7;
	s.x[16] = FAKE_SLOT;
	s.cpsr = CF;			/* the carry is cleared before the call */
	trap(&s);
	fake_remove();
	EXPECT_EQ(fk.calls, 1);
	EXPECT_EQ(s.x[0], (uint64_t)-5);
	EXPECT_EQ(s.x[1], (uint64_t)-7);
	EXPECT_EQ(s.cpsr & CF, 0);
}

TEST(uint_result_zero_extends)
{
	struct arm_saved_state64 s = { 0 };

	setup();
	fake_install(0, _SYSCALL_RET_UINT_T);
	fk.rv0 = -5;
	fk.rv1 = -1;
	s.x[16] = FAKE_SLOT;
	trap(&s);
	fake_remove();
	EXPECT_EQ(s.x[0], 0xfffffffbull);
	EXPECT_EQ(s.x[1], 0xffffffffull);
}

TEST(off_t_result_spans_both_rval_halves)
{
	static const int types[] = { _SYSCALL_RET_OFF_T, _SYSCALL_RET_ADDR_T, _SYSCALL_RET_SIZE_T,
				     _SYSCALL_RET_SSIZE_T, _SYSCALL_RET_UINT64_T };

	setup();
	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct arm_saved_state64 s = { 0 };

		fake_install(0, types[i]);
		fk.use64 = 1;
		fk.rv64 = 0x123456789abcdef0ull;
		s.x[16] = FAKE_SLOT;
		s.x[1] = 0x5555;
		trap(&s);
		fake_remove();
		EXPECT_EQ(s.x[0], 0x123456789abcdef0ull);
		EXPECT_EQ(s.x[1], 0);
	}
}

TEST(none_result_leaves_registers)
{
	struct arm_saved_state64 s = { 0 };

	setup();
	fake_install(0, _SYSCALL_RET_NONE);
	fk.rv0 = 42;
	s.x[16] = FAKE_SLOT;
	s.x[0] = 0xdead;
	s.x[1] = 0xbeef;
	trap(&s);
	fake_remove();
	EXPECT_EQ(s.x[0], 0xdead);
	EXPECT_EQ(s.x[1], 0xbeef);
}

TEST(error_sets_carry_x0_errno_x1_zero)
{
	struct arm_saved_state64 s = { 0 };

	setup();
	fake_install(0, _SYSCALL_RET_INT_T);
	fk.error = EBADF;
	fk.rv1 = 77;
	s.x[16] = FAKE_SLOT;
	s.x[1] = 0x1234;
	trap(&s);
	fake_remove();
	EXPECT_EQ(s.x[0], EBADF);
	EXPECT_EQ(s.x[1], 0);
	EXPECT_EQ(s.cpsr & CF, CF);
}

TEST(erestart_backs_pc_over_svc_and_stub_retries)
{
	struct arm_saved_state64 s = { 0 };
	uint64_t rv[2];

	setup();
	fake_install(0, _SYSCALL_RET_INT_T);
	fk.error = ERESTART;
	s.x[16] = FAKE_SLOT;
	s.x[0] = 11;
	s.pc = 0x4000;
	trap(&s);
	EXPECT_EQ(s.pc, 0x4000 - 4);
	EXPECT_EQ(s.x[0], 11);		/* untouched: the svc runs again */
	EXPECT_EQ(s.cpsr & CF, 0);
	/* the libsyscall stub re-executes the svc until the call completes */
	fk.calls = 0;
	fk.error = 0;
	fk.error_once = ERESTART;
	fk.rv0 = 3;
	EXPECT_EQ(xnu_bsd_trap(FAKE_SLOT, NULL, 0, rv), 0);
	EXPECT_EQ(fk.calls, 2);
	EXPECT_EQ(rv[0], 3);
	fake_remove();
}

TEST(ejustreturn_touches_nothing)
{
	struct arm_saved_state64 s = { 0 };

	setup();
	fake_install(0, _SYSCALL_RET_INT_T);
	fk.error = EJUSTRETURN;
	fk.rv0 = 9;
	s.x[16] = FAKE_SLOT;
	s.x[0] = 0xaaaa;
	s.x[1] = 0xbbbb;
	s.pc = 0x4000;
	trap(&s);
	fake_remove();
	EXPECT_EQ(s.x[0], 0xaaaa);
	EXPECT_EQ(s.x[1], 0xbbbb);
	EXPECT_EQ(s.pc, 0x4000);
}

TEST(x16_sign_test_uses_low_32_bits_only)
{
	struct arm_saved_state64 s = { 0 };

	setup();
	fake_install(0, _SYSCALL_RET_INT_T);
	fk.rv0 = 1234;
	s.x[16] = 0xffffffff00000000ull | FAKE_SLOT;	/* garbage above bit 31 */
	trap(&s);
	EXPECT_EQ(fk.calls, 1);
	EXPECT_EQ(s.x[0], 1234);
	fake_remove();

	/* low 32 bits negative: a Mach trap, whatever the high half says */
	fake_trap_install(0, fake_trap);
	fk.kr = KERN_INVALID_NAME;
	memset(&s, 0, sizeof(s));
	s.x[16] = 0x00000001ffffffffull & ~0ull;	/* low 32 = -1 */
	trap(&s);
	EXPECT_EQ(fk.calls, 1);
	EXPECT_EQ(s.x[0], KERN_INVALID_NAME);
	fake_trap_remove();
}

TEST(bsd_number_is_truncated_to_16_bits)
{
	struct arm_saved_state64 s = { 0 };

	setup();
	fake_install(0, _SYSCALL_RET_INT_T);
	fk.rv0 = 5;
	s.x[16] = 0x70000 | FAKE_SLOT;	/* positive, > 65535: only 16 bits count */
	trap(&s);
	fake_remove();
	EXPECT_EQ(fk.calls, 1);
	EXPECT_EQ(s.x[0], 5);
}

TEST(out_of_range_number_is_nosys_with_sigsys)
{
	struct arm_saved_state64 s = { 0 };

	setup();
	s.x[16] = 600;			/* >= 558: sysent[63] */
	trap(&s);
	EXPECT_EQ(s.x[0], ENOSYS);
	EXPECT_EQ(s.cpsr & CF, CF);
	EXPECT_TRUE(sigsys_take());
	memset(&s, 0, sizeof(s));
	s.x[16] = 0xffff;		/* 65535 */
	trap(&s);
	EXPECT_EQ(s.x[0], ENOSYS);
	EXPECT_TRUE(sigsys_take());
}

TEST(indirect_syscall_takes_number_from_x0_and_args_from_x1)
{
	struct arm_saved_state64 s = { 0 };

	setup();
	fake_install(3, _SYSCALL_RET_INT_T);
	fk.rv0 = 8;
	s.x[16] = 0;
	s.x[0] = 0x30000 | FAKE_SLOT;	/* (uint16_t)x0 */
	s.x[1] = 101;
	s.x[2] = 102;
	s.x[3] = 103;
	trap(&s);
	fake_remove();
	EXPECT_EQ(fk.calls, 1);
	EXPECT_EQ(fk.args[0], 101);
	EXPECT_EQ(fk.args[1], 102);
	EXPECT_EQ(fk.args[2], 103);
	EXPECT_EQ(s.x[0], 8);
	/* and through the stub */
	fake_install(2, _SYSCALL_RET_INT_T);
	fk.rv0 = 4;
	EXPECT_EQ(xnu_syscall(FAKE_SLOT, 7L, 9L), 4);
	EXPECT_EQ(fk.args[0], 7);
	EXPECT_EQ(fk.args[1], 9);
	fake_remove();
}

TEST(eight_args_come_from_x0_to_x7_and_more_is_nosys)
{
	struct arm_saved_state64 s = { 0 };

	setup();
	fake_install(8, _SYSCALL_RET_INT_T);
	s.x[16] = FAKE_SLOT;
	for (int i = 0; i < 8; i++)
		s.x[i] = 1000 + i;
	trap(&s);
	for (int i = 0; i < 8; i++)
		EXPECT_EQ(fk.args[i], 1000 + i);
	fake_remove();

	fake_install(9, _SYSCALL_RET_INT_T);	/* more than uu_arg holds */
	memset(&s, 0, sizeof(s));
	s.x[16] = FAKE_SLOT;
	trap(&s);
	fake_remove();
	EXPECT_EQ(fk.calls, 0);
	EXPECT_EQ(s.x[0], ENOSYS);
	EXPECT_TRUE(sigsys_take());
}

TEST(fast_traps_minus3_minus4_read_the_clock)
{
	struct arm_saved_state64 s = { 0 };
	uint64_t t0, t1, t2;

	setup();
	t0 = xnu_mach_absolute_time();
	s.x[16] = (uint64_t)-3;
	s.cpsr = CF;
	trap(&s);
	t1 = s.x[0];
	t2 = xnu_mach_absolute_time();
	EXPECT_TRUE(t0 <= t1 && t1 <= t2);
	EXPECT_EQ(s.cpsr & CF, CF);
	memset(&s, 0, sizeof(s));
	s.x[16] = (uint64_t)-4;
	trap(&s);
	EXPECT_NE(s.x[0], 0);
	EXPECT_TRUE(xnu_mach_continuous_time() >= s.x[0]);
	EXPECT_EQ(sigsys_take(), 0);
}

TEST(platform_syscall_sets_and_gets_cthread_self)
{
	struct arm_saved_state64 s = { 0 };

	setup();
	s.x[16] = PLATFORM_SYSCALL_TRAP_NO;
	s.x[3] = 2;
	s.x[0] = 0x7f00123400ull;
	trap(&s);
	memset(&s, 0, sizeof(s));
	s.x[16] = 0xffffffff80000000ull;	/* high bits do not matter */
	s.x[3] = 3;
	trap(&s);
	EXPECT_EQ(s.x[0], 0x7f00123400ull);
	/* unknown selectors (0, 1: removed cache flushes) do nothing at all */
	memset(&s, 0, sizeof(s));
	s.x[16] = PLATFORM_SYSCALL_TRAP_NO;
	s.x[3] = 0;
	s.x[0] = 0x55;
	s.cpsr = CF;
	trap(&s);
	EXPECT_EQ(s.x[0], 0x55);
	EXPECT_EQ(s.cpsr & CF, CF);
	EXPECT_EQ(sigsys_take(), 0);
}

TEST(mach_trap_result_in_x0_carry_untouched)
{
	struct arm_saved_state64 s = { 0 };

	setup();
	fake_trap_install(8, fake_trap);
	fk.kr = KERN_INVALID_ARGUMENT;
	s.x[16] = (uint64_t)-FAKE_TRAP;
	for (int i = 0; i < 8; i++)
		s.x[i] = 200 + i;
	s.x[8] = 999;			/* never an argument */
	s.cpsr = CF;			/* set before: stays set */
	trap(&s);
	EXPECT_EQ(fk.calls, 1);
	for (int i = 0; i < 8; i++)
		EXPECT_EQ(fk.args[i], 200 + i);
	EXPECT_EQ(fk.args[8], 0);
	EXPECT_EQ(s.x[0], KERN_INVALID_ARGUMENT);
	EXPECT_EQ(s.cpsr & CF, CF);
	/* and clear stays clear, with a negative kern_return_t sign-extended */
	memset(&s, 0, sizeof(s));
	fk.kr = -301;			/* MIG_BAD_ARGUMENTS-style value */
	s.x[16] = (uint64_t)-FAKE_TRAP;
	trap(&s);
	EXPECT_EQ(s.x[0], (uint64_t)-301);
	EXPECT_EQ(s.cpsr & CF, 0);
	fake_trap_remove();
}

TEST(unmodeled_mach_trap_is_kern_not_supported)
{
	setup();
	fake_trap_install(0, NULL);	/* valid slot, no function */
	EXPECT_EQ(xnu_mach_trap(-FAKE_TRAP, NULL, 0), KERN_NOT_SUPPORTED);
	fake_trap_remove();
	EXPECT_EQ(sigsys_take(), 0);
}

TEST(invalid_mach_trap_raises_sigsys_and_leaves_x0)
{
	static const int64_t numbers[] = { -1, -2, -17, -127, -128, -5000 };

	setup();
	for (unsigned i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		struct arm_saved_state64 s = { 0 };

		s.x[16] = (uint64_t)numbers[i];
		s.x[0] = 0x1111;
		trap(&s);
		EXPECT_EQ(s.x[0], 0x1111);
		EXPECT_EQ(s.cpsr & CF, 0);
		EXPECT_TRUE(sigsys_take());
	}
}

TEST(real_calls_return_types)
{
	uint64_t rv[2];

	setup();
	EXPECT_EQ(xnu_bsd_trap(20, NULL, 0, rv), 0);		/* getpid: INT */
	EXPECT_EQ(rv[0], (uint64_t)xnusim_pid());
	EXPECT_EQ(xnu_getpid(), xnusim_pid());
	EXPECT_EQ(xnu_bsd_trap(372, NULL, 0, rv), 0);		/* thread_selfid: UINT64 */
	EXPECT_EQ(rv[0], xs_current_thread()->thread_id);
	EXPECT_EQ(rv[1], 0);
	EXPECT_EQ(xnu_thread_selfid(), xs_current_thread()->thread_id);
}

TEST(counters_split_bsd_and_mach)
{
	struct thread *th;
	uint32_t u, m;

	setup();
	th = xs_current_thread();
	u = th->syscalls_unix;
	m = th->syscalls_mach;
	xnu_getpid();
	xnu_mach_absolute_time();	/* -3: no count, no table */
	xnu_mach_trap(-2, NULL, 0);	/* invalid, still counted */
	sigsys_take();
	EXPECT_EQ(th->syscalls_unix, u + 1);
	EXPECT_EQ(th->syscalls_mach, m + 1);
}

static void child_nosys(void)
{
	struct arm_saved_state64 s = { 0 };

	s.x[16] = 63;		/* nosys, SIGSYS not blocked: fatal */
	trap(&s);
	_exit(0);
}

TEST(unblocked_sigsys_kills_the_process)
{
	int status = run_in_child(XNUSIM_ARCH_ARM64, child_nosys);

	EXPECT_EQ(host_termsig(status), HOST_SIGSYS);
}
