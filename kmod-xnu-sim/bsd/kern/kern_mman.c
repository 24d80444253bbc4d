/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kern_mman.c: the BSD memory calls (mmap, munmap, mprotect, madvise,
 * msync).  Each checks its arguments the BSD way, then goes through Mach VM
 * (mach_vm_map_kernel, mach_vm_deallocate, mach_vm_protect, ...) and turns
 * the kern_return_t into an errno.  Corresponds to bsd/kern/kern_mman.c.
 */
#include "kmod-xnu-sim/bsd/sys/file_internal.h"
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/bsd/sys/vnode_internal.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/task.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/vm/vm_map_internal.h"
#include "kmod-xnu-sim/security/mac_framework.h"

#include "darwin/fcntl.h"
#include "darwin/mman.h"

struct mmap_args { uint64_t addr, len, prot, flags, fd, pos; };
struct munmap_args { uint64_t addr, len; };
struct mprotect_args { uint64_t addr, len, prot; };
struct madvise_args { uint64_t addr, len, behav; };
struct msync_args { uint64_t addr, len, flags; };

/* Every flag mmap accepts (macOS); others are EINVAL for current SDKs. */
#define MMAP_VALID_FLAGS                                                              \
	(MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_RENAME | MAP_NORESERVE |          \
	 MAP_RESERVED0080 | MAP_NOEXTEND | MAP_HASSEMAPHORE | MAP_NOCACHE | MAP_JIT |  \
	 MAP_TPRO | MAP_FILE | MAP_ANON | MAP_RESILIENT_CODESIGN | MAP_RESILIENT_MEDIA | \
	 MAP_32BIT | MAP_TRANSLATED_ALLOW_EXECUTE | MAP_UNIX03)

/* The VM_FLAGS_* an anonymous mmap may carry in its fd argument. */
#define MMAP_ANON_FD_FLAGS \
	((uint32_t)VM_FLAGS_ALIAS_MASK | VM_FLAGS_SUPERPAGE_MASK | VM_FLAGS_PURGABLE | \
	 VM_FLAGS_4GB_CHUNK)

/* One mmap request after mmap_sanitize. */
struct mmap_req {
	struct vm_map *map;
	uint64_t addr;		/* page aligned when fixed; a hint otherwise */
	uint64_t size;		/* page rounded, includes pageoff */
	uint64_t file_pos;	/* page aligned */
	uint64_t pageoff;	/* the file offset's offset into its page */
	int prot;
	int maxprot;
	int flags;		/* MAP_* */
	int fd;
};

static struct vm_map *current_map_of(struct proc *p)
{
	return xs_proc_task(p)->map;
}

/* Darwin's "write or execute implies read" (radar 3777787). */
static int prot_implies_read(int prot)
{
	return (prot & (VM_PROT_WRITE | VM_PROT_EXECUTE)) ? prot | VM_PROT_READ : prot;
}

/* The flag combinations XNU refuses before looking at the fd. */
static int mmap_check_flag_combinations(int flags)
{
	if ((flags & MAP_JIT) &&
	    ((flags & (MAP_FIXED | MAP_SHARED | MAP_RESILIENT_CODESIGN |
		       MAP_RESILIENT_MEDIA | MAP_TPRO)) || !(flags & MAP_ANON)))
		return EINVAL;
	if ((flags & (MAP_RESILIENT_CODESIGN | MAP_RESILIENT_MEDIA)) &&
	    (flags & (MAP_ANON | MAP_JIT | MAP_TPRO)))
		return EINVAL;
	if ((flags & MAP_RESILIENT_MEDIA) && !(flags & MAP_SHARED) && (flags & MAP_ANON))
		return EINVAL;
	return 0;
}

/*
 * Routine:    mmap_sanitize
 * Purpose:    Check and normalise mmap's arguments (vm_sanitize_* in XNU):
 *             range overflow, unknown flags, MAP_UNIX03's rules, length 0,
 *             the file offset split into a page-aligned position and a
 *             page offset, and the alignment of a MAP_FIXED address.
 * Returns:    0 or EINVAL.
 */
