/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * model.c: the in-memory recording (model.h).  Aggregates ordered events
 * through per-thread shadow stacks into call-graph edges, a calling-context
 * tree, per-syscall statistics and a capped timeline; builds the process
 * tree from lifecycle events; sorts everything so that output is
 * deterministic once times are removed.
 *
 * Accounting rules (docs/artifact.md), the same as bpf/callgraph.bpf.c's so
 * both backends count alike:
 *  - a call is counted when it returns; frames still open at the end (exit,
 *    exec, an interrupted recording) are left out;
 *  - the active syscall is not a frame: functions entered before its
 *    syscall_entry (the trap front-end) run under "(kernel)", the handler is
 *    called by the syscall's root, and the syscall ends at its return or
 *    when the outermost frame pops;
 *  - a return whose entry is deeper in the stack closes the frames above it,
 *    each a missing return counted as a stack_underflow drop; a return with
 *    no entry at all is one as well;
 *  - deeper than XT_MAX_DEPTH: stack_overflow drops.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/backend.h"
#include "collector/model.h"
#include "kmod-xnu-sim/include/xnusim/xnusim.h"

/* ---- a small open-addressing hash: (k1, k2) -> index ------------------- */

struct xt_hslot {
	uint64_t k1, k2;
	uint32_t val;		/* index + 1; 0 = empty */
};

struct xt_hash {
	struct xt_hslot *slots;
	size_t cap, used;
};

static uint64_t hash_mix(uint64_t a, uint64_t b)
{
	uint64_t h = a * 0x9e3779b97f4a7c15ull ^ (b + 0x632be59bd9b4e019ull);

	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 29);
}

/* Slot for (k1, k2): existing, or the empty slot where it belongs. */
static struct xt_hslot *hash_slot(struct xt_hash *h, uint64_t k1, uint64_t k2)
{
	size_t i = hash_mix(k1, k2) & (h->cap - 1);

	while (h->slots[i].val && (h->slots[i].k1 != k1 || h->slots[i].k2 != k2))
		i = (i + 1) & (h->cap - 1);
	return &h->slots[i];
}

static int hash_grow(struct xt_hash *h)
{
	struct xt_hash n = { .cap = h->cap ? h->cap * 2 : 256 };

	n.slots = calloc(n.cap, sizeof(*n.slots));
	if (!n.slots)
		return -ENOMEM;
	for (size_t i = 0; i < h->cap; i++)
		if (h->slots[i].val)
			*hash_slot(&n, h->slots[i].k1, h->slots[i].k2) = h->slots[i];
	n.used = h->used;
	free(h->slots);
	*h = n;
	return 0;
}

/* 0 if absent, else index + 1. */
static uint32_t hash_get(const struct xt_hash *h, uint64_t k1, uint64_t k2)
{
	if (!h->cap)
		return 0;
	return hash_slot((struct xt_hash *)h, k1, k2)->val;
}

static int hash_put(struct xt_hash *h, uint64_t k1, uint64_t k2, uint32_t val)
{
	struct xt_hslot *s;

	if ((h->used + 1) * 2 > h->cap && hash_grow(h))
		return -ENOMEM;
	s = hash_slot(h, k1, k2);
	if (!s->val)
		h->used++;
	s->k1 = k1;
	s->k2 = k2;
	s->val = val;
	return 0;
}

static void hash_clear(struct xt_hash *h)
{
	free(h->slots);
	memset(h, 0, sizeof(*h));
}

/* Grow *arr (elements of size sz) to hold at least n+1; 0 or -ENOMEM. */
static int vec_reserve(void **arr, size_t *cap, size_t n, size_t sz)
{
	void *p;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 64;
	p = realloc(*arr, c * sz);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = c;
	return 0;
}
#define VEC_PUSH(arr, n, cap) vec_reserve((void **)&(arr), &(cap), (n), sizeof(*(arr)))

/* ---- per-thread shadow stacks ------------------------------------------ */

struct xt_frame {
	uint32_t id;		/* function id */
	uint32_t root;		/* the syscall it runs under, or XT_ROOT_KERNEL */
	uint32_t stack;		/* calling-context node index + 1; 0: not recorded */
	uint32_t pad;
	uint64_t start;
	uint64_t child_ns;	/* inclusive time of finished callees */
};

/*
 * The active syscall is not a frame: on arm64 xnu:syscall_entry fires inside
 * arm_trace_unix_syscall, under the dispatchers (sleh_synchronous,
 * handle_svc, unix_syscall).  It sits between frames[root_base - 1] (the
 * dispatcher) and frames[root_base] (the handler), exactly as the BPF
 * programs keep it (bpf/callgraph.bpf.c), so both backends count alike.
 */
struct xt_thread {
	uint64_t tid;		/* simulated tid, once known */
	int32_t pid;
	uint32_t depth;		/* logical depth; frames past XT_MAX_DEPTH are not stored */
	uint32_t root;		/* XT_ROOT_ID of the active syscall, 0 if none */
	uint32_t root_base;
	uint32_t root_stack;	/* the root's calling-context node */
	uint64_t root_start, root_child_ns;
	uint64_t last_ts;
	struct xt_frame frames[XT_MAX_DEPTH];
};

struct xt_msg_wait {		/* a send waiting for its receive */
	uint64_t port;
	int32_t pid;
	uint64_t tid, ts;
};

