/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mmap: BSD memory calls bottoming out in Mach VM.  mmap is a shim over
 * mach_vm_map_kernel -> vm_map_enter; munmap over mach_vm_deallocate ->
 * vm_map_delete; and the Mach traps reach the same vm_map directly.
 */
#include <string.h>

#include "darwin/errno.h"
#include "darwin/fcntl.h"
#include "darwin/mman.h"
#include "darwin/vm.h"
#include "examples/common/xprint.h"

int main(void)
{
	static const char text[] = "mapped file contents\n";
	uint64_t addr = 0;
	char *p, *f;
	int fd;

	/* Anonymous memory: an entry in the task's vm_map, zero-filled. */
	p = xnu_mmap(NULL, 3 * 16384, PROT_READ | PROT_WRITE, MAP_ANON | MAP_PRIVATE, -1, 0);
	XCHECK(p == XNU_MAP_FAILED ? -1 : 0);
	strcpy(p, "written through an anonymous mapping");
	xprintf("mmap(MAP_ANON) at %p: \"%s\"\n", (void *)p, p);

	/* munmap of the middle page splits (clips) the entry in two. */
	XCHECK(xnu_munmap(p + 16384, 16384));
	XCHECK(xnu_mprotect(p, 16384, PROT_READ));
	xprintf("unmapped the middle page, made the first read-only\n");
	if (xnu_mprotect(p + 1, 16384, PROT_READ) < 0)
		xprintf("mprotect of an unaligned address: errno %d (EINVAL is %d)\n", xnu_errno,
			EINVAL);
	XCHECK(xnu_munmap(p, 3 * 16384));

	/* A file mapping: the vnode's pages through ubc_getobject. */
	XCHECK(fd = xnu_open("/tmp/mapped.txt", O_CREAT | O_RDWR | O_TRUNC, 0644));
	XCHECK(xnu_write(fd, text, sizeof(text) - 1));
	f = xnu_mmap(NULL, 16384, PROT_READ, MAP_SHARED, fd, 0);
	XCHECK(f == XNU_MAP_FAILED ? -1 : 0);
	xprintf("mmap of /tmp/mapped.txt reads: %s", f);
	XCHECK(xnu_munmap(f, 16384));
	XCHECK(xnu_close(fd));

	/* The same vm_map, reached through the Mach trap. */
	XKR(xnu_mach_vm_allocate(xnu_mach_task_self(), &addr, 65536, VM_FLAGS_ANYWHERE));
	memset((void *)addr, 0xab, 65536);
	xprintf("mach_vm_allocate gave 0x%llx; deallocating\n", (unsigned long long)addr);
	XKR(xnu_mach_vm_deallocate(xnu_mach_task_self(), addr, 65536));
	xprintf("mach_vm_allocate on a bogus task port: kern_return 0x%x\n",
		(unsigned)xnu_mach_vm_allocate(0x1234, &addr, 4096, VM_FLAGS_ANYWHERE));
	return 0;
}
