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

_Static_assert(sizeof(struct xnu_mach_msg_header) == 24, "mach_msg_header_t");
_Static_assert(sizeof(struct xnu_mach_msg_port_descriptor) == 12, "port descriptor");
_Static_assert(sizeof(struct xnu_mach_msg_ool_descriptor) == 16, "ool descriptor");

#endif /* XNUSIM_ABI_MESSAGE_H */
