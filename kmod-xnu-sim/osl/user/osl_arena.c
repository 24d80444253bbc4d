/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * osl_arena.c: the machine's arena (a memfd mapped MAP_SHARED at the same
 * fixed address in every process of one machine) and its page allocator.
 * Everything the kernel allocates comes from here.  Platform layer: there is
 * no XNU counterpart (XNU's pmap_steal_memory / vm_page_grab play this part).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmod-xnu-sim/osl/user/osl_user.h"

struct osl_attach osl_attach = { .oa_fd = -1 };

_Static_assert(sizeof(struct osl_arena_hdr) <= 16 * OSL_PAGE_SIZE, "arena header too big");

#define HDR_PAGES ((sizeof(struct osl_arena_hdr) + OSL_PAGE_SIZE - 1) / OSL_PAGE_SIZE)

static inline bool bit_test(const uint64_t *bm, uint64_t i) { return bm[i / 64] >> (i % 64) & 1; }
static inline void bit_set(uint64_t *bm, uint64_t i) { bm[i / 64] |= 1ull << (i % 64); }
static inline void bit_clear(uint64_t *bm, uint64_t i) { bm[i / 64] &= ~(1ull << (i % 64)); }

struct xs_machine *osl_machine(void)
{
	return osl_attach.oa_machine;
}

bool osl_is_kernel_address(uint64_t addr, uint64_t len)
{
	const struct osl_arena_hdr *h = osl_attach.oa_hdr;

	if (!h || addr + len < addr)
		return false;
	return addr >= h->ah_addr && addr + len <= h->ah_addr + h->ah_size;
}

/* Mark [first, first+n) used and account for it.  Allocator lock held. */
static void pages_take(struct osl_arena_hdr *h, uint64_t first, uint64_t n)
{
	for (uint64_t i = first; i < first + n; i++)
		bit_set(h->ah_bitmap, i);
	h->ah_free_pages -= n;
	if (first == h->ah_hint)
		h->ah_hint = first + n;
}

/* First-fit search for n free pages starting at 'from'.  UINT64_MAX if none. */
static uint64_t pages_find(const struct osl_arena_hdr *h, uint64_t from, uint64_t n)
{
	uint64_t run = 0;

	for (uint64_t i = from; i < h->ah_npages; i++) {
		if ((i % 64) == 0 && run == 0 && h->ah_bitmap[i / 64] == ~0ull) {
			i += 63;	/* a full word: skip it */
			continue;
		}
		if (bit_test(h->ah_bitmap, i)) {
			run = 0;
			continue;
		}
		if (++run == n)
			return i + 1 - n;
	}
	return UINT64_MAX;
}

void *osl_pages_alloc(size_t npages)
{
	struct osl_arena_hdr *h = osl_attach.oa_hdr;
	uint64_t first;

	if (!h || npages == 0 || npages > h->ah_npages)
		return NULL;
	osl_lock_lock(&h->ah_lock);
	if (npages > h->ah_free_pages) {
		osl_lock_unlock(&h->ah_lock);
		return NULL;
	}
	first = pages_find(h, h->ah_hint, npages);
	if (first == UINT64_MAX)	/* the hint may have skipped freed pages */
		first = pages_find(h, HDR_PAGES, npages);
	if (first != UINT64_MAX)
		pages_take(h, first, npages);
	osl_lock_unlock(&h->ah_lock);
	if (first == UINT64_MAX)
		return NULL;
	/* Fresh and punched memfd pages read as zero: no memset needed. */
	return (char *)(uintptr_t)h->ah_addr + first * OSL_PAGE_SIZE;
}

void osl_pages_free(void *addr, size_t npages)
{
	struct osl_arena_hdr *h = osl_attach.oa_hdr;
	uint64_t off, first;

	if (!h || !addr || npages == 0)
		return;
	off = (uint64_t)(uintptr_t)addr - h->ah_addr;
	if (!osl_is_kernel_address((uintptr_t)addr, npages * OSL_PAGE_SIZE) ||
	    off % OSL_PAGE_SIZE || off / OSL_PAGE_SIZE < HDR_PAGES)
		osl_panic("osl_pages_free: %p (%zu pages) is not arena memory", addr, npages);
	first = off / OSL_PAGE_SIZE;
	/*
	 * Give the memory back to the host and make the pages read as zero for
	 * the next owner.  Every process maps the memfd MAP_SHARED, so one
	 * punch clears them everywhere.
	 */
	if (fallocate(osl_attach.oa_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)off, (off_t)(npages * OSL_PAGE_SIZE)) != 0)
		memset(addr, 0, npages * OSL_PAGE_SIZE);
	osl_lock_lock(&h->ah_lock);
	for (uint64_t i = first; i < first + npages; i++) {
		if (!bit_test(h->ah_bitmap, i))
			osl_panic("osl_pages_free: page %p freed twice",
				  (char *)addr + (i - first) * OSL_PAGE_SIZE);
		bit_clear(h->ah_bitmap, i);
	}
	h->ah_free_pages += npages;
	if (first < h->ah_hint)
		h->ah_hint = first;
	osl_lock_unlock(&h->ah_lock);
}

