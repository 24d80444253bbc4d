/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bsd_kern.c: the Mach side's accessors into the BSD half of a task or
 * thread.  The proc and its task share one proc_task element, so these are
 * pointer arithmetic, as proc_get_task_raw is in XNU.
 * Corresponds to osfmk/kern/bsd_kern.c.
 */
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/task.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"

/* get_bsdtask_info: the proc in front of t (kernproc for kernel_task). */
struct proc *xs_get_bsdtask_info(struct task *t)
{
	return t ? &xs_container_of(t, struct proc_task, pt_task)->pt_proc : NULL;
}

/* get_bsdthreadtask_info: the proc of th's task. */
struct proc *xs_get_bsdthreadtask_info(struct thread *th)
{
	return th ? xs_get_bsdtask_info(th->task) : NULL;
}
