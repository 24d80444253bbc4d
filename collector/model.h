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
	uint64_t timeline_dropped;	/* spans beyond the timeline's cap (not data loss) */
};

/*
 * The calling-context tree (exact stacks, for folded export): node i's
 * parent is stacks[parent - 1], or none when parent is 0 (a syscall root).
 * Sorted: a parent always comes before its children.
 */
struct xt_stack {
	uint32_t parent;	/* index + 1, 0 for a root */
	uint32_t id;		/* function id or root id */
	uint64_t calls, incl_ns, self_ns;
};

/* One finished call on the timeline: a syscall (depth 0) or a function. */
struct xt_span {
	int32_t pid;
	uint32_t id;		/* node id */
	uint64_t tid;
	uint64_t ts_ns;		/* start, relative to the first event */
	uint64_t dur_ns;
	uint32_t depth;
	int32_t error;		/* syscalls: errno / kern_return_t; 0 otherwise */
};

#define XT_FLOW_FORK  1		/* proc_create how fork: parent -> child */
#define XT_FLOW_SPAWN 2
#define XT_FLOW_EXEC  3
#define XT_FLOW_MSG   4		/* Mach message send -> receive (same port, FIFO) */

struct xt_flow {
	uint32_t kind;		/* XT_FLOW_* */
	int32_t from_pid, to_pid;
	uint64_t from_tid, to_tid;
	uint64_t from_ts, to_ts;	/* relative to the first event */
	uint64_t detail;	/* msg: port object id */
};

struct xt_filter;

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

/*
 * Additive API (collector core).  set_filter: feed() keeps only what the
 * filter selects (copied; NULL clears).  set_comm: name a process that never
 * exec'd (the attached workload).  timeline_max: cap on spans (default
 * 200000; 0 keeps no timeline).  add_stack/add_span/add_flow/add_proc
 * rebuild a model read from an artifact.
 */
void xt_model__set_filter(struct xt_model *m, const struct xt_filter *f);
int xt_model__set_comm(struct xt_model *m, int32_t pid, const char *comm);
void xt_model__set_timeline_max(struct xt_model *m, size_t max);
int xt_model__add_stack(struct xt_model *m, const struct xt_stack *s);
int xt_model__add_span(struct xt_model *m, const struct xt_span *s);
int xt_model__add_flow(struct xt_model *m, const struct xt_flow *f);
int xt_model__add_proc(struct xt_model *m, const struct xt_proc *p);	/* deep copy */
int xt_model__add_func_full(struct xt_model *m, uint32_t id, const char *name,
			    const char *path, const char *subsystem);
/* Like add_sys, keeping the given name (an artifact's). */
int xt_model__add_sys_named(struct xt_model *m, const struct xt_sysstat *s);
const struct xt_stack *xt_model__stacks(const struct xt_model *m, size_t *n);
const struct xt_span *xt_model__spans(const struct xt_model *m, size_t *n);
const struct xt_flow *xt_model__flows(const struct xt_model *m, size_t *n);
/* Root id helpers: XT_ROOT_ID's family and (sign-extended) number. */
int32_t xt_root_family(uint32_t id);
int32_t xt_root_number(uint32_t id);
#define XT_ROOT_KERNEL XT_ROOT_ID(0, 0)	/* functions run outside any syscall */

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
