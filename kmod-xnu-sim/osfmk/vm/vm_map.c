/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vm_map.c: address maps.  A map is a sorted list of entries over VM
 * objects; entering, clipping, removing and re-protecting ranges edit the
 * list and, for the current task, the host address space through the pmap.
 * Corresponds to osfmk/vm/vm_map.c.
 *
 * XNU keeps the entries in a red-black tree plus a sorted list and a hole
 * list; the simulator keeps only the sorted list (maps hold tens of entries).
 */
#include "kmod-xnu-sim/osfmk/vm/vm_map_internal.h"

#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"

#define vme_last(map)  xs_container_of((map)->hdr.prev, struct vm_map_entry, vme_links)
#define vme_next(e)    xs_container_of((e)->vme_links.next, struct vm_map_entry, vme_links)
#define vme_prev(e)    xs_container_of((e)->vme_links.prev, struct vm_map_entry, vme_links)
#define vme_is_hdr(map, e) (&(e)->vme_links == &(map)->hdr)

/* vm_map_lock, finishing a list edit that a killed holder left half done. */
void xs_vm_map_lock(struct vm_map *map)
{
	xs_lck_mtx_lock(&map->lock);
	(void)xs_redo_recover(&map->redo);
}

void xs_vm_map_unlock(struct vm_map *map) { xs_lck_mtx_unlock(&map->lock); }

uint64_t xs_vm_map_page_size(void)
{
	return xs_machine()->m_vm.page_size;
}

/* Fire the vm_map_change probe on behalf of the calling process. */
static void vm_map_trace(int op, uint64_t addr, uint64_t size, int prot)
{
	struct proc *p;

	if (!XS_TRACE_ENABLED(vm_map_change))
		return;
	p = xs_current_proc();
	if (p)
		xs_trace_vm_map_change(p, op, addr, size, prot);
}

/* ---- entries -------------------------------------------------------------- */

/*
 * A new entry, held in map->vme_inflight until vm_map_store_entry_link
 * (a killed caller leaves it there for vm_map_destroy).  Map locked, or
 * private to the caller (fork's new map).
 */
static struct vm_map_entry *vm_map_entry_create(struct vm_map *map)
{
	XS_FUNC(_vm_map_entry_create);

	if (map->vme_inflight)
		osl_panic("vm_map_entry_create: map %p has an entry in flight", (void *)map);
	return xs_zalloc_id_into(ZONE_ID_VM_MAP_ENTRY, &map->vme_inflight);
}

/* Free the entry in *slot (vme_inflight or zap_head), leaving next there. */
static void vm_map_entry_dispose(struct vm_map_entry **slot, struct vm_map_entry *next)
{
	XS_FUNC(vm_map_entry_dispose);

	xs_zfree_id_from(ZONE_ID_VM_MAP_ENTRY, slot, next);
}

/*
 * Link e into map's sorted list after prev (prev may be the header); e
 * leaves vme_inflight in the same step.  Map locked.
 */
static void vm_map_store_entry_link(struct vm_map *map, struct vm_map_entry *prev,
				    struct vm_map_entry *e)
{
	queue_chain_t *after = vme_is_hdr(map, prev) ? &map->hdr : &prev->vme_links;
	struct xs_redo *r = &map->redo;

	xs_redo_begin(r);
	xs_redo_putptr(r, &e->vme_links.prev, after);
	xs_redo_putptr(r, &e->vme_links.next, after->next);
	xs_redo_putptr(r, &after->next->prev, &e->vme_links);
	xs_redo_putptr(r, &after->next, &e->vme_links);
	xs_redo_put32(r, &map->nentries, map->nentries + 1);
	if (map->vme_inflight == e)
		xs_redo_putptr(r, &map->vme_inflight, NULL);
	xs_redo_commit(r);
}

/*
 * vm_map_entry_zap: unlink e onto the map's zap stack, to be freed with
 * the map unlocked (vm_map_zap_dispose); size_drop comes off map->size in
 * the same step.  Map locked.
 */
static void vm_map_entry_zap(struct vm_map *map, struct vm_map_entry *e, uint64_t size_drop)
{
	struct xs_redo *r = &map->redo;

	xs_redo_begin(r);
	xs_redo_putptr(r, &e->vme_links.prev->next, e->vme_links.next);
	xs_redo_putptr(r, &e->vme_links.next->prev, e->vme_links.prev);
	xs_redo_putptr(r, &e->vme_zap_next, map->zap_head);
	xs_redo_putptr(r, &map->zap_head, e);
	xs_redo_put32(r, &map->nentries, map->nentries - 1);
	xs_redo_put64(r, &map->size, map->size - size_drop);
	xs_redo_commit(r);
}

