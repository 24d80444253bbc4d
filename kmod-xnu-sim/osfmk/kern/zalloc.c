/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * zalloc.c: the zone allocator.  Every kernel object type has a zone of
 * fixed-size elements carved from arena pages; the zone keeps a free list
 * and the counts zprint shows.  Zones never give pages back (XNU's zone GC
 * is not modeled: see docs/fidelity.md).  Corresponds to osfmk/kern/zalloc.c.
 */
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc_internal.h"

#define ZONE_ELEM_ALIGN 16
#define ZONE_CHUNK_MIN_ELEMS 4		/* large elements: at least this many per refill */
#define ZONE_POISON 0xdeadbeefdeadbeefull

static inline struct zalloc_globals *zg(void)
{
	return &xs_machine()->m_zalloc;
}

/* Fill one zone slot.  zg_lock held, slot unused. */
static struct zone *zone_init_slot(uint32_t id, const char *name, size_t elem_size)
{
	struct zone *z = &zg()->zg_zones[id];

	xs_memset(z, 0, sizeof(*z));
	xs_strlcpy(z->z_name, name, sizeof(z->z_name));
	z->z_elem_size = (uint32_t)xs_round_up(elem_size ? elem_size : 1, ZONE_ELEM_ALIGN);
	z->z_id = id;
	xs_lck_mtx_init(&z->z_lock);
	zg()->zg_zone_count++;
	return z;
}

static inline bool zone_slot_used(const struct zone *z)
{
	return z->z_elem_size != 0;
}

/*
 * Routine:    xs_zalloc_bootstrap
 * Purpose:    Set up zalloc's machine-wide state before any other subsystem
 *             allocates (XNU: zone_bootstrap, then kalloc_init's zones).
 * Conditions: Boot, single-threaded, fresh (zeroed) machine.
 */
void xs_zalloc_bootstrap(void)
{
	XS_FUNC(zone_bootstrap);
	struct zalloc_globals *g = zg();

	xs_memset(g, 0, sizeof(*g));
	xs_lck_mtx_init(&g->zg_lock);
	xs_kalloc_init();
}

struct zone *xs_zone_create_id(enum zone_id id, const char *name, size_t elem_size)
{
	XS_FUNC(zone_create_ext);
	struct zone *z;

	if ((unsigned)id >= ZONE_ID_MAX || !name || elem_size == 0 ||
	    elem_size > XS_ZONE_ELEM_MAX)
		return NULL;
	xs_lck_mtx_lock(&zg()->zg_lock);
	z = &zg()->zg_zones[id];
	if (!zone_slot_used(z))
		z = zone_init_slot((uint32_t)id, name, elem_size);
	xs_lck_mtx_unlock(&zg()->zg_lock);
	return z;
}

struct zone *xs_zone_create(const char *name, size_t elem_size)
{
	XS_FUNC(zone_create);
	struct zone *z = NULL;

	if (!name || elem_size == 0 || elem_size > XS_ZONE_ELEM_MAX)
		return NULL;
	xs_lck_mtx_lock(&zg()->zg_lock);
	for (uint32_t id = ZONE_ID_FIRST_DYNAMIC; id < ZONE_ID_MAX; id++) {
		if (!zone_slot_used(&zg()->zg_zones[id])) {
			z = zone_init_slot(id, name, elem_size);
			break;
		}
	}
	xs_lck_mtx_unlock(&zg()->zg_lock);
	return z;
}

struct zone *xs_zone_by_id(enum zone_id id)
{
	struct zone *z;

	if ((unsigned)id >= ZONE_ID_MAX)
		return NULL;
	z = &zg()->zg_zones[id];
	return zone_slot_used(z) ? z : NULL;
}

/*
 * Take z_lock and finish an alloc or free whose process was killed inside
 * it (xs_redo.h), so the free list and the counts agree again.
 */
static void zone_lock(struct zone *z)
{
	xs_lck_mtx_lock(&z->z_lock);
	(void)xs_redo_recover(&z->z_redo);
}

