/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * persistence_table: what a new image keeps, cell by cell, for fork, execve
 * and posix_spawn (docs: the "persistence table" of the process model).
 * Rows: pid, parent pid, an fd without and with FD_CLOEXEC, a Mach port,
 * a VM mapping, a thread other than the caller, a caught and an ignored
 * signal, the signal mask, the working directory, the credentials.  The
 * configurable cells are tested both ways: FD_CLOEXEC cleared before
 * execve, POSIX_SPAWN_CLOEXEC_DEFAULT with and without an INHERIT action,
 * SETSIGDEF, SETSIGMASK, RESETIDS.
 *
 * Each column runs in a host child attached to this machine: it sets the
 * state up, then forks, execs, or spawns an image bound to this binary; the
 * new image probes the state and reports a bitmask over a host pipe.
 */
#include "tests/sim/proc_child.h"

#include <pthread.h>

#define sigset_t xs_sigset_t
#define mode_t xs_mode_t
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#undef sigset_t
#undef mode_t
#include "kmod-xnu-sim/include/xnusim/libsyscall.h"
#include "kmod-xnu-sim/include/xnusim/spawn.h"
#include "tests/sim/exec_common.h"
#include "darwin/errno.h"
#include "darwin/fcntl.h"
#include "darwin/kern_return.h"
#include "darwin/mman.h"
#include "darwin/port.h"
#include "darwin/signal.h"
#undef sigset_t
#include "darwin/spawn.h"

#include "tests/harness.h"

enum {
	PT_FD_PLAIN = 1 << 0, PT_FD_CLOEXEC = 1 << 1, PT_PORT = 1 << 2, PT_MAPPING = 1 << 3,
	PT_HANDLER = 1 << 4, PT_IGNORED = 1 << 5, PT_MASK = 1 << 6, PT_CWD = 1 << 7,
	PT_THREAD = 1 << 8, PT_CREDS = 1 << 9, PT_EUID_ROOT = 1 << 10,
};
#define PT_FD_A 10
#define PT_FD_B 11
#define PT_MAPLEN 16384
#define PT_ENV "XS_PT_STATE"	/* "port:mapping" for the new image */

static void on_usr1(int sig) { (void)sig; }

static void *idle_thread(void *arg)
{
	(void)arg;
	(void)xnu_getpid();		/* attaches a simulated thread */
	for (;;)
		pause();
	return NULL;
}

static uint32_t pt_port;
static uint64_t pt_map;

/* The state every column starts from. */
static void pt_setup(void)
{
	struct xnu_sigaction sa = { 0 };
	xnu_sigset_t hup = 1u << (SIGHUP - 1);
	pthread_t t;
	int fd;

	xnu_mkdir("/tmp/xs_pt", 0755);
	xnu_chdir("/tmp/xs_pt");
	fd = xnu_open("xs_cwd_mark", O_CREAT | O_RDWR, 0644);
	xnu_dup2(fd, PT_FD_A);
	xnu_dup2(fd, PT_FD_B);
	xnu_close(fd);
	xnu_fcntl(PT_FD_B, F_SETFD, FD_CLOEXEC);
	xnu_mach_port_allocate(xnu_mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &pt_port);
	pt_map = (uint64_t)(uintptr_t)xnu_mmap(NULL, PT_MAPLEN, PROT_READ | PROT_WRITE,
					       MAP_ANON | MAP_PRIVATE, -1, 0);
	sa.xsa_handler = on_usr1;
	xnu_sigaction(SIGUSR1, &sa, NULL);
	sa.xsa_handler = (void (*)(int))SIG_IGN;
	xnu_sigaction(SIGUSR2, &sa, NULL);
	xnu_sigprocmask(SIG_BLOCK, &hup, NULL);
	pthread_create(&t, NULL, idle_thread, NULL);
	while (xs_proc_task(xs_current_proc())->thread_count < 2)
		usleep(1000);
}

