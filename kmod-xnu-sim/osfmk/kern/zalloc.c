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
 * Carve a fresh chunk of pages into elements and put them on the free list.
 * z_lock held.  False when the arena is exhausted.
 */
static bool zone_refill(struct zone *z)
{
	uint64_t chunk = xs_round_up((uint64_t)z->z_elem_size * ZONE_CHUNK_MIN_ELEMS,
				     OSL_PAGE_SIZE);
	uint64_t npages, nelems;
	char *base;

	if (z->z_elem_size * 8u <= OSL_PAGE_SIZE)
		chunk = OSL_PAGE_SIZE;	/* small elements: a page at a time */
	npages = chunk / OSL_PAGE_SIZE;
	base = osl_pages_alloc(npages);
	if (!base)
		return false;
	z->z_pages += npages;
	nelems = chunk / z->z_elem_size;
	/* Thread the free list back to front so allocation walks memory upward. */
	for (uint64_t i = nelems; i-- > 0;) {
		void **elem = (void **)(void *)(base + i * z->z_elem_size);

		*elem = z->z_free_list;
		z->z_free_list = elem;
	}
	return true;
}

/*
 * Routine:    xs_zalloc  (zalloc_flags)
 * Purpose:    One zeroed element of zone z.
 * Conditions: Nothing locked; takes z_lock.  May take arena pages.
 * Returns:    The element (arena memory, freed with xs_zfree), NULL when
 *             the arena is exhausted or z is NULL.
 */
void *xs_zalloc(struct zone *z)
{
	XS_FUNC(zalloc_flags);
	void **elem;

	if (!z)
		return NULL;
	xs_lck_mtx_lock(&z->z_lock);
	if (!z->z_free_list && !zone_refill(z)) {
		xs_lck_mtx_unlock(&z->z_lock);
		return NULL;
	}
	elem = z->z_free_list;
	z->z_free_list = *elem;
	z->z_count++;
	z->z_allocs++;
	if (z->z_count > z->z_count_max)
		z->z_count_max = z->z_count;
	xs_lck_mtx_unlock(&z->z_lock);
	xs_memset(elem, 0, z->z_elem_size);
	return elem;
}

void *xs_zalloc_id(enum zone_id id)
{
	XS_FUNC(zalloc_id);

	return xs_zalloc(xs_zone_by_id(id));
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
	uint64_t *w = elem;

	if (!elem)
		return;
	if (!z || !osl_is_kernel_address((uint64_t)(uintptr_t)elem, z->z_elem_size))
		osl_panic("zfree: %p is not an element of zone %s", elem, z ? z->z_name : "?");
	for (uint32_t i = 0; i < z->z_elem_size / 8; i++)
		w[i] = ZONE_POISON;
	xs_lck_mtx_lock(&z->z_lock);
	if (z->z_count == 0)
		osl_panic("zfree: zone %s has no elements outstanding (double free of %p?)",
			  z->z_name, elem);
	*(void **)elem = z->z_free_list;
	z->z_free_list = elem;
	z->z_count--;
	z->z_frees++;
	xs_lck_mtx_unlock(&z->z_lock);
}

void xs_zfree_id(enum zone_id id, void *elem)
{
	XS_FUNC(zfree_id);

	xs_zfree(xs_zone_by_id(id), elem);
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
