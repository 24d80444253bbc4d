/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * files: open/read/write/lseek/pread/pwrite/readv/writev round trips on the
 * in-memory root file system through the trap path, with Darwin flags and
 * errors (O_APPEND, O_TRUNC, O_EXCL, umask, EISDIR, EINVAL for huge
 * lengths, EFAULT for bad buffers and iovecs), and stat64's layout.
 */
#include <stddef.h>
#include <string.h>

/* harness.h first: host <stdio.h> defines Linux's SEEK_DATA/SEEK_HOLE (3/4,
 * swapped on Darwin); the darwin/ headers that follow replace them. */
#include "tests/harness.h"

#include "kmod-xnu-sim/include/xnusim/libsyscall.h"
#include "kmod-xnu-sim/include/xnusim/xnusim.h"
#include "darwin/errno.h"
#include "darwin/fcntl.h"
#include "darwin/stat.h"
#include "darwin/struct_stat64.h"

#define BAD_PTR ((void *)0x10)	/* never mapped in a host process */

static int create_file(const char *path, const char *data)
{
	int fd = xnu_open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0 && data)
		xnu_write(fd, data, strlen(data));
	return fd;
}

TEST(create_write_seek_read)
{
	char buf[64] = { 0 };
	int fd = xnu_open("/tmp/files_rw", O_RDWR | O_CREAT | O_TRUNC, 0644);

	ASSERT_TRUE(fd >= 3);
	EXPECT_EQ(xnu_write(fd, "hello, xnu", 10), 10);
	EXPECT_EQ(xnu_lseek(fd, 0, SEEK_CUR), 10);
	EXPECT_EQ(xnu_lseek(fd, 0, SEEK_SET), 0);
	EXPECT_EQ(xnu_read(fd, buf, sizeof(buf)), 10);
	EXPECT_STREQ(buf, "hello, xnu");
	EXPECT_EQ(xnu_read(fd, buf, sizeof(buf)), 0);	/* EOF */
	EXPECT_EQ(xnu_lseek(fd, -3, SEEK_END), 7);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(xnu_read_nocancel(fd, buf, 8), 3);
	EXPECT_STREQ(buf, "xnu");
	EXPECT_EQ(xnu_close(fd), 0);
	EXPECT_EQ(xnu_close(fd), -1);
	EXPECT_EQ(xnu_errno, EBADF);
	EXPECT_EQ(xnu_unlink("/tmp/files_rw"), 0);
}

TEST(write_past_eof_leaves_zero_hole)
{
	char buf[8];
	int fd = create_file("/tmp/files_hole", "ab");

	ASSERT_TRUE(fd >= 0);
	EXPECT_EQ(xnu_lseek(fd, 6, SEEK_SET), 6);
	EXPECT_EQ(xnu_write(fd, "Z", 1), 1);
	EXPECT_EQ(xnu_pread(fd, buf, sizeof(buf), 0), 7);
	EXPECT_EQ(memcmp(buf, "ab\0\0\0\0Z", 7), 0);
	/* SEEK_DATA / SEEK_HOLE: no holes in memfs, one hole at EOF. */
	EXPECT_EQ(xnu_lseek(fd, 1, SEEK_DATA), 1);
	EXPECT_EQ(xnu_lseek(fd, 1, SEEK_HOLE), 7);
	EXPECT_EQ(xnu_lseek(fd, 7, SEEK_DATA), -1);
	EXPECT_EQ(xnu_errno, ENXIO);
	xnu_close(fd);
	xnu_unlink("/tmp/files_hole");
}

TEST(lseek_errors)
{
	int fd = create_file("/tmp/files_seek", "0123");

	ASSERT_TRUE(fd >= 0);
	EXPECT_EQ(xnu_lseek(fd, -1, SEEK_SET), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_lseek(fd, 0, 5), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_lseek(fd, 0, SEEK_CUR), 4);	/* unchanged by the failures */
	EXPECT_EQ(xnu_lseek(99, 0, SEEK_SET), -1);
	EXPECT_EQ(xnu_errno, EBADF);
	/* A 64-bit result survives the two-register return. */
	EXPECT_EQ(xnu_lseek(fd, 0x123456789aLL, SEEK_SET), 0x123456789aLL);
	xnu_close(fd);
	xnu_unlink("/tmp/files_seek");
}

