/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * decode.h: Darwin values by name, for live output (xnutrace trace) and
 * reports.  Names come from tables generated at build time from
 * kmod-xnu-sim/tables/constants.tsv (errno, signals, kern_return_t and
 * mach_msg/MIG returns, open/mmap/prot flags, Mach port rights and
 * dispositions, mach_msg/mach_msg2 options) and from the simulator's
 * dispatch tables (syscall and trap names): nothing is hand-copied.
 *
 * Stateless.  Name getters return static strings or NULL when the value has
 * no name.  Formatters write a NUL-terminated string into buf (truncated to
 * len) and return the length they wanted, like snprintf.
 */
#ifndef XT_COLLECTOR_DECODE_H
#define XT_COLLECTOR_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "bpf/xnutrace.h"

const char *xt_decode_errno_name(int err);		/* 2 -> "ENOENT", -1 -> "ERESTART" */
const char *xt_decode_signal_name(int sig);		/* 20 -> "SIGCHLD" */
const char *xt_decode_kern_return_name(int kr);	/* 15 -> "KERN_INVALID_NAME" */
/* "open", "close" (XNU's sys_ prefix dropped), "mach_msg2_trap"; NULL if unknown. */
const char *xt_decode_syscall_name(int family, int number);
/* Number of arguments the call takes (its table row), or -1. */
int xt_decode_syscall_nargs(int family, int number);

/* mach_port_right_t: 1 -> "MACH_PORT_RIGHT_RECEIVE"; NULL for an invalid right. */
const char *xt_decode_port_right_name(int right);
/* mach_msg_type_name_t (a port disposition): 20 -> "MACH_MSG_TYPE_MAKE_SEND". */
const char *xt_decode_msg_type_name(uint32_t disposition);

enum xt_flag_kind {
	XT_FLAGS_OPEN,		/* O_RDWR|O_CREAT|O_TRUNC */
	XT_FLAGS_PROT,		/* PROT_READ|PROT_WRITE, PROT_NONE */
	XT_FLAGS_MMAP,		/* MAP_PRIVATE|MAP_ANON */
	/* mach_msg_option_t, low bit first; the trailer request (bits 24-27) as
	 * MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT); 0 -> MACH_MSG_OPTION_NONE */
	XT_FLAGS_MACH_MSG,
	XT_FLAGS_MACH_MSG2,	/* mach_msg2's mach_msg_option64_t: MACH64_SEND_MSG|MACH64_SEND_KOBJECT_CALL */
};
/* Unknown bits are appended in hex ("O_RDONLY|0x4000000000",
 * "MACH_SEND_MSG|MACH_RCV_MSG|0x40000000"). */
int xt_decode_flags(char *buf, size_t len, enum xt_flag_kind kind, uint64_t value);

/*
 * The arguments of a syscall entry event, strace-style:
 * open  -> "\"/tmp/x\", O_RDWR|O_CREAT, 0644"
 * mmap  -> "0x0, 16384, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANON, ..."
 * _kernelrpc_mach_port_insert_right_trap -> "0x103, 0x903, 0x903, MACH_MSG_TYPE_MAKE_SEND"
 * Port rights, dispositions and mach_msg/mach_msg2 options by name; a value
 * with no name is printed as a number.
 * Paths come from ev->str, or from path (the return event's copy) when the
 * entry could not read it; NULL for none.  Events carry four arguments:
 * further ones show as "...".
 */
int xt_decode_args(char *buf, size_t len, const struct xt_event *entry, const char *path);

/*
 * A result:  BSD "3", "0x200000000000" (mmap), "-1 ENOENT";
 * Mach "KERN_SUCCESS", "KERN_INVALID_NAME (0xf)", "0x103" (traps returning a
 * port name: mach_reply_port, task_self_trap, ...).
 */
int xt_decode_result(char *buf, size_t len, int family, int number, int64_t retval,
		     int32_t error);
/* Mach traps whose result is a port name rather than a kern_return_t. */
int xt_decode_returns_port(int family, int number);

#endif /* XT_COLLECTOR_DECODE_H */
