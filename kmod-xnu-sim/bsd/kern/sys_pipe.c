// SPDX-License-Identifier: BSD-2-Clause
/*
 * sys_pipe.c: anonymous pipes.  pipe() makes a pipepair (zone "pipe zone")
 * and two fds, read end first.  A write queues bytes in the peer's ring
 * buffer (PIPE_SIZE, allocated on the first write), blocking when it is
 * full; a read blocks while it is empty and returns 0 once the writer is
 * gone.  Corresponds to bsd/kern/sys_pipe.c.
 */
#include "kmod-xnu-sim/bsd/sys/file_internal.h"
#include "kmod-xnu-sim/bsd/sys/pipe.h"
#include "kmod-xnu-sim/bsd/sys/uio_internal.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#include "xnusim/abi/stat.h"
#include "darwin/fcntl.h"
#include "darwin/stat.h"

static void pipe_init_end(struct pipepair *pp, struct pipe *cpipe, struct pipe *peer)
{
	uint64_t now = osl_absolute_time();

	cpipe->pipe_peer = peer;
	cpipe->pipe_mtx = &pp->pp_mtx;
	cpipe->st_atime = cpipe->st_mtime = cpipe->st_ctime = now;
}

/* pipepair_alloc: both ends and their shared mutex in one zone element. */
static struct pipepair *pipepair_alloc(void)
{
	XS_FUNC(pipepair_alloc);
	struct pipepair *pp = xs_zalloc_id(ZONE_ID_PIPE);

	if (pp == NULL)
		return NULL;
	xs_lck_mtx_init(&pp->pp_mtx);
	pipe_init_end(pp, &pp->pp_rpipe, &pp->pp_wpipe);
	pipe_init_end(pp, &pp->pp_wpipe, &pp->pp_rpipe);
	pp->pp_ends = 2;
	return pp;
}

static void pipepair_free(struct pipepair *pp)
{
	struct pipe *ends[2] = { &pp->pp_rpipe, &pp->pp_wpipe };

	for (int i = 0; i < 2; i++) {
		if (ends[i]->pipe_buffer.buffer)
			xs_kmem_free(ends[i]->pipe_buffer.buffer, ends[i]->pipe_buffer.size);
	}
	xs_zfree_id(ZONE_ID_PIPE, pp);
}

static struct pipepair *pipe_pair_of(struct pipe *cpipe)
{
	return xs_container_of(cpipe->pipe_mtx, struct pipepair, pp_mtx);
}

/* One end as a new fd (reserved, not yet published). */
static int pipe_falloc(struct proc *p, struct pipe *end, uint32_t flag, struct fileproc **fpp,
		       int *fdp)
{
	int error = xs_falloc_withinit(p, fpp, fdp);

	if (error)
		return error;
	(*fpp)->fp_glob->fg_flag = flag;
	(*fpp)->fp_glob->fg_type = DTYPE_PIPE;
	(*fpp)->fp_glob->fg_data = end;
	return 0;
}

/*
 * Routine:    xs_pipe  [BSD 42]
 * Purpose:    A pipe: retval[0] the read end, retval[1] the write end.
 * Conditions: Nothing locked.
 * Returns:    0, EMFILE, ENFILE (no memory for the pair).
 */
int xs_pipe(struct proc *p, void *uap, int32_t *retval)
{
	XS_FUNC(pipe);
	struct fileproc *rf, *wf;
	struct pipepair *pp;
	int rfd, wfd, error;

	(void)uap;
	pp = pipepair_alloc();
	if (pp == NULL)
		return ENFILE;
	error = pipe_falloc(p, &pp->pp_rpipe, FREAD, &rf, &rfd);
	if (error) {
		pipepair_free(pp);
		return error;
	}
	error = pipe_falloc(p, &pp->pp_wpipe, FWRITE, &wf, &wfd);
	if (error) {
		xs_fp_free(p, rfd, rf);
		pipepair_free(pp);
		return error;
	}
	retval[0] = rfd;
	retval[1] = wfd;
	xs_procfdtbl_releasefd(p, rfd, rf);
	xs_procfdtbl_releasefd(p, wfd, wf);
	xs_fp_drop(p, rfd, rf, 0);
	xs_fp_drop(p, wfd, wf, 0);
	return 0;
}

/* Sleep on the buffer's event.  pipe_mtx held; EINTR when a signal arrives. */
static int pipe_sleep(struct pipe *bufpipe, uint32_t want, const char *reason)
{
	bufpipe->pipe_state |= want;
	if (xs_thread_block_on(&bufpipe->pipe_event, bufpipe->pipe_mtx, 0, reason) ==
	    THREAD_INTERRUPTED)
		return EINTR;
	return 0;
}

