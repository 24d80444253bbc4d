/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * run.c: one recording (run.h), after the xnusim runner
 * (kmod-xnu-sim/tools/xnusim.c): this process boots the machine and stays
 * launchd's host; the workload is a host child that joins the machine
 * through XNUSIM_MACHINE as the first process under launchd.  This process
 * is the workload's child subreaper: host processes the workload started
 * and left behind become our children, and the recording ends when the
 * last of them has ended.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "collector/model.h"
#include "collector/run.h"
#include "kmod-xnu-sim/include/xnusim/xnusim.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

/* kmod-xnu-sim/osfmk/kern/machine.h: reap a host process that died without a
 * simulated exit (a crash).  Declared here: that header is the core's. */
int xs_proc_host_died(int host_pid, int host_wait_status);

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

char *xt_run_command_line(char **argv)
{
	size_t len = 1;
	char *s;

	for (char **a = argv; *a; a++)
		len += strlen(*a) + 1;
	s = calloc(1, len);
	if (!s)
		return NULL;
	for (char **a = argv; *a; a++) {
		if (a != argv)
			strcat(s, " ");
		strcat(s, *a);
	}
	return s;
}

/* 0 if argv0 names an executable file (directly or on PATH), else -errno. */
static int program_check(const char *argv0)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];
	struct stat st;

	if (strchr(argv0, '/'))
		return stat(argv0, &st) != 0 ? -errno : S_ISDIR(st.st_mode) ? -EISDIR
			: access(argv0, X_OK) != 0 ? -errno : 0;
	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, n ? p : ".", argv0);
		if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) && access(buf, X_OK) == 0)
			return 0;
		p += n + (p[n] == ':');
	}
	return -ENOENT;
}

/* The file the probes live in: this process's libxnusim.so. */
static const char *library_path(void)
{
	static char path[PATH_MAX];
	Dl_info info;

	if (!path[0] && dladdr((void *)xnusim_boot_launchd, &info) && info.dli_fname)
		if (!realpath(info.dli_fname, path))
			snprintf(path, sizeof(path), "%s", info.dli_fname);
	return path;
}

/* The last simulated thread seen making a call, per pid. */
struct last_tid {
	int32_t pid;
	uint64_t tid;
};

struct run_ctx {
	struct xt_model *m;	/* fed every event, aggregate=true (bpf: the timeline model) */
	bool discard;		/* calibrating: the events are ours, not the workload's */
	uint64_t discarded;
	struct last_tid *tids;
	size_t ntids, captids, last_hit;
	const struct xt_run_opts *o;
	int err;
};

static struct last_tid *last_tid_get(struct run_ctx *rc, int32_t pid, bool create)
{
	struct last_tid *v;

	if (rc->last_hit < rc->ntids && rc->tids[rc->last_hit].pid == pid)
		return &rc->tids[rc->last_hit];		/* a batch's events share their pid */
	for (size_t i = 0; i < rc->ntids; i++)
		if (rc->tids[i].pid == pid) {
			rc->last_hit = i;
			return &rc->tids[i];
		}
	if (!create)
		return NULL;
	if (rc->ntids == rc->captids) {
		size_t cap = rc->captids ? rc->captids * 2 : 16;

		v = realloc(rc->tids, cap * sizeof(*v));
		if (!v)
			return NULL;
		rc->tids = v;
		rc->captids = cap;
	}
	v = &rc->tids[rc->ntids++];
	v->pid = pid;
	v->tid = 0;
	return v;
}

/*
 * The bpf lifecycle probes carry no thread (proc_create, proc_exec,
 * proc_exit, vm_map_change have no tid argument): give such an event the
 * thread that made the process's last call (a fork's parent thread for
 * proc_create), so the timeline's arrows start on a thread track.  Returns
 * ev, or its copy in buf with the thread filled in: the calls' events, by
 * far the most, are passed on as they are.
 */
static const struct xt_event *fill_tid(struct run_ctx *rc, const struct xt_event *ev,
				       struct xt_event *buf)
{
	struct last_tid *lt;
	int32_t pid = ev->pid;

