/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_zalloc.c: zones, kalloc and kmem on a bare machine (arena + zalloc
 * only, no other subsystem booted): counts, reuse, zeroing, size classes,
 * exhaustion, sharing across host processes and threads.
 */
#include <string.h>

#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc_internal.h"
#include "kmod-xnu-sim/osl/user/osl_user.h"
#include "tests/harness.h"

/* These tests build bare machines themselves: no boot at load (xnusim.h). */
const int xnusim_no_autoboot = 1;

/*
 * Host calls declared by hand: <unistd.h>, <sys/wait.h> and <pthread.h>
 * bring <sys/types.h>, whose mode_t and sigset_t clash with the kernel's.
 */
int fork(void);
int waitpid(int pid, int *status, int options);
_Noreturn void _exit(int status);
typedef unsigned long host_pthread_t;
int pthread_create(host_pthread_t *t, const void *attr, void *(*fn)(void *), void *arg);
int pthread_join(host_pthread_t t, void **ret);
#define H_EXITED(st)     (((st) & 0x7f) == 0)
#define H_EXITSTATUS(st) (((st) >> 8) & 0xff)
#define H_SIGNALED(st)   (((st) & 0x7f) != 0 && ((st) & 0x7f) != 0x7f)

static void bare_machine(void)
{
	osl_arena_detach();
	if (osl_arena_create(0x4321) != 0) {
		fprintf(stderr, "cannot create an arena\n");
		_exit(2);
	}
	osl_machine_setup(osl_machine(), 0x4321, 1, osl_absolute_time());
	xs_zalloc_bootstrap();
}

static bool in_arena(const void *p, size_t len)
{
	return osl_is_kernel_address((uintptr_t)p, len);
}

TEST(bootstrap_creates_kalloc_classes)
{
	bare_machine();
	EXPECT_EQ(xs_zone_count(), KALLOC_NCLASSES);
	const struct zone *z = xs_zone_at(0);
	ASSERT_TRUE(z != NULL);
	EXPECT_STREQ(z->z_name, "kalloc.16");
	EXPECT_EQ(z->z_elem_size, 16);
	EXPECT_EQ(z->z_id, ZONE_ID_FIRST_DYNAMIC);
	z = xs_zone_at(KALLOC_NCLASSES - 1);
	ASSERT_TRUE(z != NULL);
	EXPECT_STREQ(z->z_name, "kalloc.16384");
	EXPECT_EQ(z->z_elem_size, 16384);
	EXPECT_STREQ(xs_zone_at(4)->z_name, "kalloc.256");
	EXPECT_TRUE(xs_zone_at(KALLOC_NCLASSES) == NULL);
	EXPECT_EQ(xs_machine()->m_zalloc.zg_kmem_pages, 0);
}

TEST(zone_create_id_is_idempotent_and_validates)
{
	bare_machine();
	struct zone *z = xs_zone_create_id(ZONE_ID_THREAD, "threads", 200);

	ASSERT_TRUE(z != NULL);
	EXPECT_TRUE(in_arena(z, sizeof(*z)));
	EXPECT_STREQ(z->z_name, "threads");
	EXPECT_EQ(z->z_elem_size, 208);		/* rounded to 16 */
	EXPECT_TRUE(xs_zone_create_id(ZONE_ID_THREAD, "threads", 200) == z);
	EXPECT_TRUE(xs_zone_by_id(ZONE_ID_THREAD) == z);
	EXPECT_TRUE(xs_zone_by_id(ZONE_ID_VNODE) == NULL);	/* never created */
	EXPECT_TRUE(xs_zone_by_id(ZONE_ID_MAX) == NULL);
	EXPECT_TRUE(xs_zone_create_id(ZONE_ID_MAX, "x", 8) == NULL);
	EXPECT_TRUE(xs_zone_create_id(ZONE_ID_VNODE, NULL, 8) == NULL);
	EXPECT_TRUE(xs_zone_create_id(ZONE_ID_VNODE, "vnodes", 0) == NULL);
	EXPECT_TRUE(xs_zone_create_id(ZONE_ID_VNODE, "vnodes", XS_ZONE_ELEM_MAX + 1) == NULL);
	EXPECT_EQ(xs_zone_count(), KALLOC_NCLASSES + 1);
	/* A long name is truncated, not overflowed. */
	z = xs_zone_create_id(ZONE_ID_PIPE, "a zone name far longer than thirty-two bytes", 8);
	ASSERT_TRUE(z != NULL);
	EXPECT_EQ(strlen(z->z_name), XS_ZONE_NAME_MAX - 1);
}

