/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * xnutrace.h: the data ABI between the BPF programs (bpf/<name>.bpf.c) and the
 * collector.  Data only: it includes nothing; each side includes its own
 * type source first (vmlinux.h in BPF code, <linux/types.h> in user code),
 * and the collector guards every layout with _Static_assert.
 *
 * The same records are what the inproc backend's shared-memory ring
 * carries, so both backends feed the collector one event format.
 */
#ifndef XT_BPF_XNUTRACE_H
#define XT_BPF_XNUTRACE_H

#define XT_MAX_DEPTH     48	/* shadow call stack depth per thread */
#define XT_HIST_SLOTS    32	/* log2 latency buckets, nanoseconds */
#define XT_STR_LEN       64	/* exec path in an event (truncated) */
#define XT_MAX_CPU_DROPS 1

/* Families: the values of the probes' family argument (xs_trace.h). */
#define XT_FAMILY_BSD  1
#define XT_FAMILY_MACH 2
#define XT_FAMILY_MDEP 3
#define XT_FAMILY_DIAG 4

enum xt_event_type {
	XT_EV_SYSCALL_ENTRY = 1,
	XT_EV_SYSCALL_RETURN,
	XT_EV_FUNC_ENTRY,
	XT_EV_FUNC_RETURN,
	XT_EV_PROC_CREATE,	/* a0 = ppid, a1 = how (XS_PROC_CREATE_*) */
	XT_EV_PROC_EXEC,	/* str = path */
	XT_EV_PROC_EXIT,	/* a0 = wait status (Darwin encoding) */
	XT_EV_MSG_SEND,		/* a0 = port object id, a1 = msgh_id, a2 = size */
	XT_EV_MSG_RECEIVE,
	XT_EV_VM_MAP_CHANGE,	/* a0 = op, a1 = addr, a2 = size, a3 = prot */
};

/*
 * One ordered event.  syscall entry: a0..a3 = the first arguments;
 * syscall return: a0 = retval, a1 = errno or kern_return_t; func entry and
 * return: id = function id (registry).  For syscalls id = number (BSD n,
 * Mach -n) and family is set.
 */
struct xt_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns / CLOCK_MONOTONIC */
	__u64 tid;		/* simulated thread id */
	__u32 type;		/* enum xt_event_type */
	__u32 machine;
	__s32 pid;		/* simulated pid */
	__s32 family;		/* syscall events; 0 otherwise */
	__s32 id;		/* syscall number or function id */
	__u32 kdebug;		/* syscall entry: kdebug id */
	__u64 a[4];
	__u32 host_tid;
	__u32 depth;		/* shadow-stack depth after an entry / before a return */
	char str[XT_STR_LEN];
};

/*
 * Call-graph edges, aggregated in place.  A node is a function id; the root
 * of every stack is its syscall, encoded as a pseudo-function id:
 * XT_ROOT_ID(family, number) (high bit set, never a registry id).  caller 0
 * marks a root's own entry (the syscall as a whole).
 */
#define XT_ROOT_BIT 0x80000000u
#define XT_ROOT_ID(family, number) \
	(XT_ROOT_BIT | ((__u32)(family) << 24) | ((__u32)(number) & 0xffffffu))

struct xt_edge_key {
	__u32 caller;		/* function id, root id, or 0 */
	__u32 callee;		/* function id or root id */
	__u32 root;		/* the syscall this call happened under */
	__s32 pid;		/* per-process totals; -1 when aggregated */
};

struct xt_edge_val {
	__u64 calls;
	__u64 incl_ns;		/* time in callee including its callees */
	__u64 self_ns;		/* time in callee minus its callees */
};

/* Per (family, number): counts and a log2 latency histogram. */
struct xt_sys_key {
	__s32 family;
	__s32 number;
};

struct xt_sys_val {
	__u64 count;
	__u64 errors;
	__u64 total_ns;
	__u64 hist[XT_HIST_SLOTS];	/* slot k: [2^k, 2^(k+1)) ns */
};

/*
 * The batched call graph (xnu:syscall_callgraph; docs/tracepoints.md): what
 * one thread did since its last hand-over, in order.  The probe's records
 * argument points at a struct xt_cg_head in the workload's memory, followed
 * by nrecords struct xt_cg_rec.  The simulator's struct xs_cg_batch
 * (osfmk/kern/xs_trace.h) has this layout; the inproc ring carries the
 * same bytes (the collector checks both with _Static_assert).
 */
#define XT_CG_MAX_SYS    256	/* syscall details per batch: a power of two */
#define XT_CG_ENTRY      1	/* function entry: the word's value is the function id */
#define XT_CG_RETURN     2	/* function return */
#define XT_CG_SYS_ENTRY  3	/* syscall entry: the value is its slot in xt_cg_head.sys */
#define XT_CG_SYS_RETURN 4	/* syscall return */

/* One record: its time in clock ticks after the batch's origin, and what. */
struct xt_cg_rec {
	__u32 dt;		/* ns = XT_CG_NS(head.base_ns, head.mult, dt) */
	__u32 word;		/* (XT_CG_* - 1) << 30 | value */
};
#define XT_CG_KIND(word)  (((word) >> 30) + 1)
#define XT_CG_VALUE(word) ((word) & 0x3fffffffu)
/* dt < 2^32: neither product overflows 64 bits. */
#define XT_CG_NS(base_ns, mult, dt)                                              \
	((base_ns) + (((__u64)(dt) * ((mult) & 0xffffffffu)) >> 32) +             \
	 (__u64)(dt) * ((mult) >> 32))

struct xt_cg_sys {
	__s32 family;
	__s32 number;
	__u32 kdebug;		/* entry */
	__s32 error;		/* return: errno or kern_return_t */
	__u64 a[4];		/* entry: the first arguments; return: a[0] = retval */
};

struct xt_cg_head {
	__u32 nrec;
	__u32 nsys;
	__u64 lost;		/* records the thread could not keep before this batch */
	__u64 base;		/* the origin in clock ticks (the simulator's own use) */
	__u64 base_ns;		/* the origin, CLOCK_MONOTONIC ns */
	__u64 mult;		/* ns per tick, 32.32 fixed point (0: no clock, order only) */
	__u64 pad;
	struct xt_cg_sys sys[XT_CG_MAX_SYS];
	/* struct xt_cg_rec rec[nrec] follows */
};

/* Indices of the drops counter (per-CPU array): every place data is lost. */
enum xt_drop {
	XT_DROP_RINGBUF = 0,	/* ring buffer full */
	XT_DROP_STACK_OVERFLOW,	/* deeper than XT_MAX_DEPTH */
	XT_DROP_STACK_UNDERFLOW,	/* a return without its entry */
	XT_DROP_MAP_FULL,	/* an aggregation map was full */
	XT_DROP_MAX,
};

#endif /* XT_BPF_XNUTRACE_H */
