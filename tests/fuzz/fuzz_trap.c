/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_trap: libFuzzer over random saved states at both trap front-ends.
 * An input is an architecture byte (bit 0: x86_64) and then a sequence of
 * traps, each: a selector byte (bit 0 Mach, bits 1-2 zero: any 32-bit number
 * follows, otherwise an index byte into the slots this simulator models),
 * eight arguments (a tag byte, then a small integer, a pointer into a
 * scratch buffer, an arena address or raw bytes), and the architecture's
 * extra bytes (arm64: x16's high bits, cpsr; x86_64: a bad-stack byte, a
 * class byte (and a class), rflags).  A selector 0xff instead copies input
 * bytes into the scratch buffer (offset u16, length u8, bytes): paths,
 * message headers, iovecs.  The kernel must answer each trap with XNU's
 * error and never crash, hang or corrupt its own state.
 *
 * The number and arguments are decoded exactly as the front-ends decode
 * them (x16's low 32 bits and the indirect syscall on arm64, rax's class and
 * 24-bit number on x86_64, arguments from the stack past the sixth), and
 * only what would end or park the fuzzing process is tamed (tame()):
 * exit and sigsuspend are skipped; receives and sends get a zero timeout;
 * semaphore_wait is skipped and the timed waits, the ulock waits and
 * mach_wait_until are capped; reads and writes never reach the console
 * (host stdin) and make pipes non-blocking first; kill only sends signals
 * the process ignores, and sigaction cannot take those ignores back.
 * SIGSYS (nosys, invalid traps) and SIGPIPE (writes to a reader-less pipe)
 * are ignored in every machine the fuzzer boots, through the sigaction
 * system call.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "darwin/fcntl.h"
#include "darwin/mach_msg.h"
#include "darwin/stat.h"
#include "kmod-xnu-sim/osfmk/mach/thread_status.h"
#include "xnusim/libsyscall.h"
#include "xnusim/xnusim.h"

/* Darwin values (darwin/signal.h would clash with the host's <signal.h>). */
#define DARWIN_SIGSYS  12
#define DARWIN_SIGPIPE 13
#define DARWIN_SIG_IGN 1
#define SYS_SIGACTION  46
#define SYS_FSTAT64    339
#define SYS_FCNTL      92

static uint8_t scratch[3 * 4096] __attribute__((aligned(4096)));
static int booted;

struct cursor {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct cursor *c, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && c->n; i++, c->p++, c->n--)
		v |= (uint64_t)*c->p << (8 * i);
	return v;
}

static uint64_t make_arg(struct cursor *c)
{
	switch (take(c, 1) & 7) {
	case 0: case 1:
		return take(c, 1);				/* small: fds, flags, counts */
	case 2: case 3:
		return (uint64_t)(uintptr_t)scratch + (take(c, 2) % sizeof(scratch));
	case 4:
		return 0x6f0000000000ull + take(c, 3);	/* the arena: never user memory */
	default:
		return take(c, 8);
	}
}

/* Numbers this model implements, so most inputs reach real handlers. */
static const int bsd_calls[] = { 3, 4, 5, 6, 7, 10, 12, 20, 24, 25, 37, 39, 41, 42, 43, 46, 47,
	48, 52, 60, 65, 73, 74, 75, 81, 82, 90, 92, 120, 121, 136, 147, 153, 154, 184, 197,
	199, 310, 329, 338, 339, 340, 372, 396, 397, 398, 399, 400, 405, 406, 411, 412, 414,
	415, 463, 464, 515, 516, 544, 0, 63, 8, 557, 558, 65535 };
static const int mach_traps[] = { -10, -12, -14, -15, -16, -18, -19, -21, -24, -25, -26,
	-27, -28, -29, -31, -32, -33, -38, -47, -50, -89, -90, -3, -4, -1, -127, -128, -200 };

