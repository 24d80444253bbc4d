/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * decode.c: Darwin values by name (decode.h).  The name tables are generated
 * from constants.tsv (scripts/gen_decode_tables.awk -> decode_tables.h);
 * the argument kinds of each call are the one hand-written table here,
 * because the TSV types ("int", "user_addr_t") do not say "open flags".
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "collector/decode.h"
#include "decode_tables.h"
#include "kmod-xnu-sim/include/xnusim/xnusim.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *lookup(const struct xt_named *t, size_t n, long long v)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].value == v)
			return t[i].name;
	return NULL;
}

const char *xt_decode_errno_name(int err)
{
	return lookup(xt_tab_errno, NELEM(xt_tab_errno), err);
}

const char *xt_decode_signal_name(int sig)
{
	return lookup(xt_tab_signal, NELEM(xt_tab_signal), sig);
}

const char *xt_decode_kern_return_name(int kr)
{
	return lookup(xt_tab_kern_return, NELEM(xt_tab_kern_return), kr);
}

const char *xt_decode_port_right_name(int right)
{
	return lookup(xt_tab_port_right, NELEM(xt_tab_port_right), right);
}

const char *xt_decode_msg_type_name(uint32_t disposition)
{
	return lookup(xt_tab_msg_type, NELEM(xt_tab_msg_type), disposition);
}

/* The table row of a call, found by scanning the simulator's table once per call. */
static int table_row(int family, int number, struct xnusim_table_row *row)
{
	int (*get)(unsigned, struct xnusim_table_row *) =
		family == XT_FAMILY_BSD ? xnusim_bsd_table_row :
		family == XT_FAMILY_MACH ? xnusim_mach_table_row : NULL;

	if (!get)
		return -1;
	if (family == XT_FAMILY_BSD && number >= 0 && get((unsigned)number, row) == 0 &&
	    row->number == number)
		return 0;	/* BSD rows are indexed by number */
	for (unsigned i = 0; get(i, row) == 0; i++)
		if (row->number == number)
			return 0;
	return -1;
}

const char *xt_decode_syscall_name(int family, int number)
{
	struct xnusim_table_row row;

	if (table_row(family, number, &row) != 0 || !row.name)
		return NULL;
	if (strncmp(row.name, "sys_", 4) == 0)	/* XNU's sys_close is user-visible close */
		return row.name + 4;
	return row.name;
}

int xt_decode_syscall_nargs(int family, int number)
{
	struct xnusim_table_row row;

	return table_row(family, number, &row) == 0 ? row.nargs : -1;
}

/* ---- flags --------------------------------------------------------------- */

struct out {
	char *buf;
	size_t len, pos;	/* pos may pass len: the length wanted */
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->pos < o->len ? o->buf + o->pos : NULL,
		      o->pos < o->len ? o->len - o->pos : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->pos += (size_t)n;
}

static void put_bits(struct out *o, const struct xt_named *t, size_t n, uint64_t v, bool sep)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t bit = (uint64_t)t[i].value;

		if (bit && (v & bit) == bit) {
			put(o, "%s%s", sep ? "|" : "", t[i].name);
			v &= ~bit;
			sep = true;
		}
	}
	if (v)
		put(o, "%s%#" PRIx64, sep ? "|" : "", v);
	else if (!sep)
		put(o, "0");
}

/* MACH_RCV_TRAILER_ELEMENTS(x) = (x & 0xf) << 24 (osfmk/mach/message.h). */
#define XT_RCV_TRAILER_ELEMENTS_SHIFT 24
#define XT_RCV_TRAILER_ELEMENTS_MASK (0xfull << XT_RCV_TRAILER_ELEMENTS_SHIFT)

/*
 * mach_msg options, lowest bit first (the tables' value 0 names an empty
 * word); the trailer request of a receive is a 4-bit field, not bits.
 */
static void put_msg_options(struct out *o, const struct xt_named *t, size_t n, uint64_t v)
{
	uint64_t elems = (v & XT_RCV_TRAILER_ELEMENTS_MASK) >> XT_RCV_TRAILER_ELEMENTS_SHIFT;
	bool sep = false;

	if (!v) {
		const char *none = lookup(t, n, 0);

		put(o, "%s", none ? none : "0");
		return;
	}
	v &= ~XT_RCV_TRAILER_ELEMENTS_MASK;
	for (unsigned b = 0; b < 64; b++) {
		uint64_t bit = 1ull << b;
		const char *name = (v & bit) ? lookup(t, n, (long long)bit) : NULL;

		if (name) {
			put(o, "%s%s", sep ? "|" : "", name);
			v &= ~bit;
			sep = true;
		}
	}
	if (elems) {
		const char *e = lookup(xt_tab_rcv_trailer, NELEM(xt_tab_rcv_trailer),
				       (long long)elems);

		put(o, "%sMACH_RCV_TRAILER_ELEMENTS(", sep ? "|" : "");
		e ? put(o, "%s)", e) : put(o, "%u)", (unsigned)elems);
		sep = true;
	}
	if (v)
		put(o, "%s%#" PRIx64, sep ? "|" : "", v);
}

