/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_vm_map.c: Mach VM's data structures, white-box.  Maps made here are
 * not the current task's, so no host memory is touched: placement, entry
 * coalescing and clipping, overwrite, protection rules, inheritance at fork,
 * advice and msync range checks, and zone counts returning to baseline.
 */
#include <string.h>

#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#include "kmod-xnu-sim/osfmk/vm/vm_map_internal.h"
#include "tests/harness.h"

#define TAG(t) ((int)((uint32_t)(t) << 24))

static uint64_t zcount(enum zone_id id)
{
	const struct zone *z = xs_zone_by_id(id);

	return z ? z->z_count : (uint64_t)-1;
}

static uint64_t ps(void)
{
	return xs_vm_map_page_size();
}

/* A fresh user map with n anonymous pages at the bottom of the window. */
static struct vm_map *map_with(uint64_t pages, mach_vm_address_t *addr)
{
	struct vm_map *map = xs_vm_map_create_options(true);

	*addr = 0;
	if (map && pages)
		(void)xs_mach_vm_allocate_kernel(map, addr, pages * ps(), VM_FLAGS_ANYWHERE);
	return map;
}

TEST(page_size_follows_arch)
{
	/* Test binaries boot arm64 machines: 16 KiB user pages. */
	if (xs_machine()->m_arch == XS_ARCH_ARM64)
		EXPECT_EQ(ps(), 16384);
	else
		EXPECT_EQ(ps(), 4096);
	EXPECT_EQ(xs_vm_map_page_size(), xs_machine()->m_vm.page_size);
	EXPECT_TRUE(xs_machine()->m_vm.kernel_map != NULL);
}

TEST(allocate_anywhere_makes_one_entry_with_defaults)
{
	uint64_t base_e = zcount(ZONE_ID_VM_MAP_ENTRY), base_m = zcount(ZONE_ID_VM_MAP);
	struct vm_map *map = xs_vm_map_create_options(true);
	mach_vm_address_t a = 0;

	ASSERT_TRUE(map != NULL);
	EXPECT_EQ(zcount(ZONE_ID_VM_MAP), base_m + 1);
	EXPECT_EQ(xs_mach_vm_allocate_kernel(map, &a, 3 * ps(), VM_FLAGS_ANYWHERE | TAG(99)),
		  KERN_SUCCESS);
	EXPECT_EQ(a, XS_VM_MAP_USER_MIN);
	EXPECT_EQ(xs_vm_map_entry_count(map), 1);
	EXPECT_EQ(zcount(ZONE_ID_VM_MAP_ENTRY), base_e + 1);
	const struct vm_map_entry *e = xs_vm_map_find_entry(map, a + ps());
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->vme_start, a);
	EXPECT_EQ(e->vme_end, a + 3 * ps());
	EXPECT_EQ(e->protection, VM_PROT_READ | VM_PROT_WRITE);
	EXPECT_EQ(e->max_protection, VM_PROT_ALL);
	EXPECT_EQ(e->inheritance, VM_INHERIT_COPY);
	EXPECT_EQ(e->vme_alias, 99);
	EXPECT_TRUE(e->vme_object == NULL);	/* lazy, as XNU */
	EXPECT_EQ(map->size, 3 * ps());
	xs_vm_map_deallocate(map);
	EXPECT_EQ(zcount(ZONE_ID_VM_MAP_ENTRY), base_e);
	EXPECT_EQ(zcount(ZONE_ID_VM_MAP), base_m);
}

TEST(adjacent_anonymous_memory_coalesces_unless_attributes_differ)
{
	mach_vm_address_t a, b = 0, c = 0;
	struct vm_map *map = map_with(1, &a);

	ASSERT_TRUE(map != NULL);
	EXPECT_EQ(xs_mach_vm_allocate_kernel(map, &b, ps(), VM_FLAGS_ANYWHERE), KERN_SUCCESS);
	EXPECT_EQ(b, a + ps());
	EXPECT_EQ(xs_vm_map_entry_count(map), 1);	/* vm_object_coalesce */
	EXPECT_EQ(xs_vm_map_find_entry(map, a)->vme_end, a + 2 * ps());
	EXPECT_EQ(xs_mach_vm_allocate_kernel(map, &c, ps(), VM_FLAGS_ANYWHERE | TAG(7)),
		  KERN_SUCCESS);
	EXPECT_EQ(c, a + 2 * ps());
	EXPECT_EQ(xs_vm_map_entry_count(map), 2);	/* another tag: its own entry */
	xs_vm_map_deallocate(map);
}

