// SPDX-License-Identifier: BSD-2-Clause
/*
 * kern_descrip.c: the per-process descriptor table.  An fd is a fileproc
 * (zone "fileproc") pointing at a fileglob (zone "fileglob") that dup, fork
 * and pipe ends share; the fileops (fo_*) dispatch on the fileglob's type.
 * Corresponds to bsd/kern/kern_descrip.c.
 */
#include "kmod-xnu-sim/bsd/sys/file_internal.h"
#include "kmod-xnu-sim/bsd/sys/vnode_internal.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#include "kmod-xnu-sim/security/mac_framework.h"
#include "xnusim/abi/stat.h"
#include "darwin/fcntl.h"
#include "darwin/misc.h"
#include "darwin/spawn.h"

static inline void proc_fdlock(struct proc *p) { xs_lck_mtx_lock(&p->p_fd.fd_lock); }
static inline void proc_fdunlock(struct proc *p) { xs_lck_mtx_unlock(&p->p_fd.fd_lock); }

/*
 * The RLIMIT_NOFILE soft limit.  XNU's bsd_init gives launchd NOFILE (256)
 * and every process inherits it; the model has no setrlimit yet, so the
 * limit is that default (docs/fidelity.md).
 */
int xs_proc_limitgetcur_nofile(struct proc *p)
{
	(void)p;
	return NOFILE;
}

/*
 * Routine:    xs_fdt_init
 * Purpose:    An empty descriptor table for a new proc: no fds, the umask
 *             CMASK, the root directory as cwd (a usecount).
 * Returns:    0.
 */
int xs_fdt_init(struct proc *p)
{
	XS_FUNC(fdt_init);
	struct filedesc *fdp = &p->p_fd;

	xs_memset(fdp, 0, sizeof(*fdp));
	xs_lck_mtx_init(&fdp->fd_lock);
	fdp->fd_lastfile = -1;
	fdp->fd_cmask = CMASK;
	fdp->fd_cdir = xs_rootvnode();
	if (fdp->fd_cdir)
		xs_vnode_ref(fdp->fd_cdir);
	return 0;
}

/* Grow the ofiles arrays to hold at least want+1 fds (fd_lock held). */
static int fdt_grow(struct filedesc *fdp, int want, int lim)
{
	int n = fdp->fd_nfiles < XS_NDEXTENT ? XS_NDEXTENT : 2 * fdp->fd_nfiles, onfiles;
	struct fileproc **nof, **ofiles;
	uint8_t *nfl, *oflags;

	while (n <= want)
		n *= 2;
	if (n > lim)
		n = lim;
	nof = xs_kalloc((size_t)n * sizeof(*nof));
	nfl = xs_kalloc((size_t)n);
	if (nof == NULL || nfl == NULL) {
		if (nof)
			xs_kfree(nof, (size_t)n * sizeof(*nof));
		if (nfl)
			xs_kfree(nfl, (size_t)n);
		return ENOMEM;
	}
	if (fdp->fd_nfiles) {
		xs_memcpy(nof, fdp->fd_ofiles, (size_t)fdp->fd_nfiles * sizeof(*nof));
		xs_memcpy(nfl, fdp->fd_ofileflags, (size_t)fdp->fd_nfiles);
	}
	/*
	 * Publish the new arrays before freeing the old ones: a process killed
	 * here leaves its reaper a table that is whole (the old arrays leak).
	 */
	ofiles = fdp->fd_ofiles;
	oflags = fdp->fd_ofileflags;
	fdp->fd_ofiles = nof;
	fdp->fd_ofileflags = nfl;
	onfiles = fdp->fd_nfiles;
	fdp->fd_nfiles = n;
	if (onfiles) {
		xs_kfree(ofiles, (size_t)onfiles * sizeof(*nof));
		xs_kfree(oflags, (size_t)onfiles);
	}
	return 0;
}

/*
 * Routine:    xs_fdalloc
 * Purpose:    Reserve the lowest free fd >= want (UF_RESERVED), growing the
 *             table up to the RLIMIT_NOFILE limit.
 * Conditions: fd_lock held.
 * Returns:    0, EMFILE, ENOMEM.
 */
int xs_fdalloc(struct proc *p, int want, int *result)
{
	XS_FUNC(fdalloc);
	struct filedesc *fdp = &p->p_fd;
	int lim = xs_proc_limitgetcur_nofile(p);
	int i = want > fdp->fd_freefile ? want : fdp->fd_freefile;

	for (;;) {
		for (; i < fdp->fd_nfiles && i < lim; i++) {
			if (fdp->fd_ofiles[i] == NULL && !(fdp->fd_ofileflags[i] & UF_RESERVED)) {
				fdp->fd_ofileflags[i] = UF_RESERVED;
				if (i > fdp->fd_lastfile)
					fdp->fd_lastfile = i;
				if (want <= fdp->fd_freefile)
					fdp->fd_freefile = i;
				*result = i;
				return 0;
			}
		}
		if (i >= lim || fdp->fd_nfiles >= lim)
			return EMFILE;
		if (fdt_grow(fdp, i, lim))
			return ENOMEM;
	}
}

