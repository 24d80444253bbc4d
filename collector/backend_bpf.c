/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * backend_bpf.c: the "bpf" backend.  Two skeletons (callgraph: dispatch and
 * function probes; lifecycle: process, message and VM probes) share one ring
 * buffer and one drops array (the second reuses the first's maps).  Strict
 * lifecycle: open -> set rodata -> load -> attach; never open_and_load.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/capability.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "callgraph.skel.h"
#include "lifecycle.skel.h"

#define LOG_PREFIX "bpf"
#include "collector/backend_bpf.h"
#include "collector/log.h"
#include "collector/model.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

_Static_assert(sizeof(struct xt_event) == 144, "xt_event ABI changed");
_Static_assert(sizeof(struct xt_edge_key) == 16, "xt_edge_key ABI changed");
_Static_assert(sizeof(struct xt_edge_val) == 24, "xt_edge_val ABI changed");
_Static_assert(sizeof(struct xt_sys_key) == 8, "xt_sys_key ABI changed");
_Static_assert(sizeof(struct xt_sys_val) == 24 + 8 * XT_HIST_SLOTS, "xt_sys_val ABI changed");
/* The batches the simulator hands over are what bpf/callgraph.bpf.c reads. */
_Static_assert(sizeof(struct xt_cg_rec) == sizeof(struct xs_cg_rec) &&
	       sizeof(struct xt_cg_sys) == sizeof(struct xs_cg_sys) &&
	       sizeof(struct xt_cg_head) == __builtin_offsetof(struct xs_cg_batch, cb_rec) &&
	       XT_CG_MAX_SYS == XS_CG_MAX_SYS, "xt_cg_* ABI changed");
_Static_assert(__builtin_offsetof(struct xt_cg_rec, word) ==
	       __builtin_offsetof(struct xs_cg_rec, cr_word) &&
	       __builtin_offsetof(struct xt_cg_head, base_ns) ==
	       __builtin_offsetof(struct xs_cg_batch, cb_base_ns) &&
	       __builtin_offsetof(struct xt_cg_head, mult) ==
	       __builtin_offsetof(struct xs_cg_batch, cb_mult) &&
	       __builtin_offsetof(struct xt_cg_sys, a) == __builtin_offsetof(struct xs_cg_sys, cs_a) &&
	       XT_CG_SYS_RETURN == XS_CG_SYS_RETURN, "xt_cg_* layout changed");

#define XT_BTF_PATH "/sys/kernel/btf/vmlinux"

struct xt_bpf_backend {
	struct xt_backend_opts opts;
	struct callgraph_bpf *cg;
	struct lifecycle_bpf *lc;
	struct ring_buffer *rb;
	struct bpf_link *links[7];	/* one per xt_probes[] entry */
	uint64_t events;
	int cb_err;		/* the first negative on_event result */
};

static const struct {
	const char *probe;
	size_t prog_off;	/* offsetof the program in the skeleton's progs */
	bool lifecycle;
} xt_probes[] = {
	/* Syscall and function events come in one batch per trap. */
	{ "syscall_callgraph", offsetof(struct callgraph_bpf, progs.handle_syscall_callgraph),
	  false },
	{ "proc_create", offsetof(struct lifecycle_bpf, progs.handle_proc_create), true },
	{ "proc_exec", offsetof(struct lifecycle_bpf, progs.handle_proc_exec), true },
	{ "proc_exit", offsetof(struct lifecycle_bpf, progs.handle_proc_exit), true },
	{ "msg_send", offsetof(struct lifecycle_bpf, progs.handle_msg_send), true },
	{ "msg_receive", offsetof(struct lifecycle_bpf, progs.handle_msg_receive), true },
	{ "vm_map_change", offsetof(struct lifecycle_bpf, progs.handle_vm_map_change), true },
};
#define XT_NPROBES (sizeof(xt_probes) / sizeof(xt_probes[0]))
_Static_assert(XT_NPROBES == sizeof(((struct xt_bpf_backend *)0)->links) / sizeof(void *),
	       "one link per probe");

/* libbpf's messages (verifier logs included) go through xt_log, only under -v. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *buf = NULL, *line, *save = NULL;

	if (xt_log_level() < XT_LOG_DEBUG || vasprintf(&buf, fmt, ap) < 0)
		return 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		xt_log(XT_LOG_DEBUG, "libbpf", "%s", line);
	free(buf);
	return 0;
}

/* Effective capability bit `cap` of this process. */
static bool cap_effective(int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) != 0)
		return false;
	return data[cap / 32].effective & (1u << (cap % 32));
}

