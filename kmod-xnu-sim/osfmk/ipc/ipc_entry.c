/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipc_entry.c: the entry table of an IPC space: name lookup, allocation
 * with generation numbers, caller-chosen names, and table growth.
 * Corresponds to osfmk/ipc/ipc_entry.c and the reverse lookup of
 * osfmk/ipc/ipc_hash.c.  IPC lock held throughout.
 */
#include "kmod-xnu-sim/osfmk/ipc/ipc_space.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#include "darwin/port.h"

/* A never-used entry: its first allocation advances the generation to 0x03. */
#define IE_BITS_FRESH 0xff000000u

static uint32_t ipc_entry_rand(struct ipc_space *space)
{
	space->is_rand = space->is_rand * 1103515245u + 12345u;
	return space->is_rand >> 8;
}

/*
 * Put the new entries [from, to) on the free list in a shuffled order:
 * XNU randomizes its free list so names are hard to predict.
 */
static void ipc_entry_table_link_free(struct ipc_space *space, uint32_t from, uint32_t to)
{
	uint32_t n = to - from, *perm = xs_kalloc(n * sizeof(uint32_t));

	for (uint32_t j = 0; j < n; j++) {
		space->is_table[from + j].ie_bits = IE_BITS_FRESH;
		space->is_table[from + j].ie_object = NULL;
		if (perm)
			perm[j] = from + j;
	}
	for (uint32_t j = n; perm && j > 1; j--) {
		uint32_t k = ipc_entry_rand(space) % j, t = perm[j - 1];
		perm[j - 1] = perm[k];
		perm[k] = t;
	}
	for (uint32_t j = 0; j < n; j++) {
		uint32_t idx = perm ? perm[j] : from + j;
		space->is_table[idx].ie_next = space->is_free_head;
		space->is_free_head = idx;
	}
	space->is_table_free += n;
	if (perm)
		xs_kfree(perm, n * sizeof(uint32_t));
}

/*
 * Routine:    xs_ipc_entry_grow_table
 * Purpose:    Make the table hold at least min_size entries (doubling).
 *             Entry pointers taken before a grow are stale afterwards.
 * Returns:    KERN_SUCCESS, KERN_NO_SPACE.
 */
static xs_kern_return_t xs_ipc_entry_grow_table(struct ipc_space *space, uint32_t min_size)
{
	XS_FUNC(ipc_entry_grow_table);
	uint32_t osize = space->is_table_size, nsize = osize ? osize : 32;
	struct ipc_entry *ntable;

	while (nsize < min_size)
		nsize *= 2;
	if (nsize > XS_IPC_TABLE_MAX)
		nsize = XS_IPC_TABLE_MAX;
	if (nsize <= osize || nsize < min_size)
		return KERN_NO_SPACE;
	ntable = xs_kalloc(nsize * sizeof(*ntable));	/* ipc_entry_table_alloc_by_size */
	if (!ntable)
		return KERN_NO_SPACE;
	if (space->is_table) {
		xs_memcpy(ntable, space->is_table, osize * sizeof(*ntable));
		xs_kfree(space->is_table, osize * sizeof(*ntable));
	}
	space->is_table = ntable;
	space->is_table_size = nsize;
	/* Index 0 is never a name: it stays outside the free list. */
	ipc_entry_table_link_free(space, osize ? osize : 1, nsize);
	return KERN_SUCCESS;
}

struct ipc_entry *xs_ipc_entry_lookup(struct ipc_space *space, mach_port_name_t name)
{
	XS_FUNC(ipc_entry_lookup);
	uint32_t index = XS_PORT_INDEX(name);
	struct ipc_entry *entry;

	if (!space->is_active || index == 0 || index >= space->is_table_size)
		return NULL;
	entry = &space->is_table[index];
	if (IE_BITS_TYPE(entry->ie_bits) == 0 ||
	    IE_BITS_GEN(entry->ie_bits) != XS_PORT_GEN(name))
		return NULL;
	return entry;
}