/* fdrelse: free fd's slot (fd_lock held). */
static void fdrelse(struct proc *p, int fd)
{
	XS_FUNC(fdrelse);
	struct filedesc *fdp = &p->p_fd;

	fdp->fd_ofiles[fd] = NULL;
	fdp->fd_ofileflags[fd] = 0;
	if (fd < fdp->fd_freefile)
		fdp->fd_freefile = fd;
	while (fdp->fd_lastfile >= 0 && fdp->fd_ofiles[fdp->fd_lastfile] == NULL &&
	       !(fdp->fd_ofileflags[fdp->fd_lastfile] & UF_RESERVED))
		fdp->fd_lastfile--;
}

/*
 * A process can be killed anywhere (host SIGKILL), and its reaper
 * (fdt_invalidate for a P_LHOSTDEAD proc) then finds whatever its table
 * holds.  So a fileproc is born in its (UF_RESERVED) slot and freed from it
 * (xs_zalloc_into / xs_zfree_from), a new fileglob in its fileproc's
 * fp_glob, and a fileglob reference moves together with fp_glob under
 * fg_lock (fg_redo): nothing is ever held only in a dead thread's locals.
 */

/* fileproc_alloc_init: a fileproc born in *slot (fd_lock held). */
static struct fileproc *fileproc_alloc_init(struct fileproc **slot)
{
	XS_FUNC(fileproc_alloc_init);
	struct fileproc *fp = xs_zalloc_id_into(ZONE_ID_FILEPROC, slot);

	if (fp)
		fp->fp_iocount = 1;	/* the table's reference */
	return fp;
}

/* fileproc_free: free the fileproc in *slot (fd_lock held), emptying it. */
static void fileproc_free(struct fileproc **slot)
{
	XS_FUNC(fileproc_free);
	xs_zfree_id_from(ZONE_ID_FILEPROC, slot, NULL);
}

/*
 * fg_alloc_init: a fileglob holding a copy of the opener's credentials,
 * born in fp->fp_glob.  fg_count is set last: a fileglob with count 0 in
 * fp_glob is one whose creation was cut short.
 */
static struct fileglob *fg_alloc_init(struct proc *p, struct fileproc *fp)
{
	XS_FUNC(fg_alloc_init);
	struct fileglob *fg = xs_zalloc_id_into(ZONE_ID_FILEGLOB, &fp->fp_glob);

	if (fg == NULL)
		return NULL;
	xs_lck_mtx_init(&fg->fg_lock);
	fg->fg_cred = p->p_ucred;
	__atomic_store_n(&fg->fg_count, 1, __ATOMIC_RELEASE);
	return fg;
}

/* fg_free: free the fileglob in *slot (a fileproc's field), emptying it. */
static void fg_free(struct fileglob **slot)
{
	XS_FUNC(fg_free);
	xs_zfree_id_from(ZONE_ID_FILEGLOB, slot, NULL);
}

/* fg_lock, finishing a reference move a killed holder left half done. */
static void fg_lock(struct fileglob *fg)
{
	xs_lck_mtx_lock(&fg->fg_lock);
	(void)xs_redo_recover(&fg->fg_redo);
}

/* fg_ref: one more reference on fg, held by fp (fp_glob = fg). */
static void fg_ref(struct fileglob *fg, struct fileproc *fp)
{
	struct xs_redo *r = &fg->fg_redo;

	fp->fp_pendglob = fg;
	fg_lock(fg);
	xs_redo_begin(r);
	xs_redo_put32(r, &fg->fg_count, fg->fg_count + 1);
	xs_redo_putptr(r, &fp->fp_glob, fg);
	xs_redo_commit(r);
	xs_lck_mtx_unlock(&fg->fg_lock);
	fp->fp_pendglob = NULL;
}

/*
 * A killed process's fileproc may be named by the fg_redo of the lock it
 * was taking (fp_pendglob): finish that first, so fp reads as the reference
 * move's end and nothing writes into fp once it is freed.
 */
static void fp_settle_glob(struct fileproc *fp)
{
	struct fileglob *fg = fp->fp_pendglob;

	if (fg) {
		fg_lock(fg);
		xs_lck_mtx_unlock(&fg->fg_lock);
		fp->fp_pendglob = NULL;
	}
}

/*
 * Routine:    xs_falloc_withinit
 * Purpose:    Reserve an fd and allocate its fileproc and a new fileglob.
 * Returns:    0, EMFILE, ENOMEM, or the MAC policy's error.
 */
