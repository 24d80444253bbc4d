/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipc_port.h: Mach ports, their message queues and kernel-object bindings.
 * Corresponds to osfmk/ipc/ipc_port.h, ipc_mqueue.h, ipc_object.h and
 * osfmk/kern/ipc_kobject.h.
 *
 * Locking: the simulator guards every IPC structure (spaces, entries,
 * ports, queues, kmsgs, semaphores) with one machine-wide lock,
 * m_ipc.ipc_lock, instead of XNU's per-space and per-port locks
 * (docs/fidelity.md).  Functions named *_locked, and every function whose
 * contract says "IPC lock held", must be called with it held.
 */
#ifndef XS_IPC_IPC_PORT_H
#define XS_IPC_IPC_PORT_H

#include "kmod-xnu-sim/osfmk/kern/kern_types.h"
#include "kmod-xnu-sim/osfmk/kern/locks.h"
#include "kmod-xnu-sim/osfmk/kern/queue.h"
#include "kmod-xnu-sim/osl/osl.h"

struct ipc_space;
struct ipc_kmsg;

/* Kernel object types (osfmk/kern/ipc_kobject.h numbering). */
#define IKOT_NONE           0
#define IKOT_THREAD_CONTROL 1
#define IKOT_TASK_CONTROL   2
#define IKOT_HOST           3
#define IKOT_SEMAPHORE      23

/* ip_flags */
#define IP_F_REPLY_PORT     0x0001	/* made by mach_reply_port */
#define IP_F_SPECIAL_REPLY  0x0002	/* thread_get_special_reply_port */
#define IP_F_GUARDED        0x0004	/* MPO_CONTEXT_AS_GUARD: context is the guard */
#define IP_F_STRICT_GUARD   0x0008

/* The message queue of a port (osfmk/ipc/ipc_mqueue.h). */
struct ipc_mqueue {
	queue_head_t imq_messages;	/* struct ipc_kmsg.ikm_link */
	uint32_t imq_msgcount;
	uint32_t imq_qlimit;		/* MACH_PORT_QLIMIT_DEFAULT unless set */
	uint32_t imq_seqno;		/* next sequence number handed out */
	uint32_t imq_receivers;		/* threads blocked in receive */
	struct osl_event imq_rcv_event;	/* receivers sleep here */
	struct osl_event imq_send_event;/* senders of a full queue sleep here */
};

struct ipc_port {
	uint32_t ip_references;
	bool ip_active;
	uint8_t ip_kotype;		/* IKOT_* ; IKOT_NONE for user ports */
	uint16_t ip_flags;		/* IP_F_* */

	/*
	 * Who holds the receive right: a space (ip_receiver_name is its name
	 * there), nobody while the right travels in a message (NULL), or the
	 * kernel for kobject ports (NULL, ip_kotype != IKOT_NONE).
	 */
	struct ipc_space *ip_receiver;
	mach_port_name_t ip_receiver_name;

	uint32_t ip_srights;		/* send rights, in spaces and in messages */
	uint32_t ip_sorights;		/* send-once rights */
	uint32_t ip_mscount;		/* make-send count */
	void *ip_kobject;		/* struct task / thread / semaphore */
	uint64_t ip_context;		/* mach_port_construct context or guard */
	uint64_t ip_object_id;		/* machine-unique, named in probes */

	struct ipc_mqueue ip_messages;
};

/* A right that died: delivered to user space as MACH_PORT_DEAD. */
#define IP_DEAD  ((struct ipc_port *)~(uintptr_t)0)
#define IP_VALID(p) ((p) != NULL && (p) != IP_DEAD)

#define MACH_PORT_UREFS_MAX 0xffffu
#define XS_MACH_PORT_VALID(n) ((n) != 0 && (n) != 0xffffffffu)

/* ---- the machine-wide IPC lock ----------------------------------------- */

void xs_ipc_lock(void);
void xs_ipc_unlock(void);
lck_mtx_t *xs_ipc_lock_ptr(void);

/* ---- ports (osfmk/ipc/ipc_port.c, ipc_object.c) ------------------------- */

/*
 * ipc_object_alloc + ipc_port_init: a new active port with one reference
 * for the caller and no rights; NULL on shortage.  IPC lock held.
 */
struct ipc_port *xs_ipc_port_alloc_object(void);
/*
 * The same, born in *slot (an arena word, e.g. an entry's ie_object), so a
 * process killed before the right is complete leaves it findable
 * (zalloc.h: xs_zalloc_into).  IPC lock held.
 */
struct ipc_port *xs_ipc_port_alloc_object_into(struct ipc_port **slot);
void xs_ip_reference(struct ipc_port *port);
/* Consumes a reference; the last one frees the (inactive) port. */
void xs_ip_release(struct ipc_port *port);
/*
 * Consumes the reference held through *slot and empties the slot in the
 * same step, so a killed caller never leaves the two disagreeing.
 */
void xs_ip_release_from(struct ipc_port **slot);

/*
 * ipc_port_destroy: destroy the receive right.  The port goes inactive,
 * queued messages are destroyed (with the rights they carry), blocked
 * receivers see MACH_RCV_PORT_DIED and send rights elsewhere become dead
 * names when next looked up.  Consumes the receive right's reference.
 * IPC lock held.
 */
void xs_ipc_port_destroy(struct ipc_port *port);
/* The same for the receive right held through *slot (xs_ip_release_from). */
void xs_ipc_port_destroy_from(struct ipc_port **slot);

/* Make / copy / release rights held by the kernel (ipc_port.c). */
struct ipc_port *xs_ipc_port_make_send_locked(struct ipc_port *port);
struct ipc_port *xs_ipc_port_make_sonce_locked(struct ipc_port *port);
struct ipc_port *xs_ipc_port_copy_send_locked(struct ipc_port *port);
void xs_ipc_port_release_send_locked(struct ipc_port *port);
void xs_ipc_port_release_sonce_locked(struct ipc_port *port);

/*
 * ipc_object_destroy: drop a right of kernel type msgt_name
 * (MACH_MSG_TYPE_PORT_SEND / SEND_ONCE / RECEIVE) held by the kernel.
 * IP_DEAD and NULL are ignored.  IPC lock held.
 */
void xs_ipc_object_destroy(struct ipc_port *port, uint32_t msgt_name);

/*
 * ipc_port_copyout_send: give space a send right (consumed) and return
 * its name there: an existing entry for the port gains a uref.  Returns
 * MACH_PORT_DEAD for a dead port, MACH_PORT_NULL for NULL.  IPC lock held.
 */
mach_port_name_t xs_ipc_port_copyout_send_locked(struct ipc_port *sright,
						 struct ipc_space *space);

/* ---- kernel objects (osfmk/kern/ipc_kobject.c) --------------------------- */

/* A kernel-owned port for kobject of type kotype; one ref for the caller. */
struct ipc_port *xs_ipc_kobject_alloc_port(void *kobject, uint8_t kotype);
/* Disconnect the kobject and destroy the port (consumes the caller's ref). */
void xs_ipc_kobject_dealloc_port(struct ipc_port *port);

#endif /* XS_IPC_IPC_PORT_H */
