/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * task.c: Mach tasks: kernel_task at boot, creating the task half of a
 * proc_task element, terminating it, and its reference count (the last
 * reference frees the whole element, proc included).
 * Corresponds to osfmk/kern/task.c.
 */
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/ipc_tt.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/task.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#include "kmod-xnu-sim/osfmk/vm/vm_map.h"

void xs_thread_bootstrap(void);	/* thread.c */

static struct kern_globals *kg(void) { return &xs_machine()->m_kern; }

struct task *xs_kernel_task(void) { return kg()->kernel_task; }

struct task *xs_current_task(void)
{
	struct thread *th = osl_current_thread();

	return th ? th->task : kg()->kernel_task;
}

/* The fields every task starts with, whoever creates it. */
static void task_init_common(struct task *t)
{
	xs_lck_mtx_init(&t->lock);
	t->ref_count = 1;	/* the proc's: dropped when the proc is reaped */
	t->active = true;
	xs_queue_init(&t->threads);
	xs_queue_init(&t->semaphore_list);
	xs_lck_mtx_lock(&kg()->tasks_lock);
	t->task_uniqueid = kg()->next_task_uniqueid++;
	xs_enqueue_tail(&kg()->tasks, &t->tasks);
	kg()->tasks_count++;
	xs_lck_mtx_unlock(&kg()->tasks_lock);
}

/*
 * Routine:    xs_task_bootstrap  (task_init)
 * Purpose:    Create the proc_task and thread zones and kernel_task.  XNU's
 *             kernel_task and kernproc are separate objects married later;
 *             here kernel_task sits in a proc_task element whose proc half
 *             bsd_init fills in as kernproc, so proc_task() works for both.
 * Conditions: Boot, after zalloc_bootstrap; nothing locked.
 */
void xs_task_bootstrap(void)
{
	XS_FUNC(task_init);
	struct kern_globals *g = kg();
	struct proc_task *pt;

	xs_lck_mtx_init(&g->tasks_lock);
	xs_queue_init(&g->tasks);
	g->next_thread_id = 100;	/* XNU's thread_unique_id starts at 100 */
	xs_zone_create_id(ZONE_ID_PROC_TASK, "proc_task", sizeof(struct proc_task));
	xs_thread_bootstrap();

	pt = xs_zalloc_id(ZONE_ID_PROC_TASK);
	if (!pt)
		osl_panic("task_init: no memory for kernel_task");
	task_init_common(&pt->pt_task);
	pt->pt_task.is_kernel_task = true;
	g->kernel_task = &pt->pt_task;
}

/*
 * Routine:    xs_task_create_internal
 * Purpose:    Initialise the task half of a new proc_task element: its map
 *             (vm_map_fork of parent's when inheriting, else an empty one
 *             from vm_map_create_options) and its IPC space and task port
 *             (ipc_task_init).  ledger_instantiate and machine_task_init have
 *             nothing to model.
 * Conditions: task is zeroed and not yet visible to anyone but the caller.
 * Returns:    KERN_SUCCESS, KERN_RESOURCE_SHORTAGE (task left torn down; the
 *             caller frees the element with xs_task_deallocate).
 */
xs_kern_return_t xs_task_create_internal(struct task *parent, struct task *task,
					 bool inherit_memory, bool is_64bit)
{
	XS_FUNC(task_create_internal);
	xs_kern_return_t kr;

	task_init_common(task);
	if (inherit_memory && parent && parent->map)
		task->map = xs_vm_map_fork(parent->map);
	else
		task->map = xs_vm_map_create_options(is_64bit);
	if (!task->map) {
		task->active = false;
		return KERN_RESOURCE_SHORTAGE;
	}
	kr = xs_ipc_task_init(task, parent);
	if (kr != KERN_SUCCESS) {
		xs_vm_map_deallocate(task->map);	/* consumes the map's reference */
		task->map = NULL;
		task->active = false;
		return kr;
	}
	return KERN_SUCCESS;
}

/*
 * Routine:    xs_task_terminate_internal
 * Purpose:    Terminate every thread, disable and destroy the IPC space and
 *             ports, and drop the address map.  The element stays until the
 *             last task reference goes (the proc's at reap, each thread's).
 *             task_synchronizer_destroy_all is left to the semaphore owner's
 *             ipc_task_terminate path (fidelity.md).
 * Conditions: Nothing locked.  The current thread may be among the task's
 *             threads: it is marked inactive but its memory stays while the
 *             caller holds a reference on it.
 * Returns:    KERN_SUCCESS, KERN_FAILURE if it was already terminated.
 */
xs_kern_return_t xs_task_terminate_internal(struct task *t)
{
	XS_FUNC(task_terminate_internal);
	struct thread *th;
	struct vm_map *map;

	xs_lck_mtx_lock(&t->lock);
	if (!t->active) {
		xs_lck_mtx_unlock(&t->lock);
		return KERN_FAILURE;
	}
	t->active = false;
	/* task_hold_locked, then thread_terminate_internal on each thread. */
	while (!xs_queue_empty(&t->threads)) {
		th = xs_container_of(t->threads.next, struct thread, task_threads);
		xs_lck_mtx_unlock(&t->lock);
		xs_thread_terminate_internal(th);	/* unlinks th from t->threads */
		xs_lck_mtx_lock(&t->lock);
	}
	map = t->map;
	t->map = NULL;
	xs_lck_mtx_unlock(&t->lock);

	if (t->itk_space || t->itk_self)
		xs_ipc_task_terminate(t);	/* ipc_task_disable + space teardown */
	if (map)
		xs_vm_map_deallocate(map);	/* vm_map_terminate: pmap teardown */
	return KERN_SUCCESS;
}

void xs_task_reference(struct task *t)
{
	__atomic_fetch_add(&t->ref_count, 1, __ATOMIC_SEQ_CST);
}

/*
 * Routine:    xs_task_deallocate
 * Purpose:    Drop a reference; the last one frees the proc_task element
 *             (task_destroy + proc_free in XNU, deferred there by SMR).
 * Conditions: Nothing locked.  Consumes a reference on t.
 */
void xs_task_deallocate(struct task *t)
{
	if (!t || __atomic_sub_fetch(&t->ref_count, 1, __ATOMIC_SEQ_CST) != 0)
		return;
	XS_FUNC(task_deallocate);
	if (t->is_kernel_task)
		osl_panic("task_deallocate: last reference on kernel_task");
	if (t->active || t->map)
		xs_task_terminate_internal(t);	/* a creation that failed halfway */
	xs_lck_mtx_lock(&kg()->tasks_lock);
	xs_remqueue(&t->tasks);
	kg()->tasks_count--;
	xs_lck_mtx_unlock(&kg()->tasks_lock);
	xs_zfree_id(ZONE_ID_PROC_TASK, xs_container_of(t, struct proc_task, pt_task));
}
