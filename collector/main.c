/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main.c: the xnutrace command.  Only wiring: parse a subcommand's options,
 * call the library (run, artifact, report, exports), print what the user
 * must know, choose the exit code.
 *
 *   xnutrace record [-o FILE] [--arch A] [--backend B] [filters] -- WORKLOAD [ARGS]
 *   xnutrace trace  [--arch A] [--backend B] [filters] -- WORKLOAD [ARGS]
 *   xnutrace report FILE
 *   xnutrace probes
 *   xnutrace export --folded|--chrome|--normalise FILE [-o OUT]
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector/artifact.h"
#include "collector/log.h"
#include "collector/model.h"
#include "collector/names.h"
#include "collector/report.h"
#include "collector/run.h"
#include "collector/trace_fmt.h"
#include "kmod-xnu-sim/include/xnusim/xnusim.h"

/* We boot the machine ourselves; the library must not boot one at load. */
const int xnusim_no_autoboot = 1;

#define EXIT_USAGE 2

static const char usage_text[] =
	"usage: xnutrace <command> [options]\n"
	"\n"
	"Trace a simulated XNU kernel (kmod-xnu-sim) running a workload.\n"
	"\n"
	"commands:\n"
	"  record [-o FILE] [options] -- WORKLOAD [ARGS]\n"
	"          boot a simulated machine, run WORKLOAD under its launchd, and write\n"
	"          a trace artifact (versioned JSON, docs/artifact.md; default\n"
	"          xnutrace.json).  Exits with the workload's status.\n"
	"  trace [options] -- WORKLOAD [ARGS]\n"
	"          the same, printing one line per event as it happens\n"
	"  report FILE        top syscalls, traps and kernel functions, latency\n"
	"                     histograms and the process tree of an artifact\n"
	"  probes             every tracepoint with its arguments, and the function\n"
	"                     registry (id, name, subsystem, XNU path)\n"
	"  export --folded|--chrome|--normalise FILE [-o OUT]\n"
	"          folded stacks (FlameGraph, speedscope; weight = self ns, or calls\n"
	"          with --calls), Chrome Trace Event JSON (Perfetto), or the artifact\n"
	"          with times and ids removed (golden tests)\n"
	"  graph FILE [-o OUT.svg|.png|.pdf|.dot]   the call graph (Graphviz)\n"
	"  diff A B [-o OUT]   one graph from two artifacts, aligned by function\n"
	"  flame FILE [FILE2] -o OUT.svg            a flame graph (two: differential)\n"
	"  html FILE... -o report.html              one self-contained report page\n"
	"          (these four run xnutrace-viz, installed beside xnutrace)\n"
	"\n"
	"record and trace options:\n"
	"  --arch arm64|x86_64        the simulated machine (default arm64)\n"
	"  --backend auto|bpf|inproc  where events come from (default auto: bpf when\n"
	"                             it can load, which needs CAP_BPF and CAP_PERFMON\n"
	"                             or CAP_SYS_ADMIN; else inproc)\n"
	"  --pid PID                  only this simulated process\n"
	"  --family bsd|mach          only BSD calls or only Mach traps\n"
	"  --syscall NAME             only this call (\"open\", \"mach_msg2_trap\")\n"
	"  --depth N                  record functions at most N calls below their syscall\n"
	"  --min-duration DURATION    only syscalls that took at least DURATION\n"
	"                             (\"250us\", \"1ms\"; a bare number is ns)\n"
	"  --ring-size N              ring capacity in 160-byte records (inproc: a record\n"
	"                             holds a process event or 20 call-graph events,\n"
	"                             default 1048576; bpf: N records' bytes, rounded\n"
	"                             up to a power of 2, default 16 MiB)\n"
	"  --timeline-max N           spans kept for --chrome (default 200000, 0: none)\n"
	"  --functions                trace: also print kernel function entry/return\n"
	"  -v, --verbose              debug output    -q, --quiet   no progress\n"
	"\n"
	"Run `xnutrace <command> --help` for one command.\n";

static void usage(FILE *out)
{
	fputs(usage_text, out);
}

struct cli {
	const char *out;
	const char *backend, *arch;
	struct xt_filter filter;
	uint64_t ring_slots;
	size_t timeline_max;
	bool functions, quiet;
};

enum {
	OPT_ARCH = 256, OPT_BACKEND, OPT_PID, OPT_FAMILY, OPT_SYSCALL, OPT_DEPTH,
	OPT_MIN_DURATION, OPT_RING, OPT_TIMELINE, OPT_FUNCTIONS, OPT_FOLDED, OPT_CHROME,
	OPT_NORMALISE, OPT_CALLS, OPT_TOP,
};

