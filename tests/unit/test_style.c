/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_style.c: viz/style.c, gprof2dot's visual grammar: temperature colours
 * (hand-computed from gprof2dot's hsl_to_rgb), gamma, pen/arrow/font sizes,
 * label formats and the pruning thresholds and their note.
 */
#include <math.h>
#include <string.h>

#include "tests/harness.h"
#include "viz/style.h"

#define NEAR(a, b) (fabs((a) - (b)) < 1e-9)

TEST(temperature_ends_are_dark_blue_and_red)
{
	char hex[8];

	style_color_hex(&cg_theme_temperature, 0.0, hex);
	EXPECT_STREQ(hex, "#0d0d73");	/* HSL(2/3, 0.8, 0.25) */
	style_color_hex(&cg_theme_temperature, 1.0, hex);
	EXPECT_STREQ(hex, "#ff0000");	/* HSL(0, 1, 0.5) */
}

TEST(temperature_midpoint_is_green)
{
	char hex[8];

	style_color_hex(&cg_theme_temperature, 0.5, hex);	/* HSL(1/3, 0.9, 0.375) */
	EXPECT_STREQ(hex, "#0ab60a");
}

TEST(weight_is_clamped)
{
	char a[8], b[8];

	style_color_hex(&cg_theme_temperature, -3.0, a);
	style_color_hex(&cg_theme_temperature, 0.0, b);
	EXPECT_STREQ(a, b);
	style_color_hex(&cg_theme_temperature, 7.0, a);
	EXPECT_STREQ(a, "#ff0000");
	style_color_hex(&cg_theme_temperature, NAN, a);
	EXPECT_STREQ(a, b);
}

TEST(gamma_darkens_mid_tones_only)
{
	struct cg_theme t = cg_theme_temperature;
	double lin[3], gam[3];

	t.gamma = 2.2;
	style_color(&cg_theme_temperature, 0.5, lin);
	style_color(&t, 0.5, gam);
	EXPECT_TRUE(NEAR(gam[1], pow(lin[1], 2.2)));
	EXPECT_TRUE(gam[1] < lin[1]);
	style_color(&t, 1.0, gam);
	EXPECT_TRUE(NEAR(gam[0], 1.0) && NEAR(gam[1], 0.0));
}

TEST(hsl_to_rgb_primaries)
{
	double rgb[3];

	style_hsl_to_rgb(0.0, 1.0, 0.5, rgb);
	EXPECT_TRUE(NEAR(rgb[0], 1) && NEAR(rgb[1], 0) && NEAR(rgb[2], 0));
	style_hsl_to_rgb(1.0 / 3.0, 1.0, 0.5, rgb);
	EXPECT_TRUE(NEAR(rgb[0], 0) && NEAR(rgb[1], 1) && NEAR(rgb[2], 0));
	style_hsl_to_rgb(2.0 / 3.0, 1.0, 0.5, rgb);
	EXPECT_TRUE(NEAR(rgb[0], 0) && NEAR(rgb[1], 0) && NEAR(rgb[2], 1));
	style_hsl_to_rgb(0.5, 0.0, 0.75, rgb);	/* grey, any hue */
	EXPECT_TRUE(NEAR(rgb[0], 0.75) && NEAR(rgb[1], 0.75) && NEAR(rgb[2], 0.75));
}

TEST(penwidth_scales_with_weight_and_has_a_floor)
{
	const struct cg_theme *t = &cg_theme_temperature;

	EXPECT_TRUE(NEAR(style_penwidth(t, 1.0), 4.0));
	EXPECT_TRUE(NEAR(style_penwidth(t, 0.5), 2.0));
	EXPECT_TRUE(NEAR(style_penwidth(t, 0.05), 0.5));	/* max(0.2, 0.5) */
	EXPECT_TRUE(NEAR(style_penwidth(t, 0.0), 0.5));
	EXPECT_TRUE(NEAR(style_arrowsize(t, 0.5), 0.5 * sqrt(2.0)));
	EXPECT_TRUE(NEAR(style_arrowsize(t, 0.0), 0.5 * sqrt(0.5)));
}

TEST(fontsize_is_quadratic_with_a_floor)
{
	struct cg_theme t = cg_theme_temperature;

	EXPECT_TRUE(NEAR(style_fontsize(&t, 0.3), 10.0));	/* min = max = 10 */
	t.max_font = 20.0;
	t.min_font = 8.0;
	EXPECT_TRUE(NEAR(style_fontsize(&t, 1.0), 20.0));
	EXPECT_TRUE(NEAR(style_fontsize(&t, 0.75), 11.25));
	EXPECT_TRUE(NEAR(style_fontsize(&t, 0.5), 8.0));	/* max(5, 8) */
}

TEST(node_label_has_name_inclusive_self_and_calls)
{
	char buf[128];

	style_node_label(buf, sizeof(buf), "vm_map_fork", 0.125, 0.031, 42, true);
	EXPECT_STREQ(buf, "vm_map_fork\\n12.50% (3.10%)\\n42×");
	style_node_label(buf, sizeof(buf), "zalloc", 1.0, 0.0, 3, false);
	EXPECT_STREQ(buf, "zalloc\n100.00% (0.00%)\n3×");
}

TEST(edge_label_and_fractional_calls)
{
	char buf[64];

	style_edge_label(buf, sizeof(buf), 0.125, 42, true);
	EXPECT_STREQ(buf, "12.50%\\n42×");
	style_edge_label(buf, sizeof(buf), 0.001, 2.5, false);
	EXPECT_STREQ(buf, "0.10%\n2.50×");
}

TEST(label_truncates_safely)
{
	char buf[8];
	int n = style_node_label(buf, sizeof(buf), "a_very_long_function_name", 0.5, 0.1, 1, true);

	EXPECT_EQ(strlen(buf), 7);
	EXPECT_TRUE(n > 7);
}

TEST(durations_carry_units)
{
	char buf[32];

	style_format_ns(buf, sizeof(buf), 812);
	EXPECT_STREQ(buf, "812 ns");
	style_format_ns(buf, sizeof(buf), 3100);
	EXPECT_STREQ(buf, "3.10 µs");
	style_format_ns(buf, sizeof(buf), 12.4e6);
	EXPECT_STREQ(buf, "12.40 ms");
	style_format_ns(buf, sizeof(buf), 1.25e9);
	EXPECT_STREQ(buf, "1.25 s");
}

TEST(default_thresholds_prune_nodes_under_half_a_percent)
{
	struct cg_prune p = CG_PRUNE_DEFAULT;

	EXPECT_TRUE(style_keep_node(&p, 0.005));
	EXPECT_TRUE(!style_keep_node(&p, 0.0049));
	EXPECT_TRUE(style_keep_edge(&p, 0.001));
	EXPECT_TRUE(!style_keep_edge(&p, 0.00099));
	p.off = true;
	EXPECT_TRUE(style_keep_node(&p, 0.0) && style_keep_edge(&p, 0.0));
	p = CG_PRUNE_DEFAULT;
	p.node_thres = 0.1;
	EXPECT_TRUE(!style_keep_node(&p, 0.05));
}

TEST(prune_note_says_what_was_hidden)
{
	struct cg_prune p = CG_PRUNE_DEFAULT;
	char buf[256];

	style_prune_note(buf, sizeof(buf), &p, 120, 480, 300, 700, 0.0231);
	EXPECT_STREQ(buf, "pruned: 120 of 480 functions (< 0.50%), 300 of 700 edges (< 0.10%); "
			  "2.31% of the time is in hidden functions");
	style_prune_note(buf, sizeof(buf), &p, 0, 480, 0, 700, 0.0);
	EXPECT_STREQ(buf, "");
	p.off = true;
	style_prune_note(buf, sizeof(buf), &p, 3, 480, 0, 700, 0.01);
	EXPECT_STREQ(buf, "");
}
