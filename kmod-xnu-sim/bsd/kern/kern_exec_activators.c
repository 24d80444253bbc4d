// SPDX-License-Identifier: BSD-2-Clause
/*
 * kern_exec_activators.c: exec's image activators (execsw[]): a thin Mach-O
 * (exec_mach_imgact, up to load_machfile), a fat file (exec_fat_imgact,
 * which picks the slice and restarts), and a #! script (exec_shell_imgact),
 * each deciding on the file's first page; plus load_return_to_errno.  XNU
 * keeps all of this in bsd/kern/kern_exec.c; it is split out so the loader
 * stands on its own until the execve / posix_spawn glue lands there.
 */
#include "kmod-xnu-sim/bsd/sys/imgact.h"

#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/vm/vm_map.h"

#include "darwin/macho.h"

#define XS_KERN_EXEC_PATH "bsd/kern/kern_exec.c"
#define EAI_ITERLIMIT 3		/* activator restarts before the image is malformed */

#define IS_WHITESPACE(ch) ((ch) == ' ' || (ch) == '\t')
#define IS_EOL(ch) ((ch) == '#' || (ch) == '\n')

int xs_load_return_to_errno(load_return_t lrtn)
{
	XS_FUNC_AT(load_return_to_errno, XS_KERN_EXEC_PATH);

	switch (lrtn) {
	case LOAD_SUCCESS:
		return 0;
	case LOAD_BADARCH:
	case LOAD_BADARCH_X86:
		return EBADARCH;
	case LOAD_BADMACHO:
	case LOAD_BADMACHO_UPX:
		return EBADMACHO;
	case LOAD_SHLIB:
		return ESHLIBVERS;
	case LOAD_NOSPACE:
	case LOAD_RESOURCE:
		return ENOMEM;
	case LOAD_PROTECT:
		return EACCES;
	case LOAD_ENOENT:
		return ENOENT;
	case LOAD_IOERROR:
		return EIO;
	case LOAD_FAILURE:
	case LOAD_DECRYPTFAIL:
	default:
		return EBADEXEC;
	}
}

/* Read the first page of the current slice into ip_vdata, zero-padded (vn_rdwr). */
static void exec_read_vdata(struct image_params *imgp, uint64_t offset)
{
	uint64_t n = 0;

	xs_memset(imgp->ip_vdata, 0, sizeof(imgp->ip_vdata));
	if (offset < imgp->ip_image_size)
		n = imgp->ip_image_size - offset;
	if (n > sizeof(imgp->ip_vdata))
		n = sizeof(imgp->ip_vdata);
	if (n)
		xs_memcpy(imgp->ip_vdata, imgp->ip_image + offset, n);
}

/*
 * Routine:    xs_exec_mach_imgact
 * Purpose:    Claim a thin 64-bit Mach-O executable: byte-swapped magic is
 *             EBADARCH, another magic or filetype is not ours, the CPU must
 *             match the fat slice chosen earlier and grade on this machine;
 *             then load_machfile builds the new map (or preflights it).
 *             The rest of XNU's exec_mach_imgact is the exec glue's
 *             (xs_exec_mach_imgact_finish).
 * Returns:    0, XS_IMGACT_NOT_MINE, or an errno (EBADARCH, EBADMACHO, ...).
 */
int xs_exec_mach_imgact(struct image_params *imgp)
{
	XS_FUNC_AT(exec_mach_imgact, XS_KERN_EXEC_PATH);
	struct mach_header_64 mh;
	load_return_t lret;

	xs_memcpy(&mh, imgp->ip_vdata, sizeof(mh));
	if (mh.magic == MH_CIGAM || mh.magic == MH_CIGAM_64)
		return EBADARCH;
	if (mh.magic != MH_MAGIC && mh.magic != MH_MAGIC_64)
		return XS_IMGACT_NOT_MINE;
	if (mh.filetype != MH_EXECUTE)
		return XS_IMGACT_NOT_MINE;
	if (imgp->ip_origcputype != 0) {
		/* The fat header already said what this slice is. */
		if (imgp->ip_origcputype != mh.cputype || imgp->ip_origcpusubtype != mh.cpusubtype)
			return EBADARCH;
	} else {
		imgp->ip_origcputype = mh.cputype;
		imgp->ip_origcpusubtype = mh.cpusubtype;
	}
	if ((mh.cputype & CPU_ARCH_ABI64) == CPU_ARCH_ABI64)
		imgp->ip_flags |= IMGPF_IS_64BIT_ADDR | IMGPF_IS_64BIT_DATA;
	if (!xs_grade_binary(imgp->ip_origcputype,
			     imgp->ip_origcpusubtype & ~(int32_t)CPU_SUBTYPE_MASK,
			     imgp->ip_origcpusubtype & (int32_t)CPU_SUBTYPE_MASK, true))
		return EBADARCH;
	lret = xs_load_machfile(imgp, &mh, imgp->ip_xs_preflight ? NULL : &imgp->ip_new_map,
				&imgp->ip_result);
	if (lret != LOAD_SUCCESS)
		return xs_load_return_to_errno(lret);
	if (xs_exec_mach_imgact_finish)
		return xs_exec_mach_imgact_finish(imgp);
	return 0;
}

/*
 * Routine:    xs_exec_fat_imgact
 * Purpose:    Claim a fat file: validate its arch table, choose this
 *             machine's slice, and put the slice's first page in ip_vdata so
 *             the loop restarts on it.  A fat file inside a fat file is not
 *             ours; neither is a script.
 * Returns:    XS_IMGACT_ENCAPSULATED, XS_IMGACT_NOT_MINE, or an errno.
 */