/* What the new image sees. */
static int64_t pt_probe(void)
{
	struct xnu_stat64 st;
	struct xnu_sigaction o1 = { 0 }, o2 = { 0 };
	xnu_sigset_t mask = 0;
	int64_t bits = 0;
	int fd;

	if (xnu_fstat64(PT_FD_A, &st) == 0)
		bits |= PT_FD_PLAIN;
	if (xnu_fstat64(PT_FD_B, &st) == 0)
		bits |= PT_FD_CLOEXEC;
	if (xnu_mach_port_mod_refs(xnu_mach_task_self(), pt_port, MACH_PORT_RIGHT_RECEIVE, 0) ==
	    KERN_SUCCESS)
		bits |= PT_PORT;
	if (pt_map && xnu_mprotect((void *)(uintptr_t)pt_map, PT_MAPLEN, PROT_READ) == 0)
		bits |= PT_MAPPING;
	xnu_sigaction(SIGUSR1, NULL, &o1);
	xnu_sigaction(SIGUSR2, NULL, &o2);
	if ((uintptr_t)o1.xsa_handler != SIG_DFL && (uintptr_t)o1.xsa_handler != SIG_IGN)
		bits |= PT_HANDLER;
	if ((uintptr_t)o2.xsa_handler == SIG_IGN)
		bits |= PT_IGNORED;
	xnu_sigprocmask(SIG_BLOCK, NULL, &mask);
	if (mask & (1u << (SIGHUP - 1)))
		bits |= PT_MASK;
	fd = xnu_open("xs_cwd_mark", O_RDONLY);
	if (fd >= 0) {
		bits |= PT_CWD;
		xnu_close(fd);
	}
	if (xs_proc_task(xs_current_proc())->thread_count > 1)
		bits |= PT_THREAD;
	if (xnu_getuid() == 501 && xnu_geteuid() == 501)
		bits |= PT_CREDS;
	if (xnu_geteuid() == 0)
		bits |= PT_EUID_ROOT;
	return bits;
}

static void report(int64_t bits, int64_t dyld_argc)
{
	struct pc_report r = { 0 };

	r.pid = xnu_getpid();
	r.ppid = xnu_getppid();
	r.value[0] = bits;
	r.value[1] = dyld_argc;
	pc_report_send(&r);
}

/* envp for the new image: probe mode, the report fd, and the state's names. */
static char **pt_envp(void)
{
	static char fd_env[64], state[96];
	static char *envp[4];

	snprintf(fd_env, sizeof(fd_env), "%s", ec_fd_env(atoi(getenv(PC_ENV_FD))));
	snprintf(state, sizeof(state), "%s=%u:%llu", PT_ENV, pt_port,
		 (unsigned long long)pt_map);
	envp[0] = (char *)PC_ENV_MODE "=probe";
	envp[1] = fd_env;
	envp[2] = state;
	envp[3] = NULL;
	return envp;
}

/* Spawn the probe with the attribute variant in XS_PT_VARIANT. */
static int pt_spawn(int32_t *pid)
{
	const char *v = getenv("XS_PT_VARIANT");
	char *argv[] = { "probe", "x", NULL };
	xnu_posix_spawn_file_actions_t fa;
	xnu_posix_spawnattr_t attr;
	uint32_t usr2 = 1u << (SIGUSR2 - 1), none = 0;
	short flags = 0;

	xnu_posix_spawnattr_init(&attr);
	xnu_posix_spawn_file_actions_init(&fa);
	if (v && strncmp(v, "cloexec_default", 15) == 0) {
		flags |= POSIX_SPAWN_CLOEXEC_DEFAULT;	/* simulated fds only: the pipe is the host's */
		if (strcmp(v, "cloexec_default_inherit") == 0)
			xnu_posix_spawn_file_actions_addinherit_np(&fa, PT_FD_A);
	}
	if (v && strcmp(v, "sigdef") == 0) {
		flags |= POSIX_SPAWN_SETSIGDEF;
		xnu_posix_spawnattr_setsigdefault(&attr, &usr2);
	}
	if (v && strcmp(v, "sigmask") == 0) {
		flags |= POSIX_SPAWN_SETSIGMASK;
		xnu_posix_spawnattr_setsigmask(&attr, &none);
	}
	if (v && strcmp(v, "resetids") == 0)
		flags |= POSIX_SPAWN_RESETIDS;
	xnu_posix_spawnattr_setflags(&attr, flags);
	return xnu_posix_spawn(pid, EC_SELF, &fa, &attr, argv, pt_envp());
}

/*
 * The set-user-id hop of the RESETIDS cell: exec a set-user-id-root copy
 * of this binary (euid 0, real uid 501), which then runs the spawn column
 * with the variant given.  No report here: the new image sends both.
 */
#define PT_SUID "/tmp/xs_self_suid"

static void pt_exec_suid(const char *variant)
{
	static char fd_env[64], var_env[64];
	char *argv[] = { "suid", NULL };
	char *envp[] = { (char *)PC_ENV_MODE "=spawn", fd_env, var_env, NULL };

	snprintf(fd_env, sizeof(fd_env), "%s", ec_fd_env(atoi(getenv(PC_ENV_FD))));
	snprintf(var_env, sizeof(var_env), "XS_PT_VARIANT=%s", variant);
	xnu_execve(PT_SUID, argv, envp);
	xnu_exit(92);
}

