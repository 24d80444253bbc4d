// SPDX-License-Identifier: BSD-2-Clause
/*
 * mach_loader.c: the Mach-O loader.  load_machfile builds a new address
 * space from a 64-bit Mach-O image: parse_machfile walks the load commands
 * in XNU's four passes, maps segments (load_segment / map_segment), checks
 * the code signature (load_code_signature), takes the entry point (load_main
 * / load_unixthread) and loads the dynamic linker (load_dylinker).  Bad
 * images get XNU's LOAD_* answer and never crash the kernel.
 * Corresponds to bsd/kern/mach_loader.c.
 *
 * Simulator choices (docs/fidelity.md): the image is in kernel memory, not
 * read through a vnode; the slide is fixed (it moves the image into the
 * user window of the simulator's maps); pages are checked against the code
 * signature at load time, standing in for page-in validation.
 */
#include "kmod-xnu-sim/bsd/kern/mach_loader_internal.h"

#include "kmod-xnu-sim/bsd/sys/imgact.h"
#include "kmod-xnu-sim/bsd/sys/ubc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#include "kmod-xnu-sim/osfmk/vm/vm_map_internal.h"

#include "darwin/codesign.h"
#include "darwin/macho.h"
#include "darwin/vm.h"

#define FOURGB			0x100000000ull
#define LC_SEGMENT_32_SIZE	56u
#define LC_VERSION_MIN_SIZE	16u
#define LC_ENCRYPTION_64_SIZE	24u


/* arm64 macOS enforces code signing for every process; x86_64 does not. */
static bool cs_process_global_enforcement(void)
{
	return xs_machine()->m_arch == XS_ARCH_ARM64;
}

void xs_load_result_release(load_result_t *result)
{
	if (result && result->xs_csblob) {
		xs_cs_blob_free(result->xs_csblob);
		result->xs_csblob = NULL;
	}
}

/* ---- segments ------------------------------------------------------------------ */

/*
 * Routine:    vm_map_raise_min_offset
 * Purpose:    Page zero: nothing may ever be mapped below new_min.
 * Returns:    KERN_SUCCESS, KERN_INVALID_ADDRESS (past the map, or entries
 *             already below).
 * Note:       XNU's osfmk/vm/vm_map.c function; kept here until the VM
 *             exports it (the map's min_offset is VM-private).
 */
static xs_kern_return_t vm_map_raise_min_offset(struct vm_map *map, uint64_t new_min)
{
	XS_FUNC_AT(vm_map_raise_min_offset, "osfmk/vm/vm_map.c");
	struct vm_map_entry *first;
	xs_kern_return_t kr = KERN_SUCCESS;

	new_min = xs_vm_map_round_page(new_min, xs_vm_map_page_mask(map));
	xs_vm_map_lock(map);
	first = xs_container_of(map->hdr.next, struct vm_map_entry, vme_links);
	if (new_min >= map->max_offset)
		kr = KERN_INVALID_ADDRESS;
	else if (!xs_queue_empty(&map->hdr) && first->vme_start < new_min)
		kr = KERN_INVALID_ADDRESS;
	else if (new_min > map->min_offset)
		map->min_offset = new_min;
	xs_vm_map_unlock(map);
	return kr;
}

/*
 * Routine:    map_segment
 * Purpose:    Enter [vm_start, vm_end) in the new map: a private copy of the
 *             file's [file_start, file_end) (vm_map_enter_mem_object_control
 *             with copy), or zero-fill memory when image is NULL.
 * Conditions: Everything page aligned (load_segment refused the rest).
 * Returns:    LOAD_SUCCESS, LOAD_BADMACHO, LOAD_NOSPACE.
 */
