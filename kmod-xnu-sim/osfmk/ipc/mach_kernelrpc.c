/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mach_kernelrpc.c: the port traps that short-cut MIG calls on the
 * caller's own task: allocate, deallocate, mod_refs, insert_right,
 * construct, destruct.  Corresponds to osfmk/ipc/mach_kernelrpc.c (the VM
 * _kernelrpc traps are in mach_kernelrpc_vm.c).
 *
 * As in XNU, a target that is not a send right to the caller's own task
 * port gives MACH_SEND_INVALID_DEST (libsyscall then falls back to the MIG
 * message), and a faulting user pointer returns copyin/copyout's error,
 * EFAULT (14), as the kern_return_t.  Arguments are 64-bit slots.
 */
#include "kmod-xnu-sim/osfmk/ipc/ipc_space.h"
#include "kmod-xnu-sim/osfmk/kern/ipc_tt.h"
#include "kmod-xnu-sim/osfmk/kern/task.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/include/xnusim/abi/message.h"
#include "darwin/mach_msg.h"
#include "darwin/port.h"

/* mach_copyout: copyout's errno as the result (XNU returns it unchanged). */
static xs_kern_return_t mach_copyout(const void *k, uint64_t uaddr, size_t len)
{
	return osl_copyout(k, uaddr, len) ? EFAULT : KERN_SUCCESS;
}

static struct ipc_space *target_space(uint64_t target)
{
	struct task *task = xs_port_name_to_current_task_noref((mach_port_name_t)target);

	return task ? task->itk_space : NULL;
}

/*
 * Routine:    xs__kernelrpc_mach_port_allocate_trap  [trap -16]
 * Purpose:    mach_port_allocate(target, right, &name).
 * Conditions: Nothing locked.  args: target, right, name (user pointer).
 * Returns:    MACH_SEND_INVALID_DEST, mach_port_allocate's codes, EFAULT
 *             (the right stays allocated, as in XNU).
 */
xs_kern_return_t xs__kernelrpc_mach_port_allocate_trap(void *args)
{
	XS_FUNC(_kernelrpc_mach_port_allocate_trap);
	const uint64_t *a = args;
	struct ipc_space *space = target_space(a[0]);
	mach_port_name_t name = MACH_PORT_NULL;
	xs_kern_return_t kr;

	if (!space)
		return MACH_SEND_INVALID_DEST;
	xs_ipc_lock();
	kr = xs_mach_port_allocate(space, (mach_port_right_t)a[1], &name);
	xs_ipc_unlock();
	if (kr == KERN_SUCCESS)
		kr = mach_copyout(&name, a[2], sizeof(name));
	return kr;
}

/*
 * Routine:    xs__kernelrpc_mach_port_deallocate_trap  [trap -18]
 * Purpose:    Drop one user reference (see mach_port_deallocate).
 * Returns:    MACH_SEND_INVALID_DEST, KERN_SUCCESS, KERN_INVALID_NAME,
 *             KERN_INVALID_RIGHT.
 */
xs_kern_return_t xs__kernelrpc_mach_port_deallocate_trap(void *args)
{
	XS_FUNC(_kernelrpc_mach_port_deallocate_trap);
	const uint64_t *a = args;
	struct ipc_space *space = target_space(a[0]);
	xs_kern_return_t kr;

	if (!space)
		return MACH_SEND_INVALID_DEST;
	xs_ipc_lock();
	kr = xs_mach_port_deallocate(space, (mach_port_name_t)a[1]);
	xs_ipc_unlock();
	return kr;
}

/*
 * Routine:    xs__kernelrpc_mach_port_mod_refs_trap  [trap -19]
 * Purpose:    Add delta user references of right to name.
 * Returns:    MACH_SEND_INVALID_DEST, KERN_SUCCESS, KERN_INVALID_NAME,
 *             KERN_INVALID_RIGHT, KERN_INVALID_VALUE, KERN_UREFS_OVERFLOW.
 */
