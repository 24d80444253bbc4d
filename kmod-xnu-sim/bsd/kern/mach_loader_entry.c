// SPDX-License-Identifier: BSD-2-Clause
/*
 * mach_loader_entry.c: the Mach-O loader's entry point and dynamic linker:
 * LC_MAIN (load_main), LC_UNIXTHREAD (load_unixthread, load_threadstate),
 * and LC_LOAD_DYLINKER (load_dylinker, get_macho_vnode), which parses dyld
 * one level deeper into the same map.  Corresponds to bsd/kern/mach_loader.c
 * (split from mach_loader.c to keep files small; the probes name XNU's file).
 */
#include "kmod-xnu-sim/bsd/kern/mach_loader_internal.h"

#include "kmod-xnu-sim/bsd/sys/imgact.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"

#include "darwin/codesign.h"
#include "darwin/macho.h"

#define XS_MACH_LOADER_PATH "bsd/kern/mach_loader.c"

/* ---- entry point ----------------------------------------------------------------- */

/*
 * Routine:    load_main
 * Purpose:    LC_MAIN: the stack size, the default stack, and that dyld is
 *             needed.  The kernel does not use entryoff; dyld jumps there.
 *             The simulator records it (xs_entryoff) for exec's reports.
 * Returns:    LOAD_SUCCESS, LOAD_BADMACHO, LOAD_FAILURE (a second entry
 *             point: LC_MAIN twice, or LC_MAIN with LC_UNIXTHREAD).
 */
load_return_t xs_load_main(struct macho_parse *mp, const uint8_t *lcp, uint32_t cmdsize)
{
	XS_FUNC_AT(load_main, XS_MACH_LOADER_PATH);
	struct entry_point_command epc;
	load_result_t *r = mp->result;
	uint64_t sum;

	if (cmdsize < sizeof(epc))
		return LOAD_BADMACHO;
	if (r->thread_count != 0)
		return LOAD_FAILURE;
	xs_memcpy(&epc, lcp, sizeof(epc));
	if (epc.stacksize) {
		if (__builtin_add_overflow(epc.stacksize, 4 * (xs_macho_page_mask() + 1), &sum))
			return LOAD_BADMACHO;
		r->user_stack_size = epc.stacksize;
		r->user_stack_alloc_size = epc.stacksize + xs_macho_page_mask() + 1;
		r->custom_stack = true;
	} else {
		r->user_stack_alloc_size = XS_MAXSSIZ;
	}
	r->user_stack = XS_USER_STACK_TOP;
	if (r->using_lcmain || r->entry_point != 0)
		return LOAD_FAILURE;
	r->needs_dynlinker = true;
	r->using_lcmain = true;
	r->xs_entryoff = epc.entryoff;
	r->unixproc = true;
	r->thread_count++;
	return LOAD_SUCCESS;
}

/*
 * One flavor of an LC_UNIXTHREAD state for this machine: its pc and sp
 * (thread_entrypoint / thread_userstack).  Other flavors are refused as
 * XNU's thread_userstack does (KERN_INVALID_ARGUMENT -> LOAD_FAILURE).
 */
static load_return_t load_threadstate_regs(const uint8_t *ts, uint32_t total, uint64_t *pc,
					   uint64_t *sp)
{
	XS_FUNC_AT(load_threadstate, XS_MACH_LOADER_PATH);
	bool arm = xs_machine()->m_arch == XS_ARCH_ARM64;
	uint32_t want = arm ? ARM_THREAD_STATE64 : x86_THREAD_STATE64;
	uint32_t want_count = arm ? ARM_THREAD_STATE64_COUNT : x86_THREAD_STATE64_COUNT;
	bool found = false;

	if (total == 0)
		return LOAD_BADMACHO;
	while (total > 0) {
		uint32_t flavor, count;

		if (total < 8)
			return LOAD_BADMACHO;
		xs_memcpy(&flavor, ts, 4);
		xs_memcpy(&count, ts + 4, 4);
		if (count > (UINT32_MAX / 4) - 2 || (count + 2) * 4 > total)
			return LOAD_BADMACHO;
		if (flavor != want || count < want_count)
			return LOAD_FAILURE;
		xs_memcpy(pc, ts + 8 + (arm ? XS_ARM_TS64_PC_OFF : XS_X86_TS64_RIP_OFF), 8);
		xs_memcpy(sp, ts + 8 + (arm ? XS_ARM_TS64_SP_OFF : XS_X86_TS64_RSP_OFF), 8);
		found = true;
		total -= (count + 2) * 4;
		ts += (count + 2) * 4;
	}
	return found ? LOAD_SUCCESS : LOAD_BADMACHO;
}