TEST(fixed_placement_rules)
{
	mach_vm_address_t a, x;
	struct vm_map *map = map_with(2, &a);

	ASSERT_TRUE(map != NULL);
	x = a + ps();
	EXPECT_EQ(xs_mach_vm_allocate_kernel(map, &x, ps(), VM_FLAGS_FIXED), KERN_NO_SPACE);
	x = a + ps() + 123;	/* truncated to the page */
	EXPECT_EQ(xs_mach_vm_allocate_kernel(map, &x, ps(), VM_FLAGS_FIXED | VM_FLAGS_OVERWRITE |
					     TAG(5)), KERN_SUCCESS);
	EXPECT_EQ(x, a + ps());
	EXPECT_EQ(xs_vm_map_find_entry(map, x)->vme_alias, 5);
	EXPECT_EQ(xs_vm_map_entry_count(map), 2);	/* the old entry was clipped */
	x = 0x1000;		/* below the window */
	EXPECT_EQ(xs_mach_vm_allocate_kernel(map, &x, ps(), VM_FLAGS_FIXED),
		  KERN_INVALID_ADDRESS);
	x = XS_VM_MAP_USER_MAX - ps();
	EXPECT_EQ(xs_mach_vm_allocate_kernel(map, &x, 2 * ps(), VM_FLAGS_FIXED),
		  KERN_INVALID_ADDRESS);
	x = ~0ull - ps();	/* wraps */
	EXPECT_EQ(xs_mach_vm_allocate_kernel(map, &x, 4 * ps(), VM_FLAGS_FIXED),
		  KERN_INVALID_ADDRESS);
	xs_vm_map_deallocate(map);
}

TEST(size_errors)
{
	mach_vm_address_t a = 0x1234;
	struct vm_map *map = xs_vm_map_create_options(true);

	ASSERT_TRUE(map != NULL);
	EXPECT_EQ(xs_mach_vm_allocate_kernel(map, &a, 0, VM_FLAGS_ANYWHERE), KERN_SUCCESS);
	EXPECT_EQ(a, 0);
	EXPECT_EQ(xs_mach_vm_allocate_kernel(map, &a, ~0ull, VM_FLAGS_ANYWHERE),
		  KERN_INVALID_ARGUMENT);
	EXPECT_EQ(xs_mach_vm_allocate_kernel(map, &a, XS_VM_MAP_USER_MAX, VM_FLAGS_ANYWHERE),
		  KERN_NO_SPACE);
	EXPECT_EQ(xs_mach_vm_allocate_external(map, &a, ps(), 0x200),
		  KERN_INVALID_ARGUMENT);	/* 0x200 is not a user allocate flag */
	EXPECT_EQ(xs_vm_map_entry_count(map), 0);
	xs_vm_map_deallocate(map);
}

TEST(partial_deallocate_clips_and_counts_return_to_baseline)
{
	uint64_t base = zcount(ZONE_ID_VM_MAP_ENTRY);
	mach_vm_address_t a;
	struct vm_map *map = map_with(4, &a);

	ASSERT_TRUE(map != NULL);
	EXPECT_EQ(xs_mach_vm_deallocate(map, a + ps(), 2 * ps()), KERN_SUCCESS);
	EXPECT_EQ(xs_vm_map_entry_count(map), 2);
	EXPECT_EQ(zcount(ZONE_ID_VM_MAP_ENTRY), base + 2);
	EXPECT_TRUE(xs_vm_map_find_entry(map, a + ps()) == NULL);
	EXPECT_EQ(xs_vm_map_find_entry(map, a + 3 * ps())->vme_start, a + 3 * ps());
	EXPECT_EQ(map->size, 2 * ps());
	/* Holes are not an error; size 0 is a no-op; wrapping is invalid. */
	EXPECT_EQ(xs_mach_vm_deallocate(map, a, 4 * ps()), KERN_SUCCESS);
	EXPECT_EQ(xs_mach_vm_deallocate(map, a, 0), KERN_SUCCESS);
	EXPECT_EQ(xs_mach_vm_deallocate(map, ~0ull - 10, 100), KERN_INVALID_ARGUMENT);
	EXPECT_EQ(xs_vm_map_entry_count(map), 0);
	EXPECT_EQ(zcount(ZONE_ID_VM_MAP_ENTRY), base);
	EXPECT_EQ(map->size, 0);
	xs_vm_map_deallocate(map);
}

