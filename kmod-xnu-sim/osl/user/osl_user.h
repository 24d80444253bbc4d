/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * osl_user.h: private state of the user-space platform layer (libxnusim.so).
 * The arena header, the per-process attachment, and the few core entry
 * points the platform calls.  Never included by the core.
 */
#ifndef XS_OSL_USER_OSL_USER_H
#define XS_OSL_USER_OSL_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kmod-xnu-sim/osl/osl.h"

#define OSL_ARENA_MAGIC     0x414e4552415f5358ull	/* "XS_ARENA" */
#define OSL_ARENA_SIZE      (1ull << 30)		/* 1 GiB, sparse */
/*
 * Arenas live in a region Linux does not hand out for ordinary mappings
 * (mmap grows down from below the stack, ~0x7fxx'xxxx'xxxx; the heap and
 * the executable sit near the bottom).  Slot n is at BASE + n * SIZE.
 */
#define OSL_ARENA_BASE      0x6f0000000000ull
#define OSL_ARENA_SLOTS     64
#define OSL_ARENA_PAGES     (OSL_ARENA_SIZE / OSL_PAGE_SIZE)
#define OSL_USER_VA_END     0x0000800000000000ull	/* x86_64/arm64 48-bit user half */

/*
 * The first pages of every arena.  Arena-resident, so no pointers into the
 * library; offsets are relative to the arena base.
 */
struct osl_arena_hdr {
	uint64_t ah_magic;
	uint64_t ah_size;		/* bytes mapped */
	uint64_t ah_addr;		/* where every process maps it */
	uint32_t ah_id;			/* machine id */
	uint32_t ah_pad;
	uint64_t ah_machine_off;	/* struct xs_machine */
	uint64_t ah_npages;		/* pages in the arena, header included */
	uint64_t ah_free_pages;
	uint64_t ah_hint;		/* first page worth searching */
	struct osl_lock ah_lock;	/* the page allocator */
	uint64_t ah_bitmap[OSL_ARENA_PAGES / 64];	/* 1 = page in use */
};

/* This process's attachment (library data, one per process). */
struct osl_attach {
	struct osl_arena_hdr *oa_hdr;	/* NULL when detached */
	struct xs_machine *oa_machine;
	int oa_fd;			/* the memfd, close-on-exec unless exported */
	uint32_t oa_generation;		/* bumped on every detach */
	int oa_pid;			/* simulated pid of this process, 0 if none */
};

extern struct osl_attach osl_attach;

/* osl_arena.c */
int osl_arena_create(uint32_t id);	/* map a fresh arena: 0 or -errno */
int osl_arena_map(int fd, uint64_t addr, uint64_t size, uint32_t id);
void osl_arena_detach(void);

/* osl_host.c */
void osl_host_init(void);		/* once per process, from the constructor */
int osl_signal_to_host(int darwin_sig);	/* 0 if the host has no such signal */

/* osl_exec.c: bind this fresh host image to the thread exec made (XNUSIM_EXEC). */
int osl_exec_attach_self(void);

/* osl_copy.c: the fault handler, installed once per process. */
int osl_fault_handler_install(void);

/* osl_machine.c: the core's view, compiled against the core headers. */
size_t osl_machine_size(void);
void osl_machine_setup(struct xs_machine *m, uint32_t id, int arch, uint64_t now);
int osl_machine_arch(const struct xs_machine *m);
bool osl_machine_valid(const struct xs_machine *m, uint32_t id);
int osl_machine_boot(void);			/* xs_zalloc_bootstrap + xs_bsd_init */
int osl_machine_proc_attach(int host_pid, const char *comm);
void osl_machine_registry_init(void);
int osl_machine_current_pid(void);

#endif /* XS_OSL_USER_OSL_USER_H */
