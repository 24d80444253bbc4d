/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * artifact.c: the trace artifact in JSON (docs/artifact.md), with jansson.
 * Writing walks a finished model in its sorted order, so output is
 * deterministic; reading validates every field it uses and reports the
 * first problem with its JSON path, never trusting the input.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector/artifact.h"
#include "collector/model.h"

static const char *const drop_names[XT_DROP_MAX] = {
	"ring_buffer", "stack_overflow", "stack_underflow", "map_full",
};
static const char *const how_names[] = { "boot", "attach", "fork", "spawn", "exec" };
static const char *const flow_names[] = { "", "fork", "spawn", "exec", "msg" };

static const char *family_name(int32_t f)
{
	switch (f) {
	case XT_FAMILY_BSD: return "bsd";
	case XT_FAMILY_MACH: return "mach";
	case XT_FAMILY_MDEP: return "mdep";
	case XT_FAMILY_DIAG: return "diag";
	default: return "kernel";
	}
}

static int family_parse(const char *s)
{
	static const char *const v[] = { "kernel", "bsd", "mach", "mdep", "diag" };

	for (int i = 0; i < 5; i++)
		if (strcmp(s, v[i]) == 0)
			return i;
	return -1;
}

/* ---- writing ------------------------------------------------------------- */

/* json_object_set_new that remembers the first failure. */
struct jw {
	int err;
};

static void put(struct jw *w, json_t *o, const char *k, json_t *v)
{
	if (!v || json_object_set_new(o, k, v))
		w->err = -ENOMEM;
}

static void push(struct jw *w, json_t *a, json_t *v)
{
	if (!v || json_array_append_new(a, v))
		w->err = -ENOMEM;
}

static json_t *u64(uint64_t v)
{
	return json_integer((json_int_t)v);
}

static json_t *meta_json(struct jw *w, const struct xt_meta *mt, bool norm)
{
	json_t *o = json_object(), *d = json_object(), *pc = json_object();

	if (!o || !d || !pc) {
		json_decref(o);
		json_decref(d);
		json_decref(pc);
		w->err = -ENOMEM;
		return NULL;
	}
	put(w, o, "backend", json_string(mt->backend ? mt->backend : ""));
	put(w, o, "arch", json_string(mt->arch ? mt->arch : ""));
	put(w, o, "command", json_string(mt->command ? mt->command : ""));
	put(w, o, "workload_status", json_integer(mt->workload_status));
	put(w, o, "interrupted", json_boolean(mt->interrupted));
	for (int i = 0; i < XT_DROP_MAX; i++)
		put(w, d, drop_names[i], u64(mt->drops[i]));
	put(w, o, "drops", d);
	if (!norm) {
		put(w, o, "machine", json_integer(mt->machine));
		put(w, o, "wall_ns", u64(mt->wall_ns));
		put(w, o, "events", u64(mt->events));
		put(w, pc, "registered", json_integer(mt->funcs_registered));
		put(w, o, "cost_per_event_ns", json_real(mt->cost_per_event_ns));
		put(w, o, "timeline_dropped", u64(mt->timeline_dropped));
	}
	put(w, pc, "seen", json_integer(mt->funcs_seen));
	put(w, o, "probe_coverage", pc);
	return o;
}

/* A node reference: its id, or (normalised) its display name. */
static json_t *ref(const struct xt_model *m, uint32_t id, bool norm)
{
	char buf[160];

	if (!norm)
		return json_integer(id);
	if (id == 0 || id == XT_ROOT_KERNEL || !(id & XT_ROOT_BIT))
		return json_string(id == 0 ? "" : xt_model__node_name(m, id));
	/* a syscall root, told apart from the function of the same name */
	snprintf(buf, sizeof(buf), "%s:%s", family_name(xt_root_family(id)),
		 xt_model__node_name(m, id));
	return json_string(buf);
}

