// SPDX-License-Identifier: BSD-2-Clause
/*
 * mach_fat.c: universal (fat) binaries: validating the big-endian fat_arch
 * table and choosing the slice this machine runs, plus the CPU grading the
 * loader and the activators share.  Corresponds to bsd/kern/mach_fat.c;
 * grade_binary is XNU's bsd/dev/arm/kern_machdep.c (arm64) and
 * bsd/dev/i386/kern_machdep.c (x86_64), one function here for both.
 */
#include "kmod-xnu-sim/bsd/kern/mach_loader.h"

#include "kmod-xnu-sim/bsd/sys/imgact.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

#include "darwin/macho.h"

int32_t xs_cpu_type(void)
{
	return xs_machine()->m_arch == XS_ARCH_X86_64 ? CPU_TYPE_X86_64 : CPU_TYPE_ARM64;
}

/*
 * Routine:    xs_grade_binary
 * Purpose:    How well this machine runs the CPU type: arm64 takes arm64
 *             (ALL, v8) and arm64e; x86_64 takes x86_64 (ALL, Haswell).
 *             32-bit and foreign types grade 0.  Apple silicon would hand
 *             x86_64 to Rosetta; the simulator has none (fidelity.md).
 * Returns:    The grade (higher is better), or 0: not runnable here.
 */
int xs_grade_binary(int32_t cputype, int32_t cpusubtype, int32_t features,
		    bool allow_simulator_binary)
{
	XS_FUNC_AT(grade_binary, "bsd/dev/arm/kern_machdep.c");
	(void)features;
	(void)allow_simulator_binary;

	if (cputype != xs_cpu_type())
		return 0;
	if (cputype == CPU_TYPE_ARM64) {
		switch (cpusubtype) {
		case CPU_SUBTYPE_ARM64E:
			return 12;
		case CPU_SUBTYPE_ARM64_V8:
			return 11;
		case CPU_SUBTYPE_ARM64_ALL:
			return 10;
		default:
			return 0;
		}
	}
	switch (cpusubtype) {
	case CPU_SUBTYPE_X86_64_H:
		return 12;
	case CPU_SUBTYPE_X86_64_ALL:
		return 11;
	default:
		return 0;
	}
}

static void fat_arch_load(const uint8_t *p, struct fat_arch *fa)
{
	fa->cputype = (int32_t)xs_be32(p);
	fa->cpusubtype = (int32_t)xs_be32(p + 4);
	fa->offset = xs_be32(p + 8);
	fa->size = xs_be32(p + 12);
	fa->align = xs_be32(p + 16);
}

/*
 * Routine:    xs_fatfile_validate_fatarches
 * Purpose:    Check a fat header in data (the file's first page): FAT_MAGIC,
 *             the arch table fits the page, no two slices with the same
 *             cputype/subtype, no slice overlapping another or the header,
 *             no slice past the end of the file.
 * Returns:    LOAD_SUCCESS, LOAD_FAILURE (not fat), LOAD_BADMACHO.
 */
load_return_t xs_fatfile_validate_fatarches(const void *data, uint64_t data_size,
					    uint64_t file_size)
{
	XS_FUNC(fatfile_validate_fatarches);
	const uint8_t *arches = (const uint8_t *)data + sizeof(struct fat_header);
	uint32_t nfat, max_nfat, hdr_size;
	struct fat_arch a, b;

	if (data_size < sizeof(struct fat_header) || xs_be32(data) != FAT_MAGIC)
		return LOAD_FAILURE;
	nfat = xs_be32((const uint8_t *)data + 4);
	max_nfat = (uint32_t)((data_size - sizeof(struct fat_header)) / sizeof(struct fat_arch));
	if (nfat > max_nfat)
		return LOAD_BADMACHO;
	hdr_size = (uint32_t)sizeof(struct fat_header) + nfat * (uint32_t)sizeof(struct fat_arch);
	for (uint32_t i = 0; i < nfat; i++) {
		uint64_t i_end;

		fat_arch_load(arches + i * sizeof(struct fat_arch), &a);
		i_end = (uint64_t)a.offset + a.size;
		if (i_end > UINT32_MAX || i_end > file_size || a.offset < hdr_size)
			return LOAD_BADMACHO;
		for (uint32_t j = i + 1; j < nfat; j++) {
			fat_arch_load(arches + j * sizeof(struct fat_arch), &b);
			if (a.cputype == b.cputype && a.cpusubtype == b.cpusubtype)
				return LOAD_BADMACHO;
			if (a.offset < (uint64_t)b.offset + b.size && b.offset < i_end)
				return LOAD_BADMACHO;
		}
	}
	return LOAD_SUCCESS;
}

load_return_t xs_fatfile_getbestarch_for_cputype(int32_t cputype, const void *data,
						 uint64_t data_size, struct image_params *imgp,
						 struct fat_arch *archret)
{
	XS_FUNC(fatfile_getbestarch_for_cputype);
	const uint8_t *arches = (const uint8_t *)data + sizeof(struct fat_header);
	uint32_t nfat = xs_be32((const uint8_t *)data + 4);
	int best_grade = 0;
	struct fat_arch a;

	(void)imgp;
	if (nfat > (data_size - sizeof(struct fat_header)) / sizeof(struct fat_arch))
		return LOAD_BADMACHO;
	for (uint32_t i = 0; i < nfat; i++) {
		int grade;

		fat_arch_load(arches + i * sizeof(struct fat_arch), &a);
		if (a.cputype != cputype)
			continue;
		grade = xs_grade_binary(a.cputype, a.cpusubtype & ~(int32_t)CPU_SUBTYPE_MASK,
					a.cpusubtype & (int32_t)CPU_SUBTYPE_MASK, false);
		if (grade > best_grade) {
			best_grade = grade;
			*archret = a;
		}
	}
	return best_grade ? LOAD_SUCCESS : LOAD_BADARCH;
}

/*
 * Routine:    xs_fatfile_getbestarch
 * Purpose:    The best-graded slice for this machine's CPU.
 * Conditions: The table was validated (xs_fatfile_validate_fatarches).
 * Returns:    LOAD_SUCCESS (*archret in host order) or LOAD_BADARCH.
 */
load_return_t xs_fatfile_getbestarch(const void *data, uint64_t data_size,
				     struct image_params *imgp, struct fat_arch *archret)
{
	XS_FUNC(fatfile_getbestarch);

	return xs_fatfile_getbestarch_for_cputype(xs_cpu_type(), data, data_size, imgp, archret);
}
