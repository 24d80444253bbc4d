/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * file_internal.h: fileproc and fileglob, the API other subsystems use.
 * Corresponds to bsd/sys/file_internal.h.  The files engineer defines the
 * structs here; callers outside bsd/kern and bsd/vfs use only the functions.
 */
#ifndef XS_SYS_FILE_INTERNAL_H
#define XS_SYS_FILE_INTERNAL_H

#include "kmod-xnu-sim/osfmk/kern/kern_types.h"

struct proc;
struct vnode;
struct fileproc;

/* fdt_init: an empty table for a new proc (cwd = root).  0 or errno. */
int xs_fdt_init(struct proc *p);
/* fdt_invalidate: close every descriptor (proc_exit). */
void xs_fdt_invalidate(struct proc *p);
/* Give p descriptors 0-2 on console vnodes writing to the host's fds 0-2. */
int xs_fdt_attach_console(struct proc *p);

/*
 * For mmap: the vnode behind fd with an iocount held (release with
 * xs_vnode_put) and the open file's FREAD/FWRITE flags.  EBADF, or ENODEV
 * when fd is not a vnode.
 */
int xs_fp_get_vnode(struct proc *p, int fd, struct vnode **vpp, int *fflags);
void xs_vnode_put(struct vnode *vp);

/*
 * ubc_getobject, simplified: a regular file's contents live in page-aligned
 * kernel memory.  *kaddr / *size describe them (size is the file size; the
 * backing is rounded up to pages).  EINVAL for non-regular files.
 */
int xs_ubc_getobject(struct vnode *vp, void **kaddr, uint64_t *size);

#endif /* XS_SYS_FILE_INTERNAL_H */
