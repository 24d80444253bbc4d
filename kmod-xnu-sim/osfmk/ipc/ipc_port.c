/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipc_port.c: port allocation, references, the kernel's send and
 * send-once rights, and port destruction.
 * Corresponds to osfmk/ipc/ipc_port.c (with io_alloc / ipc_object_alloc /
 * ipc_object_destroy from osfmk/ipc/ipc_object.c).
 *
 * Reference rules: every entry naming a port holds one reference, as does
 * every right the kernel holds (in a kmsg or a kobject owner).  A right in
 * the kernel is "one count in ip_srights / ip_sorights plus one reference";
 * the xs_ipc_port_release_* calls consume both.
 */
#include "kmod-xnu-sim/osfmk/ipc/ipc_kmsg.h"
#include "kmod-xnu-sim/osfmk/ipc/ipc_space.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#include "darwin/mach_msg.h"
#include "darwin/port.h"

/*
 * Routine:    xs_ipc_port_alloc_object
 * Purpose:    io_alloc from the port zone, then ipc_port_init: an active
 *             port with an empty queue (qlimit MACH_PORT_QLIMIT_DEFAULT)
 *             and a fresh machine-unique object id.
 * Conditions: IPC lock held.
 * Returns:    the port with one reference for the caller, or NULL.
 */
struct ipc_port *xs_ipc_port_alloc_object(void)
{
	return xs_ipc_port_alloc_object_into(NULL);
}

/*
 * Routine:    xs_ipc_port_alloc_object_into
 * Purpose:    xs_ipc_port_alloc_object, the port stored at *slot as it
 *             leaves its zone.  Until ipc_port_init sets ip_references, a
 *             port in a slot has none (a reaper frees it as is).
 * Conditions: IPC lock held.
 */
struct ipc_port *xs_ipc_port_alloc_object_into(struct ipc_port **slot)
{
	XS_FUNC_AT(ipc_object_alloc, "osfmk/ipc/ipc_object.c");
	struct ipc_port *port = xs_zalloc_id_into(ZONE_ID_IPC_PORT, slot);	/* io_alloc */

	if (!port)
		return NULL;
	{
		XS_FUNC(ipc_port_init);
		port->ip_active = true;
		port->ip_kotype = IKOT_NONE;
		port->ip_object_id = xs_machine()->m_ipc.next_object_id++;
		xs_ipc_mqueue_init(&port->ip_messages);
		/* Last: a port in a slot with no reference is not initialised yet. */
		port->ip_references = 1;
	}
	return port;
}

void xs_ip_reference(struct ipc_port *port)
{
	if (IP_VALID(port))
		port->ip_references++;
}

void xs_ip_release(struct ipc_port *port)
{
	if (!IP_VALID(port))
		return;
	if (port->ip_references == 0)
		osl_panic("ip_release: port %llu over-released",
			  (unsigned long long)port->ip_object_id);
	if (--port->ip_references > 0)
		return;
	/* Only a dead port can lose its last reference: the receiver holds one. */
	struct ipc_kmsg *kmsg;
	while ((kmsg = xs_ipc_mqueue_dequeue(port)) != NULL)
		xs_ipc_kmsg_destroy(kmsg);
	xs_zfree_id(ZONE_ID_IPC_PORT, port);
}

void xs_ip_release_from(struct ipc_port **slot)
{
	struct xs_redo *r = &xs_machine()->m_ipc.ipc_redo;
	struct ipc_port *port = *slot;
	struct ipc_kmsg *kmsg;

	if (!IP_VALID(port))
		return;
	if (port->ip_references == 0)
		osl_panic("ip_release: port %llu over-released",
			  (unsigned long long)port->ip_object_id);
	if (port->ip_references > 1) {
		xs_redo_begin(r);
		xs_redo_put32(r, &port->ip_references, port->ip_references - 1);
		xs_redo_putptr(r, slot, NULL);
		xs_redo_commit(r);
		return;
	}
	/* The last reference stays counted until the port leaves the slot. */
	while ((kmsg = xs_ipc_mqueue_dequeue(port)) != NULL)
		xs_ipc_kmsg_destroy(kmsg);
	xs_zfree_id_from(ZONE_ID_IPC_PORT, slot, NULL);
}

/*
 * Routine:    xs_ipc_port_destroy
 * Purpose:    Destroy the receive right: see ipc_port.h.
 * Conditions: IPC lock held.  Consumes the receive right's reference.
 */