/*
 * vm_map_zap_dispose: free the zapped entries and drop their objects with
 * the map unlocked (an object's last reference may free pages or release
 * a vnode).  Each entry leaves the stack as it is freed; a caller killed
 * between the two steps below leaks one object reference at worst.
 * Conditions: Nothing locked; takes the map lock per entry.
 */
static void vm_map_zap_dispose(struct vm_map *map)
{
	XS_FUNC(vm_map_zap_dispose);
	struct vm_map_entry *e;
	struct vm_object *obj;

	for (;;) {
		xs_vm_map_lock(map);
		e = map->zap_head;
		if (!e) {
			xs_vm_map_unlock(map);
			return;
		}
		obj = e->vme_object;
		e->vme_object = NULL;
		vm_map_entry_dispose(&map->zap_head, e->vme_zap_next);
		xs_vm_map_unlock(map);
		xs_vm_object_deallocate(obj);
	}
}

/*
 * Routine:    xs_vm_map_lookup_entry
 * Purpose:    Find the entry containing addr.  Otherwise return the last
 *             entry before addr (or the header when there is none), which is
 *             where a new entry for addr would be linked.
 * Conditions: map locked.
 */
bool xs_vm_map_lookup_entry(struct vm_map *map, uint64_t addr, struct vm_map_entry **out)
{
	XS_FUNC(vm_map_lookup_entry);
	struct vm_map_entry *e, *prev = xs_container_of(&map->hdr, struct vm_map_entry, vme_links);

	xs_queue_foreach(e, &map->hdr, struct vm_map_entry, vme_links) {
		if (addr < e->vme_start)
			break;
		if (addr < e->vme_end) {
			*out = e;
			return true;
		}
		prev = e;
	}
	*out = prev;
	return false;
}

/*
 * A linked entry takes its own reference on obj.  Reference first: a caller
 * killed in between leaks a reference rather than have the reaper drop
 * one that was never taken.
 */
static void vm_map_entry_set_object(struct vm_map_entry *e, struct vm_object *obj)
{
	xs_vm_object_reference(obj);
	e->vme_object = obj;
}

/* Split e at addr; e keeps [addr, end).  false on zone exhaustion. */
static bool vm_map_clip_start(struct vm_map *map, struct vm_map_entry *e, uint64_t addr)
{
	XS_FUNC(vm_map_clip_start);
	struct vm_map_entry *front;

	if (addr <= e->vme_start || addr >= e->vme_end)
		return true;
	front = vm_map_entry_create(map);
	if (!front)
		return false;
	*front = *e;
	front->vme_object = NULL;	/* an entry in flight owns no reference */
	front->vme_end = addr;
	e->vme_offset += addr - e->vme_start;
	e->vme_start = addr;
	vm_map_store_entry_link(map, vme_prev(e), front);
	vm_map_entry_set_object(front, e->vme_object);
	return true;
}

/* Split e at addr; e keeps [start, addr). */
static bool vm_map_clip_end(struct vm_map *map, struct vm_map_entry *e, uint64_t addr)
{
	XS_FUNC(vm_map_clip_end);
	struct vm_map_entry *back;

	if (addr <= e->vme_start || addr >= e->vme_end)
		return true;
	back = vm_map_entry_create(map);
	if (!back)
		return false;
	*back = *e;
	back->vme_object = NULL;	/* an entry in flight owns no reference */
	back->vme_start = addr;
	back->vme_offset += addr - e->vme_start;
	e->vme_end = addr;
	vm_map_store_entry_link(map, e, back);
	vm_map_entry_set_object(back, e->vme_object);
	return true;
}

/* Two neighbours that one entry could describe (vm_map_simplify_entry). */
static bool vm_map_entries_mergeable(const struct vm_map_entry *a, const struct vm_map_entry *b)
{
	if (a->vme_end != b->vme_start || a->vme_object != b->vme_object)
		return false;
	if (a->vme_object && a->vme_offset + (a->vme_end - a->vme_start) != b->vme_offset)
		return false;
	return a->protection == b->protection && a->max_protection == b->max_protection &&
	       a->inheritance == b->inheritance && a->vme_alias == b->vme_alias &&
	       a->behavior == b->behavior && a->needs_copy == b->needs_copy &&
	       a->is_shared == b->is_shared && a->zero_wired_pages == b->zero_wired_pages;
}

/*
 * Routine:    vm_map_simplify_entry
 * Purpose:    Merge e into its predecessor when nothing tells them apart,
 *             undoing the clips of an mprotect that restored the old state.
 * Conditions: map locked.
 */
