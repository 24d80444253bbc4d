/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * locks.h: lck_mtx_t over the platform's robust shared lock.  Corresponds to
 * osfmk/kern/locks.h.  Every lock lives in the arena.
 */
#ifndef XS_KERN_LOCKS_H
#define XS_KERN_LOCKS_H

#include "kmod-xnu-sim/osl/osl.h"

typedef struct osl_lock lck_mtx_t;

static inline void xs_lck_mtx_init(lck_mtx_t *l) { osl_lock_init(l); }
/*
 * A lock whose owner died is taken over.  Sections that update several
 * words keep a redo record the next locker replays (xs_redo.h); the
 * kernel's reaper (xs_proc_host_died) repairs the dead process's own state.
 */
static inline void xs_lck_mtx_lock(lck_mtx_t *l) { (void)osl_lock_lock(l); }
static inline bool xs_lck_mtx_try_lock(lck_mtx_t *l) { return osl_lock_try(l); }
static inline void xs_lck_mtx_unlock(lck_mtx_t *l) { osl_lock_unlock(l); }

#endif /* XS_KERN_LOCKS_H */
