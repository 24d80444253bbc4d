/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * html.h: one self-contained report page (inline CSS, JS and SVG; nothing
 * fetched from the network): per recording a summary, the syscall table
 * with latency histograms, the process tree, the call graph and the flame
 * graph; with two recordings, their diff (or why they cannot be compared).
 */
#ifndef CG_VIZ_HTML_H
#define CG_VIZ_HTML_H

#include <stddef.h>

#include "viz/style.h"

struct xt_model;

struct viz_html_opts {
	struct cg_prune prune;
	const char *per_a, *per_b;	/* the diff's --per */
};

/* The page in *out (malloc'd; the caller frees).  0 or -errno. */
int viz_html_report(struct xt_model *const *models, const char *const *names, size_t n,
		    const struct viz_html_opts *o, char **out, size_t *len);

#endif /* CG_VIZ_HTML_H */
