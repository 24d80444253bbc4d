/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_viz_graph.c: viz/graph.c, diff.c, flame.c and render.c on models
 * built in the test (tests/viz_fixture.h feeds events through the model):
 * regions and crossings, --root and --depth, pruning and its note, the
 * diff's alignment, per-operation figures and refusals, flame output, DOT.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness.h"
#include "tests/viz_fixture.h"
#include "viz/diff.h"
#include "viz/flame.h"
#include "viz/graph.h"
#include "viz/render.h"

const int xnusim_no_autoboot = 1;

static struct xt_model *fork_model(void)
{
	return fx_model("arm64", "fork_exec", fx_fork_spec);
}

static const struct viz_node *node(const struct viz_graph *g, const char *name)
{
	ssize_t i = viz_graph__find(g, name);

	return i < 0 ? NULL : &g->nodes[i];
}

static const struct viz_edge *edge(const struct viz_graph *g, const char *a, const char *b)
{
	for (size_t i = 0; i < g->nedges; i++)
		if (!strcmp(g->nodes[g->edges[i].from].name, a) &&
		    !strcmp(g->nodes[g->edges[i].to].name, b))
			return &g->edges[i];
	return NULL;
}

TEST(regions_by_registry_name_and_path)
{
	EXPECT_EQ(viz_region_of("unix_syscall", "bsd/dev/arm/systemcalls.c"), VIZ_REGION_DISPATCH);
	EXPECT_EQ(viz_region_of("handle_svc", "osfmk/arm64/sleh.c"), VIZ_REGION_DISPATCH);
	EXPECT_EQ(viz_region_of("mach_call_munger64", NULL), VIZ_REGION_DISPATCH);
	EXPECT_EQ(viz_region_of("open1", "bsd/vfs/vfs_syscalls.c"), VIZ_REGION_BSD);
	EXPECT_EQ(viz_region_of("zalloc_flags", "osfmk/kern/zalloc.c"), VIZ_REGION_MACH);
	EXPECT_EQ(viz_region_of("vm_map_enter", "osfmk/vm/vm_map.c"), VIZ_REGION_MACH);
	EXPECT_EQ(viz_region_of("ipc_kmsg_send", "osfmk/ipc/ipc_kmsg.c"), VIZ_REGION_MACH);
	EXPECT_EQ(viz_region_of("mac_proc_check_map_anon", "security/mac_process.c"),
		  VIZ_REGION_OTHER);
}

TEST(graph_has_roots_functions_and_crossings)
{
	struct xt_model *m = fork_model();
	struct viz_graph_opts o = { .prune = CG_PRUNE_DEFAULT };
	struct viz_graph *g;
	const struct viz_edge *e;
	char url[256];

	ASSERT_TRUE(m != NULL);
	g = viz_graph__new(m, &o);
	ASSERT_TRUE(g != NULL);
	EXPECT_TRUE(node(g, "fork [BSD 2]") && node(g, "fork [BSD 2]")->is_root);
	EXPECT_TRUE(node(g, "mach_msg2_trap [Mach -47]") != NULL);
	EXPECT_EQ(node(g, "zalloc_flags")->calls, 44);
	e = edge(g, "fork_create_child", "vm_map_fork");
	ASSERT_TRUE(e != NULL);
	EXPECT_TRUE(e->crossing);
	EXPECT_EQ(e->calls, 4);
	EXPECT_TRUE(!edge(g, "cloneproc", "forkproc")->crossing);
	EXPECT_TRUE(!edge(g, "vm_map_fork", "vm_map_fork_copy")->crossing);
	viz_node_url(node(g, "vm_map_fork"), url, sizeof(url));
	EXPECT_STREQ(url, VIZ_XNU_URL "osfmk/vm/vm_map.c");
	viz_node_url(node(g, "fork [BSD 2]"), url, sizeof(url));
	EXPECT_STREQ(url, "");
	EXPECT_TRUE(g->total_ns > 0);
	for (size_t i = 1; i < g->nnodes; i++)	/* sorted: deterministic output */
		EXPECT_TRUE(strcmp(g->nodes[i - 1].name, g->nodes[i].name) < 0);
	viz_graph__free(g);
	xt_model__free(m);
}

