/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * queue.h: circular doubly linked lists (osfmk/kern/queue.h's queue_chain_t).
 * Links are arena pointers, so lists are shared by every process.
 */
#ifndef XS_KERN_QUEUE_H
#define XS_KERN_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct queue_entry {
	struct queue_entry *next;
	struct queue_entry *prev;
} queue_chain_t, queue_head_t;

static inline void xs_queue_init(queue_head_t *q) { q->next = q->prev = q; }
static inline bool xs_queue_empty(const queue_head_t *q) { return q->next == q; }
static inline void xs_enqueue_tail(queue_head_t *q, queue_chain_t *e)
{
	e->prev = q->prev; e->next = q;
	q->prev->next = e; q->prev = e;
}
static inline void xs_enqueue_head(queue_head_t *q, queue_chain_t *e)
{
	e->next = q->next; e->prev = q;
	q->next->prev = e; q->next = e;
}
static inline void xs_remqueue(queue_chain_t *e)
{
	e->prev->next = e->next; e->next->prev = e->prev;
	e->next = e->prev = e;
}
static inline queue_chain_t *xs_dequeue_head(queue_head_t *q)
{
	queue_chain_t *e = q->next;
	if (e == q) return NULL;
	xs_remqueue(e);
	return e;
}

/* for (elt over q): elt is a struct type * with a queue_chain_t named field. */
#define xs_queue_foreach(elt, q, type, field)                                   \
	for (elt = xs_container_of((q)->next, type, field);                     \
	     &(elt)->field != (q);                                              \
	     elt = xs_container_of((elt)->field.next, type, field))
#define xs_queue_foreach_safe(elt, tmp, q, type, field)                         \
	for (elt = xs_container_of((q)->next, type, field),                     \
	     tmp = xs_container_of((elt)->field.next, type, field);             \
	     &(elt)->field != (q);                                              \
	     elt = tmp, tmp = xs_container_of((elt)->field.next, type, field))

#endif /* XS_KERN_QUEUE_H */
