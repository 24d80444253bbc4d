/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * render.h: a viz_graph drawn by Graphviz (dot layout) as DOT, SVG, PNG or
 * PDF.  render.c is the only file that includes Graphviz headers.
 *
 * DOT output is the graph as built (no layout: deterministic, what the
 * golden tests compare); the other formats are laid out with dot.
 */
#ifndef CG_VIZ_RENDER_H
#define CG_VIZ_RENDER_H

#include <stddef.h>

struct viz_graph;

enum viz_format {
	VIZ_FMT_DOT = 0,
	VIZ_FMT_SVG,
	VIZ_FMT_PNG,
	VIZ_FMT_PDF,
};

/* By the path's extension (.dot/.gv, .svg, .png, .pdf); -EINVAL otherwise. */
int viz_format_from_path(const char *path, enum viz_format *fmt);

/* Render to path (NULL: standard output).  0 or -errno (-EIO: Graphviz failed). */
int viz_render_file(const struct viz_graph *g, enum viz_format fmt, const char *path);

/* Render to memory: *out is malloc'd, NUL-terminated, the caller frees it. */
int viz_render_mem(const struct viz_graph *g, enum viz_format fmt, char **out, size_t *len);

#endif /* CG_VIZ_RENDER_H */
