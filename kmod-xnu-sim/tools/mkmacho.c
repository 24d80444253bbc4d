// SPDX-License-Identifier: BSD-2-Clause
/*
 * mkmacho: write real Mach-O 64 images for the simulated VFS.  An executable
 * (MH_EXECUTE, PIE, dyld-linked) is __PAGEZERO, __TEXT (a stub __text and,
 * with --bind, __TEXT,__xs_elf naming the ELF program the simulator really
 * runs), __DATA, __LINKEDIT holding an ad hoc embedded signature (SuperBlob
 * with a SHA-256 CodeDirectory 0x20400, requirements and entitlements
 * blobs), LC_MAIN, LC_LOAD_DYLINKER, LC_UUID, LC_BUILD_VERSION and
 * LC_CODE_SIGNATURE.  --dylinker writes /usr/lib/dyld itself (MH_DYLINKER
 * with LC_UNIXTHREAD); --fat wraps an arm64 and an x86_64 image in a fat file.
 *
 * A host build tool: it links libxnusim only for its SHA-256 and does not
 * boot a machine (xnusim_no_autoboot).  Output is deterministic.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kmod-xnu-sim/osfmk/kern/sha256.h"

#include "darwin/codesign.h"
#include "darwin/macho.h"
#include "darwin/struct_codedirectory.h"
#include "darwin/struct_macho.h"

const int xnusim_no_autoboot = 1;

#define ARCH_ARM64  1
#define ARCH_X86_64 2

#define CS_PAGE_SHIFT	12		/* CodeDirectory pageSize: 4 KiB hash pages */
#define CS_PAGE		(1u << CS_PAGE_SHIFT)
#define CD_HDR_SIZE	88u		/* CodeDirectory through execSegFlags (0x20400) */
#define CD_VERSION	CS_SUPPORTSEXECSEG
#define N_SPECIAL	5u		/* info, requirements, resources, application, ents */
#define HASH_LEN	32u
#define TEXT_VMADDR	0x100000000ull	/* after the 4 GiB __PAGEZERO */
#define SEG_SIZE	XS_STRUCT_MACHO__sizeof_segment_command_64
#define SECT_SIZE	XS_STRUCT_MACHO__sizeof_section_64
#define DYLD_PATH	"/usr/lib/dyld"
#define LC_ID_DYLINKER_CMD 0xf
#define S_ATTRS_CODE	(S_ATTR_PURE_INSTRUCTIONS | S_ATTR_SOME_INSTRUCTIONS)
#define VERSION(a, b, c) ((uint32_t)(a) << 16 | (uint32_t)(b) << 8 | (uint32_t)(c))

static const char default_entitlements[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
	"\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
	"<plist version=\"1.0\">\n<dict/>\n</plist>\n";

struct opts {
	const char *out;
	int arch;
	const char *bind;
	char *ents;
	size_t ents_len;
	bool dylinker, fat;
};

/* A growable byte image, zero-filled. */
struct buf {
	uint8_t *p;
	size_t len;
};

static int buf_reserve(struct buf *b, size_t len)
{
	uint8_t *p;

	if (len <= b->len)
		return 0;
	p = realloc(b->p, len);
	if (!p)
		return -ENOMEM;
	memset(p + b->len, 0, len - b->len);
	b->p = p;
	b->len = len;
	return 0;
}

static void put_le32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put_le64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}
static size_t round_up(size_t x, size_t a) { return (x + a - 1) & ~(a - 1); }

/* The layout of one thin image, computed before anything is written. */
struct layout {
	int arch;
	bool dyld;
	size_t seg_align;		/* 16 KiB arm64, 4 KiB x86_64 */
	uint32_t ncmds, sizeofcmds;
	size_t text_off, elf_off, elf_len;	/* sections, file offsets */
	size_t text_filesize;		/* __TEXT: [0, text_filesize) */
	size_t sig_off, sig_size;	/* in __LINKEDIT; codeLimit = sig_off */
	size_t file_size;
	uint64_t vm_base;		/* __TEXT vmaddr */
	const char *ident;
	size_t ident_len;		/* with its NUL */
	uint32_t ncode;
	size_t cd_size, ent_blob, req_blob;
};

