// SPDX-License-Identifier: BSD-2-Clause
/*
 * ubc_subr.c: code-signing blobs.  The loader hands an embedded signature
 * (LC_CODE_SIGNATURE) here; it is validated structurally (SuperBlob,
 * CodeDirectory, special-slot hashes), judged by the MACF policy and kept
 * in a cs_blob from the "cs_blob zone".  Pages are checked against the
 * CodeDirectory's code slots with cs_validate_range.  Corresponds to the
 * code-signing half of bsd/kern/ubc_subr.c.  Only SHA-256 CodeDirectories
 * without scatter are supported (fidelity.md).
 */
#include "kmod-xnu-sim/bsd/sys/ubc_internal.h"

#include "kmod-xnu-sim/bsd/kern/mach_loader.h"
#include "kmod-xnu-sim/osfmk/kern/sha256.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#include "kmod-xnu-sim/security/mac_framework.h"

#include "darwin/codesign.h"
#include "darwin/macho.h"
#include "darwin/struct_codedirectory.h"

#define CD_OFF(f) XS_STRUCT_CODEDIRECTORY__CS_CodeDirectory_##f
#define CD_MIN_SIZE 44u		/* earliest CodeDirectory: up to spare2 */
#define CD_MIN_VERSION CS_SUPPORTSSCATTER	/* simulator floor (fidelity.md) */
#define SB_HDR 12u		/* SuperBlob: magic, length, count */

static inline uint8_t cd_u8(const uint8_t *cd, unsigned off) { return cd[off]; }
static inline uint32_t cd_u32(const uint8_t *cd, unsigned off) { return xs_be32(cd + off); }

xs_kern_return_t xs_ubc_cs_blob_allocate(void **addr, uint64_t *size)
{
	XS_FUNC(ubc_cs_blob_allocate);

	if (*size == 0 || *size > XS_CS_BLOB_MAX)
		return KERN_RESOURCE_SHORTAGE;
	*addr = xs_kalloc(*size);
	return *addr ? KERN_SUCCESS : KERN_RESOURCE_SHORTAGE;
}

void xs_ubc_cs_blob_deallocate(void *addr, uint64_t size)
{
	XS_FUNC(ubc_cs_blob_deallocate);

	if (addr)
		xs_kfree(addr, size);
}

/* cs_validate_blob: a generic blob at off lies within the buffer. */
static int cs_validate_blob(const uint8_t *base, uint64_t size, uint32_t off, uint32_t *len)
{
	XS_FUNC(cs_validate_blob);

	if ((uint64_t)off + 8 > size)
		return EBADEXEC;
	*len = xs_be32(base + off + 4);
	if (*len < 8 || (uint64_t)off + *len > size)
		return EBADEXEC;
	return 0;
}

/* A NUL-terminated string at off inside the CodeDirectory of len bytes. */
static bool cd_string_ok(const uint8_t *cd, uint32_t len, uint32_t off)
{
	if (off >= len)
		return false;
	for (uint32_t i = off; i < len; i++)
		if (cd[i] == '\0')
			return true;
	return false;
}

/*
 * Routine:    cs_validate_codedirectory (static)
 * Purpose:    The CodeDirectory's own consistency: version, hash type and
 *             size, page size (12 up to the kernel's page shift), slot
 *             arrays inside the blob, strings terminated, code slots
 *             matching codeLimit, no scatter, no 64-bit code limit.
 * Returns:    0 or EBADEXEC.
 */
