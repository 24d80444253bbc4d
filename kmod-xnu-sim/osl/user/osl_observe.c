/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * osl_observe.c: map a running machine without joining it, for tools that
 * only look (xnusim blocked).  The observer becomes no simulated process;
 * it reads the kernel's state and takes the kernel's (robust) locks like
 * any process of the machine.  Platform layer: XNU's counterpart is a
 * debugger attached through kdp, or stackshot.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "kmod-xnu-sim/include/xnusim/xnusim.h"
#include "kmod-xnu-sim/osl/user/osl_user.h"

int xnusim_observe(const char *spec, int host_pid)
{
	unsigned long long addr, size;
	unsigned int id;
	char path[64];
	int fd, err, n = 0;

	if (osl_attach.oa_hdr)
		return -EBUSY;
	if (!spec || sscanf(spec, "%d:%llx:%llu:%u%n", &fd, &addr, &size, &id, &n) != 4 ||
	    spec[n] != '\0' || fd < 0 || id == 0 || host_pid < 0)
		return -EINVAL;
	if (host_pid > 0) {	/* the machine's memfd, through its holder's fd table */
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", host_pid, fd);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return -errno;
	}
	err = osl_fault_handler_install();
	if (!err)
		err = osl_arena_map(fd, addr, size, id);
	if (!err && !osl_machine_valid(osl_machine(), id)) {
		osl_arena_detach();
		err = -EINVAL;
	}
	if (err && host_pid > 0)
		close(fd);
	return err ? err : (int)id;
}
