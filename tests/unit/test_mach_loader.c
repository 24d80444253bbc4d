/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_mach_loader.c: the Mach-O loader and exec's activators, white-box,
 * over real images written by mkmacho (.output/bin/mkmacho).  Valid arm64,
 * x86_64 and fat images load with the right layout, entry and signature;
 * every malformed variant gets XNU's errno (load_return_to_errno).  Images
 * that a test edits are re-signed first, so each case fails for its own
 * reason and not for the broken signature; the signature cases flip bytes
 * without re-signing.
 */
#include <string.h>

#include "kmod-xnu-sim/bsd/kern/mach_loader.h"
#include "kmod-xnu-sim/bsd/sys/imgact.h"
#include "kmod-xnu-sim/bsd/sys/ubc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/sha256.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#include "kmod-xnu-sim/osfmk/vm/vm_map_internal.h"
#include "tests/harness.h"
#include "xnusim/xnusim.h"

#include "darwin/codesign.h"
#include "darwin/macho.h"

extern ssize_t readlink(const char *path, char *buf, size_t len);

#define IMG_MAX (256 * 1024)
#define SLIDE 0x200000000000ull
#define MAIN_TEXT (SLIDE + 0x100000000ull)

struct image {
	uint8_t b[IMG_MAX];
	size_t n;
};

static struct image exe_arm, exe_x86, dyld_arm, dyld_x86, fat_exe, fat_dyld, work;
static struct image_params params;
static char tmpdir[256];
static int images_ok = -1;

/* Run mkmacho (next to this binary's build tree) and read what it wrote. */
static int mkmacho(const char *args, struct image *img)
{
	char self[512], cmd[1536], path[600];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *cut;
	FILE *fp;

	if (n <= 0)
		return -1;
	self[n] = '\0';
	for (int i = 0; i < 3 && (cut = strrchr(self, '/')); i++)
		*cut = '\0';		/* .output/tests/unit/x -> .output */
	snprintf(path, sizeof(path), "%s/img", tmpdir);
	snprintf(cmd, sizeof(cmd), "%s/bin/mkmacho -o %s %s", self, path, args);
	fp = popen(cmd, "r");
	if (!fp || pclose(fp) != 0)
		return -1;
	fp = fopen(path, "rb");
	if (!fp)
		return -1;
	img->n = fread(img->b, 1, sizeof(img->b), fp);
	fclose(fp);
	remove(path);
	return img->n > 0 ? 0 : -1;
}

static int make_images(void)
{
	char cmd[300];
	FILE *fp;

	if (images_ok >= 0)
		return images_ok;
	fp = popen("mktemp -d /tmp/xs_macho.XXXXXX", "r");
	if (!fp || !fgets(tmpdir, sizeof(tmpdir), fp)) {
		images_ok = 0;
		return 0;
	}
	pclose(fp);
	tmpdir[strcspn(tmpdir, "\n")] = '\0';
	images_ok = !mkmacho("--arch arm64 --bind /opt/xnutrace/bin/hello", &exe_arm) &&
		    !mkmacho("--arch x86_64 --bind /opt/xnutrace/bin/hello", &exe_x86) &&
		    !mkmacho("--arch arm64 --dylinker", &dyld_arm) &&
		    !mkmacho("--arch x86_64 --dylinker", &dyld_x86) &&
		    !mkmacho("--fat --bind /opt/xnutrace/bin/hello", &fat_exe) &&
		    !mkmacho("--fat --dylinker", &fat_dyld);
	snprintf(cmd, sizeof(cmd), "rmdir %s", tmpdir);
	fp = popen(cmd, "r");
	if (fp)
		pclose(fp);
	return images_ok;
}

/* Switch machines; a load result belongs to the machine that made it. */
static void on_arch(int arch)
{
	if (xnusim_arch() == arch)
		return;
	xs_load_result_release(&params.ip_result);
	memset(&params, 0, sizeof(params));
	(void)xnusim_boot(arch);
}