static int cs_validate_codedirectory(const uint8_t *cd, uint32_t len, unsigned max_pageshift)
{
	XS_FUNC(cs_validate_codedirectory);
	uint32_t version, hash_off, nspecial, ncode, limit, pages;
	uint64_t lo, hi;
	uint8_t pageshift;

	if (len < CD_MIN_SIZE || cd_u32(cd, CD_OFF(magic)) != CSMAGIC_CODEDIRECTORY)
		return EBADEXEC;
	version = cd_u32(cd, CD_OFF(version));
	if (version < CD_MIN_VERSION || cd_u32(cd, CD_OFF(spare2)) != 0)
		return EBADEXEC;
	if (cd_u8(cd, CD_OFF(hashType)) != CS_HASHTYPE_SHA256 ||
	    cd_u8(cd, CD_OFF(hashSize)) != CS_SHA256_LEN)
		return EBADEXEC;
	pageshift = cd_u8(cd, CD_OFF(pageSize));
	if (pageshift < 12 || pageshift > max_pageshift)
		return EBADEXEC;
	hash_off = cd_u32(cd, CD_OFF(hashOffset));
	nspecial = cd_u32(cd, CD_OFF(nSpecialSlots));
	ncode = cd_u32(cd, CD_OFF(nCodeSlots));
	lo = (uint64_t)nspecial * CS_SHA256_LEN;
	hi = (uint64_t)hash_off + (uint64_t)ncode * CS_SHA256_LEN;
	if (lo > hash_off || hash_off - lo < CD_MIN_SIZE || hi > len)
		return EBADEXEC;
	if (!cd_string_ok(cd, len, cd_u32(cd, CD_OFF(identOffset))))
		return EBADEXEC;
	if (len >= CD_OFF(scatterOffset) + 4 && cd_u32(cd, CD_OFF(scatterOffset)) != 0)
		return EBADEXEC;
	if (version >= CS_SUPPORTSTEAMID && len >= CD_OFF(teamOffset) + 4 &&
	    cd_u32(cd, CD_OFF(teamOffset)) != 0 &&
	    !cd_string_ok(cd, len, cd_u32(cd, CD_OFF(teamOffset))))
		return EBADEXEC;
	if (version >= CS_SUPPORTSCODELIMIT64 && len >= CD_OFF(codeLimit64) + 8 &&
	    (cd_u32(cd, CD_OFF(codeLimit64)) | cd_u32(cd, CD_OFF(codeLimit64) + 4)) != 0)
		return EBADEXEC;
	limit = cd_u32(cd, CD_OFF(codeLimit));
	pages = (uint32_t)(((uint64_t)limit + (1u << pageshift) - 1) >> pageshift);
	return pages == ncode ? 0 : EBADEXEC;
}

/* The hash in special slot n of the CodeDirectory, or NULL if it has none. */
static const uint8_t *cd_special_slot(const uint8_t *cd, uint32_t n)
{
	if (n == 0 || n > cd_u32(cd, CD_OFF(nSpecialSlots)))
		return NULL;
	return cd + cd_u32(cd, CD_OFF(hashOffset)) - n * CS_SHA256_LEN;
}

/*
 * A special blob (requirements, entitlements) is bound to the CodeDirectory
 * by the hash in its slot: a blob without a slot, or with a different
 * hash, makes the whole signature invalid.
 */
static int cs_check_special(const uint8_t *cd, uint32_t slot, const uint8_t *blob, uint32_t len)
{
	uint8_t digest[XS_SHA256_DIGEST_LENGTH];
	const uint8_t *want = cd_special_slot(cd, slot);

	if (!want)
		return EBADEXEC;
	xs_sha256(blob, len, digest);
	return xs_memcmp(digest, want, sizeof(digest)) ? EBADEXEC : 0;
}

struct cs_found {
	uint32_t cd_off, cd_len;
	uint32_t ent_off, ent_len;	/* whole blob, header included */
	uint32_t req_off, req_len;
};

/* One SuperBlob index entry: remember CodeDirectories and special blobs. */
static int cs_index_entry(const uint8_t *sb, uint64_t size, uint32_t type, uint32_t off,
			  unsigned max_pageshift, struct cs_found *f)
{
	uint32_t len, magic;
	int err = cs_validate_blob(sb, size, off, &len);

	if (err)
		return err;
	magic = xs_be32(sb + off);
	if (type == CSSLOT_CODEDIRECTORY ||
	    (type >= CSSLOT_ALTERNATE_CODEDIRECTORIES &&
	     type < CSSLOT_ALTERNATE_CODEDIRECTORY_LIMIT)) {
		if (magic != CSMAGIC_CODEDIRECTORY)
			return EBADEXEC;
		/* Only SHA-256 is ranked: keep the first usable one. */
		if (!f->cd_len && cs_validate_codedirectory(sb + off, len, max_pageshift) == 0) {
			f->cd_off = off;
			f->cd_len = len;
		}
	} else if (type == CSSLOT_ENTITLEMENTS) {
		if (magic != CSMAGIC_EMBEDDED_ENTITLEMENTS || f->ent_len)
			return EBADEXEC;
		f->ent_off = off;
		f->ent_len = len;
	} else if (type == CSSLOT_REQUIREMENTS) {
		if (magic != CSMAGIC_REQUIREMENTS || f->req_len)
			return EBADEXEC;
		f->req_off = off;
		f->req_len = len;
	}
	return 0;
}