TEST(root_focus_keeps_only_that_syscall)
{
	struct xt_model *m = fork_model();
	struct viz_graph_opts o = { .root = "open", .prune = CG_PRUNE_DEFAULT };
	struct viz_graph *g = viz_graph__new(m, &o);

	ASSERT_TRUE(g != NULL);
	EXPECT_TRUE(node(g, "falloc_withinit") != NULL);
	EXPECT_TRUE(node(g, "vm_map_fork") == NULL);
	EXPECT_TRUE(node(g, "fork [BSD 2]") == NULL);
	EXPECT_EQ(node(g, "zalloc_flags")->calls, 10);	/* only open's */
	EXPECT_TRUE(g->focus >= 0 && !strcmp(g->nodes[g->focus].name, "open [BSD 5]"));
	viz_graph__free(g);
	o.root = "no_such_call";
	errno = 0;
	EXPECT_TRUE(viz_graph__new(m, &o) == NULL);
	EXPECT_EQ(errno, ENOENT);
	xt_model__free(m);
}

TEST(depth_limits_hops_from_the_top)
{
	struct xt_model *m = fork_model();
	struct viz_graph_opts o = { .depth = 1, .prune = { 0, 0, true } };
	struct viz_graph *g = viz_graph__new(m, &o);

	ASSERT_TRUE(g != NULL);
	EXPECT_TRUE(node(g, "cloneproc") != NULL);
	EXPECT_TRUE(node(g, "forkproc") == NULL);
	EXPECT_TRUE(node(g, "zalloc_flags") == NULL);
	viz_graph__free(g);
	xt_model__free(m);
}

TEST(pruning_hides_small_nodes_and_says_so)
{
	struct xt_model *m = fork_model();
	struct viz_graph_opts o = { .prune = { 0.05, 0.02, false } };
	struct viz_graph *g = viz_graph__new(m, &o), *all;

	ASSERT_TRUE(g != NULL);
	EXPECT_TRUE(node(g, "uthread_init") == NULL);	/* < 5% */
	EXPECT_TRUE(node(g, "vm_map_fork") != NULL);
	EXPECT_TRUE(g->note && strstr(g->note, "pruned: ") && strstr(g->note, "(< 5.00%)"));
	o.prune.off = true;
	all = viz_graph__new(m, &o);
	ASSERT_TRUE(all != NULL);
	EXPECT_TRUE(node(all, "uthread_init") != NULL);
	EXPECT_TRUE(all->note == NULL);
	EXPECT_TRUE(all->nnodes > g->nnodes);
	viz_graph__free(all);
	viz_graph__free(g);
	xt_model__free(m);
}

TEST(diff_aligns_by_name_per_operation)
{
	struct xt_model *a = fork_model();
	struct xt_model *b = fx_model("arm64", "posix_spawn", fx_spawn_spec);
	struct viz_diff_opts o = { .per_a = "fork", .per_b = "posix_spawn",
				   .prune = { 0, 0, true } };
	char *summary = NULL, why[256];
	struct viz_graph *d;
	const struct viz_node *n;

	ASSERT_TRUE(a && b);
	EXPECT_EQ(viz_diff_check(a, b, why, sizeof(why)), 0);
	d = viz_diff__new(a, b, &o, &summary);
	ASSERT_TRUE(d != NULL);
	EXPECT_TRUE(d->diff);
	n = node(d, "vm_map_fork");
	EXPECT_TRUE(n && n->side == VIZ_SIDE_A && n->calls_a == 1 && n->calls == 0);
	n = node(d, "load_machfile");
	EXPECT_TRUE(n && n->side == VIZ_SIDE_B && n->calls == 1);
	n = node(d, "task_create_internal");
	EXPECT_TRUE(n && n->side == VIZ_SIDE_BOTH && n->calls == 1 && n->calls_a == 1);
	EXPECT_EQ(node(d, "zalloc_flags")->calls_a, 6);	/* 24 over 4 forks */
	EXPECT_TRUE(node(d, "per operation: fork | posix_spawn") != NULL);
	EXPECT_TRUE(summary && strstr(summary, "posix_spawn never reaches") &&
		    strstr(summary, "vm_map_fork"));
	viz_graph__free(d);
	free(summary);
	xt_model__free(a);
	xt_model__free(b);
}

