/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.h: the collector's one logging function.  Each file defines
 * LOG_PREFIX ("model", "run", ...) before including this header; messages go
 * to stderr as "xnutrace: prefix: text".  Library code logs only at debug
 * level (-v); errors are returned, and main() decides what to print.
 */
#ifndef XT_COLLECTOR_LOG_H
#define XT_COLLECTOR_LOG_H

#include <stdarg.h>

enum xt_log_level {
	XT_LOG_ERROR = 0,
	XT_LOG_WARN,
	XT_LOG_INFO,
	XT_LOG_DEBUG,
};

/* Messages above level are dropped.  Default XT_LOG_INFO; -v is DEBUG. */
void xt_log_set_level(enum xt_log_level level);
enum xt_log_level xt_log_level(void);
void xt_log(enum xt_log_level level, const char *prefix, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void xt_vlog(enum xt_log_level level, const char *prefix, const char *fmt, va_list ap);

#ifndef LOG_PREFIX
#define LOG_PREFIX NULL
#endif
#define log_err(...)   xt_log(XT_LOG_ERROR, LOG_PREFIX, __VA_ARGS__)
#define log_warn(...)  xt_log(XT_LOG_WARN, LOG_PREFIX, __VA_ARGS__)
#define log_info(...)  xt_log(XT_LOG_INFO, LOG_PREFIX, __VA_ARGS__)
#define log_debug(...) xt_log(XT_LOG_DEBUG, LOG_PREFIX, __VA_ARGS__)

#endif /* XT_COLLECTOR_LOG_H */