static const uint8_t stub_arm64[] = { 0x00, 0x00, 0x80, 0x52, 0xc0, 0x03, 0x5f, 0xd6 };
static const uint8_t stub_x86_64[] = { 0x31, 0xc0, 0xc3, 0x90, 0x90, 0x90, 0x90, 0x90 };

static uint32_t thread_cmd_size(int arch)
{
	uint32_t count = arch == ARCH_ARM64 ? 68 : 42;

	return 8 + 8 + count * 4;
}

static void layout_compute(const struct opts *o, int arch, bool dyld, struct layout *l)
{
	uint32_t text_sects = o->bind && !dyld ? 2 : 1;

	memset(l, 0, sizeof(*l));
	l->arch = arch;
	l->dyld = dyld;
	l->seg_align = arch == ARCH_ARM64 ? 0x4000 : 0x1000;
	l->vm_base = dyld ? 0 : TEXT_VMADDR;
	l->sizeofcmds = (dyld ? 0 : SEG_SIZE) + SEG_SIZE + text_sects * SECT_SIZE +
			(dyld ? 0 : SEG_SIZE) + SEG_SIZE +
			(dyld ? thread_cmd_size(arch) : 24u) + 32u /* (LOAD|ID)_DYLINKER */ +
			24u /* UUID */ + 24u /* BUILD_VERSION */ + 16u /* CODE_SIGNATURE */;
	l->ncmds = dyld ? 7 : 9;
	l->text_off = round_up(32 + l->sizeofcmds, 16);
	l->elf_off = l->text_off + sizeof(stub_arm64);
	l->elf_len = o->bind && !dyld ? strlen(o->bind) + 1 : 0;
	l->text_filesize = round_up(l->elf_off + l->elf_len, l->seg_align);
	l->sig_off = l->text_filesize;
	l->ident = dyld ? "com.apple.dyld" : "com.xnutrace.image";
	l->ident_len = strlen(l->ident) + 1;
	l->ncode = (uint32_t)((l->sig_off + CS_PAGE - 1) / CS_PAGE);
	l->cd_size = CD_HDR_SIZE + l->ident_len + (N_SPECIAL + l->ncode) * HASH_LEN;
	l->ent_blob = 8 + o->ents_len;
	l->req_blob = 12;
	l->sig_size = 12 + 3 * 8 + l->cd_size + l->req_blob + l->ent_blob;
	l->file_size = l->sig_off + l->sig_size;
}

static uint8_t *put_segment(uint8_t *p, const char *name, uint64_t vmaddr, uint64_t vmsize,
			    uint64_t fileoff, uint64_t filesize, int prot, uint32_t nsects)
{
	put_le32(p, LC_SEGMENT_64);
	put_le32(p + 4, SEG_SIZE + nsects * SECT_SIZE);
	strncpy((char *)p + 8, name, 16);
	put_le64(p + 24, vmaddr);
	put_le64(p + 32, vmsize);
	put_le64(p + 40, fileoff);
	put_le64(p + 48, filesize);
	put_le32(p + 56, (uint32_t)prot);	/* maxprot */
	put_le32(p + 60, (uint32_t)prot);	/* initprot */
	put_le32(p + 64, nsects);
	return p + SEG_SIZE;
}

static uint8_t *put_section(uint8_t *p, const char *sect, uint64_t addr, uint64_t size,
			    uint32_t offset, uint32_t align, uint32_t flags)
{
	strncpy((char *)p, sect, 16);
	strncpy((char *)p + 16, "__TEXT", 16);
	put_le64(p + 32, addr);
	put_le64(p + 40, size);
	put_le32(p + 48, offset);
	put_le32(p + 52, align);
	put_le32(p + 64, flags);
	return p + SECT_SIZE;
}