/* "bsd:open;open;open1" for calling-context node i. */
static json_t *stack_path(const struct xt_model *m, const struct xt_stack *st, size_t i)
{
	uint32_t path[XT_MAX_DEPTH + 2];
	char buf[4096] = "";
	size_t len = 0;
	int d = 0;

	for (size_t k = i + 1; k && d < XT_MAX_DEPTH + 2; k = st[k - 1].parent)
		path[d++] = st[k - 1].id;
	while (d-- > 0 && len < sizeof(buf)) {
		json_t *r = ref(m, path[d], true);

		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
					json_string_value(r), d ? ";" : "");
		json_decref(r);
	}
	return json_string(buf);
}

static json_t *model_json(const struct xt_model *m, bool norm, struct jw *w)
{
	json_t *root = json_object(), *a;
	size_t n;

	if (!root) {
		w->err = -ENOMEM;
		return NULL;
	}
	put(w, root, "format", json_string(XT_ARTIFACT_FORMAT));
	put(w, root, "version", json_integer(XT_ARTIFACT_VERSION));
	put(w, root, "meta", meta_json(w, xt_model__meta((struct xt_model *)m), norm));

	const struct xt_func *f = xt_model__funcs(m, &n);
	put(w, root, "functions", a = json_array());
	for (size_t i = 0; a && i < n && !norm; i++)
		push(w, a, json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)f[i].id,
				     "name", f[i].name, "subsystem", f[i].subsystem,
				     "path", f[i].path));

	const struct xt_node *nd = xt_model__nodes(m, &n);
	put(w, root, "nodes", a = json_array());
	for (size_t i = 0; a && i < n; i++) {
		json_t *o = json_object();

		if (!norm)
			put(w, o, "id", json_integer(nd[i].id));
		put(w, o, "name", json_string(xt_model__node_name(m, nd[i].id)));
		put(w, o, "kind", json_string(nd[i].id & XT_ROOT_BIT ? "root" : "function"));
		put(w, o, "calls", u64(nd[i].calls));
		if (!norm) {
			put(w, o, "incl_ns", u64(nd[i].incl_ns));
			put(w, o, "self_ns", u64(nd[i].self_ns));
		}
		push(w, a, o);
	}

	const struct xt_edge *e = xt_model__edges(m, &n);
	put(w, root, "edges", a = json_array());
	for (size_t i = 0; a && i < n; i++) {
		json_t *o = json_object();

		put(w, o, "caller", ref(m, e[i].caller, norm));
		put(w, o, "callee", ref(m, e[i].callee, norm));
		put(w, o, "root", ref(m, e[i].root, norm));
		put(w, o, "calls", u64(e[i].calls));
		if (!norm) {
			put(w, o, "incl_ns", u64(e[i].incl_ns));
			put(w, o, "self_ns", u64(e[i].self_ns));
		}
		push(w, a, o);
	}

	const struct xt_sysstat *s = xt_model__sys(m, &n);
	put(w, root, "roots", a = json_array());
	for (size_t i = 0; a && i < n; i++) {
		json_t *o = json_object(), *h = json_array();

		put(w, o, "family", json_string(family_name(s[i].family)));
		put(w, o, "number", json_integer(s[i].number));
		put(w, o, "name", json_string(s[i].name));
		put(w, o, "count", u64(s[i].count));
		put(w, o, "errors", u64(s[i].errors));
		if (!norm) {
			put(w, o, "total_ns", u64(s[i].total_ns));
			for (int k = 0; h && k < XT_HIST_SLOTS; k++)
				push(w, h, u64(s[i].hist[k]));
			put(w, o, "hist", h);
		} else {
			json_decref(h);
		}
		push(w, a, o);
	}

	const struct xt_proc *p = xt_model__procs(m, &n);
	put(w, root, "processes", a = json_array());
	for (size_t i = 0; a && i < n; i++) {
		json_t *o = json_object(), *x = json_array();

		put(w, o, "pid", json_integer(p[i].pid));
		put(w, o, "ppid", json_integer(p[i].ppid));
		put(w, o, "how", json_string(p[i].how >= 0 && p[i].how <= 4 ? how_names[p[i].how]
									  : "unknown"));
		put(w, o, "comm", json_string(p[i].comm ? p[i].comm : ""));
		for (size_t k = 0; x && k < p[i].nexecs; k++)
			push(w, x, json_string(p[i].execs[k]));
		put(w, o, "execs", x);
		if (!norm) {
			put(w, o, "start_ns", u64(p[i].start_ns));
			put(w, o, "end_ns", u64(p[i].end_ns));
		}
		put(w, o, "exited", json_boolean(p[i].exited));
		put(w, o, "status", json_integer(p[i].status));
		put(w, o, "bsd_calls", u64(p[i].bsd_calls));
		put(w, o, "mach_traps", u64(p[i].mach_traps));
		push(w, a, o);
	}

	const struct xt_stack *st = xt_model__stacks(m, &n);
	put(w, root, "stacks", a = json_array());
	for (size_t i = 0; a && i < n; i++) {
		json_t *o = json_object();

		if (norm) {	/* the whole path, readable in a diff */
			put(w, o, "stack", stack_path(m, st, i));
		} else {
			put(w, o, "parent", json_integer(st[i].parent));
			put(w, o, "id", ref(m, st[i].id, norm));
		}
		put(w, o, "calls", u64(st[i].calls));
		if (!norm) {
			put(w, o, "incl_ns", u64(st[i].incl_ns));
			put(w, o, "self_ns", u64(st[i].self_ns));
		}
		push(w, a, o);
	}

	if (!norm) {	/* the timeline: compact rows, it is the bulk of a file */
		json_t *tl = json_object(), *sp = json_array(), *fl = json_array();
		const struct xt_span *v = xt_model__spans(m, &n);

		for (size_t i = 0; sp && i < n; i++)
			push(w, sp, json_pack("[i, I, I, i, I, I, i]", v[i].pid, (json_int_t)v[i].tid,
					      (json_int_t)v[i].id, (int)v[i].depth,
					      (json_int_t)v[i].ts_ns, (json_int_t)v[i].dur_ns,
					      v[i].error));
		const struct xt_flow *fw = xt_model__flows(m, &n);
		for (size_t i = 0; fl && i < n; i++)
			push(w, fl, json_pack("{s:s, s:i, s:I, s:I, s:i, s:I, s:I, s:I}",
					      "kind", flow_names[fw[i].kind <= 4 ? fw[i].kind : 0],
					      "from_pid", fw[i].from_pid, "from_tid",
					      (json_int_t)fw[i].from_tid, "from_ts",
					      (json_int_t)fw[i].from_ts, "to_pid", fw[i].to_pid,
					      "to_tid", (json_int_t)fw[i].to_tid, "to_ts",
					      (json_int_t)fw[i].to_ts, "detail",
					      (json_int_t)fw[i].detail));
		put(w, tl, "spans", sp);
		put(w, tl, "flows", fl);
		put(w, root, "timeline", tl);
	}
	return root;
}

