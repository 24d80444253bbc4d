/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vm_map_internal.h: the private half of Mach VM: maps, entries, objects and
 * the helpers the files of osfmk/vm share.  Only osfmk/vm, the VM traps, BSD's
 * kern_mman.c and white-box tests include it.  Corresponds to XNU's
 * osfmk/vm/vm_map_internal.h, vm_map_xnu.h and vm_object_internal.h.
 */
#ifndef XS_VM_VM_MAP_INTERNAL_H
#define XS_VM_VM_MAP_INTERNAL_H

#include "kmod-xnu-sim/osfmk/kern/kern_types.h"
#include "kmod-xnu-sim/osfmk/kern/locks.h"
#include "kmod-xnu-sim/osfmk/kern/queue.h"
#include "kmod-xnu-sim/osfmk/kern/xs_redo.h"
#include "kmod-xnu-sim/osfmk/vm/vm_map.h"

#include "darwin/vm.h"

/*
 * The user address window of every task map.  XNU's maps start at 0 and end
 * at MACH_VM_MAX_ADDRESS; a simulated task shares its host process with
 * Linux's own mappings (the executable near 0x55.., libraries near 0x7f..,
 * and, under ASan, shadow memory below 0x10007fff8000 and the allocator at
 * 0x6000'0000'0000), so the map spans a window Linux leaves alone.  The
 * machine arenas sit at 0x6f00'0000'0000 (osl/user/osl_user.h).
 */
#define XS_VM_MAP_USER_MIN 0x0000200000000000ull
#define XS_VM_MAP_USER_MAX 0x0000280000000000ull

/* The kernel map covers the machine's arena; it holds no host mappings. */
#define XS_VM_MAP_KERNEL_MIN 0x00006f0000000000ull
#define XS_VM_MAP_KERNEL_MAX 0x00006f1000000000ull

/* vm_behavior_t (osfmk/mach/vm_behavior.h) */
#define VM_BEHAVIOR_DEFAULT		0
#define VM_BEHAVIOR_RANDOM		1
#define VM_BEHAVIOR_SEQUENTIAL		2
#define VM_BEHAVIOR_RSEQNTL		3
#define VM_BEHAVIOR_WILLNEED		4
#define VM_BEHAVIOR_DONTNEED		5
#define VM_BEHAVIOR_FREE		6
#define VM_BEHAVIOR_ZERO_WIRED_PAGES	7
#define VM_BEHAVIOR_REUSABLE		8
#define VM_BEHAVIOR_REUSE		9
#define VM_BEHAVIOR_CAN_REUSE		10
#define VM_BEHAVIOR_PAGEOUT		11

/* vm_sync_t (osfmk/mach/vm_sync.h) */
#define VM_SYNC_ASYNCHRONOUS	0x01
#define VM_SYNC_SYNCHRONOUS	0x02
#define VM_SYNC_INVALIDATE	0x04
#define VM_SYNC_KILLPAGES	0x08
#define VM_SYNC_DEACTIVATE	0x10
#define VM_SYNC_CONTIGUOUS	0x20

#define XS_VM_GET_FLAGS_ALIAS(flags) (((uint32_t)(flags) >> 24) & 0xff)

/*
 * What stands behind a vm_object's pages.  XNU's objects have pagers; here
 * the backing is chosen once, at creation, because the host mapping is made
 * eagerly (no vm_fault path).
 */
enum vm_object_backing {
	XS_VMO_ANON_PRIVATE = 1,	/* host private zero-fill memory (COW over host fork) */
	XS_VMO_ANON_SHARED,		/* arena pages owned by the object (MAP_SHARED anon) */
	XS_VMO_VNODE,			/* a file's arena pages, borrowed from the UBC */
};

struct vm_object {
	uint32_t ref_count;		/* atomic; map entries and the creator */
	uint32_t vo_backing;		/* enum vm_object_backing */
	uint64_t vo_object_id;		/* stable id for traces and tests */
	uint64_t vo_size;		/* bytes, rounded to the map's page size */
	void *vo_kaddr;			/* arena pages (ANON_SHARED, VNODE) or NULL */
	uint64_t vo_npages;		/* OSL pages owned at vo_kaddr (ANON_SHARED only) */
	struct vnode *vo_vnode;		/* VNODE: holds a usecount (xs_vnode_ref) */
	uint64_t vo_file_size;		/* VNODE: file size when mapped */
};

/*
 * One map entry: [vme_start, vme_end) with its protections, inheritance and
 * object.  vme_object may be NULL: XNU leaves anonymous private memory
 * without an object until the first fault (vm_map_enter), and so do we.
 */
