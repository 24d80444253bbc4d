/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kmod_test: the kernel-module build (xnusim.ko) from user space, inside
 * the QEMU guest of tests/kmod/run-qemu.sh.  Boots a machine through
 * /dev/xnusim, attaches, and drives the same core as the user-space build
 * through libsyscall's stubs (whose trap here is an ioctl): ids, files on
 * the in-memory VFS, Mach VM and file mappings (the pmap in the module),
 * a Mach message to self, SIGSYS for an invalid Mach trap, an x86_64
 * machine, bad input at the device, and the TRACE_EVENT tracepoints in
 * tracefs.  Cases run in order: the first boots the machine the rest use.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* harness.h first: host <stdio.h> names that darwin/ redefines come before. */
#include "tests/harness.h"

#include "kmod-xnu-sim/include/xnusim/libsyscall.h"
#include "kmod-xnu-sim/osl/linux/user/xnusim_kmod.h"
#include "darwin/errno.h"
#include "darwin/fcntl.h"
#include "darwin/kern_return.h"
#include "darwin/mach_msg.h"
#include "darwin/mman.h"
#include "darwin/port.h"

/* <sys/mman.h> would bring Linux's MAP_* over Darwin's: declare the one call. */
extern void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off);

#define TRACEFS "/sys/kernel/tracing"
#define DARWIN_SIGSYS 12
#define LINUX_SIGSYS 31		/* the guest's, from the host's point of view */
#define BAD_PTR ((void *)0x10)

static int my_pid;

TEST(device_before_boot)
{
	struct xnusim_ioc_query q;
	uint64_t state[XNUSIM_ARM64_STATE_SIZE / 8] = { 0 };

	ASSERT_TRUE(xnusim_kmod_open() >= 0);
	ASSERT_EQ(xnusim_kmod_query(&q), 0);
	EXPECT_EQ(q.machine_id, 0);		/* no machine on this handle yet */
	EXPECT_TRUE(q.nfuncs > 100);		/* the XS_FUNC registry came with the module */
	EXPECT_EQ(xnusim_kmod_attach("early"), -ENXIO);
	EXPECT_EQ(xnusim_kmod_trap_raw(XNUSIM_ARCH_ARM64_ID, state), -ENXIO);
}

TEST(boot_arm64_machine)
{
	struct xnusim_ioc_query q;
	int id = xnusim_kmod_boot(XNUSIM_ARCH_ARM64_ID);

	ASSERT_TRUE(id > 0);
	EXPECT_EQ(xnusim_kmod_boot(XNUSIM_ARCH_ARM64_ID), -EBUSY);	/* one per handle */
	ASSERT_EQ(xnusim_kmod_query(&q), 0);
	EXPECT_EQ(q.machine_id, (uint32_t)id);
	EXPECT_EQ(q.arch, XNUSIM_ARCH_ARM64_ID);
	EXPECT_EQ(q.pid, 1);			/* the booting thread is launchd */
	EXPECT_EQ(q.broken, 0);
	EXPECT_TRUE(q.arena_free > 0 && q.arena_free < q.arena_pages);
}

TEST(attach_getpid_getppid)
{
	struct xnusim_ioc_query q;

	my_pid = xnusim_kmod_attach("kmod_test");
	ASSERT_TRUE(my_pid >= 2);
	EXPECT_EQ(xnu_getpid(), my_pid);
	EXPECT_EQ(xnu_getppid(), 1);		/* launchd's child */
	ASSERT_EQ(xnusim_kmod_query(&q), 0);
	EXPECT_EQ(q.pid, my_pid);
	EXPECT_TRUE(q.tid != 0);
	EXPECT_EQ(xnu_thread_selfid(), q.tid);
	EXPECT_TRUE(q.traps >= 2);	/* getpid, getppid */
}

