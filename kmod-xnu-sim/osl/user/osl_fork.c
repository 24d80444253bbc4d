/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * osl_fork.c: the host half of fork(2).  The kernel has made the child's
 * proc, task and thread; this copies the host process.  The arena is a
 * MAP_SHARED memfd, so the child sees the same machine at the same address;
 * private memory becomes copy-on-write, as the child's map says.
 * Platform layer: XNU's counterpart is the child thread's first return to
 * user mode (thread_exception_return).
 */
#include <unistd.h>

#include "kmod-xnu-sim/osl/user/osl_user.h"

int osl_process_fork(void)
{
	pid_t pid = fork();	/* pthread_atfork (osl_host.c) clears the id caches */

	return pid < 0 ? -1 : (int)pid;
}