/*
 * Carve a fresh chunk of pages into elements and put them on the free list.
 * z_lock held, free list empty.  The chunk is threaded while nobody can see
 * it and published by one store, so a killed caller at worst loses the
 * pages (never the list).  False when the arena is exhausted.
 */
static bool zone_refill(struct zone *z)
{
	uint64_t chunk = xs_round_up((uint64_t)z->z_elem_size * ZONE_CHUNK_MIN_ELEMS,
				     OSL_PAGE_SIZE);
	uint64_t npages, nelems;
	void *head = NULL;
	char *base;

	if (z->z_elem_size * 8u <= OSL_PAGE_SIZE)
		chunk = OSL_PAGE_SIZE;	/* small elements: a page at a time */
	npages = chunk / OSL_PAGE_SIZE;
	base = osl_pages_alloc(npages);
	if (!base)
		return false;
	nelems = chunk / z->z_elem_size;
	/* Thread the free list back to front so allocation walks memory upward. */
	for (uint64_t i = nelems; i-- > 0;) {
		void **elem = (void **)(void *)(base + i * z->z_elem_size);

		*elem = head;
		head = elem;
	}
	__atomic_store_n(&z->z_free_list, head, __ATOMIC_RELEASE);
	z->z_pages += npages;
	return true;
}

/*
 * Routine:    xs_zalloc_into  (zalloc_flags)
 * Purpose:    One zeroed element of zone z, stored at *slot (if slot is not
 *             NULL) in the same step that counts it out of the zone.
 * Conditions: Nothing locked but slot's guard; takes z_lock.  May take
 *             arena pages.
 * Returns:    The element (arena memory, freed with xs_zfree), NULL when
 *             the arena is exhausted or z is NULL (*slot untouched).
 */
void *xs_zalloc_into(struct zone *z, void *slot)
{
	XS_FUNC(zalloc_flags);
	struct xs_redo *r;
	void **elem;

	if (!z)
		return NULL;
	zone_lock(z);
	if (!z->z_free_list && !zone_refill(z)) {
		xs_lck_mtx_unlock(&z->z_lock);
		return NULL;
	}
	elem = z->z_free_list;
	/* Only the first word links the free list: zero the rest in place. */
	xs_memset(elem + 1, 0, z->z_elem_size - sizeof(void *));
	r = &z->z_redo;
	xs_redo_begin(r);
	xs_redo_putptr(r, &z->z_free_list, *elem);
	xs_redo_putptr(r, elem, NULL);
	xs_redo_put64(r, &z->z_count, z->z_count + 1);
	xs_redo_put64(r, &z->z_allocs, z->z_allocs + 1);
	if (z->z_count + 1 > z->z_count_max)
		xs_redo_put64(r, &z->z_count_max, z->z_count + 1);
	if (slot)
		xs_redo_putptr(r, slot, elem);
	xs_redo_commit(r);
	xs_lck_mtx_unlock(&z->z_lock);
	return elem;
}

/* zalloc: xs_zalloc_into without a slot. */
void *xs_zalloc(struct zone *z)
{
	return xs_zalloc_into(z, NULL);
}

void *xs_zalloc_id(enum zone_id id)
{
	XS_FUNC(zalloc_id);

	return xs_zalloc_into(xs_zone_by_id(id), NULL);
}

void *xs_zalloc_id_into(enum zone_id id, void *slot)
{
	XS_FUNC(zalloc_id);

	return xs_zalloc_into(xs_zone_by_id(id), slot);
}

/*
 * zfree's one step: w back on the free list, the counts, and *slot =
 * replacement when slot is not NULL.  With a slot, w is read from it under
 * z_lock: a replayed free of a dead process may just have emptied it.
 * Every address in the redo record is arena memory: a survivor may replay
 * it.
 */