TEST(vfs_open_write_read_close)
{
	char buf[32] = { 0 };
	int fd = xnu_open("/private/tmp/kmod.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);

	ASSERT_TRUE(fd >= 3);
	EXPECT_EQ(xnu_write(fd, "hello from xnusim.ko", 20), 20);
	EXPECT_EQ(xnu_lseek(fd, 6, SEEK_SET), 6);
	EXPECT_EQ(xnu_read(fd, buf, sizeof(buf)), 14);
	EXPECT_STREQ(buf, "from xnusim.ko");
	EXPECT_EQ(xnu_close(fd), 0);
	fd = xnu_open("/private/tmp/kmod.txt", O_RDONLY);
	ASSERT_TRUE(fd >= 3);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(xnu_read(fd, buf, 5), 5);
	EXPECT_STREQ(buf, "hello");
	EXPECT_EQ(xnu_close(fd), 0);
}

TEST(vfs_errors_are_darwin_and_bad_pointers_fault)
{
	char buf[8] = { 0 };
	int fd;

	EXPECT_EQ(xnu_open("/private/tmp/none/such", O_RDONLY), -1);
	EXPECT_EQ(xnu_errno, ENOENT);
	EXPECT_EQ(xnu_close(77), -1);
	EXPECT_EQ(xnu_errno, EBADF);
	EXPECT_EQ(xnu_open(BAD_PTR, O_RDONLY), -1);	/* copyinstr faults */
	EXPECT_EQ(xnu_errno, EFAULT);
	fd = xnu_open("/private/tmp/kmod.txt", O_RDWR);
	ASSERT_TRUE(fd >= 3);
	EXPECT_EQ(xnu_write(fd, BAD_PTR, 4), -1);	/* copyin faults */
	EXPECT_EQ(xnu_errno, EFAULT);
	EXPECT_EQ(xnu_pread(fd, buf, 5, 0), 5);	/* and leaves the file alone */
	EXPECT_STREQ(buf, "hello");
	EXPECT_EQ(xnu_read(fd, BAD_PTR, 4), -1);	/* copyout faults */
	EXPECT_EQ(xnu_errno, EFAULT);
	EXPECT_EQ(xnu_close(fd), 0);
}

TEST(vm_allocate_maps_the_process)
{
	uint64_t addr = 0;
	volatile uint32_t *p;

	ASSERT_EQ(xnu_mach_vm_allocate(xnu_mach_task_self(), &addr, 3 * 4096, 1 /* ANYWHERE */),
		  KERN_SUCCESS);
	ASSERT_TRUE(addr != 0);
	p = (volatile uint32_t *)(uintptr_t)addr;	/* vm_mmap'd into us by the module */
	EXPECT_EQ(p[0], 0);
	p[0] = 0x1234abcd;
	p[3 * 1024 - 1] = 7;
	EXPECT_EQ(p[0], 0x1234abcd);
	EXPECT_EQ(xnu_mach_vm_deallocate(xnu_mach_task_self(), addr, 3 * 4096), KERN_SUCCESS);
	EXPECT_EQ(xnu_mach_vm_deallocate(xnu_mach_task_self(), ~0ull - 5, 100),
		  KERN_INVALID_ARGUMENT);	/* the range wraps */
}

TEST(shared_file_mapping_is_the_kernels_pages)
{
	char buf[8] = { 0 };
	int fd = xnu_open("/private/tmp/kmod.txt", O_RDWR);
	char *m;

	ASSERT_TRUE(fd >= 3);
	m = xnu_mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_TRUE(m != (void *)-1);
	EXPECT_EQ(memcmp(m, "hello", 5), 0);	/* the file's arena pages, mapped */
	memcpy(m, "HELLO", 5);			/* stores reach the file */
	EXPECT_EQ(xnu_pread(fd, buf, 5, 0), 5);
	EXPECT_STREQ(buf, "HELLO");
	EXPECT_EQ(xnu_munmap(m, 4096), 0);
	EXPECT_EQ(xnu_close(fd), 0);
}

struct simple_msg {
	struct xnu_mach_msg_header h;
	uint32_t data[4];
};

struct rcv_msg {
	struct xnu_mach_msg_header h;
	uint8_t body[256];
};

static int msg_round_trip(xnu_port_t port, int32_t id, struct rcv_msg *r)
{
	struct simple_msg m;
	int kr;

	memset(&m, 0, sizeof(m));
	m.h.msgh_bits = MACH_MSG_TYPE_MAKE_SEND;
	m.h.msgh_remote_port = port;
	m.h.msgh_id = id;
	m.data[0] = 0xfeedface;
	kr = xnu_mach_msg(&m.h, MACH_SEND_MSG, sizeof(m), 0, 0, 0, 0);
	if (kr != MACH_MSG_SUCCESS)
		return kr;
	memset(r, 0, sizeof(*r));
	return xnu_mach_msg(&r->h, MACH_RCV_MSG, 0, sizeof(*r), port, 0, 0);
}

TEST(mach_port_allocate_and_message_to_self)
{
	xnu_port_t port = 0, bogus = 0;
	struct rcv_msg r;
	struct simple_msg m;

	ASSERT_EQ(xnu_mach_port_allocate(xnu_mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &port),
		  KERN_SUCCESS);
	ASSERT_TRUE(port != 0);
	ASSERT_EQ(msg_round_trip(port, 4242, &r), MACH_MSG_SUCCESS);
	EXPECT_EQ(r.h.msgh_id, 4242);
	EXPECT_EQ(r.h.msgh_size, sizeof(struct simple_msg));
	EXPECT_EQ(r.h.msgh_local_port, port);
	EXPECT_EQ(*(uint32_t *)r.body, 0xfeedface);
	/* Errors: a right that does not exist, a name that is not ours. */
	EXPECT_EQ(xnu_mach_port_allocate(xnu_mach_task_self(), 77, &bogus), KERN_INVALID_VALUE);
	memset(&m, 0, sizeof(m));
	m.h.msgh_bits = MACH_MSG_TYPE_COPY_SEND;
	m.h.msgh_remote_port = 0x12345;
	EXPECT_EQ(xnu_mach_msg(&m.h, MACH_SEND_MSG, sizeof(m), 0, 0, 0, 0),
		  MACH_SEND_INVALID_DEST);
	/* The send right went with the message: only the receive right is left. */
	EXPECT_EQ(xnu_mach_port_deallocate(xnu_mach_task_self(), port), KERN_INVALID_RIGHT);
	EXPECT_EQ(xnu_mach_port_mod_refs(xnu_mach_task_self(), port, MACH_PORT_RIGHT_RECEIVE, -1),
		  KERN_SUCCESS);
}

/* A Linux child of this process, on the same machine handle, as its own process. */
static int run_child(int (*body)(void))
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0)
		_exit(body());
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

