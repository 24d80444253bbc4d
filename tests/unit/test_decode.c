/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_decode: Darwin names for errno, kern_return_t, signals and flags
 * (tables generated from constants.tsv), syscall names from the simulator's
 * tables, argument and result decoding, and the live trace formatter's lines.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "collector/decode.h"
#include "collector/trace_fmt.h"
#include "tests/harness.h"

const int xnusim_no_autoboot = 1;	/* decoding needs no machine */

TEST(errno_names_are_darwin)
{
	EXPECT_STREQ(xt_decode_errno_name(2), "ENOENT");
	EXPECT_STREQ(xt_decode_errno_name(35), "EAGAIN");	/* not EWOULDBLOCK, not Linux's 11 */
	EXPECT_STREQ(xt_decode_errno_name(11), "EDEADLK");
	EXPECT_STREQ(xt_decode_errno_name(63), "ENAMETOOLONG");
	EXPECT_STREQ(xt_decode_errno_name(78), "ENOSYS");
	EXPECT_STREQ(xt_decode_errno_name(-1), "ERESTART");
	EXPECT_STREQ(xt_decode_errno_name(-2), "EJUSTRETURN");
	EXPECT_TRUE(xt_decode_errno_name(9999) == NULL);
}

TEST(kern_return_names)
{
	EXPECT_STREQ(xt_decode_kern_return_name(0), "KERN_SUCCESS");
	EXPECT_STREQ(xt_decode_kern_return_name(15), "KERN_INVALID_NAME");
	EXPECT_STREQ(xt_decode_kern_return_name(17), "KERN_INVALID_RIGHT");
	EXPECT_STREQ(xt_decode_kern_return_name(0x10000003), "MACH_SEND_INVALID_DEST");
	EXPECT_STREQ(xt_decode_kern_return_name(0x10004003), "MACH_RCV_TIMED_OUT");
	EXPECT_STREQ(xt_decode_kern_return_name(-303), "MIG_BAD_ID");
	EXPECT_TRUE(xt_decode_kern_return_name(0x777) == NULL);
}

TEST(signal_names_are_darwin)
{
	EXPECT_STREQ(xt_decode_signal_name(20), "SIGCHLD");	/* Linux 17 */
	EXPECT_STREQ(xt_decode_signal_name(12), "SIGSYS");
	EXPECT_STREQ(xt_decode_signal_name(7), "SIGEMT");
	EXPECT_STREQ(xt_decode_signal_name(10), "SIGBUS");
	EXPECT_STREQ(xt_decode_signal_name(30), "SIGUSR1");
	EXPECT_TRUE(xt_decode_signal_name(32) == NULL);
}

static const char *flags(enum xt_flag_kind k, uint64_t v)
{
	static char buf[256];

	xt_decode_flags(buf, sizeof(buf), k, v);
	return buf;
}

TEST(open_flags)
{
	EXPECT_STREQ(flags(XT_FLAGS_OPEN, 0), "O_RDONLY");
	EXPECT_STREQ(flags(XT_FLAGS_OPEN, 0x602), "O_RDWR|O_CREAT|O_TRUNC");	/* O_CREAT 0x200 */
	EXPECT_STREQ(flags(XT_FLAGS_OPEN, 0x1000001), "O_WRONLY|O_CLOEXEC");
	EXPECT_STREQ(flags(XT_FLAGS_OPEN, 0x100000), "O_RDONLY|O_DIRECTORY");
	EXPECT_STREQ(flags(XT_FLAGS_OPEN, 0x4000000000ull), "O_RDONLY|0x4000000000");
}

TEST(prot_and_mmap_flags)
{
	EXPECT_STREQ(flags(XT_FLAGS_PROT, 0), "PROT_NONE");
	EXPECT_STREQ(flags(XT_FLAGS_PROT, 3), "PROT_READ|PROT_WRITE");
	EXPECT_STREQ(flags(XT_FLAGS_PROT, 5), "PROT_READ|PROT_EXEC");
	EXPECT_STREQ(flags(XT_FLAGS_MMAP, 0x1002), "MAP_PRIVATE|MAP_ANON");	/* MAP_ANON 0x1000 */
	EXPECT_STREQ(flags(XT_FLAGS_MMAP, 0x11), "MAP_SHARED|MAP_FIXED");
	EXPECT_STREQ(flags(XT_FLAGS_MMAP, 0), "0");
}

