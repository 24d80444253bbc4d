/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ulock.h: user-level locks (__ulock_wait / __ulock_wake, BSD 515 / 516),
 * the kernel's half of os_unfair_lock and the compare-and-wait futex.  The
 * operation word's values, and the kernel's table of ulocks with waiters.
 * Corresponds to bsd/sys/ulock.h and the ull_t of bsd/kern/sys_ulock.c.
 */
#ifndef XS_SYS_ULOCK_H
#define XS_SYS_ULOCK_H

#include "kmod-xnu-sim/osfmk/kern/kern_types.h"
#include "kmod-xnu-sim/osfmk/kern/locks.h"
#include "kmod-xnu-sim/osl/osl.h"

#include "kmod-xnu-sim/include/xnusim/ulock_ops.h"	/* UL_*, ULF_*, ULOCK_NOWAITERS_BIT */

#define UL_OPCODE_MASK 0x000000FFu
#define UL_FLAGS_MASK  0xFFFFFF00u
#define ULF_WAIT_MASK  (ULF_NO_ERRNO | ULF_WAIT_WORKQ_DATA_CONTENTION | \
			ULF_WAIT_CANCEL_POINT | ULF_WAIT_ADAPTIVE_SPIN)
#define ULF_WAKE_MASK  (ULF_NO_ERRNO | ULF_WAKE_ALL | ULF_WAKE_THREAD | \
			ULF_WAKE_ALLOW_NON_OWNER)

/* ulk_t: what a ulock is keyed by. */
#define ULK_INVALID 0
#define ULK_UADDR   1	/* a task's private address: (task uniqueid, addr) */
#define ULK_XPROC   2	/* shared memory: (vm object id, offset) */

struct ulk {
	uint32_t ulk_key_type;
	uint64_t ulk_a;		/* task_uniqueid, or vm object id */
	uint64_t ulk_b;		/* user address, or offset in the object */
	uint64_t ulk_addr;	/* the waiter's user address (reports) */
};

/*
 * ull_t: one user lock that has (or just had) waiters.  Slots live in the
 * machine's table; a slot with ull_nwaiters == 0 is free.  Keys hold
 * unique ids rather than pointers, so a dead task's stale slot can never
 * match a new task that reuses its memory.
 */
struct ull {
	struct ulk ull_key;
	uint8_t ull_opcode;
	uint32_t ull_nwaiters;
	uint32_t ull_wakeups;		/* wake tokens not yet taken by a waiter */
	uint64_t ull_owner;		/* thread_id of the owner (UL_UNFAIR_LOCK), 0 none */
	struct osl_event ull_event;	/* the waitq */
};

#define XS_ULL_MAX 256

/* bsd/kern/sys_ulock.c's machine-wide state (a member of struct xs_machine). */
struct ulock_globals {
	uint32_t ug_state;		/* 0 fresh, 1 initialising, 2 ready */
	lck_mtx_t ug_lock;		/* every ull; taken before the IPC lock */
	struct ull ug_ull[XS_ULL_MAX];
};

/*
 * For the blocked-thread report: the user address a thread blocked on ev is
 * waiting for, if ev is a ulock's waitq; 0 otherwise.
 */
uint64_t xs_ulock_event_addr(const struct osl_event *ev, uint32_t *opcode);

#endif /* XS_SYS_ULOCK_H */
