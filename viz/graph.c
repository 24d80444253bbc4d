// SPDX-License-Identifier: BSD-2-Clause
/*
 * graph.c: from a recording's edges (caller, callee, root) to the graph a
 * kernel engineer reads: edges summed over roots (or one root), the part
 * reachable from the top-level entries within --depth, pruned by share of
 * the total inclusive time, each node placed in a region so render.c can
 * cluster the BSD personality and the Mach core and mark the crossings.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/model.h"
#include "viz/graph.h"

static const char *const dispatchers[] = {
	"handle_svc", "unix_syscall", "mach_syscall", "sleh_synchronous",
	"hndl_syscall", "unix_syscall64", "mach_call_munger64",
};

bool viz_is_dispatcher(const char *name)
{
	for (size_t i = 0; i < sizeof(dispatchers) / sizeof(dispatchers[0]); i++)
		if (name && strcmp(name, dispatchers[i]) == 0)
			return true;
	return false;
}

static bool has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

enum viz_region viz_region_of(const char *name, const char *path)
{
	if (viz_is_dispatcher(name))
		return VIZ_REGION_DISPATCH;
	if (!path)
		return VIZ_REGION_OTHER;
	if (has_prefix(path, "bsd/"))
		return VIZ_REGION_BSD;
	if (has_prefix(path, "osfmk/kern/") || has_prefix(path, "osfmk/ipc/") ||
	    has_prefix(path, "osfmk/vm/") || has_prefix(path, "osfmk/mach/"))
		return VIZ_REGION_MACH;
	return VIZ_REGION_OTHER;
}

int viz_node_url(const struct viz_node *n, char *buf, size_t len)
{
	if (!n->path || n->is_root) {
		if (len)
			buf[0] = '\0';
		return 0;
	}
	return snprintf(buf, len, "%s%s", VIZ_XNU_URL, n->path);
}

/* ---- building by hand ---------------------------------------------------- */

struct viz_graph *viz_graph__empty(void)
{
	struct viz_graph *g = calloc(1, sizeof(*g));

	if (g)
		g->focus = -1;
	return g;
}

void viz_graph__free(struct viz_graph *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nnodes; i++) {
		free(g->nodes[i].name);
		free(g->nodes[i].path);
	}
	free(g->nodes);
	free(g->edges);
	free(g->title);
	free(g->note);
	free(g);
}

ssize_t viz_graph__add_node(struct viz_graph *g, const char *name, const char *path,
			    bool is_root)
{
	struct viz_node *n;

	if (g->nnodes == g->cap_nodes) {
		size_t cap = g->cap_nodes ? 2 * g->cap_nodes : 64;
		void *p = realloc(g->nodes, cap * sizeof(*g->nodes));

		if (!p)
			return -ENOMEM;
		g->nodes = p;
		g->cap_nodes = cap;
	}
	n = &g->nodes[g->nnodes];
	memset(n, 0, sizeof(*n));
	n->name = strdup(name ? name : "?");
	n->path = path ? strdup(path) : NULL;
	if (!n->name || (path && !n->path)) {
		free(n->name);
		free(n->path);
		return -ENOMEM;
	}
	n->is_root = is_root;
	n->region = is_root ? VIZ_REGION_SYSCALL : viz_region_of(name, path);
	snprintf(n->id, sizeof(n->id), "n%zu", g->nnodes);
	return (ssize_t)g->nnodes++;
}

ssize_t viz_graph__add_edge(struct viz_graph *g, size_t from, size_t to)
{
	struct viz_edge *e;

	if (g->nedges == g->cap_edges) {
		size_t cap = g->cap_edges ? 2 * g->cap_edges : 64;
		void *p = realloc(g->edges, cap * sizeof(*g->edges));

		if (!p)
			return -ENOMEM;
		g->edges = p;
		g->cap_edges = cap;
	}
	e = &g->edges[g->nedges];
	memset(e, 0, sizeof(*e));
	e->from = from;
	e->to = to;
	e->crossing = g->nodes[from].region == VIZ_REGION_BSD &&
		      g->nodes[to].region == VIZ_REGION_MACH;
	return (ssize_t)g->nedges++;
}

