/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * x86_64_internal.h: the functions the x86_64 trap front-end files call in
 * each other (idt64.c, bsd_i386.c, and bsd/dev/i386/systemcalls.c).
 * Private to the x86_64 front-end.
 */
#ifndef XS_X86_64_X86_64_INTERNAL_H
#define XS_X86_64_X86_64_INTERNAL_H

#include "kmod-xnu-sim/osfmk/mach/thread_status.h"

/* Class dispatchers (idt64.s hndl_*_scall64 -> C). */
void xs_mach_call_munger64(struct x86_saved_state64 *state);
void xs_unix_syscall64(struct x86_saved_state64 *state);
void xs_machdep_syscall64(struct x86_saved_state64 *state);
int xs_diagCall64(struct x86_saved_state64 *state);

/* osfmk/i386/trap.c: raise a Mach exception from a trap. */
void xs_i386_exception(int exc, int64_t code, int64_t subcode);

#endif /* XS_X86_64_X86_64_INTERNAL_H */
