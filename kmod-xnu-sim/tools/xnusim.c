/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xnusim: boot a simulated machine and run a program in it, or list what the
 * kernel models (its function registry and dispatch tables).
 *
 *   xnusim run [--arch arm64|x86_64] [--] PROGRAM [ARGS...]
 *   xnusim registry
 *   xnusim tables
 *   xnusim blocked [--machine SPEC] [--pid PID]
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kmod-xnu-sim/include/xnusim/libsyscall.h"
#include "kmod-xnu-sim/include/xnusim/xnusim.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

/* The runner hosts the machine it boots; the library must not boot one at load. */
const int xnusim_no_autoboot = 1;

static void usage(FILE *out)
{
	fprintf(out,
		"usage: xnusim run [--arch arm64|x86_64] [--] PROGRAM [ARGS...]\n"
		"       xnusim registry\n"
		"       xnusim tables\n"
		"       xnusim blocked [--machine SPEC] [--pid PID]\n"
		"\n"
		"run       boot a fresh simulated XNU machine (default arm64, or $XNUSIM_ARCH)\n"
		"          and run PROGRAM in it as a child of launchd; exit with its status\n"
		"          (128+N if a signal killed it, 127 if it cannot be started)\n"
		"registry  the modeled kernel functions: id, name, subsystem, XNU path (TSV)\n"
		"tables    the BSD syscall and Mach trap tables: number, name, nargs, status (TSV)\n"
		"blocked   the threads blocked in a running machine's kernel: pid, tid, wait,\n"
		"          object, for how long (alias: ps).  SPEC is XNUSIM_MACHINE's value\n"
		"          (default: $XNUSIM_MACHINE); with --pid, SPEC's fd is PID's\n"
		"\n"
		"Environment: XNUSIM_ARCH (arm64, x86_64), XNUSIM_DEBUG (log to stderr).\n");
}

/*
 * Host-fork and exec PROGRAM with the machine's XNUSIM_MACHINE.  An exec
 * failure comes back through a close-on-exec pipe so we can say why.
 */
static int run_child(char **argv, const char *env)
{
	int fds[2], err = 0, status = 0;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) != 0) {
		fprintf(stderr, "xnusim: pipe: %s\n", strerror(errno));
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "xnusim: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		close(fds[0]);
		putenv((char *)env);
		execvp(argv[0], argv);
		err = errno;
		(void)!write(fds[1], &err, sizeof(err));
		_exit(127);
	}
	close(fds[1]);
	if (read(fds[0], &err, sizeof(err)) != sizeof(err))
		err = 0;	/* EOF: exec succeeded */
	close(fds[0]);
	signal(SIGINT, SIG_IGN);	/* the child gets the terminal's ^C and decides */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (err) {
		fprintf(stderr, "xnusim: %s: %s\n", argv[0], strerror(err));
		return err == ENOENT ? 127 : 126;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static int cmd_run(int argc, char **argv)
{
	const char *arch_name = getenv(XNUSIM_ENV_ARCH);
	char env[256];
	int i = 0, arch, rc;

	if (!arch_name)
		arch_name = "arm64";
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--arch") == 0 && i + 1 < argc) {
			arch_name = argv[i + 1];
			i += 2;
			continue;
		}
		fprintf(stderr, "xnusim run: unknown option %s\n", argv[i]);
		return 2;
	}
	if (i >= argc) {
		fprintf(stderr, "xnusim run: no program given\n");
		usage(stderr);
		return 2;
	}
	arch = xnusim_arch_parse(arch_name);
	if (arch < 0) {
		fprintf(stderr, "xnusim run: unknown architecture '%s' (arm64, x86_64)\n", arch_name);
		return 2;
	}
	rc = xnusim_boot_launchd(arch);	/* we stay launchd's host, not a process */
	if (rc < 0) {
		fprintf(stderr, "xnusim: cannot boot a %s machine: %s\n", arch_name, strerror(-rc));
		return 1;
	}
	rc = xnusim_child_env(env, sizeof(env));
	if (rc < 0) {
		fprintf(stderr, "xnusim: cannot export the machine: %s\n", strerror(-rc));
		return 1;
	}
	return run_child(argv + i, env);
}

static int cmd_registry(void)
{
	uint32_t n = xs_func_registry_count();
	char subsys[64];

	printf("id\tname\tsubsystem\txnu_path\n");
	for (uint32_t id = 1; id <= n; id++) {
		const struct xs_func *f = xs_func_registry_get(id);

		if (!f)
			continue;
		xs_func_subsystem(f, subsys, sizeof(subsys));
		printf("%u\t%s\t%s\t%s\n", id, f->xf_name, subsys, xs_func_xnu_path(f));
	}
	return ferror(stdout) ? 1 : 0;
}

static int cmd_tables(void)
{
	struct xnusim_table_row row;

	printf("table\tnumber\tname\tnargs\tstatus\n");
	for (unsigned i = 0; xnusim_bsd_table_row(i, &row) == 0; i++)
		printf("bsd\t%d\t%s\t%d\t%s\n", row.number, row.name, row.nargs, row.status);
	for (unsigned i = 0; xnusim_mach_table_row(i, &row) == 0; i++)
		printf("mach\t%d\t%s\t%d\t%s\n", row.number, row.name, row.nargs, row.status);
	return ferror(stdout) ? 1 : 0;
}

int xs_blocked_threads_report(char *buf, size_t len);	/* osfmk/kern/xs_blocked.c */

/* Map a running machine read-only and print its blocked-thread report. */
static int cmd_blocked(int argc, char **argv)
{
	const char *spec = getenv(XNUSIM_ENV_MACHINE);
	static char buf[1 << 20];
	int i, pid = 0, rc;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--machine") == 0 && i + 1 < argc) {
			spec = argv[++i];
		} else if (strcmp(argv[i], "--pid") == 0 && i + 1 < argc) {
			pid = atoi(argv[++i]);
		} else {
			fprintf(stderr, "xnusim blocked: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (!spec) {
		fprintf(stderr, "xnusim blocked: no machine (set %s or use --machine)\n",
			XNUSIM_ENV_MACHINE);
		return 2;
	}
	rc = xnusim_observe(spec, pid);
	if (rc == -EBUSY && xnusim_pid() > 0) {
		/*
		 * XNUSIM_MACHINE in our environment made the library attach us
		 * as a process of that machine: report from inside, then leave
		 * through the kernel so launchd reaps us.
		 */
		rc = xs_blocked_threads_report(buf, sizeof(buf));
		if (rc >= 0)
			fputs(buf, stdout);
		fflush(stdout);
		xnu_exit(rc < 0 || ferror(stdout) ? 1 : 0);
	}
	if (rc < 0) {
		fprintf(stderr, "xnusim blocked: cannot map machine '%s': %s\n", spec,
			strerror(-rc));
		return 1;
	}
	rc = xs_blocked_threads_report(buf, sizeof(buf));
	if (rc < 0) {
		fprintf(stderr, "xnusim blocked: the machine is not booted\n");
		return 1;
	}
	fputs(buf, stdout);
	return ferror(stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 2, argv + 2);
	if (strcmp(argv[1], "registry") == 0)
		return cmd_registry();
	if (strcmp(argv[1], "tables") == 0)
		return cmd_tables();
	if (strcmp(argv[1], "blocked") == 0 || strcmp(argv[1], "ps") == 0)
		return cmd_blocked(argc - 2, argv + 2);
	fprintf(stderr, "xnusim: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