static uint8_t *put_dylinker(uint8_t *p, uint32_t cmd)
{
	put_le32(p, cmd);
	put_le32(p + 4, 32);
	put_le32(p + 8, 12);
	memcpy(p + 12, DYLD_PATH, sizeof(DYLD_PATH));
	return p + 32;
}

static uint8_t *put_unixthread(uint8_t *p, int arch, uint64_t pc)
{
	uint32_t size = thread_cmd_size(arch);

	put_le32(p, LC_UNIXTHREAD);
	put_le32(p + 4, size);
	put_le32(p + 8, arch == ARCH_ARM64 ? 6 : 4);		/* ARM_/x86_THREAD_STATE64 */
	put_le32(p + 12, arch == ARCH_ARM64 ? 68 : 42);
	put_le64(p + 16 + (arch == ARCH_ARM64 ? 256 : 128), pc);	/* pc / rip; sp stays 0 */
	return p + size;
}

/* A UUID that depends only on what the image is (reproducible builds). */
static void make_uuid(const struct opts *o, const struct layout *l, uint8_t uuid[16])
{
	XS_SHA256_CTX c;
	uint8_t d[32];

	xs_SHA256_Init(&c);
	xs_SHA256_Update(&c, &l->arch, sizeof(l->arch));
	xs_SHA256_Update(&c, &l->dyld, sizeof(l->dyld));
	if (o->bind)
		xs_SHA256_Update(&c, o->bind, strlen(o->bind));
	xs_SHA256_Update(&c, o->ents, o->ents_len);
	xs_SHA256_Final(d, &c);
	memcpy(uuid, d, 16);
	uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40);
	uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80);
}

static void write_header(const struct opts *o, const struct layout *l, uint8_t *f)
{
	bool arm = l->arch == ARCH_ARM64;
	uint64_t text_vm = l->vm_base, data_vm = text_vm + l->text_filesize;
	uint64_t le_vm = data_vm + (l->dyld ? 0 : l->seg_align);
	uint32_t flags = MH_NOUNDEFS | MH_DYLDLINK | MH_TWOLEVEL | MH_PIE;
	uint8_t *p = f + 32;

	put_le32(f, MH_MAGIC_64);
	put_le32(f + 4, arm ? CPU_TYPE_ARM64 : CPU_TYPE_X86_64);
	put_le32(f + 8, arm ? CPU_SUBTYPE_ARM64_ALL : (CPU_SUBTYPE_X86_64_ALL | CPU_SUBTYPE_LIB64));
	put_le32(f + 12, l->dyld ? MH_DYLINKER : MH_EXECUTE);
	put_le32(f + 16, l->ncmds);
	put_le32(f + 20, l->sizeofcmds);
	put_le32(f + 24, l->dyld ? (MH_NOUNDEFS | MH_DYLDLINK | MH_PIE) : flags);
	if (!l->dyld)
		p = put_segment(p, "__PAGEZERO", 0, TEXT_VMADDR, 0, 0, 0, 0);
	p = put_segment(p, "__TEXT", text_vm, l->text_filesize, 0, l->text_filesize, 5,
			l->elf_len ? 2 : 1);
	p = put_section(p, "__text", text_vm + l->text_off, sizeof(stub_arm64),
			(uint32_t)l->text_off, 2, S_ATTRS_CODE);
	if (l->elf_len)
		p = put_section(p, "__xs_elf", text_vm + l->elf_off, l->elf_len,
				(uint32_t)l->elf_off, 0, S_REGULAR);
	if (!l->dyld)
		p = put_segment(p, "__DATA", data_vm, l->seg_align, l->text_filesize, 0, 3, 0);
	p = put_segment(p, "__LINKEDIT", le_vm, round_up(l->sig_size, l->seg_align), l->sig_off,
			l->sig_size, 1, 0);
	if (l->dyld) {
		p = put_unixthread(p, l->arch, text_vm + l->text_off);
		p = put_dylinker(p, LC_ID_DYLINKER_CMD);
	} else {
		put_le32(p, LC_MAIN);
		put_le32(p + 4, 24);
		put_le64(p + 8, l->text_off);
		p = put_dylinker(p + 24, LC_LOAD_DYLINKER);
	}
	put_le32(p, LC_UUID);
	put_le32(p + 4, 24);
	make_uuid(o, l, p + 8);
	p += 24;
	put_le32(p, LC_BUILD_VERSION);
	put_le32(p + 4, 24);
	put_le32(p + 8, PLATFORM_MACOS);
	put_le32(p + 12, VERSION(14, 0, 0));
	put_le32(p + 16, VERSION(15, 0, 0));
	p += 24;
	put_le32(p, LC_CODE_SIGNATURE);
	put_le32(p + 4, 16);
	put_le32(p + 8, (uint32_t)l->sig_off);
	put_le32(p + 12, (uint32_t)l->sig_size);
}