/* The running kernel is at least major.minor (true when uname cannot say). */
static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma, mi;

	if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return true;
	return ma > major || (ma == major && mi >= minor);
}

/*
 * This process runs in a user namespace other than the initial one (whose
 * uid_map is the identity over all ids): bpf(2) and perf_event_open(2) check
 * capabilities in the initial namespace, so the ones held here do not count.
 */
static bool in_child_user_ns(void)
{
	unsigned long inside, outside, count;
	FILE *f = fopen("/proc/self/uid_map", "r");
	int n;

	if (!f)
		return false;
	n = fscanf(f, "%lu %lu %lu", &inside, &outside, &count);
	fclose(f);
	return n == 3 && !(inside == 0 && outside == 0 && count == 4294967295ul);
}

/*
 * NULL when we may load and attach; otherwise what is missing.  The effective
 * capabilities decide, not the uid: root in a container or under
 * `capsh --drop=...` may lack them.  Loading the programs (BPF maps, kprobe-
 * type programs) needs CAP_BPF and CAP_PERFMON; attaching the USDT uprobes
 * (perf_event_open of the uprobe PMU) needs CAP_PERFMON; CAP_SYS_ADMIN
 * covers both, and is the only way before Linux 5.8.
 */
static const char *privilege_problem(void)
{
	bool root = geteuid() == 0, bpf, perfmon;

	if (in_child_user_ns())
		return "the bpf backend needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN) in the "
		       "initial user namespace: this process runs in a user namespace, where "
		       "capabilities do not count for bpf(2); use --backend inproc";
	if (cap_effective(CAP_SYS_ADMIN))
		return NULL;
	if (!kernel_at_least(5, 8))
		return root ? "the bpf backend needs CAP_SYS_ADMIN on kernels before 5.8 (no CAP_BPF "
			      "or CAP_PERFMON there): running as root without it in the effective set; "
			      "use --backend inproc"
			    : "the bpf backend needs CAP_SYS_ADMIN on kernels before 5.8 (no CAP_BPF "
			      "or CAP_PERFMON there); use --backend inproc without privileges";
	bpf = cap_effective(CAP_BPF);
	perfmon = cap_effective(CAP_PERFMON);
	if (!bpf && !perfmon)
		return root ? "the bpf backend needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN): "
			      "running as root, but none of them is in the effective set (a "
			      "container, or dropped capabilities); use --backend inproc"
			    : "the bpf backend needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN, as "
			      "root); use --backend inproc without privileges";
	if (!bpf)
		return "the bpf backend needs CAP_BPF to load its programs (CAP_PERFMON is there; "
		       "or CAP_SYS_ADMIN); use --backend inproc";
	if (!perfmon)
		return "the bpf backend needs CAP_PERFMON to attach uprobes (CAP_BPF is there; "
		       "or CAP_SYS_ADMIN); use --backend inproc";
	return NULL;
}

static int set_knobs(struct xt_bpf_backend *b)
{
	const struct xt_backend_opts *o = &b->opts;
	uint32_t rb_bytes = o->ringbuf_bytes ? o->ringbuf_bytes : XT_BPF_RINGBUF_DEFAULT;
	int err;

	b->cg->rodata->targ_machine = o->machine;
	b->cg->rodata->filter_pid = o->filter.pid;
	b->cg->rodata->filter_family = o->filter.family;
	b->cg->rodata->filter_number = o->filter.number;
	b->cg->rodata->filter_has_number = o->filter.has_number;
	b->cg->rodata->min_duration_ns = o->filter.min_duration_ns;
	b->cg->rodata->max_depth = o->filter.max_depth;
	b->cg->rodata->targ_sys_events = o->want_events;
	b->cg->rodata->targ_func_events = o->want_events && o->want_func_events;
	/* Wake the consumer early only for a real backlog: a quarter of the ring. */
	b->cg->rodata->targ_wakeup_bytes = rb_bytes / 4;

	b->lc->rodata->targ_machine = o->machine;
	b->lc->rodata->filter_pid = o->filter.pid;
	b->lc->rodata->targ_wakeup_bytes = rb_bytes / 4;
	b->lc->rodata->targ_ipc_vm_events = o->want_events;

	err = bpf_map__set_max_entries(b->cg->maps.events, rb_bytes);
	return err;
}

