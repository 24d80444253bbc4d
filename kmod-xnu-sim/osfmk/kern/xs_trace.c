/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xs_trace.c: every tracepoint site of the kernel (USDT provider "xnu"), the
 * USDT semaphores, and the function registry (id -> XNU name, path,
 * subsystem).  XNU's equivalent is kdebug (KERNEL_DEBUG_CONSTANT_IST and
 * KDBG_RELEASE) plus DTrace's fbt provider.  Corresponds to
 * osfmk/kern/kdebug.c (bsd/kern/kdebug.c in XNU) in spirit; the probe
 * contract is docs/tracepoints.md.
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

/*
 * The semaphores.  A tracer that attaches to a probe increments its
 * semaphore; OSL_PROBE_ENABLED reads it, so a probe nobody listens to costs
 * one load and a not-taken branch.  sys/sdt.h expects them in .probes, named
 * <provider>_<probe>_semaphore, visible to the tracer (exported).
 */
#if !defined(XS_NO_TRACE) && !defined(XS_KMOD)
#define XS_SEMAPHORE(name)                                                       \
	__attribute__((section(".probes"), used, visibility("default")))         \
	volatile unsigned short OSL_PROBE_SEMAPHORE(name)
XS_SEMAPHORE(syscall_entry);
XS_SEMAPHORE(syscall_return);
XS_SEMAPHORE(func_entry);
XS_SEMAPHORE(func_return);
XS_SEMAPHORE(proc_create);
XS_SEMAPHORE(proc_exec);
XS_SEMAPHORE(proc_exit);
XS_SEMAPHORE(msg_send);
XS_SEMAPHORE(msg_receive);
XS_SEMAPHORE(vm_map_change);
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
 * The inproc transport: one record into the machine's ring, beside the USDT
 * probe (xs_trace_inproc.h).  A full ring counts a drop there.
 */
static void xs_trace_ring_put(const struct xs_who *w, uint32_t type, int32_t family,
			      int32_t id, uint32_t kdebug, uint64_t a0, uint64_t a1,
			      uint64_t a2, uint64_t a3, const char *str)
{
	uint64_t pos;
	struct xs_trace_slot *s = xs_trace_inproc_claim(w->ring, &pos);
	struct xs_trace_record *r;

	if (!s)
		return;
	r = &s->ts_rec;
	r->tr_ts_ns = osl_absolute_time();
	r->tr_tid = w->tid;
	r->tr_type = type;
	r->tr_machine = w->machine;
	r->tr_pid = w->pid;
	r->tr_family = family;
	r->tr_id = id;
	r->tr_kdebug = kdebug;
	r->tr_a[0] = a0;
	r->tr_a[1] = a1;
	r->tr_a[2] = a2;
	r->tr_a[3] = a3;
	r->tr_host_tid = (uint32_t)osl_host_tid();
	r->tr_depth = 0;
	if (str)
		xs_strlcpy(r->tr_str, str, sizeof(r->tr_str));
	else
		r->tr_str[0] = '\0';
	xs_trace_inproc_publish(s, pos);
}

#define XS_TRACE_RING(w, ...)                                                    \
	do {                                                                     \
		if (__builtin_expect((w).ring != 0, 0))                          \
			xs_trace_ring_put(&(w), __VA_ARGS__);                    \
	} while (0)

/* ---- Fire functions: out of line, called only when the semaphore is set --- */

__attribute__((noinline)) void xs_trace_func_entry(const struct xs_func *f)
{
	struct xs_who w = xs_trace_who();

	OSL_PROBE(func_entry, w.machine, w.pid, w.tid, f->xf_id);
	XS_TRACE_RING(w, XS_TREC_FUNC_ENTRY, 0, (int32_t)f->xf_id, 0, 0, 0, 0, 0, 0);
}

__attribute__((noinline)) void xs_trace_func_return(const struct xs_func *f)
{
	struct xs_who w = xs_trace_who();

	OSL_PROBE(func_return, w.machine, w.pid, w.tid, f->xf_id);
	XS_TRACE_RING(w, XS_TREC_FUNC_RETURN, 0, (int32_t)f->xf_id, 0, 0, 0, 0, 0, 0);
}

