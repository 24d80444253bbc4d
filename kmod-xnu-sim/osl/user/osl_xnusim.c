/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * osl_xnusim.c: the embedding API (include/xnusim/xnusim.h) and the library
 * constructor that boots or joins a machine when libxnusim.so loads.
 * Platform layer: the simulated machine's power button and its "exec from a
 * host shell".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "kmod-xnu-sim/include/xnusim/xnusim.h"
#include "kmod-xnu-sim/osl/user/osl_user.h"

/* Darwin errnos 1..34 are the host's; beyond that only report "failed". */
static int host_err(int darwin_err)
{
	if (darwin_err < 0)
		darwin_err = -darwin_err;
	return darwin_err > 0 && darwin_err <= 34 ? -darwin_err : -EIO;
}

/* A random non-zero 31-bit machine id: ids stay distinct across runs. */
static uint32_t new_machine_id(void)
{
	uint32_t id = 0;

	while (id == 0) {
		if (getrandom(&id, sizeof(id), 0) != sizeof(id))
			id = (uint32_t)osl_absolute_time() ^ (uint32_t)getpid() << 16;
		id &= 0x7fffffff;
	}
	return id;
}

/* Become a process of the machine we are attached to: the new pid or -errno. */
static int attach_self(void)
{
	int pid = osl_machine_proc_attach(osl_host_pid(), program_invocation_short_name);

	if (pid < 0)
		return host_err(pid);
	osl_attach.oa_pid = pid;
	return pid;
}

int xnusim_boot_launchd(int arch)
{
	uint32_t id;
	int err;

	if (arch != XNUSIM_ARCH_ARM64 && arch != XNUSIM_ARCH_X86_64)
		return -EINVAL;
	err = osl_fault_handler_install();
	if (err)
		return err;
	osl_arena_detach();	/* a process is on one machine at a time */
	id = new_machine_id();
	err = osl_arena_create(id);
	if (err)
		return err;
	osl_machine_setup(osl_machine(), id, arch, osl_absolute_time());
	err = osl_machine_boot();
	if (err) {
		osl_arena_detach();
		return host_err(err);
	}
	osl_attach.oa_pid = 1;	/* xs_bsd_init bound us to launchd */
	return (int)id;
}

int xnusim_boot(int arch)
{
	int id = xnusim_boot_launchd(arch), pid;

	if (id < 0)
		return id;
	/*
	 * launchd keeps no host thread: this thread moves to a new process
	 * under it, as a program started from launchd would run.
	 */
	pid = attach_self();
	if (pid < 0) {
		osl_arena_detach();
		return pid;
	}
	return id;
}

int xnusim_attach(void)
{
	const char *env = getenv(XNUSIM_ENV_MACHINE);
	unsigned long long addr, size;
	unsigned int id;
	int fd, err, n = 0;

	if (osl_attach.oa_hdr)
		return osl_attach.oa_pid;
	if (!env)
		return -ENOENT;
	if (sscanf(env, "%d:%llx:%llu:%u%n", &fd, &addr, &size, &id, &n) != 4 ||
	    env[n] != '\0' || fd < 0 || id == 0)
		return -EINVAL;
	err = osl_fault_handler_install();
	if (err)
		return err;
	err = osl_arena_map(fd, addr, size, id);
	if (err)
		return err;
	if (!osl_machine_valid(osl_machine(), id)) {
		osl_arena_detach();
		return -EINVAL;
	}
	/* A program started by the kernel's execve / posix_spawn is already a process. */
	err = getenv(XNUSIM_ENV_EXEC) ? osl_exec_attach_self() : attach_self();
	if (err < 0)
		osl_arena_detach();
	return err;
}

int xnusim_child_env(char *env_out, size_t len)
{
	const struct osl_arena_hdr *h = osl_attach.oa_hdr;
	int n;

	if (!h)
		return -ENXIO;
	n = snprintf(env_out, len, "%s=%d:%#llx:%llu:%u", XNUSIM_ENV_MACHINE, osl_attach.oa_fd,
		     (unsigned long long)h->ah_addr, (unsigned long long)h->ah_size, h->ah_id);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	/* The child inherits the memfd across exec; it marks it CLOEXEC again. */
	if (fcntl(osl_attach.oa_fd, F_SETFD, 0) != 0)
		return -errno;
	return 0;
}

uint32_t xnusim_machine_id(void)
{
	return osl_attach.oa_hdr ? osl_attach.oa_hdr->ah_id : 0;
}

int xnusim_arch(void)
{
	return osl_machine_arch(osl_machine());
}

int xnusim_pid(void)
{
	int pid = osl_machine_current_pid();

	return pid ? pid : osl_attach.oa_pid;
}

const char *xnusim_arch_name(int arch)
{
	switch (arch) {
	case XNUSIM_ARCH_ARM64:
		return "arm64";
	case XNUSIM_ARCH_X86_64:
		return "x86_64";
	default:
		return "unknown";
	}
}

int xnusim_arch_parse(const char *name)
{
	if (!name)
		return -1;
	if (strcmp(name, "arm64") == 0)
		return XNUSIM_ARCH_ARM64;
	if (strcmp(name, "x86_64") == 0)
		return XNUSIM_ARCH_X86_64;
	return -1;
}

/*
 * Runs after libc is up and before the program's own constructors, so a
 * workload's first trap finds its machine.  Failures leave the process
 * detached (its first trap panics with the reason); XNUSIM_DEBUG logs them.
 */
#pragma weak xnusim_no_autoboot

__attribute__((constructor(150)))
static void xnusim_library_init(void)
{
	const char *arch_env = getenv(XNUSIM_ENV_ARCH);
	int arch = XNUSIM_ARCH_ARM64, rc;

	osl_host_init();
	osl_machine_registry_init();
	if (getenv(XNUSIM_ENV_MACHINE)) {
		rc = xnusim_attach();
		if (rc < 0)
			osl_log("attach to %s failed: %d", getenv(XNUSIM_ENV_MACHINE), rc);
		return;
	}
	if (&xnusim_no_autoboot || getenv("XNUSIM_NO_AUTOBOOT"))
		return;
	if (arch_env && xnusim_arch_parse(arch_env) > 0)
		arch = xnusim_arch_parse(arch_env);
	rc = xnusim_boot(arch);
	if (rc < 0)
		osl_log("boot failed: %d", rc);
}
