/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_artifact: collector/artifact.c writes a model and reads it back
 * unchanged; bad input (empty, truncated, malformed, wrong format or
 * version, wrong types, missing fields) fails with a message that says
 * where, never a crash.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector/artifact.h"
#include "collector/model.h"
#include "tests/harness.h"

static char dir[] = "/tmp/test_artifact.XXXXXX";

static const char *tmp(const char *name)
{
	static char path[256];
	static bool made;

	if (!made)
		made = mkdtemp(dir) != NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static struct xt_event ev(uint32_t type, uint64_t ts, int32_t id, int family)
{
	struct xt_event e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.ts_ns = ts;
	e.host_tid = 5;
	e.tid = 105;
	e.pid = 2;
	e.id = id;
	e.family = family;
	return e;
}

/* A model with a bit of everything. */
static struct xt_model *sample(void)
{
	struct xt_model *m = xt_model__new();
	struct xt_event seq[] = {
		ev(XT_EV_PROC_CREATE, 1, 0, 0),
		ev(XT_EV_FUNC_ENTRY, 5, 1, 0),
		ev(XT_EV_SYSCALL_ENTRY, 10, 5, XT_FAMILY_BSD),
		ev(XT_EV_FUNC_ENTRY, 20, 2, 0),
		ev(XT_EV_MSG_SEND, 22, 0, 0),
		ev(XT_EV_MSG_RECEIVE, 23, 0, 0),
		ev(XT_EV_FUNC_RETURN, 40, 2, 0),
		ev(XT_EV_SYSCALL_RETURN, 90, 5, XT_FAMILY_BSD),
		ev(XT_EV_FUNC_RETURN, 95, 1, 0),
		ev(XT_EV_PROC_EXEC, 96, 0, 0),
		ev(XT_EV_PROC_EXIT, 99, 0, 0),
	};
	struct xt_meta *mt;

	if (!m)
		return NULL;
	seq[0].a[0] = 1;
	seq[0].a[1] = 1;
	seq[7].a[1] = 2;	/* ENOENT */
	seq[4].a[0] = seq[5].a[0] = 42;
	strcpy(seq[9].str, "/bin/x \"quoted\" \\ path");
	seq[10].a[0] = 9;
	xt_model__add_func(m, 1, "unix_syscall", "bsd/dev/arm/systemcalls.c");
	xt_model__add_func(m, 2, "open", "bsd/vfs/vfs_syscalls.c");
	xt_model__add_func(m, 3, "never_called", "osfmk/kern/x.c");
	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
		EXPECT_EQ(xt_model__feed(m, &seq[i], true), 0);
	mt = xt_model__meta(m);
	mt->backend = strdup("inproc");
	mt->arch = strdup("x86_64");
	mt->command = strdup("file_io --flag");
	mt->machine = 1234;
	mt->workload_status = 11;
	mt->wall_ns = 123456789;
	mt->drops[XT_DROP_RINGBUF] = 3;
	mt->cost_per_event_ns = 37.25;
	mt->interrupted = true;
	EXPECT_EQ(xt_model__finish(m), 0);
	return m;
}

#define SAME_ARRAY(getter, cmp)                                                 \
	do {                                                                    \
		size_t na, nb;                                                  \
		const void *pa = getter(a, &na), *pb = getter(b, &nb);          \
		EXPECT_EQ(na, nb);                                              \
		if (na == nb)                                                   \
			for (size_t i = 0; i < na; i++)                         \
				EXPECT_TRUE(cmp(&((typeof(getter(a, &na)))pa)[i], \
						&((typeof(getter(a, &na)))pb)[i]));      \
	} while (0)

static bool eq_func(const struct xt_func *x, const struct xt_func *y)
{
	return x->id == y->id && !strcmp(x->name, y->name) && !strcmp(x->path, y->path) &&
	       !strcmp(x->subsystem, y->subsystem);
}
/* Field by field: the structs have padding. */
static bool eq_node(const struct xt_node *x, const struct xt_node *y)
{
	return x->id == y->id && x->calls == y->calls && x->incl_ns == y->incl_ns &&
	       x->self_ns == y->self_ns;
}
static bool eq_edge(const struct xt_edge *x, const struct xt_edge *y)
{
	return x->caller == y->caller && x->callee == y->callee && x->root == y->root &&
	       x->calls == y->calls && x->incl_ns == y->incl_ns && x->self_ns == y->self_ns;
}
static bool eq_sys(const struct xt_sysstat *x, const struct xt_sysstat *y)
{
	return x->family == y->family && x->number == y->number && !strcmp(x->name, y->name) &&
	       x->count == y->count && x->errors == y->errors && x->total_ns == y->total_ns &&
	       !memcmp(x->hist, y->hist, sizeof(x->hist));
}
static bool eq_proc(const struct xt_proc *x, const struct xt_proc *y)
{
	bool ok = x->pid == y->pid && x->ppid == y->ppid && x->how == y->how &&
		  !strcmp(x->comm ? x->comm : "", y->comm ? y->comm : "") &&
		  x->start_ns == y->start_ns && x->end_ns == y->end_ns && x->exited == y->exited &&
		  x->status == y->status && x->bsd_calls == y->bsd_calls &&
		  x->mach_traps == y->mach_traps && x->nexecs == y->nexecs;

	for (size_t i = 0; ok && i < x->nexecs; i++)
		ok = !strcmp(x->execs[i], y->execs[i]);
	return ok;
}
static bool eq_stack(const struct xt_stack *x, const struct xt_stack *y)
{
	return x->parent == y->parent && x->id == y->id && x->calls == y->calls &&
	       x->incl_ns == y->incl_ns && x->self_ns == y->self_ns;
}
static bool eq_span(const struct xt_span *x, const struct xt_span *y)
{
	return x->pid == y->pid && x->id == y->id && x->tid == y->tid && x->ts_ns == y->ts_ns &&
	       x->dur_ns == y->dur_ns && x->depth == y->depth && x->error == y->error;
}
static bool eq_flow(const struct xt_flow *x, const struct xt_flow *y)
{
	return x->kind == y->kind && x->from_pid == y->from_pid && x->to_pid == y->to_pid &&
	       x->from_tid == y->from_tid && x->to_tid == y->to_tid && x->from_ts == y->from_ts &&
	       x->to_ts == y->to_ts && x->detail == y->detail;
}

TEST(round_trip_is_lossless)
{
	struct xt_model *a = sample(), *b;
	struct xt_meta *ma, *mb;
	char err[256];
	size_t n;

	ASSERT_TRUE(a);
	ASSERT_EQ(xt_artifact__write(a, tmp("a.json"), NULL), 0);
	b = xt_artifact__read(tmp("a.json"), err, sizeof(err));
	if (!b)
		printf("  read: %s\n", err);
	ASSERT_TRUE(b);
	ma = xt_model__meta(a);
	mb = xt_model__meta(b);
	EXPECT_STREQ(mb->backend, "inproc");
	EXPECT_STREQ(mb->arch, "x86_64");
	EXPECT_STREQ(mb->command, ma->command);
	EXPECT_EQ(mb->machine, 1234);
	EXPECT_EQ(mb->workload_status, 11);
	EXPECT_EQ(mb->wall_ns, ma->wall_ns);
	EXPECT_EQ(mb->events, ma->events);
	EXPECT_EQ(memcmp(mb->drops, ma->drops, sizeof(ma->drops)), 0);
	EXPECT_EQ(mb->funcs_registered, 3);
	EXPECT_EQ(mb->funcs_seen, ma->funcs_seen);
	EXPECT_EQ(mb->funcs_seen, 2);
	EXPECT_TRUE(mb->cost_per_event_ns == 37.25);
	EXPECT_TRUE(mb->interrupted);
	SAME_ARRAY(xt_model__funcs, eq_func);
	SAME_ARRAY(xt_model__nodes, eq_node);
	SAME_ARRAY(xt_model__edges, eq_edge);
	SAME_ARRAY(xt_model__sys, eq_sys);
	SAME_ARRAY(xt_model__procs, eq_proc);
	SAME_ARRAY(xt_model__stacks, eq_stack);
	SAME_ARRAY(xt_model__spans, eq_span);
	SAME_ARRAY(xt_model__flows, eq_flow);
	EXPECT_TRUE(xt_model__edges(a, &n) && n > 3);
	/* and writing it again gives the same bytes */
	ASSERT_EQ(xt_artifact__write(b, tmp("b.json"), NULL), 0);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "cmp -s %s/a.json %s/b.json", dir, dir);
	EXPECT_EQ(system(cmd), 0);
	xt_model__free(a);
	xt_model__free(b);
}

