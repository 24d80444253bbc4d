// SPDX-License-Identifier: BSD-2-Clause
/*
 * render.c: the only file that talks to Graphviz.  One function, render(),
 * owns every Graphviz lifetime in order: agopen, the attribute defaults
 * (agattr, once), the objects (agxset with cached Agsym_t, never agset on an
 * undeclared attribute), gvLayout, gvRender, gvFreeLayout, agclose; the one
 * gvContext of the process (viz_context) is freed at exit.  Objects are
 * created in the graph's sorted order, so output is deterministic; the
 * BSD->Mach crossings are created last, so they are drawn on top.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include "viz/graph.h"
#include "viz/render.h"
#include "viz/style.h"

#define CROSS_COLOR  "#c000c0"	/* magenta: outside the heat palette */
#define LABEL_MAX    4096
#define ONLY_A_FILL  "#fbd3cf"
#define ONLY_A_LINE  "#b71c1c"
#define ONLY_B_FILL  "#d4edd0"
#define ONLY_B_LINE  "#1b5e20"

enum { A_LABEL, A_SHAPE, A_STYLE, A_FILL, A_COLOR, A_FONTCOLOR, A_FONTSIZE, A_FONTNAME,
       A_PEN, A_URL, A_TOOLTIP, A_TARGET, A_ARROW, A_WEIGHT, A_RANK, A_LABELLOC, A_MAX };

struct syms {			/* declared once, per object kind */
	Agsym_t *g[A_MAX], *n[A_MAX], *e[A_MAX];
};

static const char *const attr_names[A_MAX] = {
	"label", "shape", "style", "fillcolor", "color", "fontcolor", "fontsize", "fontname",
	"penwidth", "URL", "tooltip", "target", "arrowsize", "weight", "rank", "labelloc",
};

int viz_format_from_path(const char *path, enum viz_format *fmt)
{
	const char *dot = path ? strrchr(path, '.') : NULL;

	if (!dot)
		return -EINVAL;
	if (!strcmp(dot, ".dot") || !strcmp(dot, ".gv"))
		*fmt = VIZ_FMT_DOT;
	else if (!strcmp(dot, ".svg"))
		*fmt = VIZ_FMT_SVG;
	else if (!strcmp(dot, ".png"))
		*fmt = VIZ_FMT_PNG;
	else if (!strcmp(dot, ".pdf"))
		*fmt = VIZ_FMT_PDF;
	else
		return -EINVAL;
	return 0;
}

static void set(void *obj, Agsym_t *sym, const char *v)
{
	if (sym && v)
		agxset(obj, sym, (char *)v);
}

static void setf(void *obj, Agsym_t *sym, double v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.2f", v);
	set(obj, sym, buf);
}

static void declare(Agraph_t *g, struct syms *s, const struct cg_theme *t)
{
	static const struct { int kind, a; const char *def; } d[] = {
		{ AGRAPH, A_LABEL, "" }, { AGRAPH, A_LABELLOC, "t" }, { AGRAPH, A_STYLE, "" },
		{ AGRAPH, A_FILL, "" }, { AGRAPH, A_COLOR, "" }, { AGRAPH, A_FONTCOLOR, "" },
		{ AGRAPH, A_FONTSIZE, "14" }, { AGRAPH, A_RANK, "" }, { AGRAPH, A_TOOLTIP, "" },
		{ AGNODE, A_LABEL, "\\N" }, { AGNODE, A_SHAPE, "box" },
		{ AGNODE, A_STYLE, "filled" }, { AGNODE, A_FILL, "#ffffff" },
		{ AGNODE, A_COLOR, "#ffffff" }, { AGNODE, A_FONTCOLOR, "#ffffff" },
		{ AGNODE, A_FONTSIZE, "10.00" }, { AGNODE, A_PEN, "1" }, { AGNODE, A_URL, "" },
		{ AGNODE, A_TOOLTIP, "" }, { AGNODE, A_TARGET, "_blank" },
		{ AGEDGE, A_LABEL, "" }, { AGEDGE, A_STYLE, "" }, { AGEDGE, A_COLOR, "#000000" },
		{ AGEDGE, A_FONTCOLOR, "#000000" }, { AGEDGE, A_FONTSIZE, "10.00" },
		{ AGEDGE, A_PEN, "1" }, { AGEDGE, A_ARROW, "1" }, { AGEDGE, A_WEIGHT, "1" },
		{ AGEDGE, A_TOOLTIP, "" },
	};

	/* Fixed attributes, gprof2dot's defaults. */
	agattr(g, AGRAPH, "ranksep", "0.25");
	agattr(g, AGRAPH, "nodesep", "0.125");
	agattr(g, AGRAPH, "newrank", "true");
	agattr(g, AGRAPH, "fontname", (char *)t->font);
	agattr(g, AGNODE, "fontname", (char *)t->font);
	agattr(g, AGNODE, "width", "0");
	agattr(g, AGNODE, "height", "0");
	agattr(g, AGEDGE, "fontname", (char *)t->font);
	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		Agsym_t *sym = agattr(g, d[i].kind, (char *)attr_names[d[i].a], (char *)d[i].def);

		if (d[i].kind == AGRAPH)
			s->g[d[i].a] = sym;
		else if (d[i].kind == AGNODE)
			s->n[d[i].a] = sym;
		else
			s->e[d[i].a] = sym;
	}
}

