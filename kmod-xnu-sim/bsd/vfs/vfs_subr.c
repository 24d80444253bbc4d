// SPDX-License-Identifier: BSD-2-Clause
/*
 * vfs_subr.c: vnode allocation and reference counting, authorization for
 * create/open, and mounting the root file system at boot.  A vnode is
 * reclaimed when its last usecount and iocount go and no directory names it.
 * Corresponds to bsd/vfs/vfs_subr.c.
 */
#include "kmod-xnu-sim/bsd/sys/file_internal.h"
#include "kmod-xnu-sim/bsd/sys/pipe.h"
#include "kmod-xnu-sim/bsd/sys/vnode_internal.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#include "kmod-xnu-sim/security/mac_framework.h"
#include "darwin/fcntl.h"
#include "darwin/stat.h"

static inline struct vfs_globals *vfsg(void) { return &xs_machine()->m_vfs; }

void xs_vfs_lock(void) { xs_lck_mtx_lock(&vfsg()->vfs_lock); }
void xs_vfs_unlock(void) { xs_lck_mtx_unlock(&vfsg()->vfs_lock); }
struct vnode *xs_rootvnode(void) { return vfsg()->rootvnode; }
bool xs_vnode_isreg(struct vnode *vp) { return vp->v_type == VREG; }
bool xs_vnode_isdir(struct vnode *vp) { return vp->v_type == VDIR; }

/*
 * Routine:    xs_vnode_create_node  (vnode_create + the file system's node)
 * Purpose:    A new vnode of type on mp with a fresh memfs node, not yet
 *             named by any directory (nlink 0).
 * Returns:    the vnode with an iocount for the caller, or NULL.
 */
struct vnode *xs_vnode_create_node(struct mount *mp, enum vtype type, uint16_t mode,
				   uid_t uid, gid_t gid)
{
	XS_FUNC(vnode_create);
	struct vfs_globals *g = vfsg();
	struct vnode *vp = xs_zalloc_id(ZONE_ID_VNODE);
	struct memfs_node *mn = vp ? xs_zalloc(g->memfs_node_zone) : NULL;
	uint64_t now = osl_absolute_time();

	if (mn == NULL) {
		if (vp)
			xs_zfree_id(ZONE_ID_VNODE, vp);
		return NULL;
	}
	xs_lck_mtx_init(&vp->v_lock);
	vp->v_type = type;
	vp->v_tag = mp->mnt_tag;
	vp->v_mount = mp;
	vp->v_iocount = 1;
	vp->v_data = mn;
	mn->mn_mode = mode & ALLPERMS;
	mn->mn_uid = uid;
	mn->mn_gid = gid;
	mn->mn_atime = mn->mn_mtime = mn->mn_ctime = mn->mn_birthtime = now;
	mn->mn_cons_rfd = mn->mn_cons_wfd = -1;
	xs_queue_init(&mn->mn_children);
	xs_vfs_lock();
	mn->mn_fileid = ++g->next_fileid;
	g->nvnodes++;
	xs_vfs_unlock();
	return vp;
}

/* Free vp if nothing refers to it any more.  vfs_lock held. */
static void vnode_reclaim_if_unused(struct vnode *vp)
{
	struct memfs_node *mn = vp->v_data;

	if (vp->v_usecount || vp->v_iocount || (vp->v_flag & VROOT) || mn->mn_nlink)
		return;
	xs_VNOP_RECLAIM(vp);
	vfsg()->nvnodes--;
	xs_zfree_id(ZONE_ID_VNODE, vp);
}

void xs_vnode_get_locked(struct vnode *vp)
{
	vp->v_iocount++;
}

/* vnode_getwithref: an iocount on a vnode the caller already references. */
int xs_vnode_getwithref(struct vnode *vp)
{
	XS_FUNC(vnode_getwithref);

	xs_vfs_lock();
	vp->v_iocount++;
	xs_vfs_unlock();
	return 0;
}