/*
 * Routine:    cs_validate_csblob (static)
 * Purpose:    Walk the embedded signature: SuperBlob header and index,
 *             every indexed blob inside it, the best CodeDirectory, and the
 *             hashes binding the entitlements and requirements to it.  A
 *             bare CodeDirectory is accepted as XNU does.
 * Returns:    0 (*f filled) or EBADEXEC.
 */
static int cs_validate_csblob(const uint8_t *sb, uint64_t size, unsigned max_pageshift,
			      struct cs_found *f)
{
	XS_FUNC(cs_validate_csblob);
	uint32_t length, count;
	int err;

	xs_memset(f, 0, sizeof(*f));
	if (size < 8)
		return EBADEXEC;
	length = xs_be32(sb + 4);
	if (length > size || length < 8)
		return EBADEXEC;
	if (xs_be32(sb) == CSMAGIC_CODEDIRECTORY) {
		err = cs_validate_codedirectory(sb, length, max_pageshift);
		f->cd_len = err ? 0 : length;
		return err;
	}
	if (xs_be32(sb) != CSMAGIC_EMBEDDED_SIGNATURE || length < SB_HDR)
		return EBADEXEC;
	count = xs_be32(sb + 8);
	if (count > (length - SB_HDR) / 8)
		return EBADEXEC;
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *ix = sb + SB_HDR + 8 * i;

		err = cs_index_entry(sb, length, xs_be32(ix), xs_be32(ix + 4), max_pageshift, f);
		if (err)
			return err;
	}
	if (!f->cd_len)
		return EBADEXEC;
	if (f->ent_len && cs_check_special(sb + f->cd_off, CSSLOT_ENTITLEMENTS,
					   sb + f->ent_off, f->ent_len))
		return EBADEXEC;
	if (f->req_len && cs_check_special(sb + f->cd_off, CSSLOT_REQUIREMENTS,
					   sb + f->req_off, f->req_len))
		return EBADEXEC;
	return 0;
}

/* The hash page shift the kernel accepts: 4 KiB, or its own page (16 KiB arm64). */
static unsigned cs_max_pageshift(int32_t cputype)
{
	return cputype == CPU_TYPE_ARM64 ? 14 : 12;
}

/*
 * Routine:    cs_blob_init_validated (static)
 * Purpose:    Fill blob from a validated signature: the chosen CD's hash
 *             geometry, its flags (CS_ALLOWED_MACHO bits; ad hoc when
 *             there is no CMS blob), the cdhash, the entitlements.
 */
static int cs_blob_init_validated(struct cs_blob *blob, const uint8_t *sb, uint64_t size,
				  const struct cs_found *f)
{
	XS_FUNC(cs_blob_init_validated);
	const uint8_t *cd = sb + f->cd_off;
	uint8_t digest[XS_SHA256_DIGEST_LENGTH];
	uint32_t shift = cd_u8(cd, CD_OFF(pageSize));

	blob->csb_mem_size = size;
	blob->csb_cd_offset = f->cd_off;
	blob->csb_cd_size = f->cd_len;
	blob->csb_hashtype = CS_HASHTYPE_SHA256;
	blob->csb_hash_size = CS_SHA256_LEN;
	blob->csb_hash_pageshift = shift;
	blob->csb_ncodeslots = cd_u32(cd, CD_OFF(nCodeSlots));
	blob->csb_hash_offset = cd_u32(cd, CD_OFF(hashOffset));
	blob->csb_code_limit = cd_u32(cd, CD_OFF(codeLimit));
	blob->csb_end_offset = xs_round_up(blob->csb_code_limit, 1ull << shift);
	blob->csb_ident_offset = f->cd_off + cd_u32(cd, CD_OFF(identOffset));
	blob->csb_flags = (cd_u32(cd, CD_OFF(flags)) & CS_ALLOWED_MACHO) | CS_VALID | CS_SIGNED;
	if (f->ent_len) {
		blob->csb_entitlements_offset = f->ent_off + 8;
		blob->csb_entitlements_size = f->ent_len - 8;
	}
	xs_sha256(cd, f->cd_len, digest);
	xs_memcpy(blob->csb_cdhash, digest, XS_CS_CDHASH_LEN);
	return 0;
}

