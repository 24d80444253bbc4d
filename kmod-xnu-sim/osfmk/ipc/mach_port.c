/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mach_port.c: the kernel side of the mach_port interface: allocate,
 * deallocate, mod_refs, insert_right, construct, destruct, type and
 * get_refs.  Validates arguments, then calls the rights layer.
 * Corresponds to osfmk/ipc/mach_port.c.
 */
#include "kmod-xnu-sim/osfmk/ipc/ipc_space.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/include/xnusim/abi/message.h"
#include "darwin/mach_msg.h"
#include "darwin/port.h"

/*
 * Routine:    xs_ipc_port_alloc
 * Purpose:    A new port whose receive right lives in space under a fresh
 *             name (plus a send right under the same name when asked).
 *             XNU allocates the port before claiming the entry; here the
 *             entry comes first and the port is born in its ie_object, so
 *             a process killed in between leaves the port to
 *             ipc_space_terminate (an entry with no type yet but an object).
 * Conditions: IPC lock held.
 * Returns:    KERN_SUCCESS, KERN_INVALID_TASK, KERN_NO_SPACE,
 *             KERN_RESOURCE_SHORTAGE.  The port is borrowed (the entry
 *             holds its reference).
 */
xs_kern_return_t xs_ipc_port_alloc(struct ipc_space *space, uint32_t flags,
				   mach_port_name_t *namep, struct ipc_port **portp)
{
	XS_FUNC_AT(ipc_port_alloc, "osfmk/ipc/ipc_port.c");
	struct ipc_entry *entry;
	struct ipc_port *port;
	mach_port_name_t name;
	xs_kern_return_t kr;

	if (!space || !space->is_active)
		return KERN_INVALID_TASK;
	kr = xs_ipc_entry_alloc(space, &name, &entry);
	if (kr != KERN_SUCCESS)
		return kr;
	port = xs_ipc_port_alloc_object_into(&entry->ie_object);
	if (!port) {
		xs_ipc_entry_dealloc(space, name, entry);
		return KERN_RESOURCE_SHORTAGE;
	}
	port->ip_receiver = space;
	port->ip_receiver_name = name;
	entry->ie_bits |= MACH_PORT_TYPE_RECEIVE;	/* the right is whole from here */
	if (flags & IPC_PORT_INIT_MAKE_SEND_RIGHT) {
		entry->ie_bits |= MACH_PORT_TYPE_SEND | 1;
		port->ip_srights++;
		port->ip_mscount++;
	}
	if (flags & IPC_PORT_INIT_REPLY)
		port->ip_flags |= IP_F_REPLY_PORT;
	if (flags & IPC_PORT_INIT_SPECIAL_REPLY)
		port->ip_flags |= IP_F_SPECIAL_REPLY;
	*namep = name;
	if (portp)
		*portp = port;
	return KERN_SUCCESS;
}

static xs_kern_return_t xs_mach_port_allocate_full(struct ipc_space *space,
						   mach_port_right_t right,
						   mach_port_name_t *namep)
{
	XS_FUNC(mach_port_allocate_full);
	struct ipc_entry *entry;
	xs_kern_return_t kr;

	switch (right) {
	case MACH_PORT_RIGHT_RECEIVE:
		return xs_ipc_port_alloc(space, 0, namep, NULL);
	case MACH_PORT_RIGHT_DEAD_NAME: {
		XS_FUNC_AT(ipc_object_alloc_dead, "osfmk/ipc/ipc_object.c");
		kr = xs_ipc_entry_alloc(space, namep, &entry);
		if (kr == KERN_SUCCESS)
			entry->ie_bits |= MACH_PORT_TYPE_DEAD_NAME | 1;
		return kr;
	}
	default:
		return KERN_INVALID_VALUE;
	}
}

/*
 * Routine:    xs_mach_port_allocate
 * Purpose:    A new receive right or dead name under a fresh name.
 * Conditions: IPC lock held.
 * Returns:    KERN_SUCCESS, KERN_INVALID_TASK, KERN_INVALID_VALUE (send,
 *             send-once, unknown right; port sets are not modeled),
 *             KERN_NO_SPACE, KERN_RESOURCE_SHORTAGE.
 */
xs_kern_return_t xs_mach_port_allocate(struct ipc_space *space, mach_port_right_t right,
				       mach_port_name_t *namep)
{
	XS_FUNC(mach_port_allocate);

	if (!space || !space->is_active)
		return KERN_INVALID_TASK;
	return xs_mach_port_allocate_full(space, right, namep);
}

xs_kern_return_t xs_mach_port_deallocate(struct ipc_space *space, mach_port_name_t name)
{
	XS_FUNC(mach_port_deallocate);
	struct ipc_entry *entry;
	xs_kern_return_t kr;

	if (!space)
		return KERN_INVALID_TASK;
	if (!XS_MACH_PORT_VALID(name))
		return KERN_SUCCESS;
	kr = xs_ipc_right_lookup_write(space, name, &entry);
	if (kr != KERN_SUCCESS)
		return kr;
	return xs_ipc_right_dealloc(space, name, entry);
}

