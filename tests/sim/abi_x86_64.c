/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * abi_x86_64: the x86_64 trap ABI (dispatch.md section 2): rax = class << 24
 * | number routed by class (Mach, Unix, machine-dependent, diagnostics; the
 * rest raise EXC_SYSCALL), arguments in rdi, rsi, rdx, r10, r8, r9 then the
 * user stack, RFLAGS.CF and rax = errno on error, rax/rdx by return type on
 * success, rip - 2 on ERESTART, Mach results in rax with CF untouched.
 */
#include "tests/sim/abi_common.h"

#define CF EFL_CF
#define UNIX(n) SYSCALL_CONSTRUCT(SYSCALL_CLASS_UNIX, (n))
#define MACH(n) SYSCALL_CONSTRUCT(SYSCALL_CLASS_MACH, (n))
#define MDEP(n) SYSCALL_CONSTRUCT(SYSCALL_CLASS_MDEP, (n))
#define DIAG(n) SYSCALL_CONSTRUCT(SYSCALL_CLASS_DIAG, (n))

static void trap(struct x86_saved_state64 *s)
{
	xnu_trap_x86_64(s);
}

static void setup(void)
{
	if (ensure_arch(XNUSIM_ARCH_X86_64) != 0)
		th_fail(__FILE__, __LINE__, "cannot boot an x86_64 machine");
	sigsys_block();
	sigsys_take();
}

TEST(machine_is_x86_64)
{
	setup();
	EXPECT_EQ(xnusim_arch(), XNUSIM_ARCH_X86_64);
}

TEST(int_result_in_rax_rdx_and_cf_cleared)
{
	struct x86_saved_state64 s = { 0 };

	setup();
	fake_install(0, _SYSCALL_RET_INT_T);
	fk.rv0 = -5;
	fk.rv1 = 1;
	s.rax = UNIX(FAKE_SLOT);
	s.rflags = 0x202 | CF;
	trap(&s);
	fake_remove();
	EXPECT_EQ(s.rax, (uint64_t)-5);
	EXPECT_EQ(s.rdx, 1);
	EXPECT_EQ(s.rflags & CF, 0);
	EXPECT_EQ(s.rflags & 0x202, 0x202);
}

TEST(uint_and_64bit_results)
{
	struct x86_saved_state64 s = { 0 };

	setup();
	fake_install(0, _SYSCALL_RET_UINT_T);
	fk.rv0 = -1;
	s.rax = UNIX(FAKE_SLOT);
	trap(&s);
	fake_remove();
	EXPECT_EQ(s.rax, 0xffffffffull);

	fake_install(0, _SYSCALL_RET_OFF_T);
	fk.use64 = 1;
	fk.rv64 = 0xfedcba9876543210ull;
	memset(&s, 0, sizeof(s));
	s.rax = UNIX(FAKE_SLOT);
	s.rdx = 0x77;
	trap(&s);
	fake_remove();
	EXPECT_EQ(s.rax, 0xfedcba9876543210ull);
	EXPECT_EQ(s.rdx, 0);
}

TEST(error_sets_cf_and_rax_errno)
{
	struct x86_saved_state64 s = { 0 };

	setup();
	fake_install(0, _SYSCALL_RET_INT_T);
	fk.error = ENOENT;
	s.rax = UNIX(FAKE_SLOT);
	trap(&s);
	fake_remove();
	EXPECT_EQ(s.rax, ENOENT);
	EXPECT_EQ(s.rflags & CF, CF);
}

TEST(erestart_backs_rip_by_two_ejustreturn_keeps_cf)
{
	struct x86_saved_state64 s = { 0 };

	setup();
	fake_install(0, _SYSCALL_RET_INT_T);
	fk.error = ERESTART;
	s.rax = UNIX(FAKE_SLOT);
	s.rip = 0x1000;
	trap(&s);
	EXPECT_EQ(s.rip, 0x1000 - 2);
	EXPECT_EQ(s.rax, UNIX(FAKE_SLOT));
	fk.error = EJUSTRETURN;
	memset(&s, 0, sizeof(s));
	s.rax = UNIX(FAKE_SLOT);
	s.rflags = CF;			/* x86 does not clear CF before the call */
	s.rip = 0x1000;
	trap(&s);
	fake_remove();
	EXPECT_EQ(s.rip, 0x1000);
	EXPECT_EQ(s.rflags & CF, CF);
	EXPECT_EQ(s.rax, UNIX(FAKE_SLOT));
}

