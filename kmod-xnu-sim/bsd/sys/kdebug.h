/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kdebug.h: kdebug event ids.  The syscall_entry / syscall_return probes
 * carry the id XNU's kdebug would log for the call, so a trace can be read
 * against `trace codes` output.  Corresponds to bsd/sys/kdebug.h.
 */
#ifndef XS_SYS_KDEBUG_H
#define XS_SYS_KDEBUG_H

#include <stdint.h>

#define KDBG_CLASS_OFFSET    24
#define KDBG_SUBCLASS_OFFSET 16
#define KDBG_CODE_OFFSET     2
#define KDBG_CODE_MAX        0x3fffu

#define KDBG_EVENTID(class, subclass, code)                                      \
	((uint32_t)(((class) & 0xffu) << KDBG_CLASS_OFFSET) |                    \
	 (uint32_t)(((subclass) & 0xffu) << KDBG_SUBCLASS_OFFSET) |              \
	 (uint32_t)(((uint32_t)(code) & KDBG_CODE_MAX) << KDBG_CODE_OFFSET))

#define DBG_FUNC_NONE  0
#define DBG_FUNC_START 1
#define DBG_FUNC_END   2

#define DBG_MACH 1
#define DBG_BSD  4
#define DBG_MACH_EXCP_SC 0x0c	/* Mach traps */
#define DBG_BSD_EXCP_SC  0x0c	/* BSD system calls */

#define MACHDBG_CODE(sc, c) KDBG_EVENTID(DBG_MACH, sc, c)
#define BSDDBG_CODE(sc, c)  KDBG_EVENTID(DBG_BSD, sc, c)

/* The kdebug calls themselves are not traced (code_is_kdebug_trace). */
#define SYS_kdebug_trace_string 178
#define SYS_kdebug_trace64      179
#define SYS_kdebug_trace        180
static inline int xs_code_is_kdebug_trace(unsigned int code)
{
	return code == SYS_kdebug_trace_string || code == SYS_kdebug_trace64 ||
	       code == SYS_kdebug_trace;
}

#endif /* XS_SYS_KDEBUG_H */
