/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipc_tt.h: task and thread ports.  Corresponds to osfmk/kern/ipc_tt.h.
 */
#ifndef XS_KERN_IPC_TT_H
#define XS_KERN_IPC_TT_H

#include "kmod-xnu-sim/osfmk/kern/kern_types.h"

struct task;
struct thread;

/*
 * ipc_task_init: give a new task a fresh ipc_space and its task port.
 * Mach ports never survive into it.  KERN_SUCCESS or KERN_RESOURCE_SHORTAGE.
 */
xs_kern_return_t xs_ipc_task_init(struct task *task, struct task *parent);
/* Disable and destroy the task's ports and space (task_terminate). */
void xs_ipc_task_terminate(struct task *task);
xs_kern_return_t xs_ipc_thread_init(struct thread *thread);
void xs_ipc_thread_terminate(struct thread *thread);

/*
 * port_name_to_current_task_noref: the current task if name denotes a send
 * right to its own task port in its own space, else NULL (the _kernelrpc_
 * traps then answer MACH_SEND_INVALID_DEST, and libsyscall falls back to MIG).
 */
struct task *xs_port_name_to_current_task_noref(mach_port_name_t name);

/*
 * port_name_to_task: the task whose control port name denotes in the
 * current space (a send right), with a reference the caller drops with
 * xs_task_deallocate; NULL for any other name.  task_for_pid's target_tport.
 */
struct task *xs_port_name_to_task(mach_port_name_t name);
/*
 * convert_task_to_port + ipc_port_copyout_send: a send right to task's
 * control port, copied out into the current space.  Consumes a reference
 * on task.  Returns the name, or MACH_PORT_NULL for a terminated task or a
 * full space.
 */
mach_port_name_t xs_convert_task_to_port_copyout(struct task *task);

#endif /* XS_KERN_IPC_TT_H */
