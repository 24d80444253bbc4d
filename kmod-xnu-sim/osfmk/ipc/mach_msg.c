/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mach_msg.c: the message traps: mach_msg2_trap (-47) and the legacy
 * mach_msg_trap (-31) / mach_msg_overwrite_trap (-32), each a send and/or
 * a receive through mach_msg_trap_send / mach_msg_trap_receive.
 * Corresponds to osfmk/ipc/mach_msg.c.
 *
 * mach_msg2_trap takes eight 64-bit arguments packed as described in
 * include/xnusim/abi/message.h.  Legacy traps work (macOS builds set
 * IPC_HAS_LEGACY_MACH_MSG_TRAP) for every simulated process; XNU limits
 * them to old-SDK, non-platform binaries (docs/fidelity.md).
 */
#include "kmod-xnu-sim/osfmk/ipc/ipc_kmsg.h"
#include "kmod-xnu-sim/osfmk/ipc/ipc_space.h"
#include "kmod-xnu-sim/osfmk/kern/task.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#include "darwin/mach_msg.h"
#include "darwin/port.h"

#define XS_MAX_TRAILER_SIZE 68u

struct user_header {		/* mach_msg_user_header_t, rebuilt from arguments */
	uint32_t bits, size, remote, local, voucher;
	int32_t id;
};

static inline void wr32(uint8_t *p, uint32_t v) { xs_memcpy(p, &v, 4); }
static inline void wr64(uint8_t *p, uint64_t v) { xs_memcpy(p, &v, 8); }

static struct vm_map *current_map(void)
{
	struct task *task = xs_current_task();

	return task ? task->map : NULL;
}

/* REQUESTED_TRAILER_SIZE: the trailer the receive options ask for. */
static uint32_t ipc_kmsg_trailer_size(uint64_t option)
{
	static const uint8_t sizes[] = { 8, 12, 20, 52, 60, 68, 68, 68, 68 };
	uint32_t elements = (uint32_t)(option >> 24) & 0xf;

	return elements < sizeof(sizes) ? sizes[elements] : XS_MAX_TRAILER_SIZE;
}

/* ipc_kmsg_add_trailer: format 0, the fields up to the requested size. */
static void ipc_kmsg_add_trailer(uint8_t *t, uint32_t tsize, const struct ipc_kmsg *kmsg,
				 uint64_t context)
{
	xs_memset(t, 0, XS_MAX_TRAILER_SIZE);
	wr32(t + 0, MACH_MSG_TRAILER_FORMAT_0);
	wr32(t + 4, tsize);
	wr32(t + 8, kmsg->ikm_seqno);
	wr32(t + 12, kmsg->ikm_uid);		/* security token */
	wr32(t + 16, kmsg->ikm_gid);
	wr32(t + 20, kmsg->ikm_uid);		/* audit token: auid, euid, egid, */
	wr32(t + 24, kmsg->ikm_uid);		/* ruid, rgid, pid, asid, pidversion */
	wr32(t + 28, kmsg->ikm_gid);
	wr32(t + 32, kmsg->ikm_ruid);
	wr32(t + 36, kmsg->ikm_rgid);
	wr32(t + 40, (uint32_t)kmsg->ikm_pid);
	wr64(t + 52, context);
}

/*
 * Routine:    xs_mach_msg_trap_send
 * Purpose:    Bound-check the sizes, copy the message in, take its rights
 *             and deliver it.  A failed delivery hands the message and its
 *             rights back to the sender (ipc_kmsg_copyout_pseudo).
 * Returns:    MACH_MSG_SUCCESS or a MACH_SEND_* code.
 */
