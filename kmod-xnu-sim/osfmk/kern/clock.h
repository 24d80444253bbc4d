/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * clock.h: Mach absolute time.  Corresponds to osfmk/kern/clock.h.
 *
 * The unit of mach_absolute_time is the architecture's: nanoseconds on
 * x86_64 (timebase 1/1), ticks of Apple silicon's 24 MHz counter on arm64
 * (timebase 125/3: ticks * 125 / 3 = ns).  Every Mach time value crossing
 * the trap boundary (mach_absolute_time, the -3/-4 arm64 fast paths,
 * mach_wait_until deadlines) uses that unit.
 */
#ifndef XS_KERN_CLOCK_H
#define XS_KERN_CLOCK_H

#include "kmod-xnu-sim/osfmk/kern/kern_types.h"

/* mach_absolute_time() / mach_continuous_time() of the current machine. */
uint64_t xs_mach_absolute_time(void);
uint64_t xs_mach_continuous_time(void);
/* clock_timebase_info: ns = abs * numer / denom. */
void xs_clock_timebase_info(uint32_t *numer, uint32_t *denom);
/* Conversions between the machine's absolute-time unit and nanoseconds. */
uint64_t xs_absolutetime_to_nanoseconds(uint64_t abstime);
uint64_t xs_nanoseconds_to_absolutetime(uint64_t ns);

#endif /* XS_KERN_CLOCK_H */