	if (ev->type == XT_EV_SYSCALL_ENTRY || ev->type == XT_EV_FUNC_ENTRY) {
		if (ev->tid && (lt = last_tid_get(rc, ev->pid, true)))
			lt->tid = ev->tid;
		return ev;
	}
	if (ev->type == XT_EV_PROC_EXEC) {
		/* a spawn's image is exec'd from the parent's thread: no thread of its own yet */
	} else if (ev->tid) {
		return ev;
	} else if (ev->type == XT_EV_PROC_CREATE &&
		   ((int64_t)ev->a[1] == 2 || (int64_t)ev->a[1] == 3)) {
		pid = (int32_t)(int64_t)ev->a[0];	/* fork/spawn: in the parent's context */
	} else if (ev->type != XT_EV_PROC_EXIT && ev->type != XT_EV_PROC_CREATE &&
		   ev->type != XT_EV_VM_MAP_CHANGE) {
		return ev;
	}
	lt = last_tid_get(rc, pid, false);
	*buf = *ev;
	buf->tid = lt ? lt->tid : 0;
	return buf;
}

static int run_on_event(void *ctx, const struct xt_event *ev_in)
{
	struct run_ctx *rc = ctx;
	const struct xt_event *ev;
	struct xt_event buf;
	int err;

	if (rc->discard) {
		rc->discarded++;
		return 0;
	}
	ev = fill_tid(rc, ev_in, &buf);
	if (rc->o->on_event) {
		err = rc->o->on_event(rc->o->ctx, ev);
		if (err)
			return err;
	}
	err = xt_model__feed(rc->m, ev, true);
	if (err && !rc->err)
		rc->err = err;
	return err;
}

/* Fork and exec the workload with the machine in its environment. */
static int start_workload(char **argv, const char *env, pid_t *pid_out)
{
	int fds[2], err = 0;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) != 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(fds[0]);
		close(fds[1]);
		return err;
	}
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		close(fds[0]);
		putenv((char *)env);
		execvp(argv[0], argv);
		err = errno;
		(void)!write(fds[1], &err, sizeof(err));
		_exit(127);
	}
	close(fds[1]);
	if (read(fds[0], &err, sizeof(err)) != sizeof(err))
		err = 0;	/* EOF: exec succeeded */
	close(fds[0]);
	if (err) {
		waitpid(pid, NULL, 0);
		return -err;
	}
	*pid_out = pid;
	return 0;
}

/* Send sig to every child of this process (the workload and its orphans). */
static void signal_children(int sig)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t self = getpid();

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[300], buf[512], *rp;
		long ppid;
		FILE *f;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		rp = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
		fclose(f);
		/* after the comm: " S ppid ..." */
		if (rp && sscanf(rp + 1, " %*c %ld", &ppid) == 1 && ppid == self)
			kill((pid_t)atol(de->d_name), sig);
	}
	closedir(d);
}

/* A host child ended: a crash (or a kill) has no simulated exit, so reap it. */
static void child_ended(pid_t pid, int status)
{
	if (WIFSIGNALED(status))
		(void)xs_proc_host_died(pid, status);
}

/*
 * Reap every child that has ended; the workload's status into *status.
 * Returns true when no child is left.
 */
static bool reap_children(pid_t workload, int *status, bool *workload_done)
{
	int st;
	pid_t w;

	while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
		if (w == workload) {
			*status = st;
			*workload_done = true;
		}
		child_ended(w, st);
	}
	return w < 0 && errno == ECHILD;
}

/*
 * Stop what we no longer trace: SIGTERM to the workload and every orphan
 * it left us, then SIGKILL after 1 s; reap them all.
 */
static void stop_workload(pid_t pid, int *status, bool *workload_done)
{
	uint64_t deadline = now_ns() + 1000000000ull;
	bool killed = false;

	signal_children(SIGTERM);
	while (!reap_children(pid, status, workload_done)) {
		if (!killed && now_ns() > deadline) {
			signal_children(SIGKILL);
			killed = true;
		}
		nanosleep(&(struct timespec){ 0, 5000000 }, NULL);
	}
}

int xt_run_add_registry(struct xt_model *m)
{
	uint32_t n = xs_func_registry_count();
	char sub[128];
	int err = 0;

	for (uint32_t id = 1; id <= n && !err; id++) {
		const struct xs_func *f = xs_func_registry_get(id);

		if (!f)
			continue;
		xs_func_subsystem(f, sub, sizeof(sub));
		err = xt_model__add_func_full(m, id, f->xf_name, xs_func_xnu_path(f), sub);
	}
	return err;
}

