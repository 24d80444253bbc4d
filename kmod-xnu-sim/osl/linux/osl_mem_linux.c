// SPDX-License-Identifier: BSD-2-Clause
/*
 * osl_mem_linux.c: memory for the module build.  Each machine's arena is
 * one vmalloc_user area (zeroed, and mappable into a process, which
 * osl_pmap_enter_kernel needs) with a page bitmap over it; copyin/copyout
 * are copy_from_user / copy_to_user on the calling process; the pmap calls
 * edit the calling process's mm with vm_mmap / vm_munmap.  The twin of
 * osl/user/osl_{arena,copy,pmap}.c.  Platform layer: XNU's
 * pmap_steal_memory / vm_page_grab, copyio and pmap_enter.
 */
#include <linux/bitmap.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "kmod-xnu-sim/osl/linux/osl_kcore.h"
#include "kmod-xnu-sim/osl/linux/osl_linux_internal.h"

static inline struct osl_kmachine *cur_km(void)
{
	struct osl_kctx *c = osl_kctx_current();

	return c ? READ_ONCE(c->kc_km) : NULL;
}

/* ---- Machines ------------------------------------------------------------ */

struct osl_kmachine *osl_kmachine_create(int arch, size_t arena_bytes)
{
	struct osl_kmachine *km = kzalloc(sizeof(*km), GFP_KERNEL);

	if (!km)
		return NULL;
	km->km_npages = arena_bytes >> PAGE_SHIFT;
	km->km_reserved = DIV_ROUND_UP(osl_kcore_machine_size(), PAGE_SIZE);
	if (km->km_npages <= km->km_reserved)
		goto fail;
	km->km_arena = vmalloc_user(km->km_npages << PAGE_SHIFT);
	km->km_bitmap = bitmap_zalloc(km->km_npages, GFP_KERNEL);
	if (!km->km_arena || !km->km_bitmap)
		goto fail;
	bitmap_set(km->km_bitmap, 0, km->km_reserved);
	km->km_free = km->km_npages - km->km_reserved;
	km->km_hint = km->km_reserved;
	km->km_machine = km->km_arena;
	km->km_arch = arch;
	do
		km->km_id = get_random_u32() & 0x7fffffff;
	while (km->km_id == 0);
	spin_lock_init(&km->km_alloc_lock);
	kref_init(&km->km_ref);
	return km;
fail:
	vfree(km->km_arena);
	bitmap_free(km->km_bitmap);
	kfree(km);
	return NULL;
}

static void osl_kmachine_release(struct kref *ref)
{
	struct osl_kmachine *km = container_of(ref, struct osl_kmachine, km_ref);

	osl_kctx_forget_machine(km);
	vfree(km->km_arena);
	bitmap_free(km->km_bitmap);
	kfree(km);
}

void osl_kmachine_put(struct osl_kmachine *km)
{
	if (km)
		kref_put(&km->km_ref, osl_kmachine_release);
}

/* ---- The page allocator -------------------------------------------------- */

void *osl_pages_alloc(size_t npages)
{
	struct osl_kmachine *km = cur_km();
	unsigned long first;

	if (!km || npages == 0 || npages > km->km_npages)
		return NULL;
	spin_lock(&km->km_alloc_lock);
	if (npages > km->km_free)
		goto none;
	first = bitmap_find_next_zero_area(km->km_bitmap, km->km_npages, km->km_hint, npages, 0);
	if (first >= km->km_npages)	/* the hint may have skipped freed pages */
		first = bitmap_find_next_zero_area(km->km_bitmap, km->km_npages,
						   km->km_reserved, npages, 0);
	if (first >= km->km_npages)
		goto none;
	bitmap_set(km->km_bitmap, first, npages);
	km->km_free -= npages;
	if (first == km->km_hint)
		km->km_hint = first + npages;
	spin_unlock(&km->km_alloc_lock);
	/* Pages are zero: vmalloc_user zeroes, osl_pages_free re-zeroes. */
	return (char *)km->km_arena + (first << PAGE_SHIFT);
none:
	spin_unlock(&km->km_alloc_lock);
	return NULL;
}

void osl_pages_free(void *addr, size_t npages)
{
	struct osl_kmachine *km = cur_km();
	unsigned long off, first;
	bool twice;

	if (!km || !addr || npages == 0)
		return;
	off = (unsigned long)addr - (unsigned long)km->km_arena;
	if (!osl_is_kernel_address((uintptr_t)addr, (u64)npages << PAGE_SHIFT) ||
	    off % PAGE_SIZE || (off >> PAGE_SHIFT) < km->km_reserved)
		osl_panic("osl_pages_free: %px (%zu pages) is not arena memory", addr, npages);
	first = off >> PAGE_SHIFT;
	memset(addr, 0, npages << PAGE_SHIFT);	/* the next owner reads zeroes */
	spin_lock(&km->km_alloc_lock);
	twice = find_next_zero_bit(km->km_bitmap, first + npages, first) < first + npages;
	if (!twice) {
		bitmap_clear(km->km_bitmap, first, npages);
		km->km_free += npages;
		if (first < km->km_hint)
			km->km_hint = first;
	}
	spin_unlock(&km->km_alloc_lock);
	if (twice)	/* panic unwinds: never with the spinlock held */
		osl_panic("osl_pages_free: pages at %px freed twice", addr);
}

