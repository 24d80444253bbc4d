/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * diff.h: two recordings in one graph, aligned by function name: common
 * nodes and edges, and those only in A or only in B, styled apart (render.c).
 * Figures are normalised per operation: per root call of a chosen syscall
 * in each recording (--per fork,posix_spawn), or per run.
 */
#ifndef CG_VIZ_DIFF_H
#define CG_VIZ_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "viz/style.h"

struct xt_model;
struct viz_graph;

struct viz_diff_opts {
	const char *per_a, *per_b;	/* syscall names, or NULL: per run */
	const char *name_a, *name_b;	/* how the summary names A and B */
	struct cg_prune prune;
};

/*
 * Are a and b comparable?  0, or -EINVAL with the reason in why: drops in
 * either, different probe coverage (function registries), different
 * architectures, different artifact versions.
 */
int viz_diff_check(const struct xt_model *a, const struct xt_model *b, char *why, size_t len);

/*
 * The diff graph (pruned by the larger of the two shares) and, in *summary
 * (malloc'd, the caller frees), the structural differences and the largest
 * cost changes as text.  NULL with errno: ENOENT when a --per name is not in
 * its recording (*summary then says which), ENOMEM.
 */
struct viz_graph *viz_diff__new(const struct xt_model *a, const struct xt_model *b,
				const struct viz_diff_opts *o, char **summary);

#endif /* CG_VIZ_DIFF_H */