static double share(double v, double total)
{
	return total > 0 ? v / total : 0;
}

static void node_tooltip(const struct viz_graph *g, const struct viz_node *n, char *buf,
			 size_t len)
{
	char incl[32], self[32], calls[32], ia[32], ca[32];

	style_format_ns(incl, sizeof(incl), n->incl_ns);
	style_format_ns(self, sizeof(self), n->self_ns);
	style_format_calls(calls, sizeof(calls), n->calls);
	if (!g->diff) {
		snprintf(buf, len, "%s%s%s\\ninclusive %.2f%% (%s)\\nself %.2f%% (%s)\\ncalls %s",
			 n->name, n->path ? " — " : "", n->path ? n->path : "",
			 100 * share(n->incl_ns, g->total_ns), incl,
			 100 * share(n->self_ns, g->total_ns), self, calls);
		return;
	}
	style_format_ns(ia, sizeof(ia), n->incl_a_ns);
	style_format_calls(ca, sizeof(ca), n->calls_a);
	snprintf(buf, len, "%s%s%s\\nA: inclusive %s, %s calls\\nB: inclusive %s, %s calls",
		 n->name, n->path ? " — " : "", n->path ? n->path : "", ia, ca, incl, calls);
}

/* Diff: white to red as B grows, white to blue as it shrinks. */
static void delta_color(double delta, double total, char hex[8])
{
	double w = total > 0 ? fabs(delta) / total : 0, rgb[3];

	w = w > 1 ? 1 : w;
	w = sqrt(w);		/* small changes should still be visible */
	style_hsl_to_rgb(delta >= 0 ? 0.0 : 0.6, 0.85, 1.0 - 0.45 * w, rgb);
	style_rgb_hex(rgb, hex);
}

static void style_diff_node(const struct viz_graph *g, const struct viz_node *n,
			    Agnode_t *an, const struct syms *s, char *label)
{
	char a[32], b[32], ca[32], cb[32], hex[8];
	double total = g->total_ns > g->total_a_ns ? g->total_ns : g->total_a_ns;

	style_format_ns(a, sizeof(a), n->incl_a_ns);
	style_format_ns(b, sizeof(b), n->incl_ns);
	style_format_calls(ca, sizeof(ca), n->calls_a);
	style_format_calls(cb, sizeof(cb), n->calls);
	set(an, s->n[A_FONTCOLOR], "#000000");
	if (n->side == VIZ_SIDE_A) {
		snprintf(label, LABEL_MAX, "%s\\nonly in A: %s\\n%s×", n->name, a, ca);
		set(an, s->n[A_FILL], ONLY_A_FILL);
		set(an, s->n[A_COLOR], ONLY_A_LINE);
		set(an, s->n[A_STYLE], "filled,dashed");
		set(an, s->n[A_PEN], "2");
	} else if (n->side == VIZ_SIDE_B) {
		snprintf(label, LABEL_MAX, "%s\\nonly in B: %s\\n%s×", n->name, b, cb);
		set(an, s->n[A_FILL], ONLY_B_FILL);
		set(an, s->n[A_COLOR], ONLY_B_LINE);
		set(an, s->n[A_STYLE], "filled,bold");
		set(an, s->n[A_PEN], "2");
	} else {
		double pct = n->incl_a_ns > 0 ? 100 * (n->incl_ns - n->incl_a_ns) / n->incl_a_ns : 0;

		snprintf(label, LABEL_MAX, "%s\\n%s → %s (%+.0f%%)\\n%s× → %s×", n->name, a, b,
			 pct, ca, cb);
		delta_color(n->incl_ns - n->incl_a_ns, total, hex);
		set(an, s->n[A_FILL], hex);
		set(an, s->n[A_COLOR], "#606060");
	}
}

