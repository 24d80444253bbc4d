/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * semaphores.c: semaphore_create / semaphore_destroy (MIG 3418 / 3419 on
 * the task port) and the signal (-33), wait (-36) and timedwait (-38)
 * traps, across threads, with timeouts, destruction and bad names.
 */
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/harness.h"
#include "xnusim/libsyscall.h"
#include "darwin/kern_return.h"
#include "darwin/mach_msg.h"
#include "darwin/port.h"

extern void *xs_current_space(void);
extern void xs_ipc_lock(void);
extern void xs_ipc_unlock(void);
extern int xs_mach_port_type(void *space, uint32_t name, uint32_t *type);

#define SYNC_POLICY_FIFO 0

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint32_t port_type(uint32_t name)
{
	uint32_t type = 0;
	int kr;

	xs_ipc_lock();
	kr = xs_mach_port_type(xs_current_space(), name, &type);
	xs_ipc_unlock();
	return kr == KERN_SUCCESS ? type : 0xdead0000u | (uint32_t)kr;
}

static xnu_port_t new_sema(int value)
{
	xnu_port_t s = 0;

	if (xnu_semaphore_create(xnu_mach_task_self(), &s, SYNC_POLICY_FIFO, value) != KERN_SUCCESS)
		return 0;
	return s;
}

TEST(create_gives_a_send_right_and_counts)
{
	xnu_port_t s = new_sema(2);

	ASSERT_NE(s, 0);
	EXPECT_EQ(port_type(s), MACH_PORT_TYPE_SEND);
	EXPECT_EQ(xnu_semaphore_wait(s), KERN_SUCCESS);
	EXPECT_EQ(xnu_semaphore_wait(s), KERN_SUCCESS);
	EXPECT_EQ(xnu_semaphore_timedwait(s, 0, 0), KERN_OPERATION_TIMED_OUT);
	EXPECT_EQ(xnu_semaphore_signal(s), KERN_SUCCESS);
	EXPECT_EQ(xnu_semaphore_timedwait(s, 0, 0), KERN_SUCCESS);
	EXPECT_EQ(xnu_semaphore_destroy(xnu_mach_task_self(), s), KERN_SUCCESS);
}

TEST(create_rejects_bad_arguments)
{
	xnu_port_t s = 0;

	EXPECT_EQ(xnu_semaphore_create(xnu_mach_task_self(), &s, SYNC_POLICY_FIFO, -1),
		  KERN_INVALID_ARGUMENT);
	EXPECT_EQ(xnu_semaphore_create(xnu_mach_task_self(), &s, 99, 0), KERN_INVALID_ARGUMENT);
	EXPECT_EQ(xnu_semaphore_create(0, &s, SYNC_POLICY_FIFO, 0), MACH_SEND_INVALID_DEST);
	EXPECT_EQ(xnu_semaphore_create(0x7777703, &s, SYNC_POLICY_FIFO, 0), MACH_SEND_INVALID_DEST);
	EXPECT_EQ(s, 0);
}

TEST(timedwait_times_out_after_the_interval)
{
	xnu_port_t s = new_sema(0);
	uint64_t t0 = now_ns();

	ASSERT_NE(s, 0);
	EXPECT_EQ(xnu_semaphore_timedwait(s, 0, 50000000), KERN_OPERATION_TIMED_OUT);
	EXPECT_TRUE(now_ns() - t0 >= 50000000ull);
	EXPECT_EQ(xnu_semaphore_timedwait(s, 0, 1000000000), KERN_INVALID_VALUE);
	EXPECT_EQ(xnu_semaphore_timedwait(s, 0, -1), KERN_INVALID_VALUE);
	EXPECT_EQ(xnu_semaphore_destroy(xnu_mach_task_self(), s), KERN_SUCCESS);
}

struct waiter {
	xnu_port_t sema;
	int timed;
	volatile int done;
	int result;
};

static void *wait_thread(void *p)
{
	struct waiter *w = p;

	w->result = w->timed ? xnu_semaphore_timedwait(w->sema, 5, 0) : xnu_semaphore_wait(w->sema);
	w->done = 1;
	return NULL;
}