ssize_t viz_graph__find(const struct viz_graph *g, const char *name)
{
	for (size_t i = 0; i < g->nnodes; i++)
		if (strcmp(g->nodes[i].name, name) == 0)
			return (ssize_t)i;
	return -1;
}

static const struct viz_node *sort_nodes_base;

static int cmp_node_idx(const void *a, const void *b)
{
	const struct viz_node *x = &sort_nodes_base[*(const size_t *)a];
	const struct viz_node *y = &sort_nodes_base[*(const size_t *)b];
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->id, y->id);
}

static int cmp_edge_names(const void *a, const void *b)
{
	const struct viz_edge *x = a, *y = b;
	int c = strcmp(sort_nodes_base[x->from].name, sort_nodes_base[y->from].name);

	return c ? c : strcmp(sort_nodes_base[x->to].name, sort_nodes_base[y->to].name);
}

/* The ids stay as the builder set them; only the order changes. */
int viz_graph__sort(struct viz_graph *g)
{
	size_t *order = calloc(g->nnodes + 1, sizeof(*order));
	size_t *newidx = calloc(g->nnodes + 1, sizeof(*newidx));
	struct viz_node *sorted = calloc(g->nnodes + 1, sizeof(*sorted));

	if (!order || !newidx || !sorted) {
		free(order);
		free(newidx);
		free(sorted);
		return -ENOMEM;
	}
	for (size_t i = 0; i < g->nnodes; i++)
		order[i] = i;
	sort_nodes_base = g->nodes;
	qsort(order, g->nnodes, sizeof(*order), cmp_node_idx);
	for (size_t i = 0; i < g->nnodes; i++) {
		sorted[i] = g->nodes[order[i]];
		newidx[order[i]] = i;
	}
	memcpy(g->nodes, sorted, g->nnodes * sizeof(*sorted));
	for (size_t k = 0; k < g->nedges; k++) {
		g->edges[k].from = newidx[g->edges[k].from];
		g->edges[k].to = newidx[g->edges[k].to];
	}
	if (g->focus >= 0)
		g->focus = (ssize_t)newidx[g->focus];
	sort_nodes_base = g->nodes;
	qsort(g->edges, g->nedges, sizeof(*g->edges), cmp_edge_names);
	free(order);
	free(newidx);
	free(sorted);
	return 0;
}

/* ---- from a model ---------------------------------------------------------- */

struct agg {			/* one (caller, callee) summed over roots */
	uint32_t caller, callee;
	uint64_t calls, incl, self;
};

