/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * osl_sync.c: locks and events shared by every process of a machine.  Locks
 * are robust process-shared pthread mutexes (a host process killed while
 * holding one does not wedge the machine); events are futexes on a sequence
 * word.  Platform layer under osfmk/kern/locks.c and osfmk/kern/waitq.c.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kmod-xnu-sim/osl/user/osl_user.h"

_Static_assert(sizeof(pthread_mutex_t) <= sizeof(struct osl_lock), "osl_lock too small");
_Static_assert(_Alignof(pthread_mutex_t) <= _Alignof(struct osl_lock), "osl_lock misaligned");

static inline pthread_mutex_t *lock_mutex(struct osl_lock *l)
{
	return (pthread_mutex_t *)(void *)l->opaque;
}

void osl_lock_init(struct osl_lock *l)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(lock_mutex(l), &a);
	pthread_mutexattr_destroy(&a);
}

/* The owner died: take the lock over and tell the caller. */
static int lock_recover(pthread_mutex_t *m, int rc)
{
	if (rc == EOWNERDEAD) {
		pthread_mutex_consistent(m);
		return 1;
	}
	if (rc != 0)
		osl_panic("osl_lock: pthread_mutex_lock failed: %d", rc);
	return 0;
}

int osl_lock_lock(struct osl_lock *l)
{
	pthread_mutex_t *m = lock_mutex(l);

	return lock_recover(m, pthread_mutex_lock(m));
}

bool osl_lock_try(struct osl_lock *l)
{
	pthread_mutex_t *m = lock_mutex(l);
	int rc = pthread_mutex_trylock(m);

	if (rc == EBUSY)
		return false;
	(void)lock_recover(m, rc);
	return true;
}

void osl_lock_unlock(struct osl_lock *l)
{
	pthread_mutex_unlock(lock_mutex(l));
}

/* ---- Events ---------------------------------------------------------- */

static long futex(uint32_t *uaddr, int op, uint32_t val, const struct timespec *ts,
		  uint32_t val3)
{
	/* Shared futexes: waiters and wakers are in different processes. */
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, val3);
}

uint32_t osl_event_arm(struct osl_event *ev)
{
	return __atomic_load_n(&ev->seq, __ATOMIC_SEQ_CST);
}

int osl_event_wait(struct osl_event *ev, uint32_t armed_seq, uint64_t deadline)
{
	struct timespec ts, *tsp = NULL;
	int result = OSL_WAIT_AWAKENED;

	if (deadline) {
		ts.tv_sec = (time_t)(deadline / 1000000000ull);
		ts.tv_nsec = (long)(deadline % 1000000000ull);
		tsp = &ts;
	}
	/*
	 * Announce ourselves before re-reading seq; the signaller bumps seq
	 * before reading waiters, so one of us sees the other.
	 */
	__atomic_fetch_add(&ev->waiters, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&ev->seq, __ATOMIC_SEQ_CST) == armed_seq) {
		if (deadline && osl_absolute_time() >= deadline) {
			result = OSL_WAIT_TIMED_OUT;
			break;
		}
		/* Absolute CLOCK_MONOTONIC deadline, as osl_absolute_time counts. */
		if (futex(&ev->seq, FUTEX_WAIT_BITSET, armed_seq, tsp,
			  FUTEX_BITSET_MATCH_ANY) != 0 && errno == ETIMEDOUT) {
			if (__atomic_load_n(&ev->seq, __ATOMIC_SEQ_CST) == armed_seq)
				result = OSL_WAIT_TIMED_OUT;
			break;
		}
		/* Woken, EAGAIN (seq moved) or EINTR: the loop re-checks seq. */
	}
	__atomic_fetch_sub(&ev->waiters, 1, __ATOMIC_SEQ_CST);
	return result;
}

void osl_event_signal(struct osl_event *ev, bool all)
{
	__atomic_fetch_add(&ev->seq, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&ev->waiters, __ATOMIC_SEQ_CST) != 0)
		futex(&ev->seq, FUTEX_WAKE, all ? INT_MAX : 1, NULL, 0);
}
