/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * backend.h: where events come from.  Two backends behind one interface
 * (DESIGN.md): "bpf" (BPF programs on the USDT probes of libxnusim.so;
 * needs CAP_BPF/root) and "inproc" (no privileges: the same tracepoint sites
 * write into a shared-memory ring the collector asked for).  For the same
 * workload both produce the same counts.
 *
 * Lifecycle: open (checks privileges, loads) -> attach (before the workload
 * starts) -> poll until the workload is done -> collect (final aggregates
 * into the model) -> destroy.  Functions return 0 or -errno and never print;
 * open fills err_msg with what a user should read on failure.
 */
#ifndef XT_COLLECTOR_BACKEND_H
#define XT_COLLECTOR_BACKEND_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>

#include "bpf/xnutrace.h"

struct xt_model;

struct xt_filter {
	int32_t pid;		/* -1: every process */
	int family;		/* 0: both */
	int32_t number;		/* syscall/trap number; INT32_MIN: any */
	bool has_number;
	uint32_t max_depth;	/* 0: unlimited */
	uint64_t min_duration_ns;
};

/*
 * The rings' default sizes.  inproc: slots of one struct xt_event (160
 * bytes) in the machine's arena; a lifecycle event takes one, a call-graph
 * batch one per 20 records.  bpf: the ring buffer's bytes.
 */
#define XT_INPROC_RING_DEFAULT (1u << 20)
#define XT_BPF_RINGBUF_DEFAULT (16u << 20)

struct xt_backend_opts {
	const char *lib_path;	/* absolute path of libxnusim.so to attach to */
	uint32_t machine;	/* only this machine's events */
	struct xt_filter filter;
	bool want_events;	/* ordered events to the callback (live trace, timelines) */
	bool want_func_events;	/* ... including function entry/return */
	uint32_t ringbuf_bytes;	/* bpf: ring buffer size (power of 2, >= page); 0: default */
	uint64_t ring_slots;	/* inproc: ring capacity in 160-byte slots; 0: default */
	/*
	 * Called from poll for each ordered event, in order per thread.  The
	 * inproc backend aggregates nothing itself: it delivers every event,
	 * whatever want_events says, and the caller feeds its model with
	 * aggregate=true.
	 */
	int (*on_event)(void *ctx, const struct xt_event *ev);
	void *ctx;
};

struct xt_backend;

/* name: "bpf" or "inproc".  NULL with errno set; *err_msg (static) says why. */
struct xt_backend *xt_backend__open(const char *name, const struct xt_backend_opts *opts,
				    const char **err_msg);
int xt_backend__attach(struct xt_backend *b);
/* Deliver pending events; wait at most timeout_ms for some.  Returns events seen. */
int xt_backend__poll(struct xt_backend *b, int timeout_ms);
/* Final aggregates (edges, syscall stats, drops) into m. */
int xt_backend__collect(struct xt_backend *b, struct xt_model *m);
const char *xt_backend__name(const struct xt_backend *b);
void xt_backend__destroy(struct xt_backend *b);	/* NULL-safe */
/* After open("auto") chose inproc: why bpf was not used (static), else NULL. */
const char *xt_backend__auto_reason(void);

#endif /* XT_COLLECTOR_BACKEND_H */