struct xt_model {
	struct xt_meta meta;
	struct xt_func *funcs;
	size_t nfuncs, capfuncs;
	struct xt_node *nodes;
	size_t nnodes, capnodes;
	struct xt_edge *edges;
	size_t nedges, capedges;
	struct xt_sysstat *sys;
	size_t nsys, capsys;
	struct xt_proc *procs;
	size_t nprocs, capprocs;
	struct xt_stack *stacks;
	size_t nstacks, capstacks;
	struct xt_span *spans;
	size_t nspans, capspans, spans_max;
	struct xt_flow *flows;
	size_t nflows, capflows;
	struct xt_thread **threads;
	size_t nthreads, capthreads;
	struct xt_msg_wait *msgs;
	size_t nmsgs, capmsgs;
	struct xt_hash h_func, h_edge, h_sys, h_proc, h_stack, h_thread;
	struct xt_filter filter;
	bool has_filter;
	bool have_t0;
	uint64_t t0;
	uint64_t *seen_funcs;	/* bitmap of function ids that fired */
	size_t seen_words;
	/*
	 * Feeding caches (the shadow-stack engine's hot path; none changes a
	 * result): the last thread looked up, and per calling-context node
	 * its last child and the edge its calls were last added to.  Cleared
	 * whenever stacks or edges are renumbered.
	 */
	uint64_t last_thread_key;
	struct xt_thread *last_thread;
	struct xt_node_cache *ncache;
	size_t capncache;
};

struct xt_node_cache {
	uint32_t kid_id, kid;	/* last stack_child(this node, kid_id) = kid */
	uint32_t edge;		/* index + 1 of the edge its calls went to; 0: none */
	uint32_t pad;
};

int32_t xt_root_family(uint32_t id)
{
	return (int32_t)((id >> 24) & 0x7f);
}

int32_t xt_root_number(uint32_t id)
{
	return (int32_t)((id & 0xffffffu) << 8) >> 8;	/* sign-extend 24 bits */
}

struct xt_model *xt_model__new(void)
{
	struct xt_model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->spans_max = 200000;
	m->filter.pid = -1;
	return m;
}

static void proc_free(struct xt_proc *p)
{
	free(p->comm);
	for (size_t i = 0; i < p->nexecs; i++)
		free(p->execs[i]);
	free(p->execs);
}

void xt_model__free(struct xt_model *m)
{
	if (!m)
		return;
	free(m->meta.backend);
	free(m->meta.arch);
	free(m->meta.command);
	for (size_t i = 0; i < m->nfuncs; i++) {
		free(m->funcs[i].name);
		free(m->funcs[i].path);
		free(m->funcs[i].subsystem);
	}
	for (size_t i = 0; i < m->nsys; i++)
		free(m->sys[i].name);
	for (size_t i = 0; i < m->nprocs; i++)
		proc_free(&m->procs[i]);
	for (size_t i = 0; i < m->nthreads; i++)
		free(m->threads[i]);
	free(m->funcs);
	free(m->nodes);
	free(m->edges);
	free(m->sys);
	free(m->procs);
	free(m->stacks);
	free(m->spans);
	free(m->flows);
	free(m->threads);
	free(m->msgs);
	free(m->seen_funcs);
	free(m->ncache);
	hash_clear(&m->h_func);
	hash_clear(&m->h_edge);
	hash_clear(&m->h_sys);
	hash_clear(&m->h_proc);
	hash_clear(&m->h_stack);
	hash_clear(&m->h_thread);
	free(m);
}

void xt_model__set_filter(struct xt_model *m, const struct xt_filter *f)
{
	m->has_filter = f != NULL;
	if (f)
		m->filter = *f;
}

void xt_model__set_timeline_max(struct xt_model *m, size_t max)
{
	m->spans_max = max;
}

/* ---- registry ------------------------------------------------------------ */

int xt_model__add_func_full(struct xt_model *m, uint32_t id, const char *name,
			    const char *path, const char *subsystem)
{
	struct xt_func *f;
	uint32_t at = hash_get(&m->h_func, id, 0);

	if (at)
		return 0;	/* first registration wins */
	if (VEC_PUSH(m->funcs, m->nfuncs, m->capfuncs))
		return -ENOMEM;
	f = &m->funcs[m->nfuncs];
	f->id = id;
	f->name = strdup(name ? name : "");
	f->path = strdup(path ? path : "");
	f->subsystem = strdup(subsystem ? subsystem : "");
	if (!f->name || !f->path || !f->subsystem) {
		free(f->name);
		free(f->path);
		free(f->subsystem);
		return -ENOMEM;
	}
	if (hash_put(&m->h_func, id, 0, (uint32_t)++m->nfuncs)) {
		m->nfuncs--;
		return -ENOMEM;
	}
	m->meta.funcs_registered = (uint32_t)m->nfuncs;
	return 0;
}

int xt_model__add_func(struct xt_model *m, uint32_t id, const char *name, const char *path)
{
	char sub[256] = "";
	const char *slash = path ? strrchr(path, '/') : NULL;

	if (slash && (size_t)(slash - path) < sizeof(sub))
		snprintf(sub, sizeof(sub), "%.*s", (int)(slash - path), path);
	return xt_model__add_func_full(m, id, name, path, sub);
}

const struct xt_func *xt_model__func(const struct xt_model *m, uint32_t id)
{
	uint32_t at = hash_get(&m->h_func, id, 0);

	return at ? &m->funcs[at - 1] : NULL;
}

static void mark_seen(struct xt_model *m, uint32_t id)
{
	size_t w = id / 64;

	if (id & XT_ROOT_BIT)
		return;
	if (w >= m->seen_words) {
		size_t n = w + 64;
		uint64_t *p = realloc(m->seen_funcs, n * sizeof(*p));

		if (!p)
			return;
		memset(p + m->seen_words, 0, (n - m->seen_words) * sizeof(*p));
		m->seen_funcs = p;
		m->seen_words = n;
	}
	m->seen_funcs[w] |= 1ull << (id % 64);
}

/* ---- aggregates ------------------------------------------------------------ */

static void ncache_clear(struct xt_model *m)
{
	if (m->ncache)
		memset(m->ncache, 0, m->capncache * sizeof(*m->ncache));
}