static void put_flags(struct out *o, enum xt_flag_kind kind, uint64_t v)
{
	const char *acc;

	switch (kind) {
	case XT_FLAGS_OPEN:
		acc = lookup(xt_tab_accmode, NELEM(xt_tab_accmode), (long long)(v & 3));
		put(o, "%s", acc ? acc : "O_ACCMODE");
		if (v & ~3ull)
			put_bits(o, xt_tab_oflags, NELEM(xt_tab_oflags), v & ~3ull, true);
		break;
	case XT_FLAGS_PROT:
		if (!v)
			put(o, "PROT_NONE");
		else
			put_bits(o, xt_tab_prot, NELEM(xt_tab_prot), v, false);
		break;
	case XT_FLAGS_MMAP:
		put_bits(o, xt_tab_mapflags, NELEM(xt_tab_mapflags), v, false);
		break;
	case XT_FLAGS_MACH_MSG:
		put_msg_options(o, xt_tab_msg_option, NELEM(xt_tab_msg_option), v);
		break;
	case XT_FLAGS_MACH_MSG2:
		put_msg_options(o, xt_tab_msg_option64, NELEM(xt_tab_msg_option64), v);
		break;
	}
}

int xt_decode_flags(char *buf, size_t len, enum xt_flag_kind kind, uint64_t value)
{
	struct out o = { buf, len, 0 };

	if (len)
		buf[0] = 0;
	put_flags(&o, kind, value);
	return (int)o.pos;
}

/* ---- arguments ------------------------------------------------------------- */

/*
 * Argument kinds, one letter each: d int, u unsigned, x hex, p pointer,
 * f fd, a dirfd (AT_FDCWD), P path, O open flags, m mode (octal), R prot,
 * M mmap flags, w whence, s signal, n port name, t task port, r port right
 * (mach_port_right_t), D port disposition (mach_msg_type_name_t), o mach_msg
 * options, Q mach_msg2 options (64-bit).  A string names every argument of
 * the call: those past the event's four show as "...".
 */
struct argspec {
	int family, number;
	const char *kinds;
};

static const struct argspec argspecs[] = {
	{ 1, 1, "d" },    { 1, 3, "fpu" },   { 1, 4, "fpu" },    { 1, 5, "POm" },
	{ 1, 6, "f" },    { 1, 7, "dpxp" },  { 1, 10, "P" },     { 1, 12, "P" },
	{ 1, 37, "dsd" }, { 1, 41, "f" },    { 1, 46, "spp" },   { 1, 48, "dpp" },
	{ 1, 59, "Ppp" }, { 1, 60, "m" },    { 1, 65, "pux" },   { 1, 73, "pu" },
	{ 1, 74, "puR" }, { 1, 75, "pud" },  { 1, 82, "dd" },    { 1, 90, "ff" },
	{ 1, 92, "fdx" }, { 1, 120, "fpd" }, { 1, 121, "fpd" },  { 1, 136, "Pm" },
	{ 1, 153, "fpud" }, { 1, 154, "fpud" }, { 1, 197, "puRMfd" }, { 1, 199, "fdw" },
	{ 1, 244, "pPpp" }, { 1, 338, "Pp" }, { 1, 339, "fp" },  { 1, 340, "Pp" },
	{ 1, 396, "fpu" }, { 1, 397, "fpu" }, { 1, 398, "POm" }, { 1, 399, "f" },
	{ 1, 400, "dpxp" }, { 1, 463, "aPOm" }, { 1, 464, "aPOm" },
	{ 2, -10, "tpux" }, { 2, -12, "tpu" }, { 2, -14, "tpudR" }, { 2, -15, "tpux" },
	{ 2, -16, "trp" }, { 2, -18, "tn" },  { 2, -19, "tnrd" }, { 2, -21, "tnnD" },
	{ 2, -24, "tpxp" }, { 2, -25, "tndx" }, { 2, -31, "pouunuu" }, { 2, -32, "pouunuup" },
	{ 2, -33, "n" },  { 2, -36, "n" },  { 2, -38, "nuu" },  { 2, -44, "tdp" }, { 2, -45, "tdp" },
	{ 2, -46, "tp" }, { 2, -47, "pQxxxxxx" }, { 2, -89, "p" },
	{ 2, -90, "u" },
};

