/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * trace_fmt.c: pairs syscall entries with their returns per thread and
 * prints completed calls (trace_fmt.h).  A thread has at most one syscall
 * in flight, so the pending table holds one entry event per thread.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "collector/decode.h"
#include "collector/trace_fmt.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

#define XT_TRACE_SLOTS 1024	/* threads with a call in flight (open addressing) */

struct pending {
	bool used;
	struct xt_event entry;
};

struct xt_trace_fmt {
	unsigned flags;
	uint64_t first_ts;
	struct pending slots[XT_TRACE_SLOTS];
};

struct xt_trace_fmt *xt_trace_fmt__new(unsigned flags)
{
	struct xt_trace_fmt *f = calloc(1, sizeof(*f));

	if (f)
		f->flags = flags;
	return f;
}

void xt_trace_fmt__free(struct xt_trace_fmt *f)
{
	free(f);
}

static uint64_t thread_key(const struct xt_event *ev)
{
	/* Simulated tids are unique per machine; before binding, the host tid. */
	return ev->tid ? ev->tid : (1ull << 63) | ev->host_tid;
}

static struct pending *slot_find(struct xt_trace_fmt *f, uint64_t key, bool create)
{
	size_t h = (size_t)(key * 0x9E3779B97F4A7C15ull >> 54) % XT_TRACE_SLOTS;	/* = home_of */

	for (size_t i = 0; i < XT_TRACE_SLOTS; i++) {
		struct pending *p = &f->slots[(h + i) % XT_TRACE_SLOTS];

		if (p->used && thread_key(&p->entry) == key)
			return p;
		if (!p->used)
			return create ? p : NULL;
	}
	return NULL;	/* full: the entry is not kept; its return prints without args */
}

static size_t home_of(const struct pending *p)
{
	return (size_t)(thread_key(&p->entry) * 0x9E3779B97F4A7C15ull >> 54) % XT_TRACE_SLOTS;
}

/* Remove p keeping the probe chains intact (backward-shift deletion). */
static void slot_remove(struct xt_trace_fmt *f, struct pending *p)
{
	size_t i = (size_t)(p - f->slots), j = i;

	p->used = false;
	for (;;) {
		j = (j + 1) % XT_TRACE_SLOTS;
		if (!f->slots[j].used)
			return;
		/* j may move back to the hole at i if its home is no later than i */
		if ((j - home_of(&f->slots[j]) + XT_TRACE_SLOTS) % XT_TRACE_SLOTS >=
		    (j - i + XT_TRACE_SLOTS) % XT_TRACE_SLOTS) {
			f->slots[i] = f->slots[j];
			f->slots[j].used = false;
			i = j;
		}
	}
}

static void prefix(struct xt_trace_fmt *f, const struct xt_event *ev, FILE *out)
{
	char who[48];

	if (f->flags & XT_TRACE_TS) {
		uint64_t t = (uint64_t)(ev->ts_ns - f->first_ts);

		fprintf(out, "%" PRIu64 ".%06" PRIu64 " ", t / 1000000000, t / 1000 % 1000000);
	}
	snprintf(who, sizeof(who), "%d/%" PRIu64, ev->pid, (uint64_t)ev->tid);
	fprintf(out, "%-10s ", who);
}

static void duration(struct xt_trace_fmt *f, uint64_t ns, FILE *out)
{
	if (!(f->flags & XT_TRACE_NO_TIME))
		fprintf(out, "  <%" PRIu64 ".%03" PRIu64 "us>", ns / 1000, ns % 1000);
}

static const char *call_name(int family, int number, char *buf, size_t len)
{
	const char *n = xt_decode_syscall_name(family, number);

	if (n)
		return n;
	snprintf(buf, len, "%s_%d", family == XT_FAMILY_MACH ? "mach_trap" : "syscall", number);
	return buf;
}

static void print_call(struct xt_trace_fmt *f, const struct xt_event *entry,
		       const struct xt_event *ret, FILE *out)
{
	const struct xt_event *ev = ret ? ret : entry;
	char args[512], res[128], nb[32];

	prefix(f, entry ? entry : ev, out);
	if (entry)
		xt_decode_args(args, sizeof(args), entry, ret ? ret->str : NULL);
	else
		snprintf(args, sizeof(args), "?");	/* tracing started inside the call */
	fprintf(out, "%s(%s) = ", call_name(ev->family, ev->id, nb, sizeof(nb)), args);
	if (!ret) {
		fprintf(out, "? <unfinished>\n");
		return;
	}
	xt_decode_result(res, sizeof(res), ret->family, ret->id, (int64_t)ret->a[0],
			 (int32_t)ret->a[1]);
	fputs(res, out);
	if (entry)
		duration(f, ret->ts_ns - entry->ts_ns, out);
	fputc('\n', out);
}