static int mmap_sanitize(struct proc *p, const struct mmap_args *uap, struct mmap_req *r)
{
	XS_FUNC(mmap_sanitize);
	uint64_t mask, sum;

	r->map = current_map_of(p);
	mask = xs_vm_map_page_mask(r->map);
	r->addr = uap->addr;
	r->flags = (int)uap->flags;
	r->fd = (int)uap->fd;
	r->prot = prot_implies_read((int)uap->prot & VM_PROT_ALL);
	r->file_pos = uap->pos;
	if (xs_vm_map_range_overflows(r->map, uap->addr, uap->len))
		return EINVAL;
	if ((uint32_t)r->flags & ~(uint32_t)MMAP_VALID_FLAGS)
		return EINVAL;
	if (__builtin_add_overflow(r->file_pos, uap->len, &sum) ||
	    __builtin_add_overflow(sum, mask, &sum))
		return EINVAL;
	if ((r->flags & MAP_UNIX03) &&
	    ((r->file_pos & mask) || !(r->flags & (MAP_PRIVATE | MAP_SHARED))))
		return EINVAL;
	if (uap->len == 0)
		return EINVAL;	/* vm_sanitize: a zero-length mapping is invalid */
	r->pageoff = r->file_pos & mask;
	r->file_pos -= r->pageoff;
	r->size = xs_vm_map_round_page(uap->len + r->pageoff, mask);
	if (mmap_check_flag_combinations(r->flags))
		return EINVAL;
	if (r->flags & MAP_FIXED) {
		r->addr -= r->pageoff;
		if (r->addr & mask)
			return EINVAL;
	} else {
		r->addr = xs_vm_map_round_page(r->addr, mask);
	}
	return 0;
}

static int mmap_vm_flags(const struct mmap_req *r, int tag_flags)
{
	if (r->flags & MAP_FIXED)
		return tag_flags | VM_FLAGS_FIXED | VM_FLAGS_OVERWRITE;
	return tag_flags | VM_FLAGS_ANYWHERE;
}

/*
 * Anonymous memory.  A non-negative fd carries VM flags (the VM tag from
 * VM_MAKE_TAG, purgeable, superpages); anything else in it is EINVAL.
 */
static xs_kern_return_t mmap_anon(struct proc *p, struct mmap_req *r, int *error)
{
	int tag_flags = 0;
	vm_inherit_t inh = (r->flags & MAP_SHARED) ? VM_INHERIT_SHARE : VM_INHERIT_DEFAULT;
	xs_kern_return_t kr;

	r->maxprot = VM_PROT_ALL;
	if (xs_mac_proc_check_map_anon(p, r->addr, r->size, r->prot, r->flags, &r->maxprot)) {
		*error = EINVAL;
		return KERN_SUCCESS;
	}
	if (r->fd != -1) {
		if ((uint32_t)r->fd & ~(uint32_t)MMAP_ANON_FD_FLAGS) {
			*error = EINVAL;
			return KERN_SUCCESS;
		}
		/* Purgeable and superpage requests are accepted but not modeled. */
		tag_flags = r->fd & (int)VM_FLAGS_ALIAS_MASK;
	}
	r->file_pos = 0;
	r->pageoff = 0;
	r->maxprot = prot_implies_read(r->maxprot);
	kr = xs_mach_vm_map_kernel(r->map, &r->addr, r->size, 0, mmap_vm_flags(r, tag_flags),
				   r->prot, r->maxprot, inh);
	/* A hint with no room after it: retry from the bottom, as XNU does. */
	if (kr == KERN_NO_SPACE && !(r->flags & MAP_FIXED) && r->addr) {
		r->addr = xs_vm_map_page_size();
		kr = xs_mach_vm_map_kernel(r->map, &r->addr, r->size, 0,
					   mmap_vm_flags(r, tag_flags), r->prot, r->maxprot, inh);
	}
	return kr;
}

/* VNOP_MMAP_CHECK: may this file system map the file?  memfs always can. */
static int vnop_mmap_check(struct vnode *vp, int prot)
{
	XS_FUNC_AT(VNOP_MMAP_CHECK, "bsd/vfs/kpi_vfs.c");
	(void)vp;
	(void)prot;
	return 0;
}

/*
 * A file's maximum protection follows its open mode: read needs FREAD, a
 * shared writable mapping needs FWRITE; a private mapping may always be
 * written (the writes stay private).
 */
