/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mmap.c: mmap, munmap, mprotect, madvise and msync through libsyscall, on
 * top of Mach VM: anonymous private and shared memory (shared survives a
 * host fork, private does not leak back), VM tags in the fd argument,
 * MAP_FIXED replacing mappings, partial munmap clipping entries, file
 * mappings (private copies and shared pages that read(2) sees), and the
 * errno of every bad argument.
 */
#include <string.h>

#include "kmod-xnu-sim/include/xnusim/libsyscall.h"
#include "kmod-xnu-sim/osfmk/kern/task.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#include "kmod-xnu-sim/osfmk/vm/vm_map_internal.h"
#include "darwin/errno.h"
#include "darwin/fcntl.h"
#include "darwin/mman.h"
#include "tests/harness.h"

/* Host calls declared by hand: <sys/types.h> clashes with the kernel's types. */
int fork(void);
int waitpid(int pid, int *status, int options);
_Noreturn void _exit(int status);
#define H_EXITED(st)     (((st) & 0x7f) == 0)
#define H_EXITSTATUS(st) (((st) >> 8) & 0xff)
#define H_SIGNALED(st)   (((st) & 0x7f) != 0 && ((st) & 0x7f) != 0x7f)
#define H_SIGBUS  7
#define H_SIGSEGV 11
typedef void (*h_sighandler_t)(int);
h_sighandler_t signal(int sig, h_sighandler_t handler);
#define H_SIG_DFL ((h_sighandler_t)0)

#define RW (PROT_READ | PROT_WRITE)
#define ANON_PRIVATE (MAP_ANON | MAP_PRIVATE)

static uint64_t ps(void) { return xs_vm_map_page_size(); }
static struct vm_map *my_map(void) { return xs_current_task()->map; }
static uint64_t entries(void) { return xs_zone_by_id(ZONE_ID_VM_MAP_ENTRY)->z_count; }
static const struct vm_map_entry *entry_at(void *p)
{
	return xs_vm_map_find_entry(my_map(), (uint64_t)(uintptr_t)p);
}

/*
 * In a host child that expects to fault: die by the signal (the default
 * action), not in the handlers inherited from the test process (the
 * simulator's copyio recovery chaining to ASan's reporter, in a SANITIZE=1
 * build), which would print a crash report for the expected fault.
 */
static void default_fault_action(void)
{
	signal(H_SIGSEGV, H_SIG_DFL);
	signal(H_SIGBUS, H_SIG_DFL);
}

/*
 * A store in a host child that does not use the simulator: 0, or 1 if it
 * faulted (killed by the signal).
 */
static int child_store(void *p, char v)
{
	int st = 0, pid = fork();

	if (pid == 0) {
		default_fault_action();
		*(volatile char *)p = v;
		_exit(0);
	}
	waitpid(pid, &st, 0);
	return H_EXITED(st) && H_EXITSTATUS(st) == 0 ? 0 : 1;
}

TEST(anonymous_private_memory_is_zeroed_and_copied_on_host_fork)
{
	uint64_t base = entries();
	char *p = xnu_mmap(NULL, 3 * ps(), RW, ANON_PRIVATE, -1, 0);

	ASSERT_TRUE(p != XNU_MAP_FAILED);
	EXPECT_TRUE((uint64_t)(uintptr_t)p >= XS_VM_MAP_USER_MIN);
	EXPECT_EQ((uint64_t)(uintptr_t)p % ps(), 0);
	EXPECT_EQ(p[0] | p[3 * ps() - 1], 0);
	p[5] = 'x';
	EXPECT_EQ(child_store(p + 5, 'y'), 0);
	EXPECT_EQ(p[5], 'x');	/* the child's store stayed in the child */
	const struct vm_map_entry *e = entry_at(p);
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->inheritance, VM_INHERIT_COPY);
	EXPECT_EQ(e->protection, RW);
	EXPECT_EQ(e->max_protection, VM_PROT_ALL);
	EXPECT_EQ(xnu_munmap(p, 3 * ps()), 0);
	EXPECT_TRUE(entry_at(p) == NULL);
	EXPECT_EQ(entries(), base);
}

