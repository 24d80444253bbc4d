/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mach_ports.c: the port traps (-16 allocate, -18 deallocate, -19 mod_refs,
 * -21 insert_right, -24 construct, -25 destruct), the self traps and reply
 * ports, through libsyscall; name layout, user references, dead names and
 * every error the traps answer.
 */
#include <string.h>

#include "tests/harness.h"
#include "xnusim/libsyscall.h"
#include "darwin/kern_return.h"
#include "darwin/mach_msg.h"
#include "darwin/port.h"

/* White-box views of the current space (exported by libxnusim.so). */
extern void *xs_current_space(void);
extern void xs_ipc_lock(void);
extern void xs_ipc_unlock(void);
extern int xs_mach_port_type(void *space, uint32_t name, uint32_t *type);
extern int xs_mach_port_get_refs(void *space, uint32_t name, uint32_t right, uint32_t *refs);

#define XS_EFAULT 14	/* copyout's errno, returned as is by the _kernelrpc_ traps */

static uint32_t port_type(uint32_t name)
{
	uint32_t type = 0;
	int kr;

	xs_ipc_lock();
	kr = xs_mach_port_type(xs_current_space(), name, &type);
	xs_ipc_unlock();
	return kr == KERN_SUCCESS ? type : 0xdead0000u | (uint32_t)kr;
}

static uint32_t port_refs(uint32_t name, uint32_t right)
{
	uint32_t refs = 0;

	xs_ipc_lock();
	(void)xs_mach_port_get_refs(xs_current_space(), name, right, &refs);
	xs_ipc_unlock();
	return refs;
}

static uint32_t new_receive(void)
{
	xnu_port_t name = 0;

	if (xnu_mach_port_allocate(xnu_mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &name))
		return 0;
	return name;
}

TEST(allocate_receive_gives_index_generation_name)
{
	xnu_port_t name = 0;

	ASSERT_EQ(xnu_mach_port_allocate(xnu_mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &name),
		  KERN_SUCCESS);
	EXPECT_EQ(name & 0xff, 0x03);		/* a fresh entry's first generation */
	EXPECT_NE(name >> 8, 0);		/* index 0 is never a name */
	EXPECT_EQ(port_type(name), MACH_PORT_TYPE_RECEIVE);
	EXPECT_EQ(port_refs(name, MACH_PORT_RIGHT_RECEIVE), 1);
	EXPECT_EQ(xnu_mach_port_mod_refs(xnu_mach_task_self(), name, MACH_PORT_RIGHT_RECEIVE, -1),
		  KERN_SUCCESS);
	EXPECT_EQ(port_type(name), 0xdead0000u | KERN_INVALID_NAME);
}

TEST(reused_entry_advances_generation_by_four)
{
	xnu_port_t a = new_receive(), b, c;

	ASSERT_NE(a, 0);
	ASSERT_EQ(xnu_mach_port_mod_refs(xnu_mach_task_self(), a, MACH_PORT_RIGHT_RECEIVE, -1), 0);
	b = new_receive();
	EXPECT_EQ(b >> 8, a >> 8);
	EXPECT_EQ(b & 0xff, ((a & 0xff) + 4) & 0xff);
	/* The stale name no longer denotes anything. */
	EXPECT_EQ(xnu_mach_port_deallocate(xnu_mach_task_self(), a), KERN_INVALID_NAME);
	ASSERT_EQ(xnu_mach_port_mod_refs(xnu_mach_task_self(), b, MACH_PORT_RIGHT_RECEIVE, -1), 0);
	c = new_receive();
	EXPECT_EQ(c, (b & ~0xffu) | (((b & 0xff) + 4) & 0xff));
}

TEST(allocate_dead_name_and_bad_rights)
{
	xnu_port_t task = xnu_mach_task_self(), name = 0;

	ASSERT_EQ(xnu_mach_port_allocate(task, MACH_PORT_RIGHT_DEAD_NAME, &name), KERN_SUCCESS);
	EXPECT_EQ(port_type(name), MACH_PORT_TYPE_DEAD_NAME);
	EXPECT_EQ(port_refs(name, MACH_PORT_RIGHT_DEAD_NAME), 1);
	EXPECT_EQ(xnu_mach_port_deallocate(task, name), KERN_SUCCESS);
	EXPECT_EQ(port_type(name), 0xdead0000u | KERN_INVALID_NAME);
	EXPECT_EQ(xnu_mach_port_allocate(task, MACH_PORT_RIGHT_SEND, &name), KERN_INVALID_VALUE);
	EXPECT_EQ(xnu_mach_port_allocate(task, MACH_PORT_RIGHT_SEND_ONCE, &name),
		  KERN_INVALID_VALUE);
	EXPECT_EQ(xnu_mach_port_allocate(task, 77, &name), KERN_INVALID_VALUE);
}

