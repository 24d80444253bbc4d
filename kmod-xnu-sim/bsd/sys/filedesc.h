/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * filedesc.h: the per-process descriptor table.  Corresponds to
 * bsd/sys/filedesc.h.  fd_ofiles[] holds fileprocs (zone "fileproc"); each
 * points at a fileglob (zone "fileglob") that dup and fork share.
 */
#ifndef XS_SYS_FILEDESC_H
#define XS_SYS_FILEDESC_H

#include "kmod-xnu-sim/osfmk/kern/kern_types.h"
#include "kmod-xnu-sim/osfmk/kern/locks.h"

struct fileproc;
struct vnode;

#define UF_EXCLOSE 0x01	/* FD_CLOEXEC */
#define UF_RESERVED 0x04	/* allocated by fdalloc, not yet published */
#define UF_INHERIT 0x40	/* posix_spawn: survives CLOEXEC_DEFAULT */

struct filedesc {
	lck_mtx_t fd_lock;
	struct fileproc **fd_ofiles;	/* kalloc'd array of fd_nfiles */
	uint8_t *fd_ofileflags;		/* UF_* per fd */
	int fd_nfiles;
	int fd_lastfile;		/* highest fd in use, -1 */
	int fd_freefile;		/* lowest fd that may be free */
	struct vnode *fd_cdir;		/* current directory (a reference) */
	struct vnode *fd_rdir;		/* root directory, or NULL */
	mode_t fd_cmask;		/* umask */
};

#endif /* XS_SYS_FILEDESC_H */