int xs_falloc_withinit(struct proc *p, struct fileproc **resultfp, int *resultfd)
{
	XS_FUNC(falloc_withinit);
	struct fileproc *fp;
	struct fileglob *fg;
	int fd, error;

	proc_fdlock(p);
	error = xs_fdalloc(p, 0, &fd);
	if (error) {
		proc_fdunlock(p);
		return error;
	}
	/* Both are born in the reserved slot: see fileproc_alloc_init. */
	fp = fileproc_alloc_init(&p->p_fd.fd_ofiles[fd]);
	fg = fp ? fg_alloc_init(p, fp) : NULL;
	proc_fdunlock(p);
	error = (fp && fg) ? xs_mac_file_check_create(&p->p_ucred) : ENOMEM;
	if (error) {
		proc_fdlock(p);
		if (fp) {
			fg_free(&fp->fp_glob);
			fileproc_free(&p->p_fd.fd_ofiles[fd]);
		}
		fdrelse(p, fd);
		proc_fdunlock(p);
		return error;
	}
	fp->fp_iocount++;	/* the caller's reference, dropped by fp_drop once published */
	*resultfp = fp;
	*resultfd = fd;
	return 0;
}

/* procfdtbl_releasefd: publish a reserved fd (fp is in its slot already). */
void xs_procfdtbl_releasefd(struct proc *p, int fd, struct fileproc *fp)
{
	XS_FUNC(procfdtbl_releasefd);

	proc_fdlock(p);
	p->p_fd.fd_ofiles[fd] = fp;
	p->p_fd.fd_ofileflags[fd] &= (uint8_t)~UF_RESERVED;
	proc_fdunlock(p);
}

/* fp_free: undo falloc_withinit for an fd that was never published. */
void xs_fp_free(struct proc *p, int fd, struct fileproc *fp)
{
	XS_FUNC(fp_free);

	proc_fdlock(p);
	fg_free(&fp->fp_glob);	/* never opened: nothing to fo_close */
	fileproc_free(&p->p_fd.fd_ofiles[fd]);
	fdrelse(p, fd);
	proc_fdunlock(p);
}

/*
 * Routine:    xs_fp_lookup
 * Purpose:    The fileproc at fd, with an iocount for the caller.
 * Conditions: fd_lock held if locked, else taken and dropped here.
 * Returns:    0 or EBADF.
 */
int xs_fp_lookup(struct proc *p, int fd, struct fileproc **resultfp, int locked)
{
	XS_FUNC(fp_lookup);
	struct filedesc *fdp = &p->p_fd;
	struct fileproc *fp;

	if (!locked)
		proc_fdlock(p);
	if (fd < 0 || fd >= fdp->fd_nfiles || (fp = fdp->fd_ofiles[fd]) == NULL ||
	    (fdp->fd_ofileflags[fd] & UF_RESERVED)) {
		if (!locked)
			proc_fdunlock(p);
		return EBADF;
	}
	fp->fp_iocount++;
	if (!locked)
		proc_fdunlock(p);
	*resultfp = fp;
	return 0;
}

/* fp_drop: release fp_lookup's iocount; wakes a close waiting in drain. */
int xs_fp_drop(struct proc *p, int fd, struct fileproc *fp, int locked)
{
	XS_FUNC(fp_drop);
	(void)fd;

	if (!locked)
		proc_fdlock(p);
	fp->fp_iocount--;
	if ((fp->fp_flags & FP_CLOSING) && fp->fp_iocount == 1)
		osl_event_signal(&fp->fp_drain_event, true);
	if (!locked)
		proc_fdunlock(p);
	return 0;
}

/* ---- fileops: dispatch on the fileglob's type (XNU: fg_ops) --------------- */

int xs_fo_read(struct fileproc *fp, struct uio *uio, int flags)
{
	XS_FUNC(fo_read);

	switch (fp->fp_glob->fg_type) {
	case DTYPE_VNODE:
		return xs_vn_read(fp, uio, flags);
	case DTYPE_PIPE:
		return xs_pipe_read(fp, uio, flags);
	default:
		return ENOTSUP;
	}
}

int xs_fo_write(struct fileproc *fp, struct uio *uio, int flags)
{
	XS_FUNC(fo_write);

	switch (fp->fp_glob->fg_type) {
	case DTYPE_VNODE:
		return xs_vn_write(fp, uio, flags);
	case DTYPE_PIPE:
		return xs_pipe_write(fp, uio, flags);
	default:
		return ENOTSUP;
	}
}

int xs_fo_close(struct fileglob *fg)
{
	XS_FUNC(fo_close);

	switch (fg->fg_type) {
	case DTYPE_VNODE:
		return xs_vn_closefile(fg);
	case DTYPE_PIPE:
		return xs_pipe_close(fg);
	default:
		return 0;
	}
}

int xs_fo_drain(struct fileproc *fp)
{
	XS_FUNC(fo_drain);

	if (fp->fp_glob->fg_type == DTYPE_PIPE)
		return xs_pipe_drain(fp);
	return 0;
}