static load_return_t map_segment(struct macho_parse *mp, uint64_t vm_start, uint64_t vm_end,
				 const uint8_t *image, uint64_t file_start, uint64_t file_end,
				 vm_prot_t initprot, vm_prot_t maxprot)
{
	XS_FUNC(map_segment);
	mach_vm_address_t addr = vm_start;
	uint64_t size;
	xs_kern_return_t kr;

	if (vm_end < vm_start || file_end < file_start)
		return LOAD_BADMACHO;
	if (vm_end == vm_start || file_end == file_start)
		return LOAD_SUCCESS;
	size = file_end - file_start;
	if (image)
		kr = xs_vm_map_enter_mem_object_control(mp->map, &addr, size, VM_FLAGS_FIXED,
							mp->vp, (void *)(uintptr_t)image,
							mp->image_size, file_start, true, initprot,
							maxprot, VM_INHERIT_DEFAULT);
	else
		kr = xs_vm_map_enter_mem_object(mp->map, &addr, size, 0, VM_FLAGS_FIXED,
						initprot, maxprot, VM_INHERIT_DEFAULT);
	return kr == KERN_SUCCESS ? LOAD_SUCCESS : LOAD_NOSPACE;
}

/*
 * The layout must fit the simulator's user window and no two segments may
 * overlap: with a map, vm_map_enter(FIXED) refuses both (LOAD_NOSPACE);
 * a preflight checks the same against the recorded layout.
 */
static load_return_t segment_record(struct macho_parse *mp, const struct segment_command_64 *sc,
				    uint64_t vm_start, uint64_t vm_end, uint64_t file_start,
				    uint64_t file_end)
{
	load_result_t *r = mp->binresult ? mp->binresult : mp->result;
	struct xs_load_segment *s;

	if (vm_start < XS_VM_MAP_USER_MIN || vm_end > XS_VM_MAP_USER_MAX)
		return LOAD_NOSPACE;
	if (mp->result->xs_pagezero_end > vm_start ||
	    (mp->binresult && mp->binresult->xs_pagezero_end > vm_start))
		return LOAD_NOSPACE;
	for (uint32_t i = 0; i < r->xs_nsegments; i++)
		if (vm_start < r->xs_segments[i].vm_end && r->xs_segments[i].vm_start < vm_end)
			return LOAD_NOSPACE;
	if (r->xs_nsegments == XS_LOAD_MAX_SEGMENTS)
		return LOAD_RESOURCE;
	s = &r->xs_segments[r->xs_nsegments++];
	xs_memcpy(s->segname, sc->segname, sizeof(s->segname));
	s->vm_start = vm_start;
	s->vm_end = vm_end;
	s->file_start = file_start;
	s->file_end = file_end;
	s->initprot = sc->initprot & VM_PROT_ALL;
	s->maxprot = sc->maxprot & VM_PROT_ALL;
	s->depth = (uint32_t)mp->depth;
	return LOAD_SUCCESS;
}

/* __TEXT,__xs_elf: the ELF program this image is bound to (mach_loader.h). */
static load_return_t note_xs_elf_section(struct macho_parse *mp, const uint8_t *lcp,
					 const struct segment_command_64 *sc)
{
	struct section_64 sect;

	if (mp->depth != 1 || xs_strncmp(sc->segname, XS_MACHO_ELF_SEGNAME, 16) != 0)
		return LOAD_SUCCESS;
	for (uint32_t i = 0; i < sc->nsects; i++) {
		uint64_t size;

		xs_memcpy(&sect, lcp + sizeof(*sc) + i * sizeof(sect), sizeof(sect));
		if (xs_strncmp(sect.sectname, XS_MACHO_ELF_SECTNAME, 16) != 0)
			continue;
		size = sect.size < XS_MAXPATHLEN ? sect.size : XS_MAXPATHLEN;
		if ((uint64_t)sect.offset + size > mp->macho_size || size == 0)
			return LOAD_BADMACHO;
		for (uint64_t n = 0; n < size; n++) {
			char c = (char)mp->image[mp->file_offset + sect.offset + n];

			mp->result->xs_bound_elf[n] = c;
			if (c == '\0')
				return LOAD_SUCCESS;
		}
		mp->result->xs_bound_elf[0] = '\0';
		return LOAD_BADMACHO;
	}
	return LOAD_SUCCESS;
}

