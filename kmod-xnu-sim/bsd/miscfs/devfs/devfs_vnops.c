// SPDX-License-Identifier: BSD-2-Clause
/*
 * devfs_vnops.c: the device file system on /dev (console, null, zero) and
 * the spec vnops behind device vnodes: reads and writes go through the
 * character device switch to the console driver (the host's fds) or the
 * memory driver (/dev/null, /dev/zero).  Corresponds to
 * bsd/miscfs/devfs/devfs_vnops.c; spec_* to bsd/miscfs/specfs/spec_vnops.c.
 */
#include "kmod-xnu-sim/bsd/sys/vnode_internal.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"

#define makedev(x, y) ((int32_t)(((uint32_t)(x) << 24) | (uint32_t)(y)))
#define CONS_CHUNK 512		/* bytes moved per host read/write call */

static inline struct memfs_node *VTOM(struct vnode *vp) { return vp->v_data; }

/* A device node on devfs; returned with an iocount. */
static struct vnode *devfs_make_node(struct mount *mp, enum xs_cdev cdev, int32_t rdev,
				     uint16_t mode)
{
	struct vnode *vp = xs_vnode_create_node(mp, VCHR, mode, 0, 0);

	if (vp == NULL)
		return NULL;
	VTOM(vp)->mn_cdev = cdev;
	VTOM(vp)->mn_rdev = rdev;
	if (cdev == XS_CDEV_CONSOLE)
		vp->v_flag |= VISTTY;
	return vp;
}

static void devfs_add(struct mount *mp, struct vnode *dvp, const char *name, enum xs_cdev cdev,
		      int32_t rdev, uint16_t mode, int rfd, int wfd)
{
	struct vnode *vp = devfs_make_node(mp, cdev, rdev, mode);

	if (vp == NULL)
		osl_panic("devfs: out of memory for %s", name);
	VTOM(vp)->mn_cons_rfd = rfd;
	VTOM(vp)->mn_cons_wfd = wfd;
	xs_vfs_lock();
	xs_memfs_dir_link(dvp, vp, name);
	if (cdev == XS_CDEV_CONSOLE)
		xs_machine()->m_vfs.devfs_console = vp;
	xs_vnode_put_locked(vp);
	xs_vfs_unlock();
}

/*
 * Routine:    xs_devfs_mount
 * Purpose:    Mount devfs on the directory `covered` (/dev) with console
 *             (0,0), null (3,2) and zero (3,3), macOS's device numbers.
 */
struct mount *xs_devfs_mount(struct vnode *covered)
{
	XS_FUNC_AT(devfs_mount, "bsd/miscfs/devfs/devfs_vfsops.c");
	struct mount *mp = xs_zalloc(xs_machine()->m_vfs.mount_zone);
	struct vnode *root;

	if (mp == NULL)
		osl_panic("devfs_mount: out of memory");
	xs_strlcpy(mp->mnt_fstypename, "devfs", sizeof(mp->mnt_fstypename));
	mp->mnt_tag = VT_XS_DEVFS;
	mp->mnt_dev = 0x0f000000;
	mp->mnt_vnodecovered = covered;
	root = xs_vnode_create_node(mp, VDIR, 0555, 0, 0);
	if (root == NULL)
		osl_panic("devfs_mount: no root");
	root->v_flag |= VROOT;
	root->v_parent = root;
	VTOM(root)->mn_nlink = 2;
	mp->mnt_root = root;
	xs_vfs_lock();
	xs_vnode_put_locked(root);
	covered->v_mountedhere = mp;
	xs_vfs_unlock();
	devfs_add(mp, root, "console", XS_CDEV_CONSOLE, makedev(0, 0), 0600, 0, 1);
	devfs_add(mp, root, "null", XS_CDEV_NULL, makedev(3, 2), 0666, -1, -1);
	devfs_add(mp, root, "zero", XS_CDEV_NULL, makedev(3, 3), 0666, -1, -1);
	return mp;
}

struct vnode *xs_devfs_console_vnode(int hostfd)
{
	struct mount *mp = xs_machine()->m_vfs.devfs_mount;
	struct vnode *vp;

