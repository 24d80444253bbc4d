/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fork_threads: fork in a multithreaded program.  Thread B takes a user
 * lock (a compare-and-wait mutex on __ulock_wait/__ulock_wake) and keeps
 * it; thread A forks.  fork copies the address space (so the lock word says
 * "held") but only the calling thread (fork1 -> cloneproc -> fork_create_child
 * makes one thread), so nobody in the child will ever unlock: the child's
 * lock blocks forever in ulock_wait.  The parent finds it in the kernel's
 * blocked-thread report (what `xnusim blocked` prints), kills it with
 * SIGKILL and reaps it with wait4.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "darwin/signal.h"
#include "examples/common/xprint.h"
#include "xnusim/ulock.h"

/* The kernel's blocked-thread report (osfmk/kern/xs_blocked.c, exported). */
int xs_blocked_threads_report(char *buf, size_t len);

static xnu_ulock_mutex lock = XNU_ULOCK_MUTEX_INIT;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int state;	/* 1: B holds the lock; 2: B may let go */

static void *thread_b(void *arg)
{
	(void)arg;
	xnu_ulock_mutex_lock(&lock);
	pthread_mutex_lock(&mu);
	state = 1;
	pthread_cond_broadcast(&cv);
	while (state != 2)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	xnu_ulock_mutex_unlock(&lock);
	return NULL;
}

/* Copy the report's line for pid blocked in ulock_wait on addr into line. */
static int find_child_line(int pid, const void *addr, char *line, size_t len)
{
	static char buf[16384];
	char pidtxt[16], want[64];
	int n = xs_blocked_threads_report(buf, sizeof(buf));

	if (n < 0 || (size_t)n >= sizeof(buf))
		return 0;
	snprintf(pidtxt, sizeof(pidtxt), "%d ", pid);
	snprintf(want, sizeof(want), "ulock 0x%llx", (unsigned long long)(uintptr_t)addr);
	for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
		if (strncmp(l, pidtxt, strlen(pidtxt)) == 0 && strstr(l, "ulock_wait") &&
		    strstr(l, want)) {
			snprintf(line, len, "%s", l);
			return 1;
		}
	}
	return 0;
}

int main(void)
{
	struct timespec ms = { 0, 1000000 };
	char line[256];
	pthread_t b;
	int pid, status = 0, i;

	pthread_create(&b, NULL, thread_b, NULL);
	pthread_mutex_lock(&mu);
	while (state != 1)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	xprintf("fork_threads: thread B holds the lock at %p\n", (void *)&lock.value);

	XCHECK(pid = xnu_fork());
	if (pid == 0) {
		/* Only this thread was copied; B, the holder, is not here. */
		xnu_ulock_mutex_lock(&lock);
		xprintf("fork_threads: child got the lock (unexpected)\n");
		xnu_exit(3);
	}
	for (i = 0; i < 5000 && !find_child_line(pid, &lock.value, line, sizeof(line)); i++)
		nanosleep(&ms, NULL);
	if (i == 5000) {
		xprintf("fork_threads: child %d never showed up blocked\n", pid);
		xnu_kill(pid, SIGKILL);
		xnu_exit(1);
	}
	xprintf("fork_threads: child %d is blocked: %s\n", pid, line);
	xprintf("fork_threads: the child is blocked in ulock_wait on the lock B held at fork\n");

	XCHECK(xnu_kill(pid, SIGKILL));
	XCHECK(xnu_wait4(pid, &status, 0, NULL));
	xprintf("fork_threads: child reaped, killed by signal %d (SIGKILL is %d)\n",
		status & 0x7f, SIGKILL);

	pthread_mutex_lock(&mu);
	state = 2;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	pthread_join(b, NULL);
	xprintf("fork_threads: B released the lock, lock word %u\n", lock.value);
	return 0;
}