TEST(port_traps_refuse_a_target_that_is_not_our_task)
{
	xnu_port_t rcv = new_receive(), host = xnu_mach_host_self(), name = 0;
	const uint64_t a0[] = { 0, MACH_PORT_RIGHT_RECEIVE, (uint64_t)(uintptr_t)&name };
	const uint64_t a1[] = { rcv, MACH_PORT_RIGHT_RECEIVE, (uint64_t)(uintptr_t)&name };
	const uint64_t a2[] = { host, MACH_PORT_RIGHT_RECEIVE, (uint64_t)(uintptr_t)&name };
	const uint64_t a3[] = { 0x12345603, MACH_PORT_RIGHT_RECEIVE, (uint64_t)(uintptr_t)&name };

	ASSERT_NE(rcv, 0);
	EXPECT_EQ((int)xnu_mach_trap(-16, a0, 3), MACH_SEND_INVALID_DEST);
	EXPECT_EQ((int)xnu_mach_trap(-16, a1, 3), MACH_SEND_INVALID_DEST);	/* receive only */
	EXPECT_EQ((int)xnu_mach_trap(-16, a2, 3), MACH_SEND_INVALID_DEST);	/* host port */
	EXPECT_EQ((int)xnu_mach_trap(-16, a3, 3), MACH_SEND_INVALID_DEST);	/* no such name */
	EXPECT_EQ(xnu_mach_port_deallocate(host, rcv), MACH_SEND_INVALID_DEST);
	EXPECT_EQ(xnu_mach_port_mod_refs(0, rcv, MACH_PORT_RIGHT_RECEIVE, -1),
		  MACH_SEND_INVALID_DEST);
	EXPECT_EQ(xnu_mach_port_destruct(rcv, rcv, 0, 0), MACH_SEND_INVALID_DEST);
	EXPECT_EQ(port_type(rcv), MACH_PORT_TYPE_RECEIVE);	/* untouched */
}

TEST(allocate_to_a_bad_pointer_returns_efault_after_allocating)
{
	const uint64_t a[] = { xnu_mach_task_self(), MACH_PORT_RIGHT_RECEIVE, 8 };
	xnu_port_t probe = new_receive();

	EXPECT_EQ((int)xnu_mach_trap(-16, a, 3), XS_EFAULT);
	/* The name it made stays allocated (XNU does not undo it). */
	xnu_port_t next = new_receive();
	EXPECT_NE(next, 0);
	EXPECT_NE(next >> 8, probe >> 8);
}

TEST(deallocate_drops_one_uref)
{
	xnu_port_t task = xnu_mach_task_self(), name = new_receive();

	ASSERT_EQ(xnu_mach_port_insert_right(task, name, name, MACH_MSG_TYPE_MAKE_SEND), 0);
	ASSERT_EQ(xnu_mach_port_mod_refs(task, name, MACH_PORT_RIGHT_SEND, 1), 0);
	EXPECT_EQ(port_refs(name, MACH_PORT_RIGHT_SEND), 2);
	EXPECT_EQ(xnu_mach_port_deallocate(task, name), KERN_SUCCESS);
	EXPECT_EQ(port_refs(name, MACH_PORT_RIGHT_SEND), 1);
	EXPECT_EQ(xnu_mach_port_deallocate(task, name), KERN_SUCCESS);
	EXPECT_EQ(port_type(name), MACH_PORT_TYPE_RECEIVE);
	/* A receive right alone is not deallocated. */
	EXPECT_EQ(xnu_mach_port_deallocate(task, name), KERN_INVALID_RIGHT);
	EXPECT_EQ(xnu_mach_port_deallocate(task, 0x7777703), KERN_INVALID_NAME);
	EXPECT_EQ(xnu_mach_port_deallocate(task, MACH_PORT_NULL), KERN_SUCCESS);
	EXPECT_EQ(xnu_mach_port_deallocate(task, MACH_PORT_DEAD), KERN_SUCCESS);
}