TEST(zalloc_counts_zeroing_and_reuse)
{
	bare_machine();
	struct zone *z = xs_zone_create_id(ZONE_ID_SEMAPHORE, "semaphores", 40);
	char *a = xs_zalloc(z), *b = xs_zalloc_id(ZONE_ID_SEMAPHORE), *c = xs_zalloc(z);

	ASSERT_TRUE(a && b && c);
	EXPECT_TRUE(a != b && b != c && a != c);
	EXPECT_TRUE(in_arena(a, 48) && in_arena(b, 48) && in_arena(c, 48));
	EXPECT_EQ((uintptr_t)a % 16, 0);
	EXPECT_EQ(z->z_count, 3);
	EXPECT_EQ(z->z_allocs, 3);
	EXPECT_EQ(z->z_pages, 1);
	memset(b, 0x5a, 48);
	xs_zfree(z, b);
	EXPECT_EQ(z->z_count, 2);
	EXPECT_EQ(z->z_frees, 1);
	char *d = xs_zalloc(z);
	EXPECT_TRUE(d == b);				/* last freed, first reused */
	for (int i = 0; i < 48; i++)
		if (d[i] != 0) { EXPECT_EQ(d[i], 0); break; }	/* zeroed again */
	EXPECT_EQ(z->z_count_max, 3);
	xs_zfree_id(ZONE_ID_SEMAPHORE, a);
	xs_zfree(z, c);
	xs_zfree(z, d);
	xs_zfree(z, NULL);				/* no-op */
	EXPECT_EQ(z->z_count, 0);
	EXPECT_EQ(z->z_allocs, 4);
	EXPECT_EQ(z->z_frees, 4);
	EXPECT_TRUE(xs_zalloc(NULL) == NULL);
	EXPECT_TRUE(xs_zalloc_id(ZONE_ID_VNODE) == NULL);	/* zone never created */
}

TEST(zone_grows_page_by_page)
{
	bare_machine();
	struct zone *z = xs_zone_create_id(ZONE_ID_IPC_PORT, "ipc ports", 1000);
	void *e[40];

	for (int i = 0; i < 40; i++) {
		e[i] = xs_zalloc(z);
		ASSERT_TRUE(e[i] != NULL);
	}
	EXPECT_EQ(z->z_count, 40);
	EXPECT_TRUE(z->z_pages >= 10);		/* 4 elements of 1008 bytes a page */
	uint64_t pages = z->z_pages;
	for (int i = 0; i < 40; i++)
		xs_zfree(z, e[i]);
	for (int i = 0; i < 40; i++)
		e[i] = xs_zalloc(z);
	EXPECT_EQ(z->z_pages, pages);		/* freed elements were reused */
}

TEST(dynamic_zone_table_fills_up)
{
	bare_machine();
	uint32_t made = 0;

	while (xs_zone_create("dyn", 24) != NULL)
		made++;
	EXPECT_EQ(made, ZONE_ID_MAX - ZONE_ID_FIRST_DYNAMIC - KALLOC_NCLASSES);
	EXPECT_TRUE(xs_zone_create("dyn", 0) == NULL);
}

TEST(kalloc_size_classes_and_large)
{
	bare_machine();
	const struct zone *k16 = xs_zone_by_id(ZONE_ID_FIRST_DYNAMIC);
	const struct zone *k32 = xs_zone_by_id(ZONE_ID_FIRST_DYNAMIC + 1);
	const struct zone *kmax = xs_zone_by_id(ZONE_ID_FIRST_DYNAMIC + KALLOC_NCLASSES - 1);
	void *a = xs_kalloc(1), *b = xs_kalloc(16), *c = xs_kalloc(17);
	void *d = xs_kalloc(16384), *e = xs_kalloc(16385);

	ASSERT_TRUE(a && b && c && d && e);
	EXPECT_EQ(k16->z_count, 2);
	EXPECT_EQ(k32->z_count, 1);
	EXPECT_EQ(kmax->z_count, 1);
	EXPECT_EQ(xs_machine()->m_zalloc.zg_kmem_pages, 5);	/* 16385 bytes: 5 pages */
	EXPECT_EQ((uintptr_t)e % OSL_PAGE_SIZE, 0);
	memset(e, 1, 16385);
	xs_kfree(a, 1);
	xs_kfree(b, 16);
	xs_kfree(c, 17);
	xs_kfree(d, 16384);
	xs_kfree(e, 16385);
	xs_kfree(NULL, 16);
	EXPECT_EQ(k16->z_count + k32->z_count + kmax->z_count, 0);
	EXPECT_EQ(xs_machine()->m_zalloc.zg_kmem_pages, 0);
	EXPECT_TRUE(xs_kalloc(0) == NULL);
	char *z = xs_kalloc(16385);		/* the same pages, zeroed for the next owner */
	EXPECT_TRUE(z == e);
	EXPECT_EQ(z[100] | z[16384], 0);
}