static int mmap_file_maxprot(struct mmap_req *r, int fflags)
{
	r->maxprot = VM_PROT_EXECUTE;
	if (fflags & FREAD)
		r->maxprot |= VM_PROT_READ;
	else if (r->prot & VM_PROT_READ)
		return EACCES;
	if (r->flags & MAP_SHARED) {
		if (fflags & FWRITE)
			r->maxprot |= VM_PROT_WRITE;
		else if (r->prot & VM_PROT_WRITE)
			return EACCES;
	} else {
		r->maxprot |= VM_PROT_WRITE;
	}
	return 0;
}

/* Checks on the vnode before anything is mapped; 0 or an errno. */
static int mmap_file_check(struct proc *p, struct mmap_req *r, struct vnode *vp, int fflags)
{
	int error;

	if (vp->v_type == VCHR || vp->v_type == VSTR)
		return ENODEV;	/* no /dev/zero-style device mappings */
	if (vp->v_type != VREG)
		return EINVAL;
	error = mmap_file_maxprot(r, fflags);
	if (error)
		return error;
	error = xs_mac_file_check_mmap(&p->p_ucred, NULL, r->prot, r->flags,
				       r->file_pos + r->pageoff, &r->maxprot);
	if (error)
		return error;
	return vnop_mmap_check(vp, (r->flags & MAP_PRIVATE) ? (r->prot & ~VM_PROT_WRITE)
							    : r->prot);
}

/* A file mapping: the vnode behind fd, its UBC pages, then Mach VM. */
static xs_kern_return_t mmap_file(struct proc *p, struct mmap_req *r, int *error)
{
	vm_inherit_t inh = (r->flags & MAP_SHARED) ? VM_INHERIT_SHARE : VM_INHERIT_DEFAULT;
	bool docow = !(r->flags & MAP_SHARED);
	struct vnode *vp;
	void *kaddr;
	uint64_t fsize, end_pos;
	int fflags;
	xs_kern_return_t kr = KERN_SUCCESS;

	*error = (r->flags & MAP_JIT) ? EINVAL : xs_fp_get_vnode(p, r->fd, &vp, &fflags);
	if (*error) {
		if (*error == ENODEV)
			*error = EINVAL;	/* not a vnode (a pipe): XNU's default case */
		return KERN_SUCCESS;
	}
	*error = mmap_file_check(p, r, vp, fflags);
	if (!*error && xs_ubc_getobject(vp, &kaddr, &fsize))
		*error = ENOMEM;
	if (!*error && __builtin_add_overflow(r->size, r->file_pos, &end_pos))
		*error = EINVAL;
	if (!*error) {
		r->maxprot = prot_implies_read(r->maxprot);
		kr = xs_vm_map_enter_mem_object_control(r->map, &r->addr, r->size,
							mmap_vm_flags(r, 0), vp, kaddr, fsize,
							r->file_pos, docow, r->prot, r->maxprot,
							inh);
		if (kr == KERN_NO_SPACE && !(r->flags & MAP_FIXED) && r->addr) {
			r->addr = xs_vm_map_page_size();
			kr = xs_vm_map_enter_mem_object_control(r->map, &r->addr, r->size,
								mmap_vm_flags(r, 0), vp, kaddr,
								fsize, r->file_pos, docow, r->prot,
								r->maxprot, inh);
		}
	}
	xs_vnode_put(vp);
	return kr;
}

/*
 * Routine:    xs_mmap  [BSD 197]
 * Purpose:    Map anonymous memory or a file into the caller's map.
 *             MAP_FIXED replaces what is there (VM_FLAGS_OVERWRITE); without
 *             it the address is a hint.  MAP_SHARED mappings are inherited
 *             shared by fork, MAP_PRIVATE ones copied.
 * Conditions: Nothing locked.
 * Returns:    0 with the address in retval[0..1]; EINVAL, EBADF, ENODEV,
 *             EACCES, ENOMEM (no room, or the range is outside the map).
 */
