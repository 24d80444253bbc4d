/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * backend_inproc.c: the unprivileged backend.  The simulated kernel's probe
 * sites write into a ring in the machine's arena (xs_trace_inproc.h); this
 * process hosts launchd, so it maps the arena and drains the ring.  Every
 * event goes to the caller's callback, which aggregates it in the model
 * through per-thread shadow stacks (xt_model__feed(ev, true)).  Syscall and
 * function events arrive in call-graph batches (one ring entry per
 * hand-over: xs_trace_inproc.h), unpacked here into the same ordered
 * events; the paths the kernel looked up are put on their syscall entries.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/backend_internal.h"
#include "collector/model.h"
#include "kmod-xnu-sim/include/xnusim/xnusim.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace_inproc.h"

/* The ring's record is struct xt_event, byte for byte. */
_Static_assert(sizeof(struct xs_trace_record) == sizeof(struct xt_event), "record size");
_Static_assert(__builtin_offsetof(struct xs_trace_record, tr_tid) ==
	       __builtin_offsetof(struct xt_event, tid), "tid");
_Static_assert(__builtin_offsetof(struct xs_trace_record, tr_type) ==
	       __builtin_offsetof(struct xt_event, type), "type");
_Static_assert(__builtin_offsetof(struct xs_trace_record, tr_pid) ==
	       __builtin_offsetof(struct xt_event, pid), "pid");
_Static_assert(__builtin_offsetof(struct xs_trace_record, tr_id) ==
	       __builtin_offsetof(struct xt_event, id), "id");
_Static_assert(__builtin_offsetof(struct xs_trace_record, tr_a) ==
	       __builtin_offsetof(struct xt_event, a), "a");
_Static_assert(__builtin_offsetof(struct xs_trace_record, tr_depth) ==
	       __builtin_offsetof(struct xt_event, depth), "depth");
_Static_assert(__builtin_offsetof(struct xs_trace_record, tr_str) ==
	       __builtin_offsetof(struct xt_event, str), "str");
_Static_assert(XS_TREC_VM_MAP_CHANGE == XT_EV_VM_MAP_CHANGE && XS_TREC_FUNC_ENTRY ==
	       XT_EV_FUNC_ENTRY, "record types");
_Static_assert(XS_FAMILY_BSD == XT_FAMILY_BSD && XS_FAMILY_MACH == XT_FAMILY_MACH, "families");
/* A batch is struct xt_cg_head + records, byte for byte (bpf/xnutrace.h). */
_Static_assert(sizeof(struct xs_cg_rec) == sizeof(struct xt_cg_rec) &&
	       sizeof(struct xs_cg_sys) == sizeof(struct xt_cg_sys), "batch record sizes");
_Static_assert(__builtin_offsetof(struct xs_cg_batch, cb_rec) == sizeof(struct xt_cg_head) &&
	       __builtin_offsetof(struct xs_cg_batch, cb_sys) ==
	       __builtin_offsetof(struct xt_cg_head, sys) && XS_CG_MAX_SYS == XT_CG_MAX_SYS,
	       "batch header");
_Static_assert(__builtin_offsetof(struct xs_cg_rec, cr_word) ==
	       __builtin_offsetof(struct xt_cg_rec, word) &&
	       __builtin_offsetof(struct xs_cg_sys, cs_a) ==
	       __builtin_offsetof(struct xt_cg_sys, a),
	       "batch record layout");
_Static_assert(XS_CG_ENTRY == XT_CG_ENTRY && XS_CG_SYS_RETURN == XT_CG_SYS_RETURN &&
	       XS_CG_WORD(XS_CG_SYS_RETURN, 5) == (3u << 30 | 5) &&
	       XS_CG_ROOT_ID(2, -47) == XT_ROOT_ID(2, -47), "batch kinds");
_Static_assert(XS_CG_NS(7, 0x1aaaaaaabull, 0xfffffffful) == XT_CG_NS(7, 0x1aaaaaaabull, 0xfffffffful),
	       "one tick conversion for the core and the consumers");

/*
 * The default ring (XT_INPROC_RING_DEFAULT): 1M slots, 160 MiB of arena,
 * allocated when the ring is enabled (its sequence words are written then,
 * so the workload's processes only map the pages, ahead of their writes:
 * xs_trace_inproc.c).  A lifecycle event takes a slot, a batch one per 20
 * records, so the ring holds some twenty million events of backlog.
 */