static void child_mode(const char *mode)
{
	char *argv[] = { "probe", "one", "two", NULL };
	int32_t pid;
	int st;

	if (strcmp(mode, "probe") == 0) {
		const char *s = getenv(PT_ENV);
		unsigned long long m = 0;

		if (s)
			sscanf(s, "%u:%llu", &pt_port, &m);
		pt_map = m;
		report(pt_probe(), xnu_dyld_argc());
		xnu_exit(0);
	}
	if (strcmp(mode, "suid_spawn") == 0)
		pt_exec_suid(getenv("XS_PT_VARIANT") ? getenv("XS_PT_VARIANT") : "none");
	pt_setup();
	report(0, 0);			/* before: pid and parent */
	if (strcmp(mode, "fork") == 0) {
		pid = xnu_fork();
		if (pid == 0) {
			report(pt_probe(), xnu_dyld_argc());
			xnu_exit(0);
		}
		xnu_wait4(pid, &st, 0, NULL);
		xnu_exit(0);
	}
	if (strncmp(mode, "exec", 4) == 0) {
		if (strcmp(mode, "exec_nocloexec") == 0)
			xnu_fcntl(PT_FD_B, F_SETFD, 0);
		xnu_execve(EC_SELF, argv, pt_envp());
		xnu_exit(90);
	}
	if (pt_spawn(&pid) != 0)
		xnu_exit(91);
	xnu_wait4(pid, &st, 0, NULL);
	xnu_exit(0);
}
PC_CHILD_MODES(child_mode)

struct column {
	struct pc_report before, after;
	int host_status;
	bool ok;
};

/* Run one column: mode (and spawn variant) in a host child; both reports. */
static bool run_column(const char *mode, const char *variant, struct column *c)
{
	struct pc_child ch;

	memset(c, 0, sizeof(*c));
	if (ec_install_self(EC_SELF) != 0)
		return false;
	if (variant)
		setenv("XS_PT_VARIANT", variant, 1);
	else
		unsetenv("XS_PT_VARIANT");
	if (pc_spawn(mode, &ch) != 0)
		return false;
	c->ok = pc_read_report(&ch, &c->before) == 0 && pc_read_report(&ch, &c->after) == 0;
	c->host_status = pc_wait(&ch);
	return c->ok;
}

#define ROW(c, bit) (((c).after.value[0] & (bit)) != 0)

TEST(fork_column)
{
	struct column c;

	ASSERT_TRUE(run_column("fork", NULL, &c));
	EXPECT_NE(c.after.pid, c.before.pid);		/* PID: new */
	EXPECT_EQ(c.after.ppid, c.before.pid);		/* parent: the forker */
	EXPECT_TRUE(ROW(c, PT_FD_PLAIN));
	EXPECT_TRUE(ROW(c, PT_FD_CLOEXEC));		/* CLOEXEC acts on exec only */
	EXPECT_TRUE(!ROW(c, PT_PORT));			/* a new IPC space */
	EXPECT_TRUE(ROW(c, PT_MAPPING));		/* vm_map_fork */
	EXPECT_TRUE(!ROW(c, PT_THREAD));		/* only the caller */
	EXPECT_TRUE(ROW(c, PT_HANDLER));
	EXPECT_TRUE(ROW(c, PT_IGNORED));
	EXPECT_TRUE(ROW(c, PT_MASK));
	EXPECT_TRUE(ROW(c, PT_CWD));
	EXPECT_TRUE(ROW(c, PT_CREDS));
	EXPECT_EQ(c.after.value[1], -1);		/* no dyld: same image */
}

TEST(execve_column)
{
	struct column c;

	ASSERT_TRUE(run_column("exec", NULL, &c));
	EXPECT_EQ(c.after.pid, c.before.pid);		/* PID: kept */
	EXPECT_EQ(c.after.ppid, c.before.ppid);
	EXPECT_TRUE(ROW(c, PT_FD_PLAIN));
	EXPECT_TRUE(!ROW(c, PT_FD_CLOEXEC));
	EXPECT_TRUE(!ROW(c, PT_PORT));
	EXPECT_TRUE(!ROW(c, PT_MAPPING));		/* a new map */
	EXPECT_TRUE(!ROW(c, PT_THREAD));
	EXPECT_TRUE(!ROW(c, PT_HANDLER));		/* caught -> default */
	EXPECT_TRUE(ROW(c, PT_IGNORED));		/* ignored stays ignored */
	EXPECT_TRUE(ROW(c, PT_MASK));
	EXPECT_TRUE(ROW(c, PT_CWD));
	EXPECT_TRUE(ROW(c, PT_CREDS));
	EXPECT_EQ(c.after.value[1], 3);			/* dyld read argc off the stack */
}

