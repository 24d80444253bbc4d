/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipc_tt.c: task and thread ports: the IPC side of task and thread life
 * (space, control ports), the self traps, reply ports, and turning a port
 * name into the current task.  Corresponds to osfmk/kern/ipc_tt.c.
 */
#include "kmod-xnu-sim/osfmk/kern/ipc_tt.h"
#include "kmod-xnu-sim/osfmk/ipc/ipc_space.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/sync_sema.h"
#include "kmod-xnu-sim/osfmk/kern/task.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "darwin/port.h"

/*
 * Routine:    xs_ipc_task_init
 * Purpose:    Give task a fresh space and its task control port
 *             (IKOT_TASK_CONTROL).  Nothing is inherited from parent: Mach
 *             ports do not survive fork.
 * Conditions: Nothing locked.
 * Returns:    KERN_SUCCESS, KERN_RESOURCE_SHORTAGE.
 */
xs_kern_return_t xs_ipc_task_init(struct task *task, struct task *parent)
{
	XS_FUNC(ipc_task_init);
	struct ipc_space *space;
	struct ipc_port *kport;

	(void)parent;
	xs_ipc_bootstrap();		/* no-op once booted */
	xs_ipc_lock();
	if (task->semaphore_list.next == NULL)
		xs_queue_init(&task->semaphore_list);
	space = xs_ipc_space_create(task);
	kport = space ? xs_ipc_kobject_alloc_port(task, IKOT_TASK_CONTROL) : NULL;
	if (!kport) {
		if (space) {
			xs_ipc_space_terminate(space);
			xs_is_release(space);
		}
		xs_ipc_unlock();
		return KERN_RESOURCE_SHORTAGE;
	}
	task->itk_space = space;
	task->itk_self = kport;
	task->itk_settable_self = NULL;
	xs_ipc_unlock();
	return KERN_SUCCESS;
}

/*
 * Routine:    xs_ipc_task_terminate
 * Purpose:    Destroy the task's semaphores, its control port (send rights
 *             elsewhere become dead names) and its space (every receive
 *             right destroyed).
 * Conditions: Nothing locked.
 */
void xs_ipc_task_terminate(struct task *task)
{
	XS_FUNC(ipc_task_terminate);
	struct ipc_space *space;

	xs_task_synchronizer_destroy_all(task);
	xs_ipc_lock();
	{
		XS_FUNC(ipc_task_disable);
		if (task->itk_self) {
			xs_ipc_kobject_dealloc_port(task->itk_self);
			task->itk_self = NULL;
		}
	}
	space = task->itk_space;
	task->itk_space = NULL;
	if (space) {
		xs_ipc_space_terminate(space);
		xs_is_release(space);
	}
	xs_ipc_unlock();
}

xs_kern_return_t xs_ipc_thread_init(struct thread *thread)
{
	XS_FUNC(ipc_thread_init);
	xs_kern_return_t kr = KERN_SUCCESS;

	xs_ipc_lock();
	if (!thread->ith_self) {
		thread->ith_self = xs_ipc_kobject_alloc_port(thread, IKOT_THREAD_CONTROL);
		if (!thread->ith_self)
			kr = KERN_RESOURCE_SHORTAGE;
	}
	xs_ipc_unlock();
	return kr;
}

void xs_ipc_thread_terminate(struct thread *thread)
{
	XS_FUNC(ipc_thread_terminate);

	xs_ipc_lock();
	if (thread->ith_self) {
		xs_ipc_kobject_dealloc_port(thread->ith_self);
		thread->ith_self = NULL;
	}
	if (thread->ith_special_reply_port) {
		thread->ith_special_reply_port->ip_flags &= ~IP_F_SPECIAL_REPLY;
		xs_ip_release(thread->ith_special_reply_port);
		thread->ith_special_reply_port = NULL;
	}
	xs_ipc_unlock();
}

/*
 * ipc_port_translate_send, then convert_port_to_task's test: the active
 * task control port that name denotes as a send right in space, or NULL.
 * The IPC lock is held.
 */
static struct ipc_port *task_control_send_locked(struct ipc_space *space, mach_port_name_t name)
{
	struct ipc_entry *entry;
	struct ipc_port *port;

