/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_redo.c: the killed-process machinery on a bare machine (arena +
 * zalloc): redo records (xs_redo.h) replayed by the next locker, zalloc's
 * slot variants, and a zone operation whose host process dies holding the
 * zone lock halfway through, finished by the next zalloc.
 */
#include <string.h>

#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/xs_redo.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc_internal.h"
#include "kmod-xnu-sim/osl/user/osl_user.h"
#include "tests/harness.h"

/* These tests build bare machines themselves: no boot at load (xnusim.h). */
const int xnusim_no_autoboot = 1;

/* Host calls by hand: <unistd.h> brings types that clash with the kernel's. */
int fork(void);
int waitpid(int pid, int *status, int options);
_Noreturn void _exit(int status);

static void bare_machine(void)
{
	osl_arena_detach();
	if (osl_arena_create(0x5151) != 0) {
		fprintf(stderr, "cannot create an arena\n");
		_exit(2);
	}
	osl_machine_setup(osl_machine(), 0x5151, 1, osl_absolute_time());
	xs_zalloc_bootstrap();
}

struct words {
	uint64_t a;
	uint32_t b;
	void *c;
	struct xs_redo redo;
};

TEST(an_armed_record_is_replayed_once_and_a_disarmed_one_ignored)
{
	struct words *w;

	bare_machine();
	w = xs_kalloc(sizeof(*w));
	ASSERT_TRUE(w != NULL);
	xs_redo_begin(&w->redo);
	xs_redo_put64(&w->redo, &w->a, 0x1122334455667788ull);
	xs_redo_put32(&w->redo, &w->b, 7);
	xs_redo_putptr(&w->redo, &w->c, w);
	EXPECT_TRUE(!xs_redo_recover(&w->redo));	/* not armed: the owner never committed */
	EXPECT_EQ(w->a, 0);
	EXPECT_EQ(w->redo.r_n, 0);

	xs_redo_begin(&w->redo);
	xs_redo_put64(&w->redo, &w->a, 0x1122334455667788ull);
	xs_redo_put32(&w->redo, &w->b, 7);
	xs_redo_putptr(&w->redo, &w->c, w);
	w->redo.r_armed = 1;		/* the owner died right after arming */
	w->a = 0x1122334455667788ull;	/* ... and one store */
	EXPECT_TRUE(xs_redo_recover(&w->redo));
	EXPECT_EQ(w->a, 0x1122334455667788ull);
	EXPECT_EQ(w->b, 7);
	EXPECT_TRUE(w->c == w);
	EXPECT_TRUE(!xs_redo_recover(&w->redo));
	xs_kfree(w, sizeof(*w));
}

TEST(zalloc_into_and_zfree_from_move_the_element_with_the_slot)
{
	struct zone *z;
	void **slot, *e;
	uint64_t before;

	bare_machine();
	z = xs_zone_create("test.redo", 48);
	slot = xs_kalloc(2 * sizeof(void *));
	ASSERT_TRUE(z != NULL && slot != NULL);
	before = z->z_count;
	e = xs_zalloc_into(z, &slot[0]);
	ASSERT_TRUE(e != NULL);
	EXPECT_TRUE(slot[0] == e);
	EXPECT_EQ(z->z_count, before + 1);
	EXPECT_EQ(((uint64_t *)e)[0], 0);	/* zeroed, free-list link included */
	xs_zfree_from(z, &slot[0], &slot[1]);
	EXPECT_TRUE(slot[0] == &slot[1]);	/* the replacement */
	EXPECT_EQ(z->z_count, before);
	slot[0] = NULL;
	xs_zfree_from(z, &slot[0], NULL);	/* an empty slot is a no-op */
	EXPECT_EQ(z->z_count, before);
	EXPECT_TRUE(xs_zalloc_into(NULL, &slot[0]) == NULL);
	EXPECT_TRUE(slot[0] == NULL);
	xs_kfree(slot, 2 * sizeof(void *));
}

/*
 * A host process frees e from *slot: it takes the zone lock, records the
 * free, arms it, makes the first store and dies holding the lock.
 */
static void die_halfway_through_a_free(struct zone *z, void **slot)
{
	uint64_t *e = *slot;
	struct xs_redo *r = &z->z_redo;

	xs_lck_mtx_lock(&z->z_lock);
	xs_redo_begin(r);
	xs_redo_putptr(r, e, z->z_free_list);
	xs_redo_putptr(r, &z->z_free_list, e);
	xs_redo_put64(r, &z->z_count, z->z_count - 1);
	xs_redo_put64(r, &z->z_frees, z->z_frees + 1);
	xs_redo_putptr(r, slot, NULL);
	__atomic_store_n(&r->r_armed, 1, __ATOMIC_RELEASE);
	*(void **)e = z->z_free_list;
	_exit(0);
}

TEST(a_free_cut_short_by_a_dead_lock_holder_is_finished_by_the_next_locker)
{
	struct zone *z;
	void **slot, *e, *again;
	uint64_t count;
	int pid, st = -1;

	bare_machine();
	z = xs_zone_create("test.redo.kill", 64);
	slot = xs_kalloc(sizeof(void *));
	ASSERT_TRUE(z != NULL && slot != NULL);
	e = xs_zalloc_into(z, slot);
	ASSERT_TRUE(e != NULL);
	count = z->z_count;
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		die_halfway_through_a_free(z, slot);
	ASSERT_TRUE(pid > 0);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_EQ(z->z_count, count);		/* half done: nothing counted yet */
	EXPECT_TRUE(*slot == e);
	again = xs_zalloc(z);			/* takes the lock over, finishes the free */
	EXPECT_TRUE(again == e);		/* e was pushed, and comes back first */
	EXPECT_TRUE(*slot == NULL);
	EXPECT_EQ(z->z_count, count);		/* -1 by the replay, +1 by this zalloc */
	EXPECT_EQ(z->z_redo.r_armed, 0);
	xs_zfree(z, again);
	EXPECT_EQ(z->z_count, count - 1);
	xs_kfree(slot, sizeof(void *));
}