TEST(protect_clips_checks_max_and_simplifies_back)
{
	mach_vm_address_t a;
	struct vm_map *map = map_with(3, &a);

	ASSERT_TRUE(map != NULL);
	EXPECT_EQ(xs_mach_vm_protect(map, a + ps(), ps(), false, VM_PROT_READ), KERN_SUCCESS);
	EXPECT_EQ(xs_vm_map_entry_count(map), 3);
	EXPECT_EQ(xs_vm_map_find_entry(map, a + ps())->protection, VM_PROT_READ);
	EXPECT_EQ(xs_vm_map_find_entry(map, a)->protection, VM_PROT_READ | VM_PROT_WRITE);
	/* Restoring the old protection lets vm_map_simplify_entry merge again. */
	EXPECT_EQ(xs_mach_vm_protect(map, a + ps(), ps(), false, VM_PROT_DEFAULT), KERN_SUCCESS);
	EXPECT_EQ(xs_vm_map_entry_count(map), 1);
	/* Lower the max: current follows; raising above max fails, atomically. */
	EXPECT_EQ(xs_mach_vm_protect(map, a, ps(), true, VM_PROT_READ), KERN_SUCCESS);
	EXPECT_EQ(xs_vm_map_find_entry(map, a)->max_protection, VM_PROT_READ);
	EXPECT_EQ(xs_vm_map_find_entry(map, a)->protection, VM_PROT_READ);
	EXPECT_EQ(xs_mach_vm_protect(map, a, 3 * ps(), false, VM_PROT_DEFAULT),
		  KERN_PROTECTION_FAILURE);
	EXPECT_EQ(xs_vm_map_find_entry(map, a + 2 * ps())->protection, VM_PROT_DEFAULT);
	/* Holes, bad bits, size 0. */
	EXPECT_EQ(xs_mach_vm_protect(map, a, 4 * ps(), false, VM_PROT_READ),
		  KERN_INVALID_ADDRESS);
	EXPECT_EQ(xs_mach_vm_protect(map, a - ps(), ps(), false, VM_PROT_READ),
		  KERN_INVALID_ADDRESS);
	EXPECT_EQ(xs_mach_vm_protect(map, a, ps(), false, 0x100), KERN_INVALID_ARGUMENT);
	EXPECT_EQ(xs_mach_vm_protect(map, a + 9 * ps(), 0, false, VM_PROT_READ), KERN_SUCCESS);
	xs_vm_map_deallocate(map);
}

TEST(fork_follows_inheritance)
{
	uint64_t base_e = zcount(ZONE_ID_VM_MAP_ENTRY), base_o = zcount(ZONE_ID_VM_OBJECT);
	mach_vm_address_t copy_a, share_a = 0, none_a = 0;
	struct vm_map *map = map_with(1, &copy_a), *child;

	ASSERT_TRUE(map != NULL);
	ASSERT_EQ(xs_mach_vm_map_kernel(map, &share_a, 2 * ps(), 0, VM_FLAGS_ANYWHERE,
					VM_PROT_DEFAULT, VM_PROT_ALL, VM_INHERIT_SHARE),
		  KERN_SUCCESS);
	ASSERT_EQ(xs_mach_vm_map_kernel(map, &none_a, ps(), 0, VM_FLAGS_ANYWHERE,
					VM_PROT_DEFAULT, VM_PROT_ALL, VM_INHERIT_NONE),
		  KERN_SUCCESS);
	EXPECT_EQ(xs_vm_map_entry_count(map), 3);
	const struct vm_map_entry *se = xs_vm_map_find_entry(map, share_a);
	ASSERT_TRUE(se && se->vme_object);
	EXPECT_EQ(se->vme_object->vo_backing, XS_VMO_ANON_SHARED);
	EXPECT_EQ(zcount(ZONE_ID_VM_OBJECT), base_o + 1);

	child = xs_vm_map_fork(map);
	ASSERT_TRUE(child != NULL);
	EXPECT_EQ(xs_vm_map_entry_count(child), 2);
	EXPECT_TRUE(xs_vm_map_find_entry(child, none_a) == NULL);
	const struct vm_map_entry *ce = xs_vm_map_find_entry(child, copy_a);
	const struct vm_map_entry *cs = xs_vm_map_find_entry(child, share_a);
	ASSERT_TRUE(ce && cs);
	EXPECT_EQ(ce->inheritance, VM_INHERIT_COPY);
	EXPECT_TRUE(cs->vme_object == se->vme_object);	/* one object, two maps */
	EXPECT_EQ(se->vme_object->ref_count, 2);
	EXPECT_TRUE(cs->is_shared && se->is_shared);
	EXPECT_EQ(child->size, 3 * ps());
	EXPECT_EQ(zcount(ZONE_ID_VM_MAP_ENTRY), base_e + 5);

	xs_vm_map_deallocate(map);
	EXPECT_EQ(cs->vme_object->ref_count, 1);	/* the child keeps it alive */
	xs_vm_map_deallocate(child);
	EXPECT_EQ(zcount(ZONE_ID_VM_MAP_ENTRY), base_e);
	EXPECT_EQ(zcount(ZONE_ID_VM_OBJECT), base_o);
}