TEST(anonymous_shared_memory_is_shared_with_a_host_child)
{
	char *p = xnu_mmap(NULL, ps(), RW, MAP_ANON | MAP_SHARED, -1, 0);

	ASSERT_TRUE(p != XNU_MAP_FAILED);
	const struct vm_map_entry *e = entry_at(p);
	ASSERT_TRUE(e && e->vme_object);
	EXPECT_EQ(e->inheritance, VM_INHERIT_SHARE);
	EXPECT_EQ(e->vme_object->vo_backing, XS_VMO_ANON_SHARED);
	EXPECT_EQ(p[100], 0);
	EXPECT_EQ(child_store(p + 100, 'z'), 0);
	EXPECT_EQ(p[100], 'z');
	EXPECT_EQ(xnu_munmap(p, ps()), 0);
}

TEST(vm_tag_rides_in_the_fd_of_an_anonymous_mapping)
{
	char *p = xnu_mmap(NULL, ps(), RW, ANON_PRIVATE, (int)(240u << 24), 0);

	ASSERT_TRUE(p != XNU_MAP_FAILED);
	EXPECT_EQ(entry_at(p)->vme_alias, 240);
	EXPECT_EQ(xnu_munmap(p, ps()), 0);
	EXPECT_TRUE(xnu_mmap(NULL, ps(), RW, ANON_PRIVATE, 5, 0) == XNU_MAP_FAILED);
	EXPECT_EQ(xnu_errno, EINVAL);
}

TEST(map_fixed_replaces_and_checks_alignment)
{
	char *p = xnu_mmap(NULL, 2 * ps(), RW, ANON_PRIVATE, -1, 0);

	ASSERT_TRUE(p != XNU_MAP_FAILED);
	memset(p, 'a', 2 * ps());
	char *q = xnu_mmap(p + ps(), ps(), PROT_READ, ANON_PRIVATE | MAP_FIXED, -1, 0);
	EXPECT_TRUE(q == p + ps());
	EXPECT_EQ(q[0], 0);		/* new zero page */
	EXPECT_EQ(p[0], 'a');		/* the rest kept */
	EXPECT_EQ(child_store(q, 1), 1);	/* read-only now */
	EXPECT_TRUE(xnu_mmap(p + 1, ps(), RW, ANON_PRIVATE | MAP_FIXED, -1, 0) == XNU_MAP_FAILED);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_TRUE(xnu_mmap((void *)0x10000, ps(), RW, ANON_PRIVATE | MAP_FIXED, -1, 0) ==
		    XNU_MAP_FAILED);
	EXPECT_EQ(xnu_errno, ENOMEM);	/* outside the task's map */
	/* A hint is only a hint. */
	char *h = xnu_mmap((void *)0x10000, ps(), RW, ANON_PRIVATE, -1, 0);
	EXPECT_TRUE(h != XNU_MAP_FAILED && (uint64_t)(uintptr_t)h >= XS_VM_MAP_USER_MIN);
	EXPECT_EQ(xnu_munmap(h, ps()), 0);
	EXPECT_EQ(xnu_munmap(p, 2 * ps()), 0);
}

TEST(partial_munmap_clips_the_entry)
{
	uint64_t base = entries();
	char *p = xnu_mmap(NULL, 4 * ps(), RW, ANON_PRIVATE, -1, 0);

	ASSERT_TRUE(p != XNU_MAP_FAILED);
	EXPECT_EQ(entries(), base + 1);
	EXPECT_EQ(xnu_munmap(p + ps(), 2 * ps()), 0);
	EXPECT_EQ(entries(), base + 2);
	EXPECT_EQ(child_store(p + ps(), 1), 1);
	EXPECT_EQ(child_store(p, 1), 0);
	EXPECT_EQ(child_store(p + 3 * ps(), 1), 0);
	EXPECT_EQ(xnu_munmap(p + 1, ps()), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_munmap(p, 0), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_munmap((void *)(uintptr_t)(~0ull & ~(ps() - 1)), 2 * ps()), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_munmap(p, 4 * ps()), 0);	/* holes are fine */
	EXPECT_EQ(entries(), base);
}

