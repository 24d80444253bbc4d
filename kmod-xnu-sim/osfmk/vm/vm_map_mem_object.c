/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vm_map_mem_object.c: entering memory objects into a map, the layer
 * between mmap / mach_vm_map and vm_map_enter.  Anonymous memory comes with
 * no object; a file comes as its UBC pages.  XNU keeps these functions in
 * osfmk/vm/vm_map.c; they live apart here only to keep files small.
 */
#include "kmod-xnu-sim/osfmk/vm/vm_map_internal.h"

#include "kmod-xnu-sim/bsd/sys/vnode_internal.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

#define XS_VM_MAP_PATH "osfmk/vm/vm_map.c"

/*
 * The shared part of both entry points' sanitizing: protections, the
 * inheritance, and the size (0 and wrapping are invalid).  The address is
 * truncated to a page, as XNU's vm_map_enter_mem_object does.
 */
static xs_kern_return_t vm_map_enter_mem_object_sanitize(struct vm_map *map,
							 mach_vm_address_t addr, uint64_t size,
							 vm_prot_t cur, vm_prot_t max,
							 vm_inherit_t inh, uint64_t *map_addr,
							 uint64_t *map_size)
{
	XS_FUNC_AT(vm_map_enter_mem_object_sanitize, XS_VM_MAP_PATH);
	uint64_t mask;

	if (!map || size == 0 || (cur & ~VM_PROT_ALL) || (max & ~VM_PROT_ALL) ||
	    inh > VM_INHERIT_LAST_VALID)
		return KERN_INVALID_ARGUMENT;
	mask = xs_vm_map_page_mask(map);
	*map_size = xs_vm_map_round_page(size, mask);
	if (*map_size == 0)
		return KERN_INVALID_ARGUMENT;
	*map_addr = xs_vm_map_trunc_page(addr, mask);
	return KERN_SUCCESS;
}

static void vm_map_kernel_flags_set_vmflags(struct vm_map_kernel_flags *vmk, int flags,
					    uint64_t mask)
{
	vmk->vmf_fixed = !(flags & VM_FLAGS_ANYWHERE);
	vmk->vmf_overwrite = (flags & VM_FLAGS_OVERWRITE) != 0;
	vmk->vmf_no_cache = (flags & VM_FLAGS_NO_CACHE) != 0;
	vmk->vm_tag = (uint16_t)XS_VM_GET_FLAGS_ALIAS(flags);
	vmk->mask = mask;
}

/*
 * Routine:    xs_vm_map_enter_mem_object
 * Purpose:    Map anonymous memory.  XNU leaves the object NULL until the
 *             first fault; so does the simulator for private memory.  Memory
 *             with VM_INHERIT_SHARE (MAP_SHARED|MAP_ANON) gets its object,
 *             arena pages, at once: only memory the host maps shared stays
 *             shared across a host fork.
 * Conditions: Nothing locked.
 * Returns:    KERN_SUCCESS (*addr set), KERN_INVALID_ARGUMENT,
 *             KERN_INVALID_ADDRESS, KERN_NO_SPACE, KERN_RESOURCE_SHORTAGE.
 */
xs_kern_return_t xs_vm_map_enter_mem_object(struct vm_map *map, mach_vm_address_t *addr,
					    uint64_t size, uint64_t mask, int flags,
					    vm_prot_t cur_prot, vm_prot_t max_prot,
					    vm_inherit_t inheritance)
{
	XS_FUNC_AT(vm_map_enter_mem_object, XS_VM_MAP_PATH);
	struct vm_map_kernel_flags vmk = { 0 };
	struct vm_map_enter_backing b = { 0 };
	uint64_t map_addr, map_size;
	xs_kern_return_t kr;

	kr = vm_map_enter_mem_object_sanitize(map, *addr, size, cur_prot, max_prot, inheritance,
					      &map_addr, &map_size);
	if (kr != KERN_SUCCESS)
		return kr;
	vm_map_kernel_flags_set_vmflags(&vmk, flags, mask);
	if (inheritance == VM_INHERIT_SHARE) {
		b.object = xs_vm_object_allocate(map_size, XS_VMO_ANON_SHARED);
		if (!b.object)
			return KERN_RESOURCE_SHORTAGE;
	}
	kr = xs_vm_map_enter(map, &map_addr, map_size, &vmk, &b, cur_prot, max_prot, inheritance);
	if (kr != KERN_SUCCESS) {
		xs_vm_object_deallocate(b.object);
		return kr;
	}
	*addr = map_addr;
	return KERN_SUCCESS;
}

/*
 * memory_object_control_to_vm_object: XNU finds the vnode's one VM object.
 * The simulator has no per-vnode object, so each mapping gets an object
 * that borrows the file's UBC pages (fidelity.md) and, like XNU's pager,
 * keeps the vnode alive with a usecount while it is mapped.
 */
static struct vm_object *memory_object_control_to_vm_object(struct vnode *vp, void *kaddr,
							    uint64_t file_size, uint64_t size)
{
	XS_FUNC_AT(memory_object_control_to_vm_object, "osfmk/vm/memory_object.c");
	struct vm_object *obj = xs_vm_object_allocate(size, XS_VMO_VNODE);

	if (obj) {
		if (vp)
			xs_vnode_ref(vp);
		obj->vo_vnode = vp;
		obj->vo_kaddr = kaddr;
		obj->vo_file_size = file_size;
	}
	return obj;
}

/*
 * Routine:    xs_vm_map_enter_mem_object_control
 * Purpose:    Map a file's pages at offset: shared (stores reach the file)
 *             or, with copy, a private copy-on-write view (MAP_PRIVATE).
 * Conditions: Nothing locked.  The caller holds an iocount on vp for the
 *             call; offset page aligned.
 * Returns:    As xs_vm_map_enter_mem_object.
 */
xs_kern_return_t xs_vm_map_enter_mem_object_control(struct vm_map *map,
						    mach_vm_address_t *addr, uint64_t size,
						    int flags, struct vnode *vp, void *kaddr,
						    uint64_t file_size, uint64_t offset, bool copy,
						    vm_prot_t cur_prot, vm_prot_t max_prot,
						    vm_inherit_t inheritance)
{
	XS_FUNC_AT(vm_map_enter_mem_object_control, XS_VM_MAP_PATH);
	struct vm_map_kernel_flags vmk = { 0 };
	struct vm_map_enter_backing b = { 0 };
	uint64_t map_addr, map_size;
	xs_kern_return_t kr;

	kr = vm_map_enter_mem_object_sanitize(map, *addr, size, cur_prot, max_prot, inheritance,
					      &map_addr, &map_size);
	if (kr != KERN_SUCCESS)
		return kr;
	if (offset & xs_vm_map_page_mask(map))
		return KERN_INVALID_ARGUMENT;
	vm_map_kernel_flags_set_vmflags(&vmk, flags, 0);
	b.object = memory_object_control_to_vm_object(vp, kaddr, file_size, offset + map_size);
	if (!b.object)
		return KERN_RESOURCE_SHORTAGE;
	b.offset = offset;
	b.copy = copy;
	kr = xs_vm_map_enter(map, &map_addr, map_size, &vmk, &b, cur_prot, max_prot, inheritance);
	if (kr != KERN_SUCCESS) {
		xs_vm_object_deallocate(b.object);
		return kr;
	}
	*addr = map_addr;
	return KERN_SUCCESS;
}
