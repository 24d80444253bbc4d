/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipc_kobject.c: ports that stand for kernel objects (tasks, threads, the
 * host, semaphores) and the server that runs MIG routines sent to them.
 * Corresponds to osfmk/kern/ipc_kobject.c; the routines' MIG server stubs
 * (generated from task.defs, mach_port.defs, mach_vm.defs in XNU) are
 * written out by hand below.
 *
 * Modeled routines on a task control port: task_suspend (3407),
 * task_resume (3408), semaphore_create (3418), semaphore_destroy (3419),
 * mach_port_allocate (3204), mach_vm_allocate (4800).  Any other id is
 * answered with MIG_BAD_ID.
 */
#include "kmod-xnu-sim/osfmk/ipc/ipc_kmsg.h"
#include "kmod-xnu-sim/osfmk/ipc/ipc_space.h"
#include "kmod-xnu-sim/osfmk/kern/sync_sema.h"
#include "kmod-xnu-sim/osfmk/kern/task.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/vm/vm_map.h"
#include "darwin/mach_msg.h"
#include "darwin/mig.h"
#include "darwin/port.h"

#define MIG_ID_MACH_PORT_ALLOCATE 3204
#define MIG_ID_TASK_SUSPEND       3407	/* task.defs: 3400 + 7 (task_create is a skip) */
#define MIG_ID_TASK_RESUME        3408
#define MIG_ID_SEMAPHORE_CREATE   3418
#define MIG_ID_SEMAPHORE_DESTROY  3419
#define MIG_ID_MACH_VM_ALLOCATE   4800
#define MIG_REPLY_DELTA           100

/* NDR_record: little-endian integers, ASCII, IEEE floats. */
static const uint8_t xs_ndr_record[8] = { 0, 0, 0, 0, 1, 0, 0, 0 };

static inline uint32_t rd32(const uint8_t *p) { uint32_t v; xs_memcpy(&v, p, 4); return v; }
static inline uint64_t rd64(const uint8_t *p) { uint64_t v; xs_memcpy(&v, p, 8); return v; }
static inline void wr32(uint8_t *p, uint32_t v) { xs_memcpy(p, &v, 4); }
static inline void wr64(uint8_t *p, uint64_t v) { xs_memcpy(p, &v, 8); }

struct ipc_port *xs_ipc_kobject_alloc_port(void *kobject, uint8_t kotype)
{
	XS_FUNC(ipc_kobject_alloc_port);
	struct ipc_port *port = xs_ipc_port_alloc_object();

	if (!port)
		return NULL;
	port->ip_kotype = kotype;
	port->ip_kobject = kobject;
	port->ip_messages.imq_qlimit = MACH_PORT_QLIMIT_KERNEL;
	return port;
}

void xs_ipc_kobject_dealloc_port(struct ipc_port *port)
{
	XS_FUNC(ipc_kobject_dealloc_port);

	if (!IP_VALID(port))
		return;
	port->ip_kobject = NULL;
	xs_ipc_port_destroy(port);	/* send rights elsewhere become dead names */
}

/* convert_port_to_task (intran): the live task a task control port names. */
static struct task *xs_convert_port_to_task(struct ipc_port *port)
{
	XS_FUNC_AT(convert_port_to_task_mig, "osfmk/kern/ipc_tt.c");

	if (!IP_VALID(port) || !port->ip_active || port->ip_kotype != IKOT_TASK_CONTROL)
		return NULL;
	return port->ip_kobject;
}

/* A reply kmsg with body_size bytes after the header (NDR first). */
static struct ipc_kmsg *mig_reply_alloc(const struct ipc_kmsg *req, uint32_t body_size,
					uint32_t ndesc, bool complex)
{
	struct ipc_kmsg *reply = xs_ipc_kmsg_alloc(body_size, ndesc);

	if (!reply)
		return NULL;
	reply->ikm_size = XS_MACH_MSG_HEADER_SIZE + body_size;
	reply->ikm_id = req->ikm_id + MIG_REPLY_DELTA;
	reply->ikm_bits = complex ? MACH_MSGH_BITS_COMPLEX : 0;
	if (!complex)
		xs_memcpy(reply->ikm_body, xs_ndr_record, sizeof(xs_ndr_record));
	return reply;
}