/* fo_stat: XNU's fstat switch (vn_stat / pipe_stat). */
int xs_fo_stat(struct fileproc *fp, struct xnu_stat64 *sb)
{
	switch (fp->fp_glob->fg_type) {
	case DTYPE_VNODE:
		return xs_vn_stat(fp->fp_glob->fg_data, sb);
	case DTYPE_PIPE:
		return xs_pipe_stat(fp->fp_glob->fg_data, sb);
	default:
		return EBADF;
	}
}

/* ---- close ---------------------------------------------------------------- */

/* knote_fdclose: no kqueue in the model; kept so the close chain reads as XNU's. */
static void knote_fdclose(struct proc *p, int fd)
{
	XS_FUNC_AT(knote_fdclose, "bsd/kern/kern_event.c");
	(void)p;
	(void)fd;
}

/*
 * fileproc_drain: wait until fp's only reference is the table's.  fo_drain
 * wakes a pipe reader or writer blocked on this file so it can finish.
 * Conditions: fd_lock held; dropped while sleeping.
 */
static void fileproc_drain(struct proc *p, struct fileproc *fp)
{
	XS_FUNC(fileproc_drain);

	fp->fp_flags |= FP_CLOSING;
	/* A host-dead process's iocount holders died with it: nobody will drop them. */
	while (fp->fp_iocount > 1 && !(p->p_lflag & P_LHOSTDEAD)) {
		proc_fdunlock(p);
		xs_fo_drain(fp);
		proc_fdlock(p);
		if (fp->fp_iocount <= 1)
			break;
		/* Bounded sleeps: a drain wake-up raced with fo_drain is re-driven. */
		xs_thread_block_on(&fp->fp_drain_event, &p->p_fd.fd_lock,
				   osl_absolute_time() + 10000000ull, "fileproc drain");
	}
}

/*
 * fg_drop: drop fp's reference on its fileglob; the last one closes the
 * file (fo_close) and frees the fileglob.  The reference and fp_glob go
 * together (fg_redo); the last one moves to fp_lastglob until the fileglob
 * is freed.  Also finishes what a killed process left in fp (its reaper):
 * a fileglob whose creation was cut short (fg_count 0) is freed unopened,
 * one whose fo_close had begun (FG_TERM) is freed without a second close.
 * Returns fo_close's error.
 */
static int fg_drop(struct proc *p, struct fileproc *fp)
{
	XS_FUNC(fg_drop);
	struct fileglob *fg;
	struct xs_redo *r;
	int32_t left;
	int error = 0;

	(void)p;
	fp_settle_glob(fp);	/* a killed owner's half-done fg_ref / fg_drop */
	fg = fp->fp_glob;
	if (fg && __atomic_load_n(&fg->fg_count, __ATOMIC_ACQUIRE) == 0) {
		fg_free(&fp->fp_glob);
		return 0;
	}
	if (fg) {
		r = &fg->fg_redo;
		fp->fp_pendglob = fg;
		fg_lock(fg);
		/* The replay of a killed process's fg_drop may just have done ours. */
		if (fp->fp_glob == fg) {
			left = fg->fg_count - 1;
			xs_redo_begin(r);
			xs_redo_put32(r, &fg->fg_count, left);
			if (left == 0)
				xs_redo_putptr(r, &fp->fp_lastglob, fg);
			xs_redo_putptr(r, &fp->fp_glob, NULL);
			xs_redo_commit(r);
		}
		xs_lck_mtx_unlock(&fg->fg_lock);
		fp->fp_pendglob = NULL;
	}
	fg = fp->fp_lastglob;
	if (fg == NULL)
		return 0;
	if (!(fg->fg_lflags & FG_TERM)) {
		fg->fg_lflags |= FG_TERM;	/* a replay would close twice: leak instead */
		error = xs_fo_close(fg);
	}
	fg_free(&fp->fp_lastglob);
	return error;
}

/*
 * Routine:    fp_close_and_unlock
 * Purpose:    Close fd's fileproc fp: notify MACF and kqueue, drain users,
 *             drop the fileglob, free the fileproc and the slot.  XNU frees
 *             the slot and the fileproc before fg_drop; here they stay
 *             (reserved) until the fileglob is dropped, so a process killed
 *             mid-close leaves them to its reaper.
 * Conditions: fd_lock held on entry, dropped on return.
 */
static int fp_close_and_unlock(struct proc *p, int fd, struct fileproc *fp)
{
	XS_FUNC(fp_close_and_unlock);
	struct fileglob *fg = fp->fp_glob;
	int error;

	/* Reserve the slot so no one re-allocates fd while we drain. */
	p->p_fd.fd_ofileflags[fd] |= UF_RESERVED;
	xs_mac_file_notify_close(&fg->fg_cred, fg);
	knote_fdclose(p, fd);
	fileproc_drain(p, fp);
	proc_fdunlock(p);
	error = fg_drop(p, fp);
	proc_fdlock(p);
	fileproc_free(&p->p_fd.fd_ofiles[fd]);
	fdrelse(p, fd);
	proc_fdunlock(p);
	return error;
}

