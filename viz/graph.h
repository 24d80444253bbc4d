/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * graph.h: the graph to draw, derived from a recording (collector/model.h):
 * which nodes and edges, their figures, where each node belongs (the
 * dispatchers on top, the syscall roots, the BSD personality, the Mach
 * core), which edges cross from BSD into Mach, and what pruning hid.  No
 * Graphviz here: render.c turns a viz_graph into DOT/SVG/PNG/PDF.
 *
 * Ownership: viz_graph__new returns an owned graph; every string and array
 * inside belongs to it; viz_graph__free(NULL) is a no-op.
 */
#ifndef CG_VIZ_GRAPH_H
#define CG_VIZ_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "viz/style.h"

struct xt_model;

#define VIZ_XNU_URL "https://github.com/apple-oss-distributions/xnu/blob/xnu-11417.101.15/"

enum viz_region {
	VIZ_REGION_OTHER = 0,	/* machine-dependent, security/, ... */
	VIZ_REGION_DISPATCH,	/* handle_svc, unix_syscall, mach_syscall, ... */
	VIZ_REGION_SYSCALL,	/* a syscall/trap root (pseudo-node) */
	VIZ_REGION_BSD,		/* bsd/... */
	VIZ_REGION_MACH,	/* osfmk/{kern,ipc,vm,mach}/... */
};

enum viz_side {			/* diff graphs only */
	VIZ_SIDE_BOTH = 0,
	VIZ_SIDE_A,		/* only in the first recording */
	VIZ_SIDE_B,		/* only in the second */
};

struct viz_node {
	char id[24];		/* stable short DOT id: "f42", "r1_5", "n7" */
	char *name;		/* display name */
	char *path;		/* XNU source path, or NULL (syscall roots) */
	enum viz_region region;
	bool is_root;
	double calls, incl_ns, self_ns;		/* diff graphs: the B side */
	double calls_a, incl_a_ns, self_a_ns;	/* diff graphs: the A side */
	enum viz_side side;
};

struct viz_edge {
	size_t from, to;	/* indexes into nodes */
	double calls, incl_ns;			/* diff graphs: the B side */
	double calls_a, incl_a_ns;		/* diff graphs: the A side */
	enum viz_side side;
	bool crossing;		/* BSD personality -> Mach core */
};

struct viz_graph {
	struct viz_node *nodes;	/* sorted by name */
	size_t nnodes, cap_nodes;
	struct viz_edge *edges;	/* sorted by (caller name, callee name) */
	size_t nedges, cap_edges;
	double total_ns;	/* 100%: inclusive time of the top-level entries */
	double total_a_ns;	/* diff graphs: the A side's 100% */
	double max_calls;	/* the largest edge call count: full pen width */
	char *title;
	char *note;		/* what pruning hid, or NULL */
	bool diff;
	ssize_t focus;		/* the --root node, or -1 */
};

struct viz_graph_opts {
	const char *root;	/* focus: a syscall/trap (or function) by name; NULL: all */
	unsigned depth;		/* calls below the top to keep; 0: unlimited */
	struct cg_prune prune;
	const char *title;	/* NULL: from the recording's command */
};

/*
 * The graph of a finished model.  Edges are summed over syscall roots (or
 * only those under opts->root), nodes are reached from the top-level
 * entries within opts->depth, then pruned.  NULL with errno: ENOENT when
 * opts->root names nothing in the recording, ENOMEM.
 */
struct viz_graph *viz_graph__new(const struct xt_model *m, const struct viz_graph_opts *opts);
void viz_graph__free(struct viz_graph *g);

/* Building by hand (diff.c, tests).  Return the new index, or -ENOMEM. */
struct viz_graph *viz_graph__empty(void);
ssize_t viz_graph__add_node(struct viz_graph *g, const char *name, const char *path,
			    bool is_root);
ssize_t viz_graph__add_edge(struct viz_graph *g, size_t from, size_t to);
/* Index of the node of this name, or -1. */
ssize_t viz_graph__find(const struct viz_graph *g, const char *name);
/* Sort nodes by name and edges by (from name, to name), renumbering. */
int viz_graph__sort(struct viz_graph *g);

/* Which part of the kernel a function belongs to, by registry name and path. */
enum viz_region viz_region_of(const char *name, const char *path);
bool viz_is_dispatcher(const char *name);
/* The XNU source URL of a node, or "" for roots. */
int viz_node_url(const struct viz_node *n, char *buf, size_t len);

#endif /* CG_VIZ_GRAPH_H */
