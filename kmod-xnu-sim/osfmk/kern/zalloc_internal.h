/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * zalloc_internal.h: what zalloc.c and kalloc.c share.  Corresponds to
 * osfmk/kern/zalloc_internal.h.
 */
#ifndef XS_KERN_ZALLOC_INTERNAL_H
#define XS_KERN_ZALLOC_INTERNAL_H

#include "kmod-xnu-sim/osfmk/kern/zalloc.h"

/* Largest zone element; bigger requests are kmem (whole pages). */
#define XS_ZONE_ELEM_MAX (64u * 1024u)

/*
 * kalloc's size classes, "kalloc.16" ... "kalloc.16384", are the first
 * dynamic zones, created at bootstrap, so class i is zone
 * ZONE_ID_FIRST_DYNAMIC + i in every machine.
 */
#define KALLOC_MIN_SIZE   16u
#define KALLOC_MAX_SIZE   16384u
#define KALLOC_NCLASSES   11u

/* Create the kalloc zones.  Boot only, from xs_zalloc_bootstrap. */
void xs_kalloc_init(void);

#endif /* XS_KERN_ZALLOC_INTERNAL_H */
