/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * backend_inproc.c: the unprivileged backend.  The simulated kernel's probe
 * sites write into a ring in the machine's arena (xs_trace_inproc.h); this
 * process hosts launchd, so it maps the arena and drains the ring.  Every
 * event goes to the caller's callback, which aggregates it in the model
 * through per-thread shadow stacks (xt_model__feed(ev, true)).
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

#define INPROC_DEFAULT_SLOTS (1u << 18)	/* 262144 events, 38 MiB of arena */
#define INPROC_BATCH         4096
#define CALIBRATE_PAIRS      20000

struct inproc {
	struct xt_backend b;
	struct xs_trace_ring *ring;
	struct xt_event *buf;
	double cost_ns;
	uint64_t delivered;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A private function record for calibration: id 0 never names a function. */
static struct xs_func calib_func = { "xnutrace_calibrate", __FILE__, "", 0, 0 };

static __attribute__((noinline)) uint64_t calibrate_loop(int pairs)
{
	uint64_t t0 = now_ns();

	for (int i = 0; i < pairs; i++) {
		struct xs_func *f = xs_func_enter(&calib_func);

		xs_func_leave(&f);
		__asm__ volatile("" ::: "memory");
	}
	return now_ns() - t0;
}

/*
 * The tracer's own cost per event: probe pairs fired into the ring minus
 * the same loop with the probes idle, per event.  Run in this process before
 * the workload starts; the records it makes are discarded.
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

	ip->ring = xs_trace_inproc_enable(b->opts.ring_slots ? b->opts.ring_slots
							   : INPROC_DEFAULT_SLOTS);
	if (!ip->ring)
		return -ENOMEM;
	ip->cost_ns = calibrate(ip, idle);
	return 0;
}

static int deliver(struct inproc *ip, int force)
{
	uint64_t n = xs_trace_inproc_consume(ip->ring, (struct xs_trace_record *)ip->buf,
					     INPROC_BATCH, force);

	for (uint64_t i = 0; i < n; i++) {
		int err = ip->b.opts.on_event ? ip->b.opts.on_event(ip->b.opts.ctx, &ip->buf[i]) : 0;

		if (err)
			return err;
	}
	ip->delivered += n;
	return (int)n;
}

static int inproc_poll(struct xt_backend *b, int timeout_ms)
{
	struct inproc *ip = (struct inproc *)b;
	uint64_t deadline = now_ns() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000000ull;
	int total = 0, n;

	if (!ip->ring)
		return -EINVAL;
	for (;;) {
		while ((n = deliver(ip, 0)) > 0)
			total += n;
		if (n < 0)
			return n;
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
	mt->drops[XT_DROP_RINGBUF] += __atomic_load_n(&ip->ring->r_drops, __ATOMIC_RELAXED);
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
