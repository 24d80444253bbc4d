// SPDX-License-Identifier: BSD-2-Clause
/*
 * osl_trace_linux.c: the TRACE_EVENT transport under the core's probes
 * (osl_probe_linux.h, xnu_trace.h).  The core calls osl_ktrace_<probe>()
 * only when the probe's flag is set; the flag follows the tracepoint's
 * registration (first tracer attaches: reg; last detaches: unreg), which
 * ftrace, perf and BPF (tracepoint/ and raw_tp/) all go through.  The twin
 * of the USDT semaphores in osfmk/kern/xs_trace.c.
 */
#include <linux/module.h>

#include "kmod-xnu-sim/osl/linux/osl_linux_internal.h"
#include "kmod-xnu-sim/osl/linux/osl_probe_linux.h"

#define CREATE_TRACE_POINTS
#include "xnu_trace.h"

/* Probe order of docs/tracepoints.md: bit n of XNUSIM_IOC_QUERY's probes_on. */
#define XS_KTRACE_FLAG(name, bit)                                                \
	volatile int osl_ktrace_on_##name;                                       \
	int osl_ktrace_reg_##name(void)                                          \
	{                                                                        \
		WRITE_ONCE(osl_ktrace_on_##name, 1);                             \
		return 0;                                                        \
	}                                                                        \
	void osl_ktrace_unreg_##name(void)                                       \
	{                                                                        \
		WRITE_ONCE(osl_ktrace_on_##name, 0);                             \
	}
XS_KTRACE_FLAG(syscall_entry, 0)
XS_KTRACE_FLAG(syscall_return, 1)
XS_KTRACE_FLAG(func_entry, 2)
XS_KTRACE_FLAG(func_return, 3)
XS_KTRACE_FLAG(proc_create, 4)
XS_KTRACE_FLAG(proc_exec, 5)
XS_KTRACE_FLAG(proc_exit, 6)
XS_KTRACE_FLAG(msg_send, 7)
XS_KTRACE_FLAG(msg_receive, 8)
XS_KTRACE_FLAG(vm_map_change, 9)

u32 osl_ktrace_enabled_mask(void)
{
	return (u32)!!osl_ktrace_on_syscall_entry << 0 |
	       (u32)!!osl_ktrace_on_syscall_return << 1 |
	       (u32)!!osl_ktrace_on_func_entry << 2 |
	       (u32)!!osl_ktrace_on_func_return << 3 |
	       (u32)!!osl_ktrace_on_proc_create << 4 |
	       (u32)!!osl_ktrace_on_proc_exec << 5 |
	       (u32)!!osl_ktrace_on_proc_exit << 6 |
	       (u32)!!osl_ktrace_on_msg_send << 7 |
	       (u32)!!osl_ktrace_on_msg_receive << 8 |
	       (u32)!!osl_ktrace_on_vm_map_change << 9;
}

/* ---- The out-of-line fire functions the core's probe sites call ---------- */

void osl_ktrace_syscall_entry(uint32_t machine, int32_t pid, uint64_t tid, int32_t family,
			      int32_t number, uint32_t kdebug_id, uint64_t arg0,
			      uint64_t arg1, uint64_t arg2, uint64_t arg3)
{
	trace_syscall_entry(machine, pid, tid, family, number, kdebug_id, arg0, arg1, arg2,
			    arg3);
}

void osl_ktrace_syscall_return(uint32_t machine, int32_t pid, uint64_t tid, int32_t family,
			       int32_t number, int64_t retval, int32_t error)
{
	trace_syscall_return(machine, pid, tid, family, number, retval, error);
}

void osl_ktrace_func_entry(uint32_t machine, int32_t pid, uint64_t tid, uint32_t fid)
{
	trace_func_entry(machine, pid, tid, fid);
}

void osl_ktrace_func_return(uint32_t machine, int32_t pid, uint64_t tid, uint32_t fid)
{
	trace_func_return(machine, pid, tid, fid);
}

void osl_ktrace_proc_create(uint32_t machine, int32_t pid, int32_t ppid, int32_t how)
{
	trace_proc_create(machine, pid, ppid, how);
}

void osl_ktrace_proc_exec(uint32_t machine, int32_t pid, const char *path)
{
	trace_proc_exec(machine, pid, path ? path : "");
}

void osl_ktrace_proc_exit(uint32_t machine, int32_t pid, int32_t status)
{
	trace_proc_exit(machine, pid, status);
}

void osl_ktrace_msg_send(uint32_t machine, int32_t pid, uint64_t tid, uint64_t port,
			 int32_t msgh_id, uint32_t size)
{
	trace_msg_send(machine, pid, tid, port, msgh_id, size);
}

void osl_ktrace_msg_receive(uint32_t machine, int32_t pid, uint64_t tid, uint64_t port,
			    int32_t msgh_id, uint32_t size)
{
	trace_msg_receive(machine, pid, tid, port, msgh_id, size);
}

void osl_ktrace_vm_map_change(uint32_t machine, int32_t pid, int32_t op, uint64_t addr,
			      uint64_t size, int32_t prot)
{
	trace_vm_map_change(machine, pid, op, addr, size, prot);
}