/* mig_reply_error_t: header, NDR, RetCode (36 bytes). */
static struct ipc_kmsg *mig_reply_error(const struct ipc_kmsg *req, xs_kern_return_t kr)
{
	struct ipc_kmsg *reply = mig_reply_alloc(req, 12, 0, false);

	if (reply)
		wr32(reply->ikm_body + 8, (uint32_t)kr);
	return reply;
}

/* Is the request simple and exactly size bytes?  MIG's first check. */
static bool mig_check_simple(const struct ipc_kmsg *req, uint32_t size)
{
	return !(req->ikm_bits & MACH_MSGH_BITS_COMPLEX) && req->ikm_size == size;
}

static struct ipc_kmsg *xs_mig_semaphore_create(struct ipc_kmsg *req, struct task *task)
{
	XS_FUNC_AT(_Xsemaphore_create, "osfmk/mach/task.defs");
	struct semaphore *sem;
	struct ipc_kmsg *reply;
	xs_kern_return_t kr;

	if (!mig_check_simple(req, 40))
		return mig_reply_error(req, MIG_BAD_ARGUMENTS);
	kr = xs_semaphore_create(task, &sem, (int)rd32(req->ikm_body + 8),
				 (int)rd32(req->ikm_body + 12));
	if (kr != KERN_SUCCESS)
		return mig_reply_error(req, kr);
	/* Reply: header, body (1 descriptor), port descriptor: 40 bytes. */
	reply = mig_reply_alloc(req, 16, 1, true);
	if (!reply) {
		xs_semaphore_destroy(task, sem);
		xs_semaphore_dereference(sem);
		return NULL;
	}
	wr32(reply->ikm_body, 1);
	reply->ikm_body[4 + 11] = MACH_MSG_PORT_DESCRIPTOR;
	reply->ikm_descs[0] = (struct ipc_kmsg_desc){
		.kd_type = MACH_MSG_PORT_DESCRIPTOR, .kd_offset = 4,
		.kd_msgt = MACH_MSG_TYPE_PORT_SEND,
		.kd_port = xs_convert_semaphore_to_port(sem),	/* outtran */
	};
	reply->ikm_desc_count = 1;
	xs_semaphore_dereference(sem);
	return reply;
}

static struct ipc_kmsg *xs_mig_semaphore_destroy(struct ipc_kmsg *req, struct task *task)
{
	XS_FUNC_AT(_Xsemaphore_destroy, "osfmk/mach/task.defs");
	struct ipc_kmsg_desc *d = req->ikm_descs;

	if (!(req->ikm_bits & MACH_MSGH_BITS_COMPLEX) || req->ikm_size != 40 ||
	    req->ikm_desc_count != 1 || d->kd_type != MACH_MSG_PORT_DESCRIPTOR)
		return mig_reply_error(req, MIG_BAD_ARGUMENTS);
	if (d->kd_msgt != MACH_MSG_TYPE_PORT_SEND)
		return mig_reply_error(req, MIG_TYPE_ERROR);
	/* semaphore_consume_ref_t: the send right dies with the request. */
	return mig_reply_error(req, xs_semaphore_destroy(task,
				xs_convert_port_to_semaphore(d->kd_port)));
}

static struct ipc_kmsg *xs_mig_mach_port_allocate(struct ipc_kmsg *req, struct task *task)
{
	XS_FUNC_AT(_Xmach_port_allocate, "osfmk/mach/mach_port.defs");
	mach_port_name_t name = MACH_PORT_NULL;
	struct ipc_kmsg *reply;
	xs_kern_return_t kr;

	if (!mig_check_simple(req, 36))
		return mig_reply_error(req, MIG_BAD_ARGUMENTS);
	kr = xs_mach_port_allocate(task->itk_space, rd32(req->ikm_body + 8), &name);
	if (kr != KERN_SUCCESS)
		return mig_reply_error(req, kr);
	reply = mig_reply_alloc(req, 16, 0, false);	/* NDR, RetCode, name */
	if (reply)
		wr32(reply->ikm_body + 12, name);
	return reply;
}

static struct ipc_kmsg *xs_mig_mach_vm_allocate(struct ipc_kmsg *req, struct task *task)
{
	XS_FUNC_AT(_Xmach_vm_allocate, "osfmk/mach/mach_vm.defs");
	mach_vm_address_t addr;
	struct ipc_kmsg *reply;
	xs_kern_return_t kr;