TEST(mprotect_changes_and_checks)
{
	char *p = xnu_mmap(NULL, 2 * ps(), RW, ANON_PRIVATE, -1, 0);

	ASSERT_TRUE(p != XNU_MAP_FAILED);
	EXPECT_EQ(xnu_mprotect(p, ps(), PROT_READ), 0);
	EXPECT_EQ(child_store(p, 1), 1);
	EXPECT_EQ(child_store(p + ps(), 1), 0);
	EXPECT_EQ(xnu_mprotect(p, ps(), PROT_WRITE), 0);	/* write implies read */
	EXPECT_EQ(entry_at(p)->protection, RW);
	EXPECT_EQ(xnu_mprotect(p, 3 * ps(), PROT_READ), -1);
	EXPECT_EQ(xnu_errno, ENOMEM);
	EXPECT_EQ(xnu_mprotect(p + 8, ps(), PROT_READ), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_mach_vm_protect(xnu_mach_task_self(), (uint64_t)(uintptr_t)p, ps(), 1,
				      VM_PROT_READ), KERN_SUCCESS);
	EXPECT_EQ(xnu_mprotect(p, ps(), RW), -1);
	EXPECT_EQ(xnu_errno, EACCES);
	EXPECT_EQ(xnu_mprotect(p, ps(), PROT_READ | 0x20 /* VM_PROT_TRUSTED */), -1);
	EXPECT_EQ(xnu_errno, ENOTSUP);
	EXPECT_EQ(xnu_munmap(p, 2 * ps()), 0);
}

TEST(madvise_advice_and_ranges)
{
	char *p = xnu_mmap(NULL, 2 * ps(), RW, ANON_PRIVATE, -1, 0);

	ASSERT_TRUE(p != XNU_MAP_FAILED);
	EXPECT_EQ(xnu_madvise(p, 2 * ps(), MADV_SEQUENTIAL), 0);
	EXPECT_EQ(entry_at(p)->behavior, VM_BEHAVIOR_SEQUENTIAL);
	EXPECT_EQ(xnu_madvise(p, 2 * ps(), MADV_FREE), 0);
	EXPECT_EQ(xnu_madvise(p, ps(), MADV_WILLNEED), 0);
	EXPECT_EQ(xnu_madvise(p, ps(), 99), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_madvise(p, ps(), MADV_PAGEOUT), -1);
	EXPECT_EQ(xnu_errno, ENOTSUP);
	EXPECT_EQ(xnu_madvise(p, 3 * ps(), MADV_RANDOM), -1);	/* a hole */
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_madvise((void *)0x10000, ps(), MADV_NORMAL), -1);	/* outside the map */
	EXPECT_EQ(xnu_errno, ENOMEM);
	EXPECT_EQ(xnu_munmap(p, 2 * ps()), 0);
}

TEST(msync_flags_and_ranges)
{
	char *p = xnu_mmap(NULL, 2 * ps(), RW, ANON_PRIVATE, -1, 0);

	ASSERT_TRUE(p != XNU_MAP_FAILED);
	EXPECT_EQ(xnu_msync(p, 2 * ps(), MS_SYNC), 0);
	EXPECT_EQ(xnu_msync(p, ps(), MS_ASYNC | MS_INVALIDATE), 0);
	EXPECT_EQ(xnu_msync(p, ps(), MS_SYNC | MS_ASYNC), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_msync(p + 1, ps(), MS_SYNC), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_msync(p, 0, MS_SYNC), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_msync(p, 3 * ps(), MS_SYNC), -1);
	EXPECT_EQ(xnu_errno, ENOMEM);
	EXPECT_EQ(xnu_munmap(p, 2 * ps()), 0);
	EXPECT_EQ(xnu_msync(p, ps(), MS_SYNC), -1);
	EXPECT_EQ(xnu_errno, ENOMEM);
}

