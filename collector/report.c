/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report.c: a recording as text (xnutrace report): what was recorded and
 * whether to trust it, the top syscalls and traps by count and by time, the
 * top kernel functions by calls and by self time, log2 latency histograms
 * as bars, and the process tree with fork/spawn/exec lineage.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "collector/model.h"
#include "collector/report.h"

static const char *fam(int32_t f)
{
	return f == XT_FAMILY_BSD ? "bsd" : f == XT_FAMILY_MACH ? "mach" : "other";
}

/* "12.3 us" style, three significant figures. */
static const char *dur(char *buf, size_t len, uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, len, "%" PRIu64 " ns", ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.1f us", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.1f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.2f s", ns / 1e9);
	return buf;
}

static void header(const struct xt_model *m, FILE *out)
{
	struct xt_meta *mt = xt_model__meta((struct xt_model *)m);
	static const char *const dn[XT_DROP_MAX] = { "ring buffer", "stack overflow",
						     "stack underflow", "map full" };
	uint64_t drops = 0;
	char b[32];

	fprintf(out, "xnutrace report: %s\n", mt->command ? mt->command : "?");
	fprintf(out, "  backend %s, %s machine %u, workload ", mt->backend ? mt->backend : "?",
		mt->arch ? mt->arch : "?", mt->machine);
	if (WIFSIGNALED(mt->workload_status))
		fprintf(out, "killed by signal %d%s\n", WTERMSIG(mt->workload_status),
			WCOREDUMP(mt->workload_status) ? " (core dumped)" : "");
	else
		fprintf(out, "exited %d\n", WEXITSTATUS(mt->workload_status));
	fprintf(out, "  %s wall, %" PRIu64 " events, tracer cost %.1f ns/event, "
		"probe coverage %u of %u functions\n", dur(b, sizeof(b), mt->wall_ns), mt->events,
		mt->cost_per_event_ns, mt->funcs_seen, mt->funcs_registered);
	fprintf(out, "  drops:");
	for (int i = 0; i < XT_DROP_MAX; i++) {
		if (mt->drops[i])
			fprintf(out, " %s %" PRIu64, dn[i], mt->drops[i]);
		drops += mt->drops[i];
	}
	fprintf(out, "%s\n", drops ? " (the counts below are incomplete)" : " none");
	if (mt->interrupted)
		fprintf(out, "  INTERRUPTED: the recording stopped early and is partial\n");
}

static const struct xt_model *sort_model;

