// SPDX-License-Identifier: BSD-2-Clause
/*
 * flame.c: flame graphs as SVG, written here rather than by flamegraph.pl.
 * Frames come from the recording's calling-context tree (exact stacks);
 * a recording with only caller/callee edges (the bpf backend's aggregates)
 * is expanded from its roots, each callee's children scaled by the share of
 * its time that came through this path (gprof's approximation, said so in
 * the subtitle).  Colours hash the name, so they are stable across runs.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/model.h"
#include "viz/flame.h"
#include "viz/graph.h"
#include "viz/sbuf.h"
#include "viz/style.h"

#define FRAME_H   17
#define FONT_PX   11
#define MAX_DEPTH 64
#define MAX_FRAMES 200000

struct frame {
	uint32_t parent;	/* index + 1; 0: a root */
	uint32_t id;
	double calls, incl, incl_a;	/* incl_a: differential graphs, the "before" */
	const char *name;
	enum viz_region region;
	unsigned depth;
	double x;		/* offset in ns from the left edge */
	char *key;		/* differential: the path of names */
};

struct tree {
	struct frame *f;
	size_t n, cap;
	bool approx;
	bool oom;
};

static size_t push(struct tree *t, uint32_t parent, uint32_t id, double calls, double incl)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 256;
		void *p = realloc(t->f, cap * sizeof(*t->f));

		if (!p) {
			t->oom = true;
			return 0;
		}
		t->f = p;
		t->cap = cap;
	}
	t->f[t->n] = (struct frame){ .parent = parent, .id = id, .calls = calls, .incl = incl };
	return ++t->n;
}

/* ---- the edge approximation ------------------------------------------------ */

struct eidx {
	const struct xt_edge *e;
	size_t n;
};

static int cmp_edge_rc(const void *a, const void *b)
{
	const struct xt_edge *x = a, *y = b;

	if (x->root != y->root)
		return x->root < y->root ? -1 : 1;
	if (x->caller != y->caller)
		return x->caller < y->caller ? -1 : 1;
	return x->callee < y->callee ? -1 : x->callee > y->callee;
}

static size_t lower(const struct xt_edge *e, size_t n, uint32_t root, uint32_t caller)
{
	struct xt_edge key = { .caller = caller, .callee = 0, .root = root };
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cmp_edge_rc(&e[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Time in callee under root from all its callers (the denominator of a path's share). */
static double into(const struct xt_edge *e, size_t n, uint32_t root, uint32_t callee)
{
	double s = 0;
	size_t i = lower(e, n, root, 1);	/* callers are ids >= 1 */

	for (; i < n && e[i].root == root; i++)
		if (e[i].callee == callee)
			s += e[i].incl_ns;
	return s;
}

static void expand(struct tree *t, const struct xt_edge *e, size_t n, uint32_t root,
		   size_t at, double scale, unsigned depth)
{
	uint32_t id = t->f[at - 1].id;

	if (depth >= MAX_DEPTH || t->n >= MAX_FRAMES)
		return;
	for (size_t i = lower(e, n, root, id); i < n && e[i].root == root && e[i].caller == id;
	     i++) {
		double incl = e[i].incl_ns * scale, whole;
		bool cycle = false;
		size_t k;

		if (incl <= 0)
			continue;
		for (size_t p = at; p; p = t->f[p - 1].parent)
			cycle |= t->f[p - 1].id == e[i].callee;
		k = push(t, (uint32_t)at, e[i].callee, e[i].calls * scale, incl);
		if (!k)
			return;
		whole = into(e, n, root, e[i].callee);
		if (!cycle && whole > 0)
			expand(t, e, n, root, k, incl / whole, depth + 1);
	}
}

static int from_edges(struct tree *t, const struct xt_model *m)
{
	size_t n;
	const struct xt_edge *src = xt_model__edges(m, &n);
	struct xt_edge *e = malloc((n + 1) * sizeof(*e));

	if (!e)
		return -ENOMEM;
	memcpy(e, src, n * sizeof(*e));
	qsort(e, n, sizeof(*e), cmp_edge_rc);
	t->approx = true;
	for (size_t i = 0; i < n; i++) {
		size_t k;

		if (e[i].caller != 0)
			continue;
		k = push(t, 0, e[i].callee, e[i].calls, e[i].incl_ns);
		if (!k)
			break;
		expand(t, e, n, e[i].root, k, 1.0, 1);
	}
	free(e);
	return t->oom ? -ENOMEM : 0;
}

static int load(struct tree *t, const struct xt_model *m)
{
	size_t n;
	const struct xt_stack *s = xt_model__stacks(m, &n);

	if (!n)
		return from_edges(t, m);
	for (size_t i = 0; i < n; i++)	/* parents come first (model.h) */
		if (!push(t, s[i].parent, s[i].id, s[i].calls, s[i].incl_ns))
			return -ENOMEM;
	return 0;
}

/* Names, regions, depths, and (differential) path keys. */
static int annotate(struct tree *t, const struct xt_model *m, bool keys)
{
	for (size_t i = 0; i < t->n; i++) {
		struct frame *f = &t->f[i];
		const struct xt_func *fn = (f->id & XT_ROOT_BIT) ? NULL : xt_model__func(m, f->id);

		f->name = xt_model__node_name(m, f->id);
		if (fn)
			f->name = fn->name;
		if (!f->name)
			f->name = "?";
		/* node_name may use a per-thread buffer: keep our own copy via key */
		f->region = (f->id & XT_ROOT_BIT) ? VIZ_REGION_SYSCALL
						  : viz_region_of(f->name, fn ? fn->path : NULL);
		f->depth = f->parent ? t->f[f->parent - 1].depth + 1 : 1;
		if (keys || !fn) {
			const char *pk = f->parent && t->f[f->parent - 1].key ? t->f[f->parent - 1].key : "";
			size_t len = strlen(pk) + strlen(f->name) + 2;

			f->key = malloc(len);
			if (!f->key)
				return -ENOMEM;
			snprintf(f->key, len, "%s%s%s", pk, *pk ? ";" : "", f->name);
			if (!fn)	/* the name lives at the key's tail */
				f->name = f->key + strlen(pk) + (*pk ? 1 : 0);
		}
	}
	return 0;
}

static void tree_free(struct tree *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->f[i].key);
	free(t->f);
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct frame *)a)->key, ((const struct frame *)b)->key);
}

