/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sync_sema.h: Mach semaphores, owned by a task and named by a kernel port
 * (IKOT_SEMAPHORE).  Corresponds to osfmk/kern/sync_sema.h.  Guarded by
 * the IPC lock (osfmk/ipc/ipc_port.h), which waiters drop while asleep.
 */
#ifndef XS_KERN_SYNC_SEMA_H
#define XS_KERN_SYNC_SEMA_H

#include "kmod-xnu-sim/osfmk/kern/kern_types.h"
#include "kmod-xnu-sim/osfmk/kern/queue.h"
#include "kmod-xnu-sim/osl/osl.h"

struct task;
struct ipc_port;

#define SYNC_POLICY_FIFO  0x0
#define SYNC_POLICY_LIFO  0x2	/* SYNC_POLICY_REVERSED */
#define SYNC_POLICY_MAX   0x7

struct semaphore {
	queue_chain_t task_link;	/* owner->semaphore_list */
	struct task *owner;		/* NULL once destroyed */
	struct ipc_port *port;		/* IKOT_SEMAPHORE kobject port */
	uint32_t ref_count;
	int32_t count;			/* available signals */
	uint32_t waiters;		/* threads blocked in wait */
	int policy;
	bool active;
	struct osl_event wait_event;
};

/*
 * semaphore_create / semaphore_destroy: the MIG routines on the task port
 * (task.defs 3418 / 3419), served by ipc_kobject_server.  create returns
 * with one reference held for the caller.  IPC lock held.
 */
xs_kern_return_t xs_semaphore_create(struct task *task, struct semaphore **semp,
				     int policy, int value);
xs_kern_return_t xs_semaphore_destroy(struct task *task, struct semaphore *sem);
void xs_semaphore_reference(struct semaphore *sem);
void xs_semaphore_dereference(struct semaphore *sem);
/* convert_port_to_semaphore: the semaphore of a live IKOT_SEMAPHORE port, or NULL. */
struct semaphore *xs_convert_port_to_semaphore(struct ipc_port *port);
/* convert_semaphore_to_port: a new send right to the semaphore's port. */
struct ipc_port *xs_convert_semaphore_to_port(struct semaphore *sem);
/*
 * task_synchronizer_destroy_all: destroy every semaphore the task owns
 * (task_terminate).  Takes the IPC lock itself.
 */
void xs_task_synchronizer_destroy_all(struct task *task);

#endif /* XS_KERN_SYNC_SEMA_H */
