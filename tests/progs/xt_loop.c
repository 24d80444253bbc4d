/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xt_loop: a workload for the collector's tests and benchmarks.
 *   xt_loop N [READYFILE]   N getpid calls (0: until killed); creates
 *                           READYFILE after the first call, so a test knows
 *                           the workload is running inside the machine
 *   xt_loop crash           a few calls, then a SIGSEGV (a crashing workload)
 *   xt_loop exit N          xnu_exit(N) through the kernel
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xnusim/libsyscall.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000;

	if (argc > 1 && strcmp(argv[1], "crash") == 0) {
		(void)xnu_getpid();
		(void)xnu_getppid();
		int *p = (int *)8;

		/*
		 * Die by the signal as an uninstrumented program does, also in a
		 * SANITIZE=1 build, where the inherited handler chain ends in
		 * ASan's reporter, which exits 1 instead.
		 */
		signal(SIGSEGV, SIG_DFL);
		__asm__ volatile("" : "+r"(p));	/* the compiler cannot see the address */
		*(volatile int *)p = 1;		/* SIGSEGV */
		return 0;
	}
	if (argc > 2 && strcmp(argv[1], "exit") == 0) {
		(void)xnu_getpid();
		xnu_exit(atoi(argv[2]));
	}
	for (long i = 0; n == 0 || i < n; i++) {
		(void)xnu_getpid();
		if (i == 0 && argc > 2) {
			int fd = open(argv[2], O_CREAT | O_WRONLY, 0644);

			if (fd >= 0)
				close(fd);
		}
	}
	return 0;
}
