/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipc_kmsg.c: kernel messages: allocation, copyin of the header rights and
 * of descriptors (port rights, out-of-line memory), delivery, copyout into
 * the receiver's space and map, and destruction.
 * Corresponds to osfmk/ipc/ipc_kmsg.c.  IPC lock held throughout.
 *
 * Descriptor layouts are LP64 user space's (include/xnusim/abi/message.h),
 * which the kernel keeps unchanged in ikm_body: a received message has the
 * size it was sent with.
 */
#include "kmod-xnu-sim/osfmk/ipc/ipc_kmsg.h"
#include "kmod-xnu-sim/osfmk/ipc/ipc_space.h"
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/task.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#include "kmod-xnu-sim/osfmk/vm/vm_map.h"
#include "darwin/mach_msg.h"
#include "darwin/port.h"

#define MSGH_REMOTE(b)  ((b) & 0x1fu)
#define MSGH_LOCAL(b)   (((b) >> 8) & 0x1fu)
#define MSGH_VOUCHER(b) (((b) >> 16) & 0x1fu)
#define PORT_ANY_SEND(t) ((t) >= MACH_MSG_TYPE_MOVE_SEND && (t) <= MACH_MSG_TYPE_MAKE_SEND_ONCE)
#define PORT_ANY_RIGHT(t) ((t) >= MACH_MSG_TYPE_MOVE_RECEIVE && (t) <= MACH_MSG_TYPE_MAKE_SEND_ONCE)

static inline uint32_t rd32(const uint8_t *p) { uint32_t v; xs_memcpy(&v, p, 4); return v; }
static inline uint64_t rd64(const uint8_t *p) { uint64_t v; xs_memcpy(&v, p, 8); return v; }
static inline void wr32(uint8_t *p, uint32_t v) { xs_memcpy(p, &v, 4); }
static inline void wr64(uint8_t *p, uint64_t v) { xs_memcpy(p, &v, 8); }

struct ipc_kmsg *xs_ipc_kmsg_alloc(uint32_t body_size, uint32_t ndesc)
{
	XS_FUNC(ipc_kmsg_alloc);
	struct ipc_kmsg *kmsg = xs_zalloc_id(ZONE_ID_IPC_KMSG);

	if (!kmsg)
		return NULL;
	xs_queue_init(&kmsg->ikm_link);
	if (body_size && !(kmsg->ikm_body = xs_kalloc(body_size)))	/* kalloc_data */
		goto fail;
	kmsg->ikm_body_size = body_size;
	if (ndesc && !(kmsg->ikm_descs = xs_kalloc(ndesc * sizeof(struct ipc_kmsg_desc))))
		goto fail;
	kmsg->ikm_desc_cap = ndesc;
	return kmsg;
fail:
	xs_ipc_kmsg_free(kmsg);
	return NULL;
}

void xs_ipc_kmsg_free(struct ipc_kmsg *kmsg)
{
	XS_FUNC(ipc_kmsg_free);

	if (kmsg->ikm_body)
		xs_kfree(kmsg->ikm_body, kmsg->ikm_body_size);
	if (kmsg->ikm_descs)
		xs_kfree(kmsg->ikm_descs, kmsg->ikm_desc_cap * sizeof(struct ipc_kmsg_desc));
	xs_zfree_id(ZONE_ID_IPC_KMSG, kmsg);
}

void xs_ipc_kmsg_destroy(struct ipc_kmsg *kmsg)
{
	XS_FUNC(ipc_kmsg_destroy);

	xs_ipc_object_destroy(kmsg->ikm_remote, MSGH_REMOTE(kmsg->ikm_bits));
	xs_ipc_object_destroy(kmsg->ikm_local, MSGH_LOCAL(kmsg->ikm_bits));
	kmsg->ikm_remote = kmsg->ikm_local = NULL;
	for (uint32_t i = 0; i < kmsg->ikm_desc_count; i++) {
		struct ipc_kmsg_desc *d = &kmsg->ikm_descs[i];

		if (d->kd_type == MACH_MSG_PORT_DESCRIPTOR)
			xs_ipc_object_destroy(d->kd_port, d->kd_msgt);
		else if (d->kd_data)
			xs_kmem_free(d->kd_data, d->kd_size);
	}
	kmsg->ikm_desc_count = 0;
	xs_ipc_kmsg_free(kmsg);
}