void xs_vnode_put_locked(struct vnode *vp)
{
	if (vp->v_iocount == 0)
		osl_panic("vnode_put: iocount underflow on fileid %llu",
			  (unsigned long long)((struct memfs_node *)vp->v_data)->mn_fileid);
	vp->v_iocount--;
	vnode_reclaim_if_unused(vp);
}

void xs_vnode_put(struct vnode *vp)
{
	XS_FUNC(vnode_put);

	xs_vfs_lock();
	xs_vnode_put_locked(vp);
	xs_vfs_unlock();
}

void xs_vnode_ref(struct vnode *vp)
{
	XS_FUNC(vnode_ref);

	xs_vfs_lock();
	vp->v_usecount++;
	xs_vfs_unlock();
}

void xs_vnode_rele(struct vnode *vp)
{
	XS_FUNC(vnode_rele);

	xs_vfs_lock();
	if (vp->v_usecount == 0)
		osl_panic("vnode_rele: usecount underflow");
	vp->v_usecount--;
	vnode_reclaim_if_unused(vp);
	xs_vfs_unlock();
}

/*
 * Routine:    xs_vnode_authorize  (the posix part of kauth's vnode scope)
 * Purpose:    May cred do action (VREAD|VWRITE|VEXEC bits) on vp?  Root
 *             passes, except that executing needs some x bit, as in XNU.
 * Returns:    0 or EACCES.
 */
int xs_vnode_authorize(struct vnode *vp, int action, const struct ucred *cred)
{
	XS_FUNC_AT(vnode_authorize, "bsd/vfs/kpi_vfs.c");
	struct memfs_node *mn = vp->v_data;
	int mode = mn->mn_mode;

	if (cred == NULL)
		return 0;		/* the kernel itself */
	if (cred->cr_uid == 0) {
		if ((action & VEXEC) && vp->v_type != VDIR && !(mode & (S_IXUSR | S_IXGRP | S_IXOTH)))
			return EACCES;
		return 0;
	}
	if (cred->cr_uid == mn->mn_uid) {
		mode >>= 0;
	} else {
		bool ingroup = cred->cr_gid == mn->mn_gid;

		for (uint32_t i = 0; !ingroup && i < cred->cr_ngroups && i < XS_NGROUPS; i++)
			ingroup = cred->cr_groups[i] == mn->mn_gid;
		mode <<= ingroup ? 3 : 6;
	}
	if ((mode & action & (VREAD | VWRITE | VEXEC)) != (action & (VREAD | VWRITE | VEXEC)))
		return EACCES;
	return 0;
}

/* vn_authorize_create: MACF, then write+search on the directory. */
int xs_vn_authorize_create(struct vnode *dvp, const struct ucred *cred)
{
	XS_FUNC(vn_authorize_create);
	int error = xs_mac_vnode_check_create(cred, dvp, NULL);

	if (error == 0)
		error = xs_vnode_authorize(dvp, VWRITE | VEXEC, cred);
	return error;
}

/*
 * vn_authorize_open_existing: MACF, then the type rules (EISDIR for a
 * writable directory, ENOTDIR for O_DIRECTORY on a non-directory), then the
 * permission bits the open mode needs.
 */
int xs_vn_authorize_open_existing(struct vnode *vp, int fmode, const struct ucred *cred)
{
	XS_FUNC(vn_authorize_open_existing);
	int action = 0;
	int error = xs_mac_vnode_check_open(cred, vp, fmode);

	if (error)
		return error;
	if ((fmode & O_DIRECTORY) && vp->v_type != VDIR)
		return ENOTDIR;
	if (vp->v_type == VDIR && (fmode & (FWRITE | O_TRUNC)))
		return EISDIR;
	if (fmode & FREAD)
		action |= VREAD;
	if (fmode & (FWRITE | O_TRUNC))
		action |= VWRITE;
	return xs_vnode_authorize(vp, action, cred);
}

/* vn_create: VNOP_MKDIR for directories, VNOP_CREATE for files. */
int xs_vn_create(struct vnode *dvp, struct vnode **vpp, struct componentname *cnp,
		 struct vnode_attr *vap, const struct ucred *cred)
{
	XS_FUNC(vn_create);

