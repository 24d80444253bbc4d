/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pipes: pipe(2) returns a read and a write end sharing a PIPE_SIZE buffer;
 * reads block until data or EOF, writes block while it is full, O_NONBLOCK
 * turns both into EAGAIN, a reader-less pipe gives EPIPE, pipes cannot seek,
 * and the pipe zone returns to its baseline.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/sim/proc_child.h"

static const int pc_host_SIGPIPE = SIGPIPE;

#define sigset_t xs_sigset_t
#define mode_t xs_mode_t
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

TEST(pipe_round_trip_and_eof)
{
	int p[2] = { -1, -1 };
	char buf[16] = { 0 };
	uint64_t z0 = zcount(ZONE_ID_PIPE);

	ASSERT_EQ(xnu_pipe(p), 0);
	EXPECT_TRUE(p[0] >= 3 && p[1] == p[0] + 1);
	EXPECT_EQ(zcount(ZONE_ID_PIPE), z0 + 1);
	EXPECT_EQ(xnu_write(p[1], "ping", 4), 4);
	EXPECT_EQ(xnu_read(p[0], buf, sizeof(buf)), 4);
	EXPECT_STREQ(buf, "ping");
	/* Wrong direction on each end. */
	EXPECT_EQ(xnu_write(p[0], "x", 1), -1);
	EXPECT_EQ(xnu_errno, EBADF);
	EXPECT_EQ(xnu_read(p[1], buf, 1), -1);
	EXPECT_EQ(xnu_errno, EBADF);
	EXPECT_EQ(xnu_write(p[1], "tail", 4), 4);
	EXPECT_EQ(xnu_close(p[1]), 0);
	EXPECT_EQ(xnu_read(p[0], buf, sizeof(buf)), 4);	/* queued data survives */
	EXPECT_EQ(xnu_read(p[0], buf, sizeof(buf)), 0);	/* then EOF */
	EXPECT_EQ(xnu_close(p[0]), 0);
	EXPECT_EQ(zcount(ZONE_ID_PIPE), z0);
}

TEST(pipe_cannot_seek_and_stats_as_fifo)
{
	int p[2];
	char c;
	struct xnu_stat64 st;

	ASSERT_EQ(xnu_pipe(p), 0);
	EXPECT_EQ(xnu_lseek(p[0], 0, SEEK_CUR), -1);
	EXPECT_EQ(xnu_errno, ESPIPE);
	EXPECT_EQ(xnu_pread(p[0], &c, 1, 0), -1);
	EXPECT_EQ(xnu_errno, ESPIPE);
	EXPECT_EQ(xnu_pwrite(p[1], &c, 1, 0), -1);
	EXPECT_EQ(xnu_errno, ESPIPE);
	xnu_write(p[1], "abc", 3);
	ASSERT_EQ(xnu_fstat64(p[0], &st), 0);
	EXPECT_EQ(st.st_mode & S_IFMT, S_IFIFO);
	EXPECT_EQ(st.st_size, 3);
	EXPECT_EQ(st.st_blksize, 16384);
	xnu_close(p[0]);
	xnu_close(p[1]);
}

