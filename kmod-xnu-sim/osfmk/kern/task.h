/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * task.h: Mach tasks.  Corresponds to osfmk/kern/task.h.  A task owns an
 * ipc_space and a vm_map; its BSD half is the proc that shares its zone
 * element (proc_task_zone: struct proc, then struct task).
 */
#ifndef XS_KERN_TASK_H
#define XS_KERN_TASK_H

#include "kmod-xnu-sim/osfmk/kern/kern_types.h"
#include "kmod-xnu-sim/osfmk/kern/locks.h"
#include "kmod-xnu-sim/osfmk/kern/queue.h"

struct vm_map;
struct ipc_space;
struct ipc_port;
struct thread;
struct proc;

struct task {
	lck_mtx_t lock;
	uint32_t ref_count;
	bool active;			/* false once task_terminate_internal ran */
	bool is_kernel_task;
	uint16_t suspend_count;
	uint64_t task_uniqueid;

	struct vm_map *map;		/* owned: one reference */
	struct ipc_space *itk_space;	/* owned: one reference */
	struct ipc_port *itk_self;	/* task control port (kobject IKOT_TASK_CONTROL) */
	struct ipc_port *itk_settable_self;

	queue_head_t threads;		/* struct thread.task_threads */
	uint32_t thread_count;

	queue_head_t semaphore_list;	/* struct semaphore.task_link (task_synchronizer) */
	uint32_t semaphores_owned;

	queue_chain_t tasks;		/* kern_globals.tasks */
};

/* kern's machine-wide state (a member of struct xs_machine). */
struct kern_globals {
	lck_mtx_t tasks_lock;
	queue_head_t tasks;
	uint32_t tasks_count;
	uint64_t next_task_uniqueid;
	uint64_t next_thread_id;
	struct task *kernel_task;
};

/* The BSD half: the proc in front of the task in the same zone element. */
struct proc *xs_get_bsdtask_info(struct task *t);
struct task *xs_proc_task(struct proc *p);

void xs_task_reference(struct task *t);
/* Consumes a reference; the last one frees the task (and its proc). */
void xs_task_deallocate(struct task *t);

/*
 * Routine:    xs_task_create_internal
 * Purpose:    Initialise the task half of a proc_task element: a fresh
 *             ipc_space (ipc_task_init) and either a copy of parent's map
 *             (inherit_memory, vm_map_fork) or an empty one.
 * Returns:    KERN_SUCCESS, KERN_RESOURCE_SHORTAGE.
 */
xs_kern_return_t xs_task_create_internal(struct task *parent, struct task *task,
					 bool inherit_memory, bool is_64bit);
/* Tear down threads, IPC space and map; the task stays until deallocated. */
xs_kern_return_t xs_task_terminate_internal(struct task *t);

struct task *xs_current_task(void);
struct task *xs_kernel_task(void);

void xs_task_bootstrap(void);	/* at boot: kernel_task */

#endif /* XS_KERN_TASK_H */
