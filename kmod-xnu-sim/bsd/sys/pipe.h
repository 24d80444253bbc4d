/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pipe.h: anonymous pipes.  Corresponds to bsd/sys/pipe.h.  A pipe() call
 * allocates one struct pipepair from "pipe zone": two ends sharing a mutex.
 * Data written on one end is queued in its peer's buffer.
 */
#ifndef XS_SYS_PIPE_H
#define XS_SYS_PIPE_H

#include "kmod-xnu-sim/osfmk/kern/kern_types.h"
#include "kmod-xnu-sim/osfmk/kern/locks.h"

/*
 * PIPE_SIZE: XNU's default pipe buffer.  XNU may grow a busy pipe to
 * BIG_PIPE_SIZE (64 KiB); the model keeps PIPE_SIZE (docs/fidelity.md).
 */
#define PIPE_SIZE     16384
#define BIG_PIPE_SIZE (64 * 1024)
#define XS_PIPE_BUF   512		/* writes up to PIPE_BUF are atomic */

struct pipebuf {
	uint32_t cnt;			/* bytes queued */
	uint32_t in;			/* write index */
	uint32_t out;			/* read index */
	uint32_t size;			/* 0 until pipespace allocates */
	uint8_t *buffer;		/* kmem */
};

/* pipe_state */
#define PIPE_WANTR 0x004	/* a reader sleeps */
#define PIPE_WANTW 0x008	/* a writer sleeps */
#define PIPE_EOF   0x010	/* the other end is gone */
#define PIPE_DRAIN 0x400	/* waiting for I/O to drop for a close */
#define PIPE_DEAD  0x2000	/* this end closed */

struct pipe {
	struct pipebuf pipe_buffer;
	struct pipe *pipe_peer;
	lck_mtx_t *pipe_mtx;		/* the pair's pp_mtx */
	uint32_t pipe_state;
	struct osl_event pipe_event;	/* readers and writers of this end's buffer */
	uint64_t st_atime, st_mtime, st_ctime;	/* ns */
};

struct pipepair {
	lck_mtx_t pp_mtx;
	struct pipe pp_rpipe;
	struct pipe pp_wpipe;
	uint32_t pp_ends;		/* ends still open; the pair is freed at 0 */
};

#endif /* XS_SYS_PIPE_H */
