/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mach_loader_internal.h: what the two halves of the Mach-O loader share
 * (mach_loader.c: load_machfile, parse_machfile, segments, code signing;
 * mach_loader_entry.c: LC_MAIN / LC_UNIXTHREAD and the dynamic linker).
 * XNU keeps both in bsd/kern/mach_loader.c.
 */
#ifndef XS_KERN_MACH_LOADER_INTERNAL_H
#define XS_KERN_MACH_LOADER_INTERNAL_H

#include "kmod-xnu-sim/bsd/kern/mach_loader.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/vm/vm_map_internal.h"

#define XS_MAXSSIZ		(64ull << 20)	/* MAXSSIZ: default stack allocation */
/* Default stack top: XNU's USRSTACK64 lies outside the simulator's window. */
#define XS_USER_STACK_TOP	(XS_VM_MAP_USER_MAX - (1ull << 32))

/* Everything one parse_machfile level works on. */
struct macho_parse {
	struct image_params *imgp;
	const uint8_t *image;		/* the whole file */
	uint64_t image_size;
	struct vnode *vp;
	struct vm_map *map;		/* NULL: preflight */
	struct mach_header_64 header;
	uint64_t file_offset, macho_size;
	int depth;
	int64_t slide, dyld_aslr_offset;
	load_result_t *result, *binresult;
	uint8_t *addr;			/* header + load commands (kalloc) */
	uint64_t cmds_size, alloc_size;
	const uint8_t *dlp;		/* LC_LOAD_DYLINKER, pass 3 */
	uint64_t header_filesize;	/* the segment mapping file offset 0 */
	int pass;
	bool abi64, is_dyld, dyld_no_load_addr, got_code_signatures;
	bool found_header_segment, found_xhdr, found_version_cmd;
};

/* The loader's page: 16 KiB on arm64, 4 KiB on x86_64 (PAGE_MASK, vm_map_page_mask). */
static inline uint64_t xs_macho_page_mask(void)
{
	return xs_machine()->m_arch == XS_ARCH_ARM64 ? 0x3fffull : 0xfffull;
}

/* A NUL within the first len bytes of s. */
static inline bool xs_macho_has_nul(const char *s, uint64_t len)
{
	for (uint64_t i = 0; i < len; i++)
		if (s[i] == '\0')
			return true;
	return false;
}

/* load_result_null: an empty result. */
static inline void xs_load_result_null_init(load_result_t *r)
{
	xs_memset(r, 0, sizeof(*r));
	r->min_vm_addr = ~0ull;
}

/* mach_loader.c */
load_return_t xs_parse_machfile(struct macho_parse *mp);

/* mach_loader_entry.c */
load_return_t xs_load_main(struct macho_parse *mp, const uint8_t *lcp, uint32_t cmdsize);
load_return_t xs_load_unixthread(struct macho_parse *mp, const uint8_t *lcp, uint32_t cmdsize);
load_return_t xs_load_dylinker(struct macho_parse *mp);

#endif /* XS_KERN_MACH_LOADER_INTERNAL_H */
