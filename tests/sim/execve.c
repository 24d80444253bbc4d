/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * execve: BSD 59 end to end.  A host child execs an image bound to this
 * binary; the new image checks the stack the kernel laid out (mach_header
 * slot, argc, argv, envp, apple[] with executable_path=) and that the
 * simulated dyld ran, and reports over a host pipe.  A #! script runs its
 * interpreter with Darwin's argv.  Every failure (ENOENT, ENOTDIR, EACCES,
 * ENOEXEC, EBADARCH, EBADMACHO, EBADEXEC, EFAULT, E2BIG-free paths) leaves
 * the caller untouched: same pid, fds and mappings.
 */
#include "tests/sim/proc_child.h"

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
#include "darwin/macho.h"
#include "darwin/mman.h"

#include "tests/harness.h"

#define SCRIPT "/tmp/xs_script"

enum { ST_MH = 1, ST_ARGV = 2, ST_ENVP = 4, ST_APPLE0 = 8, ST_APPLE = 16, ST_PID = 32 };

/* argv[] from the stack vs "a|b|c". */
static bool argv_matches(char **av, long argc, const char *want)
{
	char buf[1024], *tok, *save = NULL;
	long i = 0;

	snprintf(buf, sizeof(buf), "%s", want ? want : "");
	for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save), i++)
		if (i >= argc || strcmp(av[i], tok) != 0)
			return false;
	return i == argc;
}

/* In the new image: read the initial stack the kernel built (XNU's layout). */
static int64_t inspect_stack(int64_t *argc_out)
{
	struct proc *p = xs_current_proc();
	uint64_t *sp = (uint64_t *)(uintptr_t)p->p_exec.peh_sp;
	const char *want_path = getenv("XS_EXPECT_PATH");
	int64_t bits = 0, argc;
	char **av, **ev, **ap;
	bool guard = false, stack = false;

	if (!sp)
		return -1;
	if (*(uint32_t *)(uintptr_t)sp[0] == MH_MAGIC_64)
		bits |= ST_MH;
	argc = (int64_t)sp[1];
	av = (char **)&sp[2];
	ev = av + argc + 1;
	if (argv_matches(av, argc, getenv("XS_EXPECT_ARGV")))
		bits |= ST_ARGV;
	for (; *ev; ev++)
		if (strcmp(*ev, "XS_MARK=1") == 0)
			bits |= ST_ENVP;
	ap = ev + 1;
	if (ap[0] && want_path && strncmp(ap[0], "executable_path=", 16) == 0 &&
	    strcmp(ap[0] + 16, want_path) == 0)
		bits |= ST_APPLE0;
	for (; *ap; ap++) {
		guard |= strncmp(*ap, "stack_guard=0x", 14) == 0;
		stack |= strncmp(*ap, "main_stack=0x", 13) == 0;
	}
	if (guard && stack)
		bits |= ST_APPLE;
	if (getenv("XS_BEFORE_PID") && atoi(getenv("XS_BEFORE_PID")) == xnu_getpid())
		bits |= ST_PID;
	*argc_out = argc;
	return bits;
}

static void child_mode(const char *mode)
{
	struct pc_report r = { 0 };
	char before[32], fdenv[64], *envp[8];
	char *argv_self[] = { "selfexec", "one", "two", NULL };
	char *argv_script[] = { "script", "arg1", NULL };

	r.pid = xnu_getpid();
	r.ppid = xnu_getppid();
	if (strcmp(mode, "stack") == 0) {
		r.value[0] = inspect_stack(&r.value[1]);
		r.value[2] = xnu_dyld_argc();
		pc_report_send(&r);
		xnu_exit(0);
	}
	pc_report_send(&r);
	snprintf(before, sizeof(before), "XS_BEFORE_PID=%d", r.pid);
	snprintf(fdenv, sizeof(fdenv), "%s", ec_fd_env(atoi(getenv(PC_ENV_FD))));
	envp[0] = (char *)PC_ENV_MODE "=stack";
	envp[1] = fdenv;
	envp[2] = before;
	envp[3] = (char *)"XS_MARK=1";
	if (strcmp(mode, "exec_self") == 0) {
		envp[4] = (char *)"XS_EXPECT_ARGV=selfexec|one|two";
		envp[5] = (char *)"XS_EXPECT_PATH=" EC_SELF;
		envp[6] = NULL;
		xnu_execve(EC_SELF, argv_self, envp);
	} else {
		envp[4] = (char *)"XS_EXPECT_ARGV=" EC_SELF "|-x|--flag|" SCRIPT "|arg1";
		envp[5] = (char *)"XS_EXPECT_PATH=" SCRIPT;
		envp[6] = NULL;
		xnu_execve(SCRIPT, argv_script, envp);
	}
	r.value[3] = xnu_errno;		/* only on failure */
	pc_report_send(&r);
	xnu_exit(90);
}
PC_CHILD_MODES(child_mode)