static const char *kinds_of(int family, int number)
{
	for (size_t i = 0; i < NELEM(argspecs); i++)
		if (argspecs[i].family == family && argspecs[i].number == number)
			return argspecs[i].kinds;
	return NULL;
}

static void put_arg(struct out *o, char kind, uint64_t v, const char *path)
{
	int32_t i32 = (int32_t)v;

	switch (kind) {
	case 'P':
		if (path && path[0])
			put(o, "\"%s\"%s", path, strlen(path) >= XT_STR_LEN - 1 ? "..." : "");
		else
			put(o, "%#" PRIx64, v);
		break;
	case 'a':
		if (i32 == -2)	/* AT_FDCWD */
			put(o, "AT_FDCWD");
		else
			put(o, "%d", i32);
		break;
	case 'd': case 'f':
		put(o, "%d", i32);
		break;
	case 'u':
		put(o, "%" PRIu64, v);
		break;
	case 'm':
		put(o, (v & 07777) ? "0%o" : "%o", (unsigned)v & 07777);
		break;
	case 'O':
		put_flags(o, XT_FLAGS_OPEN, (uint32_t)v);
		break;
	case 'R':
		put_flags(o, XT_FLAGS_PROT, (uint32_t)v);
		break;
	case 'M':
		put_flags(o, XT_FLAGS_MMAP, (uint32_t)v);
		break;
	case 'w': {
		const char *w = lookup(xt_tab_whence, NELEM(xt_tab_whence), i32);

		w ? put(o, "%s", w) : put(o, "%d", i32);
		break;
	}
	case 's': {
		const char *s = xt_decode_signal_name(i32);

		s ? put(o, "%s", s) : put(o, "%d", i32);
		break;
	}
	case 'n': case 't':
		put(o, "%#x", (uint32_t)v);
		break;
	case 'r': {
		const char *r = xt_decode_port_right_name(i32);

		r ? put(o, "%s", r) : put(o, "%d", i32);
		break;
	}
	case 'D': {
		const char *d = xt_decode_msg_type_name((uint32_t)v);

		d ? put(o, "%s", d) : put(o, "%u", (uint32_t)v);
		break;
	}
	case 'o':
		put_flags(o, XT_FLAGS_MACH_MSG, (uint32_t)v);
		break;
	case 'Q':
		put_flags(o, XT_FLAGS_MACH_MSG2, v);
		break;
	default:	/* 'x', 'p' */
		put(o, "%#" PRIx64, v);
		break;
	}
}

int xt_decode_args(char *buf, size_t len, const struct xt_event *ev, const char *path)
{
	const char *kinds = kinds_of(ev->family, ev->id);
	int nargs = kinds ? (int)strlen(kinds) : xt_decode_syscall_nargs(ev->family, ev->id);
	struct out o = { buf, len, 0 };

	if (len)
		buf[0] = 0;
	if (!path || !path[0])
		path = ev->str;
	for (int i = 0; i < nargs; i++) {
		if (i == 4) {
			put(&o, ", ...");
			break;
		}
		if (i)
			put(&o, ", ");
		put_arg(&o, kinds ? kinds[i] : 'x', ev->a[i], path);
	}
	return (int)o.pos;
}

/* ---- results ----------------------------------------------------------------- */

int xt_decode_returns_port(int family, int number)
{
	/* The traps whose return type is mach_port_name_t (mach-traps.tsv returns_port). */
	return family == XT_FAMILY_MACH &&
	       (number == -26 || number == -27 || number == -28 || number == -29 || number == -50);
}

int xt_decode_result(char *buf, size_t len, int family, int number, int64_t retval,
		     int32_t error)
{
	struct out o = { buf, len, 0 };
	const char *name;

	if (len)
		buf[0] = 0;
	if (family == XT_FAMILY_MACH) {
		if (xt_decode_returns_port(family, number)) {
			put(&o, "%#x", (uint32_t)retval);
		} else if (error == 0) {
			put(&o, "KERN_SUCCESS");
		} else {
			name = xt_decode_kern_return_name(error);
			put(&o, "%s (%#x)", name ? name : "kern_return", (uint32_t)error);
		}
		return (int)o.pos;
	}
	if (error) {
		name = xt_decode_errno_name(error);
		put(&o, "-1 %s", name ? name : "");
		if (!name)
			put(&o, "errno %d", error);
	} else if (family == XT_FAMILY_BSD && number == 197) {	/* mmap: an address */
		put(&o, "%#" PRIx64, (uint64_t)retval);
	} else {
		put(&o, "%" PRId64, retval);
	}
	return (int)o.pos;
}