	if (mp == NULL)
		return NULL;
	vp = devfs_make_node(mp, XS_CDEV_CONSOLE, makedev(0, 0), 0620);
	if (vp) {
		VTOM(vp)->mn_cons_rfd = hostfd;
		VTOM(vp)->mn_cons_wfd = hostfd;
	}
	return vp;
}

int xs_devfs_lookup(struct vnode *dvp, struct vnode **vpp, struct componentname *cnp)
{
	XS_FUNC(devfs_lookup);
	return xs_memfs_lookup(dvp, vpp, cnp);
}

/* spec_open: the device's d_open (console and memory devices always open). */
int xs_devfs_open(struct vnode *vp, int fmode)
{
	XS_FUNC_AT(spec_open, "bsd/miscfs/specfs/spec_vnops.c");
	(void)vp;
	(void)fmode;
	return 0;
}

/* cnread: one host read on the console's fd, as a tty returns what is there. */
static int cnread(struct vnode *vp, struct uio *uio)
{
	XS_FUNC_AT(cnread, "bsd/dev/arm/cons.c");
	char buf[CONS_CHUNK];
	user_ssize_t want = xs_uio_resid(uio);
	long got;

	if (want <= 0)
		return 0;
	got = osl_console_read(VTOM(vp)->mn_cons_rfd, buf,
			       want < CONS_CHUNK ? (size_t)want : CONS_CHUNK);
	if (got < 0)
		return EIO;
	return xs_uiomove(buf, got, uio);
}

/* cnwrite: everything in the uio to the host fd, in chunks. */
static int cnwrite(struct vnode *vp, struct uio *uio)
{
	XS_FUNC_AT(cnwrite, "bsd/dev/arm/cons.c");
	char buf[CONS_CHUNK];

	while (xs_uio_resid(uio) > 0) {
		user_ssize_t n = xs_uio_resid(uio) < CONS_CHUNK ? xs_uio_resid(uio) : CONS_CHUNK;
		user_ssize_t done = 0;
		int error = xs_uiomove(buf, n, uio);

		if (error)
			return error;
		/* A tty may take less than asked: keep going until the chunk is out. */
		while (done < n) {
			long put = osl_console_write(VTOM(vp)->mn_cons_wfd, buf + done,
						     (size_t)(n - done));

			if (put <= 0)
				return EIO;
			done += put;
		}
	}
	return 0;
}

/* mmrw: /dev/null reads EOF and swallows writes; /dev/zero reads zeros. */
static int mmrw(struct vnode *vp, struct uio *uio)
{
	XS_FUNC_AT(mmrw, "bsd/dev/arm/mem.c");
	static const char zeros[CONS_CHUNK];

	if (uio->uio_rw == UIO_WRITE) {
		xs_uio_update(uio, xs_uio_resid(uio));
		return 0;
	}
	if ((VTOM(vp)->mn_rdev & 0xffffff) == 2)
		return 0;	/* null */
	while (xs_uio_resid(uio) > 0) {
		user_ssize_t n = xs_uio_resid(uio) < CONS_CHUNK ? xs_uio_resid(uio) : CONS_CHUNK;
		int error = xs_uiomove((void *)zeros, n, uio);

		if (error)
			return error;
	}
	return 0;
}

int xs_spec_read(struct vnode *vp, struct uio *uio, int ioflag)
{
	XS_FUNC_AT(spec_read, "bsd/miscfs/specfs/spec_vnops.c");
	(void)ioflag;
	return VTOM(vp)->mn_cdev == XS_CDEV_CONSOLE ? cnread(vp, uio) : mmrw(vp, uio);
}

int xs_spec_write(struct vnode *vp, struct uio *uio, int ioflag)
{
	XS_FUNC_AT(spec_write, "bsd/miscfs/specfs/spec_vnops.c");
	(void)ioflag;
	return VTOM(vp)->mn_cdev == XS_CDEV_CONSOLE ? cnwrite(vp, uio) : mmrw(vp, uio);
}
