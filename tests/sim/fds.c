/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fds: the descriptor table.  dup/dup2 share one fileglob (and so the
 * offset), fcntl's fd and status flags, EMFILE at the RLIMIT_NOFILE default,
 * the console fds 0-2 reaching the host's stdout, fdt_fork/fdt_exec, and the
 * fileproc/fileglob zones returning to their baseline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define sigset_t xs_sigset_t
#define mode_t xs_mode_t
#include "kmod-xnu-sim/bsd/sys/file_internal.h"
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#undef sigset_t
#undef mode_t
#include "tests/harness.h"

#include "kmod-xnu-sim/include/xnusim/libsyscall.h"
#include "darwin/errno.h"
#include "darwin/fcntl.h"
#include "darwin/stat.h"

static uint64_t zcount(enum zone_id id)
{
	return xs_zone_by_id(id)->z_count;
}

static int tmpfile_fd(const char *path)
{
	return xnu_open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
}

TEST(dup_shares_offset_and_picks_lowest)
{
	char c;
	int fd = tmpfile_fd("/tmp/fds_dup"), fd2;

	ASSERT_TRUE(fd >= 3);
	EXPECT_EQ(xnu_write(fd, "abcdef", 6), 6);
	fd2 = xnu_dup(fd);
	EXPECT_EQ(fd2, fd + 1);
	EXPECT_EQ(xnu_lseek(fd2, 0, SEEK_CUR), 6);	/* one fileglob, one offset */
	EXPECT_EQ(xnu_lseek(fd, 2, SEEK_SET), 2);
	EXPECT_EQ(xnu_read(fd2, &c, 1), 1);
	EXPECT_EQ(c, 'c');
	EXPECT_EQ(xnu_lseek(fd, 0, SEEK_CUR), 3);
	EXPECT_EQ(xnu_close(fd), 0);
	EXPECT_EQ(xnu_dup(fd2), fd);	/* the freed slot is the lowest */
	EXPECT_EQ(xnu_read(fd, &c, 1), 1);
	EXPECT_EQ(c, 'd');
	EXPECT_EQ(xnu_dup(-1), -1);
	EXPECT_EQ(xnu_errno, EBADF);
	xnu_close(fd);
	xnu_close(fd2);
	xnu_unlink("/tmp/fds_dup");
}

TEST(dup2_replaces_and_validates)
{
	char buf[8] = { 0 };
	int a = tmpfile_fd("/tmp/fds_a"), b = tmpfile_fd("/tmp/fds_b");

	ASSERT_TRUE(a >= 0 && b >= 0);
	xnu_write(a, "AAA", 3);
	xnu_write(b, "BBB", 3);
	EXPECT_EQ(xnu_dup2(a, b), b);		/* closes the old b */
	EXPECT_EQ(xnu_pread(b, buf, 3, 0), 3);
	EXPECT_STREQ(buf, "AAA");
	EXPECT_EQ(xnu_dup2(a, a), a);
	EXPECT_EQ(xnu_dup2(a, 200), 200);	/* grows the table */
	EXPECT_EQ(xnu_lseek(200, 1, SEEK_SET), 1);
	EXPECT_EQ(xnu_lseek(a, 0, SEEK_CUR), 1);
	EXPECT_EQ(xnu_dup2(a, 256), -1);	/* >= RLIMIT_NOFILE (256) */
	EXPECT_EQ(xnu_errno, EBADF);
	EXPECT_EQ(xnu_dup2(a, -1), -1);
	EXPECT_EQ(xnu_errno, EBADF);
	EXPECT_EQ(xnu_dup2(77, a), -1);
	EXPECT_EQ(xnu_errno, EBADF);
	xnu_close(200);
	xnu_close(a);
	xnu_close(b);
	xnu_unlink("/tmp/fds_a");
	xnu_unlink("/tmp/fds_b");
}