TEST(truncation_reports_the_wanted_length)
{
	char small[8];
	int n = xt_decode_flags(small, sizeof(small), XT_FLAGS_OPEN, 0x602);

	EXPECT_EQ(n, (int)strlen("O_RDWR|O_CREAT|O_TRUNC"));
	EXPECT_STREQ(small, "O_RDWR|");
}

TEST(syscall_names_from_the_tables)
{
	EXPECT_STREQ(xt_decode_syscall_name(XT_FAMILY_BSD, 5), "open");
	EXPECT_STREQ(xt_decode_syscall_name(XT_FAMILY_BSD, 6), "close");	/* sys_close */
	EXPECT_STREQ(xt_decode_syscall_name(XT_FAMILY_BSD, 197), "mmap");
	EXPECT_STREQ(xt_decode_syscall_name(XT_FAMILY_MACH, -47), "mach_msg2_trap");
	EXPECT_STREQ(xt_decode_syscall_name(XT_FAMILY_MACH, -31), "mach_msg_trap");
	EXPECT_STREQ(xt_decode_syscall_name(XT_FAMILY_MACH, -28), "task_self_trap");
	EXPECT_TRUE(xt_decode_syscall_name(XT_FAMILY_BSD, 100000) == NULL);
	EXPECT_EQ(xt_decode_syscall_nargs(XT_FAMILY_BSD, 197), 6);
}

TEST(port_rights_and_dispositions)
{
	EXPECT_STREQ(xt_decode_port_right_name(0), "MACH_PORT_RIGHT_SEND");
	EXPECT_STREQ(xt_decode_port_right_name(1), "MACH_PORT_RIGHT_RECEIVE");
	EXPECT_STREQ(xt_decode_port_right_name(2), "MACH_PORT_RIGHT_SEND_ONCE");
	EXPECT_STREQ(xt_decode_port_right_name(3), "MACH_PORT_RIGHT_PORT_SET");
	EXPECT_STREQ(xt_decode_port_right_name(4), "MACH_PORT_RIGHT_DEAD_NAME");
	EXPECT_TRUE(xt_decode_port_right_name(6) == NULL);	/* MACH_PORT_RIGHT_NUMBER: a count */
	EXPECT_TRUE(xt_decode_port_right_name(-1) == NULL);
	EXPECT_STREQ(xt_decode_msg_type_name(16), "MACH_MSG_TYPE_MOVE_RECEIVE");	/* not PORT_RECEIVE */
	EXPECT_STREQ(xt_decode_msg_type_name(17), "MACH_MSG_TYPE_MOVE_SEND");
	EXPECT_STREQ(xt_decode_msg_type_name(18), "MACH_MSG_TYPE_MOVE_SEND_ONCE");
	EXPECT_STREQ(xt_decode_msg_type_name(19), "MACH_MSG_TYPE_COPY_SEND");
	EXPECT_STREQ(xt_decode_msg_type_name(20), "MACH_MSG_TYPE_MAKE_SEND");
	EXPECT_STREQ(xt_decode_msg_type_name(21), "MACH_MSG_TYPE_MAKE_SEND_ONCE");
	EXPECT_STREQ(xt_decode_msg_type_name(25), "MACH_MSG_TYPE_DISPOSE_SEND");
	EXPECT_TRUE(xt_decode_msg_type_name(23) == NULL);	/* unassigned */
}