	if (!space || xs_ipc_right_lookup_write(space, name, &entry) != KERN_SUCCESS ||
	    xs_ipc_right_check(space, name, entry) || !(entry->ie_bits & MACH_PORT_TYPE_SEND))
		return NULL;
	port = entry->ie_object;
	return port->ip_active && port->ip_kotype == IKOT_TASK_CONTROL ? port : NULL;
}

/*
 * Routine:    xs_port_name_to_current_task_noref
 * Purpose:    See ipc_tt.h (ipc_port_translate_send, then the kobject must
 *             be the current task).
 * Conditions: Nothing locked.
 */
struct task *xs_port_name_to_current_task_noref(mach_port_name_t name)
{
	XS_FUNC(port_name_to_current_task_noref);
	struct task *task = xs_current_task(), *found = NULL;
	struct ipc_port *port;

	if (!task || !XS_MACH_PORT_VALID(name))
		return NULL;
	xs_ipc_lock();
	port = task_control_send_locked(task->itk_space, name);
	if (port && port->ip_kobject == task)
		found = task;
	xs_ipc_unlock();
	return found;
}

/*
 * A send right to a control port, copied out into the current space
 * (ipc_port_make_send + ipc_port_copyout_send_pinned: the same name every
 * time, one more uref).  XNU makes the right, then merges it into the
 * entry; a process killed in between would leave the port a right and a
 * reference nobody holds (and the port alive forever).  So the right is
 * made straight into its entry: one uref more on an existing entry, or a
 * new entry, its right and the port's counts in one step (ipc_redo).
 */
static mach_port_name_t ipc_port_copyout_send_common(struct ipc_port *kport)
{
	struct xs_redo *r = &xs_machine()->m_ipc.ipc_redo;
	struct ipc_space *space = xs_current_space();
	struct ipc_entry *entry;
	mach_port_name_t name;

	if (!kport || !space || !space->is_active)
		return MACH_PORT_NULL;
	if (!kport->ip_active)
		return MACH_PORT_DEAD;
	name = xs_ipc_hash_lookup(space, kport, &entry);
	if (name != MACH_PORT_NULL && (entry->ie_bits & MACH_PORT_TYPE_SEND)) {
		kport->ip_mscount++;
		if (IE_BITS_UREFS(entry->ie_bits) < MACH_PORT_UREFS_MAX)
			entry->ie_bits++;
		return name;
	}
	if (xs_ipc_entry_alloc(space, &name, &entry) != KERN_SUCCESS)
		return MACH_PORT_NULL;
	xs_redo_begin(r);
	xs_redo_putptr(r, &entry->ie_object, kport);
	xs_redo_put32(r, &entry->ie_bits, entry->ie_bits | MACH_PORT_TYPE_SEND | 1);
	xs_redo_put32(r, &kport->ip_mscount, kport->ip_mscount + 1);
	xs_redo_put32(r, &kport->ip_srights, kport->ip_srights + 1);
	xs_redo_put32(r, &kport->ip_references, kport->ip_references + 1);
	xs_redo_commit(r);
	return name;
}

static mach_port_name_t ipc_self_copyout(struct ipc_port *kport)
{
	XS_FUNC_AT(ipc_port_copyout_send_pinned, "osfmk/ipc/ipc_port.c");
	return ipc_port_copyout_send_common(kport);
}

/*
 * Routine:    xs_port_name_to_task  (port_name_to_task -> port_name_to_task_kernel)
 * Purpose:    See ipc_tt.h: ipc_port_translate_send, then the port must be
 *             an active task control port (convert_port_to_task_with_flavor).
 * Conditions: Nothing locked.
 */
struct task *xs_port_name_to_task(mach_port_name_t name)
{
	XS_FUNC_AT(port_name_to_task_kernel, "osfmk/kern/ipc_tt.c");
	struct task *task = xs_current_task(), *found = NULL;
	struct ipc_port *port;

	if (!task || !XS_MACH_PORT_VALID(name))
		return NULL;
	xs_ipc_lock();
	port = task_control_send_locked(task->itk_space, name);
	if (port && port->ip_kobject) {
		found = port->ip_kobject;
		xs_task_reference(found);	/* the port keeps it alive till here */
	}
	xs_ipc_unlock();
	return found;
}

/*
 * Routine:    xs_convert_task_to_port_copyout
 *             (convert_task_to_port + ipc_port_copyout_send)
 * Purpose:    See ipc_tt.h.  XNU makes a send right on the task port
 *             (ipc_kobject_make_send) and copies it out into the space; the
 *             right is made straight into its entry here (ipc_self_copyout).
 * Conditions: Nothing locked.  Consumes a reference on task.
 */
