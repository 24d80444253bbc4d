/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * osl_probe.h: the transport under the kernel's tracepoints.  One contract,
 * two transports (docs/tracepoints.md): USDT provider "xnu" with semaphores
 * in the user-space build, TRACE_EVENT system "xnu" in the kernel module.
 * Only osfmk/kern/xs_trace.c expands OSL_PROBE; everything else asks
 * OSL_PROBE_ENABLED, which is one load and a not-taken branch when nobody
 * listens.  XS_NO_TRACE compiles every probe out (the baseline of make bench).
 */
#ifndef XS_OSL_OSL_PROBE_H
#define XS_OSL_OSL_PROBE_H

#if defined(XS_NO_TRACE)

#define OSL_PROBE_ENABLED(name) 0
#define OSL_PROBE(name, ...) do { } while (0)

#elif defined(XS_KMOD)

#include "kmod-xnu-sim/osl/linux/osl_probe_linux.h"

#else /* USDT */

#define _SDT_HAS_SEMAPHORES 1
#define SDT_USE_VARIADIC 1	/* STAP_PROBEV */
#include <sys/sdt.h>

#define OSL_PROBE_SEMAPHORE(name) xnu_##name##_semaphore
/*
 * "semaphore != 0 || inproc enabled" in one load: a process of a machine
 * whose inproc ring is on raises every semaphore by one when it joins
 * (xs_trace_inproc.h), as a uprobe with a reference counter does.
 */
#define OSL_PROBE_ENABLED(name) __builtin_expect(OSL_PROBE_SEMAPHORE(name) != 0, 0)
#define OSL_PROBE(name, ...) STAP_PROBEV(xnu, name, __VA_ARGS__)

/* Defined in osfmk/kern/xs_trace.c, section .probes, as sys/sdt.h expects. */
#define OSL_PROBE_DECLARE(name) extern volatile unsigned short OSL_PROBE_SEMAPHORE(name)
OSL_PROBE_DECLARE(syscall_entry);
OSL_PROBE_DECLARE(syscall_return);
OSL_PROBE_DECLARE(func_entry);
OSL_PROBE_DECLARE(func_return);
OSL_PROBE_DECLARE(proc_create);
OSL_PROBE_DECLARE(proc_exec);
OSL_PROBE_DECLARE(proc_exit);
OSL_PROBE_DECLARE(msg_send);
OSL_PROBE_DECLARE(msg_receive);
OSL_PROBE_DECLARE(vm_map_change);

#endif

#endif /* XS_OSL_OSL_PROBE_H */