/* exec's activator loop over img, preflight, with dyld from dyld_img. */
static int activate(const struct image *img, const struct image *dyld_img)
{
	xs_load_result_release(&params.ip_result);
	memset(&params, 0, sizeof(params));
	params.ip_image = img->b;
	params.ip_image_size = img->n;
	params.ip_dyld_image = dyld_img ? dyld_img->b : NULL;
	params.ip_dyld_size = dyld_img ? dyld_img->n : 0;
	params.ip_xs_preflight = true;
	return xs_execsw_activate(&params);
}

static void copy_image(struct image *dst, const struct image *src)
{
	memcpy(dst->b, src->b, src->n);
	dst->n = src->n;
}

static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static void wr32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* Offset of the idx-th load command (0-based) of a thin image, or 0. */
static size_t lc_at(const struct image *img, unsigned idx)
{
	size_t off = 32;

	for (unsigned i = 0; i < idx; i++)
		off += rd32(img->b + off + 4);
	return off;
}

/* The first load command with this cmd, or 0. */
static size_t lc_find(const struct image *img, uint32_t cmd)
{
	uint32_t ncmds = rd32(img->b + 16);
	size_t off = 32;

	for (uint32_t i = 0; i < ncmds; i++, off += rd32(img->b + off + 4))
		if (rd32(img->b + off) == cmd)
			return off;
	return 0;
}

/* Recompute the code-slot hashes after an edit (a thin image at offset 0). */
static void resign(struct image *img)
{
	/* Found in the pristine twin: the edit may have broken the commands. */
	const struct image *twin = rd32(img->b + 4) == CPU_TYPE_X86_64 ? &exe_x86 : &exe_arm;
	size_t lc = lc_find(twin, LC_CODE_SIGNATURE);
	uint8_t *sb = img->b + rd32(img->b + lc + 8), *cd;
	uint32_t hash_off, ncode, limit, psize;

	cd = sb + xs_be32(sb + 16);	/* index[0]: the CodeDirectory */
	hash_off = xs_be32(cd + 16);
	ncode = xs_be32(cd + 28);
	limit = xs_be32(cd + 32);
	psize = 1u << cd[39];
	for (uint32_t i = 0; i < ncode; i++) {
		uint32_t off = i * psize, len = limit - off < psize ? limit - off : psize;

		xs_sha256(img->b + off, len, cd + hash_off + i * 32);
	}
}

TEST(sha256_known_answers)
{
	static const uint8_t abc[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae,
		0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61,
		0xf2, 0x00, 0x15, 0xad };
	static const uint8_t two_blocks[32] = {
		0x24, 0x8d, 0x6a, 0x61, 0xd2, 0x06, 0x38, 0xb8, 0xe5, 0xc0, 0x26, 0x93, 0x0c, 0x3e,
		0x60, 0x39, 0xa3, 0x3c, 0xe4, 0x59, 0x64, 0xff, 0x21, 0x67, 0xf6, 0xec, 0xed, 0xd4,
		0x19, 0xdb, 0x06, 0xc1 };
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	uint8_t d[32];
	XS_SHA256_CTX c;

	xs_sha256("abc", 3, d);
	EXPECT_EQ(memcmp(d, abc, 32), 0);
	xs_SHA256_Init(&c);		/* the same message fed in odd pieces */
	for (size_t i = 0; i < strlen(m); i += 7)
		xs_SHA256_Update(&c, m + i, strlen(m) - i < 7 ? strlen(m) - i : 7);
	xs_SHA256_Final(d, &c);
	EXPECT_EQ(memcmp(d, two_blocks, 32), 0);
}