TEST(execve_column_cloexec_cleared)
{
	struct column c;

	ASSERT_TRUE(run_column("exec_nocloexec", NULL, &c));
	EXPECT_TRUE(ROW(c, PT_FD_CLOEXEC));
	EXPECT_TRUE(ROW(c, PT_FD_PLAIN));
}

TEST(posix_spawn_column)
{
	struct column c;

	ASSERT_TRUE(run_column("spawn", NULL, &c));
	EXPECT_NE(c.after.pid, c.before.pid);
	EXPECT_EQ(c.after.ppid, c.before.pid);
	EXPECT_TRUE(ROW(c, PT_FD_PLAIN));
	EXPECT_TRUE(!ROW(c, PT_FD_CLOEXEC));
	EXPECT_TRUE(!ROW(c, PT_PORT));
	EXPECT_TRUE(!ROW(c, PT_MAPPING));		/* an empty map, then the image */
	EXPECT_TRUE(!ROW(c, PT_THREAD));
	EXPECT_TRUE(!ROW(c, PT_HANDLER));
	EXPECT_TRUE(ROW(c, PT_IGNORED));
	EXPECT_TRUE(ROW(c, PT_MASK));
	EXPECT_TRUE(ROW(c, PT_CWD));
	EXPECT_TRUE(ROW(c, PT_CREDS));
	EXPECT_EQ(c.after.value[1], 2);
}

TEST(posix_spawn_cloexec_default_closes_all_but_inherited)
{
	struct column c;

	ASSERT_TRUE(run_column("spawn", "cloexec_default", &c));
	EXPECT_TRUE(!ROW(c, PT_FD_PLAIN));
	EXPECT_TRUE(!ROW(c, PT_FD_CLOEXEC));
	ASSERT_TRUE(run_column("spawn", "cloexec_default_inherit", &c));
	EXPECT_TRUE(ROW(c, PT_FD_PLAIN));
	EXPECT_TRUE(!ROW(c, PT_FD_CLOEXEC));
}

TEST(posix_spawn_setsigdef_and_setsigmask)
{
	struct column c;

	ASSERT_TRUE(run_column("spawn", "sigdef", &c));
	EXPECT_TRUE(!ROW(c, PT_IGNORED));		/* SIGUSR2 back to default */
	EXPECT_TRUE(ROW(c, PT_MASK));
	ASSERT_TRUE(run_column("spawn", "sigmask", &c));
	EXPECT_TRUE(!ROW(c, PT_MASK));			/* the mask given: empty */
	EXPECT_TRUE(ROW(c, PT_IGNORED));
}

TEST(posix_spawn_resetids_keeps_real_ids)
{
	struct column c;

	ASSERT_TRUE(run_column("spawn", "resetids", &c));
	EXPECT_TRUE(ROW(c, PT_CREDS));
	EXPECT_EQ(c.after.ppid, c.before.pid);
}

/* A set-user-id-root copy of this binary (mode 04755, owner root). */
static int install_suid_self(void)
{
	static unsigned char img[EC_IMG_MAX];
	char self[PATH_MAX], args[PATH_MAX + 32];
	long n;

	if (!realpath("/proc/self/exe", self))
		return -1;
	snprintf(args, sizeof(args), "--fat --bind %s", self);
	n = ec_mkmacho(args, img, sizeof(img));
	if (n <= 0)
		return -1;
	return xs_rootfs_install(PT_SUID, 04755, 0, 0, img, (uint64_t)n) ? -1 : 0;
}

/*
 * The cell that tells RESETIDS from no flag: a parent running a
 * set-user-id-root image (real uid 501, effective 0) spawns the probe.
 * Without the flag the child keeps euid 0; with it, euid = ruid = 501.
 */
TEST(posix_spawn_resetids_drops_a_set_user_id_euid)
{
	struct column c;

	ASSERT_EQ(install_suid_self(), 0);
	ASSERT_TRUE(run_column("suid_spawn", "none", &c));
	EXPECT_TRUE(ROW(c, PT_EUID_ROOT));		/* inherited euid 0 */
	EXPECT_TRUE(!ROW(c, PT_CREDS));
	EXPECT_EQ(c.after.ppid, c.before.pid);
	ASSERT_TRUE(run_column("suid_spawn", "resetids", &c));
	EXPECT_TRUE(!ROW(c, PT_EUID_ROOT));		/* euid back to the real uid */
	EXPECT_TRUE(ROW(c, PT_CREDS));
	EXPECT_EQ(c.after.ppid, c.before.pid);
}