TEST(pread_pwrite_keep_offset)
{
	char buf[16] = { 0 };
	int fd = create_file("/tmp/files_p", "abcdef");

	ASSERT_TRUE(fd >= 0);
	EXPECT_EQ(xnu_lseek(fd, 1, SEEK_SET), 1);
	EXPECT_EQ(xnu_pwrite(fd, "XY", 2, 3), 2);
	EXPECT_EQ(xnu_pread(fd, buf, 6, 0), 6);
	EXPECT_STREQ(buf, "abcXYf");
	EXPECT_EQ(xnu_lseek(fd, 0, SEEK_CUR), 1);
	EXPECT_EQ(xnu_pread(fd, buf, 4, -1), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_pwrite(fd, "x", 1, -1), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_pwrite(fd, "x", 1, -5), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	xnu_close(fd);
	xnu_unlink("/tmp/files_p");
}

TEST(readv_writev_round_trip)
{
	char a[3], b[5], c[16] = { 0 };
	struct xnu_iovec w[3] = {
		{ (uintptr_t)"one", 3 }, { (uintptr_t)"", 0 }, { (uintptr_t)"-two-", 5 },
	};
	struct xnu_iovec r[2] = { { (uintptr_t)a, 3 }, { (uintptr_t)b, 5 } };
	int fd = create_file("/tmp/files_v", NULL);

	ASSERT_TRUE(fd >= 0);
	EXPECT_EQ(xnu_writev(fd, w, 3), 8);
	EXPECT_EQ(xnu_lseek(fd, 0, SEEK_SET), 0);
	EXPECT_EQ(xnu_readv(fd, r, 2), 8);
	EXPECT_EQ(memcmp(a, "one", 3), 0);
	EXPECT_EQ(memcmp(b, "-two-", 5), 0);
	EXPECT_EQ(xnu_pread(fd, c, sizeof(c), 0), 8);
	EXPECT_STREQ(c, "one-two-");
	/* iovcnt out of range, a bad array, a bad iov_base. */
	EXPECT_EQ(xnu_readv(fd, r, 0), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_writev(fd, w, 1025), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_readv(fd, BAD_PTR, 2), -1);
	EXPECT_EQ(xnu_errno, EFAULT);
	r[1].iov_base = (uintptr_t)BAD_PTR;
	EXPECT_EQ(xnu_lseek(fd, 0, SEEK_SET), 0);
	EXPECT_EQ(xnu_readv(fd, r, 2), -1);
	EXPECT_EQ(xnu_errno, EFAULT);
	xnu_close(fd);
	xnu_unlink("/tmp/files_v");
}

TEST(append_trunc_excl)
{
	char buf[32] = { 0 };
	int fd = create_file("/tmp/files_a", "base");

	ASSERT_TRUE(fd >= 0);
	xnu_close(fd);
	fd = xnu_open("/tmp/files_a", O_WRONLY | O_APPEND);
	ASSERT_TRUE(fd >= 0);
	EXPECT_EQ(xnu_lseek(fd, 0, SEEK_SET), 0);
	EXPECT_EQ(xnu_write(fd, "+tail", 5), 5);	/* lands at the end anyway */
	EXPECT_EQ(xnu_lseek(fd, 0, SEEK_CUR), 9);
	xnu_close(fd);
	fd = xnu_open("/tmp/files_a", O_RDONLY);
	EXPECT_EQ(xnu_read(fd, buf, sizeof(buf)), 9);
	EXPECT_STREQ(buf, "base+tail");
	EXPECT_EQ(xnu_write(fd, "x", 1), -1);	/* not open for writing */
	EXPECT_EQ(xnu_errno, EBADF);
	xnu_close(fd);
	EXPECT_EQ(xnu_open("/tmp/files_a", O_RDWR | O_CREAT | O_EXCL, 0600), -1);
	EXPECT_EQ(xnu_errno, EEXIST);
	fd = xnu_open("/tmp/files_a", O_RDWR | O_TRUNC);
	ASSERT_TRUE(fd >= 0);
	EXPECT_EQ(xnu_read(fd, buf, sizeof(buf)), 0);
	xnu_close(fd);
	EXPECT_EQ(xnu_open("/tmp/files_a", O_RDONLY | O_WRONLY | O_RDWR), -1);	/* O_ACCMODE */
	EXPECT_EQ(xnu_errno, EINVAL);
	xnu_unlink("/tmp/files_a");
}

TEST(umask_applies_to_created_mode)
{
	struct xnu_stat64 st;
	int old = xnu_umask(077), fd;

	EXPECT_EQ(old, 022);	/* CMASK */
	fd = xnu_open("/tmp/files_mask", O_RDWR | O_CREAT | O_EXCL, 0666);
	ASSERT_TRUE(fd >= 0);
	EXPECT_EQ(xnu_fstat64(fd, &st), 0);
	EXPECT_EQ(st.st_mode, S_IFREG | 0600);
	EXPECT_EQ(xnu_umask(old), 077);
	EXPECT_EQ(xnu_mkdir("/tmp/files_mask_dir", 0777), 0);
	EXPECT_EQ(xnu_stat64("/tmp/files_mask_dir", &st), 0);
	EXPECT_EQ(st.st_mode, S_IFDIR | 0755);
	xnu_close(fd);
	xnu_unlink("/tmp/files_mask");
}

TEST(stat64_fields_and_layout)
{
	struct xnu_stat64 st, fst, lst;
	int fd = create_file("/tmp/files_stat", "12345");

	EXPECT_EQ(offsetof(struct xnu_stat64, st_ino), XS_STRUCT_STAT64__stat64_st_ino);
	EXPECT_EQ(offsetof(struct xnu_stat64, st_size), XS_STRUCT_STAT64__stat64_st_size);
	EXPECT_EQ(offsetof(struct xnu_stat64, st_blksize), XS_STRUCT_STAT64__stat64_st_blksize);
	EXPECT_EQ(sizeof(struct xnu_stat64), 144);
	ASSERT_TRUE(fd >= 0);
	memset(&st, 0xa5, sizeof(st));
	ASSERT_EQ(xnu_stat64("/tmp/files_stat", &st), 0);
	EXPECT_EQ(st.st_mode, S_IFREG | 0644);
	EXPECT_EQ(st.st_nlink, 1);
	EXPECT_EQ(st.st_size, 5);
	EXPECT_EQ(st.st_blksize, 4096);
	EXPECT_EQ(st.st_blocks, 8);
	EXPECT_EQ(st.st_uid, xnu_geteuid());
	EXPECT_NE(st.st_ino, 0);
	EXPECT_NE(st.st_dev, 0);
	EXPECT_EQ(st.st_flags, 0);
	EXPECT_EQ(st.st_qspare[0], 0);
	EXPECT_TRUE(st.st_birthtimespec.tv_nsec < 1000000000);
	ASSERT_EQ(xnu_fstat64(fd, &fst), 0);
	ASSERT_EQ(xnu_lstat64("/tmp/files_stat", &lst), 0);
	EXPECT_EQ(fst.st_ino, st.st_ino);
	EXPECT_EQ(lst.st_ino, st.st_ino);
	EXPECT_EQ(fst.st_size, 5);
	/* Directories and devices. */
	ASSERT_EQ(xnu_stat64("/", &st), 0);
	EXPECT_EQ(st.st_mode & S_IFMT, S_IFDIR);
	EXPECT_TRUE(st.st_nlink >= 2);
	ASSERT_EQ(xnu_stat64("/dev/null", &st), 0);
	EXPECT_EQ(st.st_mode, S_IFCHR | 0666);
	EXPECT_EQ(st.st_rdev, (3 << 24) | 2);
	/* Errors. */
	EXPECT_EQ(xnu_stat64("/tmp/files_none", &st), -1);
	EXPECT_EQ(xnu_errno, ENOENT);
	EXPECT_EQ(xnu_stat64("/tmp/files_stat", BAD_PTR), -1);
	EXPECT_EQ(xnu_errno, EFAULT);
	EXPECT_EQ(xnu_fstat64(fd, BAD_PTR), -1);
	EXPECT_EQ(xnu_errno, EFAULT);
	EXPECT_EQ(xnu_fstat64(-1, &st), -1);
	EXPECT_EQ(xnu_errno, EBADF);
	xnu_close(fd);
	xnu_unlink("/tmp/files_stat");
}

TEST(read_write_bad_input)
{
	char buf[4];
	int fd = create_file("/tmp/files_bad", "abcd");

	ASSERT_TRUE(fd >= 0);
	EXPECT_EQ(xnu_read(fd, buf, 0x80000000ull), -1);	/* > INT_MAX */
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_write(fd, buf, (size_t)-1), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_pread(fd, BAD_PTR, 4, 0), -1);
	EXPECT_EQ(xnu_errno, EFAULT);
	EXPECT_EQ(xnu_write(fd, BAD_PTR, 4), -1);
	EXPECT_EQ(xnu_errno, EFAULT);
	EXPECT_EQ(xnu_read(-5, buf, 1), -1);
	EXPECT_EQ(xnu_errno, EBADF);
	EXPECT_EQ(xnu_write(12345, buf, 1), -1);
	EXPECT_EQ(xnu_errno, EBADF);
	EXPECT_EQ(xnu_open(BAD_PTR, O_RDONLY), -1);
	EXPECT_EQ(xnu_errno, EFAULT);
	EXPECT_EQ(xnu_open("", O_RDONLY), -1);
	EXPECT_EQ(xnu_errno, ENOENT);
	xnu_close(fd);
	xnu_unlink("/tmp/files_bad");
}

