/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vnode_internal.h: vnodes, mounts, nameidata and the VNOP_* layer.
 * Corresponds to bsd/sys/vnode_internal.h, bsd/sys/mount_internal.h and
 * bsd/sys/namei.h.  Every object here lives in the arena; file systems are
 * chosen by an enum tag (v_tag), never by function pointers.
 */
#ifndef XS_SYS_VNODE_INTERNAL_H
#define XS_SYS_VNODE_INTERNAL_H

#include "kmod-xnu-sim/bsd/sys/uio_internal.h"
#include "kmod-xnu-sim/osfmk/kern/kern_types.h"
#include "kmod-xnu-sim/osfmk/kern/locks.h"
#include "kmod-xnu-sim/osfmk/kern/queue.h"

struct proc;
struct ucred;
struct xnu_stat64;

/* bsd/sys/vnode.h enum vtype, XNU's order. */
enum vtype { VNON, VREG, VDIR, VBLK, VCHR, VLNK, VSOCK, VFIFO, VBAD, VSTR, VCPLX };

/* The file system behind a vnode (XNU: v_tag plus the mount's vfs ops). */
enum xs_vtag { VT_XS_NONE, VT_XS_MEMFS, VT_XS_DEVFS };

/* Character devices behind devfs nodes (XNU: cdevsw[] majors). */
enum xs_cdev { XS_CDEV_NONE, XS_CDEV_CONSOLE, XS_CDEV_NULL };

/* v_flag */
#define VROOT  0x000001		/* root of its file system */
#define VISTTY 0x000800		/* a terminal */

#define XS_NAME_MAX 255

struct mount {
	char mnt_fstypename[16];	/* "memfs", "devfs" */
	enum xs_vtag mnt_tag;
	int32_t mnt_dev;		/* st_dev of every vnode on it */
	struct vnode *mnt_vnodecovered;	/* the directory it is mounted on, or NULL */
	struct vnode *mnt_root;
};

/*
 * A vnode.  The file system's own node is v_data (struct memfs_node for both
 * memfs and devfs).  Counts and the namespace links are protected by the
 * machine-wide vfs_lock; the node's data by v_lock.
 */
struct vnode {
	lck_mtx_t v_lock;
	enum vtype v_type;
	enum xs_vtag v_tag;
	uint32_t v_flag;
	uint32_t v_usecount;		/* long-term references (open files, cwd) */
	uint32_t v_iocount;		/* short-term references (an operation in flight) */
	struct mount *v_mount;
	struct mount *v_mountedhere;	/* a file system mounted on this directory */
	struct vnode *v_parent;
	char v_name[XS_NAME_MAX + 1];
	void *v_data;			/* struct memfs_node */
};

/*
 * memfs / devfs node (XNU has no tmpfs: this stands in for an on-disk file
 * system's inode behind VNOP_*).  Regular file contents are page-aligned
 * kmem; directory entries are the child vnodes on mn_children.
 */
struct memfs_node {
	uint64_t mn_fileid;
	uint16_t mn_mode;		/* permission bits only; type is v_type */
	uint16_t mn_nlink;
	uid_t mn_uid;
	gid_t mn_gid;
	uint64_t mn_size;
	void *mn_data;			/* kmem, mn_alloc bytes */
	uint64_t mn_alloc;
	bool mn_ubc_pinned;		/* mapped by mmap: never free old backings */
	uint64_t mn_atime, mn_mtime, mn_ctime, mn_birthtime;	/* ns */
	queue_head_t mn_children;	/* VDIR: struct memfs_dirent.md_link */
	uint32_t mn_nchildren;
	enum xs_cdev mn_cdev;		/* VCHR */
	int32_t mn_rdev;
	int mn_cons_rfd, mn_cons_wfd;	/* console: host fds behind reads/writes */
};

struct memfs_dirent {
	queue_chain_t md_link;
	struct vnode *md_vp;
};

/* struct vnode_attr, only what stat and create need. */
struct vnode_attr {
	enum vtype va_type;
	uint16_t va_mode;
	uint16_t va_nlink;
	uid_t va_uid;
	gid_t va_gid;
	uint64_t va_fileid;
	uint64_t va_data_size;
	uint64_t va_data_alloc;
	int32_t va_fsid;
	int32_t va_rdev;
	uint32_t va_iosize;
	uint64_t va_access_time, va_modify_time, va_change_time, va_create_time;
};

/* ---- namei ------------------------------------------------------------- */

