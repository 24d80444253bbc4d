/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * stack.bpf.h: the per-thread shadow stacks behind callgraph.bpf.c and the
 * in-kernel aggregation they feed: (caller, callee, root, pid) edges with
 * calls, inclusive and self time, and per-syscall counts, errors, time and
 * log2 latency histograms.  BPF-only; included once, by callgraph.bpf.c.
 *
 * Accounting (docs/bpf.md): a call is counted at its return; self time is
 * inclusive time minus the inclusive time of its finished callees; the
 * syscall root sits between the dispatcher and the handler; functions
 * outside any syscall hang under the "(kernel)" root, XT_ROOT_ID(0, 0).
 */
#ifndef XT_BPF_STACK_BPF_H
#define XT_BPF_STACK_BPF_H

#define XT_ROOT_KERNEL XT_ROOT_ID(0, 0)	/* functions outside any syscall */
#define XT_CG_CHUNK 32			/* batch records read per bpf_probe_read_user */

/* Knobs (set before load; see also maps.bpf.h). */
const volatile __s32 filter_family = 0;		/* XT_FAMILY_*; 0: both */
const volatile __s32 filter_number = 0;		/* with filter_has_number */
const volatile __u32 filter_has_number = 0;
const volatile __u64 min_duration_ns = 0;	/* syscall events shorter than this are not sent */
const volatile __u32 max_depth = 0;		/* edges and func events this deep at most; 0: all */

struct frame {
	__u32 id;		/* function id or root id */
	__u32 root;		/* the syscall root this frame runs under, 0 if none */
	__u64 start_ns;
	__u64 child_ns;		/* inclusive time of the frame's finished callees */
};

/*
 * The active syscall is not a frame: on arm64 xnu:syscall_entry fires inside
 * arm_trace_unix_syscall, which returns before the handler runs.  It sits
 * between frames[root_base - 1] (the dispatcher) and frames[root_base] (the
 * handler): a frame pushed at root_base while it is active has the root as
 * its caller.  A frame popping below root_base lowers root_base.
 */
struct thread_state {
	__u32 depth;		/* logical depth; frames past XT_MAX_DEPTH are not stored */
	__u32 root;		/* XT_ROOT_ID of the active syscall, 0 if none */
	__u32 root_base;
	__u32 pad;
	__u64 tid;		/* simulated tid, once known */
	__u64 path_ptr;		/* the active syscall's user path argument, or 0 */
	__u64 root_start_ns;
	__u64 root_child_ns;	/* inclusive time of the root's finished callees */
	struct xt_event pending;	/* a syscall entry held back for min_duration_ns */
	struct frame frames[XT_MAX_DEPTH];
	/* Scratch of the batch being read (callgraph.bpf.c): one thread's own. */
	struct xt_cg_sys sys;	/* the syscall record's details, read when met */
	struct xt_cg_rec chunk[XT_CG_CHUNK];
};

/*
 * Keyed by host thread, not simulated tid: a thread's first traps run before
 * it is bound (tid 0).  A different simulated tid on the same host thread
 * (after exec, or a recycled host tid) starts a fresh stack.
 */
struct thread_key {
	__u32 machine;
	__u32 host_tid;
};

/* key: (machine, host thread); value: its shadow stack.  LRU: threads that
 * exit inside a call (exit, exec) leave a stack behind that ages out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct thread_key);
	__type(value, struct thread_state);
} thread_stacks SEC(".maps");

/* key: 0; value: an all-zero thread_state to create stacks from (never written). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct thread_state);
} zero_state SEC(".maps");

/* key: struct xt_edge_key (caller, callee, root, pid); value: struct xt_edge_val */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct xt_edge_key);
	__type(value, struct xt_edge_val);
} call_edges SEC(".maps");

/* key: struct xt_sys_key (family, number); value: struct xt_sys_val */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct xt_sys_key);
	__type(value, struct xt_sys_val);
} syscall_stats SEC(".maps");