/* The attached workload never exec'd in the machine: name it after argv[0]. */
static void name_workload(struct xt_model *m, const char *argv0)
{
	size_t n;
	const struct xt_proc *p = xt_model__procs(m, &n);

	for (size_t i = 0; i < n; i++)
		if (p[i].how == XS_PROC_CREATE_ATTACH && !p[i].comm)
			xt_model__set_comm(m, p[i].pid, argv0);
}

/*
 * The tracer's own cost per event, measured the same way for both backends
 * (the inproc backend's own figure is replaced): CALIBRATE_PAIRS function
 * entry/return probe pairs fired from this process with the backend
 * attached, minus the same loop before it was, per event; each the best of
 * three, after a warm-up.  The events go through the ring in batches that
 * fit it, drained (and discarded) between batches untimed, so calibration
 * never overflows a small ring.  The probes fire under a private function
 * record (id 0, never a registry id), whose edges the bpf maps keep and
 * merge_bpf() leaves out.
 */
#define CALIBRATE_PAIRS 4000

/* How long a recorded thread may keep its call-graph batch (xs_trace.h). */
#define XT_RUN_HANDOVER_NS 1000000ull

static struct xs_func calib_func = { "xnutrace_calibrate", __FILE__, "", 0, 0 };

static __attribute__((noinline)) uint64_t calibrate_loop(int pairs)
{
	uint64_t t0 = now_ns();

	for (int i = 0; i < pairs; i++) {
		struct xs_func *f = xs_func_enter(&calib_func);

		xs_func_leave(&f);
		__asm__ volatile("" ::: "memory");
	}
	return now_ns() - t0;
}

/* Best of three runs of CALIBRATE_PAIRS pairs, batch pairs at a time. */
static uint64_t calibrate_timed(struct xt_backend *b, int batch)
{
	uint64_t best = UINT64_MAX;

	for (int run = 0; run < 3; run++) {
		uint64_t t = 0;

		for (int done = 0; done < CALIBRATE_PAIRS; done += batch) {
			t += calibrate_loop(batch);
			if (b)
				while (xt_backend__poll(b, 0) > 0)
					;
		}
		best = t < best ? t : best;
	}
	return best;
}

/* Pairs per batch: a quarter of the ring's events. */
static int calibrate_batch(const struct xt_backend_opts *bo, bool is_bpf)
{
	uint64_t cap = is_bpf ? (bo->ringbuf_bytes ? bo->ringbuf_bytes : XT_BPF_RINGBUF_DEFAULT) /
					(sizeof(struct xt_event) + 8)
			      : (bo->ring_slots ? bo->ring_slots : XT_INPROC_RING_DEFAULT);
	uint64_t pairs = cap / 8;

	return pairs < 1 ? 1 : pairs > CALIBRATE_PAIRS ? CALIBRATE_PAIRS : (int)pairs;
}

/* An edge made by calibration: into or out of function id 0. */
static bool calibration_edge(const struct xt_edge *e)
{
	return e->callee == 0 || (e->caller == 0 && !(e->callee & XT_ROOT_BIT));
}

/*
 * bpf: the final model from the kernel's aggregates (collected into k) and
 * what the ring built in tl (processes, calling contexts, timeline).  The
 * calibration's outermost calls also counted in the (0 -> (kernel)) edge:
 * they are taken out of it.
 */
static int merge_bpf(struct xt_model *m, struct xt_model *k, struct xt_model *tl,
		     uint64_t discarded)
{
	struct xt_meta *mm = xt_model__meta(m), *km = xt_model__meta(k), *tm;
	struct xt_edge cal = { 0 }, e;
	size_t n;
	int err = xt_model__finish(tl);
	const struct xt_edge *ke = xt_model__edges(k, &n);

	for (size_t i = 0; i < n; i++)
		if (ke[i].callee == 0 && ke[i].caller == XT_ROOT_KERNEL) {
			cal.calls += ke[i].calls;
			cal.incl_ns += ke[i].incl_ns;
		}
	for (size_t i = 0; i < n && !err; i++) {
		if (calibration_edge(&ke[i]))
			continue;
		e = ke[i];
		if (e.caller == 0 && e.callee == XT_ROOT_KERNEL) {
			e.calls -= e.calls > cal.calls ? cal.calls : e.calls;
			e.incl_ns -= e.incl_ns > cal.incl_ns ? cal.incl_ns : e.incl_ns;
			if (!e.calls)
				continue;
		}
		err = xt_model__add_edge(m, &e);
	}
	const struct xt_sysstat *ks = xt_model__sys(k, &n);
	for (size_t i = 0; i < n && !err; i++)
		err = xt_model__add_sys_named(m, &ks[i]);
	memcpy(mm->drops, km->drops, sizeof(mm->drops));
	mm->events = km->events > discarded ? km->events - discarded : 0;

	const struct xt_proc *p = xt_model__procs(tl, &n);
	for (size_t i = 0; i < n && !err; i++)
		err = xt_model__add_proc(m, &p[i]);
	const struct xt_stack *st = xt_model__stacks(tl, &n);
	for (size_t i = 0; i < n && !err; i++)
		err = xt_model__add_stack(m, &st[i]);
	const struct xt_span *sp = xt_model__spans(tl, &n);
	for (size_t i = 0; i < n && !err; i++)
		err = xt_model__add_span(m, &sp[i]);
	const struct xt_flow *f = xt_model__flows(tl, &n);
	for (size_t i = 0; i < n && !err; i++)
		err = xt_model__add_flow(m, &f[i]);
	tm = xt_model__meta(tl);
	mm->timeline_dropped += tm->timeline_dropped;
	return err;
}