TEST(mmap_argument_errors)
{
	EXPECT_TRUE(xnu_mmap(NULL, 0, RW, ANON_PRIVATE, -1, 0) == XNU_MAP_FAILED);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_TRUE(xnu_mmap(NULL, ps(), RW, ANON_PRIVATE | 0x100000, -1, 0) == XNU_MAP_FAILED);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_TRUE(xnu_mmap(NULL, ps(), RW, MAP_ANON | MAP_SHARED | MAP_JIT, -1, 0) ==
		    XNU_MAP_FAILED);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_TRUE(xnu_mmap((void *)(uintptr_t)(~0ull - ps()), 4 * ps(), RW,
			     ANON_PRIVATE | MAP_FIXED, -1, 0) == XNU_MAP_FAILED);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_TRUE(xnu_mmap(NULL, 1ull << 60, RW, ANON_PRIVATE, -1, 0) == XNU_MAP_FAILED);
	EXPECT_EQ(xnu_errno, ENOMEM);
	/* File mappings: bad descriptors, and descriptors that are not files. */
	EXPECT_TRUE(xnu_mmap(NULL, ps(), PROT_READ, MAP_PRIVATE, 999, 0) == XNU_MAP_FAILED);
	EXPECT_EQ(xnu_errno, EBADF);
	EXPECT_TRUE(xnu_mmap(NULL, ps(), PROT_READ, MAP_PRIVATE, -1, 0) == XNU_MAP_FAILED);
	EXPECT_EQ(xnu_errno, EBADF);
	EXPECT_TRUE(xnu_mmap(NULL, ps(), PROT_READ, MAP_SHARED, 1, 0) == XNU_MAP_FAILED);
	EXPECT_EQ(xnu_errno, ENODEV);	/* the console is a character device */
	int fds[2];
	if (EXPECT_EQ(xnu_pipe(fds), 0)) {
		EXPECT_TRUE(xnu_mmap(NULL, ps(), PROT_READ, MAP_SHARED, fds[0], 0) ==
			    XNU_MAP_FAILED);
		EXPECT_EQ(xnu_errno, EINVAL);
		xnu_close(fds[0]);
		xnu_close(fds[1]);
	}
}

/* A fresh file holding text; its fd, or -1. */
static int file_with(const char *path, const char *text, int oflags)
{
	int fd;

	xnu_unlink(path);
	fd = xnu_open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	if (xnu_write(fd, text, strlen(text)) != (xnu_ssize_t)strlen(text)) {
		xnu_close(fd);
		return -1;
	}
	if (oflags == O_RDWR)
		return fd;
	xnu_close(fd);
	return xnu_open(path, oflags);
}

TEST(private_file_mapping_sees_the_file_and_keeps_writes_private)
{
	char buf[16] = { 0 };
	int fd = file_with("/tmp/vm_mmap_private", "hello, file", O_RDWR);

	ASSERT_TRUE(fd >= 0);
	char *p = xnu_mmap(NULL, 100, RW, MAP_PRIVATE, fd, 0);
	ASSERT_TRUE(p != XNU_MAP_FAILED);
	EXPECT_EQ(memcmp(p, "hello, file", 11), 0);
	EXPECT_EQ(p[11], 0);	/* the rest of the page is zero */
	const struct vm_map_entry *e = entry_at(p);
	ASSERT_TRUE(e && e->vme_object);
	EXPECT_EQ(e->vme_object->vo_backing, XS_VMO_VNODE);
	EXPECT_TRUE(e->needs_copy);
	p[0] = 'J';
	EXPECT_EQ(xnu_pread(fd, buf, 5, 0), 5);
	EXPECT_EQ(memcmp(buf, "hello", 5), 0);	/* the file did not change */
	EXPECT_EQ(xnu_munmap(p, 100), 0);
	xnu_close(fd);
	xnu_unlink("/tmp/vm_mmap_private");
}