xs_kern_return_t xs__kernelrpc_mach_port_mod_refs_trap(void *args)
{
	XS_FUNC(_kernelrpc_mach_port_mod_refs_trap);
	const uint64_t *a = args;
	struct ipc_space *space = target_space(a[0]);
	xs_kern_return_t kr;

	if (!space)
		return MACH_SEND_INVALID_DEST;
	xs_ipc_lock();
	kr = xs_mach_port_mod_refs(space, (mach_port_name_t)a[1], (mach_port_right_t)a[2],
				   (mach_port_delta_t)a[3]);
	xs_ipc_unlock();
	return kr;
}

/*
 * Routine:    xs__kernelrpc_mach_port_insert_right_trap  [trap -21]
 * Purpose:    Copy in poly with disposition polyPoly, then insert it
 *             under name (mach_port_insert_right).
 * Returns:    MACH_SEND_INVALID_DEST, KERN_INVALID_NAME / INVALID_RIGHT /
 *             INVALID_VALUE (copyin), mach_port_insert_right's codes.
 */
xs_kern_return_t xs__kernelrpc_mach_port_insert_right_trap(void *args)
{
	XS_FUNC(_kernelrpc_mach_port_insert_right_trap);
	const uint64_t *a = args;
	struct ipc_space *space = target_space(a[0]);
	mach_port_name_t name = (mach_port_name_t)a[1], poly = (mach_port_name_t)a[2];
	uint32_t disp = (uint32_t)a[3], msgt;
	struct ipc_port *port = NULL;
	xs_kern_return_t kr;

	if (!space)
		return MACH_SEND_INVALID_DEST;
	msgt = xs_ipc_object_copyin_type(disp);
	if (msgt == MACH_MSG_TYPE_PORT_NONE)
		return KERN_INVALID_VALUE;
	xs_ipc_lock();
	if (XS_MACH_PORT_VALID(poly))
		kr = xs_ipc_right_copyin(space, poly, disp, &port);	/* ipc_object_copyin */
	else
		kr = KERN_INVALID_CAPABILITY;
	if (kr == KERN_SUCCESS) {
		kr = xs_mach_port_insert_right(space, name, port, msgt);
		if (kr != KERN_SUCCESS)
			xs_ipc_object_destroy(port, msgt);
	}
	xs_ipc_unlock();
	return kr;
}

/*
 * Routine:    xs__kernelrpc_mach_port_construct_trap  [trap -24]
 * Purpose:    mach_port_construct with options copied in from user space.
 * Conditions: args: target, options (user pointer), context, name (user pointer).
 * Returns:    MACH_SEND_INVALID_DEST, EFAULT, mach_port_construct's codes.
 */
xs_kern_return_t xs__kernelrpc_mach_port_construct_trap(void *args)
{
	XS_FUNC(_kernelrpc_mach_port_construct_trap);
	const uint64_t *a = args;
	struct ipc_space *space = target_space(a[0]);
	struct xnu_mach_port_options options;
	mach_port_name_t name = MACH_PORT_NULL;
	xs_kern_return_t kr;

	if (!space)
		return MACH_SEND_INVALID_DEST;
	if (osl_copyin(a[1], &options, sizeof(options)))
		return EFAULT;
	xs_ipc_lock();
	kr = xs_mach_port_construct(space, &options, a[2], &name);
	xs_ipc_unlock();
	if (kr == KERN_SUCCESS)
		kr = mach_copyout(&name, a[3], sizeof(name));
	return kr;
}

/*
 * Routine:    xs__kernelrpc_mach_port_destruct_trap  [trap -25]
 * Purpose:    Drop -srdelta send urefs and destroy the receive right,
 *             checking the guard (mach_port_destruct).
 * Returns:    MACH_SEND_INVALID_DEST, mach_port_destruct's codes.
 */
xs_kern_return_t xs__kernelrpc_mach_port_destruct_trap(void *args)
{
	XS_FUNC(_kernelrpc_mach_port_destruct_trap);
	const uint64_t *a = args;
	struct ipc_space *space = target_space(a[0]);
	xs_kern_return_t kr;

	if (!space)
		return MACH_SEND_INVALID_DEST;
	xs_ipc_lock();
	kr = xs_mach_port_destruct(space, (mach_port_name_t)a[1], (mach_port_delta_t)a[2], a[3]);
	xs_ipc_unlock();
	return kr;
}