static void vm_map_simplify_entry(struct vm_map *map, struct vm_map_entry *e)
{
	XS_FUNC(vm_map_simplify_entry);
	struct vm_map_entry *prev = vme_prev(e);

	if (vme_is_hdr(map, prev) || !vm_map_entries_mergeable(prev, e))
		return;
	prev->vme_end = e->vme_end;
	vm_map_entry_zap(map, e, 0);	/* freed, and its reference dropped, unlocked */
}

/* ---- creation and destruction --------------------------------------------- */

struct vm_map *xs_vm_map_create_internal(uint64_t min, uint64_t max, bool is_kernel)
{
	XS_FUNC(vm_map_create_options);
	struct vm_map *map = xs_zalloc_id(ZONE_ID_VM_MAP);

	if (!map)
		return NULL;
	xs_lck_mtx_init(&map->lock);
	xs_queue_init(&map->hdr);
	map->ref_count = 1;
	map->min_offset = min;
	map->max_offset = max;
	map->page_size = xs_vm_map_page_size();
	map->is_64bit = true;
	map->is_kernel_map = is_kernel;
	return map;
}

/*
 * Routine:    xs_vm_map_create_options
 * Purpose:    An empty user map spanning the simulator's user window.
 * Returns:    The map with one reference for the caller, or NULL.
 */
struct vm_map *xs_vm_map_create_options(bool is_64bit)
{
	struct vm_map *map = xs_vm_map_create_internal(XS_VM_MAP_USER_MIN, XS_VM_MAP_USER_MAX,
						       false);

	if (map)
		map->is_64bit = is_64bit;
	return map;
}

void xs_vm_map_reference(struct vm_map *map)
{
	XS_FUNC(vm_map_reference);

	if (map)
		__atomic_add_fetch(&map->ref_count, 1, __ATOMIC_RELAXED);
}

static xs_kern_return_t vm_map_remove_and_unlock(struct vm_map *map, uint64_t start,
						 uint64_t end);

/* vm_map_destroy: every entry goes, then the map itself. */
static void vm_map_destroy(struct vm_map *map)
{
	XS_FUNC(vm_map_destroy);

	xs_vm_map_lock(map);
	/* The owner may have been killed between an allocation and its link. */
	vm_map_entry_dispose(&map->vme_inflight, NULL);
	(void)vm_map_remove_and_unlock(map, map->min_offset, map->max_offset);
	xs_zfree_id(ZONE_ID_VM_MAP, map);
}

/*
 * Routine:    xs_vm_map_deallocate
 * Purpose:    Drop a reference; the last one destroys the map.
 * Conditions: Nothing locked.  Consumes a reference on map.
 */
void xs_vm_map_deallocate(struct vm_map *map)
{
	XS_FUNC(vm_map_deallocate);

	if (!map)
		return;
	if (__atomic_sub_fetch(&map->ref_count, 1, __ATOMIC_ACQ_REL) == 0)
		vm_map_destroy(map);
}

/* ---- finding space ---------------------------------------------------------- */

/*
 * Routine:    vm_map_locate_space_anywhere
 * Purpose:    First fit at or after hint (or the bottom of the map), aligned
 *             to mask, as XNU does without a random slide.
 * Conditions: map locked.
 * Returns:    KERN_SUCCESS with *start, or KERN_NO_SPACE.
 */
static xs_kern_return_t vm_map_locate_space_anywhere(struct vm_map *map, uint64_t size,
						     uint64_t mask, uint64_t hint,
						     uint64_t *start)
{
	XS_FUNC(vm_map_locate_space_anywhere);
	struct vm_map_entry *e;
	uint64_t s = hint, end;

	if (s < map->min_offset || s >= map->max_offset)
		s = map->min_offset;
	s = xs_vm_map_round_page(s, mask);
	xs_queue_foreach(e, &map->hdr, struct vm_map_entry, vme_links) {
		if (e->vme_end <= s)
			continue;
		if (__builtin_add_overflow(s, size, &end))
			return KERN_NO_SPACE;
		if (end <= e->vme_start)
			break;
		s = xs_vm_map_round_page(e->vme_end, mask);
	}
	if (__builtin_add_overflow(s, size, &end) || end > map->max_offset)
		return KERN_NO_SPACE;
	*start = s;
	return KERN_SUCCESS;
}

/*
 * Routine:    vm_map_locate_space_fixed
 * Purpose:    Check [start, start + size) for a fixed mapping: inside the
 *             map, and free unless overwrite lets vm_map_delete clear it.
 * Conditions: map locked.
 * Returns:    KERN_SUCCESS, KERN_INVALID_ADDRESS (outside the map),
 *             KERN_NO_SPACE (occupied).
 */
