/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * probe_workload: a fixed sequence of traps for tests/scripts/probes_bpftrace.sh.
 *   probe_workload ids    print "name id" for the functions the script counts
 *   probe_workload sems   print every USDT semaphore ("name value")
 *   probe_workload [wait GOFILE] run the sequence (wait: first wait until a
 *                         tracer raised the semaphores, or GOFILE exists): 3 getpid, 2 thread_selfid,
 *                         4 task_self_trap (-28), 5 mach_absolute_time
 *                         (the -3 fast path: no syscall probes on arm64),
 *                         then print the syscall_entry semaphore
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "xnusim/libsyscall.h"

#define SEM(name) { #name, &xnu_##name##_semaphore }
static const struct { const char *name; volatile unsigned short *v; } sems[] = {
	SEM(syscall_entry), SEM(syscall_return), SEM(func_entry), SEM(func_return),
	SEM(proc_create), SEM(proc_exec), SEM(proc_exit), SEM(msg_send), SEM(msg_receive),
	SEM(vm_map_change),
};

int main(int argc, char **argv)
{
	static const char *funcs[] = { "unix_syscall", "mach_syscall", "handle_svc",
				       "sleh_synchronous" };

	if (argc > 1 && strcmp(argv[1], "ids") == 0) {
		for (unsigned i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++) {
			const struct xs_func *f = xs_func_registry_find(funcs[i]);

			printf("%s %u\n", funcs[i], f ? f->xf_id : 0);
		}
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "sems") == 0) {
		for (unsigned i = 0; i < sizeof(sems) / sizeof(sems[0]); i++)
			printf("%s %u\n", sems[i].name, *sems[i].v);
		return 0;
	}
	if (argc > 2 && strcmp(argv[1], "wait") == 0) {
		/*
		 * The tracer attaches after we start: wait until it raised the
		 * semaphores, or until the script says it gave up (argv[2]
		 * exists).  A probe whose semaphore stays 0 never fires: that is
		 * the point of the semaphores, and the script's counts show it.
		 */
		while (!(xnu_syscall_entry_semaphore && xnu_func_entry_semaphore) &&
		       access(argv[2], F_OK) != 0)
			usleep(10000);
		printf("tracer_raised %u\n", xnu_syscall_entry_semaphore != 0);
	}
	for (int i = 0; i < 3; i++)
		xnu_getpid();
	for (int i = 0; i < 2; i++)
		xnu_thread_selfid();
	for (int i = 0; i < 4; i++)
		xnu_mach_trap(-28, NULL, 0);
	for (int i = 0; i < 5; i++)
		xnu_mach_absolute_time();
	return 0;
}