TEST(bsd_args_six_in_registers_rest_on_stack)
{
	struct x86_saved_state64 s = { 0 };
	uint64_t stack[4] = { 0xdeadbeef, 7007, 8008, 0 };	/* [0]: return address */

	setup();
	fake_install(8, _SYSCALL_RET_INT_T);
	s.rax = UNIX(FAKE_SLOT);
	s.rdi = 1001; s.rsi = 2002; s.rdx = 3003; s.r10 = 4004; s.r8 = 5005; s.r9 = 6006;
	s.rcx = 0x9999;			/* clobbered by syscall: never an argument */
	s.rsp = (uint64_t)(uintptr_t)stack;
	trap(&s);
	fake_remove();
	EXPECT_EQ(fk.calls, 1);
	EXPECT_EQ(fk.args[0], 1001);
	EXPECT_EQ(fk.args[2], 3003);
	EXPECT_EQ(fk.args[3], 4004);
	EXPECT_EQ(fk.args[5], 6006);
	EXPECT_EQ(fk.args[6], 7007);
	EXPECT_EQ(fk.args[7], 8008);
}

TEST(bsd_stack_args_fault_is_efault_without_call)
{
	struct x86_saved_state64 s = { 0 };

	setup();
	fake_install(8, _SYSCALL_RET_INT_T);
	s.rax = UNIX(FAKE_SLOT);
	s.rsp = 0x10;			/* unmapped */
	trap(&s);
	fake_remove();
	EXPECT_EQ(fk.calls, 0);
	EXPECT_EQ(s.rax, EFAULT);
	EXPECT_EQ(s.rflags & CF, CF);
}

TEST(indirect_syscall_number_in_rdi_args_from_rsi)
{
	struct x86_saved_state64 s = { 0 };

	setup();
	fake_install(2, _SYSCALL_RET_INT_T);
	fk.rv0 = 12;
	s.rax = UNIX(0);
	s.rdi = FAKE_SLOT;
	s.rsi = 31;
	s.rdx = 32;
	trap(&s);
	EXPECT_EQ(fk.calls, 1);
	EXPECT_EQ(fk.args[0], 31);
	EXPECT_EQ(fk.args[1], 32);
	EXPECT_EQ(s.rax, 12);
	EXPECT_EQ(xnu_syscall(FAKE_SLOT, 41L, 42L), 12);	/* through the stub */
	EXPECT_EQ(fk.args[0], 41);
	EXPECT_EQ(fk.args[1], 42);
	fake_remove();
}

TEST(number_masked_to_24_bits_out_of_range_is_nosys)
{
	struct x86_saved_state64 s = { 0 };

	setup();
	fake_install(0, _SYSCALL_RET_INT_T);
	fk.rv0 = 6;
	s.rax = 0xffffffff00000000ull | UNIX(FAKE_SLOT);	/* bits above 31 ignored */
	trap(&s);
	fake_remove();
	EXPECT_EQ(fk.calls, 1);
	EXPECT_EQ(s.rax, 6);
	memset(&s, 0, sizeof(s));
	s.rax = UNIX(0x10000);		/* no 16-bit truncation here: >= 558 */
	trap(&s);
	EXPECT_EQ(s.rax, ENOSYS);
	EXPECT_EQ(s.rflags & CF, CF);
	EXPECT_TRUE(sigsys_take());
}

