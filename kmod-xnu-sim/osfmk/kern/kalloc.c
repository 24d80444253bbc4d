/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kalloc.c: variable-size kernel memory.  Requests up to 16 KiB come from
 * power-of-two zones "kalloc.16" ... "kalloc.16384"; larger ones, and
 * kmem_alloc, take whole arena pages.  Corresponds to osfmk/kern/kalloc.c
 * (kalloc_type / kalloc_data reduced to one size-class scheme; XNU also
 * segregates by type signature: see docs/fidelity.md) and, for kmem, to
 * osfmk/vm/vm_kern.c.
 */
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc_internal.h"

_Static_assert(KALLOC_MIN_SIZE << (KALLOC_NCLASSES - 1) == KALLOC_MAX_SIZE,
	       "kalloc classes must run from MIN to MAX");
_Static_assert(ZONE_ID_FIRST_DYNAMIC + KALLOC_NCLASSES <= ZONE_ID_MAX, "zone table too small");

void xs_kalloc_init(void)
{
	XS_FUNC(kalloc_init);
	char name[XS_ZONE_NAME_MAX];

	for (uint32_t i = 0; i < KALLOC_NCLASSES; i++) {
		uint32_t size = KALLOC_MIN_SIZE << i;
		struct zone *z;
		char digits[12];
		int n = 0;

		/* "kalloc.<size>" without printf (freestanding). */
		for (uint32_t v = size; v; v /= 10)
			digits[n++] = (char)('0' + v % 10);
		xs_strlcpy(name, "kalloc.", sizeof(name));
		for (size_t at = xs_strlen(name); n > 0; at++)
			name[at] = digits[--n], name[at + 1] = '\0';
		z = xs_zone_create(name, size);
		if (!z || z->z_id != ZONE_ID_FIRST_DYNAMIC + i)
			osl_panic("kalloc_init: %s did not land in zone %u", name,
				  ZONE_ID_FIRST_DYNAMIC + i);
	}
}

/* The kalloc zone for size, or NULL past the largest class. */
static struct zone *kalloc_zone(size_t size)
{
	uint32_t i = 0;

	if (size > KALLOC_MAX_SIZE)
		return NULL;
	while ((KALLOC_MIN_SIZE << i) < size)
		i++;
	return xs_zone_by_id((enum zone_id)(ZONE_ID_FIRST_DYNAMIC + i));
}

/*
 * Routine:    xs_kalloc  (kalloc_type / kalloc_data)
 * Purpose:    size bytes of zeroed kernel memory.
 * Conditions: Nothing locked.
 * Returns:    Arena memory the caller frees with xs_kfree(addr, size), or
 *             NULL for size 0 or when the arena is exhausted.
 */
void *xs_kalloc(size_t size)
{
	XS_FUNC(kalloc_type);
	struct zone *z;

	if (size == 0)
		return NULL;
	z = kalloc_zone(size);
	return z ? xs_zalloc(z) : xs_kmem_alloc(size);
}

void xs_kfree(void *addr, size_t size)
{
	XS_FUNC(kfree_type);
	struct zone *z;

	if (!addr || size == 0)
		return;
	z = kalloc_zone(size);
	if (z)
		xs_zfree(z, addr);
	else
		xs_kmem_free(addr, size);
}

/*
 * Routine:    xs_kmem_alloc  (kmem_alloc on kernel_map)
 * Purpose:    Page-granular zeroed kernel memory.  The pages come straight
 *             from the arena; no kernel_map entry is made (fidelity.md).
 * Returns:    Page-aligned arena memory, freed with xs_kmem_free(addr, size);
 *             NULL for size 0 or when the arena is exhausted.
 */
void *xs_kmem_alloc(size_t size)
{
	XS_FUNC_AT(kmem_alloc, "osfmk/vm/vm_kern.c");
	uint64_t npages;
	void *p;

	if (size == 0 || size > (1ull << 40))
		return NULL;
	npages = xs_round_up(size, OSL_PAGE_SIZE) / OSL_PAGE_SIZE;
	p = osl_pages_alloc(npages);
	if (p)
		__atomic_fetch_add(&xs_machine()->m_zalloc.zg_kmem_pages, npages,
				   __ATOMIC_RELAXED);
	return p;
}

void xs_kmem_free(void *addr, size_t size)
{
	XS_FUNC_AT(kmem_free, "osfmk/vm/vm_kern.c");
	uint64_t npages;

	if (!addr || size == 0)
		return;
	npages = xs_round_up(size, OSL_PAGE_SIZE) / OSL_PAGE_SIZE;
	osl_pages_free(addr, npages);
	__atomic_fetch_sub(&xs_machine()->m_zalloc.zg_kmem_pages, npages, __ATOMIC_RELAXED);
}
