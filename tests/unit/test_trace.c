/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_trace.c: the tracing hot path (docs/tracepoints.md): the semaphore
 * block, the idle copy of the kernel that traps run while nobody listens,
 * and the call-graph batches a trap hands over (here through the inproc
 * ring, read back raw): their order, syscall details, times, one entry per
 * trap, the hand-over before a thread blocks, and whole-batch drops.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/harness.h"

#include "darwin/errno.h"
#include "darwin/fcntl.h"
#include "darwin/kern_return.h"

#include "kmod-xnu-sim/bsd/sys/sysent.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace_inproc.h"
#include "xnusim/libsyscall.h"

#define SYS_getpid 20
#define SYS_close  6
#define MACH_semaphore_wait (-36)
#define SYNC_POLICY_FIFO 0

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- the semaphore block and the idle copy ------------------------------ */

TEST(semaphores_are_one_block_and_idle)
{
	EXPECT_TRUE(&xnu_func_entry_semaphore == &xnu_probe_semaphores[OSL_SEM_FUNC_ENTRY]);
	EXPECT_TRUE(&xnu_syscall_callgraph_semaphore ==
		    &xnu_probe_semaphores[OSL_SEM_SYSCALL_CALLGRAPH]);
	EXPECT_TRUE(&xnu_func_return_semaphore == &xnu_probe_semaphores[OSL_SEM_FUNC_RETURN]);
	EXPECT_TRUE(&xnu_syscall_return_semaphore == &xnu_probe_semaphores[OSL_SEM_SYSCALL_RETURN]);
	EXPECT_TRUE(&xnu_vm_map_change_semaphore == &xnu_probe_semaphores[OSL_SEM_VM_MAP_CHANGE]);
	EXPECT_EQ(((uintptr_t)xnu_probe_semaphores) % 32, 0);
	for (int i = 0; i < OSL_SEM_COUNT; i++)
		EXPECT_EQ(xnu_probe_semaphores[i], 0);
	EXPECT_TRUE(!OSL_PROBE_ANY());
}

static int fake_getpid(struct proc *p, void *uap, int32_t *retval)
{
	(void)p;
	(void)uap;
	retval[0] = 4242;
	return 0;
}

/*
 * A slot patched in xs_sysent[] (the instrumented copy's table) is reached
 * only when a trap takes the instrumented copy: when a probe is wanted, or
 * when pinned.  While nobody listens, traps run the idle copy.
 */
TEST(idle_copy_runs_while_nobody_listens)
{
	struct sysent saved = xs_sysent[SYS_getpid];
	int pid = xnu_getpid();

	ASSERT_TRUE(pid > 0);
	xs_sysent[SYS_getpid].sy_call = fake_getpid;
	EXPECT_EQ(xnu_getpid(), pid);			/* idle copy: its own table */
	xnu_proc_exec_semaphore++;			/* a tracer on any probe */
	EXPECT_EQ(xnu_getpid(), 4242);			/* the instrumented copy */
	xnu_proc_exec_semaphore--;
	EXPECT_EQ(xnu_getpid(), pid);
	xs_trace_pin_instrumented(1);
	EXPECT_EQ(xnu_getpid(), 4242);
	xs_trace_pin_instrumented(0);
	EXPECT_EQ(xnu_getpid(), pid);
	xs_sysent[SYS_getpid] = saved;
	EXPECT_EQ(xnu_probe_semaphores[OSL_SEM_PINNED], 0);
}

/* ---- batches through the inproc ring ----------------------------------- */

struct ev {
	uint32_t kind;		/* XS_CG_* */
	uint32_t id;		/* function id, or the syscall's root id */
	uint64_t ts;
	struct xs_cg_sys sys;	/* syscall records */
	int entry;		/* index of the ring entry it came in */
	int32_t pid;
	uint64_t tid;
};

static struct xs_trace_record rbuf[8192];
static struct ev evs[16384];
static char lookup_path[XS_TRACE_STR_LEN];	/* the last XS_TREC_VFS_LOOKUP drained */
static int lookup_before_entry = -1;		/* batch entries drained before it */
static uint64_t last_mult;			/* the last batch's ticks rate (32.32 ns) */