/*
 * A slot a killed thread left reserved (an open, dup or close cut short):
 * whatever fileproc and fileglob it holds go, as in a close.  The process
 * is P_LHOSTDEAD, so nobody else uses its table.  fd_lock held; dropped
 * and re-taken.
 */
static void fdt_reap_reserved(struct proc *p, int fd, struct fileproc *fp)
{
	proc_fdunlock(p);
	(void)fg_drop(p, fp);
	proc_fdlock(p);
	fileproc_free(&p->p_fd.fd_ofiles[fd]);
	fdrelse(p, fd);
}

/*
 * Routine:    xs_close_nocancel
 * Purpose:    close(2) without the cancellation point.
 * Returns:    0, EBADF, or the file system's close error.
 */
int xs_close_nocancel(struct proc *p, int fd)
{
	XS_FUNC(close_nocancel);
	struct filedesc *fdp = &p->p_fd;
	struct fileproc *fp;

	proc_fdlock(p);
	if (fd < 0 || fd >= fdp->fd_nfiles || (fp = fdp->fd_ofiles[fd]) == NULL ||
	    (fdp->fd_ofileflags[fd] & UF_RESERVED)) {
		proc_fdunlock(p);
		return EBADF;
	}
	return fp_close_and_unlock(p, fd, fp);
}

struct close_args { uint64_t fd; };

/*
 * Routine:    xs_sys_close  [BSD 6]  / xs_sys_close_nocancel  [BSD 399]
 * Purpose:    Close a descriptor.
 * Conditions: Nothing locked.
 * Returns:    0, EBADF.
 */
int xs_sys_close(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(sys_close);
	(void)retval;
	return xs_close_nocancel(p, (int)((struct close_args *)uap)->fd);
}

int xs_sys_close_nocancel(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(sys_close_nocancel);
	(void)retval;
	return xs_close_nocancel(p, (int)((struct close_args *)uap)->fd);
}

/* ---- table lifecycle: exit, fork, exec, attach ------------------------------ */

/*
 * Routine:    xs_fdt_invalidate
 * Purpose:    Close every descriptor and drop the cwd/root references
 *             (proc_exit).
 * Conditions: Nothing locked; no other thread of p is in a file call.
 */
void xs_fdt_invalidate(struct proc *p)
{
	XS_FUNC(fdt_invalidate);
	struct filedesc *fdp = &p->p_fd;
	bool hostdead = (p->p_lflag & P_LHOSTDEAD) != 0;
	struct vnode *cdir, *rdir;

	proc_fdlock(p);
	/* A killed process may have reserved slots past fd_lastfile. */
	for (int fd = hostdead ? fdp->fd_nfiles - 1 : fdp->fd_lastfile; fd >= 0; fd--) {
		struct fileproc *fp = fdp->fd_ofiles[fd];

		if (fp == NULL)
			continue;
		if (fdp->fd_ofileflags[fd] & UF_RESERVED) {
			if (hostdead)
				fdt_reap_reserved(p, fd, fp);
			continue;
		}
		(void)fp_close_and_unlock(p, fd, fp);
		proc_fdlock(p);
	}
	if (fdp->fd_nfiles) {
		xs_kfree(fdp->fd_ofiles, (size_t)fdp->fd_nfiles * sizeof(*fdp->fd_ofiles));
		xs_kfree(fdp->fd_ofileflags, (size_t)fdp->fd_nfiles);
	}
	fdp->fd_ofiles = NULL;
	fdp->fd_ofileflags = NULL;
	fdp->fd_nfiles = 0;
	fdp->fd_lastfile = -1;
	fdp->fd_freefile = 0;
	cdir = fdp->fd_cdir;
	rdir = fdp->fd_rdir;
	fdp->fd_cdir = fdp->fd_rdir = NULL;
	proc_fdunlock(p);
	if (cdir)
		xs_vnode_rele(cdir);
	if (rdir)
		xs_vnode_rele(rdir);
}

/*
 * Routine:    xs_fdt_fork
 * Purpose:    Copy p's table into the child's newfdp (see file_internal.h).
 * Returns:    0 or ENOMEM.
 */
