/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * osl_probe.h: the transport under the kernel's tracepoints.  One contract,
 * two transports (docs/tracepoints.md): USDT provider "xnu" with semaphores
 * in the user-space build, TRACE_EVENT system "xnu" in the kernel module.
 * Only osfmk/kern/xs_trace.c expands OSL_PROBE; everything else asks
 * OSL_PROBE_ENABLED, which is one load and a not-taken branch when nobody
 * listens.  XS_NO_TRACE compiles every probe out (the baseline of make bench).
 *
 * The user-space build also keeps, per host thread, the record buffer of
 * the batched call graph (docs/tracepoints.md, "syscall_callgraph") and its
 * clock: struct osl_trace_tls and osl_trace_ticks() below, implemented in
 * osl/user/osl_trace.c.
 */
#ifndef XS_OSL_OSL_PROBE_H
#define XS_OSL_OSL_PROBE_H

#include <stdint.h>

#if defined(XS_NO_TRACE)

#define OSL_PROBE_ENABLED(name) 0
#define OSL_PROBE_SEM(name) 0
#define OSL_PROBE_ANY() 0
#define OSL_PROBE(name, ...) do { } while (0)

#elif defined(XS_KMOD)

#include "kmod-xnu-sim/osl/linux/osl_probe_linux.h"

#else /* USDT */

#define _SDT_HAS_SEMAPHORES 1
#define SDT_USE_VARIADIC 1	/* STAP_PROBEV */
#include <sys/sdt.h>

/*
 * The semaphores live in one 32-byte block, osl_probe_sems[] (xs_trace.c),
 * each exported under the name sys/sdt.h expects, xnu_<probe>_semaphore, as
 * an alias of its slot.  The kernel raises a slot by one per attached uprobe
 * (ref_ctr_offset); the inproc backend raises the ones it consumes in every
 * process of its machine.  The layout lets one load answer "does anybody
 * want this site":
 *  - a function entry: func_entry or syscall_callgraph (32 bits at slot 0);
 *  - a function return: syscall_callgraph or func_return (slots 1-2);
 *  - the syscall sites: their own probe or syscall_callgraph;
 *  - anything at all (the trap's choice between the traced and the idle
 *    copy of the kernel, xs_trace.h): the whole block.
 */
#define OSL_SEM_FUNC_ENTRY        0
#define OSL_SEM_SYSCALL_CALLGRAPH 1
#define OSL_SEM_FUNC_RETURN       2
#define OSL_SEM_SYSCALL_ENTRY     3
#define OSL_SEM_SYSCALL_RETURN    4
#define OSL_SEM_PROC_CREATE       5
#define OSL_SEM_PROC_EXEC         6
#define OSL_SEM_PROC_EXIT         7
#define OSL_SEM_MSG_SEND          8
#define OSL_SEM_MSG_RECEIVE       9
#define OSL_SEM_VM_MAP_CHANGE     10
#define OSL_SEM_PINNED            15	/* not a probe: traps must not take the idle copy */
#define OSL_SEM_COUNT             16	/* slots 11-14: spare, always 0 */

/*
 * The freestanding core (and osl/user files that define XS_LIB_INTERNAL)
 * reach the block under its hidden name (no GOT); everything else (the
 * collector's calibration loops, tests) under the exported alias
 * xnu_probe_semaphores, the same 32 bytes.
 */
#if __STDC_HOSTED__ == 0 || defined(XS_LIB_INTERNAL)
extern volatile unsigned short osl_probe_sems[OSL_SEM_COUNT]
	__attribute__((visibility("hidden"), aligned(32)));
#else
#define osl_probe_sems xnu_probe_semaphores
extern volatile unsigned short xnu_probe_semaphores[OSL_SEM_COUNT] __attribute__((aligned(32)));
#endif

#define OSL_PROBE_SEMAPHORE(name) xnu_##name##_semaphore

/* The 64-bit word w (0-3) of the block; the block is 32-byte aligned. */
static inline uint64_t osl_probe_word(unsigned w)
{
	return *(const volatile uint64_t *)(const volatile void *)&osl_probe_sems[4 * w];
}

/* One slot: what the fire functions test to choose their transports. */
#define OSL_PROBE_SEM(name) (OSL_PROBE_SEMAPHORE(name) != 0)

#define OSL_SEM_BIT(slot) (0xffffull << (16 * ((slot) % 4)))
#define OSL_PROBE_ENABLED_func_entry                                             \
	(*(const volatile uint32_t *)(const volatile void *)&osl_probe_sems[0] != 0)
#define OSL_PROBE_ENABLED_func_return                                            \
	((osl_probe_word(0) & (OSL_SEM_BIT(OSL_SEM_SYSCALL_CALLGRAPH) |          \
			       OSL_SEM_BIT(OSL_SEM_FUNC_RETURN))) != 0)
#define OSL_PROBE_ENABLED_syscall_entry                                          \
	((osl_probe_word(0) & (OSL_SEM_BIT(OSL_SEM_SYSCALL_CALLGRAPH) |          \
			       OSL_SEM_BIT(OSL_SEM_SYSCALL_ENTRY))) != 0)
#define OSL_PROBE_ENABLED_syscall_return                                         \
	(osl_probe_sems[OSL_SEM_SYSCALL_RETURN] != 0 ||                          \
	 osl_probe_sems[OSL_SEM_SYSCALL_CALLGRAPH] != 0)
