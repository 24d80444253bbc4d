// SPDX-License-Identifier: BSD-2-Clause
/*
 * html.c: the report page.  Everything is inline: the call graphs are
 * render.c's SVG with the XML prolog removed, the flame graphs flame.c's,
 * the histograms small SVGs drawn here.  The script only sorts tables and
 * must never fail (the browser test checks the console).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/model.h"
#include "viz/diff.h"
#include "viz/flame.h"
#include "viz/graph.h"
#include "viz/html.h"
#include "viz/render.h"
#include "viz/sbuf.h"

static const char css[] =
	"body{font:14px/1.4 -apple-system,'DejaVu Sans',Helvetica,sans-serif;margin:0;"
	"color:#222;background:#fafafa}"
	"header{background:#1a3d7c;color:#fff;padding:12px 24px}header h1{margin:0;font-size:22px}"
	"main{padding:0 24px 40px}section{background:#fff;border:1px solid #ddd;"
	"border-radius:6px;margin:18px 0;padding:8px 16px}"
	"h2{font-size:18px;border-bottom:1px solid #eee}h3{font-size:15px}"
	"table{border-collapse:collapse;margin:6px 0}td,th{padding:2px 10px;"
	"border-bottom:1px solid #eee;text-align:left}th{background:#f0f0f0;cursor:pointer}"
	"td.n{text-align:right;font-variant-numeric:tabular-nums}"
	".graph{overflow:auto;max-height:900px;border:1px solid #eee}"
	".graph svg{max-width:none}pre{background:#f6f6f6;padding:8px;overflow:auto}"
	"ul.tree{list-style:none;padding-left:18px}ul.tree li:before{content:'└ ';color:#999}"
	".bad{color:#b71c1c;font-weight:bold}.how{color:#1a3d7c;font-size:12px}";

static const char js[] =
	"document.addEventListener('DOMContentLoaded',function(){"
	"document.querySelectorAll('table.sortable th').forEach(function(th,col){"
	"th.addEventListener('click',function(){"
	"var tb=th.closest('table').tBodies[0];if(!tb)return;"
	"var rows=Array.prototype.slice.call(tb.rows);var asc=th.dataset.asc!=='1';"
	"th.dataset.asc=asc?'1':'0';rows.sort(function(a,b){"
	"var x=a.cells[col].dataset.v||a.cells[col].textContent,"
	"y=b.cells[col].dataset.v||b.cells[col].textContent;"
	"var nx=parseFloat(x),ny=parseFloat(y);"
	"var c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);return asc?c:-c;});"
	"rows.forEach(function(r){tb.appendChild(r);});});});"
	"document.body.dataset.ready='1';});";

static const char *how_name(int how)
{
	static const char *const names[] = { "boot", "attach", "fork", "spawn", "exec" };

	return how >= 0 && how < 5 ? names[how] : "?";
}

static void summary(struct sbuf *sb, struct xt_model *m, const char *name, size_t k)
{
	struct xt_meta *mt = xt_model__meta(m);
	uint64_t drops = 0;
	char wall[32];

	for (int i = 0; i < XT_DROP_MAX; i++)
		drops += mt->drops[i];
	style_format_ns(wall, sizeof(wall), (double)mt->wall_ns);
	sb_printf(sb, "<section id=\"summary-%zu\" class=\"summary\"><h2>", k);
	sb_escape(sb, name);
	sb_printf(sb, "</h2><table>");
	sb_printf(sb, "<tr><th>command</th><td>");
	sb_escape(sb, mt->command ? mt->command : "?");
	sb_printf(sb, "</td></tr><tr><th>backend / arch</th><td>");
	sb_escape(sb, mt->backend ? mt->backend : "?");
	sb_printf(sb, " / ");
	sb_escape(sb, mt->arch ? mt->arch : "?");
	sb_printf(sb, "</td></tr><tr><th>machine</th><td>%u</td></tr>", mt->machine);
	sb_printf(sb, "<tr><th>wall time</th><td>%s</td></tr>", wall);
	sb_printf(sb, "<tr><th>events</th><td>%llu</td></tr>", (unsigned long long)mt->events);
	sb_printf(sb, "<tr><th>drops</th><td%s>%llu (ring buffer %llu, stack overflow %llu, "
		      "underflow %llu, map full %llu)</td></tr>",
		  drops ? " class=\"bad\"" : "", (unsigned long long)drops,
		  (unsigned long long)mt->drops[XT_DROP_RINGBUF],
		  (unsigned long long)mt->drops[XT_DROP_STACK_OVERFLOW],
		  (unsigned long long)mt->drops[XT_DROP_STACK_UNDERFLOW],
		  (unsigned long long)mt->drops[XT_DROP_MAP_FULL]);
	sb_printf(sb, "<tr><th>probe coverage</th><td>%u of %u functions fired</td></tr>",
		  mt->funcs_seen, mt->funcs_registered);
	sb_printf(sb, "<tr><th>tracer cost</th><td>%.1f ns per event</td></tr>",
		  mt->cost_per_event_ns);
	sb_printf(sb, "<tr><th>workload status</th><td>%d%s</td></tr></table></section>\n",
		  mt->workload_status,
		  mt->interrupted ? " <span class=\"bad\">(interrupted: partial)</span>" : "");
}

/* A log2 latency histogram: one bar per non-empty-range slot. */
static void histogram(struct sbuf *sb, const struct xt_sysstat *s)
{
	int lo = -1, hi = -1;
	uint64_t max = 0;

	for (int i = 0; i < XT_HIST_SLOTS; i++)
		if (s->hist[i]) {
			lo = lo < 0 ? i : lo;
			hi = i;
			max = s->hist[i] > max ? s->hist[i] : max;
		}
	if (lo < 0)
		return;
	sb_printf(sb, "<svg class=\"hist\" width=\"%d\" height=\"34\" role=\"img\">",
		  (hi - lo + 1) * 9 + 2 > 60 ? (hi - lo + 1) * 9 + 2 : 60);
	for (int i = lo; i <= hi; i++) {
		double h = max ? 24.0 * (double)s->hist[i] / (double)max : 0;
		char a[32], b[32];

		style_format_ns(a, sizeof(a), (double)(1ull << i));
		style_format_ns(b, sizeof(b), (double)(2ull << i));
		sb_printf(sb, "<rect x=\"%d\" y=\"%.1f\" width=\"8\" height=\"%.1f\" "
			      "fill=\"#3b6fc4\"><title>[%s, %s): %llu</title></rect>",
			  (i - lo) * 9 + 1, 26 - h, h, a, b, (unsigned long long)s->hist[i]);
	}
	sb_printf(sb, "<text x=\"1\" y=\"33\" font-size=\"7\">2^%d ns</text></svg>", lo);
}

