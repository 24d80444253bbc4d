/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xs_trace.h: the kernel's tracepoints (docs/tracepoints.md).
 *
 * Function boundaries come from one macro at the top of every modeled
 * function:
 *
 *	int xs_fork1(...)
 *	{
 *		XS_FUNC(fork1);
 *		...
 *
 * It registers the function (XNU name, XNU source path) in the xs_funcs
 * section, fires xnu:func_entry, and fires xnu:func_return on every way out
 * of the enclosing block (cleanup attribute).  Ids are assigned at library
 * load, in name order, so they are the same in every process of a machine and
 * in every build with the same set of functions.  The source path is the
 * file's path below kmod-xnu-sim/, which mirrors XNU; XS_FUNC_AT names it
 * explicitly for the few functions modeled away from their XNU file.
 *
 * Two copies of the kernel (docs/tracepoints.md, "Cost when nobody
 * listens"): libxnusim.so carries this instrumented core and, renamed
 * xs_idle__*, the same core built with XS_NO_TRACE.  A trap enters the idle
 * copy while every semaphore is 0 (XS_TRACE_TRAP, one cache line of loads),
 * so a probe nobody listens to costs nothing on the syscall path; the
 * instrumented copy runs as soon as anything listens.  Function and
 * syscall events for the collector (both backends) are not fired one by
 * one: they go to a per-thread batch that is handed over once per trap,
 * by xnu:syscall_callgraph and the inproc ring.
 */
#ifndef XS_KERN_XS_TRACE_H
#define XS_KERN_XS_TRACE_H

#include <stdint.h>

#include "kmod-xnu-sim/osl/osl_probe.h"

struct proc;

/* One modeled kernel function.  Lives in the library, never in the arena. */
struct xs_func {
	const char *xf_name;		/* bare XNU name: "fork1" */
	const char *xf_file;		/* __FILE__ of the model */
	const char *xf_xnu_path;	/* XNU path, or NULL: derived from xf_file */
	uint32_t xf_id;			/* 1..count, assigned by xs_func_registry_init */
	uint32_t xf_flags;		/* XS_FUNCF_*, set by xs_func_registry_init */
};

/*
 * Functions at which a thread's batch is handed over early: the thread may
 * block for long (thread_block), or never come back to user space
 * (thread_terminate_self: from there on every record is handed over).
 */
#define XS_FUNCF_FLUSH      1u
#define XS_FUNCF_FLUSH_EACH 2u

#define XS_FUNC_AT(NAME, PATH)                                                   \
	static struct xs_func xs__func                                           \
		__attribute__((section("xs_funcs"), used, aligned(8))) =         \
			{ #NAME, __FILE__, PATH, 0, 0 };                         \
	struct xs_func *xs__func_cur                                             \
		__attribute__((cleanup(xs_func_leave), unused)) = xs_func_enter(&xs__func)
#define XS_FUNC(NAME) XS_FUNC_AT(NAME, (const char *)0)

/* Out of line; only called when func_entry / func_return or the batch is on. */
void xs_trace_func_entry(const struct xs_func *f);
void xs_trace_func_return(const struct xs_func *f);

static inline struct xs_func *xs_func_enter(struct xs_func *f)
{
	if (OSL_PROBE_ENABLED(func_entry))
		xs_trace_func_entry(f);
	return f;
}

static inline void xs_func_leave(struct xs_func **f)
{
	if (OSL_PROBE_ENABLED(func_return))
		xs_trace_func_return(*f);
}

/* ---- The function registry --------------------------------------------- */

/* Sort the xs_funcs section and number it.  Idempotent; call once at load. */
void xs_func_registry_init(void);
uint32_t xs_func_registry_count(void);
/* id in 1..count; NULL otherwise.  Borrowed, valid for the library's life. */
const struct xs_func *xs_func_registry_get(uint32_t id);
const struct xs_func *xs_func_registry_find(const char *name);
/* The XNU source path ("bsd/kern/kern_fork.c") and subsystem ("bsd/kern"). */
const char *xs_func_xnu_path(const struct xs_func *f);
void xs_func_subsystem(const struct xs_func *f, char *buf, unsigned len);

/* ---- Dispatch and lifecycle probes -------------------------------------- */

#define XS_FAMILY_BSD  1
#define XS_FAMILY_MACH 2
#define XS_FAMILY_MDEP 3
#define XS_FAMILY_DIAG 4

/* number: BSD n >= 0; Mach traps as user space writes them (-47). */
void xs_trace_syscall_entry(int family, int number, uint32_t kdebug_id,
			    const uint64_t args[4]);
/* error: errno (BSD, 0 on success) or the kern_return_t (Mach). */
void xs_trace_syscall_return(int family, int number, int64_t retval, int error);

#define XS_PROC_CREATE_BOOT   0	/* launchd, made by the kernel */
#define XS_PROC_CREATE_ATTACH 1	/* a host process joined the machine */
#define XS_PROC_CREATE_FORK   2
#define XS_PROC_CREATE_SPAWN  3
#define XS_PROC_CREATE_EXEC   4	/* exec's new proc taking over the pid */

void xs_trace_proc_create(const struct proc *p, int how);
void xs_trace_proc_exec(const struct proc *p, const char *path);
void xs_trace_proc_exit(const struct proc *p, int status);
/* port: the port's kernel object id (ip_object_id), stable across spaces. */
void xs_trace_msg_send(uint64_t port, int32_t msgh_id, uint32_t size);
void xs_trace_msg_receive(uint64_t port, int32_t msgh_id, uint32_t size);

#define XS_VM_ENTER   1
#define XS_VM_REMOVE  2
#define XS_VM_PROTECT 3
#define XS_VM_FORK    4
void xs_trace_vm_map_change(const struct proc *p, int op, uint64_t addr,
			    uint64_t size, int prot);

#define XS_TRACE_ENABLED(name) OSL_PROBE_ENABLED(name)

/* ---- The batched call graph (xnu:syscall_callgraph, the inproc ring) ------ */

/*
 * What one thread did since its last hand-over, in order: function entries
 * and returns and syscall entries and returns, each with its time.  The
 * thread hands the batch over before it blocks, before a process lifecycle
 * event or a host fork, when the batch is full, and when a trap ends (its
 * outermost kernel frame returns) if one of these holds: the machine's
 * hand-over age is 0 (the default: every trap, for live consumers), the
 * batch's first record is that old, or the trap looked a path up (a
 * consumer that reads the path from user memory reads it while it is
 * still the trap's).  A collector that only aggregates sets an age
 * (xs_trace_set_handover) and so pays the hand-over once per many traps.
 * Times are clock ticks relative to the batch's origin; the hand-over
 * stores the origin in nanoseconds and the ticks' rate, and the consumers
 * convert (XS_CG_NS), so recording costs one clock read and one 8-byte
 * store.  Layout shared with the consumers: struct xt_cg_head and struct
 * xt_cg_rec in bpf/xnutrace.h (the collector checks it with
 * _Static_assert).  Arena-free: the batch is the thread's own memory.
 */
#define XS_CG_MAX_SYS 256	/* syscall records per batch: a power of two */
#define XS_CG_MAX_REC 2552	/* records per batch: the batch is 32 KiB */

#define XS_CG_ENTRY      1	/* a function entry: the function id */
#define XS_CG_RETURN     2	/* a function return */
#define XS_CG_SYS_ENTRY  3	/* a syscall entry: its cb_sys slot */
#define XS_CG_SYS_RETURN 4	/* a syscall return: the same */

/* The syscall root id, as bpf/xnutrace.h's XT_ROOT_ID. */
#define XS_CG_ROOT_ID(family, number)                                            \
	(0x80000000u | ((uint32_t)(family) << 24) | ((uint32_t)(number) & 0xffffffu))

/*
 * One record: 8 bytes, written as it happens (two of them per function
 * call, so the record path is one clock read and one store).  Its time is
 * in clock ticks after the batch's cb_base, below 2^32 (a record that
 * would be later hands the batch over first and starts a new one).
 */
struct xs_cg_rec {
	uint32_t cr_dt;		/* osl_trace_ticks() - cb_base */
	uint32_t cr_word;	/* XS_CG_WORD(kind, function id or cb_sys slot) */
};
#define XS_CG_WORD(kind, v) ((uint32_t)((kind) - 1) << 30 | ((uint32_t)(v) & 0x3fffffffu))
#define XS_CG_KIND(word)    (((word) >> 30) + 1)
#define XS_CG_VALUE(word)   ((word) & 0x3fffffffu)

/* A syscall record's details.  Entry: a = the first arguments; return: a[0] = retval. */
struct xs_cg_sys {
	int32_t cs_family;
	int32_t cs_number;
	uint32_t cs_kdebug;	/* entry */
	int32_t cs_error;	/* return: errno or kern_return_t */
	uint64_t cs_a[4];
};

/*
 * A record's time in nanoseconds (CLOCK_MONOTONIC, osl_absolute_time()):
 * cb_base_ns + cr_dt * cb_mult / 2^32, computed by the consumer (the bpf
 * program, the collector) in 64-bit arithmetic: dt < 2^32, so neither
 * product below overflows.
 */
#define XS_CG_NS(base_ns, mult, dt)                                              \
	((base_ns) + (((uint64_t)(dt) * ((mult) & 0xffffffffu)) >> 32) +          \
	 (uint64_t)(dt) * ((mult) >> 32))

struct xs_cg_batch {
	uint32_t cb_nrec;
	uint32_t cb_nsys;
	uint64_t cb_lost;	/* records this thread could not keep since the last batch */
	uint64_t cb_base;	/* ticks: the records' time origin (set when the batch starts) */
	uint64_t cb_base_ns;	/* cb_base in ns, set at hand-over */
	uint64_t cb_mult;	/* ns per tick, 32.32 fixed point, set at hand-over (0: no clock) */
	uint64_t cb_pad;
	struct xs_cg_sys cb_sys[XS_CG_MAX_SYS];
	struct xs_cg_rec cb_rec[XS_CG_MAX_REC];
};
_Static_assert(sizeof(struct xs_cg_rec) == 8, "xs_cg_rec ABI");
_Static_assert(sizeof(struct xs_cg_sys) == 48, "xs_cg_sys ABI");
_Static_assert(sizeof(struct xs_cg_batch) == 48 + 48 * XS_CG_MAX_SYS + 8 * XS_CG_MAX_REC &&
	       sizeof(struct xs_cg_batch) <= 32768, "xs_cg_batch ABI");

/* Hand the calling thread's batch over now (nothing if it is empty). */
void xs_trace_callgraph_flush(void);

/*
 * Routine:    xs_trace_set_handover
 * Purpose:    Let the current machine's threads keep their batches across
 *             traps until the first record is `ns` old (0: hand over at
 *             the end of every trap, the default).  Converted to clock
 *             ticks with the machine's calibration (measured now if none).
 * Returns:    0, or -1: no machine, or no usable clock (the age stays 0).
 */
int xs_trace_set_handover(uint64_t ns);

/*
 * kdebug_lookup: the kernel looked `path` up on behalf of the current trap
 * (XNU emits VFS_LOOKUP kdebug events from lookup()).  The inproc ring gets
 * the path as an XS_TREC_VFS_LOOKUP record, and the trap's batch is handed
 * over when the trap ends.
 */
void xs_trace_vfs_lookup(const char *path);
#if !defined(XS_NO_TRACE) && !defined(XS_KMOD)
#define XS_TRACE_VFS_LOOKUP(path)                                                \
	do {                                                                     \
		if (OSL_PROBE_ENABLED(syscall_callgraph))                        \
			xs_trace_vfs_lookup(path);                               \
	} while (0)
#else
#define XS_TRACE_VFS_LOOKUP(path) ((void)(path))	/* no batches here */
#endif

/*
 * Routine:    xs_trace_clock_calibrate
 * Purpose:    Measure the batch clock against osl_absolute_time() for `ms`
 *             milliseconds and store the result in the current machine,
 *             where every process converts its batches' times with it.  The
 *             collector calls it when a recording starts; a process that
 *             finds none measures for 2 ms itself.
 * Returns:    0, or -1: no machine, or no usable counter.
 */
int xs_trace_clock_calibrate(unsigned ms);

/* ---- The idle copy ---------------------------------------------------------- */

/*
 * Pin traps to the instrumented copy (on != 0) or let them use the idle
 * copy again (on == 0).  For white-box tests that patch xs_sysent[] or
 * xs_mach_trap_table[]: those are the instrumented copy's tables (the idle
 * copy has its own), so a patched slot is only reached there.
 */
void xs_trace_pin_instrumented(int on);

/*
 * XS_TRACE_TRAP(fn, args...): enter the trap front-end fn, or its idle copy
 * xs_idle__fn (declared with XS_TRACE_IDLE_DECLARE(fn)) while no semaphore
 * is raised: one cache line of loads, then a direct call.  Entering the
 * instrumented copy starts the thread's trap at depth 0.  Where the idle
 * copy is not linked in (the fuzzers), the platform defines xs_idle__fn as
 * a weak stand-in that calls fn.  The kernel module has no idle copy.
 */
#if !defined(XS_NO_TRACE) && !defined(XS_KMOD)
#define XS_TRACE_IDLE_DECLARE(fn) extern __typeof__(fn) xs_idle__##fn
#define XS_TRACE_TRAP(fn, ...)                                                   \
	do {                                                                     \
		if (__builtin_expect(!OSL_PROBE_ANY(), 1)) {                     \
			xs_idle__##fn(__VA_ARGS__);                              \
		} else {                                                         \
			xs_trace_trap_begin();                                   \
			fn(__VA_ARGS__);                                         \
		}                                                                \
	} while (0)
static inline void xs_trace_trap_begin(void)
{
	osl_trace_tls.ot_depth = 0;	/* leftovers of an interrupted recording */
}
#else
#define XS_TRACE_IDLE_DECLARE(fn) struct xs_trace_idle_unused_##fn
#define XS_TRACE_TRAP(fn, ...) fn(__VA_ARGS__)
#endif

#endif /* XS_KERN_XS_TRACE_H */
