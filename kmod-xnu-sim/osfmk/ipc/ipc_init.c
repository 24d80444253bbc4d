/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipc_init.c: bring up Mach IPC at boot: the IPC zones, the machine-wide
 * IPC lock and the host port.  Corresponds to osfmk/ipc/ipc_init.c
 * (ipc_bootstrap, ipc_init).
 */
#include "kmod-xnu-sim/osfmk/ipc/ipc_kmsg.h"
#include "kmod-xnu-sim/osfmk/ipc/ipc_space.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/sync_sema.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"

static struct ipc_globals *ipc_g(void)
{
	return &xs_machine()->m_ipc;
}

lck_mtx_t *xs_ipc_lock_ptr(void)
{
	return &ipc_g()->ipc_lock;
}

/* ipc_lock, finishing an update that a killed holder left half done. */
void xs_ipc_lock(void)
{
	xs_lck_mtx_lock(&ipc_g()->ipc_lock);
	(void)xs_redo_recover(&ipc_g()->ipc_redo);
}

void xs_ipc_unlock(void)
{
	xs_lck_mtx_unlock(&ipc_g()->ipc_lock);
}

/*
 * Routine:    xs_ipc_bootstrap
 * Purpose:    Create the IPC zones (spaces, ports, port sets, kmsgs,
 *             semaphores), the IPC lock and the host port.  Idempotent,
 *             so ipc_task_init of an early kernel_task may call it first.
 * Conditions: Boot, single-threaded.
 */
void xs_ipc_bootstrap(void)
{
	XS_FUNC(ipc_bootstrap);
	struct ipc_globals *g = ipc_g();

	if (g->ipc_booted)
		return;
	xs_zone_create_id(ZONE_ID_IPC_SPACE, "ipc spaces", sizeof(struct ipc_space));
	xs_zone_create_id(ZONE_ID_IPC_PORT, "ipc ports", sizeof(struct ipc_port));
	xs_zone_create_id(ZONE_ID_IPC_PORT_SET, "ipc port sets", sizeof(struct ipc_port));
	xs_zone_create_id(ZONE_ID_IPC_KMSG, "ipc kmsgs", sizeof(struct ipc_kmsg));
	xs_zone_create_id(ZONE_ID_SEMAPHORE, "semaphores", sizeof(struct semaphore));
	xs_lck_mtx_init(&g->ipc_lock);
	xs_lck_mtx_init(&g->clock_lock);
	g->next_object_id = 1;
	g->space_seed = 0x9e3779b9u;
	g->ipc_booted = true;

	xs_ipc_lock();
	g->realhost_port = xs_ipc_kobject_alloc_port(NULL, IKOT_HOST);
	xs_ipc_unlock();
}