TEST(pipe_nonblocking_capacity)
{
	static char chunk[4096];
	int p[2], total = 0;
	char c;
	xnu_ssize_t n;

	ASSERT_EQ(xnu_pipe(p), 0);
	EXPECT_EQ(xnu_fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	EXPECT_EQ(xnu_read(p[0], &c, 1), -1);
	EXPECT_EQ(xnu_errno, EAGAIN);
	EXPECT_EQ(xnu_fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
	while ((n = xnu_write(p[1], chunk, sizeof(chunk))) > 0)
		total += (int)n;
	EXPECT_EQ(n, -1);
	EXPECT_EQ(xnu_errno, EAGAIN);
	EXPECT_EQ(total, 16384);	/* PIPE_SIZE */
	EXPECT_EQ(xnu_read(p[0], chunk, 100), 100);
	/* 100 bytes free: a PIPE_BUF-sized write must not be split. */
	EXPECT_EQ(xnu_write(p[1], chunk, 200), -1);
	EXPECT_EQ(xnu_errno, EAGAIN);
	EXPECT_EQ(xnu_write(p[1], chunk, 1000), 100);	/* larger writes may be */
	xnu_close(p[0]);
	xnu_close(p[1]);
}

TEST(pipe_epipe_without_reader)
{
	int p[2];

	ASSERT_EQ(xnu_pipe(p), 0);
	/* F_SETNOSIGPIPE: EPIPE without SIGPIPE, whose default would kill us. */
	EXPECT_EQ(xnu_fcntl(p[1], F_SETNOSIGPIPE, 1), 0);
	EXPECT_EQ(xnu_fcntl(p[1], F_GETNOSIGPIPE), 1);
	EXPECT_EQ(xnu_close(p[0]), 0);
	EXPECT_EQ(xnu_write(p[1], "lost", 4), -1);
	EXPECT_EQ(xnu_errno, EPIPE);
	xnu_close(p[1]);
}

struct writer_arg {
	int fd;
	int delay_us;
	int nbytes;
};

static void *late_writer(void *v)
{
	struct writer_arg *a = v;
	static char data[40000];

	xnu_getpid();	/* become a simulated thread */
	usleep((useconds_t)a->delay_us);
	memset(data, 'w', sizeof(data));
	xnu_write(a->fd, data, (size_t)a->nbytes);
	return NULL;
}

TEST(pipe_read_blocks_until_write)
{
	int p[2];
	char buf[8] = { 0 };
	pthread_t t;
	struct writer_arg a;

	ASSERT_EQ(xnu_pipe(p), 0);
	a = (struct writer_arg){ p[1], 50000, 3 };
	ASSERT_EQ(pthread_create(&t, NULL, late_writer, &a), 0);
	EXPECT_EQ(xnu_read(p[0], buf, sizeof(buf)), 3);	/* slept "pipe read" */
	EXPECT_STREQ(buf, "www");
	pthread_join(t, NULL);
	xnu_close(p[0]);
	xnu_close(p[1]);
}

static void *slow_reader(void *v)
{
	struct writer_arg *a = v;
	static char sink[4096];
	int got = 0;
	xnu_ssize_t n;

	xnu_getpid();
	usleep((useconds_t)a->delay_us);
	while (got < a->nbytes && (n = xnu_read(a->fd, sink, sizeof(sink))) > 0)
		got += (int)n;
	a->nbytes = got;
	return NULL;
}

TEST(pipe_write_blocks_until_drained)
{
	static char data[40000];
	struct writer_arg a;
	pthread_t t;
	int p[2];

	ASSERT_EQ(xnu_pipe(p), 0);
	a = (struct writer_arg){ p[0], 30000, (int)sizeof(data) };
	ASSERT_EQ(pthread_create(&t, NULL, slow_reader, &a), 0);
	/* More than PIPE_SIZE: the writer sleeps "pipe write" until drained. */
	EXPECT_EQ(xnu_write(p[1], data, sizeof(data)), sizeof(data));
	pthread_join(t, NULL);
	EXPECT_EQ(a.nbytes, (int)sizeof(data));
	xnu_close(p[0]);
	xnu_close(p[1]);
}

TEST(pipe_fds_count_against_limit)
{
	int p[2], fds[260], n = 0, fd;

	while ((fd = xnu_open("/dev/null", O_RDONLY)) >= 0)
		fds[n++] = fd;
	xnu_close(fds[--n]);	/* one slot left: pipe needs two */
	EXPECT_EQ(xnu_pipe(p), -1);
	EXPECT_EQ(xnu_errno, EMFILE);
	EXPECT_EQ(xnu_open("/dev/null", O_RDONLY), fds[n]);	/* the slot is free again */
	xnu_close(fds[n]);
	while (n > 0)
		xnu_close(fds[--n]);
}

/* Child: a write to a reader-less pipe must end the process with SIGPIPE. */
static void child_mode(const char *mode)
{
	struct pc_report r = { 0 };
	int p[2];

	if (strcmp(mode, "epipe") != 0 || xnu_pipe(p) != 0)
		_exit(120);
	r.pid = xnu_getpid();
	pc_report_send(&r);
	xnu_close(p[0]);
	r.value[0] = xnu_write(p[1], "x", 1);
	r.value[1] = xnu_errno;
	pc_report_send(&r);	/* only reached if SIGPIPE did not kill us */
	_exit(0);
}
PC_CHILD_MODES(child_mode)

TEST(pipe_write_without_reader_raises_sigpipe)
{
	struct pc_child c;
	struct pc_report r;
	int st;

	ASSERT_EQ(pc_spawn("epipe", &c), 0);
	ASSERT_EQ(pc_read_report(&c, &r), 0);
	EXPECT_TRUE(r.pid > 1);
	EXPECT_EQ(pc_read_report(&c, &r), -1);	/* died before a second report */
	st = pc_wait(&c);
	EXPECT_TRUE(WIFSIGNALED(st));
	EXPECT_EQ(WTERMSIG(st), pc_host_SIGPIPE);
}