static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 r = 0, s;

	s = (v > 0xffffffffULL) << 5; v >>= s; r |= s;
	s = (v > 0xffff) << 4; v >>= s; r |= s;
	s = (v > 0xff) << 3; v >>= s; r |= s;
	s = (v > 0xf) << 2; v >>= s; r |= s;
	s = (v > 0x3) << 1; v >>= s; r |= s;
	return r | (__u32)(v >> 1);
}

static __always_inline struct thread_state *state_get(__u32 machine, __u64 tid, bool create)
{
	struct thread_key k = { .machine = machine, .host_tid = (__u32)bpf_get_current_pid_tgid() };
	struct thread_state *st;
	__u32 zero = 0;

	st = bpf_map_lookup_elem(&thread_stacks, &k);
	if (!st && create) {
		st = bpf_map_lookup_elem(&zero_state, &zero);
		if (!st || bpf_map_update_elem(&thread_stacks, &k, st, BPF_NOEXIST) != 0) {
			xt_drop(XT_DROP_MAP_FULL);
			return NULL;
		}
		st = bpf_map_lookup_elem(&thread_stacks, &k);
	}
	if (st && tid && st->tid != tid) {
		if (st->tid) {		/* another simulated thread now: the old stack is gone */
			st->depth = 0;
			st->root = 0;
		}
		st->tid = tid;
	}
	return st;
}

/* Edges and events are kept for the syscalls the filters select. */
static __always_inline bool root_ok(__u32 root)
{
	__s32 family, number;

	if (root == XT_ROOT_KERNEL)	/* front-end code outside any syscall */
		return !filter_family && !filter_has_number;
	family = (root >> 24) & 0x7f;
	number = ((__s32)(root << 8)) >> 8;	/* sign-extend the 24-bit number */
	if (filter_family && family != filter_family)
		return false;
	return !filter_has_number || number == filter_number;
}

static __always_inline void edge_add(struct xt_edge_key *k, __u64 incl, __u64 self)
{
	struct xt_edge_val *v = bpf_map_lookup_elem(&call_edges, k), zero = {};
	long err;

	if (!v) {
		err = bpf_map_update_elem(&call_edges, k, &zero, BPF_NOEXIST);
		if (err && err != -XT_EEXIST) {
			xt_drop(XT_DROP_MAP_FULL);
			return;
		}
		v = bpf_map_lookup_elem(&call_edges, k);
		if (!v) {
			xt_drop(XT_DROP_MAP_FULL);
			return;
		}
	}
	__sync_fetch_and_add(&v->calls, 1);
	__sync_fetch_and_add(&v->incl_ns, incl);
	__sync_fetch_and_add(&v->self_ns, self);
}

static __always_inline void sys_add(__s32 family, __s32 number, __u64 dur, bool failed)
{
	struct xt_sys_key k = { .family = family, .number = number };
	struct xt_sys_val *v = bpf_map_lookup_elem(&syscall_stats, &k);
	__u32 slot = log2_u64(dur);
	long err;

	if (!v) {
		/* Too big for the stack: start from the zero state's first bytes. */
		__u32 zero = 0;
		void *z = bpf_map_lookup_elem(&zero_state, &zero);

		if (!z)
			return;
		err = bpf_map_update_elem(&syscall_stats, &k, z, BPF_NOEXIST);
		if (err && err != -XT_EEXIST) {
			xt_drop(XT_DROP_MAP_FULL);
			return;
		}
		v = bpf_map_lookup_elem(&syscall_stats, &k);
		if (!v) {
			xt_drop(XT_DROP_MAP_FULL);
			return;
		}
	}
	__sync_fetch_and_add(&v->count, 1);
	if (failed)
		__sync_fetch_and_add(&v->errors, 1);
	__sync_fetch_and_add(&v->total_ns, dur);
	if (slot >= XT_HIST_SLOTS)
		slot = XT_HIST_SLOTS - 1;
	__sync_fetch_and_add(&v->hist[slot], 1);
}