/* Decode every batch entry waiting in r (xs_trace_inproc.h) into evs. */
static int drain(struct xs_trace_ring *r, int *nentries)
{
	uint64_t n = xs_trace_inproc_consume(r, rbuf, 8192, 0);
	int nev = 0, ent = 0;

	for (uint64_t i = 0; i < n; i++) {
		const struct xs_trace_record *h = &rbuf[i];
		const char *payload = (const char *)h + XS_TRACE_BATCH_HEAD_BYTES;
		const struct xs_cg_sys *sys = (const struct xs_cg_sys *)payload;
		const struct xs_cg_rec *c;
		uint32_t nsys = (uint32_t)h->tr_family;

		if (h->tr_type == XS_TREC_VFS_LOOKUP) {
			memcpy(lookup_path, h->tr_str, sizeof(lookup_path));
			lookup_before_entry = ent;
		}
		if (h->tr_type != XS_TREC_BATCH)
			continue;
		c = (const struct xs_cg_rec *)(payload + nsys * sizeof(*sys));
		last_mult = h->tr_a[2];
		for (uint32_t k = 0; k < h->tr_kdebug && nev < 16384; k++, nev++) {
			struct ev *e = &evs[nev];
			uint32_t v = XS_CG_VALUE(c[k].cr_word);

			memset(e, 0, sizeof(*e));
			e->kind = XS_CG_KIND(c[k].cr_word);
			e->ts = XS_CG_NS(h->tr_ts_ns, h->tr_a[2], c[k].cr_dt);
			e->entry = ent;
			e->pid = h->tr_pid;
			e->tid = h->tr_tid;
			e->id = v;
			if (e->kind >= XS_CG_SYS_ENTRY && v < nsys) {
				e->sys = sys[v];
				e->id = XS_CG_ROOT_ID(sys[v].cs_family, sys[v].cs_number);
			}
		}
		ent++;
		i += (uint64_t)(uint32_t)h->tr_id - 1;
	}
	if (nentries)
		*nentries = ent;
	return nev;
}

static struct xs_trace_ring *ring_on(uint64_t slots)
{
	struct xs_trace_ring *r = xs_trace_inproc_enable(slots);

	if (r)
		(void)xs_trace_clock_calibrate(5);
	return r;
}

static uint32_t fid(const char *name)
{
	const struct xs_func *f = xs_func_registry_find(name);

	return f ? f->xf_id : 0;
}

static int find(int n, uint32_t kind, uint32_t id, int from)
{
	for (int i = from; i < n; i++)
		if (evs[i].kind == kind && evs[i].id == id)
			return i;
	return -1;
}

TEST(a_trap_is_one_batch_in_order)
{
	struct xs_trace_ring *r = ring_on(4096);
	uint64_t t0, t1;
	int n, nent, pid, se, sr, ue, ur, ge, gr, depth = 0;

	ASSERT_TRUE(r != NULL);
	(void)drain(r, NULL);		/* what enabling left */
	t0 = now_ns();
	pid = xnu_getpid();
	t1 = now_ns();
	n = drain(r, &nent);
	EXPECT_EQ(nent, 1);		/* handed over once, back in user space */
	se = find(n, XS_CG_SYS_ENTRY, XS_CG_ROOT_ID(XS_FAMILY_BSD, SYS_getpid), 0);
	sr = find(n, XS_CG_SYS_RETURN, XS_CG_ROOT_ID(XS_FAMILY_BSD, SYS_getpid), 0);
	ue = find(n, XS_CG_ENTRY, fid("unix_syscall"), 0);
	ur = find(n, XS_CG_RETURN, fid("unix_syscall"), 0);
	ge = find(n, XS_CG_ENTRY, fid("getpid"), 0);
	gr = find(n, XS_CG_RETURN, fid("getpid"), 0);
	ASSERT_TRUE(se >= 0 && sr >= 0 && ue >= 0 && ur >= 0 && ge >= 0 && gr >= 0);
	/* the dispatcher encloses the syscall, the syscall encloses the handler */
	EXPECT_TRUE(ue < se && se < ge && ge < gr && gr < sr && sr < ur);
	EXPECT_EQ(evs[sr].sys.cs_error, 0);
	EXPECT_EQ((int)evs[sr].sys.cs_a[0], pid);
	EXPECT_EQ(evs[se].sys.cs_kdebug, 0x040C0000u + 4 * SYS_getpid);
	EXPECT_EQ(evs[se].pid, pid);
	for (int i = 0; i < n; i++) {
		depth += evs[i].kind == XS_CG_ENTRY ? 1 : evs[i].kind == XS_CG_RETURN ? -1 : 0;
		EXPECT_TRUE(depth >= 0);
		if (i)
			EXPECT_TRUE(evs[i].ts >= evs[i - 1].ts);
	}
	EXPECT_EQ(depth, 0);		/* every frame entered returned */
	/* a syscall record has the time of the record before it: no clock read */
	EXPECT_TRUE(se > 0 && evs[se].ts == evs[se - 1].ts);
	EXPECT_TRUE(evs[sr].ts == evs[sr - 1].ts);
	/* calibrated to CLOCK_MONOTONIC: inside the call, give or take 50 us */
	EXPECT_TRUE(evs[0].ts + 50000 >= t0 && evs[n - 1].ts <= t1 + 50000);
	xs_trace_inproc_free(r);
}