static xs_kern_return_t xs_mach_msg_trap_send(uint64_t msg_addr, uint64_t option,
					      uint32_t timeout, struct user_header *h,
					      uint32_t desc_count)
{
	XS_FUNC(mach_msg_trap_send);
	uint32_t size = h->size;
	struct ipc_kmsg *kmsg;
	struct ipc_space *space;
	xs_kern_return_t mr;
	uint8_t *buf;

	if (size < XS_MACH_MSG_HEADER_SIZE || (size & 3))
		return MACH_SEND_MSG_TOO_SMALL;
	if (size > XS_MACH_MSG_MAX_SIZE)
		return MACH_SEND_TOO_LARGE;
	if (h->bits & MACH_MSGH_BITS_COMPLEX) {
		if (size < XS_MACH_MSG_HEADER_SIZE + 4 ||
		    desc_count > (size - XS_MACH_MSG_HEADER_SIZE - 4) / 12)
			return MACH_SEND_MSG_TOO_SMALL;
	} else if (desc_count != 0) {
		return MACH_SEND_TOO_LARGE;
	}
	kmsg = xs_ipc_kmsg_alloc(size - XS_MACH_MSG_HEADER_SIZE, desc_count);
	if (!kmsg)
		return MACH_SEND_NO_BUFFER;
	{
		XS_FUNC(ipc_kmsg_get_from_user);	/* copyinmsg of the body */
		if (kmsg->ikm_body_size && osl_copyin(msg_addr + XS_MACH_MSG_HEADER_SIZE,
						      kmsg->ikm_body, kmsg->ikm_body_size)) {
			xs_ipc_kmsg_free(kmsg);
			return MACH_SEND_INVALID_DATA;
		}
	}
	kmsg->ikm_bits = h->bits;
	kmsg->ikm_size = size;
	kmsg->ikm_id = h->id;
	xs_ipc_kmsg_set_sender(kmsg, false);

	xs_ipc_lock();
	space = xs_current_space();
	mr = xs_ipc_kmsg_copyin_from_user(kmsg, space, current_map(), h->remote, h->local,
					  h->voucher);
	if (mr != MACH_MSG_SUCCESS) {
		xs_ipc_kmsg_destroy(kmsg);
		xs_ipc_unlock();
		return mr;
	}
	xs_is_reference(space);		/* a blocked send may outlive the task's teardown */
	mr = xs_ipc_kmsg_send(kmsg, option, timeout);
	if (mr != MACH_MSG_SUCCESS) {
		/* mach_msg_receive_pseudo: the sender gets it all back. */
		buf = xs_kalloc(size);
		if (buf) {
			(void)xs_ipc_kmsg_copyout(kmsg, space, current_map(), buf, true);
			(void)osl_copyout(buf, msg_addr, size);
			xs_kfree(buf, size);
		} else {
			xs_ipc_kmsg_destroy(kmsg);
		}
	}
	xs_is_release(space);
	xs_ipc_unlock();
	return mr;
}

/* A message too large and not MACH_RCV_LARGE: destroyed, header + trailer copied out. */
static xs_kern_return_t msg_receive_error(struct ipc_kmsg *kmsg, uint64_t msg_addr,
					  uint32_t rcv_size, mach_port_name_t rcv_name,
					  uint32_t tsize)
{
	uint8_t buf[XS_MACH_MSG_HEADER_SIZE + XS_MAX_TRAILER_SIZE];
	struct ipc_kmsg copy = *kmsg;

	xs_ipc_kmsg_destroy(kmsg);
	if (rcv_size < XS_MACH_MSG_HEADER_SIZE + tsize)
		return MACH_RCV_TOO_LARGE;
	xs_memset(buf, 0, sizeof(buf));
	wr32(buf + 4, XS_MACH_MSG_HEADER_SIZE);
	wr32(buf + 12, rcv_name);
	wr32(buf + 20, (uint32_t)copy.ikm_id);
	ipc_kmsg_add_trailer(buf + XS_MACH_MSG_HEADER_SIZE, tsize, &copy, 0);
	if (osl_copyout(buf, msg_addr, XS_MACH_MSG_HEADER_SIZE + tsize))
		return MACH_RCV_INVALID_DATA;
	return MACH_RCV_TOO_LARGE;
}

/*
 * Routine:    xs_mach_msg_receive_results
 * Purpose:    Copy a received message out: rights into the space, OOL
 *             memory into the map, header + body + trailer to msg_addr.
 * Returns:    MACH_MSG_SUCCESS, MACH_RCV_INVALID_DATA (bad buffer: the
 *             message is lost), MACH_RCV_BODY_ERROR|MACH_MSG_VM_SPACE.
 */
