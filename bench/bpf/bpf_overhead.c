/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bpf_overhead: what the bpf backend costs, measured side by side in one run.
 *  1. getpid through the simulated kernel, untraced vs traced with the full
 *     call graph (every syscall and function event, in one batch per trap:
 *     shadow stack, edges, histograms), rounds alternated so drift hits both
 *     alike; reports the added cost per call and per event.
 *  2. the sustained ring buffer event rate with no drops: a workload under
 *     `xnusim run` makes calls as fast as it can with syscall and function
 *     events on, while this process consumes on a 10 ms timer.
 * Needs root; prints SKIP otherwise.  Each goal line ends "ok" or "MISSED";
 * exit status 0, 3 if a goal was missed, 1 if a run failed.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench_util.h"
#include "collector/backend_bpf.h"
#include "collector/model.h"
#include "xnusim/libsyscall.h"
#include "xnusim/xnusim.h"

const int xnusim_no_autoboot = 1;

static int missed;	/* a goal was missed: exit status 3 */

#define ITERS  20000
#define ROUNDS 7

static double getpid_round(void)
{
	uint64_t t0 = bench_now_ns();

	for (int i = 0; i < ITERS; i++)
		(void)xnu_getpid();
	return (double)(bench_now_ns() - t0) / ITERS;
}

/*
 * Events recorded: two per function call and per syscall (entry + return).
 * They reach the BPF program in one batch per trap (xnu:syscall_callgraph),
 * so one uprobe hit per getpid.
 */
static uint64_t probe_hits(struct xt_model *m)
{
	const struct xt_edge *e;
	uint64_t hits = 0;
	size_t n;

	xt_model__finish(m);
	e = xt_model__edges(m, &n);
	for (size_t i = 0; i < n; i++)
		if (e[i].callee != XT_ROOT_ID(0, 0))	/* the implicit "(kernel)" root is no probe */
			hits += 2 * e[i].calls;
	return hits;
}

static int cost_per_call(const char *lib)
{
	struct xt_backend_opts o = { .lib_path = lib, .filter = { .pid = -1 } };
	double on[ROUNDS], off[ROUNDS], t, u;
	struct xt_bpf_backend *b;
	struct xt_model *m;
	const char *msg;
	uint64_t hits;
	int err = 0;

	if (xnusim_boot(XNUSIM_ARCH_ARM64) < 0)
		return 1;
	o.machine = xnusim_machine_id();
	b = xt_bpf_backend__open(&o, &msg);
	if (!b) {
		fprintf(stderr, "bpf_overhead: %s\n", msg);
		return 1;
	}
	(void)getpid_round();	/* warm up */
	for (int r = 0; r < ROUNDS && !err; r++) {
		err = xt_bpf_backend__attach(b);
		on[r] = getpid_round();
		xt_bpf_backend__detach(b);
		off[r] = getpid_round();
	}
	m = xt_model__new();
	if (err || !m || xt_bpf_backend__collect(b, m) != 0) {
		fprintf(stderr, "bpf_overhead: attach/collect failed\n");
		xt_model__free(m);
		xt_bpf_backend__destroy(b);
		return 1;
	}
	hits = probe_hits(m);
	t = bench_median(on, ROUNDS);
	u = bench_median(off, ROUNDS);
	printf("getpid (arm64)  untraced %7.1f ns   traced, full call graph %8.1f ns   "
	       "+%.1f ns/call (%.1fx) (goal within 3000 ns per traced syscall) %s\n", u, t, t - u,
	       t / u, t - u <= 3000 ? "ok" : "MISSED");
	missed |= t - u > 3000;
	printf("                %.1f events per call, 1 uprobe hit (xnu:syscall_callgraph)   "
	       "%.0f ns per event\n",
	       (double)hits / (ROUNDS * ITERS), (t - u) * ROUNDS * ITERS / (double)hits);
	xt_model__free(m);
	xt_bpf_backend__destroy(b);
	return 0;
}

static int count_event(void *ctx, const struct xt_event *ev)
{
	(void)ev;
	++*(uint64_t *)ctx;
	return 0;
}

static int event_rate(const char *lib, const char *runner, const char *prog)
{
	struct xt_backend_opts o = { .lib_path = lib, .filter = { .pid = -1 },
				     .want_events = true, .want_func_events = true,
				     .on_event = count_event };
	uint64_t events = 0, drops[XT_DROP_MAX], t0, ns;
	double rate;
	struct xt_bpf_backend *b;
	const char *msg;
	int status = 0;
	pid_t pid;

	o.ctx = &events;
	b = xt_bpf_backend__open(&o, &msg);
	if (!b || xt_bpf_backend__attach(b) != 0) {
		fprintf(stderr, "bpf_overhead: %s\n", b ? "attach failed" : msg);
		xt_bpf_backend__destroy(b);
		return 1;
	}
	t0 = bench_now_ns();
	pid = fork();
	if (pid == 0) {
		execl(runner, runner, "run", "--", prog, "100000", (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, WNOHANG) == 0)
		xt_bpf_backend__poll(b, 10);	/* the consumer's timer */
	xt_bpf_backend__poll(b, 0);
	ns = bench_now_ns() - t0;
	xt_bpf_backend__drops(b, drops);
	rate = (double)events * 1e9 / (double)ns;
	printf("ring buffer     %.0f events/s sustained (%llu events in %.2f s)   drops %llu "
	       "(goal >= 1M events/s, no drops) %s\n", rate, (unsigned long long)events,
	       (double)ns / 1e9, (unsigned long long)drops[XT_DROP_RINGBUF],
	       rate >= 1e6 && !drops[XT_DROP_RINGBUF] ? "ok" : "MISSED");
	missed |= rate < 1e6 || drops[XT_DROP_RINGBUF];
	xt_bpf_backend__destroy(b);
	return status != 0;
}

int main(void)
{
	const char *out = getenv("OUTPUT") ? getenv("OUTPUT") : ".output";
	char lib[PATH_MAX], runner[PATH_MAX], prog[PATH_MAX];
	Dl_info info;
	int rc;

	if (geteuid() != 0) {
		printf("bpf overhead: SKIP (the bpf backend needs root)\n");
		return 0;
	}
	/* Attach to the very library this process runs. */
	if (!dladdr((void *)xnusim_boot, &info) || !realpath(info.dli_fname, lib)) {
		fprintf(stderr, "bpf_overhead: cannot find libxnusim.so\n");
		return 1;
	}
	snprintf(runner, sizeof(runner), "%s/bin/xnusim", out);
	snprintf(prog, sizeof(prog), "%s/progs/bpf_counts", out);
	rc = cost_per_call(lib);
	if (!rc)
		rc = event_rate(lib, runner, prog);
	return rc ? rc : missed ? 3 : 0;
}