/* Differential: each frame of b gets the time of the same path in a. */
static int align(struct tree *b, const struct tree *a)
{
	struct frame *sorted = malloc((a->n + 1) * sizeof(*sorted));

	if (!sorted)
		return -ENOMEM;
	memcpy(sorted, a->f, a->n * sizeof(*sorted));
	qsort(sorted, a->n, sizeof(*sorted), cmp_key);
	for (size_t i = 0; i < b->n; i++) {
		struct frame *hit = bsearch(&b->f[i], sorted, a->n, sizeof(*sorted), cmp_key);

		b->f[i].incl_a = hit ? hit->incl : 0;
	}
	free(sorted);
	return 0;
}

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static void frame_color(const struct frame *f, bool diff, double maxdelta, char hex[8])
{
	uint32_t h = hash(f->name);
	double v1 = (h & 0xff) / 255.0, v2 = ((h >> 8) & 0xff) / 255.0, rgb[3];
	int r, g, b;

	if (diff) {
		double d = f->incl - f->incl_a, w = maxdelta > 0 ? fabs(d) / maxdelta : 0;

		w = w > 1 ? 1 : w;
		style_hsl_to_rgb(d >= 0 ? 0.0 : 0.6, 0.9, 1.0 - 0.5 * sqrt(w), rgb);
		style_rgb_hex(rgb, hex);
		return;
	}
	switch (f->region) {
	case VIZ_REGION_MACH:	/* cool: the Mach core */
		r = 60 + (int)(60 * v1), g = 130 + (int)(60 * v2), b = 215 + (int)(40 * v1);
		break;
	case VIZ_REGION_BSD:	/* warm: the BSD personality */
		r = 225 + (int)(30 * v1), g = 110 + (int)(100 * v2), b = 40 + (int)(30 * v1);
		break;
	case VIZ_REGION_SYSCALL:
	case VIZ_REGION_DISPATCH:
		r = 200 + (int)(30 * v1), g = 200 + (int)(30 * v1), b = 90 + (int)(40 * v2);
		break;
	default:
		r = 170 + (int)(40 * v1), g = 170 + (int)(40 * v1), b = 170 + (int)(40 * v1);
	}
	snprintf(hex, 8, "#%02x%02x%02x", r, g, b);
}

static void emit_frame(struct sbuf *sb, const struct frame *f, double total, double px_per_ns,
		       unsigned height, bool diff, double maxdelta)
{
	double x = 10 + f->x * px_per_ns, w = f->incl * px_per_ns;
	double y = height - 10.0 - (double)(f->depth + 1) * FRAME_H;
	char hex[8], t[32], ta[32], c[32];
	size_t fit = w > 6 ? (size_t)((w - 6) / (FONT_PX * 0.6)) : 0;

	if (w < 0.1)
		return;
	frame_color(f, diff, maxdelta, hex);
	style_format_ns(t, sizeof(t), f->incl);
	style_format_calls(c, sizeof(c), f->calls);
	sb_printf(sb, "<g><title>");
	sb_escape(sb, f->name);
	if (diff) {
		style_format_ns(ta, sizeof(ta), f->incl_a);
		sb_printf(sb, ": %s → %s (%+.1f%%)", ta, t,
			  f->incl_a > 0 ? 100 * (f->incl - f->incl_a) / f->incl_a : 100.0);
	} else {
		sb_printf(sb, ": %s, %.2f%%, %s calls", t, 100 * f->incl / total, c);
	}
	sb_printf(sb, "</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" "
		      "fill=\"%s\" rx=\"2\" ry=\"2\"/>", x, y, w, FRAME_H - 1, hex);
	if (fit >= 3) {
		size_t len = strlen(f->name);

		sb_printf(sb, "<text x=\"%.1f\" y=\"%.1f\">", x + 3, y + FRAME_H - 5);
		if (len <= fit) {
			sb_escape(sb, f->name);
		} else {
			char cut[256];

			snprintf(cut, sizeof(cut), "%.*s..", (int)(fit - 2 < 250 ? fit - 2 : 250),
				 f->name);
			sb_escape(sb, cut);
		}
		sb_printf(sb, "</text>");
	}
	sb_printf(sb, "</g>\n");
}