/* Node i's cache entry (index + 1; 0: none), NULL when it cannot be had. */
static struct xt_node_cache *ncache_at(struct xt_model *m, uint32_t node)
{
	if (!node)
		return NULL;
	if (node > m->capncache) {
		size_t c = m->capncache ? m->capncache : 256;
		struct xt_node_cache *p;

		while (c < node)
			c *= 2;
		p = realloc(m->ncache, c * sizeof(*p));
		if (!p)
			return NULL;
		memset(p + m->capncache, 0, (c - m->capncache) * sizeof(*p));
		m->ncache = p;
		m->capncache = c;
	}
	return &m->ncache[node - 1];
}

/* Add e to its edge; *at_out (may be NULL) gets the edge's index + 1. */
static int edge_add_at(struct xt_model *m, const struct xt_edge *e, uint32_t *at_out)
{
	uint64_t k1 = (uint64_t)e->caller << 32 | e->callee;
	uint32_t at = hash_get(&m->h_edge, k1, e->root);
	struct xt_edge *d;

	if (!at) {
		if (VEC_PUSH(m->edges, m->nedges, m->capedges))
			return -ENOMEM;
		d = &m->edges[m->nedges];
		memset(d, 0, sizeof(*d));
		d->caller = e->caller;
		d->callee = e->callee;
		d->root = e->root;
		if (hash_put(&m->h_edge, k1, e->root, (uint32_t)++m->nedges)) {
			m->nedges--;
			return -ENOMEM;
		}
	} else {
		d = &m->edges[at - 1];
	}
	d->calls += e->calls;
	d->incl_ns += e->incl_ns;
	d->self_ns += e->self_ns;
	mark_seen(m, e->callee);
	if (at_out)
		*at_out = at ? at : (uint32_t)m->nedges;
	return 0;
}

int xt_model__add_edge(struct xt_model *m, const struct xt_edge *e)
{
	return edge_add_at(m, e, NULL);
}

/* Add the edge of a call at calling-context node `node`, through its cache. */
static int edge_add_node(struct xt_model *m, uint32_t node, const struct xt_edge *e)
{
	struct xt_node_cache *c = ncache_at(m, node);
	struct xt_edge *d;

	if (c && c->edge) {
		d = &m->edges[c->edge - 1];
		if (d->caller == e->caller && d->callee == e->callee && d->root == e->root) {
			d->calls += e->calls;
			d->incl_ns += e->incl_ns;
			d->self_ns += e->self_ns;
			return 0;	/* the callee was marked seen when the edge was made */
		}
	}
	return edge_add_at(m, e, c ? &c->edge : NULL);
}

/* Name of a syscall or trap from the kernel's tables; "bsd_N" if unknown. */
static char *sys_name_dup(int32_t family, int32_t number)
{
	struct xnusim_table_row row;
	char buf[64];
	int rc = -1;

	if (family == XT_FAMILY_BSD && number >= 0)
		rc = xnusim_bsd_table_row((unsigned)number, &row);
	else if (family == XT_FAMILY_MACH && number <= 0)
		rc = xnusim_mach_table_row((unsigned)-number, &row);
	if (rc == 0 && row.name)
		return strdup(row.name);
	snprintf(buf, sizeof(buf), "%s_%d", family == XT_FAMILY_MACH ? "mach" :
		 family == XT_FAMILY_BSD ? "bsd" : "family", number);
	return strdup(buf);
}

static struct xt_sysstat *sys_get(struct xt_model *m, int32_t family, int32_t number,
				  const char *name)
{
	uint64_t k = (uint64_t)(uint32_t)family << 32 | (uint32_t)number;
	uint32_t at = hash_get(&m->h_sys, k, 0);
	struct xt_sysstat *s;

	if (at)
		return &m->sys[at - 1];
	if (VEC_PUSH(m->sys, m->nsys, m->capsys))
		return NULL;
	s = &m->sys[m->nsys];
	memset(s, 0, sizeof(*s));
	s->family = family;
	s->number = number;
	s->name = name ? strdup(name) : sys_name_dup(family, number);
	if (!s->name || hash_put(&m->h_sys, k, 0, (uint32_t)(m->nsys + 1))) {
		free(s->name);
		return NULL;
	}
	m->nsys++;
	return s;
}

int xt_model__add_sys(struct xt_model *m, const struct xt_sys_key *k, const struct xt_sys_val *v)
{
	struct xt_sysstat *s = sys_get(m, k->family, k->number, NULL);

	if (!s)
		return -ENOMEM;
	s->count += v->count;
	s->errors += v->errors;
	s->total_ns += v->total_ns;
	for (int i = 0; i < XT_HIST_SLOTS; i++)
		s->hist[i] += v->hist[i];
	return 0;
}

int xt_model__add_sys_named(struct xt_model *m, const struct xt_sysstat *v)
{
	struct xt_sysstat *s = sys_get(m, v->family, v->number, v->name);

	if (!s)
		return -ENOMEM;
	s->count += v->count;
	s->errors += v->errors;
	s->total_ns += v->total_ns;
	for (int i = 0; i < XT_HIST_SLOTS; i++)
		s->hist[i] += v->hist[i];
	return 0;
}

static int hist_slot(uint64_t ns)
{
	int k = 0;

	while (ns > 1 && k < XT_HIST_SLOTS - 1) {
		ns >>= 1;
		k++;
	}
	return k;
}

/* ---- calling-context tree, spans, flows ----------------------------------- */

static uint32_t stack_child(struct xt_model *m, uint32_t parent, uint32_t id)
{
	struct xt_node_cache *c = ncache_at(m, parent);
	uint32_t at;
	struct xt_stack *s;

	if (c && c->kid && c->kid_id == id)
		return c->kid;
	at = hash_get(&m->h_stack, parent, id);
	if (at) {
		if (c) {
			c->kid_id = id;
			c->kid = at;
		}
		return at;
	}
	if (VEC_PUSH(m->stacks, m->nstacks, m->capstacks))
		return 0;
	s = &m->stacks[m->nstacks];
	memset(s, 0, sizeof(*s));
	s->parent = parent;
	s->id = id;
	if (hash_put(&m->h_stack, parent, id, (uint32_t)(m->nstacks + 1)))
		return 0;
	return (uint32_t)++m->nstacks;
}