/* Write text to a file, read it as an artifact: must fail with msg in the error. */
static void expect_bad(const char *text, size_t len, const char *msg)
{
	const char *path = tmp("bad.json");
	FILE *f = fopen(path, "w");
	struct xt_model *m;
	char err[256] = "";

	ASSERT_TRUE(f);
	fwrite(text, 1, len, f);
	fclose(f);
	errno = 0;
	m = xt_artifact__read(path, err, sizeof(err));
	EXPECT_TRUE(m == NULL);
	EXPECT_EQ(errno, EINVAL);
	if (!strstr(err, msg))
		printf("  error \"%s\" lacks \"%s\"\n", err, msg);
	EXPECT_TRUE(strstr(err, msg) != NULL);
	xt_model__free(m);
}
#define BAD(text, msg) expect_bad(text, strlen(text), msg)

TEST(bad_input_fails_with_a_clear_message)
{
	BAD("", "empty or truncated");
	BAD("{\"format\": \"xnutrace\", \"version\": 1, \"meta\": {", "truncated");
	BAD("{format: xnutrace}", "not JSON");
	BAD("[1, 2, 3]", "expected a JSON object");
	BAD("{\"format\": \"perf\", \"version\": 1}", "not an xnutrace artifact");
	BAD("{\"format\": \"xnutrace\", \"version\": 2}", "version 2 is not supported");
	BAD("{\"format\": \"xnutrace\", \"version\": \"1\"}", "$.version");
	BAD("{\"format\": \"xnutrace\", \"version\": 1}", "$.meta: missing");
	BAD("{\"format\": \"xnutrace\", \"version\": 1, \"format\": \"x\"}", "duplicate");
}

