/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vm_globals.h: Mach VM's machine-wide state (a member of struct xs_machine).
 */
#ifndef XS_VM_VM_GLOBALS_H
#define XS_VM_VM_GLOBALS_H

#include "kmod-xnu-sim/osfmk/kern/kern_types.h"
#include "kmod-xnu-sim/osfmk/kern/locks.h"

struct vm_map;

struct vm_globals {
	lck_mtx_t vm_lock;
	struct vm_map *kernel_map;
	uint64_t page_size;		/* user page size: 16 KiB arm64, 4 KiB x86_64 */
	uint64_t next_object_id;
};

void xs_vm_bootstrap(void);	/* zones, kernel_map */

#endif /* XS_VM_VM_GLOBALS_H */
