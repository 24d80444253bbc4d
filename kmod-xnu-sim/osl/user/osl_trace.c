/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * osl_trace.c: the platform half of the batched call graph
 * (osl/osl_probe.h): each host thread's batch buffer, mapped on first use
 * and unmapped when the thread exits, and the measurement of the batch
 * clock against osl_absolute_time().  No XNU counterpart: XNU's kdebug
 * keeps per-CPU buffers in the kernel (bsd/kern/kdebug.c, kd_bufs).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#include "kmod-xnu-sim/osl/user/osl_user.h"
#include "kmod-xnu-sim/osl/osl_probe.h"

#if !defined(XS_NO_TRACE)

__thread struct osl_trace_tls osl_trace_tls __attribute__((tls_model("initial-exec")));

static pthread_key_t batch_key;
static pthread_once_t batch_key_once = PTHREAD_ONCE_INIT;

struct batch_map {		/* what the key's destructor unmaps */
	uint64_t bytes;
};

static void batch_unmap(void *p)
{
	struct batch_map *m = (struct batch_map *)p - 1;

	osl_trace_tls.ot_batch = NULL;
	munmap(m, m->bytes);
}

/* The core's hand-over (osfmk/kern/xs_trace.c); weak: the platform may stand alone. */
void xs_trace_callgraph_flush(void) __attribute__((weak));

/*
 * The host process ends (exit, or main returned): the exiting thread's
 * batch, which it may have kept across traps, is handed over first.
 */
static void batch_flush_at_exit(void)
{
	if (xs_trace_callgraph_flush)
		xs_trace_callgraph_flush();
}

static void batch_key_make(void)
{
	(void)pthread_key_create(&batch_key, batch_unmap);
	(void)atexit(batch_flush_at_exit);
}

void *osl_trace_batch_alloc(uint64_t bytes)
{
	uint64_t total = bytes + sizeof(struct batch_map);
	struct batch_map *m;

	if (osl_trace_tls.ot_batch)
		return osl_trace_tls.ot_batch;
	m = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	m->bytes = total;
	(void)pthread_once(&batch_key_once, batch_key_make);
	(void)pthread_setspecific(batch_key, m + 1);
	osl_trace_tls.ot_batch = m + 1;
	return m + 1;
}

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22	/* Linux 5.14 */
#endif

void osl_trace_prefault(void *addr, uint64_t len)
{
	static int unsupported;
	uintptr_t a = (uintptr_t)addr & ~(uintptr_t)4095;

	if (__atomic_load_n(&unsupported, __ATOMIC_RELAXED))
		return;
	if (madvise((void *)a, len + ((uintptr_t)addr - a), MADV_POPULATE_READ) != 0 &&
	    errno == EINVAL)
		__atomic_store_n(&unsupported, 1, __ATOMIC_RELAXED);
}

/* One (ticks, ns) pair, taken as close together as the host allows. */
static void clock_pair(uint64_t *ticks, uint64_t *ns)
{
	uint64_t best = ~0ull;

	for (int i = 0; i < 5; i++) {
		uint64_t a = osl_absolute_time(), t = osl_trace_ticks(), b = osl_absolute_time();

		if (b - a < best) {	/* the tightest bracket wins */
			best = b - a;
			*ticks = t;
			*ns = a + (b - a) / 2;
		}
	}
}

int osl_trace_clock_measure(unsigned ms, uint64_t *mult, uint64_t *tick_base, uint64_t *ns_base)
{
	uint64_t t0 = 0, n0 = 0, t1 = 0, n1 = 0, dt;
	struct timespec pause = { 0, (long)(ms ? ms : 1) * 1000000L };

	clock_pair(&t0, &n0);
	nanosleep(&pause, NULL);
	clock_pair(&t1, &n1);
	dt = t1 - t0;
	if (t1 <= t0 || n1 <= n0)
		return -1;
	/* ns per tick in 32.32 fixed point: (n1 - n0) / dt * 2^32. */
	*mult = (uint64_t)(((unsigned __int128)(n1 - n0) << 32) / dt);
	*tick_base = t0;
	*ns_base = n0;
	return *mult ? 0 : -1;
}

#endif /* !XS_NO_TRACE */
