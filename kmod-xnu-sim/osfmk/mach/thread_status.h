/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * thread_status.h: the user register state a trap saves, for both
 * architectures.  Field order follows osfmk/mach/arm/thread_status.h
 * (arm_saved_state64) and osfmk/mach/i386/thread_status.h
 * (x86_saved_state64: the argument registers first, in syscall order, so the
 * dispatchers can copy arguments starting at &rdi).
 */
#ifndef XS_MACH_THREAD_STATUS_H
#define XS_MACH_THREAD_STATUS_H

#include <stdint.h>

struct arm_saved_state64 {
	uint64_t x[29];		/* x0..x28 */
	uint64_t fp;		/* x29 */
	uint64_t lr;		/* x30 */
	uint64_t sp;
	uint64_t pc;
	uint32_t cpsr;
	uint32_t aspsr;
	uint64_t far;
	uint32_t esr;
	uint32_t exception;
};

#define ARM64_SYSCALL_CODE_REG_NUM 16
#define PSR64_CF 0x20000000u	/* carry, bit 29 */
#define PLATFORM_SYSCALL_TRAP_NO 0x80000000u
#define MACH_ARM_TRAP_ABSTIME  (-3)
#define MACH_ARM_TRAP_CONTTIME (-4)
#define ESR_EC_SHIFT 26
#define ESR_EC_SVC_64 0x15u

struct x86_saved_state64 {
	uint64_t rdi, rsi, rdx, r10, r8, r9;	/* syscall argument order */
	uint64_t cr2;
	uint64_t r15, r14, r13, r12, r11;
	uint64_t rbp, rbx, rcx, rax;
	uint32_t gs, fs;
	/* the interrupt stack frame */
	uint32_t trapno, cpu;
	uint64_t trapfn, err;
	uint64_t rip, cs, rflags, rsp, ss;
};

#define EFL_CF 0x1u
#define SYSCALL_CLASS_SHIFT 24
#define SYSCALL_CLASS_MASK  (0xFFu << SYSCALL_CLASS_SHIFT)
#define SYSCALL_NUMBER_MASK (~SYSCALL_CLASS_MASK)
#define SYSCALL_CLASS_NONE 0
#define SYSCALL_CLASS_MACH 1
#define SYSCALL_CLASS_UNIX 2
#define SYSCALL_CLASS_MDEP 3
#define SYSCALL_CLASS_DIAG 4
#define SYSCALL_CLASS_IPC  5
#define SYSCALL_CONSTRUCT(cls, n) (((uint64_t)(cls) << SYSCALL_CLASS_SHIFT) | ((n) & SYSCALL_NUMBER_MASK))

#endif /* XS_MACH_THREAD_STATUS_H */
