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

/* ---- Suspension ---------------------------------------------------------- */

/* place_task_hold / release_task_hold modes (osfmk/kern/task.c). */
#define TASK_HOLD_NORMAL 0
#define TASK_HOLD_LEGACY 2

/*
 * thread_hold: send th through the AST path on its next return to user
 * mode.  XNU raises AST_APC and the thread parks in thread_apc_ast; here it
 * is AST_BSD and the thread parks in bsd_ast's stop wait, which watches the
 * task's hold too (one park for stops and holds; docs/fidelity.md).
 */
static void xs_thread_hold(struct thread *th)
{
	XS_FUNC_AT(thread_hold, "osfmk/kern/thread_act.c");
	__atomic_fetch_or(&th->ast, AST_BSD, __ATOMIC_SEQ_CST);
}

/* task_hold_locked: one kernel-level hold on every thread.  task->lock held. */
static void xs_task_hold_locked(struct task *task)
{
	XS_FUNC(task_hold_locked);
	struct thread *th;

	if (__atomic_fetch_add(&task->suspend_count, 1, __ATOMIC_SEQ_CST) > 0)
		return;
	xs_queue_foreach(th, &task->threads, struct thread, task_threads)
		xs_thread_hold(th);
}

/*
 * task_release_locked: drop the kernel-level hold; the last release lets
 * the threads go (thread_release each), which here is a wakeup of the
 * proc's stop event that every parked thread waits on.  task->lock held.
 */
static void xs_task_release_locked(struct task *task)
{
	XS_FUNC(task_release_locked);
	struct proc *p;

	if (task->suspend_count == 0 ||
	    __atomic_sub_fetch(&task->suspend_count, 1, __ATOMIC_SEQ_CST) > 0)
		return;
	p = xs_get_bsdtask_info(task);
	if (p)
		osl_event_signal(&p->p_stop_event, true);
}

/*
 * place_task_hold: one more user hold; the first puts the kernel-level
 * hold on.  XNU then waits for the threads to leave user mode
 * (task_wait_locked); a simulated thread running user code cannot be
 * stopped from outside, so it stops at its next trap (fidelity.md).
 * task->lock held.
 */
static xs_kern_return_t xs_place_task_hold(struct task *task, int mode)
{
	XS_FUNC(place_task_hold);

	if (!task->active)
		return KERN_FAILURE;
	if (mode == TASK_HOLD_LEGACY)
		task->legacy_stop_count++;
	if (task->user_stop_count++ > 0)
		return KERN_SUCCESS;	/* already held */
	xs_task_hold_locked(task);
	return KERN_SUCCESS;
}

/* release_task_hold: one user hold less; the last releases the task.  task->lock held. */
static xs_kern_return_t xs_release_task_hold(struct task *task, int mode)
{
	XS_FUNC(release_task_hold);

	if (!task->active)
		return KERN_FAILURE;
	if (task->user_stop_count == 0)
		return KERN_FAILURE;
	if (mode == TASK_HOLD_LEGACY && task->legacy_stop_count > 0)
		task->legacy_stop_count--;
	if (--task->user_stop_count == 0)
		xs_task_release_locked(task);
	return KERN_SUCCESS;
}

/* Run place_task_hold or release_task_hold under task->lock. */
static xs_kern_return_t task_hold_op(struct task *task, int mode, bool hold)
{
	xs_kern_return_t kr;

	xs_lck_mtx_lock(&task->lock);
	kr = hold ? xs_place_task_hold(task, mode) : xs_release_task_hold(task, mode);
	xs_lck_mtx_unlock(&task->lock);
	return kr;
}

/* task_suspend_internal: a hold for the BSD side (stop, START_SUSPENDED). */
xs_kern_return_t xs_task_suspend_internal(struct task *task)
{
	XS_FUNC(task_suspend_internal);
	return task_hold_op(task, TASK_HOLD_NORMAL, true);
}

/* task_resume_internal: release one (SIGCONT). */
xs_kern_return_t xs_task_resume_internal(struct task *task)
{
	XS_FUNC(task_resume_internal);
	return task_hold_op(task, TASK_HOLD_NORMAL, false);
}

/*
 * Routine:    xs_task_suspend  [MIG task.defs 3407]
 * Purpose:    A user-level (legacy) hold on task.  XNU also copies a send
 *             right to the task's resume port into the caller's space, so
 *             the hold goes away if the caller dies; that token is not
 *             modeled (fidelity.md): the hold stays until task_resume.
 * Conditions: See task.h.
 * Returns:    KERN_SUCCESS, KERN_INVALID_ARGUMENT, KERN_FAILURE.
 */
xs_kern_return_t xs_task_suspend(struct task *task)
{
	XS_FUNC(task_suspend);

	if (!task || task->is_kernel_task)
		return KERN_INVALID_ARGUMENT;
	return task_hold_op(task, TASK_HOLD_LEGACY, true);
}

/*
 * Routine:    xs_task_resume  [MIG task.defs 3408]
 * Purpose:    Release one user-level hold on task, whoever placed it (a
 *             stop, START_SUSPENDED or task_suspend share user_stop_count,
 *             as in XNU); the last one lets its threads run.
 * Conditions: See task.h.
 * Returns:    KERN_SUCCESS; KERN_FAILURE if task holds no suspension or is
 *             terminated; KERN_INVALID_ARGUMENT for NULL or kernel_task.
 */
xs_kern_return_t xs_task_resume(struct task *task)
{
	XS_FUNC(task_resume);

	if (!task || task->is_kernel_task)
		return KERN_INVALID_ARGUMENT;
	return task_hold_op(task, TASK_HOLD_LEGACY, false);
}
