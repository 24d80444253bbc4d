/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipc_object.c: moving rights from the kernel into a space (copyout), and
 * the kernel type a user disposition turns into.
 * Corresponds to osfmk/ipc/ipc_object.c (ipc_object_copyout,
 * ipc_object_copyin_type) and the copyout half of osfmk/ipc/ipc_right.c.
 */
#include "kmod-xnu-sim/osfmk/ipc/ipc_space.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "darwin/mach_msg.h"
#include "darwin/port.h"

uint32_t xs_ipc_object_copyin_type(uint32_t msgt_name)
{
	switch (msgt_name) {
	case MACH_MSG_TYPE_MOVE_RECEIVE:
		return MACH_MSG_TYPE_PORT_RECEIVE;
	case MACH_MSG_TYPE_MOVE_SEND_ONCE:
	case MACH_MSG_TYPE_MAKE_SEND_ONCE:
		return MACH_MSG_TYPE_PORT_SEND_ONCE;
	case MACH_MSG_TYPE_MOVE_SEND:
	case MACH_MSG_TYPE_MAKE_SEND:
	case MACH_MSG_TYPE_COPY_SEND:
		return MACH_MSG_TYPE_PORT_SEND;
	default:
		return MACH_MSG_TYPE_PORT_NONE;
	}
}

/*
 * Routine:    xs_ipc_right_copyout
 * Purpose:    Merge an incoming right into an existing entry for the same
 *             port (send onto send/receive, receive onto send).  A send
 *             right beyond MACH_PORT_UREFS_MAX is dropped, as XNU pegs urefs.
 * Conditions: IPC lock held.  Consumes the incoming right.
 */
static void xs_ipc_right_copyout(struct ipc_space *space, mach_port_name_t name,
				 struct ipc_entry *entry, struct ipc_port *port,
				 uint32_t msgt_name)
{
	XS_FUNC_AT(ipc_right_copyout, "osfmk/ipc/ipc_right.c");
	uint32_t bits = entry->ie_bits;

	if (msgt_name == MACH_MSG_TYPE_PORT_SEND) {
		if (bits & MACH_PORT_TYPE_SEND) {
			/* The entry already counts as one send right. */
			if (IE_BITS_UREFS(bits) < MACH_PORT_UREFS_MAX)
				entry->ie_bits = bits + 1;
			xs_ipc_port_release_send_locked(port);
		} else {
			entry->ie_bits = (bits | MACH_PORT_TYPE_SEND) + 1;
			xs_ip_release(port);	/* the entry holds its reference */
		}
		return;
	}
	/* MACH_MSG_TYPE_PORT_RECEIVE onto an entry holding send rights. */
	entry->ie_bits = bits | MACH_PORT_TYPE_RECEIVE;
	port->ip_receiver = space;
	port->ip_receiver_name = name;
	xs_ip_release(port);
}

/*
 * Routine:    xs_ipc_object_copyout
 * Purpose:    See ipc_space.h.
 * Conditions: IPC lock held.
 * Returns:    KERN_SUCCESS, KERN_INVALID_TASK, KERN_NO_SPACE.
 */
xs_kern_return_t xs_ipc_object_copyout(struct ipc_space *space, struct ipc_port *port,
				       uint32_t msgt_name, mach_port_name_t *namep)
{
	XS_FUNC(ipc_object_copyout);
	struct ipc_entry *entry;
	mach_port_name_t name;
	xs_kern_return_t kr;

	*namep = MACH_PORT_NULL;
	if (port == NULL)
		return KERN_SUCCESS;
	if (port == IP_DEAD) {
		*namep = MACH_PORT_DEAD;
		return KERN_SUCCESS;
	}
	if (!space->is_active) {
		xs_ipc_object_destroy(port, msgt_name);
		*namep = MACH_PORT_DEAD;
		return KERN_INVALID_TASK;
	}
	if (!port->ip_active && msgt_name != MACH_MSG_TYPE_PORT_RECEIVE) {
		/* A right to a port that died in transit arrives as a dead name. */
		xs_ipc_object_destroy(port, msgt_name);
		*namep = MACH_PORT_DEAD;
		return KERN_SUCCESS;
	}
	if (msgt_name != MACH_MSG_TYPE_PORT_SEND_ONCE) {
		name = xs_ipc_hash_lookup(space, port, &entry);
		if (name != MACH_PORT_NULL) {
			xs_ipc_right_copyout(space, name, entry, port, msgt_name);
			*namep = name;
			return KERN_SUCCESS;
		}
	}
	kr = xs_ipc_entry_alloc(space, &name, &entry);
	if (kr != KERN_SUCCESS) {
		xs_ipc_object_destroy(port, msgt_name);
		*namep = MACH_PORT_DEAD;
		return kr;
	}
	entry->ie_object = port;	/* takes over the right's reference */
	switch (msgt_name) {
	case MACH_MSG_TYPE_PORT_SEND:
		entry->ie_bits |= MACH_PORT_TYPE_SEND | 1;
		break;
	case MACH_MSG_TYPE_PORT_SEND_ONCE:
		entry->ie_bits |= MACH_PORT_TYPE_SEND_ONCE | 1;
		break;
	default:	/* MACH_MSG_TYPE_PORT_RECEIVE */
		entry->ie_bits |= MACH_PORT_TYPE_RECEIVE;
		port->ip_receiver = space;
		port->ip_receiver_name = name;
		break;
	}
	*namep = name;
	return KERN_SUCCESS;
}