static int cmp_agg(const void *a, const void *b)
{
	const struct agg *x = a, *y = b;

	if (x->caller != y->caller)
		return x->caller < y->caller ? -1 : 1;
	if (x->callee != y->callee)
		return x->callee < y->callee ? -1 : 1;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

struct build {
	const struct xt_model *m;
	struct agg *agg;	/* merged edges; caller 0: top-level entries */
	size_t nagg;
	uint32_t *ids;		/* distinct node ids, sorted */
	size_t nids;
	double *calls, *incl, *self;	/* per ids[] */
	int *dist;		/* hops from the top; -1 unreachable */
};

static ssize_t id_index(const struct build *b, uint32_t id)
{
	uint32_t *p = bsearch(&id, b->ids, b->nids, sizeof(*b->ids), cmp_u32);

	return p ? p - b->ids : -1;
}

/* A syscall root's id by its name (the registry's, or the tables'). */
static bool find_root(const struct xt_model *m, const char *name, uint32_t *id)
{
	size_t n;
	const struct xt_node *nodes = xt_model__nodes(m, &n);

	for (size_t i = 0; i < n; i++) {
		const char *nm = xt_model__node_name(m, nodes[i].id);

		if ((nodes[i].id & XT_ROOT_BIT) && nm && strcmp(nm, name) == 0) {
			*id = nodes[i].id;
			return true;
		}
	}
	return false;
}

static bool find_func(const struct xt_model *m, const char *name, uint32_t *id)
{
	size_t n;
	const struct xt_func *f = xt_model__funcs(m, &n);

	for (size_t i = 0; i < n; i++)
		if (f[i].name && strcmp(f[i].name, name) == 0) {
			*id = f[i].id;
			return true;
		}
	return false;
}

static int merge_edges(struct build *b, bool by_root, uint32_t root)
{
	size_t n, k = 0;
	const struct xt_edge *e = xt_model__edges(b->m, &n);

	b->agg = calloc(n + 1, sizeof(*b->agg));
	b->ids = calloc(2 * n + 1, sizeof(*b->ids));
	if (!b->agg || !b->ids)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (by_root && e[i].root != root)
			continue;
		b->agg[k++] = (struct agg){ e[i].caller, e[i].callee, e[i].calls,
					    e[i].incl_ns, e[i].self_ns };
	}
	qsort(b->agg, k, sizeof(*b->agg), cmp_agg);
	b->nagg = 0;
	for (size_t i = 0; i < k; i++) {
		struct agg *last = b->nagg ? &b->agg[b->nagg - 1] : NULL;

		if (last && cmp_agg(last, &b->agg[i]) == 0) {
			last->calls += b->agg[i].calls;
			last->incl += b->agg[i].incl;
			last->self += b->agg[i].self;
		} else {
			b->agg[b->nagg++] = b->agg[i];
		}
	}
	for (size_t i = 0; i < b->nagg; i++) {
		if (b->agg[i].caller)
			b->ids[b->nids++] = b->agg[i].caller;
		b->ids[b->nids++] = b->agg[i].callee;
	}
	qsort(b->ids, b->nids, sizeof(*b->ids), cmp_u32);
	k = 0;
	for (size_t i = 0; i < b->nids; i++)
		if (!k || b->ids[k - 1] != b->ids[i])
			b->ids[k++] = b->ids[i];
	b->nids = k;
	b->calls = calloc(k + 1, sizeof(double));
	b->incl = calloc(k + 1, sizeof(double));
	b->self = calloc(k + 1, sizeof(double));
	b->dist = calloc(k + 1, sizeof(int));
	if (!b->calls || !b->incl || !b->self || !b->dist)
		return -ENOMEM;
	/* A node's figures: what its callers spent in it. */
	for (size_t i = 0; i < b->nagg; i++) {
		ssize_t j = id_index(b, b->agg[i].callee);

		b->calls[j] += b->agg[i].calls;
		b->incl[j] += b->agg[i].incl;
		b->self[j] += b->agg[i].self;
	}
	return 0;
}

/* Unfiltered, the collector's node figures are the reference. */
static void use_model_nodes(struct build *b)
{
	size_t n;
	const struct xt_node *nodes = xt_model__nodes(b->m, &n);

	for (size_t i = 0; i < n; i++) {
		ssize_t j = id_index(b, nodes[i].id);

		if (j < 0)
			continue;
		b->calls[j] = nodes[i].calls;
		b->incl[j] = nodes[i].incl_ns;
		b->self[j] = nodes[i].self_ns;
	}
}

/* Breadth-first from the start set; dist[] = hops, -1 unreached. */
static int reach(struct build *b, ssize_t focus)
{
	size_t *queue = calloc(b->nids + 1, sizeof(*queue)), qh = 0, qt = 0;

	if (!queue)
		return -ENOMEM;
	for (size_t i = 0; i < b->nids; i++)
		b->dist[i] = -1;
	if (focus >= 0) {
		b->dist[focus] = 0;
		queue[qt++] = focus;
	} else {
		for (size_t i = 0; i < b->nagg; i++) {
			ssize_t j = id_index(b, b->agg[i].callee);

			if (b->agg[i].caller == 0 && b->dist[j] < 0) {
				b->dist[j] = 0;
				queue[qt++] = j;
			}
		}
		if (qt == 0)	/* no marked entries: everything is a top */
			for (size_t i = 0; i < b->nids; i++) {
				b->dist[i] = 0;
				queue[qt++] = i;
			}
	}
	while (qh < qt) {
		size_t u = queue[qh++];
		/* agg is sorted by caller: find u's outgoing run. */
		struct agg key = { b->ids[u], 0, 0, 0, 0 };
		size_t lo = 0, hi = b->nagg;

		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (cmp_agg(&b->agg[mid], &key) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t i = lo; i < b->nagg && b->agg[i].caller == b->ids[u]; i++) {
			ssize_t v = id_index(b, b->agg[i].callee);

			if (b->dist[v] < 0) {
				b->dist[v] = b->dist[u] + 1;
				queue[qt++] = v;
			}
		}
	}
	free(queue);
	return 0;
}