mach_port_name_t xs_convert_task_to_port_copyout(struct task *task)
{
	XS_FUNC(convert_task_to_port);
	mach_port_name_t name = MACH_PORT_NULL;

	xs_ipc_lock();
	if (task->active && task->itk_self && task->itk_self->ip_active) {
		XS_FUNC_AT(ipc_port_copyout_send, "osfmk/ipc/ipc_port.c");
		name = ipc_port_copyout_send_common(task->itk_self);
	}
	xs_ipc_unlock();
	xs_task_deallocate(task);
	return name;
}

/*
 * Routine:    xs_task_self_trap  [trap -28]
 * Purpose:    mach_task_self(): a send right to the caller's task port.
 * Returns:    the name (stable across calls; each call adds a uref), or
 *             MACH_PORT_NULL.
 */
xs_kern_return_t xs_task_self_trap(void *args)
{
	XS_FUNC(task_self_trap);
	struct task *task = xs_current_task();
	mach_port_name_t name;

	(void)args;
	xs_ipc_lock();
	name = task ? ipc_self_copyout(task->itk_self) : MACH_PORT_NULL;
	xs_ipc_unlock();
	return (xs_kern_return_t)name;
}

/*
 * Routine:    xs_thread_self_trap  [trap -27]
 * Purpose:    mach_thread_self(): a send right to the calling thread's port.
 * Returns:    the name, or MACH_PORT_NULL.
 */
xs_kern_return_t xs_thread_self_trap(void *args)
{
	XS_FUNC(thread_self_trap);
	struct thread *thread = xs_current_thread();
	mach_port_name_t name = MACH_PORT_NULL;

	(void)args;
	if (!thread)
		return MACH_PORT_NULL;
	if (!thread->ith_self && xs_ipc_thread_init(thread) != KERN_SUCCESS)
		return MACH_PORT_NULL;
	xs_ipc_lock();
	name = ipc_self_copyout(thread->ith_self);
	xs_ipc_unlock();
	return (xs_kern_return_t)name;
}

/*
 * Routine:    xs_mach_reply_port  [trap -26]
 * Purpose:    A new receive right marked as a reply port.
 * Returns:    its name, or MACH_PORT_NULL on shortage.
 */
xs_kern_return_t xs_mach_reply_port(void *args)
{
	XS_FUNC(mach_reply_port);
	mach_port_name_t name = MACH_PORT_NULL;

	(void)args;
	xs_ipc_lock();
	if (xs_ipc_port_alloc(xs_current_space(), IPC_PORT_INIT_REPLY, &name, NULL) != KERN_SUCCESS)
		name = MACH_PORT_NULL;
	xs_ipc_unlock();
	return (xs_kern_return_t)name;
}

/*
 * Routine:    xs_thread_get_special_reply_port  [trap -50]
 * Purpose:    A new receive right bound to the calling thread as its
 *             special reply port; a previous one is unbound (it stays an
 *             ordinary receive right in the space).
 * Returns:    its name, or MACH_PORT_NULL.
 */
xs_kern_return_t xs_thread_get_special_reply_port(void *args)
{
	XS_FUNC(thread_get_special_reply_port);
	struct thread *thread = xs_current_thread();
	mach_port_name_t name = MACH_PORT_NULL;
	struct ipc_port *port;

	(void)args;
	if (!thread)
		return MACH_PORT_NULL;
	xs_ipc_lock();
	if (xs_ipc_port_alloc(xs_current_space(), IPC_PORT_INIT_SPECIAL_REPLY, &name,
			      &port) == KERN_SUCCESS) {
		if (thread->ith_special_reply_port) {
			XS_FUNC_AT(ipc_port_unbind_special_reply_port, "osfmk/ipc/ipc_port.c");
			thread->ith_special_reply_port->ip_flags &= ~IP_F_SPECIAL_REPLY;
			xs_ip_release(thread->ith_special_reply_port);
		}
		xs_ip_reference(port);		/* the thread's binding */
		thread->ith_special_reply_port = port;
	} else {
		name = MACH_PORT_NULL;
	}
	xs_ipc_unlock();
	return (xs_kern_return_t)name;
}