TEST(fork_of_private_file_object_marks_copy_on_write)
{
	static char file_pages[16384] __attribute__((aligned(16384))) = "hello";
	mach_vm_address_t a = 0;
	struct vm_map *map = xs_vm_map_create_options(true), *child;

	ASSERT_TRUE(map != NULL);
	ASSERT_EQ(xs_vm_map_enter_mem_object_control(map, &a, ps(), VM_FLAGS_ANYWHERE, NULL,
						     file_pages, 5, 0, false, VM_PROT_READ,
						     VM_PROT_ALL, VM_INHERIT_COPY),
		  KERN_SUCCESS);
	const struct vm_map_entry *e = xs_vm_map_find_entry(map, a);
	ASSERT_TRUE(e && e->vme_object);
	EXPECT_EQ(e->vme_object->vo_backing, XS_VMO_VNODE);
	EXPECT_TRUE(!e->needs_copy);
	child = xs_vm_map_fork(map);
	ASSERT_TRUE(child != NULL);
	EXPECT_TRUE(e->needs_copy);
	EXPECT_TRUE(xs_vm_map_find_entry(child, a)->needs_copy);
	xs_vm_map_deallocate(child);
	xs_vm_map_deallocate(map);
}

TEST(advice_and_msync_check_ranges)
{
	mach_vm_address_t a;
	struct vm_map *map = map_with(2, &a);

	ASSERT_TRUE(map != NULL);
	EXPECT_EQ(xs_mach_vm_behavior_set(map, a + ps(), ps(), VM_BEHAVIOR_RANDOM), KERN_SUCCESS);
	EXPECT_EQ(xs_vm_map_find_entry(map, a + ps())->behavior, VM_BEHAVIOR_RANDOM);
	EXPECT_EQ(xs_vm_map_find_entry(map, a)->behavior, VM_BEHAVIOR_DEFAULT);
	EXPECT_EQ(xs_vm_map_entry_count(map), 2);
	EXPECT_EQ(xs_mach_vm_behavior_set(map, a, 3 * ps(), VM_BEHAVIOR_SEQUENTIAL),
		  KERN_INVALID_ADDRESS);
	EXPECT_EQ(xs_mach_vm_behavior_set(map, a, 3 * ps(), VM_BEHAVIOR_FREE),
		  KERN_INVALID_ADDRESS);
	EXPECT_EQ(xs_mach_vm_behavior_set(map, 0x4000, ps(), VM_BEHAVIOR_WILLNEED),
		  KERN_NO_SPACE);
	EXPECT_EQ(xs_mach_vm_behavior_set(map, a, ps(), 99), KERN_INVALID_ARGUMENT);
	EXPECT_EQ(xs_mach_vm_msync(map, a, 2 * ps(), VM_SYNC_SYNCHRONOUS | VM_SYNC_CONTIGUOUS),
		  KERN_SUCCESS);
	EXPECT_EQ(xs_mach_vm_msync(map, a, 3 * ps(), VM_SYNC_SYNCHRONOUS | VM_SYNC_CONTIGUOUS),
		  KERN_INVALID_ADDRESS);
	EXPECT_EQ(xs_mach_vm_msync(map, a + 5 * ps(), ps(), VM_SYNC_SYNCHRONOUS),
		  KERN_INVALID_ADDRESS);
	xs_vm_map_deallocate(map);
}

TEST(anywhere_skips_holes_too_small_and_honours_mask)
{
	mach_vm_address_t a, b = 0;
	struct vm_map *map = map_with(4, &a);

	ASSERT_TRUE(map != NULL);
	ASSERT_EQ(xs_mach_vm_deallocate(map, a + ps(), ps()), KERN_SUCCESS);
	EXPECT_EQ(xs_mach_vm_allocate_kernel(map, &b, 2 * ps(), VM_FLAGS_ANYWHERE), KERN_SUCCESS);
	EXPECT_EQ(b, a + 4 * ps());
	b = 0;
	EXPECT_EQ(xs_mach_vm_allocate_kernel(map, &b, ps(), VM_FLAGS_ANYWHERE), KERN_SUCCESS);
	EXPECT_EQ(b, a + ps());	/* first fit */
	b = 0;
	EXPECT_EQ(xs_mach_vm_map_kernel(map, &b, ps(), 0xfffff, VM_FLAGS_ANYWHERE,
					VM_PROT_DEFAULT, VM_PROT_ALL, VM_INHERIT_COPY),
		  KERN_SUCCESS);
	EXPECT_EQ(b & 0xfffff, 0);
	xs_vm_map_deallocate(map);
}
