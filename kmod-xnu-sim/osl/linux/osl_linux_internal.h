/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * osl_linux_internal.h: private state of the kernel-module platform layer
 * (kernel-side files only).  A machine (its arena and page allocator), the
 * per-Linux-thread context that stands in for the TPIDR register (which
 * simulated thread and machine the calling thread runs), and osl_kcall, the
 * one door into the core: it arms the unwind point that osl_panic and
 * osl_process_terminate leave by, and gives back the locks a thread held
 * when it unwinds, as a robust mutex gives them back when its owner dies.
 */
#ifndef XS_OSL_LINUX_OSL_LINUX_INTERNAL_H
#define XS_OSL_LINUX_OSL_LINUX_INTERNAL_H

#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/spinlock.h>

#include "kmod-xnu-sim/osl/osl.h"	/* its <stdint.h> & co. come from compat/ */

/* One simulated machine: a vmalloc'd arena with the core's state in it. */
struct osl_kmachine {
	struct kref km_ref;		/* one per open file on the machine */
	u32 km_id;
	int km_arch;			/* XNUSIM_ARCH_*_ID */
	void *km_arena;			/* vmalloc_user: mappable by osl_pmap_enter_kernel */
	size_t km_npages;
	size_t km_reserved;		/* pages holding struct xs_machine */
	unsigned long *km_bitmap;	/* 1 = page in use */
	size_t km_free;
	size_t km_hint;
	spinlock_t km_alloc_lock;	/* the page allocator; never sleeps */
	struct xs_machine *km_machine;	/* at km_arena */
	atomic_t km_broken;		/* panicked: every call fails EIO */
	atomic64_t km_traps;
	int km_last_exit_host_pid;
	int km_last_exit_pid;
	int km_last_exit_status;
};

#define OSL_KCTX_HELD_MAX 16

/* struct osl_lock's opaque words, as this build uses them. */
struct osl_klock {
	struct mutex kl_mutex;
	u32 kl_owner_died;		/* set by an unwind, consumed by the next locker */
};

/* The calling Linux thread, keyed by its global tid. */
struct osl_kctx {
	pid_t kc_tid;
	struct task_struct *kc_task;	/* compared, never dereferenced: tid reuse */
	u64 kc_start_time;
	struct osl_kmachine *kc_km;	/* no reference: cleared when the machine goes */
	struct thread *kc_th;		/* osl_current_thread() */
	int kc_pid;			/* simulated pid after BOOT (1) or ATTACH */
	/* Valid during an osl_kcall only. */
	struct file *kc_file;
	void *kc_jb[5];			/* __builtin_setjmp buffer */
	bool kc_armed;
	bool kc_in_pmap;		/* our own vm_mmap of the device: allowed */
	bool kc_exited;
	int kc_exit_status;		/* Darwin wait status */
	long kc_unwind_rc;
	unsigned int kc_nheld;
	struct osl_klock *kc_held[OSL_KCTX_HELD_MAX];
};

/* osl_linux.c */
struct osl_kctx *osl_kctx_current(void);	/* NULL if this thread never called */
struct osl_kctx *osl_kctx_get(void);		/* creates it; NULL on ENOMEM */
void osl_kctx_forget_machine(struct osl_kmachine *km);
void osl_kctx_exit(void);
/*
 * Run fn(ctx, arg) in the core on km for the calling thread.  Returns fn's
 * value, or the code an unwind left with: -EIO (panic), -EINTR (a fatal
 * signal while blocked), or XNUSIM_TRAP_EXITED | status (the kernel ended
 * the process; ctx->kc_exited is set).
 */
long osl_kcall(struct osl_kmachine *km, struct file *f,
	       long (*fn)(struct osl_kctx *ctx, void *arg), void *arg);
_Noreturn void osl_kunwind(long rc);
struct osl_kmachine *osl_kmachine_create(int arch, size_t arena_bytes);
void osl_kmachine_put(struct osl_kmachine *km);
int osl_kmachine_mmap(struct osl_kmachine *km, struct vm_area_struct *vma);
int osl_signal_to_linux(int darwin_sig);

/* osl_sync_linux.c */
void osl_sync_init(void);
void osl_kctx_release_locks(struct osl_kctx *ctx);

/* osl_trace_linux.c */
u32 osl_ktrace_enabled_mask(void);

#endif /* XS_OSL_LINUX_OSL_LINUX_INTERNAL_H */
