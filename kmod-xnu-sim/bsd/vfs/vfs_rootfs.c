// SPDX-License-Identifier: BSD-2-Clause
/*
 * vfs_rootfs.c: the root file system's contents.  XNU mounts an APFS volume
 * holding /usr/lib/dyld, /bin/sh and the rest; the simulator's root is an
 * in-memory file system, so at boot it is filled from the manifest the
 * build wrote (kmod-xnu-sim/rootfs/manifest.tsv, copied with the images into
 * the platform's root directory): one line per entry, "path mode uid:gid
 * kind source", kind being dir, dyld, macho (an image bound to an ELF
 * program), script or file.  Simulator only: bsd_init calls it right after
 * vfs_mountroot.
 */
#include "kmod-xnu-sim/bsd/vfs/vfs_rootfs.h"

#include "kmod-xnu-sim/bsd/sys/file_internal.h"
#include "kmod-xnu-sim/bsd/sys/vnode_internal.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"

#include "darwin/fcntl.h"

#define XS_ROOTFS_MANIFEST_MAX (256u * 1024)
#define XS_ROOTFS_CHUNK        (64u * 1024)

/* Split "dir/name" at its last slash: the parent's vnode (iocount) and name. */
static int rootfs_parent(const char *path, struct vnode **dvpp, const char **name)
{
	char parent[XS_MAXPATHLEN];
	const char *slash = NULL;
	size_t n;

	for (const char *s = path; *s; s++)
		if (*s == '/')
			slash = s;
	if (path[0] != '/' || !slash || !slash[1])
		return EINVAL;
	n = (size_t)(slash - path);
	if (n >= sizeof(parent))
		return ENAMETOOLONG;
	xs_memcpy(parent, path, n);
	parent[n ? n : 1] = '\0';
	if (n == 0)
		parent[0] = '/';
	*name = slash + 1;
	return xs_vnode_lookup(parent, NULL, dvpp);
}

static void rootfs_set_owner(struct vnode *vp, uint16_t mode, uid_t uid, gid_t gid)
{
	struct memfs_node *mn = vp->v_data;

	xs_lck_mtx_lock(&vp->v_lock);
	mn->mn_mode = mode & 07777;
	mn->mn_uid = uid;
	mn->mn_gid = gid;
	xs_lck_mtx_unlock(&vp->v_lock);
}

int xs_rootfs_mkdir(const char *path, uint16_t mode, uid_t uid, gid_t gid)
{
	struct vnode *dvp, *vp;
	const char *name;
	int error;

	if (xs_vnode_lookup(path, NULL, &vp) == 0) {
		error = vp->v_type == VDIR ? 0 : EEXIST;
		if (error == 0)
			rootfs_set_owner(vp, mode, uid, gid);
		xs_vnode_put(vp);
		return error;
	}
	error = rootfs_parent(path, &dvp, &name);
	if (error)
		return error;
	if (dvp->v_type != VDIR) {
		xs_vnode_put(dvp);
		return ENOTDIR;
	}
	vp = xs_vnode_create_node(dvp->v_mount, VDIR, mode & 07777, uid, gid);
	if (!vp) {
		xs_vnode_put(dvp);
		return ENOMEM;
	}
	xs_vfs_lock();
	xs_memfs_dir_link(dvp, vp, name);
	xs_vnode_put_locked(vp);
	xs_vfs_unlock();
	xs_vnode_put(dvp);
	return 0;
}

/* Create (or truncate) path as the kernel and hand back its vnode. */
static int rootfs_create(const char *path, uint16_t mode, uid_t uid, gid_t gid,
			 struct vnode **vpp)
{
	int error = xs_vnode_open(path, FWRITE | O_CREAT, mode & 0777, vpp);

	if (error)
		return error;
	error = xs_VNOP_SETATTR_SIZE(*vpp, 0);
	if (error) {
		xs_vnode_close(*vpp, FWRITE);
		return error;
	}
	rootfs_set_owner(*vpp, mode, uid, gid);
	return 0;
}

