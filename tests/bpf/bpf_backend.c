/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bpf_backend: the bpf backend against workloads with known behaviour.
 * Needs root (CI runs it as root); without it, prints why and one SKIP.
 * Each case loads the BPF programs, attaches them to libxnusim.so for every
 * process, runs a workload under `xnusim run`, and checks what the kernel
 * side aggregated: syscall counts and errors, call-graph edges along the
 * open and mmap paths, ring buffer events, filters and the drop counter.
 * Prints "name OK|NG" per case and "N passed, N failed[, N skipped]" last.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collector/backend_bpf.h"
#include "collector/model.h"
#include "collector/trace_fmt.h"
#include "kmod-xnu-sim/include/xnusim/xnusim.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

const int xnusim_no_autoboot = 1;	/* this process only reads the registry */

static int failed_now, passed, failed;
static char lib_path[PATH_MAX], runner[PATH_MAX], progs[PATH_MAX], examples[PATH_MAX];

#define CHECK(cond, ...)                                                         \
	do {                                                                     \
		if (!(cond)) {                                                   \
			printf("    %s:%d: %s: ", __FILE__, __LINE__, #cond);        \
			printf(__VA_ARGS__);                                     \
			printf("\n");                                            \
			failed_now = 1;                                          \
		}                                                                \
	} while (0)

struct events_seen {
	int open_missing_path;	/* open returns with "/no/such/file" */
	int proc_creates;
	int total;
};

static int on_event(void *ctx, const struct xt_event *ev)
{
	struct events_seen *s = ctx;

	s->total++;
	/* The return carries the path too (read after the kernel's copyin). */
	if (ev->type == XT_EV_SYSCALL_RETURN && ev->family == XT_FAMILY_BSD && ev->id == 5 &&
	    strcmp(ev->str, "/no/such/file") == 0 && ev->a[1] == 2 /* ENOENT */)
		s->open_missing_path++;
	if (ev->type == XT_EV_PROC_CREATE)
		s->proc_creates++;
	return 0;
}

/*
 * Trace `prog` (+ one optional argument) under `xnusim run --arch arch` and
 * collect into a new model (the caller frees it).  poll: consume the ring
 * while the workload runs (else only at the end).  NULL on setup failure.
 */
static struct xt_model *trace(struct xt_backend_opts *o, const char *arch, const char *prog,
			      const char *arg, bool poll)
{
	struct xt_bpf_backend *b;
	struct xt_model *m = xt_model__new();
	const char *msg = NULL;
	int status = 0, err;
	pid_t pid;

	o->lib_path = lib_path;
	b = xt_bpf_backend__open(o, &msg);
	CHECK(b, "open: %s (%s)", msg ? msg : "?", strerror(errno));
	if (!b || !m)
		goto fail;
	err = xt_bpf_backend__attach(b);
	CHECK(err == 0, "attach: %s", strerror(-err));
	if (err)
		goto fail;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, 1);	/* the workload's own output is not the test's */
		execl(runner, runner, "run", "--arch", arch, "--", prog, arg, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, poll ? WNOHANG : 0) == 0)
		xt_bpf_backend__poll(b, 10);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "workload status 0x%x", status);
	err = xt_bpf_backend__collect(b, m);
	CHECK(err == 0, "collect: %s", strerror(-err));
	xt_bpf_backend__destroy(b);
	xt_model__finish(m);
	return m;
fail:
	xt_bpf_backend__destroy(b);
	xt_model__free(m);
	return NULL;
}

static const struct xt_sysstat *sys_find(struct xt_model *m, int family, int number)
{
	size_t n;
	const struct xt_sysstat *s = xt_model__sys(m, &n);

	for (size_t i = 0; i < n; i++)
		if (s[i].family == family && s[i].number == number)
			return &s[i];
	return NULL;
}

static uint64_t count_of(struct xt_model *m, int family, int number, uint64_t *errors)
{
	const struct xt_sysstat *s = sys_find(m, family, number);

	if (errors)
		*errors = s ? s->errors : 0;
	return s ? s->count : 0;
}

static uint32_t fid(const char *name)
{
	const struct xs_func *f = xs_func_registry_find(name);

	return f ? f->xf_id : 0;
}

static const struct xt_edge *edge_find(struct xt_model *m, uint32_t caller, uint32_t callee,
				       uint32_t root)
{
	size_t n;
	const struct xt_edge *e = xt_model__edges(m, &n);

	for (size_t i = 0; i < n; i++)
		if (e[i].caller == caller && e[i].callee == callee && e[i].root == root)
			return &e[i];
	return NULL;
}

/* Every consecutive pair of the chain is an edge under root; the first hangs off the root. */
static void check_chain(struct xt_model *m, uint32_t root, const char *const *chain, int n)
{
	uint32_t caller = root;

	for (int i = 0; i < n; i++) {
		uint32_t callee = fid(chain[i]);

		CHECK(callee != 0, "%s is not in the registry", chain[i]);
		CHECK(edge_find(m, caller, callee, root), "no edge %s -> %s under root 0x%x",
		      i ? chain[i - 1] : "(syscall)", chain[i], root);
		caller = callee;
	}
}

