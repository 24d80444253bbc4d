// SPDX-License-Identifier: BSD-2-Clause
/*
 * osl_linux.c: the platform layer (osl.h) inside the Linux kernel.  The
 * machine's arena is vmalloc'd kernel memory, so arena pointers are simply
 * kernel pointers; the calling Linux thread finds its simulated thread and
 * machine in a context keyed by its tid; copyin/copyout are the kernel's
 * uaccess routines; the pmap is the calling process's own mm.  The twin of
 * osl/user/osl_{arena,copy,host,pmap}.c.  Platform layer: XNU's
 * pmap_steal_memory, copyio, current_thread() and panic().
 */
#include <linux/file.h>
#include <linux/ktime.h>
#include <linux/objtool.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/xarray.h>

#include "kmod-xnu-sim/osl/linux/osl_kcore.h"
#include "kmod-xnu-sim/osl/linux/osl_linux_internal.h"
#include "kmod-xnu-sim/osl/linux/xnusim_ioctl.h"
#include "kmod-xnu-sim/osl/osl_signal_map.h"

static_assert(PAGE_SIZE == OSL_PAGE_SIZE, "the arena granule is the kernel's page");

/* ---- The calling thread's context -------------------------------------- */

static DEFINE_XARRAY(osl_kctx_xa);

struct osl_kctx *osl_kctx_current(void)
{
	struct osl_kctx *c = xa_load(&osl_kctx_xa, current->pid);

	/* A dead thread's tid reused by a new thread: not its context. */
	if (unlikely(c && (c->kc_task != current || c->kc_start_time != current->start_time)))
		return NULL;
	return c;
}

struct osl_kctx *osl_kctx_get(void)
{
	struct osl_kctx *c = osl_kctx_current(), *old;

	if (c)
		return c;
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return NULL;
	c->kc_tid = current->pid;
	c->kc_task = current;
	c->kc_start_time = current->start_time;
	/* Only this thread stores under its own tid; a stale entry is a dead thread's. */
	old = xa_store(&osl_kctx_xa, c->kc_tid, c, GFP_KERNEL);
	if (xa_is_err(old)) {
		kfree(c);
		return NULL;
	}
	kfree(old);
	return c;
}

/* The machine is going away: no context may keep pointing into it. */
void osl_kctx_forget_machine(struct osl_kmachine *km)
{
	struct osl_kctx *c;
	unsigned long tid;

	xa_for_each(&osl_kctx_xa, tid, c) {
		if (cmpxchg(&c->kc_km, km, NULL) == km) {
			WRITE_ONCE(c->kc_th, NULL);
			WRITE_ONCE(c->kc_pid, 0);
		}
	}
}

/* The calling thread is exiting (flush at exit): drop its context. */
void osl_kctx_exit(void)
{
	struct osl_kctx *c = osl_kctx_current();

	if (c && !c->kc_armed) {
		xa_erase(&osl_kctx_xa, c->kc_tid);
		kfree(c);
	}
}

/* Module unload: every file is closed, so no thread is in a call. */
void osl_kctx_destroy_all(void);
void osl_kctx_destroy_all(void)
{
	struct osl_kctx *c;
	unsigned long tid;

	xa_for_each(&osl_kctx_xa, tid, c) {
		xa_erase(&osl_kctx_xa, tid);
		kfree(c);
	}
}

static inline struct osl_kmachine *osl_kmachine_current(void)
{
	struct osl_kctx *c = osl_kctx_current();

	return c ? READ_ONCE(c->kc_km) : NULL;
}

/* ---- The door into the core and the way back out ------------------------ */

/*
 * __builtin_setjmp / __builtin_longjmp: GCC's own non-local goto, which
 * needs no libc and treats every call-saved register as clobbered at the
 * receiver, so it is safe in the kernel.  The frame stays live for the
 * whole call, and nothing but osl_kunwind jumps to it.
 */
static noinline long osl_kcall_armed(struct osl_kctx *c,
				     long (*fn)(struct osl_kctx *ctx, void *arg), void *arg)
{
	struct osl_kctx *volatile vc = c;
	long rc;

	if (__builtin_setjmp(c->kc_jb)) {
		c = vc;
		c->kc_armed = false;
		return c->kc_unwind_rc;
	}
	vc->kc_armed = true;
	rc = fn(vc, arg);
	vc->kc_armed = false;
	return rc;
}

long osl_kcall(struct osl_kmachine *km, struct file *f,
	       long (*fn)(struct osl_kctx *ctx, void *arg), void *arg)
{
	struct osl_kctx *c = osl_kctx_get();
	long rc;

	if (!c)
		return -ENOMEM;
	if (c->kc_armed)	/* re-entered from inside the core: never expected */
		return -EDEADLK;
	if (km && atomic_read(&km->km_broken))
		return -EIO;
	if (READ_ONCE(c->kc_km) != km) {	/* a Linux thread is on one machine at a time */
		WRITE_ONCE(c->kc_km, km);
		c->kc_th = NULL;
		c->kc_pid = 0;
	}
	c->kc_file = f;
	c->kc_exited = false;
	c->kc_nheld = 0;	/* locks are tracked per call */
	rc = osl_kcall_armed(c, fn, arg);
	c->kc_file = NULL;
	return rc;
}