#define OSL_PROBE_ENABLED_syscall_callgraph (osl_probe_sems[OSL_SEM_SYSCALL_CALLGRAPH] != 0)
#define OSL_PROBE_ENABLED_proc_create   (osl_probe_sems[OSL_SEM_PROC_CREATE] != 0)
#define OSL_PROBE_ENABLED_proc_exec     (osl_probe_sems[OSL_SEM_PROC_EXEC] != 0)
#define OSL_PROBE_ENABLED_proc_exit     (osl_probe_sems[OSL_SEM_PROC_EXIT] != 0)
#define OSL_PROBE_ENABLED_msg_send      (osl_probe_sems[OSL_SEM_MSG_SEND] != 0)
#define OSL_PROBE_ENABLED_msg_receive   (osl_probe_sems[OSL_SEM_MSG_RECEIVE] != 0)
#define OSL_PROBE_ENABLED_vm_map_change (osl_probe_sems[OSL_SEM_VM_MAP_CHANGE] != 0)
#define OSL_PROBE_ENABLED(name) __builtin_expect(OSL_PROBE_ENABLED_##name, 0)

/* Any semaphore raised: four loads of one cache line, no branch between. */
#define OSL_PROBE_ANY()                                                          \
	__builtin_expect((osl_probe_word(0) | osl_probe_word(1) | osl_probe_word(2) | \
			  osl_probe_word(3)) != 0, 0)

#define OSL_PROBE(name, ...) STAP_PROBEV(xnu, name, __VA_ARGS__)

/* Aliases of the slots (xs_trace.c), section .probes, as sys/sdt.h expects. */
#define OSL_PROBE_DECLARE(name) extern volatile unsigned short OSL_PROBE_SEMAPHORE(name)
OSL_PROBE_DECLARE(syscall_entry);
OSL_PROBE_DECLARE(syscall_return);
OSL_PROBE_DECLARE(syscall_callgraph);
OSL_PROBE_DECLARE(func_entry);
OSL_PROBE_DECLARE(func_return);
OSL_PROBE_DECLARE(proc_create);
OSL_PROBE_DECLARE(proc_exec);
OSL_PROBE_DECLARE(proc_exit);
OSL_PROBE_DECLARE(msg_send);
OSL_PROBE_DECLARE(msg_receive);
OSL_PROBE_DECLARE(vm_map_change);

/* ---- The batched call graph's per-thread buffer and clock --------------- */

/*
 * Per host thread (initial-exec TLS: one %fs-relative access).  The records
 * themselves are in a buffer the platform maps on first use (osl_trace.c),
 * private to the process: a fork child starts with a copy, as it starts
 * with a copy of the thread's stack.  Layout: struct xs_cg_batch
 * (osfmk/kern/xs_trace.h).
 */
struct osl_trace_tls {
	void *ot_batch;		/* struct xs_cg_batch *, NULL until first used */
	uint32_t ot_depth;	/* function frames entered and not yet returned */
	uint32_t ot_flags;	/* OSL_TRACE_* */
};
/* The thread will not return to user space: hand over each record. */
#define OSL_TRACE_FLUSH_EACH 1u
/* Hand the batch over when the current trap ends (xs_trace_vfs_lookup). */
#define OSL_TRACE_FLUSH_TRAP 2u

extern __thread struct osl_trace_tls osl_trace_tls __attribute__((tls_model("initial-exec")));

/*
 * Map (once per thread) a buffer of `bytes` bytes for the thread's batch;
 * NULL if the host refuses.  Unmapped when the thread exits.
 */
void *osl_trace_batch_alloc(uint64_t bytes);

/*
 * Map [addr, addr + len) of shared memory into this process now, without
 * writing it (Linux: MADV_POPULATE_READ); nothing where the host cannot.
 */
void osl_trace_prefault(void *addr, uint64_t len);

/*
 * The batch clock: raw ticks, as cheap as the host allows (x86_64: rdtsc,
 * ~8 ns here, no ordering fence: a record's time may run a few cycles
 * early or late, never out of order within a thread by more than that).
 * Converted to osl_absolute_time() nanoseconds with the machine's
 * calibration (xs_trace.c) when a batch is handed over.  Another host
 * architecture needs its own counter here (arm64: cntvct_el0).
 */
static inline uint64_t osl_trace_ticks(void)
{
#if defined(__x86_64__)
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
#else
	extern uint64_t osl_absolute_time(void);

	return osl_absolute_time();
#endif
}

/*
 * Measure ticks against osl_absolute_time() for about `ms` milliseconds:
 * ns = ns_base + ((ticks - tick_base) * mult >> 32).  Returns 0, or -1 when
 * the counter does not advance.
 */
int osl_trace_clock_measure(unsigned ms, uint64_t *mult, uint64_t *tick_base,
			    uint64_t *ns_base);

#endif

/* Transports without the semaphore block (the kernel module): a site's own flag. */
#ifndef OSL_PROBE_SEM
#define OSL_PROBE_SEM(name) OSL_PROBE_ENABLED(name)
#endif
#ifndef OSL_PROBE_ANY
#define OSL_PROBE_ANY() 1	/* no idle copy of the kernel: always the traced one */
#endif

#endif /* XS_OSL_OSL_PROBE_H */
