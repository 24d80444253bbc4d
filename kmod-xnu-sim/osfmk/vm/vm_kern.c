/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vm_kern.c: the kernel's entry points into a map on behalf of a caller
 * that has already been checked: mach_vm_allocate_kernel (the VM traps,
 * exec's argument area) and mach_vm_map_kernel (mmap of anonymous memory,
 * mach_vm_map).  Corresponds to osfmk/vm/vm_kern.c.
 */
#include "kmod-xnu-sim/osfmk/vm/vm_map_internal.h"

#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

/*
 * mach_vm_allocate_kernel_sanitize: size 0 succeeds at address 0; a size
 * that rounds past the top of the address space is invalid; a fixed range
 * that wraps is an invalid address (vm_allocate's historical error).
 */
static xs_kern_return_t mach_vm_allocate_kernel_sanitize(struct vm_map *map,
							 mach_vm_address_t addr,
							 mach_vm_size_t size, bool anywhere,
							 uint64_t *map_addr, uint64_t *map_size)
{
	XS_FUNC(mach_vm_allocate_kernel_sanitize);
	uint64_t mask = xs_vm_map_page_mask(map);

	*map_size = xs_vm_map_round_page(size, mask);
	if (*map_size == 0)
		return KERN_INVALID_ARGUMENT;
	if (anywhere) {
		*map_addr = map->min_offset;
		return KERN_SUCCESS;
	}
	if (xs_vm_map_range_overflows(map, addr, size))
		return KERN_INVALID_ADDRESS;
	*map_addr = xs_vm_map_trunc_page(addr, mask);
	return KERN_SUCCESS;
}

/*
 * Routine:    xs_mach_vm_allocate_kernel
 * Purpose:    Zero-filled memory in map: VM_FLAGS_ANYWHERE picks the place,
 *             otherwise *addr (truncated to a page) is used exactly, and
 *             VM_FLAGS_OVERWRITE replaces what is there.  The VM tag rides
 *             in the top byte of flags.
 * Conditions: Nothing locked.  flags already checked by the caller.
 * Returns:    KERN_SUCCESS (*addr set; 0 for size 0), KERN_INVALID_ARGUMENT,
 *             KERN_INVALID_ADDRESS, KERN_NO_SPACE, KERN_RESOURCE_SHORTAGE.
 */
xs_kern_return_t xs_mach_vm_allocate_kernel(struct vm_map *map, mach_vm_address_t *addr,
					    mach_vm_size_t size, int flags)
{
	XS_FUNC(mach_vm_allocate_kernel);
	struct vm_map_kernel_flags vmk = { 0 };
	uint64_t map_addr, map_size;
	xs_kern_return_t kr;

	if (!map)
		return KERN_INVALID_ARGUMENT;
	if (size == 0) {
		*addr = 0;
		return KERN_SUCCESS;
	}
	kr = mach_vm_allocate_kernel_sanitize(map, *addr, size, flags & VM_FLAGS_ANYWHERE,
					      &map_addr, &map_size);
	if (kr != KERN_SUCCESS)
		return kr;
	vmk.vmf_fixed = !(flags & VM_FLAGS_ANYWHERE);
	vmk.vmf_overwrite = (flags & VM_FLAGS_OVERWRITE) != 0;
	vmk.vm_tag = (uint16_t)XS_VM_GET_FLAGS_ALIAS(flags);
	kr = xs_vm_map_enter(map, &map_addr, map_size, &vmk, NULL, VM_PROT_DEFAULT, VM_PROT_ALL,
			     VM_INHERIT_DEFAULT);
	if (kr == KERN_SUCCESS)
		*addr = map_addr;
	return kr;
}

/*
 * Routine:    xs_mach_vm_map_kernel
 * Purpose:    Map anonymous memory (no memory object: IPC_PORT_NULL) with
 *             explicit protections and inheritance; mmap(MAP_ANON) and the
 *             mach_vm_map trap come here.
 * Conditions: Nothing locked.
 * Returns:    As xs_vm_map_enter_mem_object.
 */
xs_kern_return_t xs_mach_vm_map_kernel(struct vm_map *map, mach_vm_address_t *addr,
				       mach_vm_size_t size, mach_vm_offset_t mask, int flags,
				       vm_prot_t cur_prot, vm_prot_t max_prot,
				       vm_inherit_t inheritance)
{
	XS_FUNC(mach_vm_map_kernel);

	return xs_vm_map_enter_mem_object(map, addr, size, mask, flags, cur_prot, max_prot,
					  inheritance);
}