static void pipe_wakeup(struct pipe *bufpipe, uint32_t want)
{
	if (bufpipe->pipe_state & want) {
		bufpipe->pipe_state &= ~want;
		osl_event_signal(&bufpipe->pipe_event, true);
	}
}

/* Move queued bytes out to the uio (at most two ring segments). */
static int pipe_copyout(struct pipe *rpipe, struct uio *uio, user_ssize_t *moved)
{
	struct pipebuf *b = &rpipe->pipe_buffer;

	while (b->cnt > 0 && xs_uio_resid(uio) > 0) {
		uint32_t seg = b->size - b->out < b->cnt ? b->size - b->out : b->cnt;
		user_ssize_t n = xs_uio_resid(uio) < seg ? xs_uio_resid(uio) : seg;
		user_ssize_t before = xs_uio_resid(uio);
		int error = xs_uiomove(b->buffer + b->out, n, uio);

		n = before - xs_uio_resid(uio);
		b->out = (b->out + (uint32_t)n) % b->size;
		b->cnt -= (uint32_t)n;
		*moved += n;
		if (error)
			return error;
	}
	return 0;
}

/*
 * Routine:    xs_pipe_read  (fo_read for DTYPE_PIPE)
 * Purpose:    Take bytes from this end's buffer; block while it is empty and
 *             a writer remains.
 * Returns:    0 (0 bytes at EOF), EAGAIN (O_NONBLOCK, empty), EINTR, EFAULT.
 */
int xs_pipe_read(struct fileproc *fp, struct uio *uio, int flags)
{
	XS_FUNC(pipe_read);
	struct pipe *rpipe = fp->fp_glob->fg_data;
	user_ssize_t nread = 0;
	int error = 0;

	(void)flags;
	xs_lck_mtx_lock(rpipe->pipe_mtx);
	while (xs_uio_resid(uio) > 0) {
		if (rpipe->pipe_buffer.cnt > 0) {
			error = pipe_copyout(rpipe, uio, &nread);
			pipe_wakeup(rpipe, PIPE_WANTW);
			if (error)
				break;
			continue;
		}
		if (nread > 0 || (rpipe->pipe_state & (PIPE_EOF | PIPE_DRAIN)))
			break;
		if (fp->fp_glob->fg_flag & FNONBLOCK) {
			error = EAGAIN;
			break;
		}
		error = pipe_sleep(rpipe, PIPE_WANTR, "pipe read");
		if (error)
			break;
	}
	if (nread > 0)
		rpipe->st_atime = osl_absolute_time();
	xs_lck_mtx_unlock(rpipe->pipe_mtx);
	return error;
}

/* Queue bytes from the uio into wpipe's ring, up to `space`. */
static int pipe_copyin(struct pipe *wpipe, struct uio *uio, uint32_t space)
{
	struct pipebuf *b = &wpipe->pipe_buffer;

	while (space > 0 && xs_uio_resid(uio) > 0) {
		uint32_t seg = b->size - b->in < space ? b->size - b->in : space;
		user_ssize_t n = xs_uio_resid(uio) < seg ? xs_uio_resid(uio) : seg;
		user_ssize_t before = xs_uio_resid(uio);
		int error = xs_uiomove(b->buffer + b->in, n, uio);

		n = before - xs_uio_resid(uio);
		b->in = (b->in + (uint32_t)n) % b->size;
		b->cnt += (uint32_t)n;
		space -= (uint32_t)n;
		if (error)
			return error;
	}
	return 0;
}

/* pipespace: the ring buffer, on first use.  pipe_mtx held. */
static int pipespace(struct pipe *wpipe, uint32_t size)
{
	XS_FUNC(pipespace);

	if (wpipe->pipe_buffer.buffer)
		return 0;
	wpipe->pipe_buffer.buffer = xs_kmem_alloc(size);
	if (wpipe->pipe_buffer.buffer == NULL)
		return ENOMEM;
	wpipe->pipe_buffer.size = size;
	return 0;
}

/*
 * Routine:    xs_pipe_write  (fo_write for DTYPE_PIPE)
 * Purpose:    Queue bytes for the reader; writes up to PIPE_BUF are atomic.
 * Returns:    0, EPIPE (no reader; the caller raises SIGPIPE), EAGAIN,
 *             EINTR, EFAULT, ENOMEM.
 */
