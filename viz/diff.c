// SPDX-License-Identifier: BSD-2-Clause
/*
 * diff.c: align two recordings' graphs by function name, normalise each
 * per operation, prune by the larger share, and say in words what differs:
 * which functions one path never reaches, and the largest cost changes.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/model.h"
#include "viz/diff.h"
#include "viz/graph.h"
#include "viz/sbuf.h"

int viz_diff_check(const struct xt_model *a, const struct xt_model *b, char *why, size_t len)
{
	const struct xt_model *m[2] = { a, b };
	struct xt_meta *ma = xt_model__meta((struct xt_model *)a);
	struct xt_meta *mb = xt_model__meta((struct xt_model *)b);
	size_t na, nb;
	const struct xt_func *fa = xt_model__funcs(a, &na), *fb = xt_model__funcs(b, &nb);

	for (int k = 0; k < 2; k++) {
		struct xt_meta *mm = xt_model__meta((struct xt_model *)m[k]);
		uint64_t d = 0;

		for (int i = 0; i < XT_DROP_MAX; i++)
			d += mm->drops[i];
		if (d) {
			snprintf(why, len, "%c lost %llu events (drops): its counts are incomplete",
				 'A' + k, (unsigned long long)d);
			return -EINVAL;
		}
	}
	if (strcmp(ma->arch ? ma->arch : "", mb->arch ? mb->arch : "") != 0) {
		snprintf(why, len, "different architectures: A is %s, B is %s",
			 ma->arch ? ma->arch : "?", mb->arch ? mb->arch : "?");
		return -EINVAL;
	}
	if (ma->funcs_registered != mb->funcs_registered || na != nb) {
		snprintf(why, len, "different probe coverage: A has %u functions registered, B %u",
			 ma->funcs_registered, mb->funcs_registered);
		return -EINVAL;
	}
	for (size_t i = 0; i < na; i++)	/* both sorted by the model */
		if (strcmp(fa[i].name ? fa[i].name : "", fb[i].name ? fb[i].name : "") != 0) {
			snprintf(why, len,
				 "different probe coverage: the registries differ at %s / %s "
				 "(different kernel versions)",
				 fa[i].name ? fa[i].name : "?", fb[i].name ? fb[i].name : "?");
			return -EINVAL;
		}
	return 0;
}

/* ---- merging ------------------------------------------------------------------ */

static const char *side_name(const char *name, const char *per)
{
	return per ? per : name;
}

static int merge(struct viz_graph *d, const struct viz_graph *g, double ops, bool is_b,
		 const char *focus_name)
{
	ssize_t *map = calloc(g->nnodes + 1, sizeof(*map));

	if (!map)
		return -ENOMEM;
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct viz_node *n = &g->nodes[i];
		const char *name = (ssize_t)i == g->focus && focus_name ? focus_name : n->name;
		ssize_t k = viz_graph__find(d, name);

		if (k < 0) {
			k = viz_graph__add_node(d, name, n->path, n->is_root);
			if (k < 0) {
				free(map);
				return -ENOMEM;
			}
			d->nodes[k].side = is_b ? VIZ_SIDE_B : VIZ_SIDE_A;
		} else {
			d->nodes[k].side = VIZ_SIDE_BOTH;
		}
		if ((ssize_t)i == g->focus)
			d->focus = k;
		if (is_b) {
			d->nodes[k].calls = n->calls / ops;
			d->nodes[k].incl_ns = n->incl_ns / ops;
			d->nodes[k].self_ns = n->self_ns / ops;
		} else {
			d->nodes[k].calls_a = n->calls / ops;
			d->nodes[k].incl_a_ns = n->incl_ns / ops;
			d->nodes[k].self_a_ns = n->self_ns / ops;
		}
		map[i] = k;
	}
	for (size_t i = 0; i < g->nedges; i++) {
		const struct viz_edge *e = &g->edges[i];
		size_t u = map[e->from], v = map[e->to];
		ssize_t k = -1;

		for (size_t j = 0; is_b && j < d->nedges; j++)
			if (d->edges[j].from == u && d->edges[j].to == v) {
				k = j;
				break;
			}
		if (k < 0) {
			k = viz_graph__add_edge(d, u, v);
			if (k < 0) {
				free(map);
				return -ENOMEM;
			}
			d->edges[k].side = is_b ? VIZ_SIDE_B : VIZ_SIDE_A;
		} else {
			d->edges[k].side = VIZ_SIDE_BOTH;
		}
		if (is_b) {
			d->edges[k].calls = e->calls / ops;
			d->edges[k].incl_ns = e->incl_ns / ops;
		} else {
			d->edges[k].calls_a = e->calls / ops;
			d->edges[k].incl_a_ns = e->incl_ns / ops;
		}
	}
	free(map);
	return 0;
}

