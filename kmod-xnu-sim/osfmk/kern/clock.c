/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * clock.c: Mach absolute time, the timebase, and mach_wait_until.
 * Corresponds to osfmk/kern/clock.c (and the machine timebase of
 * osfmk/arm64/rtclock.c / osfmk/i386/rtclock.c).  See clock.h for units.
 */
#include "kmod-xnu-sim/osfmk/kern/clock.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

/* Apple silicon: a 24 MHz counter, 125/3 ns per tick. */
#define ARM64_TB_NUMER 125u
#define ARM64_TB_DENOM 3u

static bool clock_is_arm64(void)
{
	struct xs_machine *m = xs_machine();

	return !m || m->m_arch != XS_ARCH_X86_64;
}

void xs_clock_timebase_info(uint32_t *numer, uint32_t *denom)
{
	XS_FUNC(clock_timebase_info);

	*numer = clock_is_arm64() ? ARM64_TB_NUMER : 1;
	*denom = clock_is_arm64() ? ARM64_TB_DENOM : 1;
}

uint64_t xs_nanoseconds_to_absolutetime(uint64_t ns)
{
	if (!clock_is_arm64())
		return ns;
	/* Split so ns * 3 cannot overflow. */
	return ns / ARM64_TB_NUMER * ARM64_TB_DENOM + ns % ARM64_TB_NUMER * ARM64_TB_DENOM /
	       ARM64_TB_NUMER;
}

uint64_t xs_absolutetime_to_nanoseconds(uint64_t abstime)
{
	if (!clock_is_arm64())
		return abstime;
	if (abstime / ARM64_TB_DENOM > UINT64_MAX / ARM64_TB_NUMER)
		return UINT64_MAX;
	return abstime / ARM64_TB_DENOM * ARM64_TB_NUMER +
	       abstime % ARM64_TB_DENOM * ARM64_TB_NUMER / ARM64_TB_DENOM;
}

uint64_t xs_mach_absolute_time(void)
{
	return xs_nanoseconds_to_absolutetime(osl_absolute_time());
}

uint64_t xs_mach_continuous_time(void)
{
	return xs_nanoseconds_to_absolutetime(osl_continuous_time());
}

/*
 * Routine:    xs_mach_timebase_info_trap  [trap -89]
 * Purpose:    Copy the timebase {numer, denom} out to info.
 * Conditions: Nothing locked.
 * Returns:    KERN_SUCCESS, also when the copyout faults: XNU ignores
 *             copyout's result here.
 */
xs_kern_return_t xs_mach_timebase_info_trap(void *args)
{
	XS_FUNC(mach_timebase_info_trap);
	uint32_t info[2];

	xs_clock_timebase_info(&info[0], &info[1]);
	(void)osl_copyout(info, ((const uint64_t *)args)[0], sizeof(info));
	return KERN_SUCCESS;
}

/*
 * Routine:    xs_mach_wait_until_trap  [trap -90]
 * Purpose:    Sleep (reason "mach_wait_until") until the absolute-time
 *             deadline; a past deadline returns at once.
 * Conditions: Nothing locked.
 * Returns:    KERN_SUCCESS, KERN_ABORTED when a signal interrupts the wait.
 */
xs_kern_return_t xs_mach_wait_until_trap(void *args)
{
	XS_FUNC(mach_wait_until_trap);
	struct ipc_globals *g = &xs_machine()->m_ipc;
	uint64_t deadline = xs_absolutetime_to_nanoseconds(((const uint64_t *)args)[0]);
	xs_kern_return_t kr = KERN_SUCCESS;

	xs_lck_mtx_lock(&g->clock_lock);
	while (osl_absolute_time() < deadline) {
		/* Nobody signals clock_event: only the deadline or an abort ends the wait. */
		int wr = xs_thread_block_on(&g->clock_event, &g->clock_lock, deadline,
					    "mach_wait_until");
		if (wr == THREAD_INTERRUPTED) {
			kr = KERN_ABORTED;
			break;
		}
	}
	xs_lck_mtx_unlock(&g->clock_lock);
	return kr;
}