void xs_ipc_kmsg_set_sender(struct ipc_kmsg *kmsg, bool from_kernel)
{
	struct task *task = from_kernel ? NULL : xs_current_task();
	struct proc *p = task ? xs_get_bsdtask_info(task) : NULL;

	if (!p)
		return;		/* the kernel: uid 0, pid 0 (KERNEL_AUDIT_TOKEN) */
	kmsg->ikm_uid = p->p_ucred.cr_uid;
	kmsg->ikm_gid = p->p_ucred.cr_gid;
	kmsg->ikm_ruid = p->p_ucred.cr_ruid;
	kmsg->ikm_rgid = p->p_ucred.cr_rgid;
	kmsg->ikm_pid = p->p_pid;
}

/*
 * Routine:    xs_ipc_kmsg_copyin_header
 * Purpose:    Take the destination and reply rights out of space, all or
 *             nothing: both are checked before either is taken.
 * Returns:    MACH_MSG_SUCCESS, MACH_SEND_INVALID_HEADER (bad
 *             dispositions), MACH_SEND_INVALID_DEST, MACH_SEND_INVALID_REPLY,
 *             MACH_SEND_INVALID_VOUCHER (vouchers are not modeled).
 */
static xs_kern_return_t xs_ipc_kmsg_copyin_header(struct ipc_kmsg *kmsg, struct ipc_space *space,
						  uint32_t dest_name, uint32_t reply_name,
						  uint32_t voucher_name)
{
	XS_FUNC(ipc_kmsg_copyin_header);
	uint32_t bits = kmsg->ikm_bits & MACH_MSGH_BITS_USER;
	uint32_t dest_type = MSGH_REMOTE(bits), reply_type = MSGH_LOCAL(bits);
	struct ipc_port *dest = NULL, *reply = NULL;

	if (!PORT_ANY_SEND(dest_type))
		return MACH_SEND_INVALID_HEADER;
	if (reply_type == 0 ? reply_name != MACH_PORT_NULL : !PORT_ANY_SEND(reply_type))
		return MACH_SEND_INVALID_HEADER;
	if (voucher_name != MACH_PORT_NULL)
		return MACH_SEND_INVALID_VOUCHER;
	if (!space || !space->is_active || !XS_MACH_PORT_VALID(dest_name))
		return MACH_SEND_INVALID_DEST;
	{
		XS_FUNC(ipc_kmsg_copyin_header_rights);

		if (xs_ipc_right_copyin_check(space, dest_name, dest_type, false) != KERN_SUCCESS)
			return MACH_SEND_INVALID_DEST;
		if (XS_MACH_PORT_VALID(reply_name) &&
		    xs_ipc_right_copyin_check(space, reply_name, reply_type, true) != KERN_SUCCESS)
			return MACH_SEND_INVALID_REPLY;
		(void)xs_ipc_right_copyin(space, dest_name, dest_type, &dest);
		if (XS_MACH_PORT_VALID(reply_name) &&
		    xs_ipc_right_copyin(space, reply_name, reply_type, &reply) != KERN_SUCCESS) {
			/* Same name moved twice past its last uref. */
			xs_ipc_object_destroy(dest, xs_ipc_object_copyin_type(dest_type));
			return MACH_SEND_INVALID_REPLY;
		}
		if (reply_name == MACH_PORT_DEAD)
			reply = IP_DEAD;
	}
	kmsg->ikm_remote = dest;
	kmsg->ikm_local = reply;
	kmsg->ikm_bits = (bits & MACH_MSGH_BITS_COMPLEX) | xs_ipc_object_copyin_type(dest_type) |
			 (reply_type ? xs_ipc_object_copyin_type(reply_type) << 8 : 0);
	return MACH_MSG_SUCCESS;
}

static xs_kern_return_t xs_ipc_kmsg_copyin_port_descriptor(struct ipc_kmsg *kmsg,
							   struct ipc_space *space,
							   struct ipc_kmsg_desc *d)
{
	XS_FUNC(ipc_kmsg_copyin_port_descriptor);
	const uint8_t *u = kmsg->ikm_body + d->kd_offset;
	uint32_t name = rd32(u), disp = u[10];
	struct ipc_entry *entry;