static struct xt_backend_opts default_opts(void)
{
	struct xt_backend_opts o = { 0 };

	o.filter.pid = -1;
	o.filter.number = INT32_MIN;
	return o;
}

static void counts_case(const char *arch)
{
	struct xt_backend_opts o = default_opts();
	struct xt_model *m = trace(&o, arch, progs, NULL, true);
	uint64_t err;

	if (!m)
		return;
	CHECK(count_of(m, 1, 20, NULL) == 7, "getpid");
	CHECK(count_of(m, 1, 5, &err) == 5 && err == 3, "open %llu/%llu",
	      (unsigned long long)count_of(m, 1, 5, NULL), (unsigned long long)err);
	CHECK(count_of(m, 1, 6, NULL) == 2, "close");
	CHECK(count_of(m, 1, 197, NULL) == 1 && count_of(m, 1, 73, NULL) == 1, "mmap/munmap");
	CHECK(count_of(m, 2, -28, &err) == 4 && err == 0, "task_self_trap");
	CHECK(count_of(m, 2, -18, &err) == 2 && err == 2, "mach_port_deallocate");
	xt_model__free(m);
}

static void test_counts_arm64(void)
{
	counts_case("arm64");
}

static void test_counts_x86_64(void)
{
	counts_case("x86_64");
}

/* examples/file_io: 2 opens (one ENOENT), 3 reads... as its source says. */
static void test_example_file_io_counts(void)
{
	struct xt_backend_opts o = default_opts();
	char prog[PATH_MAX + 32];
	struct xt_model *m;
	uint64_t err;

	snprintf(prog, sizeof(prog), "%s/file_io/file_io", examples);
	m = trace(&o, "arm64", prog, NULL, true);
	if (!m)
		return;
	CHECK(count_of(m, 1, 5, &err) == 2 && err == 1, "open");
	CHECK(count_of(m, 1, 136, NULL) == 1 && count_of(m, 1, 12, NULL) == 1, "mkdir, chdir");
	CHECK(count_of(m, 1, 3, &err) == 2 && err == 1, "read");
	CHECK(count_of(m, 1, 6, NULL) == 2 && count_of(m, 1, 10, NULL) == 1, "close, unlink");
	CHECK(count_of(m, 1, 338, &err) == 1 && err == 1, "stat64");
	xt_model__free(m);
}

static void test_open_path_edges(void)
{
	static const char *const chain[] = { "open", "open_nocancel", "openat_internal", "open1at",
					     "open1", "falloc_withinit", "fileproc_alloc_init",
					     "zalloc_id" };
	struct xt_backend_opts o = default_opts();
	struct xt_model *m = trace(&o, "arm64", progs, NULL, true);
	uint32_t root = XT_ROOT_ID(XT_FAMILY_BSD, 5);
	const struct xt_edge *e;
	size_t n;

	if (!m)
		return;
	check_chain(m, root, chain, 8);
	e = edge_find(m, 0, root, root);
	CHECK(e && e->calls == 5, "the open root itself: %llu calls",
	      e ? (unsigned long long)e->calls : 0ull);
	e = xt_model__edges(m, &n);
	for (size_t i = 0; i < n; i++)
		CHECK(e[i].calls > 0 && e[i].self_ns <= e[i].incl_ns, "edge %u -> %u", e[i].caller,
		      e[i].callee);
	xt_model__free(m);
}

static void test_mmap_path_edges(void)
{
	static const char *const chain[] = { "mmap", "mach_vm_map_kernel",
					     "vm_map_enter_mem_object", "vm_map_enter" };
	struct xt_backend_opts o = default_opts();
	struct xt_model *m = trace(&o, "arm64", progs, NULL, true);

	if (!m)
		return;
	check_chain(m, XT_ROOT_ID(XT_FAMILY_BSD, 197), chain, 4);
	xt_model__free(m);
}

static void test_events_carry_paths_and_lifecycle(void)
{
	struct xt_backend_opts o = default_opts();
	struct events_seen seen = { 0 };
	struct xt_model *m;

	o.want_events = true;
	o.on_event = on_event;
	o.ctx = &seen;
	m = trace(&o, "arm64", progs, NULL, true);
	if (!m)
		return;
	CHECK(seen.open_missing_path == 3, "open returns with the path and ENOENT: %d",
	      seen.open_missing_path);
	CHECK(seen.proc_creates >= 1, "proc_create events: %d", seen.proc_creates);
	CHECK(xt_model__meta(m)->drops[XT_DROP_RINGBUF] == 0, "ring drops");
	xt_model__free(m);
}

static void test_machine_filter_excludes_other_machines(void)
{
	struct xt_backend_opts o = default_opts();
	struct xt_model *m;
	size_t n = 1;

	o.machine = 0x7ffffff0;		/* no such machine */
	m = trace(&o, "arm64", progs, NULL, true);
	if (!m)
		return;
	xt_model__sys(m, &n);
	CHECK(n == 0, "%zu syscalls seen from another machine", n);
	xt_model__free(m);
}

