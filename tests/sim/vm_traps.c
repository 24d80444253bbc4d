/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vm_traps.c: the _kernelrpc_ VM traps (-10 allocate, -12 deallocate,
 * -14 protect, -15 map) through libsyscall: memory is real and usable,
 * protections hold (a write to read-only memory kills a host child), only
 * the caller's own task name is accepted, and bad sizes, flags and
 * out-pointers get XNU's answers.
 */
#include <string.h>

#include "kmod-xnu-sim/include/xnusim/libsyscall.h"
#include "kmod-xnu-sim/osfmk/kern/task.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#include "kmod-xnu-sim/osfmk/vm/vm_map_internal.h"
#include "darwin/mach_msg.h"
#include "tests/harness.h"

/* Host calls declared by hand: <sys/types.h> clashes with the kernel's types. */
int fork(void);
int waitpid(int pid, int *status, int options);
_Noreturn void _exit(int status);
#define H_SIGNALED(st) (((st) & 0x7f) != 0 && ((st) & 0x7f) != 0x7f)
#define H_TERMSIG(st)  ((st) & 0x7f)
#define H_SIGSEGV 11
#define H_SIGBUS  7
typedef void (*h_sighandler_t)(int);
h_sighandler_t signal(int sig, h_sighandler_t handler);
#define H_SIG_DFL ((h_sighandler_t)0)

#define BOGUS_TASK 0x12345u

static uint64_t ps(void) { return xs_vm_map_page_size(); }
static struct vm_map *my_map(void) { return xs_current_task()->map; }

static uint64_t entries(void)
{
	return xs_zone_by_id(ZONE_ID_VM_MAP_ENTRY)->z_count;
}

/*
 * Run a store to addr in a host child that never calls the simulator.  A
 * fault takes the default action: the handlers inherited from the test
 * process (copyio recovery chaining to ASan's reporter in a SANITIZE=1
 * build) would turn the expected fault into a crash report and an exit.
 */
static int child_store(uint64_t addr)
{
	int st = 0, pid = fork();

	if (pid == 0) {
		signal(H_SIGSEGV, H_SIG_DFL);
		signal(H_SIGBUS, H_SIG_DFL);
		*(volatile char *)(uintptr_t)addr = 1;
		_exit(0);
	}
	waitpid(pid, &st, 0);
	return st;
}

/* Killed by SIGSEGV/SIGBUS. */
static bool crashed(int st)
{
	return H_SIGNALED(st) && (H_TERMSIG(st) == H_SIGSEGV || H_TERMSIG(st) == H_SIGBUS);
}

TEST(allocate_gives_zeroed_usable_memory_and_deallocate_removes_it)
{
	xnu_port_t task = xnu_mach_task_self();
	uint64_t base = entries(), addr = 0;

	ASSERT_EQ(xnu_mach_vm_allocate(task, &addr, 3 * ps(), VM_FLAGS_ANYWHERE), KERN_SUCCESS);
	EXPECT_TRUE(addr >= XS_VM_MAP_USER_MIN && addr < XS_VM_MAP_USER_MAX);
	EXPECT_EQ(addr % ps(), 0);
	unsigned char *p = (unsigned char *)(uintptr_t)addr;
	EXPECT_EQ(p[0], 0);
	EXPECT_EQ(p[3 * ps() - 1], 0);
	memset(p, 0xab, 3 * ps());
	EXPECT_EQ(p[2 * ps() + 7], 0xab);
	EXPECT_TRUE(xs_vm_map_find_entry(my_map(), addr) != NULL);
	EXPECT_EQ(entries(), base + 1);

	EXPECT_EQ(xnu_mach_vm_deallocate(task, addr, 3 * ps()), KERN_SUCCESS);
	EXPECT_TRUE(xs_vm_map_find_entry(my_map(), addr) == NULL);
	EXPECT_EQ(entries(), base);
	EXPECT_TRUE(crashed(child_store(addr)));	/* gone from the host too */
}

TEST(fixed_allocation_needs_overwrite_over_existing_memory)
{
	xnu_port_t task = xnu_mach_task_self();
	uint64_t addr = 0, again;

	ASSERT_EQ(xnu_mach_vm_allocate(task, &addr, 2 * ps(), VM_FLAGS_ANYWHERE), KERN_SUCCESS);
	memset((void *)(uintptr_t)addr, 0x5a, 2 * ps());
	again = addr;
	EXPECT_EQ(xnu_mach_vm_allocate(task, &again, ps(), VM_FLAGS_FIXED), KERN_NO_SPACE);
	again = addr + ps();
	EXPECT_EQ(xnu_mach_vm_allocate(task, &again, ps(),
				       VM_FLAGS_FIXED | VM_FLAGS_OVERWRITE | (33u << 24)),
		  KERN_SUCCESS);
	EXPECT_EQ(again, addr + ps());
	EXPECT_EQ(((unsigned char *)(uintptr_t)addr)[ps()], 0);	/* fresh zero page */
	EXPECT_EQ(((unsigned char *)(uintptr_t)addr)[0], 0x5a);	/* neighbour kept */
	EXPECT_EQ(xs_vm_map_find_entry(my_map(), again)->vme_alias, 33);
	EXPECT_EQ(xnu_mach_vm_deallocate(task, addr, 2 * ps()), KERN_SUCCESS);
}