TEST(mkmacho_writes_the_images)
{
	ASSERT_TRUE(make_images());
	EXPECT_EQ(rd32(exe_arm.b), MH_MAGIC_64);
	EXPECT_EQ(rd32(exe_arm.b + 4), CPU_TYPE_ARM64);
	EXPECT_EQ(rd32(exe_arm.b + 12), MH_EXECUTE);
	EXPECT_EQ(rd32(exe_arm.b + 24), MH_PIE | MH_DYLDLINK | MH_TWOLEVEL | MH_NOUNDEFS);
	EXPECT_EQ(rd32(exe_x86.b + 4), CPU_TYPE_X86_64);
	EXPECT_EQ(rd32(dyld_arm.b + 12), MH_DYLINKER);
	EXPECT_EQ(xs_be32(fat_exe.b), FAT_MAGIC);
	EXPECT_EQ(xs_be32(fat_exe.b + 4), 2);
	EXPECT_TRUE(lc_find(&exe_arm, LC_MAIN) != 0);
	EXPECT_TRUE(lc_find(&exe_arm, LC_CODE_SIGNATURE) != 0);
	EXPECT_TRUE(lc_find(&dyld_arm, LC_UNIXTHREAD) != 0);
}

TEST(arm64_image_loads_with_layout_entry_and_signature)
{
	const load_result_t *r = &params.ip_result;
	uint32_t elen;
	const char *ents;

	ASSERT_TRUE(make_images());
	on_arch(XNUSIM_ARCH_ARM64);
	ASSERT_EQ(activate(&exe_arm, &dyld_arm), 0);
	EXPECT_EQ(r->mach_header, MAIN_TEXT);
	EXPECT_EQ(r->xs_slide, SLIDE);
	EXPECT_EQ(r->xs_main_entry, MAIN_TEXT + r->xs_entryoff);
	EXPECT_TRUE(r->xs_entryoff > 0);
	EXPECT_TRUE(r->using_lcmain && r->needs_dynlinker && r->dynlinker && r->validentry);
	EXPECT_EQ(r->thread_count, 1);
	/* dyld sits right after the executable; its LC_UNIXTHREAD pc is the entry. */
	EXPECT_EQ(r->dynlinker_mach_header, r->max_vm_addr);
	EXPECT_EQ(r->entry_point, r->dynlinker_mach_header +
		  rd64(dyld_arm.b + lc_find(&dyld_arm, LC_UNIXTHREAD) + 16 + 256));
	EXPECT_EQ(r->xs_pagezero_end, SLIDE + 0x100000000ull);
	ASSERT_EQ(r->xs_nsegments, 5);
	EXPECT_EQ(strncmp(r->xs_segments[0].segname, "__TEXT", 16), 0);
	EXPECT_EQ(r->xs_segments[0].vm_start, MAIN_TEXT);
	EXPECT_EQ(r->xs_segments[0].vm_end - r->xs_segments[0].vm_start, 0x4000);
	EXPECT_EQ(r->xs_segments[0].initprot, VM_PROT_READ | VM_PROT_EXECUTE);
	EXPECT_EQ(strncmp(r->xs_segments[1].segname, "__DATA", 16), 0);
	EXPECT_EQ(r->xs_segments[1].initprot, VM_PROT_READ | VM_PROT_WRITE);
	EXPECT_EQ(strncmp(r->xs_segments[2].segname, "__LINKEDIT", 16), 0);
	EXPECT_EQ(r->xs_segments[3].depth, 2);
	EXPECT_EQ(strcmp(r->xs_dylinker_path, "/usr/lib/dyld"), 0);
	EXPECT_EQ(strcmp(r->xs_bound_elf, "/opt/xnutrace/bin/hello"), 0);
	EXPECT_EQ(r->ip_platform, PLATFORM_MACOS);
	EXPECT_TRUE(r->uuid[0] | r->uuid[1] | r->uuid[15]);
	EXPECT_TRUE(r->csflags & CS_VALID);
	EXPECT_TRUE(r->csflags & CS_ADHOC);
	ASSERT_TRUE(r->xs_csblob != NULL);
	EXPECT_STREQ(xs_csblob_get_identity(r->xs_csblob), "com.xnutrace.image");
	ents = xs_csblob_get_entitlements(r->xs_csblob, &elen);
	ASSERT_TRUE(ents != NULL);
	EXPECT_TRUE(elen > 20 && memmem(ents, elen, "<dict/>", 7) != NULL);
	EXPECT_EQ(params.ip_arch_offset, 0);
	EXPECT_TRUE(params.ip_new_map == NULL);	/* preflight */
}

