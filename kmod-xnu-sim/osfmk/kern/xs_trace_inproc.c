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

#define XS_TRACE_RING_MIN (1ull << 8)	/* more than the largest batch entry */
_Static_assert(XS_TRACE_BATCH_MAX_SLOTS <= XS_TRACE_RING_MIN, "a batch entry fits the ring");
#define XS_TRACE_RING_MAX (1ull << 22)	/* 4M records, 608 MiB: most of an arena */

/*
 * Raise (delta 1) or lower (-1) this process's semaphores, the way a
 * uprobe with a reference counter does.  Library-private memory: only this
 * process sees the change (and its fork children, which copy it).
 */
static void xs_trace_inproc_semaphores(int delta)
{
#if !defined(XS_NO_TRACE) && !defined(XS_KMOD)
	/* Not func_* or syscall_*: the ring gets those in batches. */
	volatile unsigned short *const sems[] = {
		&OSL_PROBE_SEMAPHORE(syscall_callgraph),
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

/*
 * Claim k consecutive positions with one compare-and-swap.  Room is
 * measured against r_tail, which the consumer moves once per drain: the
 * consumer never writes the slots, so a producer filling them does not
 * first pull each line back from the consumer's cache.
 */
static struct xs_trace_slot *xs_trace_inproc_claim_n(struct xs_trace_ring *r, uint64_t k,
						     uint64_t *pos_out)
{
	uint64_t pos = __atomic_load_n(&r->r_head, __ATOMIC_RELAXED);

	if (k == 0 || k > r->r_nslots)
		return (struct xs_trace_slot *)0;
	do {
		if (pos + k - __atomic_load_n(&r->r_tail, __ATOMIC_ACQUIRE) > r->r_nslots)
			return (struct xs_trace_slot *)0;	/* full */
	} while (!__atomic_compare_exchange_n(&r->r_head, &pos, pos + k, true, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	*pos_out = pos;
	return &r->r_slot[pos & (r->r_nslots - 1)];
}

struct xs_trace_slot *xs_trace_inproc_claim(struct xs_trace_ring *r, uint64_t *pos_out)
{
	struct xs_trace_slot *s = xs_trace_inproc_claim_n(r, 1, pos_out);

	if (!s)
		__atomic_fetch_add(&r->r_drops, 1, __ATOMIC_RELAXED);
	return s;
}

void xs_trace_inproc_publish(struct xs_trace_slot *s, uint64_t pos)
{
	s->ts_cont = 0;
	__atomic_store_n(&s->ts_seq, pos + 1, __ATOMIC_RELEASE);
}

/*
 * The payload is one byte stream: from XS_TRACE_BATCH_HEAD_BYTES into the
 * header's record, then the continuation slots' records whole.  Copy len
 * bytes of it at *off.
 */
static void xs_trace_inproc_fill(struct xs_trace_ring *r, uint64_t pos, uint64_t *off,
				 const void *src, uint64_t len)
{
	const uint64_t mask = r->r_nslots - 1;
	const char *p = src;

	while (len) {
		uint64_t o = *off + XS_TRACE_BATCH_HEAD_BYTES;
		uint64_t at = o % XS_TRACE_BATCH_SLOT_BYTES, n = XS_TRACE_BATCH_SLOT_BYTES - at;
		struct xs_trace_slot *s = &r->r_slot[(pos + o / XS_TRACE_BATCH_SLOT_BYTES) & mask];

		if (n > len)
			n = len;
		xs_memcpy((char *)&s->ts_rec + at, p, n);
		p += n;
		len -= n;
		*off += n;
	}
}

/* Slots for a payload of `bytes`, header included. */
static inline uint64_t xs_trace_inproc_slots(uint64_t bytes)
{
	return (XS_TRACE_BATCH_HEAD_BYTES + bytes + XS_TRACE_BATCH_SLOT_BYTES - 1) /
	       XS_TRACE_BATCH_SLOT_BYTES;
}

/*
 * Records [from, to) of b as one ring entry, times relative to the first.
 * The caller made sure they fit in 32 bits.
 */
static void xs_trace_inproc_put_run(struct xs_trace_ring *r, const struct xs_trace_record *hdr,
				    const struct xs_cg_batch *b, uint32_t from, uint32_t to)
{
	const uint64_t mask = r->r_nslots - 1;
	uint64_t sys = (uint64_t)b->cb_nsys * sizeof(b->cb_sys[0]);
	uint64_t bytes = sys + (uint64_t)(to - from) * sizeof(struct xs_trace_crec);
	uint64_t k = xs_trace_inproc_slots(bytes), pos, off = 0, base = b->cb_rec[from].cr_ts;
	struct xs_trace_slot *h = xs_trace_inproc_claim_n(r, k, &pos);
	struct xs_trace_crec buf[32];

	if (!h) {
		__atomic_fetch_add(&r->r_drops, to - from, __ATOMIC_RELAXED);
		return;
	}
	xs_memcpy(&h->ts_rec, hdr, XS_TRACE_BATCH_HEAD_BYTES);
	h->ts_rec.tr_ts_ns = base;
	h->ts_rec.tr_id = (int32_t)k;
	h->ts_rec.tr_kdebug = to - from;
	/* tr_host_tid's place is payload: the host tid rides in tr_a[1] */
	h->ts_rec.tr_a[1] = bytes | (uint64_t)hdr->tr_host_tid << 32;
	xs_trace_inproc_fill(r, pos, &off, b->cb_sys, sys);
	for (uint32_t i = from; i < to;) {	/* compacted through a small buffer */
		uint32_t n = 0;

		for (; i < to && n < XS_ARRAY_SIZE(buf); i++, n++) {
			const struct xs_cg_rec *c = &b->cb_rec[i];
			uint32_t v = c->cr_kind >= XS_CG_SYS_ENTRY ? c->cr_sys : c->cr_id;

			buf[n].cc_dt = (uint32_t)(c->cr_ts - base);
			buf[n].cc_word = (uint32_t)(c->cr_kind - 1) << 30 | (v & 0x3fffffffu);
		}
		xs_trace_inproc_fill(r, pos, &off, buf, n * sizeof(buf[0]));
	}
	for (uint64_t i = 1; i < k; i++) {	/* continuation slots first, the header last */
		struct xs_trace_slot *s = &r->r_slot[(pos + i) & mask];

		s->ts_cont = 1;
		__atomic_store_n(&s->ts_seq, pos + i + 1, __ATOMIC_RELEASE);
	}
	xs_trace_inproc_publish(h, pos);
}

void xs_trace_inproc_put_batch(struct xs_trace_ring *r, uint32_t machine, int32_t pid,
			       uint64_t tid, uint32_t host_tid, const struct xs_cg_batch *b)
{
	struct xs_trace_record hdr;
	uint32_t from = 0;

	xs_memset(&hdr, 0, sizeof(hdr));
	hdr.tr_tid = tid;
	hdr.tr_type = XS_TREC_BATCH;
	hdr.tr_machine = machine;
	hdr.tr_pid = pid;
	hdr.tr_family = (int32_t)b->cb_nsys;
	hdr.tr_a[0] = b->cb_lost;
	hdr.tr_host_tid = host_tid;
	/* One entry per run of records within 4.29 s of its first (a long trap splits). */
	for (uint32_t i = 1; i <= b->cb_nrec; i++) {
		if (i < b->cb_nrec && b->cb_rec[i].cr_ts - b->cb_rec[from].cr_ts <= 0xffffffffull)
			continue;
		xs_trace_inproc_put_run(r, &hdr, b, from, i);
		hdr.tr_a[0] = 0;
		from = i;
	}
}

/*
 * Free k slots from the tail on; returns the new tail.  Slots are free by
 * the tail alone (r_tail is published once per drain): a slot's old
 * sequence word cannot look published for its next lap, pos + 1.
 */
static uint64_t xs_trace_inproc_release(struct xs_trace_ring *r, uint64_t tail, uint64_t k)
{
	(void)r;
	return tail + k;
}

uint64_t xs_trace_inproc_consume(struct xs_trace_ring *r, struct xs_trace_record *out,
				 uint64_t max, int force)
{
	const uint64_t mask = r->r_nslots - 1;
	uint64_t tail = r->r_tail, got = 0, k;

	while (got < max) {
		struct xs_trace_slot *s = &r->r_slot[tail & mask];
		uint64_t seq = __atomic_load_n(&s->ts_seq, __ATOMIC_ACQUIRE);

		if (seq != tail + 1) {
			/* Not published.  Claimed by a producer that is gone? */
			if (!force || __atomic_load_n(&r->r_head, __ATOMIC_RELAXED) <= tail)
				break;
			__atomic_fetch_add(&r->r_drops, 1, __ATOMIC_RELAXED);
			tail = xs_trace_inproc_release(r, tail, 1);
			continue;
		}
		if (s->ts_cont) {	/* a batch whose header was skipped */
			__atomic_fetch_add(&r->r_drops, 1, __ATOMIC_RELAXED);
			tail = xs_trace_inproc_release(r, tail, 1);
			continue;
		}
		k = s->ts_rec.tr_type == XS_TREC_BATCH ? (uint64_t)(uint32_t)s->ts_rec.tr_id : 1;
		if (k == 0 || k > r->r_nslots) {	/* corrupt: skip the header */
			__atomic_fetch_add(&r->r_drops, 1, __ATOMIC_RELAXED);
			tail = xs_trace_inproc_release(r, tail, 1);
			continue;
		}
		if (got + k > max)
			break;		/* the whole entry, next time */
		for (uint64_t i = 0; i < k; i++)	/* published before the header */
			xs_memcpy(&out[got + i], &r->r_slot[(tail + i) & mask].ts_rec,
				  sizeof(*out));
		got += k;
		tail = xs_trace_inproc_release(r, tail, k);
	}
	__atomic_store_n(&r->r_tail, tail, __ATOMIC_RELEASE);
	return got;
}