int xs_pipe_write(struct fileproc *fp, struct uio *uio, int flags)
{
	XS_FUNC(pipe_write);
	struct pipe *cpipe = fp->fp_glob->fg_data;
	struct pipe *wpipe = cpipe->pipe_peer;
	int error = 0;

	(void)flags;
	xs_lck_mtx_lock(cpipe->pipe_mtx);
	error = pipespace(wpipe, PIPE_SIZE);
	while (error == 0 && xs_uio_resid(uio) > 0) {
		uint32_t space;

		if (wpipe->pipe_state & (PIPE_DEAD | PIPE_DRAIN | PIPE_EOF) ||
		    (cpipe->pipe_state & PIPE_DRAIN)) {
			error = EPIPE;
			break;
		}
		space = wpipe->pipe_buffer.size - wpipe->pipe_buffer.cnt;
		if (space < xs_uio_resid(uio) && xs_uio_resid(uio) <= XS_PIPE_BUF)
			space = 0;	/* keep a small write in one piece */
		if (space > 0) {
			error = pipe_copyin(wpipe, uio, space);
			wpipe->st_mtime = osl_absolute_time();
			pipe_wakeup(wpipe, PIPE_WANTR);
			continue;
		}
		if (fp->fp_glob->fg_flag & FNONBLOCK) {
			error = EAGAIN;
			break;
		}
		error = pipe_sleep(wpipe, PIPE_WANTW, "pipe write");
	}
	xs_lck_mtx_unlock(cpipe->pipe_mtx);
	return error;
}

/*
 * Routine:    xs_pipe_close  (fo_close for DTYPE_PIPE)
 * Purpose:    This end is gone: the peer sees EOF (reader) or EPIPE
 *             (writer).  The pair is freed with its last end.
 */
int xs_pipe_close(struct fileglob *fg)
{
	XS_FUNC(pipe_close);
	struct pipe *cpipe = fg->fg_data;
	struct pipe *ppipe = cpipe->pipe_peer;
	struct pipepair *pp = pipe_pair_of(cpipe);
	bool last;

	xs_lck_mtx_lock(&pp->pp_mtx);
	cpipe->pipe_state |= PIPE_DEAD | PIPE_EOF;
	ppipe->pipe_state |= PIPE_EOF;
	/* Wake everyone on either buffer so they re-check the state. */
	osl_event_signal(&cpipe->pipe_event, true);
	osl_event_signal(&ppipe->pipe_event, true);
	last = --pp->pp_ends == 0;
	xs_lck_mtx_unlock(&pp->pp_mtx);
	if (last)
		pipepair_free(pp);
	return 0;
}

/*
 * pipe_drain: a close is waiting for a thread blocked on this end.  If this
 * is the end's last fd, mark both ends draining and wake the sleepers.
 */
int xs_pipe_drain(struct fileproc *fp)
{
	XS_FUNC(pipe_drain);
	struct pipe *cpipe = fp->fp_glob->fg_data;

	if (fp->fp_glob->fg_count > 1)
		return 1;
	xs_lck_mtx_lock(cpipe->pipe_mtx);
	cpipe->pipe_state |= PIPE_DRAIN;
	cpipe->pipe_peer->pipe_state |= PIPE_DRAIN;
	osl_event_signal(&cpipe->pipe_event, true);
	osl_event_signal(&cpipe->pipe_peer->pipe_event, true);
	xs_lck_mtx_unlock(cpipe->pipe_mtx);
	return 0;
}

/* pipe_stat: a FIFO, rw for owner and group, st_size = bytes queued. */
int xs_pipe_stat(void *data, struct xnu_stat64 *sb)
{
	XS_FUNC(pipe_stat);
	struct pipe *cpipe = data;
	uint32_t bsize;

	xs_lck_mtx_lock(cpipe->pipe_mtx);
	bsize = cpipe->pipe_buffer.size ? cpipe->pipe_buffer.size : PIPE_SIZE;
	xs_memset(sb, 0, sizeof(*sb));
	sb->st_mode = S_IFIFO | S_IRUSR | S_IWUSR | S_IRGRP | S_IWGRP;
	sb->st_nlink = 1;
	sb->st_blksize = (int32_t)bsize;
	sb->st_size = cpipe->pipe_buffer.cnt;
	sb->st_blocks = (sb->st_size + sb->st_blksize - 1) / sb->st_blksize;
	sb->st_ino = (uint64_t)(uintptr_t)cpipe;
	sb->st_atimespec.tv_sec = (int64_t)(cpipe->st_atime / 1000000000ull);
	sb->st_mtimespec.tv_sec = (int64_t)(cpipe->st_mtime / 1000000000ull);
	sb->st_ctimespec.tv_sec = (int64_t)(cpipe->st_ctime / 1000000000ull);
	xs_lck_mtx_unlock(cpipe->pipe_mtx);
	return 0;
}