TEST(fcntl_fd_flags)
{
	int fd = tmpfile_fd("/tmp/fds_fcntl"), d;

	ASSERT_TRUE(fd >= 0);
	EXPECT_EQ(xnu_fcntl(fd, F_GETFD), 0);
	EXPECT_EQ(xnu_fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
	EXPECT_EQ(xnu_fcntl(fd, F_GETFD), FD_CLOEXEC);
	d = xnu_dup(fd);
	EXPECT_EQ(xnu_fcntl(d, F_GETFD), 0);		/* dup clears close-on-exec */
	xnu_close(d);
	d = xnu_fcntl(fd, F_DUPFD_CLOEXEC, 40);
	EXPECT_EQ(d, 40);
	EXPECT_EQ(xnu_fcntl(d, F_GETFD), FD_CLOEXEC);
	EXPECT_EQ(xnu_fcntl(fd, F_DUPFD, 40), 41);
	xnu_close(41);
	xnu_close(d);
	EXPECT_EQ(xnu_fcntl(fd, F_SETFD, 0), 0);
	EXPECT_EQ(xnu_fcntl(fd, F_GETFD), 0);
	EXPECT_EQ(xnu_fcntl(fd, F_DUPFD, 256), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_fcntl(fd, F_DUPFD, -3), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_fcntl(fd, 9999), -1);
	EXPECT_EQ(xnu_errno, EINVAL);
	EXPECT_EQ(xnu_fcntl(-1, F_GETFD), -1);
	EXPECT_EQ(xnu_errno, EBADF);
	xnu_close(fd);
	xnu_unlink("/tmp/fds_fcntl");
}

TEST(fcntl_status_flags)
{
	int fd = xnu_open("/tmp/fds_fl", O_RDWR | O_CREAT | O_APPEND, 0644), d;

	ASSERT_TRUE(fd >= 0);
	EXPECT_EQ(xnu_fcntl(fd, F_GETFL), O_RDWR | O_APPEND);
	EXPECT_EQ(xnu_fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	/* Access mode bits are not settable; O_APPEND was cleared. */
	EXPECT_EQ(xnu_fcntl(fd, F_GETFL), O_RDWR | O_NONBLOCK);
	d = xnu_dup(fd);	/* status flags live in the shared fileglob */
	EXPECT_EQ(xnu_fcntl(d, F_GETFL), O_RDWR | O_NONBLOCK);
	EXPECT_EQ(xnu_fcntl(d, F_SETFL, O_APPEND | O_WRONLY), 0);
	EXPECT_EQ(xnu_fcntl(fd, F_GETFL), O_RDWR | O_APPEND);
	xnu_close(d);
	xnu_close(fd);
	fd = xnu_open("/tmp/fds_fl", O_WRONLY);
	EXPECT_EQ(xnu_fcntl(fd, F_GETFL), O_WRONLY);
	xnu_close(fd);
	xnu_unlink("/tmp/fds_fl");
}

TEST(emfile_at_rlimit_nofile)
{
	int fds[300], n = 0, fd;
	uint64_t fp0 = zcount(ZONE_ID_FILEPROC), fg0 = zcount(ZONE_ID_FILEGLOB);

	while (n < 300 && (fd = xnu_open("/dev/null", O_RDONLY)) >= 0)
		fds[n++] = fd;
	EXPECT_EQ(xnu_errno, EMFILE);
	EXPECT_EQ(fds[n - 1], 255);		/* NOFILE 256: fds 0..255 */
	EXPECT_EQ(xnu_dup(0), -1);
	EXPECT_EQ(xnu_errno, EMFILE);
	EXPECT_EQ(zcount(ZONE_ID_FILEPROC), fp0 + (uint64_t)n);
	for (int i = 0; i < n; i++)
		EXPECT_EQ(xnu_close(fds[i]), 0);
	EXPECT_EQ(zcount(ZONE_ID_FILEPROC), fp0);
	EXPECT_EQ(zcount(ZONE_ID_FILEGLOB), fg0);
}

TEST(zones_back_to_baseline)
{
	uint64_t fp0 = zcount(ZONE_ID_FILEPROC), fg0 = zcount(ZONE_ID_FILEGLOB);
	uint64_t vn0 = zcount(ZONE_ID_VNODE), nm0 = zcount(ZONE_ID_NAMEI);
	int fd = tmpfile_fd("/tmp/fds_zone"), d;

	ASSERT_TRUE(fd >= 0);
	EXPECT_EQ(zcount(ZONE_ID_FILEPROC), fp0 + 1);
	EXPECT_EQ(zcount(ZONE_ID_FILEGLOB), fg0 + 1);
	EXPECT_EQ(zcount(ZONE_ID_VNODE), vn0 + 1);
	d = xnu_dup(fd);
	EXPECT_EQ(zcount(ZONE_ID_FILEPROC), fp0 + 2);
	EXPECT_EQ(zcount(ZONE_ID_FILEGLOB), fg0 + 1);	/* shared */
	xnu_close(fd);
	xnu_close(d);
	EXPECT_EQ(zcount(ZONE_ID_FILEPROC), fp0);
	EXPECT_EQ(zcount(ZONE_ID_FILEGLOB), fg0);
	EXPECT_EQ(zcount(ZONE_ID_NAMEI), nm0);
	EXPECT_EQ(xnu_unlink("/tmp/fds_zone"), 0);
	EXPECT_EQ(zcount(ZONE_ID_VNODE), vn0);		/* reclaimed */
	/* A failed open gives its fd, fileproc and fileglob back. */
	EXPECT_EQ(xnu_open("/tmp/fds_none/x", O_RDONLY), -1);
	EXPECT_EQ(zcount(ZONE_ID_FILEPROC), fp0);
	EXPECT_EQ(zcount(ZONE_ID_FILEGLOB), fg0);
	EXPECT_EQ(zcount(ZONE_ID_NAMEI), nm0);
}

TEST(console_fds_reach_host_stdout)
{
	char path[] = "/tmp/xnusim_fds_out_XXXXXX", buf[64] = { 0 };
	struct xnu_stat64 st;
	int tmp = mkstemp(path), saved;

	ASSERT_TRUE(tmp >= 0);
	ASSERT_EQ(xnu_fstat64(1, &st), 0);
	EXPECT_EQ(st.st_mode & S_IFMT, S_IFCHR);
	EXPECT_EQ(xnu_lseek(1, 0, SEEK_CUR) >= 0, 1);
	fflush(stdout);
	saved = dup(1);
	dup2(tmp, 1);
	EXPECT_EQ(xnu_write(1, "to the host\n", 12), 12);
	EXPECT_EQ(xnu_write_nocancel(1, "again\n", 6), 6);
	dup2(saved, 1);
	close(saved);
	EXPECT_EQ(pread(tmp, buf, sizeof(buf) - 1, 0), 18);
	EXPECT_STREQ(buf, "to the host\nagain\n");
	EXPECT_EQ(xnu_pread(1, buf, 1, 0), -1);	/* a tty cannot pread */
	EXPECT_EQ(xnu_errno, ENXIO);
	close(tmp);
	unlink(path);
}

TEST(fdt_fork_shares_fileglobs_and_exec_closes_cloexec)
{
	struct proc *p = xs_current_proc();
	struct proc *child = xs_kalloc(sizeof(*child));
	uint64_t fg0 = zcount(ZONE_ID_FILEGLOB), fp0 = zcount(ZONE_ID_FILEPROC);
	int fd = tmpfile_fd("/tmp/fds_fork"), ce;

	ASSERT_TRUE(child != NULL && fd >= 0);
	ce = xnu_fcntl(fd, F_DUPFD_CLOEXEC, 0);
	child->p_ucred = p->p_ucred;
	ASSERT_EQ(xs_fdt_init(child), 0);
	ASSERT_EQ(xs_fdt_fork(&child->p_fd, p, NULL, false), 0);
	EXPECT_EQ(child->p_fd.fd_ofiles[fd]->fp_glob, p->p_fd.fd_ofiles[fd]->fp_glob);
	/* fd and its F_DUPFD_CLOEXEC twin, in parent and child. */
	EXPECT_EQ(child->p_fd.fd_ofiles[fd]->fp_glob->fg_count, 4);
	EXPECT_EQ(child->p_fd.fd_ofileflags[ce] & UF_EXCLOSE, UF_EXCLOSE);
	EXPECT_EQ(child->p_fd.fd_cdir, p->p_fd.fd_cdir);
	EXPECT_EQ(zcount(ZONE_ID_FILEGLOB), fg0 + 1);
	xs_fdt_exec(child, 0);
	EXPECT_TRUE(child->p_fd.fd_ofiles[ce] == NULL);
	EXPECT_TRUE(child->p_fd.fd_ofiles[fd] != NULL);
	EXPECT_EQ(p->p_fd.fd_ofiles[fd]->fp_glob->fg_count, 3);
	xs_fdt_invalidate(child);
	EXPECT_EQ(p->p_fd.fd_ofiles[fd]->fp_glob->fg_count, 2);
	xs_kfree(child, sizeof(*child));
	xnu_close(ce);
	xnu_close(fd);
	EXPECT_EQ(zcount(ZONE_ID_FILEGLOB), fg0);
	EXPECT_EQ(zcount(ZONE_ID_FILEPROC), fp0);
	xnu_unlink("/tmp/fds_fork");
}

TEST(close_errors)
{
	EXPECT_EQ(xnu_close(-1), -1);
	EXPECT_EQ(xnu_errno, EBADF);
	EXPECT_EQ(xnu_close(100000), -1);
	EXPECT_EQ(xnu_errno, EBADF);
	EXPECT_EQ(xnu_close_nocancel(250), -1);
	EXPECT_EQ(xnu_errno, EBADF);
}
