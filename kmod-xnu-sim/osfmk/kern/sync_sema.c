/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sync_sema.c: Mach counting semaphores: creation and destruction (MIG
 * routines on the task port), and the signal / wait / timedwait traps.
 * Corresponds to osfmk/kern/sync_sema.c (task_synchronizer_destroy_all
 * lives in osfmk/kern/task.c in XNU).
 *
 * A semaphore is guarded by the IPC lock; a waiter sleeps on the
 * semaphore's event with that lock dropped.  Signals wake every waiter
 * and the first to re-take the lock takes the count, so none is lost.
 */
#include "kmod-xnu-sim/osfmk/kern/sync_sema.h"
#include "kmod-xnu-sim/osfmk/ipc/ipc_space.h"
#include "kmod-xnu-sim/osfmk/kern/task.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#include "darwin/mach_msg.h"
#include "darwin/port.h"

#define NSEC_PER_SEC 1000000000ull

void xs_semaphore_reference(struct semaphore *sem)
{
	sem->ref_count++;
}

void xs_semaphore_dereference(struct semaphore *sem)
{
	XS_FUNC(semaphore_dereference);

	if (sem && --sem->ref_count == 0)
		xs_zfree_id(ZONE_ID_SEMAPHORE, sem);
}

/*
 * Routine:    xs_semaphore_create
 * Purpose:    A semaphore owned by task with count value, named by a new
 *             kernel port (IKOT_SEMAPHORE).
 * Conditions: IPC lock held.
 * Returns:    KERN_SUCCESS (one reference for the caller),
 *             KERN_INVALID_ARGUMENT (no task, value < 0, bad policy),
 *             KERN_RESOURCE_SHORTAGE.
 */
xs_kern_return_t xs_semaphore_create(struct task *task, struct semaphore **semp,
				     int policy, int value)
{
	XS_FUNC(semaphore_create);
	struct semaphore *sem;

	*semp = NULL;
	if (task == NULL || value < 0 || policy < 0 || policy > SYNC_POLICY_MAX)
		return KERN_INVALID_ARGUMENT;
	sem = xs_zalloc_id(ZONE_ID_SEMAPHORE);
	if (!sem)
		return KERN_RESOURCE_SHORTAGE;
	sem->port = xs_ipc_kobject_alloc_port(sem, IKOT_SEMAPHORE);
	if (!sem->port) {
		xs_zfree_id(ZONE_ID_SEMAPHORE, sem);
		return KERN_RESOURCE_SHORTAGE;
	}
	sem->count = value;
	sem->policy = policy;
	sem->active = true;
	sem->owner = task;
	sem->ref_count = 2;		/* the owner's list and the caller */
	xs_enqueue_tail(&task->semaphore_list, &sem->task_link);
	task->semaphores_owned++;
	*semp = sem;
	return KERN_SUCCESS;
}

/* semaphore_destroy_internal: unlink, wake waiters with KERN_TERMINATED, kill the port. */
static void xs_semaphore_destroy_internal(struct task *task, struct semaphore *sem)
{
	XS_FUNC(semaphore_destroy_internal);

	xs_remqueue(&sem->task_link);
	task->semaphores_owned--;
	sem->owner = NULL;
	sem->active = false;
	osl_event_signal(&sem->wait_event, true);
	xs_ipc_kobject_dealloc_port(sem->port);	/* send rights become dead names */
	sem->port = NULL;
	xs_semaphore_dereference(sem);		/* the owner's list reference */
}

xs_kern_return_t xs_semaphore_destroy(struct task *task, struct semaphore *sem)
{
	XS_FUNC(semaphore_destroy);

	if (task == NULL || sem == NULL || !sem->active || sem->owner != task)
		return KERN_INVALID_ARGUMENT;
	xs_semaphore_destroy_internal(task, sem);
	return KERN_SUCCESS;
}

void xs_task_synchronizer_destroy_all(struct task *task)
{
	XS_FUNC_AT(task_synchronizer_destroy_all, "osfmk/kern/task.c");

	xs_ipc_lock();
	if (task->semaphore_list.next != NULL) {	/* list initialised by the task's owner */
		while (!xs_queue_empty(&task->semaphore_list)) {
			struct semaphore *sem = xs_container_of(task->semaphore_list.next,
								struct semaphore, task_link);
			xs_semaphore_destroy_internal(task, sem);
		}
	}
	xs_ipc_unlock();
}

struct semaphore *xs_convert_port_to_semaphore(struct ipc_port *port)
{
	XS_FUNC(convert_port_to_semaphore);

	if (!IP_VALID(port) || !port->ip_active || port->ip_kotype != IKOT_SEMAPHORE)
		return NULL;
	return port->ip_kobject;
}

struct ipc_port *xs_convert_semaphore_to_port(struct semaphore *sem)
{
	XS_FUNC(convert_semaphore_to_port);

	if (!sem || !sem->port)
		return NULL;
	return xs_ipc_port_make_send_locked(sem->port);
}

/*
 * Routine:    xs_port_name_to_semaphore
 * Purpose:    The semaphore a send right in the current space names, with
 *             a reference for the caller (ipc_port_translate_send +
 *             convert_port_to_semaphore).
 * Conditions: IPC lock held.
 * Returns:    KERN_SUCCESS, KERN_INVALID_NAME (no such name, or its port
 *             died), KERN_INVALID_RIGHT (no send right),
 *             KERN_INVALID_ARGUMENT (not a semaphore).
 */