static void syscalls(struct sbuf *sb, struct xt_model *m, size_t k)
{
	size_t n;
	const struct xt_sysstat *s = xt_model__sys(m, &n);

	sb_printf(sb, "<section id=\"syscalls-%zu\" class=\"syscalls\"><h3>BSD calls and Mach "
		      "traps (%zu)</h3><table class=\"sortable\"><thead><tr><th>name</th>"
		      "<th>family</th><th>number</th><th>count</th><th>errors</th><th>total</th>"
		      "<th>mean</th><th>latency (log2 ns)</th></tr></thead><tbody>", k, n);
	for (size_t i = 0; i < n; i++) {
		char tot[32], mean[32];

		style_format_ns(tot, sizeof(tot), (double)s[i].total_ns);
		style_format_ns(mean, sizeof(mean),
				s[i].count ? (double)s[i].total_ns / (double)s[i].count : 0);
		sb_printf(sb, "<tr><td>");
		sb_escape(sb, s[i].name ? s[i].name : "?");
		sb_printf(sb, "</td><td>%s</td><td class=\"n\">%d</td><td class=\"n\">%llu</td>"
			      "<td class=\"n\">%llu</td><td class=\"n\" data-v=\"%llu\">%s</td>"
			      "<td class=\"n\" data-v=\"%llu\">%s</td><td>",
			  s[i].family == XT_FAMILY_BSD ? "BSD" : s[i].family == XT_FAMILY_MACH
			  ? "Mach" : "mdep", s[i].number, (unsigned long long)s[i].count,
			  (unsigned long long)s[i].errors, (unsigned long long)s[i].total_ns, tot,
			  s[i].count ? (unsigned long long)(s[i].total_ns / s[i].count) : 0ull,
			  mean);
		histogram(sb, &s[i]);
		sb_printf(sb, "</td></tr>\n");
	}
	sb_printf(sb, "</tbody></table></section>\n");
}

