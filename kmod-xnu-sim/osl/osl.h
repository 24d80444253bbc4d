/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * osl.h: the platform layer.  The freestanding core reaches memory, locks,
 * waiting, user memory, time, the current thread, the host console and the
 * host's address space only through these calls.  osl/user implements them
 * in a host process (libxnusim.so); osl/linux in the kernel module.
 *
 * Rules for code outside osl/:
 *  - every kernel object lives in the machine's arena (osl_pages_alloc, or
 *    zalloc/kalloc on top of it), which every process of one simulated machine
 *    maps at the same address, so arena pointers are valid everywhere;
 *  - nothing stored in the arena may point into the library (no function
 *    pointers, no string literals): each process maps libxnusim.so at its own
 *    address.  Store enums and indices; copy names into char arrays.
 */
#ifndef XS_OSL_OSL_H
#define XS_OSL_OSL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct thread;
struct xs_machine;

/* ---- Memory ------------------------------------------------------------ */

#define OSL_PAGE_SIZE 4096u	/* the kernel's own page (arena granule) */

/*
 * Allocate npages zero-filled, page-aligned arena pages.  Returns NULL when
 * the arena is exhausted.  Freed pages go back to the arena.
 */
void *osl_pages_alloc(size_t npages);
void osl_pages_free(void *addr, size_t npages);

/* True if [addr, addr+len) lies inside the current machine's arena. */
bool osl_is_kernel_address(uint64_t addr, uint64_t len);

/* ---- Locks ------------------------------------------------------------- */

/*
 * A sleeping lock shared by every process of the machine.  Robust: when a
 * host process dies holding it, the next locker takes it over (the core is
 * told through osl_lock_lock's return value and decides what to repair).
 */
struct osl_lock {
	uint64_t opaque[8];
};

void osl_lock_init(struct osl_lock *l);
/* Returns 0, or 1 if the previous owner died holding the lock. */
int osl_lock_lock(struct osl_lock *l);
bool osl_lock_try(struct osl_lock *l);
void osl_lock_unlock(struct osl_lock *l);

/* ---- Events (the wait queue primitive) --------------------------------- */

/*
 * A futex-style event in the arena.  Protocol, with the lock that guards the
 * condition held:  seq = osl_event_arm(ev); unlock; osl_event_wait(ev, seq,
 * deadline); relock; re-check the condition.  A signal between arm and wait
 * is never lost.
 */
struct osl_event {
	uint32_t seq;
	uint32_t waiters;
};

#define OSL_WAIT_AWAKENED  0
#define OSL_WAIT_TIMED_OUT 1

uint32_t osl_event_arm(struct osl_event *ev);
/* deadline: osl_absolute_time() value, or 0 for none. */
int osl_event_wait(struct osl_event *ev, uint32_t armed_seq, uint64_t deadline);
void osl_event_signal(struct osl_event *ev, bool all);

/* ---- User memory ------------------------------------------------------- */

/*
 * Copy between kernel and user memory.  A user range that is unmapped,
 * unreadable (or unwritable for copyout), wraps, or touches the arena fails
 * without a crash.  Return 0 or -1 (the caller answers EFAULT or
 * KERN_INVALID_ADDRESS, as XNU does).
 */
int osl_copyin(uint64_t uaddr, void *kaddr, size_t len);
int osl_copyout(const void *kaddr, uint64_t uaddr, size_t len);
/*
 * Copy a NUL-terminated string of at most maxlen bytes including the NUL.
 * Returns 0, -1 on a fault, -2 if no NUL was found within maxlen (the caller
 * answers ENAMETOOLONG).  *done (may be NULL) gets the bytes copied with NUL.
 */
int osl_copyinstr(uint64_t uaddr, char *kaddr, size_t maxlen, size_t *done);

/* ---- The host address space of the current process (pmap) ------------- */

/* prot uses Darwin VM_PROT_READ/WRITE/EXECUTE bits (1, 2, 4). */
/* Map fresh zero-filled private memory at va.  -1 if the range is taken. */
int osl_pmap_enter_anon(uint64_t va, uint64_t size, int prot);
/* Map arena memory (page-aligned kaddr) at va, shared with the kernel. */
int osl_pmap_enter_kernel(uint64_t va, uint64_t size, int prot, void *kaddr);
int osl_pmap_protect(uint64_t va, uint64_t size, int prot);
int osl_pmap_remove(uint64_t va, uint64_t size);

/* ---- Time -------------------------------------------------------------- */

uint64_t osl_absolute_time(void);	/* monotonic nanoseconds */
uint64_t osl_continuous_time(void);	/* monotonic, counting sleep */

/* ---- Threads and processes --------------------------------------------- */

/* The simulated thread bound to the calling host thread, or NULL. */
struct thread *osl_current_thread(void);
void osl_set_current_thread(struct thread *th);
int osl_host_pid(void);
int osl_host_tid(void);

/* The machine the calling process is attached to (arena-resident). */
struct xs_machine *osl_machine(void);

/*
 * Fork the calling host process (fork's host half; only the calling host
 * thread goes on in the child).  Returns the child's host pid in the
 * parent, 0 in the child, -1 if the host refused.
 */
int osl_process_fork(void);

/*
 * End the calling host process after the kernel has recorded its exit.
 * darwin_status is the wait(2) status word in Darwin's encoding.
 */
_Noreturn void osl_process_terminate(int darwin_status);

/* ---- Host programs: the host half of execve and posix_spawn ------------- */

/*
 * Replace the calling host process with the ELF program elf.  argv and
 * envp are host memory; XNUSIM_MACHINE (this machine) and exec_env
 * ("XNUSIM_EXEC=pid:thread:token") replace any such entries of envp.
 * Returns only on failure: -(host errno).
 */
int osl_host_execve(const char *elf, char *const argv[], char *const envp[],
		    const char *exec_env);
/*
 * Start the same as a new host process (child of the caller).  Returns its
 * host pid, or -(host errno).  If it dies without a simulated exit, the
 * platform reports it to the kernel (xs_proc_host_died).
 */
int osl_host_spawn(const char *elf, char *const argv[], char *const envp[],
		   const char *exec_env);
/*
 * Read up to len bytes at off of relpath (e.g. "manifest.tsv",
 * "usr/bin/true") in the host directory the root file system was built in
 * (XNUSIM_ROOT, else <library dir>/../rootfs).  Bytes read, 0 at end of
 * file, -1 if it cannot be read.
 */
long osl_rootfs_read(const char *relpath, void *buf, size_t len, uint64_t off);

/* ---- Host console ------------------------------------------------------ */

/* Bytes written/read on the host descriptor behind a console vnode, or -1. */
long osl_console_write(int host_fd, const void *buf, size_t len);
long osl_console_read(int host_fd, void *buf, size_t len);

/* ---- Diagnostics ------------------------------------------------------- */

_Noreturn void osl_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Debug log, printed only when XNUSIM_DEBUG is set in the environment. */
void osl_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int osl_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap);

#endif /* XS_OSL_OSL_H */