TEST(errors_and_one_entry_per_trap)
{
	struct xs_trace_ring *r = ring_on(4096);
	int n, nent, sr;

	ASSERT_TRUE(r != NULL);
	(void)drain(r, NULL);
	EXPECT_EQ(xnu_close(-1), -1);
	(void)xnu_getpid();
	(void)xnu_getpid();
	n = drain(r, &nent);
	EXPECT_EQ(nent, 3);
	sr = find(n, XS_CG_SYS_RETURN, XS_CG_ROOT_ID(XS_FAMILY_BSD, SYS_close), 0);
	ASSERT_TRUE(sr >= 0);
	EXPECT_EQ(evs[sr].sys.cs_error, EBADF);
	EXPECT_EQ(evs[sr].entry, 0);
	xs_trace_inproc_free(r);
}

/* The ring never splits a batch: a full ring drops it whole and counts its records. */
TEST(full_ring_drops_whole_batches)
{
	struct xs_trace_ring *r = ring_on(64);	/* the smallest ring: 256 slots */
	uint64_t drops;
	int n, nent;

	ASSERT_TRUE(r != NULL);
	EXPECT_EQ(r->r_nslots, 256u);
	(void)drain(r, NULL);
	__atomic_store_n(&r->r_drops, 0, __ATOMIC_RELAXED);
	for (int i = 0; i < 300; i++)	/* 2 slots a trap: far more than 256 */
		(void)xnu_getpid();
	drops = __atomic_load_n(&r->r_drops, __ATOMIC_RELAXED);
	n = drain(r, &nent);
	EXPECT_TRUE(nent > 0 && nent < 300);
	EXPECT_TRUE(drops > 0);
	/* every trap makes the same records: kept + dropped = 300 traps' worth */
	EXPECT_EQ((uint64_t)n + drops, (uint64_t)n / nent * 300);
	xs_trace_inproc_free(r);
}

/* How many syscall entries of (family, number) by pid, from index from on. */
static int count_sys(int n, uint32_t root, int32_t pid)
{
	int c = 0;

	for (int i = 0; i < n; i++)
		c += evs[i].kind == XS_CG_SYS_ENTRY && evs[i].id == root && evs[i].pid == pid;
	return c;
}

/* With a hand-over age, a lone thread keeps its batch across traps, in order. */
TEST(a_handover_age_keeps_traps_together)
{
	struct xs_trace_ring *r = ring_on(4096);
	uint32_t root = XS_CG_ROOT_ID(XS_FAMILY_BSD, SYS_getpid);
	int n, nent, pid = xnu_getpid(), prev = -1;

	ASSERT_TRUE(r != NULL);
	(void)drain(r, NULL);
	ASSERT_EQ(xs_trace_set_handover(10ull * 1000000000ull), 0);	/* 10 s */
	for (int i = 0; i < 20; i++)
		(void)xnu_getpid();
	n = drain(r, &nent);
	EXPECT_EQ(nent, 0);			/* kept: nothing handed over yet */
	xs_trace_callgraph_flush();
	n = drain(r, &nent);
	EXPECT_EQ(nent, 1);			/* twenty traps, one batch */
	EXPECT_EQ(count_sys(n, root, pid), 20);
	for (int i = 0; i < n; i++) {		/* entry, return, entry, return ... */
		if (evs[i].kind != XS_CG_SYS_ENTRY && evs[i].kind != XS_CG_SYS_RETURN)
			continue;
		EXPECT_TRUE((int)evs[i].kind != prev);
		prev = (int)evs[i].kind;
	}
	/* age 0 again: each trap hands over as it ends */
	ASSERT_EQ(xs_trace_set_handover(0), 0);
	(void)xnu_getpid();
	(void)xnu_getpid();
	(void)drain(r, &nent);
	EXPECT_EQ(nent, 2);
	xs_trace_inproc_free(r);
}

