/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mach_stubs.c: the Mach trap stubs (kernel_trap(name, -n, argc)) and the
 * libsyscall routines built on them: mach_msg through mach_msg2_trap, and
 * the _kernelrpc_ wrappers that fall back to MIG when the trap refuses a
 * foreign task.  A Mach stub returns x0 / rax as it is and never looks at
 * the carry flag.  Corresponds to osfmk/mach/syscall_sw.h (stub list),
 * libsyscall/mach/mach_msg.c, mach_port.c, mach_vm.c and mach_init.c.
 */
#include "kmod-xnu-sim/libsyscall/libsyscall_internal.h"

#include "darwin/kern_return.h"
#include "darwin/mach_msg.h"
#include "kmod-xnu-sim/osl/osl.h"

enum {
	MACH_vm_allocate = -10, MACH_vm_deallocate = -12, MACH_vm_protect = -14,
	MACH_vm_map = -15, MACH_port_allocate = -16, MACH_port_deallocate = -18,
	MACH_port_mod_refs = -19, MACH_port_insert_right = -21, MACH_port_construct = -24,
	MACH_port_destruct = -25, MACH_reply_port = -26, MACH_thread_self = -27,
	MACH_task_self = -28, MACH_host_self = -29, MACH_msg_trap = -31,
	MACH_semaphore_signal = -33, MACH_semaphore_wait = -36,
	MACH_semaphore_timedwait = -38, MACH_task_for_pid = -45, MACH_msg2_trap = -47,
	MACH_thread_get_special_reply_port = -50, MACH_timebase_info = -89,
	MACH_wait_until = -90,
	MACH_ARM_absolute_time = -3, MACH_ARM_continuous_time = -4,
};

/*
 * The MIG routines the _kernelrpc_ traps fall back to (mach_vm.defs,
 * mach_port.defs); the IPC engineer's MIG stubs define them.  Weak: without
 * them the trap's MACH_SEND_INVALID_DEST is returned as it is.
 */
extern xnu_kern_return_t xnu__kernelrpc_mach_vm_allocate(xnu_port_t, uint64_t *, uint64_t, int)
	__attribute__((weak));
extern xnu_kern_return_t xnu__kernelrpc_mach_port_allocate(xnu_port_t, uint32_t, xnu_port_t *)
	__attribute__((weak));

#define XS_KR(x) ((xnu_kern_return_t)(x))

xnu_port_t xnu_mach_task_self(void) { return (xnu_port_t)XS_MACH0(MACH_task_self); }
xnu_port_t xnu_mach_thread_self(void) { return (xnu_port_t)XS_MACH0(MACH_thread_self); }
xnu_port_t xnu_mach_host_self(void) { return (xnu_port_t)XS_MACH0(MACH_host_self); }
xnu_port_t xnu_mach_reply_port(void) { return (xnu_port_t)XS_MACH0(MACH_reply_port); }

xnu_port_t xnu_thread_get_special_reply_port(void)
{
	return (xnu_port_t)XS_MACH0(MACH_thread_get_special_reply_port);
}

xnu_kern_return_t xnu_mach_port_allocate(xnu_port_t task, uint32_t right, xnu_port_t *name)
{
	xnu_kern_return_t kr = XS_KR(XS_MACH(MACH_port_allocate, task, right, XS_U64(name)));

	if (kr == MACH_SEND_INVALID_DEST && xnu__kernelrpc_mach_port_allocate)
		kr = xnu__kernelrpc_mach_port_allocate(task, right, name);
	return kr;
}

/* kernel_trap(task_for_pid, -45, 3): pid is an int, sign-extended in its slot. */
xnu_kern_return_t xnu_task_for_pid(xnu_port_t target_tport, int pid, xnu_port_t *t)
{
	return XS_KR(XS_MACH(MACH_task_for_pid, target_tport, XS_I64(pid), XS_U64(t)));
}

xnu_kern_return_t xnu_mach_port_deallocate(xnu_port_t task, xnu_port_t name)
{
	return XS_KR(XS_MACH(MACH_port_deallocate, task, name));
}

xnu_kern_return_t xnu_mach_port_mod_refs(xnu_port_t task, xnu_port_t name, uint32_t right,
					 int32_t delta)
{
	return XS_KR(XS_MACH(MACH_port_mod_refs, task, name, right, XS_I64(delta)));
}

