/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * abi/signal.h: Darwin's signal and wait structures as they cross the trap
 * boundary of a 64-bit process (user64 layouts): struct sigaction and the
 * kernel-boundary struct __sigaction, siginfo_t, ucontext64 with the arm64
 * and x86_64 mcontexts sendsig writes, and struct rusage for wait4.  Sizes
 * and offsets are constants.tsv's (group signal) and XNU's.  Data only:
 * includes nothing but <stdint.h>.
 */
#ifndef XNUSIM_ABI_SIGNAL_H
#define XNUSIM_ABI_SIGNAL_H

#include <stdint.h>

typedef uint32_t xnu_sigset_t;		/* sigset_t: bit (s - 1) for signal s */

/*
 * Field names carry an x (xsi_pid for si_pid, xsa_handler for sa_handler):
 * host <signal.h>, which workloads may include for host-side work, defines
 * the Darwin names as macros.
 */
struct xnu_siginfo {			/* siginfo_t (user64_siginfo_t), 104 bytes */
	int32_t xsi_signo;
	int32_t xsi_errno;
	int32_t xsi_code;
	int32_t xsi_pid;
	uint32_t xsi_uid;
	int32_t xsi_status;		/* exit code / signal, for SIGCHLD */
	uint64_t xsi_addr;
	uint64_t xsi_value;
	int64_t xsi_band;
	uint64_t __pad[7];
};

/* struct sigaction: what sigaction(2) takes and returns (16 bytes). */
struct xnu_sigaction {
	union {
		void (*xsa_handler)(int);
		void (*xsa_sigaction)(int, struct xnu_siginfo *, void *);
	};
	xnu_sigset_t sa_mask;
	int32_t sa_flags;
};

/* struct __sigaction: the syscall's new action, with libc's trampoline (24 bytes). */
struct xnu___sigaction {
	uint64_t xsa_handler;
	uint64_t sa_tramp;
	xnu_sigset_t sa_mask;
	int32_t sa_flags;
};

struct xnu_stack {			/* stack_t (user64), 24 bytes */
	uint64_t ss_sp;
	uint64_t ss_size;
	int32_t ss_flags;
	int32_t __pad;
};

struct xnu_ucontext64 {			/* struct user_ucontext64, 56 bytes */
	int32_t uc_onstack;
	xnu_sigset_t uc_sigmask;	/* the mask sigreturn restores */
	struct xnu_stack uc_stack;
	uint64_t uc_link;
	uint64_t uc_mcsize;
	uint64_t uc_mcontext64;		/* address of the mcontext */
};

/* arm64 mcontext64: exception, thread and NEON state (816 bytes). */
struct xnu_arm_exception_state64 {
	uint64_t far;
	uint32_t esr;
	uint32_t exception;
};

struct xnu_arm_thread_state64 {
	uint64_t x[29];
	uint64_t fp, lr, sp, pc;
	uint32_t cpsr;
	uint32_t flags;
};

struct xnu_arm_neon_state64 {
	uint64_t v[64];			/* q0..q31 */
	uint32_t fpsr, fpcr;
} __attribute__((aligned(16)));

struct xnu_mcontext64_arm64 {
	struct xnu_arm_exception_state64 es;
	struct xnu_arm_thread_state64 ss;
	struct xnu_arm_neon_state64 ns;
};

/* x86_64 mcontext64: exception, thread and float state (712 bytes). */
struct xnu_x86_exception_state64 {
	uint16_t trapno, cpu;
	uint32_t err;
	uint64_t faultvaddr;
};

struct xnu_x86_thread_state64 {
	uint64_t rax, rbx, rcx, rdx, rdi, rsi, rbp, rsp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags, cs, fs, gs;
};

struct xnu_mcontext64_x86_64 {
	struct xnu_x86_exception_state64 es;
	struct xnu_x86_thread_state64 ss;
	uint8_t fs[524];		/* x86_float_state64, not modeled (zeros) */
};

/* sendsig's infostyle, sigreturn's second argument (libplatform's _sigtramp). */
#define XNU_UC_TRAD           1
#define XNU_UC_FLAVOR         30
#define XNU_UC_SET_ALT_STACK   0x40000000
#define XNU_UC_RESET_ALT_STACK 0x80000000u

struct xnu_timeval {			/* struct user64_timeval */
	int64_t tv_sec;
	int32_t tv_usec;
	int32_t __pad;
};

struct xnu_rusage {			/* struct user64_rusage, 144 bytes */
	struct xnu_timeval ru_utime, ru_stime;
	int64_t ru_maxrss, ru_ixrss, ru_idrss, ru_isrss, ru_minflt, ru_majflt, ru_nswap;
	int64_t ru_inblock, ru_oublock, ru_msgsnd, ru_msgrcv, ru_nsignals, ru_nvcsw, ru_nivcsw;
};

_Static_assert(sizeof(struct xnu_siginfo) == 104, "siginfo_t (user64) is 104 bytes");
_Static_assert(__builtin_offsetof(struct xnu_siginfo, xsi_addr) == 24, "si_addr @24");
_Static_assert(__builtin_offsetof(struct xnu_siginfo, xsi_band) == 40, "si_band @40");
_Static_assert(sizeof(struct xnu_sigaction) == 16, "struct sigaction (user64) is 16 bytes");
_Static_assert(sizeof(struct xnu___sigaction) == 24, "struct __sigaction (user64) is 24 bytes");
_Static_assert(__builtin_offsetof(struct xnu___sigaction, sa_mask) == 16, "sa_mask @16");
_Static_assert(sizeof(struct xnu_stack) == 24, "stack_t (user64) is 24 bytes");
_Static_assert(sizeof(struct xnu_ucontext64) == 56, "user_ucontext64 is 56 bytes");
_Static_assert(sizeof(struct xnu_arm_thread_state64) == 272, "arm_thread_state64 is 272 bytes");
_Static_assert(sizeof(struct xnu_mcontext64_arm64) == 816, "arm64 mcontext64 is 816 bytes");
_Static_assert(sizeof(struct xnu_x86_thread_state64) == 168, "x86_thread_state64 is 168 bytes");
_Static_assert(sizeof(struct xnu_mcontext64_x86_64) == 712, "x86_64 mcontext64 is 712 bytes");
_Static_assert(sizeof(struct xnu_rusage) == 144, "struct user64_rusage is 144 bytes");

#endif /* XNUSIM_ABI_SIGNAL_H */
