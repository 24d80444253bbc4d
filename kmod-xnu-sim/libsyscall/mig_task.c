/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mig_task.c: user-side MIG stubs for routines served by the kernel on a
 * task port: task_suspend (3407), task_resume (3408), semaphore_create
 * (3418) and semaphore_destroy (3419) from task.defs, and the MIG
 * fallbacks of the _kernelrpc_ traps, mach_port_allocate (3204,
 * mach_port.defs) and mach_vm_allocate (4800, mach_vm.defs).
 * Corresponds to the MIG-generated taskUser.c, mach_portUser.c and
 * mach_vmUser.c that libsyscall is built with.
 *
 * Each call sends a request with a send-once reply right made from a fresh
 * reply port and receives the reply on it in the same mach_msg2_trap (-47,
 * MACH64_SEND_KOBJECT_CALL), as MIG's RPCs do; MIG caches the reply port
 * per thread (mig_get_reply_port), these stubs make one per call.
 */
#include "kmod-xnu-sim/libsyscall/libsyscall_internal.h"

#include "darwin/kern_return.h"
#include "darwin/mach_msg.h"
#include "darwin/mig.h"
#include "darwin/port.h"

#define MIG_TASK_SUSPEND       3407
#define MIG_TASK_RESUME        3408
#define MIG_SEMAPHORE_CREATE   3418
#define MIG_SEMAPHORE_DESTROY  3419
#define MIG_MACH_PORT_ALLOCATE 3204
#define MIG_MACH_VM_ALLOCATE   4800
#define MIG_REPLY_DELTA        100
#define MIG_RCV_BUF            256

static const struct xnu_ndr_record xs_ndr = { 0, 0, 0, 0, 1, 0, 0, 0 };

union mig_buf {
	struct xnu_mach_msg_header head;
	uint8_t bytes[MIG_RCV_BUF];
	uint64_t align;
};

static inline uint32_t rd32(const uint8_t *p) { uint32_t v; xs_memcpy(&v, p, 4); return v; }
static inline void wr32(uint8_t *p, uint32_t v) { xs_memcpy(p, &v, 4); }
static inline void wr64(uint8_t *p, uint64_t v) { xs_memcpy(p, &v, 8); }

/*
 * Send the request in buf (size bytes, desc descriptors) to target with a
 * send-once reply right and receive the reply into buf.  Returns the
 * mach_msg result; MIG_REPLY_MISMATCH when the reply's id is wrong.
 */
static xnu_kern_return_t mig_rpc(union mig_buf *buf, xnu_port_t target, uint32_t size,
				 int32_t id, uint32_t desc, bool complex)
{
	xnu_port_t reply = xnu_mach_reply_port(), self;
	uint32_t bits = MACH_MSG_TYPE_COPY_SEND | MACH_MSG_TYPE_MAKE_SEND_ONCE << 8 |
			(complex ? MACH_MSGH_BITS_COMPLEX : 0);
	uint64_t option = MACH_SEND_MSG | MACH_RCV_MSG | MACH64_SEND_KOBJECT_CALL;
	xnu_kern_return_t mr;

	if (reply == 0)
		return MACH_SEND_NO_BUFFER;
	const uint64_t args[8] = {
		XS_U64(buf), option, XNU_MACH_MSG2_PACK(bits, size),
		XNU_MACH_MSG2_PACK(target, reply), XNU_MACH_MSG2_PACK(0, id),
		XNU_MACH_MSG2_PACK(desc, reply), XNU_MACH_MSG2_PACK(sizeof(*buf), 0), 0,
	};
	mr = (xnu_kern_return_t)xnu_mach_trap(-47, args, 8);
	self = xnu_mach_task_self();
	(void)xnu_mach_port_mod_refs(self, reply, MACH_PORT_RIGHT_RECEIVE, -1);
	(void)xnu_mach_port_deallocate(self, self);	/* task_self_trap's uref */
	if (mr == MACH_MSG_SUCCESS && buf->head.msgh_id != id + MIG_REPLY_DELTA)
		mr = MIG_REPLY_MISMATCH;
	return mr;
}

/* A mig_reply_error_t reply: its RetCode (0 there means a malformed reply). */
static xnu_kern_return_t mig_retcode(const union mig_buf *buf, bool zero_ok)
{
	int32_t rc;

	if ((buf->head.msgh_bits & MACH_MSGH_BITS_COMPLEX) || buf->head.msgh_size < 36)
		return MIG_TYPE_ERROR;
	rc = (int32_t)rd32(buf->bytes + 32);
	return rc == 0 && !zero_ok ? MIG_TYPE_ERROR : rc;
}