TEST(directories_reject_writes)
{
	char buf[4];
	int fd;

	EXPECT_EQ(xnu_open("/tmp", O_RDWR), -1);
	EXPECT_EQ(xnu_errno, EISDIR);
	EXPECT_EQ(xnu_open("/tmp", O_WRONLY | O_CREAT, 0644), -1);
	EXPECT_EQ(xnu_errno, EISDIR);
	fd = xnu_open("/tmp", O_RDONLY);
	ASSERT_TRUE(fd >= 0);
	EXPECT_EQ(xnu_read(fd, buf, sizeof(buf)), -1);
	EXPECT_EQ(xnu_errno, EISDIR);
	xnu_close(fd);
	fd = create_file("/tmp/files_notdir", "x");
	EXPECT_EQ(xnu_open("/tmp/files_notdir", O_RDONLY | O_DIRECTORY), -1);
	EXPECT_EQ(xnu_errno, ENOTDIR);
	xnu_close(fd);
	xnu_unlink("/tmp/files_notdir");
}

TEST(dev_null_and_zero)
{
	char buf[8];
	int fd = xnu_open("/dev/null", O_RDWR);

	ASSERT_TRUE(fd >= 0);
	EXPECT_EQ(xnu_write(fd, "discard", 7), 7);
	EXPECT_EQ(xnu_read(fd, buf, sizeof(buf)), 0);
	xnu_close(fd);
	fd = xnu_open("/dev/zero", O_RDONLY);
	ASSERT_TRUE(fd >= 0);
	memset(buf, 0x55, sizeof(buf));
	EXPECT_EQ(xnu_read(fd, buf, sizeof(buf)), 8);
	EXPECT_EQ(buf[0] | buf[7], 0);
	xnu_close(fd);
	/* devfs is root's and 0555: a user (uid 501) may not add names. */
	EXPECT_EQ(xnu_open("/dev/newfile", O_RDWR | O_CREAT, 0644), -1);
	EXPECT_EQ(xnu_errno, EACCES);
}

