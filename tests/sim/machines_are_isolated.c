/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * machines_are_isolated.c: each booted machine is its own world.  Two
 * machines in two host processes share nothing; a host child given
 * XNUSIM_MACHINE joins its parent's machine instead; bad XNUSIM_MACHINE
 * values are refused; re-booting moves a process to a fresh machine.
 */
#include <string.h>

#include "kmod-xnu-sim/include/xnusim/xnusim.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#include "kmod-xnu-sim/osl/user/osl_user.h"
#include "tests/harness.h"

/*
 * Host calls declared by hand: <unistd.h>, <stdlib.h> and <sys/wait.h>
 * bring <sys/types.h>, whose mode_t and sigset_t clash with the kernel's.
 */
int fork(void);
int pipe(int fds[2]);
long read(int fd, void *buf, unsigned long n);
long write(int fd, const void *buf, unsigned long n);
int close(int fd);
int dup2(int fd, int fd2);
int waitpid(int pid, int *status, int options);
int execve(const char *path, char *const argv[], char *const envp[]);
char *getenv(const char *name);
int setenv(const char *name, const char *value, int overwrite);
unsigned long strtoul(const char *s, char **end, int base);
_Noreturn void _exit(int status);
#define H_EXITED(st)     (((st) & 0x7f) == 0)
#define H_EXITSTATUS(st) (((st) >> 8) & 0xff)

#define PROBE_ENV "XNUSIM_TEST_PROBE_ID"

static int wait_child(int pid)
{
	int st = 0;

	waitpid(pid, &st, 0);
	return H_EXITED(st) ? H_EXITSTATUS(st) : 100 + (st & 0x7f);
}

/* Allocate n elements of a zone named name in the current machine. */
static bool alloc_in_named_zone(const char *name, int n)
{
	struct zone *z = xs_zone_create(name, 32);

	for (int i = 0; z && i < n; i++)
		if (!xs_zalloc(z))
			return false;
	return z != NULL;
}

static const struct zone *find_zone(const char *name)
{
	for (uint32_t i = 0; i < xs_zone_count(); i++)
		if (strcmp(xs_zone_at(i)->z_name, name) == 0)
			return xs_zone_at(i);
	return NULL;
}

/*
 * The exec'd half of child_env_joins_the_same_machine: runs before the
 * harness (after the library's constructor attached us), checks it is on the
 * advertised machine as a new process, leaves a mark there, and exits.
 */
__attribute__((constructor(200)))
static void attach_probe(void)
{
	const char *want = getenv(PROBE_ENV);

	if (!want)
		return;
	if (xnusim_machine_id() != (uint32_t)strtoul(want, NULL, 10))
		_exit(10);
	if (xnusim_pid() <= 1)
		_exit(11);
	if (!alloc_in_named_zone("probe-was-here", 3))
		_exit(12);
	_exit(0);
}

TEST(library_booted_this_process_under_launchd)
{
	EXPECT_NE(xnusim_machine_id(), 0);
	EXPECT_TRUE(xnusim_machine_id() < 0x80000000u);
	EXPECT_EQ(xnusim_arch(), XNUSIM_ARCH_ARM64);
	EXPECT_TRUE(xnusim_pid() > 1);			/* not launchd itself */
	EXPECT_TRUE(osl_current_thread() != NULL);
	EXPECT_TRUE(xs_machine()->m_booted);
}

TEST(two_machines_share_nothing)
{
	uint32_t mine = xnusim_machine_id();
	uint32_t zones = xs_zone_count();
	int fds[2];
	uint32_t theirs = 0;

	ASSERT_EQ(pipe(fds), 0);
	int pid = fork();
	if (pid == 0) {
		int id = xnusim_boot(XNUSIM_ARCH_X86_64);

		if (id <= 0 || !alloc_in_named_zone("only-in-child", 5))
			_exit(1);
		theirs = (uint32_t)id;
		(void)!write(fds[1], &theirs, sizeof(theirs));
		_exit(xnusim_arch() == XNUSIM_ARCH_X86_64 && xnusim_pid() > 1 ? 0 : 2);
	}
	EXPECT_EQ(read(fds[0], &theirs, sizeof(theirs)), sizeof(theirs));
	EXPECT_EQ(wait_child(pid), 0);
	EXPECT_NE(theirs, 0);
	EXPECT_NE(theirs, mine);
	EXPECT_EQ(xnusim_machine_id(), mine);		/* we stayed where we were */
	EXPECT_EQ(xs_zone_count(), zones);		/* and saw none of it */
	EXPECT_TRUE(find_zone("only-in-child") == NULL);
	close(fds[0]);
	close(fds[1]);
}

