/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipc_space.h: IPC spaces, their entry tables and the rights logic on top.
 * Corresponds to osfmk/ipc/ipc_space.h, ipc_entry.h, ipc_right.h and the
 * kernel side of osfmk/mach/mach_port.defs (osfmk/ipc/mach_port.c).
 *
 * A name is index << 8 | generation (MACH_PORT_MAKE).  Entry 0 is never
 * handed out; it anchors the free list.  ie_bits holds the generation in
 * bits 24-31, the right types (MACH_PORT_TYPE_*) in bits 16-20 and the
 * user reference count in bits 0-15, as XNU's ipc_entry does.
 * Every function here expects the IPC lock held (ipc_port.h).
 */
#ifndef XS_IPC_IPC_SPACE_H
#define XS_IPC_IPC_SPACE_H

#include "kmod-xnu-sim/osfmk/ipc/ipc_port.h"

struct task;

struct ipc_entry {
	struct ipc_port *ie_object;	/* NULL for dead names and free entries */
	uint32_t ie_bits;		/* gen | type | urefs */
	uint32_t ie_next;		/* free list: next free index, 0 ends it */
};

#define IE_BITS_UREFS(b)  ((b) & 0x0000ffffu)
#define IE_BITS_TYPE(b)   ((b) & 0x001f0000u)
#define IE_BITS_GEN(b)    ((b) & 0xff000000u)
#define IE_BITS_GEN_INCR  0x04000000u
#define XS_PORT_INDEX(n)  ((n) >> 8)
#define XS_PORT_GEN(n)    (((n) & 0xffu) << 24)
#define XS_PORT_MAKE(i, gen) (((i) << 8) | ((gen) >> 24))

#define XS_IPC_TABLE_MAX  65536u	/* entries per space: KERN_NO_SPACE past it */

struct ipc_space {
	uint32_t is_references;
	bool is_active;
	struct task *is_task;
	struct ipc_entry *is_table;	/* kalloc'd array, is_table_size entries */
	uint32_t is_table_size;
	uint32_t is_table_free;
	uint32_t is_free_head;		/* first free index, 0 when full */
	uint32_t is_rand;		/* free-list shuffling seed */
};

/* ---- spaces (ipc_space.c) ------------------------------------------------ */

/* ipc_space_create: an empty active space with one reference; NULL on shortage. */
struct ipc_space *xs_ipc_space_create(struct task *task);
void xs_is_reference(struct ipc_space *space);
void xs_is_release(struct ipc_space *space);
/*
 * ipc_space_terminate: destroy every right in the space (receive rights
 * destroy their ports) and mark it inactive.  IPC lock held.
 */
void xs_ipc_space_terminate(struct ipc_space *space);
/* The current task's space, or NULL. */
struct ipc_space *xs_current_space(void);

/* ---- entries (ipc_entry.c) ----------------------------------------------- */

/* The entry a name denotes, or NULL (bad index, stale generation, free). */
struct ipc_entry *xs_ipc_entry_lookup(struct ipc_space *space, mach_port_name_t name);
/*
 * ipc_entry_alloc / ipc_entry_claim: a fresh entry (type bits clear, urefs
 * 0, generation advanced), growing the table when needed.
 * KERN_SUCCESS or KERN_NO_SPACE.
 */
xs_kern_return_t xs_ipc_entry_alloc(struct ipc_space *space, mach_port_name_t *namep,
				    struct ipc_entry **entryp);
/*
 * ipc_entry_alloc_name: the entry for a caller-chosen name.  *entryp may
 * already be in use (the caller checks its bits).  KERN_SUCCESS,
 * KERN_NAME_EXISTS (index in use under another generation),
 * KERN_INVALID_VALUE (index 0), KERN_NO_SPACE.
 */
xs_kern_return_t xs_ipc_entry_alloc_name(struct ipc_space *space, mach_port_name_t name,
					 struct ipc_entry **entryp);
/* ipc_entry_dealloc: return an entry to the free list (object already dropped). */
void xs_ipc_entry_dealloc(struct ipc_space *space, mach_port_name_t name,
			  struct ipc_entry *entry);
/* The space's name for port (any right), or 0 (ipc_hash_lookup). */
mach_port_name_t xs_ipc_hash_lookup(struct ipc_space *space, struct ipc_port *port,
				    struct ipc_entry **entryp);

/* ---- rights (ipc_right.c) ------------------------------------------------ */

