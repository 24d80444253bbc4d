/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * syscall_mix: a fixed mix of BSD calls and Mach traps, timed.  Built twice,
 * against libxnusim.so (probes compiled in, nobody attached) and
 * libxnusim-notrace.so (probes compiled out); scripts/bench.sh runs the two
 * alternately and compares medians.  Prints ns per call of the mix.
 */
#include <stdio.h>
#include <stdlib.h>

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

int main(int argc, char **argv)
{
	int iters = argc > 1 ? atoi(argv[1]) : 20000;
	uint64_t t0;
	int fd;

	fd = xnu_open("/tmp/mix", O_CREAT | O_RDWR, 0644);
	if (fd < 0 || xnu_write(fd, "0123456789abcdef0123456789abcdef", 32) != 32) {
		fprintf(stderr, "syscall_mix: setup failed (errno %d)\n", xnu_errno);
		return 1;
	}
	for (int i = 0; i < 1000; i++)
		mix_once(fd);
	t0 = bench_now_ns();
	for (int i = 0; i < iters; i++)
		mix_once(fd);
	printf("%.2f\n", (double)(bench_now_ns() - t0) / ((double)iters * CALLS_PER_ITER));
	return 0;
}
