/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bpf_counts: a workload with a known number of each call, for
 * tests/bpf/bpf_backend.c (the bpf backend's counts must equal these):
 *   getpid x7, open x5 (3 fail with ENOENT, 2 succeed), close x2,
 *   mmap x1 + munmap x1, task_self_trap (-28) x4,
 *   mach_port_deallocate (-18) x2 on a bogus name (KERN_INVALID_NAME).
 * argv[1], if given, is a loop count for the event-rate benchmark: that
 * many getpid calls more.
 */
#include <stdlib.h>

#include "darwin/fcntl.h"
#include "darwin/mman.h"
#include "xnusim/libsyscall.h"

int main(int argc, char **argv)
{
	long extra = argc > 1 ? atol(argv[1]) : 0;
	uint64_t args[2];
	xnu_port_t self;
	void *p;
	int fd;

	for (int i = 0; i < 7; i++)
		xnu_getpid();
	for (int i = 0; i < 3; i++)
		(void)xnu_open("/no/such/file", O_RDONLY);
	for (int i = 0; i < 2; i++) {
		fd = xnu_open("/tmp/bpf_counts.txt", O_CREAT | O_RDWR, 0644);
		if (fd < 0)
			return 1;
		xnu_close(fd);
	}
	p = xnu_mmap(NULL, 16384, PROT_READ | PROT_WRITE, MAP_ANON | MAP_PRIVATE, -1, 0);
	if (p == (void *)-1)
		return 2;
	xnu_munmap(p, 16384);
	self = (xnu_port_t)xnu_mach_trap(-28, NULL, 0);
	for (int i = 0; i < 3; i++)
		(void)xnu_mach_trap(-28, NULL, 0);
	args[0] = self;
	args[1] = 0x7777;	/* no such name */
	for (int i = 0; i < 2; i++)
		(void)xnu_mach_trap(-18, args, 2);
	for (long i = 0; i < extra; i++)
		xnu_getpid();
	return 0;
}