#define CDO(f) XS_STRUCT_CODEDIRECTORY__CS_CodeDirectory_##f

/* The CodeDirectory: header, identifier, special slots, page hashes. */
static void write_code_directory(const struct layout *l, uint8_t *f, uint8_t *cd,
				 const uint8_t *req, const uint8_t *ent)
{
	size_t hash_off = CD_HDR_SIZE + l->ident_len + N_SPECIAL * HASH_LEN;

	put_be32(cd + CDO(magic), CSMAGIC_CODEDIRECTORY);
	put_be32(cd + CDO(length), (uint32_t)l->cd_size);
	put_be32(cd + CDO(version), CD_VERSION);
	put_be32(cd + CDO(flags), CS_ADHOC);
	put_be32(cd + CDO(hashOffset), (uint32_t)hash_off);
	put_be32(cd + CDO(identOffset), CD_HDR_SIZE);
	put_be32(cd + CDO(nSpecialSlots), N_SPECIAL);
	put_be32(cd + CDO(nCodeSlots), l->ncode);
	put_be32(cd + CDO(codeLimit), (uint32_t)l->sig_off);
	cd[CDO(hashSize)] = HASH_LEN;
	cd[CDO(hashType)] = CS_HASHTYPE_SHA256;
	cd[CDO(pageSize)] = CS_PAGE_SHIFT;
	put_be64(cd + CDO(execSegBase), 0);
	put_be64(cd + CDO(execSegLimit), l->text_filesize);
	put_be64(cd + CDO(execSegFlags), l->dyld ? 0 : CS_EXECSEG_MAIN_BINARY);
	memcpy(cd + CD_HDR_SIZE, l->ident, l->ident_len);
	xs_sha256(req, l->req_blob, cd + hash_off - CSSLOT_REQUIREMENTS * HASH_LEN);
	xs_sha256(ent, l->ent_blob, cd + hash_off - CSSLOT_ENTITLEMENTS * HASH_LEN);
	for (uint32_t i = 0; i < l->ncode; i++) {
		size_t off = (size_t)i * CS_PAGE;
		size_t len = l->sig_off - off < CS_PAGE ? l->sig_off - off : CS_PAGE;

		xs_sha256(f + off, len, cd + hash_off + (size_t)i * HASH_LEN);
	}
}

