/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xs_trace.c: every tracepoint site of the kernel (USDT provider "xnu"), the
 * USDT semaphores, the per-thread batches of the call graph, and the
 * function registry (id -> XNU name, path, subsystem).  XNU's equivalent is
 * kdebug (KERNEL_DEBUG_CONSTANT_IST and KDBG_RELEASE) plus DTrace's fbt
 * provider.  Corresponds to osfmk/kern/kdebug.c (bsd/kern/kdebug.c in XNU)
 * in spirit; the probe contract is docs/tracepoints.md.
 */
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace_inproc.h"

#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/kern_types.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osl/osl.h"

#if defined(XS_NO_TRACE)
/* Probes compiled out: still "use" the arguments so the fire functions build. */
static inline void xs_probe_sink(int unused, ...) { (void)unused; }
#undef OSL_PROBE
#define OSL_PROBE(name, ...) xs_probe_sink(0, __VA_ARGS__)
#endif

/* The batched call graph needs the user-space transport (TLS, USDT). */
#if !defined(XS_NO_TRACE) && !defined(XS_KMOD)
#define XS_CG 1
#else
#define XS_CG 0
#endif

/*
 * The semaphores.  A tracer that attaches to a probe increments its
 * semaphore; OSL_PROBE_ENABLED reads it, so a probe nobody listens to costs
 * one load and a not-taken branch.  sys/sdt.h expects them in .probes, named
 * <provider>_<probe>_semaphore, visible to the tracer (exported): each name
 * is an alias of its slot in one block (osl_probe.h explains the layout).
 */
#if XS_CG
__attribute__((section(".probes"), used, aligned(32), visibility("hidden")))
volatile unsigned short osl_probe_sems[OSL_SEM_COUNT];

