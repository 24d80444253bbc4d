/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * export_chrome.c: the timeline as Chrome Trace Event JSON, which Perfetto
 * (ui.perfetto.dev) and chrome://tracing open: a process per simulated pid,
 * a track per simulated thread, an "X" (complete) event per syscall and
 * kernel function, and flow arrows for fork / spawn / exec and for Mach
 * messages from send to receive.  Times are microseconds (floats).
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>

#include "collector/model.h"
#include "collector/report.h"

static double us(uint64_t ns)
{
	return (double)ns / 1000.0;
}

static int add(json_t *a, json_t *v)
{
	return !v || json_array_append_new(a, v) ? -ENOMEM : 0;
}

static int metadata(const struct xt_model *m, json_t *ev)
{
	size_t n, ns;
	const struct xt_proc *p = xt_model__procs(m, &n);
	const struct xt_span *s = xt_model__spans(m, &ns);
	int err = 0;

	for (size_t i = 0; i < n && !err; i++) {
		char name[256];

		snprintf(name, sizeof(name), "%s (pid %d)", p[i].comm ? p[i].comm : "?", p[i].pid);
		err = add(ev, json_pack("{s:s, s:s, s:i, s:i, s:{s:s}}", "name", "process_name",
					"ph", "M", "pid", p[i].pid, "tid", 0, "args", "name", name));
	}
	/* one thread_name per (pid, tid), first seen */
	for (size_t i = 0; i < ns && !err; i++) {
		bool dup = false;
		char name[64];

		for (size_t k = 0; k < i && !dup; k++)
			dup = s[k].tid == s[i].tid && s[k].pid == s[i].pid;
		if (dup)
			continue;
		snprintf(name, sizeof(name), "thread %llu", (unsigned long long)s[i].tid);
		err = add(ev, json_pack("{s:s, s:s, s:i, s:I, s:{s:s}}", "name", "thread_name",
					"ph", "M", "pid", s[i].pid, "tid", (json_int_t)s[i].tid,
					"args", "name", name));
	}
	return err;
}

static int flows(const struct xt_model *m, json_t *ev)
{
	static const char *const names[] = { "", "fork", "spawn", "exec", "mach_msg" };
	size_t n;
	const struct xt_flow *f = xt_model__flows(m, &n);
	int err = 0;

	for (size_t i = 0; i < n && !err; i++) {
		const char *name = names[f[i].kind <= 4 ? f[i].kind : 0];

		if (!f[i].to_tid || !f[i].from_tid)
			continue;	/* an end never ran on the timeline: no track for it */
		err = add(ev, json_pack("{s:s, s:s, s:s, s:I, s:i, s:I, s:f}", "name", name,
					"cat", "flow", "ph", "s", "id", (json_int_t)i + 1, "pid",
					f[i].from_pid, "tid", (json_int_t)f[i].from_tid, "ts",
					us(f[i].from_ts)));
		if (!err)
			err = add(ev, json_pack("{s:s, s:s, s:s, s:s, s:I, s:i, s:I, s:f}", "name",
						name, "cat", "flow", "ph", "f", "bp", "e", "id",
						(json_int_t)i + 1, "pid", f[i].to_pid, "tid",
						(json_int_t)f[i].to_tid, "ts", us(f[i].to_ts)));
	}
	return err;
}

int xt_export_chrome(const struct xt_model *m, FILE *out)
{
	json_t *root = json_object(), *ev = json_array();
	size_t n;
	const struct xt_span *s = xt_model__spans(m, &n);
	int err = 0;

	if (!root || !ev || json_object_set_new(root, "traceEvents", ev)) {
		json_decref(root);
		return -ENOMEM;
	}
	err = metadata(m, ev);
	for (size_t i = 0; i < n && !err; i++) {
		json_t *e = json_pack("{s:s, s:s, s:s, s:f, s:f, s:i, s:I}", "name",
				      xt_model__node_name(m, s[i].id), "cat",
				      s[i].depth ? "function" : "syscall", "ph", "X", "ts",
				      us(s[i].ts_ns), "dur", us(s[i].dur_ns), "pid", s[i].pid,
				      "tid", (json_int_t)s[i].tid);

		if (e && !s[i].depth && s[i].error)
			json_object_set_new(e, "args", json_pack("{s:i}", "error", s[i].error));
		err = add(ev, e);
	}
	if (!err)
		err = flows(m, ev);
	if (!err)
		err = json_object_set_new(root, "displayTimeUnit", json_string("ns")) ? -ENOMEM : 0;
	if (!err && (json_dumpf(root, out, JSON_COMPACT) || fputc('\n', out) == EOF))
		err = -EIO;
	json_decref(root);
	return err;
}
