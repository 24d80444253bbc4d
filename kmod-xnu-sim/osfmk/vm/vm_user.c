/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vm_user.c: the mach_vm_* interface as user space reaches it (through the
 * _kernelrpc_ traps, MIG, or BSD's mmap family): argument checks, page
 * rounding, then the vm_map layer.  Corresponds to osfmk/vm/vm_user.c.
 */
#include "kmod-xnu-sim/osfmk/vm/vm_map_internal.h"

#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

/*
 * Routine:    xs_mach_vm_allocate_external
 * Purpose:    mach_vm_allocate for user callers: only the flags in
 *             VM_FLAGS_USER_ALLOCATE are accepted.
 * Conditions: Nothing locked.
 * Returns:    KERN_INVALID_ARGUMENT for other flags, else as
 *             xs_mach_vm_allocate_kernel.
 */
xs_kern_return_t xs_mach_vm_allocate_external(struct vm_map *map, mach_vm_address_t *addr,
					      mach_vm_size_t size, int flags)
{
	XS_FUNC(mach_vm_allocate_external);

	if ((uint32_t)flags & ~(uint32_t)VM_FLAGS_USER_ALLOCATE)
		return KERN_INVALID_ARGUMENT;
	return xs_mach_vm_allocate_kernel(map, addr, size, flags);
}

/*
 * Routine:    xs_mach_vm_deallocate
 * Purpose:    Remove the pages covering [addr, addr + size).  Unmapped parts
 *             are not an error; size 0 does nothing.
 * Conditions: Nothing locked.
 * Returns:    KERN_SUCCESS, KERN_INVALID_ARGUMENT (no map, range wraps).
 */
xs_kern_return_t xs_mach_vm_deallocate(struct vm_map *map, mach_vm_address_t addr,
				       mach_vm_size_t size)
{
	XS_FUNC(mach_vm_deallocate);
	uint64_t mask;

	if (!map)
		return KERN_INVALID_ARGUMENT;
	if (size == 0)
		return KERN_SUCCESS;
	if (xs_vm_map_range_overflows(map, addr, size))
		return KERN_INVALID_ARGUMENT;
	mask = xs_vm_map_page_mask(map);
	return xs_vm_map_remove_guard(map, xs_vm_map_trunc_page(addr, mask),
				      xs_vm_map_round_page(addr + size, mask));
}

/*
 * Routine:    xs_mach_vm_protect
 * Purpose:    Change the current (or, with set_max, the maximum) protection
 *             of the pages covering [addr, addr + size).  VM_PROT_COPY and
 *             the other modifier bits are not modeled and are refused.
 * Conditions: Nothing locked.
 * Returns:    KERN_SUCCESS, KERN_INVALID_ARGUMENT, KERN_INVALID_ADDRESS
 *             (not all mapped), KERN_PROTECTION_FAILURE (beyond the max).
 */
xs_kern_return_t xs_mach_vm_protect(struct vm_map *map, mach_vm_address_t addr,
				    mach_vm_size_t size, bool set_max, vm_prot_t prot)
{
	XS_FUNC(mach_vm_protect);
	uint64_t mask;

	if (!map || (prot & ~VM_PROT_ALL))
		return KERN_INVALID_ARGUMENT;
	if (size == 0)
		return KERN_SUCCESS;
	if (xs_vm_map_range_overflows(map, addr, size))
		return KERN_INVALID_ARGUMENT;
	mask = xs_vm_map_page_mask(map);
	return xs_vm_map_protect(map, xs_vm_map_trunc_page(addr, mask),
				 xs_vm_map_round_page(addr + size, mask), set_max, prot);
}

/*
 * Routine:    xs_mach_vm_map_external
 * Purpose:    mach_vm_map for user callers, anonymous memory only (the
 *             trap passes no memory object).  Flags limited to
 *             VM_FLAGS_USER_MAP; mask aligns an ANYWHERE placement.
 * Conditions: Nothing locked.
 * Returns:    As xs_mach_vm_map_kernel, or KERN_INVALID_ARGUMENT.
 */
xs_kern_return_t xs_mach_vm_map_external(struct vm_map *map, mach_vm_address_t *addr,
					 mach_vm_size_t size, mach_vm_offset_t mask, int flags,
					 vm_prot_t cur_prot, vm_prot_t max_prot,
					 vm_inherit_t inheritance)
{
	XS_FUNC(mach_vm_map_external);

	if ((uint32_t)flags & ~(uint32_t)VM_FLAGS_USER_MAP)
		return KERN_INVALID_ARGUMENT;
	return xs_mach_vm_map_kernel(map, addr, size, mask, flags, cur_prot, max_prot,
				     inheritance);
}

/*
 * Routine:    xs_mach_vm_msync
 * Purpose:    Synchronise [addr, addr + size) with its backing store.
 * Conditions: Nothing locked.
 * Returns:    As xs_vm_map_msync; KERN_INVALID_ARGUMENT without a map.
 */
xs_kern_return_t xs_mach_vm_msync(struct vm_map *map, mach_vm_address_t addr,
				  mach_vm_size_t size, int sync_flags)
{
	XS_FUNC(mach_vm_msync);

	if (!map)
		return KERN_INVALID_ARGUMENT;
	return xs_vm_map_msync(map, addr, size, sync_flags);
}

/*
 * Routine:    xs_mach_vm_behavior_set
 * Purpose:    Record or act on paging advice for the pages covering
 *             [start, start + size).  Size 0 does nothing.
 * Conditions: Nothing locked.
 * Returns:    As xs_vm_map_behavior_set.
 */
xs_kern_return_t xs_mach_vm_behavior_set(struct vm_map *map, mach_vm_address_t start,
					 mach_vm_size_t size, int new_behavior)
{
	XS_FUNC(mach_vm_behavior_set);
	uint64_t mask;

	if (!map)
		return KERN_INVALID_ARGUMENT;
	if (size == 0)
		return KERN_SUCCESS;
	if (xs_vm_map_range_overflows(map, start, size))
		return KERN_INVALID_ARGUMENT;
	mask = xs_vm_map_page_mask(map);
	return xs_vm_map_behavior_set(map, xs_vm_map_trunc_page(start, mask),
				      xs_vm_map_round_page(start + size, mask), new_behavior);
}