static void style_node(const struct viz_graph *g, const struct viz_node *n, Agnode_t *an,
		       const struct syms *s, const struct cg_theme *t)
{
	char label[LABEL_MAX], hex[8], tip[LABEL_MAX], url[1024];
	double w = share(n->incl_ns, g->total_ns);

	if (g->diff) {
		style_diff_node(g, n, an, s, label);
	} else {
		style_node_label(label, sizeof(label), n->name, w, share(n->self_ns, g->total_ns),
				 n->calls, true);
		style_color_hex(t, w, hex);
		set(an, s->n[A_FILL], hex);
		set(an, s->n[A_COLOR], hex);
		setf(an, s->n[A_FONTSIZE], style_fontsize(t, w));
	}
	if (n->is_root) {	/* syscall roots: the entry points, drawn apart */
		set(an, s->n[A_SHAPE], "box");
		set(an, s->n[A_STYLE], g->diff && n->side ? "filled,rounded,dashed"
							  : "filled,rounded");
		set(an, s->n[A_PEN], "2");
	}
	set(an, s->n[A_LABEL], label);
	node_tooltip(g, n, tip, sizeof(tip));
	set(an, s->n[A_TOOLTIP], tip);
	if (viz_node_url(n, url, sizeof(url)) > 0)
		set(an, s->n[A_URL], url);
}

static void style_edge(const struct viz_graph *g, const struct viz_edge *e, Agedge_t *ae,
		       const struct syms *s, const struct cg_theme *t)
{
	char label[LABEL_MAX], hex[8], n[32], na[32], tip[LABEL_MAX];
	double w = share(e->incl_ns, g->total_ns);
	double pw = g->max_calls > 0 ? e->calls / g->max_calls : 0;

	if (g->diff) {
		style_format_calls(n, sizeof(n), e->calls);
		style_format_calls(na, sizeof(na), e->calls_a);
		if (e->side == VIZ_SIDE_A) {
			snprintf(label, sizeof(label), "A %s×", na);
			set(ae, s->e[A_COLOR], ONLY_A_LINE);
			set(ae, s->e[A_STYLE], "dashed");
		} else if (e->side == VIZ_SIDE_B) {
			snprintf(label, sizeof(label), "B %s×", n);
			set(ae, s->e[A_COLOR], ONLY_B_LINE);
			set(ae, s->e[A_STYLE], "bold");
		} else {
			snprintf(label, sizeof(label), "%s× → %s×", na, n);
			set(ae, s->e[A_COLOR], "#606060");
		}
		set(ae, s->e[A_FONTCOLOR], "#303030");
		pw = g->max_calls > 0 ? (e->calls > e->calls_a ? e->calls : e->calls_a) /
						g->max_calls : 0;
	} else {
		style_edge_label(label, sizeof(label), w, e->calls, true);
		style_color_hex(t, w, hex);
		set(ae, s->e[A_COLOR], hex);
		set(ae, s->e[A_FONTCOLOR], hex);
		setf(ae, s->e[A_FONTSIZE], style_fontsize(t, w));
	}
	setf(ae, s->e[A_PEN], style_penwidth(t, pw));
	setf(ae, s->e[A_ARROW], style_arrowsize(t, pw));
	if (e->crossing) {	/* the point of the picture: BSD bottoming out in Mach */
		static const char pre[] = "BSD→Mach\\n";
		size_t n = strnlen(label, sizeof(label) - sizeof(pre));

		memmove(label + sizeof(pre) - 1, label, n);
		memcpy(label, pre, sizeof(pre) - 1);
		label[n + sizeof(pre) - 1] = '\0';
		set(ae, s->e[A_COLOR], CROSS_COLOR);
		set(ae, s->e[A_FONTCOLOR], CROSS_COLOR);
		set(ae, s->e[A_STYLE], g->diff && e->side == VIZ_SIDE_A ? "dashed,bold" : "bold");
		setf(ae, s->e[A_PEN], fmax(3.0, style_penwidth(t, pw) + 1.5));
		setf(ae, s->e[A_ARROW], fmax(1.0, style_arrowsize(t, pw)));
		set(ae, s->e[A_WEIGHT], "4");
	}
	set(ae, s->e[A_LABEL], label);
	snprintf(tip, sizeof(tip), "%s → %s", g->nodes[e->from].name, g->nodes[e->to].name);
	set(ae, s->e[A_TOOLTIP], tip);
}