/* Page zero: no file data, no access, at 0.  The map's floor rises over it. */
static load_return_t load_segment_pagezero(struct macho_parse *mp, uint64_t vm_offset,
					   uint64_t vm_size)
{
	uint64_t vm_end;

	if (__builtin_add_overflow(vm_offset, vm_size, &vm_end) ||
	    vm_end > UINT64_MAX - xs_macho_page_mask())
		return LOAD_BADMACHO;
	vm_end = xs_round_up(vm_end, xs_macho_page_mask() + 1);
	/* A segment already laid out below it: raising the floor fails. */
	for (uint32_t i = 0; i < mp->result->xs_nsegments; i++)
		if (mp->result->xs_segments[i].vm_start < vm_end)
			return LOAD_FAILURE;
	if (vm_end > mp->result->xs_pagezero_end)
		mp->result->xs_pagezero_end = vm_end;
	if (!mp->map)
		return LOAD_SUCCESS;
	return vm_map_raise_min_offset(mp->map, vm_end) == KERN_SUCCESS ? LOAD_SUCCESS
									  : LOAD_FAILURE;
}

/* The range checks of load_segment: file bounds, sections, alignment. */
static load_return_t load_segment_check(struct macho_parse *mp,
					const struct segment_command_64 *sc, uint64_t *file_offset)
{
	uint64_t end, mask = xs_macho_page_mask();

	if (__builtin_add_overflow(sc->fileoff, sc->filesize, &end) || end > mp->macho_size)
		return LOAD_BADMACHO;
	if ((sc->cmdsize - sizeof(*sc)) / sizeof(struct section_64) < sc->nsects)
		return LOAD_BADMACHO;
	if (__builtin_add_overflow(mp->file_offset, sc->fileoff, file_offset) ||
	    (*file_offset & mask) != 0)
		return LOAD_BADMACHO;
	/* XNU's own test, kept literally (it only catches wrapped ranges). */
	if (mp->result->cs_end_offset && (uint64_t)mp->result->cs_end_offset < sc->fileoff &&
	    (uint64_t)mp->result->cs_end_offset - sc->fileoff < sc->filesize)
		return LOAD_BADMACHO;
	/* dyld's rule, enforced here because no dyld runs: data must fit the VM range. */
	if (sc->filesize > sc->vmsize)
		return LOAD_BADMACHO;
	return LOAD_SUCCESS;
}

/* Map the file part and the zero-fill tail of a laid-out segment. */
static load_return_t load_segment_map(struct macho_parse *mp, const struct segment_command_64 *sc,
				      uint64_t vm_start, uint64_t vm_end, uint64_t file_start,
				      uint64_t file_end)
{
	uint64_t delta = 0;
	load_return_t ret;

	ret = map_segment(mp, vm_start, vm_end, mp->image, file_start, file_end,
			  sc->initprot & VM_PROT_ALL, sc->maxprot & VM_PROT_ALL);
	if (ret != LOAD_SUCCESS)
		return LOAD_NOSPACE;
	if (vm_end - vm_start > file_end - file_start)
		delta = (vm_end - vm_start) - (file_end - file_start);
	if (delta == 0)
		return LOAD_SUCCESS;
	ret = map_segment(mp, vm_start + (file_end - file_start), vm_end, NULL, 0, delta,
			  sc->initprot & VM_PROT_ALL, sc->maxprot & VM_PROT_ALL);
	return ret == LOAD_SUCCESS ? LOAD_SUCCESS : LOAD_NOSPACE;
}

/*
 * Routine:    load_segment
 * Purpose:    Lay out one LC_SEGMENT_64: checks, page zero, the slid and
 *             page-rounded VM and file ranges, the mapping (unless a
 *             preflight), mach_header, and whether the entry point lies in
 *             an R+X segment (validentry).
 * Returns:    LOAD_SUCCESS, LOAD_BADMACHO, LOAD_NOSPACE, LOAD_FAILURE,
 *             LOAD_RESOURCE.
 */