int xt_model__add_stack(struct xt_model *m, const struct xt_stack *s)
{
	if (s->parent > m->nstacks)
		return -EINVAL;	/* parents come first */
	if (VEC_PUSH(m->stacks, m->nstacks, m->capstacks))
		return -ENOMEM;
	m->stacks[m->nstacks] = *s;
	if (hash_put(&m->h_stack, s->parent, s->id, (uint32_t)(m->nstacks + 1)))
		return -ENOMEM;
	m->nstacks++;
	return 0;
}

int xt_model__add_span(struct xt_model *m, const struct xt_span *s)
{
	if (m->nspans >= m->spans_max) {
		m->meta.timeline_dropped++;
		return 0;
	}
	if (VEC_PUSH(m->spans, m->nspans, m->capspans))
		return -ENOMEM;
	m->spans[m->nspans++] = *s;
	return 0;
}

int xt_model__add_flow(struct xt_model *m, const struct xt_flow *f)
{
	if (VEC_PUSH(m->flows, m->nflows, m->capflows))
		return -ENOMEM;
	m->flows[m->nflows++] = *f;
	return 0;
}

static uint64_t rel(const struct xt_model *m, uint64_t ts)
{
	return ts >= m->t0 ? ts - m->t0 : 0;
}

/* ---- processes ---------------------------------------------------------------- */

static struct xt_proc *proc_get(struct xt_model *m, int32_t pid, bool create)
{
	uint32_t at = hash_get(&m->h_proc, (uint32_t)pid, 0);
	struct xt_proc *p;

	if (at)
		return &m->procs[at - 1];
	if (!create || VEC_PUSH(m->procs, m->nprocs, m->capprocs))
		return NULL;
	p = &m->procs[m->nprocs];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->how = -1;
	if (hash_put(&m->h_proc, (uint32_t)pid, 0, (uint32_t)(m->nprocs + 1)))
		return NULL;
	m->nprocs++;
	return p;
}

int xt_model__add_proc(struct xt_model *m, const struct xt_proc *src)
{
	struct xt_proc *p = proc_get(m, src->pid, true);

	if (!p)
		return -ENOMEM;
	proc_free(p);
	*p = *src;
	p->comm = NULL;
	p->execs = NULL;
	p->nexecs = 0;
	if (src->comm && !(p->comm = strdup(src->comm)))
		return -ENOMEM;
	if (src->nexecs) {
		p->execs = calloc(src->nexecs, sizeof(char *));
		if (!p->execs)
			return -ENOMEM;
		for (size_t i = 0; i < src->nexecs; i++) {
			p->execs[i] = strdup(src->execs[i] ? src->execs[i] : "");
			if (!p->execs[i])
				return -ENOMEM;
			p->nexecs++;
		}
	}
	return 0;
}

int xt_model__set_comm(struct xt_model *m, int32_t pid, const char *comm)
{
	struct xt_proc *p = proc_get(m, pid, false);
	char *c;

	if (!p)
		return -ENOENT;
	c = strdup(comm);
	if (!c)
		return -ENOMEM;
	free(p->comm);
	p->comm = c;
	return 0;
}

static int proc_exec(struct xt_proc *p, const char *path)
{
	char **v = realloc(p->execs, (p->nexecs + 1) * sizeof(*v));
	char *c = strdup(path), *c2 = strdup(path);

	if (!v || !c || !c2) {
		if (v)
			p->execs = v;
		free(c);
		free(c2);
		return -ENOMEM;
	}
	p->execs = v;
	p->execs[p->nexecs++] = c;
	free(p->comm);
	p->comm = c2;
	return 0;
}

/* ---- the shadow-stack engine -------------------------------------------------- */

/*
 * A thread's shadow stack is keyed by its host thread id: a host thread's
 * first kernel calls (joining the machine) run before it has a simulated
 * thread, so their events carry tid 0 and their returns the new tid.  A
 * different simulated tid on the same host thread (after exec) starts a
 * fresh stack.  Events without a host tid fall back to the simulated one.
 */
static struct xt_thread *thread_get(struct xt_model *m, const struct xt_event *ev)
{
	uint64_t key = ev->host_tid ? ev->host_tid : ev->tid | 1ull << 63;
	uint32_t at;
	struct xt_thread *t;

	if (m->last_thread && m->last_thread_key == key) {
		t = m->last_thread;
	} else if ((at = hash_get(&m->h_thread, key, 0))) {
		t = m->threads[at - 1];
	} else {
		if (VEC_PUSH(m->threads, m->nthreads, m->capthreads))
			return NULL;
		t = calloc(1, sizeof(*t));
		if (!t)
			return NULL;
		m->threads[m->nthreads] = t;
		if (hash_put(&m->h_thread, key, 0, (uint32_t)(m->nthreads + 1))) {
			free(t);
			return NULL;
		}
		m->nthreads++;
	}
	m->last_thread_key = key;
	m->last_thread = t;
	if (ev->pid > 0)
		t->pid = ev->pid;
	if (ev->tid && t->tid != ev->tid) {
		if (t->tid) {	/* another simulated thread now: the old stack is gone */
			t->depth = 0;
			t->root = 0;
		}
		t->tid = ev->tid;
	}
	return t;
}

static bool root_ok(const struct xt_model *m, uint32_t root)
{
	const struct xt_filter *f = &m->filter;

	if (!m->has_filter)
		return true;
	if (root == XT_ROOT_KERNEL)	/* front-end code outside any syscall */
		return !f->family && !f->has_number;
	if (f->family && f->family != xt_root_family(root))
		return false;
	return !f->has_number || f->number == xt_root_number(root);
}

static void stack_add(struct xt_model *m, uint32_t node, uint64_t incl, uint64_t self)
{
	if (node) {
		m->stacks[node - 1].calls++;
		m->stacks[node - 1].incl_ns += incl;
		m->stacks[node - 1].self_ns += self;
	}
}