static const struct viz_node *sort_base;

static int cmp_delta(const void *x, const void *y)
{
	const struct viz_node *a = &sort_base[*(const size_t *)x];
	const struct viz_node *b = &sort_base[*(const size_t *)y];
	double da = fabs(a->incl_ns - a->incl_a_ns), db = fabs(b->incl_ns - b->incl_a_ns);

	if (da != db)
		return da < db ? 1 : -1;
	return strcmp(a->name, b->name);
}

static void list_side(struct sbuf *sb, const struct viz_graph *d, enum viz_side side,
		      const char *who)
{
	size_t n = 0, shown = 0;

	for (size_t i = 0; i < d->nnodes; i++)
		n += d->nodes[i].side == side && !d->nodes[i].is_root;
	if (!n)
		return;
	sb_printf(sb, "  %s never reaches %zu function%s:", who, n, n == 1 ? "" : "s");
	for (size_t i = 0; i < d->nnodes; i++) {	/* sorted by name */
		if (d->nodes[i].side != side || d->nodes[i].is_root)
			continue;
		if (shown++ == 24) {
			sb_printf(sb, " ... (%zu more)", n - 24);
			break;
		}
		sb_printf(sb, " %s", d->nodes[i].name);
	}
	sb_printf(sb, "\n");
}

static void summarise(struct sbuf *sb, const struct viz_graph *d, const struct viz_diff_opts *o,
		      double ops_a, double ops_b)
{
	const char *la = side_name(o->name_a ? o->name_a : "A", o->per_a);
	const char *lb = side_name(o->name_b ? o->name_b : "B", o->per_b);
	char ta[32], tb[32], x[32], y[32];
	size_t *idx = calloc(d->nnodes + 1, sizeof(*idx)), n = 0;

	style_format_ns(ta, sizeof(ta), d->total_a_ns);
	style_format_ns(tb, sizeof(tb), d->total_ns);
	sb_printf(sb, "A = %s, %s (%.0f operation%s): %s per operation\n",
		  o->name_a ? o->name_a : "A", o->per_a ? o->per_a : "per run", ops_a,
		  ops_a == 1 ? "" : "s", ta);
	sb_printf(sb, "B = %s, %s (%.0f operation%s): %s per operation\n",
		  o->name_b ? o->name_b : "B", o->per_b ? o->per_b : "per run", ops_b,
		  ops_b == 1 ? "" : "s", tb);
	sb_printf(sb, "structure:\n");
	list_side(sb, d, VIZ_SIDE_A, lb);
	list_side(sb, d, VIZ_SIDE_B, la);
	if (!idx)
		return;
	for (size_t i = 0; i < d->nnodes; i++)
		if (!d->nodes[i].is_root && (ssize_t)i != d->focus)
			idx[n++] = i;
	sort_base = d->nodes;
	qsort(idx, n, sizeof(*idx), cmp_delta);
	sb_printf(sb, "largest cost changes (inclusive time per operation, A -> B):\n");
	for (size_t k = 0; k < n && k < 12; k++) {
		const struct viz_node *v = &d->nodes[idx[k]];
		char dl[32], ca[32], cb[32];

		if (v->incl_ns == v->incl_a_ns)
			break;
		dl[0] = '+';
		style_format_ns(dl + (v->incl_ns > v->incl_a_ns), sizeof(dl) - 1,
				v->incl_ns - v->incl_a_ns);
		style_format_ns(x, sizeof(x), v->incl_a_ns);
		style_format_ns(y, sizeof(y), v->incl_ns);
		style_format_calls(ca, sizeof(ca), v->calls_a);
		style_format_calls(cb, sizeof(cb), v->calls);
		sb_printf(sb, "  %-12s %-32s %s -> %s   calls %s -> %s%s\n", dl, v->name, x, y,
			  ca, cb,
			  v->side == VIZ_SIDE_A ? "   (only in A)"
			  : v->side == VIZ_SIDE_B ? "   (only in B)" : "");
	}
	free(idx);
}