static void proc_subtree(struct sbuf *sb, const struct xt_proc *p, size_t n, size_t at,
			 char *done, unsigned depth)
{
	const struct xt_proc *q = &p[at];

	done[at] = 1;
	sb_printf(sb, "<li><b>%d</b> ", q->pid);
	sb_escape(sb, q->comm ? q->comm : "?");
	sb_printf(sb, " <span class=\"how\">[%s", how_name(q->how));
	for (size_t i = 0; i < q->nexecs; i++) {
		sb_printf(sb, ", exec ");
		sb_escape(sb, q->execs[i]);
	}
	sb_printf(sb, "; %llu BSD calls, %llu Mach traps", (unsigned long long)q->bsd_calls,
		  (unsigned long long)q->mach_traps);
	if (q->exited)
		sb_printf(sb, "; exit status 0x%x", (unsigned)q->status);
	sb_printf(sb, "]</span>");
	if (depth < 64) {
		bool open = false;

		for (size_t i = 0; i < n; i++) {
			if (done[i] || p[i].ppid != q->pid || p[i].pid == q->pid)
				continue;
			if (!open)
				sb_printf(sb, "<ul class=\"tree\">");
			open = true;
			proc_subtree(sb, p, n, i, done, depth + 1);
		}
		if (open)
			sb_printf(sb, "</ul>");
	}
	sb_printf(sb, "</li>");
}

static int proctree(struct sbuf *sb, struct xt_model *m, size_t k)
{
	size_t n;
	const struct xt_proc *p = xt_model__procs(m, &n);
	char *done = calloc(n + 1, 1);

	if (!done)
		return -ENOMEM;
	sb_printf(sb, "<section id=\"proctree-%zu\" class=\"proctree\"><h3>Processes (%zu)</h3>"
		      "<ul class=\"tree\">", k, n);
	for (size_t i = 0; i < n; i++) {	/* tops: a parent not recorded */
		bool has_parent = false;

		for (size_t j = 0; j < n; j++)
			has_parent |= j != i && p[j].pid == p[i].ppid && p[i].pid != p[i].ppid;
		if (!has_parent && !done[i])
			proc_subtree(sb, p, n, i, done, 0);
	}
	for (size_t i = 0; i < n; i++)	/* whatever a cycle left out */
		if (!done[i])
			proc_subtree(sb, p, n, i, done, 0);
	sb_printf(sb, "</ul></section>\n");
	free(done);
	return 0;
}

/* Inline a rendered SVG: drop the XML prolog and doctype. */
static void inline_svg(struct sbuf *sb, const char *svg)
{
	const char *s = strstr(svg, "<svg");

	sb_printf(sb, "%s", s ? s : "");
}

static int callgraph(struct sbuf *sb, struct xt_model *m, const struct viz_html_opts *o,
		     size_t k)
{
	struct viz_graph_opts go = { .prune = o->prune,
				     .title = xt_model__meta(m)->command };
	struct viz_graph *g = viz_graph__new(m, &go);
	char *svg = NULL;
	size_t len;
	int err;

	if (!g)
		return -errno;
	err = viz_render_mem(g, VIZ_FMT_SVG, &svg, &len);
	if (!err) {
		sb_printf(sb, "<section id=\"callgraph-%zu\" class=\"callgraph\"><h3>Call graph"
			      "</h3><div class=\"graph\">", k);
		inline_svg(sb, svg);
		sb_printf(sb, "</div></section>\n");
	}
	free(svg);
	viz_graph__free(g);
	return err;
}