/* Lay children left to right after their parent, in the tree's order. */
static double layout(struct tree *t, unsigned *maxdepth)
{
	double *cursor = calloc(t->n + 1, sizeof(*cursor)), total = 0;

	if (!cursor)
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		struct frame *f = &t->f[i];

		if (!f->parent) {
			f->x = total;
			total += f->incl;
		} else {
			f->x = t->f[f->parent - 1].x + cursor[f->parent];
			cursor[f->parent] += f->incl;
		}
		if (f->depth > *maxdepth)
			*maxdepth = f->depth;
	}
	free(cursor);
	return total;
}

int viz_flame_svg(const struct xt_model *m, const struct xt_model *a,
		  const struct viz_flame_opts *o, char **out, size_t *len)
{
	struct tree tb = { 0 }, ta = { 0 };
	struct sbuf sb = { 0 };
	unsigned width = o && o->width ? o->width : 1200, maxdepth = 0, height;
	double total, maxdelta = 0, px;
	int err;

	*out = NULL;
	*len = 0;
	err = load(&tb, m);
	if (!err)
		err = annotate(&tb, m, a != NULL);
	if (!err && a) {
		err = load(&ta, a);
		if (!err)
			err = annotate(&ta, a, true);
		if (!err)
			err = align(&tb, &ta);
	}
	if (err)
		goto out;
	total = layout(&tb, &maxdepth);
	if (total < 0) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < tb.n; i++)
		maxdelta = fmax(maxdelta, fabs(tb.f[i].incl - tb.f[i].incl_a));
	height = (maxdepth + 1) * FRAME_H + 70;
	px = total > 0 ? (width - 20.0) / total : 0;
	sb_printf(&sb, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
		       "class=\"flame\" width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\">\n",
		  width, height, width, height);
	sb_printf(&sb, "<style>.flame text{font:%dpx Verdana,DejaVu Sans,sans-serif;"
		       "fill:#000;pointer-events:none}.flame rect:hover{stroke:#000;"
		       "stroke-width:0.8}</style>\n", FONT_PX);
	sb_printf(&sb, "<rect x=\"0\" y=\"0\" width=\"%u\" height=\"%u\" fill=\"#fdfdf6\"/>\n",
		  width, height);
	sb_printf(&sb, "<text x=\"%u\" y=\"20\" text-anchor=\"middle\" "
		       "style=\"font-size:16px\">", width / 2);
	sb_escape(&sb, o && o->title ? o->title : a ? "Differential flame graph" : "Flame graph");
	sb_printf(&sb, "</text>\n<text x=\"%u\" y=\"38\" text-anchor=\"middle\">%s%s</text>\n",
		  width / 2,
		  a ? "widths: second recording; red: grew, blue: shrank"
		    : "width: inclusive time; warm: BSD personality, blue: Mach core, "
		      "yellow: syscalls",
		  tb.approx ? " (stacks approximated from caller/callee edges)" : "");
	if (tb.n == 0)
		sb_printf(&sb, "<text x=\"%u\" y=\"60\" text-anchor=\"middle\">"
			       "no calls recorded</text>\n", width / 2);
	{	/* the "all" frame */
		struct frame all = { .name = "all", .incl = total, .calls = 0, .depth = 0,
				     .region = VIZ_REGION_OTHER };
		double suma = 0;

		for (size_t i = 0; i < tb.n; i++)
			suma += tb.f[i].parent ? 0 : tb.f[i].incl_a;
		all.incl_a = a ? suma : total;
		if (total > 0)
			emit_frame(&sb, &all, total, px, height, a != NULL, maxdelta);
	}
	for (size_t i = 0; i < tb.n; i++)
		emit_frame(&sb, &tb.f[i], total, px, height, a != NULL, maxdelta);
	sb_printf(&sb, "</svg>\n");
	if (sb.oom)
		err = -ENOMEM;
out:
	tree_free(&tb);
	tree_free(&ta);
	if (err) {
		free(sb.s);
		return err;
	}
	*out = sb.s;
	*len = sb.len;
	return 0;
}
