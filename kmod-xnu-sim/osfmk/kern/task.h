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
	uint16_t suspend_count;		/* kernel-level holds (task_hold_locked) */
	uint32_t user_stop_count;	/* user holds: stops, START_SUSPENDED, task_suspend */
	uint32_t legacy_stop_count;	/* of which task_suspend's (TASK_HOLD_LEGACY) */
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

/*
 * Task suspension (osfmk/kern/task.c).  user_stop_count counts the holds
 * of every kind; the first one puts one kernel-level hold on the task
 * (task_hold_locked: suspend_count), the last release takes it off and
 * wakes the threads parked by it.  A held task's threads do not return to
 * user mode: each is sent through the AST path on its next return and
 * parks there (xs_proc_wait_held_locked, kern_sig.c) until released.
 *
 * task_suspend_internal / task_resume_internal: a hold for the BSD side
 * (stop signals, SIGCONT, posix_spawn's START_SUSPENDED).  task_suspend /
 * task_resume: the MIG routines (task.defs 3407 / 3408), a legacy hold.
 * Conditions: nothing locked but possibly the IPC lock (the MIG server);
 * task->lock is taken, p_mlock is not.
 * Returns:    KERN_SUCCESS; KERN_FAILURE for a terminated task, or a
 *             release with no hold left; KERN_INVALID_ARGUMENT for NULL or
 *             kernel_task (task_suspend / task_resume).
 */
xs_kern_return_t xs_task_suspend_internal(struct task *task);
xs_kern_return_t xs_task_resume_internal(struct task *task);
xs_kern_return_t xs_task_suspend(struct task *task);
xs_kern_return_t xs_task_resume(struct task *task);

/* Is a kernel-level hold on task (its threads must park)?  No lock needed. */
static inline bool xs_task_is_held(struct task *task)
{
	return __atomic_load_n(&task->suspend_count, __ATOMIC_SEQ_CST) != 0;
}

void xs_task_bootstrap(void);	/* at boot: kernel_task */

#endif /* XS_KERN_TASK_H */
