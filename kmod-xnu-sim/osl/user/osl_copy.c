/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * osl_copy.c: copyin/copyout/copyinstr that survive bad user pointers.  A
 * SIGSEGV/SIGBUS handler, installed once per process, turns a fault inside a
 * copy into a -1 return (XNU does the same with a recovery address in the
 * copy routine's exception table: copyio_recover in osfmk/arm64/copyio.c).
 * Faults anywhere else go to whatever handled them before us.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>

#include "kmod-xnu-sim/osl/user/osl_user.h"

/*
 * The recovery point of the copy running on this thread, or NULL.  Initial-
 * exec TLS: a plain load, and safe to touch from the signal handler.
 */
static __thread sigjmp_buf *copy_recover __attribute__((tls_model("initial-exec")));

static struct sigaction prev_segv, prev_bus;
static int fault_handler_installed;

/*
 * A fault with no copy in progress is a real crash: hand it to the previous
 * handler (ASan's, a workload's, or the default action, which re-faulting
 * after we return triggers).
 */
static void fault_chain(int sig, siginfo_t *si, void *uc)
{
	struct sigaction *prev = sig == SIGBUS ? &prev_bus : &prev_segv;

	if ((prev->sa_flags & SA_SIGINFO) && prev->sa_sigaction) {
		prev->sa_sigaction(sig, si, uc);
		return;
	}
	if (prev->sa_handler != SIG_DFL && prev->sa_handler != SIG_IGN) {
		prev->sa_handler(sig);
		return;
	}
	sigaction(sig, prev, NULL);	/* the instruction faults again: default action */
}

static void fault_handler(int sig, siginfo_t *si, void *uc)
{
	sigjmp_buf *env = copy_recover;

	if (env && si->si_code > 0) {	/* a real fault, not kill(2) */
		sigset_t set;

		/*
		 * We may run under a chaining handler installed after ours
		 * without SA_NODEFER (libFuzzer's): the signal is blocked then,
		 * and leaving by siglongjmp(env, 0) would keep it blocked, so
		 * the next copy fault would kill the process.  Unblock it here,
		 * on the fault path only, rather than save the mask per copy.
		 */
		sigemptyset(&set);
		sigaddset(&set, sig);
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
		copy_recover = NULL;
		siglongjmp(*env, 1);
	}
	fault_chain(sig, si, uc);
}

int osl_fault_handler_install(void)
{
	struct sigaction sa;

	if (__atomic_exchange_n(&fault_handler_installed, 1, __ATOMIC_SEQ_CST))
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fault_handler;
	/* NODEFER: we leave by siglongjmp without restoring the mask. */
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &prev_segv) != 0 || sigaction(SIGBUS, &sa, &prev_bus) != 0)
		return -errno;
	return 0;
}

/* A user range the kernel may touch: mapped below the user limit, not arena. */
static bool user_range_ok(uint64_t uaddr, size_t len)
{
	if (uaddr < OSL_PAGE_SIZE || uaddr + len < uaddr || uaddr + len > OSL_USER_VA_END)
		return false;
	if (osl_attach.oa_hdr) {
		uint64_t a = osl_attach.oa_hdr->ah_addr, sz = osl_attach.oa_hdr->ah_size;

		if (uaddr < a + sz && uaddr + len > a)
			return false;
	}
	return true;
}

/* The first address past the user range that starts at uaddr. */
static uint64_t user_limit(uint64_t uaddr)
{
	if (osl_attach.oa_hdr && uaddr < osl_attach.oa_hdr->ah_addr)
		return osl_attach.oa_hdr->ah_addr;
	return OSL_USER_VA_END;
}

/*
 * The copy loop proper.  Not instrumented (ASan would check the user range
 * against its shadow and report instead of letting the fault happen), and
 * not memcpy (an interposed memcpy could fault outside this frame).
 */
__attribute__((noinline, no_sanitize_address))
static void copy_bytes(volatile char *dst, const volatile char *src, size_t len)
{
	while (len >= 8 && ((uintptr_t)dst % 8) == 0 && ((uintptr_t)src % 8) == 0) {
		*(volatile uint64_t *)(void *)dst = *(const volatile uint64_t *)(const void *)src;
		dst += 8;
		src += 8;
		len -= 8;
	}
	while (len--)
		*dst++ = *src++;
}

__attribute__((noinline, no_sanitize_address))
static size_t copy_str(volatile char *dst, const volatile char *src, size_t max, bool *found)
{
	size_t n = 0;

	*found = false;
	while (n < max) {
		char c = src[n];

		dst[n++] = c;
		if (c == '\0') {
			*found = true;
			break;
		}
	}
	return n;
}

/* Copy under the recovery point.  0, or -1 if the copy faulted. */
static int copy_guarded(void *dst, const void *src, size_t len)
{
	sigjmp_buf env;

	if (sigsetjmp(env, 0)) {
		copy_recover = NULL;
		return -1;
	}
	copy_recover = &env;
	copy_bytes(dst, src, len);
	copy_recover = NULL;
	return 0;
}

int osl_copyin(uint64_t uaddr, void *kaddr, size_t len)
{
	if (len == 0)
		return 0;
	if (!user_range_ok(uaddr, len))
		return -1;
	return copy_guarded(kaddr, (const void *)(uintptr_t)uaddr, len);
}

int osl_copyout(const void *kaddr, uint64_t uaddr, size_t len)
{
	if (len == 0)
		return 0;
	if (!user_range_ok(uaddr, len))
		return -1;
	return copy_guarded((void *)(uintptr_t)uaddr, kaddr, len);
}

/* copy_str under the recovery point.  Bytes copied, or -1 if it faulted. */
static long copy_str_guarded(char *dst, const char *src, size_t max, bool *found)
{
	sigjmp_buf env;
	size_t n;

	if (sigsetjmp(env, 0)) {
		copy_recover = NULL;
		return -1;
	}
	copy_recover = &env;
	n = copy_str(dst, src, max, found);
	copy_recover = NULL;
	return (long)n;
}

int osl_copyinstr(uint64_t uaddr, char *kaddr, size_t maxlen, size_t *done)
{
	size_t room = maxlen;
	bool found = false;
	long n;

	if (done)
		*done = 0;
	if (maxlen == 0)
		return -2;
	/*
	 * Only the first byte must be valid up front: a short string near the
	 * end of the user range is fine.  Reading on past the limit faults.
	 */
	if (!user_range_ok(uaddr, 1))
		return -1;
	if (!user_range_ok(uaddr, maxlen))
		room = (size_t)(user_limit(uaddr) - uaddr);
	n = copy_str_guarded(kaddr, (const char *)(uintptr_t)uaddr, room, &found);
	if (n < 0)
		return -1;
	if (done)
		*done = (size_t)n;
	if (found)
		return 0;
	return room < maxlen ? -1 : -2;	/* ran into the limit: a fault */
}
