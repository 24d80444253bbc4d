/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mach_msg.c: messages through mach_msg2_trap (-47) and the legacy
 * mach_msg_trap (-31): round trips, reply ports, port and OOL descriptors,
 * the trailer, timeouts, queue limits, blocking across threads, messages
 * to the task port (MIG), and the send and receive errors.
 */
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/harness.h"
#include "xnusim/libsyscall.h"
#include "darwin/kern_return.h"
#include "darwin/mach_msg.h"
#include "darwin/mig.h"
#include "darwin/port.h"

extern void *xs_current_space(void);
extern void xs_ipc_lock(void);
extern void xs_ipc_unlock(void);
extern int xs_mach_port_type(void *space, uint32_t name, uint32_t *type);
extern int xs_mach_port_get_refs(void *space, uint32_t name, uint32_t right, uint32_t *refs);

struct simple_msg {
	struct xnu_mach_msg_header h;
	uint32_t data[4];
};

struct rcv_buf {
	struct xnu_mach_msg_header h;
	uint8_t body[4096];
};

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

static uint32_t send_refs(uint32_t name)
{
	uint32_t refs = 0;

	xs_ipc_lock();
	(void)xs_mach_port_get_refs(xs_current_space(), name, MACH_PORT_RIGHT_SEND, &refs);
	xs_ipc_unlock();
	return refs;
}

/* A receive right with a send right under the same name (and a qlimit if given). */
static xnu_port_t new_port(uint32_t qlimit)
{
	struct xnu_mach_port_options o = { .flags = MPO_INSERT_SEND_RIGHT };
	xnu_port_t name = 0;

	if (qlimit) {
		o.flags |= MPO_QLIMIT;
		o.mpl.mpl_qlimit = qlimit;
	}
	if (xnu_mach_port_construct(xnu_mach_task_self(), &o, 0, &name) != KERN_SUCCESS)
		return 0;
	return name;
}

static int send_simple(xnu_port_t dest, int32_t id, uint32_t opt, uint32_t timeout)
{
	struct simple_msg m = { 0 };

	m.h.msgh_bits = MACH_MSG_TYPE_COPY_SEND;
	m.h.msgh_remote_port = dest;
	m.h.msgh_id = id;
	for (int i = 0; i < 4; i++)
		m.data[i] = (uint32_t)id * 10 + (uint32_t)i;
	return xnu_mach_msg(&m.h, MACH_SEND_MSG | opt, sizeof(m), 0, 0, timeout, 0);
}

static int receive(xnu_port_t port, struct rcv_buf *b, uint32_t opt, uint32_t timeout)
{
	memset(b, 0xee, sizeof(*b));
	return xnu_mach_msg(&b->h, MACH_RCV_MSG | opt, 0, sizeof(*b), port, timeout, 0);
}

TEST(simple_round_trip_through_mach_msg2)
{
	xnu_port_t p = new_port(0);
	struct rcv_buf b;
	struct xnu_mach_msg_trailer t;

	ASSERT_NE(p, 0);
	ASSERT_EQ(send_simple(p, 1234, 0, 0), MACH_MSG_SUCCESS);
	ASSERT_EQ(receive(p, &b, 0, 0), MACH_MSG_SUCCESS);
	EXPECT_EQ(b.h.msgh_id, 1234);
	EXPECT_EQ(b.h.msgh_size, sizeof(struct simple_msg));
	EXPECT_EQ(b.h.msgh_local_port, p);
	EXPECT_EQ(b.h.msgh_remote_port, 0);
	EXPECT_EQ(b.h.msgh_bits, MACH_MSG_TYPE_PORT_SEND << 8);
	EXPECT_EQ(((uint32_t *)b.body)[0], 12340);
	EXPECT_EQ(((uint32_t *)b.body)[3], 12343);
	memcpy(&t, b.body + 16, sizeof(t));
	EXPECT_EQ(t.msgh_trailer_type, MACH_MSG_TRAILER_FORMAT_0);
	EXPECT_EQ(t.msgh_trailer_size, 8);
	EXPECT_EQ(send_refs(p), 1);	/* COPY_SEND left ours alone */
}