static Agraph_t *cluster(Agraph_t *g, const struct syms *s, const char *name,
			 const char *label, const char *fill, const char *line)
{
	Agraph_t *c = agsubg(g, (char *)name, 1);

	set(c, s->g[A_LABEL], label);
	set(c, s->g[A_STYLE], "filled,rounded");
	set(c, s->g[A_FILL], fill);
	set(c, s->g[A_COLOR], line);
	set(c, s->g[A_FONTCOLOR], line);
	set(c, s->g[A_FONTSIZE], "16");
	return c;
}

static void graph_label(const struct viz_graph *g, Agraph_t *ag, const struct syms *s)
{
	char label[LABEL_MAX];
	size_t ncross = 0;

	for (size_t i = 0; i < g->nedges; i++)
		ncross += g->edges[i].crossing;
	snprintf(label, sizeof(label), "%s\\n%s%s%zu BSD→Mach crossing%s (magenta, bold)%s%s",
		 g->title ? g->title : "xnutrace call graph",
		 g->diff ? "red dashed: only in A   green bold: only in B   "
			   "fill: white→red grew, white→blue shrank\\n"
			 : "box: name / inclusive% (self%) / calls   colour: inclusive time"
			   "   edge width: calls\\n",
		 "", ncross, ncross == 1 ? "" : "s", g->note ? "\\n" : "",
		 g->note ? g->note : "");
	set(ag, s->g[A_LABEL], label);
	set(ag, s->g[A_FONTSIZE], "14");
}

struct objs {			/* what build() made, in the graph's sorted order */
	Agraph_t *sub[VIZ_REGION_MACH + 1];
	Agnode_t **nodes;
	Agedge_t **edges;	/* in creation order: crossings last */
	size_t nedges;
};

static int build(Agraph_t *ag, const struct viz_graph *g, const struct syms *s,
		 const struct cg_theme *t, struct objs *o)
{
	Agraph_t **sub = o->sub;

	o->nodes = calloc(g->nnodes + 1, sizeof(*o->nodes));
	o->edges = calloc(g->nedges + 1, sizeof(*o->edges));
	if (!o->nodes || !o->edges)
		return -ENOMEM;
	sub[VIZ_REGION_OTHER] = ag;
	graph_label(g, ag, s);
	for (size_t i = 0; i < g->nnodes; i++) {
		enum viz_region r = g->nodes[i].region;

		if (!sub[r]) {	/* created on first use: no empty clusters */
			if (r == VIZ_REGION_DISPATCH) {
				sub[r] = cluster(ag, s, "cluster_dispatch", "trap dispatch",
						 "#eeeeee", "#404040");
			} else if (r == VIZ_REGION_SYSCALL) {
				/* no rank=same: the dispatcher edges place them */
				sub[r] = agsubg(ag, "syscalls", 1);
			} else if (r == VIZ_REGION_BSD) {
				sub[r] = cluster(ag, s, "cluster_bsd", "BSD personality (bsd/)",
						 "#fff3dc", "#8a5a00");
			} else {
				sub[r] = cluster(ag, s, "cluster_mach",
						 "Mach core (osfmk/kern, ipc, vm)", "#e3eeff",
						 "#1a3d7c");
			}
		}
		o->nodes[i] = agnode(sub[r], (char *)g->nodes[i].id, 1);
		style_node(g, &g->nodes[i], o->nodes[i], s, t);
	}
	for (int pass = 0; pass < 2; pass++)	/* crossings last: drawn on top */
		for (size_t i = 0; i < g->nedges; i++) {
			const struct viz_edge *e = &g->edges[i];
			Agedge_t *ae;

			if (e->crossing != (pass == 1))
				continue;
			ae = agedge(ag, o->nodes[e->from], o->nodes[e->to], NULL, 1);
			style_edge(g, e, ae, s, t);
			o->edges[o->nedges++] = ae;
		}
	return 0;
}

