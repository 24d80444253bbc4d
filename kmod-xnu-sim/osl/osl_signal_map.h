/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * osl_signal_map.h: Darwin signal number -> Linux signal number (the same on
 * x86_64 and arm64), from tables/constants.tsv group "signal".  One table for
 * both platform layers; each includes its own <signal.h> (user) or
 * <linux/signal.h> (module) first, so the SIG* names on the right are
 * Linux's.  0: no Linux equivalent (SIGEMT 7, SIGINFO 29).
 */
#ifndef XS_OSL_OSL_SIGNAL_MAP_H
#define XS_OSL_OSL_SIGNAL_MAP_H

#define OSL_DARWIN_TO_LINUX_SIGNALS {                                         \
	[1] = SIGHUP,   [2] = SIGINT,    [3] = SIGQUIT,  [4] = SIGILL,          \
	[5] = SIGTRAP,  [6] = SIGABRT,   [7] = 0,                               \
	[8] = SIGFPE,   [9] = SIGKILL,   [10] = SIGBUS,  [11] = SIGSEGV,        \
	[12] = SIGSYS,  [13] = SIGPIPE,  [14] = SIGALRM, [15] = SIGTERM,        \
	[16] = SIGURG,  [17] = SIGSTOP,  [18] = SIGTSTP, [19] = SIGCONT,        \
	[20] = SIGCHLD, [21] = SIGTTIN,  [22] = SIGTTOU, [23] = SIGIO,          \
	[24] = SIGXCPU, [25] = SIGXFSZ,  [26] = SIGVTALRM, [27] = SIGPROF,      \
	[28] = SIGWINCH, [29] = 0,                                              \
	[30] = SIGUSR1, [31] = SIGUSR2,                                         \
}

#endif /* XS_OSL_OSL_SIGNAL_MAP_H */
