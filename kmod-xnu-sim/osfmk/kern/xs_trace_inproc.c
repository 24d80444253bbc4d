/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xs_trace_inproc.c: the tracepoints' shared-memory ring for the collector's
 * inproc backend (xs_trace_inproc.h).  Lock-free: producers claim a slot
 * with one compare-and-swap on r_head and publish it with a release store
 * of its sequence word; the single consumer reads in order.  Corresponds
 * in spirit to XNU's bsd/kern/kdebug.c trace buffers.
 */
#include "kmod-xnu-sim/osfmk/kern/xs_trace_inproc.h"

#include "kmod-xnu-sim/osfmk/kern/kern_types.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osl/osl.h"

#define XS_TRACE_RING_MIN (1ull << 6)
#define XS_TRACE_RING_MAX (1ull << 22)	/* 4M records, 608 MiB: most of an arena */

/*
 * Raise (delta 1) or lower (-1) this process's semaphores, the way a
 * uprobe with a reference counter does.  Library-private memory: only this
 * process sees the change (and its fork children, which copy it).
 */
static void xs_trace_inproc_semaphores(int delta)
{
#if !defined(XS_NO_TRACE) && !defined(XS_KMOD)
	volatile unsigned short *const sems[] = {
		&OSL_PROBE_SEMAPHORE(syscall_entry), &OSL_PROBE_SEMAPHORE(syscall_return),
		&OSL_PROBE_SEMAPHORE(func_entry),    &OSL_PROBE_SEMAPHORE(func_return),
		&OSL_PROBE_SEMAPHORE(proc_create),   &OSL_PROBE_SEMAPHORE(proc_exec),
		&OSL_PROBE_SEMAPHORE(proc_exit),     &OSL_PROBE_SEMAPHORE(msg_send),
		&OSL_PROBE_SEMAPHORE(msg_receive),   &OSL_PROBE_SEMAPHORE(vm_map_change),
	};

	for (size_t i = 0; i < XS_ARRAY_SIZE(sems); i++)
		__atomic_fetch_add(sems[i], (unsigned short)delta, __ATOMIC_RELAXED);
#else
	(void)delta;
#endif
}

struct xs_trace_ring *xs_trace_inproc_ring(void)
{
	struct xs_machine *m = osl_machine();
	struct xs_trace_ring *r;

	if (!m)
		return (struct xs_trace_ring *)0;
	r = __atomic_load_n(&m->m_trace_ring, __ATOMIC_ACQUIRE);
	if (!r || !__atomic_load_n(&r->r_enabled, __ATOMIC_RELAXED))
		return (struct xs_trace_ring *)0;
	return r;
}

struct xs_trace_ring *xs_trace_inproc_enable(uint64_t nslots)
{
	struct xs_machine *m = osl_machine();
	struct xs_trace_ring *r;
	uint64_t n = XS_TRACE_RING_MIN, bytes, pages;

	if (!m || m->m_trace_ring)
		return (struct xs_trace_ring *)0;
	while (n < nslots && n < XS_TRACE_RING_MAX)
		n <<= 1;
	bytes = sizeof(struct xs_trace_ring) + n * sizeof(struct xs_trace_slot);
	pages = (bytes + OSL_PAGE_SIZE - 1) / OSL_PAGE_SIZE;
	r = osl_pages_alloc(pages);	/* zero-filled */
	if (!r)
		return (struct xs_trace_ring *)0;
	r->r_magic = XS_TRACE_RING_MAGIC;
	r->r_version = XS_TRACE_RING_VERSION;
	r->r_nslots = n;
	r->r_npages = pages;
	for (uint64_t i = 0; i < n; i++)
		r->r_slot[i].ts_seq = i;
	__atomic_store_n(&r->r_enabled, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&m->m_trace_ring, r, __ATOMIC_RELEASE);
	xs_trace_inproc_semaphores(1);
	return r;
}

void xs_trace_inproc_disable(void)
{
	struct xs_machine *m = osl_machine();
	struct xs_trace_ring *r = m ? m->m_trace_ring : (struct xs_trace_ring *)0;

	if (r && __atomic_exchange_n(&r->r_enabled, 0, __ATOMIC_SEQ_CST))
		xs_trace_inproc_semaphores(-1);
}

void xs_trace_inproc_free(struct xs_trace_ring *r)
{
	struct xs_machine *m = osl_machine();

	if (!r)
		return;
	xs_trace_inproc_disable();
	if (m && m->m_trace_ring == r)
		__atomic_store_n(&m->m_trace_ring, (struct xs_trace_ring *)0, __ATOMIC_SEQ_CST);
	osl_pages_free(r, r->r_npages);
}

void xs_trace_inproc_process_attach(void)
{
	if (xs_trace_inproc_ring())
		xs_trace_inproc_semaphores(1);
}

struct xs_trace_slot *xs_trace_inproc_claim(struct xs_trace_ring *r, uint64_t *pos_out)
{
	uint64_t pos = __atomic_load_n(&r->r_head, __ATOMIC_RELAXED);
	const uint64_t mask = r->r_nslots - 1;

	for (;;) {
		struct xs_trace_slot *s = &r->r_slot[pos & mask];
		uint64_t seq = __atomic_load_n(&s->ts_seq, __ATOMIC_ACQUIRE);
		int64_t dif = (int64_t)(seq - pos);

		if (dif == 0) {
			if (__atomic_compare_exchange_n(&r->r_head, &pos, pos + 1, true,
							__ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
				*pos_out = pos;
				return s;
			}
			/* lost the race: pos now holds the current head */
		} else if (dif < 0) {
			/* The slot still holds an unread record: the ring is full. */
			__atomic_fetch_add(&r->r_drops, 1, __ATOMIC_RELAXED);
			return (struct xs_trace_slot *)0;
		} else {
			pos = __atomic_load_n(&r->r_head, __ATOMIC_RELAXED);
		}
	}
}

void xs_trace_inproc_publish(struct xs_trace_slot *s, uint64_t pos)
{
	__atomic_store_n(&s->ts_seq, pos + 1, __ATOMIC_RELEASE);
}

uint64_t xs_trace_inproc_consume(struct xs_trace_ring *r, struct xs_trace_record *out,
				 uint64_t max, int force)
{
	const uint64_t mask = r->r_nslots - 1;
	uint64_t tail = r->r_tail, got = 0;

	while (got < max) {
		struct xs_trace_slot *s = &r->r_slot[tail & mask];
		uint64_t seq = __atomic_load_n(&s->ts_seq, __ATOMIC_ACQUIRE);

		if (seq != tail + 1) {
			/* Not published.  Claimed by a producer that is gone? */
			if (!force || __atomic_load_n(&r->r_head, __ATOMIC_RELAXED) <= tail)
				break;
			__atomic_fetch_add(&r->r_drops, 1, __ATOMIC_RELAXED);
		} else {
			xs_memcpy(&out[got++], &s->ts_rec, sizeof(*out));
		}
		__atomic_store_n(&s->ts_seq, tail + r->r_nslots, __ATOMIC_RELEASE);
		tail++;
	}
	__atomic_store_n(&r->r_tail, tail, __ATOMIC_RELEASE);
	return got;
}
