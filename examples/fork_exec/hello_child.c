/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hello_child: the child that examples/fork_exec and examples/spawn start,
 * as /usr/local/bin/hello_child of the simulated root file system (a Mach-O
 * image bound to this ELF).  It says who it is, what argv[1] it got, and the
 * argc the simulated dyld read off the stack the kernel built, then exits 7.
 */
#include "examples/common/xprint.h"
#include "xnusim/spawn.h"

int main(int argc, char **argv)
{
	xprintf("hello_child: pid %d, parent %d, argv[1] \"%s\", dyld saw argc %d\n",
		xnu_getpid(), xnu_getppid(), argc > 1 ? argv[1] : "", xnu_dyld_argc());
	xnu_exit(7);
}
