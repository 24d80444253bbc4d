/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spawn_vs_fork_exec: start /usr/bin/true of the simulated root file system
 * both ways, interleaved round by round in one run, and time each phase:
 *   fork+exec:   fork (kernel fork1 + host fork) | execve's kernel half (in
 *                the child: cloneproc .. exec_copyout_strings) | the rest
 *                until wait4 returns (host execve, dyld, true, exit, reap);
 *   posix_spawn: the kernel half (copyin, fork1(SPAWN) with an empty map,
 *                exec_activate_image) | the host spawn | the rest.
 * Prints medians in microseconds and the ratio fork+exec / posix_spawn.
 * Usage: spawn_vs_fork_exec [ROUNDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench/bench_util.h"
#include "xnusim/libsyscall.h"
#include "xnusim/spawn.h"

/* The kernel's handoff (kern_exec_handoff.c) and the platform's host half. */
int xs_exec_handoff_info(int pid, char *elf, size_t elflen, char *spec, size_t speclen);
int osl_host_execve(const char *elf, char *const argv[], char *const envp[], const char *env);
int osl_host_spawn(const char *elf, char *const argv[], char *const envp[], const char *env);
void xs_exec_set_host_pid(int pid, int host_pid);

#define TRUE_PATH "/usr/bin/true"
#define MAX_ROUNDS 1000

static char *true_argv[] = { "true", NULL };
static char *no_env[] = { NULL };

static uint64_t *shared_ns;	/* the fork child's execve kernel half */

static double us(uint64_t ns) { return (double)ns / 1000.0; }

static int fork_exec_round(double out[3])
{
	uint64_t t0 = bench_now_ns(), t1, t2;
	char elf[1024], spec[96];
	int pid, st;

	pid = xnu_fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		uint64_t args[3] = { (uint64_t)(uintptr_t)TRUE_PATH, (uint64_t)(uintptr_t)true_argv,
				     (uint64_t)(uintptr_t)no_env };
		uint64_t k0 = bench_now_ns();

		if (xnu_bsd_trap(59, args, 3, NULL) != 0)
			xnu_exit(126);
		*shared_ns = bench_now_ns() - k0;
		if (xs_exec_handoff_info(0, elf, sizeof(elf), spec, sizeof(spec)) == 0)
			osl_host_execve(elf, true_argv, no_env, spec);
		_exit(127);
	}
	t1 = bench_now_ns();
	if (xnu_wait4(pid, &st, 0, NULL) != pid || st != 0)
		return -1;
	t2 = bench_now_ns();
	out[0] = us(t2 - t0);
	out[1] = us(t1 - t0);		/* fork, as the parent sees it */
	out[2] = us(*shared_ns);	/* execve's kernel half */
	return 0;
}

static int spawn_round(double out[3])
{
	uint64_t t0 = bench_now_ns(), t1, t2, t3;
	char elf[1024], spec[96];
	int32_t pid = -1;
	int st, host;
	uint64_t args[5] = { (uint64_t)(uintptr_t)&pid, (uint64_t)(uintptr_t)TRUE_PATH, 0,
			     (uint64_t)(uintptr_t)true_argv, (uint64_t)(uintptr_t)no_env };

	if (xnu_bsd_trap(244, args, 5, NULL) != 0)
		return -1;
	t1 = bench_now_ns();
	if (xs_exec_handoff_info(pid, elf, sizeof(elf), spec, sizeof(spec)) != 0)
		return -1;
	host = osl_host_spawn(elf, true_argv, no_env, spec);
	if (host < 0)
		return -1;
	xs_exec_set_host_pid(pid, host);
	t2 = bench_now_ns();
	if (xnu_wait4(pid, &st, 0, NULL) != pid || st != 0)
		return -1;
	t3 = bench_now_ns();
	out[0] = us(t3 - t0);
	out[1] = us(t1 - t0);		/* the kernel half */
	out[2] = us(t2 - t1);		/* the host spawn */
	return 0;
}

int main(int argc, char **argv)
{
	static double fe[3][MAX_ROUNDS], sp[3][MAX_ROUNDS];
	int rounds = argc > 1 ? atoi(argv[1]) : 100;
	double r[3], mf[3], ms[3];

	if (rounds < 1 || rounds > MAX_ROUNDS)
		rounds = 100;
	shared_ns = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared_ns == MAP_FAILED)
		return 1;
	for (int i = 0; i < rounds; i++) {	/* interleaved: drift hits both alike */
		if (fork_exec_round(r) != 0) {
			fprintf(stderr, "fork+exec of %s failed (is the rootfs built?)\n", TRUE_PATH);
			return 1;
		}
		for (int k = 0; k < 3; k++)
			fe[k][i] = r[k];
		if (spawn_round(r) != 0) {
			fprintf(stderr, "posix_spawn of %s failed\n", TRUE_PATH);
			return 1;
		}
		for (int k = 0; k < 3; k++)
			sp[k][i] = r[k];
	}
	for (int k = 0; k < 3; k++) {
		mf[k] = bench_median(fe[k], rounds);
		ms[k] = bench_median(sp[k], rounds);
	}
	printf("fork+exec   %8.1f us   fork %.1f us, execve kernel half %.1f us, "
	       "rest (host execve, dyld, run, exit, reap) %.1f us\n",
	       mf[0], mf[1], mf[2], mf[0] - mf[1] - mf[2]);
	printf("posix_spawn %8.1f us   kernel half %.1f us, host spawn %.1f us, "
	       "rest (dyld, run, exit, reap) %.1f us\n",
	       ms[0], ms[1], ms[2], ms[0] - ms[1] - ms[2]);
	printf("ratio fork+exec / posix_spawn = %.2f   (medians of %d interleaved rounds)\n",
	       mf[0] / ms[0], rounds);
	return 0;
}