static int by_sys_count(const void *a, const void *b)
{
	const struct xt_sysstat *x = *(const struct xt_sysstat *const *)a;
	const struct xt_sysstat *y = *(const struct xt_sysstat *const *)b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int by_sys_time(const void *a, const void *b)
{
	const struct xt_sysstat *x = *(const struct xt_sysstat *const *)a;
	const struct xt_sysstat *y = *(const struct xt_sysstat *const *)b;

	if (x->total_ns != y->total_ns)
		return x->total_ns > y->total_ns ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int by_node_calls(const void *a, const void *b)
{
	const struct xt_node *x = *(const struct xt_node *const *)a;
	const struct xt_node *y = *(const struct xt_node *const *)b;

	if (x->calls != y->calls)
		return x->calls > y->calls ? -1 : 1;
	return strcmp(xt_model__node_name(sort_model, x->id), xt_model__node_name(sort_model, y->id));
}

static int by_node_self(const void *a, const void *b)
{
	const struct xt_node *x = *(const struct xt_node *const *)a;
	const struct xt_node *y = *(const struct xt_node *const *)b;

	if (x->self_ns != y->self_ns)
		return x->self_ns > y->self_ns ? -1 : 1;
	return by_node_calls(a, b);
}

static int syscalls(const struct xt_model *m, FILE *out, int top)
{
	size_t n;
	const struct xt_sysstat *s = xt_model__sys(m, &n);
	const struct xt_sysstat **v = calloc(n + 1, sizeof(*v));
	char b1[32], b2[32];

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		v[i] = &s[i];
	for (int pass = 0; pass < 2; pass++) {
		qsort(v, n, sizeof(*v), pass ? by_sys_time : by_sys_count);
		fprintf(out, "\nTop syscalls and traps by %s\n", pass ? "time" : "count");
		fprintf(out, "  %-5s %5s %-24s %8s %7s %10s %10s\n", "FAM", "NUM", "NAME", "COUNT",
			"ERRORS", "TOTAL", "AVG");
		for (size_t i = 0; i < n && (int)i < top; i++)
			fprintf(out, "  %-5s %5d %-24s %8" PRIu64 " %7" PRIu64 " %10s %10s\n",
				fam(v[i]->family), v[i]->number, v[i]->name, v[i]->count,
				v[i]->errors, dur(b1, sizeof(b1), v[i]->total_ns),
				dur(b2, sizeof(b2), v[i]->count ? v[i]->total_ns / v[i]->count : 0));
	}
	/* Histograms of the busiest, by count. */
	qsort(v, n, sizeof(*v), by_sys_count);
	fprintf(out, "\nLatency histograms (log2 buckets)\n");
	for (size_t i = 0; i < n && (int)i < (top < 5 ? top : 5); i++) {
		uint64_t max = 0;
		int lo = XT_HIST_SLOTS, hi = -1;

		for (int k = 0; k < XT_HIST_SLOTS; k++) {
			if (!v[i]->hist[k])
				continue;
			max = v[i]->hist[k] > max ? v[i]->hist[k] : max;
			lo = k < lo ? k : lo;
			hi = k;
		}
		fprintf(out, "  %s (%s %d): %" PRIu64 " calls\n", v[i]->name, fam(v[i]->family),
			v[i]->number, v[i]->count);
		for (int k = lo; k <= hi; k++) {
			int bar = (int)(v[i]->hist[k] * 40 / (max ? max : 1));

			fprintf(out, "    %10s .. %-10s |", dur(b1, sizeof(b1), 1ull << k),
				dur(b2, sizeof(b2), 1ull << (k + 1)));
			for (int c = 0; c < bar; c++)
				fputs("#", out);
			fprintf(out, "%*s| %" PRIu64 "\n", 40 - bar, "", v[i]->hist[k]);
		}
	}
	free(v);
	return 0;
}

static int functions(const struct xt_model *m, FILE *out, int top)
{
	size_t n, k = 0;
	const struct xt_node *nd = xt_model__nodes(m, &n);
	const struct xt_node **v = calloc(n + 1, sizeof(*v));
	char b1[32], b2[32];

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (!(nd[i].id & XT_ROOT_BIT))
			v[k++] = &nd[i];
	sort_model = m;
	for (int pass = 0; pass < 2; pass++) {
		qsort(v, k, sizeof(*v), pass ? by_node_self : by_node_calls);
		fprintf(out, "\nTop kernel functions by %s\n", pass ? "self time" : "calls");
		fprintf(out, "  %-32s %8s %10s %10s  %s\n", "FUNCTION", "CALLS", "SELF", "INCL",
			"XNU SOURCE");
		for (size_t i = 0; i < k && (int)i < top; i++) {
			const struct xt_func *f = xt_model__func(m, v[i]->id);

			fprintf(out, "  %-32s %8" PRIu64 " %10s %10s  %s\n",
				xt_model__node_name(m, v[i]->id), v[i]->calls,
				dur(b1, sizeof(b1), v[i]->self_ns), dur(b2, sizeof(b2), v[i]->incl_ns),
				f ? f->path : "");
		}
	}
	free(v);
	return 0;
}

static void proc_line(const struct xt_proc *p, FILE *out)
{
	static const char *const how[] = { "boot", "attach", "fork", "spawn", "exec" };

	fprintf(out, "%d %s [%s]", p->pid, p->comm ? p->comm : "?",
		p->how >= 0 && p->how <= 4 ? how[p->how] : "?");
	for (size_t i = 0; i < p->nexecs; i++)
		fprintf(out, " exec %s", p->execs[i]);
	if (p->exited) {
		if (WIFSIGNALED(p->status))
			fprintf(out, ", killed by signal %d", WTERMSIG(p->status));
		else
			fprintf(out, ", exit %d", WEXITSTATUS(p->status));
	}
	fprintf(out, ", %" PRIu64 " BSD calls, %" PRIu64 " Mach traps\n", p->bsd_calls,
		p->mach_traps);
}

static void tree(const struct xt_proc *p, size_t n, int32_t pid, int depth, FILE *out,
		 bool *done)
{
	for (size_t i = 0; i < n; i++) {
		if (done[i] || p[i].ppid != pid || p[i].pid == pid)
			continue;
		done[i] = true;
		fprintf(out, "  %*s%s", depth * 3, "", depth ? "`- " : "");
		proc_line(&p[i], out);
		if (depth < 64)
			tree(p, n, p[i].pid, depth + 1, out, done);
	}
}

static int processes(const struct xt_model *m, FILE *out)
{
	size_t n;
	const struct xt_proc *p = xt_model__procs(m, &n);
	bool *done = calloc(n + 1, sizeof(*done));

	if (!done)
		return -ENOMEM;
	fprintf(out, "\nProcess tree\n");
	/* Roots: processes whose parent was not recorded (launchd's, usually). */
	for (size_t i = 0; i < n; i++) {
		bool parent_known = false;

		for (size_t k = 0; k < n; k++)
			parent_known |= p[k].pid == p[i].ppid && k != i;
		if (parent_known || done[i])
			continue;
		done[i] = true;
		fprintf(out, "  ");
		proc_line(&p[i], out);
		tree(p, n, p[i].pid, 1, out, done);
	}
	for (size_t i = 0; i < n; i++)	/* cycles: never, but print everything */
		if (!done[i]) {
			fprintf(out, "  ");
			proc_line(&p[i], out);
		}
	free(done);
	return 0;
}

int xt_report(const struct xt_model *m, FILE *out, int top)
{
	int err;

	header(m, out);
	err = syscalls(m, out, top);
	if (!err)
		err = functions(m, out, top);
	if (!err)
		err = processes(m, out);
	if (!err && ferror(out))
		err = -EIO;
	return err;
}
