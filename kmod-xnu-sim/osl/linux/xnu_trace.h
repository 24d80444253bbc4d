/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xnu_trace.h: the simulated kernel's tracepoints as TRACE_EVENTs, system
 * "xnu" (trace/events/xnu.h style; tracefs events/xnu/<name>).  Same names,
 * argument order and types as the USDT probes (docs/tracepoints.md), so a
 * consumer reads arg N the same way from either transport.  Each event's
 * reg/unreg callback flips the flag OSL_PROBE_ENABLED reads
 * (osl_probe_linux.h): the core does not call in while nobody listens.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM xnu

#if !defined(XS_OSL_LINUX_XNU_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define XS_OSL_LINUX_XNU_TRACE_H

#include <linux/tracepoint.h>

#define XS_KTRACE_REGFNS(name)                                                   \
	int osl_ktrace_reg_##name(void);                                         \
	void osl_ktrace_unreg_##name(void)
XS_KTRACE_REGFNS(syscall_entry);
XS_KTRACE_REGFNS(syscall_return);
XS_KTRACE_REGFNS(func_entry);
XS_KTRACE_REGFNS(func_return);
XS_KTRACE_REGFNS(proc_create);
XS_KTRACE_REGFNS(proc_exec);
XS_KTRACE_REGFNS(proc_exit);
XS_KTRACE_REGFNS(msg_send);
XS_KTRACE_REGFNS(msg_receive);
XS_KTRACE_REGFNS(vm_map_change);

TRACE_EVENT_FN(syscall_entry,
	TP_PROTO(u32 machine, s32 pid, u64 tid, s32 family, s32 number, u32 kdebug_id,
		 u64 arg0, u64 arg1, u64 arg2, u64 arg3),
	TP_ARGS(machine, pid, tid, family, number, kdebug_id, arg0, arg1, arg2, arg3),
	TP_STRUCT__entry(
		__field(u32, machine) __field(s32, pid) __field(u64, tid)
		__field(s32, family) __field(s32, number) __field(u32, kdebug_id)
		__field(u64, arg0) __field(u64, arg1) __field(u64, arg2) __field(u64, arg3)),
	TP_fast_assign(
		__entry->machine = machine; __entry->pid = pid; __entry->tid = tid;
		__entry->family = family; __entry->number = number;
		__entry->kdebug_id = kdebug_id; __entry->arg0 = arg0; __entry->arg1 = arg1;
		__entry->arg2 = arg2; __entry->arg3 = arg3;),
	TP_printk("machine=%u pid=%d tid=%llu family=%d number=%d kdebug_id=0x%x "
		  "arg0=0x%llx arg1=0x%llx arg2=0x%llx arg3=0x%llx",
		  __entry->machine, __entry->pid, __entry->tid, __entry->family,
		  __entry->number, __entry->kdebug_id, __entry->arg0, __entry->arg1,
		  __entry->arg2, __entry->arg3),
	osl_ktrace_reg_syscall_entry, osl_ktrace_unreg_syscall_entry);

TRACE_EVENT_FN(syscall_return,
	TP_PROTO(u32 machine, s32 pid, u64 tid, s32 family, s32 number, s64 retval, s32 error),
	TP_ARGS(machine, pid, tid, family, number, retval, error),
	TP_STRUCT__entry(
		__field(u32, machine) __field(s32, pid) __field(u64, tid)
		__field(s32, family) __field(s32, number) __field(s64, retval)
		__field(s32, error)),
	TP_fast_assign(
		__entry->machine = machine; __entry->pid = pid; __entry->tid = tid;
		__entry->family = family; __entry->number = number;
		__entry->retval = retval; __entry->error = error;),
	TP_printk("machine=%u pid=%d tid=%llu family=%d number=%d retval=%lld error=%d",
		  __entry->machine, __entry->pid, __entry->tid, __entry->family,
		  __entry->number, __entry->retval, __entry->error),
	osl_ktrace_reg_syscall_return, osl_ktrace_unreg_syscall_return);

DECLARE_EVENT_CLASS(xnu_func,
	TP_PROTO(u32 machine, s32 pid, u64 tid, u32 fid),
	TP_ARGS(machine, pid, tid, fid),
	TP_STRUCT__entry(__field(u32, machine) __field(s32, pid) __field(u64, tid)
			 __field(u32, fid)),
	TP_fast_assign(__entry->machine = machine; __entry->pid = pid;
		       __entry->tid = tid; __entry->fid = fid;),
	TP_printk("machine=%u pid=%d tid=%llu fid=%u", __entry->machine, __entry->pid,
		  __entry->tid, __entry->fid));

DEFINE_EVENT_FN(xnu_func, func_entry,
	TP_PROTO(u32 machine, s32 pid, u64 tid, u32 fid),
	TP_ARGS(machine, pid, tid, fid),
	osl_ktrace_reg_func_entry, osl_ktrace_unreg_func_entry);