/* Map fd at addr exactly, refusing to replace anything already there. */
static void *arena_mmap(int fd, uint64_t addr, uint64_t size)
{
	void *p = mmap((void *)(uintptr_t)addr, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);

	if (p == MAP_FAILED)
		return NULL;
	if ((uintptr_t)p != addr) {	/* a kernel without MAP_FIXED_NOREPLACE */
		munmap(p, size);
		errno = EEXIST;
		return NULL;
	}
	return p;
}

static void attach_set(struct osl_arena_hdr *h, int fd)
{
	osl_attach.oa_hdr = h;
	osl_attach.oa_fd = fd;
	osl_attach.oa_machine = (struct xs_machine *)((char *)h + h->ah_machine_off);
}

/*
 * Create and map a fresh arena with an empty machine in it.  The machine
 * struct is zeroed; the caller sets it up and boots.  0 or -errno.
 */
int osl_arena_create(uint32_t id)
{
	struct osl_arena_hdr *h = NULL;
	uint64_t machine_pages;
	int fd, err;

	fd = memfd_create("xnusim-machine", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0600) != 0 || ftruncate(fd, (off_t)OSL_ARENA_SIZE) != 0) {
		err = -errno;
		goto fail;
	}
	for (unsigned slot = 0; slot < OSL_ARENA_SLOTS && !h; slot++)
		h = arena_mmap(fd, OSL_ARENA_BASE + slot * OSL_ARENA_SIZE, OSL_ARENA_SIZE);
	if (!h) {
		err = -ENOMEM;
		goto fail;
	}
	h->ah_magic = OSL_ARENA_MAGIC;
	h->ah_size = OSL_ARENA_SIZE;
	h->ah_addr = (uintptr_t)h;
	h->ah_id = id;
	h->ah_npages = OSL_ARENA_PAGES;
	osl_lock_init(&h->ah_lock);
	machine_pages = (osl_machine_size() + OSL_PAGE_SIZE - 1) / OSL_PAGE_SIZE;
	h->ah_machine_off = HDR_PAGES * OSL_PAGE_SIZE;
	for (uint64_t i = 0; i < HDR_PAGES + machine_pages; i++)
		bit_set(h->ah_bitmap, i);
	h->ah_free_pages = h->ah_npages - HDR_PAGES - machine_pages;
	h->ah_hint = HDR_PAGES + machine_pages;
	attach_set(h, fd);
	return 0;
fail:
	close(fd);
	return err;
}

/*
 * Map the arena another process created (fd inherited from it).  Checks the
 * header against what the parent advertised.  0 or -errno.
 */
int osl_arena_map(int fd, uint64_t addr, uint64_t size, uint32_t id)
{
	struct osl_arena_hdr *h;
	struct stat st;

	if (fstat(fd, &st) != 0)
		return -errno;
	if ((uint64_t)st.st_size != size || size != OSL_ARENA_SIZE || addr % OSL_PAGE_SIZE)
		return -EINVAL;
	h = arena_mmap(fd, addr, size);
	if (!h)
		return -errno;
	if (h->ah_magic != OSL_ARENA_MAGIC || h->ah_addr != addr || h->ah_id != id ||
	    h->ah_size != size) {
		munmap(h, size);
		return -EINVAL;
	}
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);	/* exported again by xnusim_child_env */
	attach_set(h, fd);
	return 0;
}

/*
 * Leave the machine: unmap it and forget every thread binding.  Threads of
 * this process bound to the old machine see NULL from osl_current_thread
 * because the generation changed.
 */
void osl_arena_detach(void)
{
	struct osl_arena_hdr *h = osl_attach.oa_hdr;

	if (!h)
		return;
	osl_attach.oa_hdr = NULL;
	osl_attach.oa_machine = NULL;
	osl_attach.oa_pid = 0;
	__atomic_fetch_add(&osl_attach.oa_generation, 1, __ATOMIC_SEQ_CST);
	munmap(h, h->ah_size);
	close(osl_attach.oa_fd);
	osl_attach.oa_fd = -1;
}
