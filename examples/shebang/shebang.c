/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * shebang: a #! script run through execve.  The kernel's exec_shell_imgact
 * reads the "#!" line, exec_activate_image looks the interpreter up
 * (/bin/sh, the root file system's tiny shell) and restarts on it, and
 * exec_extract_strings gives it Darwin's argv: interpreter, its words, the
 * script's path, then the caller's arguments.
 */
#include "darwin/errno.h"
#include "darwin/fcntl.h"
#include "examples/common/xprint.h"
#include "xnusim/spawn.h"

extern char **environ;

static const char script[] =
	"#!/bin/sh\n"
	"# written by examples/shebang\n"
	"echo greet.sh says hello to $1, run as $0\n"
	"exit 3\n";

int main(void)
{
	char *argv[] = { "greet.sh", "the reader", NULL };
	int status = 0, pid, fd;

	/* O_CREAT with 0755: an executable script (the umask is 022). */
	XCHECK(fd = xnu_open("/tmp/greet.sh", O_CREAT | O_WRONLY | O_TRUNC, 0755));
	XCHECK(xnu_write(fd, script, sizeof(script) - 1));
	XCHECK(xnu_close(fd));
	XCHECK(fd = xnu_open("/tmp/notes.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644));
	XCHECK(xnu_close(fd));
	if (xnu_execve("/tmp/notes.txt", argv, environ) < 0)
		xprintf("execve of a file without an x bit: errno %d (EACCES is %d)\n",
			xnu_errno, EACCES);

	XCHECK(pid = xnu_fork());
	if (pid == 0) {
		xnu_execve("/tmp/greet.sh", argv, environ);
		xprintf("shebang: execve failed: errno %d\n", xnu_errno);
		xnu_exit(127);
	}
	XCHECK(xnu_wait4(pid, &status, 0, NULL));
	xprintf("shebang: the script exited with status %d\n", (status >> 8) & 0xff);
	return 0;
}
