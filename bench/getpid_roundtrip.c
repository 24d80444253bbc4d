/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * getpid_roundtrip: the cost of one simulated getpid through each trap
 * front-end (arm64 handle_svc -> unix_syscall, x86_64 hndl_syscall ->
 * unix_syscall64) against the host's own getppid(), measured in one run,
 * interleaved round by round so both see the same machine.
 * Goal (issue "simulated XNU kernel"): simulated <= 0.5 x host syscall.
 */
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench/bench_util.h"
#include "xnusim/libsyscall.h"
#include "xnusim/xnusim.h"

#define ITERS  200000
#define ROUNDS 9

static double host_round(void)
{
	uint64_t t0 = bench_now_ns();

	for (int i = 0; i < ITERS; i++)
		(void)syscall(SYS_getppid);	/* not cached by libc */
	return (double)(bench_now_ns() - t0) / ITERS;
}

static double sim_round(void)
{
	uint64_t t0 = bench_now_ns();

	for (int i = 0; i < ITERS; i++)
		(void)xnu_getpid();
	return (double)(bench_now_ns() - t0) / ITERS;
}

int main(void)
{
	static const int arches[] = { XNUSIM_ARCH_ARM64, XNUSIM_ARCH_X86_64 };
	int fail = 0;

	for (unsigned a = 0; a < 2; a++) {
		double host[ROUNDS], sim[ROUNDS], h, s;

		if (xnusim_boot(arches[a]) < 0) {
			fprintf(stderr, "getpid_roundtrip: boot failed\n");
			return 1;
		}
		(void)sim_round();	/* warm up: thread binding, caches */
		for (int r = 0; r < ROUNDS; r++) {
			host[r] = host_round();
			sim[r] = sim_round();
		}
		h = bench_median(host, ROUNDS);
		s = bench_median(sim, ROUNDS);
		printf("getpid via %-7s %7.1f ns   host getppid() %7.1f ns   ratio %.2f (goal <= 0.50) %s\n",
		       xnusim_arch_name(arches[a]), s, h, s / h, s / h <= 0.5 ? "ok" : "MISSED");
		fail |= s / h > 0.5;
	}
	return fail ? 2 : 0;
}