struct vm_map_entry {
	queue_chain_t vme_links;	/* map.hdr, sorted by vme_start */
	uint64_t vme_start;
	uint64_t vme_end;
	struct vm_object *vme_object;	/* one reference, or NULL */
	uint64_t vme_offset;		/* into vme_object */
	vm_prot_t protection;
	vm_prot_t max_protection;
	vm_inherit_t inheritance;
	uint16_t vme_alias;		/* VM tag (VM_MEMORY_*) */
	uint8_t behavior;		/* VM_BEHAVIOR_* */
	bool needs_copy;		/* copy-on-write against vme_object */
	bool is_shared;			/* shared with another map (fork SHARE) */
	bool zero_wired_pages;
	struct vm_map_entry *vme_zap_next;	/* on vm_map.zap_head, once unlinked */
};

struct vm_map {
	lck_mtx_t lock;
	queue_head_t hdr;		/* struct vm_map_entry, sorted, no overlap */
	uint32_t nentries;
	uint32_t ref_count;		/* atomic */
	uint64_t min_offset;
	uint64_t max_offset;
	uint64_t size;			/* bytes mapped */
	uint64_t page_size;		/* 16 KiB arm64, 4 KiB x86_64 (vm_map_page_size) */
	uint32_t timestamp;		/* bumped by every change */
	bool is_64bit;
	bool is_kernel_map;
	/*
	 * A process killed mid-call must leave every entry findable by its
	 * reaper (vm_map_destroy): a new entry sits in vme_inflight from its
	 * allocation until it is linked; a removed one waits on the zap stack
	 * until it is freed; list edits are all-or-nothing through redo,
	 * which the next xs_vm_map_lock finishes (xs_redo.h).
	 */
	struct vm_map_entry *vme_inflight;	/* allocated, not linked: owns no object ref */
	struct vm_map_entry *zap_head;		/* unlinked, not yet freed (vme_zap_next) */
	struct xs_redo redo;
};

/* vm_map_kernel_flags_t, reduced to what the simulator uses. */
struct vm_map_kernel_flags {
	bool vmf_fixed;
	bool vmf_overwrite;
	bool vmf_no_cache;
	bool vmkf_map_jit;
	uint16_t vm_tag;
	uint64_t mask;			/* alignment mask for ANYWHERE */
};

/* vm_map_enter's backing for a new range. */
struct vm_map_enter_backing {
	struct vm_object *object;	/* a reference the entry consumes, or NULL */
	uint64_t offset;
	bool copy;			/* private copy of object (file MAP_PRIVATE) */
};

static inline uint64_t xs_vm_map_page_mask(const struct vm_map *map) { return map->page_size - 1; }
static inline uint64_t xs_vm_map_round_page(uint64_t x, uint64_t mask)
{
	return (x + mask) & ~mask;
}
static inline uint64_t xs_vm_map_trunc_page(uint64_t x, uint64_t mask) { return x & ~mask; }

/*
 * vm_map_range_overflows: start + size wraps, or rounds to a wrap.  XNU's
 * sanitizers reject these with KERN_INVALID_ARGUMENT (EINVAL from BSD).
 */
static inline bool xs_vm_map_range_overflows(const struct vm_map *map, uint64_t start,
					     uint64_t size)
{
	uint64_t end;

	if (__builtin_add_overflow(start, size, &end))
		return true;
	return xs_vm_map_round_page(end, xs_vm_map_page_mask(map)) < end;
}

/* ---- vm_map.c ------------------------------------------------------------- */

struct vm_map *xs_vm_map_create_internal(uint64_t min, uint64_t max, bool is_kernel);
void xs_vm_map_lock(struct vm_map *map);
void xs_vm_map_unlock(struct vm_map *map);
/* Entry containing addr (true), or the entry before the hole (false; may be &hdr). */
bool xs_vm_map_lookup_entry(struct vm_map *map, uint64_t addr, struct vm_map_entry **out);

/*
 * vm_map_enter: map [*addr, *addr + size) (size already page-rounded).
 * Consumes backing->object's reference on success only.
 * Returns KERN_SUCCESS, KERN_NO_SPACE, KERN_INVALID_ADDRESS,
 * KERN_INVALID_ARGUMENT, KERN_RESOURCE_SHORTAGE.
 */
xs_kern_return_t xs_vm_map_enter(struct vm_map *map, mach_vm_address_t *addr, uint64_t size,
				 const struct vm_map_kernel_flags *vmk,
				 const struct vm_map_enter_backing *backing,
				 vm_prot_t cur_prot, vm_prot_t max_prot, vm_inherit_t inheritance);