static load_return_t load_segment(struct macho_parse *mp, const uint8_t *lcp)
{
	XS_FUNC(load_segment);
	struct segment_command_64 sc;
	uint64_t file_offset, vm_offset, vm_top, mask = xs_macho_page_mask();
	uint64_t vm_start, vm_end, file_start, file_end;
	load_result_t *r = mp->result;
	load_return_t ret;

	xs_memcpy(&sc, lcp, sizeof(sc));
	ret = load_segment_check(mp, &sc, &file_offset);
	if (ret != LOAD_SUCCESS)
		return ret;
	if (__builtin_add_overflow(sc.vmaddr, (uint64_t)mp->slide, &vm_offset))
		return LOAD_BADMACHO;
	if (sc.vmsize == 0)
		return LOAD_SUCCESS;
	if (sc.vmaddr == 0 && sc.filesize == 0 && (sc.initprot & VM_PROT_ALL) == 0 &&
	    (sc.maxprot & VM_PROT_ALL) == 0)
		return load_segment_pagezero(mp, vm_offset, sc.vmsize);
	if (__builtin_add_overflow(vm_offset, sc.vmsize, &vm_top) || vm_top > UINT64_MAX - mask)
		return LOAD_BADMACHO;
	file_start = file_offset & ~mask;
	file_end = xs_round_up(file_offset + sc.filesize, mask + 1);
	vm_start = vm_offset & ~mask;
	vm_end = xs_round_up(vm_top, mask + 1);
	if (vm_start < r->min_vm_addr)
		r->min_vm_addr = vm_start;
	if (vm_end > r->max_vm_addr)
		r->max_vm_addr = vm_end;
	if (sc.flags & SG_READ_ONLY) {
		if (r->ro_vm_start || r->ro_vm_end)
			return LOAD_BADMACHO;
		r->ro_vm_start = vm_start;
		r->ro_vm_end = vm_end;
	}
	ret = segment_record(mp, &sc, vm_start, vm_end, file_start - mp->file_offset,
			     file_end - mp->file_offset);
	if (ret == LOAD_SUCCESS && mp->map)
		ret = load_segment_map(mp, &sc, vm_start, vm_end, file_start, file_end);
	if (ret != LOAD_SUCCESS)
		return ret;
	if (sc.fileoff == 0 && sc.filesize != 0) {
		r->mach_header = vm_offset;
		mp->header_filesize = sc.filesize;
	}
	if (r->entry_point && r->entry_point >= vm_offset && r->entry_point < vm_top)
		r->validentry = (sc.initprot & (VM_PROT_READ | VM_PROT_EXECUTE)) ==
				(VM_PROT_READ | VM_PROT_EXECUTE);
	return note_xs_elf_section(mp, lcp, &sc);
}

/* ---- code signing ---------------------------------------------------------------- */

/*
 * Check the slice's pages against the code slots.  XNU checks the load
 * command pages here and every other page when it is faulted in (a bad one
 * kills a CS_KILL process); with no fault path the simulator checks them
 * all now, so a tampered page fails exec instead (fidelity.md).
 */
static load_return_t load_code_signature_pages(struct macho_parse *mp)
{
	const struct cs_blob *blob = mp->result->xs_csblob;
	uint64_t psize = 1ull << blob->csb_hash_pageshift;
	unsigned tainted;

	for (uint64_t off = 0; off < blob->csb_code_limit; off += psize) {
		uint64_t len = blob->csb_code_limit - off < psize ? blob->csb_code_limit - off
								    : psize;

		if (xs_cs_validate_range(blob, off, mp->image + mp->file_offset + off, len,
					 &tainted) && !(tainted & CS_VALIDATE_TAINTED))
			continue;
		mp->result->csflags &= ~(uint32_t)CS_VALID;
		if (cs_process_global_enforcement() ||
		    (mp->result->csflags & (CS_HARD | CS_KILL | CS_ENFORCEMENT)))
			return LOAD_FAILURE;
		return LOAD_SUCCESS;
	}
	return LOAD_SUCCESS;
}

/*
 * Routine:    load_code_signature
 * Purpose:    LC_CODE_SIGNATURE: copy the embedded signature into a blob
 *             (ubc_cs_blob_allocate), validate and register it
 *             (ubc_cs_blob_add -> mac_vnode_check_signature) and take its
 *             flags.  The signature must lie inside the slice and its code
 *             limit must not run past it.
 * Returns:    LOAD_SUCCESS, LOAD_BADMACHO, LOAD_NOSPACE, LOAD_FAILURE.
 */
