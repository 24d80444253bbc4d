/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * style.h: gprof2dot's visual grammar as pure, tested C data: the heat
 * colour of a weight in an HSL theme with gamma, pen and arrow sizes, font
 * sizes, the node and edge labels, and the pruning thresholds.  No Graphviz
 * here (render.c applies these values), so every rule is unit-testable.
 *
 * Weights are shares in [0, 1] (clamped): inclusive time share for colour and
 * font size, call share for pen width.
 */
#ifndef CG_VIZ_STYLE_H
#define CG_VIZ_STYLE_H

#include <stdbool.h>
#include <stddef.h>

struct cg_hsl {
	double h, s, l;		/* each in [0, 1] */
};

struct cg_theme {
	struct cg_hsl min, max;	/* colour of weight 0 and weight 1 */
	double gamma, skew;	/* skew 1: linear interpolation */
	double min_pen, max_pen;
	double min_font, max_font;
	const char *font;
};

/* gprof2dot's temperature theme: dark blue (2/3, 0.8, 0.25) to red (0, 1, 0.5). */
extern const struct cg_theme cg_theme_temperature;

/* Pruning thresholds, as fractions of the total inclusive time. */
struct cg_prune {
	double node_thres;	/* default 0.005 (0.5%) */
	double edge_thres;	/* default 0.001 (0.1%) */
	bool off;		/* --no-prune */
};
#define CG_PRUNE_DEFAULT ((struct cg_prune){ 0.005, 0.001, false })

/* Interpolate in HSL, convert to RGB, apply gamma.  rgb[] in [0, 1]. */
void style_color(const struct cg_theme *t, double weight, double rgb[3]);
/* HSL (each component in [0, 1]; h wraps) to RGB in [0, 1], no gamma. */
void style_hsl_to_rgb(double h, double s, double l, double rgb[3]);
/* "#rrggbb" into buf (at least 8 bytes). */
void style_color_hex(const struct cg_theme *t, double weight, char buf[8]);
void style_rgb_hex(const double rgb[3], char buf[8]);

/* max(w * max_pen, min_pen) */
double style_penwidth(const struct cg_theme *t, double weight);
/* 0.5 * sqrt(penwidth) */
double style_arrowsize(const struct cg_theme *t, double weight);
/* max(w^2 * max_font, min_font) */
double style_fontsize(const struct cg_theme *t, double weight);

/*
 * Labels, written into buf (always NUL-terminated, truncated to len).
 * Node: "name\n12.50% (3.10%)\n42×"; edge: "12.50%\n42×".  The line breaks
 * are DOT's escString "\n" (backslash, n) when dot_escapes, real newlines
 * otherwise.  Call counts print as integers, or with two decimals when
 * fractional (per-operation figures in diffs).  Returns the length that
 * would have been written, as snprintf does.
 */
int style_node_label(char *buf, size_t len, const char *name, double incl_share,
		     double self_share, double calls, bool dot_escapes);
int style_edge_label(char *buf, size_t len, double share, double calls, bool dot_escapes);
/* "42" or "2.50": the count part of a label. */
int style_format_calls(char *buf, size_t len, double calls);
/* A duration with a unit: "812 ns", "3.10 µs", "12.40 ms", "1.25 s". */
int style_format_ns(char *buf, size_t len, double ns);

/* Keep a node / an edge of this share of the total?  Always true when off. */
bool style_keep_node(const struct cg_prune *p, double share);
bool style_keep_edge(const struct cg_prune *p, double share);
/*
 * The visible note for what pruning hid, e.g. "pruned: 120 of 480 functions
 * (< 0.50%), 300 of 700 edges (< 0.10%); 2.31% of the time is in hidden
 * functions".  Empty string when nothing was hidden.
 */
int style_prune_note(char *buf, size_t len, const struct cg_prune *p, size_t nodes_hidden,
		     size_t nodes_total, size_t edges_hidden, size_t edges_total,
		     double hidden_share);

#endif /* CG_VIZ_STYLE_H */
