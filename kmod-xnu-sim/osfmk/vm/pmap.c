/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pmap.c: the physical-map layer under Mach VM.  In XNU the pmap edits page
 * tables; here a task's pmap is the address space of the host process that
 * runs it, and these functions edit it through osl_pmap_*.  Corresponds to
 * osfmk/arm64/sptm/pmap/pmap.c (osfmk/i386/pmap_x86_common.c on x86_64).
 *
 * The simulator has no vm_fault path: pmap_enter_options runs when the entry
 * is made (vm_map_enter), so every page is a real host page from the start.
 */
#include "kmod-xnu-sim/osfmk/vm/vm_map_internal.h"

#include "kmod-xnu-sim/osfmk/kern/task.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

#define XS_PMAP_PATH "osfmk/arm64/sptm/pmap/pmap.c"

/* A map's pmap is live in this host process only when it is our task's map. */
bool xs_vm_map_is_current(const struct vm_map *map)
{
	struct task *t = xs_current_task();

	return t && t->map == map && !map->is_kernel_map;
}

/*
 * A private copy of a file's contents (MAP_PRIVATE of a vnode): fresh host
 * pages filled from the file's arena pages.  Bytes past end of file stay
 * zero, as on Darwin for the tail of the last page.
 */
static int pmap_enter_file_copy(const struct vm_map_entry *e, uint64_t size)
{
	struct vm_object *obj = e->vme_object;
	uint64_t avail = 0;

	if (osl_pmap_enter_anon(e->vme_start, size, VM_PROT_READ | VM_PROT_WRITE))
		return -1;
	if (obj->vo_file_size > e->vme_offset)
		avail = obj->vo_file_size - e->vme_offset;
	if (avail > size)
		avail = size;
	if (avail && osl_copyout((char *)obj->vo_kaddr + e->vme_offset, e->vme_start, avail)) {
		osl_pmap_remove(e->vme_start, size);
		return -1;
	}
	if (e->protection != (VM_PROT_READ | VM_PROT_WRITE))
		osl_pmap_protect(e->vme_start, size, e->protection);
	return 0;
}

/*
 * A shared file mapping: the file's own arena pages, so stores reach the
 * file (read(2) sees them) with no copy.  The backing ends at the file's
 * last OSL page; the rest of the range is reserved inaccessible, so a touch
 * past end of file faults as on Darwin (SIGSEGV here rather than SIGBUS).
 */
static int pmap_enter_file_shared(const struct vm_map_entry *e, uint64_t size)
{
	struct vm_object *obj = e->vme_object;
	uint64_t backed = xs_round_up(obj->vo_file_size, OSL_PAGE_SIZE);
	uint64_t n = 0;

	if (backed > e->vme_offset)
		n = backed - e->vme_offset;
	if (n > size)
		n = size;
	if (n && osl_pmap_enter_kernel(e->vme_start, n, e->protection,
				       (char *)obj->vo_kaddr + e->vme_offset))
		return -1;
	if (n < size && osl_pmap_enter_anon(e->vme_start + n, size - n, VM_PROT_NONE)) {
		if (n)
			osl_pmap_remove(e->vme_start, n);
		return -1;
	}
	return 0;
}

/*
 * Routine:    xs_pmap_enter_options
 * Purpose:    Make entry's range real in the host process: zero-fill private
 *             memory, the object's shared arena pages, or a file's pages.
 * Conditions: map locked.  A map that is not the current task's has no
 *             live pmap here (a fork child's map, a map under construction):
 *             nothing to do.
 * Returns:    0, or -1 when the host refused the range.
 */
int xs_pmap_enter_options(struct vm_map *map, const struct vm_map_entry *e)
{
	XS_FUNC_AT(pmap_enter_options, XS_PMAP_PATH);
	struct vm_object *obj = e->vme_object;
	uint64_t size = e->vme_end - e->vme_start;

	if (!xs_vm_map_is_current(map))
		return 0;
	if (!obj || obj->vo_backing == XS_VMO_ANON_PRIVATE)
		return osl_pmap_enter_anon(e->vme_start, size, e->protection) ? -1 : 0;
	if (obj->vo_backing == XS_VMO_ANON_SHARED)
		return osl_pmap_enter_kernel(e->vme_start, size, e->protection,
					     (char *)obj->vo_kaddr + e->vme_offset) ? -1 : 0;
	if (e->needs_copy)
		return pmap_enter_file_copy(e, size);
	return pmap_enter_file_shared(e, size);
}

/*
 * Routine:    xs_pmap_remove_options
 * Purpose:    Tear down the host mappings of [start, end).
 * Conditions: map locked.
 */
void xs_pmap_remove_options(struct vm_map *map, uint64_t start, uint64_t end)
{
	XS_FUNC_AT(pmap_remove_options, XS_PMAP_PATH);

	if (xs_vm_map_is_current(map) && end > start)
		osl_pmap_remove(start, end - start);
}

/*
 * Routine:    xs_pmap_protect_options
 * Purpose:    Apply prot to the live host mappings of [start, end).  XNU only
 *             downgrades here and upgrades lazily on fault; without a fault
 *             path the simulator applies upgrades at once.
 * Conditions: map locked.
 */
void xs_pmap_protect_options(struct vm_map *map, uint64_t start, uint64_t end, vm_prot_t prot)
{
	XS_FUNC_AT(pmap_protect_options, XS_PMAP_PATH);

	if (xs_vm_map_is_current(map) && end > start)
		osl_pmap_protect(start, end - start, prot);
}

/*
 * Re-protect an entry's live host pages.  For a shared file mapping only
 * the part backed by the file's pages: the reserved tail stays inaccessible.
 */
void xs_pmap_protect_entry(struct vm_map *map, const struct vm_map_entry *e)
{
	struct vm_object *obj = e->vme_object;
	uint64_t end = e->vme_end, backed;

	if (obj && obj->vo_backing == XS_VMO_VNODE && !e->needs_copy) {
		backed = xs_round_up(obj->vo_file_size, OSL_PAGE_SIZE);
		if (backed <= e->vme_offset)
			return;
		if (backed - e->vme_offset < end - e->vme_start)
			end = e->vme_start + (backed - e->vme_offset);
	}
	xs_pmap_protect_options(map, e->vme_start, end, e->protection);
}
