/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipc_host.c: the host port.  Corresponds to osfmk/kern/ipc_host.c; the
 * port itself is made at boot by xs_ipc_bootstrap (ipc_host_init).
 */
#include "kmod-xnu-sim/osfmk/ipc/ipc_space.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "darwin/port.h"

/*
 * Routine:    xs_host_self_trap  [trap -29]
 * Purpose:    mach_host_self(): a send right to the host name port
 *             (IKOT_HOST); repeated calls give the same name.
 * Conditions: Nothing locked.
 * Returns:    the name, or MACH_PORT_NULL.
 */
xs_kern_return_t xs_host_self_trap(void *args)
{
	XS_FUNC(host_self_trap);
	struct ipc_port *host = xs_machine()->m_ipc.realhost_port;
	struct ipc_space *space;
	mach_port_name_t name = MACH_PORT_NULL;

	(void)args;
	xs_ipc_lock();
	space = xs_current_space();
	if (host && space)
		name = xs_ipc_port_copyout_send_locked(xs_ipc_port_make_send_locked(host), space);
	xs_ipc_unlock();
	return (xs_kern_return_t)name;
}