/*
 * A record's time is 32 bits of clock ticks after its batch's origin: a
 * thread that keeps its batch while idle for longer (2^32 ticks: the
 * batch's rate, cb_mult, in ns) hands it over and starts a new one at its
 * next record, whose time is then right.
 */
TEST(a_record_2e32_ticks_after_the_origin_starts_a_new_batch)
{
	struct xs_trace_ring *r = ring_on(4096);
	uint32_t root = XS_CG_ROOT_ID(XS_FAMILY_BSD, SYS_getpid);
	uint64_t t0, t1, span;
	int n, nent, se;

	ASSERT_TRUE(r != NULL);
	(void)drain(r, NULL);
	(void)xnu_getpid();
	(void)drain(r, &nent);
	ASSERT_EQ(nent, 1);
	span = last_mult;		/* 2^32 ticks, in ns */
	ASSERT_TRUE(span > 0 && span < 4300000000ull);	/* a clock of 1 GHz or faster */
	ASSERT_EQ(xs_trace_set_handover(10ull * 1000000000ull), 0);
	(void)xnu_getpid();		/* kept */
	nanosleep(&(struct timespec){ (time_t)((span + 50000000) / 1000000000),
				      (long)((span + 50000000) % 1000000000) }, NULL);
	t0 = now_ns();
	(void)xnu_getpid();
	t1 = now_ns();
	(void)drain(r, &nent);
	EXPECT_EQ(nent, 1);		/* the first call's batch, handed over by the second */
	xs_trace_callgraph_flush();
	n = drain(r, &nent);
	EXPECT_EQ(nent, 1);
	se = find(n, XS_CG_SYS_ENTRY, root, 0);
	ASSERT_TRUE(se >= 0);
	EXPECT_EQ(find(n, XS_CG_SYS_ENTRY, root, se + 1), -1);
	EXPECT_TRUE(evs[0].ts + 50000 >= t0 && evs[n - 1].ts <= t1 + 50000);
	ASSERT_EQ(xs_trace_set_handover(0), 0);
	xs_trace_inproc_free(r);
}

/* A trap that looks a path up hands its batch over, and the ring names the path. */
TEST(a_lookup_hands_its_trap_over_with_the_path)
{
	struct xs_trace_ring *r = ring_on(4096);
	uint32_t open_root = XS_CG_ROOT_ID(XS_FAMILY_BSD, 5);
	int n, nent, fd, at = -1;

	ASSERT_TRUE(r != NULL);
	(void)drain(r, NULL);
	ASSERT_EQ(xs_trace_set_handover(10ull * 1000000000ull), 0);
	(void)xnu_getpid();
	lookup_path[0] = '\0';
	fd = xnu_open("/tmp/test_trace_lookup", O_CREAT | O_RDWR, 0644);
	ASSERT_TRUE(fd >= 0);
	n = drain(r, &nent);
	EXPECT_EQ(nent, 1);			/* getpid and open, handed over as open ended */
	EXPECT_EQ(strcmp(lookup_path, "/tmp/test_trace_lookup"), 0);
	EXPECT_EQ(lookup_before_entry, 0);	/* before the batch that holds its trap */
	for (int i = 0; i < n; i++)
		if (evs[i].kind == XS_CG_SYS_ENTRY && evs[i].id == open_root)
			at = i;
	ASSERT_TRUE(at >= 0);
	for (int i = at + 1; i < n; i++)	/* open's is the batch's last syscall entry */
		EXPECT_TRUE(evs[i].kind != XS_CG_SYS_ENTRY);
	EXPECT_TRUE(count_sys(n, XS_CG_ROOT_ID(XS_FAMILY_BSD, SYS_getpid), xnu_getpid()) == 1);
	(void)xnu_close(fd);
	(void)xnu_unlink("/tmp/test_trace_lookup");
	ASSERT_EQ(xs_trace_set_handover(0), 0);
	xs_trace_inproc_free(r);
}

static void *five_getpids(void *arg)
{
	(void)arg;
	for (int i = 0; i < 5; i++)
		(void)xnu_getpid();
	return NULL;
}

/*
 * A process with a second thread hands over every trap: a thread other
 * than the one that ends the process must not hold records back.
 */
