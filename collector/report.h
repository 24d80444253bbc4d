/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report.h: reading a recording back to a person or another tool.
 *   xt_report:        text: top syscalls, traps and kernel functions by
 *                     count and time, latency histograms, the process tree;
 *   xt_export_folded: folded stacks ("root;fn;fn weight"), for FlameGraph's
 *                     flamegraph.pl and speedscope;
 *   xt_export_chrome: Chrome Trace Event JSON for Perfetto / chrome://tracing.
 * All take a finished model and return 0 or -errno (-EIO on a write error).
 */
#ifndef XT_COLLECTOR_REPORT_H
#define XT_COLLECTOR_REPORT_H

#include <stdbool.h>
#include <stdio.h>

struct xt_model;

int xt_report(const struct xt_model *m, FILE *out, int top);
/* weight: self time in ns, or (by_calls) the number of calls. */
int xt_export_folded(const struct xt_model *m, FILE *out, bool by_calls);
int xt_export_chrome(const struct xt_model *m, FILE *out);

#endif /* XT_COLLECTOR_REPORT_H */