TEST(x86_64_image_loads_on_an_x86_64_machine)
{
	const load_result_t *r = &params.ip_result;

	ASSERT_TRUE(make_images());
	on_arch(XNUSIM_ARCH_X86_64);
	ASSERT_EQ(activate(&exe_x86, &dyld_x86), 0);
	EXPECT_EQ(r->mach_header, MAIN_TEXT);
	EXPECT_EQ(r->xs_segments[0].vm_end - r->xs_segments[0].vm_start, 0x1000);
	EXPECT_TRUE(r->csflags & CS_VALID);
	EXPECT_EQ(strcmp(r->xs_bound_elf, "/opt/xnutrace/bin/hello"), 0);
	on_arch(XNUSIM_ARCH_ARM64);
}

TEST(wrong_arch_is_EBADARCH)
{
	ASSERT_TRUE(make_images());
	on_arch(XNUSIM_ARCH_ARM64);
	EXPECT_EQ(activate(&exe_x86, &dyld_x86), EBADARCH);
	on_arch(XNUSIM_ARCH_X86_64);
	EXPECT_EQ(activate(&exe_arm, &dyld_arm), EBADARCH);
	/* The right executable with the wrong dyld. */
	EXPECT_EQ(activate(&exe_x86, &dyld_arm), EBADARCH);
	on_arch(XNUSIM_ARCH_ARM64);
}

TEST(fat_image_picks_the_machine_slice)
{
	uint32_t arm_off = xs_be32(fat_exe.b + 8 + 20 + 8), x86_off = xs_be32(fat_exe.b + 8 + 8);

	ASSERT_TRUE(make_images());
	on_arch(XNUSIM_ARCH_ARM64);
	ASSERT_EQ(activate(&fat_exe, &fat_dyld), 0);
	EXPECT_EQ(params.ip_arch_offset, arm_off);
	EXPECT_EQ(params.ip_origcputype, CPU_TYPE_ARM64);
	EXPECT_EQ(params.ip_arch_offset % 0x4000, 0);
	EXPECT_TRUE(params.ip_result.csflags & CS_VALID);
	on_arch(XNUSIM_ARCH_X86_64);
	ASSERT_EQ(activate(&fat_exe, &fat_dyld), 0);
	EXPECT_EQ(params.ip_arch_offset, x86_off);
	EXPECT_EQ(params.ip_origcputype, CPU_TYPE_X86_64);
	on_arch(XNUSIM_ARCH_ARM64);
}

TEST(fat_image_without_the_arch_is_EBADARCH)
{
	ASSERT_TRUE(make_images());
	on_arch(XNUSIM_ARCH_ARM64);
	copy_image(&work, &fat_exe);
	work.b[7] = 1;			/* nfat_arch 1: only the x86_64 slice is left */
	EXPECT_EQ(activate(&work, &fat_dyld), EBADARCH);
}

TEST(bad_fat_tables_are_EBADMACHO)
{
	ASSERT_TRUE(make_images());
	on_arch(XNUSIM_ARCH_ARM64);
	copy_image(&work, &fat_exe);
	memcpy(work.b + 28, work.b + 8, 8);	/* two slices of the same cputype/subtype */
	EXPECT_EQ(activate(&work, &fat_dyld), EBADMACHO);
	copy_image(&work, &fat_exe);
	memcpy(work.b + 28 + 8, work.b + 8 + 8, 4);	/* arm64 slice on top of x86_64's */
	EXPECT_EQ(activate(&work, &fat_dyld), EBADMACHO);
	copy_image(&work, &fat_exe);
	work.n -= 100;				/* last slice runs past end of file */
	EXPECT_EQ(activate(&work, &fat_dyld), EBADMACHO);
	copy_image(&work, &fat_exe);
	work.b[7] = 0xff;			/* table larger than the first page */
	EXPECT_EQ(activate(&work, &fat_dyld), EBADMACHO);
}