static load_return_t load_code_signature(struct macho_parse *mp, const uint8_t *lcp,
					 uint32_t cmdsize)
{
	XS_FUNC(load_code_signature);
	struct linkedit_data_command lc;
	struct cs_blob *blob = NULL;
	void *addr = NULL;
	uint64_t blob_size;
	uint32_t sum;

	if (cmdsize != sizeof(lc))
		return LOAD_BADMACHO;
	if (mp->result->xs_csblob)
		return LOAD_BADMACHO;	/* a second signature for the same slice */
	xs_memcpy(&lc, lcp, sizeof(lc));
	if (__builtin_add_overflow(lc.dataoff, lc.datasize, &sum) || sum > mp->macho_size)
		return LOAD_BADMACHO;
	blob_size = lc.datasize;
	if (xs_ubc_cs_blob_allocate(&addr, &blob_size) != KERN_SUCCESS)
		return LOAD_NOSPACE;
	xs_memcpy(addr, mp->image + mp->file_offset + lc.dataoff, lc.datasize);
	if (xs_ubc_cs_blob_add(mp->vp, mp->result->ip_platform, mp->header.cputype,
			       mp->header.cpusubtype & ~(int32_t)CPU_SUBTYPE_MASK, mp->file_offset,
			       &addr, blob_size, mp->imgp, 0, &blob)) {
		xs_ubc_cs_blob_deallocate(addr, blob_size);
		return LOAD_FAILURE;
	}
	if (blob->csb_code_limit > mp->macho_size) {
		xs_cs_blob_free(blob);
		return LOAD_BADMACHO;
	}
	mp->result->xs_csblob = blob;
	mp->result->csflags |= blob->csb_flags;
	mp->result->platform_binary = blob->csb_platform_binary;
	mp->result->cs_end_offset = (int64_t)blob->csb_end_offset;
	return LOAD_SUCCESS;
}

/* Pass 1's LC_CODE_SIGNATURE: without enforcement a bad signature is ignored. */
static load_return_t parse_code_signature(struct macho_parse *mp, const uint8_t *lcp,
					  uint32_t cmdsize)
{
	load_return_t ret = load_code_signature(mp, lcp, cmdsize);

	if (ret != LOAD_SUCCESS)
		return cs_process_global_enforcement() ? ret : LOAD_SUCCESS;
	mp->got_code_signatures = true;
	return load_code_signature_pages(mp);
}

/* ---- parse_machfile -------------------------------------------------------------- */

static bool pie_required(int32_t cputype)
{
	return cputype == CPU_TYPE_ARM64;
}

/* The machine type, grading and filetype checks at the top of parse_machfile. */
static load_return_t parse_machfile_header(struct macho_parse *mp)
{
	const struct mach_header_64 *h = &mp->header;

	if ((h->cputype & ~(int32_t)CPU_ARCH_MASK) != (xs_cpu_type() & ~(int32_t)CPU_ARCH_MASK))
		return LOAD_BADARCH;
	if (!xs_grade_binary(h->cputype, h->cpusubtype & ~(int32_t)CPU_SUBTYPE_MASK,
			     h->cpusubtype & (int32_t)CPU_SUBTYPE_MASK, true))
		return LOAD_BADARCH;
	mp->abi64 = (h->cputype & CPU_ARCH_ABI64) == CPU_ARCH_ABI64;
	switch (h->filetype) {
	case MH_EXECUTE:
		if (mp->depth != 1 && mp->depth != 3)
			return LOAD_FAILURE;
		if (h->flags & MH_DYLDLINK) {
			if (!(h->flags & MH_PIE) && pie_required(h->cputype))
				return LOAD_FAILURE;
			mp->result->needs_dynlinker = true;
		} else if (h->cputype != CPU_TYPE_X86_64) {
			return LOAD_FAILURE;	/* static arm64: development kernels only */
		}
		break;
	case MH_DYLINKER:
		if (mp->depth != 2)
			return LOAD_FAILURE;
		mp->is_dyld = true;
		break;
	default:
		return LOAD_FAILURE;
	}
	return LOAD_SUCCESS;
}

/* LC_BUILD_VERSION / LC_VERSION_MIN_*: pass 0, the executable only. */
static load_return_t load_version(struct macho_parse *mp, const uint8_t *lcp, uint32_t cmd,
				  uint32_t cmdsize)
{
	XS_FUNC(load_version);
	struct build_version_command bv;
	uint32_t v[4];

	if (cmd == LC_BUILD_VERSION) {
		if (cmdsize < sizeof(bv) || mp->found_version_cmd)
			return LOAD_BADMACHO;
		xs_memcpy(&bv, lcp, sizeof(bv));
		mp->result->ip_platform = bv.platform;
		mp->result->lr_sdk = bv.sdk;
		mp->result->lr_min_sdk = bv.minos;
	} else {
		if (cmdsize < LC_VERSION_MIN_SIZE || mp->found_version_cmd)
			return LOAD_BADMACHO;
		xs_memcpy(v, lcp, sizeof(v));
		mp->result->ip_platform = cmd == LC_VERSION_MIN_MACOSX ? PLATFORM_MACOS
								       : PLATFORM_IOS;
		mp->result->lr_min_sdk = v[2];
		mp->result->lr_sdk = v[3];
	}
	mp->found_version_cmd = true;
	return LOAD_SUCCESS;
}