	if (!PORT_ANY_RIGHT(disp))
		return MACH_SEND_INVALID_TYPE;
	d->kd_msgt = xs_ipc_object_copyin_type(disp);
	if (!XS_MACH_PORT_VALID(name)) {
		d->kd_port = name == MACH_PORT_DEAD ? IP_DEAD : NULL;
		return MACH_MSG_SUCCESS;
	}
	/* A receive right sent to itself would never be received: refuse it. */
	entry = xs_ipc_entry_lookup(space, name);
	if (disp == MACH_MSG_TYPE_MOVE_RECEIVE && entry && entry->ie_object == kmsg->ikm_remote)
		return MACH_SEND_INVALID_RIGHT;
	if (xs_ipc_right_copyin(space, name, disp, &d->kd_port) != KERN_SUCCESS)
		return MACH_SEND_INVALID_RIGHT;
	return MACH_MSG_SUCCESS;
}

static xs_kern_return_t xs_ipc_kmsg_copyin_ool_descriptor(struct ipc_kmsg *kmsg,
							  struct vm_map *map,
							  struct ipc_kmsg_desc *d)
{
	XS_FUNC(ipc_kmsg_copyin_ool_descriptor);
	const uint8_t *u = kmsg->ikm_body + d->kd_offset;
	uint64_t addr = rd64(u), size = rd32(u + 12);
	uint8_t dealloc = u[8], copy = u[9];

	if (copy != MACH_MSG_PHYSICAL_COPY && copy != MACH_MSG_VIRTUAL_COPY)
		return MACH_SEND_INVALID_TYPE;
	if (size > XS_MACH_OOL_MAX_SIZE)
		return MACH_SEND_TOO_LARGE;
	d->kd_copy = copy;
	d->kd_size = size;
	if (size == 0)
		return MACH_MSG_SUCCESS;
	{
		/* vm_map_copyin: a kernel copy now, copy-on-write in XNU. */
		XS_FUNC_AT(vm_map_copyin, "osfmk/vm/vm_map.c");

		d->kd_data = xs_kmem_alloc(size);
		if (!d->kd_data)
			return MACH_SEND_NO_BUFFER;
		if (osl_copyin(addr, d->kd_data, size) != 0) {
			xs_kmem_free(d->kd_data, size);
			d->kd_data = NULL;
			return MACH_SEND_INVALID_MEMORY;
		}
	}
	if (dealloc && map)
		(void)xs_mach_vm_deallocate(map, addr, size);
	return MACH_MSG_SUCCESS;
}

/*
 * Routine:    xs_ipc_kmsg_copyin_body
 * Purpose:    Walk the descriptors after the body count; each is checked
 *             against the bytes sent (MACH_SEND_MSG_TOO_SMALL) and its
 *             type (MACH_SEND_INVALID_TYPE; OOL-ports and guarded port
 *             descriptors are not modeled).
 */
static xs_kern_return_t xs_ipc_kmsg_copyin_body(struct ipc_kmsg *kmsg, struct ipc_space *space,
						struct vm_map *map)
{
	XS_FUNC(ipc_kmsg_copyin_body);
	uint32_t off = 4, ndesc = kmsg->ikm_desc_cap;
	xs_kern_return_t mr;