TEST(large_file_grows_across_pages)
{
	static char big[40000], back[40000];
	int fd = create_file("/tmp/files_big", NULL);

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7 + 3);
	ASSERT_TRUE(fd >= 0);
	EXPECT_EQ(xnu_write(fd, big, 1000), 1000);
	EXPECT_EQ(xnu_write(fd, big + 1000, sizeof(big) - 1000), sizeof(big) - 1000);
	EXPECT_EQ(xnu_pread(fd, back, sizeof(back), 0), sizeof(back));
	EXPECT_EQ(memcmp(big, back, sizeof(big)), 0);
	xnu_close(fd);
	xnu_unlink("/tmp/files_big");
}

/* The _nocancel slots libc uses, through raw traps (no stubs for some). */
TEST(nocancel_twins_by_number)
{
	char buf[8] = { 0 };
	uint64_t rv[2], a[4];
	struct xnu_iovec iov = { (uintptr_t)buf, 2 };
	int fd;

	fd = xnu_open_nocancel("/tmp/files_nc", O_RDWR | O_CREAT | O_TRUNC, 0644);
	ASSERT_TRUE(fd >= 0);
	EXPECT_EQ(xnu_write_nocancel(fd, "abcd", 4), 4);
	a[0] = (uint64_t)fd; a[1] = (uintptr_t)buf; a[2] = 2; a[3] = 1;
	EXPECT_EQ(xnu_bsd_trap(414, a, 4, rv), 0);		/* pread_nocancel */
	EXPECT_EQ(rv[0], 2);
	EXPECT_EQ(memcmp(buf, "bc", 2), 0);
	a[1] = (uintptr_t)"ZZ"; a[3] = 0;
	EXPECT_EQ(xnu_bsd_trap(415, a, 4, rv), 0);		/* pwrite_nocancel */
	a[1] = 0; a[2] = SEEK_SET;
	EXPECT_EQ(xnu_bsd_trap(199, a, 3, rv), 0);		/* lseek */
	a[1] = (uintptr_t)&iov; a[2] = 1;
	EXPECT_EQ(xnu_bsd_trap(411, a, 3, rv), 0);		/* readv_nocancel */
	EXPECT_EQ(memcmp(buf, "ZZ", 2), 0);
	EXPECT_EQ(xnu_bsd_trap(412, a, 3, rv), 0);		/* writev_nocancel */
	EXPECT_EQ(rv[0], 2);
	a[1] = F_GETFL;
	EXPECT_EQ(xnu_bsd_trap(406, a, 3, rv), 0);		/* sys_fcntl_nocancel */
	EXPECT_EQ(rv[0], O_RDWR);
	a[0] = (uint64_t)(int64_t)-2; a[1] = (uintptr_t)"/tmp/files_nc"; a[2] = O_RDONLY;
	EXPECT_EQ(xnu_bsd_trap(464, a, 4, rv), 0);		/* openat_nocancel */
	a[0] = rv[0];
	EXPECT_EQ(xnu_bsd_trap(399, a, 1, rv), 0);		/* sys_close_nocancel */
	EXPECT_EQ(xnu_bsd_trap(399, a, 1, rv), EBADF);
	EXPECT_EQ(xnu_close_nocancel(fd), 0);
	xnu_unlink("/tmp/files_nc");
}