xs_kern_return_t xs_mach_port_mod_refs(struct ipc_space *space, mach_port_name_t name,
				       mach_port_right_t right, mach_port_delta_t delta)
{
	XS_FUNC(mach_port_mod_refs);
	struct ipc_entry *entry;
	xs_kern_return_t kr;

	if (!space)
		return KERN_INVALID_TASK;
	if (right >= MACH_PORT_RIGHT_NUMBER)
		return KERN_INVALID_VALUE;
	if (!XS_MACH_PORT_VALID(name)) {
		if (right == MACH_PORT_RIGHT_SEND || right == MACH_PORT_RIGHT_SEND_ONCE)
			return KERN_SUCCESS;
		return KERN_INVALID_NAME;
	}
	kr = xs_ipc_right_lookup_write(space, name, &entry);
	if (kr != KERN_SUCCESS)
		return kr;
	return xs_ipc_right_delta(space, name, entry, right, delta);
}

/* Put the right into the entry for name (ipc_object_copyout_name). */
static xs_kern_return_t xs_ipc_object_copyout_name(struct ipc_space *space,
						   mach_port_name_t name,
						   struct ipc_port *port, uint32_t msgt_name)
{
	XS_FUNC_AT(ipc_object_copyout_name, "osfmk/ipc/ipc_object.c");
	struct ipc_entry *entry, *other;
	mach_port_name_t oname;
	xs_kern_return_t kr;
	uint32_t bits;

	oname = msgt_name == MACH_MSG_TYPE_PORT_SEND_ONCE ? MACH_PORT_NULL :
		xs_ipc_hash_lookup(space, port, &other);
	if (oname != MACH_PORT_NULL && oname != name)
		return KERN_RIGHT_EXISTS;
	kr = xs_ipc_entry_alloc_name(space, name, &entry);
	if (kr != KERN_SUCCESS)
		return kr;
	bits = entry->ie_bits;
	if (IE_BITS_TYPE(bits) != 0) {
		/* Only a send right may join the same port's entry. */
		if (entry->ie_object != port || msgt_name != MACH_MSG_TYPE_PORT_SEND)
			return KERN_NAME_EXISTS;
		if ((bits & MACH_PORT_TYPE_SEND) && IE_BITS_UREFS(bits) >= MACH_PORT_UREFS_MAX)
			return KERN_UREFS_OVERFLOW;
		if (bits & MACH_PORT_TYPE_SEND) {
			entry->ie_bits = bits + 1;
			xs_ipc_port_release_send_locked(port);
		} else {
			entry->ie_bits = (bits | MACH_PORT_TYPE_SEND) + 1;
			xs_ip_release(port);
		}
		return KERN_SUCCESS;
	}
	entry->ie_object = port;
	if (msgt_name == MACH_MSG_TYPE_PORT_SEND) {
		entry->ie_bits |= MACH_PORT_TYPE_SEND | 1;
	} else if (msgt_name == MACH_MSG_TYPE_PORT_SEND_ONCE) {
		entry->ie_bits |= MACH_PORT_TYPE_SEND_ONCE | 1;
	} else {
		entry->ie_bits |= MACH_PORT_TYPE_RECEIVE;
		port->ip_receiver = space;
		port->ip_receiver_name = name;
	}
	return KERN_SUCCESS;
}

/*
 * Routine:    xs_mach_port_insert_right
 * Purpose:    Give space the right port/msgt_name (consumed on success)
 *             under the caller's chosen name.
 * Conditions: IPC lock held.
 * Returns:    KERN_SUCCESS, KERN_INVALID_VALUE (bad name or type),
 *             KERN_INVALID_CAPABILITY (dead/null port), KERN_NAME_EXISTS,
 *             KERN_RIGHT_EXISTS (port already named otherwise),
 *             KERN_UREFS_OVERFLOW, KERN_NO_SPACE.
 */
xs_kern_return_t xs_mach_port_insert_right(struct ipc_space *space, mach_port_name_t name,
					   struct ipc_port *port, uint32_t msgt_name)
{
	XS_FUNC(mach_port_insert_right);

	if (!space || !space->is_active)
		return KERN_INVALID_TASK;
	if (!XS_MACH_PORT_VALID(name) || msgt_name < MACH_MSG_TYPE_PORT_RECEIVE ||
	    msgt_name > MACH_MSG_TYPE_PORT_SEND_ONCE)
		return KERN_INVALID_VALUE;
	if (!IP_VALID(port) || !port->ip_active)
		return KERN_INVALID_CAPABILITY;
	return xs_ipc_object_copyout_name(space, name, port, msgt_name);
}

