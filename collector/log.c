/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.c: xt_log, the collector's single way to stderr (after uftrace's
 * pr_* with PR_FMT).  libbpf's printer is routed here too, under -v.
 */
#include <stdio.h>

#include "collector/log.h"

static enum xt_log_level log_level = XT_LOG_INFO;

void xt_log_set_level(enum xt_log_level level)
{
	log_level = level;
}

enum xt_log_level xt_log_level(void)
{
	return log_level;
}

void xt_vlog(enum xt_log_level level, const char *prefix, const char *fmt, va_list ap)
{
	static const char *const tag[] = { "error: ", "warning: ", "", "debug: " };

	if (level > log_level)
		return;
	fputs("xnutrace: ", stderr);
	if (prefix && level == XT_LOG_DEBUG)
		fprintf(stderr, "%s: ", prefix);
	fputs(tag[level], stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void xt_log(enum xt_log_level level, const char *prefix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xt_vlog(level, prefix, fmt, ap);
	va_end(ap);
}
