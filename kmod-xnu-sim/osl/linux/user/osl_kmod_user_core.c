/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * osl_kmod_user_core.c: the core-side half of the user-space backend over
 * xnusim.ko, compiled like libsyscall (freestanding, core headers).
 * libsyscall asks osl_machine() which architecture to fill a saved state
 * for; with the kernel in the module the process holds no machine, so it
 * gets a stand-in that carries only m_arch.  Platform layer: the user side
 * of the trap instruction (libsyscall/custom/SYS.h).
 */
#include "kmod-xnu-sim/osfmk/kern/machine.h"

/* User-space memory, never the kernel's: only m_arch is ever read. */
static struct xs_machine kmod_machine_view;

struct xs_machine *osl_machine(void)
{
	return kmod_machine_view.m_arch ? &kmod_machine_view : (struct xs_machine *)0;
}

void osl_kmod_user_set_arch(int arch);
void osl_kmod_user_set_arch(int arch)
{
	kmod_machine_view.m_arch = (uint32_t)arch;
}

/*
 * The generated sysent table (linked for sy_narg, which xnu_syscall reads)
 * names these two; the kernel's copies are in the module.  Never called.
 */
int xs_nosys(struct proc *p, void *uap, int32_t *retval);
int xs_enosys(struct proc *p, void *uap, int32_t *retval);
int xs_nosys(struct proc *p, void *uap, int32_t *retval)
{
	return ENOSYS;
}

int xs_enosys(struct proc *p, void *uap, int32_t *retval)
{
	return ENOSYS;
}