static int span_add(struct xt_model *m, const struct xt_thread *t, uint32_t id, uint64_t start,
		    uint64_t dur, uint32_t depth, int32_t error)
{
	struct xt_span sp = { t->pid, id, t->tid, rel(m, start), dur, depth, error };

	return m->spans_max ? xt_model__add_span(m, &sp) : 0;
}

static int frame_push(struct xt_model *m, struct xt_thread *t, uint32_t id, uint64_t ts)
{
	uint32_t d = t->depth, parent;
	struct xt_frame *f;

	mark_seen(m, id);
	t->depth = d + 1;
	if (d >= XT_MAX_DEPTH) {
		m->meta.drops[XT_DROP_STACK_OVERFLOW]++;
		return 0;
	}
	f = &t->frames[d];
	f->id = id;
	f->root = t->root ? t->root : XT_ROOT_KERNEL;
	f->start = ts;
	f->child_ns = 0;
	if (t->root && d == t->root_base)
		parent = t->root_stack;		/* the handler, under its syscall */
	else if (d)
		parent = t->frames[d - 1].stack;
	else
		parent = stack_child(m, 0, XT_ROOT_KERNEL);
	f->stack = parent ? stack_child(m, parent, id) : 0;
	return parent && !f->stack ? -ENOMEM : 0;
}

/* Pop the top frame (function id), ending at ts; account its edge. */
static int frame_pop(struct xt_model *m, struct xt_thread *t, uint64_t ts)
{
	uint32_t i = t->depth - 1, rel_depth;
	struct xt_frame *f = i < XT_MAX_DEPTH ? &t->frames[i] : NULL;
	struct xt_frame *parent = i && i - 1 < XT_MAX_DEPTH ? &t->frames[i - 1] : NULL;
	struct xt_edge e = { 0 };
	uint64_t dur, self;
	bool under_root;
	int err;

	t->depth = i;
	if (!f)
		return 0;	/* an unstored frame (its overflow was counted) */
	dur = ts > f->start ? ts - f->start : 0;
	self = dur > f->child_ns ? dur - f->child_ns : 0;
	e = (struct xt_edge){ 0, f->id, f->root, 1, dur, self };
	under_root = t->root && f->root == t->root && i >= t->root_base;
	if (under_root && i == t->root_base) {
		e.caller = t->root;	/* the handler, called by the dispatch */
		t->root_child_ns += dur;
	} else if (parent) {
		e.caller = parent->id;
		parent->child_ns += dur;
	} else {
		e.caller = XT_ROOT_KERNEL;	/* outermost: under "(kernel)" */
	}
	rel_depth = under_root ? i - t->root_base + 1 : i + 1;
	if (t->root && i < t->root_base)
		t->root_base = i;
	if (i == 0)
		t->root = 0;	/* back in user space: a root without return is over */
	if (!root_ok(m, e.root) || (m->has_filter && m->filter.max_depth &&
				    rel_depth > m->filter.max_depth))
		return 0;
	err = edge_add_node(m, f->stack, &e);
	stack_add(m, f->stack, dur, self);
	if (!err)
		err = span_add(m, t, f->id, f->start, dur, i + 1, 0);
	if (!err && !parent) {	/* the implicit "(kernel)" root's own edge */
		struct xt_edge k = { 0, XT_ROOT_KERNEL, XT_ROOT_KERNEL, 1, dur, 0 };

		err = xt_model__add_edge(m, &k);
		stack_add(m, f->stack ? m->stacks[f->stack - 1].parent : 0, dur, 0);
	}
	return err;
}

static int on_syscall_entry(struct xt_model *m, struct xt_thread *t, const struct xt_event *ev)
{
	/* A root still active here lost its return (x86_64: an invalid Mach trap). */
	t->root = XT_ROOT_ID(ev->family, ev->id);
	t->root_base = t->depth;
	t->root_start = ev->ts_ns;
	t->root_child_ns = 0;
	t->root_stack = stack_child(m, 0, t->root);
	mark_seen(m, t->root);
	return t->root_stack ? 0 : -ENOMEM;
}

/* Mach traps that return a port name, not a kern_return_t (mach-traps.tsv). */
static bool returns_port(int32_t family, int32_t number)
{
	return family == XT_FAMILY_MACH && (number == -26 || number == -27 || number == -28 ||
					    number == -29 || number == -50);
}

static int on_syscall_return(struct xt_model *m, struct xt_thread *t, const struct xt_event *ev)
{
	uint32_t root = XT_ROOT_ID(ev->family, ev->id);
	struct xt_edge e = { 0, root, root, 1, 0, 0 };
	bool failed = (int32_t)ev->a[1] != 0 && !returns_port(ev->family, ev->id);
	struct xt_sysstat *s;
	uint64_t dur;
	int err;

	if (t->root != root) {
		m->meta.drops[XT_DROP_STACK_UNDERFLOW]++;	/* tracing started inside it */
		return 0;
	}
	dur = ev->ts_ns > t->root_start ? ev->ts_ns - t->root_start : 0;
	e.incl_ns = dur;
	e.self_ns = dur > t->root_child_ns ? dur - t->root_child_ns : 0;
	if (t->root_base && t->root_base - 1 < XT_MAX_DEPTH)
		t->frames[t->root_base - 1].child_ns += dur;	/* the dispatcher's callee */
	t->root = 0;
	if (!root_ok(m, root))
		return 0;
	err = xt_model__add_edge(m, &e);
	stack_add(m, t->root_stack, dur, e.self_ns);
	if (!err)
		err = span_add(m, t, root, t->root_start, dur, 0, (int32_t)ev->a[1]);
	if (!err && (!m->has_filter || dur >= m->filter.min_duration_ns)) {
		s = sys_get(m, ev->family, ev->id, NULL);
		if (!s)
			return -ENOMEM;
		s->count++;
		s->errors += failed;
		s->total_ns += dur;
		s->hist[hist_slot(dur)]++;
	}
	return err;
}

