/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ulock_ops.h: the operation word of __ulock_wait / __ulock_wake (BSD 515 /
 * 516) and os_unfair_lock's owner-word bit, Darwin's values from
 * bsd/sys/ulock.h.  Values only, no includes: the kernel (bsd/sys/ulock.h)
 * and workloads (xnusim/ulock.h) share it.
 */
#ifndef XNUSIM_ULOCK_OPS_H
#define XNUSIM_ULOCK_OPS_H

/* operation: the opcode in the low byte ... */
#define UL_COMPARE_AND_WAIT          1
#define UL_UNFAIR_LOCK               2
#define UL_COMPARE_AND_WAIT_SHARED   3
#define UL_UNFAIR_LOCK64_SHARED      4
#define UL_COMPARE_AND_WAIT64        5
#define UL_COMPARE_AND_WAIT64_SHARED 6

/* ... and flags above it. */
#define ULF_WAKE_ALL                   0x00000100
#define ULF_WAKE_THREAD                0x00000200
#define ULF_WAKE_ALLOW_NON_OWNER       0x00000400
#define ULF_WAIT_WORKQ_DATA_CONTENTION 0x00010000
#define ULF_WAIT_CANCEL_POINT          0x00020000
#define ULF_WAIT_ADAPTIVE_SPIN         0x00040000
#define ULF_NO_ERRNO                   0x01000000

/*
 * os_unfair_lock's owner word: the owner's thread port name with the low
 * bit cleared while there are waiters (ulock_owner_value_to_port_name).
 */
#define ULOCK_NOWAITERS_BIT 0x00000001u

#endif /* XNUSIM_ULOCK_OPS_H */