static const struct option run_options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "arch", required_argument, NULL, OPT_ARCH },
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{ "pid", required_argument, NULL, OPT_PID },
	{ "family", required_argument, NULL, OPT_FAMILY },
	{ "syscall", required_argument, NULL, OPT_SYSCALL },
	{ "depth", required_argument, NULL, OPT_DEPTH },
	{ "min-duration", required_argument, NULL, OPT_MIN_DURATION },
	{ "ring-size", required_argument, NULL, OPT_RING },
	{ "timeline-max", required_argument, NULL, OPT_TIMELINE },
	{ "functions", no_argument, NULL, OPT_FUNCTIONS },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* A non-negative integer option; false (and a message) if it is not one. */
static bool parse_count(const char *opt, const char *s, unsigned long long max,
			unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || *v > max) {
		log_err("%s: '%s' is not a number from 0 to %llu", opt, s, max);
		return false;
	}
	return true;
}

/* Options of record and trace.  Returns argv index of the workload, or -1. */
static int parse_run(int argc, char **argv, struct cli *c, bool record)
{
	unsigned long long v;
	uint64_t ns;
	int opt, fam;
	int32_t num;

	*c = (struct cli){ .out = "xnutrace.json", .backend = "auto", .arch = "arm64",
			   .timeline_max = (size_t)-1 };
	c->filter.pid = -1;
	c->filter.number = INT32_MIN;
	if (getenv(XNUSIM_ENV_ARCH))
		c->arch = getenv(XNUSIM_ENV_ARCH);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+o:vqh", run_options, NULL)) != -1) {
		switch (opt) {
		case 'o':
			if (!record) {
				log_err("trace writes no file (-o is for record)");
				return -1;
			}
			c->out = optarg;
			break;
		case OPT_ARCH:
			if (xnusim_arch_parse(optarg) < 0) {
				log_err("--arch: unknown architecture '%s' (arm64, x86_64)", optarg);
				return -1;
			}
			c->arch = optarg;
			break;
		case OPT_BACKEND:
			if (strcmp(optarg, "auto") && strcmp(optarg, "bpf") && strcmp(optarg, "inproc")) {
				log_err("--backend: '%s' is not auto, bpf or inproc", optarg);
				return -1;
			}
			c->backend = optarg;
			break;
		case OPT_PID:
			if (!parse_count("--pid", optarg, INT32_MAX, &v))
				return -1;
			c->filter.pid = (int32_t)v;
			break;
		case OPT_FAMILY:
			if (strcmp(optarg, "bsd") && strcmp(optarg, "mach")) {
				log_err("--family: '%s' is not bsd or mach", optarg);
				return -1;
			}
			c->filter.family = optarg[0] == 'b' ? XT_FAMILY_BSD : XT_FAMILY_MACH;
			break;
		case OPT_SYSCALL:
			if (xt_syscall_lookup(optarg, &fam, &num)) {
				log_err("--syscall: no BSD call or Mach trap is named '%s' "
					"(`xnusim tables` lists them)", optarg);
				return -1;
			}
			c->filter.family = fam;
			c->filter.number = num;
			c->filter.has_number = true;
			break;
		case OPT_DEPTH:
			if (!parse_count("--depth", optarg, XT_MAX_DEPTH, &v))
				return -1;
			c->filter.max_depth = (uint32_t)v;
			break;
		case OPT_MIN_DURATION:
			if (xt_parse_duration(optarg, &ns)) {
				log_err("--min-duration: '%s' is not a duration (250us, 1ms, 2s)", optarg);
				return -1;
			}
			c->filter.min_duration_ns = ns;
			break;
		case OPT_RING:
			if (!parse_count("--ring-size", optarg, 1ull << 22, &v))
				return -1;
			c->ring_slots = v;
			break;
		case OPT_TIMELINE:
			if (!parse_count("--timeline-max", optarg, 100000000ull, &v))
				return -1;
			c->timeline_max = (size_t)v;
			break;
		case OPT_FUNCTIONS:
			c->functions = true;
			break;
		case 'v':
			xt_log_set_level(XT_LOG_DEBUG);
			break;
		case 'q':
			c->quiet = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	if (optind >= argc) {
		log_err("no workload given: xnutrace %s [options] -- WORKLOAD [ARGS]",
			record ? "record" : "trace");
		return -1;
	}
	return optind;
}

static void on_progress(void *ctx, int host_pid, uint64_t events)
{
	const struct cli *c = ctx;

	if (c->quiet)
		return;
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\rxnutrace: recording pid %d ... %" PRIu64 " events", host_pid,
			events);
	else if (!events)
		fprintf(stderr, "xnutrace: recording pid %d ...\n", host_pid);
}

