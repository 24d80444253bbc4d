/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * file_internal.h: fileproc and fileglob, the API other subsystems use.
 * Corresponds to bsd/sys/file_internal.h.  The files engineer defines the
 * structs here; callers outside bsd/kern and bsd/vfs use only the functions.
 */
#ifndef XS_SYS_FILE_INTERNAL_H
#define XS_SYS_FILE_INTERNAL_H

#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/kern_types.h"
#include "kmod-xnu-sim/osfmk/kern/locks.h"
#include "kmod-xnu-sim/osfmk/kern/xs_redo.h"

struct proc;
struct vnode;
struct fileproc;
struct uio;
struct xnu_stat64;

/* fg type (XNU: fg_ops->fo_type, DTYPE_*).  fo_* dispatch on it. */
enum file_type {
	DTYPE_VNODE = 1,
	DTYPE_SOCKET = 2,
	DTYPE_PSXSHM = 3,
	DTYPE_PSXSEM = 4,
	DTYPE_KQUEUE = 5,
	DTYPE_PIPE = 6,
};

/* fg_lflags */
#define FG_TERM      0x01	/* the last reference went: fo_close has begun */
#define FG_NOSIGPIPE 0x40

/* fp_flags */
#define FP_CLOSING 0x0004	/* fp_close_and_unlock is draining it */

/*
 * struct fileglob: one open file, shared by dup'd and inherited fds (zone
 * "fileglob").  fg_count counts the fileprocs that point at it.
 */
struct fileglob {
	lck_mtx_t fg_lock;		/* fg_count, fg_flag, fg_offset (vn_offset_lock) */
	uint32_t fg_flag;		/* FREAD, FWRITE, FAPPEND, FNONBLOCK ... */
	int32_t fg_count;
	uint32_t fg_lflags;
	enum file_type fg_type;
	void *fg_data;			/* struct vnode or struct pipe */
	off_t fg_offset;
	struct ucred fg_cred;		/* the opener's credentials (a copy) */
	struct fg_vn_data *fg_vn_data;
	/*
	 * fg_count and the fileproc's fp_glob / fp_lastglob change together
	 * under fg_lock; a holder killed in between leaves this for the next
	 * locker to finish (kern_descrip.c, xs_redo.h).
	 */
	struct xs_redo fg_redo;
};

/* Per-open vnode state (fg_vn_data_alloc). */
struct fg_vn_data {
	off_t fv_offset;		/* directory offset for getdirentries */
	uint32_t fv_eofflag;
};

/*
 * struct fileproc: one fd's slot (zone "fileproc").  fp_iocount is 1 while
 * the fd is in the table, plus one per operation in flight (fp_lookup).
 */
struct fileproc {
	uint32_t fp_flags;
	int32_t fp_iocount;
	struct fileglob *fp_glob;
	/*
	 * Set instead of fp_glob when this fileproc dropped the fileglob's
	 * last reference: the fileglob is closed and freed from here, so a
	 * reaper finds it if the closing process is killed first.
	 */
	struct fileglob *fp_lastglob;
	/*
	 * The fileglob whose fg_lock fg_ref / fg_drop is taking for this
	 * fileproc: its fg_redo may still have to write here, so a reaper
	 * settles that lock before it frees the fileproc.
	 */
	struct fileglob *fp_pendglob;
	struct osl_event fp_drain_event;	/* fileproc_drain waits here */
};

#define XS_NDFILE   25		/* initial table size (NDFILE) */
#define XS_NDEXTENT 50		/* growth step (NDEXTENT) */

/*
 * fp_lookup: the fileproc at fd with an iocount held (fd_lock taken
 * unless locked).  EBADF.  Release with xs_fp_drop.
 */
int xs_fp_lookup(struct proc *p, int fd, struct fileproc **resultfp, int locked);
int xs_fp_drop(struct proc *p, int fd, struct fileproc *fp, int locked);
/* The fd limit of p (RLIMIT_NOFILE soft limit). */
int xs_proc_limitgetcur_nofile(struct proc *p);
/* close_nocancel: close fd of p.  0 or EBADF. */
int xs_close_nocancel(struct proc *p, int fd);
/*
 * falloc_withinit: reserve the lowest free fd and a fileproc + fileglob
 * (fg_count 1, fg_cred from p).  The fd stays UF_RESERVED until
 * xs_procfdtbl_releasefd; undo with xs_fp_free.
 */
int xs_falloc_withinit(struct proc *p, struct fileproc **resultfp, int *resultfd);
void xs_procfdtbl_releasefd(struct proc *p, int fd, struct fileproc *fp);
void xs_fp_free(struct proc *p, int fd, struct fileproc *fp);
int xs_fdalloc(struct proc *p, int want, int *result);	/* fd_lock held */

/* fileops, dispatched on fg_type. */
int xs_fo_read(struct fileproc *fp, struct uio *uio, int flags);
int xs_fo_write(struct fileproc *fp, struct uio *uio, int flags);
int xs_fo_close(struct fileglob *fg);
int xs_fo_drain(struct fileproc *fp);
int xs_fo_stat(struct fileproc *fp, struct xnu_stat64 *sb);

/* vnode fileops (vfs_vnops.c) */
int xs_vn_read(struct fileproc *fp, struct uio *uio, int flags);
int xs_vn_write(struct fileproc *fp, struct uio *uio, int flags);
int xs_vn_closefile(struct fileglob *fg);
int xs_vn_close(struct vnode *vp, int flags);
struct fg_vn_data *xs_fg_vn_data_alloc(void);
/* pipe fileops (sys_pipe.c) */
int xs_pipe_read(struct fileproc *fp, struct uio *uio, int flags);
int xs_pipe_write(struct fileproc *fp, struct uio *uio, int flags);
int xs_pipe_close(struct fileglob *fg);
int xs_pipe_drain(struct fileproc *fp);
int xs_pipe_stat(void *cpipe, struct xnu_stat64 *sb);

/*
 * fdt_fork: copy p's descriptor table into newfdp (the child's, fresh from
 * fdt_init): each fd gets a new fileproc sharing the parent's fileglob;
 * the child's cwd is uth_cdir or p's.  0 or ENOMEM.
 */
int xs_fdt_fork(struct filedesc *newfdp, struct proc *p, struct vnode *uth_cdir,
		bool in_exec);
/*
 * fdt_exec: close FD_CLOEXEC descriptors, and with POSIX_SPAWN_CLOEXEC_DEFAULT
 * in posix_spawn_flags every descriptor not marked UF_INHERIT.
 */
void xs_fdt_exec(struct proc *p, short posix_spawn_flags);

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
