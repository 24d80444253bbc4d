/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vm_object.c: VM objects, the memory behind map entries.  An object is
 * reference counted by the entries that map it; the last reference frees it
 * and whatever arena pages it owns.  Corresponds to osfmk/vm/vm_object.c.
 */
#include "kmod-xnu-sim/osfmk/vm/vm_map_internal.h"

#include "kmod-xnu-sim/bsd/sys/vnode_internal.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"

/*
 * Routine:    xs_vm_object_allocate
 * Purpose:    A new object of size bytes with one reference, from the
 *             "vm objects" zone.  ANON_SHARED objects get their arena pages
 *             here, zero-filled, because a shared mapping must be shared
 *             host memory to stay shared across a host fork.
 * Conditions: Nothing locked.
 * Returns:    The object, or NULL when the zone or the arena is exhausted.
 */
struct vm_object *xs_vm_object_allocate(uint64_t size, enum vm_object_backing backing)
{
	XS_FUNC(vm_object_allocate);
	struct vm_globals *vg = &xs_machine()->m_vm;
	struct vm_object *obj;

	obj = xs_zalloc_id(ZONE_ID_VM_OBJECT);
	if (!obj)
		return NULL;
	obj->ref_count = 1;
	obj->vo_backing = backing;
	obj->vo_size = size;
	if (backing == XS_VMO_ANON_SHARED) {
		obj->vo_npages = xs_round_up(size, OSL_PAGE_SIZE) / OSL_PAGE_SIZE;
		obj->vo_kaddr = osl_pages_alloc(obj->vo_npages);
		if (!obj->vo_kaddr) {
			xs_zfree_id(ZONE_ID_VM_OBJECT, obj);
			return NULL;
		}
	}
	obj->vo_object_id = __atomic_add_fetch(&vg->next_object_id, 1, __ATOMIC_RELAXED);
	return obj;
}

void xs_vm_object_reference(struct vm_object *obj)
{
	XS_FUNC(vm_object_reference);

	if (obj)
		__atomic_add_fetch(&obj->ref_count, 1, __ATOMIC_RELAXED);
}

/*
 * Routine:    xs_vm_object_deallocate
 * Purpose:    Drop one reference; the last one frees the object's own pages
 *             (ANON_SHARED) and the object.  A VNODE object's pages belong to
 *             the file (UBC); its usecount on the vnode is released.
 * Conditions: Nothing locked.  Consumes a reference on obj (NULL is a no-op).
 */
void xs_vm_object_deallocate(struct vm_object *obj)
{
	XS_FUNC(vm_object_deallocate);

	if (!obj)
		return;
	if (__atomic_sub_fetch(&obj->ref_count, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (obj->vo_backing == XS_VMO_ANON_SHARED && obj->vo_kaddr)
		osl_pages_free(obj->vo_kaddr, obj->vo_npages);
	if (obj->vo_backing == XS_VMO_VNODE && obj->vo_vnode)
		xs_vnode_rele(obj->vo_vnode);	/* the usecount the mapping held */
	xs_zfree_id(ZONE_ID_VM_OBJECT, obj);
}

/*
 * Routine:    xs_vm_object_coalesce
 * Purpose:    May the previous entry's object be extended by next_size bytes
 *             so a new adjacent mapping needs no entry of its own?  XNU
 *             answers TRUE for a NULL object (anonymous memory not yet
 *             faulted) and for an unshared internal object; the simulator
 *             only coalesces the NULL case, where nothing has to grow.
 * Returns:    true when vm_map_enter may extend the previous entry.
 */
bool xs_vm_object_coalesce(struct vm_object *prev_object, uint64_t prev_offset,
			   uint64_t prev_size, uint64_t next_size)
{
	XS_FUNC(vm_object_coalesce);

	(void)prev_offset;
	(void)prev_size;
	(void)next_size;
	return prev_object == NULL;
}
