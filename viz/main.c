// SPDX-License-Identifier: BSD-2-Clause
/*
 * main.c: xnutrace-viz, the Graphviz half of xnutrace (`xnutrace graph|diff|
 * flame|html` exec it, so the collector never links Graphviz).  Reads
 * artifacts only.  Exit status: 0 done, 1 bad input or failure, 2 usage,
 * 3 the two recordings of a diff are not comparable.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/artifact.h"
#include "collector/log.h"
#include "collector/model.h"
#include "viz/diff.h"
#include "viz/flame.h"
#include "viz/graph.h"
#include "viz/html.h"
#include "viz/render.h"

#define LOG_PREFIX_VIZ "viz"

/* libxnusim is linked for its tables only: never boot or join a machine. */
const int xnusim_no_autoboot = 1;
#define MAX_FILES 8

static const char usage[] =
	"usage: xnutrace graph FILE [-o OUT.{dot,svg,png,pdf}] [--root NAME] [--depth N]\n"
	"                            [--node-thres PCT] [--edge-thres PCT] [--no-prune]\n"
	"       xnutrace diff A B [-o OUT] [--per NAME[,NAME]] [--force] [thresholds]\n"
	"       xnutrace flame FILE [FILE2] -o OUT.svg   (two files: differential, A -> B)\n"
	"       xnutrace html FILE... -o report.html [--per NAME[,NAME]]\n"
	"Thresholds are percentages of the total inclusive time (defaults 0.5 and 0.1).\n";

struct args {
	const char *cmd, *out, *root, *per_a, *per_b;
	const char *files[MAX_FILES];
	size_t nfiles;
	unsigned depth;
	struct cg_prune prune;
	bool force;
	char per_buf[256];
};

static void err_msg(const char *fmt, const char *a, const char *b)
{
	xt_log(XT_LOG_ERROR, LOG_PREFIX_VIZ, fmt, a, b);
}

static int parse_pct(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || v < 0 || v > 100)
		return -EINVAL;
	*out = v / 100.0;
	return 0;
}

static int parse(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "root", required_argument, NULL, 'r' },
		{ "depth", required_argument, NULL, 'd' },
		{ "node-thres", required_argument, NULL, 'n' },
		{ "edge-thres", required_argument, NULL, 'e' },
		{ "no-prune", no_argument, NULL, 'P' },
		{ "per", required_argument, NULL, 'p' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	a->prune = CG_PRUNE_DEFAULT;
	a->cmd = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': a->out = optarg; break;
		case 'r': a->root = optarg; break;
		case 'd': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (end == optarg || *end || v < 0 || v > 1000)
				return -EINVAL;
			a->depth = (unsigned)v;
			break;
		}
		case 'n':
			if (parse_pct(optarg, &a->prune.node_thres))
				return -EINVAL;
			break;
		case 'e':
			if (parse_pct(optarg, &a->prune.edge_thres))
				return -EINVAL;
			break;
		case 'P': a->prune.off = true; break;
		case 'f': a->force = true; break;
		case 'p': {
			char *comma;

			snprintf(a->per_buf, sizeof(a->per_buf), "%s", optarg);
			comma = strchr(a->per_buf, ',');
			a->per_a = a->per_buf;
			a->per_b = a->per_buf;
			if (comma) {
				*comma = '\0';
				a->per_b = comma + 1;
			}
			break;
		}
		default:
			return -EINVAL;
		}
	}
	for (; optind < argc; optind++) {
		if (a->nfiles == MAX_FILES)
			return -EINVAL;
		a->files[a->nfiles++] = argv[optind];
	}
	return 0;
}

static struct xt_model *load(const char *path)
{
	char why[512] = "";
	struct xt_model *m = xt_artifact__read(path, why, sizeof(why));

	if (!m)
		err_msg("%s: %s", path, why[0] ? why : strerror(errno));
	return m;
}

static int write_text(const char *path, const char *s, size_t len)
{
	FILE *f = path ? fopen(path, "wb") : stdout;
	int err = 0;

	if (!f)
		return -errno;
	if (fwrite(s, 1, len, f) != len)
		err = -EIO;
	if (path ? fclose(f) != 0 : fflush(f) != 0)
		err = err ? err : -errno;
	return err;
}

