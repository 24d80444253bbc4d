/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * model.h: what a recording is, in memory: the function registry, call-graph
 * nodes and edges, per-syscall statistics with latency histograms, the
 * process tree with fork/exec/spawn lineage, and the metadata a reader needs
 * to trust it.  Both backends fill one of these; artifact.c writes and reads
 * it; report and exports read it.  No BPF and no Graphviz here.
 *
 * Ownership: xt_model__new returns an owned model; every string and array
 * inside belongs to it and is freed by xt_model__free (NULL-safe).  Getters
 * return borrowed pointers valid until the model changes or is freed.
 */
#ifndef XT_COLLECTOR_MODEL_H
#define XT_COLLECTOR_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "bpf/xnutrace.h"

#define XT_ARTIFACT_VERSION 1

struct xt_func {		/* one registry entry */
	uint32_t id;
	char *name;		/* "falloc_withinit" */
	char *path;		/* "bsd/kern/kern_descrip.c" */
	char *subsystem;	/* "bsd/kern" */
};

struct xt_node {		/* a function (or a syscall root) in the graph */
	uint32_t id;		/* function id, or XT_ROOT_ID(family, number) */
	uint64_t calls;
	uint64_t incl_ns;
	uint64_t self_ns;
};

struct xt_edge {
	uint32_t caller, callee, root;
	uint64_t calls, incl_ns, self_ns;
};

struct xt_sysstat {
	int32_t family, number;
	char *name;		/* "open", "mach_msg2_trap" */
	uint64_t count, errors, total_ns;
	uint64_t hist[XT_HIST_SLOTS];
};

struct xt_proc {
	int32_t pid, ppid;
	int how;		/* XS_PROC_CREATE_* (0 boot, 1 attach, 2 fork, 3 spawn, 4 exec) */
	char *comm;		/* last exec'd path, or the attached program */
	uint64_t start_ns, end_ns;
	bool exited;
	int32_t status;		/* Darwin wait status when exited */
	uint64_t bsd_calls, mach_traps;
	char **execs;		/* paths exec'd, in order */
	size_t nexecs;
};

struct xt_meta {
	char *backend;		/* "bpf" or "inproc" */
	char *arch;		/* "arm64" or "x86_64" */
	uint32_t machine;
	char *command;		/* the workload's command line */
	int32_t workload_status;	/* host wait status of the workload */
	uint64_t wall_ns;
	uint64_t events;		/* events seen */
	uint64_t drops[XT_DROP_MAX];
	uint32_t funcs_registered;	/* probe coverage: functions in the registry */
	uint32_t funcs_seen;		/* ... and functions that fired */
	double cost_per_event_ns;	/* the tracer's own cost, measured at start */
	bool interrupted;		/* Ctrl-C: the recording is partial */
};

struct xt_model;

struct xt_model *xt_model__new(void);
void xt_model__free(struct xt_model *m);

/* Building.  All return 0 or -errno (-ENOMEM). */
int xt_model__add_func(struct xt_model *m, uint32_t id, const char *name, const char *path);
int xt_model__add_edge(struct xt_model *m, const struct xt_edge *e);	/* accumulates */
int xt_model__add_sys(struct xt_model *m, const struct xt_sys_key *k,
		      const struct xt_sys_val *v);				/* accumulates */
/*
 * Ordered events: lifecycle events build the process tree; with
 * aggregate=true, syscall and function events also build edges and
 * statistics through per-thread shadow stacks (the inproc backend's path).
 */
int xt_model__feed(struct xt_model *m, const struct xt_event *ev, bool aggregate);
/* Derive nodes from edges, sort everything (deterministic output). */
int xt_model__finish(struct xt_model *m);

/* Reading (after finish). */
struct xt_meta *xt_model__meta(struct xt_model *m);
const struct xt_func *xt_model__funcs(const struct xt_model *m, size_t *n);
const struct xt_func *xt_model__func(const struct xt_model *m, uint32_t id);
const struct xt_node *xt_model__nodes(const struct xt_model *m, size_t *n);
const struct xt_edge *xt_model__edges(const struct xt_model *m, size_t *n);
const struct xt_sysstat *xt_model__sys(const struct xt_model *m, size_t *n);
const struct xt_proc *xt_model__procs(const struct xt_model *m, size_t *n);
/* Display name of a node id: the function's name, or the syscall's for a root. */
const char *xt_model__node_name(const struct xt_model *m, uint32_t id);

#endif /* XT_COLLECTOR_MODEL_H */