static xs_kern_return_t vm_map_locate_space_fixed(struct vm_map *map, uint64_t start,
						  uint64_t size, bool overwrite)
{
	XS_FUNC(vm_map_locate_space_fixed);
	struct vm_map_entry *e;
	uint64_t end;

	if (__builtin_add_overflow(start, size, &end) || start < map->min_offset ||
	    end > map->max_offset)
		return KERN_INVALID_ADDRESS;
	if (overwrite)
		return KERN_SUCCESS;
	if (xs_vm_map_lookup_entry(map, start, &e))
		return KERN_NO_SPACE;
	e = vme_next(e);
	if (!vme_is_hdr(map, e) && e->vme_start < end)
		return KERN_NO_SPACE;
	return KERN_SUCCESS;
}

/* ---- removal ------------------------------------------------------------------ */

/*
 * Routine:    vm_map_delete
 * Purpose:    Unmap [start, end): clip the entries at both ends, tear down
 *             their host mappings, and move them to the map's zap stack
 *             (the caller disposes of it unlocked).  Holes are fine,
 *             as in XNU, so munmap of unmapped memory succeeds.
 * Conditions: map locked.
 * Returns:    KERN_SUCCESS, KERN_RESOURCE_SHORTAGE (a clip found no entry).
 */
static xs_kern_return_t vm_map_delete(struct vm_map *map, uint64_t start, uint64_t end)
{
	XS_FUNC(vm_map_delete);
	struct vm_map_entry *e, *next;

	if (start < map->min_offset)
		start = map->min_offset;
	if (end > map->max_offset)
		end = map->max_offset;
	if (start >= end)
		return KERN_SUCCESS;
	if (xs_vm_map_lookup_entry(map, start, &e)) {
		if (!vm_map_clip_start(map, e, start))
			return KERN_RESOURCE_SHORTAGE;
	} else {
		e = vme_next(e);
	}
	while (!vme_is_hdr(map, e) && e->vme_start < end) {
		if (!vm_map_clip_end(map, e, end))
			return KERN_RESOURCE_SHORTAGE;
		next = vme_next(e);
		xs_pmap_remove_options(map, e->vme_start, e->vme_end);
		vm_map_entry_zap(map, e, e->vme_end - e->vme_start);
		e = next;
	}
	map->timestamp++;
	return KERN_SUCCESS;
}

static xs_kern_return_t vm_map_remove_and_unlock(struct vm_map *map, uint64_t start,
						 uint64_t end)
{
	XS_FUNC(vm_map_remove_and_unlock);
	xs_kern_return_t kr;

	kr = vm_map_delete(map, start, end);
	xs_vm_map_unlock(map);
	vm_map_zap_dispose(map);
	return kr;
}

/*
 * Routine:    xs_vm_map_remove_guard
 * Purpose:    Remove [start, end) from map (mach_vm_deallocate, munmap).
 * Conditions: Nothing locked.  start/end page aligned.
 * Returns:    KERN_SUCCESS, KERN_RESOURCE_SHORTAGE.
 */
xs_kern_return_t xs_vm_map_remove_guard(struct vm_map *map, uint64_t start, uint64_t end)
{
	XS_FUNC(vm_map_remove_guard);
	xs_kern_return_t kr;

	xs_vm_map_lock(map);
	kr = vm_map_remove_and_unlock(map, start, end);
	if (kr == KERN_SUCCESS && !map->is_kernel_map)
		vm_map_trace(XS_VM_REMOVE, start, end - start, 0);
	return kr;
}

/* ---- entering ------------------------------------------------------------------ */

/* vm_map_entry_insert: a new entry for [start, end) after prev. */
static struct vm_map_entry *vm_map_entry_insert(struct vm_map *map, struct vm_map_entry *prev,
						uint64_t start, uint64_t end,
						const struct vm_map_enter_backing *b, vm_prot_t cur,
						vm_prot_t max, vm_inherit_t inh, uint16_t tag)
{
	XS_FUNC(vm_map_entry_insert);
	struct vm_map_entry *e = vm_map_entry_create(map);

	if (!e)
		return NULL;
	e->vme_start = start;
	e->vme_end = end;
	e->vme_object = b ? b->object : NULL;
	e->vme_offset = b ? b->offset : 0;
	e->needs_copy = b ? b->copy : false;
	e->protection = cur;
	e->max_protection = max;
	e->inheritance = inh;
	e->vme_alias = tag;
	e->behavior = VM_BEHAVIOR_DEFAULT;
	vm_map_store_entry_link(map, prev, e);
	return e;
}