/* Keep what is above threshold on either side; say what was hidden. */
static int prune(struct viz_graph *d, const struct cg_prune *p)
{
	ssize_t *map = calloc(d->nnodes + 1, sizeof(*map));
	size_t k = 0, hidden = 0, ehidden = 0, ne = 0, total_nodes = d->nnodes;
	size_t total_edges = d->nedges;
	double hidden_self = 0, total = fmax(d->total_ns, d->total_a_ns);
	char note[512];

	if (!map)
		return -ENOMEM;
	for (size_t i = 0; i < d->nnodes; i++) {
		struct viz_node *n = &d->nodes[i];
		double s = total > 0 ? fmax(n->incl_ns, n->incl_a_ns) / total : 0;

		if ((ssize_t)i != d->focus && !style_keep_node(p, s)) {
			hidden++;
			hidden_self += fmax(n->self_ns, n->self_a_ns);
			free(n->name);
			free(n->path);
			map[i] = -1;
			continue;
		}
		if ((ssize_t)i == d->focus)
			d->focus = k;
		map[i] = k;
		d->nodes[k++] = *n;
	}
	d->nnodes = k;
	for (size_t i = 0; i < d->nedges; i++) {
		struct viz_edge e = d->edges[i];
		double s = total > 0 ? fmax(e.incl_ns, e.incl_a_ns) / total : 0;

		if (map[e.from] < 0 || map[e.to] < 0 || !style_keep_edge(p, s)) {
			ehidden++;
			continue;
		}
		e.from = map[e.from];
		e.to = map[e.to];
		d->edges[ne++] = e;
		d->max_calls = fmax(d->max_calls, fmax(e.calls, e.calls_a));
	}
	d->nedges = ne;
	free(map);
	style_prune_note(note, sizeof(note), p, hidden, total_nodes, ehidden, total_edges,
			 total > 0 ? hidden_self / total : 0);
	if (note[0] && !(d->note = strdup(note)))
		return -ENOMEM;
	return 0;
}

static struct viz_graph *side_graph(const struct xt_model *m, const char *per, double *ops,
				    struct sbuf *sb, char which)
{
	struct viz_graph_opts go = { .root = per, .prune = { 0, 0, true } };
	struct viz_graph *g = viz_graph__new(m, &go);

	*ops = 1;
	if (!g) {
		if (errno == ENOENT)
			sb_printf(sb, "%c has no calls of %s\n", which, per);
		return NULL;
	}
	if (per && g->focus >= 0 && g->nodes[g->focus].calls > 0)
		*ops = g->nodes[g->focus].calls;
	return g;
}

struct viz_graph *viz_diff__new(const struct xt_model *a, const struct xt_model *b,
				const struct viz_diff_opts *o, char **summary)
{
	struct sbuf sb = { 0 };
	struct viz_graph *ga = NULL, *gb = NULL, *d = NULL;
	double ops_a = 1, ops_b = 1;
	char focus[256] = "", *fn = NULL;
	int err = 0;

	*summary = NULL;
	ga = side_graph(a, o->per_a, &ops_a, &sb, 'A');
	gb = side_graph(b, o->per_b, &ops_b, &sb, 'B');
	d = viz_graph__empty();
	if (!ga || !gb || !d) {
		err = errno ? -errno : -ENOMEM;
		goto out;
	}
	d->diff = true;
	if (o->per_a || o->per_b) {	/* one "operation" node for both roots */
		snprintf(focus, sizeof(focus), "per operation: %s | %s",
			 o->per_a ? o->per_a : "run", o->per_b ? o->per_b : "run");
		fn = focus;
	}
	err = merge(d, ga, ops_a, false, fn);
	if (!err)
		err = merge(d, gb, ops_b, true, fn);
	if (err)
		goto out;
	d->total_a_ns = ga->total_ns / ops_a;
	d->total_ns = gb->total_ns / ops_b;
	err = viz_graph__sort(d);
	if (err)
		goto out;
	summarise(&sb, d, o, ops_a, ops_b);
	err = prune(d, &o->prune);
	if (!err)
		err = viz_graph__sort(d);
out:
	viz_graph__free(ga);
	viz_graph__free(gb);
	if (!err && sb.oom)
		err = -ENOMEM;
	*summary = sb.s;
	if (err) {
		viz_graph__free(d);
		errno = -err;
		return NULL;
	}
	return d;
}