int xt_artifact__write(const struct xt_model *m, const char *path,
		       const struct xt_artifact_opts *opts)
{
	struct xt_artifact_opts o = opts ? *opts : (struct xt_artifact_opts){ 0 };
	size_t flags = JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6) |
		       (o.compact ? JSON_COMPACT : JSON_INDENT(1));
	struct jw w = { 0 };
	json_t *root = model_json(m, o.normalise, &w);
	char tmp[4096];
	int err = w.err;

	if (!root)
		return -ENOMEM;
	if (err)
		goto out;
	if (strcmp(path, "-") == 0) {
		err = json_dumpf(root, stdout, flags) ? -EIO : 0;
		if (!err && (fputc('\n', stdout) == EOF || fflush(stdout)))
			err = -EIO;
		goto out;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp)) {
		err = -ENAMETOOLONG;
		goto out;
	}
	{
		FILE *f = fopen(tmp, "w");

		if (!f) {
			err = -errno;
			goto out;
		}
		if (json_dumpf(root, f, flags) || fputc('\n', f) == EOF)
			err = -EIO;
		if (fclose(f) && !err)
			err = -errno;
	}
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
out:
	json_decref(root);
	return err;
}

/* ---- reading ------------------------------------------------------------- */

struct jr {
	char *err;
	size_t errlen;
	bool failed;
};