static void mig_request(union mig_buf *buf)
{
	xs_memset(buf, 0, sizeof(*buf));
	xs_memcpy(buf->bytes + 24, &xs_ndr, sizeof(xs_ndr));
}

/* A routine whose request is the bare header and whose reply is a RetCode. */
static xnu_kern_return_t mig_simple_routine(xnu_port_t task, int32_t id)
{
	union mig_buf buf;
	xnu_kern_return_t kr;

	xs_memset(&buf, 0, sizeof(buf));
	kr = mig_rpc(&buf, task, sizeof(struct xnu_mach_msg_header), id, 0, false);
	return kr != MACH_MSG_SUCCESS ? kr : mig_retcode(&buf, true);
}

xnu_kern_return_t xnu_task_suspend(xnu_port_t task)
{
	return mig_simple_routine(task, MIG_TASK_SUSPEND);
}

xnu_kern_return_t xnu_task_resume(xnu_port_t task)
{
	return mig_simple_routine(task, MIG_TASK_RESUME);
}

xnu_kern_return_t xnu_semaphore_create(xnu_port_t task, xnu_port_t *sema, int policy, int value)
{
	union mig_buf buf;
	xnu_kern_return_t kr;

	mig_request(&buf);
	wr32(buf.bytes + 32, (uint32_t)policy);
	wr32(buf.bytes + 36, (uint32_t)value);
	kr = mig_rpc(&buf, task, 40, MIG_SEMAPHORE_CREATE, 0, false);
	if (kr != MACH_MSG_SUCCESS)
		return kr;
	if (!(buf.head.msgh_bits & MACH_MSGH_BITS_COMPLEX))
		return mig_retcode(&buf, false);
	/* header, body count 1, port descriptor {name, pad, disposition, type} */
	if (buf.head.msgh_size != 40 || rd32(buf.bytes + 24) != 1 ||
	    buf.bytes[28 + 11] != MACH_MSG_PORT_DESCRIPTOR ||
	    buf.bytes[28 + 10] != MACH_MSG_TYPE_PORT_SEND)
		return MIG_TYPE_ERROR;
	*sema = rd32(buf.bytes + 28);
	return KERN_SUCCESS;
}

xnu_kern_return_t xnu_semaphore_destroy(xnu_port_t task, xnu_port_t sema)
{
	union mig_buf buf;
	xnu_kern_return_t kr;

	xs_memset(&buf, 0, sizeof(buf));
	wr32(buf.bytes + 24, 1);			/* msgh_descriptor_count */
	wr32(buf.bytes + 28, sema);			/* semaphore_consume_ref_t */
	buf.bytes[28 + 10] = MACH_MSG_TYPE_MOVE_SEND;
	buf.bytes[28 + 11] = MACH_MSG_PORT_DESCRIPTOR;
	kr = mig_rpc(&buf, task, 40, MIG_SEMAPHORE_DESTROY, 1, true);
	return kr != MACH_MSG_SUCCESS ? kr : mig_retcode(&buf, true);
}

/* mach_port_allocate by message, when the trap refuses the target (3204). */
xnu_kern_return_t xnu__kernelrpc_mach_port_allocate(xnu_port_t task, uint32_t right,
						    xnu_port_t *name)
{
	union mig_buf buf;
	xnu_kern_return_t kr;

	mig_request(&buf);
	wr32(buf.bytes + 32, right);
	kr = mig_rpc(&buf, task, 36, MIG_MACH_PORT_ALLOCATE, 0, false);
	if (kr != MACH_MSG_SUCCESS)
		return kr;
	kr = mig_retcode(&buf, true);
	if (kr == KERN_SUCCESS && buf.head.msgh_size == 40)
		*name = rd32(buf.bytes + 36);
	return kr;
}

/* mach_vm_allocate by message, when the trap refuses the target (4800). */
xnu_kern_return_t xnu__kernelrpc_mach_vm_allocate(xnu_port_t task, uint64_t *addr,
						  uint64_t size, int flags)
{
	union mig_buf buf;
	xnu_kern_return_t kr;

	mig_request(&buf);
	wr64(buf.bytes + 32, *addr);
	wr64(buf.bytes + 40, size);
	wr32(buf.bytes + 48, (uint32_t)flags);
	kr = mig_rpc(&buf, task, 52, MIG_MACH_VM_ALLOCATE, 0, false);
	if (kr != MACH_MSG_SUCCESS)
		return kr;
	kr = mig_retcode(&buf, true);
	if (kr == KERN_SUCCESS && buf.head.msgh_size == 44)
		xs_memcpy(addr, buf.bytes + 36, 8);
	return kr;
}
