/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * maps.bpf.h: what every xnutrace BPF object shares: the ordered event ring
 * (`events`), the per-CPU loss counters (`drops`), the machine and pid
 * filters and the ring buffer's batched wake-up.  BPF-only; included after
 * vmlinux.h and bpf/xnutrace.h.
 *
 * Each object defines its own `events` and `drops`; the collector makes the
 * second object reuse the first one's maps (bpf_map__reuse_fd before load),
 * so there is one ring and one counter array per recording.
 */
#ifndef XT_BPF_MAPS_BPF_H
#define XT_BPF_MAPS_BPF_H

#include <bpf/bpf_helpers.h>
#include <bpf/usdt.bpf.h>

#define XT_EEXIST 17	/* vmlinux.h carries no errno values */

/* Ordered events for live output and timelines; size set by the collector. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 24);
} events SEC(".maps");

/* key: enum xt_drop; value: events lost there, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XT_DROP_MAX);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* Knobs shared by every object: set by the collector before load. */
const volatile __u32 targ_machine = 0;		/* 0: every machine */
const volatile __s32 filter_pid = -1;		/* simulated pid; -1: every process */
/* Wake the consumer only once this much is queued (0: never; it polls on a timer). */
const volatile __u64 targ_wakeup_bytes = 1 << 20;

static __always_inline void xt_drop(__u32 where)
{
	__u64 *n = bpf_map_lookup_elem(&drops, &where);

	if (n)
		*n += 1;	/* per-CPU slot: no atomic needed */
}

/*
 * Batched wake-ups: NO_WAKEUP normally (NOTES.md: the collector consumes on a
 * timer), FORCE_WAKEUP once a backlog builds up, so a busy producer does not
 * fill the ring while the consumer sleeps out its timer.
 */
static __always_inline __u64 xt_wakeup_flags(void)
{
	if (targ_wakeup_bytes && bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= targ_wakeup_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

/* A reserved, zeroed-header event; NULL (and a counted drop) when the ring is full. */
static __always_inline struct xt_event *xt_event_reserve(__u32 type, __u32 machine, __s32 pid)
{
	struct xt_event *ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);

	if (!ev) {
		xt_drop(XT_DROP_RINGBUF);
		return NULL;
	}
	ev->ts_ns = bpf_ktime_get_ns();
	ev->tid = 0;
	ev->type = type;
	ev->machine = machine;
	ev->pid = pid;
	ev->family = 0;
	ev->id = 0;
	ev->kdebug = 0;
	ev->a[0] = ev->a[1] = ev->a[2] = ev->a[3] = 0;
	ev->host_tid = (__u32)bpf_get_current_pid_tgid();
	ev->depth = 0;
	ev->str[0] = 0;
	return ev;
}

static __always_inline void xt_event_submit(struct xt_event *ev)
{
	bpf_ringbuf_submit(ev, xt_wakeup_flags());
}

/*
 * The probe's first n arguments (n a constant), as bpf_usdt_arg decodes
 * them, but with one spec lookup and one copy of the registers for all of
 * them: bpf_usdt_arg pays a map lookup and a helper call per argument, which
 * was most of a probe hit's cost here.  Missing arguments read as 0.
 */
static __always_inline int xt_args(struct pt_regs *ctx, long *out, int n)
{
	struct __bpf_usdt_spec *spec;
	struct pt_regs regs;
	int id = __bpf_usdt_spec_id(ctx);

	for (int i = 0; i < n; i++)
		out[i] = 0;
	if (id < 0)
		return -1;
	spec = bpf_map_lookup_elem(&__bpf_usdt_specs, &id);
	if (!spec || bpf_probe_read_kernel(&regs, sizeof(regs), ctx))
		return -1;
#pragma unroll
	for (int i = 0; i < n && i < BPF_USDT_MAX_ARG_CNT; i++) {
		struct __bpf_usdt_arg_spec *a = &spec->args[i];
		unsigned long val, off;

		if (i >= spec->arg_cnt)
			break;
		if (a->arg_type == BPF_USDT_ARG_CONST) {
			val = a->val_off;
		} else {
			off = a->reg_off & 0xff8;	/* pt_regs slots are 8-byte aligned */
			if (off > sizeof(regs) - sizeof(val))
				continue;
			val = *(unsigned long *)((void *)&regs + off);
			if (a->arg_type == BPF_USDT_ARG_REG_DEREF &&
			    bpf_probe_read_user(&val, sizeof(val), (void *)val + a->val_off))
				continue;
		}
		val <<= a->arg_bitshift;
		if (a->arg_signed)
			val = ((long)val) >> a->arg_bitshift;
		else
			val = val >> a->arg_bitshift;
		out[i] = val;
	}
	return 0;
}

/* One argument (rare probes; hot ones take them all at once with xt_args). */
static __always_inline long xt_arg(struct pt_regs *ctx, __u64 n)
{
	long v = 0;

	bpf_usdt_arg(ctx, n, &v);
	return v;
}

/* Is this probe hit on the machine we trace? (arg0 of every probe) */
static __always_inline bool xt_machine_ok(__u32 machine)
{
	return targ_machine == 0 || machine == targ_machine;
}

static __always_inline bool xt_pid_ok(__s32 pid)
{
	return filter_pid < 0 || pid == filter_pid;
}

#endif /* XT_BPF_MAPS_BPF_H */