/* Extend prev (anonymous, not yet backed by an object) instead of a new entry. */
static bool vm_map_try_coalesce(struct vm_map_entry *prev, uint64_t start, uint64_t size,
				const struct vm_map_enter_backing *b, vm_prot_t cur,
				vm_prot_t max, vm_inherit_t inh, uint16_t tag)
{
	if (b && b->object)
		return false;
	if (prev->vme_end != start || prev->vme_object || prev->needs_copy || prev->is_shared ||
	    prev->protection != cur || prev->max_protection != max ||
	    prev->inheritance != inh || prev->vme_alias != tag ||
	    prev->behavior != VM_BEHAVIOR_DEFAULT)
		return false;
	return xs_vm_object_coalesce(prev->vme_object, prev->vme_offset,
				     prev->vme_end - prev->vme_start, size);
}

/* The range was linked into the map; make it real in the host (or undo). */
static xs_kern_return_t vm_map_enter_pmap(struct vm_map *map, struct vm_map_entry *e,
					  bool coalesced, uint64_t start, uint64_t size)
{
	struct vm_map_entry tmp;

	if (!coalesced) {
		if (xs_pmap_enter_options(map, e) == 0)
			return KERN_SUCCESS;
		e->vme_object = NULL;	/* the caller keeps backing's reference on failure */
		vm_map_entry_zap(map, e, 0);
		return KERN_NO_SPACE;
	}
	tmp = *e;
	tmp.vme_start = start;
	tmp.vme_end = start + size;
	if (xs_pmap_enter_options(map, &tmp) == 0)
		return KERN_SUCCESS;
	e->vme_end = start;
	return KERN_NO_SPACE;
}

static xs_kern_return_t vm_map_enter_check(struct vm_map *map, uint64_t size,
					   vm_prot_t cur, vm_prot_t max, vm_inherit_t inh)
{
	if (size == 0 || (size & xs_vm_map_page_mask(map)))
		return KERN_INVALID_ARGUMENT;
	if ((cur & ~VM_PROT_ALL) || (max & ~VM_PROT_ALL))
		return KERN_INVALID_ARGUMENT;
	if (inh > VM_INHERIT_LAST_VALID)
		return KERN_INVALID_ARGUMENT;
	return KERN_SUCCESS;
}

/*
 * Routine:    xs_vm_map_enter
 * Purpose:    Map size bytes at a place found anywhere (vmk->vmf_fixed
 *             false, *addr a hint) or at *addr exactly; with vmf_overwrite
 *             whatever was there is removed first.  Anonymous memory with
 *             no object extends a matching neighbour (vm_object_coalesce).
 *             The host mapping is made here, not at fault time.
 * Conditions: Nothing locked.  size page-rounded, *addr page aligned when
 *             fixed.  On success the entry owns backing->object's reference.
 * Returns:    KERN_SUCCESS (*addr set), KERN_INVALID_ARGUMENT,
 *             KERN_INVALID_ADDRESS, KERN_NO_SPACE, KERN_RESOURCE_SHORTAGE.
 */
xs_kern_return_t xs_vm_map_enter(struct vm_map *map, mach_vm_address_t *addr, uint64_t size,
				 const struct vm_map_kernel_flags *vmk,
				 const struct vm_map_enter_backing *b,
				 vm_prot_t cur, vm_prot_t max, vm_inherit_t inh)
{
	XS_FUNC(vm_map_enter);
	struct vm_map_entry *prev, *e;
	uint64_t start = *addr, mask = xs_vm_map_page_mask(map) | vmk->mask;
	xs_kern_return_t kr;
	bool coalesced = false;

	kr = vm_map_enter_check(map, size, cur, max, inh);
	if (kr != KERN_SUCCESS)
		return kr;
	cur &= max;	/* vm_sanitize's historical compat: cur never exceeds max */
	xs_vm_map_lock(map);
	if (!vmk->vmf_fixed)
		kr = vm_map_locate_space_anywhere(map, size, mask, start, &start);
	else if (start & mask)
		kr = KERN_INVALID_ARGUMENT;
	else
		kr = vm_map_locate_space_fixed(map, start, size, vmk->vmf_overwrite);
	if (kr == KERN_SUCCESS && vmk->vmf_fixed && vmk->vmf_overwrite)
		kr = vm_map_delete(map, start, start + size);
	if (kr != KERN_SUCCESS)
		goto out;

	(void)xs_vm_map_lookup_entry(map, start, &prev);
	if (!vme_is_hdr(map, prev) &&
	    vm_map_try_coalesce(prev, start, size, b, cur, max, inh, vmk->vm_tag)) {
		prev->vme_end += size;
		e = prev;
		coalesced = true;
	} else {
		e = vm_map_entry_insert(map, prev, start, start + size, b, cur, max, inh,
					vmk->vm_tag);
		if (!e) {
			kr = KERN_RESOURCE_SHORTAGE;
			goto out;
		}
	}
	kr = vm_map_enter_pmap(map, e, coalesced, start, size);
	if (kr == KERN_SUCCESS) {
		map->size += size;
		map->timestamp++;
		*addr = start;
	}
out:
	xs_vm_map_unlock(map);
	vm_map_zap_dispose(map);
	if (kr == KERN_SUCCESS && !map->is_kernel_map)
		vm_map_trace(XS_VM_ENTER, start, size, cur);
	return kr;
}