static void test_family_filter_keeps_mach_only(void)
{
	struct xt_backend_opts o = default_opts();
	struct xt_model *m;

	o.filter.family = XT_FAMILY_MACH;
	m = trace(&o, "arm64", progs, NULL, true);
	if (!m)
		return;
	CHECK(count_of(m, 1, 20, NULL) == 0, "getpid counted under a Mach filter");
	CHECK(count_of(m, 2, -28, NULL) == 4, "task_self_trap");
	CHECK(!edge_find(m, XT_ROOT_ID(1, 5), fid("open"), XT_ROOT_ID(1, 5)), "open edge kept");
	xt_model__free(m);
}

/* A one-page ring that nobody drains while the workload runs must overflow, and say so. */
static void test_drops_count_forced_overflow(void)
{
	struct xt_backend_opts o = default_opts();
	struct xt_model *m;
	uint64_t d;

	o.want_events = o.want_func_events = true;
	o.ringbuf_bytes = 4096;
	m = trace(&o, "arm64", progs, "200", false);
	if (!m)
		return;
	d = xt_model__meta(m)->drops[XT_DROP_RINGBUF];
	CHECK(d > 0, "no ring buffer drops counted");
	CHECK(xt_model__meta(m)->events > 0, "no events at all");
	xt_model__free(m);
}

struct live {
	struct xt_trace_fmt *fmt;
	FILE *out;
};

static int on_live(void *ctx, const struct xt_event *ev)
{
	struct live *l = ctx;

	return xt_trace_fmt__event(l->fmt, ev, l->out);
}

static int count_lines(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* xnutrace trace's path: ring buffer events -> formatter -> decoded lines. */
static void test_live_trace_lines(void)
{
	struct xt_backend_opts o = default_opts();
	struct live l = { xt_trace_fmt__new(XT_TRACE_NO_TIME), NULL };
	char *text = NULL;
	size_t len = 0;
	struct xt_model *m;

	l.out = open_memstream(&text, &len);
	o.want_events = true;
	o.on_event = on_live;
	o.ctx = &l;
	m = trace(&o, "arm64", progs, NULL, true);
	xt_trace_fmt__flush(l.fmt, l.out);
	fclose(l.out);
	CHECK(count_lines(text, "open(\"/no/such/file\", O_RDONLY, 0) = -1 ENOENT\n") == 3,
	      "open lines:\n%s", text);
	CHECK(count_lines(text, "open(\"/tmp/bpf_counts.txt\", O_RDWR|O_CREAT, 0644) = 3\n") == 2,
	      "open lines");
	CHECK(count_lines(text, ", 0x7777) = KERN_INVALID_NAME (0xf)\n") == 2, "port lines");
	CHECK(count_lines(text, "mmap(0, 16384, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANON, ...) = 0x") == 1,
	      "mmap line");
	CHECK(count_lines(text, "getpid() = ") == 7, "getpid lines");
	CHECK(count_lines(text, "<unfinished>") == 0, "unfinished calls");
	free(text);
	xt_trace_fmt__free(l.fmt);
	xt_model__free(m);
}

static void run(const char *name, void (*fn)(void))
{
	failed_now = 0;
	fn();
	printf("  %-50s %s\n", name, failed_now ? "NG" : "OK");
	fflush(stdout);
	failed_now ? failed++ : passed++;
}

#define RUN(name) run(#name, test_##name)

int main(void)
{
	const char *out = getenv("OUTPUT") ? getenv("OUTPUT") : ".output";
	const char *lib = getenv("XNUSIM_LIB");
	char tmp[PATH_MAX];

	if (geteuid() != 0) {
		printf("  SKIP: the bpf backend needs root (CAP_BPF + CAP_PERFMON)\n");
		printf("0 passed, 0 failed, 1 skipped\n");
		return 0;
	}
	snprintf(tmp, sizeof(tmp), "%s/lib/libxnusim.so", out);
	if (!realpath(lib ? lib : tmp, lib_path)) {
		printf("  no %s (make lib)\n0 passed, 1 failed\n", lib ? lib : tmp);
		return 1;
	}
	snprintf(runner, sizeof(runner), "%s/bin/xnusim", out);
	snprintf(tmp, sizeof(tmp), "%s/progs%s/bpf_counts", out,
		 strstr(lib_path, "lib-san") ? "-san" : "");
	snprintf(progs, sizeof(progs), "%s", tmp);
	snprintf(examples, sizeof(examples), "%s/examples", out);
	xs_func_registry_init();

	RUN(counts_arm64);
	RUN(counts_x86_64);
	RUN(example_file_io_counts);
	RUN(open_path_edges);
	RUN(mmap_path_edges);
	RUN(events_carry_paths_and_lifecycle);
	RUN(live_trace_lines);
	RUN(machine_filter_excludes_other_machines);
	RUN(family_filter_keeps_mach_only);
	RUN(drops_count_forced_overflow);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
