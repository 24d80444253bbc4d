/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_macho: libFuzzer over Mach-O images at exec's activators
 * (exec_mach_imgact / exec_fat_imgact / exec_shell_imgact), the loader
 * (load_machfile -> parse_machfile, segments, dylinker) and the code-signing
 * checks (ubc_cs_blob_add, cs_validate_range).  Any input must get an errno
 * or a load, never a crash, a hang or a leak of kernel objects.
 *
 * Input: flags (1 byte: bit 0 x86_64 machine, bit 1 build a real map instead
 * of a preflight, bit 2 also feed the raw bytes to the signature parser),
 * dyld_len (u32 little-endian), the dynamic linker's bytes, the image's
 * bytes.  The seeds (tests/fuzz/seeds/fuzz_macho) are mkmacho images in
 * this framing.
 */
#include <stdint.h>
#include <string.h>

#include "kmod-xnu-sim/bsd/kern/mach_loader.h"
#include "kmod-xnu-sim/bsd/sys/imgact.h"
#include "kmod-xnu-sim/bsd/sys/ubc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#include "kmod-xnu-sim/osfmk/vm/vm_map.h"
#include "xnusim/xnusim.h"

/* <stdlib.h> would bring glibc's mode_t and sigset_t next to the kernel's. */
extern void abort(void) __attribute__((noreturn));

#define F_X86_64 0x1
#define F_MAP    0x2
#define F_BLOB   0x4
#define MAX_IMAGE (4u << 20)

static struct image_params params;
static int booted;

/* The signature parser on raw bytes, then a page check if it was accepted. */
static void fuzz_blob(const uint8_t *data, size_t n, int32_t cputype)
{
	uint64_t size = n;
	struct cs_blob *blob = NULL;
	void *addr = NULL;
	unsigned tainted;

	if (xs_ubc_cs_blob_allocate(&addr, &size) != KERN_SUCCESS)
		return;
	memcpy(addr, data, n);
	if (xs_ubc_cs_blob_add(NULL, 0, cputype, 0, 0, &addr, size, NULL, 0, &blob)) {
		xs_ubc_cs_blob_deallocate(addr, size);
		return;
	}
	(void)xs_cs_validate_range(blob, 0, data, n, &tainted);
	xs_cs_blob_free(blob);
}

/* A copy in the arena: a real map borrows the file's pages. */
static uint8_t *arena_copy(const uint8_t *p, size_t n)
{
	uint8_t *k = n ? xs_kmem_alloc(n) : NULL;

	if (k)
		memcpy(k, p, n);
	return k;
}

static void fuzz_exec(const uint8_t *exe, size_t exe_n, const uint8_t *dyld, size_t dyld_n,
		      int map)
{
	uint8_t *kexe = NULL, *kdyld = NULL;

	memset(&params, 0, sizeof(params));
	if (map) {
		kexe = arena_copy(exe, exe_n);
		kdyld = arena_copy(dyld, dyld_n);
		if ((exe_n && !kexe) || (dyld_n && !kdyld))
			goto out;
		exe = kexe;
		dyld = kdyld;
	}
	params.ip_image = exe;
	params.ip_image_size = exe_n;
	params.ip_dyld_image = dyld_n ? dyld : NULL;
	params.ip_dyld_size = dyld_n;
	params.ip_xs_preflight = !map;
	if (xs_execsw_activate(&params) == 0 && params.ip_new_map)
		xs_vm_map_deallocate(params.ip_new_map);
	xs_load_result_release(&params.ip_result);
out:
	if (kexe)
		xs_kmem_free(kexe, exe_n);
	if (kdyld)
		xs_kmem_free(kdyld, dyld_n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t dyld_n;
	uint8_t flags;
	int arch;

	if (size < 5 || size > MAX_IMAGE)
		return 0;
	flags = data[0];
	memcpy(&dyld_n, data + 1, 4);
	data += 5;
	size -= 5;
	if (dyld_n > size)
		dyld_n = (uint32_t)size;
	arch = (flags & F_X86_64) ? XNUSIM_ARCH_X86_64 : XNUSIM_ARCH_ARM64;
	if (booted != arch) {
		if (xnusim_boot(arch) < 0)
			abort();
		booted = arch;
	}
	fuzz_exec(data + dyld_n, size - dyld_n, data, dyld_n, flags & F_MAP);
	if (flags & F_BLOB)
		fuzz_blob(data + dyld_n, size - dyld_n,
			  arch == XNUSIM_ARCH_ARM64 ? 0x0100000c : 0x01000007);
	return 0;
}