static int pick_number(struct cursor *c, int *mach)
{
	uint8_t sel = (uint8_t)take(c, 1);

	*mach = sel & 1;
	if ((sel & 0x6) == 0)				/* any number at all */
		return (int)(uint32_t)take(c, 4);
	if (*mach)
		return mach_traps[take(c, 1) % (sizeof(mach_traps) / sizeof(mach_traps[0]))];
	return bsd_calls[take(c, 1) % (sizeof(bsd_calls) / sizeof(bsd_calls[0]))];
}

/* What the kernel will run: family, number, and where each argument sits. */
enum { F_BSD, F_MACH, F_OTHER };
struct decoded {
	int family;
	int number;		/* BSD code, or the Mach trap as user space writes it */
	uint64_t *arg[9];	/* the words the handler will see as its arguments */
};

static void decode_arm64(struct arm_saved_state64 *s, struct decoded *d)
{
	int32_t lo = (int32_t)(uint32_t)s->x[16];
	int first = 0;

	if ((uint32_t)lo == 0x80000000u || lo == -3 || lo == -4) {
		d->family = F_OTHER;			/* platform call, fast paths */
	} else if (lo < 0) {
		d->family = F_MACH;
		d->number = lo;
	} else {
		d->family = F_BSD;
		first = s->x[16] == 0;			/* indirect: number in x0 */
		d->number = (uint16_t)(first ? s->x[0] : s->x[16]);
	}
	for (int i = 0; i < 9; i++)
		d->arg[i] = i + first < 9 ? &s->x[i + first] : &s->x[8];
}

static void decode_x86_64(struct x86_saved_state64 *s, uint64_t *stack, struct decoded *d)
{
	unsigned cls = (unsigned)(s->rax >> 24) & 0xff, n = (unsigned)(s->rax & 0xffffff);
	uint64_t *regs[6] = { &s->rdi, &s->rsi, &s->rdx, &s->r10, &s->r8, &s->r9 };
	int first = 0;

	d->family = F_OTHER;
	if (cls == 1) {
		d->family = F_MACH;
		d->number = -(int)n;
	} else if (cls == 2) {
		d->family = F_BSD;
		first = n == 0;
		d->number = (int)(first ? (uint32_t)s->rdi : n);
	}
	for (int i = 0; i < 9; i++) {
		int k = i + first;

		d->arg[i] = k < 6 ? regs[k] : &stack[(k - 6) % 4];
	}
}

/* fd's file type through fstat64, or 0 if it is no open file. */
static unsigned fd_type(uint64_t fd)
{
	struct xnu_stat64 st;
	uint64_t a[2] = { fd, (uint64_t)(uintptr_t)&st }, rv[2];

	if (xnu_bsd_trap(SYS_FSTAT64, a, 2, rv) != 0)
		return 0;
	return st.st_mode & S_IFMT;
}

/* A read or write on fd must not block: no console, pipes non-blocking. */
static int tame_io(uint64_t fd)
{
	uint64_t a[3] = { fd, F_GETFL, 0 }, rv[2];
	unsigned type = fd_type(fd);

	if (type == S_IFCHR)
		return 0;			/* the console reads the host's stdin */
	if (type != S_IFIFO && type != S_IFSOCK)
		return 1;
	if (xnu_bsd_trap(SYS_FCNTL, a, 3, rv) != 0)
		return 0;
	a[1] = F_SETFL;
	a[2] = rv[0] | O_NONBLOCK;
	return xnu_bsd_trap(SYS_FCNTL, a, 3, rv) == 0;
}

