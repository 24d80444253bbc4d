/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * export_folded.c: the calling-context tree as folded stacks, one line per
 * distinct stack: "open;open1;falloc_withinit;zalloc_flags 1234".  The
 * weight is the stack's self time in nanoseconds (or its calls), so a flame
 * graph's widths are time; lines with weight 0 are left out, as
 * stackcollapse scripts do.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "collector/model.h"
#include "collector/report.h"

int xt_export_folded(const struct xt_model *m, FILE *out, bool by_calls)
{
	size_t n;
	const struct xt_stack *s = xt_model__stacks(m, &n);
	uint32_t path[XT_MAX_DEPTH + 1];

	for (size_t i = 0; i < n; i++) {
		uint64_t w = by_calls ? s[i].calls : s[i].self_ns;
		int depth = 0;

		if (!w)
			continue;
		for (size_t k = i + 1; k && depth <= XT_MAX_DEPTH; k = s[k - 1].parent)
			path[depth++] = s[k - 1].id;
		while (depth--)
			fprintf(out, "%s%c", xt_model__node_name(m, path[depth]), depth ? ';' : ' ');
		fprintf(out, "%" PRIu64 "\n", w);
	}
	return ferror(out) ? -EIO : 0;
}
