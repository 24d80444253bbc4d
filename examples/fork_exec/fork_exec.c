/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fork_exec: the classic way to start a program.  fork copies the whole
 * process (fork1 -> cloneproc -> vm_map_fork, fdt_fork); the child then
 * execs /usr/local/bin/hello_child, which throws that copy away
 * (execve -> __mac_execve -> cloneproc(EXEC) -> exec_activate_image ->
 * load_machfile -> proc_exec_switch_task).  Compare examples/spawn.
 */
#include "darwin/errno.h"
#include "examples/common/xprint.h"
#include "xnusim/spawn.h"

extern char **environ;

int main(void)
{
	char *argv[] = { "hello_child", "via fork+exec", NULL };
	int status = 0, pid;

	xprintf("fork_exec: parent pid %d\n", xnu_getpid());
	if (xnu_execve("/usr/local/bin/no_such_program", argv, environ) < 0)
		xprintf("execve of a missing file: errno %d (ENOENT is %d), still pid %d\n",
			xnu_errno, ENOENT, xnu_getpid());
	XCHECK(pid = xnu_fork());
	if (pid == 0) {
		xnu_execve("/usr/local/bin/hello_child", argv, environ);
		xprintf("fork_exec: execve failed: errno %d\n", xnu_errno);
		xnu_exit(127);
	}
	XCHECK(xnu_wait4(pid, &status, 0, NULL));
	xprintf("fork_exec: child %d exited with status %d\n", pid, (status >> 8) & 0xff);
	return 0;
}
