/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipc_right.c: what a name's rights allow: lookup, dead-name conversion,
 * user-reference arithmetic (deallocate, mod_refs, destruct) and taking a
 * right out of a space for a message (copyin).
 * Corresponds to osfmk/ipc/ipc_right.c.  IPC lock held throughout.
 */
#include "kmod-xnu-sim/osfmk/ipc/ipc_space.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "darwin/mach_msg.h"
#include "darwin/port.h"

xs_kern_return_t xs_ipc_right_lookup_write(struct ipc_space *space, mach_port_name_t name,
					   struct ipc_entry **entryp)
{
	XS_FUNC(ipc_right_lookup_write);
	struct ipc_entry *entry;

	if (space == NULL || !space->is_active)
		return KERN_INVALID_TASK;
	entry = xs_ipc_entry_lookup(space, name);
	if (entry == NULL)
		return KERN_INVALID_NAME;
	*entryp = entry;
	return KERN_SUCCESS;
}

/*
 * Routine:    xs_ipc_right_check
 * Purpose:    XNU turns send rights into dead names lazily: the first
 *             lookup after the receive right died converts the entry,
 *             keeping its user references (a send-once right counts one).
 * Returns:    true if the entry is (now) a dead name.
 */
bool xs_ipc_right_check(struct ipc_space *space, mach_port_name_t name,
			struct ipc_entry *entry)
{
	XS_FUNC(ipc_right_check);
	uint32_t bits = entry->ie_bits;
	struct ipc_port *port = entry->ie_object;

	(void)space; (void)name;
	if (IE_BITS_TYPE(bits) == MACH_PORT_TYPE_DEAD_NAME)
		return true;
	if (!port || port->ip_active || (bits & MACH_PORT_TYPE_RECEIVE))
		return false;
	if (bits & MACH_PORT_TYPE_SEND_ONCE)
		xs_ipc_port_release_sonce_locked(port);
	else
		xs_ipc_port_release_send_locked(port);
	entry->ie_object = NULL;
	entry->ie_bits = IE_BITS_GEN(bits) | MACH_PORT_TYPE_DEAD_NAME |
			 (IE_BITS_UREFS(bits) ? IE_BITS_UREFS(bits) : 1);
	return true;
}

/* The entry lost its last right: free it and its reference on the port. */
static void ipc_right_free_entry(struct ipc_space *space, mach_port_name_t name,
				 struct ipc_entry *entry)
{
	xs_ipc_entry_dealloc(space, name, entry);
}

/* Drop the send right an entry holds (urefs went to 0); keep a receive right. */
static void ipc_right_drop_send(struct ipc_space *space, mach_port_name_t name,
				struct ipc_entry *entry)
{
	struct ipc_port *port = entry->ie_object;

	if (entry->ie_bits & MACH_PORT_TYPE_RECEIVE) {
		port->ip_srights--;
		entry->ie_bits &= ~(MACH_PORT_TYPE_SEND | 0xffffu);
		return;
	}
	xs_ipc_port_release_send_locked(port);	/* right + the entry's reference */
	ipc_right_free_entry(space, name, entry);
}

/*
 * Destroy the receive right an entry holds; remaining send urefs become a
 * dead name.  The entry first loses its type but keeps the port, and the
 * port leaves it only as its reference goes (xs_ipc_port_destroy_from): a
 * process killed on the way leaves ipc_space_terminate a typeless entry
 * holding the port, which it finishes destroying.
 */
static void ipc_right_destroy_receive(struct ipc_space *space, mach_port_name_t name,
				      struct ipc_entry *entry)
{
	struct ipc_port *port = entry->ie_object;
	uint32_t bits = entry->ie_bits;

	if (bits & MACH_PORT_TYPE_SEND)
		port->ip_srights--;
	entry->ie_bits = IE_BITS_GEN(bits);
	xs_ipc_port_destroy_from(&entry->ie_object);	/* consumes the entry's reference */
	if (bits & MACH_PORT_TYPE_SEND)
		entry->ie_bits = IE_BITS_GEN(bits) | MACH_PORT_TYPE_DEAD_NAME |
				 IE_BITS_UREFS(bits);
	else
		ipc_right_free_entry(space, name, entry);
}