TEST(diff_refuses_incomparable_recordings)
{
	struct xt_model *a = fork_model(), *b = fork_model();
	char why[256];

	ASSERT_TRUE(a && b);
	xt_model__meta(b)->drops[XT_DROP_RINGBUF] = 3;
	EXPECT_EQ(viz_diff_check(a, b, why, sizeof(why)), -EINVAL);
	EXPECT_TRUE(strstr(why, "B lost 3 events") != NULL);
	xt_model__meta(b)->drops[XT_DROP_RINGBUF] = 0;
	free(xt_model__meta(b)->arch);
	xt_model__meta(b)->arch = strdup("x86_64");
	EXPECT_EQ(viz_diff_check(a, b, why, sizeof(why)), -EINVAL);
	EXPECT_TRUE(strstr(why, "different architectures") != NULL);
	free(xt_model__meta(b)->arch);
	xt_model__meta(b)->arch = strdup("arm64");
	xt_model__meta(b)->funcs_registered = 7;
	EXPECT_EQ(viz_diff_check(a, b, why, sizeof(why)), -EINVAL);
	EXPECT_TRUE(strstr(why, "probe coverage") != NULL);
	xt_model__free(a);
	xt_model__free(b);
}

TEST(flame_svg_has_frames_and_is_deterministic)
{
	struct xt_model *m = fork_model(), *b = fx_model("arm64", "s", fx_spawn_spec);
	char *s1 = NULL, *s2 = NULL, *d = NULL;
	size_t l1, l2, ld;

	ASSERT_TRUE(m && b);
	ASSERT_EQ(viz_flame_svg(m, NULL, NULL, &s1, &l1), 0);
	ASSERT_EQ(viz_flame_svg(m, NULL, NULL, &s2, &l2), 0);
	EXPECT_TRUE(l1 == l2 && memcmp(s1, s2, l1) == 0);
	EXPECT_TRUE(strstr(s1, "<title>vm_map_fork_copy: ") != NULL);
	EXPECT_TRUE(strstr(s1, "<title>all: ") != NULL);
	ASSERT_EQ(viz_flame_svg(b, m, NULL, &d, &ld), 0);
	EXPECT_TRUE(strstr(d, "Differential") != NULL);
	EXPECT_TRUE(strstr(d, "<title>exec_mach_imgact: ") != NULL);
	free(s1);
	free(s2);
	free(d);
	xt_model__free(m);
	xt_model__free(b);
}

TEST(render_dot_declares_and_links)
{
	struct xt_model *m = fork_model();
	struct viz_graph_opts o = { .prune = CG_PRUNE_DEFAULT };
	struct viz_graph *g = viz_graph__new(m, &o);
	char *dot = NULL;
	size_t len;
	enum viz_format f;

	ASSERT_TRUE(g != NULL);
	ASSERT_EQ(viz_render_mem(g, VIZ_FMT_DOT, &dot, &len), 0);
	EXPECT_TRUE(strstr(dot, "subgraph cluster_bsd") && strstr(dot, "subgraph cluster_mach"));
	EXPECT_TRUE(strstr(dot, "BSD→Mach") != NULL);
	EXPECT_TRUE(strstr(dot, "vm_map_fork\\n") != NULL);
	EXPECT_TRUE(strstr(dot, "xnu-11417.101.15/osfmk/vm/vm_map.c") != NULL);
	free(dot);
	ASSERT_EQ(viz_render_mem(g, VIZ_FMT_SVG, &dot, &len), 0);
	EXPECT_TRUE(strstr(dot, "<svg") != NULL);
	free(dot);
	EXPECT_EQ(viz_format_from_path("a.svg", &f), 0);
	EXPECT_EQ(f, VIZ_FMT_SVG);
	EXPECT_EQ(viz_format_from_path("a.gv", &f), 0);
	EXPECT_EQ(f, VIZ_FMT_DOT);
	EXPECT_EQ(viz_format_from_path("a.jpeg", &f), -EINVAL);
	viz_graph__free(g);
	xt_model__free(m);
}
