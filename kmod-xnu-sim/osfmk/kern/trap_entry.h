/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * trap_entry.h: where a trap enters the core.  The platform layer calls
 * these with the saved state of the trapping thread (libsyscall fills it in
 * the user-space build; the ioctl copies it in the kernel module).
 */
#ifndef XS_KERN_TRAP_ENTRY_H
#define XS_KERN_TRAP_ENTRY_H

#include "kmod-xnu-sim/osfmk/mach/thread_status.h"

/* arm64: el0 synchronous exception; esr carries the class (ESR_EC_SVC_64). */
void xs_sleh_synchronous(struct arm_saved_state64 *state, uint32_t esr);
/* x86_64: the syscall instruction's entry (hndl_syscall). */
void xs_hndl_syscall(struct x86_saved_state64 *state);

/*
 * The platform's trap instruction (osl/user: a call; osl/linux: an ioctl).
 * Binds a simulated thread to the calling host thread if it has none, runs
 * the front-end of the machine's architecture, and returns with the state
 * updated as user space sees it after the trap.
 */
void osl_trap_enter_arm64(struct arm_saved_state64 *state);
void osl_trap_enter_x86_64(struct x86_saved_state64 *state);

/*
 * The user register state of the trap a thread is in (XNU: get_user_regs /
 * find_user_regs).  The front-ends record it in thread.machine_upcb for the
 * length of the trap; NULL (and *arch 0) outside one.  Process-private: only
 * meaningful in the thread's own host process.
 */
struct thread;
void *xs_get_user_regs(struct thread *th, uint32_t *arch);

/*
 * osfmk/arm64/status.c thread_set_child / thread_set_parent: the BSD return
 * registers of fork.  Child: x0 (rax) = pid, x1 (rdx) = 1; parent: x0 = pid,
 * x1 = 0; carry cleared.  No-op when th is not in a trap.
 */
void xs_thread_set_child(struct thread *th, int pid);
void xs_thread_set_parent(struct thread *th, int pid);

#endif /* XS_KERN_TRAP_ENTRY_H */