xs_kern_return_t xs_ipc_right_dealloc(struct ipc_space *space, mach_port_name_t name,
				      struct ipc_entry *entry)
{
	XS_FUNC(ipc_right_dealloc);
	uint32_t bits;

	xs_ipc_right_check(space, name, entry);
	bits = entry->ie_bits;
	switch (IE_BITS_TYPE(bits)) {
	case MACH_PORT_TYPE_DEAD_NAME:
		if (IE_BITS_UREFS(bits) <= 1)
			ipc_right_free_entry(space, name, entry);
		else
			entry->ie_bits = bits - 1;
		return KERN_SUCCESS;
	case MACH_PORT_TYPE_SEND_ONCE:
		xs_ipc_port_release_sonce_locked(entry->ie_object);
		ipc_right_free_entry(space, name, entry);
		return KERN_SUCCESS;
	case MACH_PORT_TYPE_SEND:
	case MACH_PORT_TYPE_SEND_RECEIVE:
		if (IE_BITS_UREFS(bits) <= 1)
			ipc_right_drop_send(space, name, entry);
		else
			entry->ie_bits = bits - 1;
		return KERN_SUCCESS;
	default:
		return KERN_INVALID_RIGHT;	/* receive only, port set */
	}
}

/* mod_refs on user references of send rights and dead names. */
static xs_kern_return_t ipc_right_delta_urefs(struct ipc_space *space, mach_port_name_t name,
					      struct ipc_entry *entry, mach_port_delta_t delta,
					      bool dead)
{
	uint32_t bits = entry->ie_bits, urefs = IE_BITS_UREFS(bits);
	int64_t n = (int64_t)urefs + delta;

	if (n < 0)
		return KERN_INVALID_VALUE;
	if (n > MACH_PORT_UREFS_MAX)
		return KERN_UREFS_OVERFLOW;
	if (n > 0) {
		entry->ie_bits = (bits & ~0xffffu) | (uint32_t)n;
		return KERN_SUCCESS;
	}
	if (dead)
		ipc_right_free_entry(space, name, entry);
	else if (urefs > 0)
		ipc_right_drop_send(space, name, entry);
	return KERN_SUCCESS;
}

/*
 * Routine:    xs_ipc_right_delta
 * Purpose:    mach_port_mod_refs on one right of an entry.
 * Returns:    KERN_SUCCESS, KERN_INVALID_RIGHT (no such right),
 *             KERN_INVALID_VALUE (bad delta), KERN_UREFS_OVERFLOW.
 */
xs_kern_return_t xs_ipc_right_delta(struct ipc_space *space, mach_port_name_t name,
				    struct ipc_entry *entry, mach_port_right_t right,
				    mach_port_delta_t delta)
{
	XS_FUNC(ipc_right_delta);
	uint32_t bits = entry->ie_bits;

	switch (right) {
	case MACH_PORT_RIGHT_RECEIVE:
		if (!(bits & MACH_PORT_TYPE_RECEIVE))
			return KERN_INVALID_RIGHT;
		if (delta == 0)
			return KERN_SUCCESS;
		if (delta != -1)
			return KERN_INVALID_VALUE;
		/* A guarded receive right only goes through mach_port_destruct. */
		if (((struct ipc_port *)entry->ie_object)->ip_flags & IP_F_GUARDED)
			return KERN_INVALID_RIGHT;
		ipc_right_destroy_receive(space, name, entry);
		return KERN_SUCCESS;
	case MACH_PORT_RIGHT_SEND_ONCE:
		xs_ipc_right_check(space, name, entry);
		if (!(entry->ie_bits & MACH_PORT_TYPE_SEND_ONCE))
			return KERN_INVALID_RIGHT;
		if (delta == 0)
			return KERN_SUCCESS;
		if (delta != -1)
			return KERN_INVALID_VALUE;
		xs_ipc_port_release_sonce_locked(entry->ie_object);
		ipc_right_free_entry(space, name, entry);
		return KERN_SUCCESS;
	case MACH_PORT_RIGHT_DEAD_NAME:
		if (!xs_ipc_right_check(space, name, entry))
			return KERN_INVALID_RIGHT;
		return ipc_right_delta_urefs(space, name, entry, delta, true);
	case MACH_PORT_RIGHT_SEND:
		if (xs_ipc_right_check(space, name, entry) ||
		    !(entry->ie_bits & MACH_PORT_TYPE_SEND)) {
			/* A receive-only name accepts a zero delta on its (absent) send right. */
			if ((entry->ie_bits & MACH_PORT_TYPE_RECEIVE) && delta == 0)
				return KERN_SUCCESS;
			return KERN_INVALID_RIGHT;
		}
		return ipc_right_delta_urefs(space, name, entry, delta, false);
	default:	/* MACH_PORT_RIGHT_PORT_SET: port sets are not modeled */
		return KERN_INVALID_RIGHT;
	}
}

