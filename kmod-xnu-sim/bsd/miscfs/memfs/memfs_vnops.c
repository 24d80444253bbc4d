// SPDX-License-Identifier: BSD-2-Clause
/*
 * memfs_vnops.c: the in-memory file system behind the root mount.  XNU has
 * no tmpfs; memfs stands where APFS's vnops would be, so VNOP_READ ends in
 * a copy from the file's pages instead of cluster I/O (docs/fidelity.md).
 * Regular files keep their bytes in page-aligned kmem, grown by doubling;
 * directories list their children.  Corresponds to no XNU file (the role of
 * a file system's *_vnops.c, e.g. bsd/miscfs/devfs/devfs_vnops.c).
 */
#include "kmod-xnu-sim/bsd/sys/vnode_internal.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#include "darwin/misc.h"

/* The largest file memfs holds: bounded by the arena, not by off_t. */
#define MEMFS_MAXFILESIZE (1ull << 30)

static inline struct memfs_node *VTOM(struct vnode *vp) { return vp->v_data; }

struct mount *xs_memfs_mount(void)
{
	struct mount *mp = xs_zalloc(xs_machine()->m_vfs.mount_zone);

	if (mp == NULL)
		osl_panic("memfs_mount: out of memory");
	xs_strlcpy(mp->mnt_fstypename, "memfs", sizeof(mp->mnt_fstypename));
	mp->mnt_tag = VT_XS_MEMFS;
	mp->mnt_dev = 0x01000004;	/* like disk1s4 on a real Mac */
	return mp;
}

/* Is vp named `name` (len bytes)? */
static bool memfs_name_eq(struct vnode *vp, const char *name, int len)
{
	return xs_strlen(vp->v_name) == (size_t)len && xs_memcmp(vp->v_name, name, (size_t)len) == 0;
}

/* The child of dvp named by cnp, or NULL.  vfs_lock held. */
static struct vnode *memfs_dir_find(struct vnode *dvp, const char *name, int len)
{
	struct memfs_dirent *de;

	xs_queue_foreach(de, &VTOM(dvp)->mn_children, struct memfs_dirent, md_link) {
		if (memfs_name_eq(de->md_vp, name, len))
			return de->md_vp;
	}
	return NULL;
}

/* Enter vp in directory dvp as name.  vfs_lock held; the dirent cannot fail. */
void xs_memfs_dir_link(struct vnode *dvp, struct vnode *vp, const char *name)
{
	struct memfs_dirent *de = xs_zalloc(xs_machine()->m_vfs.memfs_dirent_zone);
	struct memfs_node *dn = VTOM(dvp);

	if (de == NULL)
		osl_panic("memfs: out of memory for a directory entry");
	xs_strlcpy(vp->v_name, name, sizeof(vp->v_name));
	vp->v_parent = dvp;
	de->md_vp = vp;
	xs_enqueue_tail(&dn->mn_children, &de->md_link);
	dn->mn_nchildren++;
	VTOM(vp)->mn_nlink += vp->v_type == VDIR ? 2 : 1;
	if (vp->v_type == VDIR)
		dn->mn_nlink++;	/* the child's ".." */
	dn->mn_mtime = dn->mn_ctime = osl_absolute_time();
}

int xs_memfs_lookup(struct vnode *dvp, struct vnode **vpp, struct componentname *cnp)
{
	XS_FUNC_AT(memfs_lookup, "bsd/miscfs/memfs/memfs_vnops.c");
	struct vnode *vp;

	xs_vfs_lock();
	vp = memfs_dir_find(dvp, cnp->cn_nameptr, cnp->cn_namelen);
	if (vp)
		xs_vnode_get_locked(vp);
	xs_vfs_unlock();
	*vpp = vp;
	return vp ? 0 : ENOENT;
}

/* Create and link a node of vap->va_type; EEXIST if the name is taken. */
static int memfs_newnode(struct vnode *dvp, struct vnode **vpp, struct componentname *cnp,
			 struct vnode_attr *vap, enum vtype type)
{
	char name[XS_NAME_MAX + 1];
	struct vnode *vp;

	if (cnp->cn_namelen <= 0 || cnp->cn_namelen > XS_NAME_MAX)
		return EINVAL;
	xs_memcpy(name, cnp->cn_nameptr, (size_t)cnp->cn_namelen);
	name[cnp->cn_namelen] = '\0';
	vp = xs_vnode_create_node(dvp->v_mount, type, vap->va_mode, vap->va_uid, vap->va_gid);
	if (vp == NULL)
		return ENOSPC;
	xs_vfs_lock();
	if (VTOM(dvp)->mn_nlink == 0 || memfs_dir_find(dvp, name, cnp->cn_namelen)) {
		/* Lost a race with another creator, or the directory is gone. */
		int error = VTOM(dvp)->mn_nlink == 0 ? ENOENT : EEXIST;

		xs_vnode_put_locked(vp);
		xs_vfs_unlock();
		return error;
	}
	xs_memfs_dir_link(dvp, vp, name);
	xs_vfs_unlock();
	*vpp = vp;
	return 0;
}

