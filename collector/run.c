/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * run.c: one recording (run.h), after the xnusim runner
 * (kmod-xnu-sim/tools/xnusim.c): this process boots the machine and stays
 * launchd's host; the workload is a host child that joins the machine
 * through XNUSIM_MACHINE as the first process under launchd.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

struct run_ctx {
	struct xt_model *m;
	bool aggregate;
	const struct xt_run_opts *o;
	int err;
};

static int run_on_event(void *ctx, const struct xt_event *ev)
{
	struct run_ctx *rc = ctx;
	int err;

	if (rc->o->on_event) {
		err = rc->o->on_event(rc->o->ctx, ev);
		if (err)
			return err;
	}
	err = xt_model__feed(rc->m, ev, rc->aggregate);
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

/* Stop a workload we no longer trace: SIGTERM, then SIGKILL after 1 s. */
static void stop_workload(pid_t pid, int *status)
{
	uint64_t deadline = now_ns() + 1000000000ull;

	kill(pid, SIGTERM);
	while (waitpid(pid, status, WNOHANG) == 0) {
		if (now_ns() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, status, 0);
			return;
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
	struct xt_model *m = NULL;
	struct xt_meta *meta;
	const char *msg = NULL;
	char env[256];
	pid_t pid = -1;
	int arch, id, err = 0, status = 0;
	uint64_t t0 = 0, last_progress = 0;
	bool handlers = false;

	memset(res, 0, sizeof(*res));
	*out = NULL;
	arch = xnusim_arch_parse(o->arch ? o->arch : "arm64");
	if (arch < 0)
		FAIL(-EINVAL, "unknown architecture '%s' (arm64, x86_64)", o->arch);
	err = program_check(o->argv[0]);
	if (err)
		FAIL(err, "%s: %s", o->argv[0], strerror(-err));
	m = xt_model__new();
	if (!m)
		FAIL(-ENOMEM, "out of memory");
	xt_model__set_filter(m, &o->filter);
	if (o->timeline_max != (size_t)-1)
		xt_model__set_timeline_max(m, o->timeline_max);
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
	bo.want_func_events = o->want_func_events;
	bo.ring_slots = o->ring_slots;
	bo.on_event = run_on_event;
	bo.ctx = &rc;
	b = xt_backend__open(o->backend, &bo, &msg);
	if (!b)
		FAIL(-errno, "backend %s: %s", o->backend, msg ? msg : strerror(errno));
	res->auto_reason = xt_backend__auto_reason();
	rc.aggregate = strcmp(xt_backend__name(b), "inproc") == 0;
	err = xt_backend__attach(b);
	if (err)
		FAIL(err, "backend %s: attach: %s", xt_backend__name(b), strerror(-err));

	err = xnusim_child_env(env, sizeof(env));
	if (err)
		FAIL(err, "cannot export the machine: %s", strerror(-err));
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
		int n = xt_backend__poll(b, 20), w;

		if (n < 0 && n != -EINTR)
			FAIL(n, "reading events: %s", strerror(-n));
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (stop_signal) {
			res->interrupted = true;
			stop_workload(pid, &status);
			break;
		}
		if (o->on_progress && now_ns() - last_progress > 500000000ull) {
			last_progress = now_ns();
			o->on_progress(o->progress_ctx, pid, xt_model__meta(m)->events);
		}
	}
	/* A crash (or a kill) has no simulated exit: the kernel reaps it as killed. */
	if (WIFSIGNALED(status))
		(void)xs_proc_host_died(pid, status);
	pid = -1;
	err = 0;
cleanup:
	if (pid > 0)
		stop_workload(pid, &status);
	if (b && res->started) {
		int e;

		while ((e = xt_backend__poll(b, 0)) > 0)
			;
		e = xt_backend__collect(b, m);
		if (e && !err)
			FAIL(e, "collecting: %s", strerror(-e));
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
	if (err) {
		xt_model__free(m);
		return err;
	}
	*out = m;
	return 0;
}