/* KERN_INVALID_TASK (dead space), KERN_INVALID_NAME, or KERN_SUCCESS. */
xs_kern_return_t xs_ipc_right_lookup_write(struct ipc_space *space, mach_port_name_t name,
					   struct ipc_entry **entryp);
/* ipc_right_check: turn a send/send-once entry for a dead port into a dead name. */
bool xs_ipc_right_check(struct ipc_space *space, mach_port_name_t name,
			struct ipc_entry *entry);
xs_kern_return_t xs_ipc_right_dealloc(struct ipc_space *space, mach_port_name_t name,
				      struct ipc_entry *entry);
xs_kern_return_t xs_ipc_right_delta(struct ipc_space *space, mach_port_name_t name,
				    struct ipc_entry *entry, mach_port_right_t right,
				    mach_port_delta_t delta);
xs_kern_return_t xs_ipc_right_destruct(struct ipc_space *space, mach_port_name_t name,
				       struct ipc_entry *entry, mach_port_delta_t srdelta,
				       uint64_t guard);
/*
 * ipc_right_copyin: take a right out of space for a message or a kernel
 * call.  msgt_name is a user disposition (MACH_MSG_TYPE_MOVE_SEND ...);
 * *portp gets the port (IP_DEAD for a dead name moved/copied).
 * KERN_SUCCESS, KERN_INVALID_NAME, KERN_INVALID_RIGHT, KERN_INVALID_CAPABILITY.
 */
xs_kern_return_t xs_ipc_right_copyin(struct ipc_space *space, mach_port_name_t name,
				     uint32_t msgt_name, struct ipc_port **portp);
/* Would that copyin succeed?  Changes nothing but dead-name conversion. */
xs_kern_return_t xs_ipc_right_copyin_check(struct ipc_space *space, mach_port_name_t name,
					   uint32_t msgt_name, bool allow_dead);
/*
 * ipc_object_copyout: give space a right of kernel type msgt_name
 * (MACH_MSG_TYPE_PORT_*; consumed) and return its name.  IP_DEAD gives
 * MACH_PORT_DEAD, NULL gives MACH_PORT_NULL.  KERN_SUCCESS or KERN_NO_SPACE
 * (the right is then destroyed and *namep is MACH_PORT_DEAD).
 */
xs_kern_return_t xs_ipc_object_copyout(struct ipc_space *space, struct ipc_port *port,
				       uint32_t msgt_name, mach_port_name_t *namep);
/* The kernel type a user disposition turns into (ipc_object_copyin_type). */
uint32_t xs_ipc_object_copyin_type(uint32_t msgt_name);

/* ---- mach_port.c ---------------------------------------------------------- */

#define IPC_PORT_INIT_MAKE_SEND_RIGHT 0x01
#define IPC_PORT_INIT_REPLY           0x02
#define IPC_PORT_INIT_SPECIAL_REPLY   0x04
/*
 * ipc_port_alloc: a new port whose receive right space holds under a fresh
 * name.  The port is borrowed (the entry holds its reference).
 */
xs_kern_return_t xs_ipc_port_alloc(struct ipc_space *space, uint32_t flags,
				   mach_port_name_t *namep, struct ipc_port **portp);

xs_kern_return_t xs_mach_port_allocate(struct ipc_space *space, mach_port_right_t right,
				       mach_port_name_t *namep);
xs_kern_return_t xs_mach_port_deallocate(struct ipc_space *space, mach_port_name_t name);
xs_kern_return_t xs_mach_port_mod_refs(struct ipc_space *space, mach_port_name_t name,
				       mach_port_right_t right, mach_port_delta_t delta);
xs_kern_return_t xs_mach_port_insert_right(struct ipc_space *space, mach_port_name_t name,
					   struct ipc_port *port, uint32_t msgt_name);
struct xnu_mach_port_options;
xs_kern_return_t xs_mach_port_construct(struct ipc_space *space,
					const struct xnu_mach_port_options *options,
					uint64_t context, mach_port_name_t *namep);
xs_kern_return_t xs_mach_port_destruct(struct ipc_space *space, mach_port_name_t name,
				       mach_port_delta_t srdelta, uint64_t guard);
/* mach_port_type / mach_port_get_refs, for tests and MIG. */
xs_kern_return_t xs_mach_port_type(struct ipc_space *space, mach_port_name_t name,
				   uint32_t *typep);
xs_kern_return_t xs_mach_port_get_refs(struct ipc_space *space, mach_port_name_t name,
				       mach_port_right_t right, uint32_t *refsp);

#endif /* XS_IPC_IPC_SPACE_H */