/* LC_SEGMENT_64 in each pass; pass 2 maps it. */
static load_return_t parse_segment(struct macho_parse *mp, const uint8_t *lcp, uint32_t cmdsize)
{
	struct segment_command_64 sc;
	load_return_t ret;

	if (cmdsize < sizeof(sc))
		return LOAD_BADMACHO;
	xs_memcpy(&sc, lcp, sizeof(sc));
	if (mp->pass == 0) {
		if (mp->is_dyld && sc.vmaddr == 0 && sc.fileoff == 0)
			mp->dyld_no_load_addr = true;
		return LOAD_SUCCESS;
	}
	if (mp->pass == 1 && xs_strncmp(sc.segname, "__XHDR", 16) == 0)
		mp->found_xhdr = true;
	if (mp->pass != 2)
		return LOAD_SUCCESS;
	if (!mp->abi64)
		return LOAD_BADMACHO;
	ret = load_segment(mp, lcp);
	if (ret == LOAD_SUCCESS && sc.fileoff == 0 && sc.filesize > 0) {
		/* One segment maps offset zero (the headers), and it is R+X. */
		if (mp->found_header_segment ||
		    (sc.initprot & (VM_PROT_READ | VM_PROT_EXECUTE)) !=
		    (VM_PROT_READ | VM_PROT_EXECUTE))
			return LOAD_BADMACHO;
		mp->found_header_segment = true;
	}
	return ret;
}

/* LC_UUID (pass 1, the executable) and LC_ENCRYPTION_INFO_64 (pass 3). */
static load_return_t parse_misc(struct macho_parse *mp, const uint8_t *lcp, uint32_t cmd,
				uint32_t cmdsize)
{
	uint32_t cryptid;

	if (cmd == LC_UUID) {
		if (mp->pass != 1 || mp->depth != 1)
			return LOAD_SUCCESS;
		if (cmdsize < sizeof(struct uuid_command))
			return LOAD_BADMACHO;
		xs_memcpy(mp->result->uuid, lcp + 8, sizeof(mp->result->uuid));
		return LOAD_SUCCESS;
	}
	if (mp->pass != 3)
		return LOAD_SUCCESS;
	if (cmdsize < LC_ENCRYPTION_64_SIZE)
		return LOAD_BADMACHO;
	xs_memcpy(&cryptid, lcp + 16, 4);
	if (cryptid == 0)
		return LOAD_SUCCESS;		/* not encrypted */
	if (cryptid != 1 && cryptid != 0x10)
		return LOAD_BADMACHO;
	return mp->map ? LOAD_FAILURE : LOAD_SUCCESS;	/* no text_crypter here */
}

/* One load command in the current pass (parse_machfile's switch). */
static load_return_t parse_machfile_command(struct macho_parse *mp, const uint8_t *lcp,
					    uint32_t cmd, uint32_t cmdsize)
{
	switch (cmd) {
	case LC_SEGMENT:
		if (cmdsize < LC_SEGMENT_32_SIZE)
			return LOAD_BADMACHO;
		return mp->pass == 2 && mp->abi64 ? LOAD_BADMACHO : LOAD_SUCCESS;
	case LC_SEGMENT_64:
		return parse_segment(mp, lcp, cmdsize);
	case LC_UNIXTHREAD:
		return mp->pass == 1 ? xs_load_unixthread(mp, lcp, cmdsize) : LOAD_SUCCESS;
	case LC_MAIN:
		if (mp->pass != 1 || mp->depth != 1)
			return LOAD_SUCCESS;
		return xs_load_main(mp, lcp, cmdsize);
	case LC_LOAD_DYLINKER:
		if (mp->pass != 3)
			return LOAD_SUCCESS;
		if (mp->depth != 1 || mp->dlp)
			return LOAD_FAILURE;
		mp->dlp = lcp;
		return LOAD_SUCCESS;
	case LC_UUID:
	case LC_ENCRYPTION_INFO_64:
		return parse_misc(mp, lcp, cmd, cmdsize);
	case LC_CODE_SIGNATURE:
		return mp->pass == 1 ? parse_code_signature(mp, lcp, cmdsize) : LOAD_SUCCESS;
	case LC_BUILD_VERSION:
	case LC_VERSION_MIN_MACOSX:
	case LC_VERSION_MIN_IPHONEOS:
		if (mp->depth != 1 || mp->pass != 0)
			return LOAD_SUCCESS;
		return load_version(mp, lcp, cmd, cmdsize);
	default:
		return LOAD_SUCCESS;	/* other commands are dyld's business */
	}
}

