/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xs_blocked.c: the blocked-thread report: every simulated thread that is
 * waiting in the kernel, what it waits for (the wait reason and the object:
 * a ulock's user address, a port name, a semaphore, a pipe, wait4's
 * children) and for how long.  The simulator's stackshot: XNU gets the same
 * answers from kdp's thread_waitinfo (kdp_ulock_find_owner,
 * kdp_mqueue_recv_find_owner, kdp_sema_find_owner ...).
 * Corresponds to osfmk/kern/waitq.c's waitinfo and osfmk/kern/kern_stackshot.c.
 */
#include "kmod-xnu-sim/bsd/sys/pipe.h"
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/bsd/sys/ulock.h"
#include "kmod-xnu-sim/osfmk/ipc/ipc_space.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/sync_sema.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

#define XS_BLOCKED_MAX 256	/* threads one report lists */

/* One waiting thread, copied out under the locks. */
struct blocked_snap {
	pid_t pid;
	uint64_t tid;
	char reason[24];
	const struct osl_event *ev;
	uint64_t since;
	struct task *task;	/* referenced while the snapshot lives */
};

/* Appends to a bounded buffer and counts what did not fit. */
struct rbuf {
	char *buf;
	size_t len, used;
};

static void rb_printf(struct rbuf *rb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void rb_printf(struct rbuf *rb, const char *fmt, ...)
{
	size_t room = rb->used < rb->len ? rb->len - rb->used : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = osl_vsnprintf(room ? rb->buf + rb->used : (char *)0, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		rb->used += (size_t)n;
}

/* Snapshot the blocked threads of every live proc.  Returns how many. */
static uint32_t blocked_snapshot(struct blocked_snap *s, uint32_t max)
{
	struct proc_globals *g = &xs_machine()->m_proc;
	struct thread *th;
	struct proc *p;
	uint32_t n = 0;

	xs_proc_list_lock();
	xs_queue_foreach(p, &g->allproc, struct proc, p_list) {
		struct task *task = xs_proc_task(p);

		if (p->p_stat == SZOMB || p->p_stat == SIDL || p->p_pid == 0)
			continue;
		xs_lck_mtx_lock(&task->lock);
		xs_queue_foreach(th, &task->threads, struct thread, task_threads) {
			const struct osl_event *ev = __atomic_load_n(&th->wait_event,
								     __ATOMIC_SEQ_CST);

			if (!ev || n >= max)
				continue;
			s[n].pid = p->p_pid;
			s[n].tid = th->thread_id;
			xs_memcpy(s[n].reason, th->wait_reason, sizeof(s[n].reason));
			s[n].reason[sizeof(s[n].reason) - 1] = '\0';
			s[n].ev = ev;
			s[n].since = th->wait_since;
			s[n].task = task;
			xs_task_reference(task);
			n++;
		}
		xs_lck_mtx_unlock(&task->lock);
	}
	xs_proc_list_unlock();
	return n;
}

static bool reason_is(const struct blocked_snap *s, const char *what)
{
	return xs_strcmp(s->reason, what) == 0;
}

/* The waiting task's name for port (any right), 0 if it has none. */
static mach_port_name_t port_name_in(struct task *task, struct ipc_port *port)
{
	mach_port_name_t name = 0;
	struct ipc_entry *entry;

	xs_ipc_lock();
	if (task->itk_space && task->itk_space->is_active)
		name = xs_ipc_hash_lookup(task->itk_space, port, &entry);
	xs_ipc_unlock();
	return name;
}

/* What s waits on, as "kind object" text (kdp_*_find_owner's context). */
static void blocked_object(struct rbuf *rb, const struct blocked_snap *s)
{
	struct osl_event *ev = (struct osl_event *)(uintptr_t)s->ev;
	uint32_t opcode = 0;
	uint64_t addr;

	if ((addr = xs_ulock_event_addr(s->ev, &opcode)) != 0) {
		rb_printf(rb, "ulock 0x%llx op %u", (unsigned long long)addr, opcode);
	} else if (reason_is(s, "mach_msg receive") || reason_is(s, "mach_msg send")) {
		size_t off = reason_is(s, "mach_msg receive") ?
			offsetof(struct ipc_port, ip_messages.imq_rcv_event) :
			offsetof(struct ipc_port, ip_messages.imq_send_event);
		struct ipc_port *port = (struct ipc_port *)(void *)((char *)ev - off);

		rb_printf(rb, "port 0x%x", port_name_in(s->task, port));
	} else if (reason_is(s, "semaphore")) {
		struct semaphore *sem = xs_container_of(ev, struct semaphore, wait_event);

		rb_printf(rb, "semaphore 0x%x", port_name_in(s->task, sem->port));
	} else if (reason_is(s, "pipe read") || reason_is(s, "pipe write")) {
		rb_printf(rb, "pipe 0x%llx", (unsigned long long)(uintptr_t)
			  xs_container_of(ev, struct pipe, pipe_event));
	} else if (reason_is(s, "wait")) {
		rb_printf(rb, "children of pid %d", s->pid);
	} else {
		rb_printf(rb, "event 0x%llx", (unsigned long long)(uintptr_t)ev);
	}
}

/*
 * Routine:    xs_blocked_threads_report
 * Purpose:    Write one line per blocked simulated thread into buf:
 *             "pid tid wait-reason object for-seconds", after a header.
 *             Up to XS_BLOCKED_MAX threads; more are counted in a last line.
 * Conditions: Nothing locked; any process attached to the machine (also a
 *             read-only observer: it only reads and takes the usual locks).
 * Returns:    The length of the full report, as snprintf counts it (a
 *             result >= len means buf was too small; it is NUL-terminated
 *             whenever len > 0), or -1 if no machine is booted.
 */
int xs_blocked_threads_report(char *buf, size_t len)
{
	XS_FUNC(blocked_threads_report);	/* simulator only */
	struct blocked_snap snap[XS_BLOCKED_MAX];
	struct rbuf rb = { buf, len, 0 };
	uint64_t now = osl_absolute_time(), d;
	uint32_t n;

	if (!xs_machine() || !xs_machine()->m_booted)
		return -1;
	if (buf && len)
		buf[0] = '\0';
	n = blocked_snapshot(snap, XS_BLOCKED_MAX);
	rb_printf(&rb, "%-7s %-10s %-18s %-28s %s\n", "PID", "TID", "WAIT", "OBJECT", "FOR");
	for (uint32_t i = 0; i < n; i++) {
		struct rbuf obj_rb;
		char obj[64];

		obj[0] = '\0';
		obj_rb = (struct rbuf){ obj, sizeof(obj), 0 };
		blocked_object(&obj_rb, &snap[i]);
		d = now > snap[i].since ? now - snap[i].since : 0;
		rb_printf(&rb, "%-7d %-10llu %-18s %-28s %llu.%03llus\n", snap[i].pid,
			  (unsigned long long)snap[i].tid, snap[i].reason[0] ? snap[i].reason : "-",
			  obj, (unsigned long long)(d / 1000000000ull),
			  (unsigned long long)(d / 1000000ull % 1000));
		xs_task_deallocate(snap[i].task);
	}
	if (n == XS_BLOCKED_MAX)
		rb_printf(&rb, "(more blocked threads not shown)\n");
	return (int)rb.used;
}