static bool run_child(const char *mode, struct pc_report *before, struct pc_report *after,
		      int *status)
{
	struct pc_child ch;
	bool ok;

	if (pc_spawn(mode, &ch) != 0)
		return false;
	ok = pc_read_report(&ch, before) == 0 && pc_read_report(&ch, after) == 0;
	*status = pc_wait(&ch);
	return ok;
}

TEST(execve_runs_the_image_with_the_kernels_stack)
{
	struct pc_report b, a;
	int st;

	ASSERT_EQ(ec_install_self(EC_SELF), 0);
	ASSERT_TRUE(run_child("exec_self", &b, &a, &st));
	EXPECT_EQ(a.pid, b.pid);
	EXPECT_EQ(a.ppid, b.ppid);
	EXPECT_EQ(a.value[0], ST_MH | ST_ARGV | ST_ENVP | ST_APPLE0 | ST_APPLE | ST_PID);
	EXPECT_EQ(a.value[1], 3);		/* argc on the stack */
	EXPECT_EQ(a.value[2], 3);		/* what the simulated dyld read */
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

TEST(shebang_script_runs_its_interpreter_with_darwins_argv)
{
	struct pc_report b, a;
	int st;

	ASSERT_EQ(ec_install_self(EC_SELF), 0);
	ASSERT_EQ(ec_install_text(SCRIPT, 0755, "#!  " EC_SELF " -x --flag  # comment\necho\n"), 0);
	ASSERT_TRUE(run_child("exec_script", &b, &a, &st));
	EXPECT_EQ(a.value[3], 0);
	EXPECT_EQ(a.pid, b.pid);
	/* interpreter, each of its words, the script as given, argv[1..] */
	EXPECT_EQ(a.value[0], ST_MH | ST_ARGV | ST_ENVP | ST_APPLE0 | ST_APPLE | ST_PID);
	EXPECT_EQ(a.value[1], 5);
}

/* The caller is untouched by a failed execve: pid, an fd, a mapping. */
static void expect_fails(const char *path, char *const *argv, int want)
{
	static char *const envp[] = { (char *)"A=1", NULL };
	char *const dflt[] = { (char *)"x", NULL };
	int pid = xnu_getpid(), fd = xnu_open("/tmp", O_RDONLY);
	void *m = xnu_mmap(NULL, 16384, PROT_READ | PROT_WRITE, MAP_ANON | MAP_PRIVATE, -1, 0);
	struct xnu_stat64 st;

	((volatile char *)m)[0] = 7;
	EXPECT_EQ(xnu_execve(path, argv ? argv : dflt, envp), -1);
	EXPECT_EQ(xnu_errno, want);
	EXPECT_EQ(xnu_getpid(), pid);
	EXPECT_EQ(xnu_fstat64(fd, &st), 0);
	EXPECT_EQ(((volatile char *)m)[0], 7);
	EXPECT_EQ(xnu_mprotect(m, 16384, PROT_READ), 0);
	xnu_munmap(m, 16384);
	xnu_close(fd);
}

TEST(execve_path_errors)
{
	ASSERT_EQ(ec_install_text("/tmp/xs_plain", 0644, "data\n"), 0);
	expect_fails("/no/such/file", NULL, ENOENT);
	expect_fails("/tmp/xs_plain/below", NULL, ENOTDIR);
	expect_fails("", NULL, ENOENT);
	expect_fails((const char *)16, NULL, EFAULT);
}

TEST(execve_permission_errors)
{
	ASSERT_EQ(ec_install_self(EC_SELF), 0);
	ASSERT_EQ(ec_install_text("/tmp/xs_noexec", 0644, "#!/bin/sh\n"), 0);
	expect_fails("/tmp/xs_noexec", NULL, EACCES);	/* no x bit */
	expect_fails("/tmp", NULL, EACCES);		/* a directory */
	ASSERT_EQ(xs_rootfs_install("/tmp/xs_rootonly", 0700, 0, 0, "#!/bin/sh\n", 10), 0);
	expect_fails("/tmp/xs_rootonly", NULL, EACCES);	/* x for the owner only */
}

TEST(execve_format_errors)
{
	static unsigned char img[EC_IMG_MAX];
	const char *other = xnusim_arch() == XNUSIM_ARCH_ARM64 ? "x86_64" : "arm64";
	char args[64];
	long n;

	ASSERT_EQ(ec_install_text("/tmp/xs_junk", 0755, "not an executable at all\n"), 0);
	expect_fails("/tmp/xs_junk", NULL, ENOEXEC);
	ASSERT_EQ(ec_install_text("/tmp/xs_noint", 0755, "#!\n"), 0);
	expect_fails("/tmp/xs_noint", NULL, ENOEXEC);	/* #! with no interpreter */
	ASSERT_EQ(ec_install_text("/tmp/xs_badint", 0755, "#!/no/such/interp\n"), 0);
	expect_fails("/tmp/xs_badint", NULL, ENOENT);
	ASSERT_EQ(ec_install_text("/tmp/xs_nested", 0755, "#!/tmp/xs_badint\n"), 0);
	expect_fails("/tmp/xs_nested", NULL, ENOEXEC);	/* a script as interpreter */

	snprintf(args, sizeof(args), "--arch %s --bind /nonexistent/xs_elf", other);
	n = ec_mkmacho(args, img, sizeof(img));
	ASSERT_TRUE(n > 0);
	ASSERT_EQ(xs_rootfs_install("/tmp/xs_otherarch", 0755, 0, 0, img, (uint64_t)n), 0);
	expect_fails("/tmp/xs_otherarch", NULL, EBADARCH);

	n = ec_mkmacho("--fat --bind /nonexistent/xs_elf", img, sizeof(img));
	ASSERT_TRUE(n > 8192);
	ASSERT_EQ(xs_rootfs_install("/tmp/xs_trunc", 0755, 0, 0, img, 4096), 0);
	expect_fails("/tmp/xs_trunc", NULL, EBADMACHO);	/* slices past end of file */
}

TEST(execve_bad_signature_is_ebadexec)
{
	static unsigned char img[EC_IMG_MAX];
	long n;

	/* arm64 enforces code signing for every process (x86_64 would run it). */
	ASSERT_TRUE(xnusim_boot(XNUSIM_ARCH_ARM64) > 0);
	n = ec_mkmacho("--arch arm64 --bind /nonexistent/xs_elf", img, sizeof(img));
	ASSERT_TRUE(n > 4096);
	img[0x1000 - 1] ^= 0x5a;	/* inside __TEXT, covered by the code directory */
	ASSERT_EQ(xs_rootfs_install("/tmp/xs_tampered", 0755, 0, 0, img, (uint64_t)n), 0);
	expect_fails("/tmp/xs_tampered", NULL, EBADEXEC);
}

TEST(execve_bad_vectors_are_efault)
{
	char *bad_entry[] = { (char *)"ok", (char *)24, NULL };

	ASSERT_EQ(ec_install_self(EC_SELF), 0);
	expect_fails(EC_SELF, (char *const *)(uintptr_t)32, EFAULT);	/* argv itself */
	expect_fails(EC_SELF, bad_entry, EFAULT);			/* a string in it */
}

TEST(execve_no_dyld_in_a_process_not_started_by_exec)
{
	EXPECT_EQ(xnu_dyld_argc(), -1);
}
