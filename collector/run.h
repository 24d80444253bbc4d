/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * run.h: one recording.  Boots a simulated machine whose launchd this
 * process hosts (xnusim_boot_launchd), opens and attaches a backend, starts
 * the workload as the first process under launchd (its environment from
 * xnusim_child_env), drains events until it ends or SIGINT/SIGTERM arrives,
 * and fills a finished model.  Never prints: progress goes to a callback.
 *
 * The recording ends when the workload and every host process it started
 * have ended (this process is their child subreaper, so children that
 * outlive the first process are waited for too), or at SIGINT/SIGTERM.
 * The bpf backend's aggregates come from its maps; its ring also carries
 * function events, from which a second model builds the timeline, the
 * calling-context tree and the process tree, as the inproc backend's does.
 */
#ifndef XT_COLLECTOR_RUN_H
#define XT_COLLECTOR_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector/backend.h"

struct xt_model;

struct xt_run_opts {
	const char *backend;		/* "auto", "bpf", "inproc" */
	const char *arch;		/* "arm64", "x86_64" */
	char **argv;			/* the workload, NULL-terminated */
	struct xt_filter filter;
	uint64_t ring_slots;		/* inproc ring; 0 = default */
	size_t timeline_max;		/* spans kept; (size_t)-1 = default */
	/* Live events (xnutrace trace): every event, before aggregation. */
	int (*on_event)(void *ctx, const struct xt_event *ev);
	void *ctx;
	bool want_func_events;
	/* Progress, about twice a second, and once when the workload starts. */
	void (*on_progress)(void *ctx, int host_pid, uint64_t events);
	void *progress_ctx;
	/*
	 * The backend is open, before the workload starts: its name, and when
	 * "auto" fell back to inproc, why (static; NULL otherwise).
	 */
	void (*on_backend)(void *ctx, const char *name, const char *auto_reason);
};

struct xt_run_result {
	int exit_code;		/* what xnutrace should exit with (the workload's) */
	int host_status;	/* host wait status of the workload */
	bool started;		/* the workload ran (an artifact is worth writing) */
	bool interrupted;	/* SIGINT/SIGTERM stopped the recording */
	const char *auto_reason;	/* "auto" fell back to inproc: why (static) */
	char error[256];	/* what went wrong, when xt_run returns < 0 */
};

/*
 * Record one run into *out (an owned, finished model; NULL on failure).
 * Returns 0 (also when the workload failed or crashed: see res) or -errno
 * with res->error set.  -ENOENT: the program does not exist (exit 127).
 */
int xt_run(const struct xt_run_opts *o, struct xt_model **out, struct xt_run_result *res);

/* Add the kernel's function registry (id, name, path, subsystem) to m. */
int xt_run_add_registry(struct xt_model *m);

/* The workload's command line, joined with spaces.  Owned by the caller. */
char *xt_run_command_line(char **argv);

#endif /* XT_COLLECTOR_RUN_H */