/* cn_nameiop */
#define LOOKUP 0
#define CREATE 1
#define DELETE 2
/* cn_flags */
#define FOLLOW     0x00000040
#define NOFOLLOW   0x00000000
#define WANTPARENT 0x00000010	/* return ni_dvp with an iocount */

struct componentname {
	uint32_t cn_nameiop;
	uint32_t cn_flags;
	char *cn_pnbuf;			/* ZV_NAMEI buffer, MAXPATHLEN */
	char *cn_nameptr;		/* last component (in cn_pnbuf) */
	int cn_namelen;
};

struct nameidata {
	user_addr_t ni_dirp;		/* the path: user address or kernel pointer */
	int ni_segflg;			/* UIO_USERSPACE64 / UIO_SYSSPACE */
	struct vnode *ni_startdir;	/* dirfd's vnode (openat) or NULL for cwd */
	struct vnode *ni_dvp;		/* parent of the last component (iocount) */
	struct vnode *ni_vp;		/* the result (iocount), NULL if absent */
	bool ni_trailing_slash;
	struct proc *ni_proc;		/* cwd and root come from here (NULL: kernel) */
	const struct ucred *ni_cred;	/* search permission (NULL: kernel, all allowed) */
	struct componentname ni_cnd;
};

#define XS_NDINIT(ndp, op, flags, seg, path)                                    \
	do {                                                                    \
		xs_memset((ndp), 0, sizeof(*(ndp)));                            \
		(ndp)->ni_cnd.cn_nameiop = (op);                                \
		(ndp)->ni_cnd.cn_flags = (flags);                               \
		(ndp)->ni_segflg = (seg);                                       \
		(ndp)->ni_dirp = (path);                                        \
	} while (0)

/*
 * namei: resolve ndp->ni_dirp.  On success ni_vp (LOOKUP/DELETE: never
 * NULL; CREATE: NULL when absent) and, with WANTPARENT or CREATE/DELETE,
 * ni_dvp carry iocounts; release both with xs_nameidone + xs_vnode_put.
 * Errors: EFAULT, ENAMETOOLONG, ENOENT, ENOTDIR, EACCES.
 */
int xs_namei(struct nameidata *ndp);
void xs_nameidone(struct nameidata *ndp);	/* frees the path buffer */
int xs_lookup(struct nameidata *ndp);
int xs_cache_lookup_path(struct nameidata *ndp, struct vnode *dp, const char *name,
			 int namelen, struct vnode **vpp);

/* ---- vnode references (vfs_subr.c) ------------------------------------- */

struct vnode *xs_vnode_create_node(struct mount *mp, enum vtype type, uint16_t mode,
				   uid_t uid, gid_t gid);
int xs_vnode_getwithref(struct vnode *vp);	/* +iocount */
void xs_vnode_get_locked(struct vnode *vp);	/* +iocount, vfs_lock held */
void xs_vnode_ref(struct vnode *vp);		/* +usecount */
void xs_vnode_rele(struct vnode *vp);		/* -usecount */
/* xs_vnode_put (-iocount) is in file_internal.h. */
void xs_vnode_put_locked(struct vnode *vp);
void xs_vfs_lock(void);
void xs_vfs_unlock(void);
struct vnode *xs_rootvnode(void);
bool xs_vnode_isreg(struct vnode *vp);
bool xs_vnode_isdir(struct vnode *vp);

/* Permission bits of mode R/W/X (VREAD 0400 etc. as in XNU's VREAD/VWRITE/VEXEC). */
#define VREAD  0x100
#define VWRITE 0x080
#define VEXEC  0x040
int xs_vnode_authorize(struct vnode *vp, int action, const struct ucred *cred);
int xs_vn_authorize_create(struct vnode *dvp, const struct ucred *cred);
int xs_vn_authorize_open_existing(struct vnode *vp, int fmode, const struct ucred *cred);
int xs_vn_create(struct vnode *dvp, struct vnode **vpp, struct componentname *cnp,
		 struct vnode_attr *vap, const struct ucred *cred);

/* ---- VNOP_* (kpi_vfs.c): dispatch on v_tag ------------------------------ */

int xs_VNOP_LOOKUP(struct vnode *dvp, struct vnode **vpp, struct componentname *cnp);
int xs_VNOP_CREATE(struct vnode *dvp, struct vnode **vpp, struct componentname *cnp,
		   struct vnode_attr *vap);
int xs_VNOP_MKDIR(struct vnode *dvp, struct vnode **vpp, struct componentname *cnp,
		  struct vnode_attr *vap);