	wr32(kmsg->ikm_body, ndesc);	/* the trap argument's count is the one used */
	for (uint32_t i = 0; i < ndesc; i++) {
		struct ipc_kmsg_desc *d = &kmsg->ikm_descs[i];
		uint32_t type, dsize;

		if (off + 12 > kmsg->ikm_body_size)
			return MACH_SEND_MSG_TOO_SMALL;
		type = kmsg->ikm_body[off + 11];
		if (type != MACH_MSG_PORT_DESCRIPTOR && type != MACH_MSG_OOL_DESCRIPTOR &&
		    type != MACH_MSG_OOL_VOLATILE_DESCRIPTOR)
			return MACH_SEND_INVALID_TYPE;	/* ikm_check_descriptors */
		dsize = type == MACH_MSG_PORT_DESCRIPTOR ? 12 : 16;
		if (off + dsize > kmsg->ikm_body_size)
			return MACH_SEND_MSG_TOO_SMALL;
		xs_memset(d, 0, sizeof(*d));
		d->kd_type = type;
		d->kd_offset = off;
		kmsg->ikm_desc_count = i + 1;
		switch (type) {
		case MACH_MSG_PORT_DESCRIPTOR:
			mr = xs_ipc_kmsg_copyin_port_descriptor(kmsg, space, d);
			break;
		case MACH_MSG_OOL_DESCRIPTOR:
		case MACH_MSG_OOL_VOLATILE_DESCRIPTOR:
			d->kd_type = MACH_MSG_OOL_DESCRIPTOR;
			mr = xs_ipc_kmsg_copyin_ool_descriptor(kmsg, map, d);
			break;
		default:
			mr = MACH_SEND_INVALID_TYPE;
			break;
		}
		if (mr != MACH_MSG_SUCCESS)
			return mr;
		off += dsize;
	}
	return MACH_MSG_SUCCESS;
}

/*
 * Routine:    xs_ipc_kmsg_copyin_from_user
 * Purpose:    See ipc_kmsg.h.  On a body error the caller destroys the
 *             kmsg, which releases the header rights already taken.
 */
xs_kern_return_t xs_ipc_kmsg_copyin_from_user(struct ipc_kmsg *kmsg, struct ipc_space *space,
					      struct vm_map *map, uint32_t remote_name,
					      uint32_t local_name, uint32_t voucher_name)
{
	XS_FUNC(ipc_kmsg_copyin_from_user);
	xs_kern_return_t mr;

	mr = xs_ipc_kmsg_copyin_header(kmsg, space, remote_name, local_name, voucher_name);
	if (mr != MACH_MSG_SUCCESS)
		return mr;
	if (!(kmsg->ikm_bits & MACH_MSGH_BITS_COMPLEX))
		return MACH_MSG_SUCCESS;
	return xs_ipc_kmsg_copyin_body(kmsg, space, map);
}

/*
 * Routine:    xs_ipc_kmsg_send
 * Purpose:    See ipc_kmsg.h.
 * Returns:    MACH_MSG_SUCCESS, MACH_SEND_TIMED_OUT, MACH_SEND_INTERRUPTED.
 */
xs_kern_return_t xs_ipc_kmsg_send(struct ipc_kmsg *kmsg, uint64_t option, uint32_t timeout_ms)
{
	XS_FUNC(ipc_kmsg_send);
	struct ipc_port *port = kmsg->ikm_remote;

	if (!port->ip_active) {
		xs_ipc_kmsg_destroy(kmsg);
		return MACH_MSG_SUCCESS;
	}
	if (port->ip_kotype != IKOT_NONE) {
		if (XS_TRACE_ENABLED(msg_send))
			xs_trace_msg_send(port->ip_object_id, kmsg->ikm_id, kmsg->ikm_size);
		xs_ipc_kobject_server(kmsg, option);
		return MACH_MSG_SUCCESS;
	}
	return xs_ipc_mqueue_send_locked(port, kmsg, option, timeout_ms);
}

/* The receiver's name for the destination: its receive right (no new right). */
static mach_port_name_t ipc_kmsg_copyout_dest(struct ipc_port *dest, uint32_t dest_type,
					      struct ipc_space *space)
{
	mach_port_name_t name = MACH_PORT_NULL;

	if (!IP_VALID(dest))
		return dest == IP_DEAD ? MACH_PORT_DEAD : MACH_PORT_NULL;
	if (dest->ip_receiver == space)
		name = dest->ip_receiver_name;
	xs_ipc_object_destroy(dest, dest_type);	/* the send(-once) right is used up */
	return name;
}

static xs_kern_return_t xs_ipc_kmsg_copyout_descriptors(struct ipc_kmsg *kmsg,
							struct ipc_space *space,
							struct vm_map *map, uint8_t *body)
{
	XS_FUNC(ipc_kmsg_copyout_descriptors);
	xs_kern_return_t mr = MACH_MSG_SUCCESS;