TEST(mach_msg_options)
{
	EXPECT_STREQ(flags(XT_FLAGS_MACH_MSG, 0), "MACH_MSG_OPTION_NONE");
	EXPECT_STREQ(flags(XT_FLAGS_MACH_MSG, 3), "MACH_SEND_MSG|MACH_RCV_MSG");
	/* bit 30 is the trailer type, of which only format 0 exists */
	EXPECT_STREQ(flags(XT_FLAGS_MACH_MSG, 0x40000003), "MACH_SEND_MSG|MACH_RCV_MSG|0x40000000");
	EXPECT_STREQ(flags(XT_FLAGS_MACH_MSG, 0x113),
		     "MACH_SEND_MSG|MACH_RCV_MSG|MACH_SEND_TIMEOUT|MACH_RCV_TIMEOUT");
	EXPECT_STREQ(flags(XT_FLAGS_MACH_MSG, 0x3000106),
		     "MACH_RCV_MSG|MACH_RCV_LARGE|MACH_RCV_TIMEOUT|"
		     "MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT)");
	EXPECT_STREQ(flags(XT_FLAGS_MACH_MSG, 0x5000002), "MACH_RCV_MSG|MACH_RCV_TRAILER_ELEMENTS(5)");
	EXPECT_STREQ(flags(XT_FLAGS_MACH_MSG, 0x440), "MACH_SEND_INTERRUPT|MACH_RCV_INTERRUPT");
	/* from user space 0x10000 is FILTER_NONFATAL (ALWAYS is the kernel's meaning) */
	EXPECT_STREQ(flags(XT_FLAGS_MACH_MSG, 0x10201),
		     "MACH_SEND_MSG|MACH_MSG_STRICT_REPLY|MACH_SEND_FILTER_NONFATAL");
	EXPECT_STREQ(flags(XT_FLAGS_MACH_MSG, 0x2000000), "MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_SENDER)");
	EXPECT_STREQ(flags(XT_FLAGS_MACH_MSG, 0x80000000), "0x80000000");
}

TEST(mach_msg2_options)
{
	EXPECT_STREQ(flags(XT_FLAGS_MACH_MSG2, 0), "MACH64_MSG_OPTION_NONE");
	EXPECT_STREQ(flags(XT_FLAGS_MACH_MSG2, 0x200000003ull),
		     "MACH64_SEND_MSG|MACH64_RCV_MSG|MACH64_SEND_KOBJECT_CALL");
	EXPECT_STREQ(flags(XT_FLAGS_MACH_MSG2, 0x400000011ull),
		     "MACH64_SEND_MSG|MACH64_SEND_TIMEOUT|MACH64_SEND_MQ_CALL");
	EXPECT_STREQ(flags(XT_FLAGS_MACH_MSG2, 0x100000102ull),
		     "MACH64_RCV_MSG|MACH64_RCV_TIMEOUT|MACH64_MSG_VECTOR");
	EXPECT_STREQ(flags(XT_FLAGS_MACH_MSG2, 0x8000000000000001ull), "MACH64_SEND_MSG|MACH64_MACH_MSG2");
	/* bit 38 is not a MACH64_ option: the remainder in hex */
	EXPECT_STREQ(flags(XT_FLAGS_MACH_MSG2, 0x4000000001ull), "MACH64_SEND_MSG|0x4000000000");
	EXPECT_STREQ(flags(XT_FLAGS_MACH_MSG2, 0x3000002ull),
		     "MACH64_RCV_MSG|MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT)");
}

static struct xt_event entry(int family, int number, uint64_t a0, uint64_t a1, uint64_t a2,
			     uint64_t a3, const char *str)
{
	struct xt_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = XT_EV_SYSCALL_ENTRY;
	ev.family = family;
	ev.id = number;
	ev.a[0] = a0;
	ev.a[1] = a1;
	ev.a[2] = a2;
	ev.a[3] = a3;
	if (str)
		snprintf(ev.str, sizeof(ev.str), "%s", str);
	return ev;
}

static const char *args(const struct xt_event *ev, const char *path)
{
	static char buf[256];

	xt_decode_args(buf, sizeof(buf), ev, path);
	return buf;
}

