/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * names.h: what the command line names: syscalls and traps by their XNU
 * names (the kernel's generated tables), durations, and the listing of
 * every tracepoint and modeled function (xnutrace probes).
 */
#ifndef XT_COLLECTOR_NAMES_H
#define XT_COLLECTOR_NAMES_H

#include <stdint.h>
#include <stdio.h>

/* "open" -> (BSD, 5); "mach_msg2_trap" -> (Mach, -47).  0 or -ENOENT. */
int xt_syscall_lookup(const char *name, int *family, int32_t *number);
/* "250us", "1.5ms", "2s", "100" (ns).  0 or -EINVAL. */
int xt_parse_duration(const char *s, uint64_t *ns);
/* The probes with their arguments, then the function registry (TSV). */
int xt_probes_print(FILE *out);

#endif /* XT_COLLECTOR_NAMES_H */
