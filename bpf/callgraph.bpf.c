// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * callgraph.bpf.c: the dispatch and function-boundary probes of libxnusim.so
 * (xnu:syscall_entry/return, xnu:func_entry/return; docs/tracepoints.md).
 * Per thread, a shadow stack whose frames are syscall roots
 * (XT_ROOT_ID(family, number)) and modeled kernel functions; every pop adds
 * to a (caller, callee, root, pid) edge: calls, inclusive and self time.
 * Per syscall: count, errors, total time and a log2 latency histogram.
 * Optionally the ordered events, for live output (xnutrace trace).
 */
#include "vmlinux.h"
#include "bpf/xnutrace.h"
#include "bpf/maps.bpf.h"
#include "bpf/stack.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Knobs (set before load; see also maps.bpf.h and stack.bpf.h). */
const volatile __u32 targ_sys_events = 0;	/* send syscall entry/return events */
const volatile __u32 targ_func_events = 0;	/* send func entry/return events */

/* The path argument of a path-taking BSD call, or 0. */
static __always_inline __u64 path_arg(__s32 number, __u64 *a)
{
	int i;

	switch (number) {
	case 5: case 10: case 12: case 33: case 59: case 128: case 136: case 137:
	case 338: case 340: case 398:
		i = 0; break;	/* open, unlink, chdir, access, execve, rename, mkdir, rmdir, stat64, lstat64, open_nocancel */
	case 244: case 463: case 464: case 470: case 472: case 475:
		i = 1; break;	/* posix_spawn, openat(_nocancel), fstatat64, unlinkat, mkdirat */
	default:
		return 0;
	}
	return a[i & 3];
}

/*
 * Copy a user path into an event.  At entry this fails when the string's
 * page was never touched (BPF cannot fault it in), so the return event
 * carries the path again, read after the kernel's copyin made it resident.
 */
static __always_inline void read_path(char *dst, __u64 ptr)
{
	if (!ptr || bpf_probe_read_user_str(dst, XT_STR_LEN, (const void *)ptr) < 0)
		dst[0] = 0;
}

/* Mach traps that return a port name, not a kern_return_t (returns_port in mach-traps.tsv). */
static __always_inline bool returns_port(__s32 family, __s32 number)
{
	return family == XT_FAMILY_MACH &&
	       (number == -26 || number == -27 || number == -28 || number == -29 || number == -50);
}

SEC("usdt")
int handle_syscall_entry(struct pt_regs *ctx)
{
	__u64 now = bpf_ktime_get_ns(), tid;
	struct thread_state *st;
	struct xt_event *ev;
	__s32 pid, family, number;
	__u32 machine, depth, root;
	long arg[10];

	xt_args(ctx, arg, 10);
	machine = arg[0];
	pid = arg[1];
	tid = arg[2];
	family = arg[3];
	number = arg[4];
	root = XT_ROOT_ID(family, number);

	if (!xt_machine_ok(machine) || !xt_pid_ok(pid))
		return 0;
	st = state_get(machine, tid, true);
	if (!st)
		return 0;
	/* A root still active here lost its return (x86_64: an invalid Mach trap). */
	st->root = root;
	st->root_base = st->depth;
	st->root_start_ns = now;
	st->root_child_ns = 0;
	depth = st->depth;
	if (!targ_sys_events || !root_ok(root))
		return 0;
	ev = min_duration_ns ? &st->pending : xt_event_reserve(XT_EV_SYSCALL_ENTRY, machine, pid);
	if (!ev)
		return 0;
	ev->ts_ns = now;
	ev->type = XT_EV_SYSCALL_ENTRY;
	ev->machine = machine;
	ev->pid = pid;
	ev->tid = tid;
	ev->family = family;
	ev->id = number;
	ev->kdebug = arg[5];
	ev->a[0] = arg[6];
	ev->a[1] = arg[7];
	ev->a[2] = arg[8];
	ev->a[3] = arg[9];
	ev->host_tid = (__u32)bpf_get_current_pid_tgid();
	ev->depth = depth;
	ev->str[0] = 0;
	st->path_ptr = family == XT_FAMILY_BSD ? path_arg(number, ev->a) : 0;
	read_path(ev->str, st->path_ptr);
	if (!min_duration_ns)
		xt_event_submit(ev);
	return 0;
}