TEST(magic_checks)
{
	ASSERT_TRUE(make_images());
	on_arch(XNUSIM_ARCH_ARM64);
	copy_image(&work, &exe_arm);
	wr32(work.b, 0x464c457f);		/* an ELF: nobody claims it */
	EXPECT_EQ(activate(&work, &dyld_arm), ENOEXEC);
	wr32(work.b, MH_CIGAM_64);
	EXPECT_EQ(activate(&work, &dyld_arm), EBADARCH);
	wr32(work.b, MH_MAGIC);			/* 32-bit: graded out */
	wr32(work.b + 4, CPU_TYPE_ARM);
	EXPECT_EQ(activate(&work, &dyld_arm), EBADARCH);
	copy_image(&work, &exe_arm);
	wr32(work.b + 12, MH_DYLIB);		/* not an executable */
	EXPECT_EQ(activate(&work, &dyld_arm), ENOEXEC);
	work.n = 0;
	EXPECT_EQ(activate(&work, &dyld_arm), ENOEXEC);
}

TEST(truncated_and_inconsistent_headers_are_EBADMACHO)
{
	ASSERT_TRUE(make_images());
	on_arch(XNUSIM_ARCH_ARM64);
	copy_image(&work, &exe_arm);
	work.n = 28;				/* the load commands are missing */
	EXPECT_EQ(activate(&work, &dyld_arm), EBADMACHO);
	/* Cut before flags: exec's zero-padded page reads as a static arm64 binary. */
	work.n = 20;
	EXPECT_EQ(activate(&work, &dyld_arm), EBADEXEC);
	copy_image(&work, &exe_arm);
	work.n = 0x3000;			/* segments past end of file */
	EXPECT_EQ(activate(&work, &dyld_arm), EBADMACHO);
	copy_image(&work, &exe_arm);
	wr32(work.b + 16, 1000);		/* ncmds too large */
	resign(&work);
	EXPECT_EQ(activate(&work, &dyld_arm), EBADMACHO);
	copy_image(&work, &exe_arm);
	wr32(work.b + 20, (uint32_t)work.n);	/* sizeofcmds past the file */
	EXPECT_EQ(activate(&work, &dyld_arm), EBADMACHO);
	copy_image(&work, &exe_arm);
	wr32(work.b + lc_at(&work, 1) + 4, 0);	/* cmdsize 0 */
	resign(&work);
	EXPECT_EQ(activate(&work, &dyld_arm), EBADMACHO);
	copy_image(&work, &exe_arm);
	wr32(work.b + lc_find(&work, LC_UUID) + 4, 20);	/* cmdsize not a multiple of 8 */
	resign(&work);
	EXPECT_EQ(activate(&work, &dyld_arm), EBADMACHO);
}

TEST(bad_segments)
{
	size_t text = lc_at(&exe_arm, 1), data = lc_at(&exe_arm, 2), le = lc_at(&exe_arm, 3);
	uint64_t v;

	ASSERT_TRUE(make_images());
	on_arch(XNUSIM_ARCH_ARM64);
	copy_image(&work, &exe_arm);
	v = work.n + 0x4000;			/* __LINKEDIT beyond the file */
	memcpy(work.b + le + 40, &v, 8);
	resign(&work);
	EXPECT_EQ(activate(&work, &dyld_arm), EBADMACHO);
	copy_image(&work, &exe_arm);
	memcpy(work.b + data + 24, work.b + text + 24, 8);	/* __DATA over __TEXT */
	resign(&work);
	EXPECT_EQ(activate(&work, &dyld_arm), ENOMEM);		/* LOAD_NOSPACE */
	copy_image(&work, &exe_arm);
	v = 0x100;				/* vmsize < filesize */
	memcpy(work.b + text + 32, &v, 8);
	resign(&work);
	EXPECT_EQ(activate(&work, &dyld_arm), EBADMACHO);
	copy_image(&work, &exe_arm);
	v = 0x1000;				/* file offset not page aligned */
	memcpy(work.b + le + 40, &v, 8);
	resign(&work);
	EXPECT_EQ(activate(&work, &dyld_arm), EBADMACHO);
	copy_image(&work, &exe_arm);
	wr32(work.b + lc_at(&work, 0), LC_SOURCE_VERSION);	/* no __PAGEZERO */
	resign(&work);
	EXPECT_EQ(activate(&work, &dyld_arm), EBADMACHO);
	copy_image(&work, &exe_arm);
	wr32(work.b + text + 60, VM_PROT_READ);	/* headers not R+X */
	resign(&work);
	EXPECT_EQ(activate(&work, &dyld_arm), EBADMACHO);
}

