/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_trap: libFuzzer over random saved states at both trap front-ends.
 * Each input is one or more traps: an architecture byte, a number chosen
 * from a byte (biased to the slots this simulator models, but every slot
 * and garbage numbers are reachable) and eight argument words, each either
 * raw fuzz bytes, a small integer, a pointer into a scratch buffer, or a
 * kernel (arena) address.  The kernel must answer each with XNU's error and
 * never crash, hang or corrupt its own state.
 *
 * Excluded, because they end or park the fuzzing process rather than test
 * the kernel: exit (1), and receives/waits without a timeout (the Mach
 * receive option gets MACH_RCV_TIMEOUT, semaphore_wait is skipped,
 * mach_wait_until is capped).  SIGSYS is ignored in the fuzzing process so
 * nosys and invalid traps return instead of terminating it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kmod-xnu-sim/osfmk/mach/thread_status.h"
#include "xnusim/libsyscall.h"
#include "xnusim/xnusim.h"

/* White-box: ignore SIGSYS (Darwin 12) in the current proc. */
extern void xs_fuzz_ignore_signal(int darwin_sig);

#define MACH_RCV_MSG_BIT   0x2u
#define MACH_RCV_TIMEOUT_B 0x100u
#define MACH64_RCV_MSG     0x2ull
#define MACH64_RCV_TIMEOUT 0x100ull

static uint8_t scratch[3 * 4096] __attribute__((aligned(4096)));
static int booted;

struct cursor {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct cursor *c, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && c->n; i++, c->p++, c->n--)
		v |= (uint64_t)*c->p << (8 * i);
	return v;
}

static uint64_t make_arg(struct cursor *c)
{
	switch (take(c, 1) & 7) {
	case 0: case 1:
		return take(c, 1);				/* small: fds, flags, counts */
	case 2: case 3:
		return (uint64_t)(uintptr_t)scratch + (take(c, 2) % sizeof(scratch));
	case 4:
		return (uint64_t)(uintptr_t)booted + 0x6f0000000000ull + take(c, 3);
	default:
		return take(c, 8);
	}
}

/* Numbers this model implements, so most inputs reach real handlers. */
static const int bsd_calls[] = { 3, 4, 5, 6, 10, 12, 20, 24, 25, 39, 41, 43, 47, 60, 65,
	73, 74, 75, 90, 92, 120, 121, 136, 153, 154, 197, 199, 338, 339, 340, 372, 396,
	397, 398, 399, 463, 0, 63, 8, 557, 558, 65535 };
static const int mach_traps[] = { -10, -12, -14, -15, -16, -18, -19, -21, -24, -25, -26,
	-27, -28, -29, -31, -33, -47, -50, -89, -90, -3, -4, -1, -127, -128, -200 };

static int pick_number(struct cursor *c, int *mach)
{
	uint8_t sel = (uint8_t)take(c, 1);

	*mach = sel & 1;
	if ((sel & 0x6) == 0)				/* any number at all */
		return (int)(uint32_t)take(c, 4);
	if (*mach)
		return mach_traps[(sel >> 3) % (sizeof(mach_traps) / sizeof(mach_traps[0]))];
	return bsd_calls[(sel >> 3) % (sizeof(bsd_calls) / sizeof(bsd_calls[0]))];
}

/* Keep the process alive and responsive; see the file comment. */
static int tame(int number, uint64_t a[8])
{
	if (number == 1 || number == -36 || number == -38)
		return 0;
	if (number == -90)
		a[0] = xnu_mach_absolute_time() + 1000;
	if (number == -31 && (a[1] & MACH_RCV_MSG_BIT)) {
		a[1] |= MACH_RCV_TIMEOUT_B;
		a[5] = 0;
	}
	if (number == -47 && (a[1] & MACH64_RCV_MSG)) {
		a[1] |= MACH64_RCV_TIMEOUT;
		a[7] = 0;				/* timeout 0 */
	}
	if (number == 3 || number == 396 || number == 120 || number == 153) {
		if (a[0] == 0)
			a[0] = 3;			/* not the console's stdin */
	}
	return 1;
}

static void one_trap(struct cursor *c, int arch)
{
	uint64_t a[8];
	int mach, number = pick_number(c, &mach);

	for (int i = 0; i < 8; i++)
		a[i] = make_arg(c);
	if (!tame(number, a))
		return;
	if (arch == XNUSIM_ARCH_ARM64) {
		struct arm_saved_state64 s;

		memset(&s, 0, sizeof(s));
		memcpy(s.x, a, sizeof(a));
		s.x[16] = (uint64_t)(int64_t)number | (take(c, 1) & 1 ? 0xdead000000000000ull : 0);
		s.cpsr = (uint32_t)take(c, 4);
		xnu_trap_arm64(&s);
	} else {
		struct x86_saved_state64 s;
		unsigned cls = mach ? 1 : 2;

		memset(&s, 0, sizeof(s));
		s.rdi = a[0]; s.rsi = a[1]; s.rdx = a[2]; s.r10 = a[3]; s.r8 = a[4]; s.r9 = a[5];
		s.rsp = (uint64_t)(uintptr_t)scratch + sizeof(scratch) / 2;
		if (take(c, 1) % 8 == 0)
			cls = (unsigned)take(c, 1);	/* classes 0, 3, 4, 5, garbage */
		s.rax = ((uint64_t)cls << 24) | ((uint32_t)(number < 0 ? -number : number) & 0xffffff);
		s.rflags = take(c, 1);
		xnu_trap_x86_64(&s);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cursor c = { data, size };
	int arch;

	if (size < 2)
		return 0;
	arch = (data[0] & 1) ? XNUSIM_ARCH_X86_64 : XNUSIM_ARCH_ARM64;
	c.p++; c.n--;
	if (booted != arch) {
		if (xnusim_boot(arch) < 0)
			abort();
		xs_fuzz_ignore_signal(12);
		booted = arch;
	}
	while (c.n >= 4)
		one_trap(&c, arch);
	return 0;
}