/* ipc_port_destroy's first half: the port goes inactive and its queue empty. */
static void ipc_port_deactivate(struct ipc_port *port)
{
	struct ipc_kmsg *kmsg;

	if (!port->ip_active)
		return;
	port->ip_active = false;
	port->ip_receiver = NULL;
	port->ip_receiver_name = MACH_PORT_NULL;
	/* Destroying a queued message may destroy further ports it carries. */
	while ((kmsg = xs_ipc_mqueue_dequeue(port)) != NULL)
		xs_ipc_kmsg_destroy(kmsg);
	osl_event_signal(&port->ip_messages.imq_rcv_event, true);
	osl_event_signal(&port->ip_messages.imq_send_event, true);
}

void xs_ipc_port_destroy(struct ipc_port *port)
{
	XS_FUNC(ipc_port_destroy);

	ipc_port_deactivate(port);
	xs_ip_release(port);
}

/*
 * Routine:    xs_ipc_port_destroy_from
 * Purpose:    xs_ipc_port_destroy of the receive right whose reference is
 *             held through *slot; the slot is emptied as the reference goes
 *             (xs_ip_release_from).
 * Conditions: IPC lock held.
 */
void xs_ipc_port_destroy_from(struct ipc_port **slot)
{
	XS_FUNC(ipc_port_destroy);

	ipc_port_deactivate(*slot);
	xs_ip_release_from(slot);
}

struct ipc_port *xs_ipc_port_make_send_locked(struct ipc_port *port)
{
	XS_FUNC(ipc_port_make_send_locked);

	if (!IP_VALID(port))
		return port;
	port->ip_mscount++;
	port->ip_srights++;
	xs_ip_reference(port);
	return port;
}

struct ipc_port *xs_ipc_port_make_sonce_locked(struct ipc_port *port)
{
	XS_FUNC(ipc_port_make_sonce_locked);

	if (!IP_VALID(port))
		return port;
	port->ip_sorights++;
	xs_ip_reference(port);
	return port;
}

struct ipc_port *xs_ipc_port_copy_send_locked(struct ipc_port *port)
{
	XS_FUNC(ipc_port_copy_send_any_locked);

	if (!IP_VALID(port))
		return port;
	if (!port->ip_active)
		return IP_DEAD;
	port->ip_srights++;
	xs_ip_reference(port);
	return port;
}

void xs_ipc_port_release_send_locked(struct ipc_port *port)
{
	XS_FUNC(ipc_port_release_send_and_unlock);

	if (!IP_VALID(port))
		return;
	if (port->ip_srights > 0)
		port->ip_srights--;
	/* No-senders notifications are not modeled (docs/fidelity.md). */
	xs_ip_release(port);
}

void xs_ipc_port_release_sonce_locked(struct ipc_port *port)
{
	XS_FUNC(ipc_port_release_sonce_and_unlock);

	if (!IP_VALID(port))
		return;
	if (port->ip_sorights > 0)
		port->ip_sorights--;
	xs_ip_release(port);
}

/*
 * Routine:    xs_ipc_object_destroy
 * Purpose:    Drop a right the kernel holds (a message being destroyed,
 *             a failed insert).
 * Conditions: IPC lock held.
 */
void xs_ipc_object_destroy(struct ipc_port *port, uint32_t msgt_name)
{
	XS_FUNC_AT(ipc_object_destroy, "osfmk/ipc/ipc_object.c");

	if (!IP_VALID(port))
		return;
	switch (msgt_name) {
	case MACH_MSG_TYPE_PORT_SEND:
		xs_ipc_port_release_send_locked(port);
		break;
	case MACH_MSG_TYPE_PORT_SEND_ONCE:
		/* XNU sends a send-once notification here; not modeled. */
		xs_ipc_port_release_sonce_locked(port);
		break;
	case MACH_MSG_TYPE_PORT_RECEIVE:
		xs_ipc_port_destroy(port);
		break;
	default:
		xs_ip_release(port);
		break;
	}
}

/*
 * Routine:    xs_ipc_port_copyout_send_locked
 * Purpose:    ipc_port_copyout_send: see ipc_port.h.
 * Conditions: IPC lock held.  Consumes the send right.
 */
mach_port_name_t xs_ipc_port_copyout_send_locked(struct ipc_port *sright,
						 struct ipc_space *space)
{
	XS_FUNC(ipc_port_copyout_send);
	mach_port_name_t name = MACH_PORT_NULL;

	if (!sright)
		return MACH_PORT_NULL;
	if (sright == IP_DEAD)
		return MACH_PORT_DEAD;
	(void)xs_ipc_object_copyout(space, sright, MACH_MSG_TYPE_PORT_SEND, &name);
	return name;
}