static int load(struct xt_bpf_backend *b, const char **err_msg)
{
	int err;

	err = callgraph_bpf__load(b->cg);
	if (err) {
		*err_msg = "loading bpf/callgraph.bpf.c failed (run with -v for the verifier log)";
		return err;
	}
	/* One ring and one drops array for both objects. */
	err = bpf_map__reuse_fd(b->lc->maps.events, bpf_map__fd(b->cg->maps.events));
	if (!err)
		err = bpf_map__reuse_fd(b->lc->maps.drops, bpf_map__fd(b->cg->maps.drops));
	if (err) {
		*err_msg = "cannot share the ring buffer between the BPF objects";
		return err;
	}
	err = lifecycle_bpf__load(b->lc);
	if (err)
		*err_msg = "loading bpf/lifecycle.bpf.c failed (run with -v for the verifier log)";
	return err;
}

struct xt_bpf_backend *xt_bpf_backend__open(const struct xt_backend_opts *opts,
					    const char **err_msg)
{
	struct xt_bpf_backend *b = NULL;
	const char *why;
	int err = 0;

	*err_msg = NULL;
	libbpf_set_print(libbpf_print);
	why = privilege_problem();
	if (why) {
		*err_msg = why;
		errno = EPERM;
		return NULL;
	}
	if (access(XT_BTF_PATH, R_OK) != 0) {
		*err_msg = "the bpf backend needs kernel BTF (" XT_BTF_PATH " is missing: "
			   "CONFIG_DEBUG_INFO_BTF=y)";
		errno = ENOTSUP;
		return NULL;
	}
	if (!opts->lib_path || access(opts->lib_path, R_OK) != 0) {
		*err_msg = "the bpf backend needs the path of libxnusim.so to attach to";
		errno = ENOENT;
		return NULL;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		*err_msg = "out of memory";
		errno = ENOMEM;
		return NULL;
	}
	b->opts = *opts;
	b->cg = callgraph_bpf__open();
	b->lc = b->cg ? lifecycle_bpf__open() : NULL;
	if (!b->cg || !b->lc) {
		err = -errno;
		*err_msg = "cannot open the BPF objects";
		goto fail;
	}
	err = set_knobs(b);
	if (err) {
		*err_msg = "bad ring buffer size (a power of 2, at least a page)";
		goto fail;
	}
	err = load(b, err_msg);
	if (err)
		goto fail;
	return b;
fail:
	xt_bpf_backend__destroy(b);
	errno = err < 0 ? -err : EINVAL;
	return NULL;
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct xt_bpf_backend *b = ctx;
	const struct xt_event *ev = data;
	int rc;

	if (size < sizeof(*ev))
		return 0;
	b->events++;
	if (!b->opts.on_event)
		return 0;
	rc = b->opts.on_event(b->opts.ctx, ev);
	if (rc < 0 && !b->cb_err)
		b->cb_err = rc;
	return rc < 0 ? rc : 0;
}

