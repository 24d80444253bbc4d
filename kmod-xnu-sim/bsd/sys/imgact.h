/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * imgact.h: the image parameter block that exec and posix_spawn hand to the
 * image activators (execsw[]) and to the Mach-O loader.  Corresponds to
 * bsd/sys/imgact.h.  Only the fields the activators and load_machfile use
 * are here; the exec engineer adds the rest (argv/envp area, spawn attrs).
 *
 * Simulator seam: XNU's activators read the file through ip_vp (vn_rdwr,
 * ubc_getobject).  Here the caller puts the whole file in kernel memory
 * (ip_image, ip_image_size: the vnode's UBC pages when exec maps the image)
 * and, until get_macho_vnode has a namei, the dynamic linker's bytes too.
 */
#ifndef XS_SYS_IMGACT_H
#define XS_SYS_IMGACT_H

#include "kmod-xnu-sim/bsd/kern/mach_loader.h"
#include "kmod-xnu-sim/osfmk/kern/kern_types.h"

#define IMG_SHSIZE	512	/* #! line: bytes of the first page examined */
#define XS_IMG_VDATA_SIZE 4096	/* ip_vdata: the first page as exec reads it (4 KiB) */

/* ip_flags (bsd/sys/imgact.h) */
#define IMGPF_NONE		0x00000000
#define IMGPF_INTERPRET		0x00000001	/* interpreter (#!) invoked */
#define IMGPF_RESERVED		0x00000002
#define IMGPF_WAS_64BIT_ADDR	0x00000004	/* exec from a 64-bit address space */
#define IMGPF_IS_64BIT_ADDR	0x00000008	/* exec to a 64-bit address space */
#define IMGPF_SPAWN		0x00000010	/* spawn (without setexec) */
#define IMGPF_DISABLE_ASLR	0x00000020	/* disable ASLR */
#define IMGPF_ALLOW_DATA_EXEC	0x00000040	/* forcibly disallow data execution */
#define IMGPF_EXEC		0x00000100	/* exec */
#define IMGPF_HIGH_BITS_ASLR	0x00000200	/* randomize high bits of ASLR slide */
#define IMGPF_IS_64BIT_DATA	0x00000400	/* exec to a 64-bit data address space */

/* Return values of the activators (exec_activate_image's protocol). */
#define XS_IMGACT_NOT_MINE	(-1)	/* not this format: try the next activator */
#define XS_IMGACT_ENCAPSULATED	(-2)	/* fat: ip_vdata now holds the slice; restart */
#define XS_IMGACT_INTERPRETER	(-3)	/* #!: look up ip_interp_buffer and restart */

struct vnode;
struct vm_map;

struct image_params {
	/* The file (simulator seam, see above).  Borrowed from the caller. */
	const uint8_t *ip_image;	/* whole file; arena pages when mapping */
	uint64_t ip_image_size;		/* ip_vattr->va_data_size */
	struct vnode *ip_vp;		/* may be NULL (tests, fuzzing) */

	char ip_vdata[XS_IMG_VDATA_SIZE];	/* first page of the file or slice, zero-padded */
	uint64_t ip_arch_offset;	/* slice chosen by exec_fat_imgact (0: thin) */
	uint64_t ip_arch_size;
	int32_t ip_origcputype;		/* set by the fat activator or exec_mach_imgact */
	int32_t ip_origcpusubtype;
	uint32_t ip_flags;		/* IMGPF_* */
	char ip_interp_buffer[IMG_SHSIZE];	/* "#!" interpreter and its arguments */

	/* get_macho_vnode's file until the VFS lookup is wired: borrowed. */
	const uint8_t *ip_dyld_image;
	uint64_t ip_dyld_size;
	struct vnode *ip_dyld_vp;

	/* Results of exec_mach_imgact's load_machfile. */
	bool ip_xs_preflight;		/* validate and lay out only: no map is built */
	struct vm_map *ip_new_map;	/* the new task's map (a reference), or NULL */
	load_result_t ip_result;	/* release with xs_load_result_release */
};

/*
 * Routine:    xs_execsw_activate
 * Purpose:    The activator loop of exec_activate_image (bsd/kern/kern_exec.c):
 *             fill ip_vdata from ip_image at the current slice, offer it to
 *             exec_mach_imgact, exec_fat_imgact and exec_shell_imgact in
 *             order, restart after a fat slice was chosen, and turn "nobody
 *             claimed it" into ENOEXEC.  Not a traced function of its own:
 *             in XNU this loop is the body of exec_activate_image.
 * Conditions: imgp zeroed by the caller apart from ip_image*, ip_vp,
 *             ip_dyld_*, ip_flags and ip_xs_preflight.
 * Returns:    0 (a Mach-O image was loaded: ip_result, ip_new_map),
 *             XS_IMGACT_INTERPRETER (a #! script: the caller looks up the
 *             interpreter named in ip_interp_buffer and calls again), or a
 *             Darwin errno (ENOEXEC, EBADARCH, EBADMACHO, EBADEXEC, ...).
 */
int xs_execsw_activate(struct image_params *imgp);

/* The three activators (bsd/kern/kern_exec.c): errno, 0, or XS_IMGACT_*. */
int xs_exec_mach_imgact(struct image_params *imgp);
int xs_exec_fat_imgact(struct image_params *imgp);
int xs_exec_shell_imgact(struct image_params *imgp);

/*
 * Seam for the exec engineer: when defined (a strong definition in
 * kern_exec.c), exec_mach_imgact calls it after a successful load_machfile
 * to do the rest of XNU's exec_mach_imgact (exec_extract_strings,
 * vm_map_exec, fdt_exec, ...).  Weak: absent until then.
 */
int xs_exec_mach_imgact_finish(struct image_params *imgp) __attribute__((weak));

/*
 * The interpreter line after exec_shell_imgact: ip_interp_buffer holds
 * "interp arg1 arg2 ..." (the whole line, trimmed).  exec_extract_strings
 * splits it on blanks into separate argv[] words, as XNU does (Linux passes
 * one optional argument; Darwin passes every word).  Copies word n into buf
 * (NUL-terminated).  Returns its length, or -1 if there is no word n.
 */
int xs_exec_interp_word(const struct image_params *imgp, unsigned n, char *buf, size_t len);

/* load_return_to_errno (bsd/kern/kern_exec.c). */
int xs_load_return_to_errno(load_return_t lrtn);

#endif /* XS_SYS_IMGACT_H */