xnu_kern_return_t xnu_mach_port_insert_right(xnu_port_t task, xnu_port_t name, xnu_port_t poly,
					     uint32_t poly_type)
{
	return XS_KR(XS_MACH(MACH_port_insert_right, task, name, poly, poly_type));
}

xnu_kern_return_t xnu_mach_port_construct(xnu_port_t task, struct xnu_mach_port_options *opts,
					  uint64_t context, xnu_port_t *name)
{
	return XS_KR(XS_MACH(MACH_port_construct, task, XS_U64(opts), context, XS_U64(name)));
}

xnu_kern_return_t xnu_mach_port_destruct(xnu_port_t task, xnu_port_t name, int32_t srdelta,
					 uint64_t guard)
{
	return XS_KR(XS_MACH(MACH_port_destruct, task, name, XS_I64(srdelta), guard));
}

/* ---- mach_msg ------------------------------------------------------------ */

/* libmach implements these two options itself: it retries interruptions. */
#define LIBMACH_OPTIONS (MACH_SEND_INTERRUPT | MACH_RCV_INTERRUPT)
#define MACH_MSG2_SHIFT_ARGS(lo, hi) (((uint64_t)(hi) << 32) | (uint32_t)(lo))

/*
 * mach_msg2 (osfmk/mach/message.h, inline) + mach_msg2_internal: trap -47
 * takes the header's fields packed two to a register (constants.tsv,
 * "mach_msg2_trap argument packing").  The descriptor count is read from the
 * body only for a complex message being sent.
 */
static xnu_kern_return_t xs_mach_msg2(struct xnu_mach_msg_header *msg, uint64_t option64,
				      uint32_t send_size, uint32_t rcv_size, xnu_port_t rcv_name,
				      uint64_t timeout, uint32_t priority)
{
	struct xnu_mach_msg_header h = { 0 };
	uint32_t descriptors = 0;

	if ((option64 & MACH_SEND_MSG) && msg) {
		h = *msg;
		if (h.msgh_bits & MACH_MSGH_BITS_COMPLEX)
			descriptors =
				((const struct xnu_mach_msg_body *)(msg + 1))->msgh_descriptor_count;
	}
	return XS_KR(XS_MACH(MACH_msg2_trap, XS_U64(msg), option64,
			     MACH_MSG2_SHIFT_ARGS(h.msgh_bits, send_size),
			     MACH_MSG2_SHIFT_ARGS(h.msgh_remote_port, h.msgh_local_port),
			     MACH_MSG2_SHIFT_ARGS(h.msgh_voucher_port, h.msgh_id),
			     MACH_MSG2_SHIFT_ARGS(descriptors, rcv_name),
			     MACH_MSG2_SHIFT_ARGS(rcv_size, priority), timeout));
}

/* After an interrupted receive only the receive half is retried. */
static uint32_t xs_mach_msg_options_after_interruption(uint32_t option)
{
	return option & ~(uint32_t)(LIBMACH_OPTIONS | MACH_SEND_MSG);
}

/*
 * mach_msg(): the option word is the low half of option64, plus the one
 * call kind mach_msg2 must carry: MACH64_SEND_ANY, the kind macOS accepts for
 * a legacy mach_msg() whose destination may be a port or a kernel object
 * (ipc_policy.c).  Interrupted sends and receives are retried unless the
 * caller asked to see them.
 */
xnu_kern_return_t xnu_mach_msg(struct xnu_mach_msg_header *msg, uint32_t option,
			       uint32_t send_size, uint32_t rcv_size, xnu_port_t rcv_name,
			       uint32_t timeout, uint32_t priority)
{
	uint64_t opt = (option & ~(uint64_t)LIBMACH_OPTIONS) | MACH64_SEND_ANY;
	xnu_kern_return_t mr = xs_mach_msg2(msg, opt, send_size, rcv_size, rcv_name, timeout,
					    priority);

	if (!(option & MACH_SEND_INTERRUPT))
		while (mr == MACH_SEND_INTERRUPTED)
			mr = xs_mach_msg2(msg, opt, send_size, rcv_size, rcv_name, timeout,
					  priority);
	if (!(option & MACH_RCV_INTERRUPT))
		while (mr == MACH_RCV_INTERRUPTED)
			mr = xs_mach_msg2(msg, xs_mach_msg_options_after_interruption(option) |
						       MACH64_SEND_ANY, 0,
					  rcv_size, rcv_name, timeout, priority);
	return mr;
}