static xs_kern_return_t xs_port_name_to_semaphore(mach_port_name_t name, struct semaphore **semp)
{
	XS_FUNC(port_name_to_semaphore);
	struct ipc_space *space = xs_current_space();
	struct ipc_entry *entry;
	struct semaphore *sem;

	*semp = NULL;
	if (!XS_MACH_PORT_VALID(name) || !space)
		return KERN_INVALID_NAME;
	if (xs_ipc_right_lookup_write(space, name, &entry) != KERN_SUCCESS)
		return KERN_INVALID_NAME;
	if (xs_ipc_right_check(space, name, entry))
		return KERN_INVALID_NAME;
	if (!(entry->ie_bits & MACH_PORT_TYPE_SEND))
		return KERN_INVALID_RIGHT;
	sem = xs_convert_port_to_semaphore(entry->ie_object);
	if (!sem)
		return KERN_INVALID_ARGUMENT;
	xs_semaphore_reference(sem);
	*semp = sem;
	return KERN_SUCCESS;
}

static xs_kern_return_t xs_semaphore_signal_internal(struct semaphore *sem)
{
	XS_FUNC(semaphore_signal_internal);

	if (!sem->active)
		return KERN_TERMINATED;
	sem->count++;
	if (sem->waiters)
		osl_event_signal(&sem->wait_event, true);
	return KERN_SUCCESS;
}

/*
 * Routine:    xs_semaphore_wait_internal
 * Purpose:    Take one count, sleeping (reason "semaphore") until a signal,
 *             the deadline (osl_absolute_time ns; 0 = none), an abort, or
 *             destruction.  timed with deadline 0 polls.
 * Conditions: IPC lock held (dropped while asleep); caller holds a ref.
 * Returns:    KERN_SUCCESS, KERN_OPERATION_TIMED_OUT, KERN_ABORTED,
 *             KERN_TERMINATED.
 */
static xs_kern_return_t xs_semaphore_wait_internal(struct semaphore *sem, bool timed,
						   uint64_t deadline)
{
	XS_FUNC(semaphore_wait_internal);
	xs_kern_return_t kr;
	int wr = THREAD_AWAKENED;

	sem->waiters++;
	for (;;) {
		if (!sem->active) {
			kr = KERN_TERMINATED;
			break;
		}
		if (sem->count > 0) {
			sem->count--;
			kr = KERN_SUCCESS;
			break;
		}
		if (wr == THREAD_INTERRUPTED) {
			kr = KERN_ABORTED;
			break;
		}
		if (timed && (deadline == 0 || wr == THREAD_TIMED_OUT)) {
			kr = KERN_OPERATION_TIMED_OUT;
			break;
		}
		wr = xs_thread_block_on(&sem->wait_event, xs_ipc_lock_ptr(), deadline, "semaphore");
	}
	sem->waiters--;
	return kr;
}

/*
 * Routine:    xs_semaphore_signal_trap  [trap -33]
 * Purpose:    Signal the semaphore signal_name names: one waiter proceeds,
 *             or the count goes up.
 * Returns:    KERN_SUCCESS, KERN_TERMINATED, or a port_name_to_semaphore error.
 */
xs_kern_return_t xs_semaphore_signal_trap(void *args)
{
	XS_FUNC(semaphore_signal_trap);
	mach_port_name_t name = (mach_port_name_t)((const uint64_t *)args)[0];
	struct semaphore *sem;
	xs_kern_return_t kr;

	xs_ipc_lock();
	kr = xs_port_name_to_semaphore(name, &sem);
	if (kr == KERN_SUCCESS) {
		XS_FUNC(semaphore_signal_internal_trap);
		kr = xs_semaphore_signal_internal(sem);
		xs_semaphore_dereference(sem);
	}
	xs_ipc_unlock();
	return kr;
}

static xs_kern_return_t semaphore_wait_common(mach_port_name_t name, bool timed,
					      uint64_t deadline)
{
	XS_FUNC(semaphore_wait_trap_internal);
	struct semaphore *sem;
	xs_kern_return_t kr;

	xs_ipc_lock();
	kr = xs_port_name_to_semaphore(name, &sem);
	if (kr == KERN_SUCCESS) {
		kr = xs_semaphore_wait_internal(sem, timed, deadline);
		xs_semaphore_dereference(sem);
	}
	xs_ipc_unlock();
	return kr;
}

/*
 * Routine:    xs_semaphore_wait_trap  [trap -36]
 * Purpose:    Wait on the semaphore wait_name names.
 * Returns:    KERN_SUCCESS, KERN_ABORTED (a signal interrupted the wait),
 *             KERN_TERMINATED (destroyed), or a port_name_to_semaphore error.
 */
xs_kern_return_t xs_semaphore_wait_trap(void *args)
{
	XS_FUNC(semaphore_wait_trap);

	return semaphore_wait_common((mach_port_name_t)((const uint64_t *)args)[0], false, 0);
}

/*
 * Routine:    xs_semaphore_timedwait_trap  [trap -38]
 * Purpose:    Wait at most sec seconds + nsec nanoseconds.
 * Returns:    as semaphore_wait_trap, plus KERN_OPERATION_TIMED_OUT and
 *             KERN_INVALID_VALUE (nsec outside [0, NSEC_PER_SEC)).
 */
xs_kern_return_t xs_semaphore_timedwait_trap(void *args)
{
	XS_FUNC(semaphore_timedwait_trap);
	const uint64_t *a = args;
	uint32_t sec = (uint32_t)a[1];
	int32_t nsec = (int32_t)a[2];
	uint64_t deadline = 0;

	if (nsec < 0 || (uint64_t)nsec >= NSEC_PER_SEC)
		return KERN_INVALID_VALUE;
	if (sec != 0 || nsec != 0)
		deadline = osl_absolute_time() + sec * NSEC_PER_SEC + (uint64_t)nsec;
	return semaphore_wait_common((mach_port_name_t)a[0], true, deadline);
}