/* The embedded signature SuperBlob at sig_off (all big-endian). */
static void write_signature(const struct opts *o, const struct layout *l, uint8_t *f)
{
	uint8_t *sb = f + l->sig_off;
	size_t cd_at = 12 + 3 * 8, req_at = cd_at + l->cd_size, ent_at = req_at + l->req_blob;

	put_be32(sb, CSMAGIC_EMBEDDED_SIGNATURE);
	put_be32(sb + 4, (uint32_t)l->sig_size);
	put_be32(sb + 8, 3);
	put_be32(sb + 12, CSSLOT_CODEDIRECTORY);
	put_be32(sb + 16, (uint32_t)cd_at);
	put_be32(sb + 20, CSSLOT_REQUIREMENTS);
	put_be32(sb + 24, (uint32_t)req_at);
	put_be32(sb + 28, CSSLOT_ENTITLEMENTS);
	put_be32(sb + 32, (uint32_t)ent_at);
	put_be32(sb + req_at, CSMAGIC_REQUIREMENTS);
	put_be32(sb + req_at + 4, (uint32_t)l->req_blob);
	put_be32(sb + req_at + 8, 0);		/* an empty requirement set */
	put_be32(sb + ent_at, CSMAGIC_EMBEDDED_ENTITLEMENTS);
	put_be32(sb + ent_at + 4, (uint32_t)l->ent_blob);
	memcpy(sb + ent_at + 8, o->ents, o->ents_len);
	write_code_directory(l, f, sb + cd_at, sb + req_at, sb + ent_at);
}

/* One thin image into b (b starts empty). */
static int build_thin(const struct opts *o, int arch, struct buf *b)
{
	struct layout l;
	uint8_t *f;

	layout_compute(o, arch, o->dylinker, &l);
	if (l.file_size > UINT32_MAX || l.sizeofcmds + 32 > l.text_filesize)
		return -EFBIG;
	if (buf_reserve(b, l.file_size))
		return -ENOMEM;
	f = b->p;
	write_header(o, &l, f);
	memcpy(f + l.text_off, arch == ARCH_ARM64 ? stub_arm64 : stub_x86_64, sizeof(stub_arm64));
	if (l.elf_len)
		memcpy(f + l.elf_off, o->bind, l.elf_len);
	write_signature(o, &l, f);	/* last: it hashes everything before it */
	return 0;
}

/* fat_header + fat_arch[2] (big-endian): x86_64 at 4 KiB, arm64 at 16 KiB alignment. */
static int build_fat(const struct opts *o, struct buf *out)
{
	struct buf s[2] = { { NULL, 0 }, { NULL, 0 } };
	static const int arches[2] = { ARCH_X86_64, ARCH_ARM64 };
	size_t off[2], end = 0x1000;
	int err = 0;

	for (int i = 0; i < 2 && !err; i++) {
		err = build_thin(o, arches[i], &s[i]);
		off[i] = round_up(end, arches[i] == ARCH_ARM64 ? 0x4000 : 0x1000);
		end = off[i] + s[i].len;
	}
	if (!err && (end > UINT32_MAX || buf_reserve(out, end)))
		err = -ENOMEM;
	for (int i = 0; i < 2 && !err; i++) {
		uint8_t *fa = out->p + 8 + 20 * i;
		bool arm = arches[i] == ARCH_ARM64;

		put_be32(fa, arm ? CPU_TYPE_ARM64 : CPU_TYPE_X86_64);
		put_be32(fa + 4, arm ? CPU_SUBTYPE_ARM64_ALL
				     : (CPU_SUBTYPE_X86_64_ALL | CPU_SUBTYPE_LIB64));
		put_be32(fa + 8, (uint32_t)off[i]);
		put_be32(fa + 12, (uint32_t)s[i].len);
		put_be32(fa + 16, arm ? 14 : 12);
		memcpy(out->p + off[i], s[i].p, s[i].len);
	}
	if (!err) {
		put_be32(out->p, FAT_MAGIC);
		put_be32(out->p + 4, 2);
	}
	free(s[0].p);
	free(s[1].p);
	return err;
}