	for (uint32_t i = 0; i < kmsg->ikm_desc_count; i++) {
		struct ipc_kmsg_desc *d = &kmsg->ikm_descs[i];
		uint8_t *u = body + d->kd_offset;
		mach_port_name_t name;
		mach_vm_address_t addr = 0;

		if (d->kd_type == MACH_MSG_PORT_DESCRIPTOR) {
			(void)xs_ipc_object_copyout(space, d->kd_port, d->kd_msgt, &name);
			wr32(u, name);
			wr32(u + 4, 0);
			u[8] = u[9] = 0;
			u[10] = (uint8_t)d->kd_msgt;	/* what the receiver now holds */
			continue;
		}
		if (d->kd_size) {
			/* vm_map_copyout_size: a fresh region in the receiver's map. */
			XS_FUNC_AT(vm_map_copyout_size, "osfmk/vm/vm_map.c");

			xs_kern_return_t kr = map ? xs_mach_vm_allocate_kernel(map, &addr,
						d->kd_size, XS_VM_FLAGS_ANYWHERE) : KERN_NO_SPACE;

			if (kr != KERN_SUCCESS || osl_copyout(d->kd_data, addr, d->kd_size) != 0) {
				addr = 0;
				mr = MACH_RCV_BODY_ERROR | MACH_MSG_VM_SPACE;
			}
			xs_kmem_free(d->kd_data, d->kd_size);
			d->kd_data = NULL;
		}
		wr64(u, addr);
		u[8] = d->kd_copy == MACH_MSG_VIRTUAL_COPY;	/* deallocate */
		u[9] = d->kd_copy;
		u[10] = 0;
		wr32(u + 12, (uint32_t)d->kd_size);
	}
	kmsg->ikm_desc_count = 0;
	return mr;
}

/*
 * Routine:    xs_ipc_kmsg_copyout
 * Purpose:    See ipc_kmsg.h.  The receiver's header swaps the ports: the
 *             reply right becomes msgh_remote_port, the destination's
 *             receive-right name msgh_local_port, with the kernel types
 *             (MACH_MSG_TYPE_PORT_*) in msgh_bits.
 * Returns:    MACH_MSG_SUCCESS, or MACH_RCV_BODY_ERROR|MACH_MSG_VM_SPACE
 *             when an OOL region could not be placed (its address is 0).
 */
xs_kern_return_t xs_ipc_kmsg_copyout(struct ipc_kmsg *kmsg, struct ipc_space *space,
				     struct vm_map *map, uint8_t *buf, bool pseudo)
{
	XS_FUNC(ipc_kmsg_copyout);
	uint32_t bits = kmsg->ikm_bits;
	uint32_t dest_type = MSGH_REMOTE(bits), reply_type = MSGH_LOCAL(bits);
	mach_port_name_t dest_name, reply_name;
	xs_kern_return_t mr = MACH_MSG_SUCCESS;

	{
		XS_FUNC(ipc_kmsg_copyout_header);

		if (pseudo)
			(void)xs_ipc_object_copyout(space, kmsg->ikm_remote, dest_type, &dest_name);
		else
			dest_name = ipc_kmsg_copyout_dest(kmsg->ikm_remote, dest_type, space);
		(void)xs_ipc_object_copyout(space, kmsg->ikm_local, reply_type, &reply_name);
		kmsg->ikm_remote = kmsg->ikm_local = NULL;
	}
	wr32(buf + 4, kmsg->ikm_size);
	wr32(buf + 16, MACH_PORT_NULL);
	wr32(buf + 20, (uint32_t)kmsg->ikm_id);
	if (pseudo) {
		wr32(buf + 0, bits);
		wr32(buf + 8, dest_name);
		wr32(buf + 12, reply_name);
	} else {
		wr32(buf + 0, (bits & MACH_MSGH_BITS_COMPLEX) | reply_type | dest_type << 8);
		wr32(buf + 8, reply_name);
		wr32(buf + 12, dest_name);
	}
	if (kmsg->ikm_body_size)
		xs_memcpy(buf + XS_MACH_MSG_HEADER_SIZE, kmsg->ikm_body, kmsg->ikm_body_size);
	if (kmsg->ikm_desc_count)
		mr = xs_ipc_kmsg_copyout_descriptors(kmsg, space, map,
						     buf + XS_MACH_MSG_HEADER_SIZE);
	xs_ipc_kmsg_free(kmsg);
	return mr;
}
