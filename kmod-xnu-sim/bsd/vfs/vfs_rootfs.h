/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vfs_rootfs.h: filling the in-memory root file system at boot from the
 * build's root file system manifest (kmod-xnu-sim/rootfs/manifest.tsv),
 * and installing single files as the kernel (tests).  XNU mounts a real
 * volume instead; see vfs_rootfs.c.
 */
#ifndef XS_VFS_VFS_ROOTFS_H
#define XS_VFS_VFS_ROOTFS_H

#include "kmod-xnu-sim/osfmk/kern/kern_types.h"

/*
 * At boot, after vfs_mountroot: create every directory and file of the
 * manifest the platform's root directory holds.  A missing manifest leaves
 * the bare root (a log line under XNUSIM_DEBUG).  Returns the number of
 * entries made, or -errno.
 */
int xs_vfs_rootfs_populate(void);

/*
 * Make directory path (its parent must exist) owned by uid:gid with mode;
 * an existing directory just gets mode and owner.  0, ENOENT, ENOTDIR,
 * EEXIST (a file is there), ENOMEM.
 */
int xs_rootfs_mkdir(const char *path, uint16_t mode, uid_t uid, gid_t gid);

/*
 * Create or replace file path with size bytes of data, mode and owner, as
 * the kernel (no permission checks).  0 or the VFS's errno.
 */
int xs_rootfs_install(const char *path, uint16_t mode, uid_t uid, gid_t gid,
		      const void *data, uint64_t size);

#endif /* XS_VFS_VFS_ROOTFS_H */
