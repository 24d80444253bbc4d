/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sysent.h: the BSD system call table.  Corresponds to bsd/sys/sysent.h;
 * the table itself is generated from tables/bsd-syscalls.tsv into
 * .output/gen/init_sysent.c (scripts/gen_sysent.awk).
 *
 * A handler has XNU's sysent signature: uap points at the 64-bit argument
 * slots (uthread.uu_arg), retval at uu_rval[2]; it returns 0 or an errno
 * (ERESTART, EJUSTRETURN included).
 */
#ifndef XS_SYS_SYSENT_H
#define XS_SYS_SYSENT_H

#include "kmod-xnu-sim/osfmk/kern/kern_types.h"

struct proc;

typedef int32_t sy_call_t(struct proc *p, void *uap, int32_t *retval);

#define _SYSCALL_RET_NONE     0
#define _SYSCALL_RET_INT_T    1
#define _SYSCALL_RET_UINT_T   2
#define _SYSCALL_RET_OFF_T    3
#define _SYSCALL_RET_ADDR_T   4
#define _SYSCALL_RET_SIZE_T   5
#define _SYSCALL_RET_SSIZE_T  6
#define _SYSCALL_RET_UINT64_T 7

/* How the slot is filled in XNU (macOS RELEASE). */
#define XS_SY_IMPLEMENTED 0
#define XS_SY_NOSYS       1
#define XS_SY_ENOSYS      2
#define XS_SY_INDIRECT    3

struct sysent {
	sy_call_t *sy_call;	/* NULL: implemented in XNU, not modeled here */
	int16_t sy_narg;
	int32_t sy_return_type;
	uint16_t sy_arg_bytes;
	uint8_t sy_status;	/* XS_SY_* */
	uint32_t sy_kdebug;	/* BSDDBG_CODE(DBG_BSD_EXCP_SC, n) */
	const char *sy_name;	/* "open", "sys_close", "nosys" */
	const char *sy_munge32;
};

#define XS_NSYSENT 558
#define SYS_invalid 63
#define SYS_syscall 0

extern struct sysent xs_sysent[XS_NSYSENT];

int xs_nosys(struct proc *p, void *uap, int32_t *retval);	/* ENOSYS + SIGSYS */
int xs_enosys(struct proc *p, void *uap, int32_t *retval);	/* ENOSYS */
int xs_unmodeled(struct proc *p, void *uap, int32_t *retval);	/* ENOSYS, see fidelity.md */

#endif /* XS_SYS_SYSENT_H */
