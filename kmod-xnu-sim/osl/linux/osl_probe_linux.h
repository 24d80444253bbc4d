/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * osl_probe_linux.h: the kernel module's transport under the core's
 * tracepoints (osl/osl_probe.h, XS_KMOD).  The core cannot include kernel
 * headers, so a probe site calls an out-of-line function in
 * osl/linux/osl_trace_linux.c that emits the TRACE_EVENT (system "xnu",
 * osl/linux/xnu_trace.h).  Each event's reg/unreg callback (TRACE_EVENT_FN)
 * flips a flag here, so a probe nobody listens to costs one load and a
 * not-taken branch, as the USDT semaphore does in the user-space build.
 * Names and argument order are docs/tracepoints.md's.
 */
#ifndef XS_OSL_LINUX_OSL_PROBE_LINUX_H
#define XS_OSL_LINUX_OSL_PROBE_LINUX_H

#include <stdint.h>

/* Non-zero while at least one tracer (ftrace, perf, BPF) is attached. */
#define OSL_KTRACE_FLAG(name) osl_ktrace_on_##name
#define OSL_PROBE_ENABLED(name) __builtin_expect(OSL_KTRACE_FLAG(name) != 0, 0)
#define OSL_PROBE(name, ...) osl_ktrace_##name(__VA_ARGS__)

extern volatile int osl_ktrace_on_syscall_entry;
extern volatile int osl_ktrace_on_syscall_return;
extern volatile int osl_ktrace_on_func_entry;
extern volatile int osl_ktrace_on_func_return;
extern volatile int osl_ktrace_on_proc_create;
extern volatile int osl_ktrace_on_proc_exec;
extern volatile int osl_ktrace_on_proc_exit;
extern volatile int osl_ktrace_on_msg_send;
extern volatile int osl_ktrace_on_msg_receive;
extern volatile int osl_ktrace_on_vm_map_change;

void osl_ktrace_syscall_entry(uint32_t machine, int32_t pid, uint64_t tid, int32_t family,
			      int32_t number, uint32_t kdebug_id, uint64_t arg0,
			      uint64_t arg1, uint64_t arg2, uint64_t arg3);
void osl_ktrace_syscall_return(uint32_t machine, int32_t pid, uint64_t tid, int32_t family,
			       int32_t number, int64_t retval, int32_t error);
void osl_ktrace_func_entry(uint32_t machine, int32_t pid, uint64_t tid, uint32_t fid);
void osl_ktrace_func_return(uint32_t machine, int32_t pid, uint64_t tid, uint32_t fid);
void osl_ktrace_proc_create(uint32_t machine, int32_t pid, int32_t ppid, int32_t how);
void osl_ktrace_proc_exec(uint32_t machine, int32_t pid, const char *path);
void osl_ktrace_proc_exit(uint32_t machine, int32_t pid, int32_t status);
void osl_ktrace_msg_send(uint32_t machine, int32_t pid, uint64_t tid, uint64_t port,
			 int32_t msgh_id, uint32_t size);
void osl_ktrace_msg_receive(uint32_t machine, int32_t pid, uint64_t tid, uint64_t port,
			    int32_t msgh_id, uint32_t size);
void osl_ktrace_vm_map_change(uint32_t machine, int32_t pid, int32_t op, uint64_t addr,
			      uint64_t size, int32_t prot);

#endif /* XS_OSL_LINUX_OSL_PROBE_LINUX_H */
