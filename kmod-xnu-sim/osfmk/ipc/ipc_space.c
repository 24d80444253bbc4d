/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipc_space.c: IPC spaces, one per task: creation, references and
 * termination (every right in the space destroyed).
 * Corresponds to osfmk/ipc/ipc_space.c.
 */
#include "kmod-xnu-sim/osfmk/ipc/ipc_space.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/task.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#include "darwin/mach_msg.h"
#include "darwin/port.h"

/*
 * Routine:    xs_ipc_space_create
 * Purpose:    A new active space with an empty table (grown on first use).
 * Conditions: IPC lock held.
 * Returns:    the space with one reference for the caller, or NULL.
 */
struct ipc_space *xs_ipc_space_create(struct task *task)
{
	XS_FUNC(ipc_space_create);
	struct ipc_globals *g = &xs_machine()->m_ipc;
	struct ipc_space *space = xs_zalloc_id(ZONE_ID_IPC_SPACE);

	if (!space)
		return NULL;
	space->is_references = 1;
	space->is_active = true;
	space->is_task = task;
	g->space_seed = g->space_seed * 747796405u + 2891336453u;
	space->is_rand = g->space_seed;
	return space;
}

void xs_is_reference(struct ipc_space *space)
{
	space->is_references++;
}

void xs_is_release(struct ipc_space *space)
{
	if (--space->is_references > 0)
		return;
	if (space->is_table)
		xs_kfree(space->is_table, space->is_table_size * sizeof(struct ipc_entry));
	xs_zfree_id(ZONE_ID_IPC_SPACE, space);
}

/* Drop whatever right one entry holds, as if the space let go of it. */
static void ipc_space_clean_entry(struct ipc_entry *entry)
{
	uint32_t bits = entry->ie_bits;
	struct ipc_port *port = entry->ie_object;

	entry->ie_object = NULL;
	entry->ie_bits = IE_BITS_GEN(bits);
	if (!port)
		return;				/* dead name */
	if (IE_BITS_TYPE(bits) == 0) {
		/*
		 * No right, but a port: its process was killed while making or
		 * destroying a receive right (ipc_port_alloc,
		 * ipc_right_destroy_receive).  A port not yet initialised has
		 * no reference and goes straight back to its zone.
		 */
		if (port->ip_references == 0)
			xs_zfree_id(ZONE_ID_IPC_PORT, port);
		else
			xs_ipc_port_destroy(port);
		return;
	}
	if (bits & MACH_PORT_TYPE_SEND_ONCE) {
		xs_ipc_port_release_sonce_locked(port);
		return;
	}
	if (bits & MACH_PORT_TYPE_SEND) {
		/* The send right's uref count is one right; the entry's ref goes below. */
		xs_ip_reference(port);
		xs_ipc_port_release_send_locked(port);
	}
	if (bits & MACH_PORT_TYPE_RECEIVE) {
		port->ip_receiver = NULL;
		port->ip_receiver_name = MACH_PORT_NULL;
		xs_ipc_port_destroy(port);	/* consumes the entry's reference */
	} else {
		xs_ip_release(port);
	}
}

/*
 * Routine:    xs_ipc_space_terminate
 * Purpose:    Mark the space inactive and destroy every right in it.
 *             Receive rights destroy their ports, so senders elsewhere
 *             see dead names and blocked receivers MACH_RCV_PORT_DIED.
 * Conditions: IPC lock held.  The space stays allocated until its last
 *             reference goes (xs_is_release).
 */
void xs_ipc_space_terminate(struct ipc_space *space)
{
	XS_FUNC(ipc_space_terminate);

	if (!space->is_active)
		return;
	space->is_active = false;
	for (uint32_t i = 1; i < space->is_table_size; i++) {
		struct ipc_entry *entry = &space->is_table[i];

		/* A typeless entry holding a port: see ipc_space_clean_entry. */
		if (IE_BITS_TYPE(entry->ie_bits) != 0 || entry->ie_object)
			ipc_space_clean_entry(entry);
	}
}

struct ipc_space *xs_current_space(void)
{
	struct task *task = xs_current_task();

	return task ? task->itk_space : NULL;
}