TEST(legacy_mach_msg_trap_round_trip)
{
	xnu_port_t p = new_port(0);
	struct simple_msg m = { .h = { .msgh_bits = MACH_MSG_TYPE_MAKE_SEND, .msgh_id = 77 } };
	struct rcv_buf b;

	m.h.msgh_remote_port = p;
	m.data[2] = 0xabcdef;
	ASSERT_EQ(xnu_mach_msg_trap(&m.h, MACH_SEND_MSG, sizeof(m), 0, 0, 0, 0), MACH_MSG_SUCCESS);
	memset(&b, 0, sizeof(b));
	ASSERT_EQ(xnu_mach_msg_trap(&b.h, MACH_RCV_MSG, 0, sizeof(b), p, 0, 0), MACH_MSG_SUCCESS);
	EXPECT_EQ(b.h.msgh_id, 77);
	EXPECT_EQ(((uint32_t *)b.body)[2], 0xabcdef);
	EXPECT_EQ(b.h.msgh_local_port, p);
}

TEST(seqno_and_sender_trailer)
{
	xnu_port_t p = new_port(0);
	struct rcv_buf b;
	struct xnu_mach_msg_max_trailer t;
	uint32_t opt = (MACH_RCV_TRAILER_AUDIT << 24);

	ASSERT_EQ(send_simple(p, 1, 0, 0), 0);
	ASSERT_EQ(send_simple(p, 2, 0, 0), 0);
	ASSERT_EQ(receive(p, &b, opt, 0), 0);
	ASSERT_EQ(receive(p, &b, opt, 0), 0);
	memcpy(&t, b.body + 16, sizeof(t));
	EXPECT_EQ(t.msgh_trailer_size, 52);
	EXPECT_EQ(t.msgh_seqno, 1);
	EXPECT_EQ(t.msgh_sender[0], xnu_geteuid());
	EXPECT_EQ(t.msgh_audit[5], xnu_getpid());
}

TEST(rpc_with_a_send_once_reply_port)
{
	xnu_port_t server = new_port(0), reply = xnu_mach_reply_port();
	struct simple_msg m = { 0 };
	struct rcv_buf b, r;

	m.h.msgh_bits = MACH_MSG_TYPE_COPY_SEND | MACH_MSG_TYPE_MAKE_SEND_ONCE << 8;
	m.h.msgh_remote_port = server;
	m.h.msgh_local_port = reply;
	m.h.msgh_id = 500;
	ASSERT_EQ(xnu_mach_msg(&m.h, MACH_SEND_MSG, sizeof(m), 0, 0, 0, 0), 0);
	ASSERT_EQ(receive(server, &b, 0, 0), 0);
	EXPECT_EQ(b.h.msgh_bits, MACH_MSG_TYPE_PORT_SEND_ONCE | MACH_MSG_TYPE_PORT_SEND << 8);
	EXPECT_NE(b.h.msgh_remote_port, 0);
	EXPECT_EQ(port_type(b.h.msgh_remote_port), MACH_PORT_TYPE_SEND_ONCE);
	/* Answer on the send-once right, receiving on the reply port in the same call. */
	m.h.msgh_bits = MACH_MSG_TYPE_MOVE_SEND_ONCE;
	m.h.msgh_remote_port = b.h.msgh_remote_port;
	m.h.msgh_local_port = 0;
	m.h.msgh_id = 600;
	ASSERT_EQ(xnu_mach_msg(&m.h, MACH_SEND_MSG, sizeof(m), 0, 0, 0, 0), 0);
	EXPECT_EQ(port_type(b.h.msgh_remote_port), 0xdead0000u | KERN_INVALID_NAME);
	ASSERT_EQ(receive(reply, &r, 0, 0), 0);
	EXPECT_EQ(r.h.msgh_id, 600);
	EXPECT_EQ(r.h.msgh_local_port, reply);
	EXPECT_EQ(r.h.msgh_bits, MACH_MSG_TYPE_PORT_SEND_ONCE << 8);
}

