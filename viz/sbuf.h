/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sbuf.h: a growing, NUL-terminated string for the text, SVG and HTML that
 * viz writes.  An allocation failure is sticky (oom) and checked once at the
 * end.  The caller owns s and frees it with free().
 */
#ifndef CG_VIZ_SBUF_H
#define CG_VIZ_SBUF_H

#include <stdbool.h>
#include <stddef.h>

struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_put(struct sbuf *b, const char *s, size_t n);
/* s with & < > " ' escaped for XML/HTML text and attributes. */
void sb_escape(struct sbuf *b, const char *s);

#endif /* CG_VIZ_SBUF_H */
