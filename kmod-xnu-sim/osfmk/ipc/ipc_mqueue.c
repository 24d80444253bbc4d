/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipc_mqueue.c: the message queue of a port: posting (with senders
 * blocking while the queue holds qlimit messages) and receiving (with
 * receivers blocking until a message, a timeout, an abort or the port's
 * death).  Corresponds to osfmk/ipc/ipc_mqueue.c.
 *
 * XNU hands a message straight to a waiting receiver
 * (waitq_resume_identified_thread); here every message is queued and the
 * waiting receivers are woken to take it, which a trace shows as
 * ipc_mqueue_post -> ipc_kmsg_enqueue_qos.  IPC lock held throughout.
 */
#include "kmod-xnu-sim/osfmk/ipc/ipc_kmsg.h"
#include "kmod-xnu-sim/osfmk/ipc/ipc_space.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "darwin/mach_msg.h"
#include "darwin/port.h"

#define NSEC_PER_MSEC 1000000ull

void xs_ipc_mqueue_init(struct ipc_mqueue *mq)
{
	XS_FUNC(ipc_mqueue_init);

	xs_queue_init(&mq->imq_messages);
	mq->imq_qlimit = MACH_PORT_QLIMIT_DEFAULT;
	mq->imq_msgcount = 0;
	mq->imq_seqno = 0;
	mq->imq_receivers = 0;
}

static void xs_ipc_kmsg_enqueue_qos(struct ipc_mqueue *mq, struct ipc_kmsg *kmsg)
{
	XS_FUNC_AT(ipc_kmsg_enqueue_qos, "osfmk/ipc/ipc_kmsg.c");

	xs_enqueue_tail(&mq->imq_messages, &kmsg->ikm_link);
	mq->imq_msgcount++;
}

/* Queue kmsg and wake the receivers; the message is theirs from here on. */
static void xs_ipc_mqueue_post(struct ipc_port *port, struct ipc_kmsg *kmsg)
{
	XS_FUNC(ipc_mqueue_post);
	struct ipc_mqueue *mq = &port->ip_messages;

	kmsg->ikm_seqno = mq->imq_seqno++;
	if (XS_TRACE_ENABLED(msg_send))
		xs_trace_msg_send(port->ip_object_id, kmsg->ikm_id, kmsg->ikm_size);
	xs_ipc_kmsg_enqueue_qos(mq, kmsg);
	osl_event_signal(&mq->imq_rcv_event, true);
}

struct ipc_kmsg *xs_ipc_mqueue_dequeue(struct ipc_port *port)
{
	struct ipc_mqueue *mq = &port->ip_messages;
	queue_chain_t *link = xs_dequeue_head(&mq->imq_messages);

	if (!link)
		return NULL;
	mq->imq_msgcount--;
	/* Room again: let blocked senders re-check. */
	osl_event_signal(&mq->imq_send_event, true);
	return xs_container_of(link, struct ipc_kmsg, ikm_link);
}

static uint64_t ipc_mqueue_deadline(uint64_t option, uint64_t timeout_bit, uint32_t timeout_ms)
{
	if (!(option & timeout_bit))
		return 0;
	return osl_absolute_time() + (uint64_t)timeout_ms * NSEC_PER_MSEC;
}

/*
 * Routine:    xs_ipc_mqueue_send_locked
 * Purpose:    See ipc_kmsg.h.  A full queue blocks the sender (reason
 *             "mach_msg send") unless MACH_SEND_TIMEOUT; waiting
 *             receivers count as room, as XNU's direct hand-off does.
 * Conditions: IPC lock held; dropped while asleep.  kmsg holds a
 *             reference on port, so the port outlives the wait.
 */
xs_kern_return_t xs_ipc_mqueue_send_locked(struct ipc_port *port, struct ipc_kmsg *kmsg,
					   uint64_t option, uint32_t timeout_ms)
{
	XS_FUNC(ipc_mqueue_send_locked);
	struct ipc_mqueue *mq = &port->ip_messages;
	uint64_t deadline = ipc_mqueue_deadline(option, MACH_SEND_TIMEOUT, timeout_ms);
	int wr;

	for (;;) {
		if (!port->ip_active) {
			/* XNU: a message to a port that died after copyin is destroyed. */
			xs_ipc_kmsg_destroy(kmsg);
			return MACH_MSG_SUCCESS;
		}
		/* The kernel's own messages (MIG replies) never wait. */
		if ((option & MACH_SEND_ALWAYS) ||
		    mq->imq_msgcount < mq->imq_qlimit + mq->imq_receivers)
			break;
		if ((option & MACH_SEND_TIMEOUT) && timeout_ms == 0)
			return MACH_SEND_TIMED_OUT;
		wr = xs_thread_block_on(&mq->imq_send_event, xs_ipc_lock_ptr(), deadline,
					"mach_msg send");
		if (wr == THREAD_TIMED_OUT)
			return MACH_SEND_TIMED_OUT;
		if (wr == THREAD_INTERRUPTED)
			return MACH_SEND_INTERRUPTED;
	}
	xs_ipc_mqueue_post(port, kmsg);
	return MACH_MSG_SUCCESS;
}

