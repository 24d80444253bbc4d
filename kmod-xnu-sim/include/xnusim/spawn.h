/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spawn.h: execve and posix_spawn for workloads, in Darwin's API shape
 * (<spawn.h>, <unistd.h>).  The attribute and file-action objects hold the
 * very structures the kernel copies in (struct _posix_spawnattr and
 * _posix_spawn_file_actions), built here as Libc builds them.  Unlike Libc
 * the objects are caller-allocated with a fixed capacity of file actions
 * (XNU_PSFA_MAX; ENOMEM beyond), because libsyscall has no malloc.
 *
 * Flags, signal numbers and errors are Darwin's: include darwin/spawn.h,
 * darwin/signal.h, darwin/errno.h.  Like Darwin's, xnu_posix_spawn returns
 * the error number (0 on success) and does not set xnu_errno.
 */
#ifndef XNUSIM_SPAWN_H
#define XNUSIM_SPAWN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define XNU_PSFA_MAX 16		/* file actions one object holds */

/* struct _posix_spawnattr, 248 bytes (LP64). */
typedef struct {
	uint64_t __psa[248 / 8];
} xnu_posix_spawnattr_t;

/* struct _posix_spawn_file_actions with room for XNU_PSFA_MAX records. */
typedef struct {
	int32_t __psfa_act_alloc;
	int32_t __psfa_act_count;
	uint8_t __psfa_acts[XNU_PSFA_MAX][1040];
} xnu_posix_spawn_file_actions_t;

/*
 * execve(2): on success the process runs the new image and this does not
 * return; otherwise -1 with xnu_errno (ENOENT, EACCES, ENOEXEC, EBADARCH,
 * EBADMACHO, EBADEXEC, E2BIG, EFAULT, ...) and nothing changed.
 */
int xnu_execve(const char *path, char *const argv[], char *const envp[]);

/*
 * posix_spawn(2): 0 with *pid (may be NULL) set, or a Darwin errno.
 * file_actions and attrp may be NULL.
 */
int xnu_posix_spawn(int32_t *pid, const char *path,
		    const xnu_posix_spawn_file_actions_t *file_actions,
		    const xnu_posix_spawnattr_t *attrp, char *const argv[], char *const envp[]);
/* posix_spawnp: a path without '/' is looked for in /bin, /usr/bin, /usr/local/bin. */
int xnu_posix_spawnp(int32_t *pid, const char *file,
		     const xnu_posix_spawn_file_actions_t *file_actions,
		     const xnu_posix_spawnattr_t *attrp, char *const argv[], char *const envp[]);

int xnu_posix_spawnattr_init(xnu_posix_spawnattr_t *attr);
int xnu_posix_spawnattr_destroy(xnu_posix_spawnattr_t *attr);
int xnu_posix_spawnattr_setflags(xnu_posix_spawnattr_t *attr, short flags);
int xnu_posix_spawnattr_getflags(const xnu_posix_spawnattr_t *attr, short *flags);
int xnu_posix_spawnattr_setpgroup(xnu_posix_spawnattr_t *attr, int32_t pgroup);
int xnu_posix_spawnattr_setsigdefault(xnu_posix_spawnattr_t *attr, const uint32_t *sigdefault);
int xnu_posix_spawnattr_setsigmask(xnu_posix_spawnattr_t *attr, const uint32_t *sigmask);

int xnu_posix_spawn_file_actions_init(xnu_posix_spawn_file_actions_t *fa);
int xnu_posix_spawn_file_actions_destroy(xnu_posix_spawn_file_actions_t *fa);
int xnu_posix_spawn_file_actions_addopen(xnu_posix_spawn_file_actions_t *fa, int fd,
					 const char *path, int oflag, int mode);
int xnu_posix_spawn_file_actions_addclose(xnu_posix_spawn_file_actions_t *fa, int fd);
int xnu_posix_spawn_file_actions_adddup2(xnu_posix_spawn_file_actions_t *fa, int fd, int newfd);
int xnu_posix_spawn_file_actions_addinherit_np(xnu_posix_spawn_file_actions_t *fa, int fd);
int xnu_posix_spawn_file_actions_addchdir_np(xnu_posix_spawn_file_actions_t *fa,
					     const char *path);
int xnu_posix_spawn_file_actions_addfchdir_np(xnu_posix_spawn_file_actions_t *fa, int fd);

/*
 * For tests and examples: did the simulated dyld of the calling process run
 * (map the image, read argc off the kernel-built stack, enter main)?  Returns
 * the argc it read, or -1 if this process's image was not started by exec.
 */
int xnu_dyld_argc(void);

#ifdef __cplusplus
}
#endif

#endif /* XNUSIM_SPAWN_H */