/*
 * Routine:    load_unixthread
 * Purpose:    LC_UNIXTHREAD (dyld's entry, or an old static executable):
 *             the initial pc (slid) and an optional custom stack.
 * Returns:    LOAD_SUCCESS, LOAD_BADMACHO, LOAD_FAILURE.
 */
load_return_t xs_load_unixthread(struct macho_parse *mp, const uint8_t *lcp, uint32_t cmdsize)
{
	XS_FUNC_AT(load_unixthread, XS_MACH_LOADER_PATH);
	load_result_t *r = mp->result;
	uint64_t pc = 0, sp = 0;
	load_return_t ret;

	if (cmdsize < sizeof(struct thread_command))
		return LOAD_BADMACHO;
	if (r->thread_count != 0)
		return LOAD_FAILURE;
	ret = load_threadstate_regs(lcp + sizeof(struct thread_command),
				    cmdsize - (uint32_t)sizeof(struct thread_command), &pc, &sp);
	if (ret != LOAD_SUCCESS)
		return ret;
	if (sp) {
		r->custom_stack = true;
		r->user_stack = sp + (uint64_t)mp->slide;
	} else {
		r->user_stack_alloc_size = XS_MAXSSIZ;
		r->user_stack = XS_USER_STACK_TOP;
	}
	if (r->using_lcmain || r->entry_point != 0)
		return LOAD_FAILURE;
	r->entry_point = pc + (uint64_t)mp->slide;
	r->unixproc = true;
	r->thread_count++;
	return LOAD_SUCCESS;
}

/* ---- the dynamic linker ---------------------------------------------------------- */

/*
 * Routine:    get_macho_vnode
 * Purpose:    Open the dynamic linker and find its Mach-O (thin, or the
 *             slice for cputype in a fat file).  Simulator seam: the file is
 *             the one the caller put in imgp->ip_dyld_image (namei comes
 *             with the exec glue).
 * Returns:    LOAD_SUCCESS, LOAD_ENOENT, LOAD_BADMACHO, LOAD_BADARCH.
 */
static load_return_t get_macho_vnode(const char *path, int32_t cputype,
				     struct image_params *imgp, struct mach_header_64 *mh,
				     uint64_t *file_offset, uint64_t *macho_size)
{
	XS_FUNC_AT(get_macho_vnode, XS_MACH_LOADER_PATH);
	const uint8_t *img = imgp->ip_dyld_image;
	uint64_t size = imgp->ip_dyld_size;
	struct fat_arch fa;
	load_return_t ret;

	if (!img || xs_strcmp(path, XS_DEFAULT_DYLD_PATH) != 0)
		return LOAD_ENOENT;
	if (size < 512)		/* the header union XNU reads in one go */
		return LOAD_BADMACHO;
	xs_memcpy(mh, img, sizeof(*mh));
	if (mh->magic == MH_MAGIC || mh->magic == MH_MAGIC_64) {
		if (mh->cputype != cputype)
			return LOAD_BADARCH;
		*file_offset = 0;
		*macho_size = size;
		return LOAD_SUCCESS;
	}
	if (xs_be32(img) != FAT_MAGIC)
		return LOAD_BADMACHO;
	ret = xs_fatfile_validate_fatarches(img, 512, size);
	if (ret == LOAD_SUCCESS)
		ret = xs_fatfile_getbestarch_for_cputype(cputype, img, 512, imgp, &fa);
	if (ret != LOAD_SUCCESS)
		return ret;
	if ((uint64_t)fa.offset + sizeof(*mh) > size)
		return LOAD_BADMACHO;
	xs_memcpy(mh, img + fa.offset, sizeof(*mh));
	if (mh->magic != MH_MAGIC && mh->magic != MH_MAGIC_64)
		return LOAD_BADMACHO;
	*file_offset = fa.offset;
	*macho_size = fa.size;
	return LOAD_SUCCESS;
}

