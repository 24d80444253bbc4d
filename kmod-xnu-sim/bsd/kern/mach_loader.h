/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mach_loader.h: the Mach-O loader's API, the Mach-O file structures it
 * reads (EXTERNAL_HEADERS/mach-o/loader.h and fat.h) and the load result
 * exec builds the new process from.  Corresponds to bsd/kern/mach_loader.h.
 *
 * Mach-O headers and load commands are little-endian (both simulated
 * architectures); fat headers and every code-signing structure are
 * big-endian.  The layouts are checked against constants.tsv below.
 */
#ifndef XS_KERN_MACH_LOADER_H
#define XS_KERN_MACH_LOADER_H

#include "kmod-xnu-sim/osfmk/kern/kern_types.h"

#include "darwin/struct_macho.h"

typedef int load_return_t;

#define LOAD_SUCCESS		0
#define LOAD_BADARCH		1	/* CPU type/subtype not found */
#define LOAD_BADMACHO		2	/* malformed mach-o file */
#define LOAD_SHLIB		3	/* shlib version mismatch */
#define LOAD_FAILURE		4	/* Miscellaneous error */
#define LOAD_NOSPACE		5	/* No VM available */
#define LOAD_PROTECT		6	/* protection violation */
#define LOAD_RESOURCE		7	/* resource allocation failure */
#define LOAD_ENOENT		8	/* resource not found */
#define LOAD_IOERROR		9	/* IO error */
#define LOAD_DECRYPTFAIL	10	/* FP decrypt failure */
#define LOAD_BADMACHO_UPX	11	/* malformed mach-o file */
#define LOAD_BADARCH_X86	12	/* -no32exec boot-arg + 32-bit x86 binary */

/* ---- Mach-O file structures (little-endian) ------------------------------- */

struct mach_header_64 {
	uint32_t magic;
	int32_t cputype;
	int32_t cpusubtype;
	uint32_t filetype;
	uint32_t ncmds;
	uint32_t sizeofcmds;
	uint32_t flags;
	uint32_t reserved;
};

struct load_command {
	uint32_t cmd;
	uint32_t cmdsize;
};

struct segment_command_64 {
	uint32_t cmd;
	uint32_t cmdsize;
	char segname[16];
	uint64_t vmaddr;
	uint64_t vmsize;
	uint64_t fileoff;
	uint64_t filesize;
	int32_t maxprot;
	int32_t initprot;
	uint32_t nsects;
	uint32_t flags;
};

struct section_64 {
	char sectname[16];
	char segname[16];
	uint64_t addr;
	uint64_t size;
	uint32_t offset;
	uint32_t align;
	uint32_t reloff;
	uint32_t nreloc;
	uint32_t flags;
	uint32_t reserved1;
	uint32_t reserved2;
	uint32_t reserved3;
};

struct entry_point_command {
	uint32_t cmd;
	uint32_t cmdsize;
	uint64_t entryoff;	/* file offset of main(), relative to __TEXT */
	uint64_t stacksize;	/* 0: default */
};

struct dylinker_command {
	uint32_t cmd;
	uint32_t cmdsize;
	uint32_t name_offset;	/* lc_str: from the start of the command */
};

struct linkedit_data_command {
	uint32_t cmd;
	uint32_t cmdsize;
	uint32_t dataoff;
	uint32_t datasize;
};

struct uuid_command {
	uint32_t cmd;
	uint32_t cmdsize;
	uint8_t uuid[16];
};

struct build_version_command {
	uint32_t cmd;
	uint32_t cmdsize;
	uint32_t platform;
	uint32_t minos;
	uint32_t sdk;
	uint32_t ntools;
};

struct thread_command {
	uint32_t cmd;
	uint32_t cmdsize;
	/* uint32_t flavor, count; state[count] ... */
};

/* fat.h: BIG-endian on disk. */
struct fat_header {
	uint32_t magic;
	uint32_t nfat_arch;
};

struct fat_arch {
	int32_t cputype;
	int32_t cpusubtype;
	uint32_t offset;
	uint32_t size;
	uint32_t align;
};