static int sigsys_child(void)
{
	if (xnusim_kmod_attach("sigsys") < 2)
		return 10;
	xnu_mach_trap(-1, NULL, 0);	/* kern_invalid: EXC_SYSCALL -> SIGSYS */
	return 11;			/* not reached: the kernel ended us */
}

TEST(invalid_mach_trap_kills_with_sigsys)
{
	struct xnusim_ioc_query q;
	int status = run_child(sigsys_child);

	ASSERT_TRUE(status != -1);
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(WTERMSIG(status), LINUX_SIGSYS);
	ASSERT_EQ(xnusim_kmod_query(&q), 0);
	EXPECT_EQ(q.last_exit_status & 0x7f, DARWIN_SIGSYS);	/* recorded by the kernel */
	EXPECT_TRUE(q.last_exit_pid > my_pid);
	EXPECT_EQ(q.broken, 0);
	EXPECT_EQ(xnu_getpid(), my_pid);	/* the machine goes on */
}

static int exit_child(void)
{
	if (xnusim_kmod_attach("exiter") < 2)
		return 10;
	xnu_exit(42);
	return 11;
}

TEST(exit_code_reaches_linux)
{
	struct xnusim_ioc_query q;
	int status = run_child(exit_child);

	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 42);
	ASSERT_EQ(xnusim_kmod_query(&q), 0);
	EXPECT_EQ(q.last_exit_status, 42 << 8);
}

/* A fresh handle and an x86_64 machine in a child: rax = class << 24 | number. */
static int x86_child(void)
{
	uint64_t state[XNUSIM_X86_64_STATE_SIZE / 8] = { 0 };
	int pid;

	xnusim_kmod_close();	/* leave the parent's machine for a new one */
	if (xnusim_kmod_open() < 0 || xnusim_kmod_boot(XNUSIM_ARCH_X86_64_ID) <= 0)
		return 10;
	if (xnusim_kmod_trap_raw(XNUSIM_ARCH_ARM64_ID, state) != -EINVAL)
		return 11;	/* an arm64 trap on an x86_64 machine */
	pid = xnusim_kmod_attach("x86");
	if (pid < 2 || xnu_getpid() != pid || xnu_getppid() != 1)
		return 12;
	if (xnu_close(99) != -1 || xnu_errno != EBADF)
		return 13;
	if (xnu_mach_task_self() == 0)
		return 14;
	return 0;
}

