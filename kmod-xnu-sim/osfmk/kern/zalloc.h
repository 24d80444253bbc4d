/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * zalloc.h: zones, kalloc and kmem over the machine's arena.  Corresponds to
 * osfmk/kern/zalloc.h, osfmk/kern/kalloc.h and osfmk/vm/vm_kern.h.
 *
 * Every kernel object comes from a zone, so a trace shows where each BSD or
 * Mach call allocates, and tests can check that zone counts return to their
 * baseline.  Well-known zones have fixed ids, as XNU's zalloc_id() does; each
 * owner creates its zone at boot with xs_zone_create_id().
 */
#ifndef XS_KERN_ZALLOC_H
#define XS_KERN_ZALLOC_H

#include "kmod-xnu-sim/osfmk/kern/kern_types.h"
#include "kmod-xnu-sim/osfmk/kern/locks.h"
#include "kmod-xnu-sim/osfmk/kern/xs_redo.h"

enum zone_id {
	ZONE_ID_PROC_TASK,	/* "proc_task": struct proc followed by struct task */
	ZONE_ID_THREAD,		/* "threads" */
	ZONE_ID_FILEPROC,	/* "fileproc" */
	ZONE_ID_FILEGLOB,	/* "fileglob" (fg_zone) */
	ZONE_ID_VNODE,		/* "vnodes" */
	ZONE_ID_NAMEI,		/* "vfs.namei" (ZV_NAMEI path buffers) */
	ZONE_ID_VM_MAP,		/* "maps" */
	ZONE_ID_VM_MAP_ENTRY,	/* "VM map entries" */
	ZONE_ID_VM_OBJECT,	/* "vm objects" */
	ZONE_ID_IPC_SPACE,	/* "ipc spaces" */
	ZONE_ID_IPC_PORT,	/* "ipc ports" (ipc_object_zones[IOT_PORT]) */
	ZONE_ID_IPC_PORT_SET,	/* "ipc port sets" */
	ZONE_ID_IPC_KMSG,	/* "ipc kmsgs" */
	ZONE_ID_SEMAPHORE,	/* "semaphores" */
	ZONE_ID_PIPE,		/* "pipe zone" */
	ZONE_ID_CS_BLOB,	/* "cs_blob zone" (bsd/kern/ubc_subr.c) */
	ZONE_ID_FIRST_DYNAMIC,	/* kalloc.* and zones made with xs_zone_create */
	ZONE_ID_MAX = 64,
};

#define XS_ZONE_NAME_MAX 32

struct zone {
	char z_name[XS_ZONE_NAME_MAX];
	uint32_t z_elem_size;
	uint32_t z_id;
	lck_mtx_t z_lock;
	void *z_free_list;	/* arena pointer to the first free element */
	uint64_t z_count;	/* elements handed out and not yet freed */
	uint64_t z_count_max;
	uint64_t z_allocs;	/* lifetime totals */
	uint64_t z_frees;
	uint64_t z_pages;	/* pages taken from the arena */
	struct xs_redo z_redo;	/* a dead owner's half-done alloc/free (xs_redo.h) */
};

/* zalloc's machine-wide state (a member of struct xs_machine). */
struct zalloc_globals {
	lck_mtx_t zg_lock;
	struct zone zg_zones[ZONE_ID_MAX];
	uint32_t zg_zone_count;
	uint64_t zg_kmem_pages;	/* pages held by kmem_alloc callers */
};

/* Called once at boot, before any other subsystem. */
void xs_zalloc_bootstrap(void);

/*
 * Create (or, if it exists, return) the zone with this id.  Only the owner of
 * the object type calls this, at boot.  Returns an arena pointer.
 */
struct zone *xs_zone_create_id(enum zone_id id, const char *name, size_t elem_size);
/* Create a dynamic zone (id >= ZONE_ID_FIRST_DYNAMIC).  NULL if the table is full. */
struct zone *xs_zone_create(const char *name, size_t elem_size);
struct zone *xs_zone_by_id(enum zone_id id);

/* A zeroed element; NULL when the arena is exhausted.  Freed with xs_zfree. */
void *xs_zalloc(struct zone *z);
void *xs_zalloc_id(enum zone_id id);
void xs_zfree(struct zone *z, void *elem);
void xs_zfree_id(enum zone_id id, void *elem);
/*
 * For state a killed process may leave behind: xs_zalloc_into stores the
 * element at *slot (an arena pointer word) in the same step that takes it
 * from the zone, and xs_zfree_from frees the element at *slot and stores
 * replacement there in the same step.  A process killed around the call
 * leaves the element either in the zone or in the slot, never lost, so its
 * reaper finds it.  The caller holds whatever lock guards *slot.
 */
void *xs_zalloc_into(struct zone *z, void *slot);
void *xs_zalloc_id_into(enum zone_id id, void *slot);
void xs_zfree_from(struct zone *z, void *slot, void *replacement);
void xs_zfree_id_from(enum zone_id id, void *slot, void *replacement);
/* Finish zone operations killed processes left half done (their reaper). */
void xs_zone_settle_all(void);

/*
 * kalloc: zeroed memory of any size from the kalloc.<size> zones (or whole
 * pages past the largest class).  The caller frees with the same size.
 */
void *xs_kalloc(size_t size);
void xs_kfree(void *addr, size_t size);

/* kmem_alloc: page-granular kernel memory (kernel_map).  Zeroed; NULL. */
void *xs_kmem_alloc(size_t size);
void xs_kmem_free(void *addr, size_t size);

/* Statistics for tests and zprint-style reports. */
uint32_t xs_zone_count(void);
const struct zone *xs_zone_at(uint32_t index);

#endif /* XS_KERN_ZALLOC_H */