/* ---- DOT text ---------------------------------------------------------------
 * agwrite orders subgraphs by the addresses of their interned names, which
 * differ from run to run; the golden files need the same bytes every time.
 * So DOT is written here, from the cgraph objects and their declared
 * attributes (sorted by name), in the graph's own sorted order.
 */
static void dot_quoted(FILE *f, const char *v)
{
	fputc('"', f);
	for (; *v; v++) {
		if (*v == '"')
			fputc('\\', f);
		fputc(*v, f);
	}
	fputc('"', f);
}

/*
 * " [a=..., b=...]": for objects, the attributes that differ from their
 * declared default; for the root graph (obj == root) and the defaults
 * (obj NULL), every non-empty value.  Sorted by name.
 */
static void dot_attrs(FILE *f, Agraph_t *root, int kind, void *obj, const char *indent)
{
	const char *names[64];
	Agsym_t *syms[64];
	size_t n = 0;
	bool all = !obj || obj == (void *)root;

	for (Agsym_t *sym = agnxtattr(root, kind, NULL); sym && n < 64;
	     sym = agnxtattr(root, kind, sym)) {
		const char *v = obj ? agxget(obj, sym) : sym->defval;
		size_t k;

		if (!v || (all ? !*v : strcmp(v, sym->defval) == 0))
			continue;
		k = n++;	/* insertion sort: the order must not depend on cgraph */
		while (k && strcmp(names[k - 1], sym->name) > 0) {
			names[k] = names[k - 1];
			syms[k] = syms[k - 1];
			k--;
		}
		names[k] = sym->name;
		syms[k] = sym;
	}
	fputs(" [", f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s%s=", i ? indent : "", names[i]);
		dot_quoted(f, obj ? agxget(obj, syms[i]) : syms[i]->defval);
	}
	fputs("];\n", f);
}

static int write_dot(FILE *f, Agraph_t *ag, const struct viz_graph *g, const struct objs *o)
{
	static const int order[] = { VIZ_REGION_DISPATCH, VIZ_REGION_SYSCALL, VIZ_REGION_BSD,
				     VIZ_REGION_MACH, VIZ_REGION_OTHER };

	fprintf(f, "digraph xnutrace {\n\tgraph");
	dot_attrs(f, ag, AGRAPH, ag, ",\n\t\t");
	fprintf(f, "\tnode");
	dot_attrs(f, ag, AGNODE, NULL, ",\n\t\t");
	fprintf(f, "\tedge");
	dot_attrs(f, ag, AGEDGE, NULL, ",\n\t\t");
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		Agraph_t *sub = o->sub[order[k]];
		bool top = order[k] == VIZ_REGION_OTHER;

		if (!sub)
			continue;
		if (!top) {
			fprintf(f, "\tsubgraph %s {\n\t\tgraph", agnameof(sub));
			dot_attrs(f, ag, AGRAPH, sub, ",\n\t\t\t");
		}
		for (size_t i = 0; i < g->nnodes; i++) {
			if (g->nodes[i].region != (enum viz_region)order[k])
				continue;
			fprintf(f, "%s\t%s", top ? "" : "\t", g->nodes[i].id);
			dot_attrs(f, ag, AGNODE, o->nodes[i], top ? ",\n\t\t" : ",\n\t\t\t");
		}
		if (!top)
			fprintf(f, "\t}\n");
	}
	for (size_t i = 0; i < o->nedges; i++) {
		fprintf(f, "\t%s -> %s", agnameof(agtail(o->edges[i])), agnameof(aghead(o->edges[i])));
		dot_attrs(f, ag, AGEDGE, o->edges[i], ",\n\t\t");
	}
	fprintf(f, "}\n");
	return ferror(f) ? -EIO : 0;
}

