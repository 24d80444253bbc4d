/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * syscall_sw.h: the Mach trap table.  Corresponds to osfmk/kern/syscall_sw.h;
 * mach_trap_table[128] is generated from tables/mach-traps.tsv into
 * .output/gen/syscall_sw.c (scripts/gen_mach_traps.awk).  A trap function
 * takes a pointer to its 64-bit argument slots (PAD_ARG_ layout).
 */
#ifndef XS_KERN_SYSCALL_SW_H
#define XS_KERN_SYSCALL_SW_H

#include "kmod-xnu-sim/osfmk/kern/kern_types.h"

typedef xs_kern_return_t mach_trap_function_t(void *args);

struct mach_trap {
	mach_trap_function_t *mach_trap_function;	/* NULL: kern_invalid or unmodeled */
	uint8_t mach_trap_arg_count;
	uint8_t mach_trap_u32_words;
	uint8_t mach_trap_returns_port;
	uint8_t mach_trap_valid;	/* not kern_invalid in XNU */
	uint32_t mach_trap_kdebug;	/* MACHDBG_CODE(DBG_MACH_EXCP_SC, n) */
	const char *mach_trap_name;
	const char *mach_trap_munge32;
};

#define XS_MACH_TRAP_TABLE_COUNT 128
extern struct mach_trap xs_mach_trap_table[XS_MACH_TRAP_TABLE_COUNT];

/* Implemented in XNU but not modeled here: KERN_NOT_SUPPORTED (fidelity.md). */
xs_kern_return_t xs_unmodeled_trap(void *args);

#endif /* XS_KERN_SYSCALL_SW_H */