int xs_fdt_fork(struct filedesc *newfdp, struct proc *p, struct vnode *uth_cdir, bool in_exec)
{
	XS_FUNC(fdt_fork);
	struct filedesc *fdp = &p->p_fd;
	struct vnode *cdir;
	int error = 0;

	(void)in_exec;
	proc_fdlock(p);
	newfdp->fd_cmask = fdp->fd_cmask;
	cdir = uth_cdir ? uth_cdir : fdp->fd_cdir;
	if (newfdp->fd_cdir != cdir) {
		if (newfdp->fd_cdir)
			xs_vnode_rele(newfdp->fd_cdir);
		newfdp->fd_cdir = cdir;
		if (cdir)
			xs_vnode_ref(cdir);
	}
	if (fdp->fd_rdir) {
		newfdp->fd_rdir = fdp->fd_rdir;
		xs_vnode_ref(newfdp->fd_rdir);
	}
	if (fdp->fd_lastfile >= 0 && newfdp->fd_nfiles <= fdp->fd_lastfile)
		error = fdt_grow(newfdp, fdp->fd_lastfile, xs_proc_limitgetcur_nofile(p));
	for (int fd = 0; error == 0 && fd <= fdp->fd_lastfile; fd++) {
		struct fileproc *ofp = fdp->fd_ofiles[fd], *nfp;

		if (ofp == NULL || (fdp->fd_ofileflags[fd] & UF_RESERVED) ||
		    (ofp->fp_flags & FP_CLOSING))
			continue;
		nfp = fileproc_alloc_init(&newfdp->fd_ofiles[fd]);
		if (nfp == NULL) {
			error = ENOMEM;
			break;
		}
		fg_ref(ofp->fp_glob, nfp);
		newfdp->fd_ofileflags[fd] = fdp->fd_ofileflags[fd] & (UF_EXCLOSE | UF_INHERIT);
		newfdp->fd_lastfile = fd;
	}
	newfdp->fd_freefile = 0;
	proc_fdunlock(p);
	return error;
}

/*
 * Routine:    xs_fdt_exec
 * Purpose:    Close-on-exec: FD_CLOEXEC fds, and with
 *             POSIX_SPAWN_CLOEXEC_DEFAULT every fd not marked UF_INHERIT.
 */
void xs_fdt_exec(struct proc *p, short posix_spawn_flags)
{
	XS_FUNC(fdt_exec);
	struct filedesc *fdp = &p->p_fd;
	bool cloexec_default = (posix_spawn_flags & POSIX_SPAWN_CLOEXEC_DEFAULT) != 0;

	proc_fdlock(p);
	for (int fd = fdp->fd_lastfile; fd >= 0; fd--) {
		struct fileproc *fp = fdp->fd_ofiles[fd];
		uint8_t fl = fdp->fd_ofileflags[fd];

		if (fp == NULL || (fl & UF_RESERVED))
			continue;
		if ((fl & UF_EXCLOSE) || (cloexec_default && !(fl & UF_INHERIT))) {
			(void)fp_close_and_unlock(p, fd, fp);
			proc_fdlock(p);
			continue;
		}
		fdp->fd_ofileflags[fd] &= (uint8_t)~UF_INHERIT;
	}
	proc_fdunlock(p);
}

/* Install a new fileglob on vnode vp at the lowest free fd. */
static int fdt_install_vnode(struct proc *p, struct vnode *vp, uint32_t fflags, int *fdout)
{
	struct fileproc *fp;
	int fd, error;

	error = xs_falloc_withinit(p, &fp, &fd);
	if (error)
		return error;
	fp->fp_glob->fg_flag = fflags;
	fp->fp_glob->fg_type = DTYPE_VNODE;
	fp->fp_glob->fg_data = vp;
	xs_procfdtbl_releasefd(p, fd, fp);
	xs_fp_drop(p, fd, fp, 0);
	*fdout = fd;
	return 0;
}

/*
 * Routine:    xs_fdt_attach_console
 * Purpose:    Give p descriptors 0, 1 and 2 on console vnodes that read and
 *             write the host process's own fds 0, 1 and 2.
 * Returns:    0, or EMFILE/ENOMEM; EBUSY if p already has fd 0-2.
 */
int xs_fdt_attach_console(struct proc *p)
{
	/* Model-only: XNU's launchd opens /dev/console itself. */
	for (int i = 0; i < 3; i++) {
		struct vnode *vp = xs_devfs_console_vnode(i);
		int fd, error;

		if (vp == NULL)
			return ENOMEM;
		xs_vnode_ref(vp);	/* the open file's usecount */
		error = fdt_install_vnode(p, vp, FREAD | FWRITE, &fd);
		xs_vnode_put(vp);
		if (error == 0 && fd != i) {
			(void)xs_close_nocancel(p, fd);
			error = EBUSY;
		}
		if (error) {
			if (error != EBUSY)
				xs_vnode_rele(vp);
			return error;
		}
	}
	return 0;
}

/*
 * xs_fp_get_vnode: the vnode behind fd for mmap (file_internal.h).
 */
int xs_fp_get_vnode(struct proc *p, int fd, struct vnode **vpp, int *fflags)
{
	struct fileproc *fp;
	int error;

	error = xs_fp_lookup(p, fd, &fp, 0);
	if (error)
		return error;
	if (fp->fp_glob->fg_type != DTYPE_VNODE) {
		xs_fp_drop(p, fd, fp, 0);
		return ENODEV;
	}
	*vpp = fp->fp_glob->fg_data;
	*fflags = (int)fp->fp_glob->fg_flag;
	error = xs_vnode_getwithref(*vpp);
	xs_fp_drop(p, fd, fp, 0);
	return error;
}

/* ---- dup, dup2, fcntl, fstat64 ---------------------------------------------- */

/*
 * finishdup: install a second fileproc on ofp's fileglob at the reserved
 * fd new.  Conditions: fd_lock held; consumes the iocount on ofp.
 */