TEST(x86_64_machine_on_a_second_handle)
{
	int status = run_child(x86_child);

	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(bad_requests_at_the_device)
{
	struct xnusim_ioc_func fn;
	int fd = xnusim_kmod_fd();

	EXPECT_EQ(ioctl(fd, _IO('X', 99)), -1);			/* unknown request */
	EXPECT_EQ(xnusim_kmod_trap_raw(XNUSIM_ARCH_ARM64_ID, NULL), -EFAULT);
	EXPECT_EQ(ioctl(fd, XNUSIM_IOC_QUERY, BAD_PTR), -1);
	EXPECT_EQ(xnusim_kmod_func(0, &fn), -ENOENT);
	EXPECT_EQ(xnusim_kmod_func(100000, &fn), -ENOENT);
	ASSERT_EQ(xnusim_kmod_func(1, &fn), 0);
	EXPECT_TRUE(fn.name[0] != '\0' && fn.path[0] != '\0');
	/* Kernel memory is mapped only when the kernel asks (osl_pmap_enter_kernel). */
	EXPECT_TRUE(mmap(NULL, 4096, 3, 1 /* MAP_SHARED */, fd, 0) == (void *)-1);
}

/* ---- Tracepoints: tracefs events/xnu ------------------------------------- */

static int tracefs_write(const char *rel, const char *val)
{
	char path[256];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), TRACEFS "/%s", rel);
	f = fopen(path, "w");
	if (!f)
		return -1;
	ok = fputs(val, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* Lines of the trace buffer with "<event>: " and, if given, needle. */
static int trace_count(const char *event, const char *needle)
{
	char line[1024], tag[64];
	int n = 0;
	FILE *f = fopen(TRACEFS "/trace", "r");

	if (!f)
		return -1;
	snprintf(tag, sizeof(tag), " %s: ", event);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, tag) && (!needle || strstr(line, needle)))
			n++;
	fclose(f);
	return n;
}

static uint32_t probes_on(void)
{
	struct xnusim_ioc_query q;

	return xnusim_kmod_query(&q) == 0 ? q.probes_on : 0xffffffffu;
}

TEST(tracepoints_listed_in_tracefs)
{
	static const char *const events[] = {
		"syscall_entry", "syscall_return", "func_entry", "func_return", "proc_create",
		"proc_exec", "proc_exit", "msg_send", "msg_receive", "vm_map_change",
	};
	char path[256];

	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		snprintf(path, sizeof(path), TRACEFS "/events/xnu/%s/format", events[i]);
		EXPECT_EQ(access(path, R_OK), 0);
	}
	EXPECT_EQ(probes_on(), 0);	/* nobody listens: the core never calls out */
}

TEST(silent_probes_emit_nothing)
{
	ASSERT_EQ(tracefs_write("trace", ""), 0);
	for (int i = 0; i < 5; i++)
		xnu_getpid();
	EXPECT_EQ(trace_count("syscall_entry", NULL), 0);
	EXPECT_EQ(trace_count("func_entry", NULL), 0);
}

TEST(syscall_and_msg_events_count_a_run)
{
	char num[32];
	xnu_port_t port = 0;
	struct rcv_msg r;

	ASSERT_EQ(xnu_mach_port_allocate(xnu_mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &port),
		  KERN_SUCCESS);
	ASSERT_EQ(tracefs_write("events/xnu/syscall_entry/enable", "1"), 0);
	ASSERT_EQ(tracefs_write("events/xnu/syscall_return/enable", "1"), 0);
	ASSERT_EQ(tracefs_write("events/xnu/msg_send/enable", "1"), 0);
	ASSERT_EQ(tracefs_write("events/xnu/msg_receive/enable", "1"), 0);
	EXPECT_EQ(probes_on(), 0x183u);	/* reg callbacks raised the four flags */
	ASSERT_EQ(tracefs_write("trace", ""), 0);
	for (int i = 0; i < 5; i++)
		xnu_getpid();
	ASSERT_EQ(msg_round_trip(port, 99, &r), MACH_MSG_SUCCESS);
	ASSERT_EQ(tracefs_write("events/xnu/enable", "0"), 0);
	EXPECT_EQ(probes_on(), 0);	/* unreg lowered them */
	snprintf(num, sizeof(num), "pid=%d ", my_pid);
	EXPECT_EQ(trace_count("syscall_entry", "family=1 number=20 "), 5);	/* getpid */
	EXPECT_EQ(trace_count("syscall_return", "family=1 number=20 "), 5);
	EXPECT_EQ(trace_count("syscall_entry", num), trace_count("syscall_entry", NULL));
	EXPECT_EQ(trace_count("syscall_entry", "family=2 number=-47 "), 2);	/* mach_msg2 */
	EXPECT_EQ(trace_count("msg_send", "msgh_id=99 "), 1);
	EXPECT_EQ(trace_count("msg_receive", "msgh_id=99 "), 1);
	xnu_mach_port_mod_refs(xnu_mach_task_self(), port, MACH_PORT_RIGHT_RECEIVE, -1);
}

/* The function id of name (FUNC ioctl), 0 if unknown. */
static uint32_t fid_of(const char *name)
{
	struct xnusim_ioc_query q;
	struct xnusim_ioc_func fn;

	if (xnusim_kmod_query(&q) != 0)
		return 0;
	for (uint32_t id = 1; id <= q.nfuncs; id++)
		if (xnusim_kmod_func(id, &fn) == 0 && strcmp(fn.name, name) == 0)
			return id;
	return 0;
}

