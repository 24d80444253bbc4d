/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * flame.h: flame graphs drawn by the project itself (no external script):
 * an SVG of the calling-context tree, frames as wide as their inclusive
 * time, coloured by where they run (BSD personality warm, Mach core blue),
 * with a tooltip per frame.  Given two recordings, the differential form:
 * widths from the second, red where it grew, blue where it shrank.
 * Deterministic: the same artifact gives the same bytes.
 */
#ifndef CG_VIZ_FLAME_H
#define CG_VIZ_FLAME_H

#include <stddef.h>

struct xt_model;

struct viz_flame_opts {
	const char *title;	/* NULL: "Flame graph" */
	unsigned width;		/* pixels; 0: 1200 */
};

/*
 * The flame graph of m (or the differential graph of a -> m when a is not
 * NULL) as an SVG document in *out (malloc'd, NUL-terminated; the caller
 * frees).  Uses the recording's exact stacks when it has them, else expands
 * the caller/callee edges (gprof's approximation).  0 or -ENOMEM.
 */
int viz_flame_svg(const struct xt_model *m, const struct xt_model *a,
		  const struct viz_flame_opts *o, char **out, size_t *len);

#endif /* CG_VIZ_FLAME_H */
