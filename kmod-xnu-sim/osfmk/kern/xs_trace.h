/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xs_trace.h: the kernel's tracepoints (docs/tracepoints.md).
 *
 * Function boundaries come from one macro at the top of every modeled
 * function:
 *
 *	int xs_fork1(...)
 *	{
 *		XS_FUNC(fork1);
 *		...
 *
 * It registers the function (XNU name, XNU source path) in the xs_funcs
 * section, fires xnu:func_entry, and fires xnu:func_return on every way out
 * of the enclosing block (cleanup attribute).  Ids are assigned at library
 * load, in name order, so they are the same in every process of a machine and
 * in every build with the same set of functions.  The source path is the
 * file's path below kmod-xnu-sim/, which mirrors XNU; XS_FUNC_AT names it
 * explicitly for the few functions modeled away from their XNU file.
 */
#ifndef XS_KERN_XS_TRACE_H
#define XS_KERN_XS_TRACE_H

#include <stdint.h>

#include "kmod-xnu-sim/osl/osl_probe.h"

struct proc;

/* One modeled kernel function.  Lives in the library, never in the arena. */
struct xs_func {
	const char *xf_name;		/* bare XNU name: "fork1" */
	const char *xf_file;		/* __FILE__ of the model */
	const char *xf_xnu_path;	/* XNU path, or NULL: derived from xf_file */
	uint32_t xf_id;			/* 1..count, assigned by xs_func_registry_init */
	uint32_t xf_pad;
};

#define XS_FUNC_AT(NAME, PATH)                                                   \
	static struct xs_func xs__func                                           \
		__attribute__((section("xs_funcs"), used, aligned(8))) =         \
			{ #NAME, __FILE__, PATH, 0, 0 };                         \
	struct xs_func *xs__func_cur                                             \
		__attribute__((cleanup(xs_func_leave), unused)) = xs_func_enter(&xs__func)
#define XS_FUNC(NAME) XS_FUNC_AT(NAME, (const char *)0)

void xs_trace_func_entry(const struct xs_func *f);
void xs_trace_func_return(const struct xs_func *f);

static inline struct xs_func *xs_func_enter(struct xs_func *f)
{
	if (OSL_PROBE_ENABLED(func_entry))
		xs_trace_func_entry(f);
	return f;
}

static inline void xs_func_leave(struct xs_func **f)
{
	if (OSL_PROBE_ENABLED(func_return))
		xs_trace_func_return(*f);
}

/* ---- The function registry --------------------------------------------- */

/* Sort the xs_funcs section and number it.  Idempotent; call once at load. */
void xs_func_registry_init(void);
uint32_t xs_func_registry_count(void);
/* id in 1..count; NULL otherwise.  Borrowed, valid for the library's life. */
const struct xs_func *xs_func_registry_get(uint32_t id);
const struct xs_func *xs_func_registry_find(const char *name);
/* The XNU source path ("bsd/kern/kern_fork.c") and subsystem ("bsd/kern"). */
const char *xs_func_xnu_path(const struct xs_func *f);
void xs_func_subsystem(const struct xs_func *f, char *buf, unsigned len);

/* ---- Dispatch and lifecycle probes -------------------------------------- */

#define XS_FAMILY_BSD  1
#define XS_FAMILY_MACH 2
#define XS_FAMILY_MDEP 3
#define XS_FAMILY_DIAG 4

/* number: BSD n >= 0; Mach traps as user space writes them (-47). */
void xs_trace_syscall_entry(int family, int number, uint32_t kdebug_id,
			    const uint64_t args[4]);
/* error: errno (BSD, 0 on success) or the kern_return_t (Mach). */
void xs_trace_syscall_return(int family, int number, int64_t retval, int error);

#define XS_PROC_CREATE_BOOT   0	/* launchd, made by the kernel */
#define XS_PROC_CREATE_ATTACH 1	/* a host process joined the machine */
#define XS_PROC_CREATE_FORK   2
#define XS_PROC_CREATE_SPAWN  3
#define XS_PROC_CREATE_EXEC   4	/* exec's new proc taking over the pid */

void xs_trace_proc_create(const struct proc *p, int how);
void xs_trace_proc_exec(const struct proc *p, const char *path);
void xs_trace_proc_exit(const struct proc *p, int status);
/* port: the port's kernel object id (ip_object_id), stable across spaces. */
void xs_trace_msg_send(uint64_t port, int32_t msgh_id, uint32_t size);
void xs_trace_msg_receive(uint64_t port, int32_t msgh_id, uint32_t size);

#define XS_VM_ENTER   1
#define XS_VM_REMOVE  2
#define XS_VM_PROTECT 3
#define XS_VM_FORK    4
void xs_trace_vm_map_change(const struct proc *p, int op, uint64_t addr,
			    uint64_t size, int prot);

#define XS_TRACE_ENABLED(name) OSL_PROBE_ENABLED(name)

#endif /* XS_KERN_XS_TRACE_H */
