/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vm_init.c: Mach VM at boot: the zones of maps, entries and objects, the
 * user page size of the machine's architecture, and kernel_map.
 * Corresponds to osfmk/vm/vm_init.c (vm_mem_bootstrap).
 */
#include "kmod-xnu-sim/osfmk/vm/vm_map_internal.h"

#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"

/*
 * Routine:    xs_vm_bootstrap
 * Purpose:    vm_mem_bootstrap: create the VM zones and kernel_map.  The
 *             user page size follows the machine: 16 KiB on arm64 (Apple
 *             silicon's vm_page_size), 4 KiB on x86_64.
 * Conditions: Boot, single-threaded, after xs_zalloc_bootstrap.
 */
void xs_vm_bootstrap(void)
{
	XS_FUNC(vm_mem_bootstrap);
	struct xs_machine *m = xs_machine();
	struct vm_globals *vg = &m->m_vm;

	xs_lck_mtx_init(&vg->vm_lock);
	vg->page_size = m->m_arch == XS_ARCH_X86_64 ? 4096 : 16384;
	vg->next_object_id = 0;
	xs_zone_create_id(ZONE_ID_VM_MAP, "maps", sizeof(struct vm_map));
	xs_zone_create_id(ZONE_ID_VM_MAP_ENTRY, "VM map entries", sizeof(struct vm_map_entry));
	xs_zone_create_id(ZONE_ID_VM_OBJECT, "vm objects", sizeof(struct vm_object));
	/*
	 * kernel_map records the arena's span.  kmem (xs_kmem_alloc) hands out
	 * arena pages directly and does not enter them here (fidelity.md).
	 */
	vg->kernel_map = xs_vm_map_create_internal(XS_VM_MAP_KERNEL_MIN, XS_VM_MAP_KERNEL_MAX,
						   true);
}