#define XS_STR_(x) #x
#define XS_STR(x) XS_STR_(x)
#define XS_SEMAPHORE(name, slot)                                                 \
	__asm__(".globl xnu_" #name "_semaphore\n\t"                             \
		".type xnu_" #name "_semaphore, @object\n\t"                     \
		".size xnu_" #name "_semaphore, 2\n\t"                           \
		".set xnu_" #name "_semaphore, osl_probe_sems + 2 * " XS_STR(slot))
__asm__(".globl xnu_probe_semaphores\n\t"
	".type xnu_probe_semaphores, @object\n\t"
	".size xnu_probe_semaphores, " XS_STR(OSL_SEM_COUNT) " * 2\n\t"
	".set xnu_probe_semaphores, osl_probe_sems");
XS_SEMAPHORE(func_entry, OSL_SEM_FUNC_ENTRY);
XS_SEMAPHORE(syscall_callgraph, OSL_SEM_SYSCALL_CALLGRAPH);
XS_SEMAPHORE(func_return, OSL_SEM_FUNC_RETURN);
XS_SEMAPHORE(syscall_entry, OSL_SEM_SYSCALL_ENTRY);
XS_SEMAPHORE(syscall_return, OSL_SEM_SYSCALL_RETURN);
XS_SEMAPHORE(proc_create, OSL_SEM_PROC_CREATE);
XS_SEMAPHORE(proc_exec, OSL_SEM_PROC_EXEC);
XS_SEMAPHORE(proc_exit, OSL_SEM_PROC_EXIT);
XS_SEMAPHORE(msg_send, OSL_SEM_MSG_SEND);
XS_SEMAPHORE(msg_receive, OSL_SEM_MSG_RECEIVE);
XS_SEMAPHORE(vm_map_change, OSL_SEM_VM_MAP_CHANGE);
#endif

/*
 * Who is running: machine id, simulated pid and tid.  Deliberately calls no
 * modeled function (xs_current_proc carries XS_FUNC, and func_entry would
 * recurse): the proc sits right before its task in the proc_task element.
 */
struct xs_who {
	uint32_t machine;
	int32_t pid;
	uint64_t tid;
	struct xs_trace_ring *ring;	/* the inproc ring when on (xs_trace_inproc.h) */
};

static inline struct xs_who xs_trace_who(void)
{
	struct xs_who w = { 0, 0, 0, 0 };
	struct xs_machine *m = osl_machine();
	struct thread *th = osl_current_thread();

	if (m) {
		w.machine = m->m_id;
		w.ring = __atomic_load_n(&m->m_trace_ring, __ATOMIC_ACQUIRE);
		if (w.ring && !__atomic_load_n(&w.ring->r_enabled, __ATOMIC_RELAXED))
			w.ring = 0;
	}
	if (th) {
		w.tid = th->thread_id;
		if (th->task && !th->task->is_kernel_task)
			w.pid = xs_container_of(th->task, struct proc_task, pt_task)->pt_proc.p_pid;
	}
	return w;
}

static inline int32_t xs_trace_pid_of(const struct proc *p)
{
	return p ? p->p_pid : 0;
}

/*
 * The inproc transport of the lifecycle probes: one record into the
 * machine's ring, beside the USDT probe (xs_trace_inproc.h).  A full ring
 * counts a drop there.  Syscall and function events reach the ring in
 * batches (below).
 */
static void xs_trace_ring_put(const struct xs_who *w, uint32_t type, uint64_t a0,
			      uint64_t a1, uint64_t a2, uint64_t a3, const char *str)
{
	uint64_t pos;
	struct xs_trace_slot *s = xs_trace_inproc_claim(w->ring, &pos);
	struct xs_trace_record *r;

	if (!s)
		return;
	r = &s->ts_rec;
	xs_memset(r, 0, sizeof(*r));
	r->tr_ts_ns = osl_absolute_time();
	r->tr_tid = w->tid;
	r->tr_type = type;
	r->tr_machine = w->machine;
	r->tr_pid = w->pid;
	r->tr_a[0] = a0;
	r->tr_a[1] = a1;
	r->tr_a[2] = a2;
	r->tr_a[3] = a3;
	r->tr_host_tid = (uint32_t)osl_host_tid();
	if (str)
		xs_strlcpy(r->tr_str, str, sizeof(r->tr_str));
	xs_trace_inproc_publish(s, pos);
}

#define XS_TRACE_RING(w, ...)                                                    \
	do {                                                                     \
		if (__builtin_expect((w).ring != 0, 0))                          \
			xs_trace_ring_put(&(w), __VA_ARGS__);                    \
	} while (0)

/* ---- The batched call graph ------------------------------------------------ */

#if XS_CG
/*
 * The machine's batch clock calibration, m_trace_clock: [0] a sequence
 * word (odd while written, 0 never), [1] mult, [2] tick base, [3] ns base
 * (osl_trace_clock_measure).  Written rarely (the collector's start), read
 * at every hand-over.
 */
static void xs_cg_clock_store(struct xs_machine *m, uint64_t mult, uint64_t tb, uint64_t nb)
{
	uint64_t seq = __atomic_load_n(&m->m_trace_clock[0], __ATOMIC_ACQUIRE);

	if ((seq & 1) || !__atomic_compare_exchange_n(&m->m_trace_clock[0], &seq, seq + 1, false,
						      __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return;		/* somebody else is writing one */
	__atomic_store_n(&m->m_trace_clock[1], mult, __ATOMIC_RELAXED);
	__atomic_store_n(&m->m_trace_clock[2], tb, __ATOMIC_RELAXED);
	__atomic_store_n(&m->m_trace_clock[3], nb, __ATOMIC_RELAXED);
	__atomic_store_n(&m->m_trace_clock[0], seq + 2, __ATOMIC_RELEASE);
}

static bool xs_cg_clock_load(struct xs_machine *m, uint64_t c[3])
{
	for (int tries = 0; tries < 100; tries++) {
		uint64_t s0 = __atomic_load_n(&m->m_trace_clock[0], __ATOMIC_ACQUIRE);

		if (s0 == 0)
			return false;
		if (s0 & 1)
			continue;
		c[0] = __atomic_load_n(&m->m_trace_clock[1], __ATOMIC_RELAXED);
		c[1] = __atomic_load_n(&m->m_trace_clock[2], __ATOMIC_RELAXED);
		c[2] = __atomic_load_n(&m->m_trace_clock[3], __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&m->m_trace_clock[0], __ATOMIC_RELAXED) == s0)
			return true;
	}
	return false;
}

int xs_trace_clock_calibrate(unsigned ms)
{
	struct xs_machine *m = osl_machine();
	uint64_t mult, tb, nb;

	if (!m || osl_trace_clock_measure(ms, &mult, &tb, &nb) != 0)
		return -1;
	xs_cg_clock_store(m, mult, tb, nb);
	return 0;
}

/*
 * The batch's clock for its consumers: its origin in osl_absolute_time()
 * nanoseconds and the ticks' rate (XS_CG_NS).  No calibration to be had:
 * mult 0, so every record reads as the origin (order only).
 */
static void xs_cg_stamp(struct xs_machine *m, struct xs_cg_batch *b)
{
	uint64_t c[3];

	if (!m || (!xs_cg_clock_load(m, c) &&
		   (xs_trace_clock_calibrate(2) != 0 || !xs_cg_clock_load(m, c)))) {
		b->cb_base_ns = osl_absolute_time();
		b->cb_mult = 0;
		return;
	}
	b->cb_base_ns = c[2] + (uint64_t)(int64_t)((__int128)(int64_t)(b->cb_base - c[1]) *
						   (__int128)c[0] >> 32);
	b->cb_mult = c[0];
}

/* An empty batch, its records' time origin now. */
static inline void xs_cg_restart(struct xs_cg_batch *b)
{
	b->cb_nrec = 0;
	b->cb_nsys = 0;
	b->cb_lost = 0;
	b->cb_base = osl_trace_ticks();
}

/*
 * Hand the batch over: xnu:syscall_callgraph (the bpf backend reads the
 * records with bpf_probe_read_user while the probe fires) and the inproc
 * ring, then start a new one.  The batch belongs to whoever runs now: a
 * thread that binds to a simulated thread mid-batch (attach, a fork child)
 * reports the whole batch under its new identity.
 */
static __attribute__((noinline, cold)) void xs_cg_flush(struct xs_cg_batch *b)
{
	struct xs_who w;

	if (b->cb_nrec == 0) {
		xs_cg_restart(b);
		return;
	}
	w = xs_trace_who();
	xs_cg_stamp(osl_machine(), b);
	OSL_PROBE(syscall_callgraph, w.machine, w.pid, w.tid, (uint64_t)(uintptr_t)b, b->cb_nrec);
	if (w.ring)
		xs_trace_inproc_put_batch(w.ring, w.machine, w.pid, w.tid,
					  (uint32_t)osl_host_tid(), b);
	xs_cg_restart(b);
	osl_trace_tls.ot_flags &= ~OSL_TRACE_FLUSH_TRAP;
}

/*
 * A trap ends: hand the batch over now, or keep it for the next traps
 * (xs_trace.h, "The batched call graph").  b holds the trap's last return.
 */
static inline bool xs_cg_handover_due(const struct xs_cg_batch *b)
{
	struct xs_machine *m;
	struct thread *th;
	uint64_t age;

	if (osl_trace_tls.ot_flags & (OSL_TRACE_FLUSH_EACH | OSL_TRACE_FLUSH_TRAP))
		return true;
	/*
	 * Only a process's one thread keeps its batch: it is the thread that
	 * ends the host process (osl_trace.c hands its batch over at exit),
	 * where another thread's would be lost with the process.
	 */
	th = osl_current_thread();
	if (!th || !th->task || __atomic_load_n(&th->task->thread_count, __ATOMIC_RELAXED) != 1)
		return true;
	m = osl_machine();
	age = m ? __atomic_load_n(&m->m_trace_handover, __ATOMIC_RELAXED) : 0;
	return age == 0 || b->cb_rec[b->cb_nrec - 1].cr_dt - b->cb_rec[0].cr_dt >= age;
}

int xs_trace_set_handover(uint64_t ns)
{
	struct xs_machine *m = osl_machine();
	uint64_t c[3];

	if (!m)
		return -1;
	if (ns != 0 && !xs_cg_clock_load(m, c) &&
	    (xs_trace_clock_calibrate(2) != 0 || !xs_cg_clock_load(m, c)))
		return -1;
	/* ns = ticks * mult >> 32, so ticks = (ns << 32) / mult */
	__atomic_store_n(&m->m_trace_handover,
			 ns ? (uint64_t)(((unsigned __int128)ns << 32) / (c[0] ? c[0] : 1)) : 0,
			 __ATOMIC_RELAXED);
	return 0;
}

void xs_trace_callgraph_flush(void)
{
	struct xs_cg_batch *b = osl_trace_tls.ot_batch;

	if (b)
		xs_cg_flush(b);
}

static __attribute__((noinline, cold)) struct xs_cg_batch *xs_cg_batch_alloc(void)
{
	struct xs_cg_batch *b = osl_trace_batch_alloc(sizeof(struct xs_cg_batch));

	if (b)
		xs_cg_restart(b);
	return b;
}

/* The thread's batch with room for one more record (NULL: none to be had). */
static inline struct xs_cg_batch *xs_cg_room(void)
{
	struct xs_cg_batch *b = osl_trace_tls.ot_batch;

	if (__builtin_expect(!b, 0))
		b = xs_cg_batch_alloc();
	if (b && __builtin_expect(b->cb_nrec >= XS_CG_MAX_REC, 0))
		xs_cg_flush(b);
	return b;
}

/*
 * Slot n (claimed) is 2^32 ticks or more after the origin: hand the
 * records before it over, if any, and make it slot 0 of a batch whose
 * origin is t.  Only a function record can have records before it here (a
 * syscall record reads the clock only as a batch's first: xs_cg_sys_put),
 * so no syscall detail has to move.  Returns the record's slot.
 */
static __attribute__((noinline, cold)) uint32_t xs_cg_rebase(struct xs_cg_batch *b, uint32_t n,
							     uint64_t t)
{
	if (n) {
		b->cb_nrec = n;
		xs_cg_flush(b);
		b->cb_nrec = 1;
	}
	b->cb_base = t;
	return 0;
}

/*
 * One record.  The slot is claimed before it is filled, so a signal handler
 * that records in between appends after it rather than over it.
 */
static inline void xs_cg_put(struct xs_cg_batch *b, uint32_t word)
{
	uint32_t n = b->cb_nrec++;
	uint64_t t = osl_trace_ticks(), dt = t - b->cb_base;

	if (__builtin_expect(dt > 0xffffffffull, 0)) {
		n = xs_cg_rebase(b, n, t);
		dt = 0;
	}
	b->cb_rec[n] = (struct xs_cg_rec){ (uint32_t)dt, word };
}

static void xs_cg_func_entry(const struct xs_func *f)
{
	struct xs_cg_batch *b = xs_cg_room();

	if (!b)
		return;
	xs_cg_put(b, XS_CG_WORD(XS_CG_ENTRY, f->xf_id));
	osl_trace_tls.ot_depth++;
	if (__builtin_expect(f->xf_flags != 0, 0)) {
		if (f->xf_flags & XS_FUNCF_FLUSH_EACH)
			osl_trace_tls.ot_flags |= OSL_TRACE_FLUSH_EACH;
		xs_cg_flush(b);		/* about to block, or never to return */
	} else if (__builtin_expect(osl_trace_tls.ot_flags & OSL_TRACE_FLUSH_EACH, 0)) {
		xs_cg_flush(b);
	}
}

static void xs_cg_func_return(const struct xs_func *f)
{
	struct xs_cg_batch *b = xs_cg_room();
	uint32_t d = osl_trace_tls.ot_depth;

	if (!b)
		return;
	xs_cg_put(b, XS_CG_WORD(XS_CG_RETURN, f->xf_id));
	if (d)		/* 0: a frame entered before the recording started */
		osl_trace_tls.ot_depth = --d;
	if (d == 0 ? xs_cg_handover_due(b) : (osl_trace_tls.ot_flags & OSL_TRACE_FLUSH_EACH) != 0)
		xs_cg_flush(b);		/* back in user space: the trap is over */
}

/*
 * A syscall record and its details; a batch holds XS_CG_MAX_SYS of them.
 * The record takes the time of the record before it, a few instructions
 * earlier (the kdebug point sits at a function's edge: arm_trace_unix_syscall
 * has just been entered, arm_prepare_syscall_return has just returned),
 * rather than a clock read of its own; docs/tracepoints.md.  The first
 * record of a batch reads the clock.
 */
static struct xs_cg_sys *xs_cg_sys_put(uint32_t kind, int family, int number)
{
	struct xs_cg_batch *b = xs_cg_room();
	struct xs_cg_sys *s;
	uint32_t n, word;

	if (!b)
		return (struct xs_cg_sys *)0;
	if (b->cb_nsys >= XS_CG_MAX_SYS)
		xs_cg_flush(b);
	s = &b->cb_sys[b->cb_nsys];
	xs_memset(s, 0, sizeof(*s));
	s->cs_family = family;
	s->cs_number = number;
	word = XS_CG_WORD(kind, b->cb_nsys++);
	n = b->cb_nrec;
	if (n == 0) {
		xs_cg_put(b, word);
	} else {
		b->cb_nrec = n + 1;
		b->cb_rec[n] = (struct xs_cg_rec){ b->cb_rec[n - 1].cr_dt, word };
	}
	return s;
}
#else
void xs_trace_callgraph_flush(void) { }
int xs_trace_clock_calibrate(unsigned ms) { (void)ms; return -1; }
int xs_trace_set_handover(uint64_t ns) { (void)ns; return -1; }
#endif /* XS_CG */

void xs_trace_pin_instrumented(int on)
{
#if XS_CG
	__atomic_store_n(&osl_probe_sems[OSL_SEM_PINNED], (unsigned short)(on != 0),
			 __ATOMIC_SEQ_CST);
#else
	(void)on;
#endif
}

/* ---- Fire functions: out of line, called only when a semaphore is set ------- */

__attribute__((noinline, visibility("protected")))
void xs_trace_func_entry(const struct xs_func *f)
{
	if (OSL_PROBE_SEM(func_entry)) {
		struct xs_who w = xs_trace_who();

		OSL_PROBE(func_entry, w.machine, w.pid, w.tid, f->xf_id);
	}
#if XS_CG
	if (OSL_PROBE_SEM(syscall_callgraph))
		xs_cg_func_entry(f);
#endif
}

__attribute__((noinline, visibility("protected")))
void xs_trace_func_return(const struct xs_func *f)
{
	if (OSL_PROBE_SEM(func_return)) {
		struct xs_who w = xs_trace_who();

		OSL_PROBE(func_return, w.machine, w.pid, w.tid, f->xf_id);
	}
#if XS_CG
	if (OSL_PROBE_SEM(syscall_callgraph))
		xs_cg_func_return(f);
#endif
}

__attribute__((noinline)) void xs_trace_syscall_entry(int family, int number,
						       uint32_t kdebug_id,
						       const uint64_t args[4])
{
	uint64_t a0 = args ? args[0] : 0, a1 = args ? args[1] : 0;
	uint64_t a2 = args ? args[2] : 0, a3 = args ? args[3] : 0;

	if (OSL_PROBE_SEM(syscall_entry)) {
		struct xs_who w = xs_trace_who();

		OSL_PROBE(syscall_entry, w.machine, w.pid, w.tid, family, number, kdebug_id,
			  a0, a1, a2, a3);
	}
#if XS_CG
	if (OSL_PROBE_SEM(syscall_callgraph)) {
		struct xs_cg_sys *s = xs_cg_sys_put(XS_CG_SYS_ENTRY, family, number);

		if (s) {
			s->cs_kdebug = kdebug_id;
			s->cs_a[0] = a0;
			s->cs_a[1] = a1;
			s->cs_a[2] = a2;
			s->cs_a[3] = a3;
		}
	}
#endif
}

__attribute__((noinline)) void xs_trace_syscall_return(int family, int number,
							int64_t retval, int error)
{
	if (OSL_PROBE_SEM(syscall_return)) {
		struct xs_who w = xs_trace_who();

		OSL_PROBE(syscall_return, w.machine, w.pid, w.tid, family, number, retval, error);
	}
#if XS_CG
	if (OSL_PROBE_SEM(syscall_callgraph)) {
		struct xs_cg_sys *s = xs_cg_sys_put(XS_CG_SYS_RETURN, family, number);

		if (s) {
			s->cs_error = error;
			s->cs_a[0] = (uint64_t)retval;
		}
	}
#endif
}

__attribute__((noinline)) void xs_trace_vfs_lookup(const char *path)
{
#if XS_CG
	struct xs_who w;

	if (!OSL_PROBE_SEM(syscall_callgraph))
		return;
	osl_trace_tls.ot_flags |= OSL_TRACE_FLUSH_TRAP;
	w = xs_trace_who();
	XS_TRACE_RING(w, XS_TREC_VFS_LOOKUP, 0, 0, 0, 0, path ? path : "");
#else
	(void)path;
#endif
}

/*
 * Process lifecycle: the thread's batch goes first, so a consumer sees a
 * process's creation, exec and exit in order with its calls.
 */
static inline void xs_trace_lifecycle_flush(void)
{
#if XS_CG
	if (OSL_PROBE_SEM(syscall_callgraph))
		xs_trace_callgraph_flush();
#endif
}

__attribute__((noinline)) void xs_trace_proc_create(const struct proc *p, int how)
{
	struct xs_who w;
	int32_t ppid = p ? p->p_ppid : 0;

	if (!OSL_PROBE_SEM(proc_create))
		return;
	xs_trace_lifecycle_flush();
	w = xs_trace_who();
	OSL_PROBE(proc_create, w.machine, xs_trace_pid_of(p), ppid, how);
	w.pid = xs_trace_pid_of(p);
	XS_TRACE_RING(w, XS_TREC_PROC_CREATE, (uint64_t)(int64_t)ppid, (uint64_t)(int64_t)how,
		      0, 0, 0);
}

__attribute__((noinline)) void xs_trace_proc_exec(const struct proc *p, const char *path)
{
	struct xs_who w;
	const char *s = path ? path : "";

	if (!OSL_PROBE_SEM(proc_exec))
		return;
	xs_trace_lifecycle_flush();
	w = xs_trace_who();
	OSL_PROBE(proc_exec, w.machine, xs_trace_pid_of(p), s);
	w.pid = xs_trace_pid_of(p);
	XS_TRACE_RING(w, XS_TREC_PROC_EXEC, 0, 0, 0, 0, s);
}

__attribute__((noinline)) void xs_trace_proc_exit(const struct proc *p, int status)
{
	struct xs_who w;

	if (!OSL_PROBE_SEM(proc_exit))
		return;
	xs_trace_lifecycle_flush();
	w = xs_trace_who();
	OSL_PROBE(proc_exit, w.machine, xs_trace_pid_of(p), status);
	w.pid = xs_trace_pid_of(p);
	XS_TRACE_RING(w, XS_TREC_PROC_EXIT, (uint64_t)(int64_t)status, 0, 0, 0, 0);
}

__attribute__((noinline)) void xs_trace_msg_send(uint64_t port, int32_t msgh_id, uint32_t size)
{
	struct xs_who w = xs_trace_who();

	OSL_PROBE(msg_send, w.machine, w.pid, w.tid, port, msgh_id, size);
	XS_TRACE_RING(w, XS_TREC_MSG_SEND, port, (uint64_t)(int64_t)msgh_id, size, 0, 0);
}

__attribute__((noinline)) void xs_trace_msg_receive(uint64_t port, int32_t msgh_id,
						     uint32_t size)
{
	struct xs_who w = xs_trace_who();

	OSL_PROBE(msg_receive, w.machine, w.pid, w.tid, port, msgh_id, size);
	XS_TRACE_RING(w, XS_TREC_MSG_RECEIVE, port, (uint64_t)(int64_t)msgh_id, size, 0, 0);
}

__attribute__((noinline)) void xs_trace_vm_map_change(const struct proc *p, int op,
						       uint64_t addr, uint64_t size, int prot)
{
	struct xs_who w = xs_trace_who();

	OSL_PROBE(vm_map_change, w.machine, xs_trace_pid_of(p), op, addr, size, prot);
	w.pid = xs_trace_pid_of(p);
	XS_TRACE_RING(w, XS_TREC_VM_MAP_CHANGE, (uint64_t)(int64_t)op, addr, size,
		      (uint64_t)(int64_t)prot, 0);
}

/* ---- The function registry ------------------------------------------------ */

/*
 * XS_FUNC places one struct xs_func per modeled function in section xs_funcs;
 * the linker brackets it.  Hidden, so each library sees its own section.
 * The entries never move (XS_FUNC keeps their addresses), so ids are written
 * into them in place and no table of our own is needed: the core keeps no
 * writable globals besides these library-private records, which are the
 * same in every process because they depend only on the build.
 */
extern struct xs_func __start_xs_funcs[] __attribute__((visibility("hidden"), weak));
extern struct xs_func __stop_xs_funcs[] __attribute__((visibility("hidden"), weak));

#define XS_FUNC_SORT_MAX 4096	/* modeled functions; the stack scratch for sorting */

static inline size_t xs_func_section_count(void)
{
	if (!__start_xs_funcs || !__stop_xs_funcs)
		return 0;
	return (size_t)(__stop_xs_funcs - __start_xs_funcs);
}

/* Shell sort of entry pointers by name: no libc, and n is a few hundred. */
static void xs_func_sort(struct xs_func **v, size_t n)
{
	static const size_t gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };

	for (size_t g = 0; g < XS_ARRAY_SIZE(gaps); g++) {
		size_t gap = gaps[g];

		for (size_t i = gap; i < n; i++) {
			struct xs_func *t = v[i];
			size_t j = i;

			while (j >= gap && xs_strcmp(v[j - gap]->xf_name, t->xf_name) > 0) {
				v[j] = v[j - gap];
				j -= gap;
			}
			v[j] = t;
		}
	}
}

/* Where a thread hands its call-graph batch over early (XS_FUNCF_*). */
static uint32_t xs_func_flags_of(const char *name)
{
	if (xs_strcmp(name, "thread_block") == 0)
		return XS_FUNCF_FLUSH;		/* may sleep for long, or forever */
	if (xs_strcmp(name, "thread_terminate_self") == 0)
		return XS_FUNCF_FLUSH_EACH;	/* ends the host process */
	return 0;
}

void xs_func_registry_init(void)
{
	struct xs_func *sorted[XS_FUNC_SORT_MAX];
	size_t n = xs_func_section_count();
	uint32_t id = 0;

	if (n == 0 || __start_xs_funcs[0].xf_id != 0)
		return;		/* empty, or already numbered */
	if (n > XS_FUNC_SORT_MAX)
		osl_panic("xs_func_registry_init: %zu functions, raise XS_FUNC_SORT_MAX", n);
	for (size_t i = 0; i < n; i++)
		sorted[i] = &__start_xs_funcs[i];
	xs_func_sort(sorted, n);
	/* Equal names (one XNU function modeled in two places) share an id. */
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || xs_strcmp(sorted[i - 1]->xf_name, sorted[i]->xf_name) != 0)
			id++;
		sorted[i]->xf_id = id;
		sorted[i]->xf_flags = xs_func_flags_of(sorted[i]->xf_name);
	}
}

