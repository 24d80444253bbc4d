/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * backend_internal.h: how a backend plugs into backend.c.  Private to
 * collector/.  Each backend embeds struct xt_backend first and fills ops;
 * its open function has the signature of xt_backend__open for one name.
 */
#ifndef XT_COLLECTOR_BACKEND_INTERNAL_H
#define XT_COLLECTOR_BACKEND_INTERNAL_H

#include "collector/backend.h"

struct xt_backend_ops {
	const char *name;
	int (*attach)(struct xt_backend *b);
	int (*poll)(struct xt_backend *b, int timeout_ms);
	int (*collect)(struct xt_backend *b, struct xt_model *m);
	void (*destroy)(struct xt_backend *b);
};

struct xt_backend {
	const struct xt_backend_ops *ops;
	struct xt_backend_opts opts;
};

/* Each returns an owned backend or NULL with errno set and *err_msg static. */
struct xt_backend *xt_backend_inproc__open(const struct xt_backend_opts *opts,
					   const char **err_msg);

#endif /* XT_COLLECTOR_BACKEND_INTERNAL_H */