__attribute__((format(printf, 2, 3))) static void bad(struct jr *r, const char *fmt, ...)
{
	va_list ap;

	if (r->failed)
		return;
	r->failed = true;
	if (!r->err || !r->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
}

static json_t *field(struct jr *r, json_t *o, const char *where, const char *key, json_type t,
		     const char *what)
{
	json_t *v = json_object_get(o, key);

	if (!v) {
		bad(r, "%s.%s: missing", where, key);
		return NULL;
	}
	if (json_typeof(v) != t && !(t == JSON_REAL && json_is_integer(v)) &&
	    !(t == JSON_TRUE && json_is_boolean(v))) {
		bad(r, "%s.%s: expected %s", where, key, what);
		return NULL;
	}
	return v;
}

static int64_t get_int(struct jr *r, json_t *o, const char *where, const char *key)
{
	json_t *v = field(r, o, where, key, JSON_INTEGER, "an integer");

	return v ? (int64_t)json_integer_value(v) : 0;
}

static uint64_t get_count(struct jr *r, json_t *o, const char *where, const char *key)
{
	int64_t v = get_int(r, o, where, key);

	if (v < 0)
		bad(r, "%s.%s: expected a non-negative integer", where, key);
	return (uint64_t)v;
}

/* Optional count (times, absent from normalised artifacts): 0 when absent. */
static uint64_t opt_count(struct jr *r, json_t *o, const char *where, const char *key)
{
	return json_object_get(o, key) ? get_count(r, o, where, key) : 0;
}

static const char *get_str(struct jr *r, json_t *o, const char *where, const char *key)
{
	json_t *v = field(r, o, where, key, JSON_STRING, "a string");

	return v ? json_string_value(v) : "";
}

static bool get_bool(struct jr *r, json_t *o, const char *where, const char *key)
{
	json_t *v = field(r, o, where, key, JSON_TRUE, "true or false");

	return v && json_is_true(v);
}

static json_t *get_array(struct jr *r, json_t *o, const char *where, const char *key)
{
	return field(r, o, where, key, JSON_ARRAY, "an array");
}

/* Element i of an array, which must be an object. */
static json_t *elem(struct jr *r, json_t *a, size_t i, const char *key, char *where, size_t wl)
{
	json_t *o = json_array_get(a, i);

	snprintf(where, wl, "%s[%zu]", key, i);
	if (!json_is_object(o)) {
		bad(r, "%s: expected an object", where);
		return NULL;
	}
	return o;
}

static uint32_t get_u32(struct jr *r, json_t *o, const char *where, const char *key)
{
	int64_t v = get_int(r, o, where, key);

	if (v < 0 || v > UINT32_MAX)
		bad(r, "%s.%s: out of range", where, key);
	return (uint32_t)v;
}

static int read_meta(struct jr *r, json_t *root, struct xt_meta *mt)
{
	json_t *o = field(r, root, "$", "meta", JSON_OBJECT, "an object"), *d, *pc, *v;

	if (!o)
		return -EINVAL;
	mt->backend = strdup(get_str(r, o, "meta", "backend"));
	mt->arch = strdup(get_str(r, o, "meta", "arch"));
	mt->command = strdup(get_str(r, o, "meta", "command"));
	if (!mt->backend || !mt->arch || !mt->command)
		return -ENOMEM;
	mt->workload_status = (int32_t)get_int(r, o, "meta", "workload_status");
	mt->interrupted = get_bool(r, o, "meta", "interrupted");
	mt->machine = json_object_get(o, "machine") ? get_u32(r, o, "meta", "machine") : 0;
	mt->wall_ns = opt_count(r, o, "meta", "wall_ns");
	mt->events = opt_count(r, o, "meta", "events");
	mt->timeline_dropped = opt_count(r, o, "meta", "timeline_dropped");
	if ((v = json_object_get(o, "cost_per_event_ns"))) {
		if (!json_is_number(v))
			bad(r, "meta.cost_per_event_ns: expected a number");
		mt->cost_per_event_ns = json_number_value(v);
	}
	d = field(r, o, "meta", "drops", JSON_OBJECT, "an object");
	for (int i = 0; d && i < XT_DROP_MAX; i++)
		mt->drops[i] = get_count(r, d, "meta.drops", drop_names[i]);
	pc = field(r, o, "meta", "probe_coverage", JSON_OBJECT, "an object");
	if (pc) {
		mt->funcs_seen = get_u32(r, pc, "meta.probe_coverage", "seen");
		if (json_object_get(pc, "registered"))
			mt->funcs_registered = get_u32(r, pc, "meta.probe_coverage", "registered");
	}
	return r->failed ? -EINVAL : 0;
}

/* Node reference: an id (full artifacts); names only appear normalised. */
static uint32_t get_ref(struct jr *r, json_t *o, const char *where, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (v && json_is_string(v)) {
		bad(r, "%s.%s: a normalised artifact (names, not ids) cannot be read back",
		    where, key);
		return 0;
	}
	return get_u32(r, o, where, key);
}

static int read_arrays(struct jr *r, json_t *root, struct xt_model *m)
{
	char w[96];
	json_t *a, *o;
	int err = 0;

	if ((a = get_array(r, root, "$", "functions")))
		for (size_t i = 0; i < json_array_size(a) && !r->failed && !err; i++) {
			if (!(o = elem(r, a, i, "functions", w, sizeof(w))))
				break;
			uint32_t id = get_u32(r, o, w, "id");
			const char *name = get_str(r, o, w, "name"), *sub = get_str(r, o, w, "subsystem");
			const char *path = get_str(r, o, w, "path");

			if (!r->failed)
				err = xt_model__add_func_full(m, id, name, path, sub);
		}
	/* nodes are derived from edges on finish; still check their shape */
	if ((a = get_array(r, root, "$", "nodes")))
		for (size_t i = 0; i < json_array_size(a) && !r->failed; i++) {
			if (!(o = elem(r, a, i, "nodes", w, sizeof(w))))
				break;
			(void)get_ref(r, o, w, "id");
			(void)get_count(r, o, w, "calls");
		}
	if ((a = get_array(r, root, "$", "edges")))
		for (size_t i = 0; i < json_array_size(a) && !r->failed && !err; i++) {
			struct xt_edge e;

			if (!(o = elem(r, a, i, "edges", w, sizeof(w))))
				break;
			e.caller = get_ref(r, o, w, "caller");
			e.callee = get_ref(r, o, w, "callee");
			e.root = get_ref(r, o, w, "root");
			e.calls = get_count(r, o, w, "calls");
			e.incl_ns = opt_count(r, o, w, "incl_ns");
			e.self_ns = opt_count(r, o, w, "self_ns");
			if (!r->failed)
				err = xt_model__add_edge(m, &e);
		}
	if ((a = get_array(r, root, "$", "roots")))
		for (size_t i = 0; i < json_array_size(a) && !r->failed && !err; i++) {
			struct xt_sysstat s = { 0 };
			json_t *h;
			int fam;

			if (!(o = elem(r, a, i, "roots", w, sizeof(w))))
				break;
			fam = family_parse(get_str(r, o, w, "family"));
			if (fam < 0)
				bad(r, "%s.family: expected \"bsd\", \"mach\", \"mdep\" or \"diag\"", w);
			s.family = fam;
			s.number = (int32_t)get_int(r, o, w, "number");
			s.name = (char *)get_str(r, o, w, "name");
			s.count = get_count(r, o, w, "count");
			s.errors = get_count(r, o, w, "errors");
			s.total_ns = opt_count(r, o, w, "total_ns");
			if ((h = json_object_get(o, "hist"))) {
				if (!json_is_array(h) || json_array_size(h) > XT_HIST_SLOTS)
					bad(r, "%s.hist: expected an array of at most %d counts", w,
					    XT_HIST_SLOTS);
				for (size_t k = 0; !r->failed && k < json_array_size(h); k++) {
					json_t *c = json_array_get(h, k);

					if (!json_is_integer(c) || json_integer_value(c) < 0)
						bad(r, "%s.hist[%zu]: expected a count", w, k);
					else
						s.hist[k] = (uint64_t)json_integer_value(c);
				}
			}
			if (!r->failed)
				err = xt_model__add_sys_named(m, &s);
		}
	if ((a = get_array(r, root, "$", "processes")))
		for (size_t i = 0; i < json_array_size(a) && !r->failed && !err; i++) {
			struct xt_proc p = { 0 };
			const char *how;
			json_t *x;
			char *execs[256];

			if (!(o = elem(r, a, i, "processes", w, sizeof(w))))
				break;
			p.pid = (int32_t)get_int(r, o, w, "pid");
			p.ppid = (int32_t)get_int(r, o, w, "ppid");
			how = get_str(r, o, w, "how");
			p.how = -1;
			for (int k = 0; k < 5; k++)
				if (strcmp(how, how_names[k]) == 0)
					p.how = k;
			p.comm = (char *)get_str(r, o, w, "comm");
			p.start_ns = opt_count(r, o, w, "start_ns");
			p.end_ns = opt_count(r, o, w, "end_ns");
			p.exited = get_bool(r, o, w, "exited");
			p.status = (int32_t)get_int(r, o, w, "status");
			p.bsd_calls = get_count(r, o, w, "bsd_calls");
			p.mach_traps = get_count(r, o, w, "mach_traps");
			x = get_array(r, o, w, "execs");
			for (size_t k = 0; x && !r->failed && k < json_array_size(x); k++) {
				json_t *s = json_array_get(x, k);

				if (k >= 256 || !json_is_string(s))
					bad(r, "%s.execs[%zu]: expected a string (at most 256)", w, k);
				else
					execs[p.nexecs++] = (char *)json_string_value(s);
			}
			p.execs = execs;
			if (!r->failed)
				err = xt_model__add_proc(m, &p);
		}
	if ((a = json_object_get(root, "stacks"))) {	/* optional */
		if (!json_is_array(a))
			bad(r, "$.stacks: expected an array");
		for (size_t i = 0; !r->failed && i < json_array_size(a) && !err; i++) {
			struct xt_stack s;

			if (!(o = elem(r, a, i, "stacks", w, sizeof(w))))
				break;
			s.parent = get_u32(r, o, w, "parent");
			s.id = get_ref(r, o, w, "id");
			s.calls = get_count(r, o, w, "calls");
			s.incl_ns = opt_count(r, o, w, "incl_ns");
			s.self_ns = opt_count(r, o, w, "self_ns");
			if (!r->failed && s.parent > i)
				bad(r, "%s.parent: %u does not come before it", w, s.parent);
			if (!r->failed)
				err = xt_model__add_stack(m, &s);
		}
	}
	return err ? err : r->failed ? -EINVAL : 0;
}

static int read_timeline(struct jr *r, json_t *root, struct xt_model *m)
{
	json_t *tl = json_object_get(root, "timeline"), *a, *o;
	char w[96];
	int err = 0;

	if (!tl)
		return 0;	/* optional */
	if (!json_is_object(tl)) {
		bad(r, "$.timeline: expected an object");
		return -EINVAL;
	}
	if ((a = get_array(r, tl, "timeline", "spans")))
		for (size_t i = 0; i < json_array_size(a) && !r->failed && !err; i++) {
			json_t *row = json_array_get(a, i);
			json_int_t v[7];

			if (!json_is_array(row) || json_array_size(row) != 7) {
				bad(r, "timeline.spans[%zu]: expected [pid, tid, id, depth, ts, dur, error]",
				    i);
				break;
			}
			for (int k = 0; k < 7; k++) {
				json_t *c = json_array_get(row, (size_t)k);

				if (!json_is_integer(c)) {
					bad(r, "timeline.spans[%zu][%d]: expected an integer", i, k);
					break;
				}
				v[k] = json_integer_value(c);
			}
			if (r->failed)
				break;
			struct xt_span s = { (int32_t)v[0], (uint32_t)v[2], (uint64_t)v[1],
					     (uint64_t)v[4], (uint64_t)v[5], (uint32_t)v[3],
					     (int32_t)v[6] };
			err = xt_model__add_span(m, &s);
		}
	if ((a = get_array(r, tl, "timeline", "flows")))
		for (size_t i = 0; i < json_array_size(a) && !r->failed && !err; i++) {
			struct xt_flow f = { 0 };
			const char *kind;

			if (!(o = elem(r, a, i, "timeline.flows", w, sizeof(w))))
				break;
			kind = get_str(r, o, w, "kind");
			for (uint32_t k = 1; k <= 4; k++)
				if (strcmp(kind, flow_names[k]) == 0)
					f.kind = k;
			if (!f.kind)
				bad(r, "%s.kind: unknown flow \"%s\"", w, kind);
			f.from_pid = (int32_t)get_int(r, o, w, "from_pid");
			f.to_pid = (int32_t)get_int(r, o, w, "to_pid");
			f.from_tid = get_count(r, o, w, "from_tid");
			f.to_tid = get_count(r, o, w, "to_tid");
			f.from_ts = get_count(r, o, w, "from_ts");
			f.to_ts = get_count(r, o, w, "to_ts");
			f.detail = get_count(r, o, w, "detail");
			if (!r->failed)
				err = xt_model__add_flow(m, &f);
		}
	return err ? err : r->failed ? -EINVAL : 0;
}

struct xt_model *xt_artifact__read(const char *path, char *err, size_t errlen)
{
	struct jr r = { err, errlen, false };
	struct xt_model *m = NULL;
	json_error_t je;
	json_t *root = NULL, *v;
	int rc = -EINVAL;

	if (err && errlen)
		err[0] = '\0';
	root = strcmp(path, "-") == 0 ? json_loadf(stdin, JSON_REJECT_DUPLICATES, &je)
				      : json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		if (je.position == 0 && je.line <= 1 && strstr(je.text, "unable to open")) {
			rc = -errno ? -errno : -ENOENT;
			bad(&r, "%s", je.text);
		} else if (strstr(je.text, "end of file") || je.position == 0) {
			bad(&r, "not JSON (empty or truncated): %s at line %d", je.text, je.line);
		} else {
			bad(&r, "not JSON: %s at line %d, column %d", je.text, je.line, je.column);
		}
		goto fail;
	}
	if (!json_is_object(root)) {
		bad(&r, "$: expected a JSON object");
		goto fail;
	}
	v = json_object_get(root, "format");
	if (!json_is_string(v) || strcmp(json_string_value(v), XT_ARTIFACT_FORMAT) != 0) {
		bad(&r, "$.format: not an xnutrace artifact (expected \"%s\")", XT_ARTIFACT_FORMAT);
		goto fail;
	}
	v = json_object_get(root, "version");
	if (!json_is_integer(v)) {
		bad(&r, "$.version: missing or not an integer");
		goto fail;
	}
	if (json_integer_value(v) != XT_ARTIFACT_VERSION) {
		bad(&r, "$.version: version %" JSON_INTEGER_FORMAT " is not supported (this "
			"xnutrace reads version %d)", json_integer_value(v), XT_ARTIFACT_VERSION);
		goto fail;
	}
	m = xt_model__new();
	if (!m) {
		rc = -ENOMEM;
		goto fail;
	}
	xt_model__set_timeline_max(m, SIZE_MAX);
	rc = read_meta(&r, root, xt_model__meta(m));
	if (!rc)
		rc = read_arrays(&r, root, m);
	if (!rc)
		rc = read_timeline(&r, root, m);
	if (!rc) {
		uint32_t seen = xt_model__meta(m)->funcs_seen;
		uint32_t reg = xt_model__meta(m)->funcs_registered;

		rc = xt_model__finish(m);
		xt_model__meta(m)->funcs_seen = seen;	/* as recorded */
		if (reg)
			xt_model__meta(m)->funcs_registered = reg;
	}
	if (rc)
		goto fail;
	json_decref(root);
	return m;
fail:
	if (rc == -ENOMEM)
		bad(&r, "out of memory");
	json_decref(root);
	xt_model__free(m);
	errno = rc < 0 ? -rc : EINVAL;
	return NULL;
}
