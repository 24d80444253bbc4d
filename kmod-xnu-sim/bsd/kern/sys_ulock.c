/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sys_ulock.c: __ulock_wait and __ulock_wake, the futex under
 * os_unfair_lock, pthread mutexes and condition variables.  A waiter is
 * keyed by (task, user address), or for the _SHARED opcodes by (VM object,
 * offset) so two processes mapping the same memory meet on one ulock.
 * Corresponds to bsd/kern/sys_ulock.c.
 */
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/bsd/sys/ulock.h"
#include "kmod-xnu-sim/osfmk/ipc/ipc_space.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/task.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/vm/vm_map_internal.h"

#include "darwin/errno.h"
#include "darwin/port.h"

#define XS_NSEC_PER_USEC 1000ull

static struct ulock_globals *ug(void)
{
	struct ulock_globals *g = &xs_machine()->m_ulock;
	uint32_t st = __atomic_load_n(&g->ug_state, __ATOMIC_ACQUIRE);

	/* ulock_initialize, on first use: bsd_init has no hook for it here. */
	while (st != 2) {
		if (st == 0 && __atomic_compare_exchange_n(&g->ug_state, &st, 1, false,
							    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			xs_lck_mtx_init(&g->ug_lock);
			__atomic_store_n(&g->ug_state, 2, __ATOMIC_RELEASE);
			break;
		}
		st = __atomic_load_n(&g->ug_state, __ATOMIC_ACQUIRE);
	}
	return g;
}

static bool ull_key_match(const struct ulk *a, const struct ulk *b)
{
	return a->ulk_key_type == b->ulk_key_type && a->ulk_a == b->ulk_a && a->ulk_b == b->ulk_b;
}

/*
 * ull_get: the ulock for key, or with !must_exist a free slot claimed for
 * it.  The table is the hash; a slot is in use while it has waiters.
 * ug_lock held (XNU locks the bucket, then the ull).  NULL: none exists
 * (must_exist), or the table is full.
 */
static struct ull *xs_ull_get(const struct ulk *key, bool must_exist)
{
	XS_FUNC(ull_get);
	struct ulock_globals *g = ug();
	struct ull *free_ull = NULL;

