// SPDX-License-Identifier: BSD-2-Clause
/* sbuf.c: the growing string of sbuf.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz/sbuf.h"

static bool grow(struct sbuf *b, size_t need)
{
	size_t cap;
	char *p;

	if (b->oom)
		return false;
	if (b->len + need + 1 <= b->cap)
		return true;
	cap = (b->len + need + 1) * 2;
	p = realloc(b->s, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->s = p;
	b->cap = cap;
	return true;
}

void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (!grow(b, n))
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if (!grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void sb_escape(struct sbuf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': sb_put(b, "&amp;", 5); break;
		case '<': sb_put(b, "&lt;", 4); break;
		case '>': sb_put(b, "&gt;", 4); break;
		case '"': sb_put(b, "&quot;", 6); break;
		case '\'': sb_put(b, "&#39;", 5); break;
		default: sb_put(b, s, 1);
		}
	}
}