	if (!mig_check_simple(req, 52))
		return mig_reply_error(req, MIG_BAD_ARGUMENTS);
	addr = rd64(req->ikm_body + 8);
	kr = xs_mach_vm_allocate_kernel(task->map, &addr, rd64(req->ikm_body + 16),
					(int)rd32(req->ikm_body + 24));
	if (kr != KERN_SUCCESS)
		return mig_reply_error(req, kr);
	reply = mig_reply_alloc(req, 20, 0, false);	/* NDR, RetCode, address */
	if (reply)
		wr64(reply->ikm_body + 12, addr);
	return reply;
}

/*
 * _Xtask_suspend / _Xtask_resume: a bare header (no NDR: no inline
 * arguments) to the target's port; the intran (convert_port_to_task_read)
 * gives TASK_NULL for any port that is not a task's, and the routine
 * answers KERN_INVALID_ARGUMENT for it, as XNU's MIG server does (it finds
 * the routine by id alone, whatever the port's kobject type).
 */
static struct ipc_kmsg *xs_mig_task_suspend(struct ipc_kmsg *req, struct task *task)
{
	XS_FUNC_AT(_Xtask_suspend, "osfmk/mach/task.defs");

	if (!mig_check_simple(req, XS_MACH_MSG_HEADER_SIZE))
		return mig_reply_error(req, MIG_BAD_ARGUMENTS);
	return mig_reply_error(req, xs_task_suspend(task));
}

static struct ipc_kmsg *xs_mig_task_resume(struct ipc_kmsg *req, struct task *task)
{
	XS_FUNC_AT(_Xtask_resume, "osfmk/mach/task.defs");

	if (!mig_check_simple(req, XS_MACH_MSG_HEADER_SIZE))
		return mig_reply_error(req, MIG_BAD_ARGUMENTS);
	return mig_reply_error(req, xs_task_resume(task));
}

/* ipc_kobject_server_internal: find the routine (find_mig_hash_entry) and run it. */
static struct ipc_kmsg *xs_ipc_kobject_server_internal(struct ipc_kmsg *req)
{
	XS_FUNC(ipc_kobject_server_internal);
	struct task *task = xs_convert_port_to_task(req->ikm_remote);

	if (req->ikm_id == MIG_ID_TASK_SUSPEND)
		return xs_mig_task_suspend(req, task);
	if (req->ikm_id == MIG_ID_TASK_RESUME)
		return xs_mig_task_resume(req, task);
	if (task) {
		switch (req->ikm_id) {
		case MIG_ID_SEMAPHORE_CREATE:
			return xs_mig_semaphore_create(req, task);
		case MIG_ID_SEMAPHORE_DESTROY:
			return xs_mig_semaphore_destroy(req, task);
		case MIG_ID_MACH_PORT_ALLOCATE:
			return xs_mig_mach_port_allocate(req, task);
		case MIG_ID_MACH_VM_ALLOCATE:
			return xs_mig_mach_vm_allocate(req, task);
		default:
			break;
		}
	}
	return mig_reply_error(req, MIG_BAD_ID);
}

/*
 * Routine:    xs_ipc_kobject_server
 * Purpose:    Serve a request sent to a kernel port and send the reply on
 *             the request's reply right; without one the reply is dropped.
 *             Kernel replies never block (MACH_SEND_ALWAYS).
 * Conditions: IPC lock held.  Consumes the request.
 */
void xs_ipc_kobject_server(struct ipc_kmsg *request, uint64_t option)
{
	XS_FUNC(ipc_kobject_server);
	struct ipc_port *reply_port = request->ikm_local;
	uint32_t reply_type = (request->ikm_bits >> 8) & 0x1f;
	struct ipc_kmsg *reply;

	(void)option;
	reply = xs_ipc_kobject_server_internal(request);
	request->ikm_local = NULL;	/* the reply right goes to the reply */
	request->ikm_bits &= ~0x1f00u;
	xs_ipc_kmsg_destroy(request);
	if (!reply) {
		xs_ipc_object_destroy(reply_port, reply_type);
		return;
	}
	if (!IP_VALID(reply_port)) {
		xs_ipc_kmsg_destroy(reply);
		return;
	}
	reply->ikm_remote = reply_port;
	reply->ikm_bits |= reply_type;
	xs_ipc_kmsg_set_sender(reply, true);
	(void)xs_ipc_mqueue_send_locked(reply_port, reply, MACH_SEND_ALWAYS, 0);
}