int xs_mmap(struct proc *p, void *uap_, int32_t *retval)
{
	XS_FUNC(mmap);
	const struct mmap_args *uap = uap_;
	struct mmap_req r = { 0 };
	xs_kern_return_t kr;
	uint64_t addr;
	int error;

	error = mmap_sanitize(p, uap, &r);
	if (error)
		return error;
	if (r.flags & MAP_ANON)
		kr = mmap_anon(p, &r, &error);
	else
		kr = mmap_file(p, &r, &error);
	if (error)
		return error;
	switch (kr) {
	case KERN_SUCCESS:
		addr = r.addr + r.pageoff;
		xs_memcpy(retval, &addr, sizeof(addr));
		return 0;
	case KERN_INVALID_ADDRESS:
	case KERN_NO_SPACE:
		return ENOMEM;
	case KERN_PROTECTION_FAILURE:
		return EACCES;
	default:
		return EINVAL;
	}
}

/* munmap_sanitize: a page-aligned address, no wrap, a non-zero length. */
static int munmap_sanitize(struct vm_map *map, uint64_t addr, uint64_t len)
{
	XS_FUNC(munmap_sanitize);

	if (addr & xs_vm_map_page_mask(map))
		return EINVAL;
	if (xs_vm_map_range_overflows(map, addr, len))
		return EINVAL;
	return len == 0 ? EINVAL : 0;
}

/*
 * Routine:    xs_munmap  [BSD 73]
 * Purpose:    Remove the mappings covering [addr, addr + len); unmapped
 *             parts are fine; partial ranges split (clip) entries.
 * Conditions: Nothing locked.
 * Returns:    0, EINVAL.
 */
int xs_munmap(struct proc *p, void *uap_, int32_t *retval)
{
	XS_FUNC(munmap);
	const struct munmap_args *uap = uap_;
	struct vm_map *map = current_map_of(p);
	int error;

	(void)retval;
	error = munmap_sanitize(map, uap->addr, uap->len);
	if (error)
		return error;
	if (xs_mach_vm_deallocate(map, uap->addr, uap->len) != KERN_SUCCESS)
		return EINVAL;
	return 0;
}

/* mprotect_sanitize: no wrap, a page-aligned address; prot limited to RWX. */
static int mprotect_sanitize(struct vm_map *map, uint64_t addr, uint64_t len, int *prot)
{
	XS_FUNC(mprotect_sanitize);

	if (xs_vm_map_range_overflows(map, addr, len))
		return EINVAL;
	if (addr & xs_vm_map_page_mask(map))
		return EINVAL;
	*prot = prot_implies_read(*prot);
	return 0;
}

/*
 * Routine:    xs_mprotect  [BSD 74]
 * Purpose:    Set the protection of [addr, addr + len).  VM_PROT_TRUSTED
 *             (vm_map_sign, code signing) is not modeled: ENOTSUP.
 * Conditions: Nothing locked.
 * Returns:    0, EINVAL, ENOMEM (not all mapped), EACCES (beyond max).
 */
int xs_mprotect(struct proc *p, void *uap_, int32_t *retval)
{
	XS_FUNC(mprotect);
	const struct mprotect_args *uap = uap_;
	struct vm_map *map = current_map_of(p);
	int prot = (int)uap->prot & (VM_PROT_ALL | VM_PROT_TRUSTED | VM_PROT_STRIP_READ);
	int error;

	(void)retval;
	error = mprotect_sanitize(map, uap->addr, uap->len, &prot);
	if (error)
		return error;
	error = xs_mac_proc_check_mprotect(p, uap->addr, uap->len, prot);
	if (error)
		return error;
	if (prot & VM_PROT_TRUSTED)
		return ENOTSUP;
	/* Execute-only (STRIP_READ) is an arm64 pmap feature; not modeled. */
	prot &= VM_PROT_ALL;
	switch (xs_mach_vm_protect(map, uap->addr, uap->len, false, prot)) {
	case KERN_SUCCESS:
		return 0;
	case KERN_PROTECTION_FAILURE:
		return EACCES;
	case KERN_INVALID_ADDRESS:
		return ENOMEM;
	default:
		return EINVAL;
	}
}