TEST(wait_in_one_thread_signal_from_another)
{
	struct waiter w = { .sema = new_sema(0) };
	pthread_t th;

	ASSERT_NE(w.sema, 0);
	ASSERT_EQ(pthread_create(&th, NULL, wait_thread, &w), 0);
	usleep(50000);
	EXPECT_EQ(w.done, 0);			/* blocked on the semaphore */
	EXPECT_EQ(xnu_semaphore_signal(w.sema), KERN_SUCCESS);
	pthread_join(th, NULL);
	EXPECT_EQ(w.result, KERN_SUCCESS);
	/* The signal was consumed by the waiter. */
	EXPECT_EQ(xnu_semaphore_timedwait(w.sema, 0, 0), KERN_OPERATION_TIMED_OUT);
	EXPECT_EQ(xnu_semaphore_destroy(xnu_mach_task_self(), w.sema), KERN_SUCCESS);
}

TEST(timedwait_woken_by_signal_before_the_deadline)
{
	struct waiter w = { .sema = new_sema(0), .timed = 1 };
	pthread_t th;
	uint64_t t0 = now_ns();

	ASSERT_EQ(pthread_create(&th, NULL, wait_thread, &w), 0);
	usleep(30000);
	EXPECT_EQ(xnu_semaphore_signal(w.sema), KERN_SUCCESS);
	pthread_join(th, NULL);
	EXPECT_EQ(w.result, KERN_SUCCESS);
	EXPECT_TRUE(now_ns() - t0 < 4000000000ull);
	EXPECT_EQ(xnu_semaphore_destroy(xnu_mach_task_self(), w.sema), KERN_SUCCESS);
}

TEST(destroy_wakes_waiters_with_terminated_and_kills_the_name)
{
	struct waiter w = { .sema = new_sema(0) };
	pthread_t th;

	ASSERT_EQ(pthread_create(&th, NULL, wait_thread, &w), 0);
	usleep(50000);
	ASSERT_EQ(xnu_semaphore_destroy(xnu_mach_task_self(), w.sema), KERN_SUCCESS);
	pthread_join(th, NULL);
	EXPECT_EQ(w.result, KERN_TERMINATED);
	/* destroy consumed our send right (semaphore_consume_ref_t). */
	EXPECT_EQ(port_type(w.sema), 0xdead0000u | KERN_INVALID_NAME);
	EXPECT_EQ(xnu_semaphore_signal(w.sema), KERN_INVALID_NAME);
}

TEST(other_holders_see_a_dead_name_after_destroy)
{
	xnu_port_t task = xnu_mach_task_self(), s = new_sema(0);

	/* A second uref: one goes with destroy, one stays with us. */
	ASSERT_EQ(xnu_mach_port_mod_refs(task, s, MACH_PORT_RIGHT_SEND, 1), KERN_SUCCESS);
	ASSERT_EQ(xnu_semaphore_destroy(task, s), KERN_SUCCESS);
	EXPECT_EQ(xnu_semaphore_wait(s), KERN_INVALID_NAME);
	EXPECT_EQ(port_type(s), MACH_PORT_TYPE_DEAD_NAME);
	/* A dead name travels as MACH_PORT_DEAD (its uref is used up): no semaphore. */
	EXPECT_EQ(xnu_semaphore_destroy(task, s), KERN_INVALID_ARGUMENT);
	EXPECT_EQ(xnu_mach_port_deallocate(task, s), KERN_INVALID_NAME);
}

TEST(bad_semaphore_names)
{
	xnu_port_t task = xnu_mach_task_self(), rcv = xnu_mach_reply_port(), port = 0;
	struct xnu_mach_port_options o = { .flags = MPO_INSERT_SEND_RIGHT };

	EXPECT_EQ(xnu_semaphore_signal(0), KERN_INVALID_NAME);
	EXPECT_EQ(xnu_semaphore_wait(0x7777703), KERN_INVALID_NAME);
	EXPECT_EQ(xnu_semaphore_timedwait(0x7777703, 0, 0), KERN_INVALID_NAME);
	EXPECT_EQ(xnu_semaphore_signal(rcv), KERN_INVALID_RIGHT);	/* no send right */
	ASSERT_EQ(xnu_mach_port_construct(task, &o, 0, &port), KERN_SUCCESS);
	EXPECT_EQ(xnu_semaphore_signal(port), KERN_INVALID_ARGUMENT);	/* not a semaphore */
	EXPECT_EQ(xnu_semaphore_signal(task), KERN_INVALID_ARGUMENT);
	/* destroy with a right to something else, or a name that is no right. */
	EXPECT_EQ(xnu_semaphore_destroy(task, port), KERN_INVALID_ARGUMENT);
	EXPECT_EQ(xnu_semaphore_destroy(task, 0x7777703), MACH_SEND_INVALID_RIGHT);
}