static char *root_display_name(const struct xt_model *m, uint32_t id)
{
	const char *nm = xt_model__node_name(m, id);
	int family = (id >> 24) & 0x7f;
	int32_t number = (int32_t)(id << 8) >> 8;	/* sign-extend 24 bits */
	char buf[160];

	if (family == 0)	/* XT_ROOT_KERNEL: no syscall */
		return strdup(nm ? nm : "(kernel)");
	snprintf(buf, sizeof(buf), "%s [%s %d]", nm ? nm : "?",
		 family == XT_FAMILY_BSD ? "BSD" : family == XT_FAMILY_MACH ? "Mach" : "mdep",
		 number);
	return strdup(buf);
}

/*
 * The recording has no edge from a dispatcher to a syscall (the syscall is
 * a root), but every BSD call and Mach trap passes through its family's
 * dispatcher: draw that edge, when the dispatcher is in the graph, so the
 * picture reads from the trap down.
 */
static int link_dispatch(struct viz_graph *g, const struct xt_model *m)
{
	const char *arch = xt_model__meta((struct xt_model *)m)->arch;
	bool x86 = arch && strcmp(arch, "x86_64") == 0;
	ssize_t bsd = viz_graph__find(g, x86 ? "unix_syscall64" : "unix_syscall");
	ssize_t mach = viz_graph__find(g, x86 ? "mach_call_munger64" : "mach_syscall");
	size_t n = g->nnodes;

	for (size_t i = 0; i < n; i++) {
		const struct viz_node *v = &g->nodes[i];
		ssize_t from = -1, k;

		if (!v->is_root)
			continue;
		if (strstr(v->name, " [BSD "))
			from = bsd;
		else if (strstr(v->name, " [Mach "))
			from = mach;
		if (from < 0)
			continue;
		k = viz_graph__add_edge(g, from, i);
		if (k < 0)
			return -ENOMEM;
		g->edges[k].calls = v->calls;
		g->edges[k].incl_ns = v->incl_ns;
	}
	return 0;
}

static int emit(struct viz_graph *g, struct build *b, const struct viz_graph_opts *o,
		ssize_t focus)
{
	ssize_t *map = calloc(b->nids + 1, sizeof(*map));
	size_t reachable = 0, hidden = 0, etotal = 0, ehidden = 0;
	double hidden_self = 0;
	char note[512];
	int err;

	if (!map)
		return -ENOMEM;
	for (size_t i = 0; i < b->nids; i++) {
		uint32_t id = b->ids[i];
		bool root = id & XT_ROOT_BIT;
		double share = g->total_ns > 0 ? b->incl[i] / g->total_ns : 0;
		const struct xt_func *f = root ? NULL : xt_model__func(b->m, id);
		char *name;
		ssize_t k;

		map[i] = -1;
		if (b->dist[i] < 0 || (o->depth && b->dist[i] > (int)o->depth))
			continue;
		reachable++;
		if ((ssize_t)i != focus && !style_keep_node(&o->prune, share)) {
			hidden++;
			hidden_self += b->self[i];
			continue;
		}
		if (root) {
			name = root_display_name(b->m, id);
		} else {
			char tmp[32];

			snprintf(tmp, sizeof(tmp), "fid%u", id);
			name = strdup(f && f->name ? f->name : tmp);
		}
		if (!name)
			goto nomem;
		k = viz_graph__add_node(g, name, f ? f->path : NULL, root);
		free(name);
		if (k < 0)
			goto nomem;
		if (root)
			snprintf(g->nodes[k].id, sizeof(g->nodes[k].id), "r%d_%s%d",
				 (int)((id >> 24) & 0x7f), ((int32_t)(id << 8) >> 8) < 0 ? "m" : "",
				 abs((int32_t)(id << 8) >> 8));
		else
			snprintf(g->nodes[k].id, sizeof(g->nodes[k].id), "f%u", id);
		g->nodes[k].calls = b->calls[i];
		g->nodes[k].incl_ns = b->incl[i];
		g->nodes[k].self_ns = b->self[i];
		if ((ssize_t)i == focus)
			g->focus = k;
		map[i] = k;
	}
	for (size_t i = 0; i < b->nagg; i++) {
		ssize_t u, v, k;
		double share;

		if (!b->agg[i].caller)
			continue;
		u = id_index(b, b->agg[i].caller);
		v = id_index(b, b->agg[i].callee);
		if (b->dist[u] < 0 || b->dist[v] < 0 ||
		    (o->depth && (b->dist[u] > (int)o->depth || b->dist[v] > (int)o->depth)))
			continue;
		etotal++;
		share = g->total_ns > 0 ? b->agg[i].incl / g->total_ns : 0;
		if (map[u] < 0 || map[v] < 0 || !style_keep_edge(&o->prune, share)) {
			ehidden++;
			continue;
		}
		k = viz_graph__add_edge(g, map[u], map[v]);
		if (k < 0)
			goto nomem;
		g->edges[k].calls = b->agg[i].calls;
		g->edges[k].incl_ns = b->agg[i].incl;
		if (g->edges[k].calls > g->max_calls)
			g->max_calls = g->edges[k].calls;
	}
	free(map);
	err = link_dispatch(g, b->m);
	if (err)
		return err;
	style_prune_note(note, sizeof(note), &o->prune, hidden, reachable, ehidden, etotal,
			 g->total_ns > 0 ? hidden_self / g->total_ns : 0);
	if (note[0] && !(g->note = strdup(note)))
		return -ENOMEM;
	return 0;
nomem:
	free(map);
	return -ENOMEM;
}