TEST(wrong_types_name_the_field)
{
	struct xt_model *a = sample();
	char cmd[1024], err[256];
	struct {
		const char *jq, *msg;
	} cases[] = {
		{ ".meta.backend = 3", "meta.backend: expected a string" },
		{ ".meta.drops.ring_buffer = -1", "meta.drops.ring_buffer: expected a non-negative" },
		{ ".edges[0].calls = \"many\"", "edges[0].calls: expected an integer" },
		{ ".processes[0].pid = null", "processes[0].pid: expected an integer" },
		{ ".roots[0].family = \"vms\"", "roots[0].family" },
		{ ".roots[0].hist = {}", "roots[0].hist" },
		{ ".functions[1] = 7", "functions[1]: expected an object" },
		{ "del(.edges)", "$.edges: missing" },
		{ ".stacks[0].parent = 99", "does not come before it" },
		{ ".timeline.spans[0] = [1]", "timeline.spans[0]" },
		{ ".processes[0].execs = [1]", "processes[0].execs[0]" },
	};

	ASSERT_TRUE(a);
	ASSERT_EQ(xt_artifact__write(a, tmp("good.json"), NULL), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xt_model *m;

		snprintf(cmd, sizeof(cmd), "jq '%s' %s/good.json > %s/t.json", cases[i].jq, dir, dir);
		ASSERT_EQ(system(cmd), 0);
		err[0] = '\0';
		m = xt_artifact__read(tmp("t.json"), err, sizeof(err));
		EXPECT_TRUE(m == NULL);
		if (!strstr(err, cases[i].msg))
			printf("  %s: error \"%s\" lacks \"%s\"\n", cases[i].jq, err, cases[i].msg);
		EXPECT_TRUE(strstr(err, cases[i].msg) != NULL);
		xt_model__free(m);
	}
	xt_model__free(a);
}

TEST(missing_file_is_an_io_error)
{
	char err[256];

	errno = 0;
	EXPECT_TRUE(xt_artifact__read("/nonexistent/x.json", err, sizeof(err)) == NULL);
	EXPECT_TRUE(errno != 0);
	EXPECT_TRUE(err[0] != '\0');
}

TEST(normalised_output_has_no_times_and_uses_names)
{
	struct xt_model *a = sample();
	struct xt_artifact_opts o = { .normalise = true };
	char cmd[512];

	ASSERT_TRUE(a);
	ASSERT_EQ(xt_artifact__write(a, tmp("n.json"), &o), 0);
	snprintf(cmd, sizeof(cmd), "! grep -q '_ns\\|timeline\\|wall' %s/n.json && "
		 "grep -q '\"callee\": \"bsd:open\"' %s/n.json", dir, dir);
	EXPECT_EQ(system(cmd), 0);
	/* a normalised artifact is for comparing, not for reading back */
	EXPECT_TRUE(xt_artifact__read(tmp("n.json"), NULL, 0) == NULL);
	xt_model__free(a);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
}