TEST(child_env_joins_the_same_machine)
{
	char env[256], idbuf[32];
	char *argv[] = { "machines_are_isolated", NULL };

	ASSERT_EQ(xnusim_child_env(env, sizeof(env)), 0);
	EXPECT_TRUE(strncmp(env, "XNUSIM_MACHINE=", 15) == 0);
	EXPECT_EQ(xnusim_child_env(env, 10), -28);		/* ENOSPC: too small */
	ASSERT_EQ(xnusim_child_env(env, sizeof(env)), 0);
	snprintf(idbuf, sizeof(idbuf), PROBE_ENV "=%u", xnusim_machine_id());
	char *envp[] = { env, idbuf, NULL };
	EXPECT_TRUE(find_zone("probe-was-here") == NULL);
	int pid = fork();
	if (pid == 0) {
		execve("/proc/self/exe", argv, envp);
		_exit(99);
	}
	EXPECT_EQ(wait_child(pid), 0);
	const struct zone *z = find_zone("probe-was-here");	/* the child's mark */
	ASSERT_TRUE(z != NULL);
	EXPECT_EQ(z->z_count, 3);
}

#define KEPT_FD 50	/* where attach_with keeps the arena descriptor */

/*
 * In a forked child: leave the machine (keeping its descriptor at KEPT_FD,
 * since leaving closes the original), then try to join with env.
 * Returns the child's -xnusim_attach() (a host errno), 0 on success.
 */
static int attach_with(const char *env)
{
	int pid = fork();

	if (pid == 0) {
		dup2(osl_attach.oa_fd, KEPT_FD);
		osl_arena_detach();
		setenv(XNUSIM_ENV_MACHINE, env, 1);
		int rc = xnusim_attach();
		_exit(rc > 1 ? 0 : rc < 0 ? -rc : 1);
	}
	return wait_child(pid);
}

TEST(bad_machine_descriptions_are_refused)
{
	const struct osl_arena_hdr *h = osl_attach.oa_hdr;
	unsigned long long addr = h->ah_addr, size = h->ah_size;
	uint32_t id = xnusim_machine_id();
	char env[256];

	EXPECT_EQ(attach_with("garbage"), 22);				/* EINVAL */
	EXPECT_EQ(attach_with("50:0x6f0000000000"), 22);		/* too few fields */
	EXPECT_EQ(attach_with("999:0x6f0000000000:1073741824:5"), 9);	/* EBADF */
	snprintf(env, sizeof(env), "%d:%#llx:%llu:%u", KEPT_FD, addr, size, id ^ 1);
	EXPECT_EQ(attach_with(env), 22);				/* wrong machine id */
	snprintf(env, sizeof(env), "%d:%#llx:%llu:%u", KEPT_FD, addr, size / 2, id);
	EXPECT_EQ(attach_with(env), 22);				/* wrong size */
	snprintf(env, sizeof(env), "%d:%#llx:%llu:%u", KEPT_FD, addr + 4096, size, id);
	EXPECT_EQ(attach_with(env), 22);				/* wrong address */
	snprintf(env, sizeof(env), "%d:%#llx:%llu:%ux", KEPT_FD, addr, size, id);
	EXPECT_EQ(attach_with(env), 22);				/* trailing junk */
	snprintf(env, sizeof(env), "%d:%#llx:%llu:%u", KEPT_FD, addr, size, id);
	EXPECT_EQ(attach_with(env), 0);					/* the right one */
}

TEST(reboot_moves_to_a_fresh_machine)
{
	int pid = fork();

	if (pid == 0) {
		uint32_t old = xnusim_machine_id();
		int id = xnusim_boot(XNUSIM_ARCH_X86_64);

		if (id <= 0 || (uint32_t)id == old || xnusim_machine_id() != (uint32_t)id)
			_exit(1);
		if (find_zone("probe-was-here") != NULL)	/* the old machine's zone */
			_exit(2);
		if (xnusim_arch() != XNUSIM_ARCH_X86_64 || !osl_current_thread())
			_exit(3);
		_exit(xnusim_boot(7) == -22 ? 0 : 4);
	}
	EXPECT_EQ(wait_child(pid), 0);
}