TEST(a_second_thread_hands_over_every_trap)
{
	struct xs_trace_ring *r = ring_on(4096);
	uint32_t root = XS_CG_ROOT_ID(XS_FAMILY_BSD, SYS_getpid);
	pthread_t th;
	int n, nent;

	ASSERT_TRUE(r != NULL);
	(void)drain(r, NULL);
	ASSERT_EQ(xs_trace_set_handover(10ull * 1000000000ull), 0);
	ASSERT_EQ(pthread_create(&th, NULL, five_getpids, NULL), 0);
	usleep(200000);				/* the thread is done, not yet joined */
	n = drain(r, &nent);
	EXPECT_EQ(count_sys(n, root, xnu_getpid()), 5);
	EXPECT_TRUE(nent >= 5);			/* one batch a trap */
	pthread_join(th, NULL);
	ASSERT_EQ(xs_trace_set_handover(0), 0);
	xs_trace_inproc_free(r);
}

/* A fork hands the parent's kept batch over first: the child never repeats it. */
TEST(a_fork_child_does_not_repeat_the_parents_batch)
{
	struct xs_trace_ring *r = ring_on(4096);
	uint32_t root = XS_CG_ROOT_ID(XS_FAMILY_BSD, SYS_getpid);
	int n, parent = xnu_getpid(), child, st = 0, in_parent = 0, in_child = 0;

	ASSERT_TRUE(r != NULL);
	(void)drain(r, NULL);
	ASSERT_EQ(xs_trace_set_handover(10ull * 1000000000ull), 0);
	for (int i = 0; i < 7; i++)
		(void)xnu_getpid();
	child = xnu_fork();
	if (child == 0) {
		(void)xnu_getpid();
		xnu_exit(0);
	}
	ASSERT_TRUE(child > 0);
	ASSERT_EQ(xnu_wait4(child, &st, 0, NULL), child);
	xs_trace_callgraph_flush();
	for (int i = 0; i < 20; i++) {	/* drained before the fork; the rest now */
		n = drain(r, NULL);
		in_parent += count_sys(n, root, parent);
		in_child += count_sys(n, root, child);
		usleep(5000);
	}
	EXPECT_EQ(in_parent, 7);
	EXPECT_EQ(in_child, 1);		/* its own getpid, not the parent's seven again */
	ASSERT_EQ(xs_trace_set_handover(0), 0);
	xs_trace_inproc_free(r);
}

static xnu_port_t sema;
static int waiter_kr = -1;

static void *waiter(void *arg)
{
	(void)arg;
	waiter_kr = xnu_semaphore_wait(sema);
	return NULL;
}

/* A thread about to block hands its batch over: its syscall is seen while it waits. */
TEST(a_blocking_thread_hands_over_first)
{
	struct xs_trace_ring *r = ring_on(4096);
	uint32_t root = XS_CG_ROOT_ID(XS_FAMILY_MACH, MACH_semaphore_wait);
	pthread_t th;
	int n = 0, seen = -1;

	ASSERT_TRUE(r != NULL);
	ASSERT_EQ(xnu_semaphore_create(xnu_mach_task_self(), &sema, SYNC_POLICY_FIFO, 0),
		  KERN_SUCCESS);
	(void)drain(r, NULL);
	ASSERT_EQ(pthread_create(&th, NULL, waiter, NULL), 0);
	for (int i = 0; i < 200 && seen < 0; i++) {	/* up to 2 s */
		usleep(10000);
		n = drain(r, NULL);
		seen = find(n, XS_CG_SYS_ENTRY, root, 0);
	}
	EXPECT_TRUE(seen >= 0);
	EXPECT_TRUE(find(n, XS_CG_SYS_RETURN, root, 0) < 0);	/* still waiting */
	EXPECT_EQ(waiter_kr, -1);
	EXPECT_EQ(xnu_semaphore_signal(sema), KERN_SUCCESS);
	pthread_join(th, NULL);
	EXPECT_EQ(waiter_kr, KERN_SUCCESS);
	n = drain(r, NULL);
	EXPECT_TRUE(find(n, XS_CG_SYS_RETURN, root, 0) >= 0);
	EXPECT_EQ(xnu_semaphore_destroy(xnu_mach_task_self(), sema), KERN_SUCCESS);
	xs_trace_inproc_free(r);
}

/* Without a consumer's semaphore, nothing is recorded: the thread's batch stays empty. */
TEST(no_batch_without_a_consumer)
{
	struct xs_cg_batch *b;

	(void)xnu_getpid();
	b = osl_trace_tls.ot_batch;
	EXPECT_TRUE(b == NULL || b->cb_nrec == 0);
	EXPECT_EQ(xnu_syscall_callgraph_semaphore, 0);
}