#define INPROC_LATENCY_NS    50000000ull	/* drain at least every 50 ms */
#define INPROC_DRAIN_MAX     (1 << 20)	/* records per poll(0): the caller loops */
#define INPROC_BATCH         4096	/* records per drain: more than a batch entry's slots */
_Static_assert(XS_TRACE_BATCH_MAX_SLOTS <= INPROC_BATCH, "a batch entry fits a drain");
#define CALIBRATE_PAIRS      20000
#define CALIBRATE_NEST       16	/* pairs per hand-over: about one trap's worth */

/*
 * Paths the kernel looked up (XS_TREC_VFS_LOOKUP), held per thread until
 * its next batch: the trap that looked one up is that batch's last (the
 * kernel hands the batch over when such a trap ends), so the path belongs
 * to the batch's last syscall entry, if it was looked up after that
 * entry (a path whose batch a full ring dropped is not given to the next
 * one).  Direct-mapped by tid: a collision loses a path (the argument
 * prints as a pointer), never mislabels one.
 */
#define INPROC_LOOKUPS 64

struct lookup {
	uint64_t tid;		/* 0: empty */
	uint64_t ts_ns;		/* when it was looked up */
	char path[XT_STR_LEN];
};

struct inproc {
	struct xt_backend b;
	struct lookup lookups[INPROC_LOOKUPS];
	struct xs_trace_ring *ring;
	struct xt_event *buf;
	double cost_ns;
	uint64_t delivered;	/* events handed to on_event */
	uint64_t lost;		/* records producers could not keep (batch headers) */
	uint64_t bad_batches;	/* malformed batch entries or records, skipped */
	uint64_t last_drain;	/* now_ns() of the last drain */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A private function record for calibration: id 0 never names a function. */
static struct xs_func calib_func = { "xnutrace_calibrate", __FILE__, "", 0, 0 };

/*
 * Probe pairs in groups of CALIBRATE_NEST under one outer frame, as calls
 * nest under a trap: the batch is handed over once per group, as it is
 * once per trap.
 */
static __attribute__((noinline)) uint64_t calibrate_loop(int pairs)
{
	uint64_t t0 = now_ns();

	for (int i = 0; i < pairs; i += CALIBRATE_NEST) {
		struct xs_func *outer = xs_func_enter(&calib_func);

		for (int j = 1; j < CALIBRATE_NEST; j++) {
			struct xs_func *f = xs_func_enter(&calib_func);

			xs_func_leave(&f);
			__asm__ volatile("" ::: "memory");
		}
		xs_func_leave(&outer);
	}
	return now_ns() - t0;
}

/*
 * The tracer's own cost per event: probe pairs recorded and handed over to
 * the ring minus the same loop with the probes idle, per event.  Run in
 * this process before the workload starts; the records it makes are
 * discarded.
 */
static double calibrate(struct inproc *ip, uint64_t idle_ns)
{
	uint64_t on = calibrate_loop(CALIBRATE_PAIRS), n;

	do
		n = xs_trace_inproc_consume(ip->ring, (struct xs_trace_record *)ip->buf,
					    INPROC_BATCH, 1);
	while (n);
	__atomic_store_n(&ip->ring->r_drops, 0, __ATOMIC_RELAXED);
	return on > idle_ns ? (double)(on - idle_ns) / (2.0 * CALIBRATE_PAIRS) : 0.0;
}

static int inproc_attach(struct xt_backend *b)
{
	struct inproc *ip = (struct inproc *)b;
	uint64_t idle = calibrate_loop(CALIBRATE_PAIRS);

	(void)xs_trace_clock_calibrate(10);	/* the batches' clock, for every process */
	ip->ring = xs_trace_inproc_enable(b->opts.ring_slots ? b->opts.ring_slots
							   : XT_INPROC_RING_DEFAULT);
	if (!ip->ring)
		return -ENOMEM;
	ip->cost_ns = calibrate(ip, idle);
	return 0;
}

static struct lookup *lookup_slot(struct inproc *ip, uint64_t tid)
{
	return &ip->lookups[(tid ^ tid >> 7) % INPROC_LOOKUPS];
}

/* The thread's first lookup since its last batch (a rename's source). */
static void lookup_hold(struct inproc *ip, const struct xt_event *ev)
{
	struct lookup *l = lookup_slot(ip, ev->tid);

	if (l->tid == ev->tid || !ev->tid)
		return;
	l->tid = ev->tid;
	l->ts_ns = ev->ts_ns;
	memcpy(l->path, ev->str, sizeof(l->path));
	l->path[sizeof(l->path) - 1] = '\0';
}

/* The index of the batch's last syscall entry, or nrec if none. */
static uint32_t last_sys_entry(const struct xt_cg_rec *rec, uint32_t nrec)
{
	for (uint32_t i = nrec; i-- > 0;)
		if (XT_CG_KIND(rec[i].word) == XT_CG_SYS_ENTRY)
			return i;
	return nrec;
}

static int emit(struct inproc *ip, const struct xt_event *ev)
{
	ip->delivered++;
	return ip->b.opts.on_event ? ip->b.opts.on_event(ip->b.opts.ctx, ev) : 0;
}

/*
 * A batch entry (xs_trace_inproc.h): header h, its payload from byte
 * XS_TRACE_BATCH_HEAD_BYTES of h on through the records after it (they are
 * consecutive in the consume buffer).  One event per record, in order.
 */
static int unpack(struct inproc *ip, const struct xt_event *h, uint64_t slots)
{
	const char *payload = (const char *)h + XS_TRACE_BATCH_HEAD_BYTES;
	uint32_t nsys = (uint32_t)h->family, nrec = h->kdebug;
	uint64_t bytes = (uint32_t)h->a[1];
	const struct xt_cg_sys *sys = (const struct xt_cg_sys *)payload;
	const struct xt_cg_rec *rec = (const struct xt_cg_rec *)(payload + nsys * sizeof(*sys));
	uint64_t mult = h->a[2];
	struct lookup *l = lookup_slot(ip, h->tid);
	uint32_t path_at = UINT32_MAX;
	struct xt_event ev;
	int err = 0;

	if (nsys > XT_CG_MAX_SYS || bytes != nsys * sizeof(*sys) + (uint64_t)nrec * sizeof(*rec) ||
	    XS_TRACE_BATCH_HEAD_BYTES + bytes > slots * sizeof(*h)) {
		ip->bad_batches++;
		return 0;
	}
	memset(&ev, 0, sizeof(ev));
	ev.tid = h->tid;
	ev.machine = h->machine;
	ev.pid = h->pid;
	ev.host_tid = (uint32_t)(h->a[1] >> 32);
	if (l->tid == h->tid && h->tid) {
		path_at = last_sys_entry(rec, nrec);
		if (path_at < nrec && l->ts_ns < XT_CG_NS(h->ts_ns, mult, rec[path_at].dt))
			path_at = UINT32_MAX;	/* looked up before this trap began */
		l->tid = 0;
	}
	for (uint32_t i = 0; i < nrec && !err; i++) {
		uint32_t kind = XT_CG_KIND(rec[i].word), v = XT_CG_VALUE(rec[i].word);
		const struct xt_cg_sys *s = v < nsys ? &sys[v] : NULL;

		ev.ts_ns = XT_CG_NS(h->ts_ns, mult, rec[i].dt);
		ev.id = (int32_t)v;
		ev.family = 0;
		ev.kdebug = 0;
		memset(ev.a, 0, sizeof(ev.a));
		if (i == path_at)
			memcpy(ev.str, l->path, sizeof(ev.str));
		else if (ev.str[0])
			ev.str[0] = '\0';
		if (kind == XT_CG_ENTRY || kind == XT_CG_RETURN) {
			ev.type = kind == XT_CG_ENTRY ? XT_EV_FUNC_ENTRY : XT_EV_FUNC_RETURN;
		} else if (!s) {
			ip->bad_batches++;
			continue;
		} else {
			ev.family = s->family;
			ev.id = s->number;
			if (kind == XT_CG_SYS_ENTRY) {
				ev.type = XT_EV_SYSCALL_ENTRY;
				ev.kdebug = s->kdebug;
				memcpy(ev.a, s->a, sizeof(ev.a));
			} else {
				ev.type = XT_EV_SYSCALL_RETURN;
				ev.a[0] = s->a[0];
				ev.a[1] = (uint64_t)(int64_t)s->error;
			}
		}
		err = emit(ip, &ev);
	}
	ip->lost += h->a[0];
	return err;
}

static int deliver(struct inproc *ip, int force)
{
	uint64_t n = xs_trace_inproc_consume(ip->ring, (struct xs_trace_record *)ip->buf,
					     INPROC_BATCH, force);
	int err = 0;

	for (uint64_t i = 0; i < n && !err; i++) {
		const struct xt_event *ev = &ip->buf[i];
		uint64_t k = ev->type == XS_TREC_BATCH ? (uint32_t)ev->id : 1;

		if (k < 1 || k > n - i)
			k = 1;		/* the ring never splits an entry */
		if (ev->type == XS_TREC_VFS_LOOKUP)
			lookup_hold(ip, ev);
		else
			err = ev->type == XS_TREC_BATCH ? unpack(ip, ev, k) : emit(ip, ev);
		i += k - 1;
	}
	return err ? err : (int)n;
}

/*
 * Whether to drain now.  A poll with a timeout drains only once a backlog
 * builds up (an eighth of the ring) or INPROC_LATENCY_NS after the last
 * drain, as the bpf ring buffer wakes its consumer (maps.bpf.h): on a
 * machine with few cores the collector then leaves the workload alone
 * while the ring absorbs its events.  A poll without one drains at once.
 */
static bool drain_due(struct inproc *ip, int timeout_ms)
{
	struct xs_trace_ring *r = ip->ring;
	uint64_t fill = __atomic_load_n(&r->r_head, __ATOMIC_RELAXED) - r->r_tail;

	return timeout_ms <= 0 || fill >= r->r_nslots / 8 ||
	       now_ns() - ip->last_drain >= INPROC_LATENCY_NS;
}

static int inproc_poll(struct xt_backend *b, int timeout_ms)
{
	struct inproc *ip = (struct inproc *)b;
	uint64_t deadline = now_ns() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000000ull;
	int total = 0, n;

	if (!ip->ring)
		return -EINVAL;
	for (;;) {
		if (drain_due(ip, timeout_ms)) {
			/*
			 * Bounded: a workload that outruns the collector must not keep
			 * the caller from its own timer (SIGINT, the workload's end).
			 */
			do {
				n = deliver(ip, 0);
				if (n < 0)
					return n;
				total += n;
			} while (n > 0 && (timeout_ms > 0 ? now_ns() < deadline
							  : total < INPROC_DRAIN_MAX));
			ip->last_drain = now_ns();
		}
		if (total || now_ns() >= deadline)
			return total;
		nanosleep(&(struct timespec){ 0, 200000 }, NULL);	/* 0.2 ms */
	}
}

static int inproc_collect(struct xt_backend *b, struct xt_model *m)
{
	struct inproc *ip = (struct inproc *)b;
	struct xt_meta *mt = xt_model__meta(m);
	int n;

	if (!ip->ring)
		return -EINVAL;
	while ((n = deliver(ip, 0)) > 0)
		;
	xs_trace_inproc_disable();
	while ((n = deliver(ip, 1)) > 0)	/* claimed by a producer that died: skip */
		;
	if (n < 0)
		return n;
	mt->drops[XT_DROP_RINGBUF] += __atomic_load_n(&ip->ring->r_drops, __ATOMIC_RELAXED) +
				      ip->lost + ip->bad_batches;
	mt->cost_per_event_ns = ip->cost_ns;
	return 0;
}

static void inproc_destroy(struct xt_backend *b)
{
	struct inproc *ip = (struct inproc *)b;

	xs_trace_inproc_free(ip->ring);
	free(ip->buf);
	free(ip);
}

static const struct xt_backend_ops inproc_ops = {
	.name = "inproc",
	.attach = inproc_attach,
	.poll = inproc_poll,
	.collect = inproc_collect,
	.destroy = inproc_destroy,
};

struct xt_backend *xt_backend_inproc__open(const struct xt_backend_opts *opts,
					   const char **err_msg)
{
	struct inproc *ip;

	if (!xnusim_machine_id()) {
		if (err_msg)
			*err_msg = "no simulated machine in this process to trace";
		errno = ENXIO;
		return NULL;
	}
	ip = calloc(1, sizeof(*ip));
	if (ip)
		ip->buf = malloc(INPROC_BATCH * sizeof(*ip->buf));
	if (!ip || !ip->buf) {
		if (ip)
			free(ip);
		if (err_msg)
			*err_msg = "out of memory";
		errno = ENOMEM;
		return NULL;
	}
	ip->b.ops = &inproc_ops;
	ip->b.opts = *opts;
	return &ip->b;
}
