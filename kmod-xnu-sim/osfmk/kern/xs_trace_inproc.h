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
 * single-consumer (the collector): a bounded queue of slots.  Producers
 * claim positions with a compare-and-swap on r_head, room measured against
 * r_tail, and publish each slot with its sequence word; the consumer reads
 * in order and moves r_tail once per drain, never writing a slot.  A
 * producer that finds the ring full drops its record (a batch: all of it)
 * and counts it; it never waits.
 *
 * Enabling: a probe site is "if (semaphore) fire()".  Rather than add a
 * second test to every site (the idle cost), a process of a machine whose
 * ring is on raises the semaphores of what the ring carries by one when it
 * joins the machine, just as the kernel's uprobes raise them by one per
 * attached tracer: syscall_callgraph and the lifecycle, message and VM
 * probes.  So OSL_PROBE_ENABLED(name) reads "semaphore != 0 || inproc
 * enabled" with the same single load; the fire functions then check the
 * ring.
 *
 * What the ring carries: one record per lifecycle, message or VM event, and
 * one entry per call-graph batch (xs_trace.h, struct xs_cg_batch): a header
 * record of type XS_TREC_BATCH and continuation slots, claimed together
 * with one compare-and-swap.  Header: tr_ts_ns = the batch's time origin
 * (cb_base_ns), tr_id = slots of the entry (header included), tr_kdebug =
 * records, tr_family = syscall details, tr_a[0] = records the thread lost
 * before the batch, tr_a[1] = payload bytes | host tid << 32 (tr_host_tid's
 * place is payload), tr_a[2] = the ticks' rate (cb_mult).  The payload is
 * one byte stream, from byte XS_TRACE_BATCH_HEAD_BYTES of the header's
 * record on through the continuation slots' records: cb_sys[0..nsys), then
 * cb_rec[0..nrec) as the thread wrote them (8 bytes each, times in ticks
 * after the origin: XS_CG_NS), so the hand-over is two copies and a trap
 * of ~30 events takes three slots.
 *
 * The record is layout-identical to struct xt_event (bpf/xnutrace.h): the
 * core must not include bpf/, so the collector checks the equivalence with
 * _Static_assert.
 */
#ifndef XS_KERN_XS_TRACE_INPROC_H
#define XS_KERN_XS_TRACE_INPROC_H

#include <stdint.h>

#define XS_TRACE_RING_MAGIC   0x474e49525f535858ull	/* "XXS_RING" */
#define XS_TRACE_RING_VERSION 4
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
#define XS_TREC_BATCH          11	/* a call-graph batch: see above */
#define XS_TREC_VFS_LOOKUP     12	/* tr_str: a path the kernel looked up (xs_trace_vfs_lookup) */

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
	uint64_t ts_seq;		/* == pos + 1: published for position pos */
	uint64_t ts_cont;		/* 1: a batch's continuation slot, not a record */
	struct xs_trace_record ts_rec;
};

#define XS_TRACE_BATCH_SLOT_BYTES sizeof(struct xs_trace_record)
#define XS_TRACE_BATCH_HEAD_BYTES 64	/* of the header's record: up to tr_a[3] */
_Static_assert(__builtin_offsetof(struct xs_trace_record, tr_a[3]) == XS_TRACE_BATCH_HEAD_BYTES,
	       "batch header");

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

struct xs_cg_batch;
/*
 * One call-graph batch (stamped: cb_base_ns and cb_mult set) as one ring
 * entry.  A full ring drops it whole and counts its records as drops.
 */
void xs_trace_inproc_put_batch(struct xs_trace_ring *r, uint32_t machine, int32_t pid,
			       uint64_t tid, uint32_t host_tid, const struct xs_cg_batch *b);

/* The most slots one batch entry takes: consume with at least this much room. */
#define XS_TRACE_BATCH_MAX_SLOTS                                                 \
	((XS_TRACE_BATCH_HEAD_BYTES + 48 * XS_CG_MAX_SYS + 8 * XS_CG_MAX_REC +    \
	  XS_TRACE_BATCH_SLOT_BYTES - 1) / XS_TRACE_BATCH_SLOT_BYTES)

/*
 * Consumer side (one consumer): copy up to max records into out, a batch
 * entry whole (its header, then its continuation slots' records) or not
 * at all (max >= XS_TRACE_BATCH_MAX_SLOTS always makes progress).  With
 * force, a slot claimed but never published (its producer died) is skipped
 * and counted as a drop, so a final drain cannot wedge.
 * Returns the number of records copied.
 */
uint64_t xs_trace_inproc_consume(struct xs_trace_ring *r, struct xs_trace_record *out,
				 uint64_t max, int force);

#endif /* XS_KERN_XS_TRACE_INPROC_H */
