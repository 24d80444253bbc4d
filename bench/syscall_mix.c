/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * syscall_mix: a fixed mix of BSD calls and Mach traps, timed.  Built twice,
 * against libxnusim.so (probes compiled in, nobody attached) and
 * libxnusim-notrace.so (probes compiled out).
 *
 *   syscall_mix [ITERS]   the workload mix (includes mmap/munmap, whose host
 *                         mmap and munmap dominate it), ITERS times; prints
 *                         ns per call.  scripts/bench.sh times it under
 *                         xnusim and xnutrace.
 *   syscall_mix getpid [ITERS]
 *                         the null syscall alone, ITERS times (default
 *                         200000); prints ns per call.
 *   syscall_mix probe-cost BATCHES ITERS
 *                         the probe-cost mix: only calls that stay inside the
 *                         simulated kernel (no host system call, so nothing
 *                         the host's scheduler or page tables add), timed in
 *                         BATCHES batches of ITERS mixes; prints
 *                         "min median" ns per call over the batches.  The
 *                         minimum is what the code costs with the fewest
 *                         interruptions; scripts/bench.sh runs the two builds
 *                         alternately, many times, and compares.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_util.h"
#include "darwin/fcntl.h"
#include "darwin/mman.h"
#include "darwin/port.h"
#include "xnusim/libsyscall.h"

#define CALLS_PER_ITER 12

static void mix_once(int fd)
{
	xnu_port_t task = xnu_mach_task_self(), name;
	char buf[64];
	void *p;

	(void)xnu_getpid();
	(void)xnu_pread(fd, buf, sizeof(buf), 0);
	(void)xnu_lseek(fd, 0, SEEK_SET);
	(void)xnu_fstat64(fd, &(struct xnu_stat64){ 0 });
	p = xnu_mmap(NULL, 16384, PROT_READ | PROT_WRITE, MAP_ANON | MAP_PRIVATE, -1, 0);
	if (p != XNU_MAP_FAILED)
		(void)xnu_munmap(p, 16384);
	if (xnu_mach_port_allocate(task, MACH_PORT_RIGHT_RECEIVE, &name) == 0)
		(void)xnu_mach_port_mod_refs(task, name, MACH_PORT_RIGHT_RECEIVE, -1);
	(void)xnu_dup2(fd, 20);
	(void)xnu_close(20);
	(void)xnu_getppid();
}

/*
 * The probe-cost mix: files, descriptors, ports, identity; 12 traps through
 * the full front-end and dispatch, none leaving the simulated kernel.
 */
#define PROBE_CALLS_PER_ITER 12

static void probe_mix_once(int fd, xnu_port_t task)
{
	xnu_port_t name;
	char buf[64];
	struct xnu_stat64 st;

	(void)xnu_getpid();
	(void)xnu_pread(fd, buf, sizeof(buf), 0);
	(void)xnu_lseek(fd, 0, SEEK_SET);
	(void)xnu_read(fd, buf, 16);
	(void)xnu_fstat64(fd, &st);
	if (xnu_mach_port_allocate(task, MACH_PORT_RIGHT_RECEIVE, &name) == 0)
		(void)xnu_mach_port_mod_refs(task, name, MACH_PORT_RIGHT_RECEIVE, -1);
	(void)xnu_dup2(fd, 20);
	(void)xnu_close(20);
	(void)xnu_getppid();
	(void)xnu_thread_selfid();
	(void)xnu_getuid();
}

static int open_mix_file(void)
{
	int fd = xnu_open("/tmp/mix", O_CREAT | O_RDWR, 0644);

	if (fd < 0 || xnu_write(fd, "0123456789abcdef0123456789abcdef", 32) != 32) {
		fprintf(stderr, "syscall_mix: setup failed (errno %d)\n", xnu_errno);
		return -1;
	}
	return fd;
}

static int probe_cost(int batches, int iters)
{
	double *ns = calloc((size_t)batches, sizeof(*ns));
	xnu_port_t task = xnu_mach_task_self();
	int fd = open_mix_file();
	double min;

	if (!ns || fd < 0 || batches < 1 || iters < 1)
		return 1;
	for (int i = 0; i < 2000; i++)		/* warm up: binding, zones, caches */
		probe_mix_once(fd, task);
	for (int b = 0; b < batches; b++) {
		uint64_t t0 = bench_now_ns();

		for (int i = 0; i < iters; i++)
			probe_mix_once(fd, task);
		ns[b] = (double)(bench_now_ns() - t0) / ((double)iters * PROBE_CALLS_PER_ITER);
	}
	min = ns[0];
	for (int b = 1; b < batches; b++)
		min = ns[b] < min ? ns[b] : min;
	printf("%.3f %.3f\n", min, bench_median(ns, batches));
	free(ns);
	return 0;
}

/* The null syscall: getpid alone, ITERS times; prints ns per call. */
static int getpid_only(int iters)
{
	uint64_t t0;

	if (iters < 1)
		return 1;
	for (int i = 0; i < 1000; i++)
		(void)xnu_getpid();
	t0 = bench_now_ns();
	for (int i = 0; i < iters; i++)
		(void)xnu_getpid();
	printf("%.2f\n", (double)(bench_now_ns() - t0) / iters);
	return 0;
}

int main(int argc, char **argv)
{
	int iters;
	uint64_t t0;
	int fd;

	if (argc > 1 && strcmp(argv[1], "probe-cost") == 0)
		return probe_cost(argc > 2 ? atoi(argv[2]) : 50, argc > 3 ? atoi(argv[3]) : 500);
	if (argc > 1 && strcmp(argv[1], "getpid") == 0)
		return getpid_only(argc > 2 ? atoi(argv[2]) : 200000);
	iters = argc > 1 ? atoi(argv[1]) : 20000;
	fd = open_mix_file();
	if (fd < 0)
		return 1;
	for (int i = 0; i < 1000; i++)
		mix_once(fd);
	t0 = bench_now_ns();
	for (int i = 0; i < iters; i++)
		mix_once(fd);
	printf("%.2f\n", (double)(bench_now_ns() - t0) / ((double)iters * CALLS_PER_ITER));
	return 0;
}