TEST(func_events_name_the_call_chain)
{
	char needle[32];
	uint32_t fid = fid_of("getpid");
	int entries, returns;

	ASSERT_TRUE(fid != 0);
	ASSERT_EQ(tracefs_write("events/xnu/func_entry/enable", "1"), 0);
	ASSERT_EQ(tracefs_write("events/xnu/func_return/enable", "1"), 0);
	ASSERT_EQ(tracefs_write("trace", ""), 0);
	xnu_getpid();
	xnu_getpid();
	ASSERT_EQ(tracefs_write("events/xnu/enable", "0"), 0);
	snprintf(needle, sizeof(needle), "fid=%u", fid);
	EXPECT_EQ(trace_count("func_entry", needle), 2);
	EXPECT_EQ(trace_count("func_return", needle), 2);
	entries = trace_count("func_entry", NULL);
	returns = trace_count("func_return", NULL);
	EXPECT_TRUE(entries >= 4);	/* the dispatcher and getpid, at least */
	EXPECT_EQ(entries, returns);
	EXPECT_EQ(probes_on(), 0);
}

static int attach_child(void)
{
	return xnusim_kmod_attach("traced") >= 2 ? 0 : 10;
}

TEST(proc_create_event_on_attach)
{
	ASSERT_EQ(tracefs_write("events/xnu/proc_create/enable", "1"), 0);
	ASSERT_EQ(tracefs_write("trace", ""), 0);
	EXPECT_EQ(run_child(attach_child), 0);
	ASSERT_EQ(tracefs_write("events/xnu/enable", "0"), 0);
	EXPECT_EQ(trace_count("proc_create", "ppid=1 how=1"), 1);	/* XS_PROC_CREATE_ATTACH */
}

/* ---- Processes that end without exit(2): reaped as killed ----------------- */

static int suicide_child(void)
{
	if (xnusim_kmod_attach("suicide") < 2)
		return 10;
	kill(getpid(), SIGKILL);	/* Linux's own kill: no simulated exit */
	return 11;
}

/* Blocked in the kernel (a receive on an empty port) when SIGKILL comes. */
static int blocked_child(void)
{
	xnu_port_t port = 0;
	struct rcv_msg r;

	if (xnusim_kmod_attach("blocked") < 2)
		return 10;
	if (xnu_mach_port_allocate(xnu_mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &port))
		return 11;
	xnu_mach_msg(&r.h, MACH_RCV_MSG, 0, sizeof(r), port, 0, 0);
	return 12;
}

TEST(killed_process_is_reaped_by_the_kernel)
{
	int status = 0;

	ASSERT_EQ(tracefs_write("events/xnu/proc_exit/enable", "1"), 0);
	ASSERT_EQ(tracefs_write("trace", ""), 0);
	status = run_child(suicide_child);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	/* The device's flush at exit ran proc_host_died: a SIGKILL wait status (9). */
	EXPECT_EQ(trace_count("proc_exit", "status=0x9"), 1);
	ASSERT_EQ(tracefs_write("events/xnu/enable", "0"), 0);
	EXPECT_EQ(xnu_getpid(), my_pid);
}

TEST(fatal_signal_unblocks_a_thread_in_the_kernel)
{
	struct xnusim_ioc_query q;
	int status = 0;
	pid_t pid;

	ASSERT_EQ(tracefs_write("events/xnu/proc_exit/enable", "1"), 0);
	ASSERT_EQ(tracefs_write("trace", ""), 0);
	pid = fork();
	if (pid == 0)
		_exit(blocked_child());
	ASSERT_TRUE(pid > 0);
	usleep(300 * 1000);			/* let it block in mach_msg */
	EXPECT_EQ(waitpid(pid, &status, WNOHANG), 0);	/* still blocked */
	kill(pid, SIGKILL);
	/* A killable wait: it leaves the kernel (osl_kunwind) instead of hanging. */
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	EXPECT_EQ(trace_count("proc_exit", "status=0x9"), 1);
	ASSERT_EQ(tracefs_write("events/xnu/enable", "0"), 0);
	/* The locks it held came back: the machine goes on. */
	ASSERT_EQ(xnusim_kmod_query(&q), 0);
	EXPECT_EQ(q.broken, 0);
	EXPECT_EQ(xnu_getpid(), my_pid);
	EXPECT_TRUE(xnu_mach_task_self() != 0);
}