/* ---- inspection ------------------------------------------------------------------ */

uint32_t xs_vm_map_entry_count(const struct vm_map *map)
{
	return map->nentries;
}

const struct vm_map_entry *xs_vm_map_find_entry(struct vm_map *map, uint64_t addr)
{
	struct vm_map_entry *e;
	bool found;

	xs_vm_map_lock(map);
	found = xs_vm_map_lookup_entry(map, addr, &e);
	xs_vm_map_unlock(map);
	return found ? e : NULL;
}

/* ---- protection, behaviour, msync ---------------------------------------------- */

/*
 * vm_map_range_check: [start, end) is mapped without holes.  *first gets
 * the entry containing start.
 */
static bool vm_map_range_check(struct vm_map *map, uint64_t start, uint64_t end,
			       struct vm_map_entry **first)
{
	struct vm_map_entry *e;
	uint64_t covered;

	if (!xs_vm_map_lookup_entry(map, start, &e))
		return false;
	*first = e;
	covered = e->vme_end;
	while (covered < end) {
		e = vme_next(e);
		if (vme_is_hdr(map, e) || e->vme_start != covered)
			return false;
		covered = e->vme_end;
	}
	return true;
}

/* vm_map_protect's first pass: no hole, and new_prot within every max. */
static xs_kern_return_t vm_map_protect_check(struct vm_map *map, uint64_t start, uint64_t end,
					     vm_prot_t new_prot, struct vm_map_entry **first)
{
	struct vm_map_entry *e;

	if (!vm_map_range_check(map, start, end, first))
		return KERN_INVALID_ADDRESS;
	for (e = *first; !vme_is_hdr(map, e) && e->vme_start < end; e = vme_next(e)) {
		if ((new_prot & e->max_protection) != new_prot)
			return KERN_PROTECTION_FAILURE;
	}
	return KERN_SUCCESS;
}

/*
 * Routine:    xs_vm_map_protect
 * Purpose:    Set the current protection of [start, end), or with set_max
 *             the maximum (the current one is then reduced to fit).  The
 *             range must be fully mapped and new_prot within every entry's
 *             maximum, checked before anything changes, as XNU does.
 * Conditions: Nothing locked.  start/end page aligned, start < end.
 * Returns:    KERN_SUCCESS, KERN_INVALID_ADDRESS (a hole),
 *             KERN_PROTECTION_FAILURE (beyond max), KERN_RESOURCE_SHORTAGE.
 */
xs_kern_return_t xs_vm_map_protect(struct vm_map *map, uint64_t start, uint64_t end,
				   bool set_max, vm_prot_t new_prot)
{
	XS_FUNC(vm_map_protect);
	struct vm_map_entry *e, *next;
	xs_kern_return_t kr;

	xs_vm_map_lock(map);
	kr = vm_map_protect_check(map, start, end, new_prot, &e);
	if (kr != KERN_SUCCESS)
		goto out;
	if (!vm_map_clip_start(map, e, start)) {
		kr = KERN_RESOURCE_SHORTAGE;
		goto out;
	}
	for (; !vme_is_hdr(map, e) && e->vme_start < end; e = next) {
		if (!vm_map_clip_end(map, e, end)) {
			kr = KERN_RESOURCE_SHORTAGE;
			break;
		}
		if (set_max) {
			e->max_protection = new_prot;
			e->protection &= new_prot;
		} else {
			e->protection = new_prot;
		}
		xs_pmap_protect_entry(map, e);
		next = vme_next(e);
		vm_map_simplify_entry(map, e);
	}
	if (!vme_is_hdr(map, e))
		vm_map_simplify_entry(map, e);	/* the next entry may rejoin the last one */
	map->timestamp++;
out:
	xs_vm_map_unlock(map);
	vm_map_zap_dispose(map);	/* entries vm_map_simplify_entry merged away */
	if (kr == KERN_SUCCESS)
		vm_map_trace(XS_VM_PROTECT, start, end - start, new_prot);
	return kr;
}