_Noreturn void osl_kunwind(long rc)
{
	struct osl_kctx *c = osl_kctx_current();

	if (!c || !c->kc_armed)
		BUG();	/* core code runs only inside osl_kcall */
	osl_kctx_release_locks(c);
	c->kc_unwind_rc = rc;
	__builtin_longjmp(c->kc_jb, 1);
}
/* The jump back to osl_kcall_armed's frame is no call objtool can follow. */
STACK_FRAME_NON_STANDARD(osl_kunwind);

/* ---- Threads and processes --------------------------------------------- */

struct thread *osl_current_thread(void)
{
	struct osl_kctx *c = osl_kctx_current();

	return c ? c->kc_th : NULL;
}

void osl_set_current_thread(struct thread *th)
{
	struct osl_kctx *c = osl_kctx_current();

	if (c)
		c->kc_th = th;
}

int osl_host_pid(void)
{
	return task_tgid_vnr(current);
}

int osl_host_tid(void)
{
	return task_pid_vnr(current);
}

struct xs_machine *osl_machine(void)
{
	struct osl_kmachine *km = osl_kmachine_current();

	return km ? km->km_machine : NULL;
}

/* Darwin signal number → Linux (osl/osl_signal_map.h, shared with osl/user). */
static const int darwin_to_linux_signal[32] = OSL_DARWIN_TO_LINUX_SIGNALS;

int osl_signal_to_linux(int darwin_sig)
{
	if (darwin_sig <= 0 || darwin_sig >= 32)
		return 0;
	return darwin_to_linux_signal[darwin_sig];
}

/*
 * The kernel recorded the process's exit; the calling Linux process must
 * end too.  The module cannot call do_exit (not exported), so it unwinds to
 * the ioctl, which sends the matching Linux signal (osl_dev_linux.c) or
 * tells the caller to _exit with the code.
 */
_Noreturn void osl_process_terminate(int darwin_status)
{
	struct osl_kctx *c = osl_kctx_current();
	struct osl_kmachine *km = c ? c->kc_km : NULL;

	if (c && km) {
		WRITE_ONCE(km->km_last_exit_host_pid, task_tgid_vnr(current));
		WRITE_ONCE(km->km_last_exit_pid, c->kc_pid);
		WRITE_ONCE(km->km_last_exit_status, darwin_status);
		c->kc_exited = true;
		c->kc_exit_status = darwin_status;
		c->kc_th = NULL;
		c->kc_pid = 0;
	}
	osl_kunwind(XNUSIM_TRAP_EXITED | (darwin_status & 0xffff));
}

/* Fork, exec and spawn have no host half in the module build (docs/kmod.md). */
int osl_process_fork(void)
{
	return -1;
}

int osl_host_execve(const char *elf, char *const argv[], char *const envp[],
		    const char *exec_env)
{
	return -ENOSYS;
}

int osl_host_spawn(const char *elf, char *const argv[], char *const envp[],
		   const char *exec_env)
{
	return -ENOSYS;
}

/* No host root directory: the root file system stays bare (docs/kmod.md). */
long osl_rootfs_read(const char *relpath, void *buf, size_t len, uint64_t off)
{
	return -1;
}

/* ---- Time -------------------------------------------------------------- */

uint64_t osl_absolute_time(void)
{
	return ktime_get_ns();	/* CLOCK_MONOTONIC, as the user-space build */
}

uint64_t osl_continuous_time(void)
{
	return ktime_get_boottime_ns();
}

/* ---- Host console: the caller's own descriptors ------------------------- */

/*
 * The position is read and written back without f_pos_lock (a console is
 * a tty or a pipe, where it does not matter; a regular file shared by two
 * writers may interleave).
 */
long osl_console_write(int host_fd, const void *buf, size_t len)
{
	struct file *f = fget(host_fd);
	loff_t pos;
	ssize_t n;

	if (!f)
		return -1;
	pos = f->f_pos;
	n = kernel_write(f, buf, len, &pos);
	if (n > 0 && !(f->f_mode & FMODE_STREAM))
		f->f_pos = pos;
	fput(f);
	return n < 0 ? -1 : (long)n;
}

long osl_console_read(int host_fd, void *buf, size_t len)
{
	struct file *f = fget(host_fd);
	loff_t pos;
	ssize_t n;

	if (!f)
		return -1;
	pos = f->f_pos;
	n = kernel_read(f, buf, len, &pos);
	if (n > 0 && !(f->f_mode & FMODE_STREAM))
		f->f_pos = pos;
	fput(f);
	return n < 0 ? -1 : (long)n;
}

/* ---- Diagnostics ------------------------------------------------------- */

bool osl_kdebug;

/* A simulated-kernel panic: a WARN, the machine marked broken, the call fails EIO. */
_Noreturn void osl_panic(const char *fmt, ...)
{
	struct osl_kctx *c = osl_kctx_current();
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	WARN(1, "xnusim: panic: %s\n", buf);
	if (c && c->kc_armed) {
		if (c->kc_km)
			atomic_set(&c->kc_km->km_broken, 1);
		osl_kunwind(-EIO);
	}
	BUG();
}

void osl_log(const char *fmt, ...)
{
	struct va_format vaf;
	va_list ap;

	if (!READ_ONCE(osl_kdebug))
		return;
	va_start(ap, fmt);
	vaf.fmt = fmt;
	vaf.va = &ap;
	pr_info("xnusim[%d]: %pV\n", task_tgid_vnr(current), &vaf);
	va_end(ap);
}

int osl_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
	return vsnprintf(buf, len, fmt, ap);
}
