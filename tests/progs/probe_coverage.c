/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * probe_coverage: invokes every implemented BSD call and Mach trap exactly
 * once through the raw traps, for tests/scripts/probe_coverage.sh, which
 * counts the syscall_entry / syscall_return probes they fire.
 *   probe_coverage plan          print the plan (below) and make no call
 *   probe_coverage run [GOFILE]  print the plan, wait until a tracer raised the
 *                                semaphores (or GOFILE exists), make the calls,
 *                                and end with exit(0), the one call that does
 *                                not return
 * Plan lines, one per implemented slot of xs_sysent[] / xs_mach_trap_table[]
 * (status implemented and a handler linked in), family 1 BSD, 2 Mach:
 *   arch NAME | dispatcher FAMILY FID | implemented N
 *   call FAMILY NUMBER KDEBUG NAME        invoked once; entry and return
 *   last FAMILY NUMBER KDEBUG NAME        invoked last (exit): entry only
 *   excluded FAMILY NUMBER NAME REASON    not invoked: it would park us
 *   uncovered FAMILY NUMBER NAME          implemented, but no recipe here
 * An "uncovered" line fails the script: a new handler needs a recipe below.
 * The arguments make each call return at once and harmlessly: mostly bad
 * fds, port names and pointers (an error still fires entry and return),
 * WNOHANG, deadlines in the past, pids that do not exist.
 */
#include <stdio.h>
#include <string.h>

#include "darwin/signal.h"
#include "darwin/wait.h"
#include "kmod-xnu-sim/bsd/sys/sysent.h"
#include "kmod-xnu-sim/osfmk/kern/syscall_sw.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "xnusim/libsyscall.h"
#include "xnusim/xnusim.h"

/* Host calls without <unistd.h>, whose types collide with kern_types.h. */
extern int usleep(unsigned int usec);

#define NO      ((uint64_t)-1)		/* bad fd / bad value */
#define NOPID   99999ull		/* a pid no simulated process has */
#define A_BUF   0xb0f0b0f0b0f0b0f0ull	/* replaced by a scratch buffer's address */
#define AT_FDCWD_DARWIN ((uint64_t)-2)

enum { R_CALL, R_LAST, R_EXCLUDE };

struct recipe {
	int family;
	const char *name;	/* the table's name column */
	int kind;
	const char *why;	/* R_EXCLUDE: why it is not invoked */
	uint64_t a[8];
};

#define CALL(f, n, ...) { f, n, R_CALL, NULL, { __VA_ARGS__ } }
#define EXCL(f, n, why) { f, n, R_EXCLUDE, why, { 0 } }
#define B XS_FAMILY_BSD
#define M XS_FAMILY_MACH