/* The end of a recording: a one-line summary, and every drop warned. */
static void summary(struct xt_model *m, const struct xt_run_result *res, const char *out)
{
	struct xt_meta *mt = xt_model__meta(m);
	size_t nproc, nsys;
	uint64_t calls = 0;
	const struct xt_sysstat *s = xt_model__sys(m, &nsys);

	(void)xt_model__procs(m, &nproc);
	for (size_t i = 0; i < nsys; i++)
		calls += s[i].count;
	if (isatty(STDERR_FILENO))
		fputc('\n', stderr);
	log_info("%s%" PRIu64 " events, %" PRIu64 " syscalls and traps in %zu processes, "
		 "backend %s, %.1f ms%s%s", res->interrupted ? "interrupted: " : "", mt->events,
		 calls, nproc, mt->backend, mt->wall_ns / 1e6, out ? ", wrote " : "", out ? out : "");
	if (mt->drops[XT_DROP_RINGBUF])
		log_warn("%" PRIu64 " events dropped: the ring buffer was full (try a larger "
			 "--ring-size); counts are incomplete", mt->drops[XT_DROP_RINGBUF]);
	if (mt->drops[XT_DROP_STACK_OVERFLOW])
		log_warn("%" PRIu64 " calls deeper than %d levels were not recorded",
			 mt->drops[XT_DROP_STACK_OVERFLOW], XT_MAX_DEPTH);
	if (mt->drops[XT_DROP_STACK_UNDERFLOW])
		log_warn("%" PRIu64 " entries or returns were unpaired (lost events)",
			 mt->drops[XT_DROP_STACK_UNDERFLOW]);
	if (mt->drops[XT_DROP_MAP_FULL])
		log_warn("%" PRIu64 " updates found an aggregation map full",
			 mt->drops[XT_DROP_MAP_FULL]);
	if (mt->timeline_dropped)
		log_info("timeline capped: %" PRIu64 " spans left out (--timeline-max)",
			 mt->timeline_dropped);
}

/* Before the workload starts: say which backend records, and why not bpf. */
static void on_backend(void *ctx, const char *name, const char *auto_reason)
{
	const struct cli *c = ctx;

	if (auto_reason)
		log_warn("using the inproc backend: %s", auto_reason);
	else if (!c->quiet && strcmp(c->backend, name))
		log_info("backend %s", name);
}

static int trace_event(void *ctx, const struct xt_event *ev)
{
	return xt_trace_fmt__event(ctx, ev, stdout);
}

/* record and trace: exit status is the workload's (127: not found). */
static int cmd_run(int argc, char **argv, bool record)
{
	struct xt_run_opts o = { 0 };
	struct xt_run_result res;
	struct xt_model *m = NULL;
	struct xt_trace_fmt *fmt = NULL;
	struct cli c;
	int at = parse_run(argc, argv, &c, record), err, rc = 1;

	if (at < 0)
		return EXIT_USAGE;
	o.backend = c.backend;
	o.arch = c.arch;
	o.argv = argv + at;
	o.filter = c.filter;
	o.ring_slots = c.ring_slots;
	o.timeline_max = record ? c.timeline_max : 0;
	o.on_progress = record ? on_progress : NULL;
	o.progress_ctx = &c;
	o.on_backend = on_backend;
	if (!record) {
		fmt = xt_trace_fmt__new(c.functions ? XT_TRACE_FUNCS : 0);
		if (!fmt) {
			log_err("out of memory");
			goto cleanup;
		}
		o.on_event = trace_event;
		o.ctx = fmt;
		o.want_func_events = c.functions;
	}
	err = xt_run(&o, &m, &res);
	if (err) {
		log_err("%s", res.error);
		rc = err == -ENOENT && !res.started ? 127 : err == -EINVAL ? EXIT_USAGE : 1;
		goto cleanup;
	}
	if (record) {
		err = xt_artifact__write(m, c.out, NULL);
		if (err) {
			log_err("cannot write %s: %s", c.out, strerror(-err));
			goto cleanup;
		}
	}
	if (fmt)
		xt_trace_fmt__flush(fmt, stdout);
	fflush(stdout);
	summary(m, &res, record ? c.out : NULL);
	rc = res.exit_code;
cleanup:
	xt_trace_fmt__free(fmt);
	xt_model__free(m);
	return rc;
}

static int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "top", required_argument, NULL, OPT_TOP },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long top = 15;
	struct xt_model *m = NULL;
	char err[256];
	int opt, rc = 1;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == OPT_TOP && parse_count("--top", optarg, 100000, &top))
			continue;
		if (opt == 'h') {
			printf("usage: xnutrace report [--top N] FILE\n"
			       "Summarise an artifact: top syscalls, traps and kernel functions by\n"
			       "count and time (N rows, default 15), latency histograms, process tree.\n");
			return 0;
		}
		return EXIT_USAGE;
	}
	if (optind != argc - 1) {
		log_err("usage: xnutrace report [--top N] FILE");
		return EXIT_USAGE;
	}
	m = xt_artifact__read(argv[optind], err, sizeof(err));
	if (!m) {
		log_err("%s: %s", argv[optind], err[0] ? err : strerror(errno));
		return 1;
	}
	rc = xt_report(m, stdout, (int)top) ? 1 : 0;
	xt_model__free(m);
	return rc;
}