TEST(protect_read_only_makes_writes_fault_in_a_host_child)
{
	xnu_port_t task = xnu_mach_task_self();
	uint64_t addr = 0;

	ASSERT_EQ(xnu_mach_vm_allocate(task, &addr, 2 * ps(), VM_FLAGS_ANYWHERE), KERN_SUCCESS);
	((char *)(uintptr_t)addr)[0] = 42;
	EXPECT_EQ(child_store(addr), 0);	/* writable before */
	ASSERT_EQ(xnu_mach_vm_protect(task, addr, ps(), 0, VM_PROT_READ), KERN_SUCCESS);
	EXPECT_TRUE(crashed(child_store(addr)));
	EXPECT_EQ(child_store(addr + ps()), 0);	/* the other page is untouched */
	EXPECT_EQ(((char *)(uintptr_t)addr)[0], 42);	/* still readable */
	EXPECT_EQ(xnu_mach_vm_protect(task, addr, ps(), 0, VM_PROT_NONE), KERN_SUCCESS);
	EXPECT_EQ(xnu_mach_vm_protect(task, addr, ps(), 0, VM_PROT_DEFAULT), KERN_SUCCESS);
	EXPECT_EQ(child_store(addr), 0);	/* writable again */
	/* Lowering the maximum is for good. */
	EXPECT_EQ(xnu_mach_vm_protect(task, addr, ps(), 1, VM_PROT_READ), KERN_SUCCESS);
	EXPECT_EQ(xnu_mach_vm_protect(task, addr, ps(), 0, VM_PROT_DEFAULT),
		  KERN_PROTECTION_FAILURE);
	EXPECT_TRUE(crashed(child_store(addr)));
	/* A hole anywhere in the range. */
	EXPECT_EQ(xnu_mach_vm_protect(task, addr, 3 * ps(), 0, VM_PROT_READ),
		  KERN_INVALID_ADDRESS);
	EXPECT_EQ(xnu_mach_vm_deallocate(task, addr, 2 * ps()), KERN_SUCCESS);
}

TEST(only_the_callers_own_task_is_accepted)
{
	uint64_t addr = 0;
	uint64_t a4[4] = { BOGUS_TASK, (uint64_t)(uintptr_t)&addr, 16384, VM_FLAGS_ANYWHERE };
	uint64_t d3[3] = { BOGUS_TASK, XS_VM_MAP_USER_MIN, 16384 };
	uint64_t p5[5] = { BOGUS_TASK, XS_VM_MAP_USER_MIN, 16384, 0, VM_PROT_READ };
	uint64_t m6[6] = { BOGUS_TASK, (uint64_t)(uintptr_t)&addr, 16384, 0, VM_FLAGS_ANYWHERE,
			   VM_PROT_DEFAULT };

	/* Raw traps: libsyscall would fall back to MIG on this answer. */
	EXPECT_EQ(xnu_mach_trap(-10, a4, 4), MACH_SEND_INVALID_DEST);
	EXPECT_EQ(xnu_mach_trap(-12, d3, 3), MACH_SEND_INVALID_DEST);
	EXPECT_EQ(xnu_mach_trap(-14, p5, 5), MACH_SEND_INVALID_DEST);
	EXPECT_EQ(xnu_mach_trap(-15, m6, 6), MACH_SEND_INVALID_DEST);
	a4[0] = 0;	/* MACH_PORT_NULL */
	EXPECT_EQ(xnu_mach_trap(-10, a4, 4), MACH_SEND_INVALID_DEST);
	EXPECT_EQ(addr, 0);
	EXPECT_EQ(xnu_mach_vm_deallocate(BOGUS_TASK, XS_VM_MAP_USER_MIN, ps()),
		  MACH_SEND_INVALID_DEST);
}