static int read_file(const char *path, char **data, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	long n;
	int err = 0;

	if (!fp)
		return -errno;
	if (fseek(fp, 0, SEEK_END) || (n = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET))
		err = -EIO;
	else if (n > (1 << 20))
		err = -EFBIG;
	else if (!(*data = malloc((size_t)n + 1)))
		err = -ENOMEM;
	else if (fread(*data, 1, (size_t)n, fp) != (size_t)n)
		err = -EIO;
	else
		*len = (size_t)n;
	fclose(fp);
	return err;
}

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: mkmacho -o OUT --arch arm64|x86_64 [--bind ELFPATH]\n"
		"               [--entitlements FILE] [--dylinker] [--fat]\n"
		"Write a signed (ad hoc, SHA-256) Mach-O 64 executable for xnutrace.\n"
		"  -o, --output OUT       file to write (mode 0755)\n"
		"  -a, --arch ARCH        arm64 or x86_64 (not needed with --fat)\n"
		"  -b, --bind ELFPATH     record ELFPATH in __TEXT,__xs_elf: the program the\n"
		"                         simulator runs for this image\n"
		"  -e, --entitlements F   XML plist for the entitlements blob (default: <dict/>)\n"
		"  -d, --dylinker         write the dynamic linker (" DYLD_PATH ", MH_DYLINKER)\n"
		"  -f, --fat              a universal file with arm64 and x86_64 slices\n"
		"  -h, --help             this text\n");
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' }, { "arch", required_argument, NULL, 'a' },
		{ "bind", required_argument, NULL, 'b' },
		{ "entitlements", required_argument, NULL, 'e' },
		{ "dylinker", no_argument, NULL, 'd' }, { "fat", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	const char *ents = NULL;
	int c, err;

	while ((c = getopt_long(argc, argv, "o:a:b:e:dfh", lo, NULL)) != -1) {
		switch (c) {
		case 'o': o->out = optarg; break;
		case 'b': o->bind = optarg; break;
		case 'e': ents = optarg; break;
		case 'd': o->dylinker = true; break;
		case 'f': o->fat = true; break;
		case 'h': usage(stdout); exit(0);
		case 'a':
			if (!strcmp(optarg, "arm64"))
				o->arch = ARCH_ARM64;
			else if (!strcmp(optarg, "x86_64"))
				o->arch = ARCH_X86_64;
			else {
				fprintf(stderr, "mkmacho: unknown arch '%s' (arm64, x86_64)\n", optarg);
				return -1;
			}
			break;
		default: usage(stderr); return -1;
		}
	}
	if (optind != argc || !o->out || (!o->arch && !o->fat)) {
		fprintf(stderr, "mkmacho: %s\n", optind != argc ? "unexpected argument"
			: !o->out ? "-o OUT is required" : "--arch or --fat is required");
		return -1;
	}
	if (o->bind && (strlen(o->bind) == 0 || strlen(o->bind) >= 1024)) {
		fprintf(stderr, "mkmacho: --bind path must be 1..1023 bytes\n");
		return -1;
	}
	if (!ents) {
		o->ents = strdup(default_entitlements);
		o->ents_len = strlen(default_entitlements);
		return o->ents ? 0 : -1;
	}
	err = read_file(ents, &o->ents, &o->ents_len);
	if (err)
		fprintf(stderr, "mkmacho: %s: %s\n", ents, strerror(-err));
	return err ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct buf b = { NULL, 0 };
	FILE *fp = NULL;
	int err, rc = 1;

	if (parse_args(argc, argv, &o))
		goto out;
	err = o.fat ? build_fat(&o, &b) : build_thin(&o, o.arch, &b);
	if (err) {
		fprintf(stderr, "mkmacho: building the image: %s\n", strerror(-err));
		goto out;
	}
	fp = fopen(o.out, "wb");
	if (!fp || fwrite(b.p, 1, b.len, fp) != b.len || fflush(fp)) {
		fprintf(stderr, "mkmacho: %s: %s\n", o.out, strerror(errno));
		goto out;
	}
	if (chmod(o.out, 0755))
		fprintf(stderr, "mkmacho: %s: chmod: %s\n", o.out, strerror(errno));
	rc = 0;
out:
	if (fp)
		fclose(fp);
	free(b.p);
	free(o.ents);
	return rc;
}
