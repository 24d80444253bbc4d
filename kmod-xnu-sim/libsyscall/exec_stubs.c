/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * exec_stubs.c: execve and posix_spawn for workloads (libsystem_kernel's
 * __execve and __posix_spawn stubs, and Libc's posix_spawn*() objects that
 * build the structures the kernel copies in).  After the kernel half
 * succeeds, each stub does the host half (DESIGN.md, process model): host
 * execve of the ELF the image is bound to (execve, SETEXEC), or host spawn
 * of it (posix_spawn), so a spawned child never runs the parent's code.
 * The kernel tells which ELF and which thread to bind to
 * (kern_exec_handoff.c).  Corresponds to libsyscall/custom and
 * Libc/sys/posix_spawn.c.
 */
#include "kmod-xnu-sim/libsyscall/libsyscall_internal.h"

#include "kmod-xnu-sim/bsd/kern/kern_exec_internal.h"
#include "kmod-xnu-sim/bsd/sys/spawn_internal.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osl/osl.h"
#include "xnusim/spawn.h"

#include "darwin/spawn.h"

enum { SYS_execve = 59, SYS_posix_spawn = 244 };

#define XS_HOST_ARGV_MAX 1024
#define XS_HOST_ARGS_BYTES (128 * 1024)

_Static_assert(sizeof(xnu_posix_spawnattr_t) == sizeof(struct xs_posix_spawnattr), "attr");
_Static_assert(sizeof(((xnu_posix_spawn_file_actions_t *)0)->__psfa_acts[0]) ==
	       sizeof(struct xs_psfa_action), "psfa");

/* The host argv: the kernel's, as laid out on the new stack; else the caller's. */
static char *const *host_argv(int pid, char *buf, char **av, char *const argv[])
{
	uint32_t argc = 0;
	size_t off = 0;

	if (xs_exec_handoff_argv(pid, buf, XS_HOST_ARGS_BYTES, &argc) != 0 ||
	    argc >= XS_HOST_ARGV_MAX)
		return argv;
	for (uint32_t i = 0; i < argc; i++) {
		av[i] = buf + off;
		off += xs_strlen(buf + off) + 1;
	}
	av[argc] = (char *)0;
	return av;
}

/* The host half of an exec in place: does not return. */
static _Noreturn void exec_host_half(char *const argv[], char *const envp[])
{
	static char args[XS_HOST_ARGS_BYTES];
	static char *av[XS_HOST_ARGV_MAX + 1];
	char elf[XS_MAXPATHLEN], spec[96];

	xs_trace_callgraph_flush();	/* the exec trap's last records: the image ends here */
	if (xs_exec_handoff_info(0, elf, sizeof(elf), spec, sizeof(spec)) == 0)
		(void)osl_host_execve(elf, host_argv(0, args, av, argv), envp, spec);
	xs_exec_host_failed(0, false);	/* the new image dies of SIGKILL */
	osl_process_terminate(9);
}

int xnu_execve(const char *path, char *const argv[], char *const envp[])
{
	if (XS_BSD(SYS_execve, XS_U64(path), XS_U64(argv), XS_U64(envp)) < 0)
		return -1;
	exec_host_half(argv, envp);
}

/* Host errno (from the platform) to Darwin's: the first 34 are the same. */
static int darwin_err(int host_neg)
{
	int e = -host_neg;

	return e > 0 && e <= 34 ? e : EIO;
}

/* The host half of a spawn: start the child's host process. */
static int spawn_host_half(int32_t child, char *const argv[], char *const envp[])
{
	char args[16 * 1024], elf[XS_MAXPATHLEN], spec[96];
	char *av[256 + 1];
	char *const *hargv = argv;
	uint32_t argc = 0;
	size_t off = 0;
	int rc;

	if (xs_exec_handoff_info(child, elf, sizeof(elf), spec, sizeof(spec)) != 0)
		return ESRCH;
	if (xs_exec_handoff_argv(child, args, sizeof(args), &argc) == 0 && argc < 256) {
		for (uint32_t i = 0; i < argc; i++) {
			av[i] = args + off;
			off += xs_strlen(args + off) + 1;
		}
		av[argc] = (char *)0;
		hargv = av;
	}
	rc = osl_host_spawn(elf, hargv, envp, spec);
	if (rc < 0) {
		xs_exec_host_failed(child, true);
		return darwin_err(rc);
	}
	xs_exec_set_host_pid(child, rc);
	return 0;
}

