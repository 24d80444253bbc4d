/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xt_orphan: a workload whose child outlives it, for the collector's tests.
 *   xt_orphan [MS]   fork; the parent exits (a simulated exit 0) as soon as
 *                    the child runs; the child waits MS milliseconds
 *                    (default 300), makes three getpid calls and exits 5.
 *                    A recording must wait for the child, not stop when
 *                    the first process ends.
 * The parent waits on a host pipe for the child to have started: a parent
 * that exits before its host child has bound to the kernel's child loses it
 * (the child then ends with status 127, a simulator limitation).
 */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "xnusim/libsyscall.h"

int main(int argc, char **argv)
{
	long ms = argc > 1 ? atol(argv[1]) : 300;
	int fds[2], pid;
	char c = 0;

	if (pipe(fds) != 0)
		return 1;
	pid = xnu_fork();
	if (pid < 0)
		return 1;
	if (pid > 0) {
		close(fds[1]);
		(void)!read(fds[0], &c, 1);	/* the child runs */
		xnu_exit(0);
	}
	close(fds[0]);
	(void)!write(fds[1], &c, 1);
	close(fds[1]);
	nanosleep(&(struct timespec){ ms / 1000, (ms % 1000) * 1000000L }, NULL);
	for (int i = 0; i < 3; i++)
		(void)xnu_getpid();
	xnu_exit(5);
}
