/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * trace_fmt.h: live trace output (xnutrace trace), one line per completed
 * call, dtruss/strace style:
 *
 *     2/259     open("/no/such/file", O_RDONLY, 0) = -1 ENOENT  <3.120us>
 *     2/259     task_self_trap() = 0x103  <0.950us>
 *     2/259     _kernelrpc_mach_port_deallocate_trap(0x103, 0x7777) = KERN_INVALID_NAME (0xf)  <1.4us>
 *
 * Entries are held per thread until their return (the duration is the
 * difference); lifecycle events print as they come ("2  proc_exec
 * /bin/ls").  With XT_TRACE_FUNCS, function entry/return events print as an
 * indented call tree under the syscall.
 */
#ifndef XT_COLLECTOR_TRACE_FMT_H
#define XT_COLLECTOR_TRACE_FMT_H

#include <stdio.h>
#include <linux/types.h>

#include "bpf/xnutrace.h"

#define XT_TRACE_FUNCS    0x1	/* print function entries and returns */
#define XT_TRACE_NO_TIME  0x2	/* no <duration> (golden tests) */
#define XT_TRACE_TS       0x4	/* prefix each line with seconds since the first event */

struct xt_trace_fmt;

/* Returns an owned formatter (free with __free), or NULL with errno set. */
struct xt_trace_fmt *xt_trace_fmt__new(unsigned flags);
void xt_trace_fmt__free(struct xt_trace_fmt *f);	/* NULL-safe */
/*
 * Take one event; print to out whatever it completes (0, 1 or more lines).
 * Returns 0 or -errno (-EIO when out fails).
 */
int xt_trace_fmt__event(struct xt_trace_fmt *f, const struct xt_event *ev, FILE *out);
/* Print calls still waiting for their return ("open(...) = ? <unfinished>"). */
int xt_trace_fmt__flush(struct xt_trace_fmt *f, FILE *out);

#endif /* XT_COLLECTOR_TRACE_FMT_H */