#define XS_MACHO_CHECK(type, field, tsv) \
	_Static_assert(offsetof(struct type, field) == XS_STRUCT_MACHO__##tsv, #type "." #field)
XS_MACHO_CHECK(mach_header_64, sizeofcmds, mach_header_64_sizeofcmds);
XS_MACHO_CHECK(mach_header_64, reserved, mach_header_64_reserved);
XS_MACHO_CHECK(segment_command_64, vmaddr, segment_command_64_vmaddr);
XS_MACHO_CHECK(segment_command_64, filesize, segment_command_64_filesize);
XS_MACHO_CHECK(segment_command_64, initprot, segment_command_64_initprot);
XS_MACHO_CHECK(segment_command_64, flags, segment_command_64_flags);
XS_MACHO_CHECK(section_64, addr, section_64_addr);
XS_MACHO_CHECK(section_64, offset, section_64_offset);
XS_MACHO_CHECK(entry_point_command, stacksize, entry_point_command_stacksize);
XS_MACHO_CHECK(dylinker_command, name_offset, dylinker_command_name);
XS_MACHO_CHECK(linkedit_data_command, datasize, linkedit_data_command_datasize);
XS_MACHO_CHECK(uuid_command, uuid, uuid_command_uuid);
XS_MACHO_CHECK(build_version_command, ntools, build_version_command_ntools);
XS_MACHO_CHECK(fat_arch, align, fat_arch_align);
_Static_assert(sizeof(struct mach_header_64) == XS_STRUCT_MACHO__sizeof_mach_header_64, "mh");
_Static_assert(sizeof(struct segment_command_64) == XS_STRUCT_MACHO__sizeof_segment_command_64,
	       "seg");
_Static_assert(sizeof(struct section_64) == XS_STRUCT_MACHO__sizeof_section_64, "sect");
_Static_assert(sizeof(struct entry_point_command) == XS_STRUCT_MACHO__sizeof_entry_point_command,
	       "main");
_Static_assert(sizeof(struct linkedit_data_command) ==
	       XS_STRUCT_MACHO__sizeof_linkedit_data_command, "linkedit");
_Static_assert(sizeof(struct uuid_command) == XS_STRUCT_MACHO__sizeof_uuid_command, "uuid");
_Static_assert(sizeof(struct build_version_command) ==
	       XS_STRUCT_MACHO__sizeof_build_version_command, "build");
_Static_assert(sizeof(struct fat_header) == XS_STRUCT_MACHO__sizeof_fat_header, "fat");
_Static_assert(sizeof(struct fat_arch) == XS_STRUCT_MACHO__sizeof_fat_arch, "fat_arch");

/* LC_UNIXTHREAD flavors (osfmk/mach/arm/thread_status.h, i386/thread_status.h) */
#define ARM_THREAD_STATE64		6
#define ARM_THREAD_STATE64_COUNT	68	/* u32 words: x0-x28, fp, lr, sp, pc, cpsr, flags */
#define XS_ARM_TS64_SP_OFF		248
#define XS_ARM_TS64_PC_OFF		256
#define x86_THREAD_STATE64		4
#define x86_THREAD_STATE64_COUNT	42	/* u32 words: 21 registers */
#define XS_X86_TS64_RSP_OFF		56
#define XS_X86_TS64_RIP_OFF		128

/*
 * The section that binds a Mach-O image to the ELF program the simulator
 * really runs (DESIGN.md, process model): __TEXT,__xs_elf holds the ELF's
 * path, NUL-terminated.  It lives in __TEXT so the code signature covers
 * it: re-binding an image breaks its signature, as editing code would.
 */
#define XS_MACHO_ELF_SEGNAME  "__TEXT"
#define XS_MACHO_ELF_SECTNAME "__xs_elf"

#define XS_DEFAULT_DYLD_PATH "/usr/lib/dyld"

/* ---- The load result ------------------------------------------------------ */

#define XS_LOAD_MAX_SEGMENTS 16

/* One mapped segment, as load_segment laid it out (slid, page-rounded). */
struct xs_load_segment {
	char segname[16];		/* not NUL-terminated when 16 long */
	uint64_t vm_start, vm_end;
	uint64_t file_start, file_end;	/* slice-relative */
	int32_t initprot, maxprot;
	uint32_t depth;			/* 1: the executable, 2: the dynamic linker */
};

struct cs_blob;

/*
 * What exec needs from load_machfile (bsd/kern/mach_loader.h's
 * load_result_t, plus the simulator's fields, prefixed xs_).
 */
typedef struct _load_result {
	user_addr_t mach_header;	/* where __TEXT (fileoff 0) is mapped */
	user_addr_t entry_point;	/* dyld's entry (LC_UNIXTHREAD pc, slid) */
	user_addr_t user_stack;
	mach_vm_size_t user_stack_size;
	mach_vm_size_t user_stack_alloc_size;
	int thread_count;
	bool unixproc, needs_dynlinker, dynlinker, validentry, has_pagezero, using_lcmain;
	bool is_64bit_addr, is_64bit_data, custom_stack;
	uint32_t csflags;
	uint8_t uuid[16];
	mach_vm_address_t min_vm_addr, max_vm_addr;
	mach_vm_address_t ro_vm_start, ro_vm_end;
	uint32_t platform_binary;
	int64_t cs_end_offset;
	uint32_t ip_platform, lr_min_sdk, lr_sdk;
	user_addr_t dynlinker_mach_header;
	user_addr_t dynlinker_max_vm_addr;

	/* Simulator additions. */
	int64_t xs_slide;		/* added to the executable's vmaddrs */
	int64_t xs_dyld_slide;		/* added to the dynamic linker's vmaddrs */
	uint64_t xs_entryoff;		/* LC_MAIN entryoff (dyld jumps there) */
	uint64_t xs_main_entry;		/* mach_header + entryoff: main() in the new map */
	uint64_t xs_pagezero_end;	/* the new map's raised min_offset */
	char xs_dylinker_path[XS_MAXPATHLEN];	/* LC_LOAD_DYLINKER name */
	char xs_bound_elf[XS_MAXPATHLEN];	/* __TEXT,__xs_elf, or "" */
	struct cs_blob *xs_csblob;	/* the executable's signature (owned) */
	uint32_t xs_nsegments;
	struct xs_load_segment xs_segments[XS_LOAD_MAX_SEGMENTS];
} load_result_t;

struct image_params;
struct vm_map;

/*
 * Routine:    xs_load_machfile
 * Purpose:    Load the Mach-O image of imgp (the slice at ip_arch_offset,
 *             ip_arch_size of ip_image) for a new process: create the new
 *             address space, parse the image into it (parse_machfile),
 *             load the dynamic linker, check the hard page zero.
 *             With mapp NULL it is a preflight (XNU's parse with
 *             VM_MAP_NULL): every check runs and the layout is computed,
 *             nothing is mapped.  The new map is not any task's map yet,
 *             so the VM records its entries without touching a host
 *             address space (pmap.c acts only on the current task's map);
 *             the host pages are made after the host execve
 *             (xs_vm_map_pmap_enter_all).
 * Conditions: Nothing locked.  header points at the slice's mach_header_64
 *             (ip_vdata).  When mapping, ip_image must be arena memory that
 *             outlives the map (the vnode's UBC pages): segments are copies
 *             of it made at pmap time.
 * Returns:    LOAD_SUCCESS with *result filled (and *mapp holding the new
 *             map's reference), or a LOAD_* error (nothing left allocated).
 *             The caller releases result with xs_load_result_release.
 */
load_return_t xs_load_machfile(struct image_params *imgp, const struct mach_header_64 *header,
			       struct vm_map **mapp, load_result_t *result);

/* Free what a load result owns (its cs_blob).  Idempotent. */
void xs_load_result_release(load_result_t *result);

/* ---- mach_fat.c ----------------------------------------------------------- */

/* Big-endian u32 as stored in fat and code-signing structures. */
static inline uint32_t xs_be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* fatfile_validate_fatarches: header, count, duplicates, overlaps, file bounds. */
load_return_t xs_fatfile_validate_fatarches(const void *data, uint64_t data_size,
					    uint64_t file_size);
/* fatfile_getbestarch: the slice for this machine's CPU (host byte order). */
load_return_t xs_fatfile_getbestarch(const void *data, uint64_t data_size,
				     struct image_params *imgp, struct fat_arch *archret);
/* fatfile_getbestarch_for_cputype: as above for a given cputype (dyld). */
load_return_t xs_fatfile_getbestarch_for_cputype(int32_t cputype, const void *data,
						 uint64_t data_size, struct image_params *imgp,
						 struct fat_arch *archret);
/* grade_binary: > 0 when this machine runs (cputype, cpusubtype), else 0. */
int xs_grade_binary(int32_t cputype, int32_t cpusubtype, int32_t cpusubtype_features,
		    bool allow_simulator_binary);
/* cpu_type(): CPU_TYPE_ARM64 or CPU_TYPE_X86_64, from the machine's arch. */
int32_t xs_cpu_type(void);

#endif /* XS_KERN_MACH_LOADER_H */
