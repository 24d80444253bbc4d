/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kern_exec_internal.h: what execve (kern_exec.c), the string and stack
 * builders (kern_exec_strings.c) and posix_spawn (kern_spawn.c) share: the
 * exec data around image_params, and the host handoff API the user-side
 * stubs and the platform call.  XNU keeps all of this in bsd/kern/kern_exec.c.
 */
#ifndef XS_KERN_KERN_EXEC_INTERNAL_H
#define XS_KERN_KERN_EXEC_INTERNAL_H

#include "kmod-xnu-sim/bsd/sys/imgact.h"
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/bsd/sys/spawn_internal.h"
#include "kmod-xnu-sim/osfmk/kern/kern_types.h"

#define XS_KERN_EXEC_PATH "bsd/kern/kern_exec.c"

/* execargs: the area grows by doubling up to NCARGS + a page. */
#define XS_EXECARGS_INITIAL (64u * 1024)
#define XS_NCARGS           (1024u * 1024)
#define XS_APPLE_MAX        8	/* apple[] strings we emit */

/*
 * Everything one exec or spawn works on (XNU: image_params plus the
 * kalloc'd exec data __mac_execve and posix_spawn allocate).  Kernel memory.
 */
struct exec_data {
	struct image_params ed_image;	/* what the activators and the loader see */
	struct proc *ed_oldproc;	/* the caller (execve, SETEXEC) or spawn's parent */
	struct proc *ed_newproc;	/* cloneproc's proc the image is built in */
	user_addr_t ed_user_fname, ed_user_argv, ed_user_envv;
	uint32_t ed_psa_flags;		/* POSIX_SPAWN_* of the attributes, 0 for execve */
	const struct xs_posix_spawnattr *ed_psa;	/* NULL without attributes */

	char ed_path[XS_MAXPATHLEN];	/* exec_save_path: the path as passed */
	struct vnode *ed_vp;		/* the executable (iocount), or NULL */
	struct vnode *ed_dyld_vp;	/* /usr/lib/dyld (iocount), or NULL */

	/* execargs_alloc: argv[] then envp[] strings, NUL-separated. */
	char *ed_strings;
	uint64_t ed_strsize, ed_strused;
	uint32_t ed_argc, ed_envc;
	uint64_t ed_envoff;		/* where envp[0] starts in ed_strings */
	/* exec_add_apple_strings */
	char ed_apple[XS_APPLE_MAX][160];
	uint32_t ed_applec;

	/* create_unix_stack / exec_copyout_strings */
	uint64_t ed_stack_top, ed_sp;
	bool ed_finished;		/* exec_mach_imgact_finish ran */
};

static inline struct exec_data *xs_exec_data(struct image_params *imgp)
{
	return xs_container_of(imgp, struct exec_data, ed_image);
}

/* ---- kern_exec.c ------------------------------------------------------------- */

/* exec_activate_image: path, permissions, the activators.  0 or errno. */
int xs_exec_activate_image(struct exec_data *ed);
/* Free what exec_activate_image and the loader left in ed (vnodes, strings, map). */
void xs_exec_data_release(struct exec_data *ed);
/* cloneproc(CLONEPROC_EXEC / CLONEPROC_SPAWN): the proc the image goes into. */
struct proc *xs_exec_cloneproc(struct proc *p, bool spawn, int *errp);
/* Undo xs_exec_cloneproc before the new proc was ever visible as itself. */
void xs_exec_undo_newproc(struct proc *np);
/* proc_exec_switch_task + the old task's end: the point of no return. */
void xs_exec_switch_and_retire(struct exec_data *ed);
/* task_clear_return_wait: publish the handoff for the host image. */
void xs_task_clear_return_wait(struct proc *np, bool spawn);

/* ---- kern_exec_strings.c ------------------------------------------------------ */

int xs_execargs_alloc(struct exec_data *ed);
void xs_execargs_free(struct exec_data *ed);
int xs_exec_save_path(struct exec_data *ed, user_addr_t path);
int xs_exec_extract_strings(struct exec_data *ed);
int xs_create_unix_stack(struct exec_data *ed, struct vm_map *map);

/* ---- the host handoff (simulator only) -------------------------------------- */

/*
 * Routine:    xs_exec_handoff_info
 * Purpose:    For the user-side stub that just got 0 from execve or
 *             posix_spawn: the ELF to host-exec and the XNUSIM_EXEC value
 *             ("pid:thread_id:token") the new host image binds with.
 * Returns:    0, ESRCH (no pending handoff for pid), ENAMETOOLONG.
 */
int xs_exec_handoff_info(int pid, char *elf, size_t elflen, char *spec, size_t speclen);

/*
 * The new image's argv as the kernel laid it out on its stack (for a #!
 * script: interpreter, its words, the script, then the caller's argv[1..]),
 * NUL-separated into buf.  0, ESRCH, EFAULT, E2BIG (buf too small).
 */
int xs_exec_handoff_argv(int pid, char *buf, size_t len, uint32_t *argcp);

/*
 * Routine:    xs_exec_attach
 * Purpose:    Run in a fresh host image (the library constructor): bind the
 *             calling host thread to the new main thread of pid, release
 *             execve's old thread, then be dyld: map the new address space
 *             (pmap_enter_all), read argc/argv off the new stack, honour
 *             START_SUSPENDED, and "enter main".
 * Returns:    pid, or -errno (-ESRCH: no such pending exec, -EPERM: bad token).
 */
int xs_exec_attach(int pid, uint64_t thread_id, uint64_t token, int host_pid);

/*
 * The host half failed after the point of no return (the host execve or
 * spawn of the bound ELF did not happen): the new process is killed, as
 * XNU kills an exec that fails after it committed.  For spawn the caller is
 * the parent; for execve the caller binds first and is killed.
 */
void xs_exec_host_failed(int pid, bool spawn);
/* The argc the simulated dyld read for the current process, or -1 (not exec'd). */
int xs_exec_dyld_argc(void);
/* A spawned child's host process is known (the parent's stub tells). */
void xs_exec_set_host_pid(int pid, int host_pid);

#endif /* XS_KERN_KERN_EXEC_INTERNAL_H */
