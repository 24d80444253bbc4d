// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * lifecycle.bpf.c: process lifecycle, Mach messages and VM map changes
 * (xnu:proc_create/exec/exit, msg_send/receive, vm_map_change;
 * docs/tracepoints.md).  Lifecycle events are always sent, whatever the pid
 * filter, so the collector's process tree is complete; message and VM events
 * only when the collector asked for ordered events.
 */
#include "vmlinux.h"
#include "bpf/xnutrace.h"
#include "bpf/maps.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 targ_ipc_vm_events = 0;	/* send msg_* and vm_map_change events */

SEC("usdt")
int handle_proc_create(struct pt_regs *ctx)
{
	__u32 machine = xt_arg(ctx, 0);
	struct xt_event *ev;

	if (!xt_machine_ok(machine))
		return 0;
	ev = xt_event_reserve(XT_EV_PROC_CREATE, machine, xt_arg(ctx, 1));
	if (!ev)
		return 0;
	ev->a[0] = (__u64)xt_arg(ctx, 2);	/* ppid */
	ev->a[1] = (__u64)xt_arg(ctx, 3);	/* how: XS_PROC_CREATE_* */
	xt_event_submit(ev);
	return 0;
}

SEC("usdt")
int handle_proc_exec(struct pt_regs *ctx)
{
	__u32 machine = xt_arg(ctx, 0);
	struct xt_event *ev;

	if (!xt_machine_ok(machine))
		return 0;
	ev = xt_event_reserve(XT_EV_PROC_EXEC, machine, xt_arg(ctx, 1));
	if (!ev)
		return 0;
	/* The path lives in the exec'ing process (the library's memory). */
	if (bpf_probe_read_user_str(ev->str, sizeof(ev->str), (const void *)xt_arg(ctx, 2)) < 0)
		ev->str[0] = 0;
	xt_event_submit(ev);
	return 0;
}

SEC("usdt")
int handle_proc_exit(struct pt_regs *ctx)
{
	__u32 machine = xt_arg(ctx, 0);
	struct xt_event *ev;

	if (!xt_machine_ok(machine))
		return 0;
	ev = xt_event_reserve(XT_EV_PROC_EXIT, machine, xt_arg(ctx, 1));
	if (!ev)
		return 0;
	ev->a[0] = (__u64)xt_arg(ctx, 2);	/* Darwin wait status */
	xt_event_submit(ev);
	return 0;
}

static __always_inline int msg_event(struct pt_regs *ctx, __u32 type)
{
	__u32 machine = xt_arg(ctx, 0);
	__s32 pid = xt_arg(ctx, 1);
	struct xt_event *ev;

	if (!targ_ipc_vm_events || !xt_machine_ok(machine) || !xt_pid_ok(pid))
		return 0;
	ev = xt_event_reserve(type, machine, pid);
	if (!ev)
		return 0;
	ev->tid = xt_arg(ctx, 2);
	ev->a[0] = xt_arg(ctx, 3);		/* port object id */
	ev->a[1] = (__u64)xt_arg(ctx, 4);	/* msgh_id */
	ev->a[2] = (__u32)xt_arg(ctx, 5);	/* size */
	xt_event_submit(ev);
	return 0;
}

SEC("usdt")
int handle_msg_send(struct pt_regs *ctx)
{
	return msg_event(ctx, XT_EV_MSG_SEND);
}

SEC("usdt")
int handle_msg_receive(struct pt_regs *ctx)
{
	return msg_event(ctx, XT_EV_MSG_RECEIVE);
}

SEC("usdt")
int handle_vm_map_change(struct pt_regs *ctx)
{
	__u32 machine = xt_arg(ctx, 0);
	__s32 pid = xt_arg(ctx, 1);
	struct xt_event *ev;

	if (!targ_ipc_vm_events || !xt_machine_ok(machine) || !xt_pid_ok(pid))
		return 0;
	ev = xt_event_reserve(XT_EV_VM_MAP_CHANGE, machine, pid);
	if (!ev)
		return 0;
	ev->a[0] = (__u64)xt_arg(ctx, 2);	/* op: XS_VM_* */
	ev->a[1] = xt_arg(ctx, 3);		/* addr */
	ev->a[2] = xt_arg(ctx, 4);		/* size */
	ev->a[3] = (__u64)xt_arg(ctx, 5);	/* prot: VM_PROT_* */
	xt_event_submit(ev);
	return 0;
}
