/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * thread.c: Mach threads: creation (bound to a host thread), references,
 * termination, and blocking on an osl event with signal interruption.
 * Corresponds to osfmk/kern/thread.c (thread_create_internal,
 * thread_terminate_self), osfmk/kern/thread_act.c (thread_terminate_internal,
 * thread_abort_safely) and osfmk/kern/sched_prim.c (thread_block).
 */
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/ipc_tt.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/task.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"

void xs_uthread_init(struct task *task, struct uthread *uth, struct thread *th);	/* kern_fork.c */
bool xs_thread_signal_pending(struct thread *th);				/* kern_sig.c */

struct thread *xs_current_thread(void) { return osl_current_thread(); }

/* thread_bootstrap: the thread zone.  Called from task_init at boot. */
void xs_thread_bootstrap(void)
{
	XS_FUNC(thread_bootstrap);

	xs_zone_create_id(ZONE_ID_THREAD, "threads", sizeof(struct thread));
}

/*
 * machine_thread_create: arm64 pcb.c / i386 pcb_native.c.  The saved state
 * lives in the trapping host thread's frame, so there is no pcb to set up.
 */
static void machine_thread_create(struct thread *th, struct task *task)
{
	XS_FUNC_AT(machine_thread_create, "osfmk/arm64/pcb.c");
	(void)th;
	(void)task;
}

/*
 * Routine:    xs_thread_create_internal
 * Purpose:    A new thread in task: zone element, thread id, uthread,
 *             thread ports (ipc_thread_init), linked on task->threads.  With
 *             bind, the calling host thread runs it from now on.
 * Conditions: Nothing locked.  Takes a task reference for the thread.
 * Returns:    The thread with two references: one for being alive (dropped
 *             by thread_terminate_internal) and one for the caller (drop
 *             with xs_thread_deallocate).  NULL on shortage or if the task
 *             is terminating.
 */
struct thread *xs_thread_create_internal(struct task *task, bool bind)
{
	XS_FUNC(thread_create_internal);
	struct thread *th;

	th = xs_zalloc_id(ZONE_ID_THREAD);
	if (!th)
		return NULL;
	th->ref_count = 2;
	th->active = true;
	th->task = task;
	xs_task_reference(task);
	xs_queue_init(&th->task_threads);
	th->thread_id = __atomic_add_fetch(&xs_machine()->m_kern.next_thread_id, 1,
					   __ATOMIC_SEQ_CST);
	th->host_tid = bind ? osl_host_tid() : 0;
	machine_thread_create(th, task);
	xs_uthread_init(task, &th->uthread, th);
	if (xs_ipc_thread_init(th) != KERN_SUCCESS)
		goto fail;

	xs_lck_mtx_lock(&task->lock);
	if (!task->active) {
		xs_lck_mtx_unlock(&task->lock);
		xs_ipc_thread_terminate(th);
		goto fail;
	}
	xs_enqueue_tail(&task->threads, &th->task_threads);
	task->thread_count++;
	xs_lck_mtx_unlock(&task->lock);

	if (bind)
		osl_set_current_thread(th);
	return th;
fail:
	th->active = false;
	th->ref_count = 1;
	xs_thread_deallocate(th);
	return NULL;
}

void xs_thread_reference(struct thread *th)
{
	__atomic_fetch_add(&th->ref_count, 1, __ATOMIC_SEQ_CST);
}

/* Consumes a reference; the last frees the thread and drops its task ref. */
void xs_thread_deallocate(struct thread *th)
{
	if (!th || __atomic_sub_fetch(&th->ref_count, 1, __ATOMIC_SEQ_CST) != 0)
		return;
	XS_FUNC(thread_deallocate);
	struct task *task = th->task;

	xs_zfree_id(ZONE_ID_THREAD, th);
	xs_task_deallocate(task);
}

/*
 * Routine:    xs_thread_terminate_internal
 * Purpose:    Take th out of its task: unlink it, destroy its ports, wake
 *             it if it is blocked, and drop its "alive" reference.
 * Conditions: Nothing locked.  A second call on the same thread is a no-op.
 */
void xs_thread_terminate_internal(struct thread *th)
{
	XS_FUNC_AT(thread_terminate_internal, "osfmk/kern/thread_act.c");
	struct task *task = th->task;

	xs_lck_mtx_lock(&task->lock);
	if (!th->active) {
		xs_lck_mtx_unlock(&task->lock);
		return;
	}
	th->active = false;
	xs_remqueue(&th->task_threads);
	task->thread_count--;
	xs_lck_mtx_unlock(&task->lock);

	xs_ipc_thread_terminate(th);
	xs_thread_abort_safely(th);	/* a blocked thread sees !active and leaves */
	xs_thread_deallocate(th);
}

/*
 * Routine:    xs_thread_abort_safely
 * Purpose:    Interrupt an abortable wait of th (a signal arrived, or the
 *             thread is being terminated).  Its xs_thread_block_on returns
 *             THREAD_INTERRUPTED; a thread not blocked sees the pending
 *             signal when it next blocks or returns to user mode.
 * Conditions: Any context; th is referenced by the caller.
 */
void xs_thread_abort_safely(struct thread *th)
{
	XS_FUNC_AT(thread_abort_safely, "osfmk/kern/thread_act.c");
	struct osl_event *ev;

	/* Paired with the arm-then-check in xs_thread_block_on (seq_cst). */
	__atomic_store_n(&th->wait_interrupted, true, __ATOMIC_SEQ_CST);
	ev = __atomic_load_n(&th->wait_event, __ATOMIC_SEQ_CST);
	if (ev)
		osl_event_signal(ev, true);	/* others re-check and sleep again */
}