	vap->va_uid = cred ? cred->cr_uid : 0;
	vap->va_gid = cred ? cred->cr_gid : 0;
	if (vap->va_type == VDIR)
		return xs_VNOP_MKDIR(dvp, vpp, cnp, vap);
	return xs_VNOP_CREATE(dvp, vpp, cnp, vap);
}

/* A directory at boot (root-owned). */
static struct vnode *vfs_boot_mkdir(struct vnode *dvp, const char *name, uint16_t mode)
{
	struct vnode *vp = xs_vnode_create_node(dvp->v_mount, VDIR, mode, 0, 0);

	if (vp == NULL)
		osl_panic("vfs_mountroot: out of memory for %s", name);
	xs_vfs_lock();
	xs_memfs_dir_link(dvp, vp, name);
	xs_vnode_put_locked(vp);
	xs_vfs_unlock();
	return vp;
}

static void vfs_create_zones(void)
{
	struct vfs_globals *g = vfsg();

	xs_zone_create_id(ZONE_ID_VNODE, "vnodes", sizeof(struct vnode));
	xs_zone_create_id(ZONE_ID_NAMEI, "vfs.namei", XS_MAXPATHLEN);
	xs_zone_create_id(ZONE_ID_FILEPROC, "fileproc", sizeof(struct fileproc));
	xs_zone_create_id(ZONE_ID_FILEGLOB, "fileglob", sizeof(struct fileglob));
	xs_zone_create_id(ZONE_ID_PIPE, "pipe zone", sizeof(struct pipepair));
	g->memfs_node_zone = xs_zone_create("memfs.node", sizeof(struct memfs_node));
	g->memfs_dirent_zone = xs_zone_create("memfs.dirent", sizeof(struct memfs_dirent));
	g->mount_zone = xs_zone_create("mount", sizeof(struct mount));
	if (!g->memfs_node_zone || !g->memfs_dirent_zone || !g->mount_zone)
		osl_panic("vfs_mountroot: cannot create zones");
}

/*
 * Routine:    xs_vfs_mountroot
 * Purpose:    At boot: the file zones, an in-memory root file system (XNU
 *             mounts APFS here) with /bin /sbin /usr/{bin,lib} /etc /var
 *             /private/{tmp,var} /tmp (01777) /Users, and devfs on /dev.
 * Conditions: Single-threaded boot.
 */
void xs_vfs_mountroot(void)
{
	XS_FUNC(vfs_mountroot);
	struct vfs_globals *g = vfsg();
	struct vnode *root, *usr, *priv, *dev;
	struct mount *mp;

	xs_lck_mtx_init(&g->vfs_lock);
	vfs_create_zones();
	mp = xs_memfs_mount();
	root = xs_vnode_create_node(mp, VDIR, 0755, 0, 0);
	if (root == NULL)
		osl_panic("vfs_mountroot: no root vnode");
	root->v_flag |= VROOT;
	root->v_parent = root;
	((struct memfs_node *)root->v_data)->mn_nlink = 2;
	mp->mnt_root = root;
	g->rootmount = mp;
	g->rootvnode = root;

	vfs_boot_mkdir(root, "bin", 0755);
	vfs_boot_mkdir(root, "sbin", 0755);
	usr = vfs_boot_mkdir(root, "usr", 0755);
	vfs_boot_mkdir(usr, "bin", 0755);
	vfs_boot_mkdir(usr, "lib", 0755);
	vfs_boot_mkdir(root, "etc", 0755);
	vfs_boot_mkdir(root, "var", 0755);
	priv = vfs_boot_mkdir(root, "private", 0755);
	vfs_boot_mkdir(priv, "tmp", 01777);
	vfs_boot_mkdir(priv, "var", 0755);
	/* macOS's /tmp is a symlink to private/tmp; the model has no symlinks. */
	vfs_boot_mkdir(root, "tmp", 01777);
	vfs_boot_mkdir(root, "Users", 0755);
	dev = vfs_boot_mkdir(root, "dev", 0555);
	g->devfs_mount = xs_devfs_mount(dev);
}
