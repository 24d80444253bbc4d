/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vfs_paths: namei's rules.  mkdir/chdir and relative paths, ".", "..",
 * repeated slashes, the devfs mount on /dev, openat with a directory fd,
 * ENAMETOOLONG (component > NAME_MAX, path >= PATH_MAX), ENOTDIR, EEXIST,
 * EACCES from the permission bits, and unlink keeping open files alive.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/harness.h"

#define sigset_t xs_sigset_t
#define mode_t xs_mode_t
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#undef sigset_t
#undef mode_t
#include "kmod-xnu-sim/include/xnusim/libsyscall.h"
#include "darwin/errno.h"
#include "darwin/fcntl.h"
#include "darwin/stat.h"

static uint64_t zcount(enum zone_id id)
{
	return xs_zone_by_id(id)->z_count;
}

TEST(mkdir_chdir_relative_and_dotdot)
{
	struct xnu_stat64 a, b;
	int fd;

	ASSERT_EQ(xnu_mkdir("/tmp/vp_d", 0755), 0);
	EXPECT_EQ(xnu_mkdir("/tmp/vp_d", 0755), -1);
	EXPECT_EQ(xnu_errno, EEXIST);
	ASSERT_EQ(xnu_mkdir("/tmp/vp_d/sub", 0755), 0);
	ASSERT_EQ(xnu_chdir("/tmp/vp_d"), 0);
	fd = xnu_open("sub/f", O_RDWR | O_CREAT, 0644);
	ASSERT_TRUE(fd >= 0);
	EXPECT_EQ(xnu_write(fd, "rel", 3), 3);
	xnu_close(fd);
	EXPECT_EQ(xnu_stat64("/tmp/vp_d/sub/f", &a), 0);
	EXPECT_EQ(xnu_stat64("./sub/../sub//f", &b), 0);
	EXPECT_EQ(a.st_ino, b.st_ino);
	EXPECT_EQ(xnu_chdir("sub"), 0);
	EXPECT_EQ(xnu_stat64("f", &b), 0);
	EXPECT_EQ(a.st_ino, b.st_ino);
	EXPECT_EQ(xnu_chdir("../.."), 0);	/* back in /tmp */
	EXPECT_EQ(xnu_stat64("vp_d/sub/f", &b), 0);
	/* ".." at the root stays at the root. */
	EXPECT_EQ(xnu_stat64("/../../tmp/vp_d/sub/f", &b), 0);
	EXPECT_EQ(a.st_ino, b.st_ino);
	EXPECT_EQ(xnu_stat64("/tmp/vp_d", &a), 0);
	EXPECT_EQ(a.st_nlink, 3);		/* ".", its name, sub's ".." */
	EXPECT_EQ(xnu_unlink("/tmp/vp_d/sub/f"), 0);
	EXPECT_EQ(xnu_chdir("/"), 0);
}

TEST(chdir_errors)
{
	int fd = xnu_open("/tmp/vp_file", O_RDWR | O_CREAT, 0644);

	ASSERT_TRUE(fd >= 0);
	EXPECT_EQ(xnu_chdir("/tmp/vp_file"), -1);
	EXPECT_EQ(xnu_errno, ENOTDIR);
	EXPECT_EQ(xnu_chdir("/tmp/vp_nowhere"), -1);
	EXPECT_EQ(xnu_errno, ENOENT);
	EXPECT_EQ(xnu_chdir((const char *)0x10), -1);
	EXPECT_EQ(xnu_errno, EFAULT);
	/* A file in the middle of a path, and a trailing slash on a file. */
	EXPECT_EQ(xnu_open("/tmp/vp_file/x", O_RDONLY), -1);
	EXPECT_EQ(xnu_errno, ENOTDIR);
	EXPECT_EQ(xnu_open("/tmp/vp_file/", O_RDONLY), -1);
	EXPECT_EQ(xnu_errno, ENOTDIR);
	EXPECT_EQ(xnu_mkdir("/tmp/vp_nowhere/d", 0755), -1);
	EXPECT_EQ(xnu_errno, ENOENT);
	EXPECT_EQ(xnu_mkdir("/", 0755), -1);
	EXPECT_EQ(xnu_errno, EEXIST);
	xnu_close(fd);
	xnu_unlink("/tmp/vp_file");
}

TEST(devfs_mount_crossing)
{
	struct xnu_stat64 dev, tmp, back;

	ASSERT_EQ(xnu_stat64("/dev", &dev), 0);
	EXPECT_EQ(dev.st_mode & S_IFMT, S_IFDIR);
	ASSERT_EQ(xnu_stat64("/dev/console", &back), 0);
	EXPECT_EQ(back.st_mode & S_IFMT, S_IFCHR);
	EXPECT_EQ(back.st_dev, dev.st_dev);		/* both on devfs */
	ASSERT_EQ(xnu_stat64("/tmp", &tmp), 0);
	EXPECT_NE(tmp.st_dev, dev.st_dev);
	EXPECT_EQ(tmp.st_mode, S_IFDIR | 01777);
	ASSERT_EQ(xnu_stat64("/dev/../tmp", &back), 0);	/* ".." leaves the mount */
	EXPECT_EQ(back.st_ino, tmp.st_ino);
}