TEST(mach_trap_result_in_rax_cf_untouched_stack_args)
{
	struct x86_saved_state64 s = { 0 };
	uint64_t stack[4] = { 0, 77, 88, 99 };

	setup();
	fake_trap_install(9, fake_trap);
	fk.kr = KERN_NO_SPACE;
	s.rax = MACH(FAKE_TRAP);
	s.rdi = 11; s.rsi = 22; s.rdx = 33; s.r10 = 44; s.r8 = 55; s.r9 = 66;
	s.rsp = (uint64_t)(uintptr_t)stack;
	s.rflags = CF;
	trap(&s);
	EXPECT_EQ(fk.calls, 1);
	EXPECT_EQ(fk.args[3], 44);
	EXPECT_EQ(fk.args[6], 77);
	EXPECT_EQ(fk.args[8], 99);
	EXPECT_EQ(s.rax, KERN_NO_SPACE);
	EXPECT_EQ(s.rflags & CF, CF);
	/* a stack fault answers KERN_INVALID_ARGUMENT and skips the call */
	memset(&s, 0, sizeof(s));
	fk.calls = 0;
	s.rax = MACH(FAKE_TRAP);
	s.rsp = 0x10;
	trap(&s);
	EXPECT_EQ(fk.calls, 0);
	EXPECT_EQ(s.rax, KERN_INVALID_ARGUMENT);
	fake_trap_remove();
}

TEST(invalid_mach_trap_raises_sigsys)
{
	static const uint32_t numbers[] = { 0, 2, 17, 127, 128, 0xffffff };

	setup();
	for (unsigned i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		struct x86_saved_state64 s = { 0 };

		s.rax = MACH(numbers[i]);
		trap(&s);
		EXPECT_EQ(s.rax, MACH(numbers[i]));	/* no value returned */
		EXPECT_TRUE(sigsys_take());
	}
}

TEST(classes_none_ipc_and_unknown_raise_sigsys)
{
	static const uint32_t classes[] = { 0, 5, 6, 0xff };

	setup();
	for (unsigned i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		struct x86_saved_state64 s = { 0 };

		s.rax = SYSCALL_CONSTRUCT(classes[i], 20);
		trap(&s);
		EXPECT_TRUE(sigsys_take());
	}
}

TEST(diag_class_raises_sigsys)
{
	struct x86_saved_state64 s = { 0 };

	setup();
	s.rax = DIAG(0);
	trap(&s);
	EXPECT_TRUE(sigsys_take());
}

TEST(mdep_cthread_self_and_invalid_numbers)
{
	struct x86_saved_state64 s = { 0 };

	setup();
	s.rax = MDEP(3);		/* thread_fast_set_cthread_self64 */
	s.rdi = 0x7000beef;
	trap(&s);
	EXPECT_EQ(s.rax, 0x0f);		/* USER_CTHREAD, not a kern_return_t */
	EXPECT_EQ(xs_current_thread()->machine_cthread_self, 0x7000beef);
	memset(&s, 0, sizeof(s));
	s.rax = MDEP(2);		/* kern_invalid slot */
	trap(&s);
	EXPECT_EQ(s.rax, KERN_INVALID_ARGUMENT);
	memset(&s, 0, sizeof(s));
	s.rax = MDEP(100);		/* past the table: kern_invalid, no exception */
	trap(&s);
	EXPECT_EQ(s.rax, KERN_INVALID_ARGUMENT);
	EXPECT_EQ(sigsys_take(), 0);
}

TEST(real_calls_and_stubs)
{
	uint64_t rv[2];

	setup();
	EXPECT_EQ(xnu_bsd_trap(20, NULL, 0, rv), 0);
	EXPECT_EQ(rv[0], (uint64_t)xnusim_pid());
	EXPECT_EQ(xnu_thread_selfid(), xs_current_thread()->thread_id);
	EXPECT_EQ(xnu_bsd_trap(600, NULL, 0, rv), ENOSYS);
	EXPECT_TRUE(sigsys_take());
	EXPECT_EQ(xnu_getppid() > 0, 1);
	EXPECT_TRUE(xnu_mach_absolute_time() > 0);	/* commpage, no trap */
	EXPECT_EQ(sigsys_take(), 0);
}

static void child_bad_class(void)
{
	struct x86_saved_state64 s = { 0 };

	s.rax = SYSCALL_CONSTRUCT(SYSCALL_CLASS_IPC, 1);
	trap(&s);
	_exit(0);
}

TEST(unblocked_sigsys_from_bad_class_kills_the_process)
{
	int status = run_in_child(XNUSIM_ARCH_X86_64, child_bad_class);

	EXPECT_EQ(host_termsig(status), HOST_SIGSYS);
}