TEST(kmem_pages_accounting_and_exhaustion)
{
	bare_machine();
	char *p = xs_kmem_alloc(3 * OSL_PAGE_SIZE + 1);

	ASSERT_TRUE(p != NULL);
	EXPECT_EQ((uintptr_t)p % OSL_PAGE_SIZE, 0);
	EXPECT_EQ(xs_machine()->m_zalloc.zg_kmem_pages, 4);
	EXPECT_EQ(p[4 * OSL_PAGE_SIZE - 1], 0);
	xs_kmem_free(p, 3 * OSL_PAGE_SIZE + 1);
	EXPECT_EQ(xs_machine()->m_zalloc.zg_kmem_pages, 0);
	EXPECT_TRUE(xs_kmem_alloc(0) == NULL);
	EXPECT_TRUE(xs_kmem_alloc(2ull << 30) == NULL);		/* bigger than the arena */
	EXPECT_EQ(xs_machine()->m_zalloc.zg_kmem_pages, 0);

	/* Drain the arena: zones and kalloc then answer NULL instead of crashing. */
	struct zone *z = xs_zone_create_id(ZONE_ID_VNODE, "vnodes", 256);
	static void *chunks[1024];
	int n = 0;
	while (n < 1024 && (chunks[n] = osl_pages_alloc(1024)) != NULL)
		n++;
	while (osl_pages_alloc(1) != NULL)
		;
	EXPECT_TRUE(xs_zalloc(z) == NULL);
	EXPECT_TRUE(xs_kalloc(100000) == NULL);
	EXPECT_EQ(z->z_count, 0);
	for (int i = 0; i < n; i++)
		osl_pages_free(chunks[i], 1024);
	EXPECT_TRUE(xs_zalloc(z) != NULL);			/* and recover */
}

static void zfree_foreign(void)
{
	static char buf[64] __attribute__((aligned(16)));

	xs_zfree(xs_zone_by_id(ZONE_ID_FIRST_DYNAMIC), buf);
	_exit(0);
}

TEST(zfree_of_foreign_memory_panics)
{
	bare_machine();
	int st = 0;
	int pid = fork();

	if (pid == 0)
		zfree_foreign();
	waitpid(pid, &st, 0);
	EXPECT_TRUE(H_SIGNALED(st));		/* SIGABRT from osl_panic */
}

TEST(zones_are_shared_across_host_processes)
{
	bare_machine();
	struct zone *z = xs_zone_create_id(ZONE_ID_PIPE, "pipe zone", 64);
	int st = 0;
	int pid = fork();

	if (pid == 0) {
		for (int i = 0; i < 10; i++)
			if (!xs_zalloc(z))
				_exit(1);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	EXPECT_TRUE(H_EXITED(st) && H_EXITSTATUS(st) == 0);
	EXPECT_EQ(z->z_count, 10);		/* the child's allocations, seen here */
	void *e = xs_zalloc(z);
	EXPECT_TRUE(e != NULL);
	EXPECT_EQ(z->z_count, 11);
}

static void *churn(void *arg)
{
	struct zone *z = arg;
	void *e[8];

	for (int round = 0; round < 5000; round++) {
		for (int i = 0; i < 8; i++)
			e[i] = xs_zalloc(z);
		for (int i = 0; i < 8; i++)
			xs_zfree(z, e[i]);
	}
	return NULL;
}

TEST(zones_are_thread_safe)
{
	bare_machine();
	struct zone *z = xs_zone_create("churn", 48);
	host_pthread_t t[4];

	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, churn, z);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(z->z_count, 0);
	EXPECT_EQ(z->z_allocs, 4 * 5000 * 8);
	EXPECT_EQ(z->z_frees, 4 * 5000 * 8);
	EXPECT_TRUE(z->z_count_max <= 32);
}