static int output_format(const char *out, enum viz_format *fmt)
{
	*fmt = VIZ_FMT_DOT;
	if (out && viz_format_from_path(out, fmt) != 0) {
		err_msg("%s: unknown output format (use .dot, .svg, .png or .pdf)%s", out, "");
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct args a = { 0 };
	struct xt_model *m[MAX_FILES] = { 0 };
	struct viz_graph *g = NULL;
	char *buf = NULL, *summary = NULL;
	size_t len = 0;
	enum viz_format fmt;
	int status = 1, err;

	if (argc < 2 || parse(argc, argv, &a) != 0 ||
	    (strcmp(a.cmd, "graph") == 0 && a.nfiles != 1) ||
	    (strcmp(a.cmd, "diff") == 0 && a.nfiles != 2) ||
	    (strcmp(a.cmd, "flame") == 0 && (a.nfiles < 1 || a.nfiles > 2 || !a.out)) ||
	    (strcmp(a.cmd, "html") == 0 && (a.nfiles < 1 || !a.out)) ||
	    (strcmp(a.cmd, "graph") && strcmp(a.cmd, "diff") && strcmp(a.cmd, "flame") &&
	     strcmp(a.cmd, "html"))) {
		fputs(usage, stderr);
		return 2;
	}
	for (size_t i = 0; i < a.nfiles; i++)
		if (!(m[i] = load(a.files[i])))
			goto cleanup;
	if (!strcmp(a.cmd, "graph")) {
		struct viz_graph_opts go = { .root = a.root, .depth = a.depth, .prune = a.prune,
					     .title = xt_model__meta(m[0])->command };

		if (output_format(a.out, &fmt))
			goto cleanup;
		g = viz_graph__new(m[0], &go);
		if (!g) {
			err_msg("%s: %s", a.files[0], errno == ENOENT
				? "--root names no syscall, trap or function in this recording"
				: strerror(errno));
			goto cleanup;
		}
		err = viz_render_file(g, fmt, a.out);
		if (err) {
			err_msg("%s: %s", a.out ? a.out : "stdout", strerror(-err));
			goto cleanup;
		}
	} else if (!strcmp(a.cmd, "diff")) {
		struct viz_diff_opts d = { .per_a = a.per_a, .per_b = a.per_b,
					   .name_a = a.files[0], .name_b = a.files[1],
					   .prune = a.prune };
		char why[512];

		if (output_format(a.out, &fmt))
			goto cleanup;
		if (viz_diff_check(m[0], m[1], why, sizeof(why)) != 0) {
			err_msg("not comparable: %s%s", why,
				a.force ? " (--force: comparing anyway)" : " (--force compares anyway)");
			if (!a.force) {
				status = 3;
				goto cleanup;
			}
		}
		g = viz_diff__new(m[0], m[1], &d, &summary);
		if (!g) {
			err_msg("diff: %s%s", summary && errno == ENOENT ? summary : strerror(errno),
				"");
			goto cleanup;
		}
		free(g->title);
		g->title = strdup("xnutrace diff: A → B");
		/* the text summary goes to stdout unless the graph does */
		fputs(summary, a.out ? stdout : stderr);
		err = viz_render_file(g, fmt, a.out);
		if (err) {
			err_msg("%s: %s", a.out ? a.out : "stdout", strerror(-err));
			goto cleanup;
		}
	} else if (!strcmp(a.cmd, "flame")) {
		struct viz_flame_opts fo = { .title = xt_model__meta(m[0])->command };

		if (a.nfiles == 2)	/* differential: widths from B, colours by B - A */
			err = viz_flame_svg(m[1], m[0], &fo, &buf, &len);
		else
			err = viz_flame_svg(m[0], NULL, &fo, &buf, &len);
		if (!err)
			err = write_text(a.out, buf, len);
		if (err) {
			err_msg("%s: %s", a.out, strerror(-err));
			goto cleanup;
		}
	} else {
		struct viz_html_opts ho = { .prune = a.prune, .per_a = a.per_a, .per_b = a.per_b };

		err = viz_html_report(m, a.files, a.nfiles, &ho, &buf, &len);
		if (!err)
			err = write_text(a.out, buf, len);
		if (err) {
			err_msg("%s: %s", a.out, strerror(-err));
			goto cleanup;
		}
	}
	status = 0;
cleanup:
	free(buf);
	free(summary);
	viz_graph__free(g);
	for (size_t i = 0; i < MAX_FILES; i++)
		xt_model__free(m[i]);
	return status;
}