int xnu_posix_spawn(int32_t *pid, const char *path, const xnu_posix_spawn_file_actions_t *fa,
		    const xnu_posix_spawnattr_t *attrp, char *const argv[], char *const envp[])
{
	struct xs_posix_spawn_args_desc ad;
	const struct xs_posix_spawnattr *psa = (const void *)attrp;
	int32_t child = -1;
	uint64_t rv[2];
	int error;

	xs_memset(&ad, 0, sizeof(ad));
	if (attrp) {
		ad.attr_size = sizeof(*psa);
		ad.attrp = XS_U64(attrp);
	}
	if (fa && fa->__psfa_act_count > 0) {
		ad.file_actions_size = XS_PSF_ACTIONS_SIZE(fa->__psfa_act_count);
		ad.file_actions = XS_U64(fa);
	}
	error = xnu_bsd_trap(SYS_posix_spawn, (const uint64_t[]){ XS_U64(&child), XS_U64(path),
				 XS_U64(attrp || (fa && fa->__psfa_act_count) ? &ad : 0),
				 XS_U64(argv), XS_U64(envp) }, 5, rv);
	if (error)
		return error;
	if (psa && (psa->psa_flags & POSIX_SPAWN_SETEXEC))
		exec_host_half(argv, envp);
	error = spawn_host_half(child, argv, envp);
	if (error == 0 && pid)
		*pid = child;
	return error;
}

int xnu_posix_spawnp(int32_t *pid, const char *file, const xnu_posix_spawn_file_actions_t *fa,
		     const xnu_posix_spawnattr_t *attrp, char *const argv[], char *const envp[])
{
	static const char *const dirs[] = { "/bin/", "/usr/bin/", "/usr/local/bin/" };
	char path[XS_MAXPATHLEN];
	int error = ENOENT;

	for (const char *s = file; *s; s++)
		if (*s == '/')
			return xnu_posix_spawn(pid, file, fa, attrp, argv, envp);
	for (unsigned i = 0; i < XS_ARRAY_SIZE(dirs) && (error == ENOENT || error == EACCES); i++) {
		size_t n = xs_strlcpy(path, dirs[i], sizeof(path));

		if (xs_strlcpy(path + n, file, sizeof(path) - n) >= sizeof(path) - n)
			return ENAMETOOLONG;
		error = xnu_posix_spawn(pid, path, fa, attrp, argv, envp);
	}
	return error;
}

/* ---- posix_spawnattr_* ------------------------------------------------------------ */

static struct xs_posix_spawnattr *psa_of(xnu_posix_spawnattr_t *a) { return (void *)a; }

int xnu_posix_spawnattr_init(xnu_posix_spawnattr_t *attr)
{
	if (!attr)
		return EINVAL;
	xs_memset(attr, 0, sizeof(*attr));
	return 0;
}

int xnu_posix_spawnattr_destroy(xnu_posix_spawnattr_t *attr)
{
	return attr ? 0 : EINVAL;
}

int xnu_posix_spawnattr_setflags(xnu_posix_spawnattr_t *attr, short flags)
{
	if (!attr)
		return EINVAL;
	psa_of(attr)->psa_flags = flags;
	return 0;
}

int xnu_posix_spawnattr_getflags(const xnu_posix_spawnattr_t *attr, short *flags)
{
	if (!attr || !flags)
		return EINVAL;
	*flags = ((const struct xs_posix_spawnattr *)(const void *)attr)->psa_flags;
	return 0;
}

int xnu_posix_spawnattr_setpgroup(xnu_posix_spawnattr_t *attr, int32_t pgroup)
{
	if (!attr)
		return EINVAL;
	psa_of(attr)->psa_pgroup = pgroup;
	return 0;
}

int xnu_posix_spawnattr_setsigdefault(xnu_posix_spawnattr_t *attr, const uint32_t *sigdefault)
{
	if (!attr || !sigdefault)
		return EINVAL;
	psa_of(attr)->psa_sigdefault = *sigdefault;
	return 0;
}

int xnu_posix_spawnattr_setsigmask(xnu_posix_spawnattr_t *attr, const uint32_t *sigmask)
{
	if (!attr || !sigmask)
		return EINVAL;
	psa_of(attr)->psa_sigmask = *sigmask;
	return 0;
}