TEST(openat_with_dirfd)
{
	int dfd, fd, ffd;
	char buf[4] = { 0 };

	ASSERT_EQ(xnu_mkdir("/tmp/vp_at", 0755), 0);
	dfd = xnu_open("/tmp/vp_at", O_RDONLY);
	ASSERT_TRUE(dfd >= 0);
	fd = xnu_openat(dfd, "x", O_RDWR | O_CREAT, 0644);
	ASSERT_TRUE(fd >= 0);
	xnu_write(fd, "at", 2);
	xnu_close(fd);
	fd = xnu_open("/tmp/vp_at/x", O_RDONLY);
	EXPECT_EQ(xnu_read(fd, buf, 3), 2);
	EXPECT_STREQ(buf, "at");
	xnu_close(fd);
	fd = xnu_openat(-2 /* AT_FDCWD */, "/tmp/vp_at/x", O_RDONLY);
	EXPECT_TRUE(fd >= 0);
	ffd = fd;
	fd = xnu_openat(ffd, "x", O_RDONLY);		/* dirfd is a file */
	EXPECT_EQ(fd, -1);
	EXPECT_EQ(xnu_errno, ENOTDIR);
	EXPECT_EQ(xnu_openat(ffd, "/tmp/vp_at/x", O_RDONLY) >= 0, 1);	/* absolute */
	EXPECT_EQ(xnu_openat(123, "x", O_RDONLY), -1);
	EXPECT_EQ(xnu_errno, EBADF);
	xnu_close(ffd);
	xnu_close(ffd + 1);
	xnu_close(dfd);
	xnu_unlink("/tmp/vp_at/x");
}

TEST(name_too_long)
{
	char comp[300], path[1100];

	memset(comp, 'n', sizeof(comp));
	comp[256] = '\0';			/* NAME_MAX + 1 */
	snprintf(path, sizeof(path), "/tmp/%s", comp);
	EXPECT_EQ(xnu_open(path, O_RDWR | O_CREAT, 0644), -1);
	EXPECT_EQ(xnu_errno, ENAMETOOLONG);
	comp[255] = '\0';			/* exactly NAME_MAX is fine */
	snprintf(path, sizeof(path), "/tmp/%s", comp);
	EXPECT_TRUE(xnu_open(path, O_RDWR | O_CREAT, 0644) >= 0);
	EXPECT_EQ(xnu_unlink(path), 0);
	memset(path, '/', sizeof(path));	/* 1024 bytes with no NUL inside PATH_MAX */
	path[1099] = '\0';
	EXPECT_EQ(xnu_stat64(path, NULL), -1);
	EXPECT_EQ(xnu_errno, ENAMETOOLONG);
	EXPECT_EQ(xnu_mkdir(path, 0755), -1);
	EXPECT_EQ(xnu_errno, ENAMETOOLONG);
}

TEST(unlink_keeps_open_file_readable)
{
	uint64_t vn0 = zcount(ZONE_ID_VNODE);
	struct xnu_stat64 st;
	char buf[8] = { 0 };
	int fd = xnu_open("/tmp/vp_unl", O_RDWR | O_CREAT, 0644);

	ASSERT_TRUE(fd >= 0);
	xnu_write(fd, "alive", 5);
	EXPECT_EQ(xnu_unlink("/tmp/vp_unl"), 0);
	EXPECT_EQ(xnu_stat64("/tmp/vp_unl", &st), -1);
	EXPECT_EQ(xnu_errno, ENOENT);
	EXPECT_EQ(xnu_pread(fd, buf, sizeof(buf), 0), 5);
	EXPECT_STREQ(buf, "alive");
	EXPECT_EQ(xnu_fstat64(fd, &st), 0);
	EXPECT_EQ(st.st_nlink, 0);
	EXPECT_EQ(zcount(ZONE_ID_VNODE), vn0 + 1);
	xnu_close(fd);
	EXPECT_EQ(zcount(ZONE_ID_VNODE), vn0);		/* reclaimed by the last close */
	EXPECT_EQ(xnu_unlink("/tmp/vp_unl"), -1);
	EXPECT_EQ(xnu_errno, ENOENT);
	EXPECT_EQ(xnu_unlink("/tmp"), -1);		/* unlink(2) of a directory */
	EXPECT_EQ(xnu_errno, EPERM);
}

TEST(permission_bits_give_eacces)
{
	struct proc *p = xs_current_proc();
	uid_t uid = p->p_ucred.cr_uid;
	int fd;

	ASSERT_TRUE(uid != 0);			/* attached processes are uid 501 */
	/* A root-owned 0600 file (made as root, white-box). */
	p->p_ucred.cr_uid = 0;
	fd = xnu_open("/tmp/vp_root", O_RDWR | O_CREAT | O_TRUNC, 0600);
	p->p_ucred.cr_uid = uid;
	ASSERT_TRUE(fd >= 0);
	xnu_close(fd);
	EXPECT_EQ(xnu_open("/tmp/vp_root", O_RDONLY), -1);
	EXPECT_EQ(xnu_errno, EACCES);
	EXPECT_EQ(xnu_open("/usr/bin/vp_new", O_RDWR | O_CREAT, 0644), -1);	/* 0755 root */
	EXPECT_EQ(xnu_errno, EACCES);
	EXPECT_EQ(xnu_mkdir("/usr/vp_dir", 0755), -1);
	EXPECT_EQ(xnu_errno, EACCES);
	/* A directory without search permission blocks the walk. */
	ASSERT_EQ(xnu_mkdir("/tmp/vp_nox", 0600), 0);
	EXPECT_EQ(xnu_stat64("/tmp/vp_nox/anything", NULL), -1);
	EXPECT_EQ(xnu_errno, EACCES);
	EXPECT_EQ(xnu_chdir("/tmp/vp_nox"), -1);
	EXPECT_EQ(xnu_errno, EACCES);
	/* Root passes the bits. */
	p->p_ucred.cr_uid = 0;
	fd = xnu_open("/tmp/vp_root", O_RDONLY);
	EXPECT_TRUE(fd >= 0);
	xnu_close(fd);
	EXPECT_EQ(xnu_unlink("/tmp/vp_root"), 0);
	p->p_ucred.cr_uid = uid;
}