/* madvise advice to vm_behavior_t; -1 for EINVAL, -2 for ENOTSUP. */
static int madvise_behavior(int advice)
{
	switch (advice) {
	case MADV_NORMAL:		return VM_BEHAVIOR_DEFAULT;
	case MADV_RANDOM:		return VM_BEHAVIOR_RANDOM;
	case MADV_SEQUENTIAL:		return VM_BEHAVIOR_SEQUENTIAL;
	case MADV_WILLNEED:		return VM_BEHAVIOR_WILLNEED;
	case MADV_DONTNEED:		return VM_BEHAVIOR_DONTNEED;
	case MADV_FREE:			return VM_BEHAVIOR_FREE;
	case MADV_ZERO_WIRED_PAGES:	return VM_BEHAVIOR_ZERO_WIRED_PAGES;
	case MADV_FREE_REUSABLE:	return VM_BEHAVIOR_REUSABLE;
	case MADV_FREE_REUSE:		return VM_BEHAVIOR_REUSE;
	case MADV_CAN_REUSE:		return VM_BEHAVIOR_CAN_REUSE;
	case MADV_PAGEOUT:		return -2;	/* MACH_ASSERT kernels only */
	default:			return -1;
	}
}

/*
 * Routine:    xs_madvise  [BSD 75]
 * Purpose:    Paging advice for [addr, addr + len), through
 *             mach_vm_behavior_set.
 * Conditions: Nothing locked.
 * Returns:    0; EINVAL (bad advice, a hole in the range); ENOMEM (outside
 *             the map); ENOTSUP (MADV_PAGEOUT).
 */
int xs_madvise(struct proc *p, void *uap_, int32_t *retval)
{
	XS_FUNC(madvise);
	const struct madvise_args *uap = uap_;
	struct vm_map *map = current_map_of(p);
	int advice = (int)uap->behav, behavior = madvise_behavior(advice);

	(void)retval;
	if (behavior == -1)
		return EINVAL;
	if (behavior == -2)
		return ENOTSUP;
	if (xs_vm_map_range_overflows(map, uap->addr, uap->len))
		return EINVAL;
	/* arm64 refuses to free page 0 onwards (FOURK_COMPAT). */
	if (xs_machine()->m_arch == XS_ARCH_ARM64 && uap->addr == 0 && uap->len != 0 &&
	    (advice == MADV_FREE || advice == MADV_FREE_REUSABLE))
		return EINVAL;
	switch (xs_mach_vm_behavior_set(map, uap->addr, uap->len, behavior)) {
	case KERN_SUCCESS:
		return 0;
	case KERN_NO_SPACE:
		return ENOMEM;
	default:
		return EINVAL;
	}
}

/*
 * Routine:    xs_msync_nocancel  [BSD 405]
 * Purpose:    Write back [addr, addr + len).  A page-aligned address and a
 *             non-zero length are required; MS_SYNC with MS_ASYNC is
 *             contradictory.  Holes make it fail (VM_SYNC_CONTIGUOUS).
 * Conditions: Nothing locked.
 * Returns:    0, EINVAL, ENOMEM (a hole), EIO.
 */
int xs_msync_nocancel(struct proc *p, void *uap_, int32_t *retval)
{
	XS_FUNC(msync_nocancel);
	const struct msync_args *uap = uap_;
	struct vm_map *map = current_map_of(p);
	int flags = (int)uap->flags, sync = VM_SYNC_CONTIGUOUS;

	(void)retval;
	if (xs_vm_map_range_overflows(map, uap->addr, uap->len))
		return EINVAL;
	if (uap->addr & xs_vm_map_page_mask(map))
		return EINVAL;
	if (uap->len == 0)
		return EINVAL;
	if ((flags & (MS_SYNC | MS_ASYNC)) == (MS_SYNC | MS_ASYNC))
		return EINVAL;
	if (flags & MS_KILLPAGES)
		sync |= VM_SYNC_KILLPAGES;
	if (flags & MS_DEACTIVATE)
		sync |= VM_SYNC_DEACTIVATE;
	if (flags & MS_INVALIDATE)
		sync |= VM_SYNC_INVALIDATE;
	if (!(flags & (MS_KILLPAGES | MS_DEACTIVATE)))
		sync |= (flags & MS_ASYNC) ? VM_SYNC_ASYNCHRONOUS : VM_SYNC_SYNCHRONOUS;
	switch (xs_mach_vm_msync(map, uap->addr, uap->len, sync)) {
	case KERN_SUCCESS:
		return 0;
	case KERN_INVALID_ADDRESS:
		return ENOMEM;
	case KERN_FAILURE:
		return EIO;
	default:
		return EINVAL;
	}
}

/* msync [BSD 65]: msync_nocancel after a cancellation point (none modeled). */
int xs_msync(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(msync);

	return xs_msync_nocancel(p, uap, retval);
}