__attribute__((noinline)) void xs_trace_syscall_entry(int family, int number,
						       uint32_t kdebug_id,
						       const uint64_t args[4])
{
	struct xs_who w = xs_trace_who();
	uint64_t a0 = args ? args[0] : 0, a1 = args ? args[1] : 0;
	uint64_t a2 = args ? args[2] : 0, a3 = args ? args[3] : 0;

	OSL_PROBE(syscall_entry, w.machine, w.pid, w.tid, family, number, kdebug_id,
		  a0, a1, a2, a3);
	XS_TRACE_RING(w, XS_TREC_SYSCALL_ENTRY, family, number, kdebug_id, a0, a1, a2, a3, 0);
}

__attribute__((noinline)) void xs_trace_syscall_return(int family, int number,
							int64_t retval, int error)
{
	struct xs_who w = xs_trace_who();

	OSL_PROBE(syscall_return, w.machine, w.pid, w.tid, family, number, retval, error);
	XS_TRACE_RING(w, XS_TREC_SYSCALL_RETURN, family, number, 0, (uint64_t)retval,
		      (uint64_t)(int64_t)error, 0, 0, 0);
}

__attribute__((noinline)) void xs_trace_proc_create(const struct proc *p, int how)
{
	struct xs_who w = xs_trace_who();
	int32_t ppid = p ? p->p_ppid : 0;

	OSL_PROBE(proc_create, w.machine, xs_trace_pid_of(p), ppid, how);
	w.pid = xs_trace_pid_of(p);
	XS_TRACE_RING(w, XS_TREC_PROC_CREATE, 0, 0, 0, (uint64_t)(int64_t)ppid,
		      (uint64_t)(int64_t)how, 0, 0, 0);
}

__attribute__((noinline)) void xs_trace_proc_exec(const struct proc *p, const char *path)
{
	struct xs_who w = xs_trace_who();
	const char *s = path ? path : "";

	OSL_PROBE(proc_exec, w.machine, xs_trace_pid_of(p), s);
	w.pid = xs_trace_pid_of(p);
	XS_TRACE_RING(w, XS_TREC_PROC_EXEC, 0, 0, 0, 0, 0, 0, 0, s);
}

__attribute__((noinline)) void xs_trace_proc_exit(const struct proc *p, int status)
{
	struct xs_who w = xs_trace_who();

	OSL_PROBE(proc_exit, w.machine, xs_trace_pid_of(p), status);
	w.pid = xs_trace_pid_of(p);
	XS_TRACE_RING(w, XS_TREC_PROC_EXIT, 0, 0, 0, (uint64_t)(int64_t)status, 0, 0, 0, 0);
}

__attribute__((noinline)) void xs_trace_msg_send(uint64_t port, int32_t msgh_id, uint32_t size)
{
	struct xs_who w = xs_trace_who();

	OSL_PROBE(msg_send, w.machine, w.pid, w.tid, port, msgh_id, size);
	XS_TRACE_RING(w, XS_TREC_MSG_SEND, 0, 0, 0, port, (uint64_t)(int64_t)msgh_id, size, 0, 0);
}

__attribute__((noinline)) void xs_trace_msg_receive(uint64_t port, int32_t msgh_id,
						     uint32_t size)
{
	struct xs_who w = xs_trace_who();

	OSL_PROBE(msg_receive, w.machine, w.pid, w.tid, port, msgh_id, size);
	XS_TRACE_RING(w, XS_TREC_MSG_RECEIVE, 0, 0, 0, port, (uint64_t)(int64_t)msgh_id, size, 0,
		      0);
}

__attribute__((noinline)) void xs_trace_vm_map_change(const struct proc *p, int op,
						       uint64_t addr, uint64_t size, int prot)
{
	struct xs_who w = xs_trace_who();

	OSL_PROBE(vm_map_change, w.machine, xs_trace_pid_of(p), op, addr, size, prot);
	w.pid = xs_trace_pid_of(p);
	XS_TRACE_RING(w, XS_TREC_VM_MAP_CHANGE, 0, 0, 0, (uint64_t)(int64_t)op, addr, size,
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