/*
 * LeakSanitizer's suppressions and options (read by a SANITIZE=1 build only).
 * Graphviz 2.42 and fontconfig under its pango plugin keep memory that no API
 * frees, however they are used: gvContext's plugin configuration, dot's
 * virtual nodes and edges (class2, build_skeleton; all through libgvc's
 * gmalloc), fontconfig's pattern caches.  Matched by library: a leak our own
 * code allocates still reports.  The list of matches is not printed, so a
 * clean run prints nothing.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libgvc.so\n"
	       "leak:libfontconfig.so\n";
}

const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}

static GVC_t *viz_gvc;

static void viz_context_free(void)
{
	gvFreeContext(viz_gvc);
	viz_gvc = NULL;
}

/*
 * The process's Graphviz context, made on first use, freed at exit.  Not one
 * per render: Graphviz 2.42's pango plugin keeps a pointer to the last font
 * name it measured, a string of the context's font dictionary, and compares
 * the next label's font with it (a use after free once that context is gone;
 * later Graphviz copies the name).  One context keeps the pointer valid.
 */
static GVC_t *viz_context(void)
{
	if (viz_gvc)
		return viz_gvc;
	viz_gvc = gvContext();
	if (viz_gvc && atexit(viz_context_free) != 0) {
		gvFreeContext(viz_gvc);
		viz_gvc = NULL;
	}
	return viz_gvc;
}

/*
 * The one owner of Graphviz lifetimes.  Writes to f, or into *out (malloc'd)
 * when f is NULL.
 */
static int render(const struct viz_graph *g, enum viz_format fmt, FILE *f, char **out,
		  size_t *outlen)
{
	static const char *const fmts[] = { "dot", "svg", "png", "pdf" };
	struct syms s = { 0 };
	struct objs o = { 0 };
	GVC_t *gvc = NULL;
	Agraph_t *ag = NULL;
	bool laid_out = false;
	int err = 0;

	gvc = viz_context();
	if (!gvc)
		return -ENOMEM;
	ag = agopen("xnutrace", Agdirected, NULL);
	if (!ag) {
		err = -ENOMEM;
		goto cleanup;
	}
	declare(ag, &s, &cg_theme_temperature);
	if (g->nnodes > 400) {	/* big graphs: bound dot's crossing and simplex passes */
		agattr(ag, AGRAPH, "mclimit", "0.2");
		agattr(ag, AGRAPH, "nslimit", "2");
		agattr(ag, AGRAPH, "nslimit1", "2");
		agattr(ag, AGRAPH, "remincross", "false");
	}
	err = build(ag, g, &s, &cg_theme_temperature, &o);
	if (err)
		goto cleanup;
	if (fmt == VIZ_FMT_DOT) {	/* as built, no layout: deterministic */
		FILE *mf = f;
		char *buf = NULL;
		size_t len = 0;

		if (!f && !(mf = open_memstream(&buf, &len))) {
			err = -errno;
			goto cleanup;
		}
		err = write_dot(mf, ag, g, &o);
		if (!f) {
			fclose(mf);
			*out = buf;
			*outlen = len;
		}
		goto cleanup;
	}
	if (gvLayout(gvc, ag, "dot") != 0) {
		err = -EIO;
		goto cleanup;
	}
	laid_out = true;
	if (f) {
		if (gvRender(gvc, ag, fmts[fmt], f) != 0)
			err = -EIO;
	} else {
		char *data = NULL;
		unsigned int len = 0;

		if (gvRenderData(gvc, ag, fmts[fmt], &data, &len) != 0 || !data) {
			err = -EIO;
		} else if (!(*out = malloc(len + 1))) {
			err = -ENOMEM;
		} else {
			memcpy(*out, data, len);
			(*out)[len] = '\0';
			*outlen = len;
		}
		gvFreeRenderData(data);
	}
cleanup:
	if (laid_out)
		gvFreeLayout(gvc, ag);
	if (ag)
		agclose(ag);
	free(o.nodes);
	free(o.edges);
	return err;
}

int viz_render_file(const struct viz_graph *g, enum viz_format fmt, const char *path)
{
	FILE *f = path ? fopen(path, "wb") : stdout;
	int err;

	if (!f)
		return -errno;
	err = render(g, fmt, f, NULL, NULL);
	if (path && fclose(f) != 0 && !err)
		err = -errno;
	else if (!path && fflush(f) != 0 && !err)
		err = -errno;
	return err;
}

int viz_render_mem(const struct viz_graph *g, enum viz_format fmt, char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	return render(g, fmt, NULL, out, len);
}