TEST(entry_point_commands)
{
	size_t main_lc = lc_find(&exe_arm, LC_MAIN), uuid = lc_find(&exe_arm, LC_UUID);

	ASSERT_TRUE(make_images());
	on_arch(XNUSIM_ARCH_ARM64);
	copy_image(&work, &exe_arm);
	memcpy(work.b + uuid, work.b + main_lc, 24);	/* LC_MAIN twice */
	resign(&work);
	EXPECT_EQ(activate(&work, &dyld_arm), EBADEXEC);
	copy_image(&work, &exe_arm);
	wr32(work.b + main_lc, LC_SOURCE_VERSION);	/* no LC_MAIN */
	resign(&work);
	EXPECT_EQ(activate(&work, &dyld_arm), EBADEXEC);
	copy_image(&work, &exe_arm);
	wr32(work.b + uuid, LC_UNIXTHREAD);	/* LC_MAIN and a (short) LC_UNIXTHREAD */
	wr32(work.b + uuid + 8, 6);
	wr32(work.b + uuid + 12, 2);
	resign(&work);
	EXPECT_EQ(activate(&work, &dyld_arm), EBADEXEC);
	copy_image(&work, &exe_arm);
	wr32(work.b + main_lc + 8, 0x7000);	/* main() outside __TEXT's file data */
	resign(&work);
	EXPECT_EQ(activate(&work, &dyld_arm), EBADMACHO);
}

TEST(dylinker_errors)
{
	size_t dl = lc_find(&exe_arm, LC_LOAD_DYLINKER);

	ASSERT_TRUE(make_images());
	on_arch(XNUSIM_ARCH_ARM64);
	EXPECT_EQ(activate(&exe_arm, NULL), ENOENT);
	EXPECT_EQ(activate(&exe_arm, &exe_arm), EBADEXEC);	/* an MH_EXECUTE as dyld */
	copy_image(&work, &exe_arm);
	work.b[dl + 12 + 9] = 'X';		/* /usr/lib/Xyld */
	resign(&work);
	EXPECT_EQ(activate(&work, &dyld_arm), EBADMACHO);
	copy_image(&work, &exe_arm);
	wr32(work.b + dl + 8, 40);		/* name offset past the command */
	resign(&work);
	EXPECT_EQ(activate(&work, &dyld_arm), EBADMACHO);
	copy_image(&work, &exe_arm);
	wr32(work.b + dl, LC_SOURCE_VERSION);	/* MH_DYLDLINK without a dylinker */
	resign(&work);
	EXPECT_EQ(activate(&work, &dyld_arm), EBADEXEC);
}

TEST(tampered_text_fails_the_signature)
{
	size_t text_off = rd32(exe_arm.b + lc_find(&exe_arm, LC_MAIN) + 8);

	ASSERT_TRUE(make_images());
	on_arch(XNUSIM_ARCH_ARM64);
	copy_image(&work, &exe_arm);
	work.b[text_off] ^= 0x01;		/* one bit of __text */
	EXPECT_EQ(activate(&work, &dyld_arm), EBADEXEC);
	resign(&work);				/* the same edit, signed again, is fine */
	EXPECT_EQ(activate(&work, &dyld_arm), 0);
	copy_image(&work, &exe_arm);
	work.b[work.n - 20] ^= 0x20;		/* the entitlements plist */
	EXPECT_EQ(activate(&work, &dyld_arm), EBADEXEC);
	copy_image(&work, &exe_arm);
	wr32(work.b + lc_find(&work, LC_CODE_SIGNATURE), LC_SOURCE_VERSION);
	resign(&work);
	EXPECT_EQ(activate(&work, &dyld_arm), EBADEXEC);	/* unsigned on arm64 */
}