static xs_kern_return_t xs_mach_msg_receive_results(struct ipc_kmsg *kmsg,
						    struct ipc_port *port,
						    struct ipc_space *space,
						    uint64_t msg_addr, uint32_t tsize)
{
	XS_FUNC(mach_msg_receive_results);
	uint32_t size = kmsg->ikm_size, off = (uint32_t)xs_round_up(size, 4);
	struct ipc_kmsg copy = *kmsg;
	xs_kern_return_t mr;
	uint8_t *buf = xs_kalloc(off + XS_MAX_TRAILER_SIZE);

	if (!buf) {
		xs_ipc_kmsg_destroy(kmsg);
		return MACH_RCV_INVALID_DATA;
	}
	if (XS_TRACE_ENABLED(msg_receive))
		xs_trace_msg_receive(port->ip_object_id, kmsg->ikm_id, size);
	mr = xs_ipc_kmsg_copyout(kmsg, space, current_map(), buf, false);
	ipc_kmsg_add_trailer(buf + off, tsize, &copy, port->ip_context);
	{
		XS_FUNC(ipc_kmsg_put_to_user);	/* copyoutmsg */
		if (osl_copyout(buf, msg_addr, off + tsize))
			mr = MACH_RCV_INVALID_DATA;
	}
	xs_kfree(buf, off + XS_MAX_TRAILER_SIZE);
	return mr;
}

/*
 * Routine:    xs_mach_msg_trap_receive
 * Purpose:    Receive on rcv_name into msg_addr (rcv_size bytes).
 * Returns:    MACH_MSG_SUCCESS or a MACH_RCV_* code.
 */
static xs_kern_return_t xs_mach_msg_trap_receive(uint64_t msg_addr, uint64_t option,
						 uint32_t timeout, uint32_t rcv_size,
						 mach_port_name_t rcv_name)
{
	XS_FUNC(mach_msg_trap_receive);
	uint32_t tsize = ipc_kmsg_trailer_size(option), msize = 0;
	struct ipc_kmsg *kmsg = NULL;
	struct ipc_space *space;
	struct ipc_port *port;
	xs_kern_return_t mr;

	xs_ipc_lock();
	space = xs_current_space();
	mr = space ? xs_ipc_mqueue_copyin(space, rcv_name, &port) : MACH_RCV_INVALID_NAME;
	if (mr != MACH_MSG_SUCCESS) {
		xs_ipc_unlock();
		return mr;
	}
	xs_is_reference(space);		/* as for a blocked send */
	mr = xs_ipc_mqueue_receive(space, port, option, rcv_size, tsize, timeout, &kmsg, &msize);
	if (mr == MACH_MSG_SUCCESS) {
		mr = xs_mach_msg_receive_results(kmsg, port, space, msg_addr, tsize);
	} else if (mr == MACH_RCV_TOO_LARGE && kmsg) {
		mr = msg_receive_error(kmsg, msg_addr, rcv_size, rcv_name, tsize);
	} else if (mr == MACH_RCV_TOO_LARGE) {
		/* MACH_RCV_LARGE: the message stays queued; tell the size it needs. */
		if (rcv_size >= 8 && osl_copyout(&msize, msg_addr + 4, 4))
			mr = MACH_RCV_INVALID_DATA;
		if ((option & MACH_RCV_LARGE_IDENTITY) && rcv_size >= 16 &&
		    osl_copyout(&rcv_name, msg_addr + 12, 4))
			mr = MACH_RCV_INVALID_DATA;
	}
	xs_ip_release(port);
	xs_is_release(space);
	xs_ipc_unlock();
	return mr;
}

/*
 * Routine:    xs_mach_msg2_trap  [trap -47]
 * Purpose:    Send and/or receive with the header passed in registers.
 * Conditions: Nothing locked.  args: eight 64-bit slots (message.h).
 * Returns:    MACH_MSG_SUCCESS, any MACH_SEND_* / MACH_RCV_* code,
 *             MACH_SEND_INVALID_OPTIONS (vector messages, which are not
 *             modeled, or a send with more than one of
 *             MACH64_SEND_KOBJECT_CALL / MQ_CALL / ANY / DK_CALL).
 */