static int on_func_entry(struct xt_model *m, struct xt_thread *t, const struct xt_event *ev)
{
	return frame_push(m, t, (uint32_t)ev->id, ev->ts_ns);
}

/*
 * A return must match the top frame.  If its entry is deeper, the frames
 * above it lost their returns: each is closed here and counted as a
 * stack_underflow drop.  A return with no entry at all is one drop.
 */
static int on_func_return(struct xt_model *m, struct xt_thread *t, const struct xt_event *ev)
{
	uint32_t id = (uint32_t)ev->id, i;
	int err = 0;

	if (t->depth > XT_MAX_DEPTH)	/* an unstored frame: trust the depth */
		return frame_pop(m, t, ev->ts_ns);
	for (i = t->depth; i > 0; i--)
		if (t->frames[i - 1].id == id)
			break;
	if (i == 0) {
		m->meta.drops[XT_DROP_STACK_UNDERFLOW]++;
		return 0;
	}
	while (t->depth > i && !err) {
		m->meta.drops[XT_DROP_STACK_UNDERFLOW]++;
		err = frame_pop(m, t, ev->ts_ns);
	}
	return err ? err : frame_pop(m, t, ev->ts_ns);
}

/* ---- lifecycle --------------------------------------------------------------- */

static const struct xt_thread *first_thread_of(const struct xt_model *m, int32_t pid)
{
	for (size_t i = 0; i < m->nthreads; i++)
		if (m->threads[i]->pid == pid)
			return m->threads[i];
	return NULL;
}

static int on_proc_create(struct xt_model *m, const struct xt_event *ev)
{
	struct xt_proc *p = proc_get(m, ev->pid, true);
	int how = (int)(int64_t)ev->a[1];

	if (!p)
		return -ENOMEM;
	if (how == 4 /* exec takes over the pid */ && p->how >= 0)
		return 0;
	p->ppid = (int32_t)(int64_t)ev->a[0];
	p->how = how;
	p->start_ns = rel(m, ev->ts_ns);
	p->exited = false;
	if (how == 2 || how == 3) {	/* fork/spawn: an arrow from the parent's thread */
		struct xt_flow f = { how == 2 ? XT_FLOW_FORK : XT_FLOW_SPAWN, p->ppid, p->pid,
				     ev->tid, 0, rel(m, ev->ts_ns), 0, 0 };

		return xt_model__add_flow(m, &f);
	}
	return 0;
}

static int on_proc_exec(struct xt_model *m, const struct xt_event *ev)
{
	struct xt_proc *p = proc_get(m, ev->pid, true);
	char path[XT_STR_LEN + 1];
	struct xt_flow f = { XT_FLOW_EXEC, ev->pid, ev->pid, ev->tid, 0,
			     rel(m, ev->ts_ns), 0, 0 };

	if (!p)
		return -ENOMEM;
	memcpy(path, ev->str, XT_STR_LEN);
	path[XT_STR_LEN] = '\0';
	if (p->how < 0)
		p->how = 4;
	return proc_exec(p, path) ? -ENOMEM : xt_model__add_flow(m, &f);
}

static int on_proc_exit(struct xt_model *m, const struct xt_event *ev)
{
	struct xt_proc *p = proc_get(m, ev->pid, true);

	if (!p)
		return -ENOMEM;
	p->exited = true;
	p->status = (int32_t)(int64_t)ev->a[0];
	p->end_ns = rel(m, ev->ts_ns);
	return 0;
}

static int on_msg(struct xt_model *m, const struct xt_event *ev)
{
	struct xt_flow f;

	if (ev->type == XT_EV_MSG_SEND) {
		struct xt_msg_wait w = { ev->a[0], ev->pid, ev->tid, rel(m, ev->ts_ns) };

		if (VEC_PUSH(m->msgs, m->nmsgs, m->capmsgs))
			return -ENOMEM;
		m->msgs[m->nmsgs++] = w;
		return 0;
	}
	for (size_t i = 0; i < m->nmsgs; i++) {	/* oldest send on this port */
		if (m->msgs[i].port != ev->a[0])
			continue;
		f = (struct xt_flow){ XT_FLOW_MSG, m->msgs[i].pid, ev->pid, m->msgs[i].tid,
				      ev->tid, m->msgs[i].ts, rel(m, ev->ts_ns), ev->a[0] };
		memmove(&m->msgs[i], &m->msgs[i + 1], (m->nmsgs - i - 1) * sizeof(*m->msgs));
		m->nmsgs--;
		return xt_model__add_flow(m, &f);
	}
	return 0;
}

int xt_model__feed(struct xt_model *m, const struct xt_event *ev, bool aggregate)
{
	struct xt_thread *t;
	bool sys = ev->type == XT_EV_SYSCALL_ENTRY || ev->type == XT_EV_SYSCALL_RETURN;
	bool fn = ev->type == XT_EV_FUNC_ENTRY || ev->type == XT_EV_FUNC_RETURN;

	if (!m->have_t0) {
		m->t0 = ev->ts_ns;
		m->have_t0 = true;
	}
	m->meta.events++;
	if (m->has_filter && m->filter.pid >= 0 && ev->pid != m->filter.pid &&
	    ev->type != XT_EV_PROC_CREATE && ev->type != XT_EV_PROC_EXIT &&
	    ev->type != XT_EV_PROC_EXEC)
		return 0;
	switch (ev->type) {
	case XT_EV_PROC_CREATE:
		return on_proc_create(m, ev);
	case XT_EV_PROC_EXEC:
		return on_proc_exec(m, ev);
	case XT_EV_PROC_EXIT:
		return on_proc_exit(m, ev);
	case XT_EV_MSG_SEND:
	case XT_EV_MSG_RECEIVE:
		return on_msg(m, ev);
	default:
		break;
	}
	if (ev->type == XT_EV_SYSCALL_ENTRY) {
		struct xt_proc *p = proc_get(m, ev->pid, true);

		if (!p)
			return -ENOMEM;
		if (ev->family == XT_FAMILY_BSD)
			p->bsd_calls++;
		else if (ev->family == XT_FAMILY_MACH)
			p->mach_traps++;
	}
	if (!aggregate || (!sys && !fn))
		return 0;
	t = thread_get(m, ev);
	if (!t)
		return -ENOMEM;
	if (ev->ts_ns > t->last_ts)
		t->last_ts = ev->ts_ns;
	switch (ev->type) {
	case XT_EV_SYSCALL_ENTRY:
		return on_syscall_entry(m, t, ev);
	case XT_EV_SYSCALL_RETURN:
		return on_syscall_return(m, t, ev);
	case XT_EV_FUNC_ENTRY:
		return on_func_entry(m, t, ev);
	default:
		return on_func_return(m, t, ev);
	}
}