TEST(mod_refs_limits_and_errors)
{
	xnu_port_t task = xnu_mach_task_self(), name = new_receive();

	ASSERT_EQ(xnu_mach_port_insert_right(task, name, name, MACH_MSG_TYPE_MAKE_SEND), 0);
	EXPECT_EQ(xnu_mach_port_mod_refs(task, name, MACH_PORT_RIGHT_SEND, 0xfffe), KERN_SUCCESS);
	EXPECT_EQ(port_refs(name, MACH_PORT_RIGHT_SEND), 0xffff);
	EXPECT_EQ(xnu_mach_port_mod_refs(task, name, MACH_PORT_RIGHT_SEND, 1), KERN_UREFS_OVERFLOW);
	EXPECT_EQ(xnu_mach_port_mod_refs(task, name, MACH_PORT_RIGHT_SEND, -0x10000),
		  KERN_INVALID_VALUE);
	EXPECT_EQ(xnu_mach_port_mod_refs(task, name, MACH_PORT_RIGHT_SEND, -0xffff), KERN_SUCCESS);
	EXPECT_EQ(port_type(name), MACH_PORT_TYPE_RECEIVE);
	EXPECT_EQ(xnu_mach_port_mod_refs(task, name, MACH_PORT_RIGHT_SEND, -1), KERN_INVALID_RIGHT);
	EXPECT_EQ(xnu_mach_port_mod_refs(task, name, MACH_PORT_RIGHT_RECEIVE, -2),
		  KERN_INVALID_VALUE);
	EXPECT_EQ(xnu_mach_port_mod_refs(task, name, MACH_PORT_RIGHT_RECEIVE, 1),
		  KERN_INVALID_VALUE);
	EXPECT_EQ(xnu_mach_port_mod_refs(task, name, MACH_PORT_RIGHT_SEND_ONCE, -1),
		  KERN_INVALID_RIGHT);
	EXPECT_EQ(xnu_mach_port_mod_refs(task, name, MACH_PORT_RIGHT_DEAD_NAME, 1),
		  KERN_INVALID_RIGHT);
	EXPECT_EQ(xnu_mach_port_mod_refs(task, name, MACH_PORT_RIGHT_PORT_SET, -1),
		  KERN_INVALID_RIGHT);
	EXPECT_EQ(xnu_mach_port_mod_refs(task, name, 99, -1), KERN_INVALID_VALUE);
	EXPECT_EQ(xnu_mach_port_mod_refs(task, 0, MACH_PORT_RIGHT_RECEIVE, -1), KERN_INVALID_NAME);
	EXPECT_EQ(xnu_mach_port_mod_refs(task, 0, MACH_PORT_RIGHT_SEND, -1), KERN_SUCCESS);
	EXPECT_EQ(xnu_mach_port_mod_refs(task, 0x4444403, MACH_PORT_RIGHT_SEND, 1),
		  KERN_INVALID_NAME);
	EXPECT_EQ(xnu_mach_port_mod_refs(task, name, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
}

TEST(insert_right_cases)
{
	xnu_port_t task = xnu_mach_task_self(), a = new_receive(), b = new_receive();

	ASSERT_TRUE(a && b);
	EXPECT_EQ(xnu_mach_port_insert_right(task, a, a, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	EXPECT_EQ(port_type(a), MACH_PORT_TYPE_SEND_RECEIVE);
	EXPECT_EQ(xnu_mach_port_insert_right(task, a, a, MACH_MSG_TYPE_COPY_SEND), KERN_SUCCESS);
	EXPECT_EQ(port_refs(a, MACH_PORT_RIGHT_SEND), 2);
	/* The space already names a's port: another name is refused. */
	EXPECT_EQ(xnu_mach_port_insert_right(task, 0x5003, a, MACH_MSG_TYPE_MAKE_SEND),
		  KERN_RIGHT_EXISTS);
	/* Checked first, as in XNU: a's port already has a name here. */
	EXPECT_EQ(xnu_mach_port_insert_right(task, b, a, MACH_MSG_TYPE_MAKE_SEND),
		  KERN_RIGHT_EXISTS);
	/* b's name is taken by another port (send-once rights never merge). */
	EXPECT_EQ(xnu_mach_port_insert_right(task, b, a, MACH_MSG_TYPE_MAKE_SEND_ONCE),
		  KERN_NAME_EXISTS);
	/* A send-once right under a chosen, unused name. */
	EXPECT_EQ(xnu_mach_port_insert_right(task, 0x5003, a, MACH_MSG_TYPE_MAKE_SEND_ONCE),
		  KERN_SUCCESS);
	EXPECT_EQ(port_type(0x5003), MACH_PORT_TYPE_SEND_ONCE);
	EXPECT_EQ(xnu_mach_port_insert_right(task, 0x6003, 0x7777703, MACH_MSG_TYPE_MAKE_SEND),
		  KERN_INVALID_NAME);
	EXPECT_EQ(xnu_mach_port_insert_right(task, 0x6003, 0, MACH_MSG_TYPE_MAKE_SEND),
		  KERN_INVALID_CAPABILITY);
	EXPECT_EQ(xnu_mach_port_insert_right(task, 0x6003, a, 99), KERN_INVALID_VALUE);
	EXPECT_EQ(xnu_mach_port_insert_right(task, MACH_PORT_NULL, a, MACH_MSG_TYPE_MAKE_SEND),
		  KERN_INVALID_VALUE);
	EXPECT_EQ(xnu_mach_port_insert_right(task, 0x6003, b, MACH_MSG_TYPE_COPY_SEND),
		  KERN_INVALID_RIGHT);		/* b has no send right to copy */
	EXPECT_EQ(port_type(0x6003), 0xdead0000u | KERN_INVALID_NAME);
	EXPECT_EQ(xnu_mach_port_deallocate(task, 0x5003), KERN_SUCCESS);
}

TEST(construct_options_and_errors)
{
	xnu_port_t task = xnu_mach_task_self(), name = 0;
	struct xnu_mach_port_options o = { .flags = MPO_INSERT_SEND_RIGHT | MPO_QLIMIT };
	const uint64_t bad_opts[] = { task, 8, 0, (uint64_t)(uintptr_t)&name };
	const uint64_t bad_name[] = { task, (uint64_t)(uintptr_t)&o, 0, 16 };

	o.mpl.mpl_qlimit = 1;
	ASSERT_EQ(xnu_mach_port_construct(task, &o, 0, &name), KERN_SUCCESS);
	EXPECT_EQ(name & 0x3, 0x3);		/* generations run 0x03, 0x07, 0x0b, ... */
	EXPECT_EQ(port_type(name), MACH_PORT_TYPE_SEND_RECEIVE);
	EXPECT_EQ(xnu_mach_port_destruct(task, name, -1, 0), KERN_SUCCESS);
	EXPECT_EQ(port_type(name), 0xdead0000u | KERN_INVALID_NAME);
	o.mpl.mpl_qlimit = MACH_PORT_QLIMIT_MAX + 1;
	EXPECT_EQ(xnu_mach_port_construct(task, &o, 0, &name), KERN_INVALID_VALUE);
	EXPECT_EQ((int)xnu_mach_trap(-24, bad_opts, 4), XS_EFAULT);
	o.mpl.mpl_qlimit = 1;
	EXPECT_EQ((int)xnu_mach_trap(-24, bad_name, 4), XS_EFAULT);
}

TEST(guarded_receive_right_needs_destruct_with_its_guard)
{
	xnu_port_t task = xnu_mach_task_self(), name = 0;
	struct xnu_mach_port_options o = { .flags = MPO_CONTEXT_AS_GUARD | MPO_STRICT };

	ASSERT_EQ(xnu_mach_port_construct(task, &o, 0x1234, &name), KERN_SUCCESS);
	EXPECT_EQ(xnu_mach_port_mod_refs(task, name, MACH_PORT_RIGHT_RECEIVE, -1),
		  KERN_INVALID_RIGHT);
	EXPECT_EQ(xnu_mach_port_destruct(task, name, 0, 0x9999), KERN_INVALID_ARGUMENT);
	EXPECT_EQ(port_type(name), MACH_PORT_TYPE_RECEIVE);
	EXPECT_EQ(xnu_mach_port_destruct(task, name, 0, 0x1234), KERN_SUCCESS);
	EXPECT_EQ(port_type(name), 0xdead0000u | KERN_INVALID_NAME);
}

TEST(destruct_errors)
{
	xnu_port_t task = xnu_mach_task_self(), name = new_receive(), dead = 0;

	ASSERT_EQ(xnu_mach_port_allocate(task, MACH_PORT_RIGHT_DEAD_NAME, &dead), 0);
	EXPECT_EQ(xnu_mach_port_destruct(task, dead, 0, 0), KERN_INVALID_RIGHT);
	EXPECT_EQ(xnu_mach_port_destruct(task, name, 1, 0), KERN_INVALID_VALUE);
	/* No send right to take srdelta from. */
	EXPECT_EQ(xnu_mach_port_destruct(task, name, -1, 0), KERN_INVALID_RIGHT);
	EXPECT_EQ(xnu_mach_port_destruct(task, 0, 0, 0), KERN_INVALID_NAME);
	EXPECT_EQ(xnu_mach_port_destruct(task, 0x7777703, 0, 0), KERN_INVALID_NAME);
	EXPECT_EQ(xnu_mach_port_destruct(task, name, 0, 0), KERN_SUCCESS);
	EXPECT_EQ(xnu_mach_port_deallocate(task, dead), KERN_SUCCESS);
}

TEST(send_rights_become_dead_names_when_receive_dies)
{
	xnu_port_t task = xnu_mach_task_self(), name = new_receive();
	struct xnu_mach_msg_header h = { 0 };

	ASSERT_EQ(xnu_mach_port_insert_right(task, name, name, MACH_MSG_TYPE_MAKE_SEND), 0);
	ASSERT_EQ(xnu_mach_port_mod_refs(task, name, MACH_PORT_RIGHT_SEND, 2), 0);
	ASSERT_EQ(xnu_mach_port_mod_refs(task, name, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	EXPECT_EQ(port_type(name), MACH_PORT_TYPE_DEAD_NAME);
	EXPECT_EQ(port_refs(name, MACH_PORT_RIGHT_DEAD_NAME), 3);
	h.msgh_bits = MACH_MSG_TYPE_COPY_SEND;
	h.msgh_remote_port = name;
	EXPECT_EQ(xnu_mach_msg(&h, MACH_SEND_MSG, sizeof(h), 0, 0, 0, 0), MACH_SEND_INVALID_DEST);
	EXPECT_EQ(xnu_mach_port_mod_refs(task, name, MACH_PORT_RIGHT_SEND, -1), KERN_INVALID_RIGHT);
	EXPECT_EQ(xnu_mach_port_mod_refs(task, name, MACH_PORT_RIGHT_DEAD_NAME, -4),
		  KERN_INVALID_VALUE);
	EXPECT_EQ(xnu_mach_port_mod_refs(task, name, MACH_PORT_RIGHT_DEAD_NAME, -3), KERN_SUCCESS);
	EXPECT_EQ(port_type(name), 0xdead0000u | KERN_INVALID_NAME);
}

TEST(self_traps_return_stable_names)
{
	xnu_port_t t1 = xnu_mach_task_self(), t2, th1, th2, h1, h2;
	uint32_t refs = port_refs(t1, MACH_PORT_RIGHT_SEND);

	t2 = xnu_mach_task_self();
	EXPECT_EQ(t1, t2);
	EXPECT_EQ(port_refs(t1, MACH_PORT_RIGHT_SEND), refs + 1);
	EXPECT_EQ(port_type(t1), MACH_PORT_TYPE_SEND);
	th1 = xnu_mach_thread_self();
	th2 = xnu_mach_thread_self();
	EXPECT_NE(th1, 0);
	EXPECT_EQ(th1, th2);
	EXPECT_EQ(port_type(th1), MACH_PORT_TYPE_SEND);
	h1 = xnu_mach_host_self();
	h2 = xnu_mach_host_self();
	EXPECT_NE(h1, 0);
	EXPECT_EQ(h1, h2);
	EXPECT_NE(h1, t1);
	EXPECT_NE(th1, t1);
}

TEST(reply_ports_are_receive_rights)
{
	xnu_port_t r1 = xnu_mach_reply_port(), r2 = xnu_mach_reply_port();
	xnu_port_t s1 = xnu_thread_get_special_reply_port();
	xnu_port_t s2 = xnu_thread_get_special_reply_port();

	EXPECT_NE(r1, 0);
	EXPECT_NE(r1, r2);
	EXPECT_EQ(port_type(r1), MACH_PORT_TYPE_RECEIVE);
	EXPECT_NE(s1, 0);
	EXPECT_NE(s1, s2);
	/* The old special reply port stays a plain receive right. */
	EXPECT_EQ(port_type(s1), MACH_PORT_TYPE_RECEIVE);
	EXPECT_EQ(port_type(s2), MACH_PORT_TYPE_RECEIVE);
}

/* libsyscall's MIG fallback (mach_port_allocate, msgh_id 3204) on our own task. */
extern xnu_kern_return_t xnu__kernelrpc_mach_port_allocate(xnu_port_t, uint32_t, xnu_port_t *);

TEST(mig_mach_port_allocate_on_the_task_port)
{
	xnu_port_t name = 0;

	ASSERT_EQ(xnu__kernelrpc_mach_port_allocate(xnu_mach_task_self(),
						    MACH_PORT_RIGHT_RECEIVE, &name),
		  KERN_SUCCESS);
	EXPECT_EQ(port_type(name), MACH_PORT_TYPE_RECEIVE);
	EXPECT_EQ(xnu__kernelrpc_mach_port_allocate(xnu_mach_task_self(), MACH_PORT_RIGHT_SEND,
						    &name),
		  KERN_INVALID_VALUE);
	/* No task behind the name: the message cannot even be sent. */
	EXPECT_EQ(xnu__kernelrpc_mach_port_allocate(0x7777703, MACH_PORT_RIGHT_RECEIVE, &name),
		  MACH_SEND_INVALID_DEST);
}