static int finishdup(struct proc *p, int old, int new, struct fileproc *ofp, bool cloexec,
		     int32_t *retval)
{
	XS_FUNC(finishdup);
	/* Born in the reserved slot; clearing UF_RESERVED below publishes it. */
	struct fileproc *nfp = fileproc_alloc_init(&p->p_fd.fd_ofiles[new]);

	if (nfp == NULL) {
		fdrelse(p, new);
		xs_fp_drop(p, old, ofp, 1);
		return ENOMEM;
	}
	fg_ref(ofp->fp_glob, nfp);
	/* dup never copies close-on-exec: the new fd starts clear. */
	p->p_fd.fd_ofileflags[new] = cloexec ? UF_EXCLOSE : 0;
	xs_fp_drop(p, old, ofp, 1);
	*retval = new;
	return 0;
}

struct dup_args { uint64_t fd; };
struct dup2_args { uint64_t from, to; };

/*
 * Routine:    xs_sys_dup  [BSD 41]
 * Purpose:    A second fd, the lowest free, on the same open file.
 * Returns:    0, EBADF, EMFILE.
 */
int xs_sys_dup(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(sys_dup);
	int old = (int)((struct dup_args *)uap)->fd;
	struct fileproc *fp;
	int new, error;

	proc_fdlock(p);
	error = xs_fp_lookup(p, old, &fp, 1);
	if (error) {
		proc_fdunlock(p);
		return error;
	}
	error = xs_fdalloc(p, 0, &new);
	if (error) {
		xs_fp_drop(p, old, fp, 1);
		proc_fdunlock(p);
		return error;
	}
	error = finishdup(p, old, new, fp, false, retval);
	proc_fdunlock(p);
	return error;
}

/* dup2's step for a target slot: free it (closing what is there), reserve it. */
static int dup2_claim(struct proc *p, int new)
{
	struct filedesc *fdp = &p->p_fd;
	int got;

	for (;;) {
		if (new >= fdp->fd_nfiles) {
			int error = xs_fdalloc(p, new, &got);

			if (error)
				return error;
			if (got == new)
				return 0;
			fdrelse(p, got);	/* a lower hole: grow happened, retry */
			continue;
		}
		if (fdp->fd_ofileflags[new] & UF_RESERVED) {
			/* Another thread is opening or closing it: let it finish. */
			proc_fdunlock(p);
			proc_fdlock(p);
			continue;
		}
		if (fdp->fd_ofiles[new] != NULL) {
			(void)fp_close_and_unlock(p, new, fdp->fd_ofiles[new]);
			proc_fdlock(p);
			continue;
		}
		fdp->fd_ofileflags[new] = UF_RESERVED;
		if (new > fdp->fd_lastfile)
			fdp->fd_lastfile = new;
		return 0;
	}
}

/*
 * Routine:    xs_sys_dup2  [BSD 90]
 * Purpose:    Make fd `to` refer to `from`'s open file, closing `to` first.
 * Returns:    0, EBADF (bad from, or to out of range), EMFILE.
 */
int xs_sys_dup2(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(sys_dup2);
	struct dup2_args *a = uap;
	int old = (int)a->from;
	int64_t new64 = (int64_t)(int32_t)a->to;
	struct fileproc *fp;
	int error;

	proc_fdlock(p);
	error = xs_fp_lookup(p, old, &fp, 1);
	if (error)
		goto out;
	if (new64 < 0 || new64 >= xs_proc_limitgetcur_nofile(p)) {
		xs_fp_drop(p, old, fp, 1);
		error = EBADF;
		goto out;
	}
	if ((int)new64 == old) {
		xs_fp_drop(p, old, fp, 1);
		*retval = old;
		goto out;
	}
	error = dup2_claim(p, (int)new64);
	if (error) {
		xs_fp_drop(p, old, fp, 1);
		goto out;
	}
	error = finishdup(p, old, (int)new64, fp, false, retval);
out:
	proc_fdunlock(p);
	return error;
}

struct fcntl_args { uint64_t fd, cmd, arg; };

/* F_DUPFD / F_DUPFD_CLOEXEC: the lowest free fd >= arg. */
static int fcntl_dupfd(struct proc *p, int fd, struct fileproc *fp, int64_t arg, bool cloexec,
		       int32_t *retval)
{
	int new, error;

	if (arg < 0 || arg >= xs_proc_limitgetcur_nofile(p)) {
		xs_fp_drop(p, fd, fp, 1);
		return EINVAL;
	}
	error = xs_fdalloc(p, (int)arg, &new);
	if (error) {
		xs_fp_drop(p, fd, fp, 1);
		return error;
	}
	return finishdup(p, fd, new, fp, cloexec, retval);
}

