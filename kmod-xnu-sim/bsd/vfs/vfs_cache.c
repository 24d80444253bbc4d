// SPDX-License-Identifier: BSD-2-Clause
/*
 * vfs_cache.c: the name cache.  XNU keeps (directory, name) -> vnode in a
 * hash so most lookups never reach the file system.  The model's file
 * systems are already in memory, so the cache always misses and lookup
 * falls through to VNOP_LOOKUP (docs/fidelity.md); the function stays so
 * the call graph shows XNU's fast path being tried.
 * Corresponds to bsd/vfs/vfs_cache.c.
 */
#include "kmod-xnu-sim/bsd/sys/vnode_internal.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

/*
 * Routine:    xs_cache_lookup_path
 * Purpose:    Name cache fast path for one component of dp.
 * Returns:    0 with an iocount on *vpp on a hit; ENOENT on a miss (always).
 */
int xs_cache_lookup_path(struct nameidata *ndp, struct vnode *dp, const char *name,
			 int namelen, struct vnode **vpp)
{
	XS_FUNC(cache_lookup_path);
	(void)ndp;
	(void)dp;
	(void)name;
	(void)namelen;
	*vpp = NULL;
	return ENOENT;
}
