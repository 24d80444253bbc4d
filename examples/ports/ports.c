/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ports: Mach IPC on the simulated kernel.  A receive right, a send right
 * made from it, a message from one thread to another through
 * mach_msg2_trap (-47), a complex message that carries a port right, and a
 * semaphore handing control back.  Threads are host pthreads; each one gets
 * its simulated thread on its first trap.
 */
#include <pthread.h>
#include <string.h>

#include "darwin/kern_return.h"
#include "darwin/mach_msg.h"
#include "darwin/port.h"
#include "examples/common/xprint.h"

#define SYNC_POLICY_FIFO 0	/* osfmk/mach/sync_policy.h */

struct simple_msg {
	struct xnu_mach_msg_header hdr;
	char text[32];
};

struct port_msg {
	struct xnu_mach_msg_header hdr;
	struct xnu_mach_msg_body body;
	struct xnu_mach_msg_port_descriptor port;
};

/* Receive buffers leave room for the trailer the kernel appends. */
union rcv_buf {
	struct simple_msg simple;
	struct port_msg complex;
	char room[256];
};

static xnu_port_t service, done_sema;

static void *server(void *arg)
{
	union rcv_buf in;

	(void)arg;
	memset(&in, 0, sizeof(in));
	XKR(xnu_mach_msg(&in.simple.hdr, MACH_RCV_MSG, 0, sizeof(in), service, 0, 0));
	xprintf("server: got id %d, \"%s\" (%u bytes)\n", in.simple.hdr.msgh_id,
		in.simple.text, in.simple.hdr.msgh_size);

	memset(&in, 0, sizeof(in));
	XKR(xnu_mach_msg(&in.complex.hdr, MACH_RCV_MSG, 0, sizeof(in), service, 0, 0));
	xprintf("server: complex message carries a send right named 0x%x\n",
		in.complex.port.name);
	XKR(xnu_semaphore_signal(done_sema));
	return NULL;
}

int main(void)
{
	xnu_port_t task = xnu_mach_task_self(), extra;
	struct simple_msg out;
	struct port_msg cmsg;
	pthread_t th;

	XKR(xnu_mach_port_allocate(task, MACH_PORT_RIGHT_RECEIVE, &service));
	XKR(xnu_mach_port_insert_right(task, service, service, MACH_MSG_TYPE_MAKE_SEND));
	XKR(xnu_semaphore_create(task, &done_sema, SYNC_POLICY_FIFO, 0));
	xprintf("task port 0x%x, service port 0x%x, semaphore 0x%x\n", task, service,
		done_sema);
	pthread_create(&th, NULL, server, NULL);

	memset(&out, 0, sizeof(out));
	out.hdr.msgh_bits = MACH_MSG_TYPE_COPY_SEND;	/* MACH_MSGH_BITS(remote, 0) */
	out.hdr.msgh_size = sizeof(out);
	out.hdr.msgh_remote_port = service;
	out.hdr.msgh_id = 1000;
	strcpy(out.text, "ping over mach_msg2");
	XKR(xnu_mach_msg(&out.hdr, MACH_SEND_MSG, sizeof(out), 0, 0, 0, 0));

	/* A complex message: the kernel copies the right into the receiver. */
	XKR(xnu_mach_port_allocate(task, MACH_PORT_RIGHT_RECEIVE, &extra));
	memset(&cmsg, 0, sizeof(cmsg));
	cmsg.hdr.msgh_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSG_TYPE_COPY_SEND;
	cmsg.hdr.msgh_size = sizeof(cmsg);
	cmsg.hdr.msgh_remote_port = service;
	cmsg.hdr.msgh_id = 1001;
	cmsg.body.msgh_descriptor_count = 1;
	cmsg.port.name = extra;
	cmsg.port.disposition = MACH_MSG_TYPE_MAKE_SEND;
	cmsg.port.type = MACH_MSG_PORT_DESCRIPTOR;
	XKR(xnu_mach_msg(&cmsg.hdr, MACH_SEND_MSG, sizeof(cmsg), 0, 0, 0, 0));

	XKR(xnu_semaphore_wait(done_sema));
	pthread_join(th, NULL);
	xprintf("main: server finished; deallocating a bogus name gives 0x%x "
		"(KERN_INVALID_NAME is 0x%x)\n",
		(unsigned)xnu_mach_port_deallocate(task, 0x4242), KERN_INVALID_NAME);
	return 0;
}