TEST(send_errors)
{
	xnu_port_t p = new_port(0), rcv_only = xnu_mach_reply_port();
	struct simple_msg m = { 0 };

	m.h.msgh_bits = MACH_MSG_TYPE_COPY_SEND;
	m.h.msgh_remote_port = 0x7777703;
	EXPECT_EQ(xnu_mach_msg(&m.h, MACH_SEND_MSG, sizeof(m), 0, 0, 0, 0), MACH_SEND_INVALID_DEST);
	m.h.msgh_remote_port = 0;
	EXPECT_EQ(xnu_mach_msg(&m.h, MACH_SEND_MSG, sizeof(m), 0, 0, 0, 0), MACH_SEND_INVALID_DEST);
	m.h.msgh_remote_port = rcv_only;	/* no send right to copy */
	EXPECT_EQ(xnu_mach_msg(&m.h, MACH_SEND_MSG, sizeof(m), 0, 0, 0, 0), MACH_SEND_INVALID_DEST);
	m.h.msgh_remote_port = p;
	m.h.msgh_bits = 0;
	EXPECT_EQ(xnu_mach_msg(&m.h, MACH_SEND_MSG, sizeof(m), 0, 0, 0, 0),
		  MACH_SEND_INVALID_HEADER);
	/* Only descriptors move receive rights. */
	m.h.msgh_bits = MACH_MSG_TYPE_MOVE_RECEIVE;
	EXPECT_EQ(xnu_mach_msg(&m.h, MACH_SEND_MSG, sizeof(m), 0, 0, 0, 0),
		  MACH_SEND_INVALID_HEADER);
	m.h.msgh_bits = MACH_MSG_TYPE_COPY_SEND | MACH_MSG_TYPE_MAKE_SEND_ONCE << 8;
	m.h.msgh_local_port = 0x7777703;
	EXPECT_EQ(xnu_mach_msg(&m.h, MACH_SEND_MSG, sizeof(m), 0, 0, 0, 0),
		  MACH_SEND_INVALID_REPLY);
	m.h.msgh_bits = MACH_MSG_TYPE_COPY_SEND;
	m.h.msgh_local_port = 0;
	EXPECT_EQ(xnu_mach_msg(&m.h, MACH_SEND_MSG, 20, 0, 0, 0, 0), MACH_SEND_MSG_TOO_SMALL);
	EXPECT_EQ(xnu_mach_msg(&m.h, MACH_SEND_MSG, 26, 0, 0, 0, 0), MACH_SEND_MSG_TOO_SMALL);
	EXPECT_EQ(xnu_mach_msg(&m.h, MACH_SEND_MSG, 64u << 20, 0, 0, 0, 0), MACH_SEND_TOO_LARGE);
	m.h.msgh_bits = MACH_MSG_TYPE_COPY_SEND | MACH_MSGH_BITS_COMPLEX;
	EXPECT_EQ(xnu_mach_msg(&m.h, MACH_SEND_MSG, 24, 0, 0, 0, 0), MACH_SEND_MSG_TOO_SMALL);
	/* Nothing was queued by any of them. */
	struct rcv_buf b;
	EXPECT_EQ(receive(p, &b, MACH_RCV_TIMEOUT, 0), MACH_RCV_TIMED_OUT);
	EXPECT_EQ(send_refs(p), 1);
}

TEST(raw_mach_msg2_bad_buffer_and_options)
{
	xnu_port_t p = new_port(0);
	uint64_t a[8] = {
		8, MACH_SEND_MSG | MACH64_SEND_MQ_CALL, XNU_MACH_MSG2_PACK(MACH_MSG_TYPE_COPY_SEND, 40),
		XNU_MACH_MSG2_PACK(p, 0), XNU_MACH_MSG2_PACK(0, 1), 0, 0, 0,
	};
	struct rcv_buf b;

	EXPECT_EQ((int)xnu_mach_trap(-47, a, 8), MACH_SEND_INVALID_DATA);
	/* mach_msg2 calls carry exactly one call kind: none is refused. */
	a[1] = MACH_SEND_MSG;
	EXPECT_EQ((int)xnu_mach_trap(-47, a, 8), MACH_SEND_INVALID_OPTIONS);
	a[1] = MACH_SEND_MSG | MACH64_SEND_MQ_CALL | MACH64_SEND_KOBJECT_CALL;
	EXPECT_EQ((int)xnu_mach_trap(-47, a, 8), MACH_SEND_INVALID_OPTIONS);
	a[1] = MACH_SEND_MSG | MACH64_MSG_VECTOR;
	EXPECT_EQ((int)xnu_mach_trap(-47, a, 8), MACH_SEND_INVALID_OPTIONS);
	/* A simple message may not announce descriptors. */
	a[0] = (uint64_t)(uintptr_t)&b;
	a[1] = MACH_SEND_MSG | MACH64_SEND_MQ_CALL;
	a[5] = 1;
	EXPECT_EQ((int)xnu_mach_trap(-47, a, 8), MACH_SEND_TOO_LARGE);
	/* The legacy trap reads the header from the buffer itself. */
	EXPECT_EQ(xnu_mach_msg_trap((struct xnu_mach_msg_header *)8, MACH_SEND_MSG, 40, 0, 0, 0, 0),
		  MACH_SEND_INVALID_DATA);
	EXPECT_EQ(receive(p, &b, MACH_RCV_TIMEOUT, 0), MACH_RCV_TIMED_OUT);
}