int xs_memfs_create(struct vnode *dvp, struct vnode **vpp, struct componentname *cnp,
		    struct vnode_attr *vap)
{
	XS_FUNC_AT(memfs_create, "bsd/miscfs/memfs/memfs_vnops.c");
	return memfs_newnode(dvp, vpp, cnp, vap, VREG);
}

int xs_memfs_mkdir(struct vnode *dvp, struct vnode **vpp, struct componentname *cnp,
		   struct vnode_attr *vap)
{
	XS_FUNC_AT(memfs_mkdir, "bsd/miscfs/memfs/memfs_vnops.c");
	return memfs_newnode(dvp, vpp, cnp, vap, VDIR);
}

/*
 * memfs_remove: drop vp's name from dvp.  The node lives on while files
 * are open on it (usecount) and is reclaimed by the last vnode_rele.
 */
int xs_memfs_remove(struct vnode *dvp, struct vnode *vp, struct componentname *cnp)
{
	XS_FUNC_AT(memfs_remove, "bsd/miscfs/memfs/memfs_vnops.c");
	struct memfs_dirent *de;
	int error = ENOENT;

	(void)cnp;
	if (vp->v_type == VDIR)
		return EPERM;	/* unlink(2) of a directory */
	xs_vfs_lock();
	xs_queue_foreach(de, &VTOM(dvp)->mn_children, struct memfs_dirent, md_link) {
		if (de->md_vp != vp)
			continue;
		xs_remqueue(&de->md_link);
		xs_zfree(xs_machine()->m_vfs.memfs_dirent_zone, de);
		VTOM(dvp)->mn_nchildren--;
		VTOM(dvp)->mn_mtime = VTOM(dvp)->mn_ctime = osl_absolute_time();
		VTOM(vp)->mn_nlink--;
		VTOM(vp)->mn_ctime = VTOM(dvp)->mn_ctime;
		error = 0;
		break;
	}
	xs_vfs_unlock();
	return error;
}

int xs_memfs_read(struct vnode *vp, struct uio *uio, int ioflag)
{
	XS_FUNC_AT(memfs_read, "bsd/miscfs/memfs/memfs_vnops.c");
	struct memfs_node *mn = VTOM(vp);
	int error = 0;

	(void)ioflag;
	if (vp->v_type == VDIR)
		return EISDIR;
	if (uio->uio_offset < 0)
		return EINVAL;
	xs_lck_mtx_lock(&vp->v_lock);
	if ((uint64_t)uio->uio_offset < mn->mn_size) {
		uint64_t avail = mn->mn_size - (uint64_t)uio->uio_offset;
		user_ssize_t n = xs_uio_resid(uio);

		if ((uint64_t)n > avail)
			n = (user_ssize_t)avail;
		error = xs_uiomove((char *)mn->mn_data + uio->uio_offset, n, uio);
	}
	mn->mn_atime = osl_absolute_time();
	xs_lck_mtx_unlock(&vp->v_lock);
	return error;
}

/* Make the backing hold at least `need` bytes.  v_lock held. */
static int memfs_grow(struct memfs_node *mn, uint64_t need)
{
	uint64_t nalloc;
	void *ndata;

	if (need <= mn->mn_alloc)
		return 0;
	nalloc = mn->mn_alloc ? mn->mn_alloc : OSL_PAGE_SIZE;
	while (nalloc < need)
		nalloc *= 2;
	ndata = xs_kmem_alloc(nalloc);
	if (ndata == NULL)
		return ENOSPC;
	if (mn->mn_size)
		xs_memcpy(ndata, mn->mn_data, mn->mn_size);
	/* A mapped backing stays alive for the mapping (fidelity.md: never freed). */
	if (mn->mn_data && !mn->mn_ubc_pinned)
		xs_kmem_free(mn->mn_data, mn->mn_alloc);
	mn->mn_data = ndata;
	mn->mn_alloc = nalloc;
	mn->mn_ubc_pinned = false;
	return 0;
}

