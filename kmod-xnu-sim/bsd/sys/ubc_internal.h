/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ubc_internal.h: code-signing blobs of the unified buffer cache.  In XNU a
 * cs_blob hangs off the vnode's ubc_info, in a read-only zone, and is checked
 * page by page at fault time; here the loader owns it (load_result_t), and
 * pages are checked when the image is loaded (no fault path).  Corresponds
 * to bsd/sys/ubc_internal.h and the cs_blob parts of osfmk/kern/cs_blobs.h.
 */
#ifndef XS_SYS_UBC_INTERNAL_H
#define XS_SYS_UBC_INTERNAL_H

#include "kmod-xnu-sim/osfmk/kern/kern_types.h"

#define XS_CS_CDHASH_LEN 20
#define XS_CS_BLOB_MAX   (1u << 20)	/* signatures above this are refused (LOAD_NOSPACE) */

struct vnode;
struct image_params;

/*
 * One validated embedded signature.  All offsets are into csb_mem (a copy
 * of the SuperBlob), which the blob owns.  Arena object: no pointers into
 * the library.
 */
struct cs_blob {
	int32_t csb_cpu_type;
	int32_t csb_cpu_subtype;
	uint32_t csb_flags;		/* CS_* from the CodeDirectory and the policy */
	uint32_t csb_signer_type;	/* CS_SIGNER_TYPE_* (set by the MACF policy) */
	uint64_t csb_base_offset;	/* slice offset in the file */
	uint64_t csb_start_offset;	/* 0: hashes start at the slice's first byte */
	uint64_t csb_end_offset;	/* codeLimit rounded to the hash page */
	void *csb_mem_kaddr;		/* SuperBlob copy (kalloc) */
	uint64_t csb_mem_size;
	uint32_t csb_cd_offset;		/* the chosen CodeDirectory in csb_mem */
	uint32_t csb_cd_size;
	uint32_t csb_hashtype;		/* CS_HASHTYPE_SHA256 */
	uint32_t csb_hash_size;
	uint32_t csb_hash_pageshift;	/* CodeDirectory.pageSize */
	uint32_t csb_ncodeslots;
	uint32_t csb_hash_offset;	/* code slot 0, from the CD start */
	uint64_t csb_code_limit;
	uint32_t csb_entitlements_offset;	/* XML bytes (after the blob header), or 0 */
	uint32_t csb_entitlements_size;
	uint32_t csb_ident_offset;	/* NUL-terminated identifier in csb_mem */
	uint8_t csb_cdhash[XS_CS_CDHASH_LEN];
	bool csb_platform_binary;
};

/* ubc_cs_blob_allocate: memory for a signature of *size bytes (kalloc). */
xs_kern_return_t xs_ubc_cs_blob_allocate(void **addr, uint64_t *size);
void xs_ubc_cs_blob_deallocate(void *addr, uint64_t size);

/*
 * Routine:    xs_ubc_cs_blob_add
 * Purpose:    Validate the signature at *addr (cs_blob_init_validated:
 *             SuperBlob, CodeDirectory, special-slot hashes), ask the MACF
 *             policy (mac_vnode_check_signature), and wrap it in a cs_blob
 *             from the cs_blob zone.  On success the blob owns *addr and
 *             *addr is set to NULL.
 * Returns:    0, EBADEXEC (malformed or unsupported signature), ENOMEM,
 *             or the policy's error.
 */
int xs_ubc_cs_blob_add(struct vnode *vp, uint32_t platform, int32_t cputype,
		       int32_t cpusubtype, uint64_t base_offset, void **addr, uint64_t size,
		       struct image_params *imgp, int flags, struct cs_blob **ret_blob);
/* Free a blob and its signature memory. */
void xs_cs_blob_free(struct cs_blob *blob);

/*
 * cs_validate_range: check [offset, offset + size) of the slice (data points
 * at those bytes) against the code slots.  Returns true when every page in
 * the range hashes to its slot; *tainted gets CS_VALIDATE_TAINTED otherwise.
 */
#define CS_VALIDATE_TAINTED	0x00000001
#define CS_VALIDATE_NX		0x00000002
bool xs_cs_validate_range(const struct cs_blob *blob, uint64_t offset, const void *data,
			  uint64_t size, unsigned *tainted);

/* The entitlements XML of a blob (borrowed; not NUL-terminated), or NULL. */
const char *xs_csblob_get_entitlements(const struct cs_blob *blob, uint32_t *len);
/* The identifier string of the CodeDirectory (borrowed). */
const char *xs_csblob_get_identity(const struct cs_blob *blob);

#endif /* XS_SYS_UBC_INTERNAL_H */