TEST(receive_errors_and_timeouts)
{
	xnu_port_t p = new_port(0), dead = 0;
	struct rcv_buf b;
	uint64_t t0;

	EXPECT_EQ(receive(0x7777703, &b, 0, 0), MACH_RCV_INVALID_NAME);
	EXPECT_EQ(receive(0, &b, 0, 0), MACH_RCV_INVALID_NAME);
	EXPECT_EQ(receive(xnu_mach_task_self(), &b, 0, 0), MACH_RCV_INVALID_NAME); /* send only */
	ASSERT_EQ(xnu_mach_port_allocate(xnu_mach_task_self(), MACH_PORT_RIGHT_DEAD_NAME, &dead),
		  0);
	EXPECT_EQ(receive(dead, &b, 0, 0), MACH_RCV_INVALID_NAME);
	EXPECT_EQ(receive(p, &b, MACH_RCV_TIMEOUT, 0), MACH_RCV_TIMED_OUT);
	t0 = now_ns();
	EXPECT_EQ(receive(p, &b, MACH_RCV_TIMEOUT, 50), MACH_RCV_TIMED_OUT);
	EXPECT_TRUE(now_ns() - t0 >= 50000000ull);
	/* A bad buffer loses the message (MACH_RCV_INVALID_DATA). */
	ASSERT_EQ(send_simple(p, 9, 0, 0), 0);
	EXPECT_EQ(xnu_mach_msg((struct xnu_mach_msg_header *)8, MACH_RCV_MSG, 0, 4096, p, 0, 0),
		  MACH_RCV_INVALID_DATA);
	EXPECT_EQ(receive(p, &b, MACH_RCV_TIMEOUT, 0), MACH_RCV_TIMED_OUT);
}

TEST(too_large_with_and_without_rcv_large)
{
	xnu_port_t p = new_port(0);
	struct rcv_buf b;

	ASSERT_EQ(send_simple(p, 31, 0, 0), 0);
	memset(&b, 0, sizeof(b));
	/* 40 bytes + an 8-byte trailer do not fit in 44. */
	EXPECT_EQ(xnu_mach_msg(&b.h, MACH_RCV_MSG | MACH_RCV_LARGE, 0, 44, p, 0, 0),
		  MACH_RCV_TOO_LARGE);
	EXPECT_EQ(b.h.msgh_size, sizeof(struct simple_msg));
	ASSERT_EQ(receive(p, &b, MACH_RCV_TIMEOUT, 0), MACH_MSG_SUCCESS);	/* still queued */
	EXPECT_EQ(b.h.msgh_id, 31);
	ASSERT_EQ(send_simple(p, 32, 0, 0), 0);
	EXPECT_EQ(xnu_mach_msg(&b.h, MACH_RCV_MSG, 0, 44, p, 0, 0), MACH_RCV_TOO_LARGE);
	EXPECT_EQ(b.h.msgh_id, 32);
	EXPECT_EQ(receive(p, &b, MACH_RCV_TIMEOUT, 0), MACH_RCV_TIMED_OUT);	/* dropped */
}

TEST(full_queue_times_out_and_gives_the_message_back)
{
	xnu_port_t p = new_port(1);
	struct simple_msg m = { 0 };
	struct rcv_buf b;
	uint64_t t0;

	ASSERT_EQ(send_simple(p, 1, 0, 0), 0);
	EXPECT_EQ(send_simple(p, 2, MACH_SEND_TIMEOUT, 0), MACH_SEND_TIMED_OUT);
	t0 = now_ns();
	m.h.msgh_bits = MACH_MSG_TYPE_MOVE_SEND;	/* the right travels with the message */
	m.h.msgh_remote_port = p;
	m.h.msgh_id = 3;
	EXPECT_EQ(xnu_mach_msg(&m.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof(m), 0, 0, 30, 0),
		  MACH_SEND_TIMED_OUT);
	EXPECT_TRUE(now_ns() - t0 >= 30000000ull);
	/* The failed send handed the moved send right back. */
	EXPECT_EQ(port_type(p), MACH_PORT_TYPE_SEND_RECEIVE);
	EXPECT_EQ(m.h.msgh_remote_port, p);
	ASSERT_EQ(receive(p, &b, MACH_RCV_TIMEOUT, 0), 0);
	EXPECT_EQ(b.h.msgh_id, 1);
	EXPECT_EQ(receive(p, &b, MACH_RCV_TIMEOUT, 0), MACH_RCV_TIMED_OUT);
}