#define FAIL(code, ...)                                                         \
	do {                                                                    \
		err = (code);                                                   \
		snprintf(res->error, sizeof(res->error), __VA_ARGS__);          \
		goto cleanup;                                                   \
	} while (0)

int xt_run(const struct xt_run_opts *o, struct xt_model **out, struct xt_run_result *res)
{
	struct sigaction sa = { .sa_handler = on_stop }, old_int, old_term;
	struct xt_backend_opts bo = { 0 };
	struct run_ctx rc = { 0 };
	struct xt_backend *b = NULL;
	struct xt_model *m = NULL, *tl = NULL, *k = NULL;
	struct xt_meta *meta;
	const char *msg = NULL;
	char env[256];
	pid_t pid = -1;
	int arch, id, err = 0, status = 0, batch;
	uint64_t t0 = 0, last_progress = 0, idle_ns = 0;
	double cost_ns = 0;
	bool handlers = false, is_bpf = false, done = false, subreaper = false;

	memset(res, 0, sizeof(*res));
	*out = NULL;
	arch = xnusim_arch_parse(o->arch ? o->arch : "arm64");
	if (arch < 0)
		FAIL(-EINVAL, "unknown architecture '%s' (arm64, x86_64)", o->arch);
	err = program_check(o->argv[0]);
	if (err)
		FAIL(err, "%s: %s", o->argv[0], strerror(-err));
	m = xt_model__new();
	tl = xt_model__new();
	k = xt_model__new();
	if (!m || !tl || !k)
		FAIL(-ENOMEM, "out of memory");
	xt_model__set_filter(m, &o->filter);
	xt_model__set_filter(tl, &o->filter);
	if (o->timeline_max != (size_t)-1) {
		xt_model__set_timeline_max(m, o->timeline_max);
		xt_model__set_timeline_max(tl, o->timeline_max);
	}
	id = xnusim_boot_launchd(arch);	/* we stay launchd's host, not a process */
	if (id < 0)
		FAIL(id, "cannot boot a %s machine: %s", o->arch, strerror(-id));
	err = xt_run_add_registry(m);
	if (err)
		FAIL(err, "function registry: %s", strerror(-err));

	rc.m = m;
	rc.o = o;
	bo.lib_path = library_path();
	bo.machine = (uint32_t)id;
	bo.filter = o->filter;
	bo.want_events = true;	/* the process tree needs lifecycle events */
	/* bpf: function events too, for the calling contexts and the timeline */
	bo.want_func_events = o->want_func_events || o->timeline_max != 0;
	bo.ring_slots = o->ring_slots;
	if (o->ring_slots) {	/* bpf: the same number of events, in bytes (a power of 2) */
		uint64_t bytes = 4096;

		while (bytes < o->ring_slots * sizeof(struct xt_event) && bytes < (1ull << 30))
			bytes <<= 1;
		bo.ringbuf_bytes = (uint32_t)bytes;
	}
	bo.on_event = run_on_event;
	bo.ctx = &rc;
	b = xt_backend__open(o->backend, &bo, &msg);
	if (!b)
		FAIL(-errno, "backend %s: %s", o->backend, msg ? msg : strerror(errno));
	res->auto_reason = xt_backend__auto_reason();
	is_bpf = strcmp(xt_backend__name(b), "bpf") == 0;
	if (is_bpf)
		rc.m = tl;	/* the kernel aggregates; the ring builds the rest */
	if (o->on_backend)
		o->on_backend(o->progress_ctx, xt_backend__name(b), res->auto_reason);
	/*
	 * Recording only aggregates, so threads may keep their call-graph
	 * batches across traps and hand them over once per many (xs_trace.h);
	 * live output wants every trap as it ends.
	 */
	(void)xs_trace_set_handover(o->on_event ? 0 : XT_RUN_HANDOVER_NS);	/* else each trap */
	batch = calibrate_batch(&bo, is_bpf);
	(void)calibrate_loop(batch);	/* warm-up: page faults, caches */
	idle_ns = calibrate_timed(NULL, batch);
	err = xt_backend__attach(b);
	if (err)
		FAIL(err, "backend %s: attach: %s", xt_backend__name(b), strerror(-err));
	{
		uint64_t on;

		rc.discard = true;
		on = calibrate_timed(b, batch);
		xs_trace_callgraph_flush();	/* a batch kept across the loops */
		while (xt_backend__poll(b, 0) > 0)
			;
		rc.discard = false;
		cost_ns = on > idle_ns ? (double)(on - idle_ns) / (2.0 * CALIBRATE_PAIRS) : 0.0;
	}

	err = xnusim_child_env(env, sizeof(env));
	if (err)
		FAIL(err, "cannot export the machine: %s", strerror(-err));
	/* Orphans of the workload become our children: we wait for them too. */
	subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
	stop_signal = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	handlers = true;
	t0 = last_progress = now_ns();
	err = start_workload(o->argv, env, &pid);
	if (err)
		FAIL(err, "%s: %s", o->argv[0], strerror(-err));
	res->started = true;
	if (o->on_progress)
		o->on_progress(o->progress_ctx, pid, 0);

	for (;;) {
		int n = xt_backend__poll(b, 20);

		if (n < 0 && n != -EINTR)
			FAIL(n, "reading events: %s", strerror(-n));
		if (reap_children(pid, &status, &done) || (done && !subreaper))
			break;
		if (stop_signal) {
			res->interrupted = true;
			stop_workload(pid, &status, &done);
			break;
		}
		if (o->on_progress && now_ns() - last_progress > 500000000ull) {
			last_progress = now_ns();
			o->on_progress(o->progress_ctx, pid,
				       xt_model__meta(rc.m)->events);
		}
	}
	pid = -1;
	err = 0;
cleanup:
	if (pid > 0)
		stop_workload(pid, &status, &done);
	if (subreaper)
		prctl(PR_SET_CHILD_SUBREAPER, 0);
	if (b && res->started) {
		int e;

		while ((e = xt_backend__poll(b, 0)) > 0)
			;
		e = xt_backend__collect(b, is_bpf ? k : m);
		if (e && !err)
			FAIL(e, "collecting: %s", strerror(-e));
		if (!err && is_bpf) {
			e = merge_bpf(m, k, tl, rc.discarded);
			if (e)
				FAIL(e, "model: %s", strerror(-e));
		}
	}
	if (handlers) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
	}
	if (!err && rc.err)
		snprintf(res->error, sizeof(res->error), "model: %s", strerror(-(err = rc.err)));
	if (!err) {
		meta = xt_model__meta(m);
		meta->backend = strdup(xt_backend__name(b));
		meta->arch = strdup(xnusim_arch_name(arch));
		meta->command = xt_run_command_line(o->argv);
		meta->machine = (uint32_t)xnusim_machine_id();
		meta->workload_status = status;
		meta->wall_ns = now_ns() - t0;
		meta->interrupted = res->interrupted;
		meta->cost_per_event_ns = cost_ns;
		name_workload(m, o->argv[0]);
		err = xt_model__finish(m);
		name_workload(m, o->argv[0]);
		if (err)
			snprintf(res->error, sizeof(res->error), "model: %s", strerror(-err));
	}
	res->host_status = status;
	if (WIFSIGNALED(status))
		res->exit_code = 128 + WTERMSIG(status);
	else
		res->exit_code = WEXITSTATUS(status);
	if (res->interrupted)
		res->exit_code = 128 + (stop_signal ? stop_signal : SIGINT);
	xt_backend__destroy(b);
	xt_model__free(tl);
	xt_model__free(k);
	free(rc.tids);
	if (err) {
		xt_model__free(m);
		return err;
	}
	*out = m;
	return 0;
}