xs_kern_return_t xs_mach_msg2_trap(void *args)
{
	XS_FUNC(mach_msg2_trap);
	const uint64_t *a = args;
	uint64_t data = a[0], option = a[1] & MACH64_MSG_OPTION_USER;
	uint64_t mb_ss = a[2], mr_lp = a[3], mv_id = a[4], dc_rn = a[5], rs_pr = a[6];
	uint32_t timeout = (uint32_t)a[7];
	xs_kern_return_t mr = MACH_MSG_SUCCESS;

	option &= ~(uint64_t)MACH64_SEND_FILTER_NONFATAL;
	if (option & MACH64_MSG_VECTOR)
		return (option & MACH64_SEND_MSG) ? MACH_SEND_INVALID_OPTIONS :
						    MACH_RCV_INVALID_ARGUMENTS;
	if (option & MACH64_SEND_MSG) {
		uint64_t cfi = option & MACH64_MSG_OPTION_CFI_MASK;
		struct user_header h = {
			.bits = (uint32_t)mb_ss, .size = (uint32_t)(mb_ss >> 32),
			.remote = (uint32_t)mr_lp, .local = (uint32_t)(mr_lp >> 32),
			.voucher = (uint32_t)mv_id, .id = (int32_t)(mv_id >> 32),
		};

		/* mach_msg2() calls must carry exactly one call kind (ipc_policy.c). */
		if (cfi == 0 || (cfi & (cfi - 1)) != 0)
			return MACH_SEND_INVALID_OPTIONS;
		mr = xs_mach_msg_trap_send(data, option, timeout, &h, (uint32_t)dc_rn);
		if (mr != MACH_MSG_SUCCESS)
			return mr;
	}
	if (option & MACH64_RCV_MSG)
		mr = xs_mach_msg_trap_receive(data, option, timeout, (uint32_t)rs_pr,
					      (mach_port_name_t)(dc_rn >> 32));
	return mr;
}

/*
 * Routine:    xs_mach_msg_overwrite_trap  [trap -32]
 * Purpose:    Legacy send and/or receive: the header is read from the
 *             user's buffer (mach_msg_copyin_user_header); a receive goes
 *             to rcv_msg when it is not 0.
 * Conditions: Nothing locked.  args: msg, option, send_size, rcv_size,
 *             rcv_name, timeout, priority, rcv_msg.
 */
xs_kern_return_t xs_mach_msg_overwrite_trap(void *args)
{
	XS_FUNC(mach_msg_overwrite_trap);
	const uint64_t *a = args;
	uint64_t msg = a[0], option = (uint32_t)a[1] & MACH_MSG_OPTION_USER;
	uint32_t send_size = (uint32_t)a[2], rcv_size = (uint32_t)a[3], timeout = (uint32_t)a[5];
	mach_port_name_t rcv_name = (mach_port_name_t)a[4];
	uint64_t rcv_msg = a[7];
	xs_kern_return_t mr = MACH_MSG_SUCCESS;

	option &= ~(uint64_t)MACH_SEND_FILTER_NONFATAL;
	if (option & MACH_SEND_MSG) {
		XS_FUNC(mach_msg_copyin_user_header);
		uint32_t base[7] = { 0 };	/* header + descriptor count */
		struct user_header h;

		if (send_size < XS_MACH_MSG_HEADER_SIZE || (send_size & 3))
			return MACH_SEND_MSG_TOO_SMALL;
		if (send_size > XS_MACH_MSG_MAX_SIZE)
			return MACH_SEND_TOO_LARGE;
		if (osl_copyin(msg, base, send_size == XS_MACH_MSG_HEADER_SIZE ? 24 : 28))
			return MACH_SEND_INVALID_DATA;
		if ((base[0] & MACH_MSGH_BITS_COMPLEX) && send_size < 28)
			return MACH_SEND_MSG_TOO_SMALL;
		h = (struct user_header){ base[0], send_size, base[2], base[3], base[4],
					  (int32_t)base[5] };
		mr = xs_mach_msg_trap_send(msg, option, timeout, &h,
					   (base[0] & MACH_MSGH_BITS_COMPLEX) ? base[6] : 0);
		if (mr != MACH_MSG_SUCCESS)
			return mr;
	}
	if (option & MACH_RCV_MSG)
		mr = xs_mach_msg_trap_receive(rcv_msg ? rcv_msg : msg, option, timeout, rcv_size,
					      rcv_name);
	return mr;
}

/*
 * Routine:    xs_mach_msg_trap  [trap -31]
 * Purpose:    mach_msg_overwrite_trap with rcv_msg = 0.
 * Conditions: Nothing locked.  args: the first seven overwrite arguments.
 */
xs_kern_return_t xs_mach_msg_trap(void *args)
{
	XS_FUNC(mach_msg_trap);
	uint64_t a[8];

	xs_memcpy(a, args, 7 * sizeof(uint64_t));
	a[7] = 0;
	return xs_mach_msg_overwrite_trap(a);
}