static void print_func(struct xt_trace_fmt *f, const struct xt_event *ev, FILE *out)
{
	const struct xs_func *fn = xs_func_registry_get((uint32_t)ev->id);

	prefix(f, ev, out);
	fprintf(out, "%*s%s %s\n", (int)(ev->depth > 40 ? 80 : 2 * ev->depth), "",
		ev->type == XT_EV_FUNC_ENTRY ? "->" : "<-", fn ? fn->xf_name : "?");
}

static void print_lifecycle(struct xt_trace_fmt *f, const struct xt_event *ev, FILE *out)
{
	static const char *const how[] = { "boot", "attach", "fork", "spawn", "exec" };
	int32_t st = (int32_t)ev->a[0];
	const char *sig;

	prefix(f, ev, out);
	switch (ev->type) {
	case XT_EV_PROC_CREATE:
		fprintf(out, "proc_create ppid %d (%s)\n", (int32_t)ev->a[0],
			ev->a[1] < 5 ? how[ev->a[1]] : "?");
		break;
	case XT_EV_PROC_EXEC:
		fprintf(out, "proc_exec %s\n", ev->str);
		break;
	case XT_EV_PROC_EXIT:	/* Darwin wait status: low 7 bits signal, else exit code << 8 */
		if ((st & 0x7f) == 0) {
			fprintf(out, "proc_exit status %d\n", (st >> 8) & 0xff);
		} else {
			sig = xt_decode_signal_name(st & 0x7f);
			fprintf(out, "proc_exit killed by %s\n", sig ? sig : "?");
		}
		break;
	case XT_EV_MSG_SEND:
	case XT_EV_MSG_RECEIVE:
		fprintf(out, "%s port %#" PRIx64 " msgh_id %d size %u\n",
			ev->type == XT_EV_MSG_SEND ? "msg_send" : "msg_receive", (uint64_t)ev->a[0],
			(int32_t)ev->a[1], (uint32_t)ev->a[2]);
		break;
	case XT_EV_VM_MAP_CHANGE: {
		static const char *const op[] = { "?", "enter", "remove", "protect", "fork" };
		char prot[64];

		xt_decode_flags(prot, sizeof(prot), XT_FLAGS_PROT, ev->a[3]);
		fprintf(out, "vm_map_%s %#" PRIx64 "+%#" PRIx64 " %s\n",
			ev->a[0] < 5 ? op[ev->a[0]] : "?", (uint64_t)ev->a[1], (uint64_t)ev->a[2], prot);
		break;
	}
	default:
		fprintf(out, "event %u\n", ev->type);
	}
}

int xt_trace_fmt__event(struct xt_trace_fmt *f, const struct xt_event *ev, FILE *out)
{
	struct pending *p;

	if (!f->first_ts)
		f->first_ts = ev->ts_ns;
	switch (ev->type) {
	case XT_EV_SYSCALL_ENTRY:
		p = slot_find(f, thread_key(ev), true);
		if (p && p->used)	/* its return never came (x86_64 invalid trap) */
			print_call(f, &p->entry, NULL, out);
		if (p) {
			p->used = true;
			p->entry = *ev;
		}
		break;
	case XT_EV_SYSCALL_RETURN:
		p = slot_find(f, thread_key(ev), false);
		if (p && (p->entry.family != ev->family || p->entry.id != ev->id)) {
			print_call(f, &p->entry, NULL, out);
			slot_remove(f, p);
			p = NULL;
		}
		print_call(f, p ? &p->entry : NULL, ev, out);
		if (p)
			slot_remove(f, p);
		break;
	case XT_EV_FUNC_ENTRY:
	case XT_EV_FUNC_RETURN:
		if (f->flags & XT_TRACE_FUNCS)
			print_func(f, ev, out);
		break;
	default:
		print_lifecycle(f, ev, out);
	}
	return ferror(out) ? -EIO : 0;
}

int xt_trace_fmt__flush(struct xt_trace_fmt *f, FILE *out)
{
	for (size_t i = 0; i < XT_TRACE_SLOTS; i++) {
		if (f->slots[i].used) {
			print_call(f, &f->slots[i].entry, NULL, out);
			f->slots[i].used = false;
		}
	}
	return ferror(out) ? -EIO : 0;
}
