/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * osl_exec.c: the host half of execve and posix_spawn, and the root file
 * system's host directory.  The kernel decides what runs (the ELF a Mach-O
 * image is bound to) and with which simulated thread it binds; this file
 * makes the host agree: execve(2) of the ELF, or posix_spawn(3) of it plus a
 * reaper thread that tells the kernel if it dies without a simulated exit.
 * On the other side, osl_exec_attach_self (the library constructor) binds a
 * fresh host image to the thread exec made for it.  Platform layer.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kmod-xnu-sim/include/xnusim/xnusim.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace_inproc.h"
#include "kmod-xnu-sim/osl/user/osl_user.h"

/* Core entry points (bsd/kern, kern_exec_handoff.c and kern_exit.c). */
int xs_exec_attach(int pid, uint64_t thread_id, uint64_t token, int host_pid)
	__attribute__((weak));
int xs_proc_host_died(int host_pid, int host_wait_status) __attribute__((weak));

#define XS_MAX_ENV 4096

static bool env_is_ours(const char *e)
{
	size_t m = strlen(XNUSIM_ENV_MACHINE), x = strlen(XNUSIM_ENV_EXEC);

	return (strncmp(e, XNUSIM_ENV_MACHINE, m) == 0 && e[m] == '=') ||
	       (strncmp(e, XNUSIM_ENV_EXEC, x) == 0 && e[x] == '=');
}

/*
 * envp without our variables, then XNUSIM_MACHINE and exec_env, into out
 * (XS_MAX_ENV slots).  machine_env is storage for the machine's entry.
 */
static int build_env(char *const envp[], const char *exec_env, char **out,
		     char *machine_env, size_t mlen)
{
	int n = 0, rc = xnusim_child_env(machine_env, mlen);

	if (rc < 0)
		return rc;
	for (int i = 0; envp && envp[i] && n < XS_MAX_ENV - 3; i++)
		if (!env_is_ours(envp[i]))
			out[n++] = envp[i];
	out[n++] = machine_env;
	out[n++] = (char *)exec_env;
	out[n] = NULL;
	return 0;
}

int osl_host_execve(const char *elf, char *const argv[], char *const envp[],
		    const char *exec_env)
{
	static char *env[XS_MAX_ENV];	/* one exec at a time: the process ends */
	static char machine_env[256];
	int rc = build_env(envp, exec_env, env, machine_env, sizeof(machine_env));

	if (rc < 0)
		return rc;
	fflush(NULL);
	execve(elf, argv, env);
	return -errno;
}

/* Wait for a spawned host child; a death without a simulated exit is reaped as a kill. */
static void *reaper(void *arg)
{
	pid_t pid = (pid_t)(intptr_t)arg;
	int st;

	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return NULL;
	}
	if (xs_proc_host_died && osl_attach.oa_hdr)
		(void)xs_proc_host_died(pid, st);
	return NULL;
}

int osl_host_spawn(const char *elf, char *const argv[], char *const envp[],
		   const char *exec_env)
{
	char **env = malloc(XS_MAX_ENV * sizeof(char *));
	char machine_env[256];
	pthread_attr_t at;
	pthread_t t;
	pid_t pid;
	int rc;

	if (!env)
		return -ENOMEM;
	rc = build_env(envp, exec_env, env, machine_env, sizeof(machine_env));
	if (rc == 0)
		rc = -posix_spawn(&pid, elf, NULL, NULL, argv, env);
	free(env);
	if (rc < 0)
		return rc;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&at, 64 * 1024);
	if (pthread_create(&t, &at, reaper, (void *)(intptr_t)pid) != 0)
		osl_log("spawn: no reaper for host pid %d", (int)pid);
	pthread_attr_destroy(&at);
	return (int)pid;
}

/*
 * In a host image started by osl_host_execve / osl_host_spawn: bind to the
 * simulated thread named by XNUSIM_EXEC.  The simulated pid or -errno.
 */
int osl_exec_attach_self(void)
{
	const char *spec = getenv(XNUSIM_ENV_EXEC);
	unsigned long long tid, token;
	int pid, n = 0, rc;

	if (!spec || !xs_exec_attach)
		return -ENOENT;
	if (sscanf(spec, "%d:%llu:%llx%n", &pid, &tid, &token, &n) != 3 || spec[n] != '\0')
		return -EINVAL;
	unsetenv(XNUSIM_ENV_EXEC);	/* the program's own children must not inherit it */
	xs_trace_inproc_process_attach();	/* a collector's ring: raise our semaphores */
	rc = xs_exec_attach(pid, tid, token, (int)getpid());
	if (rc < 0)
		return rc;
	osl_attach.oa_pid = rc;
	return rc;
}

/* The host directory of the root file system: XNUSIM_ROOT, or next to the library. */
static const char *rootfs_dir(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("XNUSIM_ROOT");
	Dl_info info;
	char *slash;

	if (env && *env)
		return env;
	if (dir[0])
		return dir;
	if (!dladdr((void *)rootfs_dir, &info) || !info.dli_fname ||
	    !realpath(info.dli_fname, dir))
		return NULL;
	slash = strrchr(dir, '/');	/* .output/lib/libxnusim.so -> .output/lib */
	if (!slash)
		return NULL;
	*slash = '\0';
	slash = strrchr(dir, '/');	/* -> .output */
	if (!slash)
		return NULL;
	strcpy(slash, "/rootfs");
	return dir;
}

long osl_rootfs_read(const char *relpath, void *buf, size_t len, uint64_t off)
{
	const char *dir = rootfs_dir();
	char path[PATH_MAX];
	FILE *fp;
	size_t n;

	if (!dir || snprintf(path, sizeof(path), "%s/%s", dir, relpath) >= (int)sizeof(path))
		return -1;
	fp = fopen(path, "rb");
	if (!fp)
		return -1;
	if (fseeko(fp, (off_t)off, SEEK_SET) != 0) {
		fclose(fp);
		return -1;
	}
	n = fread(buf, 1, len, fp);
	fclose(fp);
	return (long)n;
}