TEST(shared_file_mapping_writes_reach_the_file)
{
	char buf[16] = { 0 };
	int fd = file_with("/tmp/vm_mmap_shared", "0123456789", O_RDWR);

	ASSERT_TRUE(fd >= 0);
	char *p = xnu_mmap(NULL, 10, RW, MAP_SHARED, fd, 0);
	ASSERT_TRUE(p != XNU_MAP_FAILED);
	EXPECT_EQ(entry_at(p)->inheritance, VM_INHERIT_SHARE);
	memcpy(p + 2, "AB", 2);
	EXPECT_EQ(xnu_msync(p, 10, MS_SYNC), 0);
	EXPECT_EQ(xnu_pread(fd, buf, 10, 0), 10);
	EXPECT_EQ(memcmp(buf, "01AB456789", 10), 0);
	/* ... and the mapping sees writes made with write(2). */
	EXPECT_EQ(xnu_pwrite(fd, "zz", 2, 8), 2);
	EXPECT_EQ(p[8], 'z');
	/* Past the file's pages nothing is mapped, even after mprotect. */
	char *q = xnu_mmap(NULL, 2 * ps(), RW, MAP_SHARED, fd, 0);
	ASSERT_TRUE(q != XNU_MAP_FAILED);
	EXPECT_EQ(child_store(q + 9, 'q'), 0);
	EXPECT_EQ(child_store(q + ps() + 1, 'q'), 1);
	EXPECT_EQ(xnu_mprotect(q, 2 * ps(), RW), 0);
	EXPECT_EQ(child_store(q + ps() + 1, 'q'), 1);
	EXPECT_EQ(q[9], 'q');	/* the child's store went to the shared file page */
	EXPECT_EQ(xnu_munmap(q, 2 * ps()), 0);
	/* It outlives the descriptor. */
	xnu_close(fd);
	EXPECT_EQ(p[0], '0');
	EXPECT_EQ(xnu_munmap(p, 10), 0);
	xnu_unlink("/tmp/vm_mmap_shared");
}