TEST(arguments)
{
	struct xt_event ev = entry(1, 5, 0x5000, 0x601, 0644, 0, "/tmp/x");

	EXPECT_STREQ(args(&ev, NULL), "\"/tmp/x\", O_WRONLY|O_CREAT|O_TRUNC, 0644");
	ev = entry(1, 197, 0, 16384, 3, 0x1002, NULL);
	EXPECT_STREQ(args(&ev, NULL), "0, 16384, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANON, ...");
	ev = entry(1, 463, (uint64_t)-2, 0x5000, 0, 0, "x");
	EXPECT_STREQ(args(&ev, NULL), "AT_FDCWD, \"x\", O_RDONLY, 0");
	/* the entry could not read the path: the return's copy is used */
	ev = entry(1, 5, 0x5000, 0, 0, 0, NULL);
	EXPECT_STREQ(args(&ev, "/no/such/file"), "\"/no/such/file\", O_RDONLY, 0");
	EXPECT_STREQ(args(&ev, NULL), "0x5000, O_RDONLY, 0");
	ev = entry(2, -18, 0x103, 0x7777, 0, 0, NULL);
	EXPECT_STREQ(args(&ev, NULL), "0x103, 0x7777");
	ev = entry(1, 20, 0, 0, 0, 0, NULL);
	EXPECT_STREQ(args(&ev, NULL), "");
	ev = entry(1, 199, 3, 6, 0, 0, NULL);
	EXPECT_STREQ(args(&ev, NULL), "3, 6, SEEK_SET");
}

TEST(mach_trap_arguments)
{
	struct xt_event ev = entry(2, -16, 0x103, 1, 0x7000, 0, NULL);	/* mach_port_allocate */

	EXPECT_STREQ(args(&ev, NULL), "0x103, MACH_PORT_RIGHT_RECEIVE, 0x7000");
	ev = entry(2, -16, 0x103, 3, 0x7000, 0, NULL);
	EXPECT_STREQ(args(&ev, NULL), "0x103, MACH_PORT_RIGHT_PORT_SET, 0x7000");
	ev = entry(2, -16, 0x103, 7, 0x7000, 0, NULL);	/* no such right: a number */
	EXPECT_STREQ(args(&ev, NULL), "0x103, 7, 0x7000");
	ev = entry(2, -19, 0x103, 0x903, 0, (uint64_t)-1, NULL);	/* mach_port_mod_refs */
	EXPECT_STREQ(args(&ev, NULL), "0x103, 0x903, MACH_PORT_RIGHT_SEND, -1");
	ev = entry(2, -19, 0x103, 0x903, 4, 2, NULL);
	EXPECT_STREQ(args(&ev, NULL), "0x103, 0x903, MACH_PORT_RIGHT_DEAD_NAME, 2");
	ev = entry(2, -19, 0x103, 0x903, 0xffffffffu, 1, NULL);
	EXPECT_STREQ(args(&ev, NULL), "0x103, 0x903, -1, 1");
	ev = entry(2, -21, 0x103, 0x903, 0x903, 20, NULL);	/* mach_port_insert_right */
	EXPECT_STREQ(args(&ev, NULL), "0x103, 0x903, 0x903, MACH_MSG_TYPE_MAKE_SEND");
	ev = entry(2, -21, 0x103, 0x903, 0x1e03, 17, NULL);
	EXPECT_STREQ(args(&ev, NULL), "0x103, 0x903, 0x1e03, MACH_MSG_TYPE_MOVE_SEND");
	ev = entry(2, -21, 0x103, 0x903, 0x903, 99, NULL);
	EXPECT_STREQ(args(&ev, NULL), "0x103, 0x903, 0x903, 99");
	ev = entry(2, -18, 0x103, 0x903, 0, 0, NULL);		/* mach_port_deallocate: names */
	EXPECT_STREQ(args(&ev, NULL), "0x103, 0x903");
	ev = entry(2, -45, 0x103, 5, 0x7000, 0, NULL);		/* task_for_pid: a pid */
	EXPECT_STREQ(args(&ev, NULL), "0x103, 5, 0x7000");
	ev = entry(2, -31, 0x5000, 0x40000003, 40, 64, NULL);	/* mach_msg_trap: 7 arguments */
	EXPECT_STREQ(args(&ev, NULL), "0x5000, MACH_SEND_MSG|MACH_RCV_MSG|0x40000000, 40, 64, ...");
	ev = entry(2, -32, 0x5000, 0x102, 0, 64, NULL);		/* mach_msg_overwrite_trap */
	EXPECT_STREQ(args(&ev, NULL), "0x5000, MACH_RCV_MSG|MACH_RCV_TIMEOUT, 0, 64, ...");
	ev = entry(2, -47, 0x5000, 0x200000003ull, 0x2800001513ull, 0x1e0300001b03ull, NULL);
	EXPECT_STREQ(args(&ev, NULL), "0x5000, MACH64_SEND_MSG|MACH64_RCV_MSG|MACH64_SEND_KOBJECT_CALL, "
				      "0x2800001513, 0x1e0300001b03, ...");
}