int xt_bpf_backend__attach(struct xt_bpf_backend *b)
{
	/* The batches' clock, for every process of the machine (when there is one here). */
	(void)xs_trace_clock_calibrate(10);
	for (size_t i = 0; i < XT_NPROBES; i++) {
		void *skel = xt_probes[i].lifecycle ? (void *)b->lc : (void *)b->cg;
		struct bpf_program *prog = *(struct bpf_program **)((char *)skel + xt_probes[i].prog_off);
		struct bpf_link **link = &b->links[i];

		if (*link)
			continue;
		*link = bpf_program__attach_usdt(prog, -1 /* all processes */, b->opts.lib_path,
						 "xnu", xt_probes[i].probe, NULL);
		if (!*link) {
			int err = -errno;

			log_debug("attach xnu:%s in %s: %s", xt_probes[i].probe, b->opts.lib_path,
				  strerror(-err));
			return err;
		}
	}
	if (!b->rb) {
		b->rb = ring_buffer__new(bpf_map__fd(b->cg->maps.events), on_sample, b, NULL);
		if (!b->rb)
			return -errno;
	}
	return 0;
}

void xt_bpf_backend__detach(struct xt_bpf_backend *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < XT_NPROBES; i++) {
		bpf_link__destroy(b->links[i]);
		b->links[i] = NULL;
	}
}

int xt_bpf_backend__poll(struct xt_bpf_backend *b, int timeout_ms)
{
	uint64_t before = b->events;
	int err;

	if (!b->rb)
		return -EINVAL;
	/* poll returns early on a forced wake-up; consume sees NO_WAKEUP data. */
	err = ring_buffer__poll(b->rb, timeout_ms);
	if (err >= 0 || err == -EINTR)
		err = ring_buffer__consume(b->rb);
	if (b->cb_err)
		return b->cb_err;
	if (err < 0 && err != -EINTR)
		return err;
	return (int)(b->events - before);
}

int xt_bpf_backend__drops(struct xt_bpf_backend *b, uint64_t drops[XT_DROP_MAX])
{
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(b->cg->maps.drops);
	uint64_t *vals;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (uint32_t i = 0; i < XT_DROP_MAX; i++) {
		drops[i] = 0;
		if (bpf_map_lookup_elem(fd, &i, vals) != 0)
			continue;
		for (int c = 0; c < ncpu; c++)
			drops[i] += vals[c];
	}
	free(vals);
	return 0;
}

static int collect_edges(struct xt_bpf_backend *b, struct xt_model *m)
{
	int fd = bpf_map__fd(b->cg->maps.call_edges), err = 0;
	struct xt_edge_key key, next, *prev = NULL;
	struct xt_edge_val val;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &val) != 0)
			continue;
		struct xt_edge e = {
			.caller = key.caller, .callee = key.callee, .root = key.root,
			.calls = val.calls, .incl_ns = val.incl_ns, .self_ns = val.self_ns,
		};
		err = xt_model__add_edge(m, &e);
		if (err)
			break;
	}
	return err;
}

static int collect_sys(struct xt_bpf_backend *b, struct xt_model *m)
{
	int fd = bpf_map__fd(b->cg->maps.syscall_stats), err = 0;
	struct xt_sys_key key, next, *prev = NULL;
	struct xt_sys_val val;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &val) != 0)
			continue;
		err = xt_model__add_sys(m, &key, &val);
		if (err)
			break;
	}
	return err;
}

int xt_bpf_backend__collect(struct xt_bpf_backend *b, struct xt_model *m)
{
	struct xt_meta *meta = xt_model__meta(m);
	uint64_t drops[XT_DROP_MAX];
	int err;

	if (b->rb) {
		err = ring_buffer__consume(b->rb);
		if (b->cb_err)
			return b->cb_err;
		if (err < 0)
			return err;
	}
	err = collect_edges(b, m);
	if (!err)
		err = collect_sys(b, m);
	if (!err)
		err = xt_bpf_backend__drops(b, drops);
	if (err)
		return err;
	for (int i = 0; i < XT_DROP_MAX; i++)
		meta->drops[i] += drops[i];
	meta->events += b->events;
	return 0;
}

uint64_t xt_bpf_backend__events(const struct xt_bpf_backend *b)
{
	return b->events;
}

void xt_bpf_backend__destroy(struct xt_bpf_backend *b)
{
	if (!b)
		return;
	xt_bpf_backend__detach(b);
	ring_buffer__free(b->rb);
	lifecycle_bpf__destroy(b->lc);
	callgraph_bpf__destroy(b->cg);
	free(b);
}