/* Start of passes 1 and 3: dyld's placement, the entry and header checks. */
static load_return_t parse_machfile_pass_start(struct macho_parse *mp)
{
	if (mp->pass == 1 && mp->dyld_no_load_addr && mp->binresult)
		mp->slide = (int64_t)xs_round_up((uint64_t)mp->slide + mp->binresult->max_vm_addr,
						 xs_macho_page_mask() + 1);
	if (mp->pass != 3)
		return LOAD_SUCCESS;
	if (!mp->result->using_lcmain && !mp->result->validentry)
		return LOAD_FAILURE;
	return mp->found_header_segment ? LOAD_SUCCESS : LOAD_BADMACHO;
}

/* One pass over the load commands, each checked to lie inside sizeofcmds. */
static load_return_t parse_machfile_pass(struct macho_parse *mp)
{
	uint64_t offset = sizeof(struct mach_header_64), next;
	uint32_t ncmds = mp->header.ncmds;
	struct load_command lc;
	load_return_t ret = parse_machfile_pass_start(mp);

	while (ret == LOAD_SUCCESS && ncmds--) {
		if (offset + sizeof(lc) > mp->cmds_size)
			return LOAD_BADMACHO;
		xs_memcpy(&lc, mp->addr + offset, sizeof(lc));
		if (__builtin_add_overflow(offset, (uint64_t)lc.cmdsize, &next) ||
		    lc.cmdsize < sizeof(lc) || next > mp->cmds_size)
			return LOAD_BADMACHO;
		/* dyld refuses unaligned commands; with no dyld the kernel does. */
		if (lc.cmdsize % 8)
			return LOAD_BADMACHO;
		ret = parse_machfile_command(mp, mp->addr + offset, lc.cmd, lc.cmdsize);
		offset = next;
	}
	return ret;
}

/* After the passes: signature, dyld, entry-point and thread requirements. */
static load_return_t parse_machfile_finish(struct macho_parse *mp)
{
	load_result_t *r = mp->result;
	load_return_t ret = LOAD_SUCCESS;

	if (!mp->got_code_signatures && cs_process_global_enforcement())
		return LOAD_FAILURE;
	if (r->needs_dynlinker && !mp->dlp)
		return LOAD_FAILURE;
	if (mp->depth == 1 && r->using_lcmain) {
		/* dyld would refuse a main() outside the header segment's file data. */
		if (r->xs_entryoff >= mp->header_filesize)
			return LOAD_BADMACHO;
		r->xs_main_entry = r->mach_header + r->xs_entryoff;
	}
	if (mp->dlp)
		ret = xs_load_dylinker(mp);
	if (ret == LOAD_SUCCESS && mp->depth == 1 && r->thread_count == 0)
		ret = LOAD_FAILURE;
	return ret;
}

/*
 * Routine:    parse_machfile
 * Purpose:    Walk one Mach-O (the executable at depth 1, dyld at 2) in
 *             XNU's passes: 0 platform version and dyld placement; 1 entry
 *             point, UUID, code signature; 2 segments; 3 dylinker and
 *             encryption, after checking the entry point and the header
 *             segment.  Then load the dylinker.
 * Conditions: mp->header, depth (the caller's), slide, result set.
 * Returns:    LOAD_SUCCESS or a LOAD_* error.
 */