static const char *result(int family, int number, int64_t rv, int32_t err)
{
	static char buf[128];

	xt_decode_result(buf, sizeof(buf), family, number, rv, err);
	return buf;
}

TEST(results)
{
	EXPECT_STREQ(result(1, 5, 3, 0), "3");
	EXPECT_STREQ(result(1, 5, 0, 2), "-1 ENOENT");
	EXPECT_STREQ(result(1, 3, 0, 35), "-1 EAGAIN");
	EXPECT_STREQ(result(1, 197, 0x200000000000, 0), "0x200000000000");
	EXPECT_STREQ(result(2, -18, 15, 15), "KERN_INVALID_NAME (0xf)");
	EXPECT_STREQ(result(2, -10, 0, 0), "KERN_SUCCESS");
	EXPECT_STREQ(result(2, -47, 0x10000003, 0x10000003), "MACH_SEND_INVALID_DEST (0x10000003)");
	EXPECT_STREQ(result(2, -28, 0x103, 0x103), "0x103");	/* a port name, not an error */
}

/* ---- the formatter: golden lines ------------------------------------------ */

static char *run_fmt(unsigned flags, const struct xt_event *evs, int n, bool flush)
{
	struct xt_trace_fmt *f = xt_trace_fmt__new(flags);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	for (int i = 0; i < n; i++)
		xt_trace_fmt__event(f, &evs[i], out);
	if (flush)
		xt_trace_fmt__flush(f, out);
	fclose(out);
	xt_trace_fmt__free(f);
	return text;
}

static struct xt_event ev_at(struct xt_event ev, uint32_t type, int32_t pid, uint64_t tid,
			     uint64_t ts)
{
	ev.type = type;
	ev.pid = pid;
	ev.tid = tid;
	ev.ts_ns = ts;
	return ev;
}

static struct xt_event ret(int family, int number, int64_t rv, int32_t err, const char *str)
{
	struct xt_event ev = entry(family, number, (uint64_t)rv, (uint64_t)(int64_t)err, 0, 0, str);

	ev.type = XT_EV_SYSCALL_RETURN;
	return ev;
}

TEST(trace_lines_pair_entries_and_returns_per_thread)
{
	struct xt_event evs[] = {
		ev_at(entry(1, 5, 0x5000, 0, 0, 0, ""), XT_EV_SYSCALL_ENTRY, 2, 259, 1000),
		ev_at(entry(2, -18, 0x103, 0x7777, 0, 0, NULL), XT_EV_SYSCALL_ENTRY, 3, 300, 1500),
		ev_at(ret(1, 5, 0, 2, "/no/such/file"), XT_EV_SYSCALL_RETURN, 2, 259, 4120),
		ev_at(ret(2, -18, 15, 15, NULL), XT_EV_SYSCALL_RETURN, 3, 300, 2900),
		ev_at(entry(2, -28, 0, 0, 0, 0, NULL), XT_EV_SYSCALL_ENTRY, 2, 259, 5000),
		ev_at(ret(2, -28, 0x103, 0x103, NULL), XT_EV_SYSCALL_RETURN, 2, 259, 5950),
	};
	char *text = run_fmt(0, evs, 6, false);

	/* printed as the returns arrive; the path comes from the return event */
	EXPECT_STREQ(text,
		     "2/259      open(\"/no/such/file\", O_RDONLY, 0) = -1 ENOENT  <3.120us>\n"
		     "3/300      _kernelrpc_mach_port_deallocate_trap(0x103, 0x7777) = "
		     "KERN_INVALID_NAME (0xf)  <1.400us>\n"
		     "2/259      task_self_trap() = 0x103  <0.950us>\n");
	free(text);
}