static int flame(struct sbuf *sb, struct xt_model *m, struct xt_model *a, size_t k,
		 const char *id)
{
	struct viz_flame_opts fo = { .title = a ? "Differential flame graph (A → B)"
					     : "Flame graph" };
	char *svg = NULL;
	size_t len;
	int err = viz_flame_svg(m, a, &fo, &svg, &len);

	if (err)
		return err;
	sb_printf(sb, "<section id=\"%s-%zu\" class=\"flamegraph\"><div class=\"graph\">", id, k);
	inline_svg(sb, svg);
	sb_printf(sb, "</div></section>\n");
	free(svg);
	return 0;
}

static int diff_section(struct sbuf *sb, struct xt_model *a, struct xt_model *b,
			const char *na, const char *nb, const struct viz_html_opts *o)
{
	struct viz_diff_opts d = { .per_a = o->per_a, .per_b = o->per_b, .name_a = na,
				   .name_b = nb, .prune = o->prune };
	char why[512], *summary = NULL, *svg = NULL;
	struct viz_graph *g;
	size_t len;
	int err = 0;

	sb_printf(sb, "<section id=\"diff\" class=\"diff\"><h2>Diff: A → B</h2>");
	if (viz_diff_check(a, b, why, sizeof(why)) != 0) {
		sb_printf(sb, "<p class=\"bad\">Not comparable: ");
		sb_escape(sb, why);
		sb_printf(sb, "</p></section>\n");
		return 0;
	}
	g = viz_diff__new(a, b, &d, &summary);
	if (g) {
		free(g->title);
		g->title = strdup("diff A → B");
		err = viz_render_mem(g, VIZ_FMT_SVG, &svg, &len);
	} else {
		err = errno == ENOENT ? 0 : -errno;
	}
	sb_printf(sb, "<pre>");
	sb_escape(sb, summary ? summary : "");
	sb_printf(sb, "</pre>");
	if (svg) {
		sb_printf(sb, "<div class=\"graph\">");
		inline_svg(sb, svg);
		sb_printf(sb, "</div>");
	}
	sb_printf(sb, "</section>\n");
	free(svg);
	free(summary);
	viz_graph__free(g);
	if (!err)
		err = flame(sb, b, a, 0, "diffflame");
	return err;
}

int viz_html_report(struct xt_model *const *models, const char *const *names, size_t n,
		    const struct viz_html_opts *o, char **out, size_t *len)
{
	struct sbuf sb = { 0 };
	int err = 0;

	*out = NULL;
	*len = 0;
	sb_printf(&sb, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		       "<meta name=\"viewport\" content=\"width=device-width\">"
		       "<title>xnutrace report</title><style>%s</style></head><body>\n"
		       "<header><h1>xnutrace report</h1><div>", css);
	for (size_t i = 0; i < n; i++) {
		sb_printf(&sb, "%s%c: ", i ? " · " : "", n == 2 ? (int)('A' + i) : '#');
		sb_escape(&sb, names[i]);
	}
	sb_printf(&sb, "</div></header><main>\n");
	for (size_t i = 0; i < n && !err; i++) {
		summary(&sb, models[i], names[i], i);
		syscalls(&sb, models[i], i);
		err = proctree(&sb, models[i], i);
		if (!err)
			err = callgraph(&sb, models[i], o, i);
		if (!err)
			err = flame(&sb, models[i], NULL, i, "flame");
	}
	if (!err && n == 2)
		err = diff_section(&sb, models[0], models[1], names[0], names[1], o);
	sb_printf(&sb, "</main><script>%s</script></body></html>\n", js);
	if (!err && sb.oom)
		err = -ENOMEM;
	if (err) {
		free(sb.s);
		return err;
	}
	*out = sb.s;
	*len = sb.len;
	return 0;
}