DEFINE_EVENT_FN(xnu_func, func_return,
	TP_PROTO(u32 machine, s32 pid, u64 tid, u32 fid),
	TP_ARGS(machine, pid, tid, fid),
	osl_ktrace_reg_func_return, osl_ktrace_unreg_func_return);

TRACE_EVENT_FN(proc_create,
	TP_PROTO(u32 machine, s32 pid, s32 ppid, s32 how),
	TP_ARGS(machine, pid, ppid, how),
	TP_STRUCT__entry(__field(u32, machine) __field(s32, pid) __field(s32, ppid)
			 __field(s32, how)),
	TP_fast_assign(__entry->machine = machine; __entry->pid = pid;
		       __entry->ppid = ppid; __entry->how = how;),
	TP_printk("machine=%u pid=%d ppid=%d how=%d", __entry->machine, __entry->pid,
		  __entry->ppid, __entry->how),
	osl_ktrace_reg_proc_create, osl_ktrace_unreg_proc_create);

TRACE_EVENT_FN(proc_exec,
	TP_PROTO(u32 machine, s32 pid, const char *path),
	TP_ARGS(machine, pid, path),
	TP_STRUCT__entry(__field(u32, machine) __field(s32, pid) __string(path, path)),
	TP_fast_assign(__entry->machine = machine; __entry->pid = pid;
		       __assign_str(path, path);),
	TP_printk("machine=%u pid=%d path=%s", __entry->machine, __entry->pid,
		  __get_str(path)),
	osl_ktrace_reg_proc_exec, osl_ktrace_unreg_proc_exec);

TRACE_EVENT_FN(proc_exit,
	TP_PROTO(u32 machine, s32 pid, s32 status),
	TP_ARGS(machine, pid, status),
	TP_STRUCT__entry(__field(u32, machine) __field(s32, pid) __field(s32, status)),
	TP_fast_assign(__entry->machine = machine; __entry->pid = pid;
		       __entry->status = status;),
	TP_printk("machine=%u pid=%d status=0x%x", __entry->machine, __entry->pid,
		  __entry->status),
	osl_ktrace_reg_proc_exit, osl_ktrace_unreg_proc_exit);

DECLARE_EVENT_CLASS(xnu_msg,
	TP_PROTO(u32 machine, s32 pid, u64 tid, u64 port, s32 msgh_id, u32 size),
	TP_ARGS(machine, pid, tid, port, msgh_id, size),
	TP_STRUCT__entry(__field(u32, machine) __field(s32, pid) __field(u64, tid)
			 __field(u64, port) __field(s32, msgh_id) __field(u32, size)),
	TP_fast_assign(__entry->machine = machine; __entry->pid = pid; __entry->tid = tid;
		       __entry->port = port; __entry->msgh_id = msgh_id;
		       __entry->size = size;),
	TP_printk("machine=%u pid=%d tid=%llu port=0x%llx msgh_id=%d size=%u",
		  __entry->machine, __entry->pid, __entry->tid, __entry->port,
		  __entry->msgh_id, __entry->size));

DEFINE_EVENT_FN(xnu_msg, msg_send,
	TP_PROTO(u32 machine, s32 pid, u64 tid, u64 port, s32 msgh_id, u32 size),
	TP_ARGS(machine, pid, tid, port, msgh_id, size),
	osl_ktrace_reg_msg_send, osl_ktrace_unreg_msg_send);

DEFINE_EVENT_FN(xnu_msg, msg_receive,
	TP_PROTO(u32 machine, s32 pid, u64 tid, u64 port, s32 msgh_id, u32 size),
	TP_ARGS(machine, pid, tid, port, msgh_id, size),
	osl_ktrace_reg_msg_receive, osl_ktrace_unreg_msg_receive);

TRACE_EVENT_FN(vm_map_change,
	TP_PROTO(u32 machine, s32 pid, s32 op, u64 addr, u64 size, s32 prot),
	TP_ARGS(machine, pid, op, addr, size, prot),
	TP_STRUCT__entry(__field(u32, machine) __field(s32, pid) __field(s32, op)
			 __field(u64, addr) __field(u64, size) __field(s32, prot)),
	TP_fast_assign(__entry->machine = machine; __entry->pid = pid; __entry->op = op;
		       __entry->addr = addr; __entry->size = size; __entry->prot = prot;),
	TP_printk("machine=%u pid=%d op=%d addr=0x%llx size=0x%llx prot=%d",
		  __entry->machine, __entry->pid, __entry->op, __entry->addr,
		  __entry->size, __entry->prot),
	osl_ktrace_reg_vm_map_change, osl_ktrace_unreg_vm_map_change);

#endif /* XS_OSL_LINUX_XNU_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE xnu_trace
#include <trace/define_trace.h>