static const struct recipe recipes[] = {
	{ B, "exit", R_LAST, NULL, { 0 } },
	CALL(B, "read", NO, 0, 0),			/* never fd 0: host stdin */
	CALL(B, "read_nocancel", NO, 0, 0),
	CALL(B, "readv", NO, 0, 0),
	CALL(B, "readv_nocancel", NO, 0, 0),
	CALL(B, "pread", NO, 0, 0, 0),
	CALL(B, "pread_nocancel", NO, 0, 0, 0),
	CALL(B, "write", NO, 0, 0),
	CALL(B, "write_nocancel", NO, 0, 0),
	CALL(B, "writev", NO, 0, 0),
	CALL(B, "writev_nocancel", NO, 0, 0),
	CALL(B, "pwrite", NO, 0, 0, 0),
	CALL(B, "pwrite_nocancel", NO, 0, 0, 0),
	CALL(B, "open", 0, 0, 0),			/* NULL path: EFAULT */
	CALL(B, "open_nocancel", 0, 0, 0),
	CALL(B, "openat", AT_FDCWD_DARWIN, 0, 0, 0),
	CALL(B, "openat_nocancel", AT_FDCWD_DARWIN, 0, 0, 0),
	CALL(B, "sys_close", NO),
	CALL(B, "sys_close_nocancel", NO),
	CALL(B, "wait4", NO, 0, WNOHANG, 0),		/* no children: ECHILD */
	CALL(B, "wait4_nocancel", NO, 0, WNOHANG, 0),
	CALL(B, "unlink", 0),
	CALL(B, "sys_chdir", 0),
	CALL(B, "mkdir", 0, 0),
	CALL(B, "stat64", 0, 0),
	CALL(B, "lstat64", 0, 0),
	CALL(B, "sys_fstat64", NO, 0),
	CALL(B, "lseek", NO, 0, 0),
	CALL(B, "sys_dup", NO),
	CALL(B, "sys_dup2", NO, NO),
	CALL(B, "sys_fcntl", NO, 1, 0),
	CALL(B, "sys_fcntl_nocancel", NO, 1, 0),
	CALL(B, "pipe"),				/* two fds, left open */
	CALL(B, "getpid"),
	CALL(B, "getppid"),
	CALL(B, "getuid"),
	CALL(B, "geteuid"),
	CALL(B, "getgid"),
	CALL(B, "getegid"),
	CALL(B, "getpgrp"),
	CALL(B, "getsid", NOPID),
	CALL(B, "setpgid", NOPID, 0),
	CALL(B, "setsid"),
	CALL(B, "setuid", 0),				/* 0: EPERM unless root, then a no-op */
	CALL(B, "seteuid", 0),
	CALL(B, "setgid", 0),
	CALL(B, "setegid", 0),
	CALL(B, "thread_selfid"),
	CALL(B, "umask", 022),				/* Darwin's default */
	CALL(B, "mmap", 0, 0, 0, 0, NO, 0),		/* length 0: EINVAL */
	CALL(B, "munmap", 1, 1),			/* unaligned: EINVAL */
	CALL(B, "mprotect", 1, 1, 0),
	CALL(B, "madvise", 1, 1, 0),
	CALL(B, "msync", 1, 1, 0),
	CALL(B, "msync_nocancel", 1, 1, 0),
	CALL(B, "kill", NOPID, 0, 1),			/* ESRCH; never pid -1 */
	CALL(B, "sigaction", 0, 0, 0),			/* signal 0: EINVAL */
	CALL(B, "sigprocmask", SIG_BLOCK, 0, 0),	/* no mask: a no-op */
	CALL(B, "__pthread_sigmask", SIG_BLOCK, 0, 0),
	CALL(B, "sigpending", 0),
	CALL(B, "sigaltstack", 0, 0),
	CALL(B, "sigreturn", 0, 0, 0),			/* NULL ucontext: EFAULT */
	CALL(B, "fork"),		/* the kernel's half only: no host child binds to it */
	CALL(B, "sys_ulock_wait", 1, A_BUF, 1, 1),	/* *addr (0) != 1: no sleep */
	CALL(B, "sys_ulock_wake", 1, A_BUF, 0),		/* nobody waits: ENOENT */
	CALL(B, "execve", 0, 0, 0),
	CALL(B, "__mac_execve", 0, 0, 0, 0),		/* NULL path: EFAULT */
	CALL(B, "posix_spawn", 0, 0, 0, 0, 0),
	EXCL(B, "sigsuspend", "sleeps until a signal is delivered"),
	EXCL(B, "sigsuspend_nocancel", "sleeps until a signal is delivered"),
	EXCL(B, "__sigwait", "sleeps until a signal is pending"),

	CALL(M, "_kernelrpc_mach_vm_allocate_trap", 0, A_BUF, 4096, 1),	/* task 0 */
	CALL(M, "_kernelrpc_mach_vm_deallocate_trap", 0, 0, 0),
	CALL(M, "_kernelrpc_mach_vm_protect_trap", 0, 0, 0, 0, 0),
	CALL(M, "_kernelrpc_mach_vm_map_trap", 0, A_BUF, 4096, 0, 1, 3),
	CALL(M, "_kernelrpc_mach_port_allocate_trap", 0, 1, A_BUF),
	CALL(M, "_kernelrpc_mach_port_deallocate_trap", 0, 0),
	CALL(M, "_kernelrpc_mach_port_mod_refs_trap", 0, 0, 1, 0),
	CALL(M, "_kernelrpc_mach_port_insert_right_trap", 0, 0, 0, 0),
	CALL(M, "_kernelrpc_mach_port_construct_trap", 0, 0, 0, A_BUF),
	CALL(M, "_kernelrpc_mach_port_destruct_trap", 0, 0, 0, 0),
	CALL(M, "_kernelrpc_mach_port_move_member_trap", 0, 0, 0),
	CALL(M, "_kernelrpc_mach_port_insert_member_trap", 0, 0, 0),
	CALL(M, "_kernelrpc_mach_port_extract_member_trap", 0, 0, 0),
	CALL(M, "_kernelrpc_mach_port_get_attributes_trap", 0, 0, 0, 0, 0),
	CALL(M, "mach_reply_port"),
	CALL(M, "thread_get_special_reply_port"),
	CALL(M, "thread_self_trap"),
	CALL(M, "task_self_trap"),
	CALL(M, "host_self_trap"),
	CALL(M, "mach_msg_trap", 0, 0, 0, 0, 0, 0, 0),	/* no send, no receive */
	CALL(M, "mach_msg_overwrite_trap", 0, 0, 0, 0, 0, 0, 0, 0),
	CALL(M, "mach_msg2_trap", 0, 0, 0, 0, 0, 0, 0, 0),
	CALL(M, "semaphore_signal_trap", 0),		/* MACH_PORT_NULL */
	CALL(M, "semaphore_signal_all_trap", 0),
	CALL(M, "semaphore_wait_trap", 0),		/* invalid name: no wait */
	CALL(M, "semaphore_timedwait_trap", 0, 0, 0),
	CALL(M, "semaphore_wait_signal_trap", 0, 0),
	CALL(M, "semaphore_timedwait_signal_trap", 0, 0, 0, 0),
	CALL(M, "mach_timebase_info_trap", A_BUF),
	CALL(M, "mach_wait_until_trap", 0),		/* deadline in the past */
	CALL(M, "task_for_pid", 0, NOPID, A_BUF),
	CALL(M, "task_name_for_pid", 0, NOPID, A_BUF),
	CALL(M, "pid_for_task", 0, A_BUF),
	CALL(M, "swtch_pri", 0),
	CALL(M, "swtch"),
	CALL(M, "thread_switch", 0, 0, 0),
};

