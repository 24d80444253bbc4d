/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * backend_bpf.h: the "bpf" backend of backend.h: the BPF programs of
 * bpf/callgraph.bpf.c and bpf/lifecycle.bpf.c on the USDT probes of
 * libxnusim.so, attached to the library file for every process (pid -1), so
 * the kernel raises the probes' semaphores in every process of the machine,
 * including ones started later.  backend.c wraps these in backend.h's
 * xt_backend__* for name "bpf"; tests and benchmarks may call them directly.
 *
 * Lifecycle, as backend.h: open (checks privileges and BTF, opens the
 * skeletons, sets the read-only knobs from opts, loads) -> attach -> poll
 * (consumes the ring buffer on a timer) -> collect -> destroy.
 */
#ifndef XT_COLLECTOR_BACKEND_BPF_H
#define XT_COLLECTOR_BACKEND_BPF_H

#include "collector/backend.h"

struct xt_bpf_backend;

/*
 * Returns an owned backend, or NULL with errno set and *err_msg (static
 * storage) naming exactly what is missing: "needs CAP_BPF and CAP_PERFMON
 * (or CAP_SYS_ADMIN, or root)", kernel BTF, the library path, or the BPF
 * load (details under -v).  opts is copied; opts->lib_path must stay valid
 * until destroy.
 */
struct xt_bpf_backend *xt_bpf_backend__open(const struct xt_backend_opts *opts,
					    const char **err_msg);
/* Attach every program to lib_path's probes.  0 or -errno. */
int xt_bpf_backend__attach(struct xt_bpf_backend *b);
/* Detach every probe; the maps stay readable for collect.  NULL-safe. */
void xt_bpf_backend__detach(struct xt_bpf_backend *b);
/*
 * Deliver pending ring buffer events to opts->on_event, waiting at most
 * timeout_ms for a wake-up (the programs wake the consumer only for a
 * backlog, a quarter of the ring, so call this on a timer).  Returns the
 * events delivered or -errno (a negative on_event result stops delivery and
 * is returned).
 */
int xt_bpf_backend__poll(struct xt_bpf_backend *b, int timeout_ms);
/* Drain the ring, then add edges, syscall statistics, drops and the event count to m. */
int xt_bpf_backend__collect(struct xt_bpf_backend *b, struct xt_model *m);
/* Sum of the per-CPU drops counters, by enum xt_drop.  0 or -errno. */
int xt_bpf_backend__drops(struct xt_bpf_backend *b, uint64_t drops[XT_DROP_MAX]);
/* Ring buffer events delivered so far. */
uint64_t xt_bpf_backend__events(const struct xt_bpf_backend *b);
void xt_bpf_backend__destroy(struct xt_bpf_backend *b);	/* NULL-safe */

#endif /* XT_COLLECTOR_BACKEND_BPF_H */
