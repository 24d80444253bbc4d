// SPDX-License-Identifier: BSD-2-Clause
/*
 * osl_sync_linux.c: locks and events for the module build.  A lock is a
 * kernel mutex in the lock's opaque words; an event is the arena's sequence
 * word with a hashed wait queue beside it.  The twin of osl/user/osl_sync.c.
 * Platform layer under osfmk/kern/locks.c and osfmk/kern/waitq.c.
 *
 * Robustness.  In the user-space build a host process killed while holding
 * a lock leaves a robust mutex that the next locker takes over (and
 * osl_lock_lock returns 1).  In the kernel a thread cannot die inside the
 * core, but it can leave it early: a panic, the end of its process, or a
 * fatal signal while blocked unwind to the ioctl (osl_kunwind).  Each thread
 * remembers the locks it holds during a call; an unwind gives them back
 * marked "owner died", so the next locker is told, exactly as a robust
 * mutex would tell it.
 */
#include <linux/hash.h>
#include <linux/hrtimer.h>
#include <linux/sched/signal.h>
#include <linux/wait.h>

#include "kmod-xnu-sim/osl/linux/osl_linux_internal.h"

static_assert(sizeof(struct osl_klock) <= sizeof(struct osl_lock), "osl_lock too small");
static_assert(__alignof__(struct osl_klock) <= __alignof__(struct osl_lock),
	      "osl_lock misaligned");

static inline struct osl_klock *klock(struct osl_lock *l)
{
	return (struct osl_klock *)(void *)l->opaque;
}

static struct lock_class_key osl_lock_key;

void osl_lock_init(struct osl_lock *l)
{
	struct osl_klock *k = klock(l);

	/* One class for all: lockdep cannot tell the core's lock kinds apart. */
	__mutex_init(&k->kl_mutex, "xnusim_osl_lock", &osl_lock_key);
	k->kl_owner_died = 0;
}

static void held_push(struct osl_klock *k)
{
	struct osl_kctx *c = osl_kctx_current();

	if (c && c->kc_armed && c->kc_nheld < OSL_KCTX_HELD_MAX)
		c->kc_held[c->kc_nheld++] = k;
}

static void held_pop(struct osl_klock *k)
{
	struct osl_kctx *c = osl_kctx_current();

	if (!c)
		return;
	/* Usually the last one taken; search back, locks may be dropped out of order. */
	for (unsigned int i = c->kc_nheld; i-- > 0;) {
		if (c->kc_held[i] == k) {
			memmove(&c->kc_held[i], &c->kc_held[i + 1],
				(c->kc_nheld - i - 1) * sizeof(c->kc_held[0]));
			c->kc_nheld--;
			return;
		}
	}
}

/* The take-over half of robustness: 1 if the last owner unwound holding it. */
static int lock_taken(struct osl_klock *k)
{
	held_push(k);
	if (unlikely(READ_ONCE(k->kl_owner_died))) {
		WRITE_ONCE(k->kl_owner_died, 0);
		return 1;
	}
	return 0;
}

int osl_lock_lock(struct osl_lock *l)
{
	struct osl_klock *k = klock(l);
	struct osl_kctx *c;

	if (mutex_lock_killable(&k->kl_mutex) == 0)
		return lock_taken(k);
	/*
	 * A fatal signal: the holder may be a thread that can no longer run
	 * (a panicked machine); then leave.  Otherwise it will let go.
	 */
	c = osl_kctx_current();
	if (c && c->kc_km && atomic_read(&c->kc_km->km_broken))
		osl_kunwind(-EIO);
	mutex_lock(&k->kl_mutex);
	return lock_taken(k);
}

bool osl_lock_try(struct osl_lock *l)
{
	struct osl_klock *k = klock(l);

	if (!mutex_trylock(&k->kl_mutex))
		return false;
	(void)lock_taken(k);
	return true;
}

void osl_lock_unlock(struct osl_lock *l)
{
	struct osl_klock *k = klock(l);

	held_pop(k);
	mutex_unlock(&k->kl_mutex);
}

/* osl_kunwind: give back what the thread held, newest first. */
void osl_kctx_release_locks(struct osl_kctx *c)
{
	while (c->kc_nheld > 0) {
		struct osl_klock *k = c->kc_held[--c->kc_nheld];

		WRITE_ONCE(k->kl_owner_died, 1);
		mutex_unlock(&k->kl_mutex);
	}
}

/* ---- Events ---------------------------------------------------------- */

/*
 * Events live in the arena and carry no queue of their own (struct
 * osl_event is two words in both builds), so waiters sleep on a queue
 * chosen by the event's address, as the kernel's wait_var_event does.
 * Two events may share a queue: signals wake the whole queue and every
 * waiter re-checks its own sequence word.
 */
#define OSL_EVENT_HASH_BITS 8
static wait_queue_head_t osl_event_wq[1 << OSL_EVENT_HASH_BITS];

void osl_sync_init(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(osl_event_wq); i++)
		init_waitqueue_head(&osl_event_wq[i]);
}

static inline wait_queue_head_t *event_wq(struct osl_event *ev)
{
	return &osl_event_wq[hash_ptr(ev, OSL_EVENT_HASH_BITS)];
}

uint32_t osl_event_arm(struct osl_event *ev)
{
	return __atomic_load_n(&ev->seq, __ATOMIC_SEQ_CST);
}

/*
 * Killable, not interruptible: a caught signal is the core's business (it
 * aborts the wait through osl_event_signal), a fatal one ends the process,
 * and the thread leaves the core (osl_kunwind) rather than keep waiting.
 */
int osl_event_wait(struct osl_event *ev, uint32_t armed_seq, uint64_t deadline)
{
	wait_queue_head_t *wq = event_wq(ev);
	int result = OSL_WAIT_AWAKENED;
	bool fatal = false;
	DEFINE_WAIT(w);

	/* Announce ourselves before re-reading seq; signal bumps seq, then reads waiters. */
	__atomic_fetch_add(&ev->waiters, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		prepare_to_wait(wq, &w, TASK_KILLABLE);
		if (__atomic_load_n(&ev->seq, __ATOMIC_SEQ_CST) != armed_seq)
			break;
		if (fatal_signal_pending(current)) {
			fatal = true;
			break;
		}
		if (deadline) {
			ktime_t until = ns_to_ktime(deadline);

			if (ktime_get_ns() >= deadline) {
				result = OSL_WAIT_TIMED_OUT;
				break;
			}
			/* Absolute CLOCK_MONOTONIC, the clock of osl_absolute_time. */
			schedule_hrtimeout(&until, HRTIMER_MODE_ABS);
		} else {
			schedule();
		}
	}
	finish_wait(wq, &w);
	__atomic_fetch_sub(&ev->waiters, 1, __ATOMIC_SEQ_CST);
	if (fatal)
		osl_kunwind(-EINTR);
	return result;
}

void osl_event_signal(struct osl_event *ev, bool all)
{
	__atomic_fetch_add(&ev->seq, 1, __ATOMIC_SEQ_CST);
	/* The queue may be shared: wake everyone on it, whatever "all" says. */
	if (__atomic_load_n(&ev->waiters, __ATOMIC_SEQ_CST) != 0)
		wake_up_all(event_wq(ev));
}