uint32_t xs_func_registry_count(void)
{
	uint32_t max = 0;
	size_t n = xs_func_section_count();

	for (size_t i = 0; i < n; i++)
		if (__start_xs_funcs[i].xf_id > max)
			max = __start_xs_funcs[i].xf_id;
	return max;
}

const struct xs_func *xs_func_registry_get(uint32_t id)
{
	size_t n = xs_func_section_count();

	if (id == 0)
		return (const struct xs_func *)0;
	for (size_t i = 0; i < n; i++)
		if (__start_xs_funcs[i].xf_id == id)
			return &__start_xs_funcs[i];
	return (const struct xs_func *)0;
}

const struct xs_func *xs_func_registry_find(const char *name)
{
	size_t n = xs_func_section_count();

	if (!name)
		return (const struct xs_func *)0;
	for (size_t i = 0; i < n; i++)
		if (xs_strcmp(__start_xs_funcs[i].xf_name, name) == 0)
			return &__start_xs_funcs[i];
	return (const struct xs_func *)0;
}

const char *xs_func_xnu_path(const struct xs_func *f)
{
	static const char prefix[] = "kmod-xnu-sim/";
	const char *path;

	if (!f)
		return "";
	if (f->xf_xnu_path)
		return f->xf_xnu_path;
	path = f->xf_file;
	/* __FILE__ is the path given to the compiler: "kmod-xnu-sim/bsd/..." */
	for (const char *s = path; *s; s++)
		if (xs_strncmp(s, prefix, sizeof(prefix) - 1) == 0)
			return s + sizeof(prefix) - 1;
	return path;
}

void xs_func_subsystem(const struct xs_func *f, char *buf, unsigned len)
{
	const char *path = xs_func_xnu_path(f);
	size_t cut = 0;

	if (!buf || len == 0)
		return;
	for (size_t i = 0; path[i]; i++)
		if (path[i] == '/')
			cut = i;
	if (cut >= len)
		cut = len - 1;
	xs_memcpy(buf, path, cut);
	buf[cut] = '\0';
}