/*
 * Routine:    xs_ipc_right_destruct
 * Purpose:    mach_port_destruct: drop -srdelta send urefs, then destroy
 *             the receive right, checking the guard of a guarded port.
 * Returns:    KERN_SUCCESS, KERN_INVALID_RIGHT, KERN_INVALID_VALUE,
 *             KERN_INVALID_ARGUMENT (wrong guard).
 */
xs_kern_return_t xs_ipc_right_destruct(struct ipc_space *space, mach_port_name_t name,
				       struct ipc_entry *entry, mach_port_delta_t srdelta,
				       uint64_t guard)
{
	XS_FUNC(ipc_right_destruct);
	uint32_t bits = entry->ie_bits, urefs = IE_BITS_UREFS(bits);
	struct ipc_port *port = entry->ie_object;

	if (!(bits & MACH_PORT_TYPE_RECEIVE))
		return KERN_INVALID_RIGHT;
	if (srdelta > 0)
		return KERN_INVALID_VALUE;
	if (srdelta != 0 && !(bits & MACH_PORT_TYPE_SEND))
		return KERN_INVALID_RIGHT;
	if ((int64_t)urefs + srdelta < 0)
		return KERN_INVALID_VALUE;
	/* XNU also raises EXC_GUARD here; the simulator only fails the call. */
	if ((port->ip_flags & IP_F_GUARDED) && port->ip_context != guard)
		return KERN_INVALID_ARGUMENT;
	if (srdelta != 0) {
		urefs += (uint32_t)srdelta;
		entry->ie_bits = (bits & ~0xffffu) | urefs;
		if (urefs == 0) {
			port->ip_srights--;
			entry->ie_bits &= ~MACH_PORT_TYPE_SEND;
		}
	}
	ipc_right_destroy_receive(space, name, entry);
	return KERN_SUCCESS;
}

/*
 * Could name's right be copied in with msgt_name?  Used to make the
 * header's two copyins all-or-nothing.  KERN_SUCCESS, KERN_INVALID_NAME,
 * KERN_INVALID_RIGHT, KERN_INVALID_CAPABILITY (dead name where a live
 * right is needed), KERN_INVALID_VALUE (not a disposition).
 */
xs_kern_return_t xs_ipc_right_copyin_check(struct ipc_space *space, mach_port_name_t name,
					   uint32_t msgt_name, bool allow_dead)
{
	XS_FUNC(ipc_right_copyin_check);
	struct ipc_entry *entry;
	uint32_t bits;
	bool dead;

	if (xs_ipc_right_lookup_write(space, name, &entry) != KERN_SUCCESS)
		return KERN_INVALID_NAME;
	dead = xs_ipc_right_check(space, name, entry);
	bits = entry->ie_bits;
	switch (msgt_name) {
	case MACH_MSG_TYPE_MAKE_SEND:
	case MACH_MSG_TYPE_MAKE_SEND_ONCE:
	case MACH_MSG_TYPE_MOVE_RECEIVE:
		return (bits & MACH_PORT_TYPE_RECEIVE) ? KERN_SUCCESS : KERN_INVALID_RIGHT;
	case MACH_MSG_TYPE_COPY_SEND:
	case MACH_MSG_TYPE_MOVE_SEND:
	case MACH_MSG_TYPE_MOVE_SEND_ONCE:
		if (dead)
			return allow_dead ? KERN_SUCCESS : KERN_INVALID_CAPABILITY;
		if (msgt_name == MACH_MSG_TYPE_MOVE_SEND_ONCE)
			bits &= MACH_PORT_TYPE_SEND_ONCE;
		else
			bits &= MACH_PORT_TYPE_SEND;
		return bits ? KERN_SUCCESS : KERN_INVALID_RIGHT;
	default:
		return KERN_INVALID_VALUE;
	}
}