static int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "folded", no_argument, NULL, OPT_FOLDED },
		{ "chrome", no_argument, NULL, OPT_CHROME },
		{ "normalise", no_argument, NULL, OPT_NORMALISE },
		{ "normalize", no_argument, NULL, OPT_NORMALISE },
		{ "calls", no_argument, NULL, OPT_CALLS },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out_path = "-";
	struct xt_model *m = NULL;
	FILE *out = NULL;
	bool calls = false;
	char err[256];
	int opt, kind = 0, rc = 1, e;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_FOLDED:
		case OPT_CHROME:
		case OPT_NORMALISE:
			if (kind && kind != opt) {
				log_err("export: choose one of --folded, --chrome, --normalise");
				return EXIT_USAGE;
			}
			kind = opt;
			break;
		case OPT_CALLS:
			calls = true;
			break;
		case 'o':
			out_path = optarg;
			break;
		case 'h':
			printf("usage: xnutrace export --folded|--chrome|--normalise FILE [-o OUT]\n"
			       "--folded     folded stacks \"root;fn;fn weight\" (self ns; --calls: calls)\n"
			       "--chrome     Chrome Trace Event JSON: open in ui.perfetto.dev\n"
			       "--normalise  the artifact without times, ids or run-specific data\n");
			return 0;
		default:
			return EXIT_USAGE;
		}
	}
	if (!kind || optind != argc - 1) {
		log_err("usage: xnutrace export --folded|--chrome|--normalise FILE [-o OUT]");
		return EXIT_USAGE;
	}
	m = xt_artifact__read(argv[optind], err, sizeof(err));
	if (!m) {
		log_err("%s: %s", argv[optind], err[0] ? err : strerror(errno));
		return 1;
	}
	if (kind == OPT_NORMALISE) {
		struct xt_artifact_opts ao = { .normalise = true };

		e = xt_artifact__write(m, out_path, &ao);
	} else {
		out = strcmp(out_path, "-") ? fopen(out_path, "w") : stdout;
		if (!out) {
			log_err("cannot write %s: %s", out_path, strerror(errno));
			goto cleanup;
		}
		e = kind == OPT_FOLDED ? xt_export_folded(m, out, calls) : xt_export_chrome(m, out);
		if (out != stdout && fclose(out) && !e)
			e = -errno;
		out = NULL;
	}
	if (e)
		log_err("export to %s: %s", out_path, strerror(-e));
	rc = e ? 1 : 0;
cleanup:
	xt_model__free(m);
	return rc;
}

/*
 * graph, diff, flame and html live in xnutrace-viz, the only program that
 * links Graphviz (DESIGN.md: the collector never does).  Run it from the
 * directory this binary is in, with the same arguments.
 */
static int run_viz(char **argv)
{
	char self[PATH_MAX], viz[PATH_MAX + 16];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0) {
		log_err("cannot find my own path: %s", strerror(errno));
		return 1;
	}
	self[n] = '\0';
	slash = strrchr(self, '/');
	*slash = '\0';
	snprintf(viz, sizeof(viz), "%s/xnutrace-viz", self);
	argv[0] = viz;
	execv(viz, argv);
	log_err("cannot run %s: %s (was viz built? it needs libgvc)", viz, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "record"))
		return cmd_run(argc - 1, argv + 1, true);
	if (!strcmp(cmd, "trace"))
		return cmd_run(argc - 1, argv + 1, false);
	if (!strcmp(cmd, "report"))
		return cmd_report(argc - 1, argv + 1);
	if (!strcmp(cmd, "export"))
		return cmd_export(argc - 1, argv + 1);
	if (!strcmp(cmd, "graph") || !strcmp(cmd, "diff") || !strcmp(cmd, "flame") ||
	    !strcmp(cmd, "html"))
		return run_viz(argv);
	if (!strcmp(cmd, "probes")) {
		if (argc > 2 && strcmp(argv[2], "--help") == 0) {
			printf("usage: xnutrace probes\nList every tracepoint with its arguments, "
			       "then the function registry.\n");
			return 0;
		}
		return xt_probes_print(stdout) ? 1 : 0;
	}
	log_err("unknown command '%s'", cmd);
	usage(stderr);
	return EXIT_USAGE;
}