static struct zone *cs_blob_zone(void)
{
	return xs_zone_create_id(ZONE_ID_CS_BLOB, "cs_blob zone", sizeof(struct cs_blob));
}

int xs_ubc_cs_blob_add(struct vnode *vp, uint32_t platform, int32_t cputype,
		       int32_t cpusubtype, uint64_t base_offset, void **addr, uint64_t size,
		       struct image_params *imgp, int flags, struct cs_blob **ret_blob)
{
	XS_FUNC(ubc_cs_blob_add);
	struct zone *z = cs_blob_zone();
	struct cs_blob *blob;
	struct cs_found f;
	unsigned int cs_flags, signer = 0;
	int err;

	err = cs_validate_csblob(*addr, size, cs_max_pageshift(cputype), &f);
	if (err)
		return err;
	blob = z ? xs_zalloc(z) : NULL;
	if (!blob)
		return ENOMEM;
	blob->csb_cpu_type = cputype;
	blob->csb_cpu_subtype = cpusubtype;
	blob->csb_base_offset = base_offset;
	cs_blob_init_validated(blob, *addr, size, &f);
	blob->csb_mem_kaddr = *addr;
	cs_flags = blob->csb_flags;
	err = xs_mac_vnode_check_signature(vp, blob, imgp, &cs_flags, &signer, flags, platform);
	if (err) {
		blob->csb_mem_kaddr = NULL;	/* the caller still owns *addr */
		xs_zfree(z, blob);
		return err;
	}
	blob->csb_flags = cs_flags;
	blob->csb_signer_type = signer;
	*addr = NULL;
	*ret_blob = blob;
	return 0;
}

void xs_cs_blob_free(struct cs_blob *blob)
{
	XS_FUNC(cs_blob_free);

	if (!blob)
		return;
	xs_ubc_cs_blob_deallocate(blob->csb_mem_kaddr, blob->csb_mem_size);
	xs_zfree_id(ZONE_ID_CS_BLOB, blob);
}

/* cs_validate_hash: one page against its code slot. */
static bool cs_validate_hash(const struct cs_blob *blob, uint64_t page, const uint8_t *data,
			     uint64_t len)
{
	XS_FUNC(cs_validate_hash);
	const uint8_t *cd = (const uint8_t *)blob->csb_mem_kaddr + blob->csb_cd_offset;
	uint8_t digest[XS_SHA256_DIGEST_LENGTH];

	if (page >= blob->csb_ncodeslots)
		return false;
	xs_sha256(data, len, digest);
	return xs_memcmp(digest, cd + blob->csb_hash_offset + page * CS_SHA256_LEN,
			 sizeof(digest)) == 0;
}

bool xs_cs_validate_range(const struct cs_blob *blob, uint64_t offset, const void *data,
			  uint64_t size, unsigned *tainted)
{
	XS_FUNC(cs_validate_range);
	uint64_t psize = 1ull << blob->csb_hash_pageshift, end;

	*tainted = 0;
	if ((offset & (psize - 1)) || __builtin_add_overflow(offset, size, &end)) {
		*tainted = CS_VALIDATE_TAINTED;
		return false;
	}
	for (uint64_t off = offset; off < end; off += psize) {
		/* The last hashed page stops at codeLimit, as codesign hashed it. */
		uint64_t len = psize;

		if (off >= blob->csb_code_limit) {
			*tainted = CS_VALIDATE_TAINTED;
			return false;
		}
		if (off + len > blob->csb_code_limit)
			len = blob->csb_code_limit - off;
		if (off + len > end)
			len = end - off;
		if (!cs_validate_hash(blob, off >> blob->csb_hash_pageshift,
				      (const uint8_t *)data + (off - offset), len)) {
			*tainted = CS_VALIDATE_TAINTED;
			return false;
		}
	}
	return true;
}

const char *xs_csblob_get_entitlements(const struct cs_blob *blob, uint32_t *len)
{
	XS_FUNC(csblob_get_entitlements);

	if (!blob || !blob->csb_entitlements_offset) {
		*len = 0;
		return NULL;
	}
	*len = blob->csb_entitlements_size;
	return (const char *)blob->csb_mem_kaddr + blob->csb_entitlements_offset;
}

const char *xs_csblob_get_identity(const struct cs_blob *blob)
{
	XS_FUNC(csblob_get_identity);

	return blob ? (const char *)blob->csb_mem_kaddr + blob->csb_ident_offset : NULL;
}