/* Keep the process alive and responsive; see the file comment.  0: skip it. */
static int tame_bsd(int code, uint64_t **a)
{
	static const uint64_t harmless_signals[] = { 0, DARWIN_SIGSYS, DARWIN_SIGPIPE };

	switch (code) {
	case 1:			/* exit */
	case 2: case 66:	/* fork, vfork: a second fuzzer */
	case 111: case 410:	/* sigsuspend: until a signal comes */
	case 330:		/* __sigwait */
		return 0;
	case 515:		/* __ulock_wait(op, addr, value, timeout us): at most 1 ms */
		*a[3] = 1 + *a[3] % 1000;
		return 1;
	case 544:		/* __ulock_wait2(op, addr, value, timeout ns, value2) */
		*a[3] = 1 + *a[3] % 1000000;
		return 1;
	case 37:		/* kill */
		*a[1] = harmless_signals[*a[1] % 3];
		return 1;
	case 46:		/* sigaction: the ignores stay */
		if ((int)*a[0] == DARWIN_SIGSYS || (int)*a[0] == DARWIN_SIGPIPE)
			*a[1] = 0;
		return 1;
	case 3: case 396: case 120: case 411: case 153: case 414:	/* reads */
	case 4: case 397: case 121: case 412: case 154: case 415:	/* writes */
		return tame_io(*a[0]);
	default:
		return 1;
	}
}

static int tame_mach(int number, uint64_t **a)
{
	switch (number) {
	case -36:	/* semaphore_wait: a valid semaphore would park us */
	case -37:	/* semaphore_wait_signal */
	case -61:	/* thread_switch: may sleep for its timeout */
		return 0;
	case -38:	/* semaphore_timedwait(sema, sec, nsec): at most 1 ms */
		*a[1] = 0;
		*a[2] %= 1000000;
		return 1;
	case -39:	/* semaphore_timedwait_signal(wait, signal, sec, nsec) */
		*a[2] = 0;
		*a[3] %= 1000000;
		return 1;
	case -90:	/* mach_wait_until: at most 1000 ticks from now */
		*a[0] = xnu_mach_absolute_time() + *a[0] % 1000;
		return 1;
	case -31: case -32:	/* mach_msg(_overwrite)_trap: option a1, timeout a5 */
		if (*a[1] & (MACH_SEND_MSG | MACH_RCV_MSG)) {
			*a[1] |= MACH_SEND_TIMEOUT | MACH_RCV_TIMEOUT;
			*a[5] = 0;
		}
		return 1;
	case -47:		/* mach_msg2_trap: options a1, timeout a7 */
		if (*a[1] & (MACH64_SEND_MSG | MACH64_RCV_MSG)) {
			*a[1] |= MACH64_SEND_TIMEOUT | MACH64_RCV_TIMEOUT;
			*a[7] = 0;
		}
		return 1;
	default:
		return 1;
	}
}

static int tame(const struct decoded *d)
{
	if (d->family == F_BSD)
		return tame_bsd(d->number, (uint64_t **)d->arg);
	if (d->family == F_MACH)
		return tame_mach(d->number, (uint64_t **)d->arg);
	return 1;
}

static void one_trap_arm64(struct cursor *c, int number, const uint64_t a[8])
{
	struct arm_saved_state64 s;
	struct decoded d;

	memset(&s, 0, sizeof(s));
	memcpy(s.x, a, 8 * sizeof(uint64_t));
	s.x[16] = (uint64_t)(int64_t)number | (take(c, 1) & 1 ? 0xdead000000000000ull : 0);
	s.cpsr = (uint32_t)take(c, 4);
	decode_arm64(&s, &d);
	if (tame(&d))
		xnu_trap_arm64(&s);
}