/*
 * Routine:    xs_mach_port_construct
 * Purpose:    A receive right with options: MPO_INSERT_SEND_RIGHT (send
 *             right under the same name), MPO_QLIMIT (mpl_qlimit <=
 *             MACH_PORT_QLIMIT_MAX), MPO_CONTEXT_AS_GUARD (+MPO_STRICT:
 *             context becomes the guard), MPO_REPLY_PORT.  Other flags are
 *             accepted and ignored.
 * Returns:    KERN_SUCCESS, KERN_INVALID_TASK, KERN_INVALID_VALUE,
 *             KERN_NO_SPACE, KERN_RESOURCE_SHORTAGE.
 */
xs_kern_return_t xs_mach_port_construct(struct ipc_space *space,
					const struct xnu_mach_port_options *options,
					uint64_t context, mach_port_name_t *namep)
{
	XS_FUNC(mach_port_construct);
	uint32_t init = 0, flags = options->flags;
	struct ipc_port *port;
	xs_kern_return_t kr;

	if (!space || !space->is_active)
		return KERN_INVALID_TASK;
	if ((flags & MPO_QLIMIT) && options->mpl.mpl_qlimit > MACH_PORT_QLIMIT_MAX)
		return KERN_INVALID_VALUE;
	if (flags & MPO_INSERT_SEND_RIGHT)
		init |= IPC_PORT_INIT_MAKE_SEND_RIGHT;
	if (flags & MPO_REPLY_PORT)
		init |= IPC_PORT_INIT_REPLY;
	kr = xs_ipc_port_alloc(space, init, namep, &port);
	if (kr != KERN_SUCCESS)
		return kr;
	if (flags & MPO_QLIMIT)
		port->ip_messages.imq_qlimit = options->mpl.mpl_qlimit;
	port->ip_context = context;
	if (flags & MPO_CONTEXT_AS_GUARD) {
		port->ip_flags |= IP_F_GUARDED;
		if (flags & MPO_STRICT)
			port->ip_flags |= IP_F_STRICT_GUARD;
	}
	return KERN_SUCCESS;
}

xs_kern_return_t xs_mach_port_destruct(struct ipc_space *space, mach_port_name_t name,
				       mach_port_delta_t srdelta, uint64_t guard)
{
	XS_FUNC(mach_port_destruct);
	struct ipc_entry *entry;
	xs_kern_return_t kr;

	if (!space)
		return KERN_INVALID_TASK;
	if (!XS_MACH_PORT_VALID(name))
		return KERN_INVALID_NAME;
	kr = xs_ipc_right_lookup_write(space, name, &entry);
	if (kr != KERN_SUCCESS)
		return kr;
	return xs_ipc_right_destruct(space, name, entry, srdelta, guard);
}

xs_kern_return_t xs_mach_port_type(struct ipc_space *space, mach_port_name_t name,
				   uint32_t *typep)
{
	XS_FUNC(mach_port_type);
	struct ipc_entry *entry;
	xs_kern_return_t kr;

	if (!space)
		return KERN_INVALID_TASK;
	if (name == MACH_PORT_NULL)
		return KERN_INVALID_NAME;
	if (name == MACH_PORT_DEAD) {
		*typep = MACH_PORT_TYPE_DEAD_NAME;
		return KERN_SUCCESS;
	}
	kr = xs_ipc_right_lookup_write(space, name, &entry);
	if (kr != KERN_SUCCESS)
		return kr;
	xs_ipc_right_check(space, name, entry);
	*typep = IE_BITS_TYPE(entry->ie_bits);
	return KERN_SUCCESS;
}

xs_kern_return_t xs_mach_port_get_refs(struct ipc_space *space, mach_port_name_t name,
				       mach_port_right_t right, uint32_t *refsp)
{
	XS_FUNC(mach_port_get_refs);
	struct ipc_entry *entry;
	xs_kern_return_t kr;
	uint32_t bits;

	if (!space)
		return KERN_INVALID_TASK;
	if (right >= MACH_PORT_RIGHT_NUMBER)
		return KERN_INVALID_VALUE;
	kr = xs_ipc_right_lookup_write(space, name, &entry);
	if (kr != KERN_SUCCESS)
		return kr;
	xs_ipc_right_check(space, name, entry);
	bits = entry->ie_bits;
	*refsp = 0;
	switch (right) {
	case MACH_PORT_RIGHT_SEND:
		if (bits & MACH_PORT_TYPE_SEND)
			*refsp = IE_BITS_UREFS(bits);
		break;
	case MACH_PORT_RIGHT_DEAD_NAME:
		if (bits & MACH_PORT_TYPE_DEAD_NAME)
			*refsp = IE_BITS_UREFS(bits);
		break;
	case MACH_PORT_RIGHT_RECEIVE:
		*refsp = (bits & MACH_PORT_TYPE_RECEIVE) ? 1 : 0;
		break;
	case MACH_PORT_RIGHT_SEND_ONCE:
		*refsp = (bits & MACH_PORT_TYPE_SEND_ONCE) ? 1 : 0;
		break;
	default:
		break;
	}
	return KERN_SUCCESS;
}