struct sender_arg {
	xnu_port_t port;
	int32_t id;
	unsigned delay_ms;
	volatile int done;
	int result;
};

static void *sender_thread(void *p)
{
	struct sender_arg *a = p;

	if (a->delay_ms)
		usleep(a->delay_ms * 1000);
	a->result = send_simple(a->port, a->id, 0, 0);
	a->done = 1;
	return NULL;
}

TEST(blocked_receive_is_woken_by_a_sender_thread)
{
	struct sender_arg a = { .port = new_port(0), .id = 4242, .delay_ms = 50 };
	struct rcv_buf b;
	pthread_t th;
	uint64_t t0 = now_ns();

	ASSERT_EQ(pthread_create(&th, NULL, sender_thread, &a), 0);
	EXPECT_EQ(receive(a.port, &b, 0, 0), MACH_MSG_SUCCESS);
	EXPECT_TRUE(now_ns() - t0 >= 40000000ull);
	EXPECT_EQ(b.h.msgh_id, 4242);
	pthread_join(th, NULL);
	EXPECT_EQ(a.result, MACH_MSG_SUCCESS);
}

TEST(full_queue_blocks_the_sender_until_a_receive)
{
	struct sender_arg a = { .port = new_port(1), .id = 2 };
	struct rcv_buf b;
	pthread_t th;

	ASSERT_EQ(send_simple(a.port, 1, 0, 0), 0);
	ASSERT_EQ(pthread_create(&th, NULL, sender_thread, &a), 0);
	usleep(50000);
	EXPECT_EQ(a.done, 0);			/* still blocked on the full queue */
	ASSERT_EQ(receive(a.port, &b, 0, 0), 0);
	EXPECT_EQ(b.h.msgh_id, 1);
	pthread_join(th, NULL);
	EXPECT_EQ(a.result, MACH_MSG_SUCCESS);
	ASSERT_EQ(receive(a.port, &b, MACH_RCV_TIMEOUT, 1000), 0);
	EXPECT_EQ(b.h.msgh_id, 2);
}

struct receiver_arg {
	xnu_port_t port;
	int result;
};

static void *receiver_thread(void *p)
{
	struct receiver_arg *a = p;
	struct rcv_buf b;

	a->result = receive(a->port, &b, 0, 0);
	return NULL;
}

TEST(receiver_sees_port_died_when_the_receive_right_is_destroyed)
{
	struct receiver_arg a = { .port = new_port(0) };
	pthread_t th;

	ASSERT_EQ(pthread_create(&th, NULL, receiver_thread, &a), 0);
	usleep(50000);
	ASSERT_EQ(xnu_mach_port_mod_refs(xnu_mach_task_self(), a.port, MACH_PORT_RIGHT_RECEIVE, -1),
		  KERN_SUCCESS);
	pthread_join(th, NULL);
	EXPECT_EQ(a.result, MACH_RCV_PORT_DIED);
	EXPECT_EQ(port_type(a.port), MACH_PORT_TYPE_DEAD_NAME);
}

struct port_desc_msg {
	struct xnu_mach_msg_header h;
	struct xnu_mach_msg_body body;
	struct xnu_mach_msg_port_descriptor d[2];
} __attribute__((packed, aligned(4)));

