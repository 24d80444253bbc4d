/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vfs_globals.h: the VFS's machine-wide state (a member of struct
 * xs_machine): the root mount and vnode, the name cache.
 */
#ifndef XS_VFS_VFS_GLOBALS_H
#define XS_VFS_VFS_GLOBALS_H

#include "kmod-xnu-sim/osfmk/kern/kern_types.h"
#include "kmod-xnu-sim/osfmk/kern/locks.h"

struct vnode;
struct mount;

struct vfs_globals {
	lck_mtx_t vfs_lock;
	struct mount *rootmount;
	struct vnode *rootvnode;
	uint64_t next_fileid;
	struct mount *devfs_mount;	/* mounted on /dev */
	struct vnode *devfs_console;	/* /dev/console */
	struct zone *memfs_node_zone;	/* "memfs.node" */
	struct zone *memfs_dirent_zone;	/* "memfs.dirent" */
	struct zone *mount_zone;	/* "mount" */
	uint32_t nvnodes;		/* vnodes alive (numvnodes) */
};

void xs_vfs_mountroot(void);	/* at boot: the in-memory root file system */

#endif /* XS_VFS_VFS_GLOBALS_H */