int xs_memfs_write(struct vnode *vp, struct uio *uio, int ioflag)
{
	XS_FUNC_AT(memfs_write, "bsd/miscfs/memfs/memfs_vnops.c");
	struct memfs_node *mn = VTOM(vp);
	uint64_t end, resid = (uint64_t)xs_uio_resid(uio);
	int error;

	if (vp->v_type == VDIR)
		return EISDIR;
	xs_lck_mtx_lock(&vp->v_lock);
	if (ioflag & IO_APPEND)
		uio->uio_offset = (off_t)mn->mn_size;
	if (uio->uio_offset < 0) {
		xs_lck_mtx_unlock(&vp->v_lock);
		return EINVAL;
	}
	if (resid == 0) {
		/* Nothing to move (as hfs_vnop_write): an empty file has no backing yet. */
		xs_lck_mtx_unlock(&vp->v_lock);
		return 0;
	}
	if ((uint64_t)uio->uio_offset > MEMFS_MAXFILESIZE ||
	    resid > MEMFS_MAXFILESIZE - (uint64_t)uio->uio_offset) {
		xs_lck_mtx_unlock(&vp->v_lock);
		return EFBIG;
	}
	end = (uint64_t)uio->uio_offset + resid;
	error = memfs_grow(mn, end);
	if (error == 0) {
		/* Bytes between the old end and the offset read back as zeros. */
		if ((uint64_t)uio->uio_offset > mn->mn_size)
			xs_memset((char *)mn->mn_data + mn->mn_size, 0,
				  (uint64_t)uio->uio_offset - mn->mn_size);
		error = xs_uiomove((char *)mn->mn_data + uio->uio_offset, (user_ssize_t)resid, uio);
		if ((uint64_t)uio->uio_offset > mn->mn_size)
			mn->mn_size = (uint64_t)uio->uio_offset;
		mn->mn_mtime = mn->mn_ctime = osl_absolute_time();
	}
	xs_lck_mtx_unlock(&vp->v_lock);
	return error;
}

int xs_memfs_truncate(struct vnode *vp, uint64_t size)
{
	XS_FUNC_AT(memfs_truncate, "bsd/miscfs/memfs/memfs_vnops.c");
	struct memfs_node *mn = VTOM(vp);
	int error;

	if (size > MEMFS_MAXFILESIZE)
		return EFBIG;
	xs_lck_mtx_lock(&vp->v_lock);
	error = memfs_grow(mn, size);
	if (error == 0) {
		if (size < mn->mn_size)
			xs_memset((char *)mn->mn_data + size, 0, mn->mn_size - size);
		else if (size > mn->mn_size)
			xs_memset((char *)mn->mn_data + mn->mn_size, 0, size - mn->mn_size);
		mn->mn_size = size;
		mn->mn_mtime = mn->mn_ctime = osl_absolute_time();
	}
	xs_lck_mtx_unlock(&vp->v_lock);
	return error;
}

int xs_memfs_getattr(struct vnode *vp, struct vnode_attr *vap)
{
	XS_FUNC_AT(memfs_getattr, "bsd/miscfs/memfs/memfs_vnops.c");
	struct memfs_node *mn = VTOM(vp);

	xs_memset(vap, 0, sizeof(*vap));
	xs_lck_mtx_lock(&vp->v_lock);
	vap->va_type = vp->v_type;
	vap->va_mode = mn->mn_mode;
	vap->va_nlink = mn->mn_nlink;
	vap->va_uid = mn->mn_uid;
	vap->va_gid = mn->mn_gid;
	vap->va_fileid = mn->mn_fileid;
	vap->va_data_size = vp->v_type == VDIR ? (uint64_t)(mn->mn_nchildren + 2) * 32
					       : mn->mn_size;
	vap->va_data_alloc = xs_round_up(vap->va_data_size, OSL_PAGE_SIZE);
	vap->va_fsid = vp->v_mount->mnt_dev;
	vap->va_rdev = mn->mn_rdev;
	vap->va_iosize = OSL_PAGE_SIZE;
	vap->va_access_time = mn->mn_atime;
	vap->va_modify_time = mn->mn_mtime;
	vap->va_change_time = mn->mn_ctime;
	vap->va_create_time = mn->mn_birthtime;
	xs_lck_mtx_unlock(&vp->v_lock);
	return 0;
}

/* memfs_reclaim: the vnode is going away; free the node and its bytes. */
void xs_memfs_reclaim(struct vnode *vp)
{
	XS_FUNC_AT(memfs_reclaim, "bsd/miscfs/memfs/memfs_vnops.c");
	struct memfs_node *mn = VTOM(vp);

	if (mn->mn_data && !mn->mn_ubc_pinned)
		xs_kmem_free(mn->mn_data, mn->mn_alloc);
	xs_zfree(xs_machine()->m_vfs.memfs_node_zone, mn);
	vp->v_data = NULL;
}