TEST(complex_message_moves_a_receive_right_and_copies_a_send_right)
{
	xnu_port_t dest = new_port(0), moved = xnu_mach_reply_port(), copied = new_port(0);
	struct port_desc_msg m = { 0 };
	struct rcv_buf b;
	struct port_desc_msg *r = (struct port_desc_msg *)&b;

	m.h.msgh_bits = MACH_MSG_TYPE_COPY_SEND | MACH_MSGH_BITS_COMPLEX;
	m.h.msgh_remote_port = dest;
	m.h.msgh_id = 7;
	m.body.msgh_descriptor_count = 2;
	m.d[0].name = moved;
	m.d[0].disposition = MACH_MSG_TYPE_MOVE_RECEIVE;
	m.d[0].type = MACH_MSG_PORT_DESCRIPTOR;
	m.d[1].name = copied;
	m.d[1].disposition = MACH_MSG_TYPE_COPY_SEND;
	m.d[1].type = MACH_MSG_PORT_DESCRIPTOR;
	ASSERT_EQ(xnu_mach_msg(&m.h, MACH_SEND_MSG, sizeof(m), 0, 0, 0, 0), MACH_MSG_SUCCESS);
	EXPECT_EQ(port_type(moved), 0xdead0000u | KERN_INVALID_NAME);	/* in transit */
	EXPECT_EQ(send_refs(copied), 1);
	ASSERT_EQ(receive(dest, &b, 0, 0), MACH_MSG_SUCCESS);
	EXPECT_EQ(r->h.msgh_bits, MACH_MSGH_BITS_COMPLEX | MACH_MSG_TYPE_PORT_SEND << 8);
	EXPECT_EQ(r->h.msgh_size, sizeof(m));
	EXPECT_EQ(r->body.msgh_descriptor_count, 2);
	EXPECT_EQ(r->d[0].disposition, MACH_MSG_TYPE_PORT_RECEIVE);
	EXPECT_EQ(r->d[0].type, MACH_MSG_PORT_DESCRIPTOR);
	EXPECT_EQ(port_type(r->d[0].name), MACH_PORT_TYPE_RECEIVE);
	EXPECT_EQ(r->d[1].disposition, MACH_MSG_TYPE_PORT_SEND);
	/* The space already named that port: the right joins the same entry. */
	EXPECT_EQ(r->d[1].name, copied);
	EXPECT_EQ(send_refs(copied), 2);
	/* The moved receive right works under its new name. */
	ASSERT_EQ(xnu_mach_port_insert_right(xnu_mach_task_self(), r->d[0].name, r->d[0].name,
					     MACH_MSG_TYPE_MAKE_SEND), 0);
	ASSERT_EQ(send_simple(r->d[0].name, 8, 0, 0), 0);
	EXPECT_EQ(receive(r->d[0].name, &b, MACH_RCV_TIMEOUT, 0), MACH_MSG_SUCCESS);
}

TEST(descriptor_errors)
{
	xnu_port_t dest = new_port(0);
	struct port_desc_msg m = { 0 };
	struct rcv_buf b;

	m.h.msgh_bits = MACH_MSG_TYPE_COPY_SEND | MACH_MSGH_BITS_COMPLEX;
	m.h.msgh_remote_port = dest;
	m.body.msgh_descriptor_count = 1;
	m.d[0].name = 0x7777703;
	m.d[0].disposition = MACH_MSG_TYPE_COPY_SEND;
	EXPECT_EQ(xnu_mach_msg(&m.h, MACH_SEND_MSG, 40, 0, 0, 0, 0), MACH_SEND_INVALID_RIGHT);
	m.d[0].name = dest;
	m.d[0].disposition = 99;
	EXPECT_EQ(xnu_mach_msg(&m.h, MACH_SEND_MSG, 40, 0, 0, 0, 0), MACH_SEND_INVALID_TYPE);
	m.d[0].disposition = MACH_MSG_TYPE_COPY_SEND;
	m.d[0].type = 7;
	EXPECT_EQ(xnu_mach_msg(&m.h, MACH_SEND_MSG, 40, 0, 0, 0, 0), MACH_SEND_INVALID_TYPE);
	m.d[0].type = MACH_MSG_PORT_DESCRIPTOR;
	m.body.msgh_descriptor_count = 2;	/* the second does not fit in 40 bytes */
	EXPECT_EQ(xnu_mach_msg(&m.h, MACH_SEND_MSG, 40, 0, 0, 0, 0), MACH_SEND_MSG_TOO_SMALL);
	/* A receive right may not be sent to itself. */
	m.body.msgh_descriptor_count = 1;
	m.d[0].disposition = MACH_MSG_TYPE_MOVE_RECEIVE;
	EXPECT_EQ(xnu_mach_msg(&m.h, MACH_SEND_MSG, 40, 0, 0, 0, 0), MACH_SEND_INVALID_RIGHT);
	EXPECT_EQ(receive(dest, &b, MACH_RCV_TIMEOUT, 0), MACH_RCV_TIMED_OUT);
	EXPECT_EQ(port_type(dest), MACH_PORT_TYPE_SEND_RECEIVE);
}

