/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipc_globals.h: Mach IPC's machine-wide state (a member of struct
 * xs_machine): the host port, counters, the object id allocator.
 */
#ifndef XS_IPC_IPC_GLOBALS_H
#define XS_IPC_IPC_GLOBALS_H

#include "kmod-xnu-sim/osfmk/kern/kern_types.h"
#include "kmod-xnu-sim/osfmk/kern/locks.h"
#include "kmod-xnu-sim/osfmk/kern/xs_redo.h"
#include "kmod-xnu-sim/osl/osl.h"

struct ipc_port;

struct ipc_globals {
	lck_mtx_t ipc_lock;		/* guards every IPC object (ipc_port.h) */
	struct xs_redo ipc_redo;	/* a killed holder's half-done update (xs_redo.h) */
	struct ipc_port *realhost_port;	/* host_self_trap's port */
	uint64_t next_object_id;	/* ip_object_id, named in probes */
	uint32_t space_seed;		/* free-list shuffling of new spaces */
	bool ipc_booted;

	/* clock.c: mach_wait_until sleeps here; only timeouts and aborts wake it. */
	lck_mtx_t clock_lock;
	struct osl_event clock_event;
};

void xs_ipc_bootstrap(void);	/* zones, host port */

#endif /* XS_IPC_IPC_GLOBALS_H */