/*
 * The stored frame at index i, or NULL past the array.  The empty asm keeps
 * clang from folding the check into an earlier one on a different register,
 * which the verifier then cannot connect to this access.
 */
static __always_inline struct frame *frame_at(struct thread_state *st, __u32 i)
{
	asm volatile("" : "+r"(i));
	if (i >= XT_MAX_DEPTH)
		return NULL;
	return &st->frames[i];
}

/* Push a function frame; returns the new logical depth. */
static __always_inline __u32 push(struct thread_state *st, __u32 id, __u64 now)
{
	__u32 d = st->depth;
	struct frame *f = frame_at(st, d);

	if (f) {
		f->id = id;
		f->root = st->root ? st->root : XT_ROOT_KERNEL;
		f->start_ns = now;
		f->child_ns = 0;
	} else {
		xt_drop(XT_DROP_STACK_OVERFLOW);
	}
	st->depth = d + 1;
	return d + 1;
}

/*
 * Pop the frame of function `id` and account its edge.  A return that does
 * not match the top frame is counted as an underflow and ignored.
 */
static __always_inline void pop(struct thread_state *st, __u32 id, __s32 pid, __u64 now)
{
	struct xt_edge_key k = { .callee = id, .pid = pid };
	__u32 d = st->depth, i;
	struct frame *f, *parent;
	__u64 dur, self;
	bool under_root;
	__u32 rel;

	if (d == 0) {
		xt_drop(XT_DROP_STACK_UNDERFLOW);
		return;
	}
	i = d - 1;
	f = frame_at(st, i);
	if (!f) {
		st->depth = i;	/* an unstored frame (its overflow was counted) */
		return;
	}
	if (f->id != id) {
		xt_drop(XT_DROP_STACK_UNDERFLOW);
		return;
	}
	dur = now - f->start_ns;
	self = dur > f->child_ns ? dur - f->child_ns : 0;
	k.root = f->root;
	parent = i ? frame_at(st, i - 1) : NULL;
	under_root = st->root && f->root == st->root && i >= st->root_base;
	if (under_root && i == st->root_base) {
		k.caller = st->root;		/* the handler, called by the dispatch */
		st->root_child_ns += dur;
	} else if (parent) {
		k.caller = parent->id;
		parent->child_ns += dur;
	} else {
		k.caller = XT_ROOT_KERNEL;	/* outermost: under the "(kernel)" root */
	}
	rel = under_root ? i - st->root_base + 1 : i + 1;	/* depth below the root */
	st->depth = i;
	if (st->root && i < st->root_base)
		st->root_base = i;
	if (i == 0)
		st->root = 0;	/* back in user space: a root without return is over */
	if (!root_ok(k.root) || (max_depth && rel > max_depth))
		return;
	edge_add(&k, dur, self);
	if (!parent) {		/* the implicit "(kernel)" root's own edge */
		struct xt_edge_key kk = { 0, XT_ROOT_KERNEL, XT_ROOT_KERNEL, pid };

		edge_add(&kk, dur, 0);
	}
}

/* The active syscall ends: its own edge (caller 0) and its statistics. */
static __always_inline __u64 root_end(struct thread_state *st, __u32 root, __s32 pid,
				      __u64 now, bool failed)
{
	struct xt_edge_key k = { .caller = 0, .callee = root, .root = root, .pid = pid };
	__u64 dur = now - st->root_start_ns;
	__u64 self = dur > st->root_child_ns ? dur - st->root_child_ns : 0;
	struct frame *dispatcher;

	dispatcher = st->root_base ? frame_at(st, st->root_base - 1) : NULL;
	if (dispatcher)
		dispatcher->child_ns += dur;
	st->root = 0;
	if (!root_ok(root))
		return dur;
	edge_add(&k, dur, self);
	if (dur >= min_duration_ns)
		sys_add((root >> 24) & 0x7f, ((__s32)(root << 8)) >> 8, dur, failed);
	return dur;
}

#endif /* XT_BPF_STACK_BPF_H */
