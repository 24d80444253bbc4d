/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kern_types.h: the scalar types of the kernel core (osfmk/mach/ *_types.h,
 * bsd/sys/_types.h in XNU), the Darwin constants every file needs, and the
 * freestanding helpers that stand in for libc.  Corresponds to
 * osfmk/kern/kern_types.h and osfmk/mach/kern_return.h.
 */
#ifndef XS_KERN_KERN_TYPES_H
#define XS_KERN_KERN_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "darwin/errno.h"
#include "darwin/kern_return.h"

typedef int32_t xs_kern_return_t;	/* kern_return_t, mach_msg_return_t */
typedef uint32_t mach_port_name_t;
typedef uint32_t mach_port_right_t;
typedef int32_t mach_port_delta_t;
typedef uint32_t mach_msg_type_name_t;
typedef int vm_prot_t;
typedef unsigned int vm_inherit_t;
typedef uint64_t mach_vm_address_t;
typedef uint64_t mach_vm_size_t;
typedef uint64_t mach_vm_offset_t;
typedef uint64_t user_addr_t;
typedef uint64_t user_size_t;
typedef int64_t user_ssize_t;
typedef int64_t off_t;
typedef int32_t pid_t;
typedef uint32_t uid_t;
typedef uint32_t gid_t;
typedef uint16_t mode_t;
typedef uint32_t sigset_t;

#define XS_ARCH_ARM64  1
#define XS_ARCH_X86_64 2

#define XS_MAXCOMLEN 16
#define XS_MAXPATHLEN 1024

#define xs_likely(x)   __builtin_expect(!!(x), 1)
#define xs_unlikely(x) __builtin_expect(!!(x), 0)
#define XS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define xs_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))
#define xs_round_up(x, a)   (((x) + ((a) - 1)) & ~((uint64_t)(a) - 1))
#define xs_round_down(x, a) ((x) & ~((uint64_t)(a) - 1))

/* The core is freestanding: these are the whole of its "libc". */
static inline void *xs_memcpy(void *d, const void *s, size_t n) { return __builtin_memcpy(d, s, n); }
static inline void *xs_memmove(void *d, const void *s, size_t n) { return __builtin_memmove(d, s, n); }
static inline void *xs_memset(void *d, int c, size_t n) { return __builtin_memset(d, c, n); }
static inline int xs_memcmp(const void *a, const void *b, size_t n) { return __builtin_memcmp(a, b, n); }
static inline size_t xs_strlen(const char *s) { size_t n = 0; while (s[n]) n++; return n; }
static inline int xs_strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) { a++; b++; }
	return (unsigned char)*a - (unsigned char)*b;
}
static inline int xs_strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b) return (unsigned char)*a - (unsigned char)*b;
		if (!*a) return 0;
	}
	return 0;
}
/* Copy with truncation; always NUL-terminates when size > 0.  Returns strlen(src). */
static inline size_t xs_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = xs_strlen(src);
	if (size) {
		size_t c = n < size - 1 ? n : size - 1;
		xs_memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

#endif /* XS_KERN_KERN_TYPES_H */
