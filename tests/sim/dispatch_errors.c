/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dispatch_errors: how the dispatchers answer what the kernel does not
 * have, on both architectures: nosys (ENOSYS + SIGSYS) against enosys
 * (ENOSYS only) against an implemented-but-unmodeled call (ENOSYS, no
 * signal); unmodeled Mach traps (KERN_NOT_SUPPORTED); the exception code an
 * invalid trap leaves; cerror and the thread-local xnu_errno.
 */
#include <pthread.h>

#include "tests/sim/abi_common.h"

static const int arches[] = { XNUSIM_ARCH_ARM64, XNUSIM_ARCH_X86_64 };

static void setup(int arch)
{
	if (ensure_arch(arch) != 0)
		th_fail(__FILE__, __LINE__, "cannot boot the machine");
	sigsys_block();
	sigsys_take();
}

/* First slot with this status whose handler is (or is not) modeled. */
static int find_slot(int status, int want_null)
{
	for (int n = 1; n < XS_NSYSENT; n++)
		if (xs_sysent[n].sy_status == status && (xs_sysent[n].sy_call == NULL) == want_null)
			return n;
	return -1;
}

TEST(nosys_slot_gives_enosys_and_sigsys_on_both_arches)
{
	for (unsigned a = 0; a < 2; a++) {
		uint64_t rv[2];

		setup(arches[a]);
		EXPECT_EQ(xnu_bsd_trap(66, NULL, 0, rv), ENOSYS);	/* vfork: gone */
		EXPECT_TRUE(sigsys_take());
		EXPECT_EQ(xnu_bsd_trap(SYS_invalid, NULL, 0, rv), ENOSYS);
		EXPECT_TRUE(sigsys_take());
	}
}

TEST(enosys_slot_gives_enosys_without_signal)
{
	int n = find_slot(XS_SY_ENOSYS, 0);

	ASSERT_TRUE(n > 0);
	for (unsigned a = 0; a < 2; a++) {
		uint64_t rv[2];

		setup(arches[a]);
		EXPECT_EQ(xnu_bsd_trap(n, NULL, 0, rv), ENOSYS);
		EXPECT_EQ(sigsys_take(), 0);
	}
}

TEST(unmodeled_bsd_call_gives_enosys_without_signal)
{
	int n = find_slot(XS_SY_IMPLEMENTED, 1);

	if (n < 0) {		/* everything modeled: nothing to check */
		printf("    (every implemented slot is modeled)\n");
		return;
	}
	for (unsigned a = 0; a < 2; a++) {
		uint64_t args[8] = { 0 }, rv[2];

		setup(arches[a]);
		EXPECT_EQ(xnu_bsd_trap(n, args, 8, rv), ENOSYS);
		EXPECT_EQ(sigsys_take(), 0);
	}
}

TEST(unmodeled_mach_trap_is_kern_not_supported_on_both_arches)
{
	int idx = -1;

	for (int i = 10; i < XS_MACH_TRAP_TABLE_COUNT && idx < 0; i++)
		if (xs_mach_trap_table[i].mach_trap_valid &&
		    !xs_mach_trap_table[i].mach_trap_function)
			idx = i;
	if (idx < 0) {
		printf("    (every valid trap is modeled)\n");
		return;
	}
	for (unsigned a = 0; a < 2; a++) {
		uint64_t args[9] = { 0 };

		setup(arches[a]);
		EXPECT_EQ(xnu_mach_trap(-idx, args, 8), KERN_NOT_SUPPORTED);
		EXPECT_EQ(sigsys_take(), 0);
	}
}

TEST(invalid_mach_trap_records_exception_code)
{
	struct arm_saved_state64 s = { 0 };

	setup(XNUSIM_ARCH_ARM64);
	s.x[16] = (uint64_t)-17;	/* the old mach_port_destroy_trap: kern_invalid */
	xnu_trap_arm64(&s);
	EXPECT_TRUE(sigsys_take());
	EXPECT_EQ(xs_current_thread()->uthread.uu_code, 17);
}

TEST(cerror_sets_xnu_errno_and_success_leaves_it)
{
	for (unsigned a = 0; a < 2; a++) {
		setup(arches[a]);
		xnu_errno = 0;
		EXPECT_EQ(xnu_syscall(SYS_invalid), -1);
		EXPECT_EQ(xnu_errno, ENOSYS);
		EXPECT_TRUE(sigsys_take());
		EXPECT_TRUE(xnu_getpid() > 0);
		EXPECT_EQ(xnu_errno, ENOSYS);	/* untouched by a success */
	}
}

static void *other_thread(void *arg)
{
	(void)arg;
	xnu_errno = 12345;
	return NULL;
}

TEST(xnu_errno_is_per_thread)
{
	pthread_t t;

	xnu_errno = 77;
	ASSERT_EQ(pthread_create(&t, NULL, other_thread, NULL), 0);
	pthread_join(t, NULL);
	EXPECT_EQ(xnu_errno, 77);
}

TEST(bad_state_pointer_values_do_not_crash)
{
	struct arm_saved_state64 s = { 0 };
	uint64_t rv[2];

	setup(XNUSIM_ARCH_ARM64);
	/* getpid ignores garbage arguments; the trap still answers */
	memset(s.x, 0xff, sizeof(s.x));
	s.x[16] = 20;
	xnu_trap_arm64(&s);
	EXPECT_EQ(s.x[0], (uint64_t)xnusim_pid());
	/* a BSD number with every bit set: low 32 bits negative: Mach -1 */
	memset(&s, 0, sizeof(s));
	s.x[16] = ~0ull;
	xnu_trap_arm64(&s);
	EXPECT_TRUE(sigsys_take());
	EXPECT_EQ(xnu_bsd_trap(20, NULL, -3, rv), 0);	/* negative nargs clamps */
}
