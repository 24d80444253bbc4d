/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * abi/stat.h: Darwin's struct stat64 (144 bytes), shared by the kernel core
 * and workloads.  Offsets are checked against constants.tsv (struct_stat64)
 * by the files engineer's _Static_asserts.  Data only: includes nothing but
 * <stdint.h>.
 */
#ifndef XNUSIM_ABI_STAT_H
#define XNUSIM_ABI_STAT_H

#include <stdint.h>

struct xnu_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

struct xnu_stat64 {
	int32_t st_dev;
	uint16_t st_mode;
	uint16_t st_nlink;
	uint64_t st_ino;
	uint32_t st_uid;
	uint32_t st_gid;
	int32_t st_rdev;
	uint32_t st_pad0_;
	struct xnu_timespec st_atimespec;
	struct xnu_timespec st_mtimespec;
	struct xnu_timespec st_ctimespec;
	struct xnu_timespec st_birthtimespec;
	int64_t st_size;
	int64_t st_blocks;
	int32_t st_blksize;
	uint32_t st_flags;
	uint32_t st_gen;
	int32_t st_lspare;
	int64_t st_qspare[2];
};

_Static_assert(sizeof(struct xnu_stat64) == 144, "struct stat64 is 144 bytes on Darwin");

#endif /* XNUSIM_ABI_STAT_H */