/* Take one send uref (MOVE_SEND) or the whole send-once right out of an entry. */
static struct ipc_port *ipc_right_copyin_move(struct ipc_space *space, mach_port_name_t name,
					      struct ipc_entry *entry)
{
	struct ipc_port *port = entry->ie_object;
	uint32_t bits = entry->ie_bits;

	if (IE_BITS_UREFS(bits) > 1 && !(bits & MACH_PORT_TYPE_SEND_ONCE)) {
		/* The entry keeps a send right; the message gets another. */
		entry->ie_bits = bits - 1;
		port->ip_srights++;
		xs_ip_reference(port);
		return port;
	}
	if (bits & MACH_PORT_TYPE_RECEIVE) {
		/* The entry keeps its reference for the receive right. */
		entry->ie_bits &= ~(MACH_PORT_TYPE_SEND | 0xffffu);
		xs_ip_reference(port);
		return port;
	}
	ipc_right_free_entry(space, name, entry);	/* the reference moves to the message */
	return port;
}

/*
 * Routine:    xs_ipc_right_copyin
 * Purpose:    See ipc_space.h.  A dead name moved or copied yields IP_DEAD
 *             (moving consumes a uref); making rights needs the receive
 *             right; moving the receive right leaves the port in transit.
 * Conditions: IPC lock held.
 */
xs_kern_return_t xs_ipc_right_copyin(struct ipc_space *space, mach_port_name_t name,
				     uint32_t msgt_name, struct ipc_port **portp)
{
	XS_FUNC(ipc_right_copyin);
	xs_kern_return_t kr = xs_ipc_right_copyin_check(space, name, msgt_name, true);
	struct ipc_entry *entry;
	struct ipc_port *port;

	if (kr != KERN_SUCCESS)
		return kr;
	entry = xs_ipc_entry_lookup(space, name);
	port = entry->ie_object;
	switch (msgt_name) {
	case MACH_MSG_TYPE_MAKE_SEND:
		*portp = xs_ipc_port_make_send_locked(port);
		return KERN_SUCCESS;
	case MACH_MSG_TYPE_MAKE_SEND_ONCE:
		*portp = xs_ipc_port_make_sonce_locked(port);
		return KERN_SUCCESS;
	case MACH_MSG_TYPE_MOVE_RECEIVE:
		if (port->ip_flags & IP_F_GUARDED)
			return KERN_INVALID_RIGHT;	/* guarded receive rights do not move */
		if (entry->ie_bits & MACH_PORT_TYPE_SEND) {
			entry->ie_bits &= ~MACH_PORT_TYPE_RECEIVE;
			xs_ip_reference(port);
		} else {
			ipc_right_free_entry(space, name, entry);
		}
		port->ip_receiver = NULL;
		port->ip_receiver_name = MACH_PORT_NULL;
		/* Receivers blocked on it in this space must notice it left. */
		osl_event_signal(&port->ip_messages.imq_rcv_event, true);
		*portp = port;
		return KERN_SUCCESS;
	default:
		break;
	}
	if (IE_BITS_TYPE(entry->ie_bits) == MACH_PORT_TYPE_DEAD_NAME) {
		if (msgt_name != MACH_MSG_TYPE_COPY_SEND)
			(void)ipc_right_delta_urefs(space, name, entry, -1, true);
		*portp = IP_DEAD;
		return KERN_SUCCESS;
	}
	if (msgt_name == MACH_MSG_TYPE_COPY_SEND) {
		*portp = xs_ipc_port_copy_send_locked(port);
		return KERN_SUCCESS;
	}
	*portp = ipc_right_copyin_move(space, name, entry);
	return KERN_SUCCESS;
}