int xs_exec_fat_imgact(struct image_params *imgp)
{
	XS_FUNC_AT(exec_fat_imgact, XS_KERN_EXEC_PATH);
	struct fat_arch fa;
	load_return_t lret;

	if (imgp->ip_origcputype != 0)
		return XS_IMGACT_NOT_MINE;
	if (xs_be32(imgp->ip_vdata) != FAT_MAGIC)
		return XS_IMGACT_NOT_MINE;
	lret = xs_fatfile_validate_fatarches(imgp->ip_vdata, sizeof(imgp->ip_vdata),
					     imgp->ip_image_size);
	if (lret == LOAD_SUCCESS)
		lret = xs_fatfile_getbestarch(imgp->ip_vdata, sizeof(imgp->ip_vdata), imgp, &fa);
	if (lret != LOAD_SUCCESS)
		return xs_load_return_to_errno(lret);
	exec_read_vdata(imgp, fa.offset);
	imgp->ip_arch_offset = fa.offset;
	imgp->ip_arch_size = fa.size;
	imgp->ip_origcputype = fa.cputype;
	imgp->ip_origcpusubtype = fa.cpusubtype;
	return XS_IMGACT_ENCAPSULATED;
}

/*
 * Routine:    xs_exec_shell_imgact
 * Purpose:    Claim a "#!" script: within the first IMG_SHSIZE bytes, skip
 *             blanks, take the line up to '\n' or '#', trim trailing
 *             blanks, and keep "interpreter args..." in ip_interp_buffer.
 *             A second #! (a script as interpreter) and a script inside a
 *             fat file are not ours.
 * Returns:    XS_IMGACT_INTERPRETER, XS_IMGACT_NOT_MINE, or ENOEXEC ("#!"
 *             with no interpreter, or no end of line in 512 bytes).
 */
int xs_exec_shell_imgact(struct image_params *imgp)
{
	XS_FUNC_AT(exec_shell_imgact, XS_KERN_EXEC_PATH);
	const char *vdata = imgp->ip_vdata, *ihp, *line_startp, *line_endp;
	char *interp;

	if (vdata[0] != '#' || vdata[1] != '!' || (imgp->ip_flags & IMGPF_INTERPRET))
		return XS_IMGACT_NOT_MINE;
	if (imgp->ip_origcputype != 0)
		return XS_IMGACT_NOT_MINE;
	imgp->ip_flags |= IMGPF_INTERPRET;
	imgp->ip_interp_buffer[0] = '\0';
	for (ihp = &vdata[2]; ihp < &vdata[IMG_SHSIZE]; ihp++) {
		if (IS_EOL(*ihp))
			return ENOEXEC;		/* "#!\n": no interpreter */
		if (!IS_WHITESPACE(*ihp))
			break;
	}
	if (ihp == &vdata[IMG_SHSIZE])
		return ENOEXEC;			/* all blanks */
	line_startp = ihp;
	while (ihp < &vdata[IMG_SHSIZE] && !IS_EOL(*ihp))
		ihp++;
	if (ihp == &vdata[IMG_SHSIZE])
		return ENOEXEC;			/* no end of line */
	while (IS_EOL(*ihp) || IS_WHITESPACE(*ihp))
		ihp--;
	line_endp = ihp + 1;
	interp = imgp->ip_interp_buffer;
	for (ihp = line_startp; ihp < line_endp; ihp++)
		*interp++ = *ihp;
	*interp = '\0';
	return XS_IMGACT_INTERPRETER;
}

int xs_exec_interp_word(const struct image_params *imgp, unsigned n, char *buf, size_t len)
{
	const char *p = imgp->ip_interp_buffer;
	const char *end = p + xs_strlen(p);

	for (;;) {
		const char *w;

		while (p < end && IS_WHITESPACE(*p))
			p++;
		if (p == end)
			return -1;
		w = p;
		while (p < end && !IS_WHITESPACE(*p))
			p++;
		if (n-- == 0) {
			size_t l = (size_t)(p - w);

			if (len) {
				size_t c = l < len - 1 ? l : len - 1;

				xs_memcpy(buf, w, c);
				buf[c] = '\0';
			}
			return (int)l;
		}
	}
}

/* execsw[]: the activators in XNU's order. */
enum { EXECSW_MACH, EXECSW_FAT, EXECSW_SHELL, EXECSW_COUNT };

static int execsw_call(int which, struct image_params *imgp)
{
	switch (which) {
	case EXECSW_MACH:
		return xs_exec_mach_imgact(imgp);
	case EXECSW_FAT:
		return xs_exec_fat_imgact(imgp);
	default:
		return xs_exec_shell_imgact(imgp);
	}
}

int xs_execsw_activate(struct image_params *imgp)
{
	int error = XS_IMGACT_NOT_MINE, itercount = 0;

	imgp->ip_arch_offset = 0;
	imgp->ip_arch_size = imgp->ip_image_size;
	exec_read_vdata(imgp, 0);
again:
	error = XS_IMGACT_NOT_MINE;
	for (int i = 0; error == XS_IMGACT_NOT_MINE && i < EXECSW_COUNT; i++)
		error = execsw_call(i, imgp);
	if (error == XS_IMGACT_ENCAPSULATED) {
		if (++itercount > EAI_ITERLIMIT)
			return EBADEXEC;
		goto again;
	}
	if (error == XS_IMGACT_NOT_MINE)
		return ENOEXEC;
	return error;
}