/*
 * vm_map_enter_mem_object (IPC_PORT_NULL only: anonymous memory) and
 * vm_map_enter_mem_object_control (a vnode's pages, file_size bytes at kaddr).
 * flags: user VM_FLAGS_* (ANYWHERE, OVERWRITE, tag).  *addr: hint or fixed.
 */
xs_kern_return_t xs_vm_map_enter_mem_object(struct vm_map *map, mach_vm_address_t *addr,
					    uint64_t size, uint64_t mask, int flags,
					    vm_prot_t cur_prot, vm_prot_t max_prot,
					    vm_inherit_t inheritance);
struct vnode;
xs_kern_return_t xs_vm_map_enter_mem_object_control(struct vm_map *map,
						    mach_vm_address_t *addr, uint64_t size,
						    int flags, struct vnode *vp, void *kaddr,
						    uint64_t file_size, uint64_t offset, bool copy,
						    vm_prot_t cur_prot, vm_prot_t max_prot,
						    vm_inherit_t inheritance);
/* vm_map_remove_guard: remove [start, end) (page aligned). */
xs_kern_return_t xs_vm_map_remove_guard(struct vm_map *map, uint64_t start, uint64_t end);
xs_kern_return_t xs_vm_map_protect(struct vm_map *map, uint64_t start, uint64_t end,
				   bool set_max, vm_prot_t new_prot);
xs_kern_return_t xs_vm_map_behavior_set(struct vm_map *map, uint64_t start, uint64_t end,
					int new_behavior);
xs_kern_return_t xs_vm_map_msync(struct vm_map *map, uint64_t addr, uint64_t size, int flags);

/* Inspection for tests and reports (no lock model: the caller owns the map). */
uint32_t xs_vm_map_entry_count(const struct vm_map *map);
/* The entry containing addr, or NULL.  Borrowed; valid until the map changes. */
const struct vm_map_entry *xs_vm_map_find_entry(struct vm_map *map, uint64_t addr);

/* True when map's pmap is the calling host process (map of the current task). */
bool xs_vm_map_is_current(const struct vm_map *map);

/* ---- vm_object.c ---------------------------------------------------------- */

/* A new object with one reference; NULL on shortage.  kaddr: see vm_object. */
struct vm_object *xs_vm_object_allocate(uint64_t size, enum vm_object_backing backing);
void xs_vm_object_reference(struct vm_object *obj);
/* Consumes a reference; the last frees the object (and owned arena pages). */
void xs_vm_object_deallocate(struct vm_object *obj);
bool xs_vm_object_coalesce(struct vm_object *prev_object, uint64_t prev_offset,
			   uint64_t prev_size, uint64_t next_size);

/* ---- pmap.c (the host address space of the current process) -------------- */

int xs_pmap_enter_options(struct vm_map *map, const struct vm_map_entry *entry);
void xs_pmap_remove_options(struct vm_map *map, uint64_t start, uint64_t end);
void xs_pmap_protect_options(struct vm_map *map, uint64_t start, uint64_t end, vm_prot_t prot);
/* pmap_protect_options over the host pages entry really has. */
void xs_pmap_protect_entry(struct vm_map *map, const struct vm_map_entry *entry);

/* ---- vm_kern.c / vm_user.c ------------------------------------------------ */

xs_kern_return_t xs_mach_vm_map_kernel(struct vm_map *map, mach_vm_address_t *addr,
				       mach_vm_size_t size, mach_vm_offset_t mask, int flags,
				       vm_prot_t cur_prot, vm_prot_t max_prot,
				       vm_inherit_t inheritance);
xs_kern_return_t xs_mach_vm_allocate_external(struct vm_map *map, mach_vm_address_t *addr,
					      mach_vm_size_t size, int flags);
xs_kern_return_t xs_mach_vm_map_external(struct vm_map *map, mach_vm_address_t *addr,
					 mach_vm_size_t size, mach_vm_offset_t mask, int flags,
					 vm_prot_t cur_prot, vm_prot_t max_prot,
					 vm_inherit_t inheritance);
xs_kern_return_t xs_mach_vm_msync(struct vm_map *map, mach_vm_address_t addr,
				  mach_vm_size_t size, int sync_flags);
xs_kern_return_t xs_mach_vm_behavior_set(struct vm_map *map, mach_vm_address_t start,
					 mach_vm_size_t size, int new_behavior);

#endif /* XS_VM_VM_MAP_INTERNAL_H */
