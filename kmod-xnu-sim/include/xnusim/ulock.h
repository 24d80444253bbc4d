/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ulock.h: user-level locks for workloads, on __ulock_wait / __ulock_wake.
 * The operation values of Darwin's <sys/ulock.h> (xnusim/ulock_ops.h),
 * and two small locks:
 *
 *  - xnu_unfair_lock: os_unfair_lock's protocol.  The word holds the
 *    owner's thread port name; the low bit (ULOCK_NOWAITERS_BIT) is cleared
 *    while threads wait in the kernel (UL_UNFAIR_LOCK), so the kernel knows
 *    the owner and unlock knows whether to wake.  A word naming no thread of
 *    the caller's task (say, after fork: its owner was not copied) makes
 *    the kernel answer EOWNERDEAD; lock returns -EOWNERDEAD where libplatform
 *    would crash.
 *  - xnu_ulock_mutex: a compare-and-wait mutex (0 free, 1 held, 2 held with
 *    waiters).  With shared = 1 it uses the _SHARED opcode, for memory that
 *    several processes map (MAP_SHARED).
 *
 * Header only: include xnusim/libsyscall.h too.  Values are Darwin's.
 */
#ifndef XNUSIM_ULOCK_H
#define XNUSIM_ULOCK_H

#include <stdint.h>

#include "xnusim/libsyscall.h"

#include "xnusim/ulock_ops.h"	/* Darwin's operation values */

#define XNU_ULOCK_EINTR      4	/* Darwin errnos the lock loops look at */
#define XNU_ULOCK_EOWNERDEAD 105
#define XNU_ULOCK_EPERM      1

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The calling thread's port name (mach_thread_self), cached per thread the
 * way libsyscall keeps it in the TSD; fork's child starts with a fresh one.
 */
uint32_t xnu_thread_self_port(void);

typedef struct { uint32_t value; } xnu_unfair_lock;
#define XNU_UNFAIR_LOCK_INIT { 0 }

/* 0, or -EOWNERDEAD (the word names no thread of this task). */
static inline int xnu_unfair_lock_lock(xnu_unfair_lock *l)
{
	uint32_t self = xnu_thread_self_port(), cur, clear = 0;
	int r;

	for (;;) {
		cur = 0;
		if (__atomic_compare_exchange_n(&l->value, &cur, self & ~clear, 0,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return 0;
		if (cur == 0)
			continue;
		if (cur & ULOCK_NOWAITERS_BIT) {	/* announce a waiter */
			uint32_t want = cur & ~ULOCK_NOWAITERS_BIT;

			if (!__atomic_compare_exchange_n(&l->value, &cur, want, 0,
							 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
				continue;
			cur &= ~ULOCK_NOWAITERS_BIT;
		}
		r = xnu_ulock_wait(UL_UNFAIR_LOCK | ULF_NO_ERRNO, &l->value, cur, 0);
		if (r == -XNU_ULOCK_EOWNERDEAD)
			return r;
		clear = ULOCK_NOWAITERS_BIT;	/* others may still wait: keep it contended */
	}
}

/* 0, or -EPERM if the caller does not own the lock (it is left unlocked). */
static inline int xnu_unfair_lock_unlock(xnu_unfair_lock *l)
{
	uint32_t self = xnu_thread_self_port();
	uint32_t cur = __atomic_exchange_n(&l->value, 0, __ATOMIC_RELEASE);

	if (cur == self)
		return 0;
	if ((cur | ULOCK_NOWAITERS_BIT) != self)
		return -XNU_ULOCK_EPERM;
	xnu_ulock_wake(UL_UNFAIR_LOCK | ULF_NO_ERRNO, &l->value, 0);
	return 0;
}

typedef struct { uint32_t value; uint32_t shared; } xnu_ulock_mutex;
#define XNU_ULOCK_MUTEX_INIT { 0, 0 }

static inline uint32_t xnu_ulock_mutex_op(const xnu_ulock_mutex *m)
{
	return (m->shared ? UL_COMPARE_AND_WAIT_SHARED : UL_COMPARE_AND_WAIT) | ULF_NO_ERRNO;
}

static inline void xnu_ulock_mutex_lock(xnu_ulock_mutex *m)
{
	uint32_t c = 0;

	if (__atomic_compare_exchange_n(&m->value, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	if (c != 2)
		c = __atomic_exchange_n(&m->value, 2, __ATOMIC_ACQUIRE);
	while (c != 0) {
		xnu_ulock_wait(xnu_ulock_mutex_op(m), &m->value, 2, 0);
		c = __atomic_exchange_n(&m->value, 2, __ATOMIC_ACQUIRE);
	}
}

static inline void xnu_ulock_mutex_unlock(xnu_ulock_mutex *m)
{
	if (__atomic_exchange_n(&m->value, 0, __ATOMIC_RELEASE) == 2)
		xnu_ulock_wake(xnu_ulock_mutex_op(m), &m->value, 0);
}

#ifdef __cplusplus
}
#endif

#endif /* XNUSIM_ULOCK_H */