/* ---- finishing: nodes, flows' targets, sorting -------------------------------- */

static int cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

/* qsort wants a non-NULL base even for no elements; an empty array is NULL. */
static void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

static int cmp_edge(const void *a, const void *b)
{
	const struct xt_edge *x = a, *y = b;
	int c = cmp_u32(x->root, y->root);

	if (!c)
		c = cmp_u32(x->caller, y->caller);
	return c ? c : cmp_u32(x->callee, y->callee);
}

static int cmp_node(const void *a, const void *b)
{
	return cmp_u32(((const struct xt_node *)a)->id, ((const struct xt_node *)b)->id);
}

static int cmp_func(const void *a, const void *b)
{
	return cmp_u32(((const struct xt_func *)a)->id, ((const struct xt_func *)b)->id);
}

static int cmp_sys(const void *a, const void *b)
{
	const struct xt_sysstat *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return x->number < y->number ? -1 : x->number > y->number;
}

static int cmp_proc(const void *a, const void *b)
{
	int32_t x = ((const struct xt_proc *)a)->pid, y = ((const struct xt_proc *)b)->pid;

	return x < y ? -1 : x > y;
}

static int cmp_span(const void *a, const void *b)
{
	const struct xt_span *x = a, *y = b;

	if (x->ts_ns != y->ts_ns)
		return x->ts_ns < y->ts_ns ? -1 : 1;
	return x->depth < y->depth ? -1 : x->depth > y->depth;
}

static int cmp_flow(const void *a, const void *b)
{
	const struct xt_flow *x = a, *y = b;

	if (x->from_ts != y->from_ts)
		return x->from_ts < y->from_ts ? -1 : 1;
	return cmp_u32(x->kind, y->kind);
}

/* Calling-context tree in canonical order: DFS, children by id. */
static int stacks_canonical(struct xt_model *m)
{
	size_t n = m->nstacks, out = 0, sp = 0;
	uint32_t *order = NULL, *newidx = NULL, *stack = NULL, *kids = NULL, *first = NULL;
	struct xt_stack *v = NULL;
	int err = -ENOMEM;

	if (n == 0)
		return 0;
	order = malloc(n * sizeof(*order));	/* indices sorted by (parent, id) */
	newidx = calloc(n + 1, sizeof(*newidx));
	stack = malloc(n * sizeof(*stack));
	first = calloc(n + 2, sizeof(*first));
	kids = malloc(n * sizeof(*kids));
	v = malloc(n * sizeof(*v));
	if (!order || !newidx || !stack || !first || !kids || !v)
		goto out;
	/* Bucket children by parent (counting sort), then sort each bucket by id. */
	for (size_t i = 0; i < n; i++)
		first[m->stacks[i].parent + 1]++;
	for (size_t i = 1; i < n + 2; i++)
		first[i] += first[i - 1];
	{
		uint32_t *fill = malloc((n + 1) * sizeof(*fill));

		if (!fill)
			goto out;
		memcpy(fill, first, (n + 1) * sizeof(*fill));
		for (size_t i = 0; i < n; i++)
			kids[fill[m->stacks[i].parent]++] = (uint32_t)i;
		free(fill);
	}
	for (size_t p = 0; p <= n; p++) {	/* insertion sort: buckets are small */
		for (uint32_t a = first[p] + 1; a < first[p + 1]; a++) {
			uint32_t k = kids[a], b = a;

			while (b > first[p] && m->stacks[kids[b - 1]].id > m->stacks[k].id) {
				kids[b] = kids[b - 1];
				b--;
			}
			kids[b] = k;
		}
	}
	/* Iterative DFS from the roots (parent 0), pushing children in reverse. */
	for (uint32_t a = first[1]; a > first[0]; a--)
		stack[sp++] = kids[a - 1];
	while (sp) {
		uint32_t i = stack[--sp];

		order[out++] = i;
		for (uint32_t a = first[i + 2]; a > first[i + 1]; a--)
			stack[sp++] = kids[a - 1];
	}
	for (size_t k = 0; k < out; k++)
		newidx[order[k] + 1] = (uint32_t)k + 1;
	for (size_t k = 0; k < out; k++) {
		v[k] = m->stacks[order[k]];
		v[k].parent = newidx[v[k].parent];
	}
	free(m->stacks);
	m->stacks = v;
	m->nstacks = out;
	m->capstacks = n;
	v = NULL;
	hash_clear(&m->h_stack);
	err = 0;
	for (size_t k = 0; k < out && !err; k++)
		err = hash_put(&m->h_stack, m->stacks[k].parent, m->stacks[k].id, (uint32_t)k + 1);
out:
	free(order);
	free(newidx);
	free(stack);
	free(first);
	free(kids);
	free(v);
	return err;
}

/* A flow's target: the first span of the target process at or after from_ts. */
static void flows_resolve(struct xt_model *m)
{
	for (size_t i = 0; i < m->nflows; i++) {
		struct xt_flow *f = &m->flows[i];
		const struct xt_thread *t;

		if (f->to_tid)
			continue;
		f->to_ts = f->from_ts;
		for (size_t k = 0; k < m->nspans; k++) {
			if (m->spans[k].pid == f->to_pid && m->spans[k].ts_ns >= f->from_ts &&
			    m->spans[k].depth == 0) {
				f->to_tid = m->spans[k].tid;
				f->to_ts = m->spans[k].ts_ns;
				break;
			}
		}
		if (!f->to_tid && (t = first_thread_of(m, f->to_pid)))
			f->to_tid = t->tid;
	}
}