struct ool_msg {
	struct xnu_mach_msg_header h;
	struct xnu_mach_msg_body body;
	struct xnu_mach_msg_ool_descriptor d;
} __attribute__((packed, aligned(4)));

TEST(ool_data_arrives_in_a_new_region)
{
	xnu_port_t dest = new_port(0);
	static char data[3 * 4096 + 123];
	struct ool_msg m = { 0 };
	struct rcv_buf b;
	struct ool_msg *r = (struct ool_msg *)&b;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7 + 1);
	m.h.msgh_bits = MACH_MSG_TYPE_COPY_SEND | MACH_MSGH_BITS_COMPLEX;
	m.h.msgh_remote_port = dest;
	m.h.msgh_id = 99;
	m.body.msgh_descriptor_count = 1;
	m.d.address = (uint64_t)(uintptr_t)data;
	m.d.size = sizeof(data);
	m.d.copy = MACH_MSG_PHYSICAL_COPY;
	m.d.type = MACH_MSG_OOL_DESCRIPTOR;
	ASSERT_EQ(xnu_mach_msg(&m.h, MACH_SEND_MSG, sizeof(m), 0, 0, 0, 0), MACH_MSG_SUCCESS);
	data[0] ^= 0x55;			/* the message holds its own copy */
	ASSERT_EQ(receive(dest, &b, 0, 0), MACH_MSG_SUCCESS);
	EXPECT_EQ(r->d.type, MACH_MSG_OOL_DESCRIPTOR);
	EXPECT_EQ(r->d.size, sizeof(data));
	ASSERT_NE(r->d.address, 0);
	EXPECT_NE(r->d.address, (uint64_t)(uintptr_t)data);
	data[0] ^= 0x55;
	EXPECT_EQ(memcmp((void *)(uintptr_t)r->d.address, data, sizeof(data)), 0);
	EXPECT_EQ(xnu_mach_vm_deallocate(xnu_mach_task_self(), r->d.address, r->d.size),
		  KERN_SUCCESS);
	/* An unreadable region is refused. */
	m.d.address = 8;
	EXPECT_EQ(xnu_mach_msg(&m.h, MACH_SEND_MSG, sizeof(m), 0, 0, 0, 0),
		  MACH_SEND_INVALID_MEMORY);
	m.d.address = (uint64_t)(uintptr_t)data;
	m.d.copy = MACH_MSG_ALLOCATE;
	EXPECT_EQ(xnu_mach_msg(&m.h, MACH_SEND_MSG, sizeof(m), 0, 0, 0, 0), MACH_SEND_INVALID_TYPE);
}

TEST(message_to_the_task_port_gets_a_mig_reply)
{
	xnu_port_t reply = xnu_mach_reply_port();
	struct rcv_buf b;
	struct xnu_mig_reply_error *e = (struct xnu_mig_reply_error *)&b;

	/* One buffer for the request and the reply, as MIG does. */
	memset(&b, 0, sizeof(b));
	b.h.msgh_bits = MACH_MSG_TYPE_COPY_SEND | MACH_MSG_TYPE_MAKE_SEND_ONCE << 8;
	b.h.msgh_remote_port = xnu_mach_task_self();
	b.h.msgh_local_port = reply;
	b.h.msgh_id = 3499;			/* not a modeled task routine */
	ASSERT_EQ(xnu_mach_msg(&b.h, MACH_SEND_MSG | MACH_RCV_MSG, 40, sizeof(b), reply, 0, 0),
		  MACH_MSG_SUCCESS);
	EXPECT_EQ(e->Head.msgh_id, 3599);
	EXPECT_EQ(e->Head.msgh_size, sizeof(*e));
	EXPECT_EQ(e->Head.msgh_local_port, reply);
	EXPECT_EQ(e->Head.msgh_remote_port, 0);
	EXPECT_EQ(e->Head.msgh_bits, MACH_MSG_TYPE_PORT_SEND_ONCE << 8);
	EXPECT_EQ(e->NDR.int_rep, 1);
	EXPECT_EQ(e->RetCode, MIG_BAD_ID);
}