SEC("usdt")
int handle_syscall_return(struct pt_regs *ctx)
{
	__u64 now = bpf_ktime_get_ns(), tid, dur;
	__s32 pid, family, number, error;
	struct thread_state *st;
	__u32 machine, depth, root;
	struct xt_event *ev;
	long arg[7];

	xt_args(ctx, arg, 7);
	machine = arg[0];
	pid = arg[1];
	tid = arg[2];
	family = arg[3];
	number = arg[4];
	error = arg[6];
	root = XT_ROOT_ID(family, number);

	if (!xt_machine_ok(machine) || !xt_pid_ok(pid))
		return 0;
	st = state_get(machine, tid, false);
	if (!st) {
		xt_drop(XT_DROP_STACK_UNDERFLOW);
		return 0;
	}
	if (st->root != root) {
		xt_drop(XT_DROP_STACK_UNDERFLOW);	/* tracing started inside this call */
		return 0;
	}
	depth = st->depth;
	dur = root_end(st, root, pid, now, error != 0 && !returns_port(family, number));
	if (!root_ok(root))
		return 0;
	if (!targ_sys_events || dur < min_duration_ns)
		return 0;
	if (min_duration_ns && !st->pending.str[0])
		read_path(st->pending.str, st->path_ptr);
	if (min_duration_ns && bpf_ringbuf_output(&events, &st->pending, sizeof(st->pending),
						  BPF_RB_NO_WAKEUP) != 0) {
		xt_drop(XT_DROP_RINGBUF);
		return 0;
	}
	ev = xt_event_reserve(XT_EV_SYSCALL_RETURN, machine, pid);
	if (!ev)
		return 0;
	ev->ts_ns = now;
	ev->tid = tid;
	ev->family = family;
	ev->id = number;
	ev->a[0] = arg[5];
	ev->a[1] = (__u64)(__s64)error;
	ev->depth = depth;
	read_path(ev->str, st->path_ptr);
	xt_event_submit(ev);
	return 0;
}

static __always_inline int func_event(struct pt_regs *ctx, bool entry)
{
	__u64 now = bpf_ktime_get_ns(), tid;
	__u32 machine, fid, depth, root = 0;
	long arg[4];
	__s32 pid;
	struct thread_state *st;
	struct frame *f;
	struct xt_event *ev;

	xt_args(ctx, arg, 4);
	machine = arg[0];
	pid = arg[1];
	tid = arg[2];
	fid = arg[3];
	if (!xt_machine_ok(machine) || !xt_pid_ok(pid))
		return 0;
	st = state_get(machine, tid, entry);
	if (!st) {
		if (!entry)
			xt_drop(XT_DROP_STACK_UNDERFLOW);
		return 0;
	}
	depth = entry ? push(st, fid, now) : st->depth;
	if (depth > 0 && (f = frame_at(st, depth - 1)))
		root = f->root;		/* the pushed frame, or the one to pop */
	if (!entry)
		pop(st, fid, pid, now);
	if (!targ_func_events || (max_depth && depth > max_depth))
		return 0;
	if (!root_ok(root))
		return 0;
	ev = xt_event_reserve(entry ? XT_EV_FUNC_ENTRY : XT_EV_FUNC_RETURN, machine, pid);
	if (!ev)
		return 0;
	ev->ts_ns = now;
	ev->tid = tid;
	ev->id = fid;
	ev->depth = depth;
	xt_event_submit(ev);
	return 0;
}

SEC("usdt")
int handle_func_entry(struct pt_regs *ctx)
{
	return func_event(ctx, true);
}

SEC("usdt")
int handle_func_return(struct pt_regs *ctx)
{
	return func_event(ctx, false);
}
