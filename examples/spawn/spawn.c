/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spawn: the same child as examples/fork_exec, started with posix_spawn.
 * Nothing of the parent is copied: fork1(PROC_CREATE_SPAWN) gives the child
 * an empty map, the file actions run in its fd table, and the same
 * exec_activate_image loads /usr/local/bin/hello_child into it.
 */
#include "darwin/errno.h"
#include "darwin/fcntl.h"
#include "darwin/spawn.h"
#include "examples/common/xprint.h"
#include "xnusim/spawn.h"

extern char **environ;

int main(void)
{
	char *argv[] = { "hello_child", "via posix_spawn", NULL };
	xnu_posix_spawn_file_actions_t fa;
	xnu_posix_spawnattr_t attr;
	int status = 0, err;
	int32_t pid;

	xprintf("spawn: parent pid %d\n", xnu_getpid());
	err = xnu_posix_spawn(&pid, "/usr/local/bin/no_such_program", NULL, NULL, argv, environ);
	xprintf("posix_spawn of a missing file: %d (ENOENT is %d), no child left\n", err, ENOENT);

	xnu_posix_spawn_file_actions_init(&fa);
	xnu_posix_spawn_file_actions_addopen(&fa, 3, "/dev/null", O_RDONLY, 0);
	xnu_posix_spawnattr_init(&attr);
	xnu_posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	xnu_posix_spawnattr_setpgroup(&attr, 0);
	err = xnu_posix_spawn(&pid, "/usr/local/bin/hello_child", &fa, &attr, argv, environ);
	if (err) {
		xprintf("spawn: posix_spawn failed: %d\n", err);
		return 1;
	}
	XCHECK(xnu_wait4(pid, &status, 0, NULL));
	xprintf("spawn: child %d exited with status %d\n", pid, (status >> 8) & 0xff);
	xnu_posix_spawn_file_actions_destroy(&fa);
	xnu_posix_spawnattr_destroy(&attr);
	return 0;
}