TEST(bad_address_pointers)
{
	xnu_port_t task = xnu_mach_task_self();
	uint64_t a4[4] = { task, 0x10, ps(), VM_FLAGS_ANYWHERE };
	uint64_t ro = 0, base;

	/* Unreadable *addr: copyin fails before anything happens. */
	base = entries();
	EXPECT_EQ(xnu_mach_trap(-10, a4, 4), MACH_SEND_INVALID_DEST);
	EXPECT_EQ(entries(), base);

	/* Readable but not writable: allocated, then copyout's EFAULT comes back. */
	ASSERT_EQ(xnu_mach_vm_allocate(task, &ro, ps(), VM_FLAGS_ANYWHERE), KERN_SUCCESS);
	ASSERT_EQ(xnu_mach_vm_protect(task, ro, ps(), 0, VM_PROT_READ), KERN_SUCCESS);
	a4[1] = ro;
	base = entries();
	EXPECT_EQ(xnu_mach_trap(-10, a4, 4), 14 /* EFAULT, as XNU's mach_copyout */);
	EXPECT_EQ(entries(), base + 1);
	EXPECT_EQ(*(uint64_t *)(uintptr_t)ro, 0);
	EXPECT_EQ(xnu_mach_vm_deallocate(task, ro, ps()), KERN_SUCCESS);
}

TEST(size_flag_and_range_errors)
{
	xnu_port_t task = xnu_mach_task_self();
	uint64_t addr = 0x1234;

	EXPECT_EQ(xnu_mach_vm_allocate(task, &addr, 0, VM_FLAGS_ANYWHERE), KERN_SUCCESS);
	EXPECT_EQ(addr, 0);
	EXPECT_EQ(xnu_mach_vm_allocate(task, &addr, ~0ull, VM_FLAGS_ANYWHERE),
		  KERN_INVALID_ARGUMENT);
	EXPECT_EQ(xnu_mach_vm_allocate(task, &addr, ps(), VM_FLAGS_ANYWHERE | 0x200),
		  KERN_INVALID_ARGUMENT);
	EXPECT_EQ(xnu_mach_vm_allocate(task, &addr, 1ull << 60, VM_FLAGS_ANYWHERE),
		  KERN_NO_SPACE);
	addr = 0x10000;	/* outside the task's window */
	EXPECT_EQ(xnu_mach_vm_allocate(task, &addr, ps(), VM_FLAGS_FIXED), KERN_INVALID_ADDRESS);
	EXPECT_EQ(xnu_mach_vm_deallocate(task, ~0ull - 5, 100), KERN_INVALID_ARGUMENT);
	EXPECT_EQ(xnu_mach_vm_deallocate(task, XS_VM_MAP_USER_MIN, 0), KERN_SUCCESS);
	EXPECT_EQ(xnu_mach_vm_protect(task, XS_VM_MAP_USER_MAX - ps(), ps(), 0, VM_PROT_READ),
		  KERN_INVALID_ADDRESS);
	EXPECT_EQ(xnu_mach_vm_protect(task, XS_VM_MAP_USER_MIN, ps(), 0, 0x400),
		  KERN_INVALID_ARGUMENT);
}

TEST(vm_map_trap_aligns_and_applies_protection)
{
	xnu_port_t task = xnu_mach_task_self();
	uint64_t addr = 0, mask = (1ull << 22) - 1;

	ASSERT_EQ(xnu_mach_vm_map(task, &addr, ps(), mask, VM_FLAGS_ANYWHERE, VM_PROT_READ),
		  KERN_SUCCESS);
	EXPECT_EQ(addr & mask, 0);
	EXPECT_EQ(*(volatile char *)(uintptr_t)addr, 0);
	EXPECT_TRUE(crashed(child_store(addr)));
	const struct vm_map_entry *e = xs_vm_map_find_entry(my_map(), addr);
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->protection, VM_PROT_READ);
	EXPECT_EQ(e->max_protection, VM_PROT_ALL);
	/* So it can be made writable. */
	EXPECT_EQ(xnu_mach_vm_protect(task, addr, ps(), 0, VM_PROT_DEFAULT), KERN_SUCCESS);
	EXPECT_EQ(child_store(addr), 0);
	EXPECT_EQ(xnu_mach_vm_deallocate(task, addr, ps()), KERN_SUCCESS);
	EXPECT_EQ(xnu_mach_vm_map(task, &addr, 0, 0, VM_FLAGS_ANYWHERE, VM_PROT_READ),
		  KERN_INVALID_ARGUMENT);
	EXPECT_EQ(xnu_mach_vm_map(task, &addr, ps(), 0, VM_FLAGS_ANYWHERE | 0x200, VM_PROT_READ),
		  KERN_INVALID_ARGUMENT);
	EXPECT_EQ(xnu_mach_vm_map(task, &addr, ps(), 0, VM_FLAGS_ANYWHERE, 0x40),
		  KERN_INVALID_ARGUMENT);
}
