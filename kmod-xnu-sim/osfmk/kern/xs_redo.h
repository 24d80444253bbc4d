/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xs_redo.h: all-or-nothing critical sections across a killed process.  A
 * host process can be SIGKILLed between any two stores; the robust lock
 * then passes to the next locker with the protected state half updated.
 * A section that must change several words at once records the new values
 * here, arms the record, applies it and disarms it; whoever takes the lock
 * next replays an armed record (only a dead owner leaves one armed), so the
 * update is either wholly absent or wholly done.  Simulator only: XNU's
 * threads cannot vanish while holding a lock.
 */
#ifndef XS_KERN_XS_REDO_H
#define XS_KERN_XS_REDO_H

#include "kmod-xnu-sim/osfmk/kern/kern_types.h"

#define XS_REDO_MAX 8

/* Lives next to the data it protects, in the arena; guarded by that lock. */
struct xs_redo {
	uint32_t r_armed;	/* 1: the entries below must be (re)applied */
	uint32_t r_n;
	struct xs_redo_ent {
		uint64_t re_addr;	/* arena address of the word */
		uint64_t re_val;
		uint32_t re_size;	/* 4 or 8 */
		uint32_t re_pad;
	} r_ent[XS_REDO_MAX];
};

static inline bool xs_redo_recover(struct xs_redo *r);

/* Start recording; finishes first a record a path that re-took the lock missed. */
static inline void xs_redo_begin(struct xs_redo *r)
{
	(void)xs_redo_recover(r);
}

static inline void xs_redo_put(struct xs_redo *r, void *addr, uint64_t val, uint32_t size)
{
	struct xs_redo_ent *e;

	if (r->r_n >= XS_REDO_MAX)
		__builtin_trap();	/* a kernel bug: the section outgrew its record */
	e = &r->r_ent[r->r_n++];
	e->re_addr = (uint64_t)(uintptr_t)addr;
	e->re_val = val;
	e->re_size = size;
}

#define xs_redo_put64(r, addr, val) xs_redo_put((r), (addr), (uint64_t)(val), 8)
#define xs_redo_put32(r, addr, val) xs_redo_put((r), (addr), (uint64_t)(uint32_t)(val), 4)
#define xs_redo_putptr(r, addr, ptr) xs_redo_put((r), (addr), (uint64_t)(uintptr_t)(ptr), 8)

/* Idempotent: every entry is a plain store of a recorded value. */
static inline void xs_redo_apply(struct xs_redo *r)
{
	for (uint32_t i = 0; i < r->r_n; i++) {
		struct xs_redo_ent *e = &r->r_ent[i];

		if (e->re_size == 4)
			__atomic_store_n((uint32_t *)(uintptr_t)e->re_addr, (uint32_t)e->re_val,
					 __ATOMIC_RELAXED);
		else
			__atomic_store_n((uint64_t *)(uintptr_t)e->re_addr, e->re_val,
					 __ATOMIC_RELAXED);
	}
}

/* Apply the recorded stores as one step.  The guarding lock is held. */
static inline void xs_redo_commit(struct xs_redo *r)
{
	__atomic_store_n(&r->r_armed, 1, __ATOMIC_RELEASE);	/* entries first */
	xs_redo_apply(r);
	__atomic_store_n(&r->r_armed, 0, __ATOMIC_RELEASE);	/* stores first */
	r->r_n = 0;
}

/*
 * Call right after taking the guarding lock: finishes the section a dead
 * owner left armed.  Returns true if there was one.
 */
static inline bool xs_redo_recover(struct xs_redo *r)
{
	if (!__atomic_load_n(&r->r_armed, __ATOMIC_ACQUIRE)) {
		r->r_n = 0;
		return false;
	}
	if (r->r_n > XS_REDO_MAX)
		__builtin_trap();
	xs_redo_apply(r);
	__atomic_store_n(&r->r_armed, 0, __ATOMIC_RELEASE);
	r->r_n = 0;
	return true;
}

#endif /* XS_KERN_XS_REDO_H */