/*
 * Routine:    xs_ipc_mqueue_copyin
 * Purpose:    The port whose receive right rcv_name denotes in space, with
 *             a reference for the caller (port sets are not modeled).
 * Returns:    MACH_MSG_SUCCESS, MACH_RCV_INVALID_NAME.
 */
xs_kern_return_t xs_ipc_mqueue_copyin(struct ipc_space *space, mach_port_name_t rcv_name,
				      struct ipc_port **portp)
{
	XS_FUNC(ipc_mqueue_copyin);
	struct ipc_entry *entry;

	if (xs_ipc_right_lookup_write(space, rcv_name, &entry) != KERN_SUCCESS)
		return MACH_RCV_INVALID_NAME;
	if (!(entry->ie_bits & MACH_PORT_TYPE_RECEIVE))
		return MACH_RCV_INVALID_NAME;
	*portp = entry->ie_object;
	xs_ip_reference(*portp);
	return MACH_MSG_SUCCESS;
}

/*
 * Routine:    xs_ipc_mqueue_receive
 * Purpose:    Take the first message of port once one fits max_size
 *             (message + trailer_size).  A message too large is left
 *             queued with MACH_RCV_LARGE (*kmsgp NULL) or dequeued for the
 *             caller to destroy; *msizep gets its size either way.
 *             Blocks (reason "mach_msg receive") until a message arrives,
 *             unless MACH_RCV_TIMEOUT.
 * Conditions: IPC lock held (dropped while asleep); caller holds a port ref.
 * Returns:    MACH_MSG_SUCCESS, MACH_RCV_TOO_LARGE, MACH_RCV_TIMED_OUT,
 *             MACH_RCV_INTERRUPTED, MACH_RCV_PORT_DIED,
 *             MACH_RCV_PORT_CHANGED (the receive right was sent away).
 */
xs_kern_return_t xs_ipc_mqueue_receive(struct ipc_space *space, struct ipc_port *port,
				       uint64_t option, uint32_t max_size, uint32_t trailer_size,
				       uint32_t timeout_ms, struct ipc_kmsg **kmsgp,
				       uint32_t *msizep)
{
	XS_FUNC(ipc_mqueue_receive);
	struct ipc_mqueue *mq = &port->ip_messages;
	uint64_t deadline = ipc_mqueue_deadline(option, MACH_RCV_TIMEOUT, timeout_ms);
	struct ipc_kmsg *kmsg;
	int wr;

	*kmsgp = NULL;
	for (;;) {
		if (!port->ip_active)
			return MACH_RCV_PORT_DIED;
		if (port->ip_receiver != space)
			return MACH_RCV_PORT_CHANGED;	/* the receive right moved away */
		if (!xs_queue_empty(&mq->imq_messages)) {
			XS_FUNC(ipc_mqueue_select_on_thread_locked);
			kmsg = xs_container_of(mq->imq_messages.next, struct ipc_kmsg, ikm_link);
			*msizep = kmsg->ikm_size;
			if ((uint64_t)kmsg->ikm_size + trailer_size > max_size &&
			    (option & MACH_RCV_LARGE))
				return MACH_RCV_TOO_LARGE;
			*kmsgp = xs_ipc_mqueue_dequeue(port);
			if ((uint64_t)kmsg->ikm_size + trailer_size > max_size)
				return MACH_RCV_TOO_LARGE;
			return MACH_MSG_SUCCESS;
		}
		if ((option & MACH_RCV_TIMEOUT) && timeout_ms == 0)
			return MACH_RCV_TIMED_OUT;
		mq->imq_receivers++;
		/* Room for one more sender while we wait (direct hand-off). */
		osl_event_signal(&mq->imq_send_event, true);
		wr = xs_thread_block_on(&mq->imq_rcv_event, xs_ipc_lock_ptr(), deadline,
					"mach_msg receive");
		mq->imq_receivers--;
		if (wr == THREAD_TIMED_OUT && xs_queue_empty(&mq->imq_messages))
			return MACH_RCV_TIMED_OUT;
		if (wr == THREAD_INTERRUPTED)
			return MACH_RCV_INTERRUPTED;
	}
}
