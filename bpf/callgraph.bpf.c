// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * callgraph.bpf.c: the call graph of libxnusim.so, from its batched probe
 * xnu:syscall_callgraph (docs/tracepoints.md): one hit per hand-over (each
 * trap, or many when the collector sets a hand-over age) brings the
 * thread's function entries and returns and syscall entries and returns
 * since its last hand-over, in order, as records in the workload's
 * memory (struct xt_cg_head + struct xt_cg_rec[], bpf/xnutrace.h), read
 * here with bpf_probe_read_user; their times are clock ticks after the
 * batch's origin, converted here with the head's rate (XT_CG_NS).  Per thread, a shadow stack whose frames
 * are syscall roots (XT_ROOT_ID(family, number)) and modeled kernel
 * functions; every pop adds to a (caller, callee, root, pid) edge: calls,
 * inclusive and self time.  Per syscall: count, errors, total time and a
 * log2 latency histogram.  Optionally the ordered events, for live output
 * (xnutrace trace).  The accounting is the same as it was with one probe
 * hit per event (stack.bpf.h); only the transport changed.
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
 * Copy a user path into an event.  The batch is read when the trap is
 * over, after the kernel's copyin made the string resident, so this works
 * for the entry event as well as for the return's.
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

/* What every record of one batch shares. */
struct batch {
	struct thread_state *st;
	__u64 recs;		/* user address of the first record */
	__u64 sys;		/* user address of xt_cg_head.sys */
	__u32 nsys;
	__u64 tid;
	__u32 nrec;
	__u32 machine;
	__s32 pid;
	__u32 host_tid;
	__u64 base_ns;		/* the batch's time origin */
	__u64 mult;		/* ns per tick, 32.32 */
	bool bad;		/* a record could not be read: the rest is skipped */
};

static __always_inline void syscall_entry(struct batch *b, struct xt_cg_sys *s, __u64 now)
{
	struct thread_state *st = b->st;
	__u32 root = XT_ROOT_ID(s->family, s->number);
	struct xt_event *ev;

	/* A root still active here lost its return (x86_64: an invalid Mach trap). */
	st->root = root;
	st->root_base = st->depth;
	st->root_start_ns = now;
	st->root_child_ns = 0;
	if (!targ_sys_events || !root_ok(root))
		return;
	ev = min_duration_ns ? &st->pending
			     : xt_event_reserve(XT_EV_SYSCALL_ENTRY, b->machine, b->pid);
	if (!ev)
		return;
	ev->ts_ns = now;
	ev->type = XT_EV_SYSCALL_ENTRY;
	ev->machine = b->machine;
	ev->pid = b->pid;
	ev->tid = b->tid;
	ev->family = s->family;
	ev->id = s->number;
	ev->kdebug = s->kdebug;
	ev->a[0] = s->a[0];
	ev->a[1] = s->a[1];
	ev->a[2] = s->a[2];
	ev->a[3] = s->a[3];
	ev->host_tid = b->host_tid;
	ev->depth = st->depth;
	ev->str[0] = 0;
	st->path_ptr = s->family == XT_FAMILY_BSD ? path_arg(s->number, ev->a) : 0;
	read_path(ev->str, st->path_ptr);
	if (!min_duration_ns)
		xt_event_submit(ev);
}

static __always_inline void syscall_return(struct batch *b, struct xt_cg_sys *s, __u64 now)
{
	struct thread_state *st = b->st;
	__u32 root = XT_ROOT_ID(s->family, s->number), depth;
	struct xt_event *ev;
	__u64 dur;

	if (st->root != root) {
		xt_drop(XT_DROP_STACK_UNDERFLOW);	/* tracing started inside this call */
		return;
	}
	depth = st->depth;
	dur = root_end(st, root, b->pid, now, s->error != 0 && !returns_port(s->family, s->number));
	if (!root_ok(root) || !targ_sys_events || dur < min_duration_ns)
		return;
	if (min_duration_ns && !st->pending.str[0])
		read_path(st->pending.str, st->path_ptr);
	if (min_duration_ns && bpf_ringbuf_output(&events, &st->pending, sizeof(st->pending),
						  BPF_RB_NO_WAKEUP) != 0) {
		xt_drop(XT_DROP_RINGBUF);
		return;
	}
	ev = xt_event_reserve(XT_EV_SYSCALL_RETURN, b->machine, b->pid);
	if (!ev)
		return;
	ev->ts_ns = now;
	ev->tid = b->tid;
	ev->family = s->family;
	ev->id = s->number;
	ev->a[0] = s->a[0];
	ev->a[1] = (__u64)(__s64)s->error;
	ev->depth = depth;
	read_path(ev->str, st->path_ptr);
	xt_event_submit(ev);
}