/* Set a lasting behaviour on every entry of a fully mapped range. */
static xs_kern_return_t vm_map_behavior_apply(struct vm_map *map, uint64_t start, uint64_t end,
					      int behavior)
{
	struct vm_map_entry *e;

	if (!vm_map_range_check(map, start, end, &e))
		return KERN_INVALID_ADDRESS;
	if (!vm_map_clip_start(map, e, start))
		return KERN_RESOURCE_SHORTAGE;
	for (; !vme_is_hdr(map, e) && e->vme_start < end; e = vme_next(e)) {
		if (!vm_map_clip_end(map, e, end))
			return KERN_RESOURCE_SHORTAGE;
		if (behavior == VM_BEHAVIOR_ZERO_WIRED_PAGES)
			e->zero_wired_pages = true;
		else
			e->behavior = (uint8_t)behavior;
	}
	return KERN_SUCCESS;
}

/*
 * Routine:    xs_vm_map_behavior_set
 * Purpose:    madvise's engine.  Lasting behaviours are recorded per entry;
 *             the immediate ones (WILLNEED, DONTNEED, FREE, REUSABLE, REUSE,
 *             CAN_REUSE) only check the range: the simulator has no page
 *             queues to act on (fidelity.md).
 * Conditions: Nothing locked.
 * Returns:    KERN_SUCCESS, KERN_NO_SPACE (outside the map),
 *             KERN_INVALID_ADDRESS (a hole), KERN_INVALID_ARGUMENT.
 */
xs_kern_return_t xs_vm_map_behavior_set(struct vm_map *map, uint64_t start, uint64_t end,
					int new_behavior)
{
	XS_FUNC(vm_map_behavior_set);
	struct vm_map_entry *e;
	xs_kern_return_t kr = KERN_SUCCESS;

	if (start > end || start < map->min_offset || end > map->max_offset)
		return KERN_NO_SPACE;
	switch (new_behavior) {
	case VM_BEHAVIOR_DEFAULT:
	case VM_BEHAVIOR_RANDOM:
	case VM_BEHAVIOR_SEQUENTIAL:
	case VM_BEHAVIOR_RSEQNTL:
	case VM_BEHAVIOR_ZERO_WIRED_PAGES:
		xs_vm_map_lock(map);
		kr = vm_map_behavior_apply(map, start, end, new_behavior);
		xs_vm_map_unlock(map);
		return kr;
	case VM_BEHAVIOR_DONTNEED:
		return xs_vm_map_msync(map, start, end - start,
				       VM_SYNC_DEACTIVATE | VM_SYNC_CONTIGUOUS);
	case VM_BEHAVIOR_FREE:
		return xs_vm_map_msync(map, start, end - start,
				       VM_SYNC_KILLPAGES | VM_SYNC_CONTIGUOUS);
	case VM_BEHAVIOR_WILLNEED:
	case VM_BEHAVIOR_REUSABLE:
	case VM_BEHAVIOR_REUSE:
	case VM_BEHAVIOR_CAN_REUSE:
		xs_vm_map_lock(map);
		if (start < end && !vm_map_range_check(map, start, end, &e))
			kr = KERN_INVALID_ADDRESS;
		xs_vm_map_unlock(map);
		return kr;
	default:
		return KERN_INVALID_ARGUMENT;
	}
}

/*
 * Routine:    xs_vm_map_msync
 * Purpose:    Write back / invalidate [addr, addr + size).  A shared file
 *             mapping is the file's own pages (one copy, as with XNU's
 *             unified buffer cache), so there is nothing to write; the call
 *             checks the range, which with VM_SYNC_CONTIGUOUS must have no
 *             hole.
 * Conditions: Nothing locked.
 * Returns:    KERN_SUCCESS, KERN_INVALID_ADDRESS (a hole or nothing mapped).
 */
xs_kern_return_t xs_vm_map_msync(struct vm_map *map, uint64_t addr, uint64_t size, int flags)
{
	XS_FUNC(vm_map_msync);
	struct vm_map_entry *e;
	uint64_t end = addr + size;
	bool ok;

	if (size == 0)
		return KERN_SUCCESS;
	xs_vm_map_lock(map);
	if (flags & VM_SYNC_CONTIGUOUS) {
		ok = vm_map_range_check(map, addr, end, &e);
	} else {
		/* Without CONTIGUOUS, any mapped byte in the range will do. */
		ok = xs_vm_map_lookup_entry(map, addr, &e);
		if (!ok) {
			e = vme_next(e);
			ok = !vme_is_hdr(map, e) && e->vme_start < end;
		}
	}
	xs_vm_map_unlock(map);
	return ok ? KERN_SUCCESS : KERN_INVALID_ADDRESS;
}

/* ---- fork ---------------------------------------------------------------------- */