int xt_model__finish(struct xt_model *m)
{
	int err = 0;

	/*
	 * Frames still open (the process exited or exec'd inside a call, or the
	 * recording stopped) are left out, as the BPF side leaves them.
	 */
	ncache_clear(m);	/* stacks and edges are renumbered below */
	err = stacks_canonical(m);
	if (err)
		return err;
	/* Nodes: each callee's totals over its edges. */
	m->nnodes = 0;
	{
		struct xt_hash h = { 0 };

		for (size_t i = 0; i < m->nedges && !err; i++) {
			const struct xt_edge *e = &m->edges[i];
			uint32_t at = hash_get(&h, e->callee, 0);

			if (!at) {
				if (VEC_PUSH(m->nodes, m->nnodes, m->capnodes)) {
					err = -ENOMEM;
					break;
				}
				memset(&m->nodes[m->nnodes], 0, sizeof(*m->nodes));
				m->nodes[m->nnodes].id = e->callee;
				at = (uint32_t)++m->nnodes;
				err = hash_put(&h, e->callee, 0, at);
			}
			m->nodes[at - 1].calls += e->calls;
			m->nodes[at - 1].incl_ns += e->incl_ns;
			m->nodes[at - 1].self_ns += e->self_ns;
		}
		hash_clear(&h);
		if (err)
			return err;
	}
	m->meta.funcs_seen = 0;
	for (size_t i = 0; i < m->nfuncs; i++) {
		uint32_t id = m->funcs[i].id;

		if (id / 64 < m->seen_words && m->seen_funcs[id / 64] >> (id % 64) & 1)
			m->meta.funcs_seen++;
	}
	if (m->nfuncs)		/* an artifact without a registry keeps its count */
		m->meta.funcs_registered = (uint32_t)m->nfuncs;
	flows_resolve(m);
	sort(m->funcs, m->nfuncs, sizeof(*m->funcs), cmp_func);
	sort(m->nodes, m->nnodes, sizeof(*m->nodes), cmp_node);
	sort(m->edges, m->nedges, sizeof(*m->edges), cmp_edge);
	sort(m->sys, m->nsys, sizeof(*m->sys), cmp_sys);
	sort(m->procs, m->nprocs, sizeof(*m->procs), cmp_proc);
	sort(m->spans, m->nspans, sizeof(*m->spans), cmp_span);
	sort(m->flows, m->nflows, sizeof(*m->flows), cmp_flow);
	/* Rebuild the lookups the sorts invalidated. */
	hash_clear(&m->h_func);
	hash_clear(&m->h_edge);
	hash_clear(&m->h_sys);
	hash_clear(&m->h_proc);
	for (size_t i = 0; i < m->nfuncs && !err; i++)
		err = hash_put(&m->h_func, m->funcs[i].id, 0, (uint32_t)i + 1);
	for (size_t i = 0; i < m->nedges && !err; i++)
		err = hash_put(&m->h_edge, (uint64_t)m->edges[i].caller << 32 | m->edges[i].callee,
			       m->edges[i].root, (uint32_t)i + 1);
	for (size_t i = 0; i < m->nsys && !err; i++)
		err = hash_put(&m->h_sys, (uint64_t)(uint32_t)m->sys[i].family << 32 |
				(uint32_t)m->sys[i].number, 0, (uint32_t)i + 1);
	for (size_t i = 0; i < m->nprocs && !err; i++)
		err = hash_put(&m->h_proc, (uint32_t)m->procs[i].pid, 0, (uint32_t)i + 1);
	return err;
}

/* ---- getters ------------------------------------------------------------------ */

struct xt_meta *xt_model__meta(struct xt_model *m)
{
	return &m->meta;
}

#define GETTER(name, type, arr, cnt)                                              \
	const type *xt_model__##name(const struct xt_model *m, size_t *n)         \
	{                                                                         \
		*n = m->cnt;                                                      \
		return m->arr;                                                    \
	}
GETTER(funcs, struct xt_func, funcs, nfuncs)
GETTER(nodes, struct xt_node, nodes, nnodes)
GETTER(edges, struct xt_edge, edges, nedges)
GETTER(sys, struct xt_sysstat, sys, nsys)
GETTER(procs, struct xt_proc, procs, nprocs)
GETTER(stacks, struct xt_stack, stacks, nstacks)
GETTER(spans, struct xt_span, spans, nspans)
GETTER(flows, struct xt_flow, flows, nflows)

const char *xt_model__node_name(const struct xt_model *m, uint32_t id)
{
	static __thread char buf[64];
	const struct xt_func *f;

	if (id == XT_ROOT_KERNEL)
		return "(kernel)";
	if (id & XT_ROOT_BIT) {
		int32_t fam = xt_root_family(id), num = xt_root_number(id);
		uint64_t k = (uint64_t)(uint32_t)fam << 32 | (uint32_t)num;
		uint32_t at = hash_get(&m->h_sys, k, 0);
		struct xnusim_table_row row;

		if (at)
			return m->sys[at - 1].name;
		if (fam == XT_FAMILY_BSD && num >= 0 && xnusim_bsd_table_row((unsigned)num, &row) == 0)
			return row.name;
		if (fam == XT_FAMILY_MACH && num <= 0 &&
		    xnusim_mach_table_row((unsigned)-num, &row) == 0)
			return row.name;
		snprintf(buf, sizeof(buf), "syscall_%d_%d", fam, num);
		return buf;
	}
	f = xt_model__func(m, id);
	if (f)
		return f->name;
	snprintf(buf, sizeof(buf), "fn_%u", id);
	return buf;
}