TEST(x86_64_without_enforcement_loads_but_not_CS_VALID)
{
	size_t text_off = rd32(exe_x86.b + lc_find(&exe_x86, LC_MAIN) + 8);

	ASSERT_TRUE(make_images());
	on_arch(XNUSIM_ARCH_X86_64);
	copy_image(&work, &exe_x86);
	work.b[text_off] ^= 0x01;
	EXPECT_EQ(activate(&work, &dyld_x86), 0);
	EXPECT_EQ(params.ip_result.csflags & CS_VALID, 0);
	on_arch(XNUSIM_ARCH_ARM64);
}

TEST(mapping_builds_the_new_map_and_frees_everything)
{
	const struct zone *z;
	uint64_t blobs0, maps0;
	const struct vm_map_entry *e;
	uint8_t *kexe, *kdyld;
	struct vm_map *map;

	ASSERT_TRUE(make_images());
	on_arch(XNUSIM_ARCH_ARM64);
	kexe = xs_kmem_alloc(exe_arm.n);
	kdyld = xs_kmem_alloc(dyld_arm.n);
	ASSERT_TRUE(kexe && kdyld);
	memcpy(kexe, exe_arm.b, exe_arm.n);
	memcpy(kdyld, dyld_arm.b, dyld_arm.n);
	z = xs_zone_by_id(ZONE_ID_VM_MAP);
	maps0 = z ? z->z_count : 0;
	z = xs_zone_by_id(ZONE_ID_CS_BLOB);
	blobs0 = z ? z->z_count : 0;
	xs_load_result_release(&params.ip_result);
	memset(&params, 0, sizeof(params));
	params.ip_image = kexe;
	params.ip_image_size = exe_arm.n;
	params.ip_dyld_image = kdyld;
	params.ip_dyld_size = dyld_arm.n;
	ASSERT_EQ(xs_execsw_activate(&params), 0);
	map = params.ip_new_map;
	ASSERT_TRUE(map != NULL);
	EXPECT_EQ(map->min_offset, SLIDE + 0x100000000ull);
	e = xs_vm_map_find_entry(map, MAIN_TEXT);
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->protection, VM_PROT_READ | VM_PROT_EXECUTE);
	EXPECT_TRUE(e->vme_object && e->needs_copy);	/* a private copy of the file */
	e = xs_vm_map_find_entry(map, MAIN_TEXT + 0x4000);
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->protection, VM_PROT_READ | VM_PROT_WRITE);	/* __DATA, zero fill */
	EXPECT_TRUE(xs_vm_map_find_entry(map, params.ip_result.entry_point) != NULL);
	EXPECT_EQ(xs_vm_map_entry_count(map), 5);
	xs_vm_map_deallocate(map);
	xs_load_result_release(&params.ip_result);
	z = xs_zone_by_id(ZONE_ID_CS_BLOB);
	EXPECT_EQ(z ? z->z_count : 0, blobs0);
	z = xs_zone_by_id(ZONE_ID_VM_MAP);
	EXPECT_EQ(z ? z->z_count : 0, maps0);
	xs_kmem_free(kexe, exe_arm.n);
	xs_kmem_free(kdyld, dyld_arm.n);
	memset(&params, 0, sizeof(params));
}

TEST(failed_loads_leave_no_blob_behind)
{
	const struct zone *z = xs_zone_by_id(ZONE_ID_CS_BLOB);
	uint64_t blobs0 = z ? z->z_count : 0;

	ASSERT_TRUE(make_images());
	on_arch(XNUSIM_ARCH_ARM64);
	copy_image(&work, &exe_arm);
	wr32(work.b + lc_find(&work, LC_LOAD_DYLINKER), LC_SOURCE_VERSION);
	resign(&work);
	EXPECT_EQ(activate(&work, &dyld_arm), EBADEXEC);	/* fails after the blob */
	z = xs_zone_by_id(ZONE_ID_CS_BLOB);
	EXPECT_EQ(z ? z->z_count : 0, blobs0);
}

