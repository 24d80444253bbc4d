/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xs_trace_inproc.h: the in-process transport of the tracepoints, for the
 * collector's unprivileged "inproc" backend.  When a collector asks for it,
 * every probe site of a machine also writes one record into a ring that
 * lives in the machine's arena; the collector (which hosts launchd, so it
 * maps the arena) drains it.  No XNU counterpart: XNU's kdebug keeps its
 * trace buffer in the kernel the same way (bsd/kern/kdebug.c, kd_bufs).
 *
 * The ring is multi-producer (every thread of every process of the machine),
 * single-consumer (the collector): a bounded queue of slots, each with a
 * sequence word (Vyukov's scheme).  A producer that finds the ring full drops
 * its record and counts it; it never waits.
 *
 * Enabling: a probe site is "if (semaphore) fire()".  Rather than add a
 * second test to every site (the idle cost), a process of a machine whose
 * ring is on raises every USDT semaphore by one when it joins the machine,
 * just as the kernel's uprobes raise them by one per attached tracer.  So
 * OSL_PROBE_ENABLED(name) reads "semaphore != 0 || inproc enabled" with the
 * same single load; the fire functions then check the ring.
 *
 * The record is layout-identical to struct xt_event (bpf/xnutrace.h): the
 * core must not include bpf/, so the collector checks the equivalence with
 * _Static_assert.
 */
#ifndef XS_KERN_XS_TRACE_INPROC_H
#define XS_KERN_XS_TRACE_INPROC_H

#include <stdint.h>

#define XS_TRACE_RING_MAGIC   0x474e49525f535858ull	/* "XXS_RING" */
#define XS_TRACE_RING_VERSION 1
#define XS_TRACE_STR_LEN      64

/* Record types: the values of enum xt_event_type. */
#define XS_TREC_SYSCALL_ENTRY  1
#define XS_TREC_SYSCALL_RETURN 2
#define XS_TREC_FUNC_ENTRY     3
#define XS_TREC_FUNC_RETURN    4
#define XS_TREC_PROC_CREATE    5
#define XS_TREC_PROC_EXEC      6
#define XS_TREC_PROC_EXIT      7
#define XS_TREC_MSG_SEND       8
#define XS_TREC_MSG_RECEIVE    9
#define XS_TREC_VM_MAP_CHANGE  10

/* One event; the same bytes as struct xt_event. */
struct xs_trace_record {
	uint64_t tr_ts_ns;		/* osl_absolute_time(): CLOCK_MONOTONIC */
	uint64_t tr_tid;		/* simulated thread id */
	uint32_t tr_type;		/* XS_TREC_* */
	uint32_t tr_machine;
	int32_t tr_pid;
	int32_t tr_family;
	int32_t tr_id;			/* syscall number or function id */
	uint32_t tr_kdebug;
	uint64_t tr_a[4];
	uint32_t tr_host_tid;
	uint32_t tr_depth;		/* always 0 here: the consumer keeps the stacks */
	char tr_str[XS_TRACE_STR_LEN];
};
_Static_assert(sizeof(struct xs_trace_record) == 144, "xs_trace_record ABI changed");

struct xs_trace_slot {
	uint64_t ts_seq;		/* == pos: free; == pos + 1: published */
	uint64_t ts_pad;
	struct xs_trace_record ts_rec;
};

/* Arena-resident; every counter on its own cache line. */
struct xs_trace_ring {
	uint64_t r_magic;
	uint32_t r_version;
	uint32_t r_enabled;		/* producers write only while set */
	uint64_t r_nslots;		/* a power of two */
	uint64_t r_npages;		/* arena pages of this ring, header included */
	uint64_t r_pad0[4];
	uint64_t r_head __attribute__((aligned(64)));	/* next position to claim */
	uint64_t r_tail __attribute__((aligned(64)));	/* next position to read */
	uint64_t r_drops __attribute__((aligned(64)));	/* records lost: ring full */
	uint64_t r_pad1;
	struct xs_trace_slot r_slot[] __attribute__((aligned(64)));
};

/*
 * Routine:    xs_trace_inproc_enable
 * Purpose:    Give the current machine a ring of nslots records (rounded up
 *             to a power of two) and turn it on; raise this process's
 *             semaphores.  Processes that join the machine afterwards raise
 *             theirs (xs_trace_inproc_process_attach).
 * Conditions: The caller is attached to a machine.
 * Returns:    the ring (arena memory, owned by the machine until
 *             xs_trace_inproc_free), or NULL: no machine, already enabled,
 *             or no arena memory.
 */
struct xs_trace_ring *xs_trace_inproc_enable(uint64_t nslots);

/* Stop producers (records in flight may still be published). */
void xs_trace_inproc_disable(void);

/* Disable, detach the ring from the machine and free its pages. */
void xs_trace_inproc_free(struct xs_trace_ring *r);

/*
 * A process joined the current machine (attach, or exec's re-attach): raise
 * its semaphores if the machine's ring is on.  Fork children inherit the
 * raised semaphores with the rest of their parent's memory.
 */
void xs_trace_inproc_process_attach(void);

/* The current machine's ring if on, else NULL (the fire functions' test). */
struct xs_trace_ring *xs_trace_inproc_ring(void);

/*
 * Producer side, used by the fire functions: claim a slot (NULL when the
 * ring is full: the drop is counted), fill slot->ts_rec, then publish.
 */
struct xs_trace_slot *xs_trace_inproc_claim(struct xs_trace_ring *r, uint64_t *pos);
void xs_trace_inproc_publish(struct xs_trace_slot *s, uint64_t pos);

/*
 * Consumer side (one consumer): copy up to max records into out.  With
 * force, a slot claimed but never published (its producer died) is skipped
 * and counted as a drop, so a final drain cannot wedge.  Returns the number
 * copied.
 */
uint64_t xs_trace_inproc_consume(struct xs_trace_ring *r, struct xs_trace_record *out,
				 uint64_t max, int force);

#endif /* XS_KERN_XS_TRACE_INPROC_H */