int xs_rootfs_install(const char *path, uint16_t mode, uid_t uid, gid_t gid,
		      const void *data, uint64_t size)
{
	XS_FUNC(rootfs_install);	/* simulator only */
	struct vnode *vp;
	int64_t resid = 0;
	int error = rootfs_create(path, mode, uid, gid, &vp);

	if (error)
		return error;
	if (size)
		error = xs_vn_rdwr(UIO_WRITE, vp, (void *)(uintptr_t)data, (int64_t)size, 0, &resid);
	if (error == 0 && resid)
		error = EIO;
	xs_vnode_close(vp, FWRITE);
	return error;
}

/* Copy the host file behind path (root-relative) into a new file, in chunks. */
static int rootfs_copy_in(const char *path, uint16_t mode, uid_t uid, gid_t gid, char *buf)
{
	struct vnode *vp;
	uint64_t off = 0;
	int error = rootfs_create(path, mode, uid, gid, &vp);

	if (error)
		return error;
	while (error == 0) {
		long n = osl_rootfs_read(path + 1, buf, XS_ROOTFS_CHUNK, off);

		if (n < 0)
			error = ENOENT;
		if (n <= 0)
			break;
		error = xs_vn_rdwr(UIO_WRITE, vp, buf, n, (off_t)off, NULL);
		off += (uint64_t)n;
	}
	xs_vnode_close(vp, FWRITE);
	return error;
}

/* Fields of one manifest line, split in place on tabs. */
static int rootfs_split(char *line, char **f, int max)
{
	int n = 0;

	while (n < max) {
		f[n++] = line;
		while (*line && *line != '\t')
			line++;
		if (!*line)
			break;
		*line++ = '\0';
	}
	return n;
}

static uint32_t parse_num(const char *s, unsigned base, const char **end)
{
	uint32_t v = 0;

	for (; *s >= '0' && *s <= (base == 8 ? '7' : '9'); s++)
		v = v * base + (uint32_t)(*s - '0');
	if (end)
		*end = s;
	return v;
}

/* One entry: "path mode uid:gid kind [source]".  0, or the errno it hit. */
static int rootfs_entry(char *line, char *buf)
{
	char *f[5];
	const char *e;
	uint32_t mode, uid, gid;

	if (line[0] == '#' || line[0] == '\0')
		return -1;
	if (rootfs_split(line, f, 5) < 4 || f[0][0] != '/')
		return EINVAL;
	mode = parse_num(f[1], 8, NULL);
	uid = parse_num(f[2], 10, &e);
	gid = *e == ':' ? parse_num(e + 1, 10, NULL) : 0;
	if (xs_strcmp(f[3], "dir") == 0)
		return xs_rootfs_mkdir(f[0], (uint16_t)mode, uid, gid);
	return rootfs_copy_in(f[0], (uint16_t)mode, uid, gid, buf);
}

int xs_vfs_rootfs_populate(void)
{
	XS_FUNC(vfs_rootfs_populate);	/* simulator only */
	char *man = xs_kmem_alloc(XS_ROOTFS_MANIFEST_MAX);
	char *buf = xs_kmem_alloc(XS_ROOTFS_CHUNK);
	char *line, *nl;
	long n;
	int made = 0;

	if (!man || !buf) {
		made = -ENOMEM;
		goto out;
	}
	n = osl_rootfs_read("manifest.tsv", man, XS_ROOTFS_MANIFEST_MAX - 1, 0);
	if (n < 0) {
		osl_log("rootfs: no manifest: the root file system stays bare");
		goto out;
	}
	man[n] = '\0';
	for (line = man; *line; line = nl) {
		int error;

		for (nl = line; *nl && *nl != '\n'; nl++)
			;
		if (*nl)
			*nl++ = '\0';
		error = rootfs_entry(line, buf);
		if (error > 0)
			osl_log("rootfs: %s: error %d", line, error);
		else if (error == 0)
			made++;
	}
out:
	if (man)
		xs_kmem_free(man, XS_ROOTFS_MANIFEST_MAX);
	if (buf)
		xs_kmem_free(buf, XS_ROOTFS_CHUNK);
	return made;
}