TEST(file_mapping_protection_follows_the_open_mode)
{
	int fd = file_with("/tmp/vm_mmap_ro", "read only", O_RDONLY);

	ASSERT_TRUE(fd >= 0);
	EXPECT_TRUE(xnu_mmap(NULL, ps(), RW, MAP_SHARED, fd, 0) == XNU_MAP_FAILED);
	EXPECT_EQ(xnu_errno, EACCES);
	char *p = xnu_mmap(NULL, ps(), PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_TRUE(p != XNU_MAP_FAILED);
	EXPECT_EQ(entry_at(p)->max_protection, VM_PROT_READ | VM_PROT_EXECUTE);
	EXPECT_EQ(xnu_mprotect(p, ps(), RW), -1);
	EXPECT_EQ(xnu_errno, EACCES);
	EXPECT_EQ(xnu_munmap(p, ps()), 0);
	/* A private mapping of a read-only file may still be written. */
	p = xnu_mmap(NULL, ps(), RW, MAP_PRIVATE, fd, 0);
	ASSERT_TRUE(p != XNU_MAP_FAILED);
	p[0] = 'R';
	EXPECT_EQ(xnu_munmap(p, ps()), 0);
	xnu_close(fd);
	int wo = xnu_open("/tmp/vm_mmap_ro", O_WRONLY);
	ASSERT_TRUE(wo >= 0);
	EXPECT_TRUE(xnu_mmap(NULL, ps(), PROT_READ, MAP_PRIVATE, wo, 0) == XNU_MAP_FAILED);
	EXPECT_EQ(xnu_errno, EACCES);
	xnu_close(wo);
	xnu_unlink("/tmp/vm_mmap_ro");
}

TEST(file_offsets)
{
	char text[64];
	int fd;

	for (int i = 0; i < 63; i++)
		text[i] = (char)('A' + i % 26);
	text[63] = 0;
	fd = file_with("/tmp/vm_mmap_off", text, O_RDWR);
	ASSERT_TRUE(fd >= 0);
	/* UNIX03 callers need a page-aligned offset. */
	EXPECT_TRUE(xnu_mmap(NULL, 8, PROT_READ, MAP_PRIVATE | MAP_UNIX03, fd, 10) ==
		    XNU_MAP_FAILED);
	EXPECT_EQ(xnu_errno, EINVAL);
	/* Others get the page, and an address inside it. */
	char *p = xnu_mmap(NULL, 8, PROT_READ, MAP_PRIVATE, fd, 10);
	ASSERT_TRUE(p != XNU_MAP_FAILED);
	EXPECT_EQ((uint64_t)(uintptr_t)p % ps(), 10);
	EXPECT_EQ(p[0], 'K');
	EXPECT_EQ(xnu_munmap(p - 10, ps()), 0);
	xnu_close(fd);
	xnu_unlink("/tmp/vm_mmap_off");
}

/* Run fn in a host child; its exit code, or 100 + signal. */
static int in_child(int (*fn)(void *), void *arg)
{
	int st = 0, pid = fork();

	if (pid == 0)
		_exit(fn(arg));
	waitpid(pid, &st, 0);
	return H_EXITED(st) ? H_EXITSTATUS(st) : 100 + (st & 0x7f);
}

struct fork_probe {
	struct vm_map *child_map;
	char *keep, *none;
	bool sync;
};

/*
 * What the fork engineer's host child does: run on the child's map.  The
 * task lives in the shared arena, so swap its map only for the call.
 */
static int fork_probe(void *arg)
{
	struct fork_probe *fp = arg;
	struct task *t = xs_current_task();
	struct vm_map *old = t->map;

	if (fp->sync) {
		t->map = fp->child_map;
		xs_vm_map_pmap_fork_child(fp->child_map);
		t->map = old;
	}
	default_fault_action();
	fp->keep[0] = 1;		/* VM_INHERIT_COPY: still there */
	*(volatile char *)fp->none = 1;	/* VM_INHERIT_NONE: gone after the sync */
	return 3;
}

TEST(fork_child_loses_inherit_none_memory)
{
	struct fork_probe fp = { 0 };
	mach_vm_address_t none = 0;

	fp.keep = xnu_mmap(NULL, ps(), RW, ANON_PRIVATE, -1, 0);
	ASSERT_TRUE(fp.keep != XNU_MAP_FAILED);
	ASSERT_EQ(xs_mach_vm_map_kernel(my_map(), &none, ps(), 0, VM_FLAGS_ANYWHERE,
					VM_PROT_DEFAULT, VM_PROT_ALL, VM_INHERIT_NONE),
		  KERN_SUCCESS);
	fp.none = (char *)(uintptr_t)none;
	fp.child_map = xs_vm_map_fork(my_map());
	ASSERT_TRUE(fp.child_map != NULL);
	EXPECT_TRUE(xs_vm_map_find_entry(fp.child_map, none) == NULL);
	EXPECT_EQ(in_child(fork_probe, &fp), 3);	/* the host fork alone copies it */
	fp.sync = true;
	EXPECT_NE(in_child(fork_probe, &fp), 3);	/* faulted on the NONE page */
	xs_vm_map_deallocate(fp.child_map);
	EXPECT_EQ(xnu_munmap(fp.keep, ps()), 0);
	EXPECT_EQ(xnu_munmap(fp.none, ps()), 0);
}

/* What exec's host side does: a map built elsewhere gets its host pages. */
static int exec_probe(void *arg)
{
	struct vm_map *map = arg;
	struct task *t = xs_current_task();
	struct vm_map *old = t->map;
	int rc;

	t->map = map;
	rc = xs_vm_map_pmap_enter_all(map);
	t->map = old;
	if (rc)
		return 4;
	return ((volatile char *)(uintptr_t)XS_VM_MAP_USER_MAX)[-(long)ps()] == 0 ? 5 : 6;
}

TEST(a_map_built_elsewhere_can_be_entered_into_the_host)
{
	struct vm_map *map = xs_vm_map_create_options(true);
	mach_vm_address_t a = XS_VM_MAP_USER_MAX - ps();

	ASSERT_TRUE(map != NULL);
	ASSERT_EQ(xs_mach_vm_allocate_kernel(map, &a, ps(), VM_FLAGS_FIXED), KERN_SUCCESS);
	EXPECT_EQ(child_store((void *)(uintptr_t)a, 1), 1);	/* not in the host yet */
	EXPECT_EQ(in_child(exec_probe, map), 5);
	xs_vm_map_deallocate(map);
}