static void build_free(struct build *b)
{
	free(b->agg);
	free(b->ids);
	free(b->calls);
	free(b->incl);
	free(b->self);
	free(b->dist);
}

struct viz_graph *viz_graph__new(const struct xt_model *m, const struct viz_graph_opts *o)
{
	struct build b = { .m = m };
	struct viz_graph *g = viz_graph__empty();
	uint32_t focus_id = 0;
	bool by_root = false, by_func = false;
	ssize_t focus = -1;
	int err;

	if (!g)
		return NULL;
	if (o->root) {
		by_root = find_root(m, o->root, &focus_id);
		if (!by_root)
			by_func = find_func(m, o->root, &focus_id);
		if (!by_root && !by_func) {
			err = -ENOENT;
			goto fail;
		}
	}
	err = merge_edges(&b, by_root, focus_id);
	if (err)
		goto fail;
	if (!by_root)
		use_model_nodes(&b);
	if (o->root) {
		focus = id_index(&b, focus_id);
		if (focus < 0) {
			err = -ENOENT;
			goto fail;
		}
	}
	/* 100%: the top-level entries (the syscalls as a whole), else the focus. */
	/*
	 * Functions outside any syscall (the trap dispatchers, under
	 * XT_ROOT_KERNEL) envelop the syscalls' time rather than add to it:
	 * 100% is the larger of the two views.
	 */
	{
		double sys = 0, kern = 0;

		for (size_t i = 0; i < b.nagg; i++)
			if (b.agg[i].caller == 0 && b.agg[i].callee == XT_ROOT_KERNEL)
				kern += b.agg[i].incl;
			else if (b.agg[i].caller == 0)
				sys += b.agg[i].incl;
		g->total_ns = sys > kern ? sys : kern;
	}
	if (by_func || g->total_ns <= 0)
		for (size_t i = 0; i < b.nids; i++)
			if ((by_func && (ssize_t)i == focus) || (!by_func && b.incl[i] > g->total_ns))
				g->total_ns = b.incl[i];
	err = reach(&b, by_func ? focus : -1);
	if (!err)
		err = emit(g, &b, o, focus);
	if (!err)
		err = viz_graph__sort(g);
	if (err)
		goto fail;
	if (o->title && !(g->title = strdup(o->title))) {
		err = -ENOMEM;
		goto fail;
	}
	build_free(&b);
	return g;
fail:
	build_free(&b);
	viz_graph__free(g);
	errno = -err;
	return NULL;
}