static int shell(const char *text)
{
	static struct image s;

	s.n = strlen(text);
	memcpy(s.b, text, s.n);
	return activate(&s, NULL);
}

TEST(shell_activator_parses_the_interpreter_line)
{
	char w[64];

	EXPECT_EQ(shell("#!/bin/sh\necho hi\n"), XS_IMGACT_INTERPRETER);
	EXPECT_EQ(strcmp(params.ip_interp_buffer, "/bin/sh"), 0);
	EXPECT_TRUE(params.ip_flags & IMGPF_INTERPRET);
	EXPECT_EQ(shell("#! \t/usr/bin/env  python3 -u \t\nx"), XS_IMGACT_INTERPRETER);
	EXPECT_EQ(strcmp(params.ip_interp_buffer, "/usr/bin/env  python3 -u"), 0);
	EXPECT_EQ(xs_exec_interp_word(&params, 0, w, sizeof(w)), 12);
	EXPECT_STREQ(w, "/usr/bin/env");
	EXPECT_EQ(xs_exec_interp_word(&params, 1, w, sizeof(w)), 7);
	EXPECT_STREQ(w, "python3");
	EXPECT_EQ(xs_exec_interp_word(&params, 2, w, sizeof(w)), 2);
	EXPECT_STREQ(w, "-u");
	EXPECT_EQ(xs_exec_interp_word(&params, 3, w, sizeof(w)), -1);
	EXPECT_EQ(shell("#!/bin/sh # a comment\n"), XS_IMGACT_INTERPRETER);
	EXPECT_EQ(strcmp(params.ip_interp_buffer, "/bin/sh"), 0);
}

TEST(shell_activator_errors)
{
	static char longline[700];

	EXPECT_EQ(shell("#!\n"), ENOEXEC);
	EXPECT_EQ(shell("#!   \t  \n"), ENOEXEC);
	EXPECT_EQ(shell("#!# only a comment\n"), ENOEXEC);
	EXPECT_EQ(shell("#!/bin/sh"), ENOEXEC);		/* no end of line in 512 bytes */
	memset(longline, 'a', sizeof(longline) - 2);
	memcpy(longline, "#!/", 3);
	longline[sizeof(longline) - 2] = '\n';
	EXPECT_EQ(shell(longline), ENOEXEC);
	EXPECT_EQ(shell("echo hi\n"), ENOEXEC);		/* nobody claims text */
	EXPECT_EQ(shell("#"), ENOEXEC);
}

TEST(load_return_to_errno_matches_xnu)
{
	EXPECT_EQ(xs_load_return_to_errno(LOAD_SUCCESS), 0);
	EXPECT_EQ(xs_load_return_to_errno(LOAD_BADARCH), EBADARCH);
	EXPECT_EQ(xs_load_return_to_errno(LOAD_BADARCH_X86), EBADARCH);
	EXPECT_EQ(xs_load_return_to_errno(LOAD_BADMACHO), EBADMACHO);
	EXPECT_EQ(xs_load_return_to_errno(LOAD_BADMACHO_UPX), EBADMACHO);
	EXPECT_EQ(xs_load_return_to_errno(LOAD_SHLIB), ESHLIBVERS);
	EXPECT_EQ(xs_load_return_to_errno(LOAD_NOSPACE), ENOMEM);
	EXPECT_EQ(xs_load_return_to_errno(LOAD_RESOURCE), ENOMEM);
	EXPECT_EQ(xs_load_return_to_errno(LOAD_PROTECT), EACCES);
	EXPECT_EQ(xs_load_return_to_errno(LOAD_ENOENT), ENOENT);
	EXPECT_EQ(xs_load_return_to_errno(LOAD_IOERROR), EIO);
	EXPECT_EQ(xs_load_return_to_errno(LOAD_FAILURE), EBADEXEC);
	EXPECT_EQ(xs_load_return_to_errno(LOAD_DECRYPTFAIL), EBADEXEC);
	EXPECT_EQ(xs_load_return_to_errno(99), EBADEXEC);
	EXPECT_EQ(EBADEXEC, 85);
	EXPECT_EQ(EBADMACHO, 88);
}
