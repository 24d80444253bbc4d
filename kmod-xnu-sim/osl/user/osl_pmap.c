/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * osl_pmap.c: the host address space of the calling process, which is the
 * simulated task's pmap.  Mach VM decides what is mapped where; these calls
 * make the host agree.  Platform layer under osfmk/arm64/sptm/pmap/pmap.c
 * (pmap_enter, pmap_protect, pmap_remove).
 */
#include <errno.h>
#include <sys/mman.h>

#include "kmod-xnu-sim/osl/user/osl_user.h"

/* Darwin VM_PROT_READ / WRITE / EXECUTE: 1, 2, 4 (osfmk/mach/vm_prot.h). */
static int host_prot(int prot)
{
	int hp = PROT_NONE;

	if (prot & 1)
		hp |= PROT_READ;
	if (prot & 2)
		hp |= PROT_WRITE;
	if (prot & 4)
		hp |= PROT_EXEC;
	return hp;
}

/* Page-aligned, non-empty, inside user space and clear of the arena. */
static bool range_ok(uint64_t va, uint64_t size)
{
	const struct osl_arena_hdr *h = osl_attach.oa_hdr;

	if (size == 0 || va % OSL_PAGE_SIZE || size % OSL_PAGE_SIZE || va + size < va ||
	    va + size > OSL_USER_VA_END || va < OSL_PAGE_SIZE)
		return false;
	return !h || va + size <= h->ah_addr || va >= h->ah_addr + h->ah_size;
}

int osl_pmap_enter_anon(uint64_t va, uint64_t size, int prot)
{
	void *p;

	if (!range_ok(va, size))
		return -1;
	p = mmap((void *)(uintptr_t)va, size, host_prot(prot),
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	if ((uintptr_t)p != va) {	/* kernel predating MAP_FIXED_NOREPLACE */
		munmap(p, size);
		return -1;
	}
	return 0;
}

/*
 * Map arena pages at va: the same physical pages the kernel sees at kaddr,
 * so both sides (and every process that maps them) share them.
 */
int osl_pmap_enter_kernel(uint64_t va, uint64_t size, int prot, void *kaddr)
{
	const struct osl_arena_hdr *h = osl_attach.oa_hdr;
	uint64_t off;
	void *p;

	if (!h || !range_ok(va, size) || (uintptr_t)kaddr % OSL_PAGE_SIZE ||
	    !osl_is_kernel_address((uintptr_t)kaddr, size))
		return -1;
	off = (uintptr_t)kaddr - h->ah_addr;
	p = mmap((void *)(uintptr_t)va, size, host_prot(prot),
		 MAP_SHARED | MAP_FIXED_NOREPLACE, osl_attach.oa_fd, (off_t)off);
	if (p == MAP_FAILED)
		return -1;
	if ((uintptr_t)p != va) {
		munmap(p, size);
		return -1;
	}
	return 0;
}

int osl_pmap_protect(uint64_t va, uint64_t size, int prot)
{
	if (!range_ok(va, size))
		return -1;
	return mprotect((void *)(uintptr_t)va, size, host_prot(prot)) == 0 ? 0 : -1;
}

int osl_pmap_remove(uint64_t va, uint64_t size)
{
	if (!range_ok(va, size))
		return -1;
	return munmap((void *)(uintptr_t)va, size) == 0 ? 0 : -1;
}