/* Last: the same calls on a fresh x86_64 machine (rax/rdx results, CF errors). */
TEST(x86_64_machine_round_trip)
{
	char buf[8] = { 0 };
	int fd;

	ASSERT_TRUE(xnusim_boot(XNUSIM_ARCH_X86_64) > 0);
	fd = xnu_open("/tmp/files_x86", O_RDWR | O_CREAT, 0644);
	ASSERT_TRUE(fd >= 3);
	EXPECT_EQ(xnu_write(fd, "x86", 3), 3);
	EXPECT_EQ(xnu_lseek(fd, 0x7fffffff00LL, SEEK_SET), 0x7fffffff00LL);
	EXPECT_EQ(xnu_pread(fd, buf, sizeof(buf), 0), 3);
	EXPECT_STREQ(buf, "x86");
	EXPECT_EQ(xnu_read(fd, buf, 0x80000000ull), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_close(fd), 0);
	EXPECT_EQ(xnu_close(fd), -1);
	EXPECT_EQ(xnu_errno, EBADF);
}

/*
 * A zero-length write to a file that has no bytes yet (no backing store):
 * nothing moves, the size stays 0, and the offset is untouched.  Found by
 * tests/fuzz/fuzz_trap (UBSan: arithmetic on the NULL backing), seed
 * tests/fuzz/seeds/fuzz_trap/empty_write_no_backing.
 */
TEST(empty_write_to_new_file)
{
	struct xnu_stat64 st;
	char c;
	int fd = create_file("/tmp/files_empty_write", NULL);

	ASSERT_TRUE(fd >= 0);
	EXPECT_EQ(xnu_write(fd, "", 0), 0);
	EXPECT_EQ(xnu_pwrite(fd, &c, 0, 5), 0);
	EXPECT_EQ(xnu_fstat64(fd, &st), 0);
	EXPECT_EQ(st.st_size, 0);
	EXPECT_EQ(xnu_lseek(fd, 0, SEEK_CUR), 0);
	EXPECT_EQ(xnu_read(fd, &c, 1), 0);
	xnu_close(fd);
}