static void one_trap_x86_64(struct cursor *c, int number, int mach, const uint64_t a[8])
{
	struct x86_saved_state64 s;
	struct decoded d;
	uint64_t none[4] = { 0 };
	unsigned cls = mach ? 1 : 2;
	/* the user stack: [0] return address, arguments 7.. at rsp + 8 */
	uint64_t *stack = (uint64_t *)(void *)(scratch + sizeof(scratch) / 2);

	memset(&s, 0, sizeof(s));
	s.rdi = a[0]; s.rsi = a[1]; s.rdx = a[2]; s.r10 = a[3]; s.r8 = a[4]; s.r9 = a[5];
	stack[1] = a[6];
	stack[2] = a[7];
	stack[3] = stack[4] = 0;
	s.rsp = (uint64_t)(uintptr_t)stack;
	if (take(c, 1) % 16 == 0)
		s.rsp = 8;			/* an unreadable stack: EFAULT paths */
	if (take(c, 1) % 8 == 0)
		cls = (unsigned)take(c, 1);	/* classes 0, 3, 4, 5, garbage */
	s.rax = ((uint64_t)cls << 24) |
		((number < 0 ? 0u - (uint32_t)number : (uint32_t)number) & 0xffffff);
	s.rflags = take(c, 1);
	decode_x86_64(&s, &stack[1], &d);
	if (s.rsp == 8) {
		/* No stack words: anything tame() would change there stays out. */
		for (int i = 0; i < 9; i++)
			if (d.arg[i] >= &stack[1] && d.arg[i] < &stack[5])
				d.arg[i] = &none[i % 4];
	}
	if (tame(&d))
		xnu_trap_x86_64(&s);
}

/* Op 0xff: copy the next bytes of the input into scratch (paths, headers). */
static void fill_scratch(struct cursor *c)
{
	size_t off = take(c, 2) % sizeof(scratch), len = take(c, 1);

	if (len > c->n)
		len = c->n;
	if (len > sizeof(scratch) - off)
		len = sizeof(scratch) - off;
	memcpy(scratch + off, c->p, len);
	c->p += len;
	c->n -= len;
}

static void one_trap(struct cursor *c, int arch)
{
	uint64_t a[8];
	int mach, number;

	if (c->p[0] == 0xff) {
		take(c, 1);
		fill_scratch(c);
		return;
	}
	number = pick_number(c, &mach);
	for (int i = 0; i < 8; i++)
		a[i] = make_arg(c);
	if (arch == XNUSIM_ARCH_ARM64)
		one_trap_arm64(c, number, a);
	else
		one_trap_x86_64(c, number, mach, a);
}

/* sigaction(sig, {SIG_IGN}, &old) through the trap; old must read SIG_IGN after. */
static void ignore_signal(int sig)
{
	struct { uint64_t handler, tramp; uint32_t mask; int32_t flags; } nsa = { DARWIN_SIG_IGN, 0,
										 0, 0 };
	struct { uint64_t handler; uint32_t mask; int32_t flags; } osa;
	uint64_t a[3] = { (uint64_t)sig, (uint64_t)(uintptr_t)&nsa, 0 }, rv[2];
	int error = xnu_bsd_trap(SYS_SIGACTION, a, 3, rv);

	a[1] = 0;
	a[2] = (uint64_t)(uintptr_t)&osa;
	if (error == 0)
		error = xnu_bsd_trap(SYS_SIGACTION, a, 3, rv);
	if (error != 0 || osa.handler != DARWIN_SIG_IGN) {
		fprintf(stderr, "fuzz_trap: cannot ignore signal %d (errno %d)\n", sig, error);
		abort();
	}
}

/*
 * FUZZ_TRAP_LAST=file: write each input there before running it.  A
 * simulated fatal signal ends the process through the host's default action,
 * which leaves libFuzzer no chance to save the input; this file has it.
 */
static const char *last_input;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	last_input = getenv("FUZZ_TRAP_LAST");
	return 0;
}

static void save_input(const uint8_t *data, size_t size)
{
	FILE *f = fopen(last_input, "wb");

	if (f) {
		fwrite(data, 1, size, f);
		fclose(f);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cursor c = { data, size };
	int arch;

	if (last_input)
		save_input(data, size);
	if (size < 2)
		return 0;
	arch = (data[0] & 1) ? XNUSIM_ARCH_X86_64 : XNUSIM_ARCH_ARM64;
	c.p++; c.n--;
	if (booted != arch) {
		if (xnusim_boot(arch) < 0)
			abort();
		ignore_signal(DARWIN_SIGSYS);
		ignore_signal(DARWIN_SIGPIPE);
		booted = arch;
	}
	while (c.n >= 4)
		one_trap(&c, arch);
	return 0;
}