/*
 * Routine:    xs_ipc_entry_alloc
 * Purpose:    Claim a free entry (ipc_entry_claim), advancing its
 *             generation by IE_BITS_GEN_ONE, so reuse of index i gives
 *             names i<<8|0x03, i<<8|0x07, ...
 * Returns:    KERN_SUCCESS, KERN_NO_SPACE.
 */
xs_kern_return_t xs_ipc_entry_alloc(struct ipc_space *space, mach_port_name_t *namep,
				    struct ipc_entry **entryp)
{
	XS_FUNC(ipc_entry_alloc);
	struct ipc_entry *entry;
	uint32_t index, gen;

	if (!space->is_active)
		return KERN_INVALID_TASK;
	if (space->is_free_head == 0) {
		xs_kern_return_t kr = xs_ipc_entry_grow_table(space, space->is_table_size + 1);
		if (kr != KERN_SUCCESS)
			return kr;
	}
	index = space->is_free_head;
	entry = &space->is_table[index];
	space->is_free_head = entry->ie_next;
	space->is_table_free--;
	gen = IE_BITS_GEN(entry->ie_bits) + IE_BITS_GEN_INCR;
	entry->ie_bits = gen;
	entry->ie_next = 0;
	entry->ie_object = NULL;
	*namep = XS_PORT_MAKE(index, gen);
	*entryp = entry;
	return KERN_SUCCESS;
}

xs_kern_return_t xs_ipc_entry_alloc_name(struct ipc_space *space, mach_port_name_t name,
					 struct ipc_entry **entryp)
{
	XS_FUNC(ipc_entry_alloc_name);
	uint32_t index = XS_PORT_INDEX(name), prev = 0, cur;
	struct ipc_entry *entry;

	if (!space->is_active)
		return KERN_INVALID_TASK;
	if (index == 0)
		return KERN_INVALID_VALUE;
	if (index >= space->is_table_size) {
		xs_kern_return_t kr = xs_ipc_entry_grow_table(space, index + 1);
		if (kr != KERN_SUCCESS)
			return kr;
	}
	entry = &space->is_table[index];
	if (IE_BITS_TYPE(entry->ie_bits) != 0) {
		if (IE_BITS_GEN(entry->ie_bits) != XS_PORT_GEN(name))
			return KERN_NAME_EXISTS;
		*entryp = entry;	/* in use under this very name */
		return KERN_SUCCESS;
	}
	/* Unlink the free entry; the free list is short enough to walk. */
	for (cur = space->is_free_head; cur && cur != index; cur = space->is_table[cur].ie_next)
		prev = cur;
	if (cur != index)
		return KERN_NO_SPACE;
	if (prev)
		space->is_table[prev].ie_next = entry->ie_next;
	else
		space->is_free_head = entry->ie_next;
	space->is_table_free--;
	entry->ie_bits = XS_PORT_GEN(name);
	entry->ie_next = 0;
	entry->ie_object = NULL;
	*entryp = entry;
	return KERN_SUCCESS;
}

void xs_ipc_entry_dealloc(struct ipc_space *space, mach_port_name_t name,
			  struct ipc_entry *entry)
{
	XS_FUNC(ipc_entry_dealloc);
	uint32_t index = XS_PORT_INDEX(name);

	entry->ie_bits = IE_BITS_GEN(entry->ie_bits);	/* keep the generation */
	entry->ie_object = NULL;
	/* LIFO: the name's index is the next one handed out, one generation on. */
	entry->ie_next = space->is_free_head;
	space->is_free_head = index;
	space->is_table_free++;
}

mach_port_name_t xs_ipc_hash_lookup(struct ipc_space *space, struct ipc_port *port,
				    struct ipc_entry **entryp)
{
	XS_FUNC(ipc_hash_lookup);

	/* XNU keeps a hash of port -> entry for send and receive rights; a scan will do. */
	for (uint32_t i = 1; i < space->is_table_size; i++) {
		struct ipc_entry *e = &space->is_table[i];

		if (e->ie_object == port &&
		    (e->ie_bits & (MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_RECEIVE))) {
			if (entryp)
				*entryp = e;
			return XS_PORT_MAKE(i, IE_BITS_GEN(e->ie_bits));
		}
	}
	return MACH_PORT_NULL;
}