/* The commands on fd flags and file status flags.  fd_lock held. */
static int fcntl_flags(struct proc *p, int fd, struct fileproc *fp, int cmd, int64_t arg,
		       int32_t *retval)
{
	struct fileglob *fg = fp->fp_glob;

	switch (cmd) {
	case F_GETFD:
		*retval = (p->p_fd.fd_ofileflags[fd] & UF_EXCLOSE) ? FD_CLOEXEC : 0;
		return 0;
	case F_SETFD:
		if (arg & FD_CLOEXEC)
			p->p_fd.fd_ofileflags[fd] |= UF_EXCLOSE;
		else
			p->p_fd.fd_ofileflags[fd] &= (uint8_t)~UF_EXCLOSE;
		return 0;
	case F_GETFL:
		*retval = (int32_t)(fg->fg_flag - 1);	/* OFLAGS() */
		return 0;
	case F_SETFL:
		/* FFLAGS(arg) & FCNTLFLAGS: only O_APPEND, O_NONBLOCK, O_ASYNC, O_*SYNC. */
		xs_lck_mtx_lock(&fg->fg_lock);
		fg->fg_flag &= ~(uint32_t)FCNTLFLAGS;
		fg->fg_flag |= (uint32_t)(((int32_t)arg + 1) & FCNTLFLAGS);
		xs_lck_mtx_unlock(&fg->fg_lock);
		return 0;
	case F_SETNOSIGPIPE:
		xs_lck_mtx_lock(&fg->fg_lock);
		if (arg)
			fg->fg_lflags |= FG_NOSIGPIPE;
		else
			fg->fg_lflags &= ~(uint32_t)FG_NOSIGPIPE;
		xs_lck_mtx_unlock(&fg->fg_lock);
		return 0;
	case F_GETNOSIGPIPE:
		*retval = (fg->fg_lflags & FG_NOSIGPIPE) ? 1 : 0;
		return 0;
	default:
		/* Locks, F_GETPATH, F_NOCACHE ...: not modeled (docs/fidelity.md). */
		return EINVAL;
	}
}

/*
 * Routine:    xs_sys_fcntl_nocancel  [BSD 406]  / xs_sys_fcntl  [BSD 92]
 * Purpose:    F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL, F_SETFL,
 *             F_GETNOSIGPIPE, F_SETNOSIGPIPE.
 * Conditions: Nothing locked.
 * Returns:    0, EBADF, EINVAL (bad argument or command), EMFILE.
 */
int xs_sys_fcntl_nocancel(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(sys_fcntl_nocancel);
	struct fcntl_args *a = uap;
	int fd = (int)a->fd, cmd = (int)a->cmd;
	int64_t arg = (int64_t)a->arg;
	struct fileproc *fp;
	int error;

	proc_fdlock(p);
	error = xs_fp_lookup(p, fd, &fp, 1);
	if (error) {
		proc_fdunlock(p);
		return error;
	}
	error = xs_mac_file_check_fcntl(&p->p_ucred, fp->fp_glob, cmd);
	if (error == 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)) {
		/* The argument is an int in XNU's switch. */
		error = fcntl_dupfd(p, fd, fp, (int64_t)(int32_t)arg, cmd == F_DUPFD_CLOEXEC,
				    retval);
		proc_fdunlock(p);
		return error;
	}
	if (error == 0)
		error = fcntl_flags(p, fd, fp, cmd, arg, retval);
	xs_fp_drop(p, fd, fp, 1);
	proc_fdunlock(p);
	return error;
}

int xs_sys_fcntl(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(sys_fcntl);
	return xs_sys_fcntl_nocancel(p, uap, retval);
}

struct fstat64_args { uint64_t fd, ub; };

/* fstat: the stat of any open file (vnode or pipe), copied out. */
static int fstat(struct proc *p, int fd, user_addr_t ub)
{
	XS_FUNC(fstat);
	struct xnu_stat64 sb;
	struct fileproc *fp;
	int error;

	error = xs_fp_lookup(p, fd, &fp, 0);
	if (error)
		return error;
	xs_memset(&sb, 0, sizeof(sb));
	if (fp->fp_glob->fg_type == DTYPE_VNODE) {
		struct vnode *vp = fp->fp_glob->fg_data;

		error = xs_vnode_getwithref(vp);
		if (error == 0) {
			error = xs_mac_vnode_check_stat(&fp->fp_glob->fg_cred, vp);
			if (error == 0)
				error = xs_fo_stat(fp, &sb);
			xs_vnode_put(vp);
		}
	} else {
		error = xs_fo_stat(fp, &sb);
	}
	xs_fp_drop(p, fd, fp, 0);
	if (error == 0 && osl_copyout(&sb, ub, sizeof(sb)) != 0)
		error = EFAULT;
	return error;
}

/*
 * Routine:    xs_sys_fstat64  [BSD 339]
 * Purpose:    struct stat64 of an open file.
 * Returns:    0, EBADF, EFAULT.
 */
int xs_sys_fstat64(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(sys_fstat64);
	struct fstat64_args *a = uap;

	(void)retval;
	return fstat(p, (int)a->fd, a->ub);
}
