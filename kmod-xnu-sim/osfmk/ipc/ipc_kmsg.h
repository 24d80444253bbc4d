/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipc_kmsg.h: kernel messages and the queue operations on them.
 * Corresponds to osfmk/ipc/ipc_kmsg.h and ipc_mqueue.h.
 *
 * A kmsg keeps the header in kernel form (port pointers holding the rights
 * the message carries), the bytes after the header as user space sent them,
 * and, for complex messages, one ipc_kmsg_desc per descriptor with the
 * right or the out-of-line data it carries.  Every function expects the
 * IPC lock held (ipc_port.h).
 */
#ifndef XS_IPC_IPC_KMSG_H
#define XS_IPC_IPC_KMSG_H

#include "kmod-xnu-sim/osfmk/ipc/ipc_port.h"

struct ipc_space;
struct vm_map;

struct ipc_kmsg_desc {
	uint32_t kd_type;		/* MACH_MSG_PORT_DESCRIPTOR / MACH_MSG_OOL_DESCRIPTOR */
	uint32_t kd_offset;		/* offset of the user descriptor in ikm_body */
	uint32_t kd_msgt;		/* port: kernel type (MACH_MSG_TYPE_PORT_*) */
	struct ipc_port *kd_port;	/* port: the right (NULL, IP_DEAD or a port) */
	void *kd_data;			/* OOL: kernel copy (kmem), NULL when size 0 */
	uint64_t kd_size;
	uint8_t kd_copy;		/* MACH_MSG_PHYSICAL_COPY / VIRTUAL_COPY */
};

struct ipc_kmsg {
	queue_chain_t ikm_link;		/* ip_messages.imq_messages */
	uint32_t ikm_bits;		/* msgh_bits with kernel types (PORT_*) */
	uint32_t ikm_size;		/* msgh_size as sent, trailer excluded */
	struct ipc_port *ikm_remote;	/* destination: holds the send(-once) right */
	struct ipc_port *ikm_local;	/* reply port right, NULL or IP_DEAD */
	int32_t ikm_id;
	uint32_t ikm_seqno;
	uint8_t *ikm_body;		/* ikm_size - 24 bytes, kalloc'd */
	uint32_t ikm_body_size;
	struct ipc_kmsg_desc *ikm_descs;/* kalloc'd, ikm_desc_cap entries */
	uint32_t ikm_desc_cap;
	uint32_t ikm_desc_count;	/* descriptors copied in so far */
	/* The sender's identity, for the trailer's security and audit tokens. */
	uint32_t ikm_uid, ikm_gid, ikm_ruid, ikm_rgid;
	int32_t ikm_pid;
};

#define XS_MACH_MSG_HEADER_SIZE 24u
#define XS_MACH_MSG_MAX_SIZE    (16u << 20)	/* larger sends: MACH_SEND_TOO_LARGE */
#define XS_MACH_OOL_MAX_SIZE    (64ull << 20)	/* larger OOL regions: MACH_SEND_TOO_LARGE */

/* ipc_kmsg_alloc: an empty kmsg with room for body_size bytes and ndesc descriptors. */
struct ipc_kmsg *xs_ipc_kmsg_alloc(uint32_t body_size, uint32_t ndesc);
/* ipc_kmsg_free: free the memory only (rights already moved or destroyed). */
void xs_ipc_kmsg_free(struct ipc_kmsg *kmsg);
/* ipc_kmsg_destroy: release every right and OOL region, then free. */
void xs_ipc_kmsg_destroy(struct ipc_kmsg *kmsg);

/*
 * ipc_kmsg_copyin_header / body: turn the user header and descriptors into
 * kernel rights taken from space (and OOL data copied from map).  On error
 * nothing stays taken from the header; body rights taken so far are
 * destroyed with the message, as XNU does.
 */
xs_kern_return_t xs_ipc_kmsg_copyin_from_user(struct ipc_kmsg *kmsg, struct ipc_space *space,
					      struct vm_map *map, uint32_t remote_name,
					      uint32_t local_name, uint32_t voucher_name);
/*
 * ipc_kmsg_send: deliver to the destination: a kernel object is served at
 * once (ipc_kobject_server), a user port is queued (blocking while full
 * unless MACH_SEND_TIMEOUT).  On failure the caller still owns the kmsg.
 */
xs_kern_return_t xs_ipc_kmsg_send(struct ipc_kmsg *kmsg, uint64_t option, uint32_t timeout_ms);
/*
 * ipc_kmsg_copyout: rights into space, OOL regions into map; builds the
 * user image (header + body) into buf (ikm_size bytes) and frees the kmsg.
 * pseudo: the destination is copied out as a right too (a failed send
 * handing the message back, ipc_kmsg_copyout_pseudo).
 */
xs_kern_return_t xs_ipc_kmsg_copyout(struct ipc_kmsg *kmsg, struct ipc_space *space,
				     struct vm_map *map, uint8_t *buf, bool pseudo);

/* ---- queues (ipc_mqueue.c) ----------------------------------------------- */

void xs_ipc_mqueue_init(struct ipc_mqueue *mq);
/*
 * ipc_mqueue_send_locked: queue kmsg on port (a user port), waiting for
 * room while the queue is full.  MACH_MSG_SUCCESS (also when the port died:
 * the message is then destroyed, as XNU does), MACH_SEND_TIMED_OUT,
 * MACH_SEND_INTERRUPTED.  On failure the caller still owns kmsg.
 */
xs_kern_return_t xs_ipc_mqueue_send_locked(struct ipc_port *port, struct ipc_kmsg *kmsg,
					   uint64_t option, uint32_t timeout_ms);
/* Dequeue the first message; NULL when empty.  Wakes a blocked sender. */
struct ipc_kmsg *xs_ipc_mqueue_dequeue(struct ipc_port *port);
/* ipc_mqueue_copyin: the port of a receive right, referenced; MACH_RCV_INVALID_NAME. */
xs_kern_return_t xs_ipc_mqueue_copyin(struct ipc_space *space, mach_port_name_t rcv_name,
				      struct ipc_port **portp);
/* ipc_mqueue_receive: see ipc_mqueue.c. */
xs_kern_return_t xs_ipc_mqueue_receive(struct ipc_space *space, struct ipc_port *port,
				       uint64_t option, uint32_t max_size, uint32_t trailer_size,
				       uint32_t timeout_ms, struct ipc_kmsg **kmsgp,
				       uint32_t *msizep);

/* ---- kernel objects ------------------------------------------------------ */

/*
 * ipc_kobject_server: run the MIG routine a request to a kernel port
 * names and queue the reply on its reply port.  Consumes the request.
 */
void xs_ipc_kobject_server(struct ipc_kmsg *request, uint64_t option);

/* The sending thread's identity recorded in a kmsg (kernel: pid 0). */
void xs_ipc_kmsg_set_sender(struct ipc_kmsg *kmsg, bool from_kernel);

#endif /* XS_IPC_IPC_KMSG_H */