bool osl_is_kernel_address(uint64_t addr, uint64_t len)
{
	struct osl_kmachine *km = cur_km();
	u64 base;

	if (!km || addr + len < addr)
		return false;
	base = (u64)(uintptr_t)km->km_arena;
	return addr >= base && addr + len <= base + ((u64)km->km_npages << PAGE_SHIFT);
}

/* ---- User memory: the calling process ------------------------------------ */

/*
 * Not copy_from_user: it zero-fills the rest of the destination when the
 * source faults, and the core copies straight into file pages (a write(2)
 * from a bad buffer would zero the file).  XNU's copyin, like the user-space
 * build's, leaves the destination alone past the fault.
 */
int osl_copyin(uint64_t uaddr, void *kaddr, size_t len)
{
	const void __user *src = (const void __user *)(uintptr_t)uaddr;

	if (len == 0)
		return 0;
	if (uaddr + len < uaddr || !access_ok(src, len))
		return -1;
	might_fault();
	return raw_copy_from_user(kaddr, src, len) ? -1 : 0;
}

int osl_copyout(const void *kaddr, uint64_t uaddr, size_t len)
{
	if (len == 0)
		return 0;
	if (uaddr + len < uaddr)
		return -1;
	return copy_to_user((void __user *)(uintptr_t)uaddr, kaddr, len) ? -1 : 0;
}

int osl_copyinstr(uint64_t uaddr, char *kaddr, size_t maxlen, size_t *done)
{
	long n;

	if (done)
		*done = 0;
	if (maxlen == 0)
		return -2;
	n = strncpy_from_user(kaddr, (const char __user *)(uintptr_t)uaddr, (long)maxlen);
	if (n < 0)
		return -1;
	if ((size_t)n >= maxlen) {	/* no NUL within maxlen */
		if (done)
			*done = maxlen;
		return -2;
	}
	if (done)
		*done = (size_t)n + 1;
	return 0;
}

/* ---- The pmap: the calling process's address space ------------------------ */

/* Darwin VM_PROT_READ / WRITE / EXECUTE: 1, 2, 4 (osfmk/mach/vm_prot.h). */
static unsigned long linux_prot(int prot)
{
	unsigned long p = PROT_NONE;

	if (prot & 1)
		p |= PROT_READ;
	if (prot & 2)
		p |= PROT_WRITE;
	if (prot & 4)
		p |= PROT_EXEC;
	return p;
}

static bool range_ok(u64 va, u64 size)
{
	return size && !(va % PAGE_SIZE) && !(size % PAGE_SIZE) && va >= PAGE_SIZE &&
	       va + size > va && va + size <= TASK_SIZE;
}

int osl_pmap_enter_anon(uint64_t va, uint64_t size, int prot)
{
	unsigned long r;

	if (!range_ok(va, size) || !current->mm)
		return -1;
	r = vm_mmap(NULL, va, size, linux_prot(prot),
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, 0);
	if (IS_ERR_VALUE(r))
		return -1;
	if (r != va) {
		vm_munmap(r, size);
		return -1;
	}
	return 0;
}

/*
 * Arena pages into the caller: vm_mmap of our own device file, whose mmap
 * handler (osl_kmachine_mmap) maps the vmalloc pages at the offset.  The
 * handler refuses mappings the kernel did not ask for.
 */
int osl_pmap_enter_kernel(uint64_t va, uint64_t size, int prot, void *kaddr)
{
	struct osl_kctx *c = osl_kctx_current();
	struct osl_kmachine *km = c ? c->kc_km : NULL;
	unsigned long r, off;

	if (!km || !c->kc_file || !range_ok(va, size) || (uintptr_t)kaddr % PAGE_SIZE ||
	    !osl_is_kernel_address((uintptr_t)kaddr, size))
		return -1;
	off = (unsigned long)kaddr - (unsigned long)km->km_arena;
	c->kc_in_pmap = true;
	r = vm_mmap(c->kc_file, va, size, linux_prot(prot), MAP_SHARED | MAP_FIXED_NOREPLACE, off);
	c->kc_in_pmap = false;
	if (IS_ERR_VALUE(r))
		return -1;
	if (r != va) {
		vm_munmap(r, size);
		return -1;
	}
	return 0;
}

int osl_kmachine_mmap(struct osl_kmachine *km, struct vm_area_struct *vma)
{
	struct osl_kctx *c = osl_kctx_current();

	if (!km || !c || !c->kc_in_pmap || c->kc_km != km)
		return -EPERM;	/* user space maps no kernel memory by itself */
	return remap_vmalloc_range(vma, km->km_arena, vma->vm_pgoff);
}

/*
 * The module cannot change a mapping's protection: mprotect's internals
 * are not exported.  Bookkeeping only: Mach VM records the protection, the
 * pages keep theirs (docs/kmod.md).
 */
int osl_pmap_protect(uint64_t va, uint64_t size, int prot)
{
	return range_ok(va, size) ? 0 : -1;
}

int osl_pmap_remove(uint64_t va, uint64_t size)
{
	if (!range_ok(va, size) || !current->mm)
		return -1;
	return vm_munmap(va, size) == 0 ? 0 : -1;
}