static void zfree_common(struct zone *z, uint64_t *w, void *slot, void *replacement)
{
	struct xs_redo *r;

	if (!z)
		osl_panic("zfree: %p has no zone", (void *)w);
	zone_lock(z);
	if (slot)
		w = __atomic_load_n((uint64_t **)slot, __ATOMIC_RELAXED);
	if (!w) {
		xs_lck_mtx_unlock(&z->z_lock);
		return;
	}
	if (!osl_is_kernel_address((uint64_t)(uintptr_t)w, z->z_elem_size))
		osl_panic("zfree: %p is not an element of zone %s", (void *)w, z->z_name);
	if (z->z_count == 0)
		osl_panic("zfree: zone %s has no elements outstanding (double free of %p?)",
			  z->z_name, (void *)w);
	r = &z->z_redo;
	xs_redo_begin(r);
	xs_redo_putptr(r, w, z->z_free_list);
	xs_redo_putptr(r, &z->z_free_list, w);
	xs_redo_put64(r, &z->z_count, z->z_count - 1);
	xs_redo_put64(r, &z->z_frees, z->z_frees + 1);
	if (slot)
		xs_redo_putptr(r, slot, replacement);
	xs_redo_commit(r);
	/* Poison under the lock: the element is on the free list from here on. */
	for (uint32_t i = 1; i < z->z_elem_size / 8; i++)
		w[i] = ZONE_POISON;
	xs_lck_mtx_unlock(&z->z_lock);
}

/*
 * Routine:    xs_zfree  (zfree)
 * Purpose:    Return an element to its zone.  The element is poisoned so a
 *             use after free reads garbage rather than stale state.
 * Conditions: Nothing locked.  elem came from xs_zalloc(z); NULL is a no-op.
 *             Panics on memory that is not arena memory (a kernel bug).
 */
void xs_zfree(struct zone *z, void *elem)
{
	XS_FUNC(zfree);

	if (elem)
		zfree_common(z, elem, NULL, NULL);
}

void xs_zfree_id(enum zone_id id, void *elem)
{
	XS_FUNC(zfree_id);

	xs_zfree(xs_zone_by_id(id), elem);
}

/*
 * Routine:    xs_zfree_from  (zfree)
 * Purpose:    xs_zfree of the element at *slot, storing replacement in
 *             *slot in the same step (zalloc.h).
 * Conditions: Nothing locked but slot's guard.  An empty slot is a no-op.
 */
void xs_zfree_from(struct zone *z, void *slot, void *replacement)
{
	XS_FUNC(zfree);

	/* Read under z_lock, even if empty now: a dead process's replay may fill it. */
	zfree_common(z, NULL, slot, replacement);
}

void xs_zfree_id_from(enum zone_id id, void *slot, void *replacement)
{
	XS_FUNC(zfree_id);

	xs_zfree_from(xs_zone_by_id(id), slot, replacement);
}

/*
 * Routine:    xs_zone_settle_all  (simulator only)
 * Purpose:    Finish every zone operation a killed process left half done,
 *             so the slots it was filling or emptying (its fd table, map,
 *             IPC entries) read as the operation's end.  The reaper calls
 *             this before it looks at a dead process's state.
 * Conditions: Nothing locked.
 */
void xs_zone_settle_all(void)
{
	for (uint32_t id = 0; id < ZONE_ID_MAX; id++) {
		struct zone *z = &zg()->zg_zones[id];

		if (!zone_slot_used(z) || !__atomic_load_n(&z->z_redo.r_armed, __ATOMIC_ACQUIRE))
			continue;
		zone_lock(z);
		xs_lck_mtx_unlock(&z->z_lock);
	}
}

/* Zones in id order, skipping unused ids: index 0..xs_zone_count()-1. */
uint32_t xs_zone_count(void)
{
	return zg()->zg_zone_count;
}

const struct zone *xs_zone_at(uint32_t index)
{
	for (uint32_t id = 0; id < ZONE_ID_MAX; id++) {
		const struct zone *z = &zg()->zg_zones[id];

		if (zone_slot_used(z) && index-- == 0)
			return z;
	}
	return NULL;
}