load_return_t xs_parse_machfile(struct macho_parse *mp)
{
	XS_FUNC(parse_machfile);
	load_return_t ret;

	if (mp->depth > 2)
		return LOAD_FAILURE;
	mp->depth++;
	if (mp->depth == 1)
		mp->result->csflags |= CS_NO_UNTRUSTED_HELPERS;
	if (mp->header.magic != MH_MAGIC_64)
		return LOAD_BADMACHO;
	ret = parse_machfile_header(mp);
	if (ret != LOAD_SUCCESS)
		return ret;
	if ((mp->header.flags & MH_PIE) == 0 && !mp->is_dyld)
		mp->slide = 0;
	mp->cmds_size = sizeof(struct mach_header_64) + (uint64_t)mp->header.sizeofcmds;
	if (mp->cmds_size > mp->macho_size)
		return LOAD_BADMACHO;
	mp->alloc_size = xs_round_up(mp->cmds_size, xs_macho_page_mask() + 1);
	mp->addr = xs_kalloc(mp->alloc_size);
	if (!mp->addr)
		return LOAD_NOSPACE;
	xs_memcpy(mp->addr, mp->image + mp->file_offset, mp->cmds_size);
	ret = LOAD_SUCCESS;
	for (mp->pass = 0; mp->pass <= 3 && ret == LOAD_SUCCESS; mp->pass++)
		ret = parse_machfile_pass(mp);
	if (ret == LOAD_SUCCESS)
		ret = parse_machfile_finish(mp);
	if (ret == LOAD_BADMACHO && mp->found_xhdr)
		ret = LOAD_BADMACHO_UPX;
	mp->result->xs_slide = mp->slide;
	xs_kfree(mp->addr, mp->alloc_size);
	mp->addr = NULL;
	return ret;
}

/* ---- load_machfile --------------------------------------------------------------- */

/* The map must start at or above the hard page zero (4 GiB on arm64). */
static bool has_hard_pagezero(const load_result_t *r, int32_t cputype)
{
	return r->xs_pagezero_end >= (cputype == CPU_TYPE_ARM64 ? FOURGB : 0x1000);
}

load_return_t xs_load_machfile(struct image_params *imgp, const struct mach_header_64 *header,
			       struct vm_map **mapp, load_result_t *result)
{
	XS_FUNC(load_machfile);
	struct macho_parse *mp;
	struct vm_map *map = NULL;
	uint64_t total;
	load_return_t ret;

	xs_load_result_null_init(result);
	if (__builtin_add_overflow(imgp->ip_arch_offset, imgp->ip_arch_size, &total) ||
	    total > imgp->ip_image_size || !imgp->ip_image)
		return LOAD_BADMACHO;
	result->is_64bit_addr = (imgp->ip_flags & IMGPF_IS_64BIT_ADDR) != 0;
	result->is_64bit_data = (imgp->ip_flags & IMGPF_IS_64BIT_DATA) != 0;
	if (mapp) {
		/* pmap_create_options + vm_map_create_options: the new space. */
		map = xs_vm_map_create_options(result->is_64bit_addr);
		if (!map)
			return LOAD_RESOURCE;
	}
	mp = xs_kalloc(sizeof(*mp));
	if (!mp) {
		if (map)
			xs_vm_map_deallocate(map);
		return LOAD_RESOURCE;
	}
	mp->imgp = imgp;
	mp->image = imgp->ip_image;
	mp->image_size = imgp->ip_image_size;
	mp->vp = imgp->ip_vp;
	mp->map = map;
	mp->header = *header;
	mp->file_offset = imgp->ip_arch_offset;
	mp->macho_size = imgp->ip_arch_size;
	/* The "ASLR" slide: the fixed offset of the simulator's user window. */
	mp->slide = (int64_t)XS_VM_MAP_USER_MIN;
	mp->dyld_aslr_offset = 0;
	mp->result = result;
	ret = xs_parse_machfile(mp);
	xs_kfree(mp, sizeof(*mp));
	if (ret == LOAD_SUCCESS && !has_hard_pagezero(result, header->cputype))
		ret = LOAD_BADMACHO;
	if (ret != LOAD_SUCCESS) {
		if (map)
			xs_vm_map_deallocate(map);
		xs_load_result_release(result);
		return ret;
	}
	if (mapp)
		*mapp = map;
	return LOAD_SUCCESS;
}