static __always_inline void func_event(struct batch *b, __u32 fid, __u64 now, bool entry)
{
	struct thread_state *st = b->st;
	__u32 depth, root = 0;
	struct frame *f;
	struct xt_event *ev;

	depth = entry ? push(st, fid, now) : st->depth;
	if (depth > 0 && (f = frame_at(st, depth - 1)))
		root = f->root;		/* the pushed frame, or the one to pop */
	if (!entry)
		pop(st, fid, b->pid, now);
	if (!targ_func_events || (max_depth && depth > max_depth))
		return;
	if (!root_ok(root))
		return;
	ev = xt_event_reserve(entry ? XT_EV_FUNC_ENTRY : XT_EV_FUNC_RETURN, b->machine, b->pid);
	if (!ev)
		return;
	ev->ts_ns = now;
	ev->tid = b->tid;
	ev->id = fid;
	ev->depth = depth;
	xt_event_submit(ev);
}

/* bpf_loop callback: record i of the batch, reading a chunk when i starts one. */
static long one_record(__u32 i, struct batch *b)
{
	struct thread_state *st = b->st;
	__u32 j = i % XT_CG_CHUNK;
	struct xt_cg_rec *r;
	struct xt_cg_sys *s;
	__u64 now;
	__u32 id;

	if (i >= b->nrec || b->bad)
		return 1;
	if (j == 0) {
		__u64 size = (__u64)(b->nrec - i) * sizeof(struct xt_cg_rec);

		if (size > sizeof(st->chunk))
			size = sizeof(st->chunk);
		/* Keep clang from testing one register and passing another (see frame_at). */
		asm volatile("" : "+r"(size));
		if (size == 0 || size > sizeof(st->chunk) ||
		    bpf_probe_read_user(st->chunk, size,
					(const void *)(b->recs + (__u64)i * sizeof(*r)))) {
			b->bad = true;
			return 1;
		}
	}
	r = &st->chunk[j & (XT_CG_CHUNK - 1)];
	now = XT_CG_NS(b->base_ns, b->mult, r->dt);
	id = XT_CG_VALUE(r->word);
	switch (XT_CG_KIND(r->word)) {
	case XT_CG_ENTRY:
		func_event(b, id, now, true);
		break;
	case XT_CG_RETURN:
		func_event(b, id, now, false);
		break;
	case XT_CG_SYS_ENTRY:
	case XT_CG_SYS_RETURN:
		if (id >= XT_CG_MAX_SYS || id >= b->nsys)
			break;
		s = &st->sys;
		if (bpf_probe_read_user(s, sizeof(*s),
					(const void *)(b->sys + (__u64)(id & (XT_CG_MAX_SYS - 1)) *
								sizeof(*s)))) {
			b->bad = true;
			return 1;
		}
		if (XT_CG_KIND(r->word) == XT_CG_SYS_ENTRY)
			syscall_entry(b, s, now);
		else
			syscall_return(b, s, now);
		break;
	default:
		break;
	}
	return 0;
}

/*
 * xnu:syscall_callgraph(machine, pid, tid, batch, nrecords): aggregate the
 * batch record by record, in order, into this thread's shadow stack.
 */
SEC("usdt")
int handle_syscall_callgraph(struct pt_regs *ctx)
{
	struct batch b = {};
	/* struct xt_cg_head up to its sys[]: 48 bytes of stack */
	struct { __u32 nrec, nsys; __u64 lost, base, base_ns, mult, pad; } hd;
	long arg[5];
	__u64 head;

	_Static_assert(sizeof(hd) == __builtin_offsetof(struct xt_cg_head, sys), "head");
	xt_args(ctx, arg, 5);
	b.machine = arg[0];
	b.pid = arg[1];
	b.tid = arg[2];
	head = arg[3];
	b.nrec = arg[4];
	if (!xt_machine_ok(b.machine) || !xt_pid_ok(b.pid) || !head || !b.nrec)
		return 0;
	b.st = state_get(b.machine, b.tid, true);
	if (!b.st)
		return 0;
	/* The head's counts and clock only: a syscall record's details are read when met. */
	if (bpf_probe_read_user(&hd, sizeof(hd), (const void *)head)) {
		xt_drop(XT_DROP_STACK_UNDERFLOW);	/* unreadable: the batch is lost */
		return 0;
	}
	b.nsys = hd.nsys;
	b.base_ns = hd.base_ns;
	b.mult = hd.mult;
	b.sys = head + __builtin_offsetof(struct xt_cg_head, sys);
	b.recs = head + sizeof(struct xt_cg_head);
	b.host_tid = (__u32)bpf_get_current_pid_tgid();
	bpf_loop(b.nrec, one_record, &b, 0);
	if (b.bad)
		xt_drop(XT_DROP_STACK_UNDERFLOW);
	return 0;
}
