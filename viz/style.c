// SPDX-License-Identifier: BSD-2-Clause
/*
 * style.c: gprof2dot's theme arithmetic (Theme.color, hsl_to_rgb,
 * edge_penwidth, fontsize) and our label and pruning rules.  Pure functions:
 * the numbers here are what the golden DOT files pin down.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "viz/style.h"

const struct cg_theme cg_theme_temperature = {
	.min = { 2.0 / 3.0, 0.80, 0.25 },
	.max = { 0.0, 1.0, 0.5 },
	.gamma = 1.0,		/* gprof2dot's TEMPERATURE_COLORMAP */
	.skew = 1.0,
	.min_pen = 0.5,
	.max_pen = 4.0,
	.min_font = 10.0,
	.max_font = 10.0,
	.font = "Helvetica",
};

static double clamp01(double x)
{
	if (!(x > 0.0))		/* also NaN */
		return 0.0;
	return x > 1.0 ? 1.0 : x;
}

static double hue_to_rgb(double m1, double m2, double h)
{
	if (h < 0.0)
		h += 1.0;
	else if (h > 1.0)
		h -= 1.0;
	if (h * 6 < 1.0)
		return m1 + (m2 - m1) * h * 6.0;
	if (h * 2 < 1.0)
		return m2;
	if (h * 3 < 2.0)
		return m1 + (m2 - m1) * (2.0 / 3.0 - h) * 6.0;
	return m1;
}

void style_hsl_to_rgb(double h, double s, double l, double rgb[3])
{
	double m1, m2;

	h = fmod(h, 1.0);
	if (h < 0)
		h += 1.0;
	s = clamp01(s);
	l = clamp01(l);
	m2 = l <= 0.5 ? l * (s + 1.0) : l + s - l * s;
	m1 = l * 2.0 - m2;
	rgb[0] = hue_to_rgb(m1, m2, h + 1.0 / 3.0);
	rgb[1] = hue_to_rgb(m1, m2, h);
	rgb[2] = hue_to_rgb(m1, m2, h - 1.0 / 3.0);
}

/* Linear for skew 1; otherwise gprof2dot's exponential skew. */
static double lerp(double a, double b, double w, double skew)
{
	if (skew == 1.0 || skew <= 0.0)
		return a + w * (b - a);
	return a + (b - a) * (pow(skew, w) - 1.0) / (skew - 1.0);
}

void style_color(const struct cg_theme *t, double weight, double rgb[3])
{
	double w = clamp01(weight);
	double h = lerp(t->min.h, t->max.h, w, t->skew);
	double s = lerp(t->min.s, t->max.s, w, t->skew);
	double l = lerp(t->min.l, t->max.l, w, t->skew);

	style_hsl_to_rgb(h, s, l, rgb);
	for (int i = 0; i < 3; i++)
		rgb[i] = pow(clamp01(rgb[i]), t->gamma);
}

void style_rgb_hex(const double rgb[3], char buf[8])
{
	int c[3];

	for (int i = 0; i < 3; i++)
		c[i] = (int)lround(clamp01(rgb[i]) * 255.0);
	snprintf(buf, 8, "#%02x%02x%02x", c[0], c[1], c[2]);
}

void style_color_hex(const struct cg_theme *t, double weight, char buf[8])
{
	double rgb[3];

	style_color(t, weight, rgb);
	style_rgb_hex(rgb, buf);
}

double style_penwidth(const struct cg_theme *t, double weight)
{
	double p = clamp01(weight) * t->max_pen;

	return p > t->min_pen ? p : t->min_pen;
}

double style_arrowsize(const struct cg_theme *t, double weight)
{
	return 0.5 * sqrt(style_penwidth(t, weight));
}

double style_fontsize(const struct cg_theme *t, double weight)
{
	double w = clamp01(weight);
	double f = w * w * t->max_font;

	return f > t->min_font ? f : t->min_font;
}

int style_format_calls(char *buf, size_t len, double calls)
{
	if (calls == floor(calls) && calls < 1e15)
		return snprintf(buf, len, "%.0f", calls);
	return snprintf(buf, len, "%.2f", calls);
}

int style_format_ns(char *buf, size_t len, double ns)
{
	double a = fabs(ns);

	if (a < 1e3)
		return snprintf(buf, len, "%.0f ns", ns);
	if (a < 1e6)
		return snprintf(buf, len, "%.2f µs", ns / 1e3);
	if (a < 1e9)
		return snprintf(buf, len, "%.2f ms", ns / 1e6);
	return snprintf(buf, len, "%.2f s", ns / 1e9);
}

int style_node_label(char *buf, size_t len, const char *name, double incl_share,
		     double self_share, double calls, bool dot_escapes)
{
	const char *nl = dot_escapes ? "\\n" : "\n";
	char n[32];

	style_format_calls(n, sizeof(n), calls);
	return snprintf(buf, len, "%s%s%.2f%% (%.2f%%)%s%s×", name, nl, incl_share * 100.0,
			self_share * 100.0, nl, n);
}

int style_edge_label(char *buf, size_t len, double share, double calls, bool dot_escapes)
{
	char n[32];

	style_format_calls(n, sizeof(n), calls);
	return snprintf(buf, len, "%.2f%%%s%s×", share * 100.0, dot_escapes ? "\\n" : "\n", n);
}

bool style_keep_node(const struct cg_prune *p, double share)
{
	return p->off || share >= p->node_thres;
}

bool style_keep_edge(const struct cg_prune *p, double share)
{
	return p->off || share >= p->edge_thres;
}

int style_prune_note(char *buf, size_t len, const struct cg_prune *p, size_t nodes_hidden,
		     size_t nodes_total, size_t edges_hidden, size_t edges_total,
		     double hidden_share)
{
	if (len)
		buf[0] = '\0';
	if (p->off || (nodes_hidden == 0 && edges_hidden == 0))
		return 0;
	return snprintf(buf, len,
			"pruned: %zu of %zu functions (< %.2f%%), %zu of %zu edges (< %.2f%%); "
			"%.2f%% of the time is in hidden functions",
			nodes_hidden, nodes_total, p->node_thres * 100.0, edges_hidden,
			edges_total, p->edge_thres * 100.0, hidden_share * 100.0);
}