/* Hand the dynamic linker's results to the executable's. */
static void load_dylinker_adopt(load_result_t *result, const load_result_t *my)
{
	result->dynlinker = true;
	result->entry_point = my->entry_point;
	result->validentry = my->validentry;
	result->user_stack = my->user_stack ? my->user_stack : result->user_stack;
	result->dynlinker_mach_header = my->mach_header;
	result->dynlinker_max_vm_addr = my->max_vm_addr;
	result->xs_dyld_slide = my->xs_slide;
	if (!my->platform_binary)
		result->csflags &= ~(uint32_t)CS_NO_UNTRUSTED_HELPERS;
}

/*
 * Routine:    load_dylinker
 * Purpose:    LC_LOAD_DYLINKER: check the name (release kernels accept only
 *             /usr/lib/dyld), find the file, and parse it one level deeper
 *             into the same map, placed right after the executable.
 * Returns:    LOAD_SUCCESS, LOAD_BADMACHO, LOAD_ENOENT, LOAD_BADARCH,
 *             LOAD_RESOURCE, or the dylinker's own parse error.
 */
load_return_t xs_load_dylinker(struct macho_parse *mp)
{
	XS_FUNC_AT(load_dylinker, XS_MACH_LOADER_PATH);
	struct dylinker_command dc;
	struct macho_parse *dp;
	load_result_t *my;
	const char *name;
	uint32_t cmdsize;
	int32_t cputype;
	load_return_t ret;

	xs_memcpy(&dc, mp->dlp, sizeof(struct load_command));
	cmdsize = dc.cmdsize;
	if (cmdsize < sizeof(dc))
		return LOAD_BADMACHO;
	xs_memcpy(&dc, mp->dlp, sizeof(dc));
	if (dc.name_offset >= cmdsize)
		return LOAD_BADMACHO;
	name = (const char *)mp->dlp + dc.name_offset;
	if (!xs_macho_has_nul(name, cmdsize - dc.name_offset))
		return LOAD_BADMACHO;
	if (xs_strcmp(name, XS_DEFAULT_DYLD_PATH) != 0)
		return LOAD_BADMACHO;
	xs_strlcpy(mp->result->xs_dylinker_path, name, sizeof(mp->result->xs_dylinker_path));
	dp = xs_kalloc(sizeof(*dp) + sizeof(*my));
	if (!dp)
		return LOAD_RESOURCE;
	my = (load_result_t *)(dp + 1);
	cputype = (mp->header.cputype & (int32_t)CPU_ARCH_MASK) |
		  (xs_cpu_type() & ~(int32_t)CPU_ARCH_MASK);
	ret = get_macho_vnode(name, cputype, mp->imgp, &dp->header, &dp->file_offset,
			      &dp->macho_size);
	if (ret == LOAD_SUCCESS) {
		xs_load_result_null_init(my);
		my->is_64bit_addr = mp->result->is_64bit_addr;
		my->is_64bit_data = mp->result->is_64bit_data;
		dp->imgp = mp->imgp;
		dp->image = mp->imgp->ip_dyld_image;
		dp->image_size = mp->imgp->ip_dyld_size;
		dp->vp = mp->imgp->ip_dyld_vp;
		dp->map = mp->map;
		dp->depth = mp->depth;
		dp->slide = mp->dyld_aslr_offset;
		dp->result = my;
		dp->binresult = mp->result;
		ret = xs_parse_machfile(dp);
		if (ret == LOAD_SUCCESS)
			load_dylinker_adopt(mp->result, my);
		xs_load_result_release(my);
	}
	xs_kfree(dp, sizeof(*dp) + sizeof(*my));
	return ret;
}