/* One implemented slot of a table. */
struct slot {
	int family, number;
	uint32_t kdebug;
	const char *name;
	const struct recipe *r;
};

#define MAX_SLOTS (XS_NSYSENT + XS_MACH_TRAP_TABLE_COUNT)
static struct slot slots[MAX_SLOTS];
static unsigned nslots;
static uint64_t scratch[512];

static const struct recipe *find_recipe(int family, const char *name)
{
	for (size_t i = 0; i < sizeof(recipes) / sizeof(recipes[0]); i++)
		if (recipes[i].family == family && strcmp(recipes[i].name, name) == 0)
			return &recipes[i];
	return NULL;
}

/* The implemented slots: what `xnusim tables` calls "modeled". */
static void collect(void)
{
	for (int n = 0; n < XS_NSYSENT; n++) {
		const struct sysent *se = &xs_sysent[n];

		if (se->sy_status != XS_SY_IMPLEMENTED || !se->sy_call)
			continue;
		slots[nslots++] = (struct slot){ B, n, se->sy_kdebug, se->sy_name,
						 find_recipe(B, se->sy_name) };
	}
	for (int i = 0; i < XS_MACH_TRAP_TABLE_COUNT; i++) {
		const struct mach_trap *t = &xs_mach_trap_table[i];

		if (!t->mach_trap_valid || !t->mach_trap_function)
			continue;
		slots[nslots++] = (struct slot){ M, -i, t->mach_trap_kdebug, t->mach_trap_name,
						 find_recipe(M, t->mach_trap_name) };
	}
}

static void print_plan(void)
{
	int x86 = xnusim_arch() == XNUSIM_ARCH_X86_64;
	const struct xs_func *bsd = xs_func_registry_find(x86 ? "unix_syscall64" : "unix_syscall");
	const struct xs_func *mach = xs_func_registry_find(x86 ? "mach_call_munger64"
							       : "mach_syscall");

	printf("arch %s\n", xnusim_arch_name(xnusim_arch()));
	printf("dispatcher %d %u\n", B, bsd ? bsd->xf_id : 0);
	printf("dispatcher %d %u\n", M, mach ? mach->xf_id : 0);
	printf("implemented %u\n", nslots);
	for (unsigned i = 0; i < nslots; i++) {
		const struct slot *s = &slots[i];

		if (!s->r)
			printf("uncovered %d %d %s\n", s->family, s->number, s->name);
		else if (s->r->kind == R_EXCLUDE)
			printf("excluded %d %d %s %s\n", s->family, s->number, s->name, s->r->why);
		else
			printf("%s %d %d %u %s\n", s->r->kind == R_LAST ? "last" : "call",
			       s->family, s->number, s->kdebug, s->name);
	}
	fflush(stdout);
}

static void invoke(const struct slot *s)
{
	uint64_t a[8], rv[2] = { 0, 0 };
	long long result;

	for (int i = 0; i < 8; i++)
		a[i] = s->r->a[i] == A_BUF ? (uint64_t)(uintptr_t)scratch : s->r->a[i];
	if (s->family == B)
		result = xnu_bsd_trap(s->number, a, 8, rv);
	else
		result = (long long)(int32_t)xnu_mach_trap(s->number, a, 8);
	/* Host output only: no simulated call may run between the traps. */
	printf("invoked %d %d %s -> %lld\n", s->family, s->number, s->name, result);
	fflush(stdout);
}

/* Wait until every semaphore the script counts is raised, or GOFILE exists. */
static void wait_for_tracer(const char *gofile)
{
	FILE *f;

	while (!(xnu_syscall_entry_semaphore && xnu_syscall_return_semaphore &&
		 xnu_func_entry_semaphore && xnu_func_return_semaphore)) {
		if ((f = fopen(gofile, "r")) != NULL) {
			fclose(f);
			break;
		}
		usleep(10000);
	}
	printf("tracer_raised %d\n", xnu_syscall_entry_semaphore && xnu_syscall_return_semaphore &&
	       xnu_func_entry_semaphore && xnu_func_return_semaphore);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	const struct slot *last = NULL;

	if (argc < 2 || (strcmp(argv[1], "plan") != 0 && strcmp(argv[1], "run") != 0)) {
		fprintf(stderr, "usage: probe_coverage plan | run [GOFILE]\n");
		return 2;
	}
	collect();
	print_plan();
	if (strcmp(argv[1], "plan") == 0)
		return 0;
	if (argc > 2)
		wait_for_tracer(argv[2]);
	for (unsigned i = 0; i < nslots; i++) {
		if (!slots[i].r || slots[i].r->kind == R_EXCLUDE)
			continue;
		if (slots[i].r->kind == R_LAST)
			last = &slots[i];
		else
			invoke(&slots[i]);
	}
	printf("done\n");
	fflush(stdout);
	if (last)
		invoke(last);	/* exit(0): does not come back */
	return 0;
}
