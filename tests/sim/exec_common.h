/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * exec_common.h: helpers for the execve / posix_spawn scenarios.  Images
 * are made with mkmacho (next to the test binary's build tree) and put into
 * the simulated VFS as the kernel (xs_rootfs_install).  The "self" image is
 * bound to this very test binary, so a test can exec or spawn it and the
 * new image reports back over a host pipe (proc_child.h modes).
 *
 * Include after proc_child.h.
 */
#ifndef XS_TESTS_SIM_EXEC_COMMON_H
#define XS_TESTS_SIM_EXEC_COMMON_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kmod-xnu-sim/bsd/vfs/vfs_rootfs.h"

#define EC_SELF "/tmp/xs_self"		/* bound to this test binary */
#define EC_IMG_MAX (512 * 1024)

/* Run mkmacho with args into a host temp file; read it into buf.  Size or -1. */
static inline long ec_mkmacho(const char *args, unsigned char *buf, size_t max)
{
	char self[PATH_MAX], cmd[3 * PATH_MAX], out[64];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *cut;
	FILE *fp;
	long len;
	int fd;

	if (n <= 0)
		return -1;
	self[n] = '\0';
	for (int i = 0; i < 3 && (cut = strrchr(self, '/')); i++)
		*cut = '\0';		/* .output/tests/sim/x -> .output */
	strcpy(out, "/tmp/xs_img.XXXXXX");
	fd = mkstemp(out);
	if (fd < 0)
		return -1;
	close(fd);
	snprintf(cmd, sizeof(cmd), "%s/bin/mkmacho -o %s %s", self, out, args);
	fp = popen(cmd, "r");
	if (!fp || pclose(fp) != 0) {
		unlink(out);
		return -1;
	}
	fp = fopen(out, "rb");
	len = fp ? (long)fread(buf, 1, max, fp) : -1;
	if (fp)
		fclose(fp);
	unlink(out);
	return len;
}

/* Install the fat image bound to this binary at path (mode 0755).  0 or -1. */
static inline int ec_install_self(const char *path)
{
	static unsigned char img[EC_IMG_MAX];
	char self[PATH_MAX], args[PATH_MAX + 32];
	long n;

	if (!realpath("/proc/self/exe", self))
		return -1;
	snprintf(args, sizeof(args), "--fat --bind %s", self);
	n = ec_mkmacho(args, img, sizeof(img));
	if (n <= 0)
		return -1;
	return xs_rootfs_install(path, 0755, 0, 0, img, (uint64_t)n) ? -1 : 0;
}

/* Install a text file (a script, junk) at path with mode. */
static inline int ec_install_text(const char *path, int mode, const char *text)
{
	return xs_rootfs_install(path, (uint16_t)mode, 501, 20, text, strlen(text)) ? -1 : 0;
}

/* "XS_TEST_CHILD_FD=<fd>" for an envp. */
static inline const char *ec_fd_env(int fd)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "%s=%d", PC_ENV_FD, fd);
	return buf;
}

#endif /* XS_TESTS_SIM_EXEC_COMMON_H */
