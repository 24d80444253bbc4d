/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * names.c: syscall names from the kernel's generated dispatch tables
 * (xnusim_bsd_table_row / xnusim_mach_table_row), durations, and the
 * tracepoint listing of docs/tracepoints.md with the function registry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "bpf/xnutrace.h"
#include "collector/names.h"
#include "kmod-xnu-sim/include/xnusim/xnusim.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

int xt_syscall_lookup(const char *name, int *family, int32_t *number)
{
	struct xnusim_table_row row;

	for (unsigned i = 0; xnusim_bsd_table_row(i, &row) == 0; i++)
		if (row.name && strcmp(row.name, name) == 0 && strcmp(row.status, "nosys")) {
			*family = XT_FAMILY_BSD;
			*number = row.number;
			return 0;
		}
	for (unsigned i = 0; xnusim_mach_table_row(i, &row) == 0; i++)
		if (row.name && strcmp(row.name, name) == 0 && strcmp(row.status, "invalid")) {
			*family = XT_FAMILY_MACH;
			*number = row.number;
			return 0;
		}
	return -ENOENT;
}

int xt_parse_duration(const char *s, uint64_t *ns)
{
	static const struct { const char *unit; double mult; } units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "", 1 },
	};
	char *end;
	double v = strtod(s, &end);

	if (end == s || v < 0)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(end, units[i].unit) == 0) {
			*ns = (uint64_t)(v * units[i].mult + 0.5);
			return 0;
		}
	return -EINVAL;
}

static const struct {
	const char *name, *args;
} probes[] = {
	{ "syscall_entry", "machine u32, pid s32, tid u64, family s32, number s32, kdebug_id u32, "
			   "arg0 u64, arg1 u64, arg2 u64, arg3 u64" },
	{ "syscall_return", "machine u32, pid s32, tid u64, family s32, number s32, retval s64, "
			    "error s32" },
	{ "func_entry", "machine u32, pid s32, tid u64, fid u32" },
	{ "func_return", "machine u32, pid s32, tid u64, fid u32" },
	{ "proc_create", "machine u32, pid s32, ppid s32, how s32" },
	{ "proc_exec", "machine u32, pid s32, path char *" },
	{ "proc_exit", "machine u32, pid s32, status s32" },
	{ "msg_send", "machine u32, pid s32, tid u64, port u64, msgh_id s32, size u32" },
	{ "msg_receive", "machine u32, pid s32, tid u64, port u64, msgh_id s32, size u32" },
	{ "vm_map_change", "machine u32, pid s32, op s32, addr u64, size u64, prot s32" },
};

int xt_probes_print(FILE *out)
{
	uint32_t n = xs_func_registry_count();
	char sub[128];

	fprintf(out, "# tracepoints: USDT provider xnu in libxnusim.so (docs/tracepoints.md)\n");
	fprintf(out, "probe\targuments\n");
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		fprintf(out, "xnu:%s\t%s\n", probes[i].name, probes[i].args);
	fprintf(out, "\n# function registry: %u modeled kernel functions (func_entry/return fid)\n", n);
	fprintf(out, "id\tname\tsubsystem\txnu_path\n");
	for (uint32_t id = 1; id <= n; id++) {
		const struct xs_func *f = xs_func_registry_get(id);

		if (!f)
			continue;
		xs_func_subsystem(f, sub, sizeof(sub));
		fprintf(out, "%u\t%s\t%s\t%s\n", id, f->xf_name, sub, xs_func_xnu_path(f));
	}
	return ferror(out) ? -EIO : 0;
}
