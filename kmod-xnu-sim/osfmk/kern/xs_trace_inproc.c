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
 * Stores past the cache where the host has them (x86_64: movnti, and
 * movntdq outside the kernel module, which keeps off the vector
 * registers), for the continuation slots: the consumer reads them long
 * after, on another core, so pulling their lines into this core's cache
 * first (a read for ownership per line) would only cost.
 * xs_trace_stream_fence orders them before the header's publication.
 */
static inline void xs_trace_stream64(uint64_t *dst, uint64_t v)
{
#if defined(__x86_64__)
	__asm__ volatile("movnti %1, %0" : "=m"(*dst) : "r"(v));
#else
	*dst = v;
#endif
}

/* n bytes (a multiple of 8) from src to dst, both 8-byte aligned. */
static inline void xs_trace_stream(uint64_t *dst, const uint64_t *src, uint64_t n)
{
	uint64_t w = 0, words = n / 8;

#if defined(__x86_64__) && defined(__SSE2__) && !defined(XS_KMOD)
	typedef long long xs_v2di __attribute__((vector_size(16), aligned(8)));

	if (words && ((uintptr_t)dst & 15)) {
		xs_trace_stream64(dst, src[0]);
		w = 1;
	}
	for (; w + 2 <= words; w += 2) {
		xs_v2di v = *(const xs_v2di *)(const void *)&src[w];

		__asm__ volatile("movntdq %1, %0" : "=m"(*(xs_v2di *)(void *)&dst[w]) : "x"(v));
	}
#endif
	for (; w < words; w++)
		xs_trace_stream64(&dst[w], src[w]);
}

static inline void xs_trace_stream_fence(void)
{
#if defined(__x86_64__)
	__asm__ volatile("sfence" ::: "memory");
#endif
}

/*
 * The payload is one byte stream: from XS_TRACE_BATCH_HEAD_BYTES into the
 * header's record, then the continuation slots' records whole.  Copy len
 * bytes of it at *off (len and *off multiples of 8); a continuation slot
 * gets its sequence word and mark when its first byte is written.
 */
static void xs_trace_inproc_fill(struct xs_trace_ring *r, uint64_t pos, uint64_t *off,
				 const void *src, uint64_t len)
{
	const uint64_t mask = r->r_nslots - 1;
	const uint64_t *p = src;

	while (len) {
		uint64_t o = *off + XS_TRACE_BATCH_HEAD_BYTES, i = o / XS_TRACE_BATCH_SLOT_BYTES;
		uint64_t at = o % XS_TRACE_BATCH_SLOT_BYTES, n = XS_TRACE_BATCH_SLOT_BYTES - at;
		struct xs_trace_slot *s = &r->r_slot[(pos + i) & mask];
		uint64_t *d = (uint64_t *)((char *)&s->ts_rec + at);

		if (n > len)
			n = len;
		if (i == 0) {
			xs_memcpy(d, p, n);
		} else {
			if (at == 0) {
				xs_trace_stream64(&s->ts_seq, pos + i + 1);
				xs_trace_stream64(&s->ts_cont, 1);
			}
			xs_trace_stream(d, p, n);
		}
		p += n / 8;
		len -= n;
		*off += n;
	}
}

/*
 * Map the ring's next stretch into this process ahead of the writes: a
 * producer's first write to a ring page it has not mapped yet takes a
 * write fault (~1 us here), mapping a stretch at once costs a quarter of
 * that per page.  Once per XS_TRACE_PREFAULT_BYTES written.
 */
#define XS_TRACE_PREFAULT_BYTES (256u << 10)

static void xs_trace_inproc_prefault(struct xs_trace_ring *r, uint64_t pos, uint64_t k)
{
#if !defined(XS_NO_TRACE) && !defined(XS_KMOD)
	const uint64_t mask = r->r_nslots - 1, sz = sizeof(r->r_slot[0]);
	uint64_t first = (pos & mask) * sz, end = ((pos + k - 1) & mask) * sz + sz;
	uint64_t ring = r->r_nslots * sz, next;

	if (first / XS_TRACE_PREFAULT_BYTES == (end - 1) / XS_TRACE_PREFAULT_BYTES &&
	    end > first)
		return;		/* no stretch begun */
	next = ((end - 1) / XS_TRACE_PREFAULT_BYTES + 1) * XS_TRACE_PREFAULT_BYTES;
	if (next >= ring)
		next = 0;	/* the ring wraps */
	osl_trace_prefault((char *)r->r_slot + next,
			   ring - next < XS_TRACE_PREFAULT_BYTES ? ring - next
								 : XS_TRACE_PREFAULT_BYTES);
#else
	(void)r;
	(void)pos;
	(void)k;
#endif
}

/* Slots for a payload of `bytes`, header included. */
static inline uint64_t xs_trace_inproc_slots(uint64_t bytes)
{
	return (XS_TRACE_BATCH_HEAD_BYTES + bytes + XS_TRACE_BATCH_SLOT_BYTES - 1) /
	       XS_TRACE_BATCH_SLOT_BYTES;
}

void xs_trace_inproc_put_batch(struct xs_trace_ring *r, uint32_t machine, int32_t pid,
			       uint64_t tid, uint32_t host_tid, const struct xs_cg_batch *b)
{
	uint64_t sys = (uint64_t)b->cb_nsys * sizeof(b->cb_sys[0]);
	uint64_t bytes = sys + (uint64_t)b->cb_nrec * sizeof(b->cb_rec[0]);
	uint64_t k = xs_trace_inproc_slots(bytes), pos, off = 0;
	struct xs_trace_slot *h = xs_trace_inproc_claim_n(r, k, &pos);
	struct xs_trace_record *hr;

	if (!h) {
		__atomic_fetch_add(&r->r_drops, b->cb_nrec, __ATOMIC_RELAXED);
		return;
	}
	hr = &h->ts_rec;
	hr->tr_ts_ns = b->cb_base_ns;
	hr->tr_tid = tid;
	hr->tr_type = XS_TREC_BATCH;
	hr->tr_machine = machine;
	hr->tr_pid = pid;
	hr->tr_family = (int32_t)b->cb_nsys;
	hr->tr_id = (int32_t)k;
	hr->tr_kdebug = b->cb_nrec;
	hr->tr_a[0] = b->cb_lost;
	/* tr_host_tid's place is payload: the host tid rides in tr_a[1] */
	hr->tr_a[1] = bytes | (uint64_t)host_tid << 32;
	hr->tr_a[2] = b->cb_mult;
	xs_trace_inproc_prefault(r, pos, k);
	xs_trace_inproc_fill(r, pos, &off, b->cb_sys, sys);
	xs_trace_inproc_fill(r, pos, &off, b->cb_rec, bytes - sys);
	xs_trace_stream_fence();	/* continuation slots first, the header last */
	xs_trace_inproc_publish(h, pos);
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