/* A copy of old's entry linked at the end of new_map (entries come sorted). */
static struct vm_map_entry *vm_map_entry_copy(struct vm_map *new_map,
					      const struct vm_map_entry *old)
{
	XS_FUNC(vm_map_entry_copy);
	struct vm_map_entry *e = vm_map_entry_create(new_map);

	if (!e)
		return NULL;
	*e = *old;
	e->vme_object = NULL;	/* an entry in flight owns no reference */
	vm_map_store_entry_link(new_map, vme_last(new_map), e);
	vm_map_entry_set_object(e, old->vme_object);
	new_map->size += e->vme_end - e->vme_start;
	return e;
}

/*
 * vm_map_fork_share: both maps point at one object.  An entry with no
 * object yet gets one now, so the two maps have something to share.
 */
static bool vm_map_fork_share(struct vm_map *new_map, struct vm_map_entry *old)
{
	XS_FUNC(vm_map_fork_share);
	struct vm_map_entry *e;

	if (!old->vme_object) {
		old->vme_object = xs_vm_object_allocate(old->vme_end - old->vme_start,
							XS_VMO_ANON_PRIVATE);
		if (!old->vme_object)
			return false;
		old->vme_offset = 0;
	}
	old->is_shared = true;
	e = vm_map_entry_copy(new_map, old);
	return e != NULL;
}

/*
 * vm_map_fork_copy: copy-on-write.  Both entries keep the object and mark
 * needs_copy (vm_object_copy_quickly's symmetric strategy); entries with no
 * object yet just get copied.  The host fork makes the pages copy-on-write.
 */
static bool vm_map_fork_copy(struct vm_map *new_map, struct vm_map_entry *old)
{
	XS_FUNC(vm_map_fork_copy);
	struct vm_map_entry *e = vm_map_entry_copy(new_map, old);

	if (!e)
		return false;
	e->is_shared = false;
	if (old->vme_object) {
		old->needs_copy = true;
		e->needs_copy = true;
	}
	return true;
}

/*
 * Routine:    xs_vm_map_fork
 * Purpose:    The child's map for fork: entries by inheritance (SHARE:
 *             same object; COPY: copy-on-write; NONE: left out).
 * Conditions: Nothing locked.  The host fork that follows makes the memory
 *             itself match: private pages become copy-on-write and shared
 *             (arena-backed) pages stay shared.  VM_INHERIT_NONE ranges stay
 *             mapped in the host child (fidelity.md).
 * Returns:    The new map with one reference, or NULL on shortage.
 */
struct vm_map *xs_vm_map_fork(struct vm_map *old_map)
{
	XS_FUNC(vm_map_fork);
	struct vm_map *new_map;
	struct vm_map_entry *e;
	bool ok = true;

	new_map = xs_vm_map_create_options(old_map->is_64bit);
	if (!new_map)
		return NULL;
	xs_vm_map_lock(old_map);
	xs_queue_foreach(e, &old_map->hdr, struct vm_map_entry, vme_links) {
		if (e->inheritance == VM_INHERIT_SHARE)
			ok = vm_map_fork_share(new_map, e);
		else if (e->inheritance == VM_INHERIT_COPY)
			ok = vm_map_fork_copy(new_map, e);
		if (!ok)
			break;
	}
	old_map->timestamp++;
	xs_vm_map_unlock(old_map);
	if (!ok) {
		xs_vm_map_deallocate(new_map);
		return NULL;
	}
	vm_map_trace(XS_VM_FORK, new_map->min_offset, new_map->size, 0);
	return new_map;
}

/* ---- the host side of fork and exec ------------------------------------------------ */

/*
 * A host fork copies the whole address space, but the child's map leaves
 * out VM_INHERIT_NONE entries: unmap every hole of the child's window.
 */
void xs_vm_map_pmap_fork_child(struct vm_map *map)
{
	struct vm_map_entry *e;
	uint64_t at;

	if (!xs_vm_map_is_current(map))
		return;
	xs_vm_map_lock(map);
	at = map->min_offset;
	xs_queue_foreach(e, &map->hdr, struct vm_map_entry, vme_links) {
		xs_pmap_remove_options(map, at, e->vme_start);
		at = e->vme_end;
	}
	xs_pmap_remove_options(map, at, map->max_offset);
	xs_vm_map_unlock(map);
}

/* After a host execve: the map was built first; give it its host pages. */
int xs_vm_map_pmap_enter_all(struct vm_map *map)
{
	struct vm_map_entry *e;
	int rc = 0;

	if (!xs_vm_map_is_current(map))
		return 0;
	xs_vm_map_lock(map);
	xs_queue_foreach(e, &map->hdr, struct vm_map_entry, vme_links) {
		if (xs_pmap_enter_options(map, e))
			rc = -1;
	}
	xs_vm_map_unlock(map);
	return rc;
}
