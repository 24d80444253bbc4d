/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mach_kernelrpc_vm.c: the VM half of the _kernelrpc_ traps, the fast path
 * libsyscall takes for mach_vm_allocate/deallocate/protect/map on its own
 * task (anything else answers MACH_SEND_INVALID_DEST and libsyscall falls
 * back to MIG).  XNU keeps them with the port traps in
 * osfmk/ipc/mach_kernelrpc.c; they live apart here because the IPC and VM
 * halves have different owners.
 */
#include "kmod-xnu-sim/osfmk/kern/ipc_tt.h"
#include "kmod-xnu-sim/osfmk/kern/task.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/vm/vm_map_internal.h"

#include "darwin/mach_msg.h"

#define XS_KERNELRPC_PATH "osfmk/ipc/mach_kernelrpc.c"

/* The trap's argument slots, as mach_syscall copied them (64 bits each). */
struct _kernelrpc_mach_vm_allocate_trap_args { uint64_t target, addr, size, flags; };
struct _kernelrpc_mach_vm_deallocate_args { uint64_t target, address, size; };
struct _kernelrpc_mach_vm_protect_args {
	uint64_t target, address, size, set_maximum, new_protection;
};
struct _kernelrpc_mach_vm_map_trap_args {
	uint64_t target, addr, size, mask, flags, cur_protection;
};

/*
 * The target must name the caller's own task.  port_name_to_current_task_noref
 * only ever returns the current task or NULL, and XNU compares anyway.
 */
static struct task *kernelrpc_target(uint64_t target)
{
	struct task *task = xs_port_name_to_current_task_noref((mach_port_name_t)target);

	return task && task == xs_current_task() ? task : NULL;
}

/*
 * mach_copyout's result is copyout's errno, which the traps return as is:
 * a caller whose address word became read-only gets EFAULT (14) back as a
 * kern_return_t, with the memory allocated.  That is XNU's behaviour.
 */
static xs_kern_return_t kernelrpc_copyout_addr(mach_vm_address_t addr, uint64_t uaddr)
{
	return osl_copyout(&addr, uaddr, sizeof(addr)) ? EFAULT : KERN_SUCCESS;
}

/*
 * Routine:    xs__kernelrpc_mach_vm_allocate_trap  [trap -10]
 * Purpose:    mach_vm_allocate on the caller's task: read *addr (a fixed
 *             address, ignored with VM_FLAGS_ANYWHERE), allocate, write the
 *             address back.
 * Conditions: Nothing locked.
 * Returns:    KERN_SUCCESS; MACH_SEND_INVALID_DEST (not the caller's task, or
 *             addr unreadable); KERN_INVALID_ARGUMENT, KERN_INVALID_ADDRESS,
 *             KERN_NO_SPACE from mach_vm_allocate; EFAULT (see above).
 */
xs_kern_return_t xs__kernelrpc_mach_vm_allocate_trap(void *args_)
{
	XS_FUNC_AT(_kernelrpc_mach_vm_allocate_trap, XS_KERNELRPC_PATH);
	const struct _kernelrpc_mach_vm_allocate_trap_args *args = args_;
	struct task *task = kernelrpc_target(args->target);
	mach_vm_address_t addr;
	xs_kern_return_t rv;

	if (!task)
		return MACH_SEND_INVALID_DEST;
	if (osl_copyin(args->addr, &addr, sizeof(addr)))
		return MACH_SEND_INVALID_DEST;	/* rv is still its initial value in XNU */
	rv = xs_mach_vm_allocate_external(task->map, &addr, args->size, (int)args->flags);
	if (rv == KERN_SUCCESS)
		rv = kernelrpc_copyout_addr(addr, args->addr);
	return rv;
}

/*
 * Routine:    xs__kernelrpc_mach_vm_deallocate_trap  [trap -12]
 * Purpose:    mach_vm_deallocate on the caller's task.
 * Conditions: Nothing locked.
 * Returns:    KERN_SUCCESS, KERN_INVALID_ARGUMENT, MACH_SEND_INVALID_DEST.
 */
xs_kern_return_t xs__kernelrpc_mach_vm_deallocate_trap(void *args_)
{
	XS_FUNC_AT(_kernelrpc_mach_vm_deallocate_trap, XS_KERNELRPC_PATH);
	const struct _kernelrpc_mach_vm_deallocate_args *args = args_;
	struct task *task = kernelrpc_target(args->target);

	if (!task)
		return MACH_SEND_INVALID_DEST;
	return xs_mach_vm_deallocate(task->map, args->address, args->size);
}

/*
 * Routine:    xs__kernelrpc_mach_vm_protect_trap  [trap -14]
 * Purpose:    mach_vm_protect on the caller's task.
 * Conditions: Nothing locked.
 * Returns:    KERN_SUCCESS, KERN_INVALID_ARGUMENT, KERN_INVALID_ADDRESS,
 *             KERN_PROTECTION_FAILURE, MACH_SEND_INVALID_DEST.
 */
xs_kern_return_t xs__kernelrpc_mach_vm_protect_trap(void *args_)
{
	XS_FUNC_AT(_kernelrpc_mach_vm_protect_trap, XS_KERNELRPC_PATH);
	const struct _kernelrpc_mach_vm_protect_args *args = args_;
	struct task *task = kernelrpc_target(args->target);

	if (!task)
		return MACH_SEND_INVALID_DEST;
	return xs_mach_vm_protect(task->map, args->address, args->size,
				  (uint32_t)args->set_maximum != 0,
				  (vm_prot_t)args->new_protection);
}

/*
 * Routine:    xs__kernelrpc_mach_vm_map_trap  [trap -15]
 * Purpose:    mach_vm_map of anonymous memory (no memory object) on the
 *             caller's task, max protection VM_PROT_ALL, inheritance
 *             VM_INHERIT_DEFAULT.
 * Conditions: Nothing locked.
 * Returns:    As the allocate trap.
 */
xs_kern_return_t xs__kernelrpc_mach_vm_map_trap(void *args_)
{
	XS_FUNC_AT(_kernelrpc_mach_vm_map_trap, XS_KERNELRPC_PATH);
	const struct _kernelrpc_mach_vm_map_trap_args *args = args_;
	struct task *task = kernelrpc_target(args->target);
	mach_vm_address_t addr;
	xs_kern_return_t rv;

	if (!task)
		return MACH_SEND_INVALID_DEST;
	if (osl_copyin(args->addr, &addr, sizeof(addr)))
		return MACH_SEND_INVALID_DEST;
	rv = xs_mach_vm_map_external(task->map, &addr, args->size, args->mask, (int)args->flags,
				     (vm_prot_t)args->cur_protection, VM_PROT_ALL,
				     VM_INHERIT_DEFAULT);
	if (rv == KERN_SUCCESS)
		rv = kernelrpc_copyout_addr(addr, args->addr);
	return rv;
}