/*
 * Routine:    xs_thread_block_on  (assert_wait + thread_block)
 * Purpose:    Block the current thread on ev until a wakeup, an abort
 *             (signal, termination) or the deadline.
 * Conditions: lock held and guarding the waited-for condition; returned
 *             with lock re-taken.  Callers re-check their condition.
 * Returns:    THREAD_AWAKENED, THREAD_TIMED_OUT, THREAD_INTERRUPTED.
 */
int xs_thread_block_on(struct osl_event *ev, struct osl_lock *lock,
		       uint64_t deadline, const char *reason)
{
	XS_FUNC_AT(thread_block, "osfmk/kern/sched_prim.c");
	struct thread *th = osl_current_thread();
	uint32_t seq;
	int r;

	if (!th) {	/* no simulated thread: plain wait, nobody can abort it */
		seq = osl_event_arm(ev);
		osl_lock_unlock(lock);
		r = osl_event_wait(ev, seq, deadline);
		osl_lock_lock(lock);
		return r == OSL_WAIT_TIMED_OUT ? THREAD_TIMED_OUT : THREAD_AWAKENED;
	}
	__atomic_store_n(&th->wait_interrupted, false, __ATOMIC_SEQ_CST);
	xs_strlcpy(th->wait_reason, reason ? reason : "", sizeof(th->wait_reason));
	th->wait_since = osl_absolute_time();	/* blocked-thread report */
	th->wait_result = THREAD_WAITING;
	seq = osl_event_arm(ev);
	__atomic_store_n(&th->wait_event, ev, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&th->wait_interrupted, __ATOMIC_SEQ_CST) || !th->active ||
	    xs_thread_signal_pending(th)) {
		r = THREAD_INTERRUPTED;	/* an abortable wait never starts */
	} else {
		osl_lock_unlock(lock);
		r = osl_event_wait(ev, seq, deadline) == OSL_WAIT_TIMED_OUT ?
			THREAD_TIMED_OUT : THREAD_AWAKENED;
		osl_lock_lock(lock);
		if (__atomic_load_n(&th->wait_interrupted, __ATOMIC_SEQ_CST) &&
		    (!th->active || xs_thread_signal_pending(th)))
			r = THREAD_INTERRUPTED;
	}
	__atomic_store_n(&th->wait_event, NULL, __ATOMIC_SEQ_CST);
	th->wait_reason[0] = '\0';
	th->wait_result = r;
	return r;
}

/*
 * Routine:    xs_thread_attach_current
 * Purpose:    Give the calling host thread (one the workload made with
 *             pthreads) a simulated thread in the process this host process
 *             runs, as if bsdthread_create had made it.
 * Returns:    0 (also when it already has one), -ESRCH if this host process
 *             runs no live simulated process, -ENOMEM.
 */
int xs_thread_attach_current(int host_tid)
{
	XS_FUNC(thread_attach_current);	/* simulator only */
	struct proc *p;
	struct thread *th;

	if (osl_current_thread())
		return 0;
	p = xs_proc_find_host(osl_host_pid());
	if (!p)
		return -ESRCH;
	th = xs_thread_create_internal(xs_proc_task(p), true);
	if (!th)
		return -ENOMEM;
	th->host_tid = host_tid;
	xs_thread_deallocate(th);	/* the task's list keeps it alive */
	return 0;
}

/*
 * Routine:    xs_thread_host_exited  (simulator only)
 * Purpose:    The host thread running th ended on its own (a workload's
 *             pthread returned or called pthread_exit): th ends with it, as
 *             XNU's bsdthread_terminate ends a pthread's thread.  Otherwise a
 *             dead thread would stay on its task and could be picked to take
 *             a signal (get_signalthread) that nobody then delivers.
 * Conditions: Called by the platform from the ending host thread itself
 *             (a thread-exit hook), nothing locked.  th must be its bound
 *             thread; anything else is ignored.
 */
void xs_thread_host_exited(struct thread *th)
{
	XS_FUNC_AT(thread_terminate, "osfmk/kern/thread_act.c");

	if (!th || osl_current_thread() != th)
		return;
	osl_set_current_thread(NULL);
	xs_thread_terminate_internal(th);	/* drops the "alive" reference */
}

/*
 * Routine:    xs_thread_terminate_self
 * Purpose:    The end of an exiting process's last thread, as reached from
 *             the AST after exit: run proc_exit, let go of the thread and
 *             end the host process with the recorded wait status.
 * Conditions: The current thread; its task was terminated (exit_with_reason)
 *             and the caller holds a reference on the thread, consumed here
 *             (its "alive" reference went with the task).  Does not return.
 */
_Noreturn void xs_thread_terminate_self(void)
{
	XS_FUNC(thread_terminate_self);
	struct thread *th = osl_current_thread();
	struct proc *p = xs_get_bsdtask_info(th->task);
	int status;

	if (__atomic_fetch_or(&p->p_lflag, P_LPEXIT, __ATOMIC_SEQ_CST) & P_LPEXIT) {
		/* Another thread is running proc_exit; it ends this host process. */
		struct osl_event never = { 0, 0 };

		for (;;)
			osl_event_wait(&never, osl_event_arm(&never), 0);
	}
	xs_proc_exit(p);
	status = p->p_xstat;
	osl_set_current_thread(NULL);
	xs_thread_deallocate(th);	/* may free the proc_task element */
	osl_process_terminate(status);
}
