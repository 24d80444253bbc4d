/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xnusim_kmod.h: user space over xnusim.ko (docs/kmod.md).  The embedding
 * calls of the module build, the counterpart of include/xnusim/xnusim.h:
 * open /dev/xnusim, boot a machine, attach.  libsyscall's stubs trap through
 * the device once a machine is booted or attached.  Functions return a
 * non-negative value or -errno (host errno).
 */
#ifndef XS_OSL_LINUX_USER_XNUSIM_KMOD_H
#define XS_OSL_LINUX_USER_XNUSIM_KMOD_H

#include <stdint.h>

#include "kmod-xnu-sim/osl/linux/xnusim_ioctl.h"

/* Open the device (inherited across fork, so a child can attach): the fd. */
int xnusim_kmod_open(void);
int xnusim_kmod_fd(void);
/* Drop the handle (a forked child leaving its parent's machine for its own). */
void xnusim_kmod_close(void);
/* A fresh machine on the open handle; the calling thread is its launchd. */
int xnusim_kmod_boot(int arch);
/* The calling process becomes a new process under launchd: its pid. */
int xnusim_kmod_attach(const char *comm);
int xnusim_kmod_query(struct xnusim_ioc_query *q);
int xnusim_kmod_func(uint32_t id, struct xnusim_ioc_func *out);
/*
 * One raw trap, no libsyscall and no exit handling: the ioctl's result
 * (0, XNUSIM_TRAP_EXITED | status) or -errno.
 */
int xnusim_kmod_trap_raw(int arch, void *state);

/* osl_kmod_user_core.c: the architecture libsyscall fills states for. */
void osl_kmod_user_set_arch(int arch);

#endif /* XS_OSL_LINUX_USER_XNUSIM_KMOD_H */