TEST(trace_lines_name_port_rights_and_options)
{
	struct xt_event evs[] = {
		ev_at(entry(2, -16, 0x1b03, 1, 0x7000, 0, NULL), XT_EV_SYSCALL_ENTRY, 2, 102, 100),
		ev_at(ret(2, -16, 0, 0, NULL), XT_EV_SYSCALL_RETURN, 2, 102, 200),
		ev_at(entry(2, -21, 0x1b03, 0x903, 0x903, 20, NULL), XT_EV_SYSCALL_ENTRY, 2, 102, 300),
		ev_at(ret(2, -21, 0, 0, NULL), XT_EV_SYSCALL_RETURN, 2, 102, 400),
		ev_at(entry(2, -19, 0x1b03, 0x1e03, 1, (uint64_t)-1, NULL), XT_EV_SYSCALL_ENTRY, 2, 102,
		      500),
		ev_at(ret(2, -19, 17, 17, NULL), XT_EV_SYSCALL_RETURN, 2, 102, 600),
		ev_at(entry(2, -47, 0x5000, 0x800000002ull, 0, 0, NULL), XT_EV_SYSCALL_ENTRY, 2, 103, 700),
		ev_at(ret(2, -47, 0x10004003, 0x10004003, NULL), XT_EV_SYSCALL_RETURN, 2, 103, 800),
	};
	char *text = run_fmt(XT_TRACE_NO_TIME, evs, 8, false);
	const char *want =
		     "2/102      _kernelrpc_mach_port_allocate_trap(0x1b03, MACH_PORT_RIGHT_RECEIVE, 0x7000)"
		     " = KERN_SUCCESS\n"
		     "2/102      _kernelrpc_mach_port_insert_right_trap(0x1b03, 0x903, 0x903, "
		     "MACH_MSG_TYPE_MAKE_SEND) = KERN_SUCCESS\n"
		     "2/102      _kernelrpc_mach_port_mod_refs_trap(0x1b03, 0x1e03, MACH_PORT_RIGHT_RECEIVE, "
		     "-1) = KERN_INVALID_RIGHT (0x11)\n"
		     "2/103      mach_msg2_trap(0x5000, MACH64_RCV_MSG|MACH64_SEND_ANY, 0, 0, ...) = "
		     "MACH_RCV_TIMED_OUT (0x10004003)\n";

	EXPECT_STREQ(text, want);
	free(text);
}

TEST(trace_lifecycle_and_unmatched_calls)
{
	struct xt_event pc = entry(0, 0, 1, 2, 0, 0, NULL), px = entry(0, 0, 0, 0, 0, 0, "/bin/ls");
	struct xt_event pe = entry(0, 0, 0x9 /* killed by SIGKILL */, 0, 0, 0, NULL);
	struct xt_event evs[] = {
		ev_at(pc, XT_EV_PROC_CREATE, 4, 0, 10),
		ev_at(px, XT_EV_PROC_EXEC, 4, 0, 20),
		ev_at(ret(1, 3, 5, 0, NULL), XT_EV_SYSCALL_RETURN, 4, 400, 30),	/* entry before us */
		ev_at(entry(1, 3, 0, 0x6000, 64, 0, NULL), XT_EV_SYSCALL_ENTRY, 4, 400, 40),
		ev_at(pe, XT_EV_PROC_EXIT, 4, 0, 50),
	};
	char *text = run_fmt(XT_TRACE_NO_TIME, evs, 5, true);

	EXPECT_STREQ(text,
		     "4/0        proc_create ppid 1 (fork)\n"
		     "4/0        proc_exec /bin/ls\n"
		     "4/400      read(?) = 5\n"
		     "4/0        proc_exit killed by SIGKILL\n"
		     "4/400      read(0, 0x6000, 64) = ? <unfinished>\n");
	free(text);
}
