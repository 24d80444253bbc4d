/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * abi/message.h: Mach message layouts as LP64 user space sees them
 * (osfmk/mach/message.h, osfmk/mach/port.h), shared by the kernel core and
 * workloads.  Descriptors are packed to 4 bytes; each keeps its type in the
 * top byte of the u32 at offset 8.  Data only: includes nothing but
 * <stdint.h>.  The IPC engineer extends this file.
 */
#ifndef XNUSIM_ABI_MESSAGE_H
#define XNUSIM_ABI_MESSAGE_H

#include <stdint.h>

struct xnu_mach_msg_header {		/* mach_msg_header_t, 24 bytes */
	uint32_t msgh_bits;
	uint32_t msgh_size;
	uint32_t msgh_remote_port;
	uint32_t msgh_local_port;
	uint32_t msgh_voucher_port;
	int32_t msgh_id;
};

struct xnu_mach_msg_body {		/* mach_msg_body_t */
	uint32_t msgh_descriptor_count;
};

struct xnu_mach_msg_port_descriptor {	/* mach_msg_port_descriptor_t, 12 bytes */
	uint32_t name;
	uint32_t pad1;
	uint32_t pad2 : 16;
	uint32_t disposition : 8;
	uint32_t type : 8;
} __attribute__((packed, aligned(4)));

struct xnu_mach_msg_ool_descriptor {	/* mach_msg_ool_descriptor64_t, 16 bytes */
	uint64_t address;
	uint32_t deallocate : 8;
	uint32_t copy : 8;
	uint32_t pad1 : 8;
	uint32_t type : 8;
	uint32_t size;
} __attribute__((packed, aligned(4)));

struct xnu_mach_msg_trailer {		/* mach_msg_trailer_t */
	uint32_t msgh_trailer_type;
	uint32_t msgh_trailer_size;
};

struct xnu_mach_port_limits {
	uint32_t mpl_qlimit;
};

struct xnu_mach_port_options {		/* mach_port_options_t */
	uint32_t flags;			/* MPO_* */
	struct xnu_mach_port_limits mpl;
	union {
		uint64_t reserved[2];
		uint32_t work_interval_port;
		uint32_t service_port_info;	/* pointer in XNU; unused here */
	};
};

/*
 * mach_msg2_trap (-47) argument packing (osfmk/mach/message.h, mach_msg2()):
 * eight 64-bit arguments, two 32-bit fields per register, low half first:
 *   x0 / rdi  data          the message buffer (header + body), send and receive
 *   x1 / rsi  option64      MACH_SEND_MSG | MACH_RCV_MSG | ... (low 32 bits as
 *                           mach_msg's option) | one call kind: MACH64_SEND_MQ_CALL
 *                           for a port, MACH64_SEND_KOBJECT_CALL for a MIG call to
 *                           the kernel, or MACH64_SEND_ANY (macOS), as mach_msg() sends
 *   x2 / rdx  msgh_bits        | send_size << 32
 *   x3 / r10  msgh_remote_port | msgh_local_port << 32
 *   x4 / r8   msgh_voucher_port| msgh_id << 32
 *   x5 / r9   desc_count       | rcv_name << 32   (desc_count from the body's
 *                                                  msgh_descriptor_count, only for a
 *                                                  complex message being sent, else 0)
 *   x6        rcv_size         | priority << 32
 *   x7        timeout (ms, with MACH_SEND_TIMEOUT / MACH_RCV_TIMEOUT)
 * The kernel builds the header from x2..x4 and copies only the bytes after
 * the header from data.  The received message (msgh_size bytes) is followed
 * by a trailer at round_msg(msgh_size), of the size the MACH_RCV_TRAILER_*
 * bits in option ask for (8 bytes by default).
 */
#define XNU_MACH_MSG2_PACK(lo, hi) (((uint64_t)(uint32_t)(hi) << 32) | (uint32_t)(lo))

struct xnu_mach_msg_body_base {		/* mach_msg_base_t: header + body */
	struct xnu_mach_msg_header header;
	struct xnu_mach_msg_body body;
};

struct xnu_ndr_record {			/* NDR_record_t, 8 bytes */
	uint8_t mig_vers, if_vers, reserved1, mig_encoding;
	uint8_t int_rep, char_rep, float_rep, reserved2;
};

struct xnu_mig_reply_error {		/* mig_reply_error_t, 36 bytes */
	struct xnu_mach_msg_header Head;
	struct xnu_ndr_record NDR;
	int32_t RetCode;
};

struct xnu_mach_msg_max_trailer {	/* mach_msg_max_trailer_t (format 0), 68 bytes */
	uint32_t msgh_trailer_type;
	uint32_t msgh_trailer_size;
	uint32_t msgh_seqno;
	uint32_t msgh_sender[2];	/* security_token_t: uid, gid */
	uint32_t msgh_audit[8];		/* audit_token_t: auid, euid, egid, ruid, rgid, pid, ... */
	uint64_t msgh_context;
	int32_t msgh_ad;
	int32_t msgh_labels;
} __attribute__((packed, aligned(4)));

_Static_assert(sizeof(struct xnu_mach_msg_header) == 24, "mach_msg_header_t");
_Static_assert(sizeof(struct xnu_mig_reply_error) == 36, "mig_reply_error_t");
_Static_assert(sizeof(struct xnu_mach_msg_max_trailer) == 68, "mach_msg_max_trailer_t");
_Static_assert(sizeof(struct xnu_mach_msg_port_descriptor) == 12, "port descriptor");
_Static_assert(sizeof(struct xnu_mach_msg_ool_descriptor) == 16, "ool descriptor");

#endif /* XNUSIM_ABI_MESSAGE_H */
