// SPDX-License-Identifier: BSD-2-Clause
/*
 * mkartifact: writes the artifacts the viz golden tests and benchmarks read.
 *	mkartifact fork_exec OUT.json      fork + exec, open, mach_msg2 (arm64)
 *	mkartifact posix_spawn OUT.json    the same job with posix_spawn
 *	mkartifact drops OUT.json          fork_exec with ring-buffer drops
 *	mkartifact x86 OUT.json            fork_exec recorded on x86_64
 *	mkartifact big N OUT.json          a synthetic N-function graph
 * The committed tests/golden/viz/<case>.json were written by this tool; the
 * registry is libxnusim's, so ids and XNU paths are the real ones.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/artifact.h"
#include "tests/viz_fixture.h"

const int xnusim_no_autoboot = 1;

/* N functions in layers of a BSD and a Mach half, each calling a few below. */
static struct xt_model *big(unsigned n)
{
	struct xt_model *m = xt_model__new();
	struct xt_meta *mt;
	char name[64], path[64];

	if (!m)
		return NULL;
	for (unsigned i = 1; i <= n; i++) {
		snprintf(name, sizeof(name), "fn_%05u", i);
		snprintf(path, sizeof(path), i <= n / 2 ? "bsd/kern/synthetic_%u.c"
							 : "osfmk/vm/synthetic_%u.c", i % 40);
		if (xt_model__add_func(m, i, name, path))
			return NULL;
	}
	for (unsigned r = 0; r < 8; r++) {
		uint32_t root = XT_ROOT_ID(XT_FAMILY_BSD, 3 + r);
		struct xt_edge e = { 0, root, root, 100, 8000000, 10000 };
		struct xt_sys_key k = { XT_FAMILY_BSD, 3 + (int)r };
		struct xt_sys_val v = { .count = 100, .total_ns = 8000000 };

		v.hist[16] = 100;
		if (xt_model__add_edge(m, &e) || xt_model__add_sys(m, &k, &v))
			return NULL;
		for (unsigned j = 0; j < 4; j++) {
			struct xt_edge c = { root, 1 + (r * 4 + j) % n, root, 100, 1900000, 1000 };

			if (xt_model__add_edge(m, &c))
				return NULL;
		}
	}
	for (unsigned i = 1; i <= n; i++)
		for (unsigned j = 1; j <= 3; j++) {
			unsigned callee = i * 3 + j;	/* a tree, then cross links */
			struct xt_edge e = { i, callee, XT_ROOT_ID(XT_FAMILY_BSD, 3 + i % 8),
					     1 + (i * j) % 50, 100000 / (i + 1) + 1, 10 };

			if (callee > n)
				callee = 1 + (i * 7 + j * 13) % n;
			if (callee <= i)
				continue;
			e.callee = callee;
			if (xt_model__add_edge(m, &e))
				return NULL;
		}
	if (xt_model__finish(m))
		return NULL;
	mt = xt_model__meta(m);
	free(mt->backend);
	free(mt->arch);
	free(mt->command);
	mt->backend = strdup("inproc");
	mt->arch = strdup("arm64");
	mt->command = strdup("synthetic");
	mt->funcs_registered = n;
	return m;
}

int main(int argc, char **argv)
{
	struct xt_artifact_opts wo = { .normalise = false, .compact = false };
	struct xt_model *m = NULL;
	const char *out = argv[argc - 1];
	int err = 0;

	xs_func_registry_init();
	if (argc == 4 && !strcmp(argv[1], "big"))
		m = big((unsigned)atoi(argv[2]));
	else if (argc != 3)
		err = -EINVAL;
	else if (!strcmp(argv[1], "fork_exec") || !strcmp(argv[1], "drops"))
		m = fx_model("arm64", "fork_exec", fx_fork_spec);
	else if (!strcmp(argv[1], "x86"))
		m = fx_model("x86_64", "fork_exec", fx_fork_spec);
	else if (!strcmp(argv[1], "posix_spawn"))
		m = fx_model("arm64", "posix_spawn", fx_spawn_spec);
	else
		err = -EINVAL;
	if (err) {
		fprintf(stderr, "usage: mkartifact fork_exec|posix_spawn|drops|x86 OUT | big N OUT\n");
		return 2;
	}
	if (!m) {
		fprintf(stderr, "mkartifact: cannot build the model\n");
		return 1;
	}
	if (!strcmp(argv[1], "drops"))
		xt_model__meta(m)->drops[XT_DROP_RINGBUF] = 17;
	err = xt_artifact__write(m, out, &wo);
	if (err)
		fprintf(stderr, "mkartifact: %s: %s\n", out, strerror(-err));
	xt_model__free(m);
	return err ? 1 : 0;
}