int xs_VNOP_REMOVE(struct vnode *dvp, struct vnode *vp, struct componentname *cnp);
int xs_VNOP_OPEN(struct vnode *vp, int fmode);
int xs_VNOP_CLOSE(struct vnode *vp, int fflag);
int xs_VNOP_READ(struct vnode *vp, struct uio *uio, int ioflag);
int xs_VNOP_WRITE(struct vnode *vp, struct uio *uio, int ioflag);
int xs_VNOP_GETATTR(struct vnode *vp, struct vnode_attr *vap);
int xs_VNOP_SETATTR_SIZE(struct vnode *vp, uint64_t size);	/* VNOP_SETATTR(va_data_size) */
void xs_VNOP_RECLAIM(struct vnode *vp);

/* IO_* flags for VNOP_READ/WRITE */
#define IO_APPEND   0x0002
#define IO_NDELAY   0x0004

/* ---- memfs (bsd/miscfs/memfs) and devfs (bsd/miscfs/devfs) -------------- */

int xs_memfs_lookup(struct vnode *dvp, struct vnode **vpp, struct componentname *cnp);
int xs_memfs_create(struct vnode *dvp, struct vnode **vpp, struct componentname *cnp,
		    struct vnode_attr *vap);
int xs_memfs_mkdir(struct vnode *dvp, struct vnode **vpp, struct componentname *cnp,
		   struct vnode_attr *vap);
int xs_memfs_remove(struct vnode *dvp, struct vnode *vp, struct componentname *cnp);
int xs_memfs_read(struct vnode *vp, struct uio *uio, int ioflag);
int xs_memfs_write(struct vnode *vp, struct uio *uio, int ioflag);
int xs_memfs_getattr(struct vnode *vp, struct vnode_attr *vap);
int xs_memfs_truncate(struct vnode *vp, uint64_t size);
void xs_memfs_reclaim(struct vnode *vp);
/* Link vp into directory dvp under name (vfs_lock held).  For boot and devfs. */
void xs_memfs_dir_link(struct vnode *dvp, struct vnode *vp, const char *name);
struct mount *xs_memfs_mount(void);

int xs_devfs_lookup(struct vnode *dvp, struct vnode **vpp, struct componentname *cnp);
int xs_devfs_open(struct vnode *vp, int fmode);
int xs_spec_read(struct vnode *vp, struct uio *uio, int ioflag);
int xs_spec_write(struct vnode *vp, struct uio *uio, int ioflag);
struct mount *xs_devfs_mount(struct vnode *covered);
/* A console vnode outside the namespace for host fd hostfd (+iocount). */
struct vnode *xs_devfs_console_vnode(int hostfd);

/* ---- kernel-side file access (kpi_vfs.c / vfs_vnops.c) ------------------ */

/*
 * vnode_lookup: resolve a kernel path (absolute, or relative to p's cwd;
 * p may be NULL for the root).  Returns with an iocount held (xs_vnode_put).
 */
int xs_vnode_lookup(const char *path, struct proc *p, struct vnode **vpp);
/*
 * vnode_open: open (and with O_CREAT create, mode cmode) a kernel path as
 * root.  Returns with an iocount and a usecount held; release with
 * xs_vnode_close(vp, fmode) which drops both.  fmode is FFLAGS (FREAD...).
 */
int xs_vnode_open(const char *path, int fmode, int cmode, struct vnode **vpp);
int xs_vnode_close(struct vnode *vp, int fmode);
/*
 * vn_open_auth: look up (and with O_CREAT in *fmodep create) ndp's path,
 * authorize the open for cred (NULL: the kernel), VNOP_OPEN it.  Returns 0
 * with an iocount and a usecount on ndp->ni_vp; ENOENT, EEXIST, EISDIR,
 * ENOTDIR, EACCES, ENAMETOOLONG, EFAULT.
 */
int xs_vn_open_auth(struct nameidata *ndp, int *fmodep, struct vnode_attr *vap,
		    const struct ucred *cred);
/* vn_rdwr: read or write len bytes of kernel memory at offset.  0 or errno. */
int xs_vn_rdwr(int rw, struct vnode *vp, void *base, int64_t len, off_t offset,
	       int64_t *aresid);
/* vn_stat: fill a Darwin struct stat64. */
int xs_vn_stat(struct vnode *vp, struct xnu_stat64 *sb);

#endif /* XS_SYS_VNODE_INTERNAL_H */