	for (uint32_t i = 0; i < XS_ULL_MAX; i++) {
		struct ull *ull = &g->ug_ull[i];

		if (ull->ull_nwaiters == 0) {
			if (!free_ull)
				free_ull = ull;
			continue;
		}
		if (ull_key_match(&ull->ull_key, key))
			return ull;
	}
	if (must_exist || !free_ull)
		return NULL;
	free_ull->ull_key = *key;
	free_ull->ull_opcode = 0;
	free_ull->ull_owner = 0;
	free_ull->ull_wakeups = 0;
	return free_ull;
}

/*
 * uaddr_findobj (through vm_map_page_info): the VM object and offset
 * behind a shared ulock's address, so every process mapping that memory
 * finds the same key.  Memory with no object yet (untouched private
 * memory) is keyed by the address in this task: nobody else can see it.
 */
static int xs_uaddr_findobj(struct task *task, uint64_t uaddr, struct ulk *key)
{
	XS_FUNC(uaddr_findobj);
	struct vm_map_entry *e;
	int err = EINVAL;

	if (!task->map)
		return EINVAL;
	xs_vm_map_lock(task->map);
	if (xs_vm_map_lookup_entry(task->map, uaddr, &e) && e) {
		err = 0;
		if (e->vme_object && !e->needs_copy) {
			key->ulk_key_type = ULK_XPROC;
			key->ulk_a = e->vme_object->vo_object_id;
			key->ulk_b = e->vme_offset + (uaddr - e->vme_start);
		} else {
			key->ulk_key_type = ULK_UADDR;
			key->ulk_a = task->task_uniqueid;
			key->ulk_b = uaddr;
		}
	}
	xs_vm_map_unlock(task->map);
	return err;
}

/*
 * ulock_resolve_owner: the thread whose port name an unfair lock's value
 * carries, which must be another thread of the caller's task.  A value
 * that names no thread there is EOWNERDEAD (the lock word is corrupt, or
 * its owner did not survive a fork); MACH_PORT_DEAD is ESRCH (anonymous
 * owner: wait without one).  ug_lock held; takes the IPC lock.
 */
static int xs_ulock_resolve_owner(uint32_t value, uint64_t *owner_tid)
{
	XS_FUNC(ulock_resolve_owner);
	mach_port_name_t name = value | ULOCK_NOWAITERS_BIT;
	struct thread *self = xs_current_thread();
	struct ipc_space *space;
	struct ipc_entry *entry;
	struct ipc_port *port;
	int err = EOWNERDEAD;

	*owner_tid = 0;
	if (name == MACH_PORT_DEAD)
		return ESRCH;
	xs_ipc_lock();
	space = xs_current_space();
	entry = space ? xs_ipc_entry_lookup(space, name) : NULL;
	port = entry ? entry->ie_object : NULL;
	if (port && (IE_BITS_TYPE(entry->ie_bits) & MACH_PORT_TYPE_SEND) && port->ip_active &&
	    port->ip_kotype == IKOT_THREAD_CONTROL && port->ip_kobject) {
		struct thread *owner = port->ip_kobject;

		/* PORT_INTRANS_THREAD_IN_CURRENT_TASK | ..._NOT_CURRENT_THREAD */
		if (owner != self && owner->task == self->task && owner->active) {
			*owner_tid = owner->thread_id;
			err = 0;
		}
	}
	xs_ipc_unlock();
	return err;
}

static int wait_result_to_return_code(int wr)
{
	switch (wr) {
	case THREAD_AWAKENED:
		return 0;
	case THREAD_TIMED_OUT:
		return ETIMEDOUT;
	default:
		return EINTR;
	}
}

/* Build the key of a wait or wake.  0 or EINVAL. */
static int ulock_make_key(struct proc *p, uint64_t addr, bool xproc, struct ulk *key)
{
	struct task *task = xs_proc_task(p);

	xs_memset(key, 0, sizeof(*key));
	if (xproc && xs_uaddr_findobj(task, addr, key) != 0)
		return EINVAL;
	if (!xproc) {
		key->ulk_key_type = ULK_UADDR;
		key->ulk_a = task->task_uniqueid;
		key->ulk_b = addr;
	}
	key->ulk_addr = addr;
	return 0;
}

/*
 * Block on ull until a wake token is ours, the deadline passes or a
 * signal interrupts.  A token goes to whichever waiter wakes first, so a
 * wake-one never wakes nobody; the one that takes an unfair lock's token
 * becomes its recorded owner (waitq_wakeup64_identify).  ug_lock held.
 */
static int ulock_block(struct ull *ull, uint64_t deadline)
{
	struct ulock_globals *g = ug();
	struct thread *self = xs_current_thread();
	int wr;

	for (;;) {
		wr = xs_thread_block_on(&ull->ull_event, &g->ug_lock, deadline, "ulock_wait");
		if (ull->ull_wakeups > 0) {
			ull->ull_wakeups--;
			if (ull->ull_opcode == UL_UNFAIR_LOCK)
				ull->ull_owner = self->thread_id;
			return THREAD_AWAKENED;
		}
		if (wr != THREAD_AWAKENED)
			return wr;
		/* Woken for somebody else (an abort on this waitq): sleep again. */
	}
}

/* sys_ulock_wait2's arguments: the timeout in nanoseconds. */
struct ulock_wait2_args {
	uint64_t operation, addr, value, timeout, value2;
};

/* Validate a wait's operation.  0 or EINVAL; *xproc, *size, *set_owner set. */
static int ulock_wait_decode(uint32_t operation, uint64_t addr, bool *xproc, uint32_t *size,
			     bool *set_owner)
{
	uint32_t flags = operation & UL_FLAGS_MASK;

	*xproc = *set_owner = false;
	*size = 4;
	if ((flags & ULF_WAIT_MASK) != flags)
		return EINVAL;
	switch (operation & UL_OPCODE_MASK) {
	case UL_UNFAIR_LOCK:
		*set_owner = true;
		break;
	case UL_COMPARE_AND_WAIT:
		break;
	case UL_COMPARE_AND_WAIT64:
		*size = 8;
		break;
	case UL_COMPARE_AND_WAIT_SHARED:
		*xproc = true;
		break;
	case UL_COMPARE_AND_WAIT64_SHARED:
		*xproc = true;
		*size = 8;
		break;
	default:
		return EINVAL;
	}
	if (addr == 0 || (addr & (*size - 1)))
		return EINVAL;
	return 0;
}

/*
 * The locked part of a wait: register, re-read the word under the lock
 * (a waker must change it first, so a changed value means no sleep), for
 * an unfair lock record the owner, then block.  ug_lock held.
 */
static int ulock_wait_locked(struct ull *ull, const struct ulock_wait2_args *a, uint32_t size,
			     bool set_owner)
{
	uint64_t value = 0, deadline = 0, owner = 0;
	uint8_t opcode = (uint8_t)(a->operation & UL_OPCODE_MASK);
	int ret;

	if (ull->ull_opcode == 0)
		ull->ull_opcode = opcode;
	else if (ull->ull_opcode != opcode)
		return EDOM;
	if (osl_copyin(a->addr, &value, size) != 0)	/* copyin_atomic32/64 */
		return EFAULT;
	if (size == 4 ? (uint32_t)value != (uint32_t)a->value : value != a->value)
		return 0;	/* the lock moved on: no sleep */
	if (set_owner) {
		ret = xs_ulock_resolve_owner((uint32_t)a->value, &owner);
		if (ret == EOWNERDEAD)
			return ret;
		ull->ull_owner = owner;	/* ESRCH (MACH_PORT_DEAD): no owner */
	}
	if (a->timeout)
		deadline = osl_absolute_time() + a->timeout;
	return wait_result_to_return_code(ulock_block(ull, deadline));
}

/*
 * sys_ulock_wait2: the wait proper (see xs_sys_ulock_wait), with the
 * timeout in nanoseconds.
 */
static int xs_sys_ulock_wait2(struct proc *p, const struct ulock_wait2_args *a, int32_t *retval)
{
	XS_FUNC(sys_ulock_wait2);
	uint32_t operation = (uint32_t)a->operation, size;
	bool xproc, set_owner;
	struct ulk key;
	struct ull *ull;
	int ret;

	ret = ulock_wait_decode(operation, a->addr, &xproc, &size, &set_owner);
	if (ret == 0)
		ret = ulock_make_key(p, a->addr, xproc, &key);
	if (ret)
		goto munge_retval;

	xs_lck_mtx_lock(&ug()->ug_lock);
	ull = xs_ull_get(&key, false);
	if (!ull) {
		xs_lck_mtx_unlock(&ug()->ug_lock);
		ret = ENOMEM;
		goto munge_retval;
	}
	ull->ull_nwaiters++;
	ret = ulock_wait_locked(ull, a, size, set_owner);
	/* ulock_wait_cleanup: the slot frees itself with its last waiter. */
	*retval = (int32_t)--ull->ull_nwaiters;
	if (ull->ull_nwaiters == 0) {
		ull->ull_key.ulk_key_type = ULK_INVALID;
		ull->ull_owner = 0;
		ull->ull_wakeups = 0;
	}
	xs_lck_mtx_unlock(&ug()->ug_lock);
munge_retval:
	if (ret == ESTALE)
		ret = 0;
	if ((operation & ULF_NO_ERRNO) && ret != 0) {
		*retval = -ret;
		ret = 0;
	}
	return ret;
}

struct ulock_wait_args {
	uint64_t operation, addr, value, timeout;	/* timeout in microseconds */
};

/*
 * Routine:    xs_sys_ulock_wait  [BSD 515]
 * Purpose:    If the 32-bit (64-bit for the 64 opcodes) word at addr still
 *             holds value, sleep until __ulock_wake, the timeout (µs, 0 =
 *             none) or a signal.  UL_UNFAIR_LOCK: value is the owner's
 *             thread port name (low bit cleared when contended).
 * Conditions: Nothing locked.  Interruptible (THREAD_ABORTSAFE).
 * Returns:    0 with retval = waiters left on the lock; EINVAL (operation,
 *             flags, address 0 or misaligned, a _SHARED address unmapped),
 *             EDOM (another opcode waits on this address), EFAULT, ETIMEDOUT,
 *             EINTR, EOWNERDEAD (the owner name is not a thread of this
 *             task), ENOMEM (no ulock slot).  With ULF_NO_ERRNO the error is
 *             returned as -errno in retval instead.
 */
int xs_sys_ulock_wait(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(sys_ulock_wait);
	const struct ulock_wait_args *a = uap;
	struct ulock_wait2_args a2 = {
		.operation = a->operation, .addr = a->addr, .value = a->value,
		.timeout = (uint64_t)(uint32_t)a->timeout * XS_NSEC_PER_USEC, .value2 = 0,
	};

	return xs_sys_ulock_wait2(p, &a2, retval);
}

/* Validate a wake's operation.  0 or EINVAL. */
static int ulock_wake_decode(uint32_t operation, uint64_t addr, bool *xproc, bool *set_owner)
{
	uint32_t flags = operation & UL_FLAGS_MASK;

	*xproc = *set_owner = false;
	switch (operation & UL_OPCODE_MASK) {
	case UL_UNFAIR_LOCK:
		*set_owner = true;
		break;
	case UL_COMPARE_AND_WAIT:
	case UL_COMPARE_AND_WAIT64:
		break;
	case UL_COMPARE_AND_WAIT_SHARED:
	case UL_COMPARE_AND_WAIT64_SHARED:
		*xproc = true;
		break;
	default:
		return EINVAL;
	}
	if ((flags & ULF_WAKE_MASK) != flags)
		return EINVAL;
	if ((flags & ULF_WAKE_THREAD) && ((flags & ULF_WAKE_ALL) || *set_owner))
		return EINVAL;
	if ((flags & ULF_WAKE_ALLOW_NON_OWNER) && !*set_owner)
		return EINVAL;
	if (addr == 0)
		return EINVAL;
	/* ULF_WAKE_THREAD names a thread port; directed wakeups are not modeled. */
	if (flags & ULF_WAKE_THREAD)
		return ENOTSUP;
	return 0;
}

/*
 * Routine:    xs_ulock_wake  (ulock_wake)
 * Purpose:    Wake one waiter of the ulock at addr, or all (ULF_WAKE_ALL).
 *             For an unfair lock only its recorded owner may wake
 *             (ULF_WAKE_ALLOW_NON_OWNER lifts that); a late waker does
 *             nothing, as the owner already knows of the contention.
 * Returns:    0; EINVAL, ENOTSUP (ULF_WAKE_THREAD), ENOENT (nobody waits),
 *             EDOM (waiters use another opcode).
 */
static int xs_ulock_wake(struct proc *p, uint32_t operation, uint64_t addr)
{
	XS_FUNC(ulock_wake);
	struct thread *self = xs_current_thread();
	bool xproc, set_owner;
	struct ulk key;
	struct ull *ull;
	int ret;

	ret = ulock_wake_decode(operation, addr, &xproc, &set_owner);
	if (ret == 0)
		ret = ulock_make_key(p, addr, xproc, &key);
	if (ret)
		return ret;
	xs_lck_mtx_lock(&ug()->ug_lock);
	ull = xs_ull_get(&key, true);
	if (!ull) {
		ret = ENOENT;
	} else if (ull->ull_opcode != (operation & UL_OPCODE_MASK)) {
		ret = EDOM;
	} else if (set_owner && ull->ull_owner != self->thread_id &&
		   !(operation & ULF_WAKE_ALLOW_NON_OWNER)) {
		ret = 0;	/* late to the party */
	} else {
		if (operation & ULF_WAKE_ALL)
			ull->ull_wakeups = ull->ull_nwaiters;
		else if (ull->ull_wakeups < ull->ull_nwaiters)
			ull->ull_wakeups++;
		if (set_owner)
			ull->ull_owner = 0;	/* the woken waiter records itself */
		osl_event_signal(&ull->ull_event, true);
	}
	xs_lck_mtx_unlock(&ug()->ug_lock);
	return ret;
}

struct ulock_wake_args {
	uint64_t operation, addr, wake_value;
};

/*
 * Routine:    xs_sys_ulock_wake  [BSD 516]
 * Purpose:    ulock_wake on the caller's task; wake_value names the thread
 *             for ULF_WAKE_THREAD.
 * Conditions: Nothing locked.
 * Returns:    See xs_ulock_wake; ULF_NO_ERRNO returns -errno in retval.
 */
int xs_sys_ulock_wake(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(sys_ulock_wake);
	struct ulock_wake_args *a = uap;
	uint32_t operation = (uint32_t)a->operation;
	int ret = xs_ulock_wake(p, operation, a->addr);

	if ((operation & ULF_NO_ERRNO) && ret != 0) {
		*retval = -ret;
		ret = 0;
	}
	return ret;
}

/* kdp_ulock_find_owner's half of the blocked-thread report. */
uint64_t xs_ulock_event_addr(const struct osl_event *ev, uint32_t *opcode)
{
	struct ulock_globals *g = &xs_machine()->m_ulock;
	uintptr_t lo = (uintptr_t)&g->ug_ull[0], hi = (uintptr_t)&g->ug_ull[XS_ULL_MAX];
	const struct ull *ull;

	if (g->ug_state != 2 || (uintptr_t)ev < lo || (uintptr_t)ev >= hi)
		return 0;
	ull = xs_container_of((struct osl_event *)(uintptr_t)ev, struct ull, ull_event);
	if (opcode)
		*opcode = ull->ull_opcode;
	return ull->ull_key.ulk_addr;
}
