/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vm_map.h: address maps, the API other subsystems use.  Corresponds to
 * osfmk/vm/vm_map.h (+ vm_map_internal.h for the private part, which the VM
 * engineer keeps in vm_map_internal.h).  A task's map records entries over
 * VM objects; osl_pmap_* makes each entry real in the host process.
 */
#ifndef XS_VM_VM_MAP_H
#define XS_VM_VM_MAP_H

#include "kmod-xnu-sim/osfmk/kern/kern_types.h"

struct vm_map;
struct vm_object;
struct task;

#define XS_VM_FLAGS_FIXED    0x0000
#define XS_VM_FLAGS_ANYWHERE 0x0001

/* An empty user map for a new task (vm_map_create_options).  NULL on shortage. */
struct vm_map *xs_vm_map_create_options(bool is_64bit);
/* A copy of old_map by its entries' inheritance (fork).  NULL on shortage. */
struct vm_map *xs_vm_map_fork(struct vm_map *old_map);
void xs_vm_map_reference(struct vm_map *map);
/* Consumes a reference; the last one removes every entry and frees the map. */
void xs_vm_map_deallocate(struct vm_map *map);

/*
 * mach_vm_allocate_kernel: zero-fill memory in map.  flags: VM_FLAGS_* as
 * user space passes them (ANYWHERE, FIXED, the VM tag in the top byte).
 * Returns KERN_SUCCESS, KERN_INVALID_ARGUMENT, KERN_NO_SPACE.
 */
xs_kern_return_t xs_mach_vm_allocate_kernel(struct vm_map *map, mach_vm_address_t *addr,
					    mach_vm_size_t size, int flags);
/* mach_vm_deallocate.  KERN_SUCCESS or KERN_INVALID_ARGUMENT. */
xs_kern_return_t xs_mach_vm_deallocate(struct vm_map *map, mach_vm_address_t addr,
				       mach_vm_size_t size);
xs_kern_return_t xs_mach_vm_protect(struct vm_map *map, mach_vm_address_t addr,
				    mach_vm_size_t size, bool set_max, vm_prot_t prot);

/*
 * The host side of fork and exec (the user-space build's process model).
 * Both act only when map is the calling process's task map.
 *
 * xs_vm_map_pmap_fork_child: in the host child after fork, unmap what the
 * host fork copied but the child's map does not hold (VM_INHERIT_NONE).
 * xs_vm_map_pmap_enter_all: in a process after host execve, make every
 * entry of map real in the fresh host address space.  0, or -1 when the
 * host refused a range (the rest are still entered).
 */
void xs_vm_map_pmap_fork_child(struct vm_map *map);
int xs_vm_map_pmap_enter_all(struct vm_map *map);

/* Pages of the current user page size of this machine (16 KiB / 4 KiB). */
uint64_t xs_vm_map_page_size(void);

#endif /* XS_VM_VM_MAP_H */