/* The legacy trap -31, seven 32-bit-valued arguments, no retries. */
xnu_kern_return_t xnu_mach_msg_trap(struct xnu_mach_msg_header *msg, uint32_t option,
				    uint32_t send_size, uint32_t rcv_size, xnu_port_t rcv_name,
				    uint32_t timeout, uint32_t priority)
{
	return XS_KR(XS_MACH(MACH_msg_trap, XS_U64(msg), option, send_size, rcv_size, rcv_name,
			     timeout, priority));
}

/* ---- semaphores, time, VM -------------------------------------------------- */

xnu_kern_return_t xnu_semaphore_signal(xnu_port_t sema)
{
	return XS_KR(XS_MACH(MACH_semaphore_signal, sema));
}

xnu_kern_return_t xnu_semaphore_wait(xnu_port_t sema)
{
	return XS_KR(XS_MACH(MACH_semaphore_wait, sema));
}

xnu_kern_return_t xnu_semaphore_timedwait(xnu_port_t sema, unsigned int sec, int nsec)
{
	return XS_KR(XS_MACH(MACH_semaphore_timedwait, sema, sec, XS_I64(nsec)));
}

xnu_kern_return_t xnu_mach_timebase_info(struct xnu_timebase_info *info)
{
	return XS_KR(XS_MACH(MACH_timebase_info, XS_U64(info)));
}

xnu_kern_return_t xnu_mach_wait_until(uint64_t deadline)
{
	return XS_KR(XS_MACH(MACH_wait_until, deadline));
}

/*
 * mach_absolute_time / mach_continuous_time.  arm64 libsyscall may use the
 * -3 / -4 fast traps (handle_svc answers them without the trap table).
 * x86_64 libsyscall reads the commpage, in user space, with no trap at all
 * (rax = 0x01000003 would be kern_invalid, i.e. EXC_SYSCALL): the
 * simulator's commpage read is the platform clock itself.
 */
uint64_t xnu_mach_absolute_time(void)
{
	if (xs_libsyscall_arch() == XS_ARCH_X86_64)
		return osl_absolute_time();
	return XS_MACH0(MACH_ARM_absolute_time);
}

uint64_t xnu_mach_continuous_time(void)
{
	if (xs_libsyscall_arch() == XS_ARCH_X86_64)
		return osl_continuous_time();
	return XS_MACH0(MACH_ARM_continuous_time);
}

/*
 * semaphore_create / semaphore_destroy are MIG routines on the task port
 * (task.defs 3418 / 3419), written with the IPC subsystem's MIG stubs.
 * These weak placeholders only keep the contract linkable until then.
 */
__attribute__((weak)) xnu_kern_return_t xnu_semaphore_create(xnu_port_t task, xnu_port_t *sema,
							     int policy, int value)
{
	return KERN_NOT_SUPPORTED;
}

__attribute__((weak)) xnu_kern_return_t xnu_semaphore_destroy(xnu_port_t task, xnu_port_t sema)
{
	return KERN_NOT_SUPPORTED;
}

xnu_kern_return_t xnu_mach_vm_allocate(xnu_port_t task, uint64_t *addr, uint64_t size, int flags)
{
	xnu_kern_return_t kr = XS_KR(XS_MACH(MACH_vm_allocate, task, XS_U64(addr), size,
					     XS_I64(flags)));

	if (kr == MACH_SEND_INVALID_DEST && xnu__kernelrpc_mach_vm_allocate)
		kr = xnu__kernelrpc_mach_vm_allocate(task, addr, size, flags);
	return kr;
}

xnu_kern_return_t xnu_mach_vm_deallocate(xnu_port_t task, uint64_t addr, uint64_t size)
{
	return XS_KR(XS_MACH(MACH_vm_deallocate, task, addr, size));
}

xnu_kern_return_t xnu_mach_vm_protect(xnu_port_t task, uint64_t addr, uint64_t size,
				      int set_max, int prot)
{
	return XS_KR(XS_MACH(MACH_vm_protect, task, addr, size, XS_I64(set_max), XS_I64(prot)));
}

xnu_kern_return_t xnu_mach_vm_map(xnu_port_t task, uint64_t *addr, uint64_t size, uint64_t mask,
				  int flags, int cur_prot)
{
	return XS_KR(XS_MACH(MACH_vm_map, task, XS_U64(addr), size, mask, XS_I64(flags),
			     XS_I64(cur_prot)));
}