/* ---- posix_spawn_file_actions_* ---------------------------------------------------- */

int xnu_posix_spawn_file_actions_init(xnu_posix_spawn_file_actions_t *fa)
{
	if (!fa)
		return EINVAL;
	fa->__psfa_act_alloc = XNU_PSFA_MAX;
	fa->__psfa_act_count = 0;
	return 0;
}

int xnu_posix_spawn_file_actions_destroy(xnu_posix_spawn_file_actions_t *fa)
{
	return fa ? 0 : EINVAL;
}

/* The next free record, zeroed, of type t; NULL when full. */
static struct xs_psfa_action *psfa_new(xnu_posix_spawn_file_actions_t *fa, int t, int fd)
{
	struct xs_psfa_action *a;

	if (fa->__psfa_act_count >= XNU_PSFA_MAX)
		return (struct xs_psfa_action *)0;
	a = (void *)fa->__psfa_acts[fa->__psfa_act_count++];
	xs_memset(a, 0, sizeof(*a));
	a->psfaa_type = t;
	a->psfaa_filedes = fd;
	return a;
}

/* Libc's checks: a valid fd (OPEN_MAX), a fitting path, room for one more. */
#define XS_FD_OK(fd) ((fd) >= 0 && (fd) < 10240)

int xnu_posix_spawn_file_actions_addopen(xnu_posix_spawn_file_actions_t *fa, int fd,
					 const char *path, int oflag, int mode)
{
	struct xs_psfa_action *a;

	if (!fa || !path)
		return EINVAL;
	if (!XS_FD_OK(fd))
		return EBADF;
	if (xs_strlen(path) >= XS_PATH_MAX)
		return ENAMETOOLONG;
	if (!(a = psfa_new(fa, PSFA_OPEN, fd)))
		return ENOMEM;
	a->u.psfaa_openargs.psfao_oflag = oflag;
	a->u.psfaa_openargs.psfao_mode = (uint16_t)mode;
	xs_strlcpy(a->u.psfaa_openargs.psfao_path, path, XS_PATH_MAX);
	return 0;
}

static int psfa_add_fd(xnu_posix_spawn_file_actions_t *fa, int type, int fd)
{
	if (!fa)
		return EINVAL;
	if (!XS_FD_OK(fd))
		return EBADF;
	return psfa_new(fa, type, fd) ? 0 : ENOMEM;
}

int xnu_posix_spawn_file_actions_addclose(xnu_posix_spawn_file_actions_t *fa, int fd)
{
	return psfa_add_fd(fa, PSFA_CLOSE, fd);
}

int xnu_posix_spawn_file_actions_addinherit_np(xnu_posix_spawn_file_actions_t *fa, int fd)
{
	return psfa_add_fd(fa, PSFA_INHERIT, fd);
}

int xnu_posix_spawn_file_actions_addfchdir_np(xnu_posix_spawn_file_actions_t *fa, int fd)
{
	return psfa_add_fd(fa, PSFA_FCHDIR, fd);
}

int xnu_posix_spawn_file_actions_adddup2(xnu_posix_spawn_file_actions_t *fa, int fd, int newfd)
{
	struct xs_psfa_action *a;

	if (!fa)
		return EINVAL;
	if (!XS_FD_OK(fd) || !XS_FD_OK(newfd))
		return EBADF;
	if (!(a = psfa_new(fa, PSFA_DUP2, fd)))
		return ENOMEM;
	a->u.psfaa_dup2args.psfad_newfiledes = newfd;
	return 0;
}

int xnu_posix_spawn_file_actions_addchdir_np(xnu_posix_spawn_file_actions_t *fa,
					     const char *path)
{
	struct xs_psfa_action *a;

	if (!fa || !path)
		return EINVAL;
	if (xs_strlen(path) >= XS_PATH_MAX)
		return ENAMETOOLONG;
	if (!(a = psfa_new(fa, PSFA_CHDIR, 0)))
		return ENOMEM;
	xs_strlcpy(a->u.psfaa_chdirargs.psfac_path, path, XS_PATH_MAX);
	return 0;
}

int xnu_dyld_argc(void)
{
	return xs_exec_dyld_argc();
}
